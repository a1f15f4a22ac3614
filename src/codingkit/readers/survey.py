"""Open survey answers (``.csv``, ``.xlsx``): one Transcript per answer.

Each row with a non-empty answer becomes a :class:`~codingkit.Transcript`
named ``"<file>#<id>"`` with one respondent turn (``Turn.number`` is the
row's 1-based number among the data rows). The answer column is
``text_column``, else one named like an answer (see
:func:`choose_text_column`); when none can be told apart, an error (E108)
names the columns. The id is ``id_column``'s value, else the row number.
The other columns become metadata (``Projekt`` → ``project``,
``Omgång``/``Runda`` → ``round``, ``Roll`` → ``role``; others lower-cased).

CSV files may use ``,``, ``;`` (Swedish Excel) or tab as delimiter: it is
sniffed. The text is decoded like any transcript (UTF-8, UTF-16,
Windows-1252). Of an Excel workbook only the first sheet is read.
``Turn.line`` is the line (CSV) or row (Excel) where the answer's row
starts.

**The header row** is the first row with two or more values (or, with
``text_column``, the first that names it), among the first ten rows with a
value. Rows above it are a title (``Enkät om innovationsupphandling, omgång
2``, ``Utskick mars 2024``, blank rows) and are skipped, with a warning
that names them and the header's line. ``Svar`` alone is a header (a
survey of one column); when no row looks like a header, the first row with
a value is, as always.

**Merged cells** (.xlsx). A cell merged down over several answers, such as
a project, a round or a role typed once for a group of respondents, holds
its value on every row it spans, as Excel shows it: each answer counts for
its project in the frequencies. An answer merged over several rows is one
answer, its first row's; the rows under it have none (the same answer is
never counted twice). A merged id is the same id on each row: as
``id_column`` it is an error (E108, ids are unique). A cell merged across
columns gives its value to its own (first) column only: merged over
``Projekt`` and ``Omgång`` it names a project, not a round. Cells merged in
or above the header row give nothing to the answers. A sheet with more
merged cells than a survey has
(:func:`~codingkit.readers.limits.max_merged_ranges`) is refused (E112).

Rows are read one at a time (a CSV is decoded once and parsed line by
line; a workbook in openpyxl's read-only mode), so a survey of a million
rows is never held as a data frame as well.
"""

from __future__ import annotations

import csv
import io
import itertools
import os
import posixpath
import re
import sys
from pathlib import Path
from typing import Iterator, NamedTuple

from ..errors import InputError
from ..model import Transcript, Turn
from .encoding import decode_bytes, normalise_text, read_bytes, sha256_of
from ..tables import codingkit_output, csv_row, header_delimiter
from .text import metadata_key

#: Column names taken as the answer column (case-insensitive).
ANSWER_COLUMNS = ("answer", "svar", "text", "response", "fritext")


def sniff_delimiter(text: str) -> str:
    """The delimiter of a CSV text: ``,``, ``;`` or tab.

    A title on lines of its own above the header (``Enkät om
    innovationsupphandling, omgång 2``) can make the lines disagree: then
    the delimiter is the one of the lines below it, if under it each line
    above holds one value at most (a title's comma is no delimiter). Else it
    is the most frequent one on the first line
    (:func:`~codingkit.tables.header_delimiter`).

    >>> sniff_delimiter("id;svar\\n1;Vi hade en dialog, tidigt.\\n")
    ';'
    >>> sniff_delimiter("Enkät, omgång 2\\n\\nid;svar\\n1;Bra, tidigt.\\n2;Sist.\\n")
    ';'
    """
    lines = text.split("\n", 50)[:50]
    sniffer = csv.Sniffer()
    try:
        return sniffer.sniff("\n".join(lines), delimiters=",;\t").delimiter
    except csv.Error:
        pass
    lines = [line for line in lines if line.strip()]
    for skip in range(1, min(HEADER_ROWS, len(lines) - 1)):
        if _named_like_answer(lines[skip - 1]):
            break  # 'svar' alone is the header of a survey of one column, not a title
        try:
            delimiter = sniffer.sniff("\n".join(lines[skip:]), delimiters=",;\t").delimiter
        except csv.Error:
            continue
        try:
            if all(len(_values(cells)) <= 1
                   for cells in csv.reader(lines[:skip], delimiter=delimiter)):
                return delimiter
        except csv.Error:
            continue
    return header_delimiter(text)


def _values(cells) -> list[str]:
    """The non-empty values of a row, stripped."""
    return [v for v in (c.strip() for c in cells) if v]


