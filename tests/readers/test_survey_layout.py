"""Survey tables as researchers lay them out: a metadata cell merged over
several answers (.xlsx), and a title above the header row (.xlsx, .csv)."""

import re
import warnings
import zipfile

import openpyxl
import pytest
from openpyxl.chart import BarChart, Reference
from openpyxl.utils import get_column_letter

from codingkit import CodingkitWarning, InputError
from codingkit.model import Code, Codebook
from codingkit.readers import read_transcript
from codingkit.readers.survey import MergedValue, read_table
from codingkit.segmenting import segment
from codingkit.tables import frequencies_table

CODEBOOK = Codebook(id="t", codes={"dialog": Code("dialog", "Dialog")})
SHEET = "xl/worksheets/sheet1.xml"


def _sources(ts, by):
    """Sources per group of the frequency table (its denominators)."""
    f = frequencies_table(segment(ts), [], CODEBOOK, ts, by=by)
    return {tuple(getattr(row, k) for k in by): row.sources_total for row in f.itertuples()}


def _book(path, rows, merged=()):
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(list(row))
    for ref in merged:
        sheet.merge_cells(ref)
    book.save(path)
    return path


def _patched(path, old: bytes, new: bytes, part=SHEET):
    """``path`` with ``old`` replaced by ``new`` in one part of the workbook."""
    with zipfile.ZipFile(path) as archive:
        parts = [(info, archive.read(info.filename)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in parts:
            if info.filename == part:
                assert old in data
                data = data.replace(old, new, 1)
            archive.writestr(info, data)
    return path


def _quiet_read(path, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("error", CodingkitWarning)
        return read_transcript(path, **kw)


# ---------------------------------------------------------------- merged cells (.xlsx)

HEADER = ("id", "Projekt", "Omgång", "Roll", "Svar")
ANSWERS = [
    ("R1", "Region Östergötland", "2", "upphandlare", "Dialogen med marknaden var bra."),
    ("R2", None, None, "leverantör", "Kraven var för detaljerade."),
    ("R3", None, None, None, "Vi fick testa lösningen i liten skala."),
    ("R4", "Innovationsupphandling Syd", "1", None, "Tidig dialog hjälpte oss."),
    ("R5", None, None, "upphandlare", "För lite tid."),
]


def test_xlsx_merged_metadata_counts_for_every_row_it_spans(tmp_path):
    # project and round merged over R1-R3 and R4-R5, role over R2-R3: Excel
    # shows the value on each row; only the first row had it (R2, R3, R5
    # counted under no project at all)
    p = _book(tmp_path / "enkat.xlsx", [HEADER, *ANSWERS],
              merged=["B2:B4", "C2:C4", "D3:D4", "B5:B6", "C5:C6"])
    ts = _quiet_read(p, id_column="id")
    assert [(t.source, t.metadata) for t in ts] == [
        ("enkat.xlsx#R1", {"id": "R1", "project": "Region Östergötland", "round": "2",
                           "role": "upphandlare"}),
        ("enkat.xlsx#R2", {"id": "R2", "project": "Region Östergötland", "round": "2",
                           "role": "leverantör"}),
        ("enkat.xlsx#R3", {"id": "R3", "project": "Region Östergötland", "round": "2",
                           "role": "leverantör"}),
        ("enkat.xlsx#R4", {"id": "R4", "project": "Innovationsupphandling Syd", "round": "1"}),
        ("enkat.xlsx#R5", {"id": "R5", "project": "Innovationsupphandling Syd", "round": "1",
                           "role": "upphandlare"}),
    ]
    assert [t.text for t in ts] == [a[-1] for a in ANSWERS]
    assert [(t.turns[0].number, t.turns[0].line) for t in ts] == [(k, k + 1) for k in range(1, 6)]
    assert _sources(ts, ("project", "round")) == {("Region Östergötland", "2"): 3,
                                                  ("Innovationsupphandling Syd", "1"): 2}
    assert _sources(ts, ("role",)) == {("upphandlare",): 2, ("leverantör",): 2, ("(okänd)",): 1}


def test_xlsx_merged_answer_counts_once_for_its_first_row(tmp_path):
    # one answer typed into a cell merged over R1-R3: one answer, not three
    p = _book(tmp_path / "enkat.xlsx", [
        ("id", "Projekt", "Svar"),
        ("R1", "Syd", "Ett långt svar som Excel visar över tre rader."),
        ("R2", "Syd", None),
        ("R3", "Öst", None),
        ("R4", "Öst", "Eget svar."),
    ], merged=["C2:C4", "B2:B3"])
    ts = _quiet_read(p, id_column="id")
    assert [(t.source, t.text, t.metadata.get("project")) for t in ts] == [
        ("enkat.xlsx#R1", "Ett långt svar som Excel visar över tre rader.", "Syd"),
        ("enkat.xlsx#R4", "Eget svar.", "Öst")]
    assert _sources(ts, ("project",)) == {("Syd",): 1, ("Öst",): 1}
    # read_table gives the merged value to the answer column's cells too, marked as such
    columns, rows = read_table(p, p.read_bytes())
    r2 = [cells for _, cells in rows][1]
    assert r2 == ["R2", "Syd", "Ett långt svar som Excel visar över tre rader."]
    assert [type(c) for c in r2] == [str, MergedValue, MergedValue]


def test_xlsx_merged_cells_keep_to_their_own_column_and_the_data_rows(tmp_path):
    # a title merged over the table's width, a project merged across two
    # columns: the round column is not given the project's name; a range
    # starting in the header row gives nothing to the data rows
    p = _book(tmp_path / "enkat.xlsx", [
        ("Enkät om innovationsupphandling, omgång 2",),
        ("id", "Projekt", "Omgång", "Svar"),
        ("R1", "Region Östergötland", None, "Dialogen var bra."),
        ("R2", "Innovationsupphandling Syd", None, "Kraven var för detaljerade."),
        ("R3", None, None, "Vi fick testa i liten skala."),
    ], merged=["A1:D1", "B3:C3", "B4:C5"])
    with pytest.warns(CodingkitWarning):
        ts = read_transcript(p, id_column="id")
    assert [t.metadata for t in ts] == [
        {"id": "R1", "project": "Region Östergötland"},
        {"id": "R2", "project": "Innovationsupphandling Syd"},
        {"id": "R3", "project": "Innovationsupphandling Syd"}]
    p2 = _book(tmp_path / "rubrik.xlsx", [
        ("id", "Projekt", "Svar"), (None, None, "Svar på en rad under rubriken."),
        ("R2", "Syd", "Sist.")], merged=["B1:B2"])
    assert [t.metadata for t in _quiet_read(p2)] == [{}, {"id": "R2", "project": "Syd"}]


def test_xlsx_merged_id_is_an_id_twice(tmp_path):
    rows = [("Respondent", "Svar"), ("R1", "Första svaret."), (None, "Andra svaret."),
            ("R2", "Tredje.")]
    p = _book(tmp_path / "enkat.xlsx", rows, merged=["A2:A3"])
    with pytest.raises(InputError, match=r"enkat\.xlsx, line 3: the id 'R1' occurs twice in "
                                         r"column 'Respondent' \(a merged cell\); expected "
                                         r"unique ids \[E108\]"):
        read_transcript(p, id_column="Respondent")
    ts = _quiet_read(p)  # without --id-column, the respondent is metadata of both answers
    assert [(t.source, t.metadata) for t in ts] == [
        ("enkat.xlsx#1", {"respondent": "R1"}), ("enkat.xlsx#2", {"respondent": "R1"}),
        ("enkat.xlsx#3", {"respondent": "R2"})]


def test_xlsx_merged_range_beyond_the_rows_there_are(tmp_path):
    # a range down to Excel's last row over a sheet of three answers: fills them, ends
    # (openpyxl would write a million covered cells: the range is put in as XML)
    p = _book(tmp_path / "enkat.xlsx", [("id", "Projekt", "Svar"), ("R1", "Syd", "Ett."),
                                        ("R2", None, "Två."), ("R3", None, "Tre.")])
    _patched(p, b"</sheetData>",
             b'</sheetData><mergeCells count="1"><mergeCell ref="B2:B1048576"/></mergeCells>')
    ts = _quiet_read(p)
    assert [t.metadata["project"] for t in ts] == ["Syd"] * 3


def test_xlsx_million_merged_ranges_are_refused_in_bounded_time_and_memory(tmp_path):
    # 1,000,000 <mergeCell> elements (24 MB of XML, 0.1 MB zipped)
    p = _book(tmp_path / "enkat.xlsx", [("id", "Projekt", "Svar"), ("R1", "Syd", "Ett.")])
    many = b'<mergeCells count="1000000">' + b'<mergeCell ref="B2:B3"/>' * 1_000_000 \
        + b"</mergeCells>"
    _patched(p, b"</sheetData>", b"</sheetData>" + many)
    with pytest.raises(InputError, match=r"enkat\.xlsx: the sheet has 1,000,000 merged "
                                         r"cell ranges, over the limit of 100,000; expected "
                                         r".*CODINGKIT_MAX_SURVEY_MB=501 \[E112\]"):
        read_transcript(p)
    # before: read in 20 s and 650 MB (openpyxl builds every range after the last
    # row); now refused in 3.8 s and 95 MB (measured by hand, not asserted here)


def test_xlsx_merged_ranges_count_toward_the_sheets_cells(tmp_path, monkeypatch):
    # 3,000 ranges down to row 1,048,576 from a row of 3,000 values, then
    # rows of two cells: each is 3,002 cells wide once filled (3,000 for the
    # ranges on row 2; 6,000 a row after it, 3,000 ranges and 3,000 cells padded)
    header = ["id", "svar"] + [f"k{i}" for i in range(3000)]
    first = ["R1", "Ett."] + ["x"] * 3000
    rows = [header, first] + [[f"R{i}", "Svar."] for i in range(2, 400)]
    p = _book(tmp_path / "enkat.xlsx", rows)
    refs = b"".join(b'<mergeCell ref="%s2:%s1048576"/>' % ((get_column_letter(k).encode(),) * 2)
                    for k in range(3, 3003))
    _patched(p, b"</sheetData>", b"</sheetData><mergeCells>" + refs + b"</mergeCells>")
    monkeypatch.setenv("CODINGKIT_MAX_SURVEY_MB", "1")  # at most 2,000 ranges
    with pytest.raises(InputError, match=r"enkat\.xlsx: the sheet has 3,000 merged cell ranges, "
                                         r"over the limit of 2,000; .*MB=2 \[E112\]"):
        read_transcript(p)
    monkeypatch.setenv("CODINGKIT_MAX_SURVEY_MB", "2")  # 2,000,000 cells: row 335 is over
    with pytest.raises(InputError, match=r"enkat\.xlsx, line 335: the sheet holds over "
                                         r"2,000,000 cells up to this row .*\[E112\]"):
        read_transcript(p)
    monkeypatch.setenv("CODINGKIT_MAX_SURVEY_MB", "5")
    ts = _quiet_read(p)
    assert len(ts) == 399 and ts[-1].metadata["k2999"] == "x"


def _two_sheets(path):
    """Sheets 'Anteckningar' (part sheet1.xml, no merges) and 'Enkät' (part
    sheet2.xml, merged projects), 'Enkät' moved first in the workbook as
    Excel does (the parts keep their names), after a chart sheet."""
    book = openpyxl.Workbook()
    notes = book.active
    notes.title = "Anteckningar"
    notes.append(["Anteckning", "Datum"])
    notes.append(["Att göra: fråga om omgång 3", "2024-03-01"])
    notes.append([None, "2024-03-02"])
    notes.merge_cells("A2:A3")
    survey = book.create_sheet("Enkät")
    for row in [("id", "Projekt", "Svar"), ("R1", "Syd", "Ett."), ("R2", None, "Två.")]:
        survey.append(list(row))
    survey.merge_cells("B2:B3")
    chart = BarChart()
    chart.add_data(Reference(notes, min_col=2, min_row=1, max_row=3))
    book.create_chartsheet("Diagram").add_chart(chart)
    book.save(path)
    with zipfile.ZipFile(path) as archive:
        xml = archive.read("xl/workbook.xml")
    sheets = re.search(rb"<sheets>(.*)</sheets>", xml).group(1)
    notes_el, survey_el, chart_el = re.findall(rb"<sheet [^>]*/>", sheets)
    return _patched(path, sheets, chart_el + survey_el + notes_el, part="xl/workbook.xml")


def test_xlsx_merged_cells_of_the_first_sheet_in_its_own_part(tmp_path):
    from codingkit.readers.survey import _first_worksheet_part

    p = _two_sheets(tmp_path / "enkat.xlsx")
    with zipfile.ZipFile(p) as archive:
        assert _first_worksheet_part(archive) == "xl/worksheets/sheet2.xml"
    book = openpyxl.load_workbook(p, read_only=True)
    assert book.worksheets[0].title == "Enkät"
    assert book.worksheets[0]._worksheet_path == "xl/worksheets/sheet2.xml"
    book.close()
    ts = _quiet_read(p)
    assert [(t.text, t.metadata) for t in ts] == [("Ett.", {"id": "R1", "project": "Syd"}),
                                                  ("Två.", {"id": "R2", "project": "Syd"})]


def test_xlsx_merged_cells_xml_with_entities_is_refused(tmp_path):
    p = _book(tmp_path / "enkat.xlsx", [("id", "Projekt", "Svar"), ("R1", "Syd", "Ett."),
                                        ("R2", None, "Två.")], merged=["B2:B3"])
    _patched(p, b"<worksheet", b'<!DOCTYPE worksheet [<!ENTITY a "aaaa">]><worksheet')
    with pytest.raises(InputError, match=r"enkat\.xlsx: refused: the workbook's XML declares "
                                         r"entities.*\[E106\]"):
        read_transcript(p)


# ---------------------------------------------------------------- a title above the header


def test_xlsx_title_rows_above_the_header_are_skipped(tmp_path):
    # before: the title was the header, 'Svar' was coded as an answer and the
    # ids as metadata named after the title (or, with --id-column, E108)
    p = _book(tmp_path / "enkat.xlsx", [
        ("Enkät om innovationsupphandling, omgång 2",),
        ("Utskick mars 2024",),
        (),
        ("id", "Projekt", "Omgång", "Svar"),
        ("R1", "Region Östergötland", "2", "Dialogen med marknaden var bra."),
        ("R2", "Innovationsupphandling Syd", "2", "Kraven var för detaljerade."),
    ], merged=["A1:D1"])
    for kw in ({}, {"id_column": "id"}, {"text_column": "svar"}):
        with pytest.warns(CodingkitWarning, match=r"enkat\.xlsx, line 4: taken as the header "
                                                  r"row; skipped above it as a title: 'Enkät om "
                                                  r"innovationsupphandling, omgång 2', 'Utskick "
                                                  r"mars 2024'$"):
            ts = read_transcript(p, **kw)
        assert [t.text for t in ts] == ["Dialogen med marknaden var bra.",
                                        "Kraven var för detaljerade."]
        assert [(t.turns[0].number, t.turns[0].line) for t in ts] == [(1, 5), (2, 6)]
        assert ts[1].metadata == {"id": "R2", "project": "Innovationsupphandling Syd",
                                  "round": "2"}
    assert [t.source for t in ts] == ["enkat.xlsx#1", "enkat.xlsx#2"]
    assert _sources(ts, ("project", "round")) == {("Region Östergötland", "2"): 1,
                                                  ("Innovationsupphandling Syd", "2"): 1}


CSV_TABLE = ("id;Projekt;Omgång;Svar\n"
             "R1;Region Östergötland;2;Dialogen med marknaden var bra, tidigt.\n"
             "R2;Innovationsupphandling Syd;2;Kraven var för detaljerade.\n")


@pytest.mark.parametrize("title", [
    "Enkät om innovationsupphandling, omgång 2\n\n",   # as typed: a comma, no delimiter
    "Enkät om innovationsupphandling, omgång 2;;;\n;;;\n",  # as Excel saves it
    "\"Enkät om innovationsupphandling; omgång 2\"\nUtskick mars 2024\n",
])
def test_csv_title_rows_above_the_header_are_skipped(tmp_path, title):
    # before: (1) the delimiter was taken from the title (','): every row one
    # answer, header and ids included; (2) the title was the header
    p = tmp_path / "enkat.csv"
    p.write_text(title + CSV_TABLE, encoding="utf-8")
    line = title.count("\n") + 1
    with pytest.warns(CodingkitWarning, match=rf"enkat\.csv, line {line}: taken as the header "
                                              r"row; skipped above it as a title: 'Enkät om "
                                              r"innovationsupphandling[,;] omgång 2'"):
        ts = read_transcript(p, id_column="id")
    assert [t.source for t in ts] == ["enkat.csv#R1", "enkat.csv#R2"]
    assert ts[0].text == "Dialogen med marknaden var bra, tidigt."
    assert ts[0].metadata == {"id": "R1", "project": "Region Östergötland", "round": "2"}
    assert [(t.turns[0].number, t.turns[0].line) for t in ts] == [(1, line + 1), (2, line + 2)]


def test_csv_title_above_a_header_named_by_text_column(tmp_path):
    # a row of two values above the header ('Antal svar:', 42): with the
    # answer column named, the header is the row that names it
    p = tmp_path / "enkat.csv"
    p.write_text("Antal svar:;42\n" + CSV_TABLE.replace("Svar", "Fritext"), encoding="utf-8")
    with pytest.warns(CodingkitWarning,
                      match=r"enkat\.csv, line 2: .* as a title: 'Antal svar: 42'$"):
        ts = read_transcript(p, text_column="fritext")
    assert [t.text for t in ts] == ["Dialogen med marknaden var bra, tidigt.",
                                    "Kraven var för detaljerade."]


def test_title_and_no_answer_column_is_a_clear_error(tmp_path):
    p = tmp_path / "enkat.csv"
    p.write_text("Enkät om innovationsupphandling, omgång 2\nid;Projekt;Omgång\nR1;Syd;2\n",
                 encoding="utf-8")
    with warnings.catch_warnings(), \
            pytest.raises(InputError, match=r"^[^\n]*enkat\.csv: cannot tell which column holds "
                                            r"the answers \(columns: id, Projekt, Omgång; "
                                            r"header in line 2\); expected a column named like "
                                            r"svar.*\[E108\]$"):
        warnings.simplefilter("ignore", CodingkitWarning)
        read_transcript(p)
    x = _book(tmp_path / "enkat.xlsx", [("Enkät om innovationsupphandling",),
                                        ("id", "Projekt", "Svar")] + [("R1", "Syd", "Ett.")])
    with warnings.catch_warnings(), \
            pytest.raises(InputError, match=r"enkat\.xlsx: no text column 'Fritext'; columns "
                                            r"are: Enkät om innovationsupphandling, Unnamed: 1, "
                                            r"Unnamed: 2 \[E108\]"):
        warnings.simplefilter("ignore", CodingkitWarning)
        read_transcript(x, text_column="Fritext")


def test_header_of_one_column_is_not_taken_for_a_title(tmp_path):
    # one-column surveys read as before: 'Svar' alone is a header, and a
    # row of one value is a title only when a row of two follows
    p = tmp_path / "enkat.csv"
    p.write_text("Svar\nDialogen var bra.\nKraven; för detaljerade.\n", encoding="utf-8")
    assert [t.text for t in _quiet_read(p)] == ["Dialogen var bra.",
                                                "Kraven; för detaljerade."]
    x = _book(tmp_path / "enkat.xlsx", [("Svar",), ("Dialogen var bra.", "not"), ("Sist.",)])
    ts = _quiet_read(x)
    assert [(t.text, t.metadata) for t in ts] == [("Dialogen var bra.", {"unnamed: 1": "not"}),
                                                  ("Sist.", {})]
    k = tmp_path / "kommentar.csv"
    k.write_text("Kommentar till fråga 3\nDialogen var bra.\nSist.\n", encoding="utf-8")
    assert [t.text for t in _quiet_read(k)] == ["Dialogen var bra.", "Sist."]


def test_xlsx_answer_formula_without_a_saved_value_is_refused_naming_its_cell(tmp_path):
    # a script (openpyxl) writes the formula and no value: openpyxl read the
    # answer as empty and the survey lost it without a word
    p = _book(tmp_path / "enkat.xlsx", [("Projekt", "Svar"), ("Syd", "Vi hade dialog."),
                                        ("Syd", '="Det var " & "bra"'), ("Syd", "Tre.")])
    with pytest.raises(InputError, match=r"enkat\.xlsx, line 3: cell B3 holds the formula "
                                         r"'=\"Det var \" & \"bra\"' without a saved value"
                                         r".*save it.*\[E106\]"):
        read_transcript(p)


def test_xlsx_formula_with_its_saved_value_reads_that_value(tmp_path):
    # as Excel or LibreOffice save it: the formula and the value computed
    p = _book(tmp_path / "enkat.xlsx", [("Projekt", "Svar"), ("Syd", "Vi hade dialog."),
                                        ("Syd", '="Det var " & "bra"')])
    _patched(p, b'<c r="B3"><f>', b'<c r="B3" t="str"><f>')
    _patched(p, b"</f><v></v>", b"</f><v>Det var bra</v>")
    ts = _quiet_read(p)
    assert [t.text for t in ts] == ["Vi hade dialog.", "Det var bra"]
    # a saved empty text (=IF(...;"x";"") whose condition failed) is an empty answer
    q = _book(tmp_path / "tom.xlsx", [("Projekt", "Svar"), ("Syd", "Vi hade dialog."),
                                      ("Syd", '=IF(1=2,"x","")')])
    _patched(q, b'<c r="B3"><f>', b'<c r="B3" t="str"><f>')
    assert [t.text for t in _quiet_read(q)] == ["Vi hade dialog."]
