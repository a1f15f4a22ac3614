"""Agreement measures for one binary decision per unit (present / absent)."""

from __future__ import annotations

__all__ = ["binary_agreement"]


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
