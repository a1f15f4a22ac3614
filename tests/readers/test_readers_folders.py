"""Folders, sources and manifests."""

import warnings

import pytest

from codingkit import CodingkitWarning, ManifestError
from codingkit.readers import read_manifest, read_transcripts

DIALOG = "I: Hur började ni?\nIP: Med en förstudie.\n"


@pytest.fixture
def corpus(tmp_path):
    (tmp_path / "syd").mkdir()
    (tmp_path / "ost" / "omg2").mkdir(parents=True)
    (tmp_path / "syd" / "b.txt").write_text(
        "Projekt: fel projekt\nDatum: 2024-05-02\nRoll: upphandlare\n\n" + DIALOG, encoding="utf-8")
    (tmp_path / "syd" / "a.md").write_text(DIALOG, encoding="utf-8")
    (tmp_path / "ost" / "omg2" / "c.txt").write_text(
        "Lars: Vad hände?\nKarin: Vi upphandlade.\nLars: Och sen?\nKarin: Utvärdering.\n",
        encoding="utf-8")
    (tmp_path / ".dold.txt").write_text(DIALOG, encoding="utf-8")
    (tmp_path / "syd" / "~$a.docx").write_bytes(b"lock")
    (tmp_path / ".arbete").mkdir()  # a hidden folder is skipped, whatever it holds
    (tmp_path / ".arbete" / "kalla.txt").write_text(DIALOG, encoding="utf-8")
    (tmp_path / ".arbete" / "make.py").write_text("print(1)\n", encoding="utf-8")
    (tmp_path / "syd" / "ljud.mp3").write_bytes(b"ID3\x00")
    (tmp_path / "manifest.csv").write_text(
        "file;project;round;role;interviewer;kommentar\n"
        "syd/b.txt;Innovationsupphandling Syd;1;;;\n"
        "ost/omg2/c.txt;Region Östergötland;2;ledning;Karin;fiktiv\n",
        encoding="utf-8")
    return tmp_path


def test_folder_walk_sources_and_manifest(corpus):
    with pytest.warns(CodingkitWarning, match=r"ljud\.mp3: skipped: unknown file type"):
        ts = read_transcripts(corpus)
    assert [t.source for t in ts] == ["ost/omg2/c.txt", "syd/a.md", "syd/b.txt"]
    c, a, b = ts
    # the manifest wins; the header fills what it leaves empty
    assert b.metadata == {"project": "Innovationsupphandling Syd", "round": "1",
                          "role": "upphandlare", "datum": "2024-05-02"}
    assert a.metadata == {}
    assert c.metadata == {"project": "Region Östergötland", "round": "2", "role": "ledning",
                          "interviewer": "Karin", "kommentar": "fiktiv"}
    # the manifest's interviewer overrides the question heuristic
    assert [(x.speaker, x.speaker_role) for x in c.turns] == [
        ("Lars", "respondent"), ("Karin", "interviewer"),
        ("Lars", "respondent"), ("Karin", "interviewer")]


