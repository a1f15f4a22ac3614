"""Plain-text transcripts (``.txt``, ``.md``): speaker turns and header.

Swedish transcribers write speaker turns in many ways. All of these are
recognised without configuration::

    I: Hur började ni?                      IP1: Vi började med ...
    Intervjuare: ...   Respondent: ...      Svarande: ...   Informant: ...
    Karin: ...   KARIN: ...   Karin Ek: ...
    **Karin:** ...   **Karin**: ...         (markdown)
    [00:03:12] Karin Ek: ...   (00:03:12) Karin: ...   00:03:12 Karin: ...

A turn runs over lines and paragraphs until the next speaker label. Text
before the first turn is a *header*; its ``Key: value`` lines become
metadata (``Projekt`` → ``project``, ``Omgång``/``Runda`` → ``round``,
``Roll`` → ``role``, ``Intervjuare`` → ``interviewer``; other keys are kept,
lower-cased).

What is a speaker label?
------------------------
A short name-like prefix at the start of a line, followed by ``:`` and a
space: a known code (``I``, ``IP``, ``IP1``, ``R``, ``Int``, ``Intervjuare``,
...) or one to four capitalised words. Such a prefix counts as a speaker
only if it is a known code, or appears as a label at least twice in the
file, or is the header's ``Intervjuperson``/``Intervjuare``. Words that
introduce notes (``Obs:``, ``Notera:``, ``Kommentar:``, ``Exempel:``, ...)
never do, and neither does ``kl. 10:30`` or a sentence with a colon in it
("Det viktiga var: att ...").

If the transcripts use a convention of their own, pass ``speaker_pattern``:
a regular expression with a named group ``speaker``, matched at the start of
each line; the text after the match is the turn's text.
"""

from __future__ import annotations

import os
import re
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping

from ..errors import CodingkitWarning
from ..model import Transcript, Turn, strip_span
from ..patterns import PatternTimeoutError, UserPattern, compile_user_pattern

# --------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------

#: Speaker codes recognised on first sight (case-insensitive, optionally
#: followed by a number: ``IP1``, ``Intervjuare 2``).
KNOWN_SPEAKER_CODES = frozenset(
    {"i", "ip", "r", "int", "intervjuare", "intervjuaren", "intervjuperson", "respondent",
     "respondenten", "svarande", "informant", "informanten", "moderator", "interviewer",
     "interviewee", "deltagare"}
)

#: Header keys mapped to codingkit's metadata names; other keys are kept
#: lower-cased.
METADATA_KEYS = {
    "projekt": "project", "project": "project",
    "omgång": "round", "runda": "round", "round": "round",
    "roll": "role", "role": "role",
    "intervjuare": "interviewer", "interviewer": "interviewer",
}

#: Keys that mark a header block (``Projekt: ...``, ``Datum: ...``).
HEADER_KEYS = frozenset(
    {"projekt", "project", "datum", "date", "plats", "place", "tid", "time", "roll", "role",
     "omgång", "runda", "round", "organisation", "organization", "org", "kommun", "region",
     "myndighet", "längd", "duration", "fil", "file", "transkriberad av", "transkriberare",
     "transkribering", "intervju", "intervju nr", "intervjunummer", "id", "version", "språk",
     "ämne", "titel", "title", "befattning", "titel/roll", "ort"}
)
#: Header keys that are also used as speaker labels.
AMBIGUOUS_KEYS = frozenset(
    {"intervjuare", "intervjuperson", "respondent", "informant", "svarande", "moderator",
     "interviewer", "interviewee", "deltagare"}
)

#: Prefixes that introduce a note, never a speaker.
NON_SPEAKERS = frozenset(
    {"obs", "notera", "not", "nota bene", "nb", "anm", "anmärkning", "anteckning",
     "notering", "observera", "kommentar", "kommentarer", "exempel", "ex", "ps", "kl",
     "klockan", "paus", "ohörbart", "oklart", "skratt", "citat", "källa", "länk", "bilaga",
     "bakgrund", "sammanfattning", "tema", "viktigt", "tips", "syfte", "mål", "resultat",
     "slut", "uppföljning", "note", "comment", "example", "url", "http", "https"}
) | HEADER_KEYS

