"""How the parts of a segment's score are put on one scale and combined.

Every part (rule, similarity, learned) is mapped onto a scale where 0.5
codes (:func:`part`); a learned code combines its learned part with the
codebook's part in the way (:data:`MODES`) that agreed best with the human
coder (:func:`choose_mode`). See :mod:`codingkit.coding.coder` for the
whole pipeline.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

__all__ = ["part", "combine_parts", "choose_mode", "MODES"]

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


def part(x: "np.ndarray", t: "np.ndarray | float") -> "np.ndarray":
    """Map scores ``x`` in [0, 1] so that the threshold ``t`` lands on 0.5.

    Piecewise linear: ``0 → 0``, ``t → 0.5``, ``1 → 1``.

    >>> import numpy as np
    >>> part(np.array([0.0, 0.1, 0.2, 1.0]), 0.2).round(3).tolist()
    [0.0, 0.25, 0.5, 1.0]
    """
    import numpy as np

    x = np.clip(np.asarray(x, dtype=float), 0.0, 1.0)
    t = np.clip(np.asarray(t, dtype=float), 1e-6, 1 - 1e-6)
    return np.where(x < t, 0.5 * x / t, 0.5 + 0.5 * (x - t) / (1 - t))


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
                codebook: "np.ndarray", metric: str = "f1",
                modes: Sequence[str] = MODES, *,
                sample_weight: "np.ndarray | None" = None) -> str:
    """The mode of ``modes`` (default :data:`MODES`) whose out-of-fold
    decisions score best (each unit counted with its ``sample_weight``,
    default 1).

    Ties go to the earlier mode in ``modes``.
    """
    import numpy as np

    from ..metrics import binary_agreement

    y = np.asarray(y, dtype=bool)
    w = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
    L = part(oof, threshold)
    best, best_v = modes[0], -np.inf
    for mode in modes:
        d = combine_parts(mode, L, codebook) >= 0.5
        v = binary_agreement(float(w[d & y].sum()), float(w[d & ~y].sum()),
                             float(w[~d & y].sum()), float(w[~d & ~y].sum()))[metric]
        v = -1.0 if np.isnan(v) else v
        if v > best_v + 1e-12:
            best, best_v = mode, v
    return best
