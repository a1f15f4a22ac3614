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
from ..tables import codingkit_output
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
        first = text.split("\n", 1)[0]
        return max((",", ";", "\t"), key=first.count)


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


def _column_names(cells: list) -> list[str]:
    """Header cells as column names: stripped, ``Unnamed: k`` for a blank
    one, ``name.1`` for a repeated one (as pandas names them)."""
    names: list[str] = []
    for k, cell in enumerate(cells):
        name = str(cell).strip() if cell is not None else ""
        name = name or f"Unnamed: {k}"
        base, n = name, 0
        while name in names:
            n += 1
            name = f"{base}.{n}"
        names.append(name)
    return names


def _malformed(path, detail: str, line: int | None = None) -> InputError:
    return InputError(f"malformed CSV ({detail}); expected a header row and one answer per row",
                      path=path, line=line, code="E107")


def _csv_table(path, data: bytes) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """Column names and ``(line, cells)`` per non-blank data row of a CSV.

    The text is decoded once (like any transcript) and parsed line by line,
    so that a large survey is never held as several copies (no data frame).
    """
    text = decode_bytes(data, path)
    del data
    reader = csv.reader(_iter_lines(text), delimiter=sniff_delimiter(text), strict=True)

    def rows() -> Iterator[tuple[int, list[str]]]:
        while True:
            start = reader.line_num + 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                detail = str(exc)
                if "end of data" in detail:
                    detail = "a quoted field that never ends"
                raise _malformed(path, detail, start) from None
            if cells:
                yield start, cells

    body = rows()
    first = next(body, None)
    if first is None:
        raise InputError("no answers (no data rows)", path=path, code="E102")
    columns = _column_names(first[1])

    def checked() -> Iterator[tuple[int, list[str]]]:
        width = len(columns)
        for line, cells in body:
            if len(cells) > width:
                raise _malformed(path, f"expected {width} fields, saw {len(cells)}", line)
            yield line, cells

    return columns, checked()


def _excel_table(path, data: bytes) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """Column names and ``(row, cells)`` per non-blank row of a workbook's first sheet,
    read row by row (openpyxl's read-only mode)."""
    import openpyxl

    from .limits import check_unpacked_size

    check_unpacked_size(data, path)

    def fail(exc: BaseException) -> InputError:
        return InputError(f"not a readable Excel .xlsx file ({type(exc).__name__}); "
                          "expected a workbook with a header row", path=path, code="E106")

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        it = sheet.iter_rows(values_only=True)
        header = None
        for header in it:
            if any(c is not None and str(c).strip() for c in header):
                break
    except Exception as exc:  # openpyxl raises zip, KeyError and XML errors alike
        raise fail(exc) from None
    if header is None:
        raise InputError("no answers (no data rows)", path=path, code="E102")
    columns = _column_names(list(header))

    def rows() -> Iterator[tuple[int, list[str]]]:
        number = 1
        try:
            for cells in it:
                number += 1
                values = ["" if c is None else normalise_text(str(c)) for c in cells]
                if any(values):
                    yield number, values[:len(columns)]
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
    column). Blank rows are skipped. Rows are produced one at a time.
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
    keys = [(k, metadata_key(col)) for k, col in enumerate(columns) if k != text_k]
    file_path = Path(path)
    transcripts: list[Transcript] = []
    seen_ids: set[str] = set()
    # a CSV's text is NFC as a whole already; a workbook's cells are normalised as read
    for row_number, (line, cells) in enumerate(itertools.chain(sample, rows), start=1):
        if len(cells) < len(columns):
            cells = cells + [""] * (len(columns) - len(cells))
        text = cells[text_k]
        stripped = text.strip()
        if not stripped:
            continue
        start = text.index(stripped)
        answer_id = cells[id_k].strip() if id_k is not None else ""
        if not answer_id:
            answer_id = str(row_number)
        if answer_id in seen_ids:
            raise InputError(f"the id {answer_id!r} occurs twice in column {id_col!r}; "
                             "expected unique ids", path=path, line=line, code="E108")
        seen_ids.add(answer_id)
        metadata: dict[str, str] = {}
        for k, key in keys:
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
