"""A small, fast .xlsx writer for codingkit's workbook.

It writes what the workbook needs and nothing more: sheets of texts and
numbers streamed row by row into the zip (constant memory), every text as an
inline string (never a formula, a link or a number: a turn
``=HYPERLINK(...)`` stays that text), a bold frozen header row with a filter,
column widths, and a percentage format. About four times as fast as
XlsxWriter's constant-memory mode, which spends most of its time per cell.

Texts are cut at 32,767 characters (what a cell holds); characters XML
cannot carry (control characters) are written as Excel's ``_xHHHH_``
escapes, as Excel itself does, so the workbook opens everywhere (Excel shows
the character; openpyxl shows the escape).
"""

from __future__ import annotations

import os
import re
import zipfile
from itertools import islice
from pathlib import Path
from typing import Iterable, Sequence

MAX_CELL = 32767
_SPECIAL = re.compile(r"[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|_x[0-9A-Fa-f]{4}_")
_NS = ('xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
       'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"')
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_WS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

# cell styles (cellXfs): 0 plain, 1 bold header with a bottom border, 2 percent: whole
# percent as codingkit's reports show shares, a share above 0 that rounds to 0 as "<1%"
STYLES = (_HEAD + '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
          '<numFmts count="1"><numFmt numFmtId="164" formatCode="[=0]0%;[&lt;0.005]&quot;&lt;1%&quot;;0%"/></numFmts>'
          '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
          '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
          '<fills count="2"><fill><patternFill patternType="none"/></fill>'
          '<fill><patternFill patternType="gray125"/></fill></fills>'
          '<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>'
          '<border><left/><right/><top/><bottom style="thin"><color auto="1"/></bottom>'
          '<diagonal/></border></borders>'
          '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
          '</cellStyleXfs><cellXfs count="3">'
          '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
          '<xf numFmtId="0" fontId="1" fillId="0" borderId="1" xfId="0" applyFont="1" '
          'applyBorder="1"/>'
          '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" '
          'applyNumberFormat="1"/></cellXfs>'
          '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
          '</styleSheet>')


def _col(n: int) -> str:
    """Column letters of the 0-based column ``n`` (0 → A, 26 → AA)."""
    s = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def _fix(m: re.Match) -> str:
    c = m.group()
    if c == "&":
        return "&amp;"
    if c == "<":
        return "&lt;"
    if c == ">":
        return "&gt;"
    if c == "\r":               # kept (XML readers would turn a bare CR into LF)
        return "&#13;"
    if len(c) > 1:               # a literal _xHHHH_ in the text: escape its underscore
        return "_x005F" + c
    return f"_x{ord(c):04X}_"


def _text(value: str) -> str:
    if len(value) > MAX_CELL:
        value = value[:MAX_CELL]
    return _SPECIAL.sub(_fix, value) if _SPECIAL.search(value) else value


def _sheet_name(name: str) -> str:
    return re.sub(r"[\[\]:*?/\\]", "_", name)[:31]


class Sheet:
    """One sheet's rows: a header, rows of str/int/float/None, the columns
    shown as percentages, the columns whose whole numbers written as text
    (a round "2") are written as numbers, and widths fitted to the first rows."""

    def __init__(self, name: str, columns: Sequence[str], rows: Iterable[Sequence],
                 *, percent: Iterable[int] = (), narrow: Iterable[int] = (),
                 numbers: Iterable[int] = ()) -> None:
        self.name = _sheet_name(name)
        self.columns = [str(c) for c in columns]
        self.rows = rows
        self.percent = set(percent)
        self.narrow = set(narrow)
        self.numbers = set(numbers)
        self.n_rows = 0


def _whole_number(v: str) -> bool:
    """Whether ``v`` is a whole number as Excel would show it again ("2", not
    "02", "2.0", "²" or a 16-digit id that a float would round)."""
    return v.isascii() and v.isdigit() and len(v) <= 15 and (v == "0" or v[0] != "0")


def _widths(sheet: Sheet, first: list) -> list[float]:
    widths = [min(max(len(c) + 2, 6), 60) for c in sheet.columns]
    for row in first:
        for j, v in enumerate(row):
            if isinstance(v, str) and len(v) + 1 > widths[j]:
                widths[j] = min(len(v) + 1, 80)
    for j in sheet.narrow:
        widths[j] = max(len(sheet.columns[j]) + 3, 6)
    return widths


