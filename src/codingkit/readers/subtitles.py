"""Subtitle transcripts: WebVTT (``.vtt``, via webvtt-py) and SubRip (``.srt``, via srt).

Teams and Zoom export recordings' transcripts as WebVTT, with the speaker
in a voice tag::

    00:00:05.000 --> 00:00:09.500
    <v Anna Lindqvist>Hur kom ni i kontakt med leverantörerna?</v>

Other tools (Zoom) write the speaker as a ``Name:`` prefix in the cue text;
such a prefix counts when most cues have one, or when it recurs or is a known
code (``I:``, ``IP:``). Cue times become ``Turn.begin``/``Turn.finish``
(seconds); consecutive cues of one speaker become one turn. Other cue tags
(``<c>``, ``<i>``, ...) are removed.

A cue may hold several speakers: two or more voice spans (``<v Anna>Hur
började det?</v>`` and ``<v Johan>Med en förstudie.</v>``, on lines of their
own, after a ``- `` dash, or on one line; with classes, ``<v.loud Anna>``;
``</v>`` optional), or lines that start with a label of a speaker of the file
(``Anna: ...`` / ``- Johan: ...``, a label that recurs, a known code or
speaker). Each speaker's words are then speech of their own (turns as for
cues), all with the cue's times (:func:`_voice_parts`, :func:`_label_parts`).
Words outside every voice span belong to the voice that spoke before them
(before the first span: the first voice, as in a cue with one voice). A
dash that only marks a new speaker (``- <v Anna>Hej.``) is not part of the
words, in a cue with one voice as with several.

``Transcript.text`` is built as one line per turn, ``"<speaker>: <cue texts
joined by a space>"`` (without a prefix when the speaker is unknown), and
each turn points at the text after the prefix. Cues without a known speaker
are kept as turns of their own. ``Turn.line`` is ``None`` (neither parser
reports cue lines).

A stray byte-order mark (U+FEFF, e.g. where two files were joined) is
removed. Every line that is meant as a cue's time line (an arrow ``-->``,
see :func:`_looks_like_time_line`) must be one: two times with hours up to
99, minutes and seconds up to 59, milliseconds up to 999 and no minus sign;
it must start a cue, and a SubRip cue number must be followed by one.
Otherwise the file is refused naming the line (E107): such a cue is never
read as words of the cue before (credited to its speaker) nor left out.

A blank line ends a cue, so text after a blank line inside a cue's text
(as Teams or a speech-recognition tool may write a long turn, or as someone
who edited the file left it) is no cue at all: webvtt-py leaves it out, and
the srt library reads it as words of the cue (up to the next time line),
whoever it names. codingkit reads it as words of the cue before, in both
formats (one warning per file naming the first such line), unless it names
a speaker of its own, another than that cue's (``<v Anna>``, or ``Anna:``
where Anna speaks elsewhere in the file or is a known code): it is then a
cue whose time line is missing, refused naming its line (E107). In SubRip a
line of spaces counts as blank, and blank lines right after the time line
are skipped (the cue's words start at its first text). Text before the
first WebVTT cue (a title) is not read, with a warning naming its line.
``NOTE`` blocks are comments and are not read.
"""

from __future__ import annotations

import html
import io
import os
import re
import warnings
from collections import Counter
from pathlib import Path
from typing import Iterable, Mapping, NamedTuple

from ..errors import CodingkitWarning, InputError
from ..model import Transcript, Turn
from .encoding import decode_bytes, read_bytes, sha256_of
from .text import LABEL_RE, _is_note, _label_name, _matches_known, is_known_code

