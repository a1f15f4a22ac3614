"""Swedish words: tokens, lemmas, stems and compounds.

codingkit reads Swedish with three maintained tools and no trained model:

* spaCy's rule-based Swedish tokenizer (``spacy.blank("sv")``),
* the Swedish lookup lemma table of ``spacy-lookups-data``
  (``leverantörerna`` → ``leverantör``, ``bjöd`` → ``bjuda``), corrected for
  a few frequent errors in :data:`LEMMA_OVERRIDES`,
* the Snowball Swedish stemmer (``snowballstemmer``) as a fallback for words
  the table does not know (``upphandlingarna`` → ``upphandling``).

Every word form is analysed once and remembered, so analysing a large corpus
costs little more than tokenising it.

Examples
--------
>>> from codingkit.swedish import get_analyzer
>>> sv = get_analyzer()
>>> [t.lemma for t in sv.analyse("Vi bjöd in leverantörerna.")]
['vi', 'bjuda', 'in', 'leverantör']
>>> sv.stem("upphandlingarna")
'upphandling'
"""

from __future__ import annotations

import functools
import itertools
import os
import sqlite3
import threading
from pathlib import Path
from typing import Iterable, Iterator, NamedTuple

__all__ = ["Token", "SwedishAnalyzer", "get_analyzer", "is_word", "LEMMA_OVERRIDES", "LINKING_LETTERS",
           "DERIVATION_PREFIXES", "LemmaTable", "lemma_cache_dir"]

#: Corrections of the spaCy Swedish lookup table, word form → lemma.
#:
#: The table is a plain form → lemma list without part of speech, so a
#: frequent function word sometimes gets the lemma of a rare homograph
#: ("med" → "mede", "har" → "hare", "men" → "mena"). Each entry below was
#: checked against the table (spacy-lookups-data 1.0.5) and is what a
#: Swedish reader expects in interview speech. Forms that the table gets
#: right are not listed.
LEMMA_OVERRIDES: dict[str, str] = {
    # prepositions, conjunctions, adverbs
    "med": "med",          # table: mede
    "in": "in",            # table: i (the particle in "bjuda in")
    "för": "för",          # table: föra
    "när": "när",          # table: nära
    "men": "men",          # table: mena
    "mot": "mot",          # table: mota
    "hos": "hos",          # table: ho
    "bara": "bara",        # table: bar
    "mycket": "mycket",    # table: mycken
    "redan": "redan",      # table: reda
    "sen": "sen",          # table: sena ("sen" = then, in speech)
    "vad": "vad",          # table: vada
    # pronouns and articles
    "det": "det",          # table: en
    "den": "den",          # table: en
    "en": "en",            # table: man
    "de": "de",            # table: en
    "dem": "de",           # table: dema
    "dom": "de",           # table: en (spoken form of de/dem)
    "man": "man",          # table: mana
    "han": "han",          # table: hane
    "hon": "hon",          # table: hona
    "ni": "ni",            # table: nia
    "era": "er",           # table: ni
    "ert": "er",           # table: Ni
    "du": "du",            # table: dua
    "mej": "jag",          # table: meja
    "sin": "sin",          # table: sina
    "sitt": "sin",         # table: sitta
    "sina": "sin",         # table: sig
    "vår": "vår",          # table: vi
    "vårt": "vår",         # table: vi
    "våra": "vår",         # table: vi
    "andra": "annan",      # table: två
    "första": "första",    # table: en
    "många": "många",      # table: mången
    "flera": "flera",      # table: mången
    "fler": "flera",       # table: mången
    # verbs
    "har": "ha",           # table: hare
    "fick": "få",          # table: ficka
    "finns": "finnas",     # table: finne
    "ville": "vilja",      # table: villa
    "tog": "ta",           # table: toga
    "lärde": "lära",       # table: lärd
    "lärt": "lära",        # table: lärd
    "skickade": "skicka",  # table: skickad
    "träffade": "träffa",  # table: träffad
    "träffat": "träffa",   # table: träffad
    "upphandlar": "upphandla",  # table: upphandlare (the verb, "vi upphandlar")
    # nouns of the domain
    "företag": "företag",  # table: företa
    "träff": "träff",      # table: träffa (the noun: "en träff med leverantörerna")
    "stöd": "stöd",        # table: stödja
    "risk": "risk",        # table: riska
    "lag": "lag",          # table: laga
    "regler": "regel",     # table: reglera
    "remiss": "remiss",    # table: remissa
    "nytt": "ny",          # table: nytta
}

