"""Code a Dask data frame of texts with a fitted coder, past one machine.

Needs the optional extra: ``pip install 'codingkit[dask]'`` (Dask's data
frames and its distributed scheduler). See ``docs/dask.md``.

Each row of the frame becomes a :class:`~codingkit.Transcript`, by one of
:data:`ROW_KINDS`:

``"answer"`` (default)
    An open survey answer, as :func:`codingkit.readers.survey.read_survey`
    reads a row of a ``.csv``: the transcript ``"<source>#<id>"`` with one
    respondent turn numbered by the row's 1-based position in the frame;
    the id is ``id_column``'s value, else that row number; a blank answer
    is skipped (its row still counts). Every other column is metadata
    (``projekt`` → ``project``, ``omgång`` → ``round``, ``roll`` → ``role``).
``"transcript"``
    A whole interview: ``text_column`` holds its text with speaker turns
    (as a ``.txt`` transcript), ``id_column`` its name (``source``); the
    turns, the header's metadata and the interviewer are found as
    :func:`codingkit.read_transcripts` finds them, and the other columns
    are metadata as a ``manifest.csv`` gives it.

:func:`code_frame` maps :func:`code_partition` over the partitions
(``map_partitions``): a pure function of one partition and the fitted
coder, so a row is coded exactly as :meth:`codingkit.Coder.code` codes it
in one process. The coder is shipped to the workers once (one task holds
it, see :func:`ship_coder`). :func:`write_parquet` writes the segment and
coding tables as partitioned Parquet and the frequencies (each partition's
counts, added up), with the columns and values of the tables ``codingkit
apply --format parquet`` writes.

>>> import pandas as pd, dask.dataframe as dd
>>> from codingkit import Coder
>>> from codingkit.dask import code_frame
>>> answers = pd.DataFrame({"id": ["1", "2"], "projekt": ["Syd", "Syd"],
...                         "svar": ["Vi skickade ut en RFI till leverantörerna.", ""]})
>>> coder = Coder(similarity="none").fit()        # the codebook's rules alone
>>> coded = code_frame(dd.from_pandas(answers, npartitions=1), coder, source="enkat.csv")
>>> seg, cod, freq = coded.compute(scheduler="sync")
>>> seg[["segment_id", "project", "text"]].values.tolist()
[['enkat.csv#1:1', 'Syd', 'Vi skickade ut en RFI till leverantörerna.']]
>>> cod[["segment_id", "code", "theme", "method"]].values.tolist()
[['enkat.csv#1:1', 'tidig_dialog.rfi', 'tidig_dialog', 'rule']]
>>> freq.loc[freq["code"] == "tidig_dialog", ["project", "round", "sources", "sources_total"]
...          ].values.tolist()
[['Syd', '(okänd)', 1, 1]]
"""

from __future__ import annotations

import itertools
import math
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator, NamedTuple, Sequence

from .errors import CodingkitError, InputError

try:
    import dask
    import dask.dataframe as dd
except ImportError:  # pragma: no cover - the test extra installs dask
    raise CodingkitError("coding a Dask data frame needs Dask: pip install "
                         "'codingkit[dask]'", code="E705") from None

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from .coding import Coder
    from .model import Transcript

__all__ = ["Coded", "ROW_KINDS", "ShippedCoder", "Tables", "code_frame", "code_partition",
           "default_coder", "ship_coder", "total_frequencies", "write_parquet"]

#: What :func:`write_parquet` writes into its folder, in this order.
FREQUENCIES, RUN_FILE = "frequencies.parquet", "run.json"
OWNED = ("segments", "codings", FREQUENCIES, RUN_FILE)

# one coder object serves every thread of a worker process; spaCy's
# tokenizer and the coder's lazily built parts are not made for concurrent
# use, so a process codes one partition at a time (run workers as processes)
_CODING = threading.Lock()


