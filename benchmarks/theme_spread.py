"""How much agreement on an 8-interview test set moves by chance.

Codes a gold set with the coder shipped with the default codebook and draws
its interviews with replacement (300 bootstrap samples, as many interviews
as the set has): the spread (sd) of the macro α, of the lowest theme's α
and of each theme's α, and the share of samples whose lowest theme reaches
0.60 (issue 13's goal). α per theme as ``codingkit evaluate`` counts it
(nominal, one present/absent decision per respondent turn), from the
``krippendorff`` package. Run from the repository root::

    python benchmarks/theme_spread.py heldout9 heldout10
"""

from __future__ import annotations

import random
import statistics
import sys
import warnings
from pathlib import Path

import krippendorff
import numpy as np

import codingkit as ck
from codingkit.coding.bundled import bundled_coder

sys.path.insert(0, str(Path(__file__).resolve().parent))
from suggest_loop import load_split  # noqa: E402

SAMPLES = 300


def main(splits: list[str]) -> None:
    warnings.simplefilter("ignore", ck.CodingkitWarning)
    coder = bundled_coder()
    for split in splits:
        transcripts, human = load_split(split)
        result = coder.code(transcripts)
        turns = sorted(set(zip(human.turns["source"], human.turns["turn"].astype(int))))
        gold = set(zip(human.codings["source"], human.codings["turn"].astype(int),
                       human.codings["code"]))
        where = {s.segment_id: (s.source, s.turn) for s in result.segment_list}
        pred = {(*where[c.segment_id], c.theme) for c in result.coding_list}
        themes = sorted(set(human.codes))
        by_source: dict[str, list] = {}
        for s, t in turns:
            by_source.setdefault(s, []).append((s, t))

        def alphas(sources: list[str]) -> dict[str, float]:
            rows = [st for src in sources for st in by_source[src]]
            out = {}
            for th in themes:
                g = [int((*st, th) in gold) for st in rows]
                p = [int((*st, th) in pred) for st in rows]
                out[th] = (1.0 if len(set(g + p)) < 2 else
                           float(krippendorff.alpha(reliability_data=np.array([g, p]),
                                                    level_of_measurement="nominal")))
            return out

        sources = sorted(by_source)
        whole = alphas(sources)
        rng = random.Random(0)
        boots = [alphas([rng.choice(sources) for _ in sources]) for _ in range(SAMPLES)]
        lowest = [min(b.values()) for b in boots]
        print(f"{split}: macro {statistics.fmean(whole.values()):.3f} (sd "
              f"{statistics.stdev(statistics.fmean(b.values()) for b in boots):.3f}); lowest "
              f"theme {min(whole.values()):.2f} (sd {statistics.stdev(lowest):.3f}); lowest "
              f">= 0.60 in {sum(x >= 0.6 for x in lowest) / len(lowest):.0%} of samples")
        print("  sd per theme: " + ", ".join(
            f"{th} {statistics.stdev(b[th] for b in boots):.3f}" for th in themes))


if __name__ == "__main__":
    main(sys.argv[1:] or ["heldout9", "heldout10"])