def _write_sheet(fh, sheet: Sheet) -> None:
    ncols = len(sheet.columns)
    letters = [_col(j) for j in range(ncols)]
    rows = iter(sheet.rows)
    first = list(islice(rows, 100))
    widths = _widths(sheet, first)
    w = fh.write
    w((_HEAD + f"<worksheet {_NS}><sheetViews><sheetView workbookViewId=\"0\">"
       '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
       '<selection pane="bottomLeft"/></sheetView></sheetViews>'
       '<sheetFormatPr defaultRowHeight="15"/><cols>'
       + "".join(f'<col min="{j + 1}" max="{j + 1}" width="{wd + 0.71:.2f}" customWidth="1"/>'
                 for j, wd in enumerate(widths))
       + "</cols><sheetData>").encode("utf-8"))
    head = "".join(f'<c r="{letters[j]}1" s="1" t="inlineStr"><is><t>{_text(c)}</t></is></c>'
                   for j, c in enumerate(sheet.columns))
    w(f'<row r="1">{head}</row>'.encode("utf-8"))
    percent, numbers = sheet.percent, sheet.numbers
    n = 1
    buf: list[str] = []
    for row in _chain(first, rows):
        n += 1
        cells = [f'<row r="{n}">']
        append = cells.append
        for j, v in enumerate(row):
            if v is None or v == "":
                continue
            if isinstance(v, str) and j in numbers and _whole_number(v):
                append(f'<c r="{letters[j]}{n}"><v>{v}</v></c>')
            elif isinstance(v, str):
                if _SPECIAL.search(v) or len(v) > MAX_CELL:
                    v = _text(v)
                sp = ' xml:space="preserve"' if v[:1].isspace() or v[-1:].isspace() else ""
                append(f'<c r="{letters[j]}{n}" t="inlineStr"><is><t{sp}>{v}</t></is></c>')
            elif isinstance(v, bool):
                append(f'<c r="{letters[j]}{n}"><v>{int(v)}</v></c>')
            elif isinstance(v, (int, float)):
                if v != v or v in (float("inf"), float("-inf")):
                    append(f'<c r="{letters[j]}{n}" t="e"><v>#NUM!</v></c>')
                elif j in percent:
                    append(f'<c r="{letters[j]}{n}" s="2"><v>{v!r}</v></c>')
                else:
                    append(f'<c r="{letters[j]}{n}"><v>{v!r}</v></c>')
            else:
                t = _text(str(v))
                append(f'<c r="{letters[j]}{n}" t="inlineStr"><is><t xml:space="preserve">'
                       f'{t}</t></is></c>')
        append("</row>")
        buf.append("".join(cells))
        if len(buf) >= 500:
            w("".join(buf).encode("utf-8"))
            buf.clear()
    if buf:
        w("".join(buf).encode("utf-8"))
    sheet.n_rows = n
    ref = f"A1:{letters[-1]}{max(n, 2)}" if ncols else "A1"
    w(f'</sheetData><autoFilter ref="{ref}"/>'
      '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" '
      'footer="0.3"/></worksheet>'.encode("utf-8"))


def _chain(first, rest):
    yield from first
    yield from rest


def write_workbook(path: str | os.PathLike[str], sheets: Sequence[Sheet]) -> Path:
    """Write ``sheets`` as one .xlsx workbook at ``path``."""
    path = Path(path)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for i, sheet in enumerate(sheets, start=1):
            with zf.open(f"xl/worksheets/sheet{i}.xml", "w", force_zip64=True) as fh:
                _write_sheet(fh, sheet)
        n = len(sheets)
        zf.writestr("[Content_Types].xml", _HEAD + (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.'
            'openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/vnd.'
            'openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            + "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
                      f'ContentType="{_WS_TYPE}"/>' for i in range(1, n + 1))
            + "</Types>"))
        zf.writestr("_rels/.rels", _HEAD + (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
            f'relationships"><Relationship Id="rId1" Type="{_REL}/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>'))
        zf.writestr("xl/_rels/workbook.xml.rels", _HEAD + (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
            'relationships">'
            + "".join(f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" '
                      f'Target="worksheets/sheet{i}.xml"/>' for i in range(1, n + 1))
            + f'<Relationship Id="rId{n + 1}" Type="{_REL}/styles" Target="styles.xml"/>'
            "</Relationships>"))
        names = "".join(
            f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
            f"'{s.name}'!$A$1:${_col(len(s.columns) - 1)}${max(s.n_rows, 2)}</definedName>"
            for i, s in enumerate(sheets) if s.columns)
        zf.writestr("xl/workbook.xml", _HEAD + (
            f"<workbook {_NS}><bookViews><workbookView/></bookViews><sheets>"
            + "".join(f'<sheet name="{_text(s.name)}" sheetId="{i}" r:id="rId{i}"/>'
                      for i, s in enumerate(sheets, start=1))
            + f"</sheets><definedNames>{names}</definedNames></workbook>"))
        zf.writestr("xl/styles.xml", STYLES)
    return path
