"""Cross-validation of learning from human coding, and threshold tuning.

With one human-coded corpus and no separate test set, an honest estimate
of how well codingkit learns comes from *K-fold cross-validation*: the
transcripts are split into K folds (a transcript is never split, so that a
speaker's way of talking cannot leak from training into testing); each
fold is coded by a :class:`~codingkit.Coder` fitted on the other folds only,
and the coding of all folds together is compared with the human's. No
segment is ever scored by a model that saw it.

:func:`tune_thresholds` chooses each code's similarity ``threshold`` (the
codebook key) to maximise F1 or another metric, estimates how well the
chosen thresholds do under cross-validation, and :func:`write_tuned_codebook`
writes them to a *copy* of the codebook.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterable, Sequence

from ..errors import EvaluationError, LittleHumanCodingWarning
from ..coding.similarity import BACKENDS
from ..model import RESPONDENT, Codebook, CodingResult, Segment, Transcript
from ..humancoding import HumanCoding, align_human_coding, read_human_coding
from .agreement import Evaluation, evaluate

#: A code needs this many human-coded segments before ``tune`` changes its
#: threshold (as the learner's ``min_positives``): on fewer, the best
#: threshold is mostly 1.0 — similarity off for the code.
TUNE_MIN_POSITIVES = 30

__all__ = ["CrossValidation", "cross_validate", "TuningResult", "tune_thresholds",
           "write_tuned_codebook", "source_folds", "source_splits"]


def source_folds(sources: Sequence[str], k: int) -> list[list[str]]:
    """Split sources into ``k`` folds of (nearly) equal size, deterministically.

    Sources are sorted and dealt round-robin (source ``i`` goes to fold
    ``i % k``), so each fold mixes projects and rounds when the file names
    are ordered by them. The folds are those of scikit-learn's
    :class:`~sklearn.model_selection.PredefinedSplit` (see :func:`source_splits`).

    >>> source_folds(["a", "b", "c", "d", "e"], 2)
    [['a', 'c', 'e'], ['b', 'd']]
    """
    return [test for _, test in source_splits(sources, k)]


def source_splits(sources: Sequence[str], k: int) -> list[tuple[list[str], list[str]]]:
    """The ``(training sources, test sources)`` of each of ``k`` folds:
    scikit-learn's ``PredefinedSplit(test_fold=[i % k ...])`` over the sorted
    sources (a transcript is never split).

    >>> source_splits(["b", "a", "c"], 2)
    [(['b'], ['a', 'c']), (['a', 'c'], ['b'])]
    """
    from sklearn.model_selection import PredefinedSplit

    srcs = sorted(set(sources))
    if k < 2:
        raise EvaluationError(f"cross-validation needs at least 2 folds, got {k}",
                              code="E620")
    if len(srcs) < k:
        raise EvaluationError(
            f"{k} folds need at least {k} human-coded transcripts; there are "
            f"{len(srcs)}: use at most {len(srcs)} folds, or code more transcripts"
            if len(srcs) >= 2 else
            f"{k} folds need at least {k} human-coded transcripts; there are "
            f"{len(srcs)}: cross-validation needs at least 2", code="E620")
    splitter = PredefinedSplit(test_fold=[i % k for i in range(len(srcs))])
    return [([srcs[i] for i in train], [srcs[i] for i in test])
            for train, test in splitter.split()]


@dataclass
class CrossValidation:
    """The result of :func:`cross_validate`.

    Attributes
    ----------
    evaluation:
        Agreement of the out-of-fold coding with the human coding.
    result:
        The out-of-fold coding (every segment coded by the fold's model).
    folds:
        The sources of each fold.
    training:
        For each fold, the ids of the segments its model was trained on.
    codebook_kept:
        code → in how many folds it had too little human coding to be
        learned and kept the codebook's coding (see ``min_positives`` in
        :mod:`codingkit.coding.learned`).
    """

    evaluation: Evaluation
    result: CodingResult
    folds: list[list[str]]
    training: list[set[str]] = field(default_factory=list)
    codebook_kept: dict[str, int] = field(default_factory=dict)


def _segments(data, unit: str) -> tuple[list[Segment], list[Transcript]]:
    from ..segmenting import segment as make_segments

    items = [data] if isinstance(data, (Transcript, Segment)) else list(data)
    transcripts = [x for x in items if isinstance(x, Transcript)]
    if transcripts:
        return make_segments(transcripts, unit), transcripts
    return [x for x in items if isinstance(x, Segment)], []


def _human(human) -> HumanCoding:
    return human if isinstance(human, HumanCoding) else read_human_coding(human)


def cross_validate(
    data: Iterable[Transcript] | Iterable[Segment],
    human: "HumanCoding | str | os.PathLike[str] | Sequence[str | os.PathLike[str]]",
    *,
    codebook: Codebook | None = None,
    k: int = 5,
    unit: str = "turn",
    similarity: str = "tfidf",
    learn: bool = True,
    coder_options: dict[str, Any] | None = None,
    level: str = "theme",
    fit_options: dict[str, Any] | None = None,
) -> CrossValidation:
    """K-fold cross-validation of codingkit on human-coded transcripts.

    Parameters
    ----------
    data:
        The transcripts (or segments); only those the human coded are used.
    human:
        The human coding (see :func:`codingkit.evaluation.read_human_coding`).
    codebook:
        The codebook (default: the bundled one).
    k:
        Number of folds; transcripts are kept whole (see :func:`source_folds`).
    unit:
        Segment unit when transcripts are given.
    similarity:
        ``"tfidf"``, ``"semantic"`` or ``"none"``.
    learn:
        Fit each fold's coder on the other folds' human coding (the point
        of cross-validation). ``False`` evaluates the codebook alone on the
        same folds, for comparison.
    coder_options:
        Further keyword arguments of :class:`~codingkit.Coder`.
    level:
        See :func:`codingkit.evaluate`.
    fit_options:
        Keyword arguments of :meth:`~codingkit.Coder.fit`, e.g.
        ``{"rules_tuned_on": [...]}`` (each fold gets them as they are; a
        source not in its training part is simply not found there).

    Returns
    -------
    CrossValidation
    """
    from ..coding import Coder

    human = _human(human)
    segments, transcripts = _segments(data, unit)
    given = {s.source for s in segments}
    coded_sources = set(human.sources) & given
    if not coded_sources:
        from ..humancoding import sources_mismatch

        raise sources_mismatch(human, given)  # E606: the names differ, say how
    splits = source_splits(sorted(coded_sources), k)
    if codebook is None:
        from ..codebook import load_codebook

        codebook = load_codebook()
    opts = {"unit": unit, "similarity": similarity, **(coder_options or {})}
    codings = []
    training: list[set[str]] = []
    min_positives = 0
    kept: dict[str, int] = {}  # code → folds in which it kept the codebook's coding
    for train_sources, test_sources in splits:
        test_set = set(test_sources)
        coder = Coder(codebook, **opts)
        if learn:
            train_segs = [s for s in segments if s.source in train_sources]
            with warnings.catch_warnings():  # one summary below, not one per fold
                warnings.simplefilter("ignore", LittleHumanCodingWarning)
                coder.fit(train_segs, human.select(sources=train_sources), **(fit_options or {}))
            min_positives = coder.learner_.min_positives
            for c in coder.learner_.codebook_kept_:
                kept[c] = kept.get(c, 0) + 1
            training.append(set(coder.training_segment_ids_))
        else:
            training.append(set())
        test_segs = [s for s in segments if s.source in test_set]
        codings.extend(coder.code(test_segs).coding_list)
    if kept:
        warnings.warn(LittleHumanCodingWarning(
            "too little human coding to learn " + ", ".join(
                f"{c} (in {n} of {k} folds)" for c, n in kept.items())
            + ": there the codebook's coding is kept; learning a code needs "
            f"{min_positives} segments coded with it"), stacklevel=2)
    used = [s for s in segments if s.source in coded_sources]
    result = CodingResult(used, codings, codebook,
                          options={**opts, "cv_folds": k, "learn": learn})
    ev = evaluate(human, result, level=level)
    if transcripts and all(t.path for t in transcripts):
        # the texts disagreements.csv quotes: checked where it is written
        ev.texts_from = {"paths": list(dict.fromkeys(str(t.path) for t in transcripts))}
    return CrossValidation(ev, result, [test for _, test in splits], training, kept)


# --------------------------------------------------------------------------
# Threshold tuning
# --------------------------------------------------------------------------


@dataclass
class TuningResult:
    """The result of :func:`tune_thresholds`.

    Attributes
    ----------
    thresholds:
        code → similarity threshold chosen on all the human coding.
    table:
        One row per tuned code: ``code, old_threshold, threshold,
        positives, <metric> (in-sample), <metric>_cv`` (the metric of the
        out-of-fold decisions, thresholds chosen on the other folds).
    evaluation:
        Agreement of the cross-validated decisions with the human coding.
    metric:
        The metric maximised.
    similarity:
        The similarity backend the thresholds are for.
    kept:
        code → its human-coded positives, for the codes with fewer than
        ``min_positives``: they keep the codebook's threshold (not in
        ``thresholds``).
    """

    thresholds: dict[str, float]
    table: Any
    evaluation: Evaluation
    metric: str
    similarity: str
    kept: dict[str, int] = field(default_factory=dict)


def tune_thresholds(
    data: Iterable[Transcript] | Iterable[Segment],
    human: "HumanCoding | str | os.PathLike[str] | Sequence[str | os.PathLike[str]]",
    *,
    codebook: Codebook | None = None,
    k: int = 5,
    metric: str = "f1",
    unit: str = "turn",
    similarity: str = "tfidf",
    cache_dir: str | os.PathLike[str] | None = None,
    min_positives: int = TUNE_MIN_POSITIVES,
) -> TuningResult:
    """Choose each code's similarity threshold to maximise ``metric``.

    For every code the human used, the decision "a rule of the code (or of
    one of its sub-codes) matched, or the similarity reached the threshold"
    is compared with the human's, segment by segment; the threshold that
    maximises the metric is kept (ties: the higher one). Under K-fold
    cross-validation (transcripts kept whole) the thresholds are chosen on
    K−1 folds and applied to the remaining one, which gives an honest
    estimate of the tuned codebook's agreement.

    Parameters
    ----------
    data, human, codebook, k, unit:
        As for :func:`cross_validate`.
    metric:
        ``"f1"`` (default), ``"kappa"``, ``"alpha"``, ``"precision"`` or
        ``"recall"``.
    similarity:
        ``"tfidf"`` or ``"semantic"``: thresholds belong to a backend.
    cache_dir:
        Embedding cache of the semantic backend.
    min_positives:
        A code the human coded in fewer segments keeps the codebook's
        threshold (or the backend's default), with a
        :class:`~codingkit.errors.LittleHumanCodingWarning`: on a few
        positives the best threshold is usually 1.0, which switches
        similarity off for the code.

    Returns
    -------
    TuningResult
    """
    import numpy as np
    import pandas as pd

    from ..coding import Coder
    from ..coding.coder import SIMILARITY_THRESHOLDS
    from ..coding.learned import METRICS, best_threshold

    if similarity not in BACKENDS:
        raise EvaluationError(f"thresholds are tuned for a similarity backend "
                              f"(tfidf or semantic), not {similarity!r}", code="E621")
    if metric not in METRICS:
        raise EvaluationError(f"unknown metric {metric!r}; expected one of "
                              f"{', '.join(METRICS)}", code="E610")
    human = _human(human)
    if codebook is None:
        from ..codebook import load_codebook

        codebook = load_codebook()
    segments, _ = _segments(data, unit)
    coder = Coder(codebook, unit=unit, similarity=similarity, cache_dir=cache_dir)
    sources = set(human.sources)
    todo = [s for s in coder._todo(segments) if s.source in sources
            and s.speaker_role == RESPONDENT]
    if human.kind == "turn" and human.turns is not None:
        read = set(zip(human.turns["source"], human.turns["turn"])) | set(
            zip(human.codings["source"], human.codings["turn"]))
        todo = [s for s in todo if (s.source, s.turn) in read]
    if not todo:  # name the transcripts given, not the none left
        from ..humancoding import sources_mismatch

        raise sources_mismatch(human, {s.source for s in segments})
    aligned = align_human_coding(human, todo)
    codes = [c for c in codebook.codes if c in set(aligned["code"])]
    if not codes:
        raise EvaluationError(f"the human coding uses no code of codebook {codebook.id}",
                              code="E609")
    texts = [s.text for s in todo]
    R, _ = coder._rule_scores(texts)
    sim = coder._new_similarity().fit(codebook, texts=texts)
    S = sim.score(texts)
    code_ids = list(codebook.codes)
    row = {s.segment_id: i for i, s in enumerate(todo)}
    Y = np.zeros((len(todo), len(codes)), dtype=bool)
    for sid, c in zip(aligned["segment_id"], aligned["code"]):
        if c in codes:
            Y[row[sid], codes.index(c)] = True
    # z: the score whose threshold is tuned; a rule match is above any threshold
    Z = np.zeros((len(todo), len(codes)))
    for j, c in enumerate(codes):
        subtree = [q for q, cid in enumerate(code_ids)
                   if cid == c or codebook.is_descendant(cid, c)]
        rule_hit = (R[:, subtree] > 0).any(axis=1)
        s = S.scores[:, S.codes.index(c)] if c in S.codes else np.zeros(len(todo))
        s = np.where(R[:, code_ids.index(c)] < 0, 0.0, s)  # an exclusion vetoes
        Z[:, j] = np.where(rule_hit, 2.0, s)

    positives = Y.sum(axis=0).astype(int)
    default = SIMILARITY_THRESHOLDS.get(similarity, 0.5)
    current = {c: (codebook[c].threshold if codebook[c].threshold is not None else default)
               for c in codes}
    kept = {c: int(positives[j]) for j, c in enumerate(codes) if positives[j] < min_positives}
    if kept:
        warnings.warn(LittleHumanCodingWarning(
            "too little human coding to tune the threshold of " + ", ".join(
                f"{c} ({n} coded segment{'' if n == 1 else 's'})" for c, n in kept.items())
            + f": they keep the codebook's threshold; tuning a code needs {min_positives} "
            "segments coded with it (min_positives, --min-positives)"), stacklevel=2)

    def choose(mask: np.ndarray) -> list[float]:
        out = []
        for j, c in enumerate(codes):
            if c in kept:
                out.append(float(current[c]))
                continue
            t, _ = best_threshold(Y[mask, j], Z[mask, j], metric=metric)
            out.append(float(min(max(t, 0.0), 1.0)))
        return out

    src = np.array([s.source for s in todo], dtype=object)
    P = np.zeros_like(Y)
    for _, test_sources in source_splits(sorted(set(src)), k):
        te = np.isin(src, test_sources)
        th = choose(~te)
        P[te] = Z[te] >= np.array(th)
    final = choose(np.ones(len(todo), dtype=bool))

    # evaluate the out-of-fold decisions like any coding
    from ..model import Coding

    codings = [Coding(todo[i].segment_id, codes[j], codebook.theme_of(codes[j]),
                      float(min(Z[i, j], 1.0)), "similarity", "cross-validated threshold")
               for i, j in zip(*np.nonzero(P))]
    result = CodingResult(todo, codings, codebook)
    ev = evaluate(human, result, codes=codes, level="code")
    insample = []
    for j, c in enumerate(codes):
        from ..metrics import binary_agreement

        d = Z[:, j] >= final[j]
        y = Y[:, j]
        insample.append(binary_agreement(int((d & y).sum()), int((d & ~y).sum()),
                                         int((~d & y).sum()), int((~d & ~y).sum()))[metric])
    cv_metric = ev.per_code.set_index("code")[metric]
    table = pd.DataFrame({
        "code": codes,
        "old_threshold": [codebook[c].threshold for c in codes],
        "threshold": [round(t, 4) for t in final],
        "positives": positives,
        metric: insample,
        f"{metric}_cv": [float(cv_metric[c]) for c in codes],
    })
    return TuningResult({c: round(t, 4) for c, t in zip(codes, final) if c not in kept},
                        table, ev, metric, similarity, kept)



def write_tuned_codebook(codebook: Codebook, thresholds: dict[str, float],
                         out: str | os.PathLike[str], *, force: bool = False) -> Path:
    """Write a copy of ``codebook`` with new thresholds to ``out``.

    When the codebook was read from a YAML file that has not changed since,
    the copy is that file with only the ``threshold`` keys of the codes in
    ``thresholds`` set (a missing key is added before the code's
    ``rules``): comments, order, quoting and layout are kept
    (:func:`codingkit.codebook.roundtrip.set_thresholds`). Otherwise (a
    ``.qdc``, a codebook built in Python) the codebook is written afresh
    by :func:`codingkit.dump_codebook`.

    The original codebook file is never written: ``out`` must be another
    file.

    Raises
    ------
    EvaluationError
        If ``out`` is the codebook's own file (E622), or exists and
        ``force`` is false (E623).
    """
    import hashlib

    from ..codebook import dump_codebook
    from ..codebook.roundtrip import set_thresholds
    from ..fileio import atomic_write_text

    out = Path(out)
    if codebook.path is not None and out.resolve() == Path(codebook.path).resolve():
        raise EvaluationError("tune never overwrites the codebook it tunes; name "
                              "another file with --out", path=out, code="E622")
    if out.exists() and not force:
        raise EvaluationError("the output codebook exists; use --force (force=True in Python) to "
                              "replace it",
                              path=out, code="E623")
    text = None
    src = Path(codebook.path) if codebook.path is not None else None
    if src is not None and src.suffix.lower() in (".yaml", ".yml") and src.is_file():
        raw = src.read_bytes()
        if codebook.sha256 is None or hashlib.sha256(raw).hexdigest() == codebook.sha256:
            try:
                text = set_thresholds(raw.decode("utf-8-sig"), thresholds)
            except UnicodeDecodeError:
                text = None
    if text is None:
        codes = {cid: (replace(c, threshold=thresholds[cid]) if cid in thresholds else c)
                 for cid, c in codebook.codes.items()}
        text = dump_codebook(replace(codebook, codes=codes))
    atomic_write_text(out, text)
    return out
