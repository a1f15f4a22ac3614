"""Issue 13's default-apply goals on several fresh test sets, each and pooled.

Codes each gold set named with the coder shipped with the default codebook
(as ``codingkit apply`` does) and prints, per set and for all of them
together: macro Krippendorff's α over the respondent turns and each theme's α
(as ``codingkit evaluate`` counts it), the content-free turns coded and the
hard-negative turns wrongly coded (the marks of ``gold/<set>_marks.csv``),
against the goals (macro α ≥ 0.70, every theme ≥ 0.60, content-free 0 %,
hard negatives ≤ 10 %). A theme's α on one set of 8 interviews moves by
chance with an sd of 0.03–0.09 (``theme_spread.py``); pooled sets are the
steadier figure. The suggest-and-refit loop is ``suggest_loop.py``.

Run from the repository root::

    python benchmarks/fresh_sets.py heldout9 heldout10 heldout11
"""

from __future__ import annotations

import statistics
import sys
import warnings
from pathlib import Path

import pandas as pd

import codingkit as ck
from codingkit.coding.bundled import bundled_coder
from codingkit.evaluation import HumanCoding, evaluate, read_human_coding

sys.path.insert(0, str(Path(__file__).resolve().parent))
from suggest_loop import ROOT, load_split  # noqa: E402


def trap_counts(result, human: HumanCoding, sets: list[str]) -> tuple[int, int, int, int]:
    """Content-free turns coded, content-free turns, hard-negative marks
    wrongly coded (the theme coded, the human did not), hard-negative marks."""
    coded: dict[tuple[str, int], set[str]] = {}
    where = {s.segment_id: (s.source, s.turn) for s in result.segment_list}
    for c in result.coding_list:
        coded.setdefault(where[c.segment_id], set()).add(c.theme)
    gold: dict[tuple[str, int], set[str]] = {}
    for s, t, c in zip(human.codings["source"], human.codings["turn"], human.codings["code"]):
        gold.setdefault((s, int(t)), set()).add(c)
    free = free_coded = hard = hard_wrong = 0
    for name in sets:
        path = ROOT / "gold" / f"{name}_marks.csv"
        if not path.is_file():
            continue
        marks = pd.read_csv(path, dtype=str, keep_default_na=False)
        for s, t, m in zip(marks["source"], marks["turn"], marks["mark"]):
            key = (s, int(t))
            if m == "content_free":
                free += 1
                free_coded += bool(coded.get(key))
            elif m.startswith("hard_negative:"):
                code = m.split(":", 1)[1]
                hard += 1
                hard_wrong += code in coded.get(key, set()) and code not in gold.get(key, set())
    return free_coded, free, hard_wrong, hard


def report(label: str, human: HumanCoding, result, sets: list[str]) -> None:
    per = evaluate(human, result).per_code
    theme = {r.code: float(r.alpha) for r in per.itertuples()}
    macro = statistics.fmean(theme.values())
    low = min(theme, key=theme.get)
    fc, f, hw, h = trap_counts(result, human, sets)
    n = len(set(zip(human.turns["source"], human.turns["turn"].astype(int))))
    print(f"{label}: {n} respondent turns; macro alpha {macro:.3f} "
          f"({'met' if macro >= 0.70 else 'NOT met'}); lowest theme {low} {theme[low]:.2f} "
          f"({'met' if theme[low] >= 0.60 else 'NOT met'}); content-free coded {fc} of {f} "
          f"({'met' if fc == 0 else 'NOT met'}); hard negatives wrongly coded {hw} of {h} "
          f"= {100 * hw / max(h, 1):.0f} % ({'met' if hw <= 0.10 * h else 'NOT met'})")
    print("  per theme: " + ", ".join(f"{c} {a:.2f}" for c, a in theme.items()))


def main(sets: list[str]) -> int:
    warnings.simplefilter("ignore", ck.CodingkitWarning)
    coder = bundled_coder()
    transcripts = []
    for name in sets:
        t, h = load_split(name)
        transcripts += t
        report(name, h, coder.code(t), [name])
    if len(sets) > 1:
        both = read_human_coding([ROOT / "gold" / f"{name}_{kind}.csv"
                                  for name in sets for kind in ("coding", "turns")])
        report(" + ".join(sets), both, coder.code(transcripts), sets)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or ["heldout9", "heldout10"]))
