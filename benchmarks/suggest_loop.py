"""The learning loop, simulated: suggested vs random turns to hand-code.

Starts from the coder shipped with the default codebook (learned from the
100 gold learning interviews; ``--split`` is never among them), and for
N = 25, 50, 100, 200:

* takes the gold coding of the N respondent turns ``codingkit suggest``
  picks from the split (as a researcher filling in the coding sheet would),
  learns on top of the gold (``Coder.fit(..., base=bundled, weight=W)``, W
  the weight ``apply --learn-from`` uses) and measures Krippendorff's α
  (macro and per theme) on the OTHER respondent turns of the split;
* the same with N random respondent turns (``--seeds`` draws; mean ± sd).

It also prints default ``apply``'s α on the split (the shipped coder, no
user coding), the share of content-free respondent turns (no content word)
it codes, the share of hard-negative turns it codes wrongly (when the split
marks them: ``gold/<split>_marks.csv``, ``source, turn, mark`` with
``content_free`` or ``hard_negative:<code>``), the same two shares on the
turns each suggested pick leaves, before and after learning it (does a
researcher's coding teach the coder the traps of their corpus?), and the
wall time of learning from the gold + 200 user turns and coding 12
interviews.

Test sets (``heldout3`` to ``heldout11``) are run once, at the end, and the
figures reported as they come (never tuned on). Run from the repository
root::

    python benchmarks/suggest_loop.py --split heldout3
    python benchmarks/suggest_loop.py --split heldout6 --seeds 2
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
import warnings
from pathlib import Path

import pandas as pd

import codingkit as ck
from codingkit.coding.bundled import USER_WEIGHT, bundled_coder
from codingkit.evaluation import HumanCoding, evaluate, read_human_coding
from codingkit.model import RESPONDENT
from codingkit.suggest import suggest

ROOT = Path(__file__).resolve().parent.parent
SIZES = (25, 50, 100, 200)


def load_split(name: str) -> tuple[list, HumanCoding]:
    """The transcripts of a gold set under ``gold/transcripts/<name>/`` and
    its human coding (with the list of the turns read)."""
    files = [ROOT / "gold" / f"{name}_coding.csv", ROOT / "gold" / f"{name}_turns.csv"]
    human = read_human_coding([f for f in files if f.is_file()])
    transcripts = [t for t in ck.read_transcripts(ROOT / "gold" / "transcripts")
                   if t.source.startswith(name + "/") and t.source in set(human.sources)]
    return transcripts, human


def restrict(human: HumanCoding, turns: set, keep: bool = True) -> HumanCoding:
    """The human coding of the turns ``(source, turn)`` in ``turns`` (or,
    ``keep=False``, of the other turns read)."""
    def inside(df):
        pairs = pd.Series(list(zip(df["source"].astype(str), df["turn"].astype(int))),
                          index=df.index, dtype=object)
        return pairs.isin(turns) == keep

    return HumanCoding("turn", human.codings[inside(human.codings)].reset_index(drop=True),
                       human.turns[inside(human.turns)].reset_index(drop=True),
                       dict(human.splits), list(human.paths))


def respondent_turns(human: HumanCoding) -> list[tuple[str, int]]:
    return sorted(set(zip(human.turns["source"].astype(str), human.turns["turn"].astype(int))))


def suggested(coder, transcripts, n: int) -> set:
    table = suggest(transcripts, coder, n=n).table
    return set(zip(table["source"], table["turn"].astype(int)))


def refit(base, transcripts, human: HumanCoding, weight: float):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ck.CodingkitWarning)
        return ck.Coder(base.codebook_, sense_check=base.sense_check,
                        topic_check=base.topic_check).fit(
            transcripts, human, base=base, weight=weight)


def alphas(coder, transcripts, human: HumanCoding) -> tuple[float, dict[str, float]]:
    per = evaluate(human, coder.code(transcripts)).per_code
    theme = {r.code: float(r.alpha) for r in per.itertuples()}
    return statistics.fmean(theme.values()), theme


def loop(base, transcripts, human, picks: set, weight: float):
    """Learn on top of ``base`` from the human coding of ``picks``; α on the other turns."""
    coder = refit(base, transcripts, restrict(human, picks), weight)
    return alphas(coder, transcripts, restrict(human, picks, keep=False))


def content_free_and_hard_negatives(coder, transcripts, split: str,
                                     left_out: set = frozenset()) -> tuple[str, str]:
    """The share of content-free respondent turns coded (those the split
    marks ``content_free`` in ``gold/<split>_marks.csv``, else those with no
    content word) and of hard-negative turns (marked ``hard_negative:<code>``:
    the code's words used about something else) coded with that code
    although the human did not code it; the turns ``(source, turn)`` in
    ``left_out`` (those learned from) are not counted."""
    result = coder.code(transcripts)
    coded: dict[str, set[str]] = {}
    for c in result.coding_list:
        coded.setdefault(c.segment_id, set()).add(c.theme)
    marks_file = ROOT / "gold" / f"{split}_marks.csv"
    marks = (pd.read_csv(marks_file, dtype=str, keep_default_na=False)
             if marks_file.is_file() else None)
    if marks is not None:
        free = [f"{s}:{int(t)}" for s, t, m in zip(marks["source"], marks["turn"], marks["mark"])
                if m == "content_free" and (s, int(t)) not in left_out]
    else:
        todo = [s for s in coder._todo(result.segment_list) if s.speaker_role == RESPONDENT]
        _, content = coder.segment_scores(todo, result.segment_list)
        free = [s.segment_id for s, k in zip(todo, content) if k == 0]
    n_free = sum(sid in coded for sid in free)
    free_txt = f"{n_free} of {len(free)} ({100 * n_free / max(len(free), 1):.0f} %)"
    if marks is None:
        return free_txt, "not marked in this split"
    human = read_human_coding([ROOT / "gold" / f"{split}_coding.csv"]).codings
    human_codes: dict[str, set[str]] = {}
    for s, t, c in zip(human["source"], human["turn"], human["code"]):
        human_codes.setdefault(f"{s}:{int(t)}", set()).add(c)
    hard = [(f"{s}:{int(t)}", m.split(":", 1)[1])
            for s, t, m in zip(marks["source"], marks["turn"], marks["mark"])
            if m.startswith("hard_negative:") and (s, int(t)) not in left_out]
    wrong = sum(code in coded.get(sid, set()) and code not in human_codes.get(sid, set())
                for sid, code in hard)
    return free_txt, f"{wrong} of {len(hard)} ({100 * wrong / max(len(hard), 1):.0f} %)"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--split", required=True, help="a gold set under gold/transcripts/")
    ap.add_argument("--sizes", default=",".join(map(str, SIZES)))
    ap.add_argument("--seeds", type=int, default=3, help="random draws per N")
    ap.add_argument("--weight", type=float, default=USER_WEIGHT)
    ap.add_argument("--baseline-only", action="store_true",
                    help="only the shipped coder's alpha on the turns each pick leaves")
    ap.add_argument("--no-sense-check", action="store_true",
                    help="code without the sense check (as apply --no-sense-check)")
    ap.add_argument("--no-topic-check", action="store_true",
                    help="code without the topic check (as apply --no-topic-check)")
    args = ap.parse_args(argv)
    sizes = [int(x) for x in args.sizes.split(",")]
    base = bundled_coder()
    base.set_params(sense_check=not args.no_sense_check, topic_check=not args.no_topic_check)
    transcripts, human = load_split(args.split)
    turns = respondent_turns(human)
    print(f"{args.split}: {len(transcripts)} interviews, {len(turns)} respondent turns; "
          f"user coding weighted {args.weight:g} on top of the gold "
          f"({len(base.training_segment_ids_)} turns); sense check "
          f"{'on' if base.sense_check else 'off'}, topic check "
          f"{'on' if base._topic_check_on() else 'off'}")
    macro, theme = alphas(base, transcripts, human)
    free, hard = content_free_and_hard_negatives(base, transcripts, args.split)
    print(f"default apply (shipped coder): macro alpha {macro:.3f}; "
          + ", ".join(f"{c} {a:.2f}" for c, a in theme.items()))
    print(f"content-free turns coded: {free}; hard-negative turns wrongly coded: {hard}")
    # the turns left to measure on differ between suggested and random picks
    # (suggest takes the uncertain ones away): the shipped coder's alpha on
    # the same turns shows how much of a difference is that selection
    shipped = base.code(transcripts)

    def before(picks):
        per = evaluate(restrict(human, picks, keep=False), shipped).per_code
        return statistics.fmean(float(a) for a in per["alpha"])

    rows = []
    for n in sizes:
        picks = suggested(base, transcripts, n)
        draws = [set(random.Random(seed).sample(turns, min(n, len(turns))))
                 for seed in range(args.seeds)]
        if args.baseline_only:
            rows.append((n, len(picks), before(picks),
                         statistics.fmean(before(d) for d in draws)))
            continue
        s_coder = refit(base, transcripts, restrict(human, picks), args.weight)
        s_macro, s_theme = alphas(s_coder, transcripts, restrict(human, picks, keep=False))
        r = [loop(base, transcripts, human, d, args.weight) for d in draws]
        r_macro = [m for m, _ in r]
        rows.append((n, len(picks), s_macro, min(s_theme.values()),
                     statistics.fmean(r_macro),
                     statistics.stdev(r_macro) if len(r_macro) > 1 else 0.0,
                     statistics.fmean(min(t.values()) for _, t in r),
                     before(picks), statistics.fmean(before(d) for d in draws)))
        print(f"N={n}: suggested per theme " + ", ".join(f"{c} {a:.2f}"
                                                           for c, a in s_theme.items()),
              flush=True)
        # the traps on the turns left: does learning the suggested turns fix them?
        traps = [content_free_and_hard_negatives(c, transcripts, args.split, picks)
                 for c in (base, s_coder)]
        print(f"N={n}: on the turns left, content-free coded {traps[0][0]} (shipped) -> "
              f"{traps[1][0]} (learned); hard negatives wrongly coded {traps[0][1]} -> "
              f"{traps[1][1]}", flush=True)
    if args.baseline_only:
        print("\n   N  shipped coder on the turns left: after suggested picks / random (mean)")
        for n, k, sb, rb in rows:
            print(f"{n:4d}  {sb:.3f} / {rb:.3f}")
        return 0
    print("\n   N  suggested macro (lowest theme)   random macro mean ± sd (lowest theme, "
          "mean)   shipped coder on the same turns: suggested / random")
    for n, k, sm, slo, rm, rsd, rlo, sb, rb in rows:
        print(f"{n:4d}  {sm:.3f} ({slo:.2f})                     {rm:.3f} ± {rsd:.3f} "
              f"({rlo:.2f})                          {sb:.3f} / {rb:.3f}"
              + ("" if k == n else f"   [{k} suggested]"))
    # wall time: learning from the gold + 200 user turns and coding 12 interviews
    twelve = load_split("train4")[0][:12]
    picks = suggested(base, transcripts, 200)
    t0 = time.perf_counter()
    coder = refit(base, transcripts, restrict(human, picks), args.weight)
    t1 = time.perf_counter()
    coder.code(twelve)
    t2 = time.perf_counter()
    print(f"\nwall time: learning from the gold + {len(picks)} user turns {t1 - t0:.1f} s, "
          f"coding {len(twelve)} interviews {t2 - t1:.1f} s, together {t2 - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