def _cell(value: Any) -> str:
    """A cell as the text a survey reader gives: ``""`` for a missing value,
    a whole float without ``.0`` (a column of round numbers with a gap in it
    is read as floats: ``2.0`` is round ``2``)."""
    import pandas as pd

    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value.is_integer():
            return str(int(value))
    return str(value)


def _metadata(cells: Sequence[Any], keys: Sequence[tuple[int, str]]) -> dict[str, str]:
    """The metadata of a row: the first non-empty value of each key."""
    import sys

    metadata: dict[str, str] = {}
    for k, key in keys:
        value = _normalised(_cell(cells[k])).strip()
        if value and key not in metadata:
            metadata[key] = sys.intern(value)
    return metadata


def _normalised(text: str) -> str:
    from .readers.encoding import normalise_text

    return normalise_text(text) if text else text


@dataclass(frozen=True)
class _Layout:
    """Where the text, the id and the metadata are in a frame's columns."""

    columns: tuple[str, ...]
    text: int
    id: int | None
    metadata: tuple[tuple[int, str], ...]


def _answers(rows: "pd.DataFrame", layout: _Layout, *, source: str, first_row: int
             ) -> Iterator["Transcript"]:
    """One transcript per non-blank answer, as the survey reader makes it."""
    from .model import Transcript, Turn

    seen: set[str] = set()
    for number, cells in enumerate(rows.itertuples(index=False, name=None), start=first_row + 1):
        text = _normalised(_cell(cells[layout.text]))
        stripped = text.strip()
        if not stripped:
            continue
        start = text.index(stripped)
        answer_id = (_normalised(_cell(cells[layout.id])).strip() if layout.id is not None
                     else "") or str(number)
        if answer_id in seen:
            raise _twice(answer_id, layout)
        seen.add(answer_id)
        yield Transcript(source=f"{source}#{answer_id}", text=text,
                         turns=[Turn(number=number, start=start, end=start + len(stripped))],
                         metadata=_metadata(cells, layout.metadata), format="survey")


def _transcripts(rows: "pd.DataFrame", layout: _Layout, *, source: str, first_row: int
                 ) -> Iterator["Transcript"]:
    """One transcript per row whose text holds a whole interview with speaker turns,
    read as :func:`codingkit.read_transcripts` reads a ``.txt`` with a manifest row."""
    from .model import Transcript
    from .readers import _merge_metadata
    from .readers.roles import assign_roles
    from .readers.text import turns_and_metadata

    seen: set[str] = set()
    for number, cells in enumerate(rows.itertuples(index=False, name=None), start=first_row + 1):
        text = _normalised(_cell(cells[layout.text]))
        if not text.strip():
            continue
        name = _normalised(_cell(cells[layout.id])).strip() if layout.id is not None else ""
        if not name:
            raise InputError(f"row {number} has no transcript name in column "
                             f"{layout.columns[layout.id or 0]!r}; expected a name per "
                             "transcript", code="E108")
        if name in seen:
            raise _twice(name, layout)
        seen.add(name)
        manifest = _metadata(cells, layout.metadata)
        known = [manifest["interviewer"]] if manifest.get("interviewer") else []
        turns, header, _ = turns_and_metadata(text, name, known_speakers=known)
        t = Transcript(source=name, text=text, turns=turns,
                       metadata=_merge_metadata(manifest, header), format="text")
        if any(turn.speaker is not None for turn in t.turns):
            assign_roles(t)
        yield t


def _twice(value: str, layout: _Layout) -> InputError:
    column = layout.columns[layout.id] if layout.id is not None else "(row number)"
    return InputError(f"the id {value!r} occurs twice in column {column!r}; expected unique "
                      "ids", code="E108")


#: How a row becomes a transcript, by ``kind`` (see the module docstring).
ROW_KINDS: dict[str, Callable[..., Iterator["Transcript"]]] = {
    "answer": _answers,
    "transcript": _transcripts,
}


