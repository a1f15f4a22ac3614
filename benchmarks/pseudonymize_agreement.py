"""Does coding pseudonymised text change agreement with human coders? (issue 12)

Usage::

    PYTHONPATH=src python benchmarks/pseudonymize_agreement.py

Codes each gold set (the sample corpus with gold/, heldout2, heldout3) with
the codebook alone, on the original and on the pseudonymised transcripts,
and prints macro F1 and Cohen's kappa of both against the human coding and
their difference (goal: at most 0.01).
"""

from __future__ import annotations

import warnings

import codingkit as ck
from codingkit.evaluation import evaluate
from codingkit.pseudonymize import Pseudonymizer


def main() -> None:
    warnings.simplefilter("ignore")
    codebook = ck.load_codebook()
    gold_ts = ck.read_transcripts(["gold/transcripts"])
    sets = [("sample", ck.read_transcripts(["transcripts/"]), "gold/")]
    for name in ("heldout2", "heldout3"):
        sets.append((name, [t for t in gold_ts if t.source.startswith(name + "/")],
                     f"gold/{name}_coding.csv"))
    print(f"{'set':<10}{'turns':>6}{'F1':>8}{'F1 ps':>8}{'diff':>8}{'kappa':>8}"
          f"{'k ps':>8}{'diff':>8}")
    for name, transcripts, gold in sets:
        figures = []
        for ts in (transcripts, Pseudonymizer().transcripts(transcripts)):
            coder = ck.Coder(codebook)
            coder.fit()
            summary = evaluate(gold, coder.code(ts)).summary
            macro = summary[summary["average"] == "macro"].iloc[0]
            figures.append((macro["f1"], macro["kappa"], macro["n_units"]))
        (f1, k, n), (f1p, kp, _) = figures
        print(f"{name:<10}{n:>6}{f1:>8.4f}{f1p:>8.4f}{f1p - f1:>+8.4f}{k:>8.4f}{kp:>8.4f}"
              f"{kp - k:>+8.4f}")


if __name__ == "__main__":
    main()