_UPPER = "A-ZÅÄÖÆØÉÈÜ"
_WORD = rf"[{_UPPER}][\w'’\-]*"
_NAME = rf"{_WORD}(?:[ ](?:{_WORD}|\d+)){{0,3}}"
_TIME = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?"
_TIMESTAMP = rf"(?:\[\s*(?P<t1>{_TIME})\s*\]|\(\s*(?P<t2>{_TIME})\s*\)|(?P<t3>{_TIME}))"

#: A candidate speaker label at the start of a line.
LABEL_RE = re.compile(
    rf"^[ \t]*(?:{_TIMESTAMP}[ \t]*(?:[-–][ \t]*)?)?"
    rf"(?:\*\*(?P<b1>{_NAME}):\*\*|\*\*(?P<b2>{_NAME})\*\*:|(?P<p>{_NAME}):)"
    r"(?=\s|$)"
)

#: A ``Key: value`` line of a header (optionally in markdown bold).
KEY_VALUE_RE = re.compile(
    r"^[ \t]*(?:[-*][ \t]+)?(?:\*\*)?(?P<key>[^\W\d_][\w\-/]*(?:[ ][\w\-/]+){0,3}?)"
    r"(?:\*\*)?[ \t]*:(?:\*\*)?[ \t]*(?P<value>.*?)[ \t]*$"
)


def _is_note(name: str) -> bool:
    """Whether a label-like prefix introduces a note ("Obs", "Vinnova Obs")."""
    cf = name.casefold()
    return (cf in NON_SPEAKERS or _code_base(name) in NON_SPEAKERS
            or any(w in NON_SPEAKERS for w in cf.split()[1:]))


def _code_base(name: str) -> str:
    return re.sub(r"[ ]?\d+$", "", name).casefold()


def is_known_code(name: str) -> bool:
    """Whether ``name`` is a speaker code recognised on first sight.

    >>> is_known_code("IP1"), is_known_code("Intervjuare 2"), is_known_code("Karin")
    (True, True, False)
    """
    return _code_base(name) in KNOWN_SPEAKER_CODES


def metadata_key(key: str) -> str:
    """The metadata name of a header or column key.

    >>> metadata_key("Omgång"), metadata_key("Intervjuperson")
    ('round', 'intervjuperson')
    """
    k = key.strip().casefold()
    return METADATA_KEYS.get(k, k)


def _seconds(stamp: str | None) -> float | None:
    if not stamp:
        return None
    parts = stamp.replace(",", ".").split(":")
    total = 0.0
    for p in parts:
        total = total * 60 + float(p)
    return total


# --------------------------------------------------------------------------
# Parsing
# --------------------------------------------------------------------------


@dataclass
class ParsedText:
    """What :func:`parse_turns` finds in a text.

    ``first_turn_line`` is the 0-based line of the first turn (``None``
    when no speaker label was found).
    """

    turns: list[Turn]
    metadata: dict[str, str] = field(default_factory=dict)
    first_turn_line: int | None = None


def _lines(text: str) -> list[tuple[int, str]]:
    out, pos = [], 0
    for line in text.split("\n"):
        out.append((pos, line))
        pos += len(line) + 1
    return out


def _blocks(lines: list[tuple[int, str]]) -> list[list[int]]:
    """Indices of non-blank lines, grouped into blank-line separated blocks."""
    blocks: list[list[int]] = []
    current: list[int] = []
    for i, (_, line) in enumerate(lines):
        if line.strip():
            current.append(i)
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def _label_name(m: re.Match[str]) -> str:
    return (m.group("b1") or m.group("b2") or m.group("p")).strip()


