"""Reading transcripts: text, Word, WebVTT/SubRip and open survey answers.

>>> import codingkit as ck
>>> transcripts = ck.read_transcripts("transcripts/")              # doctest: +SKIP
>>> t = transcripts[0]                                              # doctest: +SKIP
>>> t.source, t.metadata["project"], t.speakers                    # doctest: +SKIP
('syd/intervju_01.txt', 'Innovationsupphandling Syd', ['I', 'IP'])

Formats are chosen by the file's suffix; ``format=`` overrides it.

========  ==========================  ==========================================
format    suffixes                    module
========  ==========================  ==========================================
text      ``.txt``, ``.md``           :mod:`codingkit.readers.text`
docx      ``.docx``                   :mod:`codingkit.readers.docx`
vtt       ``.vtt``                    :mod:`codingkit.readers.subtitles`
srt       ``.srt``                    :mod:`codingkit.readers.subtitles`
survey    ``.csv``, ``.xlsx``         :mod:`codingkit.readers.survey`
========  ==========================  ==========================================

Every transcript's ``text`` is NFC-normalised with ``\\n`` line endings, and
for every turn ``transcript.text[turn.start:turn.end]`` is the turn's text
without its speaker label. Each turn is marked ``interviewer`` or
``respondent`` (see :mod:`codingkit.readers.roles`).

Metadata (``project``, ``round``, ``role``, ...) comes from a manifest
(:func:`read_manifest`, or a ``manifest.csv`` in an input folder) and from
the transcript's own header; the manifest wins, the header fills what the
manifest leaves empty.

Error codes
-----------
E101 missing file or folder; E102 empty file; E103 binary content;
E104 undecodable text; E105 unknown format; E106 corrupt .docx/.xlsx;
E107 malformed CSV or subtitles; E108 a bad option (column, speaker
pattern); E109 two inputs with the same source name; E110 a folder without
transcripts; E111 not a regular file (a named pipe, a device); E112 over a
size limit (see :mod:`codingkit.readers.limits`); E113 (``strict=True``) a
folder or file inside a folder that cannot be read. Manifests: E301 no
``file`` column, E302 a listed file does not exist, E303 a file listed
twice, E304 malformed manifest.
"""

from __future__ import annotations

import os
import re
import unicodedata
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, Mapping

from ..errors import CodingkitError, CodingkitWarning, InputError
from ..model import Transcript
from ..patterns import locate_timeouts
from .manifest import MANIFEST_NAME, read_manifest
from .roles import assign_roles

__all__ = ["read_transcripts", "read_transcript", "input_files", "read_files", "iter_files",
           "InputFile", "read_manifest", "register_reader", "READERS", "FORMATS", "SUFFIXES"]

def _text(path, source, *, format, speaker_pattern, metadata, **_):
    from .text import read_text

    return [read_text(path, source, speaker_pattern=speaker_pattern, metadata=metadata)]


def _docx(path, source, *, format, speaker_pattern, metadata, **_):
    from .docx import read_docx

    return [read_docx(path, source, speaker_pattern=speaker_pattern, metadata=metadata)]


def _subtitles(path, source, *, format, metadata, **_):
    from .subtitles import read_subtitles

    return [read_subtitles(path, source, format=format, metadata=metadata)]


def _survey(path, source, *, text_column, id_column, **_):
    from .survey import read_survey

    return read_survey(path, source, text_column=text_column, id_column=id_column)


#: The readers, by format name: ``reader(path, source, *, format,
#: speaker_pattern, text_column, id_column, metadata)`` → list of
#: transcripts (roles are assigned afterwards). See docs/extending.md.
READERS: dict[str, Callable[..., list[Transcript]]] = {
    "text": _text, "docx": _docx, "vtt": _subtitles, "srt": _subtitles, "survey": _survey,
}

#: Suffix → reader format (folders are read for these suffixes).
SUFFIXES = {
    ".txt": "text", ".md": "text", ".docx": "docx", ".vtt": "vtt", ".srt": "srt",
    ".csv": "survey", ".xlsx": "survey",
}

