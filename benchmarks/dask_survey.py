"""Rows per second of a survey-like Dask frame: one process vs Dask workers.

Builds a frame of ``--rows`` open answers (default 20,000) from the
respondents' turns of the sample interviews (``transcripts/``), each made
distinct by a short tail (``(svar 17)``) so that no text is coded once for
many rows, with project, round and role columns. Then codes it with the
default coder (the learned coder bundled with the default codebook;
``--rules-only``: the codebook's rules and examples) and prints, for each
way, the seconds and rows per second:

- ``Coder.code``: one process, the transcripts built beforehand;
- ``dask sync``: :func:`codingkit.dask.code_frame` on Dask's synchronous
  scheduler (the cost of the Dask path itself);
- ``cluster 1 worker`` / ``2 workers``: a ``distributed.LocalCluster`` of
  worker processes (one thread each), the coder scattered to every worker,
  tables written with :func:`codingkit.dask.write_parquet`. Starting the
  cluster and scattering the coder are timed apart from the coding.

    PYTHONPATH=src python benchmarks/dask_survey.py [--rows 20000] [--partitions 16]
                                                    [--rules-only]

Wall times depend on the machine's load (printed); compare the rows in one run.
"""

from __future__ import annotations

import argparse
import os
import pickle
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def survey_rows(n: int):
    import pandas as pd

    from codingkit import read_transcripts

    turns = [(t, u) for t in read_transcripts(ROOT / "transcripts") for u in t.turns
             if u.speaker_role == "respondent"]
    rows = []
    for k in range(n):
        t, u = turns[k % len(turns)]
        rows.append({"id": str(k + 1), "projekt": t.metadata.get("project", ""),
                     "omgång": t.metadata.get("round", ""), "roll": t.metadata.get("role", ""),
                     "svar": f"{' '.join(t.turn_text(u).split())} (svar {k + 1})"})
    return pd.DataFrame(rows)


def report(label: str, seconds: float, rows: int, extra: str = "") -> None:
    print(f"{label:<20} {seconds:7.1f} s  {rows / seconds:8.0f} rows/s  {extra}", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=20_000)
    ap.add_argument("--partitions", type=int, default=16)
    ap.add_argument("--rules-only", action="store_true")
    args = ap.parse_args()

    import dask
    import dask.dataframe as dd
    from distributed import Client, LocalCluster

    from codingkit.coding import Coder
    from codingkit.dask import ROW_KINDS, _layout, code_frame, default_coder, ship_coder
    from codingkit.dask import write_parquet

    rows = survey_rows(args.rows)
    n = len(rows)
    print(f"{n} answers, {rows['svar'].str.len().sum() / 1e6:.1f} M characters, "
          f"{args.partitions} partitions; load average {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} cores")
    t0 = time.perf_counter()
    coder = Coder().fit() if args.rules_only else default_coder()
    print(f"coder: {'codebook alone' if args.rules_only else 'bundled learned'}, "
          f"loaded in {time.perf_counter() - t0:.1f} s, "
          f"{len(pickle.dumps(coder)) / 1e6:.1f} MB pickled")

    layout = _layout(rows.columns, "answer", None, None)
    transcripts = list(ROW_KINDS["answer"](rows, layout, source="enkat.csv", first_row=0))
    coder.code(transcripts[:50])  # spaCy, the lemma table and the rule matcher warmed up
    t0 = time.perf_counter()
    result = coder.code(transcripts)
    report("Coder.code", time.perf_counter() - t0, n, f"{len(result.coding_list)} codings")

    frame = dd.from_pandas(rows, npartitions=args.partitions, sort=False)
    t0 = time.perf_counter()
    tables = code_frame(frame, coder, source="enkat.csv").compute(scheduler="sync")
    report("dask sync", time.perf_counter() - t0, n, f"{len(tables.codings)} codings")
    assert len(tables.codings) == len(result.coding_list)

    for workers in (1, 2):
        t0 = time.perf_counter()
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                          dashboard_address=None) as cluster, Client(cluster) as client:
            started = time.perf_counter() - t0
            t1 = time.perf_counter()
            shipped = ship_coder(coder, client)
            client.run(lambda: None)
            scattered = time.perf_counter() - t1
            with tempfile.TemporaryDirectory() as tmp, dask.config.set(scheduler=client):
                t1 = time.perf_counter()
                write_parquet(code_frame(frame, shipped, source="enkat.csv"), Path(tmp) / "ut")
                coding = time.perf_counter() - t1
        report(f"cluster {workers} worker{'s' if workers > 1 else ''}", coding, n,
               f"(cluster start {started:.1f} s, coder scattered in {scattered:.1f} s)")


if __name__ == "__main__":
    main()
