"""Reading .qdpx files written by other tools, with their quirks, and refusing unsafe ones."""

from __future__ import annotations

import stat
import zipfile

import pytest

from codingkit.errors import CodingkitWarning, OutputError, RefiQdaError
from codingkit.refiqda import read_qdpx, source_file_name, write_imported_project


def _rows(project):
    return [tuple(r) for r in project.human_coding[["source", "start", "end", "code", "coder"]]
            .itertuples(index=False)]


def test_qualcoder_project_with_colour_quirks_annotation_and_rich_text(qdpx_from):
    with pytest.warns(CodingkitWarning) as caught:
        p = read_qdpx(qdpx_from("qualcoder_basic"))
    msgs = " | ".join(str(w.message) for w in caught)
    assert "8-digit colour (with alpha) '#1F77B4FF' ignored" in msgs
    assert "malformed colour 'blå' ignored" in msgs
    assert _rows(p) == [("syd/intervju_01.txt", 37, 83, "tidig_dialog", "Anna"),
                        ("syd/intervju_01.txt", 100, 154, "resurser_och_finansiering", "Björn")]
    text = p.sources["syd/intervju_01.txt"]
    assert text[37:83] == "Vi hade ingen tidig dialog, och det ångrar vi."
    assert list(p.human_coding.columns) == ["source", "start", "end", "text", "code", "coder"]
    # a selection without Coding is an annotation, not a coding
    assert p.annotations[["text", "description", "coder"]].values.tolist() == [
        ["Varför?", "Intervjuaren följer upp – notera.", "Anna"]]
    assert p.users == {"11111111-1111-4111-8111-111111111111": "Anna",
                       "22222222-2222-4222-8222-222222222222": "Björn"}
    assert p.problems == [] and p.corrections == {}


def test_nvivo_project_crlf_counted_offsets_are_corrected_and_mismatches_reported(qdpx_from):
    with pytest.warns(CodingkitWarning) as caught:
        p = read_qdpx(qdpx_from("nvivo_crlf"))  # Project.qde, Sources/, {GUIDS}, no name
    msgs = " | ".join(str(w.message) for w in caught)
    assert "has no name" in msgs
    assert "counted each line break as two characters" in msgs
    name = "7E0F3C1A-5B2D-4C6E-9F80-1A2B3C4D5E6F.txt"
    assert p.corrections == {name: "crlf"}
    text = p.sources[name]
    got = [(r.start, r.end, r.code, r.coder) for r in p.selections.itertuples()]
    assert got == [(54, 115, "behov", "Cecilia"), (152, 207, "behov", "Cecilia")]
    assert text[54:115] == "Vi började med att kartlägga vad personalen faktiskt behövde."
    assert text[152:207] == "Sedan skrev vi funktionskrav i stället för produktkrav."
    # GUIDs in braces and upper case are matched to the code
    assert p.code_guids == {"d1d1d1d1-0000-4000-8000-00000000000b": "behov"}
    # the selection whose offsets point elsewhere is reported, not imported
    assert len(p.problems) == 1
    prob = p.problems[0]
    assert (prob.name, prob.start, prob.end, prob.found) == ("Och sedan?", 3, 13, "ervjuare: ")
    assert "do not point to the selection's text 'Och sedan?'" in prob.reason


def test_atlas_project_other_qde_name_bom_ns04_crlf_text_bare_path_and_folders(qdpx_from):
    p = read_qdpx(qdpx_from("atlas_bom"))
    text = p.sources["intervju_07"]
    assert "\r" not in text and not text.startswith("\ufeff")
    got = [(r.start, r.end, r.code) for r in p.selections.itertuples()]
    assert got == [(40, 111, "teman.samverkan"), (149, 195, "teman.larande.nasta_gang")]
    assert text[40:111] == ("Vi gick ihop med två andra regioner och gjorde en gemensam "
                            "upphandling.")
    assert text[149:195] == "Ja, nästa gång gör vi behovsanalysen tidigare."
    assert set(p.selections["reading"]) == {"codepoints"}  # \r\n counted as two in the raw text
    cb = p.codebook
    assert cb["teman"].codable is False and cb["teman.larande"].codable is False
    assert cb["teman.larande.nasta_gang"].parent == "teman.larande"


