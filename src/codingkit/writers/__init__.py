"""Write a coding result to a folder: tables, a run manifest, REFI-QDA.

:func:`write_outputs` writes, into one folder:

- ``segments.csv``, ``codings.csv``, ``frequencies.csv`` (UTF-8, ``\\n``,
  fixed row order: the same inputs give byte-identical files);
- the same tables as ``.parquet`` or in one ``codingkit.xlsx`` workbook when
  asked for;
- ``project.qdpx`` (REFI-QDA) when asked for;
- ``manifest.json``: the codingkit version, the codebook (id, version,
  sha256), the options, every input file with its sha256, and the time.

Every file is written atomically (a temporary file renamed into place);
the CSV tables are streamed row by row into temporary files that are
renamed only when all three are complete, so an error never leaves a
half-written table, and a large result is never held twice in memory.
"""

from __future__ import annotations

import datetime as _dt
import io
import json
import os
from pathlib import Path
from typing import Any, Sequence

from ..errors import OutputError
from ..fileio import atomic_path, atomic_write_text
from ..model import CodingResult

FORMATS = ("csv", "parquet", "xlsx", "qdpx")
TABLES = ("segments", "codings", "frequencies")


def check_output_dir(out_dir: str | os.PathLike[str], *, force: bool = False) -> Path:
    """Refuse to write into an existing, non-empty folder unless ``force``.

    Raises
    ------
    OutputError
        If ``out_dir`` is a file, or a non-empty folder and ``force`` is false.
    """
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise OutputError("exists and is not a folder; expected a folder for the results",
                          path=out, code="E401")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise OutputError("folder is not empty; use --force to overwrite its files",
                          path=out, code="E402")
    return out


def result_tables(result: CodingResult, *, by: Sequence[str] = ("project", "round")) -> dict:
    """The three tables of a result, as data frames, keyed by name."""
    return {
        "segments": result.segments,
        "codings": result.codings,
        "frequencies": result.frequencies(by=tuple(by)),
    }


def _csv_bytes(df) -> bytes:
    buf = io.StringIO()
    df.to_csv(buf, index=False, lineterminator="\n")
    return buf.getvalue().encode("utf-8")


def _csv_rows_bytes(columns: Sequence[str], rows) -> bytes:
    """CSV bytes of a header and rows: the bytes ``DataFrame.to_csv`` writes
    for the same table, without building a data frame (or importing pandas)."""
    import csv

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")


def table_rows(result: CodingResult, *, by: Sequence[str] = ("project", "round")) -> dict:
    """The three tables of a result as ``(columns, rows)``, keyed by name.

    ``rows`` are produced lazily (tuples), so a table can be written without
    being held in memory.
    """
    from ..tables import (
        CODING_COLUMNS,
        FREQUENCY_COUNTS,
        coding_rows,
        frequency_rows,
        segment_columns,
        segment_rows,
    )

    columns = segment_columns(result.segment_list)
    return {
        "segments": (columns, segment_rows(result.segment_list, columns)),
        "codings": (CODING_COLUMNS, coding_rows(result.coding_list)),
        "frequencies": ([*by, *FREQUENCY_COUNTS],
                        frequency_rows(result.segment_list, result.coding_list,
                                       result.codebook, result.transcripts, by=tuple(by))),
    }


def csv_tables(result: CodingResult, *, by: Sequence[str] = ("project", "round")
               ) -> dict[str, bytes]:
    """The three tables of a result as CSV bytes (UTF-8, ``\n``), keyed by name.

    The same bytes as ``result.segments.to_csv(index=False)`` etc., written
    row by row from the result's objects (:func:`write_outputs` streams the
    same rows into its files).
    """
    return {name: _csv_rows_bytes(columns, rows)
            for name, (columns, rows) in table_rows(result, by=by).items()}


