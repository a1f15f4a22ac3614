"""Human coding: reading it, and aligning it to codingkit's segments.

Learning (:meth:`codingkit.Coder.fit`) and evaluation
(:func:`codingkit.evaluate`) both start here.

Human coding
------------
A CSV file in one of three shapes (extra columns such as ``speaker``,
``excerpt``, ``text`` or ``coder`` are kept but not needed):

``source, turn, code``
    One row per coded turn (``turn`` is the 1-based turn number of the
    transcript, counting every speaker, as in :class:`codingkit.Turn`).
``segment_id, code``
    One row per coded segment (``"syd/01.txt:12"``, see
    :class:`codingkit.Segment`).
``source, start, end, code``
    One row per coded span, in code points of the transcript's NFC text (as
    REFI-QDA counts them, and as ``codingkit refiqda import`` writes them).
    A segment counts as coded when the span covers at least ``min_overlap``
    of the segment or the segment covers at least ``min_overlap`` of the
    span.

A coding sheet written by ``codingkit suggest`` and filled in (``.xlsx``:
``source, turn`` and one 0/1 column per theme) is turn coding with its own
list of the turns read: the rows where a theme cell is filled in. A review
project of ``codingkit suggest`` (``granska.qdpx``, one source per turn),
coded in QualCoder or NVivo, is turn coding too, its turns read the sources
with a coding (a turn about no theme coded ``granskad – inget tema``).

A CSV with ``source, turn`` and no ``code`` column lists the turns the human
coder *read*: the universe of the evaluation, so that turns left uncoded
count as "absent" and not as "not looked at". With a ``mark`` column
(``source, turn, mark``, as ``gold/<set>_marks.csv``) it is a list of
marks instead, about the turns it names only (not a list of every turn
read): which the coder marked as **about something else** than the evaluated work
(``om_annat``, ``off_topic`` or ``hard_negative:<code>``; ``content_free``
and an empty mark say nothing more): :meth:`codingkit.Coder.fit` learns its
topic check from them (:mod:`codingkit.coding.topic`). So does the column
``om_annat`` of a coding sheet. A ``source, split`` CSV
(``splits.csv``) assigns whole transcripts to a ``dev`` or ``test`` split.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Sequence

from .errors import CodingkitWarning, EvaluationError, UnfairTestWarning
from .model import RESPONDENT, Codebook, Segment
from .tables import CONTEXT_COLUMNS, header_delimiter, unquote_cell

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["HumanCoding", "read_human_coding", "read_coding_rounds", "align_human_coding",
           "sources_mismatch", "unknown_codes", "read_review_sheet", "read_review_turns"]

#: The sheet of a coding sheet of ``codingkit suggest`` holding the turns
#: (:func:`codingkit.suggest.write_review_sheet`; else its first sheet).
SHEET_NAME = "Kodning"

#: The free comment column after a coding sheet's theme columns (the
#: columns before them are :data:`codingkit.tables.CONTEXT_COLUMNS`).
COMMENT_COLUMN = "comment"

#: The column of a coding sheet where the coder marks a turn as about
#: something else than the evaluated work (1), though it may use a theme's
#: words: the turns :meth:`codingkit.Coder.fit` learns its topic check from.
OFF_TOPIC_COLUMN = "om_annat"

#: Marks of a marks CSV (``source, turn, mark``) that say a turn is about
#: something else (besides ``hard_negative:<code>``), and marks that say
#: nothing more than that the turn was read.
_OFF_TOPIC_MARKS = frozenset({"om_annat", "off_topic", "annat"})
_OTHER_MARKS = frozenset({"", "content_free"})

#: The sheet of a coding sheet that says how to fill it in, and ends in the
#: list of the sheet's themes (a row per theme: id, label, description)
#: after the row :data:`THEMES_HEADING`.
INSTRUCTIONS_SHEET = "Instruktioner"
THEMES_HEADING = "Teman (kolumnnamn = tema-id):"


# --------------------------------------------------------------------------
# Reading human coding
# --------------------------------------------------------------------------


@dataclass
class HumanCoding:
    """Human coding, as read from one or more files.

    Attributes
    ----------
    kind:
        ``"turn"`` (rows name ``source`` and ``turn``), ``"segment"`` (rows
        name ``segment_id``) or ``"span"`` (rows name ``source``, ``start``,
        ``end``).
    codings:
        One row per coded unit × code. Columns: ``code`` and the key columns
        of ``kind`` (plus whatever else the file had).
    turns:
        The turns the coder read (``source``, ``turn``; with a boolean
        column ``off_topic`` when the coder marked some as about something
        else, see :attr:`off_topic`), or ``None`` when no such list was
        given.
    splits:
        ``source`` → split name (``"dev"``, ``"test"``), or empty.
    paths:
        The files read.
    marks:
        The turns a marks CSV (``source, turn, mark``) speaks about, with a
        boolean column ``off_topic``; ``None`` without one. Kept apart from
        ``turns``: a marks list names some turns, not every turn read.
    """

    kind: str
    codings: "pd.DataFrame"
    turns: "pd.DataFrame | None" = None
    splits: dict[str, str] = field(default_factory=dict)
    paths: list[Path] = field(default_factory=list)
    marks: "pd.DataFrame | None" = None

    @property
    def sources(self) -> list[str]:
        """Every transcript this coding covers, sorted."""
        srcs: set[str] = set()
        if "source" in self.codings:
            srcs |= set(self.codings["source"].astype(str))
        if self.turns is not None:
            srcs |= set(self.turns["source"].astype(str))
        if self.kind == "segment":
            srcs |= {_source_of(s) for s in self.codings["segment_id"].astype(str)}
        return sorted(srcs)

    @property
    def off_topic(self) -> list[tuple[str, int]]:
        """The turns (``source``, ``turn``) the coder marked as about something
        else than the evaluated work (a coding sheet's ``om_annat``, a marks
        CSV's ``hard_negative``/``om_annat``), in the order read."""
        out: dict[tuple[str, int], None] = {}
        for df in self._marking():
            marked = df[df["off_topic"].astype(bool)]
            out.update(dict.fromkeys(zip(marked["source"].astype(str),
                                         marked["turn"].astype(int))))
        return list(out)

    def marked_turns(self) -> set[tuple[str, int]]:
        """The turns whose marking this coding states, marked or not: every
        turn read of a coding sheet with the column ``om_annat`` (or of a
        review project), and the turns a marks CSV lists."""
        out: set[tuple[str, int]] = set()
        for df in self._marking():
            out |= set(zip(df["source"].astype(str), df["turn"].astype(int)))
        return out

    def _marking(self) -> "list[pd.DataFrame]":
        """The tables of turns that state their marks (column ``off_topic``)."""
        return [df for df in (self.turns, self.marks)
                if df is not None and "off_topic" in df]

    @property
    def codes(self) -> list[str]:
        """The codes the human used, sorted."""
        return sorted(set(self.codings["code"].astype(str)))

    def select(self, split: str | Iterable[str] | None = None, *,
               sources: Iterable[str] | None = None) -> "HumanCoding":
        """The coding of one split (``"dev"``, ``"test"``) or of some sources.

        Raises
        ------
        EvaluationError
            If ``split`` is given but no split table was read (E604), or no
            source belongs to it (E605).
        """
        keep: set[str] | None = None
        if split is not None:
            names = {split} if isinstance(split, str) else set(split)
            if not self.splits:
                raise EvaluationError(
                    f"a split ({', '.join(sorted(names))}) was asked for, but no "
                    "splits file (source,split) was read", code="E604")
            keep = {s for s, sp in self.splits.items() if sp in names}
            if not keep:
                known = ", ".join(sorted(set(self.splits.values())))
                files = [p for p in self.paths if "split" in Path(p).name.lower()]
                raise EvaluationError(
                    f"no transcript belongs to split {', '.join(sorted(names))}; "
                    f"the splits file knows: {known}", path=_files_label(files), code="E605")
        if sources is not None:
            s = set(sources)
            keep = s if keep is None else keep & s
        if keep is None:
            return self

        def src_col(df: "pd.DataFrame") -> "pd.Series":
            if "source" in df:
                return df["source"].astype(str)
            return df["segment_id"].astype(str).map(_source_of)

        codings = self.codings[src_col(self.codings).isin(keep)].reset_index(drop=True)
        turns = None
        if self.turns is not None:
            turns = self.turns[self.turns["source"].astype(str).isin(keep)].reset_index(drop=True)
        marks = None
        if self.marks is not None:
            marks = self.marks[self.marks["source"].astype(str).isin(keep)].reset_index(drop=True)
        return HumanCoding(self.kind, codings, turns, dict(self.splits), list(self.paths),
                           marks)


    def renamed(self, sources: "dict[str, str]") -> "HumanCoding":
        """The same coding with the transcripts' names of ``sources`` (old →
        new) replaced, in every ``source`` column, segment id and the splits
        (``apply --pseudonymize --learn-from``: the coding names the files as
        they are, the transcripts coded have their pseudonymised names);
        ``self`` when none of its sources is renamed."""
        if not sources or not set(self.sources) & set(sources):
            return self

        def rename(df: "pd.DataFrame | None") -> "pd.DataFrame | None":
            if df is None:
                return None
            df = df.copy()
            if "source" in df:
                df["source"] = df["source"].map(lambda s: sources.get(str(s), s))
            if "segment_id" in df:
                def segment(sid):
                    src, sep, rest = str(sid).rpartition(":")
                    return sources[src] + sep + rest if sep and src in sources else sid

                df["segment_id"] = df["segment_id"].map(segment)
            return df

        return HumanCoding(self.kind, rename(self.codings), rename(self.turns),
                           {sources.get(s, s): sp for s, sp in self.splits.items()},
                           list(self.paths), rename(self.marks))


def _source_of(segment_id: str) -> str:
    """``"syd/a.txt:12.3"`` → ``"syd/a.txt"``."""
    return segment_id.rsplit(":", 1)[0]



#: The files human coding may be given in (a folder is looked through for .csv).
_CODING_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".qdpx")


