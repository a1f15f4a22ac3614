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

import copy
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

    ``stream`` (optional) writes a run part by part as it is coded
    (:class:`ResultWriter`): ``stream(folder, columns=..., csv_raw=...)``
    gives an object with ``add(result)`` (one part) and
    ``close(frequencies)`` (``(columns, rows)`` of the whole run; returns
    the names written). A format without one gets the whole result at the
    end, which is then held in memory.

    ``manifest``: ``write`` is also given ``manifest=``, the dict written
    as ``manifest.json`` (made before the formats, so that a format states
    the same date, codebook and coder).

    ``needs_text``: the format writes the transcripts' whole text (a
    .qdpx's sources), so a run that writes it keeps every transcript's text
    in memory instead of reading the files again part by part
    (:class:`codingkit.run.TwoPassInput`).
    """

    files: tuple[str, ...]
    write: Callable[..., list[str]]
    stream: Callable[..., Any] | None = None
    needs_text: bool = False
    #: ``write`` also takes ``manifest=``: what manifest.json records about the
    #: run (its date, codebook, coder), for a format that states where its
    #: figures come from (the workbook's ``about`` sheet)
    manifest: bool = False


class _CsvTables:
    """segments.csv and codings.csv appended part by part, frequencies.csv at the end."""

    def __init__(self, folder: Path, *, columns: Sequence[str], csv_raw: bool) -> None:
        import csv

        self.folder, self.columns, self.raw = folder, list(columns), csv_raw
        self._files = {}
        self._writers = {}
        from ..tables import CODING_COLUMNS

        for name, header in (("segments", self.columns), ("codings", CODING_COLUMNS)):
            fh = open(folder / f"{name}.csv", "w", encoding="utf-8", newline="")
            self._files[name] = fh
            self._writers[name] = csv.writer(fh, lineterminator="\n")
            self._writers[name].writerow(_csv_cells(header, (), csv_raw)[0])

    def add(self, result: CodingResult) -> None:
        from .. import tables

        for name, rows in (("segments", tables.segment_rows(result.segment_list, self.columns)),
                           ("codings", tables.coding_rows(result.coding_list))):
            self._writers[name].writerows(_csv_cells((), rows, self.raw)[1])

    def close(self, frequencies) -> list[str]:
        import csv

        for fh in self._files.values():
            fh.close()
        columns, rows = _csv_cells(*frequencies, self.raw)
        with open(self.folder / "frequencies.csv", "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(columns)
            writer.writerows(rows)
        return [f"{name}.csv" for name in TABLES]

    def abort(self) -> None:
        for fh in self._files.values():
            fh.close()


#: Parquet types of the table columns that are not text.
_PARQUET_TYPES = {"turn": "int64", "start": "int64", "end": "int64", "score": "float64",
                  "codings": "int64", "segments": "int64", "sources": "int64",
                  "sources_total": "int64", "share_sources": "float64",
                  "segments_total": "int64"}


def _arrow_table(columns: Sequence[str], rows):
    """A pyarrow table of ``rows`` with fixed column types (text unless
    :data:`_PARQUET_TYPES` says otherwise), whatever the rows hold."""
    import pyarrow as pa

    cols: list[list] = [[] for _ in columns]
    appends = [c.append for c in cols]
    for row in rows:
        for append, value in zip(appends, row):
            append(value)
    schema = pa.schema([(str(c), pa.type_for_alias(_PARQUET_TYPES.get(c, "large_string")))
                        for c in columns])
    return pa.table(dict(zip(map(str, columns), cols)), schema=schema)


def _data_frame(columns: Sequence[str], rows):
    """A data frame of ``rows``, with the column types of the pandas tables
    (:func:`~codingkit.tables.segments_table` etc.)."""
    from ..tables import _frame

    df = _frame(list(columns), rows)
    return df.astype({c: t for c, t in _PARQUET_TYPES.items() if c in df.columns})


class _ParquetTables:
    """segments.parquet and codings.parquet, a row group per part; frequencies
    at the end. A table written in one part is the file ``DataFrame.to_parquet``
    writes (the schema and pandas metadata of the first part's frame)."""

    def __init__(self, folder: Path, *, columns: Sequence[str], csv_raw: bool) -> None:
        from ..tables import CODING_COLUMNS

        self.folder = folder
        self.columns = {"segments": list(columns), "codings": CODING_COLUMNS}
        self._writers: dict[str, Any] = {}

    def _write(self, name: str, rows) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        df = _data_frame(self.columns[name], rows)
        if not len(df):
            return
        writer = self._writers.get(name)
        if writer is None:
            table = pa.Table.from_pandas(df, preserve_index=False)
            writer = self._writers[name] = pq.ParquetWriter(self.folder / f"{name}.parquet",
                                                            table.schema)
        else:
            table = pa.Table.from_pandas(df, schema=writer.schema, preserve_index=False)
        writer.write_table(table)

    def add(self, result: CodingResult) -> None:
        from .. import tables

        self._write("segments", tables.segment_rows(result.segment_list,
                                                    self.columns["segments"]))
        self._write("codings", tables.coding_rows(result.coding_list))

    def close(self, frequencies) -> list[str]:
        import pyarrow as pa
        import pyarrow.parquet as pq

        self.abort()
        for name, header in self.columns.items():
            if not (self.folder / f"{name}.parquet").exists():  # no rows: text columns as text
                pq.write_table(_arrow_table(header, ()), self.folder / f"{name}.parquet")
        df = _data_frame(*frequencies)
        table = pa.Table.from_pandas(df, preserve_index=False) if len(df) else \
            _arrow_table(*frequencies)
        pq.write_table(table, self.folder / "frequencies.parquet")
        return [f"{name}.parquet" for name in TABLES]

    def abort(self) -> None:
        while self._writers:
            self._writers.popitem()[1].close()


def _whole(stream):
    """The ``write`` of a format that streams: the whole result as one part."""
    def write(result, folder: Path, *, by, csv_raw) -> list[str]:
        from ..tables import frequency_rows, segment_columns, FREQUENCY_COUNTS

        columns = segment_columns(result.segment_list)
        frequencies = ([*by, *FREQUENCY_COUNTS],
                       frequency_rows(result.segment_list, result.coding_list,
                                      result.codebook, result.transcripts, by=tuple(by)))
        tables = stream(folder, columns=columns, csv_raw=csv_raw)
        try:
            tables.add(result)
        except BaseException:
            tables.abort()
            raise
        return tables.close(frequencies)
    return write


# The writers of a results folder write into the staging folder of a
# ResultWriter, which has checked where the results go (E807, E808): they
# write without the check of write_xlsx and write_qdpx.
def _xlsx(result, folder: Path, *, by, csv_raw, manifest=None) -> list[str]:
    _write_xlsx(result, folder / "codingkit.xlsx", by=by, manifest=manifest)
    return ["codingkit.xlsx"]


def _qdpx(result, folder: Path, *, by, csv_raw) -> list[str]:
    from ..fileio import atomic_write_bytes
    from ..refiqda.project import qdpx_bytes

    atomic_write_bytes(folder / "project.qdpx", qdpx_bytes(result))
    return ["project.qdpx"]


#: The output formats, by name (``--format``'s choices come from here):
#: add a :class:`Writer` to offer another (see docs/extending.md).
WRITERS: dict[str, Writer] = {
    "csv": Writer(tuple(f"{t}.csv" for t in TABLES), _whole(_CsvTables), _CsvTables),
    "parquet": Writer(tuple(f"{t}.parquet" for t in TABLES), _whole(_ParquetTables),
                      _ParquetTables),
    "xlsx": Writer(("codingkit.xlsx",), _xlsx, manifest=True),
    "qdpx": Writer(("project.qdpx",), _qdpx, needs_text=True),
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


def workbook_tables(result: CodingResult, *, by: Sequence[str] = ("project", "round"),
                    manifest: dict[str, Any] | None = None
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
    ``about``
        ``field, value``: the run the figures come from, as ``manifest``
        (manifest.json; by default :func:`run_manifest` of ``result`` now)
        records it — codingkit version, date, codebook and its sha256, the
        coder, the grouping, the counts — and what each column of
        ``frequencies`` counts, with its denominator (:func:`about_rows`).
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
        "about": (["field", "value"], about_rows(
            manifest if manifest is not None else run_manifest(
                result, options={"by": list(by)}))),
    }


def _coder_text(coder: Any) -> str:
    """The coder of ``options.coder`` in one line (its kind, file, build date, sha256)."""
    if not isinstance(coder, dict):
        return "" if coder is None else str(coder)
    parts = [str(coder.get("kind", ""))]
    if coder.get("file"):
        parts.append(str(coder["file"]))
    if coder.get("interviews"):
        parts.append(f"learned from {coder['interviews']} gold interviews")
    if coder.get("segments"):
        parts.append(f"learned from {coder['segments']} segments")
    if coder.get("built"):
        parts.append(f"built {coder['built']}")
    if coder.get("sha256"):
        parts.append(f"sha256 {coder['sha256']}")
    return ", ".join(parts)


def about_rows(manifest: dict[str, Any]) -> list[tuple[str, str]]:
    """The ``about`` sheet of the workbook: the run as ``manifest``
    (manifest.json) records it, and what each column of the frequency table
    counts (the contract's descriptions, ``results-1.datapackage.json``)."""
    from .readback import load_schema

    cb = manifest.get("codebook") or {}
    options = manifest.get("options") or {}
    counts = manifest.get("counts") or {}
    rows = [
        ("what", "codingkit's coding of transcripts against a codebook; automatic coding, "
                 "unvalidated unless 'codingkit evaluate' measured it; manifest.json "
                 "is the full record of the run"),
        ("codingkit_version", str(manifest.get("codingkit_version", ""))),
        ("created", str(manifest.get("created", ""))),
        ("codebook", f"{cb.get('id')} {cb.get('version')}"),
        ("codebook_sha256", str(cb.get("sha256", ""))),
        ("coder", _coder_text(options.get("coder"))),
        ("rules_only", "yes" if options.get("rules_only") else "no"),
        ("unit", str(options.get("unit", ""))),
        ("interviewer_coded", "yes" if options.get("code_interviewer") else "no"),
        ("grouped_by", ", ".join(map(str, options.get("by") or []))),
        ("transcripts", str(counts.get("transcripts", ""))),
        ("segments", str(counts.get("segments", ""))),
        ("codings", str(counts.get("codings", ""))),
    ]
    frequencies = next((r for r in load_schema("datapackage")["resources"]
                        if r["name"] == "frequencies"), {"schema": {"fields": []}})
    rows.append(("frequencies", frequencies.get("description", "")))
    for field in frequencies["schema"]["fields"]:
        text = field.get("description", "")
        if field["name"] == "share_sources":
            text += (" Shown in whole percent, as codingkit's reports show shares (a share "
                     "above 0 that rounds to 0 as <1%); the cell holds the value of "
                     "frequencies.csv.")
        rows.append((f"frequencies.{field['name']}", text))
    return rows


def write_xlsx(result: CodingResult, path: str | os.PathLike[str], *,
               by: Sequence[str] = ("project", "round"),
               manifest: dict[str, Any] | None = None) -> Path:
    """Write the analysis workbook (sheets: :func:`workbook_tables`).

    Every text is written as text, never as a formula or a link (a turn
    ``=HYPERLINK(...)`` stays that text); each sheet has its header row
    frozen, a filter on it, column widths fitted to the first rows,
    shares as percentages and a round that is a whole number ("2") as a
    number; the ``about`` sheet states the run (``manifest``: what
    manifest.json records; by default :func:`run_manifest` of ``result``
    now). Streamed row by row (:mod:`.xlsx`), so a large
    result is fast and not held twice in memory. Texts longer than a cell
    can hold (32,767 characters) are cut there, as Excel would.

    Raises
    ------
    PseudonymError
        E808 when ``path`` is inside a folder of pseudonymised results or
        copies (meant to be shared) and the result's texts are not
        pseudonymised (:func:`~codingkit.pseudonymize.texts_pseudonymized`:
        its options say so, or it codes pseudonymised copies).
    """
    from ..pseudonymize import check_shared_output, texts_pseudonymized

    check_shared_output(path, "the workbook would hold the texts of the original transcripts",
                        instead=", or write the workbook of pseudonymised texts (the copies "
                                "'codingkit pseudonymize' writes, or 'codingkit apply "
                                "--pseudonymize --format xlsx')",
                        unless=lambda: texts_pseudonymized(result.transcripts, result.options))
    return _write_xlsx(result, path, by=by, manifest=manifest)


def _write_xlsx(result: CodingResult, path: str | os.PathLike[str], *,
                by: Sequence[str] = ("project", "round"),
                manifest: dict[str, Any] | None = None) -> Path:
    """:func:`write_xlsx` without its check of where it writes."""
    from .xlsx import Sheet, write_workbook

    themes = {c.id for c in result.codebook.themes}
    sheets = []
    for name, (columns, rows) in workbook_tables(result, by=by, manifest=manifest).items():
        columns = list(columns)
        sheets.append(Sheet(
            name, columns, rows,
            percent=[j for j, c in enumerate(columns) if str(c).startswith("share")],
            narrow=[j for j, c in enumerate(columns) if name == "segments" and c in themes
                    and j >= len(columns) - len(themes)],
            # a round "2" as the number 2 (sorted and filtered as numbers in
            # Excel, no "number stored as text" flag); "2a", "02" stay text
            numbers=[j for j, c in enumerate(columns) if c == "round"]))
    return write_workbook(path, sheets)


#: The options of manifest.json that name files or folders, as given on the
#: command line (``--manifest``, ``--learn-from``, ``--model``, ...): a
#: pseudonymised run records none of them (:func:`withhold_paths`).
PATH_OPTIONS = ("manifest", "learn_from", "learn_transcripts", "model", "save_model", "cache")


def withhold_paths(manifest: dict[str, Any]) -> dict[str, Any]:
    """``manifest`` (as :func:`run_manifest` makes it) without a path of the
    researcher's computer, for a pseudonymised run: its folder is meant to
    be shared, and a path carries the home folder and folder names (often a
    respondent's or an organisation's).

    Every path is ``null``: ``inputs[].path`` (each input stays known by its
    ``source``, the name segments.csv shows, and its ``sha256``),
    ``codebook.path`` (the codebook by id, version, ``sha256`` and, when it
    is the one bundled with codingkit, its ``bundled`` name), the options of
    :data:`PATH_OPTIONS`, and in ``options.learned_from`` each file's and
    hand-coded transcript's ``path`` and each such transcript's ``source``
    (the names of interviews the results do not hold; their ``sha256``
    stays). ``manifest`` is changed and returned (``learned_from`` as a copy).
    """
    for entry in manifest.get("inputs") or []:
        entry["path"] = None
    if isinstance(manifest.get("codebook"), dict):
        manifest["codebook"]["path"] = None
    options = manifest.get("options") or {}
    for key in PATH_OPTIONS:
        if key in options:
            options[key] = None
    learned = options.get("learned_from")
    if isinstance(learned, dict):
        # a copy: the caller's record of what was learned stays as it was
        options["learned_from"] = learned = copy.deepcopy(learned)
        for entry in learned.get("files") or []:
            entry["path"] = None
        for entry in learned.get("transcripts") or []:
            entry["path"] = entry["source"] = None
    return manifest


def run_manifest(result: CodingResult, *, options: dict[str, Any] | None = None,
                 outputs: Sequence[str] = (), counts: dict[str, int] | None = None
                 ) -> dict[str, Any]:
    """What ``manifest.json`` records about a run (``counts``: its segments
    and codings, when ``result`` does not hold them). A pseudonymised run
    (``options["pseudonymized"]`` true) records no path
    (:func:`withhold_paths`)."""
    from .. import __version__
    from .readback import bundled_codebook_name

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
    manifest = {
        "schema_version": 1,  # the results folder's contract: codingkit/schemas/results-1.*.json
        "codingkit_version": __version__,
        "created": _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat()
        .replace("+00:00", "Z"),
        "codebook": {"id": cb.id, "version": cb.version, "sha256": cb.sha256,
                     "path": str(cb.path) if cb.path else None,
                     # install-independent: found again after a reinstall or in another venv
                     "bundled": bundled_codebook_name(cb.path)},
        # unit: what the contract requires, also of a result made by hand (its segments')
        "options": {"unit": next((s.unit for s in result.segment_list), "turn"),
                    **result.options, **(options or {})},
        "counts": {"transcripts": len(result.transcripts),
                   "segments": len(result.segment_list),
                   "codings": len(result.coding_list), **(counts or {})},
        "inputs": inputs,
        "outputs": list(outputs),
    }
    if manifest["options"].get("pseudonymized") is True:
        withhold_paths(manifest)
    return manifest


def check_results_location(out_dir: str | os.PathLike[str], *,
                           unless: Callable[[], bool] | None = None) -> None:
    """E808 when the results folder ``out_dir`` is inside a folder of
    pseudonymised results or copies, which is meant to be shared, and its
    texts are not pseudonymised (``unless``: asked only then, true when
    they are). The one check, and message, of ``codingkit apply --out``,
    :func:`write_outputs` and :class:`ResultWriter`."""
    from ..pseudonymize import check_shared_output

    check_shared_output(out_dir, "the results would hold texts that are not pseudonymised",
                        instead=", or code pseudonymised texts (the copies 'codingkit "
                                "pseudonymize' writes, or --pseudonymize --key KEY; in Python "
                                "pseudonymize_for_apply and its options)",
                        is_folder=True, unless=unless)


def copies_run_options(transcripts: Sequence, out_dir: str | os.PathLike[str], *,
                       pseudonymized: bool = False) -> dict[str, Any]:
    """What :func:`write_outputs` adds to the options of a run written to
    ``out_dir``, as ``codingkit apply`` does: when every transcript was read
    from a pseudonymised copy (:func:`~codingkit.pseudonymize.copies_options`),
    the options of a pseudonymised run of copies; else nothing.

    ``pseudonymized``: the caller says the texts are pseudonymised (the
    options of :func:`~codingkit.pseudonymize.pseudonymize_for_apply`), so
    nothing is checked or added.

    Raises
    ------
    PseudonymError
        E807 when some transcripts are copies and others are not (or were
        read from no file); E808 when they are not copies and ``out_dir``
        is inside a folder of pseudonymised results or copies, which is
        meant to be shared (:func:`check_results_location`).
    """
    from ..pseudonymize import PseudonymError, copies_options

    if pseudonymized:
        return {}
    paths = list(dict.fromkeys(str(t.path) for t in transcripts if t.path))
    copies = copies_options(paths) if paths else None
    if copies is None:
        check_results_location(out_dir)
        return {}
    unread = next((t for t in transcripts if not t.path), None)
    if unread is not None:
        raise PseudonymError(
            f"transcript {unread.source!r} was read from no file, so it is no pseudonymised "
            f"copy, while {len(paths)} other input{'s are' if len(paths) != 1 else ' is'}; "
            "the results would hold its text marked as pseudonymised; expected copies only "
            "or originals only", code="E807")
    return copies


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

    As ``codingkit apply``: when every transcript was read from a
    pseudonymised copy (a folder ``codingkit pseudonymize`` wrote), the run
    is recorded as pseudonymised (``pseudonymized`` and
    ``pseudonymized_copies`` true, the key's sha256 and format from the
    copies' marker) and ``manifest.json`` records no path
    (:func:`withhold_paths`); see :func:`copies_run_options`.

    Raises
    ------
    OutputError
        E403 unknown format; E401, E402, E405, E406 from :func:`results_folder`.
    PseudonymError
        E807 copies mixed with other transcripts; E808 transcripts that are
        not pseudonymised written inside a folder of pseudonymised results
        or copies (:func:`copies_run_options`).
    """
    bad = [f for f in formats if f not in WRITERS]
    if bad:
        raise OutputError(f"unknown output format {bad[0]!r}; expected one of "
                          f"{', '.join(WRITERS)}", code="E403")
    # checked before the folder is made (E807, E808); the ResultWriter is
    # told the outcome, so that it does not look at the transcripts again
    options = {**(options or {}), **copies_run_options(
        result.transcripts, out_dir.out if isinstance(out_dir, ResultsFolder) else out_dir,
        pseudonymized={**result.options, **(options or {})}.get("pseudonymized") is True)}
    pseudonymized = {**result.options, **options}.get("pseudonymized") is True
    if isinstance(out_dir, ResultsFolder):
        return _write_all(result, out_dir, formats=formats, by=by, options=options,
                          csv_raw=csv_raw, progress=progress, pseudonymized=pseudonymized)
    with results_folder(out_dir, force=force) as rf:
        return _write_all(result, rf, formats=formats, by=by, options=options,
                          csv_raw=csv_raw, progress=progress, pseudonymized=pseudonymized)


def _write_all(result: CodingResult, rf: ResultsFolder, *, formats: Sequence[str],
               by: Sequence[str], options: dict[str, Any] | None,
               csv_raw: bool, progress: Callable[[int, int], None] | None = None,
               pseudonymized: bool | None = None) -> list[Path]:
    """Write every file into the staging folder of ``rf``; the paths they will have."""
    from ..tables import segment_columns

    with ResultWriter(rf, result.codebook, result.transcripts, formats=formats, by=by,
                      csv_raw=csv_raw, columns=segment_columns(result.segment_list),
                      pseudonymized=pseudonymized) as writer:
        writer.add(result)
        return writer.close(options=options, progress=progress)


class ResultWriter:
    """Write a run's results folder part by part, as the parts are coded.

    The CSV tables are appended to and Parquet gets a row group per part,
    so the run's segments and codings are never all held at once; the
    frequencies are counted as the parts come (:class:`~codingkit.tables.FrequencyCounter`)
    and written at the end with the other formats and ``manifest.json``.
    Formats that need the whole result (xlsx, qdpx and writers without a
    ``stream``) get it at the end, and it is then held in memory.

    ``with ResultWriter(rf, codebook, transcripts, ...) as w:``, then
    ``w.add(part)`` per :class:`~codingkit.model.CodingResult` (every segment
    of a transcript in one part, parts in the run's order) and
    ``w.close(options=...)``. The files written are those
    :func:`write_outputs` writes for the whole result.

    Parameters
    ----------
    rf:
        A :func:`results_folder` already entered.
    codebook, transcripts:
        The run's codebook and all its transcripts (the frequencies'
        denominators and ``manifest.json``'s inputs).
    formats, by, csv_raw:
        As in :func:`write_outputs`.
    columns:
        The segment table's columns (default:
        :func:`~codingkit.tables.transcript_segment_columns` of ``transcripts``).
    pseudonymized:
        Whether the texts are pseudonymised; checked before anything is
        written. ``None`` (default): found out as :func:`write_outputs`
        does (:func:`copies_run_options`): transcripts all read from
        pseudonymised copies are a pseudonymised run (its options go into
        ``manifest.json``, which then records no path), copies mixed with
        other transcripts are refused (E807), and other transcripts are
        refused inside a folder of pseudonymised results or copies (E808).
        ``True``: they are (pass the options of
        :func:`~codingkit.pseudonymize.pseudonymize_for_apply` to
        :meth:`close`); nothing is checked. ``False``: they are not; refused
        inside such a folder (E808), the transcripts' files not looked at.
    """

    def __init__(self, rf: ResultsFolder, codebook, transcripts: Sequence, *,
                 formats: Sequence[str] = ("csv",), by: Sequence[str] = ("project", "round"),
                 csv_raw: bool = False, columns: Sequence[str] | None = None,
                 pseudonymized: bool | None = None) -> None:
        from ..tables import FrequencyCounter, transcript_segment_columns

        bad = [f for f in formats if f not in WRITERS]
        if bad:
            raise OutputError(f"unknown output format {bad[0]!r}; expected one of "
                              f"{', '.join(WRITERS)}", code="E403")
        if rf.staging is None:
            raise ValueError("ResultWriter: the results folder is not entered (use 'with')")
        self.rf, self.codebook, self.transcripts = rf, codebook, list(transcripts)
        # what goes into a folder meant to be shared stays pseudonymised (E807, E808)
        self._copies: dict[str, Any] = {}
        if pseudonymized is None:
            self._copies = copies_run_options(self.transcripts, rf.out)
        elif not pseudonymized:
            check_results_location(rf.out)
        self.by, self.csv_raw = tuple(by), csv_raw
        self.formats = list(formats)
        self.chosen = [f for f in WRITERS if f in formats]
        self.columns = list(columns) if columns is not None else \
            transcript_segment_columns(self.transcripts)
        self.counter = FrequencyCounter(codebook, by=self.by)
        self.options: dict[str, Any] = {}
        #: What was added so far: segments, codings, coded segments, and the themes coded.
        self.segments = self.codings = self.coded_segments = 0
        self.themes: set[str] = set()
        self._streams: dict[str, Any] = {}
        self._whole = [f for f in self.chosen if WRITERS[f].stream is None]
        self._segment_list: list = []
        self._coding_list: list = []
        try:
            for f in self.chosen:
                if WRITERS[f].stream is not None:
                    self._streams[f] = WRITERS[f].stream(rf.staging, columns=self.columns,
                                                         csv_raw=csv_raw)
        except BaseException:
            self.abort()
            raise

    def __enter__(self) -> "ResultWriter":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.abort()

    def add(self, part: CodingResult) -> None:
        """Write one part of the run (see the class)."""
        for stream in self._streams.values():
            stream.add(part)
        self.counter.add(part.segment_list, part.coding_list)
        self.options = part.options
        self.segments += len(part.segment_list)
        self.codings += len(part.coding_list)
        self.coded_segments += len({c.segment_id for c in part.coding_list})
        self.themes.update(c.theme for c in part.coding_list)
        if self._whole:
            self._segment_list += part.segment_list
            self._coding_list += part.coding_list

    def close(self, *, options: dict[str, Any] | None = None,
              progress: Callable[[int, int], None] | None = None) -> list[Path]:
        """Write the frequencies, the formats that need the whole result and
        ``manifest.json``; the paths the files will have (``manifest.json`` last)."""
        from ..tables import FREQUENCY_COUNTS

        stage = self.rf.staging
        total = sum(len(WRITERS[f].files) for f in self.chosen) + 1

        def tick(n_written: int) -> None:
            if progress is not None:
                progress(n_written, total)

        tick(0)
        frequencies = ([*self.by, *FREQUENCY_COUNTS], self.counter.rows(self.transcripts))
        # made before the formats, so that a format stating the run (the workbook's
        # about sheet) states what manifest.json records; its outputs set once written
        summary = CodingResult([], [], self.codebook, self.transcripts, self.options)
        manifest = run_manifest(summary, options={**(options or {}), **self._copies,
                                                  "formats": self.formats,
                                                  "by": list(self.by),
                                                  "csv_raw": bool(self.csv_raw)},
                                counts={"segments": self.segments, "codings": self.codings})
        whole = None
        names: list[str] = []
        for f in self.chosen:
            if f in self._streams:
                names += self._streams.pop(f).close(frequencies)
            else:
                if whole is None:
                    whole = CodingResult(self._segment_list, self._coding_list, self.codebook,
                                         self.transcripts, self.options)
                extra = {"manifest": manifest} if WRITERS[f].manifest else {}
                names += WRITERS[f].write(whole, stage, by=self.by, csv_raw=self.csv_raw,
                                          **extra)
            tick(len(names))
        manifest["outputs"] = list(names)
        (stage / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2)
                                             + "\n", encoding="utf-8")
        names.append("manifest.json")
        tick(len(names))
        return [self.rf.out / n for n in names]

    def abort(self) -> None:
        """Close the files still open (after an error; the staging folder goes)."""
        while self._streams:
            self._streams.popitem()[1].abort()
