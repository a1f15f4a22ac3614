"""Read a results folder of ``codingkit apply`` back: the one reader of it.

:func:`codingkit.writers.write_outputs` writes the folder; this module reads
it back, for every part of codingkit that starts from one: ``codingkit
report``, ``codingkit export-project`` (REFI-QDA) and ``codingkit evaluate
--pred``. :func:`read_results` checks the folder against its contract and
returns a :class:`Results`: ``manifest.json`` and the segments, codings and
frequencies tables, with the texts as codingkit coded them (CSV cells that
were neutralised against spreadsheet formulas are restored here, see
:func:`codingkit.tables.restore_frame`).

The contract is described in ``codingkit/schemas/results-<N>.datapackage.json``
(Frictionless Table Schemas of the tables) and
``codingkit/schemas/results-<N>.manifest.schema.json`` (JSON Schema of
``manifest.json``); :data:`SCHEMA_VERSIONS` are the versions this codingkit
reads. Every problem is one line naming the file (and line) and what was
expected (:class:`~codingkit.errors.ResultsFolderError`):

- E901 not a results folder (no folder, no or not codingkit's
  ``manifest.json``, a table missing), or a ``manifest.json`` that breaks
  its JSON Schema (:func:`schema_problem`: a field missing or of another
  type, named with its place such as ``inputs[3].sha256``);
- E902 a ``schema_version`` this codingkit does not read;
- E905 a table without a column of the contract, or with a bad number.

>>> import codingkit as ck, tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "01.txt").write_text("I: Hur började ni?\\nIP: Vi skickade ut en RFI.\\n",
...                                    encoding="utf-8")
>>> result = ck.Coder(similarity="none").code(ck.read_transcripts(folder / "01.txt"))
>>> _ = ck.write_outputs(result, folder / "resultat")
>>> results = read_results(folder / "resultat")
>>> results.schema_version, results.segment_list() == result.segment_list
(1, True)
>>> [(c.segment_id, c.code) for c in results.coding_list()]
[('01.txt:2', 'tidig_dialog.rfi')]
"""

from __future__ import annotations

import functools
import json
import math
import os
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ResultsFolderError
from ..model import RESPONDENT, Coding, Segment

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

#: The versions of the results folder's contract this codingkit reads.
SCHEMA_VERSIONS = (1,)
#: The version ``codingkit apply`` writes (``schema_version`` in manifest.json).
SCHEMA_VERSION = 1

#: The tables of a results folder, as CSV (the default) or Parquet.
TABLES = ("segments", "codings", "frequencies")

# columns of segments.csv that are not metadata
_SEGMENT_FIELDS = {"segment_id", "source", "speaker", "speaker_role", "turn", "unit", "start",
                   "end", "text"}
_DTYPES = {"integer": "int64", "number": "float64"}
#: The largest manifest.json read (a run's is a few KB), as
#: :func:`codingkit.fileio.is_results_folder` reads.
MAX_MANIFEST_BYTES = 64 * 1024 * 1024


def schema_path(kind: str, version: int = SCHEMA_VERSION) -> Path:
    """The bundled schema file: ``kind`` is ``"datapackage"`` (the tables) or
    ``"manifest"`` (manifest.json)."""
    name = (f"results-{version}.datapackage.json" if kind == "datapackage"
            else f"results-{version}.manifest.schema.json")
    return Path(os.fspath(resources.files("codingkit") / "schemas" / name))


def load_schema(kind: str, version: int = SCHEMA_VERSION) -> dict[str, Any]:
    """The bundled schema (see :func:`schema_path`) as a dict."""
    return json.loads(schema_path(kind, version).read_text(encoding="utf-8"))


