"""A review project: the turns ``codingkit suggest`` chose, as a ``.qdpx`` to code.

:func:`write_review_project` writes one ``TextSource`` per suggested turn,
whose text is the turn's text exactly, named ``"<transcript> · tur <n>"``.
The project's codes are the codebook's themes (as ``codingkit
export-codebook`` writes them), and nothing is coded: the reviewer codes
each turn from scratch. Each source's ``Description`` (the source's memo in
QualCoder) shows the interviewer's question before the turn and
codingkit's guess with its scores, and ends in a line that says which turn
the source is::

    codingkit-granska: syd/01_ip.txt · tur 12 · 345-678 · sha256 9f86d0…

The same line is the value of the source's variable ``codingkit_turn``.
QualCoder keeps both a source's memo and its variables when it imports and
exports a project; either one is enough for :func:`review_coding` to map
the source back to its turn. A ``Set`` named ``granska`` holds every source,
and the project's ``Description`` says that each source is one turn.

Read back (:func:`review_coding`, used by ``--learn-from granska.qdpx`` and
``evaluate --gold granska.qdpx``), **every source that carries the line is a
reviewed turn**: a code coded anywhere in it (by anyone but codingkit itself)
is that theme present, a source without a coding is a turn reviewed and
about no theme. A turn the reviewer did not get to is removed from the
project before it is exported. The other turns of the transcripts are not
part of the review and count for nothing.

The sha256 is of the turn's text (NFC, ``\\n`` line breaks, without the
whitespace at its ends): a source whose text was edited no longer maps to
its turn, and is refused (E634).
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import os
import re
import unicodedata
import warnings
import zipfile
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from lxml import etree

from .. import __version__
from ..errors import CodingkitWarning, EvaluationError, RefiQdaError
from ._common import (
    PROJECT_NS,
    atomic_write_bytes,
    make_guid,
    serialize,
    utc_timestamp,
    xml_safe,
)
from .codebook import _check_exportable, code_elements
from .project import AUTOMATIC_USER, flat_source_names

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ..suggest import Suggestions
    from .importer import ImportedProject

#: The variable of each source that names its turn (the same line as in its Description).
TURN_VARIABLE = "codingkit_turn"
#: The name of the Set holding every source of a review project.
SET_NAME = "granska"
#: How the line naming a source's turn starts.
MARKER = "codingkit-granska:"

_MARKER_RE = re.compile(
    r"^\s*" + re.escape(MARKER) + r"\s*(?P<source>.+?) · tur (?P<turn>\d+) · "
    r"(?P<start>\d+)-(?P<end>\d+) · sha256 (?P<sha>[0-9a-f]{64})\s*$", re.MULTILINE)

_NS = PROJECT_NS

_PROJECT_DESCRIPTION = (
    "Granskning från codingkit suggest: varje källa (dokument) är ett svar (en tur) ur en "
    "intervju, valt där codingkit är som mest osäkert. Koda varje svar med de teman det "
    "handlar om, efter kodboken. Ett svar som inte handlar om något tema lämnar du okodat: "
    "en källa utan kodning räknas som granskad, utan tema. Ta bort de källor du inte hinner "
    "granska innan du exporterar projektet. Ändra inte källornas text och inte raden "
    "'codingkit-granska' i deras beskrivning (memo). Lär codingkit av projektet med: "
    "codingkit apply intervjuer/ --learn-from {name} --out resultat/")


@dataclasses.dataclass(frozen=True)
class ReviewTurn:
    """The turn a source of a review project stands for."""

    source: str
    turn: int
    start: int
    end: int
    sha256: str

    def line(self) -> str:
        return (f"{MARKER} {self.source} · tur {self.turn} · {self.start}-{self.end} · "
                f"sha256 {self.sha256}")


def turn_hash(text: str) -> str:
    """The sha256 of a turn's text as a review project records it: NFC,
    ``\\n`` line breaks, without the whitespace at its ends.

    >>> turn_hash("Vi bjöd in dem.\\r\\n") == turn_hash("Vi bjöd in dem.")
    True
    """
    norm = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n")).strip()
    return hashlib.sha256(norm.encode("utf-8")).hexdigest()


def parse_marker(text: str | None) -> ReviewTurn | None:
    """The turn named by a ``codingkit-granska:`` line in ``text``, or ``None``."""
    m = _MARKER_RE.search(text or "")
    if m is None:
        return None
    return ReviewTurn(m["source"].strip(), int(m["turn"]), int(m["start"]), int(m["end"]),
                      m["sha"])


def _e(parent, element: str, /, **attrs: str | None):
    tag = f"{{{_NS}}}{element}"
    el = etree.Element(tag) if parent is None else etree.SubElement(parent, tag)
    for k, v in attrs.items():
        if v is not None:
            el.set(k, v)
    return el


def _describe(row, turn: ReviewTurn) -> str:
    """The source's Description: the question, codingkit's guess, the turn's line."""
    scores = row.scores if isinstance(row.scores, dict) else {}
    guessed = [t for t in str(row.guess or "").split(", ") if t]
    guess = ", ".join(f"{t} ({scores[t]:.2f})" if t in scores else t for t in guessed)
    meta = ", ".join(f"{k} {v}" for k, v in (("projekt", row.project), ("omgång", row.round),
                                              ("roll", row.role)) if v)
    lines = [
        f"Fråga före svaret: {' '.join(str(row.question or '').split()) or '(ingen)'}",
        f"codingkits gissning: {guess or 'inget tema'}",
        f"Osäkrast: {row.theme} ({float(row.score):.2f})",
        f"Intervju: {row.source}, tur {int(row.turn)}" + (f" ({meta})" if meta else ""),
        ("Koda svaret från början efter kodboken, inte efter gissningen. Inget tema: lämna "
         "det okodat."),
        turn.line(),
    ]
    return xml_safe("\n".join(lines))