def _short_value(kv: re.Match[str]) -> bool:
    """A header-like value: a name or a role, not a sentence."""
    value = kv.group("value")
    return len(value.split()) <= 5 and not value.endswith((".", "?", "!"))


def _header_line(line: str) -> tuple[str, re.Match[str] | None]:
    """What one line of a leading block is.

    ``"header"`` (a known header key, or a speaker-like key such as
    ``Intervjuperson`` with a short, name-like value), ``"label"`` (a
    speaker label or a ``Key: value`` that is not a header key), or
    ``"prose"`` (a title or comment line).
    """
    if line.lstrip().startswith("#"):
        return "prose", None
    kv = KEY_VALUE_RE.match(line)
    if kv is None:
        return ("label", None) if LABEL_RE.match(line) else ("prose", None)
    key = kv.group("key").casefold()
    if key in HEADER_KEYS:
        return "header", kv
    if key in AMBIGUOUS_KEYS and _short_value(kv):
        return "header", kv
    return "label", kv


def _header_prefix(lines: list[tuple[int, str]], block: list[int]) -> int:
    """How many leading lines of a block are a header (0 if none).

    A header may start with title lines ("Intervju – följeforskning") and
    list its fields in any order; it must hold at least one field that is
    only ever a header key (``Projekt``, ``Datum``, ``Transkriberad av``,
    ...), so that ``Intervjuare: Hej`` followed by ``IP: Hej`` stays a turn.
    The prefix ends at its last header field; lines after it are turns.
    """
    end = 0
    has_header_key = False
    seen: set[str] = set()
    for k, i in enumerate(block):
        kind, kv = _header_line(lines[i][1])
        if kind == "label":
            break
        if kind == "header":
            key = kv.group("key").casefold()
            if key in seen:  # a key twice: speaker turns, not a header
                break
            seen.add(key)
            has_header_key = has_header_key or key in HEADER_KEYS
            end = k + 1
    return end if has_header_key else 0


def _is_header_block(lines: list[tuple[int, str]], block: list[int]) -> bool | None:
    """True: a header block; None: a title/intro block without labels; False: turns."""
    kvs = []
    for i in block:
        line = lines[i][1]
        if line.lstrip().startswith("#"):
            continue
        kv = KEY_VALUE_RE.match(line)
        if kv is None:
            if LABEL_RE.match(line):
                return False
            kvs.append(None)
            continue
        kvs.append(kv)
    if all(kv is None for kv in kvs):
        return None
    if any(kv is None for kv in kvs):
        # prose mixed with labels: a title line followed by header lines is fine
        # (Intervjuperson: Förvaltningschef among them too)
        real = [kv for kv in kvs if kv is not None]
        if not all(_header_line(kv.string)[0] == "header" for kv in real):
            return False
        kvs = real
    keys = [kv.group("key").casefold() for kv in kvs]
    if len(set(keys)) < len(keys):
        return False  # a header names each field once; repeated labels are turns
    if any(is_known_code(kv.group("key")) and k not in AMBIGUOUS_KEYS for kv, k in zip(kvs, keys)):
        return False
    if any(k in HEADER_KEYS for k in keys):
        return True
    # Intervjuperson/Intervjuare with short values, each once, is a header; a
    # key that repeats ("Intervjuare: ...", "Respondent: ...", twice) is a conversation
    if (len(kvs) >= 2 and all(k in AMBIGUOUS_KEYS for k in keys)
            and len(set(keys)) == len(keys) and all(_short_value(kv) for kv in kvs)):
        return True
    return False


def _header_metadata(lines: Iterable[str]) -> dict[str, str]:
    meta: dict[str, str] = {}
    for line in lines:
        kv = KEY_VALUE_RE.match(line)
        if kv is None:
            continue
        value = kv.group("value").strip().strip("*").strip()
        if not value:
            continue
        meta.setdefault(metadata_key(kv.group("key")), value)
    return meta


