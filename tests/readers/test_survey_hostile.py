"""Hostile survey tables: a workbook's stored dimension, repeated header
names, and CSV fields longer than the csv module's default limit."""

import csv
import random
import re
import zipfile

import openpyxl
import pytest

from codingkit import InputError
from codingkit.readers import limits, read_transcript
from codingkit.readers.survey import _column_names, read_table

SHEET = "xl/worksheets/sheet1.xml"


def _workbook(path, rows=10, dimension=None, extra=b"", header=("id", "projekt", "svar")):
    """A small survey workbook; then its sheet's ``<dimension>`` is replaced
    and ``extra`` row XML added at the end of its data, as a hostile or
    careless program could have written them."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(header))
    for i in range(1, rows + 1):
        sheet.append([f"R{i}", "Syd", f"Vi bjöd in leverantörerna tidigt ({i})."])
    book.save(path)
    with zipfile.ZipFile(path) as archive:
        parts = [(info, archive.read(info.filename)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in parts:
            if info.filename == SHEET:
                if dimension is not None:
                    data, n = re.subn(rb'<dimension ref="[^"]*"/>',
                                      f'<dimension ref="{dimension}"/>'.encode(), data)
                    assert n == 1
                data = data.replace(b"</sheetData>", extra + b"</sheetData>")
            archive.writestr(info, data)
    return path


def _cell(ref, text="x"):
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'.encode()


def _rows(path):
    columns, rows = read_table(path, path.read_bytes())
    return columns, list(rows)


# ---------------------------------------------------------------- .xlsx dimension


def test_xlsx_huge_dimension_is_not_trusted(tmp_path):
    # A1:XFD1048576 made openpyxl pad every row to 16,384 cells and every
    # missing row up to the last one (here row 5,000): now the rows there are
    p = _workbook(tmp_path / "enkat.xlsx", dimension="A1:XFD1048576", extra=b'<row r="5000"/>')
    columns, rows = _rows(p)
    assert columns == ["id", "projekt", "svar"]
    assert [line for line, _ in rows] == list(range(2, 12))
    assert {len(cells) for _, cells in rows} == {3}
    ts = read_transcript(p, id_column="id")
    assert [t.source for t in ts] == [f"enkat.xlsx#R{i}" for i in range(1, 11)]
    assert ts[0].metadata == {"id": "R1", "project": "Syd"}


@pytest.mark.parametrize("dimension", ["A1:B2", "A1:A1", "C3:D4"])
def test_xlsx_stale_small_dimension_loses_no_answers(tmp_path, dimension):
    p = _workbook(tmp_path / "enkat.xlsx", dimension=dimension)
    ts = read_transcript(p, id_column="id")
    assert len(ts) == 10  # was 2 (A1:B2: no answer column) or 1
    assert ts[-1].text == "Vi bjöd in leverantörerna tidigt (10)."
    assert ts[-1].turns[0].line == 11


def test_xlsx_value_right_of_the_header_becomes_a_column(tmp_path):
    p = _workbook(tmp_path / "enkat.xlsx", rows=2, header=("id", "projekt", "svar", None),
                  dimension="A1:C3", extra=b'<row r="4">' + _cell("A4", "R3") +
                  _cell("C4", "Sist.") + _cell("E4", "notering") + b"</row>")
    columns, rows = _rows(p)
    assert columns == ["id", "projekt", "svar", "Unnamed: 3", "Unnamed: 4"]
    assert rows[-1] == (4, ["R3", "", "Sist.", "", "notering"])
    ts = read_transcript(p, id_column="id")
    assert ts[-1].metadata == {"id": "R3", "unnamed: 4": "notering"}
    assert ts[0].metadata == {"id": "R1", "project": "Syd"}


def test_xlsx_header_after_blank_rows_keeps_the_sheets_row_numbers(tmp_path):
    p = tmp_path / "enkat.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet["A3"], sheet["B3"] = "id", "svar"
    sheet["A4"], sheet["B4"] = "R1", "Vi bjöd in leverantörerna tidigt."
    book.save(p)
    [t] = read_transcript(p, id_column="id")
    assert t.turns[0].line == 4


def test_xlsx_rows_beyond_excels_last_row_are_refused(tmp_path, monkeypatch):
    # a row numbered far beyond Excel's 1,048,576 rows would be padded to
    # forever; (the bound is lowered here to keep the test fast)
    monkeypatch.setattr(limits, "MAX_ROWS", 100)
    p = _workbook(tmp_path / "enkat.xlsx",
                  extra=b'<row r="99999999999">' + _cell("A99999999999") + b"</row>")
    with pytest.raises(InputError, match=r"enkat\.xlsx: the sheet has rows beyond row 100; "
                                         r"expected a table within Excel's bounds.*\[E112\]"):
        read_transcript(p)


def test_xlsx_cell_beyond_column_xfd_is_refused(tmp_path):
    p = _workbook(tmp_path / "enkat.xlsx", extra=b'<row r="12">' + _cell("ZZZ12") + b"</row>")
    with pytest.raises(InputError, match=r"enkat\.xlsx, line 12: row 12 has a cell beyond "
                                         r"column XFD \(16,384\).*\[E112\]"):
        read_transcript(p)


def test_xlsx_over_its_cells_is_refused(tmp_path, monkeypatch):
    # each row names only its column XFD: 16,384 cells a row for 30 bytes
    extra = b"".join(b'<row r="%d">' % r + _cell(f"XFD{r}") + b"</row>" for r in range(12, 20))
    p = _workbook(tmp_path / "enkat.xlsx", extra=extra)
    monkeypatch.setenv("CODINGKIT_MAX_SURVEY_MB", "0.05")
    with pytest.raises(InputError, match=r"enkat\.xlsx, line 15: the sheet holds over 50,000 "
                                         r"cells up to this row .*CODINGKIT_MAX_SURVEY_MB=1 "
                                         r"\[E112\]"):
        read_transcript(p)
    monkeypatch.setenv("CODINGKIT_MAX_SURVEY_MB", "1")
    columns, rows = _rows(p)
    assert len(columns) == 16_384 and columns[-1] == "Unnamed: 16383"
    assert len(rows) == 18 and rows[-1][1][-1] == "x"


# ---------------------------------------------------------------- header names


def _column_names_before(cells):
    """The names as codingkit gave them before (cubic in repeated names)."""
    names = []
    for k, cell in enumerate(cells):
        name = str(cell).strip() if cell is not None else ""
        name = name or f"Unnamed: {k}"
        base, n = name, 0
        while name in names:
            n += 1
            name = f"{base}.{n}"
        names.append(name)
    return names


def test_column_names_unchanged_for_repeated_and_blank_names():
    rng = random.Random(7)
    alphabet = ["a", "a.1", "a.2", "a.1.1", " a ", "", None, "b", "Unnamed: 2", "Unnamed: 2.1"]
    for _ in range(500):
        cells = [rng.choice(alphabet) for _ in range(rng.randint(0, 12))]
        assert _column_names(cells) == _column_names_before(cells), cells


def test_many_repeated_header_names_are_named_in_linear_time(tmp_path):
    # 4,000 × "a" took 242 s (cubic); now milliseconds
    names = _column_names(["a"] * 4000 + [None, "a.5"])
    assert names[:3] == ["a", "a.1", "a.2"] and names[3999] == "a.3999"
    assert names[-2:] == ["Unnamed: 4000", "a.5.1"]
    p = tmp_path / "enkat.csv"
    p.write_text(",".join(["svar"] * 2000) + "\n" + ",".join(["Bra."] * 2000) + "\n",
                 encoding="utf-8")
    columns, rows = _rows(p)
    assert len(set(columns)) == 2000 and columns[-1] == "svar.1999"


def test_csv_header_over_excels_columns_is_refused(tmp_path):
    p = tmp_path / "enkat.csv"
    p.write_text(",".join(["a"] * 16_385) + "\n1\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"enkat\.csv, line 1: the header row has 16,385 "
                                         r"columns; expected a table within Excel's bounds"):
        read_transcript(p)


def test_csv_rows_shorter_than_a_wide_header(tmp_path):
    p = tmp_path / "enkat.csv"
    p.write_text(",".join(["id", "svar"] + [f"k{i}" for i in range(5000)]) + "\n"
                 + "R1,Bra dialog.\nR2\nR3,Sist.,,x\n", encoding="utf-8")
    ts = read_transcript(p, id_column="id")
    assert [t.source for t in ts] == ["enkat.csv#R1", "enkat.csv#R3"]
    assert ts[1].metadata == {"id": "R3", "k1": "x"}


# ---------------------------------------------------------------- long CSV fields


def test_csv_answer_over_the_csv_modules_limit_is_read(tmp_path, monkeypatch):
    monkeypatch.setenv("CODINGKIT_MAX_TURN_MB", "0.2")
    default = csv.field_size_limit()
    p = tmp_path / "enkat.csv"
    long = "Vi bjöd in leverantörerna. " * 7000  # 189,000 characters (> 131,072)
    p.write_text(f"id;svar\n1;Kort.\n2;\"{long}\"\n3;Sist.\n", encoding="utf-8")
    columns, rows = read_table(p, p.read_bytes())
    assert next(rows) == (2, ["1", "Kort."])
    assert csv.field_size_limit() == default  # not changed for other code, even mid-read
    assert next(rows) == (3, ["2", long])
    ts = read_transcript(p)
    assert [len(t.turn_text(t.turns[0])) for t in ts] == [5, len(long.strip()), 5]
    assert csv.field_size_limit() == default


@pytest.mark.parametrize("column", ["svar", "projekt"])
def test_csv_field_over_the_turn_limit_names_its_line(tmp_path, monkeypatch, column):
    monkeypatch.setenv("CODINGKIT_MAX_TURN_MB", "0.2")
    p = tmp_path / "enkat.csv"
    long = "x" * 200_001
    row = f"2;Syd;{long}" if column == "svar" else f"2;{long};Bra."
    p.write_text(f"id;projekt;svar\n1;Syd;Kort.\n{row}\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"enkat\.csv, line 3: a field is over 200,000 "
                                         r"characters long, the limit of one answer; .*"
                                         r"CODINGKIT_MAX_TURN_MB=1 \[E112\]"):
        read_transcript(p)
    p.write_text(f"id;projekt;svar\n1;Syd;Kort.\n2;Syd;{long[1:]}\n", encoding="utf-8")
    assert len(read_transcript(p)[-1].text) == 200_000