def _write_csv_tables(result: CodingResult, out: Path, by: Sequence[str]) -> list[Path]:
    """Stream the three CSV tables into temporary files; rename them all at the end.

    If a row cannot be made or written, every temporary file is removed and
    no table is replaced.
    """
    import csv
    from contextlib import ExitStack

    paths = []
    with ExitStack() as stack:
        for name, (columns, rows) in table_rows(result, by=by).items():
            path = out / f"{name}.csv"
            tmp = stack.enter_context(atomic_path(path))
            with open(tmp, "w", encoding="utf-8", newline="") as fh:
                writer = csv.writer(fh, lineterminator="\n")
                writer.writerow(columns)
                writer.writerows(rows)
            paths.append(path)
    return paths


def run_manifest(result: CodingResult, *, options: dict[str, Any] | None = None,
                 outputs: Sequence[str] = ()) -> dict[str, Any]:
    """What ``manifest.json`` records about a run."""
    from .. import __version__

    cb = result.codebook
    inputs = []
    seen = set()
    for t in result.transcripts:
        key = str(t.path) if t.path else t.source
        if key in seen:  # survey rows share one file
            continue
        seen.add(key)
        inputs.append({"path": str(t.path) if t.path else None,
                       "source": t.source.split("#", 1)[0],
                       "sha256": t.sha256,
                       "format": t.format})
    return {
        "schema_version": 1,  # the results folder's contract: codingkit/schemas/results-1.*.json
        "codingkit_version": __version__,
        "created": _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat()
        .replace("+00:00", "Z"),
        "codebook": {"id": cb.id, "version": cb.version, "sha256": cb.sha256,
                     "path": str(cb.path) if cb.path else None},
        "options": {**result.options, **(options or {})},
        "counts": {"transcripts": len(result.transcripts),
                   "segments": len(result.segment_list),
                   "codings": len(result.coding_list)},
        "inputs": inputs,
        "outputs": list(outputs),
    }


def write_outputs(
    result: CodingResult,
    out_dir: str | os.PathLike[str],
    *,
    formats: Sequence[str] = ("csv",),
    force: bool = False,
    by: Sequence[str] = ("project", "round"),
    options: dict[str, Any] | None = None,
) -> list[Path]:
    """Write a coding result's tables, manifest and chosen formats to ``out_dir``.

    Parameters
    ----------
    result:
        What :meth:`codingkit.Coder.code` returned.
    out_dir:
        The folder; created if missing. An existing non-empty folder is
        refused unless ``force`` (then only codingkit's own files in it are
        replaced).
    formats:
        Any of ``"csv"``, ``"parquet"``, ``"xlsx"``, ``"qdpx"``.
    by:
        Metadata keys the frequencies are grouped by.
    options:
        Extra options to record in ``manifest.json``.

    Returns
    -------
    list of Path
        The files written, ``manifest.json`` last.
    """
    bad = [f for f in formats if f not in FORMATS]
    if bad:
        raise OutputError(f"unknown output format {bad[0]!r}; expected one of {', '.join(FORMATS)}",
                          code="E403")
    out = check_output_dir(out_dir, force=force)
    # frames for parquet/xlsx are computed before writing; CSV rows are
    # streamed into temporary files that replace the tables only when all
    # three are complete
    tables = result_tables(result, by=by) if set(formats) & {"parquet", "xlsx"} else {}
    created = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    if "csv" in formats:
        try:
            written += _write_csv_tables(result, out, by)
        except BaseException:
            if created and not any(out.iterdir()):
                out.rmdir()
            raise
    if "parquet" in formats:
        for name in TABLES:
            with atomic_path(out / f"{name}.parquet") as tmp:
                tables[name].to_parquet(tmp, index=False)
            written.append(out / f"{name}.parquet")
    if "xlsx" in formats:
        import pandas as pd

        with atomic_path(out / "codingkit.xlsx") as tmp:
            with pd.ExcelWriter(tmp, engine="openpyxl") as xw:
                for name in TABLES:
                    tables[name].to_excel(xw, sheet_name=name, index=False)
        written.append(out / "codingkit.xlsx")
    if "qdpx" in formats:
        from ..refiqda import write_qdpx

        write_qdpx(result, out / "project.qdpx")
        written.append(out / "project.qdpx")
    manifest = run_manifest(result, options={**(options or {}), "formats": list(formats),
                                             "by": list(by)},
                            outputs=[p.name for p in written])
    atomic_write_text(out / "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2)
                      + "\n")
    written.append(out / "manifest.json")
    return written