#: The arrow of a cue time line, as the srt library reads it (``-->``, ``- >``).
_ARROW_RE = re.compile(r"-[ -] *>")
#: A SubRip cue number alone on its line.
_CUE_NUMBER_RE = re.compile(r"\s*[0-9]+\s*")
_SRT_DELIM = "[,.:\uff0c\uff0e\u3002\uff1a]"  # as the srt library: , . : and full-width ones
_SRT_TIME = rf"([0-9]+){_SRT_DELIM}([0-9]+){_SRT_DELIM}([0-9]+)(?:{_SRT_DELIM}([0-9]*))?"
_SRT_TIME_RE = re.compile(_SRT_TIME)
#: A piece of a SubRip time just before an arrow ("04,000 ") or just after
#: it (" -00:0"): digits, a time delimiter, a digit.
_SRT_TIME_END_RE = re.compile(rf"[0-9]{_SRT_DELIM}[0-9]+\s*$")
_SRT_TIME_START_RE = re.compile(rf"\s*-?[0-9]+{_SRT_DELIM}[0-9]")
_VTT_TIME = r"(?:([0-9]+):)?([0-9]{1,2}):([0-9]{1,2})\.([0-9]{1,3})"
#: A well-formed time line per format; cue settings (VTT) or coordinates
#: (SRT) may follow the end time after a space.
_TIME_LINE_RE = {
    "srt": re.compile(rf"\s*{_SRT_TIME} *-[ -] *> *{_SRT_TIME}(?:\s.*)?"),
    "vtt": re.compile(rf"\s*{_VTT_TIME}\s*-->\s*{_VTT_TIME}(?:\s.*)?"),
}
_TIME_EXAMPLE = {"srt": "'00:00:01,000 --> 00:00:04,000'", "vtt": "'00:00:01.000 --> 00:00:04.000'"}
#: The largest hours, minutes, seconds and milliseconds of a cue time.
_TIME_MAX = (99, 59, 59, 999)

#: A voice span's start tag, ``<v Anna>`` or with classes ``<v.loud Anna>``
#: (the name is group 1). The name starts with a non-space and holds no
#: ``<`` or ``>``, and so does any tag (:data:`_TAG_RE`): a ``<v`` or ``<b``
#: without its ``>`` is then looked at only up to the next ``<``, and a cue
#: is read in time linear in its length (with ``[^>]`` each unclosed one was
#: read to the end of the cue: 40,000 of them took 50 s).
_VOICE_RE = re.compile(r"<v(?:\.[\w\-]+)*[ \t]+([^\s<>][^<>]*)>")
#: A voice span's start tag (group 1: the name) or its end tag ``</v>``.
_VOICE_TAG_RE = re.compile(rf"{_VOICE_RE.pattern}|</v[ \t]*>")
_TAG_RE = re.compile(r"</?[a-zA-Z][^<>]*>|<\d[^<>]*>")
#: A dash before a label on a line of a cue: "- Anna: Hej."
_DASH_RE = re.compile(r"[-\u2013\u2014]\s*")


def _clean(text: str) -> str:
    text = _TAG_RE.sub("", text)
    return " ".join(html.unescape(text).split())