def _find(columns: Sequence[str], name: str, what: str) -> int:
    for k, col in enumerate(columns):
        if col == name or col.casefold() == name.casefold():
            return k
    raise InputError(f"no {what} column {name!r}; columns are: {', '.join(columns)}",
                     code="E108")


def _layout(columns: Sequence[Any], kind: str, text_column: str | None,
            id_column: str | None) -> _Layout:
    """The frame's text, id and metadata columns (E108 when one cannot be found)."""
    from .readers.survey import choose_text_column
    from .readers.text import metadata_key

    if kind not in ROW_KINDS:
        raise InputError(f"unknown kind of row {kind!r}; expected one of "
                         f"{', '.join(ROW_KINDS)}", code="E108")
    columns = tuple(str(c) for c in columns)
    if kind == "transcript":
        text_column = text_column or "text"
        id_column = id_column or "source"
    id_k = _find(columns, id_column, "id") if id_column else None
    if text_column:
        text_k = _find(columns, text_column, "text")
    else:
        chosen = choose_text_column(list(columns), [],
                                    columns[id_k] if id_k is not None else None)
        if chosen is None:
            raise InputError(f"cannot tell which column holds the answers (columns: "
                             f"{', '.join(columns)}); expected a column named like svar, "
                             "fritext, kommentar, text or answer, or name it with "
                             "text_column=", code="E108")
        text_k = columns.index(chosen)
    skip = {text_k} | ({id_k} if kind == "transcript" and id_k is not None else set())
    keys = tuple((k, metadata_key(c)) for k, c in enumerate(columns) if k not in skip)
    return _Layout(columns, text_k, id_k, keys)


def _segment_columns(layout: _Layout) -> list[str]:
    """The segment table's columns: those of :data:`codingkit.tables.SEGMENT_COLUMNS`
    and the frame's other metadata (sorted by name), as :func:`~codingkit.tables.segment_columns`
    gives them when every row has every metadata value."""
    from .tables import CORE_METADATA, SEGMENT_COLUMNS, _SKIP_META

    extra = sorted({key for _, key in layout.metadata} - set(CORE_METADATA) - _SKIP_META)
    return SEGMENT_COLUMNS + extra


def _empty(columns: Sequence[str], ints: Sequence[str] = (), floats: Sequence[str] = ()
           ) -> "pd.DataFrame":
    import pandas as pd

    dtype = {c: ("int64" if c in ints else "float64" if c in floats else "str")
             for c in columns}
    return pd.DataFrame({c: pd.Series(dtype=dtype[c]) for c in columns})


_SEG_INTS = ("turn", "start", "end")


class Tables(NamedTuple):
    """The tables of coded rows (pandas data frames)."""

    segments: "pd.DataFrame"
    codings: "pd.DataFrame"
    #: Counts per group × code as :func:`codingkit.tables.frequencies_table`
    #: makes them (of one partition, from :func:`code_partition`).
    frequencies: "pd.DataFrame"