def _named_like_answer(value: str) -> bool:
    """Whether ``value`` is the name of an answer column (:data:`ANSWER_COLUMNS`)."""
    return value.strip().casefold() in ANSWER_COLUMNS


def _iter_lines(text: str) -> Iterator[str]:
    """The lines of ``text`` with their ``\\n``, one at a time (no list of them)."""
    start, n = 0, len(text)
    while start < n:
        end = text.find("\n", start)
        if end < 0:
            yield text[start:]
            return
        yield text[start:end + 1]
        start = end + 1


class _ColumnNamer:
    """Names header cells one at a time, as :func:`_column_names` does.

    ``names`` is the list of names so far. Each name is found in constant
    time (amortised): the names taken are a set, and for each repeated name
    the next suffix to try is remembered (the smallest free ``name.n`` only
    grows, as names are only added), so a header of thousands of equal
    names takes linear, not cubic, time.
    """

    def __init__(self) -> None:
        self.names: list[str] = []
        self._taken: set[str] = set()
        self._next: dict[str, int] = {}

    def add(self, cell) -> str:
        """The name of the next column, whose header cell is ``cell``."""
        name = str(cell).strip() if cell is not None else ""
        base = name = name or f"Unnamed: {len(self.names)}"
        if name in self._taken:
            n = self._next.get(base, 1)
            while f"{base}.{n}" in self._taken:
                n += 1
            name = f"{base}.{n}"
            self._next[base] = n + 1
        self._taken.add(name)
        self.names.append(name)
        return name


def _column_names(cells: list) -> list[str]:
    """Header cells as column names: stripped, ``Unnamed: k`` for a blank
    one, ``name.1`` for a repeated one (as pandas names them; the first
    ``name.n`` not taken yet).

    >>> _column_names(["id", " svar ", None, "svar", "svar.1"])
    ['id', 'svar', 'Unnamed: 2', 'svar.1', 'svar.1.1']
    """
    namer = _ColumnNamer()
    for cell in cells:
        namer.add(cell)
    return namer.names


def _malformed(path, detail: str, line: int | None = None) -> InputError:
    return InputError(f"malformed CSV ({detail}); expected a header row and one answer per row",
                      path=path, line=line, code="E107")


def _field_too_long(path, limit: int, line: int) -> InputError:
    """E112 for a CSV field longer than codingkit's longest turn."""
    mb = limit / 1_000_000
    return InputError(f"a field is over {limit:,} characters long, the limit of "
                      f"one answer; to read it, raise the limit, e.g. "
                      f"CODINGKIT_MAX_TURN_MB={int(2 * mb) + 1}", path=path, line=line,
                      code="E112")


#: How many rows with a value, from the first, are looked at for the header
#: row (see :func:`_split_header`).
HEADER_ROWS = 10

#: How many rows in all (blank ones too) are looked at for the header row.
HEADER_SCAN_ROWS = 100


class _Table(NamedTuple):
    """A survey table as :func:`_read_table` reads it."""

    #: The column names (a workbook's grow as its rows are read, see :func:`read_table`).
    columns: list[str]
    #: ``(line, cells)`` of each data row, one at a time.
    rows: Iterator[tuple[int, list[str]]]
    #: The line (CSV) or row (Excel) of the header.
    header_line: int
    #: ``(line, values)`` of the rows with a value above the header (a title).
    above: list[tuple[int, list[str]]]


def _is_header(cells: list[str], text_column: str | None) -> bool:
    """Whether a row is the header: it names ``text_column`` (when given),
    else it holds two or more values, or one that names an answer column
    (``Svar`` over a survey of one column)."""
    values = _values(cells)
    if text_column is not None:
        name = text_column.casefold()
        return any(v == text_column or v.casefold() == name for v in values)
    return len(values) >= 2 or (len(values) == 1 and _named_like_answer(values[0]))