def read_subtitles(
    path: str | os.PathLike[str],
    source: str,
    *,
    format: str = "vtt",
    known_speakers: Iterable[str] = (),
    metadata: Mapping[str, str] | None = None,
) -> Transcript:
    """Read a WebVTT or SubRip transcript (roles not yet assigned).

    Parameters
    ----------
    path:
        The file.
    source:
        Its name in output tables.
    format:
        ``"vtt"`` or ``"srt"``.
    known_speakers, metadata:
        Names that count as a ``Name:`` prefix even if they occur once.

    Raises
    ------
    InputError
        ``E107`` if the file is not valid WebVTT/SubRip or has no cues, or
        if a cue time line is malformed or does not start a cue (naming
        the line).
    """
    data = read_bytes(path)
    raw = decode_bytes(data, path).replace("\ufeff", "")  # a stray BOM: joined files
    expected = "WebVTT (starting with WEBVTT)" if format == "vtt" else "SubRip (.srt)"
    if format == "srt":
        captions, orphans = _srt_captions(raw, path)
    else:
        captions, orphans = _vtt_captions(raw, path)
    if not captions:
        raise InputError(f"no subtitle cues found; expected {expected}", path=path, code="E107")

    # what each cue says, before its Name: labels are judged: the speech of
    # each of its voice spans, or its text with a label at its start and the
    # later lines that start with a label (another speaker in the same cue)
    said: list[_Said] = []
    for cue_text, t0, t1 in captions:
        parts = _voice_parts(cue_text)
        if parts is not None:
            said.append(_Said(parts, None, "", 0, False, (), t0, t1))
            continue
        voice_m = _VOICE_RE.search(cue_text)
        if voice_m is not None:
            said.append(_Said([(_clean(voice_m.group(1)), _one_voice_text(cue_text, voice_m))],
                              None, "", 0, False, (), t0, t1))
            continue
        text = _clean(cue_text)
        lines = _label_lines(cue_text)
        label = _label_at_start(text, dash=bool(lines))
        if label is None:
            said.append(_Said([(None, text)], None, "", 0, False, lines, t0, t1))
        else:
            said.append(_Said(None, label[0], text, label[1], label[2], lines, t0, t1))

    # a Name: prefix counts if it is a known code, recurs, or is a known speaker;
    # when most cues carry one (Zoom), every prefix counts. A label at the start
    # of a later line of a cue counts if it names a speaker of the file, or a
    # known code or speaker, or recurs; never only because most cues carry a
    # prefix ("Viktigast: ..." on a cue's second line stays words)
    counts = Counter(c.prefix.casefold() for c in said if c.prefix is not None)
    structural = sum(counts.values()) >= 0.5 * len(said)
    counts.update(name.casefold() for c in said for _, name in c.lines)
    known = [k for k in (*known_speakers, (metadata or {}).get("interviewer", "")) if k]

    def is_prefix(name: str) -> bool:  # a label at the start of a cue
        return (structural or is_known_code(name) or counts[name.casefold()] >= 2
                or _matches_known(name, known))

    speakers = {sp.casefold() for c in said if c.parts for sp, _ in c.parts if sp is not None}
    speakers.update(c.prefix.casefold() for c in said
                    if c.prefix is not None and is_prefix(c.prefix))

    def is_speaker(name: str) -> bool:  # a label at the start of a later line
        return (name.casefold() in speakers or is_known_code(name) or counts[name.casefold()] >= 2
                or _matches_known(name, known))

    resolved: list[tuple[str | None, str, float, float]] = []
    last_part: list[int] = []  # the index in resolved of each cue's last part
    for (cue_text, _, _), c in zip(captions, said):
        others = [line for line in c.lines if is_speaker(line[1])]
        if others:  # several speakers: each from their label on
            resolved.extend((speaker, text, c.t0, c.t1)
                            for speaker, text in _label_parts(cue_text, others, is_prefix))
        elif c.parts is not None:
            resolved.extend((speaker, text, c.t0, c.t1) for speaker, text in c.parts)
        elif is_prefix(c.prefix):
            resolved.append((c.prefix, c.text[c.end:].strip(), c.t0, c.t1))
        else:  # not a speaker after all: keep the whole cue text
            text = c.text if c.dashed else f"{c.prefix}: {c.text[c.end:].strip()}".strip()
            resolved.append((None, text, c.t0, c.t1))
        last_part.append(len(resolved) - 1)
    if orphans:
        orphans = [o if o.cue is None else o._replace(cue=last_part[o.cue]) for o in orphans]
        resolved = _with_orphans(resolved, orphans, path, format, is_speaker)

    # merge consecutive cues of one (known) speaker
    groups: list[list[tuple[str | None, str, float, float]]] = []
    for cue in resolved:
        if not cue[1]:
            continue
        if groups and cue[0] is not None and groups[-1][0][0] == cue[0]:
            groups[-1].append(cue)
        else:
            groups.append([cue])

    parts: list[str] = []
    turns: list[Turn] = []
    pos = 0
    for group in groups:
        speaker = group[0][0]
        body = " ".join(c[1] for c in group)
        prefix = f"{speaker}: " if speaker is not None else ""
        start = pos + len(prefix)
        turns.append(Turn(number=len(turns) + 1, start=start, end=start + len(body),
                          speaker=speaker, begin=group[0][2], finish=group[-1][3]))
        line = prefix + body + "\n"
        parts.append(line)
        pos += len(line)
    if not turns:
        raise InputError(f"no subtitle cues with text found; expected {expected}", path=path,
                         code="E107")
    return Transcript(source=source, text="".join(parts), turns=turns, metadata={},
                      format=format, path=Path(path), sha256=sha256_of(data))


class _Said(NamedTuple):
    """What one cue says, before its ``Name:`` labels are judged: ``parts``,
    the speech of each speaker ``(speaker or None, text)`` when no label
    starts the cue; else ``prefix``, the name in the label that starts
    ``text`` (the cue's text, tags removed) and ends at ``end``, after a dash
    if ``dashed``. ``lines``: the later lines of the cue that start with a
    label (:func:`_label_lines`), ``t0`` and ``t1`` its times."""

    parts: list[tuple[str | None, str]] | None
    prefix: str | None
    text: str
    end: int
    dashed: bool
    lines: list[tuple[int, str]] | tuple[()]
    t0: float
    t1: float


