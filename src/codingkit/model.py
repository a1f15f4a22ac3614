"""The data model: transcripts, turns, segments, codebooks, codes and codings.

Everything codingkit reads becomes one of these plain objects, and everything
it writes is made from them. They hold no behaviour beyond small, pure
helpers, so that readers, coders and writers can be tested apart.

Offsets
-------
All ``start``/``end`` offsets are counted in Unicode code points of the
transcript's NFC-normalised text, half-open (``text[start:end]``), as
REFI-QDA counts them. For every segment::

    transcript.text[segment.start:segment.end] == segment.text
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, Literal, Mapping

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

#: Who is speaking in an interview turn. Not to be confused with the
#: respondent's *role* in the project (metadata ``role``: e.g. "upphandlare").
SpeakerRole = Literal["interviewer", "respondent"]
INTERVIEWER: SpeakerRole = "interviewer"
RESPONDENT: SpeakerRole = "respondent"

#: Metadata keys that every table carries as columns, in this order.
from .tables import CORE_METADATA  # noqa: E402,F401 - the columns every table has


def strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    r"""Narrow ``text[start:end]`` so it neither starts nor ends with white space.

    >>> strip_span("  Vi bjöd in.\n", 0, 14)
    (2, 13)
    """
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


@dataclass(frozen=True, slots=True)
class Turn:
    """One speaker turn of a transcript (or one answer of a survey).

    Attributes
    ----------
    number:
        1-based position among all turns of the transcript, counting every
        speaker (for surveys: the row number).
    start, end:
        Code-point offsets of the turn's text in ``Transcript.text``
        (without the speaker label).
    speaker:
        The speaker label as written ("Karin Ek", "IP1"), or ``None`` when
        unknown.
    speaker_role:
        ``"interviewer"`` or ``"respondent"``.
    line:
        1-based line in the source file where the turn starts, if known.
    begin, finish:
        Cue times in seconds (WebVTT/SRT), if known.
    """

    number: int
    start: int
    end: int
    speaker: str | None = None
    speaker_role: SpeakerRole = RESPONDENT
    line: int | None = None
    begin: float | None = None
    finish: float | None = None


@dataclass(slots=True)
class Transcript:
    """A transcript: NFC text, its turns and its metadata.

    Attributes
    ----------
    source:
        The transcript's name in every output table: its path relative to
        the input folder, with ``/`` separators (``"syd/intervju_01.txt"``).
        Survey rows are ``"<file>#<id>"``.
    text:
        The full text, NFC-normalised, ``\\n`` line endings. Turns point into
        it.
    turns:
        The turns, in order. Text outside turns (a header, speaker labels,
        timestamps) is kept in ``text`` but belongs to no turn.
    metadata:
        ``project``, ``round``, ``role`` and any other key, as strings.
    format:
        The reader that produced it: ``"text"``, ``"docx"``, ``"vtt"``,
        ``"srt"``, ``"survey"``.
    path:
        The file it was read from.
    sha256:
        Hex digest of the file's bytes.
    """

    source: str
    text: str
    turns: list[Turn] = field(default_factory=list)
    metadata: dict[str, str] = field(default_factory=dict)
    format: str = "text"
    path: Path | None = None
    sha256: str | None = None

    def turn_text(self, turn: Turn) -> str:
        return self.text[turn.start : turn.end]

    @property
    def speakers(self) -> list[str]:
        """Speaker labels in order of first appearance."""
        seen: dict[str, None] = {}
        for t in self.turns:
            if t.speaker is not None:
                seen.setdefault(t.speaker, None)
        return list(seen)


@dataclass(frozen=True)
class Segment:
    """The unit that is coded: a turn, a sentence or a paragraph.

    ``segment_id`` is stable across runs: ``"<source>:<turn>"`` for turns,
    ``"<source>:<turn>.<k>"`` for the k-th sentence or paragraph of a turn.
    """

    segment_id: str
    source: str
    start: int
    end: int
    text: str
    turn: int
    speaker: str | None = None
    speaker_role: SpeakerRole = RESPONDENT
    unit: str = "turn"
    metadata: Mapping[str, str] = field(default_factory=dict)


# --------------------------------------------------------------------------
# Codebook
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class Rule:
    """One matching rule of a code, as written in the codebook.

    See ``docs/codebook.md`` for how each kind matches Swedish words.

    Attributes
    ----------
    kind:
        The kind's key in the codebook (:mod:`codingkit.rulekinds`).
        ``"term"``: one word or glob (``upphandl*``), matched by lemma and
        stem, and (if ``compound``) as part of a Swedish compound.
        ``"phrase"``: several words in order, each matched like a term, with
        at most ``gap`` other words between them.
        ``"regex"``: a regular expression searched case-insensitively in the
        segment's text.
        ``"near"``: one word of each of ``groups`` within ``within`` words.
    pattern:
        The term, phrase or regular expression ("" for ``near``).
    groups:
        For ``near``: the word groups, each a tuple of terms or globs.
    within:
        Window in words for ``near``.
    gap:
        Words allowed between the words of a phrase.
    compound:
        Whether terms may match inside compounds (default ``True``).
    fuzzy:
        A RapidFuzz cutoff 0–100 for fuzzy matching of a term, or ``None``.
    unless:
        Rules that veto this rule when they match the same segment.
    weight:
        Score given by a match of this rule (0–1).
    line:
        Line of the rule in the codebook file, for messages.
    """

    kind: str
    pattern: str = ""
    groups: tuple[tuple[str, ...], ...] = ()
    within: int | None = None
    gap: int = 0
    compound: bool = True
    fuzzy: int | None = None
    unless: tuple["Rule", ...] = ()
    weight: float = 1.0
    line: int | None = None

    def describe(self) -> str:
        """The rule as a researcher would write it, in full."""
        from .rulekinds import rule_kind

        return rule_kind(self.kind).describe(self)

    def short(self) -> str:
        """The rule in a few words, for evidence columns: a term, phrase or
        regex as written; a ``near`` rule by its window and codebook line
        (its alternatives can run to hundreds of characters; the evidence
        shows the words that matched).

        >>> Rule("near", groups=(("dialog*",), ("leverantör*", "marknad*")), within=8,
        ...      line=41).short()
        'near(within 8, line 41)'
        """
        from .rulekinds import rule_kind

        return rule_kind(self.kind).short(self)  # type: ignore[misc]


@dataclass
class Code:
    """A code (theme or sub-code) of a codebook.

    ``parent`` is the id of the parent code, ``None`` for a theme (a
    top-level code). ``codable=False`` marks a pure grouping node.
    """

    id: str
    label: str
    label_en: str | None = None
    description: str = ""
    include: str = ""
    exclude: str = ""
    color: str | None = None
    parent: str | None = None
    codable: bool = True
    rules: tuple[Rule, ...] = ()
    exclusions: tuple[Rule, ...] = ()
    scope: tuple[SpeakerRole, ...] = (RESPONDENT,)
    examples: tuple[str, ...] = ()
    negative_examples: tuple[str, ...] = ()
    threshold: float | None = None
    line: int | None = None


@dataclass
class Codebook:
    """A hierarchy of codes with their rules and examples.

    ``codes`` maps id → :class:`Code` in file order (parents before their
    children).
    """

    id: str
    codes: dict[str, Code]
    version: str = "1"
    title: str = ""
    language: str = "sv"
    description: str = ""
    path: Path | None = None
    sha256: str | None = None

    def __iter__(self) -> Iterator[Code]:
        return iter(self.codes.values())

    def __len__(self) -> int:
        return len(self.codes)

    def __contains__(self, code_id: object) -> bool:
        return code_id in self.codes

    def __getitem__(self, code_id: str) -> Code:
        return self.codes[code_id]

    @property
    def themes(self) -> list[Code]:
        """The top-level codes."""
        return [c for c in self.codes.values() if c.parent is None]

    def children(self, code_id: str | None) -> list[Code]:
        """The direct sub-codes of ``code_id`` (``None``: the themes)."""
        return [c for c in self.codes.values() if c.parent == code_id]

    def ancestors(self, code_id: str) -> list[str]:
        """The ids of the parent, grandparent, ... of ``code_id`` (nearest first)."""
        out = []
        parent = self.codes[code_id].parent
        while parent is not None:
            out.append(parent)
            parent = self.codes[parent].parent
        return out

    def is_descendant(self, code_id: str, ancestor: str) -> bool:
        """Whether ``code_id`` is a sub-code (at any depth) of ``ancestor``."""
        return ancestor in self.ancestors(code_id)

    def theme_of(self, code_id: str) -> str:
        """The id of the top-level code that ``code_id`` belongs to."""
        code = self.codes[code_id]
        while code.parent is not None:
            code = self.codes[code.parent]
        return code.id


# --------------------------------------------------------------------------
# Coding results
# --------------------------------------------------------------------------



@dataclass(frozen=True)
class Coding:
    """One code applied to one segment, with the evidence for it.

    ``evidence`` is a human-readable account: the rule and the matched
    words (``"phrase(bjuda in leverantör*) → 'bjöd in leverantörerna'"``),
    or the similarity score and nearest example.
    """

    segment_id: str
    code: str
    theme: str
    score: float
    method: str
    evidence: str


@dataclass
class CodingResult:
    """What :meth:`codingkit.Coder.code` returns.

    ``segments``, ``codings`` and :meth:`frequencies` are pandas data frames;
    the underlying objects are in ``segment_list`` and ``coding_list``.
    """

    segment_list: list[Segment]
    coding_list: list[Coding]
    codebook: Codebook
    transcripts: list[Transcript] = field(default_factory=list)
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def segments(self) -> "pd.DataFrame":
        from .tables import segments_table

        return segments_table(self.segment_list)

    @property
    def codings(self) -> "pd.DataFrame":
        from .tables import codings_table

        return codings_table(self.coding_list)

    def frequencies(self, by: tuple[str, ...] = ("project", "round")) -> "pd.DataFrame":
        """Codings, coded segments and sources per group × code.

        See :func:`codingkit.tables.frequencies_table`.
        """
        from .tables import frequencies_table

        return frequencies_table(self.segment_list, self.coding_list, self.codebook,
                                 self.transcripts, by=by)
