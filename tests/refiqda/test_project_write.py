"""Writing a coding result as a REFI-QDA project (.qdpx)."""

from __future__ import annotations

import io
import unicodedata
import warnings
import zipfile
from dataclasses import replace
from datetime import datetime, timezone

import pytest
import xmlschema
from lxml import etree
from refiqda_helpers import TEXT_SYD, make_result

from codingkit.errors import CodingkitWarning, RefiQdaError
from codingkit.model import Coding
from codingkit.refiqda import AUTOMATIC_USER, code_guid, qdpx_bytes, source_guid, write_qdpx
from codingkit.refiqda._common import schema_path

NS = {"q": "urn:QDA-XML:project:1.0"}
WHEN = datetime(2026, 3, 12, 9, 30, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def project_xsd():
    with schema_path("Project.xsd") as p:
        return xmlschema.XMLSchema(str(p))


def _open(data: bytes):
    zf = zipfile.ZipFile(io.BytesIO(data))
    return zf, etree.fromstring(zf.read("project.qde"))


def test_the_project_is_valid_against_the_project_xsd(project_xsd, result, tmp_path):
    path = write_qdpx(result, tmp_path / "kodning.qdpx")
    zf, _ = _open(path.read_bytes())
    project_xsd.validate(zf.read("project.qde").decode("utf-8"))


def test_archive_layout_and_source_texts(result):
    zf, root = _open(qdpx_bytes(result, created=WHEN))
    names = zf.namelist()
    guids = [source_guid(t.source) for t in result.transcripts]
    assert names == ["project.qde"] + [f"sources/{g}.txt" for g in guids]
    for t, g in zip(result.transcripts, guids):
        raw = zf.read(f"sources/{g}.txt")
        assert not raw.startswith(b"\xef\xbb\xbf")
        text = raw.decode("utf-8")
        assert text == t.text and "\r" not in text
        assert unicodedata.is_normalized("NFC", text)
        ts = root.find(f".//q:TextSource[@guid='{g}']", NS)
        # a flat name every client can use as a file name; the folder is kept
        assert ts.get("name") == t.source.removesuffix(".txt").replace("/", "_")
        assert ts.find("q:Description", NS).text == f"codingkit source: {t.source}"
        assert ts.get("plainTextPath") == f"internal://{g}.txt"


def test_selections_are_code_point_offsets_with_the_covered_text_as_name(result):
    _, root = _open(qdpx_bytes(result, created=WHEN))
    sels = root.findall(".//q:PlainTextSelection", NS)
    coded = {c.segment_id for c in result.coding_list}
    segs = [s for s in result.segment_list if s.segment_id in coded]
    assert len(segs) == 4 and len(sels) == len(result.coding_list) == 5   # one per code
    by_span = {(int(s.get("startPosition")), int(s.get("endPosition"))): s for s in sels}
    for seg in segs:
        sel = by_span[(seg.start, seg.end)]
        assert sel.get("name") == seg.text
    # the emoji turn: offsets count the emoji as ONE code point
    behov = next(s for s in segs if "🙂" in s.text)
    assert TEXT_SYD[behov.start:behov.end] == behov.text
    assert behov.end - behov.start == len(behov.text) == len(behov.text.encode("utf-16-le")) // 2 - 1


def test_one_coding_per_code_by_the_automatic_user_with_score_and_evidence(result):
    _, root = _open(qdpx_bytes(result, created=WHEN))
    users = root.findall("q:Users/q:User", NS)
    assert [u.get("name") for u in users] == [AUTOMATIC_USER]
    user = users[0].get("guid")
    rfi = [s for s in root.iterfind(".//q:PlainTextSelection", NS) if "RFI" in s.get("name")]
    # a passage with two codes: two selections, each coding with its own evidence
    assert len(rfi) == 2
    refs = [[c.find("q:CodeRef", NS).get("targetGUID") for c in s.findall("q:Coding", NS)]
            for s in rfi]
    assert refs == [[code_guid("tidig_dialog")], [code_guid("tidig_dialog.rfi")]]
    codings = root.findall(".//q:Coding", NS)
    assert len(codings) == len(result.coding_list)
    assert {c.get("creatingUser") for c in codings} == {user}
    descs = [s.find("q:Description", NS).text for s in rfi]
    assert descs == ["tidig_dialog: score 0.800 (rule) term(RFI)",
                     "tidig_dialog.rfi: score 1.000 (rule) regex(\\bRFI\\b) → 'RFI'"]


def test_cases_carry_project_round_and_role(result):
    _, root = _open(qdpx_bytes(result, created=WHEN))
    variables = {v.get("guid"): v.get("name") for v in root.iterfind("q:Variables/q:Variable", NS)}
    assert sorted(variables.values()) == ["codingkit_source", "project", "role", "round"]
    cases = root.findall("q:Cases/q:Case", NS)
    assert len(cases) == 2
    og_guid = source_guid("ostergotland/05_upphandlare.txt")
    # no name and one SourceRef: QualCoder's refi.py reads these as the source's variables
    assert all(c.get("name") is None and len(c.findall("q:SourceRef", NS)) == 1 for c in cases)
    og = next(c for c in cases if c.find("q:SourceRef", NS).get("targetGUID") == og_guid)
    values = {variables[vv.find("q:VariableRef", NS).get("targetGUID")]:
              vv.find("q:TextValue", NS).text for vv in og.iterfind("q:VariableValue", NS)}
    assert values == {"project": "Region Östergötland", "round": "2", "role": "upphandlare"}
    assert og.find("q:SourceRef", NS).get("targetGUID") == \
        source_guid("ostergotland/05_upphandlare.txt")
    # the codingkit name of the source is a variable of the source itself
    ts = root.find(f".//q:TextSource[@guid='{source_guid('ostergotland/05_upphandlare.txt')}']",
                   NS)
    on_source = {variables[vv.find("q:VariableRef", NS).get("targetGUID")]:
                 vv.find("q:TextValue", NS).text for vv in ts.iterfind("q:VariableValue", NS)}
    assert on_source == {"codingkit_source": "ostergotland/05_upphandlare.txt"}


def test_timestamps_are_utc_and_the_same_run_gives_the_same_bytes(result):
    a = qdpx_bytes(result, created=WHEN)
    assert a == qdpx_bytes(make_result(), created=WHEN)
    _, root = _open(a)
    stamps = {el.get("creationDateTime") for el in root.iter() if el.get("creationDateTime")}
    assert stamps == {"2026-03-12T09:30:00Z"}


def test_decomposed_text_is_refused(result):
    t = result.transcripts[0]
    result.transcripts[0] = replace(t, text=unicodedata.normalize("NFD", t.text))
    with pytest.raises(RefiQdaError, match=r"not NFC text.*\[E520\]"):
        qdpx_bytes(result)


def test_codings_must_fit_codebook_and_segments(result, tmp_path):
    bad = make_result()
    bad.coding_list.append(Coding(bad.segment_list[1].segment_id, "okand_kod", "okand_kod", 1.0,
                                  "rule", ""))
    with pytest.raises(RefiQdaError, match=r"uses code 'okand_kod'.*\[E505\]"):
        write_qdpx(bad, tmp_path / "x.qdpx")
    assert not (tmp_path / "x.qdpx").exists()
    shifted = make_result()
    s = shifted.segment_list[1]
    shifted.segment_list[1] = replace(s, start=s.start + 1)
    with pytest.raises(RefiQdaError, match=r"offsets .* do not give its text.*\[E523\]"):
        qdpx_bytes(shifted)


def test_codings_of_grouping_codes_are_left_out_with_a_warning(result):
    result.coding_list.append(Coding(result.segment_list[-1].segment_id, "risk", "risk", 0.5,
                                     "similarity", ""))
    with pytest.warns(CodingkitWarning, match=r"grouping codes \['risk'\] left out"):
        _, root = _open(qdpx_bytes(result))
    refs = {r.get("targetGUID") for r in root.iterfind(".//q:CodeRef", NS)}
    assert code_guid("risk") not in refs and code_guid("risk.overprovning") in refs


def test_an_unwritable_target_leaves_nothing_behind(result, tmp_path):
    with pytest.raises(Exception):
        write_qdpx(result, tmp_path / "saknas" / "x.qdpx")
    assert list(tmp_path.iterdir()) == []
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        write_qdpx(result, tmp_path / "x.qdpx")
    assert [p.name for p in tmp_path.iterdir()] == ["x.qdpx"]


def test_a_code_given_twice_to_a_segment_is_one_coding(result):
    twice = result.coding_list[0]
    result.coding_list.append(replace(twice, score=0.1, evidence="igen"))
    _, root = _open(qdpx_bytes(result))
    assert len(root.findall(".//q:Coding", NS)) == len(result.coding_list) - 1
