"""Agreement between codingkit and human coders.

A researcher who wants to trust automatic coding compares it with a careful
human coder on the same segments. This module reads human coding, aligns it
to codingkit's segments and computes the measures the field uses, for each
code and averaged:

* precision, recall and F1 of codingkit against the human coder;
* Cohen's κ and Krippendorff's α (nominal), both computed on one binary
  *present/absent* decision per segment × code;
* the number of positives (segments the human coded) and of predictions.

It also lists every disagreement (false positives and false negatives with
their text and evidence), sorted so that the codebook can be fixed from it.

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

A CSV with ``source, turn`` and no ``code`` column lists the turns the human
coder *read*: the universe of the evaluation, so that turns left uncoded
count as "absent" and not as "not looked at". A ``source, split`` CSV
(``splits.csv``) assigns whole transcripts to a ``dev`` or ``test`` split.

Example
-------
From the repository's root, on the sample corpus::

    import codingkit as ck
    transcripts = ck.read_transcripts("transcripts/")
    result = ck.Coder(ck.load_codebook()).code(transcripts)
    ev = ck.evaluate("gold/", result, split="test")
    ev.summary
"""

from __future__ import annotations

import json
import math
import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence

from ..errors import CodingkitWarning, EvaluationError
from ..fileio import atomic_write_text
from ..model import RESPONDENT, Codebook, CodingResult, Segment

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pandas as pd

__all__ = [
    "HumanCoding",
    "Evaluation",
    "read_human_coding",
    "align_human_coding",
    "binary_agreement",
    "evaluate",
]

