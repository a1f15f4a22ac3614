"""The report's provenance section in words: the run's options as a reader
of the report says them (not as ``manifest.json`` stores them), and paths
without the user's folders.

``manifest.json`` keeps every option as data (a versioned contract, with
absolute paths); the report shows the same options with labels and values
in its language (*ja*/*nej*, lists joined with commas, the coder described
in words) and every path as a file name, or relative to the results folder
when it is inside it: a report is handed to others (funders, colleagues),
and a home folder's path says who ran it and where.

>>> from codingkit.report.text import Words
>>> w = Words("sv")
>>> shown_path("/home/anna/.venv/lib/python3.11/site-packages/codingkit/codebooks/x.yaml")
'x.yaml'
>>> shown_path("/home/anna/res/agreement", "/home/anna/res")
'agreement'
>>> option_value("coder", {"kind": "bundled", "file": "coder-x.ckm", "interviews": 60,
...                        "built": "2026-12-04", "sha256": "ab"}, w)
'inlärd kodare (60 guldintervjuer), coder-x.ckm, byggd 2026-12-04'
>>> option_value("formats", ["csv", "xlsx"], w), option_value("rules_only", False, w)
('csv, xlsx', 'nej')
"""

from __future__ import annotations

import os
import re
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

from .text import Words

__all__ = ["shown_path", "folder_name", "provenance_rows", "option_rows", "option_value",
           "coder_text"]


def _is_absolute(value: str) -> bool:
    return PurePosixPath(value).is_absolute() or PureWindowsPath(value).is_absolute() or (
        value.startswith("~"))


def _name(value: str) -> str:
    """The last part of a path, whichever separator it uses."""
    parts = [p for p in re.split(r"[\\/]+", value) if p]
    return parts[-1] if parts else value


def shown_path(value: Any, folder: str | os.PathLike[str] | None = None) -> str:
    """A path as the report shows it: relative to the results ``folder``
    when it is inside it (``agreement``), else its file name only, never
    the folders above it (``innovationsupphandling.yaml``)."""
    text = str(value)
    if not text:
        return text
    if folder is not None:
        try:
            here = Path(folder).resolve()
            rel = Path(text).resolve().relative_to(here)
            return rel.as_posix() if str(rel) != "." else here.name
        except (ValueError, OSError, RuntimeError):
            pass
    return _name(text)


def _yes(value: Any, w: Words) -> str:
    return w("yes") if value else w("no")


def _sha(value: Any) -> str:
    return f"{str(value)[:12]}…"


def coder_text(coder: Any, w: Words) -> str:
    """What coded, in words (manifest.json's ``options.coder``)."""
    if not isinstance(coder, dict):
        return _plain(coder, w)
    kind = coder.get("kind")
    if kind == "codebook":
        return w("coder_codebook")
    if kind == "bundled":
        text = w("coder_bundled", interviews=coder.get("interviews", "?"))
        extra = [_name(str(coder["file"])) if coder.get("file") else "",
                 w("built", date=coder["built"]) if coder.get("built") else ""]
        return ", ".join([text, *(e for e in extra if e)])
    if kind == "learned":
        return w("coder_learned", segments=coder.get("segments", "?"))
    return _plain(coder, w)


def _learned_from(value: Any, w: Words, folder) -> str:
    """What the coder learned from (``options.learned_from``)."""
    if not isinstance(value, dict):
        return _plain(value, w, folder)
    # a pseudonymised run records no path: a file is shown by its sha256
    files = [shown_path(f["path"], folder) if f.get("path") else f"sha256 {_sha(f['sha256'])}"
             for f in value.get("files") or []
             if isinstance(f, dict) and (f.get("path") or f.get("sha256"))]
    text = w("learned_turns", turns=value.get("turns", "?"),
             files=", ".join(files) or "–")
    base = value.get("on_top_of")
    if isinstance(base, dict):
        text += ", " + w("on_top_of", coder=coder_text(base, w),
                         weight=w.num(float(value.get("weight") or 1), 1))
    return text


def _plain(value: Any, w: Words, folder=None) -> str:
    """Any other option's value in words: ja/nej, lists joined with commas,
    a mapping as ``key: value`` pairs, a path as its file name."""
    if isinstance(value, bool):
        return _yes(value, w)
    if isinstance(value, (int, float)):
        return w.num(value, 2) if isinstance(value, float) else str(value)
    if isinstance(value, (list, tuple)):
        return ", ".join(_plain(v, w, folder) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_plain(v, w, folder)}" for k, v in value.items())
    text = str(value)
    return shown_path(text, folder) if _is_absolute(text) else text


