"""Rule matching: the codebook's terms, phrases, regexes and near-rules.

A :class:`RuleMatcher` compiles every rule of a :class:`~codingkit.model.Codebook`
once and then finds, for a segment of text, every rule that matches it, with
the words that matched (:class:`RuleHit`). Each rule compiles and matches
as its kind says (:mod:`codingkit.rulekinds`); the matcher holds the index
of the word patterns the kinds compile to, finds them in a segment, and
tries only the rules whose words occur. How words match is described in
``docs/codebook.md``; in short:

* a **term** matches every inflection of the word (lookup lemma or Snowball
  stem equal), and, unless ``compound: false``, the word as the last part of a
  compound (``dialog`` → ``marknadsdialogen``) or as a first or middle part
  (``leverantör`` → ``leverantörsträffarna``). Guards against false parts:
  only terms of four letters or more match inside a word; at least three
  letters must be left on each side (``råd`` never matches ``område``); the
  rest after a first part, less a linking ``s``/``e``/``a``, must be a
  Swedish word or end in one (``kommun`` does not match ``kommunikation``);
  a head after a derivation prefix such as ``för-`` or ``upp-`` is not a
  compound head (``bjuda`` does not match ``förbjuden``);
* a **glob** term (``upphandl*``, ``?``) matches the lower-cased word or its
  lemma;
* a **phrase** matches its words in order, each like a term, with at most
  ``gap`` other words between;
* **near** matches when one word of every group occurs within ``within``
  words (the distance between the first and the last of them, counted in
  words, is at most ``within``);
* a phrase never reaches across the end of a sentence (a ``.``, ``!`` or
  ``?``; a hesitation ``...`` is not an end): in "jag lärde känna alla. Jag
  var ny" the phrase ``lära mig`` (with a gap) finds nothing. ``near`` may
  (a wide ``within`` is meant to span a short passage);
* **regex** is searched case-insensitively in the segment text, with the
  ``regex`` package and a time limit per segment (:mod:`codingkit.patterns`:
  a pattern that backtracks catastrophically stops the run with an error
  naming it, its code, the codebook and the line);
* **fuzzy** (a term with ``fuzzy: 85``) also matches words whose RapidFuzz
  ``fuzz.ratio`` with the term (or the term with a regular ending, such as
  ``upphandlingen``) is at least the cutoff, for typos and speech
  recognition slips (``upphandligen``), including a compound head
  (``marknadsdialgen``) and a compound written as two words
  (``leverantörs träff``). Only words of five or more letters that the
  Swedish lookup table does not know are compared: a real word such as
  ``handlingen`` is not a slip.

Speed: each distinct word form is looked up once (its matching word patterns
are remembered), and a rule is only tried on a segment when one of its words
occurs there, so matching adds little to tokenising.

Examples
--------
>>> from codingkit.model import Code, Codebook, Rule
>>> cb = Codebook("demo", {"tidig_dialog": Code("tidig_dialog", "Tidig dialog",
...     rules=(Rule("phrase", "bjuda in leverantör*"),))})
>>> hits = RuleMatcher(cb).match("Vi bjöd in leverantörerna till en träff.")
>>> hits[0].evidence()
"phrase(bjuda in leverantör*) → 'bjöd in leverantörerna'"
"""

from __future__ import annotations

import bisect
import fnmatch
import itertools
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Iterable, Iterator

from rapidfuzz import fuzz, process
from spacy.attrs import IDX, LENGTH, LOWER

from ..model import Codebook, Rule
from ..rulekinds import Compiled, Match, SegmentWords, rule_kind
from ..swedish import (
    DERIVATION_PREFIXES,
    LINKING_LETTERS,
    MIN_COMPOUND_REST,
    MIN_COMPOUND_TERM,
    SwedishAnalyzer,
    is_word,
    get_analyzer,
)

__all__ = ["RuleHit", "RuleMatcher", "MIN_FUZZY_LENGTH"]

#: Words shorter than this are never matched fuzzily.
MIN_FUZZY_LENGTH = 5
#: A stem shorter than this does not match a compound head ("förbjuden" is
#: not "bjuda").
_MIN_HEAD_STEM = 5
_GLOB_CHARS = set("*?[")
# Letters that the Snowball Swedish stemmer can strip (its suffix lists), and
# how many at most: a word whose ending has other letters keeps them.
_SUFFIX_LETTERS = frozenset("aarnaernaheternaornaadeadeandearneareasteenandenarenheten"
                            "ernarerheterorasarnasernasornasesadesandesensarenshetens"
                            "ernsatandethetast" "ddgdnndtgtkttt" "ligigelslöstfullt")
_MAX_STRIPPED = 11
#: Endings tried on a fuzzy term (Swedish noun and verb inflections).
_FUZZY_ENDINGS = ("", "en", "n", "et", "t", "er", "erna", "ar", "arna", "or", "orna", "na",
                  "s", "ens", "ets", "ns", "ernas", "arnas", "e", "a", "ade", "de", "te")
