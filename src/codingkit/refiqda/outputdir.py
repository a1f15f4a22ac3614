"""Rebuild a :class:`~codingkit.CodingResult` from a ``codingkit apply`` output folder.

An apply output folder holds ``segments.csv``, ``codings.csv``,
``frequencies.csv`` and ``manifest.json``. The manifest names the input
transcripts (with their sha256) and the codebook, so the transcripts can be
read again — and refused if they changed since they were coded, because the
offsets in ``segments.csv`` would then point to the wrong text.
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

from ..errors import RefiQdaError
from ..model import Coding, CodingResult, Segment, Transcript

_SEGMENT_FIELDS = {"segment_id", "source", "start", "end", "text", "turn", "speaker",
                   "speaker_role", "unit"}


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _resolve(p: str, folder: Path) -> Path | None:
    path = Path(p)
    candidates = [path] if path.is_absolute() else [path, folder / path, folder.parent / path]
    return next((c for c in candidates if c.is_file()), None)


def read_manifest_json(folder: str | os.PathLike[str]) -> dict[str, Any]:
    """The ``manifest.json`` of an apply output folder, checked for the keys export needs."""
    folder = Path(folder)
    mpath = folder / "manifest.json"
    if not mpath.is_file():
        raise RefiQdaError("no manifest.json; expected the output folder of codingkit apply",
                           path=folder, code="E540")
    try:
        manifest = json.loads(mpath.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RefiQdaError(f"not valid JSON ({exc}); expected codingkit's manifest",
                           path=mpath, code="E540") from None
    if not isinstance(manifest, dict):
        raise RefiQdaError("expected a JSON object", path=mpath, code="E540")
    for key in ("codebook", "inputs"):
        if key not in manifest:
            raise RefiQdaError(f"no {key!r} entry; expected codingkit's manifest",
                               path=mpath, code="E540")
    return manifest


def _read_csv(path: Path, required: tuple[str, ...]):
    import pandas as pd

    if not path.is_file():
        raise RefiQdaError(f"{path.name} is missing; expected the output folder of "
                           f"codingkit apply", path=path.parent, code="E545")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    from ..tables import restore_frame

    frame = restore_frame(frame, path.parent)  # the texts as coded (no formula-guard ')
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise RefiQdaError(f"columns {missing} are missing; expected {list(required)}",
                           path=path, code="E545")
    return frame


def result_from_output_dir(
    folder: str | os.PathLike[str],
    *,
    read_transcripts: Callable[..., list[Transcript]] | None = None,
    load_codebook: Callable[[Path], Any] | None = None,
) -> CodingResult:
    """Rebuild the coding result of a ``codingkit apply`` output folder.

    The input transcripts are read again (with the reader options recorded in
    the manifest) and checked against the sha256 the manifest recorded; the
    codebook is loaded and checked the same way; segments and codings come
    from ``segments.csv`` and ``codings.csv``.

    Parameters
    ----------
    folder:
        The apply output folder.
    read_transcripts, load_codebook:
        Replacements for :func:`codingkit.read_transcripts` and
        :func:`codingkit.load_codebook` (default: those).

    Returns
    -------
    CodingResult
        With ``options`` from the manifest.

    Raises
    ------
    RefiQdaError
        E540 manifest missing or malformed, E541 an input or the codebook
        not found, E542 an input changed since it was coded, E543 the
        codebook changed, E544 a segment's offsets do not fit its
        transcript, E545 a table missing or without the needed columns.
    """
    folder = Path(folder)
    manifest = read_manifest_json(folder)
    mpath = folder / "manifest.json"
    options = dict(manifest.get("options") or {})

    inputs = manifest["inputs"]
    paths: list[Path] = []
    source_of: dict[Path, str] = {}
    for i, entry in enumerate(inputs):
        p = _resolve(str(entry.get("path", "")), folder)
        if p is None:
            raise RefiQdaError(f"input {entry.get('path')!r} (source {entry.get('source')!r}) "
                               f"not found; expected the transcript that was coded",
                               path=mpath, code="E541")
        digest = entry.get("sha256")
        if digest and _sha256(p) != digest:
            raise RefiQdaError(f"transcript {p} changed since it was coded (sha256 differs); "
                               f"expected the same file — run codingkit apply again",
                               path=mpath, code="E542")
        paths.append(p)
        source_of[p.resolve()] = str(entry.get("source") or p.name)

    if read_transcripts is None:
        from .. import read_transcripts as _rt

        read_transcripts = _rt
    kwargs = {k: options[k] for k in ("manifest", "speaker_pattern", "text_column", "id_column")
              if options.get(k) not in (None, "")}
    if "manifest" in kwargs:
        found = _resolve(str(kwargs["manifest"]), folder)
        if found is None:
            raise RefiQdaError(f"the transcript manifest {kwargs['manifest']!r} used for the "
                               f"coding is not found; expected it beside the transcripts",
                               path=mpath, code="E541")
        kwargs["manifest"] = found
    transcripts = list(read_transcripts(paths, **kwargs))
    by_sha = {e.get("sha256"): str(e.get("source")) for e in inputs if e.get("sha256")}
    for t in transcripts:
        wanted = None
        if t.path is not None and Path(t.path).resolve() in source_of:
            wanted = source_of[Path(t.path).resolve()]
        elif t.sha256 in by_sha:
            wanted = by_sha[t.sha256]
        if wanted is not None and t.source != wanted and not t.source.startswith(wanted + "#"):
            suffix = "#" + t.source.split("#", 1)[1] if "#" in t.source and "#" not in wanted else ""
            t.source = wanted + suffix

    cb = manifest["codebook"] or {}
    cb_path = _resolve(str(cb.get("path", "")), folder) if cb.get("path") else None
    if cb_path is None:
        raise RefiQdaError(f"codebook {cb.get('path')!r} not found; expected the codebook "
                           f"that was used", path=mpath, code="E541")
    if cb.get("sha256") and _sha256(cb_path) != cb["sha256"]:
        raise RefiQdaError(f"codebook {cb_path} changed since the coding (sha256 differs); "
                           f"expected the same file — run codingkit apply again",
                           path=mpath, code="E543")
    if load_codebook is None:
        if cb_path.suffix.lower() == ".qdc":
            from .codebook import read_qdc as load_codebook
        else:
            from .. import load_codebook
    codebook = load_codebook(cb_path)

    texts = {t.source: t for t in transcripts}
    seg_path = folder / "segments.csv"
    seg_frame = _read_csv(seg_path, ("segment_id", "source", "start", "end"))
    segments: list[Segment] = []
    for n, row in enumerate(seg_frame.to_dict("records"), start=2):
        t = texts.get(row["source"])
        if t is None:
            raise RefiQdaError(f"line {n}: source {row['source']!r} is not among the inputs; "
                               f"expected a transcript of manifest.json", path=seg_path,
                               code="E544")
        try:
            start, end = int(row["start"]), int(row["end"])
        except ValueError:
            raise RefiQdaError(f"line {n}: start/end are not integers", path=seg_path,
                               code="E544") from None
        if not (0 <= start <= end <= len(t.text)):
            raise RefiQdaError(f"line {n}: offsets {start}:{end} outside {row['source']!r} "
                               f"({len(t.text)} characters)", path=seg_path, code="E544")
        text = t.text[start:end]
        if "text" in row and row["text"] != text:
            raise RefiQdaError(f"line {n}: the text at {start}:{end} of {row['source']!r} is not "
                               f"the segment's text; expected the transcript that was coded",
                               path=seg_path, code="E544")
        metadata = {k: v for k, v in row.items() if k not in _SEGMENT_FIELDS and v != ""}
        segments.append(Segment(
            segment_id=row["segment_id"], source=row["source"], start=start, end=end,
            text=text, turn=int(row.get("turn") or 0), speaker=row.get("speaker") or None,
            speaker_role=row.get("speaker_role") or "respondent",
            unit=row.get("unit") or "turn",
            metadata=metadata,
        ))

    cod_frame = _read_csv(folder / "codings.csv", ("segment_id", "code"))
    codings = []
    for row in cod_frame.to_dict("records"):
        code = row["code"]
        theme = row.get("theme") or (codebook.theme_of(code) if code in codebook else code)
        codings.append(Coding(segment_id=row["segment_id"], code=code, theme=theme,
                              score=float(row.get("score") or 0.0),
                              method=row.get("method") or "", evidence=row.get("evidence") or ""))
    return CodingResult(segment_list=segments, coding_list=codings, codebook=codebook,
                        transcripts=transcripts, options=options)


def export_project(folder: str | os.PathLike[str], out: str | os.PathLike[str], **kwargs) -> Path:
    """Write the ``.qdpx`` of an apply output folder (see :func:`result_from_output_dir`).

    The manifest's ``created`` time is used for every timestamp, so exporting
    the same folder twice gives the same file.
    """
    from .project import write_qdpx

    result = result_from_output_dir(folder, **kwargs)
    return write_qdpx(result, out, created=_created(folder))


def _created(folder: str | os.PathLike[str]) -> datetime | None:
    """The run's time from ``manifest.json`` (``created``), if readable."""
    stamp = read_manifest_json(folder).get("created")
    if isinstance(stamp, str) and stamp:
        try:
            return datetime.fromisoformat(stamp.replace("Z", "+00:00"))
        except ValueError:
            return None
    return None