_SUFFIX = re.compile(r"\.(txt|md|docx|vtt|srt|csv|xlsx)$", re.IGNORECASE)


def _display_names(sources: list[str]) -> dict[str, str]:
    """A flat name per transcript for its turns' sources (``syd/02_ip.docx`` →
    ``syd_02_ip``), without the file type where that keeps the names apart."""
    stems = [_SUFFIX.sub("", s) for s in sources]
    if len({s.lower() for s in stems}) < len(stems):
        return flat_source_names(sources)
    flat = flat_source_names(stems)
    return {source: flat[stem] for source, stem in zip(sources, stems)}


def review_qdpx_bytes(suggestions: "Suggestions", *, name: str = "granska.qdpx",
                      created: datetime | None = None) -> bytes:
    """The ``.qdpx`` archive of :func:`write_review_project`, as bytes."""
    created = created or datetime.now(timezone.utc)
    stamp = utc_timestamp(created)
    codebook = suggestions.codebook
    themes = [t for t in suggestions.themes if t in codebook]
    # the project's codes: the themes, codable (the review codes themes)
    book = dataclasses.replace(codebook, codes={
        t: dataclasses.replace(codebook[t], codable=True) for t in themes})
    _check_exportable(book, name)
    user = make_guid("user", AUTOMATIC_USER)

    root = etree.Element(f"{{{_NS}}}Project", nsmap={None: _NS})
    root.set("name", xml_safe(f"codingkit granskning – {Path(name).stem}"))
    root.set("origin", f"codingkit {__version__}")
    root.set("creatingUserGUID", user)
    root.set("creationDateTime", stamp)
    root.set("modifyingUserGUID", user)
    root.set("modifiedDateTime", stamp)
    _e(_e(root, "Users"), "User", guid=user, name=AUTOMATIC_USER)
    codes = _e(_e(root, "CodeBook"), "Codes")
    for el in code_elements(book, _NS):
        codes.append(el)

    table = suggestions.table
    texts: dict[str, str] = {}
    guids: list[str] = []
    if len(table):
        variable = make_guid("variable", TURN_VARIABLE)
        _e(_e(root, "Variables"), "Variable", guid=variable, name=TURN_VARIABLE,
           typeOfVariable="Text")
        flat = _display_names(sorted(set(table["source"])))
        sources = _e(root, "Sources")
        for row in table.itertuples(index=False):
            text = str(row.text)
            if "\r" in text or unicodedata.normalize("NFC", text) != text:
                raise RefiQdaError(f"turn {row.turn} of {row.source!r} is not NFC text with \\n "
                                   "line breaks; expected text as codingkit's readers produce it",
                                   path=name, code="E520")
            turn = ReviewTurn(str(row.source), int(row.turn), int(row.start), int(row.end),
                              turn_hash(text))
            guid = make_guid("review-source", f"{row.source}:{int(row.turn)}")
            guids.append(guid)
            texts[f"sources/{guid}.txt"] = text
            ts = _e(sources, "TextSource", guid=guid,
                    name=xml_safe(f"{flat[row.source]} · tur {int(row.turn)}"),
                    plainTextPath=f"internal://{guid}.txt", creatingUser=user,
                    creationDateTime=stamp)
            _e(ts, "Description").text = _describe(row, turn)
            vv = _e(ts, "VariableValue")
            _e(vv, "VariableRef", targetGUID=variable)
            _e(vv, "TextValue").text = xml_safe(turn.line())
        sets = _e(root, "Sets")
        s = _e(sets, "Set", guid=make_guid("set", SET_NAME), name=SET_NAME)
        _e(s, "Description").text = "Svaren (turerna) att granska, ett per källa."
        for guid in guids:
            _e(s, "MemberSource", targetGUID=guid)
    _e(root, "Description").text = xml_safe(_PROJECT_DESCRIPTION.format(name=Path(name).name))

    date = created.astimezone(timezone.utc).timetuple()[:6]
    if date[0] < 1980:
        date = (1980, 1, 1, 0, 0, 0)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for entry, data in [("project.qde", serialize(root))] + [
                (k, v.encode("utf-8")) for k, v in texts.items()]:
            info = zipfile.ZipInfo(entry, date_time=date)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    return buf.getvalue()