#: Letters that may join the parts of a Swedish compound
#: (``leverantör-s-träff``, ``skol-e-bibliotek``, ``gat-u-kök`` is not handled).
LINKING_LETTERS = "sea"

#: Prefixes that derive a new word rather than form a compound: a head after
#: exactly one of these is not matched ("förbjuden" is not "bjuden",
#: "uppföljning" is not "följning", "överprövning" is not "prövning").
DERIVATION_PREFIXES = frozenset({
    "för", "upp", "till", "över", "under", "miss", "sam", "bort", "fram",
    "efter", "genom", "mot", "emot", "ned", "ner", "åter", "när",
})

#: A term must have at least this many letters to match inside a compound.
MIN_COMPOUND_TERM = 4
#: The rest of a compound beside the matched part must be empty or at least
#: this long ("råd" never matches in "område", "ide" never in "videon").
MIN_COMPOUND_REST = 3


class Token(NamedTuple):
    """One word of an analysed text.

    Attributes
    ----------
    text:
        The word as written.
    lower:
        The word in lower case.
    lemma:
        The dictionary form (lookup lemma, lower case).
    stem:
        The Snowball stem of ``lower``.
    start, end:
        Code-point offsets of the word in the analysed text
        (``text[start:end] == token.text``).
    """

    text: str
    lower: str
    lemma: str
    stem: str
    start: int
    end: int


def is_word(text: str) -> bool:
    """Whether a token is a word (has a letter or digit), not punctuation.

    >>> is_word("2019"), is_word("–"), is_word("RFI:n")
    (True, False, True)
    """
    for ch in text:
        if ch.isalnum():
            return True
    return False


#: Version of the lemma cache file layout (part of its name).
_CACHE_FORMAT = 1

#: Word forms (and other word-keyed entries) the caches of a coding run may
#: hold before :meth:`SwedishAnalyzer.forget_words` and its kin empty them
#: between parts of a run: each new word of a corpus costs a few hundred
#: bytes in every cache, so a large corpus of varied words would grow
#: without bound (the caches only save time: emptied, they give the same
#: answers).
WORDS_KEPT = 100_000


