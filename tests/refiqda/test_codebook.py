"""REFI-QDA codebooks (.qdc): schema-valid output, stable GUIDs, quirky input."""

from __future__ import annotations

import uuid
import warnings

import pytest
import xmlschema
from lxml import etree

import codingkit as ck
from codingkit.errors import CodingkitWarning, RefiQdaError
from codingkit.model import Codebook
from codingkit.refiqda import code_guid, qdc_bytes, read_qdc, write_qdc
from codingkit.refiqda._common import GUID_NAMESPACE, schema_path

from refiqda_helpers import FIXTURES, make_codebook

NS = {"q": "urn:QDA-XML:codebook:1.0"}


@pytest.fixture(scope="module")
def codebook_xsd():
    with schema_path("Codebook.xsd") as p:
        return xmlschema.XMLSchema(str(p))


def test_qdc_is_valid_against_the_codebook_xsd(codebook_xsd, tmp_path):
    for cb in (make_codebook(), ck.load_codebook()):
        path = write_qdc(cb, tmp_path / f"{cb.id}.qdc")
        codebook_xsd.validate(str(path))  # raises on any violation


def test_guids_are_uuid5_of_the_code_id_and_stable_across_exports(tmp_path):
    a = qdc_bytes(make_codebook())
    b = qdc_bytes(make_codebook())
    assert a == b
    root = etree.fromstring(a)
    guids = {c.get("name"): c.get("guid") for c in root.iterfind(".//q:Code", NS)}
    assert guids["Tidig marknadsdialog"] == str(uuid.uuid5(GUID_NAMESPACE, "code/tidig_dialog"))
    assert guids["Tidig marknadsdialog"] == code_guid("tidig_dialog")
    # renaming a code keeps its identity; another id gets another GUID
    cb = make_codebook()
    cb.codes["tidig_dialog"].label = "Marknadsdialog före annonsering"
    root2 = etree.fromstring(qdc_bytes(cb))
    renamed = root2.find(".//q:Code[@name='Marknadsdialog före annonsering']", NS)
    assert renamed.get("guid") == guids["Tidig marknadsdialog"]
    assert len(set(guids.values())) == len(guids)


def test_hierarchy_grouping_nodes_colours_and_descriptions():
    root = etree.fromstring(qdc_bytes(make_codebook()))
    assert root.find("q:Sets", NS) is None  # never an empty Sets
    top = root.findall("q:Codes/q:Code", NS)
    assert [c.get("name") for c in top] == ["Tidig marknadsdialog", "Behovsidentifiering",
                                            "Risk och regelverk"]
    dialog, _, risk = top
    assert [c.get("name") for c in dialog.findall("q:Code", NS)] == ["Request for Information"]
    assert risk.get("isCodable") == "false"
    assert risk.find("q:Code", NS).get("isCodable") == "true"
    assert dialog.get("color") == "#1f77b4"
    assert dialog.find("q:Code", NS).get("color") == "#aabbcc"  # #abc expanded
    assert risk.get("color") is None
    desc = dialog.find("q:Description", NS).text
    assert desc.startswith("Kontakt med leverantörer innan underlaget skrivs.")
    assert "Inkludera: leverantörsträffar, RFI, extern remiss" in desc
    assert "Exkludera: dialog med egen personal (behov)" in desc
    assert "codingkit-id: tidig_dialog" in desc


def test_export_then_import_gives_the_same_codes(tmp_path):
    original = ck.load_codebook()
    back = ck.load_codebook(write_qdc(original, tmp_path / "teman.qdc"))  # load_codebook → read_qdc
    assert (back.id, back.version) == (original.id, original.version)
    fields = ("id", "label", "label_en", "parent", "codable", "color", "description",
              "include", "exclude")
    assert [[getattr(c, f) for f in fields] for c in back] == \
        [[getattr(c, f) for f in fields] for c in original]
    assert all(c.rules == () for c in back)


def test_an_empty_codebook_is_refused(tmp_path):
    with pytest.raises(RefiQdaError, match=r"no codes.*\[E501\]"):
        write_qdc(Codebook(id="tom", codes={}), tmp_path / "tom.qdc")
    assert not (tmp_path / "tom.qdc").exists()


def test_read_a_quirky_nvivo_codebook():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cb = read_qdc(FIXTURES / "qdc" / "nvivo_koder.qdc")
    messages = [str(w.message) for w in caught if issubclass(w.category, CodingkitWarning)]
    assert any("8-digit colour" in m and "#FF1F77B4" in m for m in messages)
    assert any("malformed colour 'röd'" in m for m in messages)
    assert [c.id for c in cb] == ["tidig_marknadsdialog",
                                  "tidig_marknadsdialog.request_for_information_rfi",
                                  "ovrigt", "ovrigt.risk_regelverk"]
    dialog = cb["tidig_marknadsdialog"]
    assert dialog.color is None
    assert dialog.description == "Kontakt med leverantörer före annonsering."
    assert dialog.include == "RFI, leverantörsträffar"
    assert dialog.exclude == "förhandling i pågående upphandling"
    assert cb["tidig_marknadsdialog.request_for_information_rfi"].color == "#aabbcc"
    assert cb["ovrigt"].codable is False  # the folder became a grouping node
    assert cb["ovrigt.risk_regelverk"].label == "Risk & regelverk"


def test_entity_expansion_is_refused():
    with pytest.raises(RefiQdaError, match=r"billion_laughs\.qdc: refused: .*DOCTYPE.*\[E510\]"):
        read_qdc(FIXTURES / "qdc" / "billion_laughs.qdc")


def test_a_qdc_without_codes_is_an_error(tmp_path):
    p = tmp_path / "fel.qdc"
    p.write_text('<CodeBook xmlns="urn:QDA-XML:codebook:1.0"/>', encoding="utf-8")
    with pytest.raises(RefiQdaError, match=r"fel\.qdc: CodeBook has no Codes.*\[E504\]"):
        read_qdc(p)
    p.write_text('<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code guid="nej" '
                 'name="Behov" isCodable="true"/></Codes></CodeBook>', encoding="utf-8")
    with pytest.raises(RefiQdaError, match=r"Code 'Behov' has guid 'nej'; expected a GUID"):
        read_qdc(p)