#: How each option of manifest.json is shown: ``yes`` (ja/nej), ``list``,
#: ``path`` (a file name), ``paths``, ``sha`` (its first 12 characters), or
#: a function of (value, words, folder).
_SHOWN = {
    "code_interviewer": "yes", "rules_only": "yes", "sense_check": "yes",
    "topic_check": "yes",
    "pseudonymized": "yes", "pseudonymized_copies": "yes", "csv_raw": "yes",
    "learned_codes": "list", "codebook_kept": "list", "formats": "list",
    "manifest": "path", "model": "path", "save_model": "path", "cache": "path",
    "learn_from": "paths", "learn_transcripts": "paths",
    "model_sha256": "sha", "pseudonym_key_sha256": "sha",
    "unit": lambda v, w, f: w.t.get(f"unit_{v}", str(v)),
    "similarity": lambda v, w, f: w.t.get(f"similarity_{v}", str(v)),
    "pseudonymize_unknown": lambda v, w, f: w.t.get(f"unknown_{v}", str(v)),
    "by": lambda v, w, f: ", ".join(w.key(str(k)) for k in v) if isinstance(
        v, (list, tuple)) else str(v),
    "coder": lambda v, w, f: coder_text(v, w),
    "learned_from": _learned_from,
}


def option_value(key: str, value: Any, w: Words,
                 folder: str | os.PathLike[str] | None = None) -> str:
    """One option of manifest.json as the report shows it."""
    how = _SHOWN.get(key)
    try:
        if how == "yes" and isinstance(value, bool):
            return _yes(value, w)
        if how == "list" and isinstance(value, (list, tuple)):
            return ", ".join(str(v) for v in value)
        if how == "path" and isinstance(value, str):
            return shown_path(value, folder)
        if how == "paths" and isinstance(value, (list, tuple)):
            return ", ".join(shown_path(v, folder) for v in value)
        if how == "sha" and isinstance(value, str):
            return _sha(value)
        if callable(how):
            return how(value, w, folder)
    except (TypeError, ValueError, AttributeError):  # an odd value: shown plainly
        pass
    return _plain(value, w, folder)


def option_rows(options: dict[str, Any] | None, w: Words,
                folder: str | os.PathLike[str] | None = None) -> list[tuple[str, str]]:
    """The run's options (manifest.json ``options``) as (label, value) rows in
    the report's language; options left unset (``None``, empty) are left out."""
    rows = []
    for key, value in (options or {}).items():
        if value in (None, [], {}, ""):
            continue
        rows.append((w.t.get(f"opt_{key}", key), option_value(key, value, w, folder)))
    return rows


def folder_name(folder: str | os.PathLike[str]) -> str:
    """The results folder as the report names it: its own name, not where it is."""
    try:
        return Path(folder).resolve().name or str(folder)
    except (OSError, RuntimeError):  # pragma: no cover
        return _name(str(folder))


def provenance_rows(manifest: dict[str, Any], w: Words,
                    folder: str | os.PathLike[str]) -> list[tuple[str, str]]:
    """The provenance table's rows (HTML and Word alike): results folder,
    codebook (id, version, sha256, file name), date, versions, size."""
    cb = manifest.get("codebook") or {}
    counts = manifest.get("counts") or {}
    # a pseudonymised run records no path: the bundled codebook by its name
    where = (shown_path(cb["path"], folder) if cb.get("path")
             else _name(str(cb["bundled"])) if cb.get("bundled") else "")
    if where and cb.get("bundled"):
        where += f" ({w('bundled_file')})"
    codebook = " · ".join(x for x in (f"{cb.get('id')} {cb.get('version')}",
                                      f"sha256 {_sha(cb.get('sha256'))}", where) if x)
    return [
        (w("results_folder"), folder_name(folder)),
        (w("codebook"), codebook),
        (w("created"), str(manifest.get("created", ""))),
        (w("codingkit"), str(manifest.get("codingkit_version", ""))),
        (w("counts"), w("counts_text", transcripts=counts.get("transcripts"),
                        segments=counts.get("segments"), codings=counts.get("codings"))),
        (w("schema"), str(manifest.get("schema_version"))),
    ]
