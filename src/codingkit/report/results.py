"""What a report reads: a results folder of ``codingkit apply``, its codebook,
and the figures of ``codingkit evaluate --out``.

The folder itself is read and checked against its contract by
:func:`codingkit.writers.readback.read_results` (the one reader of a results
folder; :data:`SCHEMA_VERSIONS` and :func:`schema_path` are re-exported from
there). Unreadable agreement figures are refused with one line
(:class:`~codingkit.errors.ReportError`, E906).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import CodingkitError, ReportError
from ..writers import readback
from ..writers.readback import (  # noqa: F401 - the contract, re-exported for reports
    SCHEMA_VERSION,
    SCHEMA_VERSIONS,
    load_schema,
    schema_path,
)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ..model import Codebook


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
    #: the fingerprint of the coding measured (``evaluate --pred``); None before it was recorded
    coding: dict[str, Any] | None = None
    #: why the agreement is not a fair test (UnfairTestWarning records), if it is not
    warnings: list[dict[str, Any]] = field(default_factory=list)
    #: what the figures were measured on, for this results folder (:func:`agreement_status`):
    #: ``"own"`` its coding, ``"other_coding"`` another coding (stale),
    #: ``"unknown_coding"`` a results folder's coding not recorded,
    #: ``"coded"`` transcripts coded by evaluate itself (an estimate)
    status: str = "coded"

    @property
    def usable(self) -> bool:
        """Whether the report may show the figures (as this run's or as an estimate)."""
        return self.status in ("own", "coded")


@dataclass
class Results(readback.Results):
    """A results folder, read (:class:`codingkit.writers.readback.Results`),
    with what a report adds: the run's codebook and the agreement figures."""

    codebook: "Codebook | None" = None
    #: why the codebook's definitions are missing, if they are
    codebook_note: str | None = None
    agreement: Agreement | None = None
    notes: list[str] = field(default_factory=list)


@lru_cache(maxsize=8)
def _load_codebook_cached(path: str, mtime_ns: int, size: int):
    """A codebook read once per process for the same file contents (YAML
    parsing costs most of a small report's build time)."""
    from ..codebook import load_codebook

    return load_codebook(path)


def _codebook(manifest: dict[str, Any], codebook_path: str | os.PathLike[str] | None):
    """The codebook the run used, and a note when it cannot be found."""
    from ..codebook import default_codebook_path
    from .provenance import shown_path  # a note the report shows: file names, not paths

    info = manifest.get("codebook") or {}
    candidates = []
    if codebook_path is not None:
        candidates.append(Path(codebook_path))
    if info.get("path"):
        candidates.append(Path(info["path"]))
    candidates.append(default_codebook_path())
    skipped = None
    for cand in candidates:
        if not readback.exists_file(cand):
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
                skipped = (f"--codebook {cand.name} is {cb.id} {cb.version}, the run used "
                           f"{info.get('id')} {info.get('version')}: not used")
            continue
        note = skipped
        if info.get("sha256") and cb.sha256 != info.get("sha256"):
            note = (f"codebook {cand.name} has the run's id and version but other bytes "
                    "(sha256 differs); its definitions are shown")
        return cb, note
    return None, ((skipped + "; ") if skipped else "") + (
        f"codebook {info.get('id')} {info.get('version')} not found "
        + (f"({shown_path(info['path'])}); " if info.get("path") else
           # a pseudonymised run records no path
           "(manifest.json records no path); ")
        + "labels from frequencies.csv, no definitions (give it with --codebook)")


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
        kinds = {"code": "string", "human_share": "number", "codingkit_share": "number",
                 "difference": "number"}
        compared = readback.read_table(cpath, [{"name": c, "type": kinds.get(c, "integer")}
                                               for c in need])
    coding = data.get("coding") if isinstance(data, dict) else None
    warns = data.get("warnings") if isinstance(data, dict) else None
    warns = [w for w in warns if isinstance(w, dict)] if isinstance(warns, list) else []
    return Agreement(folder=folder, options=options, summary=summary, per_code=per_code,
                     compared=compared, coding=coding, warnings=warns)


def agreement_status(ag: Agreement, results_folder: Path) -> str:
    """What ``ag`` was measured on, for ``results_folder`` (see
    :attr:`Agreement.status`): figures of ``evaluate --pred`` are this
    run's own only when the coding they measured (its fingerprint,
    :func:`codingkit.writers.readback.coding_fingerprint`) is the folder's
    coding now, whatever path ``--pred`` named."""
    if not (ag.options or {}).get("pred"):
        return "coded"
    same = readback.same_coding(ag.coding, results_folder)
    return "unknown_coding" if same is None else ("own" if same else "other_coding")


def stale_message(ag: Agreement, results_folder: Path) -> str:
    """One line: why the agreement figures of ``ag`` are not shown."""
    path = ag.folder / "agreement.json"
    what = ("was measured on another coding than this folder's (its codings and segments "
            "tables changed since: 'codingkit apply' ran again?)" if ag.status == "other_coding"
            else "does not record which coding it measured (written before codingkit "
            "recorded it)")
    return (f"{path}: {what}; 'codingkit report' does not show its figures: re-run "
            f"'codingkit evaluate --gold ... --pred {results_folder} --by project,round "
            f"--out {ag.folder}'")


def stale_agreement(folder: str | os.PathLike[str]) -> str | None:
    """The one-line warning for agreement figures in a results folder (as the
    report finds them) that were measured on another coding than the
    folder's now, or that do not record which (``None``: none there, they
    are this coding's, or they were measured by coding transcripts).
    ``codingkit apply --force`` says it after replacing a folder's tables."""
    folder = Path(folder)
    where = find_agreement(folder)
    if where is None:
        return None
    try:
        ag = _read_agreement(where)
    except ReportError:
        return None  # the report refuses it itself (E906)
    ag.status = agreement_status(ag, folder)
    return None if ag.usable else stale_message(ag, folder)


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
    ResultsFolderError
        E901 not a results folder, E902 another schema version, E905 a table
        lacks a column or holds a bad value
        (:func:`codingkit.writers.readback.read_results`).
    ReportError
        E906 unreadable agreement figures.
    """
    base = readback.read_results(folder)
    folder = base.folder
    cb, note = _codebook(base.manifest, codebook)
    res = Results(**vars(base), codebook=cb, codebook_note=note)
    where = Path(agreement) if agreement is not None else (
        find_agreement(folder) if find_agreement_figures else None)
    if agreement is not None and not (where / "agreement.json").is_file():
        raise ReportError("no agreement.json here; expected a folder written by "
                          "'codingkit evaluate --out'", path=where, code="E906")
    if where is not None:
        res.agreement = _read_agreement(where)
        res.agreement.status = agreement_status(res.agreement, folder)
        if not res.agreement.usable:
            import warnings

            from ..errors import CodingkitWarning

            warnings.warn(CodingkitWarning(stale_message(res.agreement, folder)), stacklevel=2)
    return res
