"""Learning from human coding: a per-code linear model.

When a researcher has coded some transcripts by hand, codingkit can learn
from them. For every code the human used, a logistic regression
(scikit-learn, ``class_weight="balanced"`` because most segments carry no
code) is trained on the features of each segment (:func:`segment_features`):

* its TF-IDF vector (Swedish lemmas and character n-grams, see
  :mod:`codingkit.coding.similarity`; with the semantic backend also its
  sentence embedding),
* the same vector of the **interviewer's question** before it, times
  ``question_weight``: a human coder reads "Ja, två gånger." in the light
  of "Hade ni någon dialog med marknaden?". The question has its own
  columns (it is not mixed into the answer's words) and a smaller weight,
  so it can tip an answer but not code it alone,
* its similarity to every code's codebook references (``s⁺`` and the score),
* its rule score for every code (from :class:`~codingkit.coding.rules.RuleMatcher`),
  times ``rule_weight``,
* its **nearest human-coded segments** (:func:`neighbour_scores`): per
  code, the mean cosine of the ``k`` closest segments the human coded
  with the code, and that minus the same for segments without it. A
  training segment is only compared with *other* transcripts' segments,
  as a new transcript will be.

The codebook's examples are added as *seed* data with weight
``seed_weight`` (positive for their code and its parents, negative for
every other code; negative examples negative for their code), so a code
the human used rarely still has something to learn from.

Why the rule weight is small by default
---------------------------------------
A codebook's rules are written while reading some transcripts; on those
they look nearly perfect, and a model trained there learns to trust them
fully. On interviews the rules were not written against they are much
weaker (default codebook: α 0.83 on its dev split, 0.46–0.54 on fresh
interviews). With the rule scores at a tenth of the scale of the other
features, the L2 penalty makes the model earn its trust in a rule from
the data, and the text, question and neighbour features carry the rest.
The rules still act through the combination below. When you know which
transcripts the rules were tuned on, give them to
:meth:`codingkit.Coder.fit` as ``rules_tuned_on``: thresholds and modes
are then chosen on the other transcripts.

The model's output, the *learned score*, is a probability in [0, 1]. Each
code's decision threshold is chosen by an inner cross-validation over the
training transcripts (grouped by source) to maximise F1, so the score
needs no hand calibration; the same out-of-fold scores choose how the
learned score is combined with the codebook's own (:data:`MODES`).

The defaults (:data:`DEFAULTS`) were chosen by cross-validation over
whole transcripts of the gold standard (``benchmarks/agreement.py
--cv-splits``), judged on the interviews the rules were not tuned on.
With 44 human-coded interviews, less regularisation helped a little
(7-fold CV macro α, TF-IDF: C 3 → 0.690, 10 → 0.701, 30 → 0.705;
semantic: 0.708, 0.721, 0.726); ``C = 10`` is kept as the default because
fewer interviews call for more regularisation. With 60 interviews the
same cross-validation gave TF-IDF 0.710 (C 30: 0.710; without balanced
class weights 0.707; 6 neighbours 0.707) and semantic 0.731 (C 30: 0.729),
and every code chose the mode ``learned``: the defaults sit on a plateau,
and more human coding moves α only slowly (44 → 60 interviews: +0.01).

How much human coding is enough
-------------------------------
Learning from a handful of interviews does harm: the thresholds and
modes are chosen on too few examples. On the gold standard
(``benchmarks/learning_curve.py``, TF-IDF, 7 folds of 44 interviews, the
mean of 3 draws), learning from 2, 4, 8, 12, 16 and 24 interviews gave
macro α 0.45, 0.49, 0.56, 0.61, 0.63 and 0.66 against 0.56 for the
codebook alone (0.69 from 37). So a code is learned only when the human
coding holds at least ``min_positives`` (default 30) of its segments;
below that it keeps the codebook's coding and :meth:`codingkit.Coder.fit`
warns. With 30: 0.56, 0.56, 0.55, 0.60, 0.63, 0.66 (20 protects less at
4 interviews, 0.54; 40 costs more at 12, 0.58).

Examples
--------
>>> import numpy as np
>>> from codingkit.coding.learned import best_threshold
>>> best_threshold(np.array([0, 0, 1, 1]), np.array([0.1, 0.4, 0.35, 0.9]))
(0.225, 0.8)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

from ..errors import EvaluationError
from .combination import MODES, choose_mode, combine_parts  # noqa: F401 - re-exported

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    from scipy import sparse

__all__ = ["LearnedModel", "best_threshold", "segment_features", "neighbour_scores",
           "METRICS", "MODES", "DEFAULTS"]

#: Scale of the similarity and rule features against the (unit-length)
#: TF-IDF vector: larger values let the model lean more on them.
DENSE_WEIGHT = 1.0

#: Default options of :class:`LearnedModel` (see the module docstring).
DEFAULTS = {"C": 10.0, "question_weight": 0.5, "context_weight": 0.0, "neighbours": 3,
            "neighbour_weight": 1.0, "rule_weight": 0.1, "seed_weight": 0.5,
            "min_positives": 30}

#: Texts compared with the human-coded segments at a time (:func:`neighbour_scores`).
NEIGHBOUR_BLOCK = 2048

#: Metrics a threshold can be tuned for.
METRICS = ("f1", "kappa", "alpha", "precision", "recall")



def best_threshold(y: "np.ndarray", scores: "np.ndarray", *, metric: str = "f1",
                   default: float = 0.5) -> tuple[float, float]:
    """The decision threshold on ``scores`` that maximises ``metric``.

    Candidate thresholds lie halfway between consecutive distinct scores
    (and just below the lowest and above the highest). Ties go to the
    higher threshold, which codes fewer segments.

    Parameters
    ----------
    y:
        The human decisions (bool or 0/1), one per unit.
    scores:
        codingkit's scores for the same units.
    metric:
        One of :data:`METRICS`.
    default:
        Returned (with value ``nan``) when ``y`` has no positive.

    Returns
    -------
    (threshold, value)
        A unit is coded when ``score >= threshold``.
    """
    import numpy as np

    from ..metrics import binary_agreement

    if metric not in METRICS:
        raise EvaluationError(f"unknown metric {metric!r}; expected one of "
                              f"{', '.join(METRICS)}", code="E610")
    y = np.asarray(y, dtype=bool)
    s = np.asarray(scores, dtype=float)
    if not y.any():
        return default, float("nan")
    uniq = np.unique(s)
    cands = np.concatenate([[uniq[0] - 1e-6], (uniq[:-1] + uniq[1:]) / 2, [uniq[-1] + 1e-6]])
    # counts for every candidate at once: sort scores descending
    order = np.argsort(-s, kind="stable")
    ys, ss = y[order], s[order]
    tp_cum = np.concatenate([[0], np.cumsum(ys)])
    P, N = int(y.sum()), int((~y).sum())
    best_t, best_v = default, -np.inf
    for t in cands[::-1]:  # high to low: ties keep the higher threshold
        k = int(np.searchsorted(-ss, -t, side="right"))  # number of scores >= t
        tp = int(tp_cum[k])
        fp = k - tp
        m = binary_agreement(tp, fp, P - tp, N - fp)[metric]
        if not np.isnan(m) and m > best_v + 1e-12:
            best_t, best_v = float(t), float(m)
    if best_v == -np.inf:
        return default, float("nan")
    return round(best_t, 6), best_v


@dataclass
class _CodeModel:
    clf: object | None  # LogisticRegression, or None when the code has too few examples
    threshold: float
    constant: float  # the score when there is no classifier
    mode: str = "blend"  # how the learned score is combined with the codebook part


def _to_float32(clf):
    """Round a fitted logistic regression's coefficients to float32.

    A saved model keeps float32 coefficients (half the size); rounding them
    when fitting makes a loaded model score exactly as the one saved.
    """
    import numpy as np

    clf.coef_ = clf.coef_.astype(np.float32).astype(np.float64)
    clf.intercept_ = clf.intercept_.astype(np.float32).astype(np.float64)
    return clf


@dataclass
class _CompactLR:
    """A fitted LogisticRegression as pickled: its float32 coefficients."""

    params: dict
    classes: "np.ndarray"
    coef: "np.ndarray"
    intercept: "np.ndarray"
    n_features: int

    @classmethod
    def of(cls, clf) -> "_CompactLR | None":
        import numpy as np

        if clf is None:
            return None
        return cls(clf.get_params(), clf.classes_, clf.coef_.astype(np.float32),
                   clf.intercept_.astype(np.float32), int(clf.n_features_in_))

    def restore(self):
        import numpy as np
        from sklearn.linear_model import LogisticRegression

        clf = LogisticRegression(**self.params)
        clf.classes_ = self.classes
        clf.coef_ = self.coef.astype(np.float64)
        clf.intercept_ = self.intercept.astype(np.float64)
        clf.n_features_in_ = self.n_features
        clf.n_iter_ = np.array([0])
        return clf


class LearnedModel:
    """One logistic regression per code, on segment features.

    The feature options (``question_weight``, ``neighbours``,
    ``neighbour_weight``, ``rule_weight``, ``seed_weight``) are read by
    :meth:`codingkit.Coder.fit` and :meth:`codingkit.Coder.code`, which
    build the features (:func:`segment_features`); the model itself only
    sees the finished matrix.

    Parameters
    ----------
    C:
        Inverse regularisation strength of the logistic regressions
        (smaller: simpler models, for small human codings).
    inner_folds:
        Folds (grouped by source) of the inner cross-validation that
        chooses each code's threshold. With fewer sources than 2, the
        threshold stays 0.5.
    metric:
        The metric the thresholds maximise (see :data:`METRICS`).
    random_state:
        Seed for the solver, so that results are reproducible.
    question_weight:
        Scale of the vector of the interviewer's question before each
        segment (0: questions are not used).
    neighbours:
        ``k`` of the nearest-neighbour features (:func:`neighbour_scores`:
        similarity to the human-coded segments of each code); 0 turns them
        off.
    neighbour_weight:
        Scale of the nearest-neighbour features.
    rule_weight:
        Scale of the rule scores among the features (0: the model does not
        see the rules; they still act through the combination
        :data:`MODES`).
    seed_weight:
        Weight of a codebook example among the training rows (a
        human-coded segment weighs 1; 0: no seed rows).
    context_weight:
        Scale of the vectors of the respondent's answers just before and
        after each segment (0, the default: not used). A short follow-up
        ("Ja, och det gjorde vi igen i våras.") often carries the theme of
        the answer before it. Measured by 7-fold cross-validation over the
        gold interviews: +0.02 macro α when learning from 28 interviews,
        none from 44, hence off by default.
    min_positives:
        A code whose human coding holds fewer positive segments than this
        (in the rows that choose thresholds and modes, see ``choose_on``)
        keeps the codebook's decision (mode ``codebook``): with so few
        examples the learned model cannot be judged, and learning from 2–4
        interviews coded *worse* than the codebook alone (macro α 0.45–0.49
        vs 0.56, ``benchmarks/learning_curve.py``). The count is in
        :attr:`positives_`.
    modes:
        The combinations :data:`MODES` a code may choose from.

    Attributes
    ----------
    codes_ : list of str
        The codes learned.
    models_ : dict
        code → fitted model, threshold.
    positives_ : dict
        code → human-coded positive segments its threshold and mode were
        chosen on (compared with ``min_positives``).
    """

    def __init__(self, *, C: float = DEFAULTS["C"], inner_folds: int = 3, metric: str = "f1",
                 random_state: int = 0,
                 question_weight: float = DEFAULTS["question_weight"],
                 context_weight: float = DEFAULTS["context_weight"],
                 neighbours: int = DEFAULTS["neighbours"],
                 neighbour_weight: float = DEFAULTS["neighbour_weight"],
                 rule_weight: float = DEFAULTS["rule_weight"],
                 seed_weight: float = DEFAULTS["seed_weight"],
                 min_positives: int = DEFAULTS["min_positives"],
                 modes: Sequence[str] = MODES) -> None:
        unknown = [m for m in modes if m not in MODES]
        if unknown or not modes:
            raise EvaluationError(f"unknown combination mode {unknown or modes!r}; expected "
                                  f"some of {', '.join(MODES)}", code="E612")
        self.C = C
        self.inner_folds = inner_folds
        self.metric = metric
        self.random_state = random_state
        self.question_weight = question_weight
        self.context_weight = context_weight
        self.neighbours = neighbours
        self.neighbour_weight = neighbour_weight
        self.rule_weight = rule_weight
        self.seed_weight = seed_weight
        self.min_positives = min_positives
        self.modes = tuple(modes)

    def _new_clf(self):
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression(C=self.C, class_weight="balanced", solver="liblinear",
                                  max_iter=1000, random_state=self.random_state)

    def fit(self, X: "sparse.spmatrix | np.ndarray", Y: "np.ndarray", codes: Sequence[str], *,
            groups: "Sequence[str] | None" = None,
            sample_weight: "np.ndarray | None" = None,
            is_seed: "np.ndarray | None" = None,
            codebook_part: "np.ndarray | None" = None,
            choose_on: "np.ndarray | None" = None) -> "LearnedModel":
        """Train one model per code.

        Parameters
        ----------
        X:
            Features, one row per training segment (and seed example).
        Y:
            ``n × len(codes)`` human decisions (bool).
        codes:
            The code of each column of ``Y``.
        groups:
            The source of each row (seed rows: any label, e.g. ``""``); the
            inner cross-validation keeps a source's rows together.
        sample_weight:
            Weight of each row (seed rows usually lower).
        is_seed:
            Which rows are codebook examples rather than human coding; they
            are always in the training part of the inner cross-validation
            and never used to choose a threshold.
        codebook_part:
            ``n × len(codes)``: the codebook's own score of each row on the
            0.5-is-coded scale (see :mod:`codingkit.coding.coder`). When
            given, each code's combination :data:`MODES` is chosen on the
            out-of-fold scores of the inner cross-validation.
        choose_on:
            Which human rows choose each code's threshold and mode (default:
            all). :meth:`codingkit.Coder.fit` leaves out the transcripts the
            rules were tuned on, where the rules look better than they are.
            Where these rows hold fewer than 2 positives of a code, all
            human rows choose.

        Returns
        -------
        LearnedModel
            ``self``, fitted.
        """
        import numpy as np
        from sklearn.model_selection import GroupKFold

        Y = np.asarray(Y, dtype=bool)
        n = Y.shape[0]
        w = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=float)
        seed = np.zeros(n, bool) if is_seed is None else np.asarray(is_seed, dtype=bool)
        grp = np.asarray(groups if groups is not None else [""] * n, dtype=object)
        human_rows = np.flatnonzero(~seed)
        n_groups = len(set(grp[human_rows]))
        folds = []
        if n_groups >= 2 and self.inner_folds >= 2:
            gkf = GroupKFold(n_splits=min(self.inner_folds, n_groups))
            for tr, te in gkf.split(human_rows, groups=grp[human_rows]):
                folds.append((np.concatenate([human_rows[tr], np.flatnonzero(seed)]),
                              human_rows[te]))
        self.codes_ = list(codes)
        self.models_: dict[str, _CodeModel] = {}
        self.positives_: dict[str, int] = {}
        chosen_rows = human_rows
        if choose_on is not None:
            chosen_rows = human_rows[np.asarray(choose_on, dtype=bool)[human_rows]]
        # with too little human coding of a code, its learned model cannot be
        # judged: the code keeps the codebook's decision
        fallback = "codebook" if "codebook" in self.modes else self.modes[0]
        for j, code in enumerate(self.codes_):
            y = Y[:, j]
            rows = chosen_rows if y[chosen_rows].sum() >= 2 else human_rows
            self.positives_[code] = int(y[rows].sum())
            enough = codebook_part is None or self.positives_[code] >= self.min_positives
            if y.sum() < 2 or (~y).sum() < 2:
                self.models_[code] = _CodeModel(None, 0.5, float(y.mean()) if n else 0.0,
                                                self.modes[0] if enough else fallback)
                continue
            clf = _to_float32(self._new_clf().fit(X, y, sample_weight=w))
            threshold, mode = 0.5, self.modes[0] if enough else fallback
            if folds and y[human_rows].sum() >= 2:
                oof = np.full(n, np.nan)
                for tr, te in folds:
                    ytr = y[tr]
                    if ytr.sum() < 1 or (~ytr).sum() < 1:
                        oof[te] = ytr.mean()
                        continue
                    inner = self._new_clf().fit(X[tr], ytr, sample_weight=w[tr])
                    oof[te] = inner.predict_proba(X[te])[:, 1]
                threshold, _ = best_threshold(y[rows], oof[rows], metric=self.metric)
                if codebook_part is not None and enough:
                    mode = choose_mode(y[rows], oof[rows], threshold,
                                       np.asarray(codebook_part)[rows, j], self.metric,
                                       self.modes)
            self.models_[code] = _CodeModel(clf, threshold, 0.0, mode)
        return self

    def __getstate__(self) -> dict:
        """Arrays are pickled as float32 (they hold float32 values already,
        see :func:`_to_float32`), so a saved model is about half the size."""
        import numpy as np

        state = dict(self.__dict__)
        if state.get("neighbour_vectors_") is not None:
            state["neighbour_vectors_"] = state["neighbour_vectors_"].astype(np.float32)
        if "models_" in state:
            state["models_"] = {c: _CodeModel(_CompactLR.of(m.clf), m.threshold, m.constant,
                                              m.mode) for c, m in state["models_"].items()}
        return state

    def __setstate__(self, state: dict) -> None:
        import numpy as np

        self.__dict__.update(state)
        if state.get("neighbour_vectors_") is not None:
            self.neighbour_vectors_ = self.neighbour_vectors_.astype(np.float64)
        if "models_" in state:
            self.models_ = {c: _CodeModel(m.clf.restore() if isinstance(m.clf, _CompactLR)
                                          else m.clf, m.threshold, m.constant, m.mode)
                            for c, m in state["models_"].items()}

    def predict_proba(self, X: "sparse.spmatrix | np.ndarray") -> "np.ndarray":
        """The learned score of every row for every code (``n × len(codes_)``)."""
        import numpy as np

        if not hasattr(self, "models_"):
            raise EvaluationError("the learned model is not fitted; call fit() first",
                                  code="E611")
        out = np.zeros((X.shape[0], len(self.codes_)))
        for j, code in enumerate(self.codes_):
            m = self.models_[code]
            out[:, j] = m.clf.predict_proba(X)[:, 1] if m.clf is not None else m.constant
        return out

    @property
    def modes_(self) -> dict[str, str]:
        """code → how its learned score is combined (see :data:`MODES`)."""
        return {c: m.mode for c, m in self.models_.items()}

    @property
    def codebook_kept_(self) -> list[str]:
        """Codes with too little human coding (fewer than ``min_positives``)
        that therefore keep the codebook's coding."""
        return [c for c, m in self.models_.items()
                if m.mode == "codebook" and self.positives_[c] < self.min_positives]

    @property
    def thresholds_(self) -> dict[str, float]:
        """code → decision threshold on the learned score."""
        return {c: m.threshold for c, m in self.models_.items()}

    def has_model(self, code: str) -> bool:
        """Whether ``code`` has a trained classifier (enough positives and negatives)."""
        m = getattr(self, "models_", {}).get(code)
        return m is not None and m.clf is not None


