"""The ``near:`` rule kind: one word of every group within a window of words.

``near: [träff*, möte*]`` with ``with: [leverantör*]`` (or a list of
groups) and ``within: 8``. A near-rule may span a sentence end (a wide
window is meant to span a short passage).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .kind import Compiled, Match, RuleKind, SegmentWords
from .values import word_list

if TYPE_CHECKING:
    from ..coding.rules import RuleMatcher
    from ..model import Rule

#: Window (in words) of a ``near:`` rule that gives no ``within:``.
DEFAULT_WITHIN = 8


def compile_near(rule: Rule, matcher: RuleMatcher, code_id: str) -> Compiled:
    """Each group's words as word ids (a word the tokenizer splits: its first token)."""
    groups = tuple(tuple(matcher.word(w, rule.compound) for g_word in g
                         for w in matcher.split(g_word)[:1]) for g in rule.groups)
    return Compiled(rule, data=groups, needs=tuple(frozenset(g) for g in groups))


def match_near(comp: Compiled, seg: SegmentWords) -> list[Match]:
    """One match per window in which every group has a word (windows do not overlap)."""
    groups = comp.data
    pos = seg.pos
    for wids in groups:       # cheap test first: every group has a word here
        if not any(wid in pos for wid in wids):
            return []
    within = comp.rule.within if comp.rule.within is not None else 0
    events: dict[int, list[int]] = {}
    for g, wids in enumerate(groups):
        for wid in wids:
            for i in pos.get(wid, ()):
                events.setdefault(i, []).append(g)
    last: dict[int, int] = {}
    matches: list[Match] = []
    for i in sorted(events):
        for g in events[i]:
            last[g] = i
        if len(last) == len(groups) and i - min(last.values()) <= within:
            matches.append((tuple(seg.spans[k] for k in sorted(set(last.values()))),
                            "rule", None))
            last = {}
    return matches


def _check(spec: Any) -> None:
    if not spec.with_:
        raise ValueError("a near: rule needs with: (the words that must be close by)")


def _to_rule(value: list[str], spec: Any) -> dict[str, Any]:
    groups = (tuple(value),) + tuple(tuple(g) for g in (spec.with_ or ()))
    return {"groups": groups,
            "within": spec.within if spec.within is not None else DEFAULT_WITHIN}


def _describe(rule: Rule) -> str:
    groups = " | ".join("/".join(g) for g in rule.groups)
    return f"near({groups}; within {rule.within})"


def _short(rule: Rule) -> str:
    return f"near(within {rule.within}" + (f", line {rule.line})" if rule.line else ")")


def _dump(rule: Rule) -> dict[str, Any]:
    rest = rule.groups[1:]
    return {"near": tuple(rule.groups[0]),
            "with": tuple(rest[0]) if len(rest) == 1 else [tuple(g) for g in rest],
            "within": int(rule.within) if rule.within is not None else DEFAULT_WITHIN}


NEAR = RuleKind(
    "near", word_list("near"), compile_near, match_near,
    options=frozenset({"with", "within", "compound"}),
    check=_check, to_rule=_to_rule, describe=_describe, short=_short, dump=_dump,
)