def _voice_parts(text: str) -> list[tuple[str, str]] | None:
    """The speech of each voice of a cue (or block) ``text`` with two or
    more voice spans (``<v Anna>``, ``<v.loud Anna>``): ``(name, words)`` in
    order, with the words of one voice in a row joined; ``None`` when it has
    fewer (the cue is read whole, as it always was).

    As WebVTT reads voice spans (a span may hold another, ``</v>`` ends the
    innermost, and is optional), the words inside a span are its voice's
    (of the innermost, in a span inside another); words after every span has
    ended are the voice's that spoke last, and words before the first span
    the first voice's (as in a cue with one voice). A dash that only marks a
    new speaker (``- <v Johan>Hej.`` on a line of its own, or between two
    spans on one line) is left out. One pass over the text: linear in its
    length, however many voice spans it has.
    """
    tags = list(_VOICE_TAG_RE.finditer(text))
    names = [m for m in tags if m.group(1) is not None]
    if len(names) < 2:
        return None
    first = _clean(names[0].group(1))
    runs: list[tuple[str, list[str]]] = []  # (voice, pieces of its text)
    open_: list[str] = []  # the voice spans not yet ended, innermost last
    voice, pos = first, 0
    for m in tags:
        piece = text[pos:m.start()]
        if m.group(1) is not None:
            piece = _without_dash(piece)
        if piece:
            if runs and runs[-1][0] == voice:
                runs[-1][1].append(piece)
            else:
                runs.append((voice, [piece]))
        if m.group(1) is not None:
            voice = _clean(m.group(1))
            open_.append(voice)
        elif open_:
            ended = open_.pop()
            voice = open_[-1] if open_ else ended
        pos = m.end()
    if runs and runs[-1][0] == voice:
        runs[-1][1].append(text[pos:])
    else:
        runs.append((voice, [text[pos:]]))
    parts = [(name, _clean("".join(pieces))) for name, pieces in runs]
    return [part for part in parts if part[1]] or [(voice, "")]  # no words: the last voice's cue


def _one_voice_text(text: str, voice: re.Match) -> str:
    """The words of a cue (or block) ``text`` with one voice span ``voice``:
    a dash alone before the span (``- <v Anna>Hej.``, a speaker-change mark)
    is left out; other words before it are kept."""
    if not _without_dash(text[:voice.start()]).strip():
        text = text[voice.start():]
    return _clean(text)


def _without_dash(piece: str) -> str:
    """``piece`` (the text before a voice span) without a dash at its end
    that stands alone on its line, or alone after the span before: the mark
    of a new speaker (``"Hej.\\n- "``)."""
    head = piece.rstrip(" \t")
    if head[-1:] not in ("-", "\u2013", "\u2014"):
        return piece
    head = head[:-1].rstrip(" \t")
    return head if not head or head.endswith("\n") else piece


def _label_at_start(text: str, *, dash: bool = False) -> tuple[str, int, bool] | None:
    """The speaker label that starts ``text`` (tags removed): its name, where
    it ends, and whether a dash came first (looked for only if ``dash``);
    ``None`` if there is none or it introduces a note (``Obs:``)."""
    m = LABEL_RE.match(text)
    skip = 0
    if m is None and dash:
        d = _DASH_RE.match(text)
        if d is not None:
            skip = d.end()
            m = LABEL_RE.match(text[skip:])
    if m is None or _is_note(_label_name(m)):
        return None
    return _label_name(m), skip + m.end(), skip > 0


def _label_lines(text: str) -> list[tuple[int, str]]:
    """The lines of a cue (or block) ``text`` after its first that start with
    a speaker label (``Johan: ...``, ``- Johan: ...``): where each starts in
    ``text``, and the name."""
    found: list[tuple[int, str]] = []
    pos = text.find("\n")
    while pos >= 0:
        start = pos + 1
        pos = text.find("\n", start)
        label = _label_at_start(_clean(text[start:pos if pos >= 0 else len(text)]), dash=True)
        if label is not None:
            found.append((start, label[0]))
    return found


