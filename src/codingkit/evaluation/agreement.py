"""Agreement with human coding: align, measure, list disagreements (see :mod:`codingkit.evaluation`)."""

from __future__ import annotations

import json
import math
import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping, Sequence

from ..errors import CodingkitWarning, EvaluationError
from ..fileio import atomic_write_text
from ..tables import frame_csv_text
from ..model import RESPONDENT, Codebook, CodingResult, Segment

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pandas as pd

# what this module defines (codingkit.evaluation re-exports it with human coding)
__all__ = ["Evaluation", "evaluate", "evaluation_from_matrices", "check_frequency_groups",
           "check_agreement_location", "text_table", "FREQUENCY_GROUPS", "METRIC_COLUMNS"]

#: Columns of the per-code metrics table, in order.
METRIC_COLUMNS = (
    "code", "n_units", "positives", "predicted", "tp", "fp", "fn", "tn",
    "precision", "recall", "f1", "kappa", "alpha",
)


from ..humancoding import (  # noqa: E402,F401 - used here and re-exported
    HumanCoding,
    _absent,
    _units,
    align_human_coding,
    read_human_coding,
    sources_mismatch,
    unknown_codes,
)
from ..metrics import binary_agreement  # noqa: E402,F401 - re-exported


# --------------------------------------------------------------------------
# Metrics
# --------------------------------------------------------------------------


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
    coding:
        With a results folder as ``pred``: the fingerprint of its coding.
    warnings:
        Why the agreement is not a fair test, if it is not.
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
    #: The coding measured, when it was a results folder's
    #: (:func:`codingkit.writers.readback.coding_fingerprint`): which tables,
    #: with their sha256. ``codingkit report`` shows the figures as a run's
    #: own only when its coding has this fingerprint.
    coding: dict[str, Any] | None = None
    #: Why the agreement is not a fair test, if it is not
    #: (:meth:`codingkit.errors.UnfairTestWarning.record`: kind, message, figures).
    warnings: list[dict[str, Any]] = field(default_factory=list)
    #: Where the texts :attr:`disagreements` quotes come from, for the check of
    #: :meth:`write` (the keywords of :func:`check_agreement_location`):
    #: ``{"pred": folder}`` (a results folder), ``{"paths": [...]}`` (the
    #: transcript files coded) or ``{"pseudonymized": True}``; ``{}``: not
    #: known. :func:`evaluate` sets it.
    texts_from: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

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
                "coding": self.coding, "warnings": list(self.warnings),
                "summary": clean(self.summary.to_dict("records")),
                "per_code": clean(self.per_code.to_dict("records")),
                "disagreements": clean(self.disagreements.to_dict("records"))}

    def write(self, folder: str | os.PathLike[str]) -> list[Path]:
        """Write ``agreement.csv``, ``agreement_summary.csv``,
        ``disagreements.csv``, ``agreement_counts.csv`` (:attr:`counts`) and
        ``agreement.json`` into ``folder``.

        Each file is written to a temporary name and renamed, so it is
        either complete or absent. Returns the paths written.

        Raises
        ------
        PseudonymError
            E808 ``folder`` inside a folder of pseudonymised results or
            copies (meant to be shared) when the texts disagreements.csv
            quotes are not pseudonymised (:attr:`texts_from`,
            :func:`check_agreement_location`).
        """
        check_agreement_location(folder, **self.texts_from)
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        out = []
        tables = [("agreement.csv", self.per_code),
                  ("agreement_summary.csv", self.summary),
                  ("disagreements.csv", self.disagreements)]
        if self.counts is not None:
            tables.append(("agreement_counts.csv", self.counts))
        for name, df in tables:
            out.append(_atomic_write(folder / name, frame_csv_text(df)))
        out.append(_atomic_write(folder / "agreement.json",
                                 json.dumps(self.to_dict(), ensure_ascii=False, indent=2) + "\n"))
        return out


def check_agreement_location(folder: str | os.PathLike[str], *,
                             pred: str | os.PathLike[str] | None = None,
                             paths: Iterable | Callable[[], Iterable] | None = None,
                             pseudonymized: bool = False) -> bool:
    """Whether ``folder`` (of :meth:`Evaluation.write`) is inside a folder of
    pseudonymised results or copies, which is meant to be shared
    (:func:`~codingkit.pseudonymize.shared_folder`); E808 when it is and
    disagreements.csv would quote texts that are not pseudonymised: those of
    the results folder ``pred`` when its results are not pseudonymised, of
    the transcript files ``paths`` (or a callable giving them, called only
    then) when they are not all pseudonymised copies, or, with neither,
    texts that cannot be told to be pseudonymised (unless
    ``pseudonymized``). The one check, and message, of
    :meth:`Evaluation.write` and ``codingkit evaluate --out``.
    """
    from ..pseudonymize import (check_shared_output, inputs_are_copies,
                                results_pseudonymized, shared_folder)

    if shared_folder(Path(folder) / "agreement.json") is None:
        return False
    if pseudonymized:
        return True
    if pred is not None:
        if not results_pseudonymized(pred):
            check_shared_output(folder, f"disagreements.csv would quote the texts of {pred}, "
                                "whose results are not pseudonymised",
                                instead=", or give --pred pseudonymised results",
                                is_folder=True)
        return True
    if paths is not None:
        if not inputs_are_copies(paths() if callable(paths) else paths):
            check_shared_output(folder, "disagreements.csv would quote the texts codingkit "
                                "codes, and the transcripts (PATHS) are not pseudonymised "
                                "copies",
                                instead=", or give the pseudonymised copies as PATHS (or the "
                                        "pseudonymised results with --pred)", is_folder=True)
        return True
    check_shared_output(folder, "disagreements.csv would quote texts that cannot be told to "
                        "be pseudonymised (segments read from no pseudonymised copy)",
                        instead=", or evaluate the coding of the pseudonymised copies",
                        is_folder=True)
    return True


def _texts_from(pred: Any) -> dict[str, Any]:
    """:attr:`Evaluation.texts_from` for ``pred`` of :func:`evaluate`."""
    if isinstance(pred, (str, os.PathLike)):
        return {"pred": pred}
    if isinstance(pred, CodingResult):
        if pred.options.get("pseudonymized") is True:
            return {"pseudonymized": True}
        if pred.transcripts and all(t.path for t in pred.transcripts):
            return {"paths": list(dict.fromkeys(str(t.path) for t in pred.transcripts))}
    return {}


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
    """The codings and segments of a results folder of ``codingkit apply``
    (read by :func:`codingkit.writers.readback.read_results`)."""
    from ..writers.readback import read_results

    results = read_results(folder)
    return results.codings, list(results.segment_list() if segments is None else segments), None


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
    coding = None
    if isinstance(pred, (str, os.PathLike)):  # a results folder: what is measured
        from ..writers.readback import coding_fingerprint, read_manifest

        read_manifest(pred)  # E901/E902 before anything is hashed
        coding = coding_fingerprint(pred)
    pcod, segs, cb = _pred_tables(pred, segments)
    if coding is not None and coding_fingerprint(pred) != coding:
        raise EvaluationError("changed while it was read (did 'codingkit apply' write it "
                              "meanwhile?); run evaluate again", path=pred, code="E635")
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
                      options, counts, coding=coding, texts_from=_texts_from(pred))


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
