"""How many interviews must be coded by hand? Agreement against the number learned from.

A researcher who wants codingkit to learn from human coding
(``codingkit apply --learn-from``) has to code some interviews by hand
first. This benchmark answers "how many?" on the gold standard: the
human-coded interviews of the splits named (``--splits``; never
``heldout3`` or ``heldout9``, the final test sets) are dealt into K folds (transcripts kept
whole, as in ``codingkit evaluate --cv``). Each fold is coded by a
:class:`codingkit.Coder` that learned from ``n`` interviews drawn at random
from the *other* folds, for every ``n`` of ``--sizes``; the out-of-fold
coding of all folds together is compared with the human coding (macro
Krippendorff's α over the themes, lowest theme in brackets). ``n = 0`` is
the codebook alone. With ``--repeats R`` each size is drawn R times (other
seeds) and the mean and range are printed.

Run from the repository root::

    python benchmarks/learning_curve.py
    python benchmarks/learning_curve.py --sizes 0,4,8,16,24 --repeats 3 --similarity semantic

Figures are for the fictional gold interviews (see ``gold/README.md``);
on real interviews expect lower agreement at every size, for humans too.
"""

from __future__ import annotations

import argparse
import json
import random
import time
import warnings
from pathlib import Path

import codingkit as ck
from codingkit.coding import Coder
from codingkit.evaluation import evaluate, read_human_coding
from codingkit.evaluation.cv import source_folds
from codingkit.model import CodingResult

from agreement import FINAL_TESTS, gold_files, read_corpus

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--splits", default="dev,test,heldout,heldout2,train2,train3,train4",
                    help="gold splits to use, comma-separated (splits without gold files "
                         "are skipped; heldout3 and the final tests heldout9-11 are refused)")
    ap.add_argument("--sizes", default="0,2,4,8,16,all",
                    help="numbers of hand-coded interviews to learn from; 'all' = every "
                         "interview outside the fold")
    ap.add_argument("--folds", type=int, default=7)
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--similarity", default="tfidf", choices=["tfidf", "semantic", "none"])
    ap.add_argument("--learner", default=None,
                    help="learner options as JSON (e.g. '{\"C\": 10}'; default: codingkit's)")
    ap.add_argument("--rules-tuned-on", default="dev,test",
                    help="splits the codebook's rules were tuned on (see agreement.py)")
    args = ap.parse_args()
    warnings.simplefilter("ignore")

    splits = [x.strip() for x in args.splits.split(",") if x.strip()]
    for test_set in ("heldout3", *FINAL_TESTS):
        if test_set in splits:
            ap.error(f"{test_set} is a final test set; it is not used for learning curves")
    gold = ROOT / "gold"
    available = {p.name.split("_")[0] for p in gold.glob("*_splits.csv")}
    human = read_human_coding(gold_files(gold, set(splits)))
    known = set(human.splits.values()) | available
    splits = [s for s in splits if s in known]
    human = human.select(splits)
    transcripts = [t for t in read_corpus(None, set(splits)) if t.source in set(human.sources)]
    segments = ck.segment(transcripts, "turn")
    sources = sorted({s.source for s in segments} & set(human.sources))
    folds = source_folds(sources, args.folds)
    tuned = sorted(s for s, sp in human.splits.items()
                   if sp in {x.strip() for x in args.rules_tuned_on.split(",")})
    codebook = ck.load_codebook()
    max_train = len(sources) - max(len(f) for f in folds)
    sizes = []
    for x in args.sizes.split(","):
        n = max_train if x.strip() == "all" else int(x)
        if n <= max_train and n not in sizes:
            sizes.append(n)

    print(f"{len(sources)} human-coded interviews ({'+'.join(splits)}), {args.folds} folds, "
          f"similarity {args.similarity}; learning from n interviews of the other folds.")
    print(f"{'n':>4} {'macro alpha':>12} {'range':>12} {'min theme':>10} {'seconds':>8}")
    for n in sizes:
        alphas, mins = [], []
        t0 = time.perf_counter()
        for r in range(args.repeats if 0 < n < max_train else 1):
            rng = random.Random(1000 * r + n)
            codings = []
            for test_sources in folds:
                test = set(test_sources)
                pool = [s for s in sources if s not in test]
                coder = Coder(codebook, similarity=args.similarity,
                              learner_options=json.loads(args.learner) if args.learner else None)
                if n:
                    chosen = sorted(rng.sample(pool, min(n, len(pool))))
                    coder.fit([s for s in segments if s.source in chosen],
                              human.select(sources=chosen), rules_tuned_on=tuned)
                codings += coder.code([s for s in segments if s.source in test]).coding_list
            result = CodingResult([s for s in segments if s.source in set(sources)], codings,
                                  codebook)
            ev = evaluate(human, result)
            alphas.append(ev.macro["alpha"])
            mins.append(ev.per_code["alpha"].min())
        seconds = (time.perf_counter() - t0) / len(alphas)
        spread = f"{min(alphas):.2f}-{max(alphas):.2f}" if len(alphas) > 1 else ""
        print(f"{n:>4} {sum(alphas) / len(alphas):>12.3f} {spread:>12} "
              f"{sum(mins) / len(mins):>10.2f} {seconds:>8.1f}", flush=True)


if __name__ == "__main__":
    main()
