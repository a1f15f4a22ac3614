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

``Transcript.text`` is built as one line per turn, ``"<speaker>: <cue texts
joined by a space>"`` (without a prefix when the speaker is unknown), and
each turn points at the text after the prefix. Cues without a known speaker
are kept as turns of their own. ``Turn.line`` is ``None`` (neither parser
reports cue lines).
"""

from __future__ import annotations

import html
import io
import os
import re
from collections import Counter
from pathlib import Path
from typing import Iterable, Mapping

from ..errors import InputError
from ..model import Transcript, Turn
from .encoding import decode_bytes, read_bytes, sha256_of
from .text import LABEL_RE, _is_note, _label_name, _matches_known, is_known_code

_VOICE_RE = re.compile(r"<v(?:\.[\w\-]+)*[ \t]+([^>]+)>")
_TAG_RE = re.compile(r"</?[a-zA-Z][^>]*>|<\d[^>]*>")


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
        ``E107`` if the file is not valid WebVTT/SubRip or has no cues.
    """
    data = read_bytes(path)
    raw = decode_bytes(data, path)
    expected = "WebVTT (starting with WEBVTT)" if format == "vtt" else "SubRip (.srt)"
    captions = _srt_captions(raw, path) if format == "srt" else _vtt_captions(raw, path)
    if not captions:
        raise InputError(f"no subtitle cues found; expected {expected}", path=path, code="E107")

    cues: list[tuple[str | None, str, float, float, str | None]] = []  # speaker, text, t0, t1, prefix
    for cue_text, t0, t1 in captions:
        voice_m = _VOICE_RE.search(cue_text)
        voice = _clean(voice_m.group(1)) if voice_m else None
        text = _clean(cue_text)
        prefix = None
        if voice is None:
            m = LABEL_RE.match(text)
            if m is not None and not _is_note(_label_name(m)):
                prefix = _label_name(m)
                text_after = text[m.end():].strip()
                cues.append((None, text_after, t0, t1, prefix))
                continue
        cues.append((voice, text, t0, t1, None))

    # a Name: prefix counts if it is a known code, recurs, or is a known speaker;
    # when most cues carry one (Zoom), every prefix counts
    counts = Counter(p.casefold() for _, _, _, _, p in cues if p)
    structural = sum(counts.values()) >= 0.5 * len(cues)
    known = [*known_speakers, (metadata or {}).get("interviewer", "")]
    resolved: list[tuple[str | None, str, float, float]] = []
    for speaker, text, t0, t1, prefix in cues:
        if prefix is not None:
            if structural or is_known_code(prefix) or counts[prefix.casefold()] >= 2 or _matches_known(
                    prefix, [k for k in known if k]):
                speaker = prefix
            else:  # not a speaker after all: keep the whole cue text
                text = f"{prefix}: {text}".strip()
        resolved.append((speaker, text, t0, t1))

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


def _vtt_captions(raw: str, path) -> list[tuple[str, float, float]]:
    """The cues of a WebVTT file: text (with its tags), start and end (seconds)."""
    import webvtt
    from webvtt.errors import MalformedCaptionError, MalformedFileError

    try:
        captions = webvtt.from_buffer(io.StringIO(raw), format="vtt").captions
    except (MalformedFileError, MalformedCaptionError, ValueError, IndexError) as exc:
        raise InputError(f"not a valid subtitle file ({exc}); expected WebVTT (starting "
                         f"with WEBVTT)", path=path, code="E107") from None
    return [(c.raw_text, c.start_time.in_milliseconds() / 1000,
             c.end_time.in_milliseconds() / 1000) for c in captions]


def _srt_captions(raw: str, path) -> list[tuple[str, float, float]]:
    """The cues of a SubRip file: text (with its tags), start and end (seconds)."""
    import srt

    try:
        subs = list(srt.parse(raw))
    except srt.SRTParseError as exc:
        line = raw.count("\n", 0, exc.expected_start) + 1
        raise InputError(
            "not a valid subtitle file: expected SubRip (.srt) cues (a number, a time line "
            "'00:00:01,000 --> 00:00:04,000', then the text) but found other text",
            path=path, line=line, code="E107") from None
    except ValueError as exc:  # e.g. a time out of range
        raise InputError(f"not a valid subtitle file ({exc}); expected SubRip (.srt)",
                         path=path, code="E107") from None
    return [(s.content, _ms(s.start) / 1000, _ms(s.end) / 1000) for s in subs]


def _ms(t) -> int:
    """A ``timedelta`` in whole milliseconds (as the cue time writes them)."""
    return (t.days * 86_400 + t.seconds) * 1000 + t.microseconds // 1000

