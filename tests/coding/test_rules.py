"""Tests of codingkit.coding.rules: how codebook rules match Swedish text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codingkit.coding.rules import RuleHit, RuleMatcher
from codingkit.model import Code, Codebook, Rule
from codingkit.swedish import get_analyzer


def book(*codes: Code) -> Codebook:
    return Codebook("test", {c.id: c for c in codes})


def matcher(*rules: Rule, **code_kw) -> RuleMatcher:
    return RuleMatcher(book(Code("kod", "Kod", rules=tuple(rules), **code_kw)))


def matched(m: RuleMatcher, text: str) -> list[tuple[str, ...]]:
    return [h.words for h in m.match(text)]


# -- terms and inflections -----------------------------------------------

@pytest.mark.parametrize("text, word", [
    ("Upphandlingen tog längre tid än vi trodde.", "Upphandlingen"),
    ("Alla upphandlingarna i regionen går via oss.", "upphandlingarna"),
    ("Upphandlingens syfte var att hitta nya lösningar.", "Upphandlingens"),
    ("Vi gjorde en upphandling av digitala tjänster.", "upphandling"),
])
def test_term_matches_inflections(text, word):
    assert matched(matcher(Rule("term", "upphandling")), text) == [(word,)]


def test_term_matches_by_lemma_of_irregular_form():
    m = matcher(Rule("term", "behov"), Rule("term", "bjuda"))
    assert matched(m, "Vi kartlade behoven och bjöd sedan in dem.") == [("behoven",), ("bjöd",)]


def test_term_does_not_match_unrelated_word():
    m = matcher(Rule("term", "behov"))
    assert m.match("Vi behövde mer tid och pengar.") == []


# -- compounds -------------------------------------------------------------

def test_term_matches_compound_head_with_inflection():
    m = matcher(Rule("term", "dialog"))
    assert matched(m, "Marknadsdialogen gav oss mycket.") == [("Marknadsdialogen",)]
    assert matched(m, "Vi höll tre marknadsdialoger.") == [("marknadsdialoger",)]
    assert matched(m, "Marknadsdialogerna var öppna för alla.") == [("Marknadsdialogerna",)]


def test_term_matches_first_part_with_linking_s():
    m = matcher(Rule("term", "leverantör"))
    assert matched(m, "Leverantörsträffarna var välbesökta.") == [("Leverantörsträffarna",)]


def test_compound_false_matches_whole_words_only():
    m = matcher(Rule("term", "dialog", compound=False))
    assert m.match("Marknadsdialogen gav oss mycket.") == []
    assert matched(m, "Dialogen med företagen var bra.") == [("Dialogen",)]


def test_short_terms_never_match_inside_words():
    m = matcher(Rule("term", "råd"), Rule("term", "ide"))
    assert m.match("Inom det området fanns en film, videon finns kvar.") == []
    assert matched(m, "Vi fick goda råd om en ny ide.") == [("råd",), ("ide",)]


def test_compound_part_needs_a_word_after_it():
    m = matcher(Rule("term", "kommun"))
    assert m.match("Kommunikationen med företagen fungerade.") == []
    assert matched(m, "Kommunledningen stod bakom oss.") == [("Kommunledningen",)]


def test_derivation_prefix_is_not_a_compound():
    m = matcher(Rule("term", "bjuda"))
    assert m.match("Det är förbjudet att prata med anbudsgivarna.") == []


# -- globs -------------------------------------------------------------

def test_glob_matches_written_word_and_lemma():
    m = matcher(Rule("term", "upphandl*"), Rule("term", "bjud*"), Rule("term", "rf?"))
    hits = matched(m, "Upphandlingsmyndigheten hjälpte oss, vi bjöd in till en RFI.")
    assert hits == [("Upphandlingsmyndigheten",), ("bjöd",), ("RFI",)]


def test_glob_is_anchored_to_the_whole_word():
    m = matcher(Rule("term", "leverantörsdag*"))
    assert matched(m, "Leverantörsdagarna lockade många.") == [("Leverantörsdagarna",)]
    assert m.match("Det var en stor leverantör.") == []


# -- phrases -----------------------------------------------------------

def test_phrase_matches_inflected_words_in_order():
    m = matcher(Rule("phrase", "bjuda in leverantör*"))
    hits = m.match("Vi bjöd in leverantörerna till en träff innan vi skrev underlaget.")
    assert [h.evidence() for h in hits] == ["phrase(bjuda in leverantör*) → 'bjöd in leverantörerna'"]
    assert m.match("Leverantörerna bjöd in oss.") == []


def test_phrase_gap_allows_words_between():
    text = "Vi ville höra lite grann vad marknaden kunde erbjuda."
    assert matcher(Rule("phrase", "höra vad marknaden")).match(text) == []
    hits = matcher(Rule("phrase", "höra vad marknaden", gap=2)).match(text)
    assert [h.words for h in hits] == [("höra", "vad", "marknaden")]
    assert hits[0].evidence() == "phrase(höra vad marknaden) → 'höra … vad marknaden'"
    assert matcher(Rule("phrase", "höra vad marknaden", gap=1)).match(text) == []


@pytest.mark.parametrize("text, found", [
    ("Jag lärde känna alla. Jag var ny i Skåne.", False),      # across a full stop
    ("Vad lärde ni? Jag vet inte.", False),                   # across a question mark
    ("Jag lärde känna alla... jag var ny.", True),            # a hesitation is no end
    ("Där lärde jag mig mycket.", True),
])
def test_phrase_gap_does_not_cross_a_sentence_end(text, found):
    m = matcher(Rule("phrase", "lära mig", gap=3))
    assert bool(m.match(text)) is found
    assert bool(list(m.match_many([text]))[0]) is found


def test_near_may_span_a_sentence_end():
    m = matcher(Rule("near", groups=(("träff*",), ("leverantör*",)), within=8))
    assert matched(m, "Vi hade en träff. Leverantörerna kom.") == [("träff", "Leverantörerna")]


def test_phrase_with_med_uses_fixed_lemma():
    assert get_analyzer().lemma("med") == "med"
    m = matcher(Rule("phrase", "prata med leverantör*"))
    assert matched(m, "Vi pratade med leverantörerna tidigt.") == [("pratade", "med", "leverantörerna")]


# -- near ------------------------------------------------------------------

def test_near_inside_and_just_outside_window():
    rule = Rule("near", groups=(("träff*", "möte*"), ("leverantör*", "företag*")), within=4)
    m = matcher(rule)
    inside = "Vi hade en träff där alla fyra företagen kom."    # träff … företagen: 4 words
    outside = "Vi hade en träff där alla fyra stora företagen kom."  # 5 words
    assert matched(m, inside) == [("träff", "företagen")]
    assert m.match(outside) == []


def test_near_order_does_not_matter():
    rule = Rule("near", groups=(("träff*",), ("leverantör*",)), within=4)
    assert matched(matcher(rule), "Leverantörerna ville ha en träff.") == [("Leverantörerna", "träff")]


# -- regex ------------------------------------------------------------------

def test_regex_is_case_insensitive_and_spans_text():
    m = matcher(Rule("regex", r"\bRFI\b"))
    text = "Vi skickade ut en RFI i mars, och en rfi till i maj. RFIs finns inte."
    hits = m.match(text)
    assert [h.words for h in hits] == [("RFI",), ("rfi",)]
    for h in hits:
        (s, e), = h.spans
        assert text[s:e] == h.words[0]


def test_regex_without_required_literal_still_matches():
    m = matcher(Rule("regex", r"LOU|upphandlingslag\w*"))
    assert matched(m, "Enligt upphandlingslagen måste vi annonsera.") == [("upphandlingslagen",)]


# -- vetoes -------------------------------------------------------------------

def test_unless_vetoes_only_its_rule():
    m = matcher(Rule("term", "dialog", unless=(Rule("term", "kollega*"),)), Rule("term", "marknad"))
    assert m.match("Vi hade en bra dialog med kollegorna.") == []
    hits = m.match("Dialogen med kollegorna handlade om marknaden.")
    assert [h.words for h in hits] == [("marknaden",)]
    assert matched(m, "Dialogen med företagen var öppen.") == [("Dialogen",)]


def test_exclusions_veto_every_rule_of_the_code():
    cb = book(
        Code("kommersialisering", "Kommersialisering",
             rules=(Rule("term", "marknad"), Rule("term", "sälja")),
             exclusions=(Rule("term", "julklapp*"),)),
        Code("forfarande", "Förfarande", rules=(Rule("term", "anbud"),)),
    )
    m = RuleMatcher(cb)
    text = "Marknaden för julklappar är stor, vi sålde många, och anbuden kom in."
    assert [(h.code, h.words) for h in m.match(text)] == [("forfarande", ("anbuden",))]
    text2 = "Företaget kunde sälja lösningen på marknaden."
    assert [h.code for h in m.match(text2)] == ["kommersialisering", "kommersialisering"]


def test_compound_part_found_when_a_shorter_term_starts_the_same_way():
    # "dagen" (lemma "dag") and "dagbok" both begin at the "dag" of
    # "dagboksanteckningarna": the shorter must not hide the longer
    cb = book(Code("a", "A", rules=(Rule("term", "dagen"),)),
              Code("b", "B", rules=(Rule("term", "dagbok"),)))
    hits = RuleMatcher(cb).match("Jag skrev i dagboksanteckningarna.")
    assert [(h.code, h.words) for h in hits] == [("b", ("dagboksanteckningarna",))]


def test_an_exclusions_own_unless_lifts_it_for_rules_and_similarity_alike():
    # "kör" excludes samverkan, unless the choir is a procurement working group
    cb = book(Code("samverkan", "Samverkan", rules=(Rule("term", "samverkan"),),
                   exclusions=(Rule("term", "kör", unless=(Rule("term", "arbetsgrupp"),)),)))
    m = RuleMatcher(cb)
    texts = ["Samverkan i kören var fin.",
             "Samverkan i kören, som var vår arbetsgrupp, fungerade."]
    docs = [m.analyzer.nlp.make_doc(t) for t in texts]
    got = m.match_with_exclusions(texts, docs)
    assert [([h.code for h in hits], ex) for hits, ex in got] == [
        ([], ("samverkan",)), (["samverkan"], ())]


def test_match_with_exclusions_reports_every_kind_of_exclusion():
    # the coder vetoes similarity with these, so they are found whether or
    # not a rule of the code matched: terms, phrases, near, regex, unless
    cb = book(
        Code("samverkan", "Samverkan", rules=(Rule("term", "samverkan"),),
             exclusions=(Rule("term", "kör"), Rule("phrase", "spela fotboll"))),
        Code("effekter", "Effekter", rules=(Rule("term", "effekt"),),
             exclusions=(Rule("regex", r"ljud ?effekt"),
                         Rule("near", groups=(("film",), ("musik",)), within=4,
                              unless=(Rule("term", "upphandling"),)))),
        Code("behov", "Behov", rules=(Rule("term", "behov"),)),
    )
    m = RuleMatcher(cb)
    texts = ["Vi sjöng i kören varje vecka.",              # samverkan, no rule hit
             "Samverkan kring att spela fotboll.",         # samverkan, with a rule hit
             "Ljudeffekterna i filmen var bra.",           # effekter by the regex
             "Filmen hade fin musik.",                     # effekter by near
             "Filmen om upphandlingen hade musik.",        # near vetoed by unless
             "Behoven styrde och kören sjöng."]            # behov hit, samverkan excluded
    docs = [m.analyzer.nlp.make_doc(t) for t in texts]
    got = m.match_with_exclusions(texts, docs)
    assert [ex for _, ex in got] == [("samverkan",), ("samverkan",), ("effekter",),
                                     ("effekter",), (), ("samverkan",)]
    # the hits are those of match_docs (an excluded code's hits are vetoed)
    assert [hits for hits, _ in got] == m.match_docs(texts, docs)
    assert [[h.code for h in hits] for hits, _ in got] == [[], [], [], [], [], ["behov"]]


def test_uncodable_code_gives_no_hits():
    cb = book(Code("grupp", "Grupp", codable=False, rules=(Rule("term", "behov"),)),
              Code("behov", "Behov", parent="grupp", rules=(Rule("term", "behov"),)))
    assert [h.code for h in RuleMatcher(cb).match("Behoven styrde allt.")] == ["behov"]


# -- fuzzy -----------------------------------------------------------------

def test_fuzzy_term_catches_asr_slip():
    m = matcher(Rule("term", "upphandling", fuzzy=85, weight=0.8))
    hits = m.match("Upphandligen blev försenad.")
    assert len(hits) == 1
    hit = hits[0]
    assert hit.method == "fuzzy"
    assert hit.words == ("Upphandligen",)
    assert 85 <= hit.similarity < 100
    assert hit.score == pytest.approx(0.8 * hit.similarity / 100)
    assert hit.evidence() == f"fuzzy term(upphandling, {round(hit.similarity)}) → 'Upphandligen'"
    # exact inflections stay rule hits
    assert [h.method for h in m.match("Upphandlingen blev försenad.")] == ["rule"]


def test_fuzzy_needs_cutoff_and_is_off_by_default():
    assert matcher(Rule("term", "upphandling")).match("Upphandligen blev försenad.") == []
    assert matcher(Rule("term", "upphandling", fuzzy=97)).match("Upphandligen blev försenad.") == []


def test_fuzzy_split_compound():
    m = matcher(Rule("term", "leverantörsträff", fuzzy=90))
    text = "Vi hade en leverantörs träff i maj."
    hits = m.match(text)
    assert [(h.method, h.words) for h in hits] == [("fuzzy", ("leverantörs", "träff"))]
    assert [text[s:e] for s, e in hits[0].spans] == ["leverantörs", "träff"]
    assert hits[0].evidence() == "fuzzy term(leverantörsträff, 100) → 'leverantörs träff'"
    assert matcher(Rule("term", "leverantörsträff")).match(text) == []


def test_fuzzy_ignores_short_words():
    m = matcher(Rule("term", "avtal", fuzzy=70))
    assert m.match("Det var en avta.") == []


# -- evidence, spans, order ----------------------------------------------------

CODEBOOK = book(
    Code("tidig_dialog", "Tidig marknadsdialog",
         rules=(Rule("term", "marknadsdialog"), Rule("phrase", "bjuda in leverantör*"),
                Rule("regex", r"\bRFI\b"),
                Rule("near", groups=(("träff*",), ("leverantör*", "företag*")), within=8))),
    Code("behov", "Behov", rules=(Rule("term", "behov"), Rule("term", "funktionskrav"))),
    Code("samverkan", "Samverkan", rules=(Rule("term", "region"), Rule("term", "kommun"))),
)
TEXTS = [
    "Vi bjöd in leverantörerna till en träff, och efter marknadsdialogen skickade vi ut en RFI.",
    "Behoven i regionen och kommunerna styrde, så vi skrev funktionskrav.",
    "Mm.",
    "Nej, det minns jag inte.",
]


def test_hits_are_ordered_by_code_then_position():
    hits = RuleMatcher(CODEBOOK).match(TEXTS[0] + " " + TEXTS[1])
    codes = [h.code for h in hits]
    assert codes == sorted(codes, key=list(CODEBOOK.codes).index)
    for code in set(codes):
        starts = [h.start for h in hits if h.code == code]
        assert starts == sorted(starts)


def test_evidence_and_spans_point_into_the_text():
    text = TEXTS[0]
    hits = RuleMatcher(CODEBOOK).match(text)
    assert [h.evidence() for h in hits] == [
        "phrase(bjuda in leverantör*) → 'bjöd in leverantörerna'",
        "near(within 8) → 'leverantörerna … träff'",
        "term(marknadsdialog) → 'marknadsdialogen'",
        "regex(\\bRFI\\b) → 'RFI'",
    ]
    for h in hits:
        assert isinstance(h, RuleHit)
        assert tuple(text[s:e] for s, e in h.spans) == h.words
        assert h.score == 1.0 and h.method == "rule"


def test_match_many_agrees_with_match():
    m = RuleMatcher(CODEBOOK)
    single = [m.match(t) for t in TEXTS]
    assert list(m.match_many(TEXTS, batch_size=3)) == single
    assert single[2] == [] and single[3] == []


def test_results_are_deterministic_across_matchers():
    a = [h.evidence() for h in RuleMatcher(CODEBOOK).match(TEXTS[1])]
    b = [h.evidence() for h in RuleMatcher(CODEBOOK).match(TEXTS[1])]
    assert a == b == ["term(behov) → 'Behoven'", "term(funktionskrav) → 'funktionskrav'",
                      "term(region) → 'regionen'", "term(kommun) → 'kommunerna'"]


# -- a rule that cannot work -----------------------------------------------------

def test_a_broken_regex_never_matches_and_the_other_rules_still_do():
    """A codebook built in Python skips the schema (which refuses these rules
    with their lines: tests/codebook): the matcher ignores a regex that does
    not compile instead of failing."""
    cb = book(Code("risk", "Risk", rules=(
        Rule("regex", "(LOU", line=12),
        Rule("term", "lagen", unless=(Rule("regex", "[", line=18),), line=17),
    )))
    assert [h.words for h in RuleMatcher(cb).match("Lagen styr (LOU.")] == [("Lagen",)]


# -- invariants -------------------------------------------------------------------

WORDS = ["Vi", "bjöd", "in", "leverantörerna", "marknadsdialogen", "RFI", "träff", "företagen",
         "behoven", "regionen", "kommunikation", "område", "funktionskrav", "och", "Mm"]


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from([" ", ", ", ". ", "\n"])),
                max_size=20))
def test_spans_always_match_words_and_batching(pairs):
    m = _SHARED
    text = "".join(w + s for w, s in pairs)
    hits = m.match(text)
    for h in hits:
        assert tuple(text[s:e] for s, e in h.spans) == h.words
    assert list(m.match_many([text, text])) == [hits, hits]


_SHARED = RuleMatcher(CODEBOOK)


def test_fuzzy_compound_head_respects_compound_switch():
    text = "Marknadsdialgen i våras gav mycket."   # a slip in "marknadsdialogen"
    hits = matcher(Rule("term", "dialog", fuzzy=80)).match(text)
    assert [(h.method, h.words) for h in hits] == [("fuzzy", ("Marknadsdialgen",))]
    assert matcher(Rule("term", "dialog", fuzzy=80, compound=False)).match(text) == []


def test_fuzzy_leaves_real_words_alone():
    m = matcher(Rule("term", "upphandling", fuzzy=85))
    assert m.match("Handlingen om förhandlingen låg kvar på bordet.") == []
    assert [h.method for h in m.match("Marknadsupphandligen blev av.")] == ["fuzzy"]


def test_decomposed_pattern_matches_nfc_text():
    import unicodedata

    m = matcher(Rule("term", unicodedata.normalize("NFD", "leverantör")))
    assert matched(m, "Leverantörerna kom.") == [("Leverantörerna",)]


def test_near_one_compound_can_serve_two_groups():
    rule = Rule("near", groups=(("träff",), ("leverantör",)), within=3)
    assert matched(matcher(rule), "Leverantörsträffen var bra.") == [("Leverantörsträffen",)]


def test_regex_prefilter_keeps_every_alternative():
    m = matcher(Rule("regex", r"\b(hon|han) slutade\b|utbildning(?!sförvaltning)|\bLOU\b"))
    texts = ["Hon slutade i våras.", "Utbildningsförvaltningen var med.", "Enligt LOU fick vi inte.",
             "Vi gick en utbildning.", "Han\nslutade."]
    got = [[h.words for h in hits] for hits in m.match_many(texts, batch_size=2)]
    assert got == [[("Hon slutade",)], [], [("LOU",)], [("utbildning",)], []]
    assert got == [[h.words for h in m.match(t)] for t in texts]


def test_match_docs_equals_match_on_shared_docs():
    m = matcher(Rule("term", "leverantör"), Rule("regex", r"\bRFI\b"),
                Rule("phrase", "bjuda in leverantör*"))
    texts = ["Vi bjöd in leverantörerna och skickade en RFI.", "", "Inget här.",
             "Leverantörsträffarna gav mycket."]
    docs = [m.analyzer.nlp.make_doc(t) for t in texts]
    assert m.match_docs(texts, docs) == [m.match(t) for t in texts]


def test_regex_prefilter_over_a_batch_finds_each_text():
    m = matcher(Rule("regex", r"\bRFI\b"), Rule("regex", r"LOU|upphandlingslag"))
    texts = ["Vi skickade en RFI.", "Inget.", "Enligt LOU och RFI-processen", "rfi", "",
             "upphandlingslagen"]
    refs = m._scan_refs(texts)
    assert [len(r) for r in refs] == [1, 0, 2, 1, 0, 1]
    assert [len(h) for h in m.match_many(texts)] == [1, 0, 2, 1, 0, 1]


def test_phrase_and_near_are_tried_on_their_rarest_group():
    m = matcher(Rule("phrase", "bjuda in leverantör*"),
                Rule("near", groups=(("vi",), ("marknadsdialog",)), within=5))
    keys = [{m._words[w].pattern for w in m._key_group(comp)} for _, _, comp in m._flat]
    assert keys == [{"leverantör*"}, {"marknadsdialog"}]
    assert matched(m, "Vi bjöd in leverantörerna.") == [("bjöd", "in", "leverantörerna")]
    assert matched(m, "Marknadsdialogen hade vi tidigt.") == [("Marknadsdialogen", "vi")]


def test_match_docs_takes_docs_of_another_tokenizer():
    import spacy

    m = matcher(Rule("term", "behov"))
    other = spacy.blank("sv")
    texts = ["Behoven styrde.", "Ett okänt ordxyz om behovsanalysen."]
    docs = [m.analyzer.nlp.make_doc(texts[0]), other.make_doc(texts[1])]
    assert [[h.words for h in hits] for hits in m.match_docs(texts, docs)] == [
        [("Behoven",)], [("behovsanalysen",)]]
