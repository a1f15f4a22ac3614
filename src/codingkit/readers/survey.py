"""Open survey answers (``.csv``, ``.xlsx``): one Transcript per answer.

Each row with a non-empty answer becomes a :class:`~codingkit.Transcript`
named ``"<file>#<id>"`` with one respondent turn (``Turn.number`` is the
row's 1-based number among the data rows). The answer column is
``text_column``, else a column named *answer*, *svar*, *text*, *response*
or *fritext* (any case), else the text column with the longest answers on
average. The id is ``id_column``'s value, else the row number. The other
columns become metadata (``Projekt`` → ``project``, ``Omgång``/``Runda`` →
``round``, ``Roll`` → ``role``; others lower-cased).

CSV files may use ``,``, ``;`` (Swedish Excel) or tab as delimiter: it is
sniffed. The text is decoded like any transcript (UTF-8, UTF-16,
Windows-1252). Of an Excel workbook only the first sheet is read.
``Turn.line`` is the row's line in the file (the header is line 1), which
for CSV holds as long as no answer spans several lines.
"""

from __future__ import annotations

import csv
import io
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import InputError
from ..model import Transcript, Turn
from .encoding import decode_bytes, normalise_text, read_bytes, sha256_of
from .text import metadata_key

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

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


def read_table(path: str | os.PathLike[str], data: bytes) -> "pd.DataFrame":
    """Read a CSV or Excel file into a data frame of strings ("" for empty)."""
    import pandas as pd

    suffix = Path(path).suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        from .limits import check_unpacked_size

        check_unpacked_size(data, path)
        try:
            frame = pd.read_excel(io.BytesIO(data), dtype=str, engine="openpyxl")
        except Exception as exc:
            raise InputError(f"not a readable Excel .xlsx file ({type(exc).__name__}); "
                             "expected a workbook with a header row", path=path,
                             code="E106") from None
    else:
        text = decode_bytes(data, path)
        try:
            frame = pd.read_csv(io.StringIO(text), sep=sniff_delimiter(text), dtype=str,
                                keep_default_na=False, skip_blank_lines=True)
        except (pd.errors.ParserError, pd.errors.EmptyDataError, csv.Error) as exc:
            detail = " ".join(str(exc).split())
            raise InputError(f"malformed CSV ({detail}); expected a header row and one "
                             "answer per row", path=path, code="E107") from None
    frame = frame.fillna("")
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


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


def _choose_text_column(frame: "pd.DataFrame", id_column: str | None) -> str | None:
    columns = [str(c) for c in frame.columns]
    rows = frame.head(SAMPLE_ROWS).astype(str).values.tolist()
    return choose_text_column(columns, rows, id_column)


#: How many rows the answer column is judged from.
SAMPLE_ROWS = 1000


def _find_column(frame: "pd.DataFrame", name: str, what: str, path) -> str:
    for col in frame.columns:
        if col == name or col.casefold() == name.casefold():
            return col
    cols = ", ".join(frame.columns)
    raise InputError(f"no {what} column {name!r}; columns are: {cols}", path=path, code="E108")


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
    frame = read_table(path, data)
    if frame.empty or not len(frame.columns):
        raise InputError("no answers (no data rows)", path=path, code="E102")
    id_col = _find_column(frame, id_column, "id", path) if id_column else None
    text_col = (_find_column(frame, text_column, "text", path) if text_column
                else _choose_text_column(frame, id_col))
    if text_col is None:
        raise InputError(f"cannot tell which column holds the answers (columns: "
                         f"{', '.join(map(str, frame.columns))}); expected a column named "
                         "like svar, fritext, kommentar, text or answer, or name it with "
                         "--text-column (text_column=)", path=path, code="E108")
    transcripts: list[Transcript] = []
    seen_ids: set[str] = set()
    for row_number, row in enumerate(frame.to_dict("records"), start=1):
        text = normalise_text(str(row[text_col]))
        stripped = text.strip()
        if not stripped:
            continue
        start = text.index(stripped)
        answer_id = str(row[id_col]).strip() if id_col else str(row_number)
        if not answer_id:
            answer_id = str(row_number)
        if answer_id in seen_ids:
            raise InputError(f"the id {answer_id!r} occurs twice in column {id_col!r}; "
                             "expected unique ids", path=path, code="E108")
        seen_ids.add(answer_id)
        metadata = {}
        for col, value in row.items():
            value = normalise_text(str(value)).strip()
            if col == text_col or not value:
                continue
            metadata.setdefault(metadata_key(col), value)
        transcripts.append(Transcript(
            source=f"{source}#{answer_id}", text=text,
            turns=[Turn(number=row_number, start=start, end=start + len(stripped),
                        speaker=None, line=row_number + 1)],
            metadata=metadata, format="survey", path=Path(path), sha256=digest,
        ))
    return transcripts
