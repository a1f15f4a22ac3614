"""The topic check: is a turn about the evaluated work at all?

Respondents talk about more than the project: a pottery course, buying a
house, a dog's knee operation, the housing co-operative's new lifts. Such a
turn often uses a theme's words ("lära sig", "finansieringen är klar",
"uppföljning", "bjöd in tre företag innan vi begärde offerter"), and a
coder that reads words codes it with the theme. A human coder does not: the
turn is about something else.

:class:`TopicCheck` is a second, small learned model that asks only that:
is this turn about the work being evaluated? It learns from two kinds of
human decisions:

* **about the work**: every turn the human coded with some theme;
* **about something else**: turns the human *marked* as using a theme's
  words about something else (``off_topic`` of :meth:`codingkit.Coder.fit`;
  in codingkit's gold standard the ``hard_negative`` marks of
  ``gold/<set>_marks.csv``).

Its features are the learned model's TF-IDF vector of the turn (Swedish
lemmas and character n-grams: "bostadsrättsföreningen",
"korsbandsoperationen"; :class:`~codingkit.coding.similarity.SimilarityModel`)
and, at half weight, that of the interviewer's question before it ("Vad gör
du när du inte upphandlar?"). A logistic regression (scikit-learn, each
class weighted to half the total) gives the probability that the turn is
about the work; a coder scores with the saved coefficients, without
importing scikit-learn.

:class:`codingkit.Coder` drops a learned coding of a turn whose
probability is under :data:`TOPIC_MIN` (the evidence of a kept learned
coding shows the probability); it judges turns of :data:`MIN_WORDS` words
or more. Each turn is scored on its own (with its own
question), so the result does not depend on what else is coded. Learning
on top of a coder (``Coder.fit(..., base=...)``) learns the check again,
with the new coder's vocabulary and the new human coding's coded turns.

Examples
--------
>>> import numpy as np
>>> X = np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0], [0.1, 0.8]])
>>> check = TopicCheck().fit(X, np.array([1, 1, 0, 0]))
>>> check.about_the_work(np.array([[1.0, 0.0], [0.0, 1.0]])).round(2)
array([0.78, 0.21])
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    from scipy import sparse

__all__ = ["TopicCheck", "topic_features", "TOPIC_MIN", "MIN_WORDS", "MIN_OFF_TOPIC"]

#: A learned coding is dropped when the turn's probability of being about
#: the evaluated work is under this. Chosen, with :data:`C` and
#: :data:`QUESTION_WEIGHT`, by leaving one marked gold set out at a time over
#: ``heldout4``–``heldout8`` (``benchmarks/RESULTS.md``): the largest mean
#: agreement of the five; no set lost agreement.
TOPIC_MIN = 0.5

#: Words a turn needs before the check judges it. A shorter turn says too
#: little about what it is about for a model of words: "Samverkan med
#: grannkommunen fungerade ganska bra ändå." scores 0.48–0.59 depending on
#: the question before it. Every marked trap the check dropped in the gold
#: sets had 24 words or more.
MIN_WORDS = 20

#: Turns marked as about something else that the check needs before it is
#: learned (fewer: no check, and :meth:`codingkit.Coder.fit` warns).
MIN_OFF_TOPIC = 20

#: Weight of the interviewer's question among the features (the turn's own
#: words weigh 1): a question can tip a turn, not decide it.
QUESTION_WEIGHT = 0.5

#: Inverse regularisation strength of the logistic regression.
C = 3.0


def topic_features(similarity, texts: Sequence[str], questions: Sequence[str], *,
                   vectors: "sparse.spmatrix | None" = None,
                   question_weight: float = QUESTION_WEIGHT) -> "sparse.csr_matrix":
    """The topic check's features of turns: the TF-IDF vectors of ``similarity``
    (a fitted :class:`~codingkit.coding.similarity.SimilarityModel`) of each
    turn (``vectors``, if already made) and, times ``question_weight``, of
    the question before it."""
    from scipy import sparse

    V = vectors if vectors is not None else similarity.transform(list(texts))
    return sparse.hstack([V, question_weight * similarity.transform(list(questions))],
                         format="csr")


class TopicCheck:
    """A learned model of whether a turn is about the evaluated work.

    Parameters
    ----------
    C:
        Inverse regularisation strength of the logistic regression.

    Attributes
    ----------
    coef_, intercept_:
        The logistic regression's coefficients (float32) and intercept.
    n_about_, n_else_:
        Training turns about the work and about something else.
    else_ids_, else_texts_, else_questions_:
        The turns about something else (segment ids), their texts and their
        questions, kept so that a coder learning on top of this one learns
        the check again (set by :meth:`codingkit.Coder.fit`; a turn the new
        human coding reads again counts as it says).
    """

    def __init__(self, C: float = C) -> None:
        self.C = C
        self.else_ids_: list[str] = []
        self.else_texts_: list[str] = []
        self.else_questions_: list[str] = []

    def fit(self, X, about: "np.ndarray") -> "TopicCheck":
        """Learn from the features ``X`` of turns (:func:`topic_features`) and
        whether each is about the work (``about``: 1 or 0)."""
        import numpy as np
        from sklearn.linear_model import LogisticRegression

        y = np.asarray(about, dtype=int)
        n_about, n_else = int(y.sum()), int((y == 0).sum())
        if not n_about or not n_else:
            raise ValueError("the topic check needs turns of both kinds")
        # each class weighs half of the total, as class_weight="balanced"
        weights = np.where(y == 1, len(y) / (2 * n_about), len(y) / (2 * n_else))
        model = LogisticRegression(C=self.C, max_iter=3000).fit(X, y, sample_weight=weights)
        self.coef_ = model.coef_[0].astype(np.float32)
        self.intercept_ = float(model.intercept_[0])
        self.n_about_, self.n_else_ = n_about, n_else
        return self

    def about_the_work(self, X) -> "np.ndarray":
        """The probability that each turn (features ``X``) is about the
        evaluated work (as scikit-learn's ``predict_proba``, without it)."""
        import numpy as np

        z = np.asarray(X @ self.coef_.astype(np.float64)).ravel() + self.intercept_
        return 1.0 / (1.0 + np.exp(-z))