#: The reader formats (``format=``), from :data:`READERS`.
FORMATS = tuple(READERS)


def register_reader(name: str, reader: Callable[..., list[Transcript]],
                    suffixes: Iterable[str] = ()) -> None:
    """Let codingkit read another format: ``reader`` under ``name``, for
    files ending in ``suffixes`` (see docs/extending.md)."""
    global FORMATS
    READERS[name] = reader
    for suffix in suffixes:
        SUFFIXES[suffix.lower()] = name
    FORMATS = tuple(READERS)

PathLike = str | os.PathLike[str]


def _format_of(path: Path, format: str | None) -> str:
    if format is not None:
        if format not in READERS:
            raise InputError(f"unknown format {format!r}; expected one of {', '.join(READERS)}",
                             path=path, code="E105")
        return format
    fmt = SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        hint = " (save it as .docx)" if path.suffix.lower() == ".doc" else ""
        raise InputError(f"unknown file type {path.suffix or '(no suffix)'!r}{hint}; expected "
                         f"{', '.join(SUFFIXES)}", path=path, code="E105")
    return fmt


def _missing(p: Path) -> InputError:
    if p.is_symlink():
        return InputError("is a symbolic link that leads nowhere (broken, or a loop)", path=p,
                          code="E101")
    return InputError("no such file or folder", path=p, code="E101")


def _merge_metadata(manifest_meta: Mapping[str, str], own: Mapping[str, str]) -> dict[str, str]:
    merged = {k: v for k, v in manifest_meta.items() if v}
    for k, v in own.items():
        if v and not merged.get(k):
            merged[k] = v
    return merged


@locate_timeouts  # a --speaker-pattern that runs over its time limit names the file
def _read_file(
    path: Path,
    source: str,
    *,
    format: str | None,
    speaker_pattern: str | re.Pattern[str] | None,
    text_column: str | None,
    id_column: str | None,
    manifest_meta: Mapping[str, str] | None = None,
) -> list[Transcript]:
    fmt = _format_of(path, format)
    meta = dict(manifest_meta or {})
    found = READERS[fmt](path, source, format=fmt, speaker_pattern=speaker_pattern,
                         text_column=text_column, id_column=id_column, metadata=meta)
    from .limits import check_turn, max_turn_chars

    longest = max_turn_chars()
    for t in found:
        for turn in t.turns:
            if turn.end - turn.start > longest:
                check_turn(path, turn.end - turn.start, turn.line)
        if meta or not all(t.metadata.values()):
            t.metadata = _merge_metadata(meta, t.metadata)
        if any(turn.speaker is not None for turn in t.turns):
            assign_roles(t)  # (a turn without a speaker is a respondent's)
    return found


def read_transcript(
    path: PathLike,
    *,
    root: PathLike | None = None,
    speaker_pattern: str | re.Pattern[str] | None = None,
    text_column: str | None = None,
    id_column: str | None = None,
    format: str | None = None,
) -> list[Transcript]:
    """Read one file: a list of transcripts (a survey file gives one per answer).

    Parameters
    ----------
    path:
        The file.
    root:
        A folder that ``path`` lies in; the source name is then the path
        relative to it (``"syd/intervju_01.txt"``), else the file's name.
    speaker_pattern:
        A regular expression with a named group ``speaker``, matched at the
        start of each line, replacing the built-in speaker label detection
        (text and Word files).
    text_column, id_column:
        For survey files: the answer column and the id column.
    format:
        ``"text"``, ``"docx"``, ``"vtt"``, ``"srt"`` or ``"survey"``,
        overriding the suffix.

    Returns
    -------
    list of Transcript

    Raises
    ------
    InputError
        With a one-line message naming the file; see the module's error codes.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "intervju.txt"
    >>> _ = p.write_text("Projekt: Syd\\n\\nI: Hur började ni?\\nIP: Med en dialog.\\n", encoding="utf-8")
    >>> [t] = read_transcript(p)
    >>> t.source, t.metadata, [(x.speaker, x.speaker_role, t.turn_text(x)) for x in t.turns]
    ('intervju.txt', {'project': 'Syd'}, [('I', 'interviewer', 'Hur började ni?'), ('IP', 'respondent', 'Med en dialog.')])
    """
    p = Path(path)
    if not p.exists():
        raise _missing(p)
    if p.is_dir():
        raise InputError("is a folder; use read_transcripts for folders", path=p, code="E101")
    source = p.name
    if root is not None:
        try:
            source = p.resolve().relative_to(Path(root).resolve()).as_posix()
        except ValueError:
            source = p.name
    source = unicodedata.normalize("NFC", source)
    return _read_file(p, source, format=format, speaker_pattern=speaker_pattern,
                      text_column=text_column, id_column=id_column)


