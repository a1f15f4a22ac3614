"""Read a results folder of ``codingkit apply`` (and the figures of ``codingkit evaluate``).

The folder's contract is described in ``codingkit/schemas/results-<N>.datapackage.json``
(Frictionless Table Schemas of the tables) and
``codingkit/schemas/results-<N>.manifest.schema.json`` (JSON Schema of
``manifest.json``); :data:`SCHEMA_VERSIONS` are the versions this codingkit
reads. A folder that is not a results folder, or one written under another
schema version, is refused with one line (:class:`~codingkit.errors.ReportError`).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import CodingkitError, ReportError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ..model import Codebook

#: The versions of the results folder's contract this codingkit reads.
SCHEMA_VERSIONS = (1,)
#: The version ``codingkit apply`` writes (``schema_version`` in manifest.json).
SCHEMA_VERSION = 1

TABLE_FILES = ("segments.csv", "codings.csv", "frequencies.csv")


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
class Agreement:
    """What ``codingkit evaluate --out`` wrote: its options and summary, and
    per theme how far codingkit's shares were from a human's."""

    folder: Path
    options: dict[str, Any]
    summary: list[dict[str, Any]]
    per_code: list[dict[str, Any]]
    #: frequencies_compared.csv, or None when evaluate ran without --by
    compared: "pd.DataFrame | None" = None


@dataclass
class Results:
    """A results folder, read."""

    folder: Path
    manifest: dict[str, Any]
    segments: "pd.DataFrame"
    codings: "pd.DataFrame"
    frequencies: "pd.DataFrame"
    codebook: "Codebook | None" = None
    #: why the codebook's definitions are missing, if they are
    codebook_note: str | None = None
    agreement: Agreement | None = None
    notes: list[str] = field(default_factory=list)


def _read_manifest(folder: Path) -> dict[str, Any]:
    path = folder / "manifest.json"
    if not folder.is_dir():
        raise ReportError("not a folder; expected a results folder of 'codingkit apply' "
                          "(manifest.json, segments.csv, codings.csv, frequencies.csv)",
                          path=folder, code="E901")
    if not path.is_file():
        raise ReportError("no manifest.json: not a results folder of 'codingkit apply' "
                          "(expected manifest.json, segments.csv, codings.csv, frequencies.csv)",
                          path=folder, code="E901")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        line = getattr(exc, "lineno", None)
        raise ReportError(f"not valid JSON ({getattr(exc, 'msg', exc)}); expected the "
                          "manifest.json of 'codingkit apply'", path=path, line=line,
                          code="E901") from None
    if not isinstance(manifest, dict) or "codebook" not in manifest or "counts" not in manifest:
        raise ReportError("not a manifest of 'codingkit apply' (no codebook or counts); "
                          "expected a results folder", path=path, code="E901")
    version = manifest.get("schema_version")
    if version not in SCHEMA_VERSIONS:
        known = ", ".join(map(str, SCHEMA_VERSIONS))
        if version is None:
            what = "has no schema_version (written by a codingkit before 0.1's contract)"
        else:
            what = f"has schema_version {version!r}"
        raise ReportError(f"{what}; this codingkit reads results folders of schema version "
                          f"{known}: re-run 'codingkit apply' with this version",
                          path=path, code="E902")
    return manifest


def _read_table(path: Path, required: list[str], dtypes: dict[str, str]) -> "pd.DataFrame":
    import pandas as pd

    if not path.is_file():
        raise ReportError(f"missing; a results folder holds {', '.join(TABLE_FILES)} and "
                          "manifest.json", path=path, code="E901")
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ReportError(f"cannot be read as a UTF-8 CSV table ({str(exc).splitlines()[0]})",
                          path=path, code="E905") from None
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise ReportError(f"has no column {', '.join(missing)}; expected the columns "
                          f"{', '.join(required)}", path=path, line=1, code="E905")
    for col, kind in dtypes.items():
        try:
            df[col] = pd.to_numeric(df[col], errors="raise").astype(kind)
        except (ValueError, TypeError):
            bad = pd.to_numeric(df[col], errors="coerce").isna()
            row = int(bad.to_numpy().argmax())
            raise ReportError(f"column {col} holds {df[col].iloc[row]!r}; expected a number",
                              path=path, line=row + 2, code="E905") from None
    return df


@lru_cache(maxsize=8)
def _load_codebook_cached(path: str, mtime_ns: int, size: int):
    """A codebook read once per process for the same file contents (YAML
    parsing costs most of a small report's build time)."""
    from ..codebook import load_codebook

    return load_codebook(path)


def _codebook(manifest: dict[str, Any], codebook_path: str | os.PathLike[str] | None):
    """The codebook the run used, and a note when it cannot be found."""
    from ..codebook import default_codebook_path

    info = manifest.get("codebook") or {}
    candidates = []
    if codebook_path is not None:
        candidates.append(Path(codebook_path))
    if info.get("path"):
        candidates.append(Path(info["path"]))
    candidates.append(default_codebook_path())
    skipped = None
    for cand in candidates:
        if not cand.is_file():
            continue
        try:
            st = cand.stat()
            cb = _load_codebook_cached(str(cand), st.st_mtime_ns, st.st_size)
        except CodingkitError:
            if codebook_path is not None and cand == Path(codebook_path):
                raise
            continue
        if cb.id != info.get("id") or str(cb.version) != str(info.get("version")):
            if codebook_path is not None and cand == Path(codebook_path):
                skipped = (f"--codebook {cand} is {cb.id} {cb.version}, the run used "
                           f"{info.get('id')} {info.get('version')}: not used")
            continue
        note = skipped
        if info.get("sha256") and cb.sha256 != info.get("sha256"):
            note = (f"codebook {cand} has the run's id and version but other bytes "
                    "(sha256 differs); its definitions are shown")
        return cb, note
    return None, ((skipped + "; ") if skipped else "") + (
        f"codebook {info.get('id')} {info.get('version')} not found ({info.get('path')}); "
        "labels from frequencies.csv, no definitions (give it with --codebook)")


def _read_agreement(folder: Path) -> Agreement:

    path = folder / "agreement.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        options, summary, per_code = data["options"], data["summary"], data["per_code"]
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError) as exc:
        raise ReportError(f"cannot be read ({type(exc).__name__}: {exc}); expected the "
                          "agreement.json of 'codingkit evaluate --out'", path=path,
                          code="E906") from None
    compared = None
    cpath = folder / "frequencies_compared.csv"
    if cpath.is_file():
        need = ["code", "transcripts", "units", "human_share", "codingkit_share", "difference",
                "human_transcripts", "codingkit_transcripts"]
        compared = _read_table(cpath, need, {"transcripts": "int64", "units": "int64",
                                             "human_share": "float64",
                                             "codingkit_share": "float64",
                                             "difference": "float64",
                                             "human_transcripts": "int64",
                                             "codingkit_transcripts": "int64"})
    return Agreement(folder=folder, options=options, summary=summary, per_code=per_code,
                     compared=compared)