def code_partition(rows: "pd.DataFrame", coder: "Coder", *, kind: str = "answer",
                   text_column: str | None = None, id_column: str | None = None,
                   source: str = "svar", first_row: int = 0,
                   by: Sequence[str] = ("project", "round")) -> Tables:
    """Code one partition: its segment, coding and frequency tables.

    A pure function of ``rows`` and the fitted ``coder``: the tables
    :meth:`codingkit.Coder.code` makes of the same transcripts
    (:data:`codingkit.tables.CODING_COLUMNS`; the segment table with a column
    for every metadata column of ``rows``, ``""`` where a row has no value;
    the frequencies of these rows alone, per ``by``).

    Parameters
    ----------
    rows:
        A pandas data frame (one partition).
    coder:
        A fitted :class:`codingkit.Coder`.
    kind, text_column, id_column, source, by:
        See :func:`code_frame`.
    first_row:
        How many rows of the whole frame come before ``rows`` (answers are
        numbered by their position in the whole frame).

    Raises
    ------
    InputError
        E108: a named column is missing, or an id occurs twice.
    """
    from dataclasses import replace

    from .tables import CODING_COLUMNS, codings_table, frequency_rows, segment_rows

    layout = _layout(rows.columns, kind, text_column, id_column)
    transcripts = list(ROW_KINDS[kind](rows, layout, source=source, first_row=first_row))
    with _CODING:
        result = coder.code(transcripts)
    columns = _segment_columns(layout)
    seg_dtypes = _empty(columns, ints=_SEG_INTS).dtypes.to_dict()
    seg = _records(columns, segment_rows(result.segment_list, columns)).astype(seg_dtypes)
    cod = (codings_table(result.coding_list) if result.coding_list
           else _empty(CODING_COLUMNS)).astype({"score": "float64"})
    # every source has each key (empty: the group "(okänd)"), so that a
    # partition where no row has a value for a key counts in that group
    # instead of failing the check for a misspelt key (checked by code_frame)
    filled = [replace(t, metadata={**dict.fromkeys(by, ""), **t.metadata})
              for t in result.transcripts]
    freq = _records(_frequency_columns(by), frequency_rows(
        result.segment_list, result.coding_list, result.codebook, filled, by=tuple(by)))
    return Tables(seg, cod, freq.astype(_frequency_meta(by).dtypes.to_dict()))


def _frequency_columns(by: Sequence[str]) -> list[str]:
    from .tables import FREQUENCY_COUNTS

    return [*by, *FREQUENCY_COUNTS]


_COUNTS = ("codings", "segments", "sources", "sources_total", "segments_total")


def _frequency_meta(by: Sequence[str]) -> "pd.DataFrame":
    return _empty(_frequency_columns(by), ints=_COUNTS, floats=("share_sources",))


def _records(columns: Sequence[str], rows) -> "pd.DataFrame":
    import pandas as pd

    return pd.DataFrame.from_records(list(rows), columns=list(columns))


def _all(rows: "pd.DataFrame", coder: "Coder", offsets: Sequence[int], options: dict,
         partition_info: dict | None = None) -> "pd.DataFrame":
    """:func:`code_partition` of a partition as one frame: the three tables one
    below the other, their columns prefixed with the table's name
    (``segments:text``), so that Dask codes each partition once for all three."""
    import pandas as pd

    number = partition_info["number"] if partition_info else 0
    tables = code_partition(rows, coder, first_row=offsets[number], **options)
    return pd.concat([t.add_prefix(f"{name}:") for name, t in tables._asdict().items()],
                     ignore_index=True, sort=False)


def _all_meta(metas: dict[str, "pd.DataFrame"]) -> "pd.DataFrame":
    import pandas as pd

    frames = [m.add_prefix(f"{name}:") for name, m in metas.items()]
    both = pd.concat(frames, ignore_index=True, sort=False)
    # the integer columns hold NaN on the other tables' rows
    return both.astype({c: "float64" for c in both.columns if both[c].dtype == "int64"})


def _take(both: "pd.DataFrame", table: str, meta: "pd.DataFrame") -> "pd.DataFrame":
    """The rows and columns of one table out of :func:`_all`'s frame."""
    first = f"{table}:{meta.columns[0]}"
    part = both.loc[both[first].notna(), [f"{table}:{c}" for c in meta.columns]]
    part.columns = list(meta.columns)
    return part.astype(meta.dtypes.to_dict()).reset_index(drop=True)


