"""``codingkit apply`` at scale: --jobs, memory as the corpus grows, --cache.

Runs ``codingkit apply`` as a separate process, as a researcher runs it, on
a corpus folder and prints, per run, the wall time, the CPU time and the
peak memory (the largest resident set of the apply process and, with
--jobs, of one worker: Linux's ``ru_maxrss``):

- ``jobs``: the corpus with ``--jobs 1`` and ``--jobs N`` (the speed-up;
  the tables are compared byte for byte);
- ``copies``: the corpus repeated K times (each copy a folder of its own)
  with ``--jobs 1``: peak memory should stay flat, bounded by the part
  size (``codingkit.run.PART_CHARS``), not the corpus;
- ``cache``: a run with ``--cache`` on all files but one, then a rerun
  after adding that file: the rerun's time against a full run.

The corpus is the journal-digital package's speech transcripts (2,544 .srt
files; ``pip install journal-digital``) unless ``--corpus DIR`` names
another folder. Copies are built under ``benchmarks/_data/`` (ignored by
git).

Usage::

    python benchmarks/run_scale.py jobs --unit sentence --jobs 2
    python benchmarks/run_scale.py copies --copies 1 --copies 10 --unit sentence
    python benchmarks/run_scale.py cache --unit turn

Not run by the tests. Figures depend on the machine's load; compare runs
made one after the other.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "benchmarks" / "_data"


def journal_digital() -> Path:
    """The speech transcripts of the installed journal-digital package."""
    try:
        import journal_digital
    except ImportError:
        sys.exit("pip install journal-digital, or give --corpus DIR")
    folder = Path(journal_digital.__file__).parent / "corpus" / "speech"
    if not folder.is_dir():
        sys.exit(f"no corpus/speech in {folder.parent}; give --corpus DIR")
    return folder


def apply(paths, out: Path, *args: str) -> dict:
    """One ``codingkit apply`` run: wall s, CPU s, peak MB (self, largest child)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.run([sys.executable, "-m", "codingkit", "apply", *map(str, paths),
                           "--out", str(out), "--force", "--quiet", *args],
                          capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t
    if proc.returncode != 0:
        sys.exit(proc.stderr or proc.stdout)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall": wall, "cpu": cpu, "peak_mb": after.ru_maxrss / 1024,
            "summary": proc.stdout.splitlines()[0]}


def same_tables(a: Path, b: Path) -> bool:
    return all((a / n).read_bytes() == (b / n).read_bytes()
               for n in ("segments.csv", "codings.csv", "frequencies.csv"))


def corpus_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


def run_jobs(corpus: Path, opts, tmp: Path, jobs: int) -> None:
    one = apply([corpus], tmp / "j1", *opts)
    many = apply([corpus], tmp / "jn", *opts, "--jobs", str(jobs))
    print(f"{corpus_mb(corpus):.1f} MB, {' '.join(opts)}")
    print(f"--jobs 1: {one['wall']:.1f} s wall, {one['cpu']:.1f} s CPU, "
          f"peak {one['peak_mb']:.0f} MB")
    print(f"--jobs {jobs}: {many['wall']:.1f} s wall, {many['cpu']:.1f} s CPU, "
          f"peak {many['peak_mb']:.0f} MB per process")
    print(f"speed-up {one['wall'] / many['wall']:.2f} x; tables identical: "
          f"{same_tables(tmp / 'j1', tmp / 'jn')}")
    print(one["summary"])


def run_copies(corpus: Path, opts, tmp: Path, copies: list[int]) -> None:
    for k in copies:
        target = DATA / f"copies_{k}"
        if not target.exists():
            for i in range(k):
                shutil.copytree(corpus, target / f"kopia{i:02d}")
        r = apply([target], tmp / f"c{k}", *opts)
        print(f"{k:>3} copies, {corpus_mb(target):7.1f} MB: {r['wall']:7.1f} s wall, "
              f"{r['cpu']:7.1f} s CPU, peak {r['peak_mb']:.0f} MB")


def run_cache(corpus: Path, opts, tmp: Path) -> None:
    files = sorted(p for p in corpus.rglob("*") if p.is_file())
    work = DATA / "cache_corpus"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(corpus, work)
    last = work / files[-1].relative_to(corpus)
    held = tmp / "held"
    shutil.move(last, held)
    cache = tmp / "cache"
    first = apply([work], tmp / "a", *opts, "--cache", str(cache))
    shutil.move(held, last)
    full = apply([work], tmp / "full", *opts)
    again = apply([work], tmp / "again", *opts, "--cache", str(cache))
    print(f"{len(files)} files, {corpus_mb(corpus):.1f} MB, {' '.join(opts)}")
    print(f"first run filling the cache ({len(files) - 1} files): {first['wall']:.1f} s wall")
    print(f"full run without cache:  {full['wall']:.1f} s wall, {full['cpu']:.1f} s CPU")
    print(f"rerun with one new file: {again['wall']:.1f} s wall, {again['cpu']:.1f} s CPU; "
          f"tables identical: {same_tables(tmp / 'full', tmp / 'again')}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("what", choices=["jobs", "copies", "cache"])
    ap.add_argument("--corpus", type=Path, help="a folder of transcripts (default: "
                    "journal-digital's speech transcripts)")
    ap.add_argument("--unit", default="sentence")
    ap.add_argument("--rules-only", action="store_true")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--copies", type=int, action="append")
    args = ap.parse_args()
    corpus = args.corpus or journal_digital()
    opts = ["--unit", args.unit, *(["--rules-only"] if args.rules_only else [])]
    DATA.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=DATA) as tmp:
        if args.what == "jobs":
            run_jobs(corpus, opts, Path(tmp), args.jobs)
        elif args.what == "copies":
            run_copies(corpus, opts, Path(tmp), args.copies or [1, 3])
        else:
            run_cache(corpus, opts, Path(tmp))


if __name__ == "__main__":
    main()
