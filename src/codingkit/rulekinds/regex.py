"""The ``regex:`` rule kind: a regular expression searched in the segment text.

Searched case-insensitively with the ``regex`` package and a time limit
(:mod:`codingkit.patterns`); a pattern that backtracks catastrophically is
refused when the codebook is read. A text is only searched when it holds a
literal that every match contains (:func:`required_literals`).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Annotated

from pydantic import AfterValidator, BeforeValidator

from ..patterns import (
    PatternError,
    UserPattern,
    compile_user_pattern,
    control_characters,
    show_pattern,
)
from .kind import Compiled, Match, RuleKind, SegmentWords
from .values import scalar_to_str

if TYPE_CHECKING:
    from ..coding.rules import RuleMatcher
    from ..model import Rule


def _check(pattern: str) -> str:
    if not pattern:
        raise ValueError("regex is empty")
    try:
        compile_user_pattern(pattern, re.IGNORECASE)
    except PatternError as exc:
        if exc.reason == "syntax":
            raise ValueError(f"bad regular expression {show_pattern(pattern)}: "
                             f"{exc.detail}") from None
        raise ValueError(exc.message) from None
    return pattern


def compile_regex(rule: Rule, matcher: RuleMatcher, code_id: str) -> Compiled:
    """The time-limited pattern (``None`` if refused) and its required literals."""
    try:
        # searches are time-limited; the loader has already probed the
        # pattern for catastrophic backtracking
        rx: UserPattern | None = compile_user_pattern(
            rule.pattern, re.IGNORECASE, path=matcher.codebook.path, line=rule.line,
            label=f"code '{code_id}'" if code_id else "", probe=False)
    except PatternError:
        rx = None  # refused by the codebook's schema; never matches
    return Compiled(rule, data=rx, scan=True, literals=required_literals(rule.pattern))


def match_regex(comp: Compiled, seg: SegmentWords) -> list[Match]:
    """One match per non-empty match of the pattern."""
    rx = comp.data
    if rx is None:
        return []
    return [(((m.start(), m.end()),), "rule", None)
            for m in rx.finditer(seg.text) if m.end() > m.start()]


def _lint(rule: Rule) -> str | None:
    """A regex holding control characters ("\\bRFI" written in double quotes)."""
    bad = control_characters(rule.pattern)
    return f"regex {show_pattern(rule.pattern)} {bad}" if bad else None


def required_literals(pattern: str) -> tuple[str, ...] | None:
    """Plain strings of which every match of ``pattern`` contains one.

    Lower-cased, each at least two characters, or ``None`` when no such
    strings are found. Used only to skip texts cheaply: a pattern the
    analysis does not understand gets ``None`` and is searched everywhere.

    >>> required_literals(r"\\bRFI\\b"), required_literals(r"LOU|upphandlingslag")
    (('rfi',), ('lou', 'upphandlingslag'))
    >>> required_literals(r"\\w+ning") , required_literals(r"a|\\d+")
    (('ning',), None)
    """
    try:
        from re import _constants as c  # type: ignore[attr-defined]
        from re import _parser  # type: ignore[attr-defined]

        parsed = _parser.parse(pattern, re.IGNORECASE)
    except Exception:  # noqa: BLE001 - private parser: any failure means "none"
        return None

    def score(cands: tuple[str, ...] | None) -> tuple[int, int]:
        if not cands:
            return (0, 0)
        return (min(len(x) for x in cands), -len(cands))

    def required(seq) -> tuple[str, ...] | None:
        best: tuple[str, ...] | None = None
        run = ""
        for op, arg in seq:
            if op is c.LITERAL:
                run += chr(arg)
                continue
            if op is c.AT:          # \b, ^, $: consume nothing
                continue
            if len(run) >= 2 and score((run,)) > score(best):
                best = (run,)
            run = ""
            sub: tuple[str, ...] | None = None
            if op is c.SUBPATTERN:
                sub = required(arg[-1])
            elif op is c.BRANCH:
                alts = [required(alt) for alt in arg[1]]
                if all(alts):
                    sub = tuple(dict.fromkeys(x for alt in alts for x in alt))  # type: ignore[union-attr]
            if sub and score(sub) > score(best):
                best = sub
        if len(run) >= 2 and score((run,)) > score(best):
            best = (run,)
        return best

    try:
        found = required(parsed)
    except Exception:  # noqa: BLE001
        return None
    return tuple(x.lower() for x in found) if found else None


REGEX = RuleKind(
    "regex",
    Annotated[str, BeforeValidator(scalar_to_str), AfterValidator(_check)],
    compile_regex, match_regex, lint=_lint,
)
