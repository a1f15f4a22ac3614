"""Hostile Word tables: cells spanning millions of columns, cells merged down
over thousands of rows, spans and merges Word never writes. Each is read in
time and memory linear in the file, or refused in one line (E112)."""

import tracemalloc
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from codingkit import InputError
from codingkit.readers import read_transcript

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
PKG = "http://schemas.openxmlformats.org/package/2006"


def _docx(path: Path, body: str) -> Path:
    """A .docx of the three parts Word needs, its body ``body`` (XML)."""
    document = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document '
                f'xmlns:w="{W_NS}"><w:body>{body}</w:body></w:document>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", (
            f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{PKG}/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" ContentType="application/vnd.'
            'openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'))
        z.writestr("_rels/.rels", (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG}/'
            'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
            "</Relationships>"))
        z.writestr("word/document.xml", document)
    return path


def _p(text: str) -> str:
    return f'<w:p><w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p>'


def _tc(text: str | None = None, props: str = "") -> str:
    return ("<w:tc>" + (f"<w:tcPr>{props}</w:tcPr>" if props else "")
            + (_p(text) if text is not None else "") + "</w:tc>")


TURNS = _p("I: Hur började ni?") + _p("IP: Med en dialog.")


def test_docx_cell_spanning_millions_of_columns_is_read_once(tmp_path, monkeypatch):
    """A cell spanning 5,000,000 columns in a 1 kB file: python-docx made a
    list of 5,000,000 cells of it (120 MB; 2,000,000,000 columns took 17 GB
    before it was stopped). The cell is read once, in the memory of any
    small table (measured with tracemalloc; the size limit lowered so that
    the file is read into a small buffer)."""
    p = _docx(tmp_path / "spann.docx", TURNS + "<w:tbl><w:tr>" + _tc("Budget")
              + _tc("3 miljoner", '<w:gridSpan w:val="5000000"/>') + "</w:tr></w:tbl>")
    monkeypatch.setenv("CODINGKIT_MAX_FILE_MB", "1")
    read_transcript(p)  # (imports, caches)
    tracemalloc.start()
    try:
        [t] = read_transcript(p)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert t.text.split("\n")[-1] == "Budget | 3 miljoner"
    assert peak < 10_000_000, f"{peak:,} bytes"


@pytest.mark.parametrize("span", ["0", "-3", "två", "9" * 5_000, ""],
                         ids=["0", "-3", "word", "5000-digits", "empty"])
def test_docx_spans_word_does_not_write_are_read_once(tmp_path, span):
    """A span of no columns, of minus three, of no number, of a number of
    5,000 digits: the cell is read once, and a cell merged down below it
    still finds it (the old reader dropped a cell spanning 0 or fewer
    columns without a word, and refused the others: 'not a valid Word .docx
    file (ValueError)', E106)."""
    p = _docx(tmp_path / "spann.docx", TURNS + "<w:tbl><w:tr>"
              + _tc("Budget", f'<w:gridSpan w:val="{span}"/><w:vMerge w:val="restart"/>')
              + _tc("3 miljoner") + "</w:tr><w:tr>" + _tc(None, "<w:vMerge/>")
              + _tc("1 miljon") + _tc("(prel.)") + "</w:tr></w:tbl>")
    [t] = read_transcript(p)
    assert t.text.split("\n")[-2:] == ["Budget | 3 miljoner", " | 1 miljon | (prel.)"]


def test_docx_long_cell_merged_over_thousands_of_rows_is_read_once(tmp_path):
    """A 100 kB cell merged down over 3,000 rows (a few bytes of XML a row):
    its text is read once, in the first row (the old reader hit Python's
    recursion limit: E106; below it, it would have made 100 kB a row)."""
    long = "Vi bjöd in leverantörerna. " * 3_700
    rows = "<w:tr>" + _tc(long, '<w:vMerge w:val="restart"/>') + _tc("rad 0") + "</w:tr>"
    rows += "".join("<w:tr>" + _tc(None, "<w:vMerge/>") + _tc(f"rad {i}") + "</w:tr>"
                    for i in range(1, 3_000))
    p = _docx(tmp_path / "lang.docx", TURNS + f"<w:tbl>{rows}</w:tbl>")
    [t] = read_transcript(p)
    lines = t.text.split("\n")
    assert lines[2] == long.strip() + " | rad 0"
    assert lines[3:] == [f" | rad {i}" for i in range(1, 3_000)]
    assert t.text.count("leverantörerna") == 3_700


def test_docx_speaker_names_repeated_by_merged_cells_count_against_the_limit(
        tmp_path, monkeypatch):
    """A speaker's name merged down over the rows of a transcript table
    names each row: repeated, its bytes count against the file's size limit
    (a row of a few bytes of XML repeats a name of up to 100 characters),
    like XML entities do; refused before the lines are made."""
    name = "Maria" + "a" * 95
    rows = "<w:tr>" + _tc(name, '<w:vMerge w:val="restart"/>') + _tc("Hej.") + "</w:tr>"
    rows += ("<w:tr>" + _tc(None, "<w:vMerge/>") + "<w:tc/></w:tr>") * 1_199
    p = _docx(tmp_path / "namn.docx", f"<w:tbl>{rows}</w:tbl>")
    monkeypatch.setenv("CODINGKIT_MAX_FILE_MB", "0.1")
    with pytest.raises(InputError) as info:
        read_transcript(p)
    assert str(info.value) == (
        f"{p}: the speaker names and times of merged table cells, repeated for each row "
        "they cover, come to 122,298 bytes, over the limit of 100,000 bytes; to read it, "
        "raise the limit, e.g. CODINGKIT_MAX_FILE_MB=1 [E112]")
    monkeypatch.setenv("CODINGKIT_MAX_FILE_MB", "1")
    [t] = read_transcript(p)
    assert [(x.speaker, t.turn_text(x)) for x in t.turns] == [(name, "Hej.")]
    assert t.text.count(name) == 1_200