def _csv_files(paths: Sequence[Path]) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(sorted(q for q in p.glob("*.csv") if q.is_file()))
        elif p.is_file():
            if p.suffix.lower() not in _CODING_SUFFIXES:
                raise EvaluationError(
                    f"unknown file type '{p.suffix}' for human coding; expected a coding CSV "
                    "(.csv, .tsv or .txt: source,turn,code or segment_id,code), a filled "
                    "coding sheet (.xlsx from 'codingkit suggest') or a REFI-QDA project "
                    "(.qdpx)", path=p, code="E602")
            out.append(p)
        elif p.exists():   # a named pipe, a device: reading it would block or never end
            from .readers.limits import file_kind

            raise EvaluationError(f"is {file_kind(p.stat().st_mode)}, not a regular file; "
                                  "expected human coding: a coding CSV, a filled coding sheet "
                                  "(.xlsx), a .qdpx, or a folder of coding CSVs",
                                  path=p, code="E601")
        else:
            raise EvaluationError("no such file or folder; expected human coding: a coding "
                                  "CSV, a filled coding sheet (.xlsx), a .qdpx, or a folder "
                                  "of coding CSVs",
                                  path=p, code="E601")
    if not out:
        raise EvaluationError("no human-coding CSV found in "
                              + ", ".join(str(p) for p in paths), code="E601")
    return out


