"""Manifests: which project, round and role each transcript belongs to.

A manifest is a CSV file (``,``, ``;`` or tab) with a header row::

    file;project;round;role;interviewer
    syd/intervju_01.txt;Innovationsupphandling Syd;1;upphandlare;I
    ostergotland/intervju_02.docx;Region Östergötland;2;leverantör;Lars

``file`` is relative to the manifest's folder. ``interviewer`` (optional)
is the interviewer's speaker label. Every other column is kept as metadata.
Swedish column names are accepted too (``fil``, ``projekt``, ``omgång``,
``runda``, ``roll``, ``intervjuare``).

A ``manifest.csv`` in an input folder is used automatically by
:func:`codingkit.read_transcripts`.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path, PurePosixPath

from ..errors import InputError, ManifestError
from ..tables import unquote_cell
from .encoding import decode_bytes, read_bytes
from .survey import sniff_delimiter
from .text import metadata_key

MANIFEST_NAME = "manifest.csv"


def _column_name(name: str) -> str:
    key = metadata_key(name)
    return "file" if key in ("fil", "filnamn", "filename", "path", "sökväg") else key


def manifest_key(file: str) -> str:
    """The normalised form of a manifest's ``file`` value (posix, no ``./``)."""
    return PurePosixPath(file.strip().replace("\\", "/")).as_posix().removeprefix("./")


def read_manifest(path: str | os.PathLike[str]) -> dict[str, dict[str, str]]:
    """Read a manifest: file (relative to the manifest's folder) → metadata.

    Parameters
    ----------
    path:
        The manifest CSV.

    Returns
    -------
    dict
        ``{"syd/intervju_01.txt": {"project": ..., "round": ..., "role": ...,
        ...}}``, in file order. Empty cells are left out.

    Raises
    ------
    ManifestError
        If there is no ``file`` column (``E301``), a row names a file that
        does not exist (``E302``, with the line), a file is listed twice
        (``E303``) or the CSV is malformed (``E304``).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "a.txt").write_text("I: Hej?\\nIP: Hej.\\n", encoding="utf-8")
    >>> _ = (d / "manifest.csv").write_text("file;projekt;omgång\\na.txt;Syd;1\\n", encoding="utf-8")
    >>> read_manifest(d / "manifest.csv")
    {'a.txt': {'project': 'Syd', 'round': '1'}}
    """
    path = Path(path)
    try:
        text = decode_bytes(read_bytes(path), path)
    except InputError as exc:
        raise ManifestError(exc.message, path=path, code="E304") from None
    reader = csv.reader(io.StringIO(text), delimiter=sniff_delimiter(text), strict=True)
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        raise ManifestError("no header row; expected columns file, project, round, role",
                            path=path, line=1, code="E301") from None
    columns = [_column_name(unquote_cell(c)) for c in header]
    if "file" not in columns:
        raise ManifestError(f"no 'file' column (found: {', '.join(header)}); expected columns "
                            "file, project, round, role", path=path, line=1, code="E301")
    file_index = columns.index("file")
    folder = path.parent
    entries: dict[str, dict[str, str]] = {}
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise ManifestError(f"malformed CSV ({exc})", path=path, line=reader.line_num,
                                code="E304") from None
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(columns):
            raise ManifestError(f"{len(row)} cells but {len(columns)} columns in the header",
                                path=path, line=line, code="E304")
        row = [unquote_cell(c) for c in row] + [""] * (len(columns) - len(row))
        file = manifest_key(row[file_index])
        if not file:
            raise ManifestError("empty 'file' cell", path=path, line=line, code="E302")
        if not (folder / file).is_file():
            raise ManifestError(f"the file {file!r} does not exist (looked in {folder})",
                                path=path, line=line, code="E302")
        if file in entries:
            raise ManifestError(f"the file {file!r} is listed twice", path=path, line=line,
                                code="E303")
        entries[file] = {col: cell.strip() for col, cell in zip(columns, row)
                         if col != "file" and col and cell.strip()}
    return entries