@dataclass
class Results:
    """A results folder of ``codingkit apply``, read and checked.

    The tables hold the texts as coded; the contract's integer and number
    columns are numbers, every other column (metadata such as a round
    ``"01"``) text as written.
    """

    folder: Path
    #: manifest.json: the run's codebook, options, inputs (with sha256), counts
    manifest: dict[str, Any]
    segments: "pd.DataFrame"
    codings: "pd.DataFrame"
    frequencies: "pd.DataFrame"

    @property
    def schema_version(self) -> int:
        """The version of the folder's contract (``schema_version`` in manifest.json)."""
        return int(self.manifest["schema_version"])

    @property
    def options(self) -> dict[str, Any]:
        """The options the run recorded."""
        return dict(self.manifest.get("options") or {})

    def segment_list(self) -> list[Segment]:
        """The segments of ``segments.csv``; every further column (project,
        round, role, ...) is the segment's metadata, as text (an empty cell:
        no such metadata)."""
        cols = self.segments.columns
        meta = [c for c in cols if c not in _SEGMENT_FIELDS]
        return [
            Segment(segment_id=str(r["segment_id"]), source=str(r["source"]),
                    start=int(r["start"]), end=int(r["end"]), text=str(r["text"]),
                    turn=int(r["turn"]), speaker=_text(r["speaker"]) or None,
                    speaker_role=_text(r["speaker_role"]) or RESPONDENT,  # type: ignore[arg-type]
                    unit=_text(r["unit"]) or "turn",
                    metadata={c: _text(r[c]) for c in meta if _text(r[c]) != ""})
            for r in self.segments.to_dict("records")
        ]

    def coding_list(self) -> list[Coding]:
        """The codings of ``codings.csv``."""
        return [Coding(segment_id=str(r["segment_id"]), code=str(r["code"]),
                       theme=str(r["theme"]), score=float(r["score"]),
                       method=_text(r["method"]), evidence=_text(r["evidence"]))
                for r in self.codings.to_dict("records")]

    def codebook_file(self) -> Path | None:
        """The run's codebook file (:func:`find_codebook`)."""
        return find_codebook(self.manifest.get("codebook") or {}, self.folder)


def _text(value: Any) -> str:
    """A cell as text ("" for an empty Parquet cell)."""
    return "" if value is None or value != value else str(value)


def shown(value: Any, limit: int = 60) -> str:
    """A value of manifest.json for a one-line message: JSON's ``true``,
    ``false`` and ``null``, a string quoted and cut after ``limit``
    characters (with its length), a list or object by its size."""
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, str):
        return repr(value) if len(value) <= limit else \
            f"{value[:limit]!r}… ({len(value):,} characters)"
    if isinstance(value, (list, dict)):
        kind = "a list" if isinstance(value, list) else "an object"
        return ("[]" if kind == "a list" else "{}") if not value else \
            f"{kind} of {len(value):,} item{'s' if len(value) > 1 else ''}"
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "…"