def read_human_coding(
    paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
) -> HumanCoding:
    """Read human coding from CSV files, a folder of them, or a REFI-QDA project.

    Parameters
    ----------
    paths:
        One or more CSV files, or folders whose ``*.csv`` files are read.
        Each file is recognised by its header: coding (``code`` with
        ``source,turn`` or ``segment_id`` or ``source,start,end``), a list of
        the turns read (``source,turn`` without ``code``) or a splits table
        (``source,split``). Other CSV files in a folder are skipped with a
        warning. A ``.qdpx`` file (a project coded or reviewed in NVivo,
        ATLAS.ti, MAXQDA or QualCoder) gives its coded selections as span
        coding (``source, start, end, code``; the sources' names must be
        codingkit's source names, as ``codingkit export-project`` writes
        them). A reviewed export's own codings and the automatic ones kept
        are the corrected coding; the codings of several human coders are
        pooled, with a warning. A review project of ``codingkit suggest``
        (``granska.qdpx``: one source per suggested turn), coded, is turn
        coding whose sources with a coding are the turns read: a code coded
        in a source codes its turn, a source coded only ``granskad – inget
        tema`` is a turn about no theme, a source without any coding is not
        read yet and left out, with a warning
        (:func:`codingkit.refiqda.review.review_coding`). A ``.xlsx`` file is a coding sheet of
        ``codingkit suggest``, filled in: turn coding (a ``1`` codes the
        turn with the column's theme) whose rows with at least one theme
        cell filled (0 or 1) are the turns read (the others left out, with a
        warning); a theme column deleted is refused (E602)
        (:func:`read_review_sheet`).

    Returns
    -------
    HumanCoding

    Raises
    ------
    EvaluationError
        A file is missing (E601), a coding file has no usable columns or
        mixes shapes (E602), or a value is malformed (E603); a ``.qdpx``
        that cannot be read raises :class:`~codingkit.errors.RefiQdaError`.

    Examples
    --------
    From the repository's root::

        hc = read_human_coding("gold/")
        hc.kind, hc.codes[:2]          # ('turn', ['behov', 'effekter'])
    """
    import pandas as pd

    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    plist = [Path(p) for p in paths]
    files = _csv_files(plist)
    explicit = {p.resolve() for p in plist if p.is_file()}

    codings: list[tuple[str, pd.DataFrame]] = []
    turns: list[pd.DataFrame] = []
    marks: list[pd.DataFrame] = []  # marks CSVs (source, turn, mark)
    splits: dict[str, str] = {}
    for f in files:
        if f.suffix.lower() == ".qdpx":
            kind, project_codings, project_turns = _qdpx_coding(f)
            codings.append((kind, project_codings))
            if project_turns is not None:  # a review project of 'codingkit suggest'
                turns.append(project_turns)
            continue
        if f.suffix.lower() == ".xlsx":  # a coding sheet of 'codingkit suggest', filled in
            sheet_codings, sheet_turns = read_review_sheet(f)
            codings.append(("turn", sheet_codings))
            turns.append(sheet_turns)
            continue
        try:
            # "," or, as Swedish Excel writes it, ";" (or tab): told by the header
            with open(f, encoding="utf-8-sig") as fh:
                header = fh.readline()
            sep = header_delimiter(header)
            df = pd.read_csv(f, dtype=str, keep_default_na=False, encoding="utf-8-sig",
                             sep=sep)
        except UnicodeDecodeError:
            raise EvaluationError(
                "not UTF-8 text; expected a coding CSV saved as UTF-8 (in Excel: 'CSV UTF-8'), "
                "or keep a coding sheet of 'codingkit suggest' as the .xlsx it was",
                path=f, code="E602") from None
        except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            raise EvaluationError(f"not a readable CSV file ({exc})".replace("\n", " "),
                                  path=f, code="E602") from None
        if not isinstance(df.index, pd.RangeIndex):  # every row had more cells than the header
            raise EvaluationError(f"more cells than the {len(df.columns)} columns of the header",
                                  path=f, line=2, code="E602")
        # codingkit's own CSV (import-project) guards formulas; column by column,
        # as DataFrame.map needs pandas 2.1
        df = df.apply(lambda column: column.map(unquote_cell))
        df.columns = [str(c).strip().lower() for c in df.columns]
        cols = set(df.columns)
        if len(cols) < len(df.columns):  # 'mark' and 'Mark': which one to read?
            twice = next(c for c in df.columns if list(df.columns).count(c) > 1)
            raise EvaluationError(f"the header names the column {twice!r} twice (letter case "
                                  f"aside); expected each column once", path=f, line=1,
                                  code="E602")
        if "code" in cols:
            if "segment_id" in cols:
                kind = "segment"
            elif {"source", "start", "end"} <= cols:
                kind = "span"
            elif {"source", "turn"} <= cols:
                kind = "turn"
            else:
                raise EvaluationError(
                    "a human-coding CSV needs the columns source,turn,code or "
                    f"segment_id,code or source,start,end,code; found {','.join(df.columns)}",
                    path=f, line=1, code="E602")
            df = _clean_coding(df, kind, f)
            codings.append((kind, df))
        elif {"source", "turn", "mark"} <= cols:  # marks: about the turns they name only
            marks.append(_clean_turns(df, f, marks=True))
        elif {"source", "turn"} <= cols:
            turns.append(_clean_turns(df, f))
        elif {"source", "split"} <= cols:
            for i, row in enumerate(df.itertuples(index=False), start=2):
                src, sp = str(row.source).strip(), str(row.split).strip()
                if not src or not sp:
                    raise EvaluationError("empty source or split", path=f, line=i,
                                          code="E603")
                splits[src] = sp
        elif f.resolve() in explicit:
            raise EvaluationError(
                "not human coding, a turn list or a splits table; expected the columns "
                f"source,turn,code or segment_id,code or source,start,end,code; found "
                f"{','.join(df.columns)}", path=f, line=1, code="E602")
        else:
            warnings.warn(CodingkitWarning("not human coding, skipped", path=f), stacklevel=2)

    if not codings:
        raise EvaluationError("no human coding (a CSV with a code column) among "
                              + ", ".join(str(f) for f in files), code="E602")
    kinds = {k for k, _ in codings}
    if len(kinds) > 1:
        raise EvaluationError(
            "the human-coding files mix shapes (" + ", ".join(sorted(kinds))
            + "); use one of turns, segment ids or spans", code="E602")
    kind = kinds.pop()
    all_codings = pd.concat([d for _, d in codings], ignore_index=True)
    key = _key_columns(kind)
    all_codings = all_codings.drop_duplicates(subset=[*key, "code"]).reset_index(drop=True)
    return HumanCoding(kind, all_codings, _joined_turns(turns), splits, files,
                       _joined_turns(marks))


def _joined_turns(turns: "list[pd.DataFrame]") -> "pd.DataFrame | None":
    """The turns read of several lists, each once; a turn marked as about
    something else in any list is marked (column ``off_topic`` only when some
    list marks turns)."""
    import pandas as pd

    if not turns:
        return None
    joined = pd.concat(turns, ignore_index=True)
    if "off_topic" not in joined:
        return joined.drop_duplicates(subset=["source", "turn"]).reset_index(drop=True)
    joined["off_topic"] = joined["off_topic"].fillna(False).astype(bool)
    return (joined.groupby(["source", "turn"], sort=False, as_index=False)["off_topic"].any()
            .reset_index(drop=True))