def _matches_known(name: str, known: Iterable[str]) -> bool:
    cf = name.casefold()
    for k in known:
        k_cf = k.strip().casefold()
        if k_cf and (cf == k_cf or cf == k_cf.split()[0]):
            return True
    return False


def parse_turns(
    text: str,
    *,
    speaker_pattern: str | re.Pattern[str] | None = None,
    known_speakers: Iterable[str] = (),
) -> ParsedText:
    """Find the header metadata and the speaker turns of a transcript's text.

    Parameters
    ----------
    text:
        The transcript's text (NFC, ``\\n`` line endings).
    speaker_pattern:
        A regular expression with a named group ``speaker``, matched at the
        start of each line, that replaces the built-in label detection.
    known_speakers:
        Names that count as speakers even if they appear only once as a label
        (e.g. the interviewer named in a manifest).

    Returns
    -------
    ParsedText
        Turns (all ``respondent`` until :func:`~codingkit.readers.roles.assign_roles`
        decides), header metadata and the line of the first turn. The list
        of turns is empty when no speaker label was found.

    Examples
    --------
    >>> p = parse_turns("Projekt: Syd\\n\\nI: Hur började ni?\\nIP: Med en dialog.\\n")
    >>> p.metadata, [(t.speaker, t.line) for t in p.turns]
    ({'project': 'Syd'}, [('I', 3), ('IP', 4)])
    """
    lines = _lines(text)
    labels: list[tuple[int, str, int, float | None]] = []  # (line idx, speaker, text start, begin)

    if speaker_pattern is not None:
        pattern = _compile_speaker_pattern(speaker_pattern)
        for i, (pos, line) in enumerate(lines):
            try:
                m = pattern.match(line)
            except PatternTimeoutError as exc:
                raise exc.located(None, i + 1) from None
            if m and m.group("speaker") and m.group("speaker").strip():
                labels.append((i, m.group("speaker").strip(), pos + m.end(), None))
        header_end = labels[0][0] if labels else 0
    else:
        # 1. leading header blocks (title lines and Key: value blocks)
        header_end = 0
        last_header_block_end = 0
        for block in _blocks(lines):
            kind = _is_header_block(lines, block)
            if kind is False:
                # a header and the first turns without a blank line between
                prefix = _header_prefix(lines, block)
                if prefix:
                    header_end = last_header_block_end = block[prefix - 1] + 1
                break
            header_end = block[-1] + 1
            if kind is True:
                last_header_block_end = header_end
        header_meta = _header_metadata(line for _, line in lines[:header_end])
        known = [*known_speakers, *(v for k, v in header_meta.items()
                                    if k in ("interviewer", "intervjuperson", "respondent",
                                             "informant"))]
        # 2. candidate labels in the body
        labels = _body_labels(lines, header_end, known)
        if not labels and header_end:
            # "Intervjuare: ..." / "Respondent: ..." blocks taken for a header
            # and no turn after them: if those labels recur, they were the
            # turns (a header names each field once; notes after a header
            # keep the header and become one turn, below)
            again = _body_labels(lines, 0, list(known_speakers))
            counts = Counter(name.casefold() for _, name, _, _ in again)
            if any(k >= 2 for k in counts.values()):
                labels = again
        if not labels:
            header_end = last_header_block_end

    first_line = labels[0][0] if labels else None
    meta_end = first_line if first_line is not None else header_end
    metadata = _header_metadata(line for _, line in lines[:meta_end])

    turns: list[Turn] = []
    for k, (i, speaker, text_start, begin) in enumerate(labels):
        region_end = lines[labels[k + 1][0]][0] if k + 1 < len(labels) else len(text)
        start, end = strip_span(text, text_start, region_end)
        if start >= end:
            continue
        turns.append(Turn(number=len(turns) + 1, start=start, end=end, speaker=speaker,
                          line=i + 1, begin=begin))
    return ParsedText(turns=turns, metadata=metadata, first_turn_line=first_line)