def total_frequencies(partials: "pd.DataFrame", by: Sequence[str], codes: Sequence[str]
                      ) -> "pd.DataFrame":
    """The frequency table of a whole frame from those of its partitions.

    Every source is in one partition, so its counts add up: codings,
    segments, sources and the denominators are sums, the share is made
    again (``sources / sources_total``, 4 decimals). Rows are in the order
    of :func:`codingkit.tables.frequencies_table`: groups sorted, then
    ``codes`` (codebook order).
    """
    by = list(by)
    keys = [*by, "code"]
    sums = partials.groupby(keys, sort=False, dropna=False)[list(_COUNTS)].sum()
    names = partials.drop_duplicates(keys).set_index(keys)[["theme", "label"]]
    out = names.join(sums).reset_index()
    order = {c: k for k, c in enumerate(codes)}
    out = out.iloc[sorted(range(len(out)), key=lambda i: (
        tuple(out[b].iat[i] for b in by), order.get(out["code"].iat[i], len(order))))]
    total = out["sources_total"]
    out["share_sources"] = [round(n / t, 4) if t else 0.0
                            for n, t in zip(out["sources"], total)]
    return out[_frequency_columns(by)].astype(_frequency_meta(by).dtypes.to_dict()
                                              ).reset_index(drop=True)


@dataclass(frozen=True)
class Coded:
    """The tables of a coded Dask frame, lazy: ``segments`` and ``codings``
    (Dask frames) and the frequencies (from :attr:`partial_frequencies`,
    the counts of each partition, added up by :meth:`compute` and
    :func:`write_parquet`).

    Compute them together (:meth:`compute`, :func:`write_parquet`, or
    ``dask.compute(coded.segments, coded.codings)``): each partition is
    then coded once for all.
    """

    segments: "dd.DataFrame"
    codings: "dd.DataFrame"
    partial_frequencies: "dd.DataFrame"
    #: The metadata keys the frequencies are counted per.
    by: tuple[str, ...] = ("project", "round")
    #: The codebook's codes, in order (the frequency table's order).
    codes: tuple[str, ...] = ()
    #: What ``run.json`` records of the run: the codebook, the coder's
    #: options, how rows were read.
    run: dict = field(default_factory=dict)

    def compute(self, **kwargs: Any) -> Tables:
        """The three tables as pandas data frames (``kwargs``: for :func:`dask.compute`)."""
        seg, cod, part = dask.compute(self.segments, self.codings, self.partial_frequencies,
                                      **kwargs)
        return Tables(seg.reset_index(drop=True), cod.reset_index(drop=True),
                      total_frequencies(part, self.by, self.codes))


@dataclass(frozen=True)
class ShippedCoder:
    """A fitted coder as one object of a Dask graph (see :func:`ship_coder`):
    ``handle`` is what the coding tasks receive, ``about`` what ``run.json``
    records of the coder."""

    handle: Any
    about: dict


def _about(coder: "Coder") -> dict:
    cb = coder.codebook_
    return {"codebook": {"id": cb.id, "version": cb.version, "sha256": cb.sha256},
            "coder": {"unit": coder.unit, "similarity": coder.similarity,
                      "code_interviewer": coder.code_interviewer,
                      "learned": coder.learner_ is not None,
                      "bundled": getattr(coder, "provenance_", None) == "bundled"},
            "codes": list(cb.codes)}


def ship_coder(coder: "Coder", client: Any = None) -> ShippedCoder:
    """The fitted ``coder`` as one object of the Dask graph, for :func:`code_frame`.

    With a :class:`distributed.Client`: ``client.scatter(coder,
    broadcast=True)``, a copy on every worker before any task runs. Without:
    a :func:`dask.delayed` object, one task that holds the coder, which the
    tasks that code depend on (a distributed cluster sends it to a worker
    once and copies it between workers as they need it). Either way it is
    not pickled into every task. An unfitted coder is fitted first (on its
    codebook alone, as :meth:`~codingkit.Coder.code` would).
    """
    from .coding import Coder

    if not isinstance(coder, Coder):
        raise TypeError(f"expected a codingkit Coder, got {type(coder).__name__}")
    if not coder.is_fitted():
        coder.fit()
    # a fresh key: Dask's default key is a hash of the pickled coder (seconds of work)
    if client is not None:
        return ShippedCoder(client.scatter(coder, broadcast=True, hash=False), _about(coder))
    from uuid import uuid4

    return ShippedCoder(dask.delayed(coder, name=f"codingkit-coder-{uuid4().hex}"),
                        _about(coder))


