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
starts; the header is line 1.

Rows are read one at a time (a CSV is decoded once and parsed line by
line; a workbook in openpyxl's read-only mode), so a survey of a million
rows is never held as a data frame as well.
"""

from __future__ import annotations

import csv
import io
import itertools
import os
import re
import sys
from pathlib import Path
from typing import Iterator

from ..errors import InputError
from ..model import Transcript, Turn
from .encoding import decode_bytes, normalise_text, read_bytes, sha256_of
from ..tables import codingkit_output, header_delimiter
from .text import metadata_key

#: Column names taken as the answer column (case-insensitive).
ANSWER_COLUMNS = ("answer", "svar", "text", "response", "fritext")


def sniff_delimiter(text: str) -> str:
    """The delimiter of a CSV text: ``,``, ``;`` or tab.

    >>> sniff_delimiter("id;svar\\n1;Vi hade en dialog, tidigt.\\n")
    ';'
    """
    sample = "\n".join(text.split("\n")[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        return header_delimiter(text)


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


def _next_row(reader, limit: int) -> list[str]:
    """The next row of a :func:`csv.reader`, with fields of up to ``limit``
    characters.

    :func:`csv.field_size_limit` is global to the process: it is set for
    this one row and put back, so other code reading CSV is not affected
    (the reader checks it as it parses, and a survey's rows are read
    lazily, interleaved with other work).
    """
    previous = csv.field_size_limit(limit)
    try:
        return next(reader)
    finally:
        csv.field_size_limit(previous)


def _field_too_long(path, limit: int, line: int) -> InputError:
    """E112 for a CSV field longer than codingkit's longest turn."""
    mb = limit / 1_000_000
    return InputError(f"a field is over {limit:,} characters long, the limit of "
                      f"one answer; to read it, raise the limit, e.g. "
                      f"CODINGKIT_MAX_TURN_MB={int(2 * mb) + 1}", path=path, line=line,
                      code="E112")


def _csv_table(path, data: bytes) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """Column names and ``(line, cells)`` per non-blank data row of a CSV.

    The text is decoded once (like any transcript) and parsed line by line,
    so that a large survey is never held as several copies (no data frame).
    A field may be as long as the longest turn
    (:func:`~codingkit.readers.limits.max_turn_chars`, not the csv module's
    131,072 characters); a longer one is an error (E112) naming its line.
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
                cells = _next_row(reader, limit)
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
    first = next(body, None)
    if first is None:
        raise InputError("no answers (no data rows)", path=path, code="E102")
    if len(first[1]) > MAX_COLUMNS:
        raise beyond_sheet(path, f"the header row has {len(first[1]):,} columns", first[0])
    columns = _column_names(first[1])

    def checked() -> Iterator[tuple[int, list[str]]]:
        width = len(columns)
        for line, cells in body:
            if len(cells) > width:
                raise _malformed(path, f"expected {width} fields, saw {len(cells)}", line)
            yield line, cells

    return columns, checked()


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


def _excel_table(path, data: bytes) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """Column names and ``(row, cells)`` per non-blank row of a workbook's first sheet,
    read row by row (openpyxl's read-only mode, see :func:`_sheet_rows`).

    The columns are those of the header row (the first that is not blank) up
    to its last named one. A row with a value further right adds columns
    (``Unnamed: k``) to the list returned as it is read, so that no value is
    lost; a row is the sheet's own row number.
    """
    import openpyxl

    from .limits import check_unpacked_size, refused_entities

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
        it = _sheet_rows(path, book.worksheets[0])
        header: list[str] = []
        for _, header in it:
            if any(v.strip() for v in header):
                break
    except Exception as exc:  # openpyxl raises zip, KeyError and XML errors alike
        if book is not None:
            book.close()
        if isinstance(exc, InputError):
            raise
        raise fail(exc) from None
    while header and not header[-1].strip():
        header.pop()
    if not header:
        book.close()
        raise InputError("no answers (no data rows)", path=path, code="E102")
    namer = _ColumnNamer()
    for cell in header:
        namer.add(cell)
    columns = namer.names

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:
            for number, values in it:
                while len(columns) < len(values):
                    namer.add(None)  # a value right of the header: a column of its own
                if values:
                    yield number, values
        except InputError:
            raise
        except Exception as exc:
            raise fail(exc) from None
        finally:
            book.close()

    return columns, rows()


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


def read_table(path: str | os.PathLike[str], data: bytes
               ) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The column names of a CSV or Excel file and an iterator of its rows.

    Each row is ``(line, cells)``: the line (CSV) or row (Excel) where it
    starts, and its cells as strings (``""`` for empty; at most one per
    column, and maybe fewer). Blank rows are skipped. Rows are produced one
    at a time. A CSV row with more fields than the header is an error
    (E107); of a workbook, a value right of the header's columns adds a
    column to ``columns`` (``Unnamed: k``) before its row is produced.
    """
    if Path(path).suffix.lower() in (".xlsx", ".xlsm"):
        return _excel_table(path, data)
    return _csv_table(path, data)


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


def _find_column(columns: list[str], name: str, what: str, path) -> str:
    for col in columns:
        if col == name or col.casefold() == name.casefold():
            return col
    raise InputError(f"no {what} column {name!r}; columns are: {', '.join(columns)}",
                     path=path, code="E108")


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
        A ``.csv`` or ``.xlsx`` file with a header row.
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
        For a malformed CSV (``E107``), an unreadable workbook (``E106``), or
        a named column that does not exist (``E108``).
    """
    data = read_bytes(path)
    digest = sha256_of(data)
    columns, rows = read_table(path, data)
    del data
    own = codingkit_output(columns) if text_column is None else None
    if own is not None:
        hint = (" (a filled-in sheet is read with --learn-from or evaluate --gold)"
                if own.startswith("codingkit's coding sheet") else "")
        raise InputError(f"{own}, not a survey{hint}; expected open survey answers, one per row",
                         path=path, code="E115")
    sample = list(itertools.islice(rows, SAMPLE_ROWS))
    if not sample:
        raise InputError("no answers (no data rows)", path=path, code="E102")
    id_col = _find_column(columns, id_column, "id", path) if id_column else None
    text_col = (_find_column(columns, text_column, "text", path) if text_column
                else choose_text_column(columns, [c for _, c in sample], id_col))
    if text_col is None:
        raise InputError(f"cannot tell which column holds the answers (columns: "
                         f"{', '.join(columns)}); expected a column named "
                         "like svar, fritext, kommentar, text or answer, or name it with "
                         "--text-column (text_column=)", path=path, code="E108")
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
        stripped = text.strip()
        if not stripped:
            continue
        start = text.index(stripped)
        answer_id = cells[id_k].strip() if id_k is not None and id_k < width else ""
        if not answer_id:
            answer_id = str(row_number)
        if answer_id in seen_ids:
            raise InputError(f"the id {answer_id!r} occurs twice in column {id_col!r}; "
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