def _body_labels(lines: list[tuple[int, str]], start: int, known: list[str]
                 ) -> list[tuple[int, str, int, float | None]]:
    """The speaker labels from line ``start`` on: ``(line index, speaker,
    text start, begin)``. A label counts when it is a known code (``IP``),
    occurs at least twice, or names a ``known`` speaker."""
    candidates = []
    for i in range(start, len(lines)):
        pos, line = lines[i]
        m = LABEL_RE.match(line)
        if m is None:
            continue
        name = _label_name(m)
        if _is_note(name):
            continue
        stamp = m.group("t1") or m.group("t2") or m.group("t3")
        candidates.append((i, name, pos + m.end(), _seconds(stamp)))
    counts = Counter(name.casefold() for _, name, _, _ in candidates)
    return [c for c in candidates
            if is_known_code(c[1]) or counts[c[1].casefold()] >= 2
            or _matches_known(c[1], known)]


def _compile_speaker_pattern(speaker_pattern: str | re.Pattern[str]) -> UserPattern:
    # time-limited searches; refused (E108) when it does not compile, has no
    # group 'speaker' or backtracks catastrophically (see codingkit.patterns)
    return compile_user_pattern(speaker_pattern, what="speaker pattern (--speaker-pattern)",
                                group="speaker", code="E108", timeout_code="E108")


def single_turn(text: str, parsed: ParsedText, path: str | os.PathLike[str] | None) -> list[Turn]:
    """The fallback when no speaker label is found: one turn by an unknown speaker.

    The turn covers everything after a header block; a
    :class:`~codingkit.CodingkitWarning` names the file.
    """
    lines = _lines(text)
    body_start = 0
    for block in _blocks(lines):
        if _is_header_block(lines, block) is True:
            last = block[-1]
        else:
            prefix = _header_prefix(lines, block)
            if not prefix:
                break
            last = block[prefix - 1]
        body_start = lines[last + 1][0] if last + 1 < len(lines) else len(text)
        if last != block[-1]:
            break
    start, end = strip_span(text, body_start, len(text))
    if start >= end:
        start, end = strip_span(text, 0, len(text))
    warnings.warn(CodingkitWarning("no speaker labels recognised; read as one turn by an "
                                   "unknown speaker", path=path), stacklevel=3)
    line = text.count("\n", 0, start) + 1
    return [Turn(number=1, start=start, end=end, speaker=None, line=line)]


def turns_and_metadata(
    text: str,
    path: str | os.PathLike[str] | None,
    *,
    speaker_pattern: str | re.Pattern[str] | None = None,
    known_speakers: Iterable[str] = (),
) -> tuple[list[Turn], dict[str, str], int | None]:
    """Turns (with the one-turn fallback), header metadata and first-turn line."""
    parsed = parse_turns(text, speaker_pattern=speaker_pattern, known_speakers=known_speakers)
    turns = parsed.turns or single_turn(text, parsed, path)
    return turns, parsed.metadata, parsed.first_turn_line


def read_text(
    path: str | os.PathLike[str],
    source: str,
    *,
    speaker_pattern: str | re.Pattern[str] | None = None,
    known_speakers: Iterable[str] = (),
    metadata: Mapping[str, str] | None = None,
) -> Transcript:
    """Read a plain-text transcript (roles not yet assigned).

    Parameters
    ----------
    path:
        The file.
    source:
        Its name in output tables.
    speaker_pattern, known_speakers:
        See :func:`parse_turns`.
    metadata:
        Metadata from a manifest; only used to recognise the interviewer's
        label (the manifest is merged by :func:`codingkit.read_transcripts`).
    """
    from .encoding import read_text as _read

    text, digest = _read(path)
    known = [*known_speakers, *((metadata or {}).get(k, "") for k in ("interviewer",))]
    turns, meta, _ = turns_and_metadata(text, path, speaker_pattern=speaker_pattern,
                                        known_speakers=[k for k in known if k])
    return Transcript(source=source, text=text, turns=turns, metadata=meta, format="text",
                      path=Path(path), sha256=digest)