def test_files_given_directly_and_explicit_manifest(corpus, tmp_path):
    other = tmp_path / "extra_manifest.csv"
    other.write_text("file,project,round\nsyd/a.md,Testprojekt,3\n", encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ts = read_transcripts([corpus / "syd" / "a.md"], manifest=other)
    assert [t.source for t in ts] == ["a.md"]
    assert ts[0].metadata == {"project": "Testprojekt", "round": "3"}


def test_a_folder_whose_name_starts_with_an_underscore_is_read(tmp_path):
    """Only hidden files and folders, lock files and results folders are
    skipped: an interviewer's `_omg1/` folder holds transcripts like any other."""
    (tmp_path / "_omg1" / "__utkast").mkdir(parents=True)
    (tmp_path / "_omg1" / "a.txt").write_text(DIALOG, encoding="utf-8")
    (tmp_path / "_omg1" / "__utkast" / "b.txt").write_text(DIALOG, encoding="utf-8")
    (tmp_path / "_omg1" / ".c.txt").write_text(DIALOG, encoding="utf-8")
    (tmp_path / "_omg1" / "~$d.docx").write_bytes(b"lock")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ts = read_transcripts(tmp_path)
    assert [t.source for t in ts] == ["_omg1/__utkast/b.txt", "_omg1/a.txt"]


def test_read_manifest_keeps_all_columns(corpus):
    m = read_manifest(corpus / "manifest.csv")
    assert list(m) == ["syd/b.txt", "ost/omg2/c.txt"]
    assert m["ost/omg2/c.txt"]["kommentar"] == "fiktiv"


def test_manifest_missing_file_names_line(tmp_path):
    (tmp_path / "a.txt").write_text(DIALOG, encoding="utf-8")
    m = tmp_path / "manifest.csv"
    m.write_text("file,project,round,role\na.txt,Syd,1,upphandlare\nsaknas.txt,Syd,1,x\n",
                 encoding="utf-8")
    with pytest.raises(ManifestError) as exc:
        read_transcripts(tmp_path)
    msg = str(exc.value)
    assert "manifest.csv, line 3:" in msg and "'saknas.txt' does not exist" in msg
    assert "\n" not in msg and "[E302]" in msg


def test_manifest_without_file_column(tmp_path):
    m = tmp_path / "manifest.csv"
    m.write_text("namn;projekt\na.txt;Syd\n", encoding="utf-8")
    with pytest.raises(ManifestError, match=r"manifest\.csv, line 1: no 'file' column"):
        read_manifest(m)


def test_root_and_format_override(tmp_path):
    sub = tmp_path / "syd"
    sub.mkdir()
    p = sub / "export.log"
    p.write_text("1\n00:00:01,000 --> 00:00:02,000\nIP: Vi skrev funktionskrav.\n",
                 encoding="utf-8")
    from codingkit.readers import read_transcript

    [t] = read_transcript(p, root=tmp_path, format="srt")
    assert t.source == "syd/export.log" and t.format == "srt"
    assert [(x.speaker, t.turn_text(x)) for x in t.turns] == [("IP", "Vi skrev funktionskrav.")]
    # in a folder, format= applies to every file (no unknown-suffix warning)
    [t2] = read_transcripts(str(tmp_path), format="srt")
    assert t2.source == "syd/export.log"


def test_excel_style_manifest_bom_semicolons_swedish_columns(tmp_path):
    (tmp_path / "intervju_å.txt").write_text(DIALOG, encoding="utf-8")
    (tmp_path / "manifest.csv").write_bytes(
        b"\xef\xbb\xbf" + "Fil;Projekt;Omgång;Roll\r\nintervju_å.txt;Region Östergötland;2;ledning\r\n"
        .encode("utf-8"))
    assert read_manifest(tmp_path / "manifest.csv") == {
        "intervju_å.txt": {"project": "Region Östergötland", "round": "2", "role": "ledning"}}
    [t] = read_transcripts(tmp_path)
    assert t.metadata == {"project": "Region Östergötland", "round": "2", "role": "ledning"}


def test_manifest_in_a_parent_folder_is_used(corpus):
    # giving a sub-folder: the manifest one level up still names its files
    ts = read_transcripts(corpus / "ost")
    assert [t.source for t in ts] == ["omg2/c.txt"]
    assert ts[0].metadata["project"] == "Region Östergötland"


def test_unrelated_parent_manifest_is_ignored(tmp_path):
    (tmp_path / "manifest.csv").write_text("file,project\nannan.txt,X\n", encoding="utf-8")
    (tmp_path / "annan.txt").write_text(DIALOG, encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.txt").write_text(DIALOG, encoding="utf-8")
    ts = read_transcripts(tmp_path / "sub")
    assert ts[0].metadata == {}


def test_codingkits_own_sheets_and_tables_in_a_folder_are_not_read_as_surveys(tmp_path):
    """A coding sheet of 'suggest' or a copy of apply's tables saved beside
    the transcripts is skipped with a warning (it would be coded as a survey
    and change the frequencies); given directly it is an error (E115)."""
    import openpyxl

    from codingkit import InputError

    (tmp_path / "a.txt").write_text(DIALOG, encoding="utf-8")
    (tmp_path / "granska.csv").write_text(
        "source,turn,project,round,role,question,text,codingkit,behov\n"
        "a.txt,2,Syd,1,upphandlare,Hur började ni?,Med en förstudie.,,1\n", encoding="utf-8")
    (tmp_path / "codings.csv").write_text(
        "segment_id,code,theme,score,method,evidence\na.txt:2,behov,behov,0.6,rule,x\n",
        encoding="utf-8")
    book = openpyxl.Workbook()
    book.active.append(["segment_id", "source", "project", "round", "role", "speaker",
                        "speaker_role", "turn", "unit", "start", "end", "text", "datum"])
    book.active.append(["a.txt:2", "a.txt", "Syd", "1", "", "IP", "respondent", 2, "turn", 0, 9,
                        "Med en förstudie och en lång text.", ""])
    book.save(tmp_path / "codingkit.xlsx")
    (tmp_path / "enkat.csv").write_text("id,svar\n1,Vi träffade leverantörerna tidigt.\n",
                                        encoding="utf-8")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        got = read_transcripts(tmp_path)
    assert sorted({t.source.split("#")[0] for t in got}) == ["a.txt", "enkat.csv"]
    skipped = sorted(str(w.message) for w in caught if "not a survey" in str(w.message))
    assert len(skipped) == 3
    assert any("granska.csv" in m and "coding sheet" in m for m in skipped)
    for name in ("granska.csv", "codings.csv", "codingkit.xlsx"):
        with pytest.raises(InputError, match=r"not a survey.*\[E115\]"):
            read_transcripts(tmp_path / name)
    # naming the answers' column reads it as a survey all the same
    assert len(read_transcripts(tmp_path / "granska.csv", text_column="text")) == 1
    # a survey that has a segment_id and a method column of its own is a survey
    own = tmp_path / "kunder.csv"
    own.write_text("respondent,segment_id,method,svar\n1,A,webb,Vi behöver mer dialog.\n",
                   encoding="utf-8")
    assert [t.text for t in read_transcripts(own)] == ["Vi behöver mer dialog."]
