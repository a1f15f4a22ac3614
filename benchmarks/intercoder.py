"""How far is codingkit from a second human coder? Agreement on the held-out set.

Two humans coded the held-out interviews independently, by the theme
definitions (``gold/<set>_coding.csv``, the first coder;
``gold/second_coder/<set>_coding.csv``, the second, who saw neither the
first coder's coding nor the codebook), for the sets ``heldout`` (4 sample
interviews, ``transcripts/``), ``heldout2`` (4 round-2 interviews,
``gold/transcripts/heldout2/``) and ``heldout3`` (8 round-4 interviews,
``gold/transcripts/heldout3/``). This script prints Krippendorff's α
and Cohen's κ per theme and macro-averaged for three pairs
(``--humans-only``: the first alone):

- coder 1 vs coder 2 (the human ceiling),
- codingkit vs coder 1,
- codingkit vs coder 2,

with codingkit's default configuration (default codebook, rules + TF-IDF
similarity, turn unit). Run from the repository root::

    python benchmarks/intercoder.py                   # the heldout set
    python benchmarks/intercoder.py --set heldout2
    python benchmarks/intercoder.py --set heldout3 --humans-only
"""

from __future__ import annotations

import argparse
import warnings
from pathlib import Path

import pandas as pd

import codingkit as ck
from codingkit.evaluation import evaluate, read_human_coding

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "gold"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--set", default="heldout", choices=["heldout", "heldout2", "heldout3"],
                    help="the doubly coded set (default: heldout)")
    ap.add_argument("--humans-only", action="store_true",
                    help="only coder 1 vs coder 2: codingkit's figures on a test set are "
                         "read once, at the end of a piece of work")
    args = ap.parse_args()
    name = args.set
    warnings.simplefilter("ignore", ck.CodingkitWarning)
    folders = [ROOT / "transcripts"] + ([GOLD / "transcripts"] if (GOLD / "transcripts").is_dir()
                                        else [])
    transcripts = ck.read_transcripts(folders)
    coder1 = read_human_coding(GOLD).select(name)
    sources = sorted(coder1.sources)
    transcripts = [t for t in transcripts if t.source in sources]
    segments = ck.segment(transcripts)
    second_csv = GOLD / "second_coder" / f"{name}_coding.csv"
    second = pd.read_csv(second_csv, dtype=str)
    coder2 = read_human_coding([second_csv, GOLD / f"{name}_turns.csv"])
    second_table = pd.DataFrame({"segment_id": second.source + ":" + second.turn,
                                 "code": second.code})
    codebook = ck.load_codebook()
    pairs = [("coder 1 vs coder 2", evaluate(coder1, second_table, segments=segments,
                                             codebook=codebook))]
    if not args.humans_only:
        result = ck.Coder(codebook).code(transcripts)
        pairs += [("codingkit vs coder 1", evaluate(coder1, result)),
                  ("codingkit vs coder 2", evaluate(coder2, result))]
    n = int(pairs[0][1].per_code["n_units"].max())
    print(f"Set {name!r}: {len(sources)} interviews, {n} respondent turns.\n")
    themes = [c.id for c in codebook.themes]
    width = max(map(len, themes + ["macro kappa"]))
    print(" " * width + "".join(f"{name:>24}" for name, _ in pairs))
    print(f"{'':<{width}}" + "".join(f"{'alpha (positives)':>24}" for _ in pairs))
    for theme in themes:
        cells = []
        for _, ev in pairs:
            row = ev.per_code.set_index("code").loc[theme]
            cells.append(f"{row['alpha']:.2f} ({int(row['positives'])})")
        print(f"{theme:<{width}}" + "".join(f"{c:>24}" for c in cells))
    for label, key in (("macro alpha", "alpha"), ("macro kappa", "kappa"),
                       ("macro F1", "f1")):
        print(f"{label:<{width}}" + "".join(f"{ev.macro[key]:>24.2f}" for _, ev in pairs))
    # what a report sees: each theme's share of an interview's turns
    cells = []
    for _, ev in pairs:
        err = ev.frequency_errors(by=("source",))
        cells.append(f"{100 * err.mean_abs_difference.mean():.1f} "
                     f"({100 * err.max_abs_difference.max():.1f})")
    print(f"{'share off, pp':<{width}}" + "".join(f"{c:>24}" for c in cells))
    print("\n(share off: percentage points by which one coder's share of an interview's "
          "turns coded with a theme differs from the other's; mean over interviews and "
          "themes, largest in brackets)")


if __name__ == "__main__":
    main()