def read_coding_rounds(
    paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
) -> list[HumanCoding]:
    """Human coding from several files, as rounds of coding to learn from.

    Each coding sheet (``.xlsx``) and each REFI-QDA project (``.qdpx``) is a
    round of its own, in the order given; the CSV files and folders together
    are one round (they may be a coding and its list of turns read), before
    them. Rounds may have different shapes (a sheet codes turns, a project
    spans); :meth:`codingkit.Coder.fit` aligns each on its own, and where two
    rounds read the same turn the later one counts.

    Raises
    ------
    EvaluationError
        As :func:`read_human_coding`, for any file.
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    plist = [Path(p) for p in paths]
    single = [p for p in plist if p.suffix.lower() in (".xlsx", ".qdpx") and not p.is_dir()]
    csvs = [p for p in plist if p not in single]
    return ([read_human_coding(csvs)] if csvs else []) + [read_human_coding(p) for p in single]


def read_review_sheet(path: str | os.PathLike[str]) -> tuple["pd.DataFrame", "pd.DataFrame"]:
    """The coding (``source, turn, code``) and the turns read (``source,
    turn``) of a filled-in review sheet (:func:`write_review_sheet`).

    A row counts as read when at least one theme cell holds 0 or 1, or its
    :data:`OFF_TOPIC_COLUMN` cell holds 1 (a 0 there alone says nothing of
    the themes); its empty theme cells then count as 0. A 1 in the column
    :data:`OFF_TOPIC_COLUMN` (``om_annat``) marks the turn as about
    something else than the evaluated work (the turns list then has a
    column ``off_topic``; a sheet written before that column existed is
    read as before). A row with every theme cell empty
    is not read (not yet coded): left out, with a warning saying how many
    rows were read and left out. The theme columns are the columns after
    ``codingkit`` other than ``comment``; every theme the sheet lists in
    its sheet ``Instruktioner`` must have one (a deleted column would read
    as 0 in every row).

    Raises
    ------
    EvaluationError
        Not a readable .xlsx, or XML declaring entities (E602), no
        ``source``/``turn`` or no theme column, or no column for a theme
        the sheet lists in ``Instruktioner`` (E602), nothing filled in
        (E602), a sheet beyond Excel's bounds or over its cell budget (one
        cell per byte of ``CODINGKIT_MAX_SURVEY_MB``, each row counted to
        its last cell; E602, naming the row), a theme cell other than 0, 1
        or empty, an empty source or a turn that is not a whole number of
        at most 9 digits, or one of these cells holding a formula without
        a saved value (E603, naming the cell).

    A cell with a formula is read as the value saved with it, the value the
    spreadsheet program computed. A workbook written by a script (openpyxl
    saves no value) or by LibreOffice with recalculation turned off may have
    none; such a cell would read as empty (a 1 lost, or the row left out as
    not yet coded), so it is refused instead (open the file in Excel or
    LibreOffice and save it, or type the value). A saved empty text
    (``=OM(...;1;"")`` where the condition does not hold) is an empty cell.

    The sheet's stored dimension is not trusted (a stale one would hide
    rows and columns, a hostile one make every row 16,384 cells): each row
    is read to its last cell. ``source`` is read exactly as written.
    """
    import io

    import openpyxl
    import pandas as pd
    from openpyxl.utils import get_column_letter

    from .errors import CodingkitError, InputError
    from .readers.limits import (MAX_COLUMNS, beyond_sheet, check_unpacked_size, read_limited,
                                 sheet_rows)

    path = Path(path)
    try:
        data = read_limited(path)
        check_unpacked_size(data, path)
    except CodingkitError as exc:
        raise EvaluationError(exc.message, path=path, code="E601") from None

    def fail(exc: BaseException) -> EvaluationError:
        from .readers.limits import refused_entities

        if refused_entities(exc):
            return EvaluationError("refused: the workbook's XML declares entities (entity "
                                   "expansion is not allowed); expected a coding sheet written "
                                   "by 'codingkit suggest'", path=path, code="E602")
        return EvaluationError(f"not a readable .xlsx workbook ({type(exc).__name__}); "
                               "expected a coding sheet written by 'codingkit suggest'",
                               path=path, code="E602")

    def too_big(exc: CodingkitError) -> EvaluationError:
        return EvaluationError(exc.message, path=path, line=exc.line, code="E602")

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zip, KeyError and XML errors alike
        raise fail(exc) from None
    written = None  # the workbook read a second time, formulas as written
    try:
        sheet = book[SHEET_NAME] if SHEET_NAME in book.sheetnames else book.worksheets[0]
        # the stored <dimension> is not trusted: a stale A1:K2 would drop every row after
        # the second and every column after K, a hostile A1:XFD1048576 pad each row to
        # 16,384 cells and the sheet to a million rows. The header is read to its last
        # cell, and every other row as wide as the header (a cell further right is no
        # column of the sheet: a row of one cell at XFD costs one cell, not 16,384)
        sheet.reset_dimensions()
        where = f"sheet '{sheet.title}'"
        header = [("" if c is None else str(c).strip())
                  for c in next(sheet.iter_rows(max_row=1, values_only=True), ())]
        if len(header) > MAX_COLUMNS:
            raise too_big(beyond_sheet(path, f"{where} has a header cell beyond column XFD "
                                             f"({MAX_COLUMNS:,})", 1))
        lower = [h.lower() for h in header]
        missing = [c for c in ("source", "turn") if c not in lower]
        if missing:
            raise EvaluationError(
                f"not a coding sheet: {where} has no column {' or '.join(missing)} in its first "
                f"row; expected source, turn, … and one 0/1 column per theme, as 'codingkit "
                f"suggest' writes it; found {', '.join(h for h in header if h) or 'nothing'}",
                path=path, line=1, code="E602")
        from .tables import codingkit_output

        own = codingkit_output(lower)
        if own is not None and not own.startswith("codingkit's coding sheet"):
            raise EvaluationError(
                f"not a coding sheet: {where} is {own} (codingkit's own coding, not a "
                f"human's); expected a coding sheet written by 'codingkit suggest' and filled "
                f"in by a person", path=path, line=1, code="E602")
        src_j, turn_j = lower.index("source"), lower.index("turn")
        skip = {*CONTEXT_COLUMNS, COMMENT_COLUMN, OFF_TOPIC_COLUMN, "rank"}
        theme_js = [j for j, h in enumerate(lower) if h and h not in skip]
        off_j = lower.index(OFF_TOPIC_COLUMN) if OFF_TOPIC_COLUMN in lower else None
        extra_js = [] if off_j is None else [off_j]
        if not theme_js:
            raise EvaluationError(
                f"not a coding sheet: {where} has no theme column (one 0/1 column per theme "
                f"after 'codingkit')", path=path, line=1, code="E602")
        # a theme column deleted (a theme the researcher did not code) would read as 0,
        # "not about it", in every row: the sheet's own list of its themes says which
        missing = [t for t in _listed_themes(path, book) if t not in
                   {header[j] for j in theme_js}]
        if missing:
            s = "s" if len(missing) > 1 else ""
            raise EvaluationError(
                f"{where} has no column for the theme{s} {', '.join(missing)} (sheet "
                f"'{INSTRUCTIONS_SHEET}' lists the sheet's themes): without its column a "
                f"theme would be read as 0, not about it, in every row; put the column{s} "
                f"back (header: the theme id) with 0 or 1 for each turn you coded",
                path=path, line=1, code="E602")
        coded: list[tuple[str, int, str]] = []
        read: list[tuple[str, int]] = []
        unread = 0  # rows of a turn with every theme cell empty
        both: list[int] = []  # rows marked om_annat and coded with a theme
        # a formula's cell gives the value saved with it, None when none was saved
        # (as an empty cell): when the workbook has formulas, they are read too, in
        # a second reading in step with the first, and the cells' types (a saved
        # empty text is a value: its type is "str")
        written = _with_formulas(data)
        formulas = None if written is None else (
            cells for _, cells in sheet_rows(path, written[sheet.title], what=where, min_row=2,
                                             max_col=len(header), used=len(header)))
        rows = sheet_rows(path, sheet, what=where, min_row=2, max_col=len(header),
                          used=len(header), values_only=formulas is None)
        for r, cells in rows:
            if formulas is not None:
                types = [getattr(c, "data_type", "n") for c in cells]
                cells = [c.value for c in cells]
                _no_unsaved_formula(path, r, cells, types, next(formulas, ()), header,
                                    [src_j, turn_j, *theme_js, *extra_js], [*theme_js, *extra_js])
            cells = list(cells) + [None] * (len(header) - len(cells))
            marks = []
            for j in theme_js:
                v = _mark(cells[j])
                if v is None:
                    raise EvaluationError(
                        f"cell {get_column_letter(j + 1)}{r} (theme {header[j]}) holds "
                        f"{cells[j]!r}; expected 0, 1 or empty", path=path, line=r, code="E603")
                marks.append(v)
            off = "" if off_j is None else _mark(cells[off_j])
            if off is None:
                raise EvaluationError(
                    f"cell {get_column_letter(off_j + 1)}{r} ({OFF_TOPIC_COLUMN}: about "
                    f"something else) holds {cells[off_j]!r}; expected 1, 0 or empty",
                    path=path, line=r, code="E603")
            # the source exactly as written (a file may be named '\t=x.txt' or ' a.txt')
            src = "" if cells[src_j] is None else str(cells[src_j])
            if all(m == "" for m in marks) and off != 1:
                unread += src.strip() != ""
                continue  # not coded (yet)
            if not src.strip():
                raise EvaluationError(f"cell {get_column_letter(src_j + 1)}{r}: empty source",
                                      path=path, line=r, code="E603")
            turn = _whole(cells[turn_j])
            if turn is None:
                raise EvaluationError(
                    f"cell {get_column_letter(turn_j + 1)}{r}: turn must be a whole number "
                    f"(at most 9 digits), got {cells[turn_j]!r}", path=path, line=r,
                    code="E603")
            read.append((src, turn, off == 1))
            if off == 1 and 1 in marks:
                both.append(r)
            coded += [(src, turn, header[j]) for j, m in zip(theme_js, marks) if m == 1]
    except EvaluationError:
        raise
    except InputError as exc:  # beyond the sheet's bounds (readers.limits.sheet_rows)
        raise too_big(exc) from None
    except Exception as exc:  # a broken sheet part
        raise fail(exc) from None
    finally:
        if written is not None:
            written.close()
        book.close()
    if not read:
        raise EvaluationError("nothing coded yet: no row has a theme cell filled in (0 or 1)",
                              path=path, code="E602")
    if unread:
        also = f" ({OFF_TOPIC_COLUMN} too)" if off_j is not None else ""
        warnings.warn(CodingkitWarning(
            f"read {len(read)} of the {len(read) + unread} rows as coded; the {unread} row(s) "
            f"with every theme cell empty{also} are left out as not read yet (a turn you read "
            f"that is about no theme: 0 in its theme cells)", path=path), stacklevel=3)
    if both:
        rows = ", ".join(map(str, both[:5])) + (" …" if len(both) > 5 else "")
        warnings.warn(CodingkitWarning(
            f"row(s) {rows}: 1 in {OFF_TOPIC_COLUMN} and in a theme; read as about the theme "
            f"({OFF_TOPIC_COLUMN} is for a turn about something else than the evaluated work)",
            path=path), stacklevel=3)
    codings = pd.DataFrame(coded, columns=["source", "turn", "code"]).drop_duplicates()
    turns = _joined_turns([pd.DataFrame(read, columns=["source", "turn", "off_topic"])])
    if off_j is None:
        turns = turns.drop(columns="off_topic")
    return codings.reset_index(drop=True), turns.reset_index(drop=True)


def _listed_themes(path: Path, book) -> list[str]:
    """The themes a coding sheet was written with: the ids listed after
    :data:`THEMES_HEADING` in its sheet :data:`INSTRUCTIONS_SHEET` (as
    :func:`codingkit.suggest.write_review_sheet` writes it), or none (a sheet
    without that list: nothing to check its theme columns against)."""
    from .readers.limits import sheet_rows

    if INSTRUCTIONS_SHEET not in book.sheetnames:
        return []
    listed: list[str] = []
    heading = False
    for _, cells in sheet_rows(path, book[INSTRUCTIONS_SHEET],
                               what=f"sheet '{INSTRUCTIONS_SHEET}'", max_col=1):
        value = "" if not cells or cells[0] is None else str(cells[0]).strip()
        if heading and value and value not in listed:
            listed.append(value)
        heading = heading or value == THEMES_HEADING
    return listed


def _with_formulas(data: bytes):
    """The workbook ``data`` opened (read-only) with its formulas as written
    (``'=...'``) in place of the values saved with them, or ``None`` when no
    sheet holds a formula (a sheet as :func:`write_review_sheet` writes it:
    it is then read once)."""
    import io
    import re
    import zipfile

    import openpyxl

    formula = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        if not any(formula.search(archive.read(info)) for info in archive.infolist()
                   if info.filename.startswith("xl/worksheets/")
                   and info.filename.endswith(".xml")):
            return None
    return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)


def _no_unsaved_formula(path: Path, r: int, values: list, types: list[str], written,
                        header: list[str], used: list[int], theme_js: list[int]) -> None:
    """E603 for the first cell of ``used`` in row ``r`` that holds a formula
    (``written``: the row as written) but no saved value (``values``: the row
    as read, ``None``; ``types``: not ``"str"``, a saved empty text)."""
    from openpyxl.utils import get_column_letter

    for j in sorted(used):
        formula = written[j] if j < len(written) else None
        if (j < len(values) and values[j] is None and types[j] != "str"
                and isinstance(formula, str) and formula.startswith("=")):
            what = f"theme {header[j]}" if j in theme_js else header[j].lower()
            instead = "0 or 1" if j in theme_js else f"the {header[j].lower()}"
            raise EvaluationError(
                f"cell {get_column_letter(j + 1)}{r} ({what}) holds the formula {formula!r} "
                f"without a saved value; open the file in Excel or LibreOffice and save it "
                f"(that computes and saves it), or type {instead} in place of the formula",
                path=path, line=r, code="E603")


def _mark(v) -> int | str | None:
    """0 or 1 of a theme cell, ``""`` for empty, ``None`` for anything else."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, (int, float)):
        return int(v) if v in (0, 1) else None
    s = str(v).strip()
    if s == "":
        return ""
    if s in ("0", "1"):
        return int(s)
    return None