#: How many folders above an input folder are searched for a manifest.csv.
MANIFEST_SEARCH_DEPTH = 3


def _parent_manifests(paths: Iterable[PathLike], jobs: list[tuple[Path, str]]) -> list[Path]:
    """A ``manifest.csv`` in a folder above the inputs that names some of them.

    When you give ``transcripts/syd`` and the manifest is
    ``transcripts/manifest.csv``, the manifest is still used. Only the nearest
    manifest (at most :data:`MANIFEST_SEARCH_DEPTH` folders up) that names at
    least one of the files being read counts.
    """
    wanted = {unicodedata.normalize("NFC", str(p.resolve())) for p, _ in jobs}
    found: list[Path] = []
    for item in paths:
        folder = Path(item).resolve()
        folder = folder if folder.is_dir() else folder.parent
        for parent in list(folder.parents)[:MANIFEST_SEARCH_DEPTH]:
            candidate = parent / MANIFEST_NAME
            if not candidate.is_file():
                continue
            try:
                files = read_manifest(candidate)
            except CodingkitError:
                break  # not ours to judge: a broken manifest elsewhere is ignored
            names = {unicodedata.normalize("NFC", str((parent / f).resolve())) for f in files}
            if names & wanted and candidate not in found:
                found.append(candidate)
            break
    return found


def _hidden(rel: Path) -> bool:
    """Hidden files and folders (``.git/``, ``.DS_Store``) and Office lock files
    (``~$intervju.docx``) are skipped when a folder is walked; a folder whose
    name starts with ``_`` is read like any other."""
    *folders, name = rel.parts
    return (name.startswith(".") or name.startswith("~$")
            or any(f.startswith(".") for f in folders))


def _results_folders(folder: Path, entries: list[Path]) -> set[Path]:
    """The folders among ``entries`` that codingkit's own results are in
    (a ``--out`` inside the input folder): skipped with a warning, so that a
    rerun does not read its own tables as surveys."""
    from ..fileio import is_results_folder

    found = {p.parent for p in entries
             if p.name == "manifest.json" and is_results_folder(p.parent)}
    for d in sorted(found):
        warnings.warn(CodingkitWarning("skipped: a codingkit results folder (it holds "
                                       "codingkit's manifest.json); expected transcripts, "
                                       "not codingkit's own tables", path=d), stacklevel=4)
    return found