def default_coder() -> "Coder":
    """The coder ``codingkit apply`` codes with by default: the learned coder
    bundled with the default codebook (:func:`codingkit.coding.bundled.bundled_coder`)."""
    from .coding import Coder
    from .coding.bundled import bundled_coder

    return bundled_coder() or Coder().fit()


def _row_offsets(frame: "dd.DataFrame", layout: _Layout) -> list[int]:
    """How many rows come before each partition, in one pass that counts them
    and, with an id column, finds an id given to two answers (E108)."""
    lengths = frame.map_partitions(len)
    if layout.id is None:
        return [0, *itertools.accumulate(int(n) for n in lengths.compute())]
    text = frame[layout.columns[layout.text]].fillna("").astype(str).str.strip()
    ids = frame[layout.columns[layout.id]].fillna("").astype(str).str.strip()
    counts = ids[(text != "") & (ids != "")].value_counts()
    lengths, twice = dask.compute(lengths, counts[counts > 1])
    if len(twice):
        raise _twice(str(sorted(twice.index)[0]), layout)
    return [0, *itertools.accumulate(int(n) for n in lengths)]


def _current_client() -> Any:
    """The ``distributed`` client in use, if any."""
    try:
        from distributed import default_client
    except ImportError:  # pragma: no cover - installed with the extra
        return None
    try:
        return default_client()
    except ValueError:  # no client
        return None


def code_frame(frame: "dd.DataFrame", coder: "Coder | Any" = None, *, kind: str = "answer",
               text_column: str | None = None, id_column: str | None = None,
               source: str = "svar", by: Sequence[str] = ("project", "round")) -> Coded:
    """Code every row of a Dask data frame with a fitted coder.

    Parameters
    ----------
    frame:
        A :class:`dask.dataframe.DataFrame` (e.g. from ``dd.read_csv(...,
        dtype=str, keep_default_na=False)`` or ``dd.read_parquet``).
    coder:
        A fitted :class:`codingkit.Coder` (``None``: the coder ``codingkit
        apply`` codes with by default, :func:`default_coder`), shipped with
        :func:`ship_coder` (scattered to every worker when a
        ``distributed`` client is in use), or what :func:`ship_coder`
        returned (to ship it once for several frames).
    kind:
        ``"answer"`` (a survey answer per row) or ``"transcript"`` (a whole
        interview per row); see the module docstring.
    text_column:
        The column of the texts. Answers: by default the column named like
        an answer (``svar``, ``fritext``, ``text``, …), as the survey reader
        chooses it by name. Transcripts: default ``"text"``.
    id_column:
        Answers: the column of the answer ids (default: the row number).
        Transcripts: the column of their names (default ``"source"``).
    source:
        Answers: the name before ``#`` in each transcript's name (the survey
        file's name, ``"enkat_omg2.csv"``, gives the names ``codingkit
        apply`` gives its rows).
    by:
        The metadata keys the frequencies are counted per (as ``apply
        --by``).

    Returns
    -------
    Coded
        The lazy tables. For answers, the rows of each partition are first
        counted (one quick pass over the frame), as answers are numbered by
        their position in the whole frame.

    Raises
    ------
    InputError
        E108: no text column can be found, a named column is missing, or an
        answer id occurs twice (found when the rows are counted; a
        transcript name given twice is found within a partition).
    OutputError
        E404: a key of ``by`` is no column of the frame.
    """
    from .tables import CODING_COLUMNS, check_group_keys

    if not isinstance(frame, dd.DataFrame):
        raise TypeError(f"expected a dask.dataframe.DataFrame, got {type(frame).__name__}")
    layout = _layout(frame.columns, kind, text_column, id_column)
    by = tuple(by)
    check_group_keys([{key: "x" for _, key in layout.metadata}], by)
    if not isinstance(coder, ShippedCoder):
        coder = ship_coder(coder if coder is not None else default_coder(), _current_client())
    options = {"kind": kind, "text_column": layout.columns[layout.text],
               "id_column": layout.columns[layout.id] if layout.id is not None else None,
               "source": source}
    offsets = _row_offsets(frame, layout) if kind == "answer" else [0] * frame.npartitions
    metas = {"segments": _empty(_segment_columns(layout), ints=_SEG_INTS),
             "codings": _empty(CODING_COLUMNS, floats=("score",)),
             "frequencies": _frequency_meta(by)}
    every = frame.map_partitions(_all, coder.handle, offsets, {**options, "by": by},
                                 meta=_all_meta(metas), align_dataframes=False)
    seg, cod, freq = (every.map_partitions(_take, name, meta, meta=meta)
                      for name, meta in metas.items())
    return Coded(segments=seg, codings=cod, partial_frequencies=freq, by=by,
                 codes=tuple(coder.about["codes"]),
                 run={**{k: v for k, v in coder.about.items() if k != "codes"},
                      "rows_read_as": options, "by": list(by)})