def _split_header(rows: Iterator[tuple[int, list[str]]], text_column: str | None
                  ) -> tuple[list[tuple[int, list[str]]], tuple[int, list[str]] | None,
                             list[tuple[int, list[str]]]]:
    """``(above, header, ahead)``: the rows above the header, the header row
    and the data rows read to find it (the others are left in ``rows``).

    The header is the first row that looks like one (:func:`_is_header`)
    among the first :data:`HEADER_ROWS` rows with a value: the rows above it,
    a title such as ``Enkät om innovationsupphandling, omgång 2`` and the
    blank rows under it, are not data. When no row looks like a header
    (a survey of one column named ``Kommentar``, or ``text_column`` is in
    none), the header is the first row with a value, as it always was.
    """
    seen: list[tuple[int, list[str]]] = []
    valued = 0
    for row in rows:
        has_value = any(c.strip() for c in row[1])
        if not seen and not has_value:
            continue  # blank rows at the top
        if has_value and _is_header(row[1], text_column):
            return seen, row, []
        seen.append(row)
        valued += has_value
        if valued >= HEADER_ROWS or len(seen) >= HEADER_SCAN_ROWS:
            break
    if not seen:
        return [], None, []
    return [], seen[0], seen[1:]


def _csv_table(path, data: bytes, text_column: str | None = None) -> _Table:
    """The table of a CSV: column names and ``(line, cells)`` per non-blank
    data row.

    The text is decoded once (like any transcript) and parsed line by line,
    so that a large survey is never held as several copies (no data frame).
    A field may be as long as the longest turn
    (:func:`~codingkit.readers.limits.max_turn_chars`, not the csv module's
    131,072 characters); a longer one is an error (E112) naming its line.
    The header is found by :func:`_split_header`.
    """
    from .limits import MAX_COLUMNS, beyond_sheet, max_turn_chars

    limit = max_turn_chars()
    text = decode_bytes(data, path)
    del data
    reader = csv.reader(_iter_lines(text), delimiter=sniff_delimiter(text), strict=True)

    def rows() -> Iterator[tuple[int, list[str]]]:
        while True:
            start = reader.line_num + 1
            try:
                cells = csv_row(reader, limit)
            except StopIteration:
                return
            except csv.Error as exc:
                detail = str(exc)
                if "field larger than field limit" in detail:
                    raise _field_too_long(path, limit, start) from None
                if "end of data" in detail:
                    detail = "a quoted field that never ends"
                raise _malformed(path, detail, start) from None
            if cells:
                yield start, cells

    body = rows()
    above, first, ahead = _split_header(body, text_column)
    if first is None:
        raise InputError("no answers (no data rows)", path=path, code="E102")
    if len(first[1]) > MAX_COLUMNS:
        raise beyond_sheet(path, f"the header row has {len(first[1]):,} columns", first[0])
    columns = _column_names(first[1])

    def checked() -> Iterator[tuple[int, list[str]]]:
        width = len(columns)
        for line, cells in itertools.chain(ahead, body):
            if len(cells) > width:
                raise _malformed(path, f"expected {width} fields, saw {len(cells)}", line)
            yield line, cells

    return _Table(columns, checked(), first[0], [r for r in above if _values(r[1])])


def _sheet_rows(path, sheet) -> Iterator[tuple[int, list[str]]]:
    """``(row, values)`` for each row of a read-only worksheet
    (:func:`~codingkit.readers.limits.sheet_rows`: within bounds, whatever
    the sheet's stored dimension claims), as strings without the empty
    cells at its end (``[]`` for a blank row)."""
    from .limits import sheet_rows

    for number, cells in sheet_rows(path, sheet):
        values = ["" if c is None else normalise_text(str(c)) for c in cells]
        while values and not values[-1]:
            values.pop()
        yield number, values


class MergedValue(str):
    """The value a cell of a workbook shows as part of a merged cell: the
    value of the merged range's top-left cell, in a cell below it (see
    :func:`read_table`). A ``str``; its type tells it from a value written
    in the cell itself."""

    __slots__ = ()


# the main namespace of a worksheet's XML, and of the relationships
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOCUMENT_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _relationships(archive, name: str) -> dict[str, tuple[str, str]]:
    """``Id -> (Type, Target)`` of a ``.rels`` part (``{}`` when there is none)."""
    from defusedxml.ElementTree import fromstring

    try:
        root = fromstring(archive.read(name))
    except KeyError:
        return {}
    return {r.get("Id", ""): (r.get("Type", ""), r.get("Target", ""))
            for r in root if r.tag == f"{{{_PACKAGE_RELS}}}Relationship"}


def _part_name(folder: str, target: str) -> str:
    """The zip member a relationship's ``target`` names, from a part in ``folder``."""
    if target.startswith("/"):
        return target[1:]
    return posixpath.normpath(posixpath.join(folder, target))


