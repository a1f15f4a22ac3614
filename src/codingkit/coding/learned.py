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
fully. With the rule scores at a tenth of the scale of the other
features, the L2 penalty makes the model earn its trust in a rule from
the data. The rules still act through the combination
(:mod:`.combination`). When you know which transcripts the rules were
tuned on, give them to :meth:`codingkit.Coder.fit` as ``rules_tuned_on``:
thresholds and modes are then chosen on the other transcripts.

The model's output, the *learned score*, is a probability in [0, 1]. Each
code's decision threshold is chosen by an inner cross-validation over the
training transcripts (grouped by source) to maximise F1, so the score
needs no hand calibration; the same out-of-fold scores choose how the
learned score is combined with the codebook's own (:data:`MODES`).

A code is learned only when the human coding holds at least
``min_positives`` (default 30) of its segments; below that it keeps the
codebook's coding and :meth:`codingkit.Coder.fit` warns: learning from a
handful of interviews codes worse than the codebook alone. How the
defaults (:data:`DEFAULTS`) and this guard were chosen, with the figures,
is in ``benchmarks/RESULTS.md``.

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
from .features import neighbour_scores, segment_features  # noqa: F401 - re-exported

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    from scipy import sparse

__all__ = ["LearnedModel", "best_threshold", "segment_features", "neighbour_scores",
           "METRICS", "MODES", "DEFAULTS"]

#: Default options of :class:`LearnedModel` (see the module docstring).
DEFAULTS = {"C": 10.0, "question_weight": 0.5, "context_weight": 0.0, "neighbours": 3,
            "neighbour_weight": 1.0, "rule_weight": 0.1, "seed_weight": 0.5,
            "min_positives": 30}

#: Metrics a threshold can be tuned for.
METRICS = ("f1", "kappa", "alpha", "precision", "recall")



def best_threshold(y: "np.ndarray", scores: "np.ndarray", *, metric: str = "f1",
                   default: float = 0.5, sample_weight: "np.ndarray | None" = None
                   ) -> tuple[float, float]:
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
    sample_weight:
        Weight of each unit in the counts (default: 1 each).

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
    w = (np.ones(len(y)) if sample_weight is None
         else np.asarray(sample_weight, dtype=float))[order]
    tp_cum = np.concatenate([[0.0], np.cumsum(w * ys)])
    fp_cum = np.concatenate([[0.0], np.cumsum(w * ~ys)])
    P, N = float(tp_cum[-1]), float(fp_cum[-1])
    best_t, best_v = default, -np.inf
    for t in cands[::-1]:  # high to low: ties keep the higher threshold
        k = int(np.searchsorted(-ss, -t, side="right"))  # number of scores >= t
        tp, fp = float(tp_cum[k]), float(fp_cum[k])
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
    """A fitted LogisticRegression as saved: its float32 coefficients.

    A loaded coder scores with it directly (:meth:`predict_proba`, the same
    arithmetic as scikit-learn's), so coding with a saved coder does not
    import scikit-learn (about 1 s of start-up).
    """

    params: dict
    classes: "np.ndarray"
    coef: "np.ndarray"
    intercept: "np.ndarray"
    n_features: int

    @classmethod
    def of(cls, clf) -> "_CompactLR | None":
        import numpy as np

        if clf is None or isinstance(clf, cls):
            return clf
        return cls(clf.get_params(), clf.classes_, clf.coef_.astype(np.float32),
                   clf.intercept_.astype(np.float32), int(clf.n_features_in_))

    def predict_proba(self, X) -> "np.ndarray":
        """``[1 − p, p]`` per row, as ``LogisticRegression.predict_proba``
        with the float64 coefficients (binary: ``expit(X · coefᵀ + intercept)``)."""
        import numpy as np
        from scipy import sparse
        from scipy.special import expit

        if X.shape[1] != self.n_features:
            raise ValueError(f"X has {X.shape[1]} features, but the model expects "
                             f"{self.n_features}")
        coef = self.coef.astype(np.float64)
        if sparse.issparse(X):
            scores = X.tocsr() @ coef.T
        else:
            scores = np.asarray(X, dtype=np.float64) @ coef.T
        prob = expit(np.asarray(scores) + self.intercept.astype(np.float64)).reshape(-1)
        return np.stack([1 - prob, prob], axis=1)


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

    def _new_clf(self, shape: tuple[int, int] = (1, 0)):
        """A logistic regression for a ``shape`` (rows × features) matrix:
        liblinear solves the dual problem when there are more features than
        rows (the same optimum; 20 times faster on the gold standard's
        2,500 × 180,000 features, see ``benchmarks/RESULTS.md``)."""
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression(C=self.C, class_weight="balanced", solver="liblinear",
                                  dual=shape[1] > shape[0], max_iter=1000,
                                  random_state=self.random_state)

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
            Weight of each row (seed rows usually lower). Human rows' weights
            also weigh their decisions when thresholds and modes are chosen.
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
            clf = _to_float32(self._new_clf(X.shape).fit(X, y, sample_weight=w))
            threshold, mode = 0.5, self.modes[0] if enough else fallback
            if folds and y[human_rows].sum() >= 2:
                oof = np.full(n, np.nan)
                for tr, te in folds:
                    ytr = y[tr]
                    if ytr.sum() < 1 or (~ytr).sum() < 1:
                        oof[te] = ytr.mean()
                        continue
                    inner = self._new_clf(X[tr].shape).fit(X[tr], ytr, sample_weight=w[tr])
                    oof[te] = inner.predict_proba(X[te])[:, 1]
                threshold, _ = best_threshold(y[rows], oof[rows], metric=self.metric,
                                              sample_weight=w[rows])
                if codebook_part is not None and enough:
                    mode = choose_mode(y[rows], oof[rows], threshold,
                                       np.asarray(codebook_part)[rows, j], self.metric,
                                       self.modes, sample_weight=w[rows])
            self.models_[code] = _CodeModel(clf, threshold, 0.0, mode)
        return self

    def __getstate__(self) -> dict:
        """Arrays are pickled as float32 (they hold float32 values already,
        see :func:`_to_float32`), so a saved model is about half the size."""
        import numpy as np

        state = dict(self.__dict__)
        if state.get("neighbour_vectors_") is not None:
            if state.get("neighbour_texts_") is not None:
                state["neighbour_vectors_"] = None  # the Coder makes them again on loading
            else:
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
        # models_ keep their _CompactLR: it scores as the LogisticRegression saved

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