def _label_parts(text: str, lines: list[tuple[int, str]], is_first_speaker) -> \
        list[tuple[str | None, str]]:
    """The speech in a cue (or block) ``text`` of each speaker whose label
    starts one of ``lines`` (:func:`_label_lines`, those that name a speaker):
    ``(name, words)``, first the words before the first of them, by the
    speaker of the label that starts ``text`` if ``is_first_speaker`` accepts
    its name, else by no one (``None``, the label kept as words)."""
    cuts = [0, *(start for start, _ in lines), len(text)]
    parts: list[tuple[str | None, str]] = []
    for k, (a, b) in enumerate(zip(cuts, cuts[1:])):
        words = _clean(text[a:b])
        label = _label_at_start(words, dash=True)
        if k == 0 and (label is None or not is_first_speaker(label[0])):
            if words:
                parts.append((None, words))
            continue
        end = label[1] if label is not None else 0
        name = label[0] if k == 0 else lines[k - 1][1]
        parts.append((name, words[end:].strip()))
    return parts


def _vtt_captions(raw: str, path) -> tuple[list[tuple[str, float, float]], list[_Orphan]]:
    """The cues of a WebVTT file: text (with its tags), start and end
    (seconds); and the text blocks that are no cue (:func:`_vtt_orphans`)."""
    import webvtt
    from webvtt.errors import MalformedCaptionError, MalformedFileError

    times = _time_lines(raw, path, "vtt")
    try:
        captions = webvtt.from_buffer(io.StringIO(raw), format="vtt").captions
    except (MalformedFileError, MalformedCaptionError, ValueError, IndexError) as exc:
        raise InputError(f"not a valid subtitle file ({exc}); expected WebVTT (starting "
                         f"with WEBVTT)", path=path, code="E107") from None
    cues = [(c.raw_text, c.start_time.in_milliseconds() / 1000,
             c.end_time.in_milliseconds() / 1000) for c in captions]
    _check_every_time_line_read(times, cues, path, "vtt")
    return cues, _vtt_orphans(raw)


#: A cue identifier as exporters write them: one word with a digit ("12",
#: Teams' "3f1c2a7e-1d2b-4c9e-9a51-2a0c0f1e8a11/17-0").
_IDENTIFIER_RE = re.compile(r"\s*[^\s<]*\d[^\s<]*\s*")


class _Orphan(NamedTuple):
    """A block of text after a blank line that is no cue (WebVTT: see
    :func:`_vtt_orphans`; SubRip: :func:`_srt_captions`): its first line
    (from 1), its lines (with their tags) and the cue before it (index into
    the cues, ``None`` before the first cue)."""

    line: int | None
    text: str
    cue: int | None


def _vtt_orphans(raw: str) -> list[_Orphan]:
    """The blocks of ``raw`` after its header that webvtt-py leaves out
    although they hold text: neither a cue (a block with a time line) nor a
    ``NOTE``, ``STYLE`` or ``REGION`` block, nor a cue identifier that a blank
    line parts from its time line (one word with a digit, right before a cue
    without an identifier).

    The blocks are split as webvtt-py splits them: a block ends at an empty
    line (a line of spaces does not end it), and a time line starts a new
    block unless it follows the block's first line, the cue identifier.
    Each time line starts one cue, in order (:func:`_check_every_time_line_read`
    has made sure), so the cue before a block is the last time line before it.
    """
    blocks: list[list[tuple[int, str]]] = []
    block: list[tuple[int, str]] = []
    for number, line in enumerate(raw.split("\n"), start=1):
        if not line or ("-->" in line and block
                        and (len(blocks) == 0 or len(block) > 1 or "-->" in block[0][1])):
            if block:
                blocks.append(block)
                block = []
        if line:
            block.append((number, line))
    if block:
        blocks.append(block)
    orphans: list[_Orphan] = []
    cues = -1
    for k in range(1, len(blocks)):  # the first is the header (WEBVTT ...)
        block = blocks[k]
        if any("-->" in line for _, line in block):
            cues += 1
            continue
        first = block[0][1]
        if (first.startswith("NOTE") and first[4:5] in ("", " ", "\t")) \
                or first.strip() in ("STYLE", "REGION"):
            continue
        if (len(block) == 1 and _IDENTIFIER_RE.fullmatch(first) and k + 1 < len(blocks)
                and "-->" in blocks[k + 1][0][1]):
            continue  # the identifier of the next cue, a blank line too early ("17-0")
        orphans.append(_Orphan(block[0][0], "\n".join(line for _, line in block),
                               cues if cues >= 0 else None))
    return orphans


