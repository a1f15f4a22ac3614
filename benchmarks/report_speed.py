"""How long ``codingkit report`` takes on a large results folder.

Codes the sample corpus once (``codingkit apply transcripts/``), repeats its
tables into a results folder of ``--interviews`` interviews (each copy's
sources renamed ``kopia<N>/...``; projects and rounds kept, so the groups
grow), and times ``codingkit report`` to HTML and to Word as separate
processes (start-up included) and the in-process build.

    python benchmarks/report_speed.py --interviews 800
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src")}


def big_results(sample: Path, out: Path, interviews: int) -> None:
    seg = pd.read_csv(sample / "segments.csv", dtype=str, keep_default_na=False)
    cod = pd.read_csv(sample / "codings.csv", dtype=str, keep_default_na=False)
    n = seg["source"].nunique()
    copies = -(-interviews // n)
    segs, cods = [], []
    for i in range(copies):
        prefix = f"kopia{i:03d}/"
        s = seg.assign(source=prefix + seg["source"], segment_id=prefix + seg["segment_id"])
        c = cod.assign(segment_id=prefix + cod["segment_id"])
        segs.append(s)
        cods.append(c)
    seg_all = pd.concat(segs)
    keep = sorted(seg_all["source"].unique())[:interviews]
    seg_all = seg_all[seg_all["source"].isin(keep)]
    cod_all = pd.concat(cods)
    cod_all = cod_all[cod_all["segment_id"].isin(set(seg_all["segment_id"]))]
    out.mkdir(parents=True, exist_ok=True)
    seg_all.to_csv(out / "segments.csv", index=False, lineterminator="\n")
    cod_all.to_csv(out / "codings.csv", index=False, lineterminator="\n")
    # frequencies.csv is not used for the figures; the sample's keeps the folder valid
    (out / "frequencies.csv").write_bytes((sample / "frequencies.csv").read_bytes())
    manifest = json.loads((sample / "manifest.json").read_text(encoding="utf-8"))
    manifest["counts"] = {"transcripts": len(keep), "segments": len(seg_all),
                          "codings": len(cod_all)}
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2),
                                       encoding="utf-8")


def timed(args: list[str]) -> tuple[float, float]:
    """Wall-clock and CPU seconds (user + system) of a codingkit process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "codingkit", *args], check=True, env=ENV,
                   stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--interviews", type=int, default=800)
    ap.add_argument("--quotes", type=int, default=3)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        subprocess.run([sys.executable, "-m", "codingkit", "apply", str(ROOT / "transcripts"),
                        "--out", str(tmp / "sample"), "--quiet"], check=True, env=ENV,
                       stdout=subprocess.DEVNULL)
        big = tmp / "big"
        big_results(tmp / "sample", big, a.interviews)
        mb = sum(p.stat().st_size for p in big.iterdir()) / 1e6
        m = json.loads((big / "manifest.json").read_text(encoding="utf-8"))["counts"]
        print(f"results folder: {m['transcripts']} interviews, {m['segments']} segments, "
              f"{m['codings']} codings, {mb:.1f} MB")
        start, start_cpu = timed(["--version"])
        print(f"codingkit start-up: {start:.2f} s ({start_cpu:.2f} s CPU)")
        for suffix in ("html", "docx"):
            out = tmp / f"rapport.{suffix}"
            secs, cpu = timed(["report", str(big), "--out", str(out), "--quotes", str(a.quotes)])
            print(f"report --out rapport.{suffix}: {secs:.2f} s ({cpu:.2f} s CPU; the "
                  f"process, start-up included), {out.stat().st_size / 1e6:.2f} MB")
        sys.path.insert(0, str(ROOT / "src"))
        from codingkit.report import build_report
        from codingkit.report.figures import compute
        from codingkit.report.results import read_results

        t = time.process_time()
        res = read_results(big)
        t_read = time.process_time() - t
        t = time.process_time()
        compute(res, quotes=a.quotes)
        t_fig = time.process_time() - t
        t = time.process_time()
        build_report(big, tmp / "again.html", quotes=a.quotes)
        t_html = time.process_time() - t
        print(f"in process, CPU: read and check the folder {t_read:.2f} s, figures "
              f"{t_fig:.2f} s, a whole HTML build {t_html:.2f} s")


if __name__ == "__main__":
    main()