_PUNCT = object()    # a token that is not a word
_STOP = object()     # a token that ends a sentence: . ! ?
#: Sentence-final punctuation tokens: a phrase never spans one.
_SENTENCE_END = frozenset({".", "!", "?"})
_SENTENCE_END_RE = re.compile(r"(?<!\.)[.!?](?!\.)")
_EMPTY = object()    # a word that no rule cares about
_ATTRS = [LOWER, IDX, LENGTH]


@dataclass(frozen=True)
class RuleHit:
    """One match of one rule in one segment.

    Attributes
    ----------
    code:
        The id of the code the rule belongs to.
    rule:
        The matching rule.
    method:
        ``"rule"``, or ``"fuzzy"`` for a fuzzy term match.
    spans:
        Code-point offsets ``(start, end)`` of the matched words in the
        segment text.
    words:
        The matched words as written (``text[start:end]`` of each span).
    score:
        The rule's weight; for a fuzzy match the weight times the
        similarity / 100.
    similarity:
        The RapidFuzz ratio (0–100) of a fuzzy match, else ``None``.
    """

    code: str
    rule: Rule
    method: str
    spans: tuple[tuple[int, int], ...]
    words: tuple[str, ...]
    score: float
    similarity: float | None = field(default=None, compare=False)

    @property
    def start(self) -> int:
        """Offset of the first matched word."""
        return self.spans[0][0]

    def evidence(self) -> str:
        """The rule and the matched words, for an evidence column.

        Words that are far apart in the text are joined with " … ".

        >>> from codingkit.model import Rule
        >>> RuleHit("behov", Rule("term", "behov"), "rule", ((3, 10),),
        ...         ("behoven",), 1.0).evidence()
        "term(behov) → 'behoven'"
        """
        parts = [self.words[0]] if self.words else []
        for (_, prev_end), (start, _), word in zip(self.spans, self.spans[1:], self.words[1:]):
            parts.append(" " if start - prev_end <= 2 else " … ")
            parts.append(word)
        matched = "".join(parts)
        if self.method == "fuzzy":
            sim = round(self.similarity) if self.similarity is not None else 0
            return f"fuzzy term({self.rule.pattern}, {sim}) → '{matched}'"
        return f"{self.rule.short()} → '{matched}'"


# --------------------------------------------------------------------------
# compilation
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class _Word:
    """A word pattern: a plain term or a glob, with its compound switch."""

    pattern: str
    glob: bool
    compound: bool


def _position(hit: RuleHit) -> tuple[tuple[int, int], tuple[int, int]]:
    return hit.spans[0], hit.spans[-1]


def _is_glob(word: str) -> bool:
    return any(ch in _GLOB_CHARS for ch in word)