#: Why text after a blank line in a cue is worth a warning, per format.
_AFTER_BLANK_LINE = {"vtt": "WebVTT would end the cue at the blank line and leave the text out",
                     "srt": "SubRip ends a cue at a blank line"}
#: What starts a cue, in each format.
_CUE_START = {"vtt": f"a blank line and a time line like {_TIME_EXAMPLE['vtt']}",
              "srt": f"a blank line, a cue number and a time line like {_TIME_EXAMPLE['srt']}"}


def _with_orphans(cues: list[tuple[str | None, str, float, float]], orphans: list[_Orphan],
                  path, format: str, is_speaker=lambda name: False,
                  ) -> list[tuple[str | None, str, float, float]]:
    """``cues`` (speaker, text, start, end) with the text of each orphan block
    (:class:`_Orphan`) added to the cue before it, after a space (to a cue
    without words, with the block's speaker: a blank line after a WebVTT
    time line).

    A block that holds several speakers (two or more voice spans, or later
    lines starting with a label whose name ``is_speaker`` accepts, as in a
    cue: :func:`_voice_parts`, :func:`_label_parts`) adds the words of the
    first to the cue and each other's as speech of their own after it, with
    the cue's times.

    Raises
    ------
    InputError
        ``E107`` naming the first line of a block that starts with a speaker
        of its own (a voice tag, or a ``Name:`` label that is a speaker of
        the file or a known code) other than the speaker of the cue before it
        (the last to speak in it).

    Warns
    -----
    CodingkitWarning
        Once for the blocks read as words of the cue before them, once for
        those before the first cue (not read), naming the first line of each.
    """
    speakers = {c[0].casefold() for c in cues if c[0] is not None}

    def is_first_speaker(name: str) -> bool:
        return name.casefold() in speakers or is_known_code(name)

    # the words added to each cue, as runs of one speaker each (the first the
    # cue's own), joined once at the end: added one block at a time, a cue's
    # text was copied for each (240,000 blocks in one cue of a 6 MB file took
    # 80 s, the time growing with the square; now 3 s)
    runs_after: dict[int, list[tuple[str | None, list[str]]]] = {}
    added: list[int | None] = []
    before_first: list[int | None] = []
    for orphan in orphans:
        if orphan.cue is None:
            before_first.append(orphan.line)
            continue
        speaker, text, _, _ = cues[orphan.cue]
        runs = runs_after.get(orphan.cue)
        last = runs[-1][0] if runs else speaker
        has_words = bool(text) or runs is not None
        words = _clean(orphan.text)
        if not words:  # only tags ("</v>"): nothing to read
            continue
        parts = _voice_parts(orphan.text)
        if parts is None:
            voice_m = _VOICE_RE.search(orphan.text)
            others = [] if voice_m is not None else \
                [line for line in _label_lines(orphan.text) if is_speaker(line[1])]
            if others:
                parts = _label_parts(orphan.text, others, is_first_speaker)
            else:
                own = _clean(voice_m.group(1)) if voice_m else None
                if voice_m is not None:
                    words = _one_voice_text(orphan.text, voice_m)
                label = LABEL_RE.match(words)
                if own is None and label is not None:
                    name = _label_name(label)
                    if not _is_note(name) and is_first_speaker(name):
                        own, words = name, words[label.end():].strip()
                parts = [(own, words)]
        own, words = parts[0]
        if own is not None and not has_words:  # a cue without words: the text is its own
            speaker = last = own
        elif own is not None and (last is None or own.casefold() != last.casefold()):
            after = f"a cue of {last!r}" if last is not None else "a cue without a speaker"
            raise InputError(
                f"text of {own!r} without a time line, after {after}: expected "
                f"{_CUE_START[format]} before it (a blank line inside a cue's text ends the "
                "cue)", path=path, line=orphan.line, code="E107")
        rest = [(name, more) for name, more in parts[1:] if more]
        if words or rest:  # (not when it was only a label)
            if runs is None:
                runs = runs_after[orphan.cue] = [(speaker, [])]
            if words:  # the last speaker's, going on
                runs[-1][1].append(words)
            for name, more in rest:
                if runs[-1][0] is not None and runs[-1][0].casefold() == name.casefold():
                    runs[-1][1].append(more)
                else:
                    runs.append((name, [more]))
            added.append(orphan.line)
    out: list[tuple[str | None, str, float, float]] = []
    for index, (speaker, text, t0, t1) in enumerate(cues):
        runs = runs_after.get(index)
        if runs is None:
            out.append((speaker, text, t0, t1))
            continue
        own, words_after = runs[0]
        out.append((own, " ".join([text, *words_after]).strip(), t0, t1))
        out.extend((name, " ".join(words), t0, t1) for name, words in runs[1:])
    if added:
        more = f" (and {len(added) - 1} more such places)" if len(added) > 1 else ""
        warnings.warn(CodingkitWarning(
            f"text after a blank line inside a cue, without a time line of its own{more}: read "
            f"as words of the cue before it ({_AFTER_BLANK_LINE[format]})", path=path,
            line=added[0]), stacklevel=5)
    if before_first:
        more = f" (and {len(before_first) - 1} more blocks)" if len(before_first) > 1 else ""
        warnings.warn(CodingkitWarning(
            f"text without a time line before the first cue{more} was not read (a title or a "
            f"note?); a cue's words need a time line like {_TIME_EXAMPLE['vtt']} before them",
            path=path, line=before_first[0]), stacklevel=5)
    return out


