"""Hand-coding in rounds vs all at once: does refitting between rounds pick better turns?

A researcher can code ``suggest``'s turns in one sheet of N, or in rounds:
code 25, learn from them (``apply --learn-from``), ask ``suggest`` for the
next 25 with the new coder (turns already coded are left out), and so on.
This script compares the two on the gold LEARNING sets only (never a
held-out set): each of ``train2``, ``train3``, ``train4`` in turn plays the
user's corpus, with a base coder learned from the other learning sets (as
``user_weight.py`` does). For each it prints macro α of

* the base coder (no user coding),
* the coder after N suggested turns picked at once,
* the coder after N suggested turns picked in ``--rounds`` rounds,
* the coder after N random turns (``--seeds`` draws),

all measured on the SAME turns: those neither suggested strategy picked
(and, for random draws, not drawn), since the turns a strategy leaves
differ in difficulty. Run from the repository root (a few minutes per
corpus)::

    python benchmarks/suggest_rounds.py --n 100 --rounds 4
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from codingkit.coding.bundled import USER_WEIGHT  # noqa: E402
from codingkit.suggest import suggest  # noqa: E402
from suggest_loop import alphas, load_split, refit, respondent_turns, restrict  # noqa: E402
from user_weight import USER_SETS, base_without  # noqa: E402


def picked(coder, transcripts, n: int, done: set) -> set:
    table = suggest(transcripts, coder, n=n, exclude=done).table
    return set(zip(table["source"], table["turn"].astype(int)))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=100)
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--seeds", type=int, default=2)
    ap.add_argument("--sets", default=",".join(USER_SETS))
    args = ap.parse_args(argv)
    rows = []
    for held in args.sets.split(","):
        base = base_without(held)
        transcripts, human = load_split(held)
        once = picked(base, transcripts, args.n, set())
        coder_once = refit(base, transcripts, restrict(human, once), USER_WEIGHT)
        rounds: set = set()
        coder = base
        for r in range(args.rounds):
            size = args.n // args.rounds + (r < args.n % args.rounds)
            rounds |= picked(coder, transcripts, size, rounds)
            coder = refit(base, transcripts, restrict(human, rounds), USER_WEIGHT)
        common = set(respondent_turns(human)) - once - rounds
        left = restrict(human, common)
        turns = respondent_turns(human)
        r_alpha = []
        for seed in range(args.seeds):
            draw = set(random.Random(seed).sample(turns, args.n))
            c = refit(base, transcripts, restrict(human, draw), USER_WEIGHT)
            r_alpha.append(alphas(c, transcripts, restrict(human, common - draw))[0])
        row = (held, len(common), alphas(base, transcripts, left)[0],
               alphas(coder_once, transcripts, left)[0], alphas(coder, transcripts, left)[0],
               statistics.fmean(r_alpha), len(once & rounds))
        rows.append(row)
        print(f"{held}: measured on {row[1]} turns; base {row[2]:.3f}, at once {row[3]:.3f}, "
              f"in {args.rounds} rounds {row[4]:.3f}, random {row[5]:.3f} "
              f"({row[6]} of {args.n} turns picked by both)", flush=True)
    mean = [statistics.fmean(r[k] for r in rows) for k in (2, 3, 4, 5)]
    print(f"\nmean over {len(rows)} corpora, N = {args.n}: base {mean[0]:.3f}, at once "
          f"{mean[1]:.3f}, in {args.rounds} rounds {mean[2]:.3f}, random {mean[3]:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
