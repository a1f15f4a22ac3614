"""How long ``codingkit depseudonymize`` takes with a large key.

Usage::

    PYTHONPATH=src python benchmarks/depseudonymize_speed.py [--entries 300000] [--rows N]

Codes the sample corpus with ``apply --pseudonymize --rules-only`` (its key
gets the corpus's own pseudonyms), extends the key to ``--entries`` entries
(``[Person n]`` for made-up names, as a project with many rounds and
respondents would have), and times, each as a separate process (the whole
command: reading the 40 MB key, the table, restoring, writing):

- ``depseudonymize segments.csv`` (the first ``--rows`` rows; default all),
  restored cell by cell;
- ``depseudonymize segments.txt`` (the same bytes as text), restored at once.

Both restored files are checked against the same command with the run's own
key (the extra entries occur nowhere, so the bytes must be the same). Prints
the times, the time per cell and the pseudonyms restored.
"""

from __future__ import annotations

import argparse
import csv
import io
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def command(*args: str) -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "codingkit", *args], check=True,
                   capture_output=True)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--entries", type=int, default=300_000)
    ap.add_argument("--rows", type=int, default=None, help="rows of segments.csv (default all)")
    ap.add_argument("--no-text", action="store_true", help="leave out the .txt timing")
    a = ap.parse_args()
    from codingkit.pseudonymize import PseudonymKey

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        own, big, res = tmp / "own.key.json", tmp / "big.key.json", tmp / "res"
        subprocess.run([sys.executable, "-m", "codingkit", "apply", str(ROOT / "transcripts"),
                        "--out", str(res), "-q", "--rules-only", "--pseudonymize", "--key",
                        str(own)], check=True, capture_output=True)
        key = PseudonymKey.load(own)
        n_own = len(key)
        n = 0
        while len(key) < a.entries:
            n += 1
            key.pseudonym("Person", f"förnamn{n} efternamn{n}", f"Förnamn{n} Efternamn{n}")
        key.save(big)
        text = (res / "segments.csv").read_text(encoding="utf-8")
        if a.rows is not None:
            lines = io.StringIO(text, newline="")
            reader = csv.reader(lines)
            rows = [next(reader) for _ in range(a.rows + 1)]
            buf = io.StringIO()
            csv.writer(buf, lineterminator="\n").writerows(rows)
            text = buf.getvalue()
        table = tmp / "segments.csv"
        table.write_text(text, encoding="utf-8")
        rows = list(csv.reader(io.StringIO(text, newline="")))
        cells = sum(len(r) for r in rows[1:])
        print(f"key: {len(key):,} entries ({n_own} from the run), "
              f"{big.stat().st_size / 2**20:.1f} MB; table: {len(rows) - 1:,} rows, "
              f"{cells:,} cells, {len(text.encode()) / 2**20:.2f} MB")
        t_own = command("depseudonymize", str(table), "--key", str(own), "--out",
                        str(tmp / "own.csv"))
        t_big = command("depseudonymize", str(table), "--key", str(big), "--out",
                        str(tmp / "big.csv"))
        same = (tmp / "own.csv").read_bytes() == (tmp / "big.csv").read_bytes()
        restored = (tmp / "big.csv").read_text(encoding="utf-8") != text
        print(f"depseudonymize segments.csv: {t_big:.2f} s with the {len(key):,}-entry key "
              f"({t_big / cells * 1000:.3f} ms a cell), {t_own:.2f} s with the run's own "
              f"key; restored: {'yes' if restored else 'no'}, same bytes with both keys: "
              f"{'yes' if same else 'NO'}")
        t0 = time.perf_counter()
        PseudonymKey.load(big)
        print(f"  of which reading the key: about {time.perf_counter() - t0:.2f} s (in process)")
        if not a.no_text:
            txt = tmp / "segments.txt"
            txt.write_text(text, encoding="utf-8")
            t_own = command("depseudonymize", str(txt), "--key", str(own), "--out",
                            str(tmp / "own.txt"))
            t_big = command("depseudonymize", str(txt), "--key", str(big), "--out",
                            str(tmp / "big.txt"))
            same = (tmp / "own.txt").read_bytes() == (tmp / "big.txt").read_bytes()
            print(f"depseudonymize segments.txt: {t_big:.2f} s with the {len(key):,}-entry "
                  f"key, {t_own:.2f} s with the run's own key; same bytes with both keys: "
                  f"{'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()
