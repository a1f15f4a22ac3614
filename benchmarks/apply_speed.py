"""Speed and memory of ``codingkit apply`` against spaCy's tokenizer alone.

Builds a large corpus by repeating the bundled sample corpus (each copy a
folder of its own, so sources stay distinct) and prints, for each size:

- the wall time and peak memory (max RSS) of ``codingkit apply`` run as a
  separate process, as a researcher runs it;
- the time ``spacy.blank("sv")``'s tokenizer alone needs for the same
  transcript text (the floor: codingkit cannot be faster than tokenizing);
- their ratio. The goal is ratio ≤ 1.5 and memory flat as the corpus grows.

Usage::

    python benchmarks/apply_speed.py                 # 2.5 MB and 10 MB
    python benchmarks/apply_speed.py --mb 1 --mb 5   # other sizes

Not run by the tests. The corpus is built under ``benchmarks/_data/``
(ignored by git).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "transcripts"
DATA = ROOT / "benchmarks" / "_data"


def build_corpus(megabytes: float) -> tuple[Path, int]:
    """Copy the sample corpus (text-based files) until it holds ``megabytes`` of text."""
    target = DATA / f"corpus_{megabytes:g}mb"
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    files = [p for p in sorted(SAMPLE.rglob("*"))
             if p.is_file() and p.suffix in {".txt", ".md", ".vtt", ".srt", ".docx"}
             and "_build" not in p.parts]
    size = sum(p.stat().st_size for p in files)
    copies = max(1, round(megabytes * 1_000_000 / size))
    for i in range(copies):
        for p in files:
            dest = target / f"kopia_{i:04d}" / p.relative_to(SAMPLE)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(p, dest)
    return target, copies * size


def tokenizer_seconds(corpus: Path) -> float:
    """Time spaCy's blank Swedish tokenizer over the transcripts' turn texts."""
    import spacy

    import codingkit as ck

    transcripts = ck.read_transcripts(corpus)
    texts = [t.text[turn.start:turn.end] for t in transcripts for turn in t.turns]
    nlp = spacy.blank("sv")
    start = time.perf_counter()
    n = 0
    for doc in nlp.tokenizer.pipe(texts, batch_size=256):
        n += len(doc)
    return time.perf_counter() - start


_CHILD = """
import resource, sys
from codingkit.cli import main
try:
    main(sys.argv[1:])
except SystemExit as exc:
    if exc.code:
        raise
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
"""


def apply_run(corpus: Path) -> tuple[float, float]:
    """Wall seconds and max RSS (MB) of ``codingkit apply`` in a child process."""
    out = DATA / "out"
    if out.exists():
        shutil.rmtree(out)
    cmd = [sys.executable, "-c", _CHILD, "apply", str(corpus), "--out", str(out), "--quiet"]
    start = time.perf_counter()
    proc = subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          text=True)
    wall = time.perf_counter() - start
    rss_kb = int(proc.stderr.strip().splitlines()[-1])
    return wall, rss_kb / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mb", type=float, action="append", help="corpus size in MB (repeatable)")
    args = ap.parse_args()
    sizes = args.mb or [2.5, 10.0]
    print(f"{'corpus':>10} {'apply s':>9} {'tokenize s':>11} {'ratio':>6} {'max RSS MB':>11}")
    for mb in sizes:
        corpus, nbytes = build_corpus(mb)
        wall, rss = apply_run(corpus)
        tok = tokenizer_seconds(corpus)
        print(f"{nbytes / 1e6:>8.1f}MB {wall:>9.2f} {tok:>11.2f} {wall / tok:>6.2f} {rss:>11.0f}",
              flush=True)


if __name__ == "__main__":
    main()
