"""Cut transcripts into the segments that are coded.

Three units are offered:

``turn`` (default)
    One segment per speaker turn (per answer, for surveys).
``paragraph``
    One segment per paragraph of a turn (paragraphs are separated by a
    blank line).
``sentence``
    One segment per sentence of a turn (spaCy's rule-based sentencizer on
    a blank Swedish pipeline; abbreviations such as "t.ex." do not end a
    sentence).

Every segment points into its transcript's text:
``transcript.text[segment.start:segment.end] == segment.text``.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable, Iterator

from .model import Segment, Transcript, Turn, strip_span

UNITS = ("turn", "sentence", "paragraph")

_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")


def segment(transcripts: Transcript | Iterable[Transcript], unit: str = "turn") -> list[Segment]:
    """Cut transcripts into segments of the given unit.

    Parameters
    ----------
    transcripts:
        One transcript or several.
    unit:
        ``"turn"``, ``"sentence"`` or ``"paragraph"``.

    Returns
    -------
    list of Segment
        In transcript order, then text order. Empty turns give no segment.

    Examples
    --------
    >>> from codingkit.model import Transcript, Turn
    >>> t = Transcript("a.txt", "IP: Vi bjöd in företagen. Det gick bra.",
    ...                turns=[Turn(1, 4, 39, speaker="IP")])
    >>> [s.text for s in segment(t, "sentence")]
    ['Vi bjöd in företagen.', 'Det gick bra.']
    """
    if unit not in UNITS:
        raise ValueError(f"unit must be one of {', '.join(UNITS)}; got {unit!r}")
    if isinstance(transcripts, Transcript):
        transcripts = [transcripts]
    out: list[Segment] = []
    for transcript in transcripts:
        out.extend(_segment_one(transcript, unit))
    return out


def _segment_one(transcript: Transcript, unit: str) -> Iterator[Segment]:
    text = transcript.text
    for turn in transcript.turns:
        if unit == "turn":
            spans = [(turn.start, turn.end)]
        elif unit == "paragraph":
            spans = list(_paragraph_spans(text, turn.start, turn.end))
        else:
            spans = list(_sentence_spans(text, turn.start, turn.end))
        spans = [strip_span(text, a, b) for a, b in spans]
        spans = [(a, b) for a, b in spans if b > a]
        for k, (a, b) in enumerate(spans, start=1):
            sid = f"{transcript.source}:{turn.number}"
            if unit != "turn":
                sid += f".{k}"
            yield _make(transcript, turn, sid, a, b, unit)


def _make(transcript: Transcript, turn: Turn, sid: str, start: int, end: int, unit: str) -> Segment:
    return Segment(
        segment_id=sid,
        source=transcript.source,
        start=start,
        end=end,
        text=transcript.text[start:end],
        turn=turn.number,
        speaker=turn.speaker,
        speaker_role=turn.speaker_role,
        unit=unit,
        metadata=transcript.metadata,
    )


def _paragraph_spans(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    pos = start
    for m in _PARAGRAPH_BREAK.finditer(text, start, end):
        yield pos, m.start()
        pos = m.end()
    yield pos, end


@lru_cache(maxsize=1)
def _sentencizer():
    import spacy

    nlp = spacy.blank("sv")
    nlp.add_pipe("sentencizer")
    return nlp


def _sentence_spans(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    # Paragraph breaks always end a sentence; within a paragraph, spaCy decides.
    nlp = _sentencizer()
    for pa, pb in _paragraph_spans(text, start, end):
        doc = nlp(text[pa:pb])
        for sent in doc.sents:
            yield pa + sent.start_char, pa + sent.end_char