def test_maxqda_project_inline_text_decomposed_labels_utf16_and_rich_only(qdpx_from):
    with pytest.warns(CodingkitWarning) as caught:
        p = read_qdpx(qdpx_from("maxqda_inline"))
    msgs = " | ".join(str(w.message) for w in caught)
    assert "'bara_word' has only a richTextPath" in msgs
    assert "counted UTF-16 code units" in msgs
    assert "1 PDFSource skipped: only text sources" in msgs
    assert sorted(p.sources) == ["leverantör_omg3", "referenskund"]
    lev = p.sources["leverantör_omg3"]
    assert lev == "I: Vad hände sedan?\nIP4: Företaget har nu sålt lösningen till tre andra regioner.\n"
    rows = {(r.source, r.text) for r in p.selections.itertuples()}
    assert rows == {
        ("leverantör_omg3", "Företaget har nu sålt lösningen till tre andra regioner."),
        ("referenskund", "Vi blev deras första referenskund 🎉"),
        ("referenskund", "det öppnade dörrar 🚪 utomlands."),
    }
    for r in p.selections.itertuples():
        assert p.sources[r.source][r.start:r.end] == r.text
    assert p.corrections == {"referenskund": "utf16"}


def test_write_imported_project_folder(qdpx_from, tmp_path):
    import pandas as pd

    with pytest.warns(CodingkitWarning, match="colour"):
        p = read_qdpx(qdpx_from("qualcoder_basic"))
    written = write_imported_project(p, tmp_path / "ut")
    out = tmp_path / "ut"
    hc = pd.read_csv(out / "human_coding.csv", keep_default_na=False)
    assert list(hc.columns) == ["source", "start", "end", "text", "code", "coder"]
    assert hc["code"].tolist() == ["tidig_dialog", "resurser_och_finansiering"]
    assert (out / "sources" / "syd" / "intervju_01.txt").read_text(encoding="utf-8") == \
        p.sources["syd/intervju_01.txt"]
    assert (out / "codebook.yaml").is_file() and (out / "codebook.qdc").is_file()
    assert (out / "annotations.csv").is_file() and not (out / "problems.csv").exists()
    assert written["human_coding"] == out / "human_coding.csv"
    with pytest.raises(OutputError, match=r"not empty.*\[E402\]"):
        write_imported_project(p, out)


def test_source_names_cannot_escape_the_output_folder():
    assert source_file_name("../../etc/passwd") == "_/_/etc/passwd.txt"
    assert source_file_name("/abs/intervju.docx") == "abs/intervju.docx.txt"
    assert source_file_name("C:\\data\\x.txt") == "C_/data/x.txt"


# --------------------------------------------------------------------------
# Untrusted input
# --------------------------------------------------------------------------

def _zip(tmp_path, entries, name="x.qdpx"):
    path = tmp_path / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for entry, data in entries:
            if isinstance(entry, zipfile.ZipInfo):
                zf.writestr(entry, data)
            else:
                zf.writestr(entry, data)
    return path


MINIMAL = b'<Project xmlns="urn:QDA-XML:project:1.0" name="p"/>'


@pytest.mark.parametrize("entry", ["../utanfor.txt", "sources/../../utanfor.txt",
                                   "/etc/utanfor.txt", "..\\utanfor.txt", "C:/utanfor.txt"])
def test_zip_entries_that_escape_are_refused(tmp_path, entry):
    path = _zip(tmp_path, [("project.qde", MINIMAL), (entry, b"x")])
    with pytest.raises(RefiQdaError, match=r"refused: entry .* would escape.*\[E532\]"):
        read_qdpx(path)


