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

Besides the themes, the project has two more codes: :data:`NO_THEME_LABEL`
(``granskad – inget tema``, id :data:`NO_THEME_ID`): the reviewer codes a
turn that is about no theme with it (anywhere in the source); and
:data:`OFF_TOPIC_LABEL` (``granskad – om annat``, id :data:`OFF_TOPIC_ID`):
a turn about something else than the evaluated work, though it may use a
theme's words (private life, other work), which teaches the coder's topic
check (:mod:`codingkit.coding.topic`), as the column ``om_annat`` of the
coding sheet does.

Read back (:func:`review_coding`, used by ``--learn-from granska.qdpx`` and
``evaluate --gold granska.qdpx``), **a source with at least one coding is a
reviewed turn**, as a row of the coding sheet with a theme cell filled in: a
theme coded anywhere in it (by anyone but codingkit itself) is that theme
present, its other themes absent; a source coded only with the no-theme code
is a turn reviewed and about no theme. **A source without any coding is a
turn not read yet** and is left out (with a warning saying how many), so a
reviewer can stop anywhere, as in the sheet. A code named ``granskad – inget
tema`` or ``inget tema`` that the reviewer added (a project written before
codingkit wrote that code) counts as the no-theme code. Only review projects
(their sources carry the line below) are read so: in any other project (an
export of ``apply``'s coding, reviewed) every respondent turn of a coded
transcript is read, as before. The other turns of the transcripts are not
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
from typing import TYPE_CHECKING, Callable

from lxml import etree

from .. import __version__
from ..errors import CodingkitWarning, EvaluationError, RefiQdaError
from ..model import Code
from ._common import (
    PROJECT_NS,
    atomic_write_bytes,
    make_guid,
    serialize,
    utc_timestamp,
    xml_safe,
)
from .codebook import _check_exportable, code_elements, slugify
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
#: The code a reviewer codes a turn about no theme with: the turn was read.
NO_THEME_ID = "granskad_inget_tema"
NO_THEME_LABEL = "granskad – inget tema"
#: A code whose name (or id) slugs to one of these is the no-theme code.
_NO_THEME_SLUGS = frozenset({NO_THEME_ID, "inget_tema"})
_NO_THEME_DESCRIPTION = (
    "Inget tema: koda ett svar (en källa) med den här koden när du har läst det och det inte "
    "handlar om något av temana. En källa utan någon kodning räknas som inte läst ännu och "
    "lämnas utanför. Koden är inget tema: codingkit lär sig inte av den.")

#: The code a reviewer codes a turn about something else than the evaluated work with.
OFF_TOPIC_ID = "granskad_om_annat"
OFF_TOPIC_LABEL = "granskad – om annat"
_OFF_TOPIC_SLUGS = frozenset({OFF_TOPIC_ID})
_OFF_TOPIC_DESCRIPTION = (
    "Om annat: koda ett svar (en källa) med den här koden när det handlar om något annat än "
    "det som utvärderas (privatliv, ett annat jobb, en annan organisation) fast det använder "
    "ett temas ord, som 'jag har lärt mig sjunga' eller 'budgeten för sommarstugan'. codingkit "
    "lär sig då att inte koda sådana svar. Koden är inget tema.")

_MARKER_RE = re.compile(
    r"^\s*" + re.escape(MARKER) + r"\s*(?P<source>.+?) · tur (?P<turn>\d+) · "
    r"(?P<start>\d+)-(?P<end>\d+) · sha256 (?P<sha>[0-9a-f]{64})\s*$", re.MULTILINE)

_NS = PROJECT_NS

_PROJECT_DESCRIPTION = (
    "Granskning från codingkit suggest: varje källa (dokument) är ett svar (en tur) ur en "
    "intervju, valt där codingkit är som mest osäkert. Koda varje svar med de teman det "
    "handlar om, efter kodboken. Ett svar som inte handlar om något tema kodar du med koden "
    "'granskad – inget tema'. En källa utan någon kodning räknas som inte läst ännu och "
    "lämnas utanför, så du kan sluta var du vill. Ändra inte källornas text och inte raden "
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
        ("Koda svaret från början efter kodboken, inte efter gissningen. Inget tema: koda "
         f"det med '{NO_THEME_LABEL}' (en källa utan kodning räknas som inte läst). Handlar "
         f"det om något annat än det som utvärderas (privatliv, annat arbete): koda det med "
         f"'{OFF_TOPIC_LABEL}'."),
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
    # and, after the themes, the codes for a turn read that is about no theme
    # and for a turn about something else than the evaluated work
    extra = {cid: Code(id=cid, label=label, description=text, color=color)
             for cid, label, text, color in (
                 (NO_THEME_ID, NO_THEME_LABEL, _NO_THEME_DESCRIPTION, "#A0A0A0"),
                 (OFF_TOPIC_ID, OFF_TOPIC_LABEL, _OFF_TOPIC_DESCRIPTION, "#C8A0A0"))
             if cid not in book.codes}
    book = dataclasses.replace(book, codes={**book.codes, **extra})
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
    PseudonymError
        E808 ``path`` inside a folder of pseudonymised results or copies
        when the turns are not pseudonymised
        (:attr:`~codingkit.suggest.Suggestions.pseudonymized`,
        :func:`check_review_location`).
    """
    check_review_location(path, unless=lambda: suggestions.pseudonymized)
    path = Path(path)
    return atomic_write_bytes(path, review_qdpx_bytes(suggestions, name=path.name,
                                                      created=created))


def check_review_location(path: str | os.PathLike[str], *,
                          unless: Callable[[], bool] | None = None) -> None:
    """E808 when the coding sheet (``.xlsx``) or review project (``.qdpx``)
    ``path`` is inside a folder of pseudonymised results or copies, which
    is meant to be shared, and its turns are not of pseudonymised copies
    (``unless``: asked only then, true when they are). The one check, and
    message, of :func:`write_review_project`,
    :func:`~codingkit.suggest.write_review_sheet` and ``codingkit suggest
    --out``."""
    from ..pseudonymize import check_shared_output

    kind = "project" if Path(path).suffix.lower() == ".qdpx" else "sheet"
    check_shared_output(path, f"the {kind} would quote turns of transcripts that are not "
                        "pseudonymised copies",
                        instead=", or choose the turns from the pseudonymised copies",
                        unless=unless)


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


def is_no_theme_code(code_id: str, name: str | None = None) -> bool:
    """Whether a code of a review project is the no-theme code: codingkit's
    (:data:`NO_THEME_ID`) or one a reviewer added named ``granskad – inget
    tema`` or ``inget tema`` (any case, dashes or spaces)."""
    return _named(code_id, name, _NO_THEME_SLUGS)


def is_off_topic_code(code_id: str, name: str | None = None) -> bool:
    """Whether a code of a review project is the about-something-else code:
    codingkit's (:data:`OFF_TOPIC_ID`) or one a reviewer added named
    ``granskad – om annat`` (any case, dashes or spaces; not ``om annat``
    alone, which a codebook may use for a theme)."""
    return _named(code_id, name, _OFF_TOPIC_SLUGS)


def _named(code_id: str, name: str | None, slugs: frozenset[str]) -> bool:
    """Whether a code's id (its last part) or its name slugs to one of ``slugs``."""
    return (str(code_id).rsplit(".", 1)[-1] in slugs
            or slugify(str(name or "")) in slugs)


def review_coding(project: "ImportedProject"
                  ) -> tuple["pd.DataFrame", "pd.DataFrame"] | None:
    """The turn coding of a coded review project: ``(codings, turns)``.

    ``codings`` has a row ``source, turn, code, coder`` per turn × code
    coded in its source (by anyone but "codingkit (automatic)"), the
    no-theme and about-something-else codes left out; ``turns`` a row
    ``source, turn, off_topic`` per source with at least one such coding
    (those two codes too): the turns read, ``off_topic`` true for those coded
    :data:`OFF_TOPIC_LABEL`. A
    source without any coding is a turn not read yet: left out, with a
    warning saying how many were read and left out. ``None`` when the
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
        For sources without the turn's line (added by hand: left out); for
        sources without any coding (not read yet: left out).
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
    names = sel["code_name"] if "code_name" in sel else [None] * len(sel)
    other_ = [is_off_topic_code(c, n) for c, n in zip(sel["code"], names)]
    nothing = [is_no_theme_code(c, n) or o for c, n, o in zip(sel["code"], names, other_)]
    # a source with any coding was read; the no-theme and om-annat codes code no theme
    read_sources = set(sel["source"])
    off_sources = {s for s, o in zip(sel["source"], other_) if o}
    rows = [(turns[s].source, turns[s].turn, c, coder)
            for s, c, coder, no in zip(sel["source"], sel["code"], sel["coder"], nothing)
            if not no]
    codings = pd.DataFrame(rows, columns=["source", "turn", "code", "coder"])
    codings = codings.drop_duplicates(subset=["source", "turn", "code"]).reset_index(drop=True)
    if not read_sources:
        raise EvaluationError(
            f"nothing coded yet: none of the {len(turns)} turns of the review project has a "
            "coding; code the turns in QualCoder or NVivo (a turn about no theme with "
            f"'{NO_THEME_LABEL}') and export the project again", path=where, code="E602")
    read = pd.DataFrame(sorted({(turns[s].source, turns[s].turn, s in off_sources)
                               for s in read_sources}),
                        columns=["source", "turn", "off_topic"])
    unread = len(turns) - len(read_sources)
    if unread:
        with_theme = set(zip(codings["source"], codings["turn"]))
        off = {(turns[s].source, turns[s].turn) for s in off_sources} - with_theme
        others = f", {len(off)} '{OFF_TOPIC_LABEL}'" if off else ""
        warnings.warn(CodingkitWarning(
            f"read {len(read_sources)} of the {len(turns)} turns of the review project as "
            f"coded ({len(with_theme)} with a theme, "
            f"{len(read_sources) - len(with_theme) - len(off)} '{NO_THEME_LABEL}'{others}); "
            f"the {unread} source(s) without any coding are left out as "
            f"not read yet (code a turn you read that is about no theme with "
            f"'{NO_THEME_LABEL}')", path=where), stacklevel=3)
    return codings, read