def write_parquet(coded: Coded, out_dir: str | os.PathLike[str], *, force: bool = False,
                  **compute_kwargs: Any) -> list[Path]:
    """Write the coded tables as Parquet, coding each partition once for all.

    ``out_dir`` gets ``segments/`` and ``codings/`` (one ``part.<n>.parquet``
    per partition; ``pandas.read_parquet(out_dir / "segments")`` reads the
    table whole), ``frequencies.parquet`` (per ``by`` × code, as ``apply``
    counts them) and ``run.json`` (the codingkit version, the codebook, the
    coder's options, how rows were read, the partitions and rows written). The folder is written as one unit, like a results
    folder of ``codingkit apply`` (:class:`~codingkit.fileio.ResultsFolder`:
    beside ``out_dir`` first, then moved into place), so it must be a path
    every worker can write to (a local folder, or a shared file system
    mounted at the same path on every machine).

    Parameters
    ----------
    coded:
        What :func:`code_frame` returned.
    out_dir:
        The folder; an existing non-empty one is refused unless ``force``.
    compute_kwargs:
        For :func:`dask.compute` (e.g. ``scheduler="sync"``); by default the
        current client or scheduler.

    Returns
    -------
    list of Path
        The two table folders, ``frequencies.parquet`` and ``run.json``.

    Raises
    ------
    OutputError
        E401, E402, E405, E406 as for a results folder.
    """
    import json

    from . import __version__
    from .fileio import ResultsFolder

    with ResultsFolder(out_dir, force=force, owned=set(OWNED).__contains__) as rf:
        stage = rf.staging
        assert stage is not None
        tables = {"segments": coded.segments, "codings": coded.codings}
        writes = [frame.to_parquet(str(stage / name), write_index=False, compute=False)
                  for name, frame in tables.items()]
        *_, partials = dask.compute(*writes, coded.partial_frequencies, **compute_kwargs)
        freq = total_frequencies(partials, coded.by, coded.codes)
        freq.to_parquet(stage / FREQUENCIES, index=False)
        import pyarrow.parquet as pq

        rows = {name: sum(pq.ParquetFile(p).metadata.num_rows
                          for p in (stage / name).glob("*.parquet")) for name in tables}
        run = {"codingkit_version": __version__, "written_by": "codingkit.dask.write_parquet",
               **coded.run, "partitions": coded.segments.npartitions,
               "rows": {**rows, "frequencies": len(freq)}}
        (stage / RUN_FILE).write_text(json.dumps(run, ensure_ascii=False, indent=2) + "\n",
                                      encoding="utf-8")
    return [Path(out_dir) / name for name in OWNED]