class RuleMatcher:
    """Find the codebook's rules in Swedish text.

    Parameters
    ----------
    codebook:
        The codebook whose rules, exclusions and ``unless`` vetoes are
        compiled (codes with ``codable=False`` never match).
    analyzer:
        The Swedish analyser; by default the shared one of
        :func:`codingkit.swedish.get_analyzer`.

    Notes
    -----
    A term gives one hit per matching word. A phrase gives one hit per
    occurrence (leftmost first, occurrences do not overlap). A near-rule
    gives one hit per window in which every group has a word (windows do not
    overlap; one word may serve two groups, e.g. ``leverantörsträffen`` for
    ``träff`` and ``leverantör``); a word of a near group that the tokenizer
    would split into several tokens is represented by its first token. A regex gives one hit per non-empty
    match. A code's hits are ordered by position; codes come in codebook
    order.

    Examples
    --------
    >>> from codingkit.model import Code, Codebook, Rule
    >>> cb = Codebook("demo", {"tidig_dialog": Code("tidig_dialog", "Tidig dialog",
    ...     rules=(Rule("term", "dialog"),))})
    >>> [h.words for h in RuleMatcher(cb).match("Marknadsdialogen gav mycket.")]
    [('Marknadsdialogen',)]
    """

    def __init__(self, codebook: Codebook, *, analyzer: SwedishAnalyzer | None = None) -> None:
        self.codebook = codebook
        self.analyzer = analyzer if analyzer is not None else get_analyzer()
        self._words: list[_Word] = []
        self._word_ids: dict[_Word, int] = {}
        self._fuzzy: list[tuple[int, str, int]] = []          # (word id, term, cutoff)
        self._fuzzy_ids: dict[tuple[int, int], int] = {}
        self._compiled: dict[int, Compiled] = {}             # id(rule) → compiled
        self._split_cache: dict[str, list[str]] = {}         # word → its tokens
        # the code's rules in order: (code id, [compiled], [exclusions])
        self._codes: list[tuple[str, list[Compiled], list[Compiled]]] = []
        for code in codebook:
            if not code.codable:
                continue
            rules = [self._compile(r, code.id) for r in code.rules]
            excl = [self._compile(r, code.id) for r in code.exclusions]
            self._codes.append((code.id, rules, excl))
        self._build_indexes()
        # form → (word ids, fuzzy matches ((fuzzy id, similarity), ...))
        self._form_cache: dict[str, object] = {}
        self._lex_cache: dict[int, object] = {}     # spaCy LOWER hash → form info
        self._pair_cache: dict[tuple[str, str], tuple[tuple[int, float], ...]] = {}

    # ------------------------------------------------------------------
    # compiling
    # ------------------------------------------------------------------
    # the kinds' compilers (codingkit.rulekinds) build their rules from these
    def word(self, text: str, compound: bool) -> int:
        """The id of a word pattern (a term or a glob; lower-cased, NFC):
        its occurrences are found in every segment (``SegmentWords.pos``).
        ``compound``: it may also match as a part of a compound."""
        lower = unicodedata.normalize("NFC", text).lower()
        glob = _is_glob(lower)
        word = _Word(lower, glob, compound and not glob and len(lower) >= MIN_COMPOUND_TERM)
        wid = self._word_ids.get(word)
        if wid is None:
            wid = len(self._words)
            self._words.append(word)
            self._word_ids[word] = wid
        return wid

    def split(self, pattern: str) -> list[str]:
        """Words of a term or phrase, as the tokenizer would split them."""
        out: list[str] = []
        cache = self._split_cache
        for piece in unicodedata.normalize("NFC", pattern).split():
            if _is_glob(piece):
                out.append(piece)
                continue
            toks = cache.get(piece)
            if toks is None:
                toks = cache[piece] = [t.lower for t in self.analyzer.analyse(piece)] or [piece]
            out.extend(toks)
        return out

    def fuzzy_word(self, wid: int, cutoff: int) -> int | None:
        """The id under which word ``wid`` is also matched fuzzily (RapidFuzz
        ratio ≥ ``cutoff``; ``SegmentWords.fuzzy``), ``None`` for a glob."""
        word = self._words[wid]
        if word.glob:
            return None
        key = (wid, cutoff)
        fid = self._fuzzy_ids.get(key)
        if fid is None:
            fid = len(self._fuzzy)
            self._fuzzy.append((wid, word.pattern, cutoff))
            self._fuzzy_ids[key] = fid
        return fid

    def _compile(self, rule: Rule, code_id: str = "") -> Compiled:
        done = self._compiled.get(id(rule))
        if done is not None:
            return done
        unless = tuple(self._compile(r, code_id) for r in rule.unless)
        kind = rule_kind(rule.kind)
        comp = kind.compile(rule, self, code_id)
        comp.kind, comp.unless = kind, unless
        comp.simple = comp.simple and not unless
        self._compiled[id(rule)] = comp
        return comp

    def _build_indexes(self) -> None:
        an = self.analyzer
        self._keys: dict[tuple[str, str], list[int]] = {}       # whole-word lemma/stem
        self._head_keys: dict[tuple[str, str], list[int]] = {}  # compound heads
        self._parts: dict[str, list[tuple[str, int]]] = {}      # first 4 letters → parts
        # first two letters → (word id, the literal before the first glob
        # character, its regex; None for "literal*", matched by startswith)
        self._globs: dict[str, list[tuple[int, str, re.Pattern[str] | None]]] = {}
        self._globs_any: list[tuple[int, re.Pattern[str]]] = []
        self._stems_by_prefix: dict[str, set[str]] = {}
        self._head_prefixes: set[str] = set()
        for wid, word in enumerate(self._words):
            if word.glob:
                lit = re.split(r"[*?\[]", word.pattern, maxsplit=1)[0]
                prefix_only = word.pattern == lit + "*"
                rx = None if prefix_only else re.compile(fnmatch.translate(word.pattern))
                if len(lit) >= 2:
                    self._globs.setdefault(lit[:2], []).append((wid, lit, rx))
                else:
                    self._globs_any.append((wid, re.compile(fnmatch.translate(word.pattern))))
                continue
            lemma, stem = an.lemma(word.pattern), an.stem(word.pattern)
            keys = {("L", lemma), ("L", word.pattern), ("S", stem)}
            for key in keys:
                self._keys.setdefault(key, []).append(wid)
            self._stems_by_prefix.setdefault(stem[:4], set()).add(stem)
            if word.compound:
                for key in keys:
                    if key[0] == "S" and len(key[1]) < _MIN_HEAD_STEM:
                        continue
                    self._head_keys.setdefault(key, []).append(wid)
                    self._head_prefixes.add(key[1][:4])
                for part in {word.pattern, lemma}:
                    if len(part) >= MIN_COMPOUND_TERM:
                        self._parts.setdefault(part[:4], []).append((part, wid))
        # one test whether any of the globs that may start anywhere matches
        self._globs_any_rx = (re.compile("|".join(rx.pattern for _, rx in self._globs_any))
                              if self._globs_any else None)
        self._stem_lengths = sorted({len(k) for k in self._stems_by_prefix}, reverse=True)
        # where a compound part or head may start: one regex over all prefixes
        # (it finds the positions; which prefixes start there is looked up,
        # as one that is a prefix of another — "dag", "dagb" — would hide it)
        prefixes = sorted(self._head_prefixes | set(self._parts))
        self._prefix_rx = (re.compile("(?=(?:" + "|".join(map(re.escape, prefixes)) + "))")
                           if prefixes else None)
        self._head_lengths = sorted({len(p) for p in self._head_prefixes})
        # rules by word and fuzzy id (vetoes are run on demand); every rule
        # gets a number in codebook order, so that sorting the numbers orders
        # hits by code
        self._flat: list[tuple[int, str, Compiled]] = []
        self._by_word: dict[int, set[int]] = {}
        self._by_fuzzy: dict[int, set[int]] = {}
        self._scan_rules: list[int] = []
        # the codes' exclusions are numbered after every main rule: they are
        # found the same way, and only looked at when asked for
        # (:meth:`match_with_exclusions`)
        main = [(ci, code_id, comp) for ci, (code_id, rules, _) in enumerate(self._codes)
                for comp in rules]
        self._n_main = len(main)
        excl = [(ci, code_id, comp) for ci, (code_id, _, excl) in enumerate(self._codes)
                for comp in excl]
        for ci, code_id, comp in main + excl:
            gi = len(self._flat)
            self._flat.append((ci, code_id, comp))
            if comp.scan:
                self._scan_rules.append(gi)
            # a rule is tried on a text when a word of its key group
            # occurs: a term's word, or the group of a phrase or
            # near-rule least likely to occur everywhere (all its groups
            # are needed, so any one of them would be correct)
            for wid in self._key_group(comp):
                self._by_word.setdefault(wid, set()).add(gi)
            if comp.fuzzy is not None:
                self._by_fuzzy.setdefault(comp.fuzzy, set()).add(gi)
        self._fuzzy_prefixes = {term[:4] for _, term, _ in self._fuzzy}
        # each fuzzy term with its regular inflections, so that a slip in an
        # inflected word ("upphandligen") is compared with the inflected
        # term ("upphandlingen"), not the bare one
        self._fuzzy_base = [term for _, term, _ in self._fuzzy]
        self._fuzzy_variants = [[term + ending for ending in _FUZZY_ENDINGS]
                                for term in self._fuzzy_base]
        self._fuzzy_initials = {term[:2] for term in self._fuzzy_base}
        lengths = [len(v) for vs in self._fuzzy_variants for v in vs]
        cut = max(min((c for _, _, c in self._fuzzy), default=100), 1)
        # fuzz.ratio = 2 * common / (len1 + len2): a cutoff bounds the lengths
        self._fuzzy_len = (int(min(lengths, default=0) * cut / (200 - cut)),
                           int(max(lengths, default=0) * (200 - cut) / cut) + 1)
        self._min_cutoff = min((c for _, _, c in self._fuzzy), default=100)
        # an inflected word is further from the bare term than from its
        # inflected form ("leverantörernas" ~ "leverantör": 80)
        self._fuzzy_loose = max(self._min_cutoff - 30, 0)
        # rules tried on the text (a regex), with the literals of which a text
        # (lower-cased) must hold one to be tried
        self._scan_lits = [(gi, self._flat[gi][2].literals) for gi in self._scan_rules]

    def _key_group(self, comp: Compiled) -> frozenset[int] | tuple[int, ...]:
        """The word ids under which ``comp`` is indexed (see :meth:`_build_indexes`)."""
        if not comp.needs:
            return comp.index
        from spacy.lang.sv.stop_words import STOP_WORDS

        def commonness(group: frozenset[int]) -> tuple[int, int, int]:
            pats = [self._words[w].pattern for w in group]
            if not pats:  # an empty group never matches: the best key
                return (-1, 0, 0)
            short = sum(1 for p in pats if p in STOP_WORDS or len(p.strip("*?")) < 4)
            return (short, len(pats), -min(len(p) for p in pats))

        return sorted(comp.needs, key=lambda g: (commonness(g), sorted(g)))[0]

    # ------------------------------------------------------------------
    # word forms
    # ------------------------------------------------------------------
    def _form_words(self, lower: str) -> tuple[tuple[int, ...], tuple[tuple[int, float], ...]]:
        """Word ids (and fuzzy matches) of one lower-case word form; cached."""
        an = self.analyzer
        found: set[int] = set()
        lemma = an.lemma(lower)
        keys = self._keys
        for key in (("L", lemma), ("L", lower)):
            hit = keys.get(key)
            if hit:
                found.update(hit)
        if self._may_stem_to_term(lower):
            hit = keys.get(("S", an.stem(lower)))
            if hit:
                found.update(hit)
        if self._globs or self._globs_any:
            for form in {lower, lemma}:
                for wid, lit, rx in self._globs.get(form[:2], ()):
                    if form.startswith(lit) if rx is None else rx.match(form):
                        found.add(wid)
                if self._globs_any_rx is not None and self._globs_any_rx.match(form):
                    for wid, rx in self._globs_any:
                        if rx.match(form):
                            found.add(wid)
        n = len(lower)
        if n >= MIN_COMPOUND_REST + MIN_COMPOUND_TERM and self._prefix_rx is not None:
            found.update(self._compound_words(lower))
        fuzzy: tuple[tuple[int, float], ...] = ()
        # a word the lexicon knows is a word, not a slip: "handlingen" is
        # not a misspelt "upphandlingen"
        if self._fuzzy and n >= MIN_FUZZY_LENGTH and not an.is_known(lower):
            fuzzy = self._fuzzy_match(lower, exclude=found)
        return tuple(sorted(found)), fuzzy

    def _may_stem_to_term(self, lower: str) -> bool:
        """Whether the stem of ``lower`` can be a term's stem.

        A Snowball stem is a prefix of the word, so the (slow) stemmer only
        runs on words that begin with some term's stem.
        """
        for k in self._stem_lengths:
            for stem in self._stems_by_prefix.get(lower[:k], ()):
                if lower.startswith(stem):
                    rest = lower[len(stem):]
                    if len(rest) <= _MAX_STRIPPED and _SUFFIX_LETTERS.issuperset(rest):
                        return True
        return False

    def _compound_words(self, lower: str) -> set[int]:
        """Compound-enabled terms found as head or first/middle part of ``lower``."""
        an = self.analyzer
        found: set[int] = set()
        n = len(lower)
        heads = self._head_prefixes
        for m in self._prefix_rx.finditer(lower):
            i = m.start()
            # a head: at least 3 letters before it, not after a derivation prefix
            if (MIN_COMPOUND_REST <= i <= n - MIN_COMPOUND_TERM
                    and any(lower[i:i + k] in heads for k in self._head_lengths)
                    and lower[:i] not in DERIVATION_PREFIXES):
                head = lower[i:]
                hkeys = [("L", an.lemma(head)), ("L", head)]
                if self._may_stem_to_term(head):
                    hkeys.append(("S", an.stem(head)))
                for hkey in hkeys:
                    hit = self._head_keys.get(hkey)
                    if hit:
                        found.update(hit)
            # a first or middle part: the rest after it (minus a linking
            # letter) must be a Swedish word or end in one
            cands = self._parts.get(lower[i:i + 4])  # parts are indexed by 4 letters
            if cands and (i == 0 or i >= MIN_COMPOUND_REST):
                for part, wid in cands:
                    if wid in found or not lower.startswith(part, i):
                        continue
                    rest = lower[i + len(part):]
                    if self._word_like(rest) or (
                            rest[:1] in LINKING_LETTERS and self._word_like(rest[1:])):
                        found.add(wid)
        return found

    def _word_like(self, rest: str) -> bool:
        """Whether ``rest`` is a Swedish word, or ends in one (a compound)."""
        if len(rest) < MIN_COMPOUND_REST:
            return False
        an = self.analyzer
        if an.is_known(rest):
            return True
        for j in range(MIN_COMPOUND_REST, len(rest) - MIN_COMPOUND_TERM + 1):
            if an.is_known(rest[j:]):
                return True
        return False

    def _fuzzy_match(self, form: str, exclude: set[int]) -> tuple[tuple[int, float], ...]:
        """Fuzzy terms close to ``form`` (or to one of its compound heads)."""
        best: dict[int, float] = {}
        lo, hi = self._fuzzy_len
        n = len(form)
        cands = [form] if lo <= n <= hi else []
        initials = self._fuzzy_initials
        whole = len(cands)
        for i in range(max(MIN_COMPOUND_REST, n - hi), n - max(MIN_FUZZY_LENGTH, lo) + 1):
            # a head that starts like a term, not after a derivation prefix
            if form[i:i + 2] in initials and form[:i] not in DERIVATION_PREFIXES:
                cands.append(form[i:])
        words = self._words
        base, loose = self._fuzzy_base, self._fuzzy_loose
        for k, cand in enumerate(cands):
            # first against the bare terms with a loose cutoff, then against
            # the inflected forms of the terms that came close
            for _, _, idx in process.extract(cand, base, scorer=fuzz.ratio,
                                             score_cutoff=loose, limit=None):
                wid, _, cutoff = self._fuzzy[idx]
                if k >= whole and not words[wid].compound:
                    continue
                hit = process.extractOne(cand, self._fuzzy_variants[idx], scorer=fuzz.ratio,
                                         score_cutoff=cutoff)
                if hit is not None and wid not in exclude and hit[1] > best.get(idx, -1):
                    best[idx] = hit[1]
        return tuple(sorted(best.items()))

    def _pair_match(self, first: str, second: str) -> tuple[tuple[int, float], ...]:
        """Fuzzy terms matched by two adjacent words written together."""
        key = (first, second)
        hit = self._pair_cache.get(key)
        if hit is None:
            joined = first + second
            fz = self._fuzzy_match(joined, exclude=set()) if len(joined) >= MIN_FUZZY_LENGTH else ()
            # keep only terms that neither word matches on its own
            alone: set[int] = set()
            for w in (first, second):
                info = self._form_info(w)
                if info is _EMPTY:
                    continue
                wids, wfz, _ = info  # type: ignore[misc]
                alone.update(f for f, _ in wfz)
                alone.update(f for f, (wid, _, _) in enumerate(self._fuzzy) if wid in wids)
            hit = tuple(x for x in fz if x[0] not in alone)
            self._pair_cache[key] = hit
        return hit

    # ------------------------------------------------------------------
    # matching
    # ------------------------------------------------------------------
    def forget_words(self, keep: int | None = None) -> None:
        """Empty the caches of word forms once they hold more than ``keep``
        entries (default :data:`codingkit.swedish.WORDS_KEPT`); the hits
        stay the same."""
        from .. import swedish

        caches = (self._form_cache, self._lex_cache, self._pair_cache)
        if sum(map(len, caches)) > (swedish.WORDS_KEPT if keep is None else keep):
            for cache in caches:
                cache.clear()

    def match(self, text: str) -> list[RuleHit]:
        """All rule hits in ``text``, ordered by code (codebook order), then position.

        >>> from codingkit.model import Code, Codebook, Rule
        >>> cb = Codebook("d", {"behov": Code("behov", "Behov", rules=(Rule("term", "behov"),))})
        >>> [h.evidence() for h in RuleMatcher(cb).match("Vi kartlade behoven först.")]
        ["term(behov) → 'behoven'"]
        """
        return self._match_doc(text, self.analyzer.nlp.make_doc(text))[0]

    def match_many(self, texts: Iterable[str], batch_size: int = 256) -> Iterator[list[RuleHit]]:
        """Match many texts (tokenised in batches); yields one hit list per text.

        >>> from codingkit.model import Code, Codebook, Rule
        >>> cb = Codebook("d", {"behov": Code("behov", "Behov", rules=(Rule("term", "behov"),))})
        >>> [len(h) for h in RuleMatcher(cb).match_many(["Behoven styrde.", "Nej."])]
        [1, 0]
        """
        tokenizer = self.analyzer.nlp.tokenizer
        it = iter(texts)
        while True:
            chunk = list(itertools.islice(it, batch_size))
            if not chunk:
                return
            yield from self.match_docs(chunk, list(tokenizer.pipe(chunk, batch_size=batch_size)))

    def match_docs(self, texts: list[str], docs: list) -> list[list[RuleHit]]:
        """Match texts already tokenised; one hit list per text.

        ``docs`` are the spaCy ``Doc`` objects of ``texts`` made by the
        analyser's tokenizer (``analyzer.nlp.tokenizer``), so that other
        steps (another matcher, the similarity model) can share one
        tokenisation.

        >>> from codingkit.model import Code, Codebook, Rule
        >>> cb = Codebook("d", {"behov": Code("behov", "Behov", rules=(Rule("term", "behov"),))})
        >>> m = RuleMatcher(cb)
        >>> texts = ["Behoven styrde.", "Nej."]
        >>> [len(h) for h in m.match_docs(texts, [m.analyzer.nlp.make_doc(t) for t in texts])]
        [1, 0]
        """
        return [hits for hits, _ in self._match_batch(texts, docs, False)]

    def match_with_exclusions(self, texts: list[str], docs: list
                              ) -> list[tuple[list[RuleHit], tuple[str, ...]]]:
        """As :meth:`match_docs`, and for each text also the codes whose
        exclusions match anywhere in it (in codebook order), whether or not
        a rule of the code matched: the coder keeps similarity from coding
        them. One pass finds both.

        >>> from codingkit.model import Code, Codebook, Rule
        >>> cb = Codebook("d", {"samverkan": Code("samverkan", "Samverkan",
        ...     rules=(Rule("term", "samverkan"),), exclusions=(Rule("term", "kör"),))})
        >>> m = RuleMatcher(cb)
        >>> texts = ["Samverkan i kören.", "Vi sjöng i kören."]
        >>> [(len(h), ex) for h, ex in m.match_with_exclusions(
        ...     texts, [m.analyzer.nlp.make_doc(t) for t in texts])]
        [(0, ('samverkan',)), (0, ('samverkan',))]
        """
        return self._match_batch(texts, docs, True)

    def _match_batch(self, texts: list[str], docs: list, exclusions: bool
                     ) -> list[tuple[list[RuleHit], tuple[str, ...]]]:
        scan_refs = self._scan_refs(texts)
        arrays = [d.to_array(_ATTRS) for d in docs]
        self._look_up(arrays, docs)
        return [self._match_doc(t, d, r, a.tolist(), exclusions)
                for t, d, r, a in zip(texts, docs, scan_refs, arrays)]

    def _look_up(self, arrays: list, docs: list) -> None:
        """Look the batch's new word forms up in the lemma table at once
        (:meth:`SwedishAnalyzer.look_up`) before they are analysed one by one."""
        import numpy as np

        lows = [a[:, 0] for a in arrays if len(a)]
        if not lows:
            return
        cache = self._lex_cache
        new = [lex for lex in np.unique(np.concatenate(lows)).tolist() if lex not in cache]
        if not new:
            return
        # (docs may come from more than one tokenizer: each names its own words)
        stores = list({id(d.vocab): d.vocab.strings for d in docs}.values())
        forms = []
        for lex in new:
            for strings in stores:
                if lex in strings:
                    forms.append(strings[lex])
                    break
        self.analyzer.look_up(f for f in forms if f not in _SENTENCE_END and is_word(f))

    def _lex_info(self, lex: int, doc) -> object:
        lower = doc.vocab.strings[lex]
        if lower in _SENTENCE_END:
            info: object = _STOP
        elif not is_word(lower):
            info = _PUNCT
        else:
            info = self._form_info(lower)
        self._lex_cache[lex] = info
        return info

    def _form_info(self, lower: str):
        """``_EMPTY`` or (word ids, fuzzy matches, may start a split compound)."""
        info = self._form_cache.get(lower)
        if info is None:
            wids, fz = self._form_words(lower)
            pair = bool(self._fuzzy) and lower[:4] in self._fuzzy_prefixes and lower.isalpha()
            info = (wids, fz, pair) if (wids or fz or pair) else _EMPTY
            self._form_cache[lower] = info
        return info

    def _scan_refs(self, texts: list[str]) -> list[list[int]]:
        """For each text, the rules tried on the text (regexes) worth running on it."""
        out: list[list[int]] = [[] for _ in texts]
        if not self._scan_lits:
            return out
        # one search per literal over the whole batch (texts joined by NUL)
        lows = [t.lower() for t in texts]
        joined = "\0".join(lows)
        starts = list(itertools.accumulate((len(x) + 1 for x in lows[:-1]), initial=0))
        ends = starts[1:] + [len(joined)]
        for ref, lit in self._scan_lits:
            if lit is None or any("\0" in x for x in lit):
                for k, low in enumerate(lows):
                    if lit is None or any(x in low for x in lit):
                        out[k].append(ref)
                continue
            found: set[int] = set()
            for x in lit:
                i = joined.find(x)
                while i >= 0:
                    k = bisect.bisect_right(starts, i) - 1
                    found.add(k)
                    i = joined.find(x, ends[k])
            for k in sorted(found):
                out[k].append(ref)
        return out

    def _match_doc(self, text: str, doc, scan: list[int] | None = None,
                   rows: list[list[int]] | None = None, exclusions: bool = False
                   ) -> tuple[list[RuleHit], tuple[str, ...]]:
        """The hits in one tokenised text and, with ``exclusions``, the
        codes whose exclusions match (as :meth:`_finish`)."""
        if not len(doc):
            return self._finish(text, {}, {}, {}, scan, exclusions=exclusions)
        if rows is None:
            rows = doc.to_array(_ATTRS).tolist()
        get = self._lex_cache.get
        pos: dict[int, list[int]] = {}
        fuzzy: dict[int, list[tuple[tuple[int, ...], float]]] = {}
        spans: dict[int, tuple[int, int]] = {}
        ends: list[int] = []      # last word position before each sentence end
        i = -1
        pending = -1
        pending_lower = ""
        for lex, start, length in rows:
            info = get(lex)
            if info is None:
                info = self._lex_info(lex, doc)
            if info is _PUNCT:
                continue
            if info is _STOP:
                if i >= 0 and (not ends or ends[-1] != i):
                    ends.append(i)
                pending = -1
                continue
            i += 1
            if pending >= 0:
                spans[i] = (start, start + length)
                self._pair(text, pending_lower, doc.vocab.strings[lex], pending, spans, fuzzy)
                pending = -1
            if info is _EMPTY:
                continue
            spans[i] = (start, start + length)
            wids, fz, pair = info
            for wid in wids:
                p = pos.get(wid)
                if p is None:
                    pos[wid] = [i]
                else:
                    p.append(i)
            for fid, sim in fz:
                fuzzy.setdefault(fid, []).append(((i,), sim))
            if pair:
                pending = i
                pending_lower = doc.vocab.strings[lex]
        return self._finish(text, spans, pos, fuzzy, scan, ends, exclusions)

    def _pair(self, text: str, first: str, second: str, i: int,
              spans: dict[int, tuple[int, int]],
              fuzzy: dict[int, list[tuple[tuple[int, ...], float]]]) -> None:
        """Try token ``i`` and the next one written together (a split compound)."""
        end, start = spans[i][1], spans[i + 1][0]
        if second.isalpha() and text[end:start].isspace():
            for fid, sim in self._pair_match(first, second):
                fuzzy.setdefault(fid, []).append(((i, i + 1), sim))

    def _finish(self, text: str, spans: dict[int, tuple[int, int]], pos: dict[int, list[int]],
                fuzzy: dict[int, list[tuple[tuple[int, ...], float]]],
                scan: list[int] | None = None, ends: list[int] | None = None,
                exclusions: bool = False) -> tuple[list[RuleHit], tuple[str, ...]]:
        """Run the rules whose words occur, apply vetoes, order the hits.

        ``scan``: the rules tried on the text to run (``None``: find them for ``text``);
        ``ends``: the word positions after which a sentence ends. Returns the
        hits and, with ``exclusions``, the codes whose exclusions match (else ``()``).
        """
        refs: set[int] = set()
        by_word = self._by_word
        for wid in pos:
            r = by_word.get(wid)
            if r:
                refs.update(r)
        for fid in fuzzy:
            r = self._by_fuzzy.get(fid)
            if r:
                refs.update(r)
        if scan is None:
            scan = self._scan_refs([text])[0]
        refs.update(scan)
        if not refs:
            return [], ()
        seg = SegmentWords(text, spans, pos, fuzzy, ends or ())
        out: list[RuleHit] = []
        current = -1
        code_hits: list[RuleHit] = []
        flat = self._flat
        ordered = sorted(refs)
        n_main = bisect.bisect_left(ordered, self._n_main)
        for gi in ordered[:n_main]:
            ci, code_id, comp = flat[gi]
            if ci != current:
                if code_hits:
                    self._close(current, code_hits, seg, out)
                    code_hits = []
                current = ci
            rule = comp.rule
            if comp.simple:  # a term without fuzzy or unless: the common case
                weight = rule.weight
                for i in pos[comp.index[0]]:
                    s, e = spans[i]
                    code_hits.append(RuleHit(code_id, rule, "rule", ((s, e),), (text[s:e],),
                                             weight, None))
                continue
            for hspans, method, sim in self._matches(comp, seg):
                score = rule.weight if sim is None else rule.weight * sim / 100.0
                code_hits.append(RuleHit(code_id, rule, method, hspans,
                                         tuple(text[s:e] for s, e in hspans), score, sim))
        if code_hits:
            self._close(current, code_hits, seg, out)
        return out, (self._excluded(ordered[n_main:], seg) if exclusions else ())

    def _excluded(self, refs: list[int], seg: SegmentWords) -> tuple[str, ...]:
        """The codes (in codebook order) that one of their exclusions, among
        the rules numbered ``refs``, matches in the segment."""
        out: list[str] = []
        for gi in refs:
            _, code_id, comp = self._flat[gi]
            if out and out[-1] == code_id:
                continue
            # (a simple one is indexed by its one word, which occurs)
            if comp.simple or self._matches(comp, seg):
                out.append(code_id)
        return tuple(out)

    def _matches(self, comp: Compiled, seg: SegmentWords) -> list[Match]:
        """The matches of a rule in the segment; none if one of its ``unless`` matches."""
        needs = comp.needs
        if needs and any(seg.pos.keys().isdisjoint(g) for g in needs):
            return []  # a word the rule needs is missing: no match (cheap test)
        found = self._eval(comp, seg)
        if found and comp.unless and any(self._eval(u, seg) for u in comp.unless):
            return []
        return found

    def _close(self, ci: int, code_hits: list[RuleHit], seg: SegmentWords,
               out: list[RuleHit]) -> None:
        """Apply the code's exclusions, order its hits by position, add them to ``out``."""
        excl = self._codes[ci][2]
        if excl and any(self._matches(c, seg) for c in excl):
            return
        if len(code_hits) > 1:
            code_hits.sort(key=_position)
        out.extend(code_hits)

    def _eval(self, comp: Compiled, seg: SegmentWords) -> list[Match]:
        """All matches of one compiled rule in a segment (memoised per segment)."""
        key = id(comp)
        done = seg.cache.get(key)
        if done is not None:
            return done
        res = comp.kind.evaluate(comp, seg)  # type: ignore[union-attr]
        seg.cache[key] = res
        return res