def _walk(folder: Path, format: str | None, strict: bool = False
          ) -> tuple[list[tuple[Path, str]], list[Path]]:
    """Files (path, source) in a folder, sorted, and the manifests found in it.

    Folders and files that cannot be read, and entries that are not regular
    files (a named pipe, a device, a broken symbolic link), are skipped with
    a warning naming them; with ``strict`` an unreadable folder or file is
    an error (E113). Symbolic links to folders are not followed.
    """
    from .limits import file_kind

    files: list[tuple[Path, str]] = []
    manifests: list[Path] = []

    def unreadable(exc: OSError) -> None:  # (hidden folders are never walked into)
        where = Path(exc.filename) if exc.filename else folder
        reason = exc.strerror or str(exc)
        if strict:
            raise InputError(f"folder cannot be read ({reason}); its transcripts would be "
                             "missing (fix its permissions, or leave out --strict to skip it)",
                             path=where, code="E113")
        warnings.warn(CodingkitWarning(f"skipped: folder cannot be read ({reason}); its "
                                       "transcripts are missing", path=where), stacklevel=4)

    entries: list[Path] = []
    for root, dirs, names in os.walk(folder, onerror=unreadable):
        base = Path(root)
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))  # see _hidden
        entries.extend(base / n for n in names)
    entries.sort(key=lambda p: p.relative_to(folder).as_posix())
    skip = _results_folders(folder, entries)
    for p in entries:
        rel = p.relative_to(folder)
        if _hidden(rel) or (skip and any(d in skip for d in p.parents)):
            continue
        is_manifest = p.name.casefold() == MANIFEST_NAME
        if not is_manifest and format is None and p.suffix.lower() not in SUFFIXES:
            warnings.warn(CodingkitWarning(f"skipped: unknown file type {p.suffix or '(none)'!r}; "
                                           f"expected {', '.join(SUFFIXES)}", path=p),
                          stacklevel=3)
            continue
        try:
            kind = file_kind(p.stat().st_mode)
        except OSError as exc:
            reason = exc.strerror or str(exc)
            if strict:
                raise InputError(f"cannot be read ({reason}); expected a transcript file "
                                 "(leave out --strict to skip it)", path=p, code="E113") from None
            warnings.warn(CodingkitWarning(f"skipped: cannot be read ({reason})", path=p),
                          stacklevel=3)
            continue
        if kind is not None:
            warnings.warn(CodingkitWarning(f"skipped: {kind}, not a regular file", path=p),
                          stacklevel=3)
            continue
        if is_manifest:
            manifests.append(p)
            continue
        if format is None and SUFFIXES.get(p.suffix.lower()) == "survey":
            from .survey import peek_codingkit_output

            own = peek_codingkit_output(p)
            if own is not None:  # e.g. suggest's granska.xlsx saved beside the transcripts
                warnings.warn(CodingkitWarning(f"skipped: {own}, not a survey", path=p),
                              stacklevel=3)
                continue
        files.append((p, unicodedata.normalize("NFC", rel.as_posix())))
    return files, manifests


def read_transcripts(
    paths: PathLike | Iterable[PathLike],
    *,
    manifest: PathLike | None = None,
    speaker_pattern: str | re.Pattern[str] | None = None,
    text_column: str | None = None,
    id_column: str | None = None,
    format: str | None = None,
    strict: bool = False,
    progress: "Callable[[int, int], None] | None" = None,
) -> list[Transcript]:
    """Read transcripts from files and folders.

    Parameters
    ----------
    paths:
        A file or folder, or several. Folders are read recursively in sorted
        order, skipping hidden files, Word lock files (``~$...``),
        ``manifest.csv`` and files with other suffixes (with a warning).
    manifest:
        A manifest CSV (see :func:`read_manifest`). A ``manifest.csv`` in an
        input folder (or a sub-folder) is used as well; this one wins where
        both name a file.
    speaker_pattern, text_column, id_column, format:
        As in :func:`read_transcript`.
    strict:
        A sub-folder or file inside a folder that cannot be read is an
        error (E113) instead of being skipped with a warning.
    progress:
        Called with (files read, files to read) after each file (the
        command line's progress bar).

    Returns
    -------
    list of Transcript
        In input order; ``source`` is the path relative to the folder given
        (``"syd/intervju_01.txt"``), or the file's name for a file given
        directly, and ``"<file>#<id>"`` for survey answers.

    Raises
    ------
    InputError
        A file or folder that does not exist, an empty, binary or
        undecodable file, a corrupt .docx, a malformed CSV, two inputs with
        the same source name, a folder without any transcript.
    ManifestError
        A manifest without a ``file`` column or naming missing files.
    """
    files = input_files(paths, manifest=manifest, speaker_pattern=speaker_pattern,
                        text_column=text_column, id_column=id_column, format=format,
                        strict=strict)
    return read_files(files, progress=progress)