def _first_worksheet_part(archive) -> str | None:
    """The zip member of a workbook's first worksheet, as openpyxl finds it: the
    first ``<sheet>`` of ``workbook.xml``, in tab order, whose relationship
    (``workbook.xml.rels``) names a part in the archive that is not a chart
    sheet. (Its name need not be ``sheet1.xml``: a sheet moved first keeps
    its part's name.)"""
    from defusedxml.ElementTree import fromstring

    book = "xl/workbook.xml"
    for kind, target in _relationships(archive, "_rels/.rels").values():
        if kind.endswith("/officeDocument"):
            book = _part_name("", target)
            break
    folder, name = posixpath.split(book)
    rels = _relationships(archive, posixpath.join(folder, "_rels", name + ".rels"))
    names = set(archive.namelist())
    try:
        root = fromstring(archive.read(book))
    except KeyError:
        return None
    for sheet in root.iter(f"{{{_MAIN}}}sheet"):
        kind, target = rels.get(sheet.get(f"{{{_DOCUMENT_RELS}}}id", ""), ("", ""))
        part = _part_name(folder, target) if target else ""
        if part in names and "chartsheet" not in kind:
            return part
    return None


def _sheet_part(archive, sheet) -> str | None:
    """The zip member whose rows ``sheet`` (openpyxl's read-only worksheet)
    reads: the one openpyxl opened, else :func:`_first_worksheet_part`."""
    part = getattr(sheet, "_worksheet_path", None)
    if isinstance(part, str):
        try:
            archive.getinfo(part)
            return part
        except KeyError:
            pass
    return _first_worksheet_part(archive)


def _mentions(archive, part: str, *needles: bytes) -> bool:
    """Whether the (unpacked) part holds one of ``needles``, read 1 MB at a time."""
    keep = max(len(n) for n in needles) - 1
    with archive.open(part) as fh:
        tail = b""
        while chunk := fh.read(1 << 20):
            window = tail + chunk
            if any(n in window for n in needles):
                return True
            tail = window[-keep:] if keep else b""
    return False


#: A merged range as one int: its first row, last row and column (0-based),
#: in 21, 21 and 14 bits (Excel's 1,048,576 rows and 16,384 columns).
_ROW_BITS, _COLUMN_BITS = 21, 14


def _range_key(ref: str | None, max_rows: int, max_columns: int) -> int | None:
    """A merged range (``ref`` such as ``"B2:B5"``) as one int (first row,
    last row, column: see :data:`_ROW_BITS`), so that a sheet's ranges sort
    by their first row; ``None`` for one that spans a single row (nothing to
    give below) or is not a range of cells within ``max_rows`` and
    ``max_columns`` (Excel's bounds)."""
    from openpyxl.utils.cell import range_boundaries

    if not ref or len(ref) > 32:
        return None
    try:
        col1, row1, col2, row2 = range_boundaries(ref)
    except (TypeError, ValueError):
        return None
    if None in (col1, row1, col2, row2):
        return None  # whole rows or columns ("A:A"): no spreadsheet merges these
    first, last, col = min(row1, row2), max(row1, row2), min(col1, col2)
    if first < 1 or first == last or last > max_rows or not 1 <= col <= max_columns:
        return None
    return (first << (_ROW_BITS + _COLUMN_BITS)) | (last << _COLUMN_BITS) | (col - 1)


def _merged_ranges(path, archive, part: str) -> list[int]:
    """The merged ranges of a worksheet part that span rows, as sorted
    :func:`_range_key` keys (by first row).

    Read-only openpyxl does not give them, so they are read from the part's
    ``<mergeCell ref="B2:B5"/>`` elements (inside ``<mergeCells>``, as
    openpyxl reads them). The part is looked through for ``mergeCell`` first
    (0.2 s for 50 MB); only then is it parsed, with expat and no tree (2.5 s
    for 50 MB), entity declarations refused as defusedxml refuses them
    (E106). Over :func:`~codingkit.readers.limits.max_merged_ranges` ranges
    is an error (E112): the ranges over it are counted, not kept.
    """
    if not _mentions(archive, part, b"mergeCell"):
        return []
    from xml.parsers import expat

    from .limits import MAX_COLUMNS, MAX_ROWS, max_merged_ranges, too_many_merged

    limit = max_merged_ranges(path)
    group, one = f"{_MAIN}}}mergeCells", f"{_MAIN}}}mergeCell"
    keys: list[int] = []
    count = depth = 0  # depth inside a <mergeCells> (0: outside)
    parser = expat.ParserCreate(namespace_separator="}")

    def start(name, attrs):
        nonlocal count, depth
        if depth:
            depth += 1
            if depth == 2 and name == one:
                count += 1
                if count <= limit:
                    key = _range_key(attrs.get("ref"), MAX_ROWS, MAX_COLUMNS)
                    if key is not None:
                        keys.append(key)
        elif name == group:
            depth = 1
            parser.EndElementHandler = end

    def end(name):
        nonlocal depth
        depth -= 1
        if not depth:
            parser.EndElementHandler = None

    parser.StartElementHandler = start
    _parse_guarded(parser, archive, part)
    if count > limit:
        raise too_many_merged(path, count)
    keys.sort()
    return keys