def write_review_project(suggestions: "Suggestions", path: str | os.PathLike[str], *,
                         created: datetime | None = None) -> Path:
    """Write the turns :func:`codingkit.suggest.suggest` chose as a REFI-QDA
    project to code in QualCoder, NVivo, ATLAS.ti or MAXQDA (atomically).

    One text source per turn (the turn's text exactly), the codebook's themes
    as codes, no codings; see the module's documentation for what each
    source records and how :func:`review_coding` reads the coded project.

    Raises
    ------
    RefiQdaError
        E501 no theme to code with, E520 a turn that is not NFC text with
        ``\\n`` line breaks.
    """
    path = Path(path)
    return atomic_write_bytes(path, review_qdpx_bytes(suggestions, name=path.name,
                                                      created=created))


def review_turns(project: "ImportedProject") -> dict[str, ReviewTurn]:
    """Source name → the turn it stands for, for the sources of a review
    project that name one (variable ``codingkit_turn`` or the
    ``codingkit-granska:`` line of the Description); empty for any other
    project."""
    out: dict[str, ReviewTurn] = {}
    for name in project.sources:
        turn = (parse_marker(project.metadata.get(name, {}).get(TURN_VARIABLE))
                or parse_marker(project.descriptions.get(name)))
        if turn is not None:
            out[name] = turn
    return out


def review_coding(project: "ImportedProject"
                  ) -> tuple["pd.DataFrame", "pd.DataFrame"] | None:
    """The turn coding of a coded review project: ``(codings, turns)``.

    ``codings`` has a row ``source, turn, code, coder`` per turn × code
    coded in its source (by anyone but "codingkit (automatic)"), ``turns``
    a row ``source, turn`` per source of the project: every one a turn
    reviewed, those without a coding about no theme. ``None`` when the
    project is not a review project (no source names its turn).

    Raises
    ------
    EvaluationError
        E634 a source whose text is not the turn's text any more (edited),
        naming the source; E602 a review project in which nothing is coded
        (not reviewed yet).

    Warns
    -----
    CodingkitWarning
        For sources without the turn's line (added by hand: left out).
    """
    import pandas as pd

    turns = review_turns(project)
    if not turns:
        return None
    where = str(project.path)
    for name, turn in turns.items():
        if turn_hash(project.sources[name]) != turn.sha256:
            raise EvaluationError(
                f"source {name!r} (turn {turn.turn} of {turn.source!r}) was edited: its text is "
                "not the turn's text any more, so its coding cannot be mapped back; undo the "
                "edit, or remove the source from the project", path=where, code="E634")
    other = sorted(set(project.sources) - set(turns))
    if other:
        warnings.warn(CodingkitWarning(
            f"{len(other)} source(s) of the review project name no suggested turn (no "
            f"'{MARKER}' line) and are left out, e.g. {other[0]!r}", path=where), stacklevel=3)
    sel = project.selections
    sel = sel[sel["source"].isin(list(turns)) & (sel["coder"] != AUTOMATIC_USER)]
    rows = [(turns[s].source, turns[s].turn, c, coder)
            for s, c, coder in zip(sel["source"], sel["code"], sel["coder"])]
    codings = pd.DataFrame(rows, columns=["source", "turn", "code", "coder"])
    codings = codings.drop_duplicates(subset=["source", "turn", "code"]).reset_index(drop=True)
    read = pd.DataFrame(sorted({(t.source, t.turn) for t in turns.values()}),
                        columns=["source", "turn"])
    if codings.empty:
        raise EvaluationError(
            f"nothing coded yet: none of the {len(turns)} turns of the review project has a "
            "coding; code the turns in QualCoder or NVivo and export the project again",
            path=where, code="E602")
    return codings, read
