"""Rule kinds: the registry of the keys a codebook rule is written with.

>>> from codingkit.rulekinds import RULE_KINDS
>>> list(RULE_KINDS)
['term', 'phrase', 'regex', 'near']

Each :class:`RuleKind` declares, in one place, the key of its rules in the
codebook's YAML, the value the schema accepts (and the messages for a bad
one), how it compiles against the matcher's Swedish word index, how it
finds its matches with their offsets, and how it is described in evidence
and written back to YAML. The codebook schema
(:mod:`codingkit.codebook.schema`), the codebook reader and writer, and
the rule matcher (:mod:`codingkit.coding.rules`) take the kinds from here.
``docs/extending.md`` shows how to add one with :func:`register_rule_kind`.

=======  ====================================
kind     module
=======  ====================================
term     :mod:`codingkit.rulekinds.words`
phrase   :mod:`codingkit.rulekinds.words`
regex    :mod:`codingkit.rulekinds.regex`
near     :mod:`codingkit.rulekinds.near`
=======  ====================================
"""

from __future__ import annotations

from .kind import OPTIONS, Compiled, Match, RuleKind, SegmentWords
from .near import DEFAULT_WITHIN, NEAR
from .regex import REGEX
from .words import PHRASE, TERM

__all__ = ["RULE_KINDS", "RuleKind", "Compiled", "SegmentWords", "Match", "OPTIONS",
           "DEFAULT_WITHIN", "register_rule_kind", "unregister_rule_kind", "rule_kind"]

#: Rule kinds by their key, in the order a codebook's messages list them.
RULE_KINDS: dict[str, RuleKind] = {k.name: k for k in (TERM, PHRASE, REGEX, NEAR)}

#: Keys of a rule that are not kinds.
_RESERVED = frozenset(OPTIONS) | {"weight", "unless"}


def register_rule_kind(kind: RuleKind) -> None:
    """Let codebooks write rules of ``kind`` (under the key ``kind.name``).

    A kind registered under a name already taken replaces it.

    >>> from codingkit.rulekinds.words import compile_words, match_words
    >>> register_rule_kind(RuleKind("word", RULE_KINDS["term"].value,
    ...                             compile_words, match_words))
    >>> "word" in RULE_KINDS
    True
    >>> unregister_rule_kind("word")
    """
    if kind.name in _RESERVED or not kind.name.isidentifier():
        raise ValueError(f"cannot register a rule kind named {kind.name!r}")
    RULE_KINDS[kind.name] = kind


def unregister_rule_kind(name: str) -> None:
    """Forget the rule kind ``name`` (codebooks using it no longer load)."""
    RULE_KINDS.pop(name, None)


def rule_kind(name: str) -> RuleKind:
    """The registered kind ``name``.

    Raises
    ------
    KeyError
        No kind of that name is registered (a codebook naming one is
        refused when it is read, so this means a kind was unregistered).
    """
    try:
        return RULE_KINDS[name]
    except KeyError:
        raise KeyError(f"unknown rule kind {name!r}; known: {', '.join(RULE_KINDS)}") from None