def _parse_guarded(parser, archive, part: str) -> None:
    """Parse the part with an expat ``parser`` whose entity declarations are
    refused as defusedxml refuses them (E106 where it is caught)."""
    from defusedxml import EntitiesForbidden, ExternalReferenceForbidden

    def entity(name, is_parameter, value, base, system_id, public_id, notation):
        raise EntitiesForbidden(name, value, base, system_id, public_id, notation)

    def unparsed(name, base, system_id, public_id, notation):
        raise EntitiesForbidden(name, None, base, system_id, public_id, notation)

    def external(context, base, system_id, public_id):
        raise ExternalReferenceForbidden(context, base, system_id, public_id)

    parser.EntityDeclHandler = entity
    parser.UnparsedEntityDeclHandler = unparsed
    parser.ExternalEntityRefHandler = external
    with archive.open(part) as fh:
        parser.ParseFile(fh)


#: At most this many cells with a formula but no saved value are listed
#: (:func:`_unsaved_formulas`); the first at or below the header is the error.
_UNSAVED_KEPT = 1000


def _unsaved_formulas(archive, part: str) -> list[tuple[int, str, str]]:
    """``(row, cell, formula)`` of the worksheet part's cells that hold a
    formula without a saved value (``<c r="B3"><f>A3*2</f></c>``, no
    ``<v>`` or an empty one, and not a saved empty text): a script or LibreOffice with recalculation off writes them,
    and openpyxl reads them as empty cells, so an answer or a project would
    be lost without a word. The part is looked through for ``<f`` first
    (sheets without formulas are not parsed); at most :data:`_UNSAVED_KEPT`."""
    if not _mentions(archive, part, b"<f>", b"<f ", b":f>", b":f "):
        return []
    from xml.parsers import expat

    cell_tag, f_tag, v_tag = f"{_MAIN}}}c", f"{_MAIN}}}f", f"{_MAIN}}}v"
    found: list[tuple[int, str, str]] = []
    state = {"ref": None, "t": None, "f": None, "v": "", "in": None}
    parser = expat.ParserCreate(namespace_separator="}")

    def start(name, attrs):
        if name == cell_tag:
            state.update(ref=attrs.get("r"), t=attrs.get("t"), f=None, v="", **{"in": None})
        elif name == f_tag:
            state["f"], state["in"] = "", "f"
        elif name == v_tag:
            state["in"] = "v"

    def text(data):
        where = state["in"]
        if where is not None and len(state[where]) < 200:
            state[where] += data

    def end(name):
        if name in (f_tag, v_tag):
            state["in"] = None
        elif (name == cell_tag and state["f"] is not None and not state["v"].strip()
              and state["t"] != "str"):  # t="str" with <v></v>: a saved empty text
            ref = state["ref"] or ""
            digits = ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
            if digits.isdigit() and len(found) < _UNSAVED_KEPT:
                found.append((int(digits), ref, "=" + state["f"]))

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    _parse_guarded(parser, archive, part)
    return found


