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

Human coding is read and aligned by :mod:`codingkit.humancoding`
(the CSV shapes are described there).

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

from typing import Any

from ..humancoding import HumanCoding, align_human_coding, read_human_coding
from ..metrics import binary_agreement
from .agreement import (
    FREQUENCY_GROUPS,
    METRIC_COLUMNS,
    Evaluation,
    check_agreement_location,
    check_frequency_groups,
    evaluate,
    evaluation_from_matrices,
    text_table,
)

__all__ = [
    "HumanCoding",
    "Evaluation",
    "read_human_coding",
    "align_human_coding",
    "binary_agreement",
    "evaluate",
    "evaluation_from_matrices",
    "check_frequency_groups",
    "check_agreement_location",
    "text_table",
    "FREQUENCY_GROUPS",
    "METRIC_COLUMNS",
]

_CV_NAMES = ("cross_validate", "tune_thresholds", "write_tuned_codebook", "CrossValidation",
             "TuningResult")
__all__ += list(_CV_NAMES)


def __getattr__(name: str) -> Any:
    """Cross-validation and tuning live in :mod:`codingkit.evaluation.cv`."""
    if name in _CV_NAMES:
        from . import cv

        return getattr(cv, name)
    raise AttributeError(f"module 'codingkit.evaluation' has no attribute {name!r}")