def neighbour_scores(vectors: "sparse.spmatrix | np.ndarray",
                     ref_vectors: "sparse.spmatrix | np.ndarray", ref_Y: "np.ndarray", *,
                     k: int = 3, groups: "Sequence[str] | None" = None,
                     ref_groups: "Sequence[str] | None" = None,
                     nearest: bool = False
                     ) -> "np.ndarray | tuple[np.ndarray, np.ndarray, np.ndarray]":
    """How close each text is to the human-coded segments of each code.

    For every code (column of ``ref_Y``) two numbers: ``p``, the mean cosine
    of the ``k`` nearest human-coded segments *with* the code, and ``p − q``
    with ``q`` the same for the ``k`` nearest segments *without* it. A
    segment whose nearest coded neighbours say "behov" scores high for
    behov even when it shares no word with the codebook.

    Parameters
    ----------
    vectors:
        The texts' vectors (rows L2-normalised, e.g. from
        :meth:`~codingkit.coding.similarity.SimilarityModel.transform`).
    ref_vectors:
        The human-coded segments' vectors.
    ref_Y:
        ``n_ref × m`` human decisions (bool).
    k:
        Neighbours averaged (fewer when a code has fewer segments).
    groups, ref_groups:
        The source of each text and of each reference. A text is never
        compared with a reference of its own source (so that the training
        rows' features are what they would be for a new transcript).
    nearest:
        Also return, per text and code, the index of the nearest reference
        coded with the code (−1 if none) and its cosine: the evidence of a
        learned coding.

    Returns
    -------
    numpy.ndarray
        ``n × 2m``: ``p`` and ``p − q`` of code 1, then of code 2, …
        With ``nearest``, a tuple of that, the ``n × m`` indices and the
        ``n × m`` cosines.

    Examples
    --------
    >>> import numpy as np
    >>> ref = np.array([[1.0, 0.0], [0.0, 1.0], [0.6, 0.8]])
    >>> Y = np.array([[True], [False], [True]])
    >>> neighbour_scores(np.array([[1.0, 0.0]]), ref, Y, k=1).round(2).tolist()
    [[1.0, 1.0]]
    >>> neighbour_scores(np.array([[1.0, 0.0]]), ref, Y, k=1, groups=["a"],
    ...                  ref_groups=["a", "b", "b"]).round(2).tolist()
    [[0.6, 0.6]]
    >>> _, idx, cos = neighbour_scores(np.array([[0.0, 1.0]]), ref, Y, k=1, nearest=True)
    >>> idx.tolist(), cos.round(2).tolist()
    ([[2]], [[0.8]])
    """
    import numpy as np
    from scipy import sparse

    ref_Y = np.asarray(ref_Y, dtype=bool)
    n, m = vectors.shape[0], ref_Y.shape[1]
    out = np.zeros((n, 2 * m))
    near = np.full((n, m), -1, dtype=int)
    near_cos = np.zeros((n, m))
    if n == 0 or ref_Y.shape[0] == 0:
        return (out, near, near_cos) if nearest else out
    if n > NEIGHBOUR_BLOCK:  # keep the n × references matrix small
        for b in range(0, n, NEIGHBOUR_BLOCK):
            e = min(b + NEIGHBOUR_BLOCK, n)
            out[b:e], near[b:e], near_cos[b:e] = neighbour_scores(
                vectors[b:e], ref_vectors, ref_Y, k=k,
                groups=None if groups is None else list(groups)[b:e],
                ref_groups=ref_groups, nearest=True)
        return (out, near, near_cos) if nearest else out
    sims = vectors @ ref_vectors.T
    sims = sims.toarray() if sparse.issparse(sims) else np.asarray(sims, dtype=float)
    if groups is not None and ref_groups is not None:
        g = np.asarray(groups, dtype=object)
        rg = np.asarray(ref_groups, dtype=object)
        sims[g[:, None] == rg[None, :]] = np.nan

    def top_mean(block: "np.ndarray") -> "np.ndarray":
        """Mean of each row's ``k`` largest values, NaN (own source) left out."""
        if block.shape[1] == 0:
            return np.zeros(block.shape[0])
        kk = min(k, block.shape[1])
        filled = np.where(np.isnan(block), -np.inf, block)
        top = -np.partition(-filled, kk - 1, axis=1)[:, :kk]
        found = np.isfinite(top)
        total = np.where(found, top, 0.0).sum(axis=1)
        count = found.sum(axis=1)
        return np.divide(total, count, out=np.zeros(len(total)), where=count > 0)

    for j in range(m):
        pos = np.flatnonzero(ref_Y[:, j])
        coded = sims[:, pos]
        p = top_mean(coded)
        q = top_mean(sims[:, ~ref_Y[:, j]])
        out[:, 2 * j] = p
        out[:, 2 * j + 1] = p - q
        if nearest and len(pos):
            block = np.where(np.isnan(coded), -np.inf, coded)
            best = block.argmax(axis=1)
            top = block[np.arange(n), best]
            found = np.isfinite(top)
            near[:, j] = np.where(found, pos[best], -1)
            near_cos[:, j] = np.where(found, top, 0.0)
    return (out, near, near_cos) if nearest else out


