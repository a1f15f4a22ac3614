"""Write a coding result to a folder: tables, a run manifest, REFI-QDA.

:func:`write_outputs` writes, into one folder:

- ``segments.csv``, ``codings.csv``, ``frequencies.csv`` (UTF-8, ``\\n``,
  fixed row order: the same inputs give byte-identical files);
- the same tables as ``.parquet`` or in one ``codingkit.xlsx`` workbook when
  asked for;
- ``project.qdpx`` (REFI-QDA) when asked for;
- ``manifest.json``: the codingkit version, the codebook (id, version,
  sha256), the options, every input file with its sha256, and the time.

The folder is written as one unit (:class:`~codingkit.fileio.ResultsFolder`):
every file goes into a hidden folder beside ``out_dir`` that replaces it
only when all are complete, under a lock, so an error, Ctrl-C, SIGTERM or a
second run into the same folder never leaves a mix of two runs; a forced run
replaces every file codingkit owns (:data:`OWNED`) and keeps the others. The
CSV tables are streamed row by row, so a large result is never held twice
in memory.
"""

from __future__ import annotations

import datetime as _dt
import io
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

from ..errors import OutputError
from ..fileio import ResultsFolder
from ..model import CodingResult
from .readback import Results, read_results  # noqa: F401 - reading the folder back

TABLES = ("segments", "codings", "frequencies")


@dataclass(frozen=True)
class Writer:
    """One output format of a results folder.

    ``write(result, folder, by=..., csv_raw=...)`` writes ``files`` (names
    inside the folder) and returns them in the order written.
    """

    files: tuple[str, ...]
    write: Callable[..., list[str]]


def _csv(result, folder: Path, *, by, csv_raw) -> list[str]:
    return [p.name for p in _write_csv_tables(result, folder, by, raw=csv_raw)]


def _parquet(result, folder: Path, *, by, csv_raw) -> list[str]:
    tables = result_tables(result, by=by)
    for name in TABLES:
        tables[name].to_parquet(folder / f"{name}.parquet", index=False)
    return [f"{name}.parquet" for name in TABLES]


def _xlsx(result, folder: Path, *, by, csv_raw) -> list[str]:
    write_xlsx(result, folder / "codingkit.xlsx", by=by)
    return ["codingkit.xlsx"]


def _qdpx(result, folder: Path, *, by, csv_raw) -> list[str]:
    from ..refiqda import write_qdpx

    write_qdpx(result, folder / "project.qdpx")
    return ["project.qdpx"]


#: The output formats, by name (``--format``'s choices come from here):
#: add a :class:`Writer` to offer another (see docs/extending.md).
WRITERS: dict[str, Writer] = {
    "csv": Writer(tuple(f"{t}.csv" for t in TABLES), _csv),
    "parquet": Writer(tuple(f"{t}.parquet" for t in TABLES), _parquet),
    "xlsx": Writer(("codingkit.xlsx",), _xlsx),
    "qdpx": Writer(("project.qdpx",), _qdpx),
}
FORMATS = tuple(WRITERS)


def owned_files() -> frozenset[str]:
    """The files codingkit writes into a results folder (a forced run
    replaces all of them, whichever formats it writes; other files are kept)."""
    return frozenset({"manifest.json", *(f for w in WRITERS.values() for f in w.files)})


OWNED = owned_files()


def results_folder(out_dir: str | os.PathLike[str], *, force: bool = False) -> ResultsFolder:
    """The results folder ``out_dir`` as one unit (see :class:`ResultsFolder`):
    ``with results_folder(out) as rf: write_outputs(result, rf)``."""
    return ResultsFolder(out_dir, force=force, owned=owned_files().__contains__)


def check_output_dir(out_dir: str | os.PathLike[str], *, force: bool = False) -> Path:
    """Refuse, before any work, a results folder that cannot be written.

    Raises
    ------
    OutputError
        E401 ``out_dir`` is a file; E402 a non-empty folder and ``force`` is
        false; E406 ``out_dir`` or the folder it is in is read-only.
    """
    results_folder(out_dir, force=force).check()
    return Path(out_dir)


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