#: Columns of the per-code metrics table, in order.
METRIC_COLUMNS = (
    "code", "n_units", "positives", "predicted", "tp", "fp", "fn", "tn",
    "precision", "recall", "f1", "kappa", "alpha",
)


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
        The turns the coder read (``source``, ``turn``), or ``None`` when no
        such list was given.
    splits:
        ``source`` → split name (``"dev"``, ``"test"``), or empty.
    paths:
        The files read.
    """

    kind: str
    codings: "pd.DataFrame"
    turns: "pd.DataFrame | None" = None
    splits: dict[str, str] = field(default_factory=dict)
    paths: list[Path] = field(default_factory=list)

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
        return HumanCoding(self.kind, codings, turns, dict(self.splits), list(self.paths))


def _source_of(segment_id: str) -> str:
    """``"syd/a.txt:12.3"`` → ``"syd/a.txt"``."""
    return segment_id.rsplit(":", 1)[0]



def _csv_files(paths: Sequence[Path]) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(sorted(q for q in p.glob("*.csv") if q.is_file()))
        elif p.is_file():
            out.append(p)
        else:
            raise EvaluationError(f"human coding not found: {p}", path=p, code="E601")
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
        pooled, with a warning.

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
    splits: dict[str, str] = {}
    for f in files:
        if f.suffix.lower() == ".qdpx":
            codings.append(("span", _qdpx_coding(f)))
            continue
        try:
            # "," or, as Swedish Excel writes it, ";" (or tab): told by the header
            with open(f, encoding="utf-8-sig") as fh:
                header = fh.readline()
            sep = max((",", ";", "\t"), key=header.count)
            df = pd.read_csv(f, dtype=str, keep_default_na=False, encoding="utf-8-sig",
                             sep=sep)
        except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
            raise EvaluationError(f"not a readable CSV file ({exc})".replace("\n", " "),
                                  path=f, code="E602") from None
        df.columns = [str(c).strip().lower() for c in df.columns]
        cols = set(df.columns)
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
    all_turns = None
    if turns:
        all_turns = pd.concat(turns, ignore_index=True).drop_duplicates(
            subset=["source", "turn"]).reset_index(drop=True)
    return HumanCoding(kind, all_codings, all_turns, splits, files)


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


def _qdpx_coding(path: Path) -> "pd.DataFrame":
    """The coded selections of a REFI-QDA project as span coding."""
    from ..refiqda import read_qdpx
    from ..refiqda.project import AUTOMATIC_USER

    project = read_qdpx(path)
    df = project.human_coding
    if df.empty:
        raise EvaluationError("the project has no coded selections to compare with",
                              path=path, code="E602")
    # a reviewed export holds the reviewer's codings and the automatic ones
    # kept: together they are the corrected coding; several humans are pooled
    coders = sorted({c for c in df["coder"] if c and c != AUTOMATIC_USER})
    if len(coders) > 1:
        warnings.warn(CodingkitWarning(
            f"the codings of {len(coders)} coders ({', '.join(coders)}) are pooled; to use "
            "one coder, run 'codingkit import-project' and keep that coder's rows of "
            "human_coding.csv", path=path), stacklevel=3)
    if project.problems:
        warnings.warn(CodingkitWarning(
            f"{len(project.problems)} selection(s) left out (offsets that do not fit their "
            f"text), e.g. {project.problems[0]}", path=path), stacklevel=3)
    spans = df[["source", "start", "end", "code"]].astype(str)
    return _clean_coding(spans, "span", path)


def _key_columns(kind: str) -> list[str]:
    return {"turn": ["source", "turn"], "segment": ["segment_id"],
            "span": ["source", "start", "end"]}[kind]


def _clean_coding(df: "pd.DataFrame", kind: str, path: Path) -> "pd.DataFrame":
    df = df.copy()
    for col in [*_key_columns(kind), "code"]:
        df[col] = df[col].astype(str).str.strip()
        empty = df.index[df[col] == ""]
        if len(empty):
            raise EvaluationError(f"empty {col}", path=path, line=int(empty[0]) + 2,
                                  code="E603")
    int_cols = {"turn": ["turn"], "span": ["start", "end"], "segment": []}[kind]
    for col in int_cols:
        bad = ~df[col].str.fullmatch(r"\d+")
        if bad.any():
            i = int(df.index[bad][0])
            raise EvaluationError(f"{col} must be a whole number, got {df[col][i]!r}",
                                  path=path, line=i + 2, code="E603")
        df[col] = df[col].astype(int)
    if kind == "span":
        bad = df["end"] <= df["start"]
        if bad.any():
            i = int(df.index[bad][0])
            raise EvaluationError("a span's end must be after its start", path=path,
                                  line=i + 2, code="E603")
    return df


def _clean_turns(df: "pd.DataFrame", path: Path) -> "pd.DataFrame":
    df = df[["source", "turn"]].copy()
    df["source"] = df["source"].astype(str).str.strip()
    bad = ~df["turn"].astype(str).str.strip().str.fullmatch(r"\d+")
    if bad.any():
        i = int(df.index[bad][0])
        raise EvaluationError(f"turn must be a whole number, got {df['turn'][i]!r}",
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


# --------------------------------------------------------------------------
# Metrics
# --------------------------------------------------------------------------


def binary_agreement(tp: int, fp: int, fn: int, tn: int) -> dict[str, float]:
    """Precision, recall, F1, Cohen's κ and Krippendorff's α from counts.

    The counts are one binary decision (present / absent) per unit, the
    human coder being the reference (``tp``: both coded it; ``fp``: only
    codingkit; ``fn``: only the human; ``tn``: neither).

    α is Krippendorff's alpha for nominal data, two coders, no missing
    values::

        α = 1 − (n − 1) · (fp + fn) / (n₀ · n₁)

    with ``n = 2N`` pairable values, ``n₁ = 2tp + fp + fn`` and
    ``n₀ = 2tn + fp + fn``. κ and α are ``nan`` when neither coder varies
    (e.g. nobody coded the code at all): agreement is then undefined.
    Precision is ``nan`` without predictions, recall ``nan`` without
    positives, and F1 ``nan`` when both are absent (``0`` when only one is).

    Examples
    --------
    >>> m = binary_agreement(tp=8, fp=2, fn=2, tn=88)
    >>> round(m["f1"], 3), round(m["kappa"], 3), round(m["alpha"], 3)
    (0.8, 0.778, 0.779)
    """
    n_units = tp + fp + fn + tn
    nan = float("nan")
    precision = tp / (tp + fp) if tp + fp else nan
    recall = tp / (tp + fn) if tp + fn else nan
    if tp + fp + fn == 0:
        f1 = nan
    else:
        f1 = 2 * tp / (2 * tp + fp + fn)
    kappa = alpha = nan
    if n_units:
        po = (tp + tn) / n_units
        pe = ((tp + fp) * (tp + fn) + (tn + fn) * (tn + fp)) / n_units**2
        if pe < 1:
            kappa = (po - pe) / (1 - pe)
        n = 2 * n_units
        n1 = 2 * tp + fp + fn
        n0 = 2 * tn + fp + fn
        if n0 and n1:
            alpha = 1 - (n - 1) * (fp + fn) / (n0 * n1)
    return {"precision": precision, "recall": recall, "f1": f1, "kappa": kappa, "alpha": alpha}


def _metrics_frame(codes: list[str], gold: "np.ndarray", pred: "np.ndarray") -> "pd.DataFrame":
    import numpy as np
    import pandas as pd

    rows = []
    for j, code in enumerate(codes):
        g, p = gold[:, j], pred[:, j]
        tp = int(np.sum(g & p))
        fp = int(np.sum(~g & p))
        fn = int(np.sum(g & ~p))
        tn = int(np.sum(~g & ~p))
        rows.append({"code": code, "n_units": len(g), "positives": tp + fn,
                     "predicted": tp + fp, "tp": tp, "fp": fp, "fn": fn, "tn": tn,
                     **binary_agreement(tp, fp, fn, tn)})
    return pd.DataFrame(rows, columns=list(METRIC_COLUMNS))


def _summary(per_code: "pd.DataFrame") -> "pd.DataFrame":
    """Macro (mean over codes, ``nan`` skipped) and micro (pooled) rows."""
    import pandas as pd

    metrics = ["precision", "recall", "f1", "kappa", "alpha"]
    counts = ["positives", "predicted", "tp", "fp", "fn", "tn"]
    macro = {"average": "macro", "n_codes": int(per_code[metrics[-1]].notna().sum()),
             "n_units": int(per_code["n_units"].max()) if len(per_code) else 0}
    for c in counts:
        macro[c] = int(per_code[c].sum())
    for m in metrics:
        vals = per_code[m].dropna()
        macro[m] = float(vals.mean()) if len(vals) else float("nan")
    micro = {k: v for k, v in macro.items()}
    micro["average"] = "micro"
    micro["n_codes"] = len(per_code)
    micro.update(binary_agreement(*(int(per_code[c].sum()) for c in ("tp", "fp", "fn", "tn"))))
    return pd.DataFrame([macro, micro],
                        columns=["average", "n_codes", "n_units", *counts, *metrics])


# --------------------------------------------------------------------------
# The evaluation
# --------------------------------------------------------------------------


@dataclass
class Evaluation:
    """The agreement of codingkit's coding with a human coder.

    Attributes
    ----------
    per_code:
        One row per code: ``code, n_units, positives, predicted, tp, fp, fn,
        tn, precision, recall, f1, kappa, alpha``.
    summary:
        Two rows, ``macro`` (mean over codes; codes where κ/α are undefined
        are left out of those means) and ``micro`` (all segment × code
        decisions pooled).
    disagreements:
        One row per false positive (``FP``: codingkit coded, the human did
        not) and false negative (``FN``): ``code, kind, segment_id, source,
        turn, score, method, evidence, text``. Sorted by code (the code with
        most disagreements first), then FP before FN, then by descending
        score and by evidence, so that one rule's false positives stand
        together.
    unit:
        ``"turn"`` or ``"segment"``: what one decision is about.
    options:
        The options used.
    counts:
        One row per transcript × code: ``source``, the transcript's
        ``project``, ``round``, ``role`` and other metadata (``""`` where
        unknown), ``code``,
        ``units`` (the transcript's evaluated units), ``human`` and
        ``codingkit`` (how many of them each coded with the code). The
        material of :meth:`frequencies`.
    """

    per_code: "pd.DataFrame"
    summary: "pd.DataFrame"
    disagreements: "pd.DataFrame"
    unit: str
    options: dict[str, Any] = field(default_factory=dict)
    counts: "pd.DataFrame | None" = None

    def frequencies(self, by: Sequence[str] = ("project", "round")) -> "pd.DataFrame":
        """How far codingkit's theme frequencies are from the human's, per group.

        Reports count how often a theme is raised per project and round;
        this is that figure from both coders, side by side. Units (turns;
        segments for span coding) are pooled per group of the metadata
        columns ``by`` (``()``: all transcripts together; ``("source",)``:
        per transcript).

        Returns
        -------
        pandas.DataFrame
            One row per group × code: the ``by`` columns, ``code``,
            ``transcripts``, ``units``, ``human`` and ``codingkit`` (units
            coded), ``human_share`` and ``codingkit_share`` (of the units),
            ``difference`` (``codingkit_share − human_share``), and
            ``human_transcripts`` / ``codingkit_transcripts`` (transcripts
            with at least one unit coded: "how many interviewees raise it").

        Raises
        ------
        EvaluationError
            If ``by`` names a column the transcripts do not have (E631).
        """
        import pandas as pd

        counts = self.counts if self.counts is not None else pd.DataFrame(
            columns=[*FREQUENCY_GROUPS, *_COUNT_COLUMNS])
        by = check_frequency_groups(by, [c for c in counts.columns if c not in _COUNT_COLUMNS])
        c = counts.assign(_h=counts["human"] > 0, _c=counts["codingkit"] > 0)
        keys = [*by, "code"]
        out = (c.groupby(keys, sort=False, dropna=False)
               .agg(transcripts=("source", "nunique"), units=("units", "sum"),
                    human=("human", "sum"), codingkit=("codingkit", "sum"),
                    human_transcripts=("_h", "sum"), codingkit_transcripts=("_c", "sum"))
               .reset_index())
        units = out["units"].where(out["units"] > 0)
        out["human_share"] = out["human"] / units
        out["codingkit_share"] = out["codingkit"] / units
        out["difference"] = out["codingkit_share"] - out["human_share"]
        cols = [*keys, "transcripts", "units", "human", "codingkit", "human_share",
                "codingkit_share", "difference", "human_transcripts", "codingkit_transcripts"]
        return out[cols]

    def frequency_errors(self, by: Sequence[str] = ("project", "round")) -> "pd.DataFrame":
        """Per code, how far codingkit's shares are off over the groups of ``by``.

        Returns
        -------
        pandas.DataFrame
            One row per code: ``human_share`` and ``codingkit_share`` over
            all transcripts, ``groups``, and the ``mean_abs_difference`` and
            ``max_abs_difference`` of the shares over the groups of
            :meth:`frequencies` (0.05 = five percentage points).
        """
        total = self.frequencies(by=())
        per = self.frequencies(by=by).assign(_abs=lambda d: d["difference"].abs())
        err = (per.groupby("code", sort=False)
               .agg(groups=("_abs", "size"), mean_abs_difference=("_abs", "mean"),
                    max_abs_difference=("_abs", "max")).reset_index())
        return (total[["code", "human_share", "codingkit_share"]]
                .merge(err, on="code", how="left"))

    @property
    def macro(self) -> dict[str, float]:
        """The macro-averaged row as a dict."""
        return self.summary.iloc[0].to_dict()

    @property
    def micro(self) -> dict[str, float]:
        """The micro-averaged (pooled) row as a dict."""
        return self.summary.iloc[1].to_dict()

    def table(self, digits: int = 2) -> str:
        """The per-code metrics and the averages as a plain-text table."""
        cols = ["positives", "predicted", "precision", "recall", "f1", "kappa", "alpha"]
        rows = [["code", *cols]]

        def fmt(v: Any) -> str:
            if isinstance(v, float):
                return "–" if math.isnan(v) else f"{v:.{digits}f}"
            return str(v)

        for r in self.per_code.itertuples(index=False):
            rows.append([r.code, *(fmt(getattr(r, c)) for c in cols)])
        for r in self.summary.itertuples(index=False):
            rows.append([f"({r.average})", *(fmt(getattr(r, c)) for c in cols)])
        return text_table(rows, rules_after=(0, len(self.per_code)))

    def to_dict(self) -> dict[str, Any]:
        """Everything as plain JSON-ready data (``nan`` becomes ``None``)."""
        def clean(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
            return [{k: (None if isinstance(v, float) and math.isnan(v) else
                         (v.item() if hasattr(v, "item") else v))
                     for k, v in r.items()} for r in records]

        return {"unit": self.unit, "options": self.options,
                "summary": clean(self.summary.to_dict("records")),
                "per_code": clean(self.per_code.to_dict("records")),
                "disagreements": clean(self.disagreements.to_dict("records"))}

    def write(self, folder: str | os.PathLike[str]) -> list[Path]:
        """Write ``agreement.csv``, ``agreement_summary.csv``,
        ``disagreements.csv``, ``agreement_counts.csv`` (:attr:`counts`) and
        ``agreement.json`` into ``folder``.

        Each file is written to a temporary name and renamed, so it is
        either complete or absent. Returns the paths written.
        """
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        out = []
        tables = [("agreement.csv", self.per_code),
                  ("agreement_summary.csv", self.summary),
                  ("disagreements.csv", self.disagreements)]
        if self.counts is not None:
            tables.append(("agreement_counts.csv", self.counts))
        for name, df in tables:
            out.append(_atomic_write(folder / name, df.to_csv(index=False, lineterminator="\n")))
        out.append(_atomic_write(folder / "agreement.json",
                                 json.dumps(self.to_dict(), ensure_ascii=False, indent=2) + "\n"))
        return out


def text_table(rows: Sequence[Sequence[str]], rules_after: Sequence[int] = ()) -> str:
    """Rows of cells as a plain-text table: the first column left-aligned,
    the others right-aligned, a line of dashes after each row in
    ``rules_after`` (0: the header).

    >>> print(text_table([["code", "alpha"], ["behov", "0.71"]], rules_after=(0,)))
    code   alpha
    -----  -----
    behov   0.71
    """
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for k, row in enumerate(rows):
        cells = [row[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(row[1:], widths[1:])]
        lines.append("  ".join(cells).rstrip())
        if k in rules_after:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _atomic_write(path: Path, text: str) -> Path:
    atomic_write_text(path, text)
    return path


def _pred_tables(pred: Any, segments: Sequence[Segment] | None
                 ) -> tuple["pd.DataFrame", list[Segment], Codebook | None]:
    """Normalise ``pred`` to (codings frame, segments, codebook)."""
    import pandas as pd

    if isinstance(pred, CodingResult):
        codings = pd.DataFrame(
            [(c.segment_id, c.code, c.theme, c.score, c.method, c.evidence)
             for c in pred.coding_list],
            columns=["segment_id", "code", "theme", "score", "method", "evidence"])
        return codings, list(segments or pred.segment_list), pred.codebook
    if isinstance(pred, (str, os.PathLike)):
        return _read_pred_dir(Path(pred), segments)
    if isinstance(pred, pd.DataFrame):
        if segments is None:
            raise EvaluationError("predictions given as a table need the segments "
                                  "(segments=...)", code="E607")
        return pred.copy(), list(segments), None
    raise EvaluationError(f"cannot evaluate predictions of type {type(pred).__name__}; "
                          "expected a CodingResult, a results folder or a codings table",
                          code="E607")


def _read_pred_dir(folder: Path, segments: Sequence[Segment] | None
                   ) -> tuple["pd.DataFrame", list[Segment], Codebook | None]:
    """Read the ``codings`` and ``segments`` tables ``codingkit apply`` wrote."""
    import pandas as pd

    def find(stem: str) -> Path | None:
        for suffix in (".csv", ".parquet"):
            p = folder / f"{stem}{suffix}"
            if p.is_file():
                return p
        return None

    def read(p: Path, text: bool = False) -> pd.DataFrame:
        """The table; ``text``: every column as written (metadata such as a
        round "01" stays "01")."""
        if p.suffix == ".parquet":
            return pd.read_parquet(p)
        from ..tables import restore_frame

        return restore_frame(  # the texts as coded (without the formula-guard ')
            pd.read_csv(p, dtype=str if text else {"segment_id": str, "source": str},
                        keep_default_na=False, na_values={"score": [""], "turn": [""]}),
            folder)

    if not folder.is_dir():
        raise EvaluationError("predictions folder not found (expected the output "
                              "folder of 'codingkit apply')", path=folder, code="E607")
    cpath = find("codings")
    if cpath is None:
        raise EvaluationError("no codings.csv or codings.parquet in the predictions "
                              "folder", path=folder, code="E607")
    codings = read(cpath)
    for col in ("segment_id", "code"):
        if col not in codings:
            raise EvaluationError(f"the codings table has no {col} column", path=cpath,
                                  line=1, code="E607")
    if segments is None:
        spath = find("segments")
        if spath is None:
            raise EvaluationError("no segments.csv or segments.parquet in the "
                                  "predictions folder", path=folder, code="E607")
        st = read(spath, text=True)
        need = {"segment_id", "source", "start", "end", "text", "turn"}
        if not need <= set(st.columns):
            raise EvaluationError("the segments table needs the columns "
                                  + ",".join(sorted(need)), path=spath, line=1, code="E607")
        # project, round, role and any further metadata column apply wrote
        plain = {"segment_id", "source", "speaker", "speaker_role", "turn", "unit", "start",
                 "end", "text"}
        meta_cols = [c for c in st.columns if c not in plain]
        segments = [
            Segment(segment_id=str(r["segment_id"]), source=str(r["source"]),
                    start=int(r["start"]), end=int(r["end"]), text=str(r["text"]),
                    turn=int(r["turn"]),
                    speaker=(str(r["speaker"]) if "speaker" in st and r["speaker"] != "" else None),
                    speaker_role=(str(r["speaker_role"]) if "speaker_role" in st
                                  else RESPONDENT),  # type: ignore[arg-type]
                    unit=str(r["unit"]) if "unit" in st else "turn",
                    metadata={c: str(r[c]) for c in meta_cols})
            for r in st.to_dict("records")
        ]
    return codings, list(segments), None


def evaluate(
    gold: "HumanCoding | str | os.PathLike[str] | Sequence[str | os.PathLike[str]]",
    pred: "CodingResult | str | os.PathLike[str] | pd.DataFrame",
    *,
    segments: Sequence[Segment] | None = None,
    codebook: Codebook | None = None,
    codes: Sequence[str] | None = None,
    level: str = "theme",
    split: str | Iterable[str] | None = None,
    roles: tuple[str, ...] | None = (RESPONDENT,),
    min_overlap: float = 0.5,
) -> Evaluation:
    """Compare codingkit's coding with a human coder's.

    Parameters
    ----------
    gold:
        Human coding: a :class:`HumanCoding`, or CSV files / a folder for
        :func:`read_human_coding`.
    pred:
        codingkit's coding: a :class:`~codingkit.CodingResult`, the output
        folder of ``codingkit apply`` (with ``codings.csv`` and
        ``segments.csv``), or a codings table (``segment_id, code`` and
        optionally ``theme, score, method, evidence``) together with
        ``segments``.
    segments:
        The segments coded; taken from ``pred`` when it has them.
    codebook:
        Used to roll sub-codes up to their theme; taken from ``pred`` when
        it is a CodingResult.
    codes:
        The codes to evaluate. Default: the themes of the codebook (with
        ``level="theme"``) together with every code the human used.
    level:
        ``"theme"``: a sub-code counts as its theme (``tidig_dialog.rfi`` →
        ``tidig_dialog``), for human coding done at theme level.
        ``"code"``: codes are compared as they are.
    split:
        Only evaluate the transcripts of this split (``"test"``) of the
        splits table read with the human coding.
    roles:
        Speaker roles whose segments are evaluated (default respondents,
        whom the human codes); ``None`` for all.
    min_overlap:
        For span coding; see :func:`align_human_coding`.

    Returns
    -------
    Evaluation

    Notes
    -----
    Only transcripts the human coded are evaluated. With turn coding the
    unit is the turn: codingkit's codings of sentences or paragraphs are
    rolled up to their turn (a turn is coded when any of its segments is).
    When the human coding comes with a list of the turns read, only those
    turns count.
    """
    import numpy as np
    import pandas as pd

    if level not in ("theme", "code"):
        raise EvaluationError(f"level must be 'theme' or 'code', got {level!r}",
                              code="E608")
    human = gold if isinstance(gold, HumanCoding) else read_human_coding(gold)
    if split is not None:
        human = human.select(split)
    pcod, segs, cb = _pred_tables(pred, segments)
    codebook = codebook or cb

    units = _units(human.kind, segs, human, roles)
    if not units.ids:
        raise sources_mismatch(human, {s.source for s in segs})
    unit_index = {u: i for i, u in enumerate(units.ids)}

    # Human coding per unit
    if human.kind == "turn":
        gold_pairs = [(f"{s}:{t}", c) for s, t, c in
                      zip(human.codings["source"], human.codings["turn"], human.codings["code"])]
        missed = sum(u not in unit_index for u, _ in gold_pairs)
        gold_pairs = [(u, c) for u, c in gold_pairs if u in unit_index]
        if missed and not gold_pairs:
            raise sources_mismatch(human, {s.source for s in segs})
        if missed:
            absent = _absent(human, {s.source for s in segs})
            warnings.warn(CodingkitWarning(
                f"{missed} of {missed + len(gold_pairs)} human codings fall on no evaluated "
                "turn and are ignored" + (absent or " (another speaker role, or a turn the "
                                          "transcript does not have)")), stacklevel=2)
    else:
        unit_segs = [s for s in segs if s.segment_id in unit_index]
        al = align_human_coding(human, unit_segs, min_overlap=min_overlap, roles=roles)
        gold_pairs = list(zip(al["segment_id"], al["code"]))

    # Predictions per unit, at the chosen level
    pcod = pcod.copy()
    if level == "theme":
        if "theme" in pcod and (pcod["theme"].astype(str) != "").all():
            pcod["eval_code"] = pcod["theme"].astype(str)
        elif codebook is not None:
            pcod["eval_code"] = [codebook.theme_of(c) if c in codebook else c
                                 for c in pcod["code"].astype(str)]
        else:
            pcod["eval_code"] = pcod["code"].astype(str)
        gold_pairs = [(u, codebook.theme_of(c) if codebook is not None and c in codebook else c)
                      for u, c in gold_pairs]
    else:
        pcod["eval_code"] = pcod["code"].astype(str)
    pcod["unit"] = pcod["segment_id"].astype(str).map(units.seg_to_unit)
    pcod = pcod[pcod["unit"].isin(unit_index)]

    if codes is None:
        base: list[str] = []
        if codebook is not None:
            base = [c.id for c in (codebook.themes if level == "theme" else codebook)
                    if c.codable or level == "theme"]
            # a typo in the human coding would add an all-false-negative code
            unknown_codes(human, codebook)
            extra = []
        else:
            extra = sorted({c for _, c in gold_pairs} - set(base))
        codes = base + extra
    codes = list(codes)
    code_index = {c: j for j, c in enumerate(codes)}

    G = np.zeros((len(units.ids), len(codes)), dtype=bool)
    P = np.zeros_like(G)
    for u, c in gold_pairs:
        if c in code_index:
            G[unit_index[u], code_index[c]] = True
    for u, c in zip(pcod["unit"], pcod["eval_code"]):
        if c in code_index:
            P[unit_index[u], code_index[c]] = True

    per_code = _metrics_frame(codes, G, P)
    summary = _summary(per_code)
    counts = _counts_frame(codes, G, P, [units.source[u] for u in units.ids], segs)

    # Disagreements
    if "score" not in pcod:
        pcod["score"] = float("nan")
    for col in ("method", "evidence"):
        if col not in pcod:
            pcod[col] = ""
    best = (pcod.sort_values("score", ascending=False, kind="stable")
            .drop_duplicates(["unit", "eval_code"]).set_index(["unit", "eval_code"]))
    rows = []
    for i, j in zip(*np.nonzero(G != P)):
        u, c = units.ids[i], codes[j]
        kind = "FP" if P[i, j] else "FN"
        score, method, evidence = float("nan"), "", ""
        if kind == "FP":
            b = best.loc[(u, c)]
            score, method, evidence = float(b["score"]), str(b["method"]), str(b["evidence"])
        rows.append({"code": c, "kind": kind, "segment_id": u, "source": units.source[u],
                     "turn": units.turn[u], "score": score, "method": method,
                     "evidence": evidence, "text": units.text[u]})
    dis = pd.DataFrame(rows, columns=["code", "kind", "segment_id", "source", "turn", "score",
                                      "method", "evidence", "text"])
    if len(dis):
        n_by_code = dis.groupby("code")["kind"].transform("size")
        dis = (dis.assign(_n=-n_by_code, _k=dis["kind"].map({"FP": 0, "FN": 1}),
                          _s=-dis["score"].fillna(-1.0))
               .sort_values(["_n", "code", "_k", "_s", "evidence", "source", "turn"],
                            kind="stable")
               .drop(columns=["_n", "_k", "_s"]).reset_index(drop=True))
    options = {"level": level, "split": split if split is None or isinstance(split, str)
               else sorted(split), "roles": list(roles) if roles else None,
               "min_overlap": min_overlap, "gold_kind": human.kind,
               "gold": [str(p) for p in human.paths]}
    return Evaluation(per_code, summary, dis, "turn" if human.kind == "turn" else "segment",
                      options, counts)


#: The metadata :meth:`Evaluation.frequencies` can group by (besides any
#: further metadata key of the transcripts).
FREQUENCY_GROUPS = ("source", "project", "round", "role")

#: The count columns of :attr:`Evaluation.counts` (the others are metadata).
_COUNT_COLUMNS = ("code", "units", "human", "codingkit")


def check_frequency_groups(by: Sequence[str],
                           available: Sequence[str] = FREQUENCY_GROUPS) -> list[str]:
    """``by`` as a list without repeats, or E631 if it names a column that is
    not ``available`` (the transcripts' metadata keys and ``source``)."""
    by = list(dict.fromkeys(by))
    missing = [c for c in by if c not in available]
    if missing:
        raise EvaluationError(f"cannot group the frequencies by {', '.join(missing)}; "
                              f"expected some of {', '.join(available)}", code="E631")
    return by


def _counts_frame(codes: list[str], G: "np.ndarray", P: "np.ndarray", unit_sources: list[str],
                  segments: Sequence[Segment]) -> "pd.DataFrame":
    """:attr:`Evaluation.counts`: units coded per transcript × code by each coder."""
    import numpy as np
    import pandas as pd

    position = {src: k for k, src in enumerate(dict.fromkeys(unit_sources))}
    sources = list(position)
    from ..tables import metadata_keys

    meta: dict[str, Mapping[str, str]] = {}
    for seg in segments:
        meta.setdefault(seg.source, seg.metadata)
    keys = [k for k in metadata_keys([dict.fromkeys(FREQUENCY_GROUPS[1:]), *meta.values()])
            if k not in FREQUENCY_GROUPS[:1] + _COUNT_COLUMNS]
    idx = np.array([position[x] for x in unit_sources], dtype=int)
    H = np.zeros((len(sources), len(codes)), dtype=int)
    C = np.zeros_like(H)
    np.add.at(H, idx, G.astype(int))
    np.add.at(C, idx, P.astype(int))
    n_units = np.bincount(idx, minlength=len(sources))
    rows = []
    for k, src in enumerate(sources):
        m = meta.get(src, {})
        info = {"source": src, **{key: str(m.get(key, "")) for key in keys}}
        for j, code in enumerate(codes):
            rows.append({**info, "code": code, "units": int(n_units[k]), "human": int(H[k, j]),
                         "codingkit": int(C[k, j])})
    return pd.DataFrame(rows, columns=["source", *keys, *_COUNT_COLUMNS])


def evaluation_from_matrices(codes: Sequence[str], gold: "np.ndarray", pred: "np.ndarray"
                             ) -> tuple["pd.DataFrame", "pd.DataFrame"]:
    """Per-code metrics and macro/micro summary from two boolean matrices.

    ``gold`` and ``pred`` are units × codes arrays of present/absent
    decisions. Used by cross-validation and threshold tuning.
    """
    import numpy as np

    per_code = _metrics_frame(list(codes), np.asarray(gold, bool), np.asarray(pred, bool))
    return per_code, _summary(per_code)


_CV_NAMES = ("cross_validate", "tune_thresholds", "write_tuned_codebook", "CrossValidation",
             "TuningResult")
__all__ += list(_CV_NAMES)


def __getattr__(name: str) -> Any:
    """Cross-validation and tuning live in :mod:`codingkit.evaluation.cv`."""
    if name in _CV_NAMES:
        from . import cv

        return getattr(cv, name)
    raise AttributeError(f"module 'codingkit.evaluation' has no attribute {name!r}")
