"""What a rule kind declares, and what the rule matcher gives it.

A :class:`RuleKind` is the whole of one kind of codebook rule (``term:``,
``near:``, ...): the key it is written with, the value the schema accepts,
the fields of :class:`codingkit.model.Rule` it fills, how it compiles
against the matcher's Swedish word index (:class:`Compiled`), how it finds
its matches in a segment (:class:`SegmentWords`), and how it is described in
evidence and written back to YAML. :mod:`codingkit.rulekinds` holds the
registry; ``docs/extending.md`` shows how to add a kind.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Sequence

if TYPE_CHECKING:
    from ..coding.rules import RuleMatcher
    from ..model import Rule

#: One match of a rule: the ``(start, end)`` offsets of the matched words in
#: the segment text, the method (``"rule"``, or ``"fuzzy"`` with the
#: similarity 0–100 as third item, else ``None``).
Match = tuple[tuple[tuple[int, int], ...], str, "float | None"]

#: Option keys a rule may take besides its kind's key (``weight:`` and
#: ``unless:`` apply to every rule), in the order they are reported.
OPTIONS = ("with", "within", "gap", "fuzzy", "compound")


@dataclass
class Compiled:
    """A rule compiled for one :class:`~codingkit.coding.rules.RuleMatcher`.

    The matcher tries a rule on a segment only when it can match there:

    * ``needs``: word-id groups of which one word each must occur (the rule
      is indexed under the group least likely to occur everywhere, and
      skipped when any group is missing);
    * else ``index``: word ids whose occurrence makes the rule worth trying;
    * ``fuzzy``: a fuzzy-term id (:meth:`RuleMatcher.fuzzy_word`) whose
      fuzzy matches make it worth trying too;
    * ``scan``: the rule is tried on every text (``regex:``), or with
      ``literals`` only on texts (lower-cased) holding one of them.

    ``simple``: every occurrence of ``index[0]`` is a match and nothing else
    is (the matcher then makes the hits itself). ``data`` is the kind's own
    compiled form; ``kind`` and ``unless`` are set by the matcher.
    """

    rule: Rule
    data: Any = None
    needs: tuple[frozenset[int], ...] = ()
    index: tuple[int, ...] = ()
    fuzzy: int | None = None
    scan: bool = False
    literals: tuple[str, ...] | None = None
    simple: bool = False
    kind: RuleKind | None = None
    unless: tuple["Compiled", ...] = ()


class SegmentWords:
    """What one segment offers the rules: the words found, at which positions.

    Word positions count words only (punctuation is skipped). Only words
    that some rule of the codebook cares about are recorded.
    """

    __slots__ = ("text", "spans", "pos", "fuzzy", "ends", "cache")

    def __init__(self, text: str, spans: dict[int, tuple[int, int]],
                 pos: dict[int, list[int]],
                 fuzzy: dict[int, list[tuple[tuple[int, ...], float]]],
                 ends: Sequence[int] = ()) -> None:
        self.text = text
        self.ends = ends              # word positions after which a sentence ends
        self.spans = spans            # word position → (start, end) in text
        self.pos = pos                # word id → word positions, ascending
        self.fuzzy = fuzzy            # fuzzy id → [(word positions, similarity)]
        self.cache: dict[int, list[Match]] = {}


def _describe(rule: Rule) -> str:
    value = rule.pattern or ", ".join(w for g in rule.groups for w in g)
    return f"{rule.kind}({value})"


def _to_rule(value: Any, spec: Any) -> dict[str, Any]:
    if isinstance(value, str):
        return {"pattern": value}
    return {"groups": (tuple(value),)}


def _dump(rule: Rule) -> dict[str, Any]:
    return {rule.kind: rule.pattern if rule.pattern else tuple(rule.groups[0])}


@dataclass(frozen=True)
class RuleKind:
    """One kind of codebook rule.

    Attributes
    ----------
    name:
        The key in the codebook's YAML (``term``, ``near``, ...).
    value:
        The type of its value, for pydantic (``Annotated`` with validators
        that raise ``ValueError(message)``: the message is reported with
        the codebook's file and line).
    compile:
        ``compile(rule, matcher, code_id) -> Compiled``: the rule against
        the matcher's Swedish word index (``matcher.word``,
        ``matcher.split``, ``matcher.fuzzy_word``).
    evaluate:
        ``evaluate(compiled, segment_words) -> list[Match]``: every match
        in one segment, with the offsets of the matched words.
    options:
        The option keys it takes (of :data:`OPTIONS`); another one on a
        rule of this kind is an error.
    check:
        Further checks of the validated rule spec (its options), raising
        ``ValueError(message)``; or ``None``.
    to_rule:
        ``to_rule(value, spec) -> dict``: the fields of
        :class:`~codingkit.model.Rule` besides ``kind``, ``compound``,
        ``weight``, ``unless`` and ``line``. By default a text value is the
        ``pattern`` and a list the one group of ``groups``.
    describe:
        The rule in full (``term(dialog)``).
    short:
        The rule in a few words, for evidence columns (default: describe).
    dump:
        The rule's own keys as written in YAML (tuples are written
        ``[a, b]``); ``compound``, ``fuzzy``, ``weight`` and ``unless`` are
        added by the writer.
    lint:
        A warning about a rule that is valid but likely wrong, or ``None``.
    """

    name: str
    value: Any
    compile: Callable[[Rule, RuleMatcher, str], Compiled]
    evaluate: Callable[[Compiled, SegmentWords], list[Match]]
    options: frozenset[str] = frozenset()
    check: Callable[[Any], None] | None = None
    to_rule: Callable[[Any, Any], dict[str, Any]] = _to_rule
    describe: Callable[[Rule], str] = _describe
    short: Callable[[Rule], str] | None = None
    dump: Callable[[Rule], dict[str, Any]] = _dump
    lint: Callable[[Rule], str | None] = field(default=lambda rule: None)

    def __post_init__(self) -> None:
        unknown = set(self.options) - set(OPTIONS)
        if unknown:
            raise ValueError(f"rule kind {self.name!r}: unknown options {sorted(unknown)}")
        object.__setattr__(self, "options", frozenset(self.options))
        if self.short is None:
            object.__setattr__(self, "short", self.describe)