#: The largest turn number read (9 digits, as in a human-coding CSV).
_MAX_TURN = 999_999_999


def _whole(v) -> int | None:
    """A turn number of a sheet cell (0 to 999,999,999), ``None`` for anything else."""
    if isinstance(v, bool):
        return None
    if isinstance(v, float):
        if not v.is_integer():
            return None
        v = int(v)
    if isinstance(v, int):
        return v if 0 <= v <= _MAX_TURN else None
    s = "" if v is None else str(v).strip()
    # ASCII digits only: '²'.isdigit() is true but int('²') fails
    return int(s) if s.isascii() and s.isdigit() and len(s) <= 9 else None


def _files_label(paths: Sequence[str | os.PathLike[str]]) -> str | None:
    """``"a.csv"`` or ``"a.csv (and 2 more files)"`` for an error's file, ``None`` for none."""
    paths = [str(p) for p in paths]
    if not paths:
        return None
    more = len(paths) - 1
    return paths[0] + (f" (and {more} more file{'s' if more > 1 else ''})" if more else "")


def _examples(names: Sequence[str], k: int = 2) -> str:
    """``'a', 'b'`` (and how many more) for an error message."""
    if not names:
        return "none"
    shown = ", ".join(repr(n) for n in names[:k])
    return shown + (f" (and {len(names) - k} more)" if len(names) > k else "")