def _srt_captions(raw: str, path) -> tuple[list[tuple[str, float, float]], list[_Orphan]]:
    """The cues of a SubRip file: text (with its tags), start and end
    (seconds); and the blocks of text after a blank line inside a cue.

    The srt library ends a cue's text only where a blank line is followed
    by a cue number and a time line (or by a time line): text after any
    other blank line is part of the cue, whoever it names. Each such block
    is split off here, as for WebVTT (:func:`_vtt_orphans`), and is judged
    by :func:`_with_orphans`: words of the cue, or another speaker's cue
    whose time line is missing. A line of spaces counts as blank; blank
    lines before the cue's first text are skipped.
    """
    import srt

    times = _time_lines(raw, path, "srt")
    try:
        subs = list(srt.parse(raw))
    except srt.SRTParseError as exc:
        line = raw.count("\n", 0, exc.expected_start) + 1
        raise InputError(
            "not a valid subtitle file: expected SubRip (.srt) cues (a number, a time line "
            "'00:00:01,000 --> 00:00:04,000', then the text) but found other text",
            path=path, line=line, code="E107") from None
    except (ValueError, OverflowError) as exc:  # e.g. a time out of range
        raise InputError(f"not a valid subtitle file ({exc}); expected SubRip (.srt)",
                         path=path, code="E107") from None
    cues = [(s.content, _ms(s.start) / 1000, _ms(s.end) / 1000) for s in subs]
    _check_every_time_line_read(times, cues, path, "srt")
    # each cue starts with its time line (checked above): its text on the next line
    first_lines = [number + 1 for number, _, _ in times] if len(times) == len(cues) \
        else [None] * len(cues)
    orphans: list[_Orphan] = []
    for index, ((content, t0, t1), first) in enumerate(zip(cues, first_lines)):
        blocks: list[tuple[int, list[str]]] = []  # (first line's index in the cue, lines)
        blank = True
        for k, line in enumerate(content.split("\n")):
            if not line.strip():
                blank = True
            elif blank:
                blocks.append((k, [line]))
                blank = False
            else:
                blocks[-1][1].append(line)
        cues[index] = ("\n".join(blocks[0][1]) if blocks else "", t0, t1)
        orphans.extend(_Orphan(first + k if first is not None else None, "\n".join(lines), index)
                       for k, lines in blocks[1:])
    return cues, orphans


def _looks_like_time_line(line: str, format: str) -> bool:
    """Whether ``line`` is meant as a cue's time line. WebVTT: any line with
    ``-->`` (webvtt-py starts a cue block at each one, and leaves it out if it
    cannot read its times). SubRip: an arrow (``-->``, ``- >``) with a piece
    of a time beside it (digits, a time delimiter, a digit; spaces aside), as
    ``-00:00:01,000 --> 00:00:02,000`` or ``x00:00:04,000 --> …``; an arrow
    between words or plain numbers ("från 3 --> 12 anbud", "2019 --> 2021.")
    stays cue text. Every time line either library reads is one.
    """
    if format == "vtt":
        return "-->" in line
    arrow = _ARROW_RE.search(line) if ">" in line else None
    return arrow is not None and (
        _SRT_TIME_END_RE.search(line, 0, arrow.start()) is not None
        or _SRT_TIME_START_RE.match(line, arrow.end()) is not None)


