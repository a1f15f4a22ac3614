"""Writing pseudonymised transcripts as codingkit text files plus manifest.csv."""

from __future__ import annotations

import json
import os
from pathlib import Path, PurePosixPath
from typing import Sequence

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


def write_pseudonymized(transcripts: Sequence[Transcript],
                        out_dir: str | os.PathLike[str], *,
                        key_sha256: str | None = None,
                        pseudonym_format: str | None = None) -> list[Path]:
    """Write each transcript as ``<source without suffix>.txt``, a
    manifest.csv (file + metadata) and the marker :data:`MARKER` (what
    wrote the folder, the key's sha256 and the pseudonym format, no path);
    returns the paths written, the marker first."""
    from .. import __version__

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
    for t in transcripts:
        rel = PurePosixPath(t.source.replace("#", "_")).with_suffix(".txt")
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