def sources_mismatch(human: HumanCoding, given: Iterable[str]) -> EvaluationError:
    """E606 for human coding that falls on none of the transcripts ``given``.

    Either the names differ (then both sides' names are shown, and the
    error's ``sources_differ`` is true), or the transcripts are there but
    none of the coded turns is an evaluated (respondent) turn of them.
    """
    given = set(given)
    shared = sorted(set(human.sources) & given)
    if shared:
        message = (f"none of the human coding falls on a respondent turn of its transcripts "
                   f"({_examples(shared)}); check that the speaker labels are recognised and "
                   "that turn numbers count every speaker's turns")
    else:
        message = (f"no transcript the human coded is among the {len(given)} given: the "
                   f"coding names sources such as {_examples(human.sources)}, the transcripts "
                   f"are {_examples(sorted(given))}; give the transcripts the coding belongs "
                   "to, named as in their folder (e.g. 'syd/01.txt')")
    err = EvaluationError(message, path=_files_label(human.paths), code="E606")
    err.sources_differ = not shared
    return err


def _absent(human: HumanCoding, given: set[str]) -> str:
    """``"; its transcripts 'a' … are not among those given"`` for a warning,
    or ``""`` when every transcript the human coded is there."""
    absent = sorted(set(human.sources) - given)
    if not absent:
        return ""
    return (f"; {len(absent)} of the {len(human.sources)} transcripts it codes "
            f"{'is' if len(absent) == 1 else 'are'} not among those given: {_examples(absent)}")


def unknown_codes(human: HumanCoding, codebook: Codebook, *, stacklevel: int = 2) -> list[str]:
    """The codes the human used that ``codebook`` does not have, with a
    warning naming the coding's file and the nearest code id (a typo such
    as ``behv`` or the label instead of the id)."""
    import difflib

    ids = list(codebook.codes)
    by_label = {c.label.casefold(): c.id for c in codebook if c.label}
    unknown = [c for c in human.codes if c not in codebook.codes]
    if unknown:
        hints = []
        for c in unknown:
            guess = by_label.get(c.casefold()) or next(
                iter(difflib.get_close_matches(c.casefold(), ids, n=1, cutoff=0.6)), None)
            hints.append(f"'{c}'" + (f" (did you mean '{guess}'?)" if guess else ""))
        warnings.warn(CodingkitWarning(
            f"human codes not in codebook {codebook.id} are left out: {', '.join(hints)}",
            path=_files_label(human.paths)), stacklevel=stacklevel + 1)
    return unknown