def _time_lines(raw: str, path, format: str) -> list[tuple[int, int, int]]:
    """Every cue time line of ``raw``: its line number, start and end (ms).

    Raises
    ------
    InputError
        ``E107`` naming the first line meant as a time line
        (:func:`_looks_like_time_line`) that is not a well-formed one with
        times in range (:data:`_TIME_MAX`): a minus sign, an hour of 20
        digits, a VTT time with a comma...; or (SubRip) the line after a cue
        number that is not a time line (:func:`_orphan_cue_number`).
    """
    lines = raw.split("\n")
    found = []
    for i, line in enumerate(lines):
        if not _looks_like_time_line(line, format):
            if format == "srt" and _orphan_cue_number(lines, i):
                raise InputError(
                    f"expected a time line like {_TIME_EXAMPLE[format]} after the cue number "
                    f"{line.strip()!r} but found {lines[i + 1].strip()[:60]!r}",
                    path=path, line=i + 2, code="E107")
            continue
        m = _TIME_LINE_RE[format].fullmatch(line)
        times = (_time_ms(m.groups()[:4], format), _time_ms(m.groups()[4:], format)) if m \
            else (None,)
        if None in times:
            raise InputError(
                f"malformed cue time line {line.strip()[:60]!r}: expected a start and an end "
                f"time like {_TIME_EXAMPLE[format]} (hours at most 99, minutes and seconds at "
                f"most 59, milliseconds at most 999, no minus sign)",
                path=path, line=i + 1, code="E107")
        found.append((i + 1, *times))
    return found


def _orphan_cue_number(lines: list[str], i: int) -> bool:
    """Whether SubRip line ``i`` (0-based) is a cue number (digits alone on
    their line, first or after a blank line) followed by text that is no time
    line and does not start with a time: the srt library would read both as
    words of the cue before. (After a time with a broken arrow, ``->``, it
    refuses the file itself, naming the cue number's line.)"""
    return (_CUE_NUMBER_RE.fullmatch(lines[i]) is not None
            and (i == 0 or not lines[i - 1].strip())
            and i + 1 < len(lines) and bool(lines[i + 1].strip())
            and not _looks_like_time_line(lines[i + 1], "srt")
            and _SRT_TIME_RE.match(lines[i + 1]) is None)


def _time_ms(fields: tuple[str | None, ...], format: str) -> int | None:
    """The time of a cue in milliseconds from its hours, minutes, seconds and
    fraction as written (missing ones 0), or ``None`` if one is out of range
    (:data:`_TIME_MAX`). The fraction is read as the libraries do: SubRip's
    as milliseconds, WebVTT's as a decimal fraction (``.5`` is 500 ms)."""
    h, m, s, frac = (f or "0" for f in fields)
    if format == "vtt":
        frac = frac.ljust(3, "0")
    if any(len(f) > 4 for f in (h, m, s, frac)):  # out of range whatever its digits
        return None
    values = tuple(int(f) for f in (h, m, s, frac))
    if any(v > top for v, top in zip(values, _TIME_MAX)):
        return None
    return ((values[0] * 60 + values[1]) * 60 + values[2]) * 1000 + values[3]


def _check_every_time_line_read(times: list[tuple[int, int, int]],
                                cues: list[tuple[str, float, float]], path, format: str) -> None:
    """Check that each time line (:func:`_time_lines`) started one of ``cues``,
    in order: a line the library took for cue text (SubRip: after a cue number
    it does not read, as ``2`` after a zero-width space) or left out would
    give its cue's words to the cue before, or lose them.

    Raises
    ------
    InputError
        ``E107`` naming the first time line that did not start a cue.
    """
    if len(times) == len(cues):
        return
    read = iter(cues)
    cue = next(read, None)
    for number, start, end in times:
        if cue is not None and (cue[1], cue[2]) == (start / 1000, end / 1000):
            cue = next(read, None)
            continue
        before = "a blank line and a cue number alone on its line" if format == "srt" else \
            "a blank line (and maybe a cue identifier)"
        raise InputError(
            f"a cue time line that was not read as the start of a cue: expected {before} "
            f"before it, and the time line at the start of its line", path=path, line=number,
            code="E107")


def _ms(t) -> int:
    """A ``timedelta`` in whole milliseconds (as the cue time writes them)."""
    return (t.days * 86_400 + t.seconds) * 1000 + t.microseconds // 1000