def _csv_cells(columns, rows, raw: bool):
    """Header and rows as written to CSV: neutralised unless ``raw``."""
    from ..tables import neutralise_cell, neutralised_rows

    if raw:
        return columns, rows
    return [neutralise_cell(c) for c in columns], neutralised_rows(rows)


def _write_csv_tables(result: CodingResult, out: Path, by: Sequence[str],
                      raw: bool = False) -> list[Path]:
    """Stream the three CSV tables into ``out`` (a staging folder)."""
    import csv

    paths = []
    for name, (columns, rows) in table_rows(result, by=by).items():
        columns, rows = _csv_cells(columns, rows, raw)
        path = out / f"{name}.csv"
        with open(path, "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(columns)
            writer.writerows(rows)
        paths.append(path)
    return paths


#: The sheets of ``codingkit.xlsx``, in order.
XLSX_SHEETS = ("segments", "quotes", "frequencies", "codebook")


def workbook_tables(result: CodingResult, *, by: Sequence[str] = ("project", "round")
                    ) -> dict[str, tuple[list[str], Any]]:
    """The sheets of the analysis workbook as ``(columns, rows)`` (rows lazy):

    ``segments``
        The segment table and one 0/1 column per theme (codebook order):
        1 when the segment is coded with the theme or one of its sub-codes.
    ``quotes``
        One row per coding: where it is (segment, source, metadata,
        speaker, turn), the code, its path from the theme (``theme > code``),
        score, method, evidence and the segment's text.
    ``frequencies``
        The frequency table, with its denominators (``sources_total``,
        ``segments_total``).
    ``codebook``
        One row per code: theme, parent, label, description, inclusion and
        exclusion criteria, speaker roles, how many rules and examples.
    """
    from ..model import CORE_METADATA
    from ..tables import CODING_COLUMNS  # noqa: F401  (the quotes sheet extends it)

    tables = table_rows(result, by=by)
    cb = result.codebook
    themes = [c.id for c in cb.themes]
    seg_columns, seg_rows = tables["segments"]
    coded: dict[str, set[str]] = {}
    for c in result.coding_list:
        coded.setdefault(c.segment_id, set()).add(c.theme)

    def flagged():
        for row in seg_rows:
            got = coded.get(row[0])
            yield (*row, *((1 if got and t in got else 0) for t in themes))

    segs = {s.segment_id: s for s in result.segment_list}

    def path(code: str) -> str:
        if code not in cb:
            return code
        return " > ".join([*reversed(cb.ancestors(code)), code])

    def quotes():
        for c in result.coding_list:
            s = segs.get(c.segment_id)
            meta = [s.metadata.get(k, "") if s else "" for k in CORE_METADATA]
            yield (c.segment_id, s.source if s else "", *meta, (s.speaker or "") if s else "",
                   s.turn if s else "", c.code, path(c.code), c.theme, c.score, c.method,
                   c.evidence, s.text if s else "")

    def codebook_rows():
        for code in cb:
            yield (code.id, cb.theme_of(code.id), code.parent or "", code.label,
                   code.description, code.include, code.exclude, ", ".join(code.scope),
                   len(code.rules), len(code.examples))

    return {
        "segments": ([*seg_columns, *themes], flagged()),
        "quotes": (["segment_id", "source", *CORE_METADATA, "speaker", "turn", "code",
                    "code_path", "theme", "score", "method", "evidence", "text"], quotes()),
        "frequencies": tables["frequencies"],
        "codebook": (["code", "theme", "parent", "label", "description", "include",
                      "exclude", "speaker_roles", "rules", "examples"], codebook_rows()),
    }


def write_xlsx(result: CodingResult, path: str | os.PathLike[str], *,
               by: Sequence[str] = ("project", "round")) -> Path:
    """Write the analysis workbook (sheets: :func:`workbook_tables`).

    Every text is written as text, never as a formula or a link (a turn
    ``=HYPERLINK(...)`` stays that text); each sheet has its header row
    frozen, a filter on it, column widths fitted to the first rows and
    shares as percentages. Streamed row by row (:mod:`.xlsx`), so a large
    result is fast and not held twice in memory. Texts longer than a cell
    can hold (32,767 characters) are cut there, as Excel would.
    """
    from .xlsx import Sheet, write_workbook

    themes = {c.id for c in result.codebook.themes}
    sheets = []
    for name, (columns, rows) in workbook_tables(result, by=by).items():
        columns = list(columns)
        sheets.append(Sheet(
            name, columns, rows,
            percent=[j for j, c in enumerate(columns) if str(c).startswith("share")],
            narrow=[j for j, c in enumerate(columns) if name == "segments" and c in themes
                    and j >= len(columns) - len(themes)]))
    return write_workbook(path, sheets)


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
    out_dir: "str | os.PathLike[str] | ResultsFolder",
    *,
    formats: Sequence[str] = ("csv",),
    force: bool = False,
    by: Sequence[str] = ("project", "round"),
    options: dict[str, Any] | None = None,
    csv_raw: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> list[Path]:
    """Write a coding result's tables, manifest and chosen formats to ``out_dir``.

    Parameters
    ----------
    result:
        What :meth:`codingkit.Coder.code` returned.
    out_dir:
        The folder; created if missing. An existing non-empty folder is
        refused unless ``force`` (then every file codingkit owns in it is
        replaced, and the others are kept). Or a :func:`results_folder`
        already entered (to hold its lock from before the coding).
    formats:
        Any of ``"csv"``, ``"parquet"``, ``"xlsx"``, ``"qdpx"``.
    by:
        Metadata keys the frequencies are grouped by.
    options:
        Extra options to record in ``manifest.json``.
    csv_raw:
        Write the CSV cells verbatim. By default a cell that starts with
        ``=``, ``+``, ``-``, ``@``, tab or carriage return (a formula to a
        spreadsheet program) or with ``'`` gets a leading ``'``
        (:func:`~codingkit.tables.neutralise_cell`; manifest.json records
        ``csv_raw``). The workbook always holds every text as text; the
        coded texts and offsets are the same either way.
    progress:
        Called with (files written, files to write) as the files are
        written (the command line's progress bar).

    Returns
    -------
    list of Path
        The files written, ``manifest.json`` last.

    Raises
    ------
    OutputError
        E403 unknown format; E401, E402, E405, E406 from :func:`results_folder`.
    """
    bad = [f for f in formats if f not in WRITERS]
    if bad:
        raise OutputError(f"unknown output format {bad[0]!r}; expected one of "
                          f"{', '.join(WRITERS)}", code="E403")
    if isinstance(out_dir, ResultsFolder):
        return _write_all(result, out_dir, formats=formats, by=by, options=options,
                          csv_raw=csv_raw, progress=progress)
    with results_folder(out_dir, force=force) as rf:
        return _write_all(result, rf, formats=formats, by=by, options=options,
                          csv_raw=csv_raw, progress=progress)


def _write_all(result: CodingResult, rf: ResultsFolder, *, formats: Sequence[str],
               by: Sequence[str], options: dict[str, Any] | None,
               csv_raw: bool, progress: Callable[[int, int], None] | None = None
               ) -> list[Path]:
    """Write every file into the staging folder of ``rf``; the paths they will have."""
    stage = rf.staging
    if stage is None:
        raise ValueError("write_outputs: the results folder is not entered (use 'with')")
    chosen = [f for f in WRITERS if f in formats]
    total = sum(len(WRITERS[f].files) for f in chosen) + 1

    def tick(n_written: int) -> None:
        if progress is not None:
            progress(n_written, total)

    tick(0)
    names: list[str] = []
    for f in chosen:
        names += WRITERS[f].write(result, stage, by=by, csv_raw=csv_raw)
        tick(len(names))
    manifest = run_manifest(result, options={**(options or {}), "formats": list(formats),
                                             "by": list(by), "csv_raw": bool(csv_raw)},
                            outputs=names)
    (stage / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2)
                                         + "\n", encoding="utf-8")
    names.append("manifest.json")
    tick(len(names))
    return [rf.out / n for n in names]