def find_agreement(folder: Path) -> Path | None:
    """Where ``codingkit evaluate --out`` wrote its figures for this results
    folder: the folder itself, or a sub-folder holding ``agreement.json``."""
    if (folder / "agreement.json").is_file():
        return folder
    subs = sorted(p.parent for p in folder.glob("*/agreement.json"))
    return subs[0] if subs else None


def read_results(folder: str | os.PathLike[str], *,
                 codebook: str | os.PathLike[str] | None = None,
                 agreement: str | os.PathLike[str] | None = None,
                 find_agreement_figures: bool = True) -> Results:
    """Read and check a results folder of ``codingkit apply``.

    Parameters
    ----------
    folder:
        The folder ``codingkit apply --out`` wrote.
    codebook:
        The codebook file, when it is no longer where ``manifest.json`` says
        (default: that path, else the bundled codebook if id and version match).
    agreement:
        A folder of ``codingkit evaluate --out`` (agreement.json, and with
        ``--by`` frequencies_compared.csv). Default: the results folder or a
        sub-folder of it that holds agreement.json.

    Raises
    ------
    ReportError
        E901 not a results folder, E902 another schema version, E905 a table
        lacks a column or holds a bad value, E906 unreadable agreement figures.
    """
    folder = Path(folder)
    manifest = _read_manifest(folder)
    dp = load_schema("datapackage", manifest["schema_version"])
    required = {r["name"]: [f["name"] for f in r["schema"]["fields"]] for r in dp["resources"]}
    segments = _read_table(folder / "segments.csv", required["segments"],
                           {"turn": "int64", "start": "int64", "end": "int64"})
    codings = _read_table(folder / "codings.csv", required["codings"], {"score": "float64"})
    frequencies = _read_table(folder / "frequencies.csv", required["frequencies"],
                              {"codings": "int64", "segments": "int64", "sources": "int64",
                               "sources_total": "int64", "share_sources": "float64",
                               "segments_total": "int64"})
    cb, note = _codebook(manifest, codebook)
    res = Results(folder=folder, manifest=manifest, segments=segments, codings=codings,
                  frequencies=frequencies, codebook=cb, codebook_note=note)
    where = Path(agreement) if agreement is not None else (
        find_agreement(folder) if find_agreement_figures else None)
    if agreement is not None and not (where / "agreement.json").is_file():
        raise ReportError("no agreement.json here; expected a folder written by "
                          "'codingkit evaluate --out'", path=where, code="E906")
    if where is not None:
        res.agreement = _read_agreement(where)
    return res
