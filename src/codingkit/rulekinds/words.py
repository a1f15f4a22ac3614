"""The ``term:`` and ``phrase:`` rule kinds: words matched like Swedish words.

Both compile to a sequence of word patterns (as the tokenizer splits the
text): one word matches like a term (every inflection, compound parts, and
fuzzily with ``fuzzy:``), several like a phrase (in order, at most ``gap``
other words between, never across a sentence end). How words match is
described in :mod:`codingkit.coding.rules` and ``docs/codebook.md``.
"""

from __future__ import annotations

import bisect
from typing import TYPE_CHECKING, Annotated, Any, Sequence

from pydantic import AfterValidator, BeforeValidator

from .kind import Compiled, Match, RuleKind, SegmentWords
from .values import Phrase, check_word, scalar_to_str

if TYPE_CHECKING:
    from ..coding.rules import RuleMatcher
    from ..model import Rule


def compile_words(rule: Rule, matcher: RuleMatcher, code_id: str) -> Compiled:
    """The rule's words as word ids; one word may also match fuzzily."""
    words = tuple(matcher.word(w, rule.compound) for w in matcher.split(rule.pattern))
    if len(words) == 1:
        fid = matcher.fuzzy_word(words[0], int(rule.fuzzy)) if rule.fuzzy is not None else None
        return Compiled(rule, data=words, index=words, fuzzy=fid, simple=fid is None)
    return Compiled(rule, data=words, needs=tuple(frozenset((w,)) for w in dict.fromkeys(words)))


def match_words(comp: Compiled, seg: SegmentWords) -> list[Match]:
    """A term's matches (one per word), or a phrase's (one per occurrence)."""
    words = comp.data
    spans = seg.spans
    if len(words) != 1:
        gap = max(comp.rule.gap, 0)
        return [(tuple(spans[i] for i in m), "rule", None)
                for m in _phrase(words, gap, seg.pos, seg.ends)] if words else []
    exact = seg.pos.get(words[0], ())
    res: list[Match] = [((spans[i],), "rule", None) for i in exact]
    if comp.fuzzy is not None:
        taken = set(exact)
        for idxs, sim in seg.fuzzy.get(comp.fuzzy, ()):
            if taken.isdisjoint(idxs):
                res.append((tuple(spans[i] for i in idxs), "fuzzy", sim))
    return res


def _phrase(words: tuple[int, ...], gap: int, pos: dict[int, list[int]],
            ends: Sequence[int] = ()) -> list[tuple[int, ...]]:
    """Leftmost occurrences of ``words`` in order, not overlapping."""
    lists = []
    for wid in words:
        p = pos.get(wid)
        if not p:
            return []
        lists.append(p)
    sets = [set(p) for p in lists]
    step = gap + 1
    n = len(lists)

    def extend(path: list[int]) -> list[int] | None:
        if len(path) == n:
            return path
        last = path[-1]
        stop = last + step
        if ends:  # not across a sentence end
            k = bisect.bisect_left(ends, last)
            if k < len(ends):
                stop = min(stop, ends[k])
        for q in range(last + 1, stop + 1):
            if q in sets[len(path)]:
                got = extend(path + [q])
                if got:
                    return got
        return None

    matches: list[tuple[int, ...]] = []
    after = -1
    for p0 in lists[0]:
        if p0 <= after:
            continue
        m = extend([p0])
        if m:
            matches.append(tuple(m))
            after = m[-1]
    return matches


def _check_term(word: str) -> str:
    return check_word(word, "term")


def _phrase_dump(rule: Rule) -> dict[str, Any]:
    return {"phrase": rule.pattern, **({"gap": int(rule.gap)} if rule.gap else {})}


TERM = RuleKind(
    "term",
    Annotated[str, BeforeValidator(scalar_to_str), AfterValidator(_check_term)],
    compile_words, match_words,
    options=frozenset({"fuzzy", "compound"}),
    to_rule=lambda value, spec: {"pattern": value, "fuzzy": spec.fuzzy},
)

PHRASE = RuleKind(
    "phrase", Phrase, compile_words, match_words,
    options=frozenset({"gap", "compound"}),
    to_rule=lambda value, spec: {"pattern": value, "gap": spec.gap or 0},
    dump=_phrase_dump,
)
