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
from typing import TYPE_CHECKING, Iterable, Iterator

from .model import Segment, Transcript, Turn, strip_span

if TYPE_CHECKING:  # pragma: no cover
    from .coding.tokens import Tokens

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
    return segment_with_tokens(transcripts, unit, keep_tokens=False)[0]


def segment_with_tokens(transcripts: Transcript | Iterable[Transcript], unit: str = "turn", *,
                        keep_tokens: bool = True
                        ) -> tuple[list[Segment], "list[Tokens | None]"]:
    """:func:`segment`, and the tokens of each segment where cutting made them.

    Cutting into sentences tokenises each paragraph; the tokens of each
    sentence (:class:`~codingkit.coding.tokens.Tokens`) are then kept for
    coding, which need not tokenise the sentence again. A segment gets
    ``None`` when its tokens were not made here (turns and paragraphs), or
    when a sentence ends inside a word (``"bra.Sen"``), where tokenising the
    sentence alone might cut it otherwise.

    >>> from codingkit.model import Transcript, Turn
    >>> t = Transcript("a.txt", "IP: Ja. Vi bjöd in dem.",
    ...                turns=[Turn(1, 4, 23, speaker="IP")])
    >>> segs, toks = segment_with_tokens(t, "sentence")
    >>> [s.text for s in segs], [len(x) for x in toks]
    (['Ja.', 'Vi bjöd in dem.'], [2, 5])
    """
    if unit not in UNITS:
        raise ValueError(f"unit must be one of {', '.join(UNITS)}; got {unit!r}")
    if isinstance(transcripts, Transcript):
        transcripts = [transcripts]
    out: list[Segment] = []
    tokens: list = []
    keep = tokens if keep_tokens else None
    for transcript in transcripts:
        out.extend(_segment_one(transcript, unit, keep))
    if not keep_tokens:
        tokens = [None] * len(out)
    return out, tokens


def _segment_one(transcript: Transcript, unit: str, tokens: list | None) -> Iterator[Segment]:
    """The segments of one transcript; with ``tokens``, each segment's
    tokens (or ``None``) are appended to it."""
    text = transcript.text
    for turn in transcript.turns:
        if unit == "sentence":
            spans = list(_sentence_spans(text, turn.start, turn.end, tokens is not None))
        else:
            cuts = ([(turn.start, turn.end)] if unit == "turn"
                    else _paragraph_spans(text, turn.start, turn.end))
            spans = [(a, b, None) for a, b in (strip_span(text, a, b) for a, b in cuts)
                     if b > a]
        for k, (a, b, toks) in enumerate(spans, start=1):
            sid = f"{transcript.source}:{turn.number}"
            if unit != "turn":
                sid += f".{k}"
            if tokens is not None:
                tokens.append(toks)
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
    """spaCy's rule-based sentencizer, with the shared Swedish tokenizer."""
    from spacy.pipeline import Sentencizer

    from .swedish import get_analyzer

    return get_analyzer().nlp.tokenizer, Sentencizer()


def _sentence_spans(text: str, start: int, end: int, keep_tokens: bool = False
                    ) -> Iterator[tuple[int, int, "Tokens | None"]]:
    """The non-empty sentences of ``text[start:end]`` (stripped of white
    space) and, with ``keep_tokens``, their tokens where they are the same as
    tokenising the sentence alone (else ``None``)."""
    from .coding.tokens import Tokens, cut_at_space

    # Paragraph breaks always end a sentence; within a paragraph, spaCy decides.
    tokenizer, sentencizer = _sentencizer()
    for pa, pb in _paragraph_spans(text, start, end):
        doc = sentencizer(tokenizer(text[pa:pb]))
        for sent in doc.sents:
            a, b = strip_span(text, pa + sent.start_char, pa + sent.end_char)
            if b <= a:
                continue
            toks = None
            if keep_tokens and cut_at_space(text, a, b, pa, pb):
                toks = Tokens.of(doc, a - pa, b - pa)
            yield a, b, toks