def exists_file(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is a file; ``False`` also for a path the system cannot
    look up (a name too long, a NUL byte), as a manifest may name."""
    try:
        return Path(path).is_file()
    except (OSError, ValueError):
        return False


def find_beside(name: str | os.PathLike[str], folder: Path) -> Path | None:
    """A file a results folder's manifest names: ``name`` as given, or relative
    to the results folder or the folder it is in; ``None`` if none exists."""
    path = Path(name)
    candidates = [path] if path.is_absolute() else [path, folder / path, folder.parent / path]
    return next((c for c in candidates if exists_file(c)), None)


def find_codebook(info: dict[str, Any], folder: Path) -> Path | None:
    """The codebook file of a run, from manifest.json's ``codebook`` entry
    (``info``): the file it names where it is found (as given, or relative
    to the results folder or the folder it is in) and unchanged; else the
    codebook bundled with this codingkit when it is the run's
    (:func:`bundled_codebook`: wherever codingkit is installed now); else
    the named file, changed (the caller refuses it); ``None`` if none is
    found."""
    from ..fileio import sha256_file

    given = info.get("path")
    named = find_beside(given, folder) if given else None
    if named is not None and (not info.get("sha256") or sha256_file(named) == info["sha256"]):
        return named
    return bundled_codebook(info) or named


def bundled_codebook_name(path: str | os.PathLike[str] | None) -> str | None:
    """The file name of the codebook bundled with codingkit that ``path`` is
    (``codingkit/codebooks/<name>``, installed here), else ``None``."""
    if not path:
        return None
    from ..codebook import default_codebook_path

    try:
        p = Path(path).resolve()
        return p.name if p.is_file() and p.parent == default_codebook_path().parent.resolve() \
            else None
    except OSError:
        return None


def bundled_codebook(info: dict[str, Any], *, same: bool = True) -> Path | None:
    """The codebook bundled with this codingkit that a run used, from
    manifest.json's ``codebook`` entry (``info``), wherever codingkit was
    installed then. With a recorded ``sha256``: the bundled file with those
    bytes; without one: the bundled file named (``bundled``, or the recorded
    path ending in ``codingkit/codebooks/<name>``) when its id and version
    are the recorded ones. ``same=False``: the bundled file named, whatever
    it holds (to say which one differs); ``None`` if there is none."""
    from ..codebook import default_codebook_path, load_codebook
    from ..errors import CodingkitError
    from ..fileio import sha256_file

    folder = default_codebook_path().parent
    names = [Path(str(info["bundled"])).name] if info.get("bundled") else []
    parts = re.split(r"[\\/]", str(info.get("path") or ""))
    if len(parts) >= 3 and [p.lower() for p in parts[-3:-1]] == ["codingkit", "codebooks"]:
        names.append(parts[-1])
    named = [folder / n for n in names if n and exists_file(folder / n)]
    if not same:
        return named[0] if named else None
    if info.get("sha256"):
        files = named + sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml"))
        return next((p for p in files if p.is_file() and sha256_file(p) == info["sha256"]), None)
    for p in named:
        try:
            cb = load_codebook(p)
        except CodingkitError:
            continue
        if cb.id == info.get("id") and str(cb.version) == str(info.get("version")):
            return p
    return None


_WHAT = "a results folder of 'codingkit apply' (manifest.json, segments.csv, codings.csv, " \
        "frequencies.csv)"

_KINDS = {"string": "a string", "integer": "an integer", "number": "a number",
          "boolean": "true or false", "null": "null", "object": "an object", "array": "a list"}


def _is_kind(value: Any, kind: str) -> bool:
    """JSON Schema's ``integer`` and ``number``, a little stricter, as in what
    ``codingkit apply`` writes: ``true`` is no number, ``1.0`` no integer,
    ``NaN`` and ``Infinity`` (which Python's JSON reader takes) no number."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return isinstance(value, int) or (kind == "number" and math.isfinite(value))


@functools.lru_cache(maxsize=None)
def _validator_class():
    """Draft 2020-12 (the schemas' draft) with :func:`_is_kind`'s numbers."""
    from jsonschema import Draft202012Validator, validators

    checker = Draft202012Validator.TYPE_CHECKER.redefine_many({
        "integer": lambda _, value: _is_kind(value, "integer"),
        "number": lambda _, value: _is_kind(value, "number")})
    return validators.extend(Draft202012Validator, type_checker=checker)


def _place(path) -> str:
    """``inputs[3].sha256`` for the path ``["inputs", 3, "sha256"]``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def schema_problem(value: Any, schema: dict[str, Any]) -> str | None:
    """Where ``value`` (a parsed manifest.json) first breaks ``schema``, in words
    (``"inputs[3].sha256 is true, not a string or null"``); ``None`` if it does not.

    Validated with :mod:`jsonschema` (the schemas' draft 2020-12), numbers as
    :func:`_is_kind` has them. The first problem in the schema's order is
    told, its value shortened (:func:`shown`): a broken field may hold
    megabytes."""
    error = next(_validator_class()(schema).iter_errors(value), None)
    if error is None:
        return None
    where = _place(error.absolute_path)
    name = where or "the manifest"
    kind, rule, instance = error.validator, error.validator_value, error.instance
    if kind == "required":
        missing = next(k for k in rule if k not in instance)
        return f"has no {where + '.' if where else ''}{missing}"
    if kind == "type":
        kinds = [rule] if isinstance(rule, str) else rule
        return f"{name} is {shown(instance)}, not {' or '.join(_KINDS[k] for k in kinds)}"
    if kind == "const":
        return f"{name} is {shown(instance)}, not {shown(rule)}"
    if kind == "enum":
        return f"{name} is {shown(instance)}, not one of {', '.join(map(shown, rule))}"
    if kind == "maxLength":
        return f"{name} has {len(instance):,} characters, over {rule:,}"
    if kind == "pattern":
        return f"{name} is {shown(instance)}, not text matching {rule}"
    if kind == "minimum":
        return f"{name} is {shown(instance)}, less than {rule}"
    return f"{name} is {shown(instance)}, which breaks the schema's {kind!r}"


def _unit_of_segments(folder: Path) -> str:
    """The unit of a results folder's segments, from the first row of its
    ``segments.csv`` (``"turn"`` when there is none to read): for a
    manifest written without ``options.unit``."""
    import csv

    try:
        with open(folder / "segments.csv", encoding="utf-8-sig", newline="") as fh:
            row = next(csv.DictReader(line for _, line in zip(range(10_000), fh)), None)
    except (OSError, UnicodeError, csv.Error):
        row = None
    unit = (row or {}).get("unit")
    return unit if unit in ("turn", "sentence", "paragraph") else "turn"


def read_manifest(folder: str | os.PathLike[str]) -> dict[str, Any]:
    """The checked ``manifest.json`` of a results folder.

    Every field is checked against the manifest's JSON Schema
    (:func:`schema_path`, :func:`schema_problem`) before anything uses it.

    Raises
    ------
    ResultsFolderError
        E901 no folder, no manifest.json, not codingkit's, or a field missing
        or of another type than the schema's; E902 a schema_version this
        codingkit does not read.
    """
    folder = Path(folder)
    path = folder / "manifest.json"
    if not folder.is_dir():
        what = "not a folder" if folder.exists() else "no such folder"
        raise ResultsFolderError(f"{what}; expected {_WHAT}", path=folder, code="E901")
    if not path.is_file():
        raise ResultsFolderError(f"no manifest.json; expected {_WHAT}", path=folder,
                                 code="E901")
    if path.stat().st_size > MAX_MANIFEST_BYTES:
        raise ResultsFolderError(f"over {MAX_MANIFEST_BYTES // 2**20} MiB; expected the "
                                 "manifest.json of 'codingkit apply'", path=path, code="E901")
    text = ""
    try:
        text = path.read_text(encoding="utf-8")
        manifest = json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ResultsFolderError(f"not valid JSON ({getattr(exc, 'msg', exc)}); expected the "
                                 "manifest.json of 'codingkit apply'", path=path,
                                 line=getattr(exc, "lineno", None), code="E901") from None
    except RecursionError:
        raise ResultsFolderError("nested too deeply; expected the manifest.json of 'codingkit "
                                 "apply'", path=path, code="E901") from None
    except ValueError:  # an integer of more digits than int() converts (over 4300)
        digits = re.search(r"\d{4301,}", text)
        raise ResultsFolderError("holds a number too long to read; expected the manifest.json "
                                 "of 'codingkit apply'", path=path, code="E901",
                                 line=text.count("\n", 0, digits.start()) + 1 if digits else None
                                 ) from None
    if not isinstance(manifest, dict) or not all(
            k in manifest for k in ("codebook", "counts", "inputs")):
        raise ResultsFolderError("not a manifest of 'codingkit apply' (no codebook, counts or "
                                 "inputs); expected a results folder", path=path, code="E901")
    version = manifest.get("schema_version")
    if not _is_kind(version, "integer") or version not in SCHEMA_VERSIONS:
        known = ", ".join(map(str, SCHEMA_VERSIONS))
        what = ("has no schema_version (written by a codingkit before 0.1's contract)"
                if "schema_version" not in manifest else f"has schema_version {shown(version)}")
        raise ResultsFolderError(f"{what}; this codingkit reads results folders of schema "
                                 f"version {known}: re-run 'codingkit apply' with this version",
                                 path=path, code="E902")
    options = manifest.get("options")
    if isinstance(options, dict) and "unit" not in options:
        # write_outputs of a hand-built result left it out before 4361be6
        options["unit"] = _unit_of_segments(folder)
    problem = schema_problem(manifest, load_schema("manifest", version))
    if problem:
        raise ResultsFolderError(f"{problem}; expected a manifest.json as 'codingkit apply' "
                                 f"writes it ({schema_path('manifest', version).name})",
                                 path=path, code="E901")
    return manifest


def read_table(path: str | os.PathLike[str], fields: list[dict[str, Any]]) -> "pd.DataFrame":
    """A table of a results folder (``.csv`` or ``.parquet``) checked against the
    contract's ``fields``: every field present, integer and number fields
    numbers; the other columns as text. CSV cells neutralised against
    spreadsheet formulas are restored when the folder's manifest says so.

    Raises
    ------
    ResultsFolderError
        E901 the file is missing; E905 unreadable, a field missing, or a
        bad number (with its line).
    """
    import pandas as pd

    path = Path(path)
    if not path.is_file():
        raise ResultsFolderError(f"missing; expected {_WHAT}", path=path, code="E901")
    try:
        if path.suffix == ".parquet":
            df = pd.read_parquet(path)
        else:
            from ..tables import restore_frame

            df = restore_frame(pd.read_csv(path, dtype=str, keep_default_na=False,
                                           encoding="utf-8"), path.parent)
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError,
            OSError, ValueError) as exc:
        kind = "a Parquet" if path.suffix == ".parquet" else "a UTF-8 CSV"
        raise ResultsFolderError(f"cannot be read as {kind} table "
                                 f"({str(exc).splitlines()[0] if str(exc) else exc!r})",
                                 path=path, code="E905") from None
    names = [f["name"] for f in fields]
    missing = [c for c in names if c not in df.columns]
    if missing:
        raise ResultsFolderError(f"has no column {', '.join(missing)}; expected the columns "
                                 f"{', '.join(names)}", path=path, line=1, code="E905")
    for f in fields:
        kind = _DTYPES.get(f["type"])
        if kind is None:
            continue
        col = f["name"]
        try:
            df[col] = pd.to_numeric(df[col], errors="raise").astype(kind)
        except (ValueError, TypeError):
            bad = pd.to_numeric(df[col], errors="coerce").isna()
            row = int(bad.to_numpy().argmax())
            raise ResultsFolderError(f"column {col} holds {df[col].iloc[row]!r}; expected a "
                                     "number", path=path, line=row + 2, code="E905") from None
    return df


def table_path(folder: Path, name: str) -> Path:
    """Where a table of the folder is: ``<name>.csv``, else ``<name>.parquet``
    (``--format parquet`` alone), else the missing CSV's path."""
    csv = folder / f"{name}.csv"
    parquet = folder / f"{name}.parquet"
    return parquet if not csv.is_file() and parquet.is_file() else csv


def read_results(folder: str | os.PathLike[str]) -> Results:
    """Read and check a results folder of ``codingkit apply``.

    Parameters
    ----------
    folder:
        The folder ``codingkit apply --out`` (or
        :func:`~codingkit.writers.write_outputs`) wrote.

    Returns
    -------
    Results
        manifest.json and the three tables, with the texts as coded.

    Raises
    ------
    ResultsFolderError
        E901 not a results folder (or a table missing), E902 another schema
        version, E905 a table lacks a column of the contract or holds a bad
        number.
    """
    folder = Path(folder)
    manifest = read_manifest(folder)
    contract = load_schema("datapackage", manifest["schema_version"])
    fields = {r["name"]: r["schema"]["fields"] for r in contract["resources"]}
    tables = {name: read_table(table_path(folder, name), fields[name]) for name in TABLES}
    return Results(folder=folder, manifest=manifest, **tables)


#: The tables whose bytes identify the coding of a results folder (what
#: ``codingkit evaluate --pred`` measured): :func:`coding_fingerprint`.
FINGERPRINT_TABLES = ("codings", "segments")


def coding_fingerprint(folder: str | os.PathLike[str]) -> dict[str, dict[str, str]]:
    """What identifies the coding of a results folder: per table of
    :data:`FINGERPRINT_TABLES` the file read (``codings.csv``, else
    ``codings.parquet``) and the sha256 of its bytes. The same inputs,
    codebook and options give byte-identical tables, so a re-run that codes
    the same way keeps the fingerprint; any other coding changes it.

    ``codingkit evaluate --pred`` records it in ``agreement.json``
    (``"coding"``); ``codingkit report`` compares it with the folder's
    (:func:`same_coding`).
    """
    from ..fileio import sha256_file

    folder = Path(folder)
    out = {}
    for name in FINGERPRINT_TABLES:
        path = table_path(folder, name)
        out[name] = {"file": path.name,
                     "sha256": sha256_file(path) if path.is_file() else None}
    return out


def same_coding(recorded: Any, folder: str | os.PathLike[str]) -> bool | None:
    """Whether a fingerprint recorded by :func:`coding_fingerprint` is that of
    ``folder``'s coding now; ``None`` when nothing (or nothing usable) was
    recorded (agreement figures written before codingkit recorded it)."""
    if not isinstance(recorded, dict) or not all(
            isinstance(recorded.get(n), dict) and recorded[n].get("sha256")
            for n in FINGERPRINT_TABLES):
        return None
    try:
        now = coding_fingerprint(folder)
    except OSError:
        return False
    return all(recorded[n]["sha256"] == now[n]["sha256"] for n in FINGERPRINT_TABLES)
