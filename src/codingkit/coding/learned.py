"""Learning from human coding: a per-code linear model.

When a researcher has coded some transcripts by hand, codingkit can learn
from them. For every code the human used, a logistic regression
(scikit-learn, ``class_weight="balanced"`` because most segments carry no
code) is trained on the features of each segment:

* its TF-IDF vector (Swedish lemmas and character n-grams, see
  :mod:`codingkit.coding.similarity`; with the semantic backend also its
  sentence embedding),
* its similarity to every code's codebook references (``s⁺`` and the score),
* its rule score for every code (from :class:`~codingkit.coding.rules.RuleMatcher`),

so the model learns how far to trust each rule and each kind of
similarity. The codebook's examples are added as *seed* data with a lower
weight (positive for their code and its parents, negative for every other
code; negative examples negative for their code), so a code the human used
rarely still has something to learn from.

The model's output, the *learned score*, is a probability in [0, 1]. Each
code's decision threshold is chosen by an inner cross-validation over the
training transcripts (grouped by source) to maximise F1, so the score
needs no hand calibration.

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

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    from scipy import sparse

__all__ = ["LearnedModel", "best_threshold", "segment_features", "METRICS"]

#: Scale of the similarity and rule features against the (unit-length)
#: TF-IDF vector: larger values let the model lean more on them.
DENSE_WEIGHT = 1.0

#: Metrics a threshold can be tuned for.
METRICS = ("f1", "kappa", "alpha", "precision", "recall")

#: How a code's learned part ``L = part(l, t_l)`` and codebook part ``c``
#: are combined (all on the scale where 0.5 codes), in order of preference
#: when they do equally well:
#:
#: ``blend``     ``(L + c) / 2``: rules still code; the learned model adds
#:               segments where it and the similarity agree
#: ``codebook``  ``c``: the learned model is not used
#: ``or``        ``max(L, c)``: either codes
#: ``learned``   ``L``: the learned model decides alone
MODES = ("blend", "codebook", "or", "learned")


def combine_parts(mode: str, learned: "np.ndarray", codebook: "np.ndarray") -> "np.ndarray":
    """The combined score of one of :data:`MODES` (0.5 codes).

    >>> import numpy as np
    >>> L, c = np.array([0.8, 0.3]), np.array([0.0, 1.0])
    >>> [combine_parts(m, L, c).tolist() for m in MODES]
    [[0.4, 0.65], [0.0, 1.0], [0.8, 1.0], [0.8, 0.3]]
    """
    import numpy as np

    if mode == "blend":
        return 0.5 * learned + 0.5 * codebook
    if mode == "codebook":
        return np.asarray(codebook, dtype=float)
    if mode == "or":
        return np.maximum(learned, codebook)
    if mode == "learned":
        return np.asarray(learned, dtype=float)
    raise ValueError(f"unknown mode {mode!r}")


def choose_mode(y: "np.ndarray", oof: "np.ndarray", threshold: float,
                codebook: "np.ndarray", metric: str = "f1") -> str:
    """The mode of :data:`MODES` whose out-of-fold decisions score best.

    Ties go to the earlier mode in :data:`MODES`.
    """
    import numpy as np

    from ..coding.coder import part
    from ..evaluation import binary_agreement

    y = np.asarray(y, dtype=bool)
    L = part(oof, threshold)
    best, best_v = MODES[0], -np.inf
    for mode in MODES:
        d = combine_parts(mode, L, codebook) >= 0.5
        v = binary_agreement(int((d & y).sum()), int((d & ~y).sum()), int((~d & y).sum()),
                             int((~d & ~y).sum()))[metric]
        v = -1.0 if np.isnan(v) else v
        if v > best_v + 1e-12:
            best, best_v = mode, v
    return best


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

    from ..evaluation import binary_agreement

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


class LearnedModel:
    """One logistic regression per code, on segment features.

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

    Attributes
    ----------
    codes_ : list of str
        The codes learned.
    models_ : dict
        code → fitted model, threshold.
    """

    def __init__(self, *, C: float = 1.0, inner_folds: int = 3, metric: str = "f1",
                 random_state: int = 0) -> None:
        self.C = C
        self.inner_folds = inner_folds
        self.metric = metric
        self.random_state = random_state

    def _new_clf(self):
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression(C=self.C, class_weight="balanced", solver="liblinear",
                                  max_iter=1000, random_state=self.random_state)

    def fit(self, X: "sparse.spmatrix | np.ndarray", Y: "np.ndarray", codes: Sequence[str], *,
            groups: "Sequence[str] | None" = None,
            sample_weight: "np.ndarray | None" = None,
            is_seed: "np.ndarray | None" = None,
            codebook_part: "np.ndarray | None" = None) -> "LearnedModel":
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
        for j, code in enumerate(self.codes_):
            y = Y[:, j]
            if y.sum() < 2 or (~y).sum() < 2:
                self.models_[code] = _CodeModel(None, 0.5, float(y.mean()) if n else 0.0)
                continue
            clf = self._new_clf().fit(X, y, sample_weight=w)
            threshold = 0.5
            if folds and y[human_rows].sum() >= 2:
                oof = np.full(n, np.nan)
                for tr, te in folds:
                    ytr = y[tr]
                    if ytr.sum() < 1 or (~ytr).sum() < 1:
                        oof[te] = ytr.mean()
                        continue
                    inner = self._new_clf().fit(X[tr], ytr, sample_weight=w[tr])
                    oof[te] = inner.predict_proba(X[te])[:, 1]
                threshold, _ = best_threshold(y[human_rows], oof[human_rows],
                                              metric=self.metric)
                mode = "blend"
                if codebook_part is not None:
                    mode = choose_mode(y[human_rows], oof[human_rows], threshold,
                                       np.asarray(codebook_part)[human_rows, j], self.metric)
                self.models_[code] = _CodeModel(clf, threshold, 0.0, mode)
                continue
            self.models_[code] = _CodeModel(clf, threshold, 0.0)
        return self

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
    def thresholds_(self) -> dict[str, float]:
        """code → decision threshold on the learned score."""
        return {c: m.threshold for c, m in self.models_.items()}

    def has_model(self, code: str) -> bool:
        """Whether ``code`` has a trained classifier (enough positives and negatives)."""
        m = getattr(self, "models_", {}).get(code)
        return m is not None and m.clf is not None


def segment_features(similarity, texts: Sequence[str], rule_scores: "np.ndarray", *,
                     vectors: "sparse.spmatrix | None" = None,
                     self_index: "Sequence[int] | None" = None) -> "sparse.csr_matrix":
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

    Returns
    -------
    scipy.sparse.csr_matrix
        ``[TF-IDF (and embedding) vector | similarity score and s⁺ per code
        (codebook references only) | rule score per code]``.
    """
    import numpy as np
    from scipy import sparse

    V = vectors if vectors is not None else similarity.transform(list(texts))
    S = similarity.score(vectors=V, use_human=False, self_index=self_index)
    dense = np.hstack([S.scores, S.positive, np.asarray(rule_scores, dtype=float)])
    return sparse.hstack([V, sparse.csr_matrix(dense * DENSE_WEIGHT)], format="csr")