def _excel_table(path, data: bytes, text_column: str | None = None) -> _Table:
    """The table of a workbook's first sheet: column names and ``(row, cells)``
    per non-blank data row, read row by row (openpyxl's read-only mode, see
    :func:`_sheet_rows`).

    The header is found by :func:`_split_header`. The columns are those of
    the header row up to its last named one. A row with a value further
    right adds columns (``Unnamed: k``) to the list returned as it is read,
    so that no value is lost; a row is the sheet's own row number.

    Merged cells (:func:`_merged_ranges`): a range starting below the header
    gives the value of its top-left cell to the empty cells of its column on
    the data rows it spans, as :class:`MergedValue`; the cells right of its
    first column keep their own (empty) values, as a cell merged across
    ``Projekt`` and ``Omgång`` names a project, not a round. A row blank in
    the sheet stays blank. Every cell filled counts toward the sheet's
    cells (:func:`~codingkit.readers.limits.max_cells`, E112).
    """
    import zipfile

    import openpyxl

    from .limits import check_unpacked_size, max_cells, refused_entities, too_many_cells

    check_unpacked_size(data, path)

    def fail(exc: BaseException) -> InputError:
        if refused_entities(exc):
            return InputError("refused: the workbook's XML declares entities (entity "
                              "expansion is not allowed); expected a workbook as a "
                              "spreadsheet program writes it", path=path, code="E106")
        return InputError(f"not a readable Excel .xlsx file ({type(exc).__name__}); "
                          "expected a workbook with a header row", path=path, code="E106")

    book = None
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            part = _sheet_part(archive, sheet)
            merged = _merged_ranges(path, archive, part) if part else []
            unsaved = _unsaved_formulas(archive, part) if part else []
        body = ((number, values) for number, values in _sheet_rows(path, sheet) if values)
        above, first, ahead = _split_header(body, text_column)
    except Exception as exc:  # openpyxl raises zip, KeyError and XML errors alike
        if book is not None:
            book.close()
        if isinstance(exc, InputError):
            raise
        raise fail(exc) from None
    header = list(first[1]) if first is not None else []
    while header and not header[-1].strip():
        header.pop()
    if not header:
        book.close()
        raise InputError("no answers (no data rows)", path=path, code="E102")
    namer = _ColumnNamer()
    for cell in header:
        namer.add(cell)
    columns = namer.names
    header_line = first[0]
    bad = next((u for u in unsaved if u[0] >= header_line), None)
    if bad is not None:
        book.close()
        raise InputError(f"cell {bad[1]} holds the formula {bad[2]!r} without a saved value "
                         f"(it would read as empty); open the file in Excel or LibreOffice "
                         f"and save it (that computes and saves it), or type the value in "
                         f"place of the formula", path=path, line=bad[0], code="E106")
    row_shift = _ROW_BITS + _COLUMN_BITS
    row_mask, column_mask = (1 << _ROW_BITS) - 1, (1 << _COLUMN_BITS) - 1

    def rows() -> Iterator[tuple[int, list[str]]]:
        todo = iter(merged)
        coming = next(todo, None)
        active: dict[int, tuple[int, MergedValue]] = {}  # column -> (last row, value)
        budget, work = max_cells(path), 0
        try:
            for number, values in itertools.chain(ahead, body):
                while len(columns) < len(values):
                    namer.add(None)  # a value right of the header: a column of its own
                while coming is not None and coming >> row_shift <= number:
                    first_row, col = coming >> row_shift, coming & column_mask
                    last = (coming >> _COLUMN_BITS) & row_mask
                    coming = next(todo, None)
                    if first_row != number:
                        continue  # starts above the header, or on a blank row: nothing to give
                    if col < len(values) and values[col].strip():
                        active[col] = (last, MergedValue(values[col]))
                    else:
                        active.pop(col, None)
                if active:
                    work += len(active)
                    for col in list(active):
                        last, value = active[col]
                        if last < number:
                            del active[col]
                            continue
                        if col >= len(values):
                            work += col + 1 - len(values)
                            values.extend([""] * (col + 1 - len(values)))
                        if not values[col].strip():
                            values[col] = value
                    if work > budget:
                        raise too_many_cells(path, number)
                yield number, values
        except InputError:
            raise
        except Exception as exc:
            raise fail(exc) from None
        finally:
            book.close()

    return _Table(columns, rows(), header_line, above)


#: How much of a CSV file :func:`peek_codingkit_output` reads for its header.
PEEK_BYTES = 64 * 1024


def peek_codingkit_output(path: str | os.PathLike[str]) -> str | None:
    """:func:`codingkit_output` of a survey file's header row; ``None`` when
    it cannot be read (its reading then reports why). A CSV file is read
    only as far as its first 64 kB; warnings are left to the real reading."""
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if Path(path).suffix.lower() == ".csv":
                with open(path, "rb") as fh:
                    data = fh.read(PEEK_BYTES)
                if len(data) == PEEK_BYTES and b"\n" in data:
                    data = data[: data.rindex(b"\n") + 1]
            else:
                data = read_bytes(path)
            columns, _ = read_table(path, data)
    except Exception:  # noqa: BLE001 - any problem is reported when the file is read
        return None
    return codingkit_output(columns)


def _read_table(path: str | os.PathLike[str], data: bytes, text_column: str | None = None
                ) -> _Table:
    if Path(path).suffix.lower() in (".xlsx", ".xlsm"):
        return _excel_table(path, data, text_column)
    return _csv_table(path, data, text_column)


