"""Tests of codingkit.swedish: tokens, lemmas, stems, compound helpers."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codingkit.swedish import (
    LEMMA_OVERRIDES,
    SwedishAnalyzer,
    Token,
    get_analyzer,
)


@pytest.fixture(scope="module")
def sv() -> SwedishAnalyzer:
    return get_analyzer()


@pytest.mark.parametrize("form", ["upphandling", "upphandlingen", "upphandlingarna",
                                  "upphandlingens", "Upphandlingen"])
def test_upphandling_inflections_share_lemma_and_stem(sv, form):
    assert sv.lemma(form) == "upphandling"
    assert sv.stem(form) == "upphandling"


@pytest.mark.parametrize("form, lemma", [
    ("leverantörerna", "leverantör"),
    ("leverantörernas", "leverantör"),
    ("bjöd", "bjuda"),
    ("bjudit", "bjuda"),
    ("behoven", "behov"),
    ("behovet", "behov"),
    ("marknaden", "marknad"),
    ("dialogerna", "dialog"),
    ("företagen", "företag"),
    ("regionerna", "region"),
    ("kommunerna", "kommun"),
    ("lösningarna", "lösning"),
    ("avtalet", "avtal"),
])
def test_lookup_lemmas_of_domain_words(sv, form, lemma):
    assert sv.lemma(form) == lemma


@pytest.mark.parametrize("form, lemma", [
    ("med", "med"),          # table says "mede"
    ("in", "in"),            # table says "i"
    ("har", "ha"),           # table says "hare"
    ("men", "men"),          # table says "mena"
    ("det", "det"),          # table says "en"
    ("företag", "företag"),  # table says "företa"
    ("fick", "få"),          # table says "ficka"
    ("finns", "finnas"),     # table says "finne"
    ("ville", "vilja"),      # table says "villa"
])
def test_overrides_fix_the_lookup_table(sv, form, lemma):
    assert sv.lemma(form) == lemma
    assert sv._table.get(form) != lemma  # the table itself is wrong here


def test_every_override_is_lower_case_and_differs_from_table(sv):
    for form, lemma in LEMMA_OVERRIDES.items():
        assert form == form.lower() and lemma == lemma.lower()
        assert (sv._table.get(form) or form) != lemma, form


def test_custom_overrides_are_applied():
    sv = SwedishAnalyzer(overrides={"Träffarna": "träffpunkt"})
    assert sv.lemma("träffarna") == "träffpunkt"
    assert sv.lemma("med") == "med"


def test_unknown_word_is_its_own_lemma(sv):
    assert sv.lemma("Innovationsupphandlingsprojektet") == "innovationsupphandlingsprojektet"


def test_analyse_skips_punctuation_and_keeps_offsets(sv):
    text = "Ja, vi bjöd in leverantörerna – alla fyra – till en träff i maj 2019."
    tokens = sv.analyse(text)
    assert [t.text for t in tokens] == ["Ja", "vi", "bjöd", "in", "leverantörerna", "alla",
                                        "fyra", "till", "en", "träff", "i", "maj", "2019"]
    for tok in tokens:
        assert isinstance(tok, Token)
        assert text[tok.start:tok.end] == tok.text
        assert tok.lower == tok.text.lower()
    bjod = tokens[2]
    assert (bjod.lemma, bjod.stem) == ("bjuda", "bjöd")


def test_analyse_many_equals_analyse(sv):
    texts = [
        "Vi ville höra vad marknaden kunde erbjuda.",
        "",
        "Mm.",
        "Företagen fick tycka till om underlaget innan vi annonserade.",
    ]
    assert list(sv.analyse_many(texts, batch_size=2)) == [sv.analyse(t) for t in texts]


def test_get_analyzer_is_cached():
    assert get_analyzer() is get_analyzer()


def test_is_known_checks_the_rest_of_a_compound(sv):
    assert sv.is_known("träffarna")
    assert sv.is_known("process")          # a lemma, not a listed form
    assert not sv.is_known("ikation")      # the rest of "kommunikation"


def test_compound_heads_respect_length_and_prefix_guards(sv):
    heads = sv.compound_heads("marknadsdialogen")
    assert (8, "dialogen") in heads
    assert all(i >= 3 and len(h) >= 4 for i, h in heads)
    assert (3, "bjuden") not in sv.compound_heads("förbjuden")  # "för" derives, not compounds


words = st.sampled_from(["Vi", "bjöd", "in", "leverantörerna", "marknadsdialogen", "råd",
                         "område", "upphandlingen", "e-hälsa", "2019", "RFI:n", "å", "ÖSTERGÖTLAND"])
seps = st.sampled_from([" ", ", ", ". ", " – ", "\n", "  ", "? ", "\"", "("])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(words, seps), max_size=15))
def test_token_offsets_always_point_into_the_text(pairs):
    sv = get_analyzer()
    text = "".join(w + s for w, s in pairs)
    tokens = sv.analyse(text)
    for tok in tokens:
        assert text[tok.start:tok.end] == tok.text
        assert any(ch.isalnum() for ch in tok.text)
    assert [t.start for t in tokens] == sorted(t.start for t in tokens)


def test_lemmas_many_equals_lemmas_of_analyse(sv):
    texts = ["Behoven styrde upphandlingarna.", "", "Med företagen, in i regionen!"]
    assert list(sv.lemmas_many(texts)) == [[t.lemma for t in sv.analyse(x)] for x in texts]


@pytest.fixture(scope="module")
def lemma_tables(tmp_path_factory):
    """A lemma table with its cache file built in a fresh folder, one that
    reads that file again, and one from the package data in memory (each
    takes about a second to make: made once for the tests below)."""
    from codingkit.swedish import LemmaTable

    folder = tmp_path_factory.mktemp("lemma_cache")
    cached = LemmaTable(folder)
    return cached, LemmaTable(folder), LemmaTable(False)


def test_lemma_table_cache_file_gives_the_same_answers(lemma_tables):
    cached, again, memory = lemma_tables    # again: reads the file cached built
    assert cached.path is not None and cached.path.exists()
    assert again.path == cached.path
    assert cached.version in cached.path.name
    for form in ["leverantörerna", "bjöd", "med", "Ni", "upphandlingarna", "xyzzy", ""]:
        assert cached.get(form) == again.get(form) == memory.get(form), form
        assert (form in cached) == (form in memory), form
    for word in ["leverantör", "process", "leverantörerna", "ikation"]:
        assert cached.is_lemma(word) == memory.is_lemma(word), word
    assert memory.get("bjöd") == "bjuda" and memory.is_lemma("process")


def test_lemma_table_falls_back_when_the_cache_cannot_be_written(tmp_path):
    from codingkit.swedish import LemmaTable

    blocker = tmp_path / "not_a_folder"
    blocker.write_text("a file where the cache folder should be")
    table = LemmaTable(blocker / "cache")
    assert table.path is None
    assert table.get("leverantörerna") == "leverantör"


def test_lemma_cache_dir_follows_environment(monkeypatch, tmp_path):
    from codingkit.swedish import lemma_cache_dir

    monkeypatch.setenv("CODINGKIT_CACHE", str(tmp_path))
    assert lemma_cache_dir() == tmp_path


# words of every kind the table answers: known forms, lemmas that are no
# form, overrides, unknown words, upper case in the table, the empty word
_LOOKUP_WORDS = ["leverantörerna", "bjöd", "med", "ni", "upphandlingarna", "xyzzy", "",
                 "process", "ikation", "träffarna", "kommunikation", "kören",
                 *list(LEMMA_OVERRIDES)[:20]]


def test_look_up_gives_the_answers_of_one_word_at_a_time():
    one = SwedishAnalyzer()
    many = SwedishAnalyzer()
    many.look_up(_LOOKUP_WORDS + ["bjöd"] * 3)
    many._table = None  # from here on, only what look_up remembered may answer
    for w in _LOOKUP_WORDS:
        assert (many.lemma(w), many.is_known(w)) == (one.lemma(w), one.is_known(w)), w


def test_lemma_table_many_at_once_agrees_with_one_at_a_time(lemma_tables):
    for table in lemma_tables:
        words = _LOOKUP_WORDS * 60  # over one query's 500 words
        assert table.get_many(words) == {w: table.get(w) for w in words if w in table}
        assert table.lemmas_among(words) == {w for w in words if table.is_lemma(w)}
