"""What ``apply --pseudonymize`` costs and changes on the sample corpus (issue 12).

Usage::

    PYTHONPATH=src python benchmarks/pseudonymize_speed.py [PATHS...] [--repeat 3]

Runs ``codingkit apply`` on PATHS (default: transcripts/) with and without
``--pseudonymize``, each ``--repeat`` times as a separate process (the best
time counts), and prints the times, their ratio (goal: at most 1.25) and the
number of codings per theme in both runs.
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path


def run(paths, out: Path, extra) -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "codingkit", "apply", *paths, "--out", str(out),
                    "-q", "--force", *extra], check=True, capture_output=True)
    return time.perf_counter() - t0


def themes(out: Path) -> Counter:
    with open(out / "codings.csv", encoding="utf-8") as fh:
        return Counter(row["theme"] for row in csv.DictReader(fh))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("paths", nargs="*", default=["transcripts/"])
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        run(a.paths, tmp / "warm", [])  # lemma cache, imports
        plain, pseudo = [], []
        for i in range(a.repeat):
            plain.append(run(a.paths, tmp / "plain", []))
            pseudo.append(run(a.paths, tmp / "pseudo",
                              ["--pseudonymize", "--key", str(tmp / f"key{i}.json")]))
        p, q = min(plain), min(pseudo)
        print(f"apply {' '.join(a.paths)}: {p:.2f} s; with --pseudonymize {q:.2f} s; "
              f"ratio {q / p:.3f} (goal <= 1.25)")
        before, after = themes(tmp / "plain"), themes(tmp / "pseudo")
        print(f"codings: {sum(before.values())} without, {sum(after.values())} with "
              "--pseudonymize")
        print(f"{'theme':<28}{'without':>8}{'with':>8}{'diff':>6}")
        for theme in sorted(set(before) | set(after)):
            print(f"{theme:<28}{before[theme]:>8}{after[theme]:>8}"
                  f"{after[theme] - before[theme]:>+6}")


if __name__ == "__main__":
    main()