def read_table(path: str | os.PathLike[str], data: bytes, *, text_column: str | None = None
               ) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The column names of a CSV or Excel file and an iterator of its rows.

    Each row is ``(line, cells)``: the line (CSV) or row (Excel) where it
    starts, and its cells as strings (``""`` for empty; at most one per
    column, and maybe fewer). Blank rows are skipped. Rows are produced one
    at a time. A CSV row with more fields than the header is an error
    (E107); of a workbook, a value right of the header's columns adds a
    column to ``columns`` (``Unnamed: k``) before its row is produced.

    The header is the first row that looks like one: the one naming
    ``text_column``, else the first with two or more values; rows above it
    (a title) are skipped (see :func:`_split_header`). In a workbook, a cell
    under a merged cell holds the merged cell's value, as a
    :class:`MergedValue` (see :func:`_excel_table`).
    """
    table = _read_table(path, data, text_column)
    return table.columns, table.rows


#: Parts of column names that mark the answer column (case-insensitive):
#: ``Svar``, ``Fritextsvar``, ``Kommentar``, ``answer_text``, ...
ANSWER_NAME_PARTS = ("answer", "svar", "text", "response", "fritext", "kommentar", "comment")

#: Without such a name, the column with the longest answers is taken only if
#: its answers are on average at least this many times as long as those of
#: any other column, and at least :data:`MIN_ANSWER_LENGTH` characters.
LONGER_BY = 2.0
MIN_ANSWER_LENGTH = 15

_NUMBER_RE = re.compile(r"\s*[-+]?\d+([.,]\d+)?\s*|\s*")


def choose_text_column(columns: list[str], rows: list[list[str]],
                       id_column: str | None = None) -> str | None:
    """The answer column of a survey, judged from its name and a sample of rows.

    A column named like an answer (:data:`ANSWER_COLUMNS` exactly, else one
    containing a part of :data:`ANSWER_NAME_PARTS`; of several, the one with
    the longest values), else the one text column whose values are much
    longer than every other's. ``None`` when no column can be told apart:
    codingkit never guesses between ``project`` and ``kommun``.

    >>> choose_text_column(["id", "projekt", "Fritextsvar"], [["1", "Syd", "Bra"]])
    'Fritextsvar'
    >>> choose_text_column(["id", "projekt", "omgång"], [["1", "Syd", "1"]]) is None
    True
    """
    def mean_length(col: str) -> float:
        k = columns.index(col)
        values = [r[k] if k < len(r) else "" for r in rows]
        if all(_NUMBER_RE.fullmatch(v) for v in values):
            return -1.0  # numbers are not answers
        return sum(len(v.strip()) for v in values) / max(1, len(values))

    candidates = [c for c in columns if c != id_column]
    by_name = {c.casefold().strip(): c for c in candidates}
    for name in ANSWER_COLUMNS:
        if name in by_name:
            return by_name[name]
    named = [c for c in candidates if any(part in c.casefold() for part in ANSWER_NAME_PARTS)]
    if named:
        return max(named, key=mean_length)
    from ..model import CORE_METADATA

    lengths = sorted(((mean_length(c), c) for c in candidates
                      if metadata_key(c) not in CORE_METADATA), reverse=True)
    lengths = [(n, c) for n, c in lengths if n >= 0]
    if not lengths or lengths[0][0] < MIN_ANSWER_LENGTH:
        return None
    if len(lengths) > 1 and lengths[0][0] < LONGER_BY * lengths[1][0]:
        return None
    return lengths[0][1]


#: How many rows the answer column is judged from.
SAMPLE_ROWS = 1000


def _find_column(columns: list[str], name: str, what: str, path, where: str = "") -> str:
    for col in columns:
        if col == name or col.casefold() == name.casefold():
            return col
    raise InputError(f"no {what} column {name!r}; columns are: {', '.join(columns)}"
                     + (f" ({where})" if where else ""), path=path, code="E108")


def _title_warning(path, table: _Table) -> None:
    """The warning that rows above the header were skipped as a title."""
    import warnings

    from ..errors import CodingkitWarning

    def shown(values: list[str]) -> str:
        text = " ".join(v.strip() for v in values if v.strip())
        return repr(text if len(text) <= 60 else text[:59] + "…")

    titles = ", ".join(shown(values) for _, values in table.above[:3])
    if len(table.above) > 3:
        titles += f" and {len(table.above) - 3} more"
    warnings.warn(CodingkitWarning(f"taken as the header row; skipped above it as a title: "
                                   f"{titles}", path=path, line=table.header_line),
                  stacklevel=4)


def _metadata_keys(columns: list[str], text_k: int) -> list[tuple[int, str]]:
    """``(k, key)`` of each column but the answer column, by position."""
    return [(k, metadata_key(col)) for k, col in enumerate(columns) if k != text_k]


def read_survey(
    path: str | os.PathLike[str],
    source: str,
    *,
    text_column: str | None = None,
    id_column: str | None = None,
) -> list[Transcript]:
    """Read open survey answers: one :class:`~codingkit.Transcript` per non-empty answer.

    Parameters
    ----------
    path:
        A ``.csv`` or ``.xlsx`` file with a header row (maybe under a title,
        see the module docstring).
    source:
        The file's name in output tables; each answer is ``"<source>#<id>"``.
    text_column:
        The column holding the answers (see the module docstring for the
        default).
    id_column:
        The column holding an answer id (default: the row number).

    Raises
    ------
    InputError
        For a malformed CSV (``E107``), an unreadable workbook (``E106``), a
        named column that does not exist or an id twice (``E108``), or a
        table beyond the limits (``E112``).

    Warns
    -----
    CodingkitWarning
        When rows above the header are skipped as a title.
    """
    data = read_bytes(path)
    digest = sha256_of(data)
    table = _read_table(path, data, text_column)
    columns, rows = table.columns, table.rows
    del data
    own = codingkit_output(columns) if text_column is None else None
    if own is not None:
        hint = (" (a filled-in sheet is read with --learn-from or evaluate --gold)"
                if own.startswith("codingkit's coding sheet") else "")
        raise InputError(f"{own}, not a survey{hint}; expected open survey answers, one per row",
                         path=path, code="E115")
    if table.above:
        _title_warning(path, table)
    sample = list(itertools.islice(rows, SAMPLE_ROWS))
    if not sample:
        raise InputError("no answers (no data rows)", path=path, code="E102")
    where = f"header in line {table.header_line}" if table.header_line != 1 else ""
    id_col = _find_column(columns, id_column, "id", path, where) if id_column else None
    text_col = (_find_column(columns, text_column, "text", path, where) if text_column
                else choose_text_column(columns, [c for _, c in sample], id_col))
    if text_col is None:
        raise InputError(f"cannot tell which column holds the answers (columns: "
                         f"{', '.join(columns)}{'; ' + where if where else ''}); expected a "
                         "column named like svar, fritext, kommentar, text or answer, or name "
                         "it with --text-column (text_column=)", path=path, code="E108")
    text_k = columns.index(text_col)
    id_k = columns.index(id_col) if id_col else None
    keys = _metadata_keys(columns, text_k)
    file_path = Path(path)
    transcripts: list[Transcript] = []
    seen_ids: set[str] = set()
    # a CSV's text is NFC as a whole already; a workbook's cells are normalised as read
    # a row is not padded to the header's width: the work per row is its own cells'
    for row_number, (line, cells) in enumerate(itertools.chain(sample, rows), start=1):
        width = len(cells)
        if len(keys) < len(columns) - 1:  # a workbook's columns grew (see read_table)
            keys = _metadata_keys(columns, text_k)
        text = cells[text_k] if text_k < width else ""
        if type(text) is MergedValue:
            continue  # a merged answer is its first row's: the rows under it have none
        stripped = text.strip()
        if not stripped:
            continue
        start = text.index(stripped)
        raw_id = cells[id_k] if id_k is not None and id_k < width else ""
        answer_id = raw_id.strip() or str(row_number)
        if answer_id in seen_ids:
            merged = " (a merged cell)" if type(raw_id) is MergedValue else ""
            raise InputError(f"the id {answer_id!r} occurs twice in column {id_col!r}{merged}; "
                             "expected unique ids", path=path, line=line, code="E108")
        seen_ids.add(answer_id)
        metadata: dict[str, str] = {}
        for k, key in keys:
            if k >= width:
                break
            value = cells[k].strip()
            if value and key not in metadata:
                # values such as a project's name recur on every row: share them
                metadata[key] = sys.intern(value)
        transcripts.append(Transcript(
            source=f"{source}#{answer_id}", text=text,
            turns=[Turn(number=row_number, start=start, end=start + len(stripped),
                        speaker=None, line=line)],
            metadata=metadata, format="survey", path=file_path, sha256=digest,
        ))
    return transcripts
