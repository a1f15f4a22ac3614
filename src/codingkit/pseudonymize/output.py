"""Writing pseudonymised transcripts as codingkit text files plus manifest.csv."""

from __future__ import annotations

import json
import os
from pathlib import Path, PurePosixPath
from typing import Sequence

from ..errors import PseudonymError
from ..fileio import atomic_write_text
from ..model import Transcript
from ..tables import csv_text

#: The file that marks a folder of pseudonymised copies (``codingkit
#: pseudonymize --out``): ``apply`` codes its ``.txt`` files as a
#: pseudonymised run (:func:`~codingkit.pseudonymize.copies_options`),
#: ``depseudonymize`` writes no restored table inside it (E806) and no other
#: command texts that are not pseudonymised (E808). Hidden, so that reading
#: the folder as transcripts skips it.
MARKER = ".codingkit-pseudonymized.json"

#: Header names for codingkit's metadata keys.
HEADER_NAMES = {"project": "Projekt", "round": "Omgång", "role": "Roll",
                "interviewer": "Intervjuare"}


def _label(speaker: str | None) -> str:
    """A speaker label the text reader recognises: ``[Person 1]`` is written
    ``Person 1``."""
    return (speaker or "Talare").strip("[]")


def transcript_text(t: Transcript) -> str:
    """The transcript as codingkit text: header lines, a blank line, turns
    (``Label: text``) separated by blank lines. A turn keeps its own line
    and paragraph breaks (``--unit paragraph`` segments the copy as the
    original); only spaces and tabs within a line are collapsed."""
    lines = []
    for k, v in t.metadata.items():
        if v and "\n" not in v:
            lines.append(f"{HEADER_NAMES.get(k, k[:1].upper() + k[1:])}: {v}")
    out = "\n".join(lines) + ("\n\n" if lines else "")
    out += "\n\n".join(f"{_label(turn.speaker)}: {_turn_body(t.turn_text(turn))}"
                       for turn in t.turns)
    return out + "\n"


def _turn_body(text: str) -> str:
    """A turn's text with its line breaks, each line's spaces collapsed and
    at most one blank line between paragraphs."""
    lines = [" ".join(line.split()) for line in text.split("\n")]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip("\n")


#: Characters Windows does not allow in a file name (``:`` neither macOS's
#: Finder), and ``/``: a pseudonym with one of them gives no copy name to share.
UNSAFE_IN_NAMES = frozenset('<>:"\\|?*/')


def copy_name(source: str) -> PurePosixPath:
    """The path of a transcript's copy in the folder of copies: its
    (pseudonymised) source with ``.txt`` for its suffix (``#`` of a survey
    answer's source written ``_``)."""
    return PurePosixPath(source.replace("#", "_")).with_suffix(".txt")


def check_copy_names(transcripts: Sequence[Transcript], *,
                     originals: Sequence[str] | None = None,
                     pseudonym_format: str | None = None) -> list[PurePosixPath]:
    """The copies' paths (:func:`copy_name`), each its own.

    ``originals``: the transcripts' source names before pseudonymisation,
    named in the errors (else the pseudonymised ones are).

    Raises
    ------
    PseudonymError
        E809 when two transcripts would be written as one copy (also where
        the names differ only in case, one file on Windows and macOS:
        ``a.docx`` and ``a.txt``, or two names that are one once
        pseudonymised); E810 when a copy's name would hold a pseudonym with
        a character of :data:`UNSAFE_IN_NAMES` (a ``pseudonym_format`` such
        as ``"<{type} {n}>"``).
    """
    names = list(originals) if originals is not None else [t.source for t in transcripts]
    pseudonym = _pseudonym_re(pseudonym_format)
    seen: dict[str, int] = {}
    out = []
    for i, t in enumerate(transcripts):
        if pseudonym is not None:
            for m in pseudonym.finditer(t.source):
                bad = sorted(set(m.group()) & UNSAFE_IN_NAMES)
                if bad:
                    raise PseudonymError(
                        f"the copy of {names[i]!r} would be named {t.source!r}, whose "
                        f"pseudonym {m.group()!r} holds {bad[0]!r}, which Windows does not "
                        "allow in a file name; expected a --pseudonym-format without "
                        '<>:"/\\|?* (e.g. the default \'[{type} {n}]\', with a new key)',
                        path=t.path or names[i], code="E810")
        rel = copy_name(t.source)
        other = seen.setdefault(str(rel).casefold(), i)
        if other != i:
            raise PseudonymError(
                f"{names[other]!r} and {names[i]!r} would both be written as the copy "
                f"{str(rel)!r}; expected a copy of its own for each (rename one of the "
                "files, or pseudonymise them apart into two folders)",
                path=t.path or names[i], code="E809")
        out.append(rel)
    return out


def _pseudonym_re(pseudonym_format: str | None) -> "re.Pattern[str] | None":
    """What the pseudonyms of ``pseudonym_format`` look like (any type)."""
    import re

    if not pseudonym_format:
        return None
    return re.compile(re.escape(pseudonym_format).replace(r"\{type\}", "[^\\d]+?")
                      .replace(r"\{n\}", r"\d+"))


def write_pseudonymized(transcripts: Sequence[Transcript],
                        out_dir: str | os.PathLike[str], *,
                        key_sha256: str | None = None,
                        pseudonym_format: str | None = None,
                        originals: Sequence[str] | None = None) -> list[Path]:
    """Write each transcript as ``<source without suffix>.txt`` (its
    source's folders and file name as pseudonymised, e.g. ``Intervju
    [Person 1].txt``), a manifest.csv (file + metadata) and the marker
    :data:`MARKER` (what wrote the folder, the key's sha256 and the
    pseudonym format, no path); returns the paths written, the marker first.

    Raises
    ------
    PseudonymError
        E809, E810 (:func:`check_copy_names`, ``originals`` the source names
        before pseudonymisation, named in the error), before anything is written.
    """
    from .. import __version__

    names = check_copy_names(transcripts, originals=originals,
                             pseudonym_format=pseudonym_format)
    out = Path(out_dir)
    # the marker first: a folder cut short by an error still says what it is
    marker = out / MARKER
    atomic_write_text(marker, json.dumps(
        {"pseudonymized": True, "written_by": f"codingkit {__version__} pseudonymize",
         "pseudonym_key_sha256": key_sha256, "pseudonym_format": pseudonym_format},
        ensure_ascii=False, indent=1) + "\n")
    written = [marker]
    rows = []
    keys: dict[str, None] = {}
    for t, rel in zip(transcripts, names):
        path = out.joinpath(*rel.parts)
        atomic_write_text(path, transcript_text(t))
        written.append(path)
        rows.append({"file": str(rel), **t.metadata})
        keys.update(dict.fromkeys(t.metadata))
    columns = ["file", *keys]
    atomic_write_text(out / "manifest.csv",
                      csv_text(columns, ([row.get(c, "") for c in columns] for row in rows)))
    written.append(out / "manifest.csv")
    return written
