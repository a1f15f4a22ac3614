"""Build the similarity background bundled with codingkit.

The TF-IDF similarity takes its IDF weights from the codebook's reference
texts and a fixed *background* corpus, never from the texts being coded
(so a transcript is coded the same whatever is coded beside it). This
script counts, for every lemma and character feature, in how many
respondent turns of the bundled interviews it occurs, and writes
``src/codingkit/data/background-intervjuer-sv.json.gz``.

The corpus: the sample interviews (``transcripts/``) and the learning sets
of ``gold/transcripts/`` (train2, train3, train4, heldout2). ``heldout3``
and ``heldout4``, the final test sets, are left out on purpose: nothing
that is measured on them may have been built from them.

Run from the repository root::

    python tools/build_background.py            # writes the file
    python tools/build_background.py --check    # fails if the file is stale
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import codingkit as ck
from codingkit.coding.similarity import DEFAULT_BACKGROUND, build_background
from codingkit.segmenting import segment

ROOT = Path(__file__).resolve().parent.parent
SETS = ["transcripts", "gold/transcripts/train2", "gold/transcripts/train3",
        "gold/transcripts/train4", "gold/transcripts/heldout2"]
OUT = ROOT / "src" / "codingkit" / "data" / f"background-{DEFAULT_BACKGROUND}.json.gz"


def corpus_texts() -> list[str]:
    """The respondent turns of the background corpus, in a fixed order."""
    texts = []
    for folder in SETS:
        transcripts = sorted(ck.read_transcripts(ROOT / folder), key=lambda t: t.source)
        texts += [s.text for s in segment(transcripts, "turn") if s.speaker_role == "respondent"]
    return texts


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="only check that the file is current")
    args = ap.parse_args()
    texts = corpus_texts()
    bg = build_background(texts, name=DEFAULT_BACKGROUND)
    data = bg.to_bytes()
    if args.check:
        ok = OUT.is_file() and OUT.read_bytes() == data
        print(f"{OUT.relative_to(ROOT)}: {'current' if ok else 'STALE: run tools/build_background.py'}")
        return 0 if ok else 1
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_bytes(data)
    print(f"Wrote {OUT.relative_to(ROOT)}: {bg.n_docs} distinct respondent turns, "
          f"{len(bg.lemma)} lemma and {len(bg.char)} character features "
          f"(in 2+ turns), {len(data) / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