def segment_features(similarity, texts: Sequence[str], rule_scores: "np.ndarray", *,
                     vectors: "sparse.spmatrix | None" = None,
                     self_index: "Sequence[int] | None" = None,
                     scores=None,
                     questions: "Sequence[str] | None" = None,
                     question_weight: float = 0.0,
                     context: "tuple[Sequence[str], Sequence[str]] | None" = None,
                     context_weight: float = 0.0,
                     rule_weight: float = 1.0,
                     neighbours: "np.ndarray | None" = None,
                     neighbour_weight: float = 1.0) -> "sparse.csr_matrix":
    """The features the learned model sees for each text.

    Parameters
    ----------
    similarity:
        A fitted :class:`~codingkit.coding.similarity.SimilarityModel`.
    texts:
        The segment texts.
    rule_scores:
        ``n × len(similarity.codebook_)`` rule scores (codebook order; 0 where
        no rule matched, −1 where an exclusion matched).
    vectors:
        ``similarity.transform(texts)``, if already computed.
    self_index:
        For codebook examples used as seed data: their own reference index,
        so that an example is not compared with itself.
    scores:
        ``similarity.score(vectors=..., use_human=False, self_index=...)``
        of the texts, when the caller has it already (computed otherwise).
    questions:
        The interviewer's question before each text (``""`` when there is
        none); used when ``question_weight`` > 0.
    question_weight:
        Scale of the question's vector against the segment's own (0: the
        question is not used).
    rule_weight:
        Scale of the rule scores (0: the model does not see the rules).
    neighbours:
        :func:`neighbour_scores` of the texts (``None``: not used).
    neighbour_weight:
        Their scale.

    Returns
    -------
    scipy.sparse.csr_matrix
        ``[TF-IDF (and embedding) vector | question vector × question_weight |
        similarity score and s⁺ per code (codebook references only) |
        rule score per code × rule_weight | neighbour scores × neighbour_weight]``
        (blocks with weight 0 left out).
    """
    import numpy as np
    from scipy import sparse

    V = vectors if vectors is not None else similarity.transform(list(texts))
    S = scores if scores is not None else similarity.score(vectors=V, use_human=False,
                                                           self_index=self_index)
    blocks = [V]
    if question_weight and questions is not None:
        Q = similarity.transform([q or "" for q in questions])
        blocks.append(Q * question_weight)
    if context_weight and context is not None:
        for side in context:
            blocks.append(similarity.transform([t or "" for t in side]) * context_weight)
    dense = [S.scores * DENSE_WEIGHT, S.positive * DENSE_WEIGHT]
    if rule_weight:
        dense.append(np.asarray(rule_scores, dtype=float) * rule_weight)
    if neighbours is not None and neighbour_weight:
        dense.append(np.asarray(neighbours, dtype=float) * neighbour_weight)
    blocks.append(sparse.csr_matrix(np.hstack(dense)))
    return sparse.hstack(blocks, format="csr")