def _qdpx_coding(path: Path) -> tuple[str, "pd.DataFrame", "pd.DataFrame | None"]:
    """The coding of a REFI-QDA project: ``(kind, codings, turns read)``.

    A review project of ``codingkit suggest`` (every source one turn,
    :mod:`codingkit.refiqda.review`) is turn coding with every source a
    turn read; any other project is span coding (its coded selections),
    without a list of turns read."""
    from .refiqda import read_qdpx
    from .refiqda.project import AUTOMATIC_USER
    from .refiqda.review import review_coding

    project = read_qdpx(path)
    review = review_coding(project)
    df = review[0] if review is not None else project.human_coding
    if df.empty and review is None:  # a review may have read turns about no theme only
        raise EvaluationError("the project has no coded selections to compare with",
                              path=path, code="E602")
    # a reviewed export holds the reviewer's codings and the automatic ones
    # kept: together they are the corrected coding; several humans are pooled
    coders = sorted({c for c in df["coder"] if c and c != AUTOMATIC_USER})
    if len(coders) > 1:
        hint = ("" if review is not None else "; to use one coder, run 'codingkit "
                "import-project' and keep that coder's rows of human_coding.csv")
        warnings.warn(CodingkitWarning(
            f"the codings of {len(coders)} coders ({', '.join(coders)}) are pooled{hint}",
            path=path), stacklevel=3)
    warn_if_codingkits_own(df, path, stacklevel=4)
    if project.problems:
        warnings.warn(CodingkitWarning(
            f"{len(project.problems)} selection(s) left out (offsets that do not fit their "
            f"text), e.g. {project.problems[0]}", path=path), stacklevel=3)
    if review is not None:
        return "turn", _clean_coding(df[["source", "turn", "code"]].astype(str), "turn",
                                     path), review[1]
    spans = df[["source", "start", "end", "code"]].astype(str)
    return "span", _clean_coding(spans, "span", path), None


def read_review_turns(path: str | os.PathLike[str]) -> "pd.DataFrame":
    """The turns read (``source, turn``) of a filled-in coding sheet
    (``.xlsx``) or a coded review project (``.qdpx``) of ``codingkit
    suggest`` (for ``suggest --exclude``).

    Raises
    ------
    EvaluationError
        As :func:`read_review_sheet`; E602 for a ``.qdpx`` that is not a
        review project of ``codingkit suggest``.
    """
    path = Path(path)
    if path.suffix.lower() == ".qdpx":
        if path.exists() and not path.is_file():   # a named pipe would block
            from .readers.limits import file_kind

            raise EvaluationError(f"is {file_kind(path.stat().st_mode)}, not a regular file; "
                                  "expected a coded granska.qdpx", path=path, code="E601")
        if not path.is_file():
            raise EvaluationError(f"human coding not found: {path}", path=path, code="E601")
        kind, _, turns = _qdpx_coding(path)
        if turns is None:
            raise EvaluationError(
                "not a review project of 'codingkit suggest' (no source names its turn); "
                "expected a coded granska.qdpx or a filled-in coding sheet (.xlsx)",
                path=path, code="E602")
        return turns
    return read_review_sheet(path)[1]


#: Columns of codingkit's own coding tables (codings.csv; the quotes sheet)
#: that a human's coding does not have.
OWN_COLUMNS = ("score", "method", "evidence")


def warn_if_codingkits_own(df: "pd.DataFrame", path: Path, *, stacklevel: int = 2) -> bool:
    """Warn when "human" coding read from ``path`` is codingkit's own.

    Compared with itself codingkit agrees perfectly, and an evaluation would
    report 1.00: a ``.qdpx`` whose every coding is by
    ``"codingkit (automatic)"`` (an export not reviewed yet), or a coding
    CSV with codingkit's ``score, method, evidence`` columns filled in every
    row (its ``codings.csv``, or the quotes sheet saved as CSV).

    Returns
    -------
    bool
        Whether it warned.
    """
    from .refiqda.project import AUTOMATIC_USER

    if "coder" in df and len(df) and set(df["coder"].astype(str)) == {AUTOMATIC_USER}:
        what = (f"every coding in it is codingkit's own ('{AUTOMATIC_USER}', an export not "
                "reviewed yet)")
    elif set(OWN_COLUMNS) <= set(df.columns) and len(df) and (
            df["method"].astype(str).str.strip() != "").all():
        what = ("it is codingkit's own coding (its columns score, method, evidence; if it is "
                "a corrected copy, delete those columns)")
    else:
        return False
    warnings.warn(UnfairTestWarning(
        f"not a human's coding: {what}, so agreement with it says nothing (codingkit "
        "agrees with itself); review it in QualCoder or NVivo first ('codingkit apply "
        "--format qdpx' writes a project to review), or give a human's coding", path=path,
        kind="own_coding", details={"file": str(path)}),
        stacklevel=stacklevel + 1)
    return True


def _key_columns(kind: str) -> list[str]:
    return {"turn": ["source", "turn"], "segment": ["segment_id"],
            "span": ["source", "start", "end"]}[kind]


def _clean_coding(df: "pd.DataFrame", kind: str, path: Path) -> "pd.DataFrame":
    warn_if_codingkits_own(df, path, stacklevel=4)
    df = df.copy()
    for col in [*_key_columns(kind), "code"]:
        df[col] = df[col].astype(str).str.strip()
        empty = df.index[df[col] == ""]
        if len(empty):
            raise EvaluationError(f"empty {col}", path=path, line=int(empty[0]) + 2,
                                  code="E603")
    int_cols = {"turn": ["turn"], "span": ["start", "end"], "segment": []}[kind]
    for col in int_cols:
        bad = ~df[col].str.fullmatch(r"\d{1,9}")
        if bad.any():
            i = int(df.index[bad][0])
            raise EvaluationError(f"{col} must be a whole number (at most 9 digits), got "
                                  f"{df[col][i][:40]!r}",
                                  path=path, line=i + 2, code="E603")
        df[col] = df[col].astype(int)
    if kind == "span":
        bad = df["end"] <= df["start"]
        if bad.any():
            i = int(df.index[bad][0])
            raise EvaluationError("a span's end must be after its start", path=path,
                                  line=i + 2, code="E603")
    return df


