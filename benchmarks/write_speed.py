"""How long writing the results of 800 interviews takes, per format.

Codes the sample corpus (``transcripts/``, 12 interviews) once, rules only,
then repeats its segments and codings under new source names until there
are ``--interviews`` interviews (default 804: 67 copies), and times
:func:`codingkit.writers.write_outputs` for CSV alone, CSV + xlsx, and CSV +
parquet, printing the seconds, the rows and the file sizes.

    PYTHONPATH=src python benchmarks/write_speed.py [--interviews 804]

The issue's goal: the workbook of 800 interviews in a few seconds (it took
13 s with pandas + openpyxl). Wall time depends on the machine's load;
the CPU seconds less so.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def big_result(n_interviews: int):
    from codingkit import read_transcripts
    from codingkit.codebook import load_codebook
    from codingkit.coding import Coder
    from codingkit.model import CodingResult

    transcripts = read_transcripts(ROOT / "transcripts")
    base = Coder(load_codebook(), similarity="none").code(transcripts)
    copies = -(-n_interviews // len(transcripts))
    segments, codings, all_t = [], [], []
    for k in range(copies):
        def rename(x: str) -> str:
            return f"kopia{k:03d}/{x}"
        for t in transcripts:
            all_t.append(dataclasses.replace(t, source=rename(t.source)))
        for s in base.segment_list:
            segments.append(dataclasses.replace(s, source=rename(s.source),
                                                segment_id=rename(s.segment_id)))
        for c in base.coding_list:
            codings.append(dataclasses.replace(c, segment_id=rename(c.segment_id)))
    return CodingResult(segments, codings, base.codebook, all_t, base.options)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--interviews", type=int, default=804)
    args = ap.parse_args()
    from codingkit.writers import write_outputs

    result = big_result(args.interviews)
    print(f"{len(result.transcripts)} interviews, {len(result.segment_list)} segments, "
          f"{len(result.coding_list)} codings")
    for formats in (("csv",), ("csv", "xlsx"), ("csv", "parquet")):
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "res"
            t0, c0 = time.perf_counter(), time.process_time()
            write_outputs(result, out, formats=formats)
            took, cpu = time.perf_counter() - t0, time.process_time() - c0
            sizes = ", ".join(f"{p.name} {p.stat().st_size / 1e6:.1f} MB"
                              for p in sorted(out.iterdir()) if p.suffix in (".xlsx", ".csv"))
            print(f"{'+'.join(formats):12s} {took:6.2f} s ({cpu:5.2f} s CPU)   ({sizes})")


if __name__ == "__main__":
    main()
