"""Rebuild a :class:`~codingkit.CodingResult` from a ``codingkit apply`` output folder.

The folder is read by :func:`codingkit.writers.readback.read_results` (the one
reader of a results folder). Its ``manifest.json`` names the input
transcripts (with their sha256) and the codebook, so the transcripts can be
read again — and refused if they changed since they were coded, because the
offsets in ``segments.csv`` would then point to the wrong text.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

from ..errors import RefiQdaError
from ..fileio import sha256_file
from ..model import CodingResult, Transcript
from ..writers.readback import (bundled_codebook, find_beside, read_manifest, read_results,
                                shown, table_path)

#: A path of manifest.json in a message: in full up to the longest path a system opens.
_PATH_SHOWN = 4096


def result_from_output_dir(
    folder: str | os.PathLike[str],
    *,
    codebook: str | os.PathLike[str] | None = None,
    read_transcripts: Callable[..., list[Transcript]] | None = None,
    load_codebook: Callable[[Path], Any] | None = None,
) -> CodingResult:
    """Rebuild the coding result of a ``codingkit apply`` output folder.

    The input transcripts are read again (with the reader options recorded in
    the manifest) and checked against the sha256 the manifest recorded; the
    codebook is loaded and checked the same way; segments and codings come
    from ``segments.csv`` and ``codings.csv``. The codebook is the file the
    manifest names, or, when that is gone (another install, an upgrade), the
    codebook bundled with this codingkit if it has the recorded sha256
    (:func:`~codingkit.writers.readback.find_codebook`).

    Parameters
    ----------
    folder:
        The apply output folder.
    codebook:
        The run's codebook, when it is no longer where manifest.json says
        (``--codebook``); refused unless it is the file that was used (same
        sha256; same id and version when the manifest records no sha256).
    read_transcripts, load_codebook:
        Replacements for :func:`codingkit.read_transcripts` and
        :func:`codingkit.load_codebook` (default: those).

    Returns
    -------
    CodingResult
        With ``options`` from the manifest.

    Raises
    ------
    ResultsFolderError
        E901 not a results folder, E902 another schema version, E905 a
        malformed table (:func:`~codingkit.writers.readback.read_results`).
    RefiQdaError
        E541 an input or the codebook not found, E542 an input changed
        since it was coded, E543 the codebook changed, E544 a segment's
        offsets do not fit its transcript, E546 the results were
        pseudonymised while coding (``apply --pseudonymize``).
    """
    results = read_results(folder)
    folder, manifest = results.folder, results.manifest
    mpath = folder / "manifest.json"
    options = results.options
    if options.get("pseudonymized") is True and options.get("pseudonymized_copies") is True:
        # the copies coded are files, but the manifest records no path to look for
        raise RefiQdaError("the results code pseudonymised copies (its manifest.json says so) "
                           "and record no input path, so the copies are not found; expected "
                           "the results of a run of transcripts that are not pseudonymised "
                           "(for a project of the copies, add --format qdpx to the "
                           "'codingkit apply' run that codes them)", path=mpath, code="E546")
    if options.get("pseudonymized") is True:
        # the texts coded were pseudonymised in memory: no file holds them (the
        # inputs hold the originals, whose offsets differ), and the manifest
        # records no path to look for
        raise RefiQdaError("the results were pseudonymised while coding (its manifest.json "
                           "says so): the pseudonymised texts they point into were never "
                           "written, and no input path is recorded; expected the results of "
                           "a run without --pseudonymize (for a project of pseudonymised "
                           "results, add --format qdpx to 'codingkit apply --pseudonymize')",
                           path=mpath, code="E546")

    inputs = manifest["inputs"]
    paths: list[Path] = []
    source_of: dict[Path, str] = {}
    for i, entry in enumerate(inputs):
        p = find_beside(str(entry.get("path", "")), folder)
        if p is None:
            raise RefiQdaError(f"input {shown(entry.get('path'), _PATH_SHOWN)} (source "
                               f"{shown(entry.get('source'), _PATH_SHOWN)}) not found; expected "
                               f"the transcript that was coded",
                               path=mpath, code="E541")
        digest = entry.get("sha256")
        if digest and sha256_file(p) != digest:
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
        found = find_beside(str(kwargs["manifest"]), folder)
        if found is None:
            raise RefiQdaError(f"the transcript manifest {shown(kwargs['manifest'], _PATH_SHOWN)}"
                               f" used for the coding is not found; expected it beside the "
                               f"transcripts",
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
    if codebook is not None:
        cb_path = Path(codebook)
        if not cb_path.is_file():
            raise RefiQdaError("--codebook: file not found; expected the codebook that was used",
                               path=cb_path, code="E541")
        if cb.get("sha256") and sha256_file(cb_path) != cb["sha256"]:
            raise RefiQdaError(f"--codebook {cb_path} is not the codebook of the run (sha256 "
                               f"differs from that of the {cb.get('id')} {cb.get('version')} "
                               f"used); expected the file that was used — or run codingkit "
                               f"apply again",
                               path=mpath, code="E543")
    else:
        cb_path = results.codebook_file()
        if cb_path is None:
            raise RefiQdaError(_codebook_not_found(cb), path=mpath, code="E541")
        if cb.get("sha256") and sha256_file(cb_path) != cb["sha256"]:
            raise RefiQdaError(f"codebook {cb_path} changed since the coding (sha256 differs); "
                               f"expected the same file — give it with --codebook PATH, or run "
                               f"codingkit apply again", path=mpath, code="E543")
    if load_codebook is None:
        if cb_path.suffix.lower() == ".qdc":
            from .codebook import read_qdc as load_codebook
        else:
            from .. import load_codebook
    codebook = load_codebook(cb_path)
    if not cb.get("sha256") and cb.get("id") and (
            codebook.id, str(codebook.version)) != (cb.get("id"), str(cb.get("version"))):
        raise RefiQdaError(f"codebook {cb_path} is {codebook.id} {codebook.version}, the run "
                           f"used {cb.get('id')} {cb.get('version')}; expected the codebook that "
                           f"was used — give it with --codebook PATH", path=mpath, code="E543")

    texts = {t.source: t for t in transcripts}
    seg_path = table_path(folder, "segments")
    segments = results.segment_list()
    for n, seg in enumerate(segments, start=2):
        t = texts.get(seg.source)
        if t is None:
            raise RefiQdaError(f"line {n}: source {seg.source!r} is not among the inputs; "
                               f"expected a transcript of manifest.json", path=seg_path,
                               code="E544")
        if not (0 <= seg.start <= seg.end <= len(t.text)):
            raise RefiQdaError(f"line {n}: offsets {seg.start}:{seg.end} outside "
                               f"{seg.source!r} ({len(t.text)} characters)", path=seg_path,
                               code="E544")
        if t.text[seg.start:seg.end] != seg.text:
            raise RefiQdaError(f"line {n}: the text at {seg.start}:{seg.end} of {seg.source!r} "
                               f"is not the segment's text; expected the transcript that was "
                               f"coded", path=seg_path, code="E544")
    return CodingResult(segment_list=segments, coding_list=results.coding_list(),
                        codebook=codebook, transcripts=transcripts, options=options)


def _codebook_not_found(info: dict[str, Any]) -> str:
    """The E541 message for a run's codebook that is found nowhere."""
    from ..errors import CodingkitError

    where = f"codebook {shown(info.get('path'), _PATH_SHOWN)} not found"
    bundled = bundled_codebook(info, same=False)
    if bundled is not None:
        try:
            from .. import load_codebook

            other = load_codebook(bundled)
            what = f"{other.id} {other.version}"
        except CodingkitError:
            what = "not a codebook"
        used = f"{info.get('id')} {info.get('version')}"
        where += (f", and the codebook bundled with this codingkit ({bundled.name}) "
                  + (f"is {used} with other content (sha256 differs)" if what == used
                     else f"is {what}, the run used {used}"))
    return where + "; give the codebook that was used with --codebook PATH"


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
    stamp = read_manifest(folder).get("created")
    if isinstance(stamp, str) and stamp:
        try:
            return datetime.fromisoformat(stamp.replace("Z", "+00:00"))
        except ValueError:
            return None
    return None