def read_files(files: "Iterable[InputFile]", *,
               progress: "Callable[[int, int], None] | None" = None) -> list[Transcript]:
    """The transcripts of :func:`input_files`' files, in order
    (``progress(done, total)`` after each file)."""
    return [t for _, found in iter_files(files, progress=progress) for t in found]


def iter_files(files: "Iterable[InputFile]", *,
               progress: "Callable[[int, int], None] | None" = None
               ) -> "Iterator[tuple[InputFile, list[Transcript]]]":
    """Each of :func:`input_files`' files with its transcripts, read in
    order (``progress(done, total)`` before and after each file)."""
    files = list(files)
    for done, f in enumerate(files):
        if progress is not None:
            progress(done, len(files))
        yield f, f.read()
    if progress is not None:
        progress(len(files), len(files))


@dataclass(frozen=True)
class InputFile:
    """One file of a run's input, found and named but not yet read
    (:func:`input_files`); :meth:`read` reads it, as often as needed."""

    path: Path
    #: its name in the output tables (see :func:`read_transcripts`)
    source: str
    #: the reading options and the file's row of the manifest
    options: dict = field(default_factory=dict, compare=False)

    def read(self) -> list[Transcript]:
        """The file's transcripts (one; a survey's answers)."""
        return _read_file(self.path, self.source, **self.options)


def input_files(
    paths: PathLike | Iterable[PathLike],
    *,
    manifest: PathLike | None = None,
    speaker_pattern: str | re.Pattern[str] | None = None,
    text_column: str | None = None,
    id_column: str | None = None,
    format: str | None = None,
    strict: bool = False,
) -> list[InputFile]:
    """The files :func:`read_transcripts` reads, in its order, with their
    source names and manifest rows, without reading them (the parameters
    and errors are its own, except those a file's contents raise)."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    paths = list(paths)
    jobs: list[tuple[Path, str]] = []
    manifest_files: list[Path] = []
    for item in paths:
        p = Path(item)
        if not p.exists():
            raise _missing(p)
        if p.is_dir():
            files, found = _walk(p, format, strict)
            if not files:
                raise InputError(f"no transcripts in this folder; expected files ending in "
                                 f"{', '.join(SUFFIXES)}", path=p, code="E110")
            jobs.extend(files)
            manifest_files.extend(found)
        else:
            from .limits import file_kind, not_regular

            kind = file_kind(p.stat().st_mode)
            if kind is not None:  # a named pipe or device given by name, whatever its suffix
                raise not_regular(p, kind)
            jobs.append((p, unicodedata.normalize("NFC", p.name)))
    if manifest is not None:
        manifest_files.append(Path(manifest))
        from .limits import check_regular

        check_regular(manifest, "a manifest file (CSV)")   # a named pipe: E111
        if not Path(manifest).is_file():
            raise InputError("no such manifest file", path=manifest, code="E101")

    if not manifest_files:
        manifest_files.extend(_parent_manifests(paths, jobs))

    # keys are NFC strings: macOS may hand out "å" decomposed in file names
    by_file: dict[str, dict[str, str]] = {}
    for m in manifest_files:  # later manifests (the explicit one) win
        for file, meta in read_manifest(m).items():
            key = unicodedata.normalize("NFC", str((m.parent / file).resolve()))
            by_file[key] = {**by_file.get(key, {}), **meta}

    out: list[InputFile] = []
    seen_paths: set[Path] = set()
    seen_sources: dict[str, Path] = {}
    for p, source in jobs:
        resolved = p.resolve()
        if resolved in seen_paths:
            continue
        seen_paths.add(resolved)
        if source in seen_sources:
            raise InputError(f"has the same source name {source!r} as {seen_sources[source]}; "
                             "expected unique names (give their common folder instead)",
                             path=p, code="E109")
        seen_sources[source] = p
        out.append(InputFile(p, source, {
            "format": format, "speaker_pattern": speaker_pattern,
            "text_column": text_column, "id_column": id_column,
            "manifest_meta": by_file.get(unicodedata.normalize("NFC", str(resolved)))}))
    return out