def _clean_turns(df: "pd.DataFrame", path: Path, *, marks: bool = False) -> "pd.DataFrame":
    """``source, turn`` of a list of turns read (with ``marks``: and
    ``off_topic`` from its ``mark`` column, see :data:`_OFF_TOPIC_MARKS`)."""
    off = None
    if marks:
        mark = df["mark"].astype(str).str.strip().str.lower()
        off = mark.isin(_OFF_TOPIC_MARKS) | mark.str.startswith("hard_negative:")
        bad = ~(off | mark.isin(_OTHER_MARKS))
        if bad.any():
            i = int(df.index[bad][0])
            raise EvaluationError(
                f"unknown mark {str(df['mark'][i])[:40]!r}; expected om_annat (about something "
                f"else than the evaluated work), hard_negative:<code>, content_free or empty",
                path=path, line=i + 2, code="E603")
    df = df[["source", "turn"]].copy()
    if off is not None:
        df["off_topic"] = off.to_numpy()
    df["source"] = df["source"].astype(str).str.strip()
    bad = ~df["turn"].astype(str).str.strip().str.fullmatch(r"\d{1,9}")
    if bad.any():
        i = int(df.index[bad][0])
        raise EvaluationError("turn must be a whole number (at most 9 digits), got "
                              f"{str(df['turn'][i])[:40]!r}",
                              path=path, line=i + 2, code="E603")
    df["turn"] = df["turn"].astype(int)
    return df


# --------------------------------------------------------------------------
# Alignment
# --------------------------------------------------------------------------


@dataclass
class _Units:
    """The units an evaluation counts: ids, and for each its text and key."""

    ids: list[str]
    text: dict[str, str]
    source: dict[str, str]
    turn: dict[str, int | None]
    seg_to_unit: dict[str, str]


def _units(kind: str, segments: Sequence[Segment], human: HumanCoding,
           roles: tuple[str, ...] | None) -> _Units:
    """Evaluation units: turns for turn-based coding, else the segments."""
    gold_sources = set(human.sources)
    segs = [s for s in segments if s.source in gold_sources]
    if roles is not None:
        segs = [s for s in segs if s.speaker_role in roles]
    if kind == "turn":
        ids: list[str] = []
        text: dict[str, str] = {}
        source: dict[str, str] = {}
        turn: dict[str, int | None] = {}
        seg_to_unit: dict[str, str] = {}
        for s in segs:
            uid = f"{s.source}:{s.turn}"
            if uid not in text:
                ids.append(uid)
                text[uid] = s.text
                source[uid], turn[uid] = s.source, s.turn
            elif s.unit != "turn":
                text[uid] += " " + s.text
            seg_to_unit[s.segment_id] = uid
        if human.turns is not None:
            read = {f"{r.source}:{r.turn}" for r in human.turns.itertuples(index=False)}
            coded = {f"{r.source}:{r.turn}" for r in human.codings.itertuples(index=False)}
            keep = read | coded
            ids = [u for u in ids if u in keep]
        return _Units(ids, text, source, turn, seg_to_unit)
    ids = [s.segment_id for s in segs]
    return _Units(ids, {s.segment_id: s.text for s in segs},
                  {s.segment_id: s.source for s in segs},
                  {s.segment_id: s.turn for s in segs},
                  {s.segment_id: s.segment_id for s in segs})


def align_human_coding(
    human: HumanCoding,
    segments: Sequence[Segment],
    *,
    min_overlap: float = 0.5,
    roles: tuple[str, ...] | None = (RESPONDENT,),
) -> "pd.DataFrame":
    """Attach human coding to codingkit's segments.

    Parameters
    ----------
    human:
        Human coding from :func:`read_human_coding`.
    segments:
        The segments to align to (``CodingResult.segment_list`` or
        :func:`codingkit.segment`).
    min_overlap:
        For span coding: the share (0–1) of the segment covered by the span,
        or of the span covered by the segment, at which the segment counts as
        coded. ``0.5`` codes a sentence that a span half covers, and a long
        turn in which the coder marked one sentence.
    roles:
        Speaker roles whose segments are aligned (default: respondents);
        ``None`` for all.

    Returns
    -------
    pandas.DataFrame
        ``segment_id, code``: one row per segment × code the human coded.
        Turn coding is aligned to every segment of the turn.

    Raises
    ------
    EvaluationError
        If no human coding falls on any of the segments (E606).

    Warns
    -----
    CodingkitWarning
        When some coded turns, segment ids or spans match no segment.
    """
    import pandas as pd

    segs = [s for s in segments if roles is None or s.speaker_role in roles]
    rows: list[tuple[str, str]] = []
    missed = 0
    cod = human.codings
    if human.kind == "turn":
        by_turn: dict[tuple[str, int], list[str]] = {}
        for s in segs:
            by_turn.setdefault((s.source, s.turn), []).append(s.segment_id)
        for src, turn, code in zip(cod["source"], cod["turn"], cod["code"]):
            ids = by_turn.get((str(src), int(turn)))
            if not ids:
                missed += 1
            rows.extend((i, code) for i in ids or ())
    elif human.kind == "segment":
        known = {s.segment_id for s in segs}
        for sid, code in zip(cod["segment_id"], cod["code"]):
            if sid in known:
                rows.append((sid, code))
            else:
                missed += 1
    else:
        by_source: dict[str, list[Segment]] = {}
        for s in segs:
            by_source.setdefault(s.source, []).append(s)
        for src, start, end, code in zip(cod["source"], cod["start"], cod["end"], cod["code"]):
            hit = False
            for s in by_source.get(str(src), ()):
                ov = min(end, s.end) - max(start, s.start)
                if ov <= 0:
                    continue
                share = max(ov / max(s.end - s.start, 1), ov / max(end - start, 1))
                if share >= min_overlap:
                    rows.append((s.segment_id, code))
                    hit = True
            missed += not hit
    if missed:
        if not rows:
            raise sources_mismatch(human, {s.source for s in segments})
        warnings.warn(CodingkitWarning(
            f"{missed} of {len(cod)} human codings fall on no segment and are ignored"
            + _absent(human, {s.source for s in segments})), stacklevel=2)
    df = pd.DataFrame(rows, columns=["segment_id", "code"]).drop_duplicates()
    return df.reset_index(drop=True)
