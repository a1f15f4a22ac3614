"""The :class:`Coder`: apply a codebook to transcripts and explain each coding."""

from __future__ import annotations

from typing import Callable, Iterable, Sequence

from ..model import (
    INTERVIEWER,
    RESPONDENT,
    Codebook,
    Coding,
    CodingResult,
    Segment,
    Transcript,
)

#: Segments are analysed in batches of this size (spaCy's tokenizer.pipe).
BATCH_SIZE = 256


class Coder:
    """Apply a codebook to Swedish transcripts.

    Parameters
    ----------
    codebook:
        The codebook; ``None`` loads the default codebook
        (``innovationsupphandling``).
    unit:
        The segment unit when transcripts are given: ``"turn"``,
        ``"sentence"`` or ``"paragraph"``.
    code_interviewer:
        Also code the interviewer's turns. By default only respondents'
        turns are coded (an interviewer's question is not evidence of a
        theme); every turn is still output as a segment.

    Examples
    --------
    >>> import codingkit as ck
    >>> coder = ck.Coder()                                  # default codebook
    >>> result = coder.code(ck.read_transcripts("transcripts/"))   # doctest: +SKIP
    >>> result.codings.head()                               # doctest: +SKIP
    """

    def __init__(
        self,
        codebook: Codebook | None = None,
        *,
        unit: str = "turn",
        code_interviewer: bool = False,
    ) -> None:
        self.codebook = codebook
        self.unit = unit
        self.code_interviewer = code_interviewer

    # -- set-up ------------------------------------------------------------
    def _codebook(self) -> Codebook:
        if self.codebook is None:
            from ..codebook import load_codebook

            self.codebook = load_codebook()
        return self.codebook

    def _rule_matcher(self):
        matcher = getattr(self, "rule_matcher_", None)
        if matcher is None:
            from .rules import RuleMatcher

            matcher = RuleMatcher(self._codebook())
            self.rule_matcher_ = matcher
        return matcher

    def _in_scope(self, segment: Segment, code_scope: Sequence[str]) -> bool:
        if self.code_interviewer:
            return True
        return segment.speaker_role in code_scope

    # -- coding ------------------------------------------------------------
    def code(
        self,
        data: Transcript | Iterable[Transcript] | Iterable[Segment],
        *,
        progress: Callable[[int], None] | None = None,
    ) -> CodingResult:
        """Code transcripts (or ready-made segments).

        Parameters
        ----------
        data:
            A transcript, a list of transcripts, or a list of segments.
        progress:
            Called with the number of segments just coded after each batch
            (the command line uses it for its progress bar).

        Returns
        -------
        CodingResult
            All segments (interviewer turns included) and one
            :class:`~codingkit.model.Coding` per segment × code, in segment
            order and then codebook order.
        """
        from ..segmenting import segment as make_segments

        if isinstance(data, Transcript):
            data = [data]
        items = list(data)
        transcripts = [x for x in items if isinstance(x, Transcript)]
        if transcripts:
            segments = make_segments(transcripts, self.unit)
        else:
            segments = [x for x in items if isinstance(x, Segment)]
        codebook = self._codebook()
        scopes = {c.id: c.scope for c in codebook}
        roles = {INTERVIEWER, RESPONDENT} if self.code_interviewer else None

        # Only segments some code may apply to are analysed.
        wanted_roles = roles or {r for scope in scopes.values() for r in scope}
        todo = [s for s in segments if s.speaker_role in wanted_roles]
        codings: list[Coding] = []
        matcher = self._rule_matcher()
        order = {cid: i for i, cid in enumerate(codebook.codes)}
        for b in range(0, len(todo), BATCH_SIZE):
            batch = todo[b : b + BATCH_SIZE]
            for seg, hits in zip(batch, matcher.match_many(s.text for s in batch)):
                codings.extend(self._codings_from_hits(seg, hits, codebook, scopes, order))
            if progress is not None:
                progress(len(batch))
        return CodingResult(
            segment_list=segments,
            coding_list=codings,
            codebook=codebook,
            transcripts=transcripts,
            options={"unit": self.unit, "code_interviewer": self.code_interviewer},
        )

    def _codings_from_hits(self, seg, hits, codebook, scopes, order) -> list[Coding]:
        by_code: dict[str, list] = {}
        for hit in hits:
            if self._in_scope(seg, scopes[hit.code]):
                by_code.setdefault(hit.code, []).append(hit)
        out = []
        for code_id in sorted(by_code, key=order.__getitem__):
            code_hits = sorted(by_code[code_id], key=lambda h: (-h.score, h.spans))
            evidence = list(dict.fromkeys(h.evidence() for h in code_hits))
            method = "rule" if any(h.method == "rule" for h in code_hits) else "fuzzy"
            out.append(
                Coding(
                    segment_id=seg.segment_id,
                    code=code_id,
                    theme=codebook.theme_of(code_id),
                    score=round(max(h.score for h in code_hits), 4),
                    method=method,
                    evidence="; ".join(evidence),
                )
            )
        return out