def test_symlink_entries_are_refused(tmp_path):
    info = zipfile.ZipInfo("sources/lank.txt")
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    path = _zip(tmp_path, [("project.qde", MINIMAL), (info, b"/etc/passwd")])
    with pytest.raises(RefiQdaError, match=r"symbolic link.*\[E532\]"):
        read_qdpx(path)


def test_zip_bombs_and_oversized_archives_are_refused(tmp_path):
    bomb = _zip(tmp_path, [("project.qde", MINIMAL), ("sources/noll.txt", b"0" * (8 << 20))])
    with pytest.raises(RefiQdaError, match=r"expands \d+ times.*\[E533\]"):
        read_qdpx(bomb)
    big = _zip(tmp_path, [("project.qde", MINIMAL), ("sources/a.txt", "å".encode() * 600)],
               name="stor.qdpx")
    with pytest.raises(RefiQdaError, match=r"more than 0 MiB.*\[E533\]"):
        read_qdpx(big, max_total_bytes=1000)


def test_entity_declarations_are_refused(qdpx_from):
    with pytest.raises(RefiQdaError, match=r"project\.qde: refused: .*DOCTYPE or ENTITY.*\[E510\]"):
        read_qdpx(qdpx_from("xxe"))


def test_archives_without_one_project_are_errors(tmp_path):
    with pytest.raises(RefiQdaError, match=r"no \.qde file.*\[E534\]"):
        read_qdpx(_zip(tmp_path, [("sources/a.txt", b"hej")]))
    two = _zip(tmp_path, [("a.qde", MINIMAL), ("b.qde", MINIMAL)], name="tva.qdpx")
    with pytest.raises(RefiQdaError, match=r"2 \.qde files \(a\.qde, b\.qde\).*\[E534\]"):
        read_qdpx(two)
    notzip = tmp_path / "inte.qdpx"
    notzip.write_bytes(b"PK? nej")
    with pytest.raises(RefiQdaError, match=r"cannot open the archive.*\[E530\]"):
        read_qdpx(notzip)
    bad = _zip(tmp_path, [("project.qde", b"<Project><unclosed></Project>")], name="trasig.qdpx")
    with pytest.raises(RefiQdaError, match=r"not well-formed XML.*\[E511\]"):
        read_qdpx(bad)


def test_a_qualcoder_reexport_maps_flat_names_back_to_codingkit_sources(tmp_path):
    # QualCoder exports file attributes as VariableValues of the TextSource and
    # names the source after its document (the flat name, with .txt added)
    var = "7a7a7a7a-0000-4000-8000-000000000001"
    proj = "7a7a7a7a-0000-4000-8000-000000000002"
    qde = ('<Project xmlns="urn:QDA-XML:project:1.0" name="p"><Variables>'
           f'<Variable guid="{var}" name="codingkit_source" typeOfVariable="Text"/>'
           f'<Variable guid="{proj}" name="project" typeOfVariable="Text"/></Variables>'
           '<Sources><TextSource guid="5a5a5a5a-0000-4000-8000-000000000001" '
           'name="syd_01_projektledare_omg1.txt"><PlainTextContent>IP: Hej</PlainTextContent>'
           f'<VariableValue><VariableRef targetGUID="{var}"/>'
           '<TextValue>syd/01_projektledare_omg1.txt</TextValue></VariableValue>'
           f'<VariableValue><VariableRef targetGUID="{proj}"/><TextValue>Syd</TextValue>'
           '</VariableValue></TextSource></Sources></Project>').encode()
    p = read_qdpx(_zip(tmp_path, [("project.qde", qde)]))
    assert list(p.sources) == ["syd/01_projektledare_omg1.txt"]
    assert p.metadata == {"syd/01_projektledare_omg1.txt": {"project": "Syd"}}
