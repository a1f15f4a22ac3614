"""How much a researcher's own coding should weigh on top of the gold.

``apply --learn-from`` with the default codebook learns from the gold
interviews the shipped coder learned from *plus* the user's coding, each
user turn weighing ``USER_WEIGHT`` against 1 for a gold turn. This script
chooses that weight by cross-validation on the gold LEARNING sets only
(never ``heldout3`` or ``heldout4``): each of ``train2``, ``train3``,
``train4`` in turn plays the user's corpus. For each:

1. a base coder learns from the other learning sets (as
   ``tools/build_default_coder.py`` does, rules tuned on ``dev``/``test``);
2. ``codingkit suggest`` picks N turns of the user's corpus with it;
3. for each weight, the coder learns on top of the base from the gold
   coding of those N turns, and Krippendorff's α is measured on the other
   turns of the user's corpus.

Prints macro α per weight and corpus, and the mean. Run from the
repository root (a few minutes per corpus)::

    python benchmarks/user_weight.py --weights 1,2,4,8 --n 100
"""

from __future__ import annotations

import argparse
import statistics
import sys
import warnings
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

import codingkit as ck  # noqa: E402
from codingkit.evaluation import read_human_coding  # noqa: E402
from suggest_loop import alphas, load_split, loop, suggested  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
LEARN_SETS = ["syd", "ost", "heldout", "train2", "train3", "train4", "heldout2"]
USER_SETS = ["train2", "train3", "train4"]


def base_without(held: str):
    """A coder learned from the learning sets other than ``held``."""
    sets = [s for s in LEARN_SETS if s != held]
    files = [p for s in sets for p in (ROOT / "gold" / f"{s}_coding.csv",
                                       ROOT / "gold" / f"{s}_turns.csv") if p.is_file()]
    human = read_human_coding(files)
    transcripts = ck.read_transcripts(ROOT / "transcripts") + [
        t for t in ck.read_transcripts(ROOT / "gold" / "transcripts")
        if t.source.split("/")[0] in sets]
    splits = pd.read_csv(ROOT / "gold" / "splits.csv")
    tuned = splits.loc[splits["split"].isin(["dev", "test"]), "source"].tolist()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ck.CodingkitWarning)
        return ck.Coder().fit(transcripts, human, rules_tuned_on=tuned)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--weights", default="1,2,4,8")
    ap.add_argument("--n", type=int, default=100)
    ap.add_argument("--sets", default=",".join(USER_SETS))
    args = ap.parse_args(argv)
    weights = [float(w) for w in args.weights.split(",")]
    results: dict[float, list[float]] = {w: [] for w in weights}
    before: list[float] = []
    for held in args.sets.split(","):
        base = base_without(held)
        transcripts, human = load_split(held)
        picks = suggested(base, transcripts, args.n)
        from suggest_loop import restrict

        other = restrict(human, picks, keep=False)
        b, _ = alphas(base, transcripts, other)
        before.append(b)
        line = [f"{held}: without user coding {b:.3f}"]
        for w in weights:
            m, _ = loop(base, transcripts, human, picks, w)
            results[w].append(m)
            line.append(f"w={w:g} {m:.3f}")
        print("; ".join(line), flush=True)
    print(f"\nmean macro alpha over {len(before)} corpora, {args.n} suggested turns each "
          f"(without user coding {statistics.fmean(before):.3f}):")
    for w in weights:
        print(f"  weight {w:g}: {statistics.fmean(results[w]):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