def lemma_cache_dir() -> Path:
    """Where codingkit keeps its lemma cache.

    ``$CODINGKIT_CACHE`` if set, else ``$XDG_CACHE_HOME/codingkit``, else
    ``~/.cache/codingkit``.
    """
    if os.environ.get("CODINGKIT_CACHE"):
        return Path(os.environ["CODINGKIT_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "codingkit"


def _lookup_source() -> tuple[str, Path]:
    """The version of spacy-lookups-data and its Swedish lemma file."""
    import spacy_lookups_data

    folder = Path(spacy_lookups_data.__file__).parent / "data"
    path = folder / "sv_lemma_lookup.json.gz"
    if not path.exists():  # pragma: no cover - the wheel ships the .gz file
        path = folder / "sv_lemma_lookup.json"
    return spacy_lookups_data.__version__, path


def _read_lookup_json(path: Path) -> dict[str, str]:
    import gzip
    import json

    raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    return json.loads(raw)


class LemmaTable:
    """The Swedish lookup lemma table of spacy-lookups-data, read on demand.

    Loading the whole table (660 000 word forms) into memory takes seconds,
    while a corpus needs a few thousand of them. So the table is converted
    once into an SQLite file in :func:`lemma_cache_dir` (named after the
    spacy-lookups-data version, written atomically), and each word form is
    looked up there when first needed. When the cache folder cannot be
    written, the table is read into memory from the package data instead
    (slower to start, same answers).

    Parameters
    ----------
    cache_dir:
        The cache folder; ``None``: :func:`lemma_cache_dir`; ``False``: no
        cache file, read the package data into memory.

    Examples
    --------
    >>> table = LemmaTable()
    >>> table.get("leverantörerna"), "leverantörerna" in table, table.get("xyzzy")
    ('leverantör', True, None)
    >>> table.is_lemma("leverantör")
    True
    """

    def __init__(self, cache_dir: str | os.PathLike[str] | None | bool = None) -> None:
        self._con = None
        self._forms: dict[str, str] | None = None
        self._lemmas: frozenset[str] | None = None
        self._lock = threading.Lock()
        version, source = _lookup_source()
        self.version = version
        self.path: Path | None = None
        if cache_dir is not False:
            folder = lemma_cache_dir() if cache_dir in (None, True) else Path(cache_dir)
            path = folder / f"sv_lemma_lookup-{version}-c{_CACHE_FORMAT}.sqlite"
            try:
                if not path.exists():
                    self._build(source, path)
                self._con = self._connect(path)
                self.path = path
            except (OSError, sqlite3.Error):
                self._con = None
        if self._con is None:
            data = _read_lookup_json(source)
            self._forms = data
            self._lemmas = frozenset(v.lower() for v in data.values())

    @staticmethod
    def _connect(path: Path):
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        con.execute("SELECT 1 FROM forms LIMIT 1").fetchall()
        return con

    @staticmethod
    def _build(source: Path, path: Path) -> None:
        """Convert the package's JSON table into the SQLite cache file."""
        from .fileio import atomic_path

        data = _read_lookup_json(source)
        with atomic_path(path) as tmp:
            tmp.unlink()
            con = sqlite3.connect(tmp)
            try:
                con.execute("PRAGMA journal_mode=OFF")
                con.execute("CREATE TABLE forms (form TEXT PRIMARY KEY, lemma TEXT) WITHOUT ROWID")
                con.execute("CREATE TABLE lemmas (lemma TEXT PRIMARY KEY) WITHOUT ROWID")
                con.executemany("INSERT OR REPLACE INTO forms VALUES (?, ?)", data.items())
                con.executemany("INSERT OR IGNORE INTO lemmas VALUES (?)",
                                ((v,) for v in {v.lower() for v in data.values()}))
                con.commit()
            finally:
                con.close()

    def get(self, form: str) -> str | None:
        """The lemma of ``form`` as the table writes it, or ``None``."""
        if self._forms is not None:
            return self._forms.get(form)
        with self._lock:
            row = self._con.execute("SELECT lemma FROM forms WHERE form = ?", (form,)).fetchone()
        return row[0] if row else None

    def __contains__(self, form: object) -> bool:
        if self._forms is not None:
            return form in self._forms
        with self._lock:
            return self._con.execute("SELECT 1 FROM forms WHERE form = ?",
                                     (form,)).fetchone() is not None

    def is_lemma(self, word: str) -> bool:
        """Whether ``word`` (lower case) is the lemma of some form of the table."""
        if self._lemmas is not None:
            return word in self._lemmas
        with self._lock:
            return self._con.execute("SELECT 1 FROM lemmas WHERE lemma = ?",
                                     (word,)).fetchone() is not None

    def get_many(self, forms: Iterable[str]) -> dict[str, str]:
        """:meth:`get` of many forms at once: the lemmas of the forms the
        table knows (one query per 500 forms instead of one per form).

        >>> LemmaTable().get_many(["behoven", "xyzzy"])
        {'behoven': 'behov'}
        """
        if self._forms is not None:
            return {f: self._forms[f] for f in forms if f in self._forms}
        return dict(self._select("SELECT form, lemma FROM forms WHERE form IN", forms))

    def lemmas_among(self, words: Iterable[str]) -> set[str]:
        """The ``words`` (lower case) that are lemmas of the table
        (:meth:`is_lemma` of many words at once)."""
        if self._lemmas is not None:
            return {w for w in words if w in self._lemmas}
        return {row[0] for row in self._select("SELECT lemma FROM lemmas WHERE lemma IN", words)}

    def _select(self, query: str, keys: Iterable[str], chunk: int = 500) -> list[tuple]:
        keys = list(keys)
        rows: list[tuple] = []
        with self._lock:
            for i in range(0, len(keys), chunk):
                part = keys[i : i + chunk]
                rows.extend(self._con.execute(
                    f"{query} ({','.join('?' * len(part))})", part).fetchall())
        return rows


@functools.lru_cache(maxsize=1)
def _lemma_table() -> LemmaTable:
    """The Swedish lookup lemma table (opened once per process)."""
    return LemmaTable()


class SwedishAnalyzer:
    """Tokenise Swedish text and reduce words to lemmas and stems.

    Building an analyser opens the Swedish lookup table (:class:`LemmaTable`;
    the first run on a machine converts it into a cache file, a few
    seconds); use :func:`get_analyzer` to share one instance.

    Parameters
    ----------
    overrides:
        Extra form → lemma corrections, applied on top of
        :data:`LEMMA_OVERRIDES`.

    Examples
    --------
    >>> sv = SwedishAnalyzer()
    >>> sv.lemma("Med"), sv.lemma("behoven"), sv.lemma("bjöd")
    ('med', 'behov', 'bjuda')
    >>> tok = sv.analyse("Marknadsdialogen var bra.")[0]
    >>> tok.text, tok.start, tok.end
    ('Marknadsdialogen', 0, 16)
    """

    def __init__(self, *, overrides: dict[str, str] | None = None) -> None:
        import snowballstemmer
        import spacy

        self.nlp = spacy.blank("sv")
        self._table = _lemma_table()
        self._stemmer = snowballstemmer.stemmer("swedish")
        self._extra_overrides = dict(overrides or {})
        self._overrides = {k.lower(): v.lower() for k, v in LEMMA_OVERRIDES.items()}
        if overrides:
            self._overrides.update({k.lower(): v.lower() for k, v in overrides.items()})
        self._lemmas: dict[str, str] = {}
        self._stems: dict[str, str] = {}
        self._known: dict[str, bool] = {}
        # lexeme hash (spaCy LOWER attribute) → lower-case form, or None for
        # punctuation and space
        self._lex: dict[int, str | None] = {}

    # ------------------------------------------------------------------
    # single words
    # ------------------------------------------------------------------
    def forget_words(self, keep: int | None = None) -> None:
        """Empty the word caches once they hold more than ``keep`` entries
        (default :data:`WORDS_KEPT`); the answers stay the same."""
        caches = (self._lemmas, self._stems, self._known, self._lex)
        if sum(map(len, caches)) > (WORDS_KEPT if keep is None else keep):
            for cache in caches:
                cache.clear()

    def lemma(self, word: str) -> str:
        """The lookup lemma of ``word``, in lower case.

        Words the table does not know are their own lemma.
        """
        lower = word.lower()
        lem = self._lemmas.get(lower)
        if lem is None:
            lem = self._overrides.get(lower)
            if lem is None:
                found = self._table.get(lower)
                lem = found.lower() if found else lower
            self._lemmas[lower] = lem
        return lem

    def look_up(self, words: Iterable[str]) -> None:
        """Look many lower-case words up in the lemma table at once, so that
        :meth:`lemma` and :meth:`is_known` of them answer from memory (a
        corpus's new words are looked up a batch at a time rather than one
        query each). The answers are the same as without it.

        >>> sv = SwedishAnalyzer()
        >>> sv.look_up(["leverantörerna", "xyzzy"])
        >>> sv.lemma("leverantörerna"), sv.is_known("xyzzy")
        ('leverantör', False)
        """
        new = [w for w in dict.fromkeys(words) if w not in self._known or w not in self._lemmas]
        if not new:
            return
        found = self._table.get_many(new)
        unknown = [w for w in new if w not in found and w not in self._overrides]
        lemmas = self._table.lemmas_among(unknown)
        for w in new:
            if w not in self._lemmas:
                lem = self._overrides.get(w)
                if lem is None:
                    f = found.get(w)
                    lem = f.lower() if f else w
                self._lemmas[w] = lem
            if w not in self._known:
                self._known[w] = w in self._overrides or w in found or w in lemmas

    def stem(self, word: str) -> str:
        """The Snowball Swedish stem of ``word`` (lower case).

        The stem is always a prefix of the lower-case word, at most one
        letter shorter than the part it keeps (Snowball undoubles ``dd``,
        ``tt``, ...).
        """
        lower = word.lower()
        st = self._stems.get(lower)
        if st is None:
            st = self._stemmer.stemWord(lower)
            self._stems[lower] = st
        return st

    def is_known(self, word: str) -> bool:
        """Whether ``word`` is a Swedish word form or lemma of the lookup table.

        Used to check the rest of a compound: ``träffarna`` in
        ``leverantörsträffarna`` is a word, ``ikation`` in ``kommunikation``
        is not.
        """
        lower = word.lower()
        known = self._known.get(lower)
        if known is None:
            known = (
                lower in self._overrides
                or lower in self._table
                or self._table.is_lemma(lower)
            )
            self._known[lower] = known
        return known

    def compound_heads(self, word: str) -> list[tuple[int, str]]:
        """Possible last parts (heads) of a compound word.

        Returns ``(offset, head)`` pairs, longest head first, for every split
        that leaves at least :data:`MIN_COMPOUND_REST` letters before the head
        and at least :data:`MIN_COMPOUND_TERM` letters in it, except splits
        after a derivation prefix (:data:`DERIVATION_PREFIXES`).

        >>> get_analyzer().compound_heads("marknadsdialog")[-2:]
        [(9, 'ialog'), (10, 'alog')]
        """
        lower = word.lower()
        return [(i, lower[i:]) for i in range(MIN_COMPOUND_REST,
                                              len(lower) - MIN_COMPOUND_TERM + 1)
                if lower[:i] not in DERIVATION_PREFIXES]

    # ------------------------------------------------------------------
    # texts
    # ------------------------------------------------------------------
    def _form(self, lex: int, doc) -> str | None:
        form = self._lex.get(lex, 0)
        if form == 0:
            lower = doc.vocab.strings[lex]
            form = lower if is_word(lower) else None
            self._lex[lex] = form
        return form  # type: ignore[return-value]

    def word_forms(self, doc) -> list[tuple[str, int, int]]:
        """The word tokens of a spaCy ``Doc`` as ``(lower, start, end)``.

        The fast path used by the rule matcher: no lemma or stem is
        computed here.
        """
        from spacy.attrs import IDX, LENGTH, LOWER

        if not len(doc):
            return []
        out = []
        get = self._lex.get
        for lex, start, length in doc.to_array([LOWER, IDX, LENGTH]).tolist():
            form = get(lex, 0)
            if form == 0:
                form = self._form(lex, doc)
            if form is not None:
                out.append((form, start, start + length))
        return out

    def tokens_from_forms(self, text: str, forms: list[tuple[str, int, int]]) -> list[Token]:
        """Build :class:`Token` objects from :meth:`word_forms` output."""
        lemma, stem = self.lemma, self.stem
        return [Token(text[s:e], lw, lemma(lw), stem(lw), s, e) for lw, s, e in forms]

    def analyse(self, text: str) -> list[Token]:
        """The words of ``text`` with lemma, stem and offsets.

        Punctuation and white space are left out.

        >>> [(t.text, t.lemma) for t in get_analyzer().analyse("Behoven, i regionen.")]
        [('Behoven', 'behov'), ('i', 'i'), ('regionen', 'region')]
        """
        doc = self.nlp.make_doc(text)
        return self.tokens_from_forms(text, self.word_forms(doc))

    def analyse_many(self, texts: Iterable[str], batch_size: int = 256) -> Iterator[list[Token]]:
        """Analyse many texts in batches; yields one token list per text."""
        for text, forms in self.forms_many(texts, batch_size=batch_size):
            yield self.tokens_from_forms(text, forms)

    def lemmas_many(self, texts: Iterable[str], batch_size: int = 256) -> Iterator[list[str]]:
        """The lemmas of the words of many texts, one list per text.

        Faster than :meth:`analyse_many` when only lemmas are needed (no
        stems, no :class:`Token` objects).

        >>> list(get_analyzer().lemmas_many(["Vi bjöd in leverantörerna."]))
        [['vi', 'bjuda', 'in', 'leverantör']]
        """
        lemma = self.lemma
        for _, forms in self.forms_many(texts, batch_size=batch_size):
            yield [lemma(lw) for lw, _, _ in forms]

    def forms_many(self, texts: Iterable[str], batch_size: int = 256
                   ) -> Iterator[tuple[str, list[tuple[str, int, int]]]]:
        """Tokenise many texts; yields ``(text, word_forms)`` per text."""
        texts_a, texts_b = itertools.tee(texts)
        docs = self.nlp.tokenizer.pipe(texts_a, batch_size=batch_size)
        for text, doc in zip(texts_b, docs):
            yield text, self.word_forms(doc)

    def __reduce__(self):
        """Pickled as "the shared analyser" (or one with the same overrides):
        a saved :class:`~codingkit.Coder` does not carry spaCy or the lemma
        table, and gets this process's analyser back when loaded."""
        if not self._extra_overrides:
            return (get_analyzer, ())
        return (_analyzer_with, (self._extra_overrides,))


def _analyzer_with(overrides: dict[str, str]) -> SwedishAnalyzer:
    return SwedishAnalyzer(overrides=overrides)


_ANALYZER: SwedishAnalyzer | None = None
_LOCK = threading.Lock()


def get_analyzer() -> SwedishAnalyzer:
    """The shared :class:`SwedishAnalyzer` of this process (built on first use)."""
    global _ANALYZER
    if _ANALYZER is None:
        with _LOCK:
            if _ANALYZER is None:
                _ANALYZER = SwedishAnalyzer()
    return _ANALYZER
