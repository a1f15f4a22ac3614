"""Does marking turns "om annat" in the coding sheet teach the coder your corpus?

A researcher filling in the coding sheet of ``codingkit suggest`` may write 1
in its column ``om_annat`` for a turn about something else than the
evaluated work (private life, other work) that uses a theme's words; the
coder's topic check (``codingkit.coding.topic``) learns from those turns.
This benchmark simulates it on a marked gold set (``--split``, one with
``gold/<split>_marks.csv``): for N = 50, 100, 200 it takes the N turns
``suggest`` picks, learns on top of the base coder from their gold coding

* without marks (the researcher leaves ``om_annat`` empty), and
* with the set's ``hard_negative`` marks of those turns as ``om_annat``,

and prints, on the turns not picked, the hard-negative turns wrongly coded,
the content-free turns coded and the macro α of each. The base coder is the
one shipped with the default codebook, or ``--base FILE`` (a coder saved
with ``Coder.save``, e.g. one that never learned from ``--split``). Run from
the repository root::

    python benchmarks/off_topic_marks.py --split heldout9
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import pandas as pd

import codingkit as ck
from codingkit.coding.bundled import USER_WEIGHT, bundled_coder

sys.path.insert(0, str(Path(__file__).resolve().parent))
from suggest_loop import (ROOT, alphas, content_free_and_hard_negatives,  # noqa: E402
                          load_split, refit, restrict, suggested)


def with_marks(human, split: str, picks: set):
    """``human`` (the picks' coding) with the split's hard-negative marks of
    the picked turns as turns about something else (column ``off_topic``)."""
    marks = pd.read_csv(ROOT / "gold" / f"{split}_marks.csv", dtype=str,
                        keep_default_na=False)
    off = {(s, int(t)) for s, t, m in zip(marks["source"], marks["turn"], marks["mark"])
           if m.startswith("hard_negative:")} & picks
    turns = human.turns.copy()
    turns["off_topic"] = [(s, int(t)) in off for s, t in zip(turns["source"], turns["turn"])]
    return ck.evaluation.HumanCoding("turn", human.codings, turns, dict(human.splits),
                                     list(human.paths)), len(off)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--split", required=True, help="a marked gold set under gold/transcripts/")
    ap.add_argument("--sizes", default="50,100,200")
    ap.add_argument("--base", type=Path, default=None,
                    help="a saved coder to learn on top of (default: the shipped one)")
    args = ap.parse_args(argv)
    warnings.simplefilter("ignore", ck.CodingkitWarning)
    if args.base is not None:
        base = ck.Coder.load(args.base)
    else:
        base = bundled_coder()
    transcripts, human = load_split(args.split)
    print(f"{args.split}: {len(transcripts)} interviews; base coder "
          f"{args.base or 'shipped'} ({len(base.training_segment_ids_)} turns, topic check "
          f"learned from {base.topic_check_.n_else_ if base.topic_check_ else 0} turns about "
          f"something else)")
    free, hard = content_free_and_hard_negatives(base, transcripts, args.split)
    macro, _ = alphas(base, transcripts, human)
    print(f"base: macro alpha {macro:.3f}; content-free coded {free}; hard negatives {hard}")
    print("\n   N  marked  on the turns left: hard negatives coded / content-free coded / "
          "macro alpha, without marks -> with marks")
    for n in (int(x) for x in args.sizes.split(",")):
        picks = suggested(base, transcripts, n)
        picked = restrict(human, picks)
        marked, k = with_marks(picked, args.split, picks)
        left = restrict(human, picks, keep=False)
        out = []
        for h in (picked, marked):
            coder = refit(base, transcripts, h, USER_WEIGHT)
            f, hn = content_free_and_hard_negatives(coder, transcripts, args.split, picks)
            out.append((hn, f, alphas(coder, transcripts, left)[0]))
        (h0, f0, a0), (h1, f1, a1) = out
        print(f"{n:4d}  {k:6d}  {h0} -> {h1} / {f0} -> {f1} / {a0:.3f} -> {a1:.3f}",
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
