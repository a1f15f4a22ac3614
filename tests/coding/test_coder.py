"""Tests of the Coder's single pass: rules, exclusions and similarity share one tokenisation."""

from __future__ import annotations

from codingkit.coding import Coder
from codingkit.coding import coder as codermod
from codingkit.coding import similarity as simmod
from codingkit.model import Code, Codebook, Rule, Segment

TEXTS = [
    "Vi bjöd in leverantörerna till en träff innan vi skrev underlaget.",
    "Marknadsdialogen gav oss mycket, men det tog tid.",
    "Vi pratade om dialog med kollegorna på avdelningen, inget mer.",
    "Upphandlingen överprövades och det försenade allt.",
    "Jag gillar kaffe.",
    "Vi bjöd in leverantörerna till en träff innan vi skrev underlaget.",
]


def _codebook() -> Codebook:
    return Codebook("demo", {
        "tidig_dialog": Code(
            "tidig_dialog", "Tidig dialog",
            rules=(Rule("term", "dialog"), Rule("phrase", "bjuda in leverantör*")),
            exclusions=(Rule("phrase", "dialog med kollegorna"),),
            examples=("Vi träffade företagen innan annonseringen.",),
            negative_examples=("Vi hade en dialog med personalen.",)),
        "risk": Code("risk", "Risk", rules=(Rule("term", "överprövning"),),
                     examples=("Vi var rädda för en överprövning av tilldelningen.",)),
    })


def _segments() -> list[Segment]:
    return [Segment(f"t.txt:{i + 1}", "t.txt", 0, len(t), t, i + 1) for i, t in enumerate(TEXTS)]


def test_single_pass_equals_rules_then_similarity(monkeypatch):
    monkeypatch.setattr(codermod, "BATCH_SIZE", 2)   # several batches
    monkeypatch.setattr(simmod, "BLOCK", 3)          # several similarity blocks
    monkeypatch.setattr(codermod, "COMBINE_CHUNK", 4)  # several chunks to combine
    cb = _codebook()
    coder = Coder(cb)
    result = coder.code(_segments())
    # the same, step by step with separate tokenisations
    ref = Coder(cb).fit()
    R, hits = ref._rule_scores(TEXTS)
    from codingkit.coding.features import content_words
    from codingkit.swedish import get_analyzer

    content = [content_words(get_analyzer().nlp(t)) for t in TEXTS]
    expected = ref._combine(_segments(), R, hits, content, ref.similarity_.score(TEXTS), None)
    assert result.coding_list == expected
    assert R[2, 0] == -1.0                          # the exclusion vetoed dialog
    assert {c.code for c in result.coding_list if c.segment_id == "t.txt:1"} == {"tidig_dialog"}
    # fitted on the codebook's references alone (and the background), not on the texts coded
    assert coder.similarity_.n_fit_texts_ == len(coder.similarity_.references_)


def test_rules_only_gives_rule_codings():
    result = Coder(_codebook(), similarity="none").code(_segments())
    assert {(c.segment_id, c.code, c.method) for c in result.coding_list} == {
        ("t.txt:1", "tidig_dialog", "rule"), ("t.txt:2", "tidig_dialog", "rule"),
        ("t.txt:6", "tidig_dialog", "rule")}


def test_content_free_turns_are_never_coded_and_short_ones_only_on_a_rule():
    """'Tack själv.' or 'Ja, precis.' carry no theme; a turn of a few words
    is coded only where a rule matched, not by similarity alone."""
    cb = _codebook()
    texts = ["Ja, precis.", "Tack själv!", "Marknadsdialog, absolut.",
             "Leverantörerna träffade vi.", TEXTS[0]]
    segs = [Segment(f"k.txt:{i + 1}", "k.txt", 0, len(t), t, i + 1) for i, t in enumerate(texts)]
    coder = Coder(cb).fit()
    # with a similarity threshold of 0 every content word would code
    lenient = Coder(_with_threshold(cb, 0.0)).fit()
    got = {c.segment_id for c in lenient.code(segs).coding_list}
    assert "k.txt:1" not in got and "k.txt:2" not in got      # no content at all
    assert "k.txt:3" in got                                     # a rule hit in two words
    assert "k.txt:4" not in got                                 # two words, similarity only
    assert "k.txt:5" in got
    assert {c.segment_id for c in coder.code(segs).coding_list} <= got


def test_talk_about_the_talk_is_not_content():
    """Greetings, politeness and remarks about the call ("God kväll! Hör ni
    mig?", "Ingen brådska, ta din tid.") carry no theme even where their
    words would count elsewhere; a word outside such a phrase still counts."""
    from codingkit.coding.features import content_words
    from codingkit.swedish import get_analyzer

    nlp = get_analyzer().nlp
    phatic = ["God kväll! Hör ni mig nu?", "Ingen brådska, ta din tid.",
              "Vänta, jag ska bara stänga av mikrofonen.",
              "Tack för samtalet, ha en trevlig helg!", "Jaha, bra fråga. Låt mig tänka."]
    assert [content_words(nlp(t)) for t in phatic] == [0] * len(phatic)
    # the same words outside the phrases are content
    assert content_words(nlp("Vi behöver mer tid för att fråga brukarna.")) == 4
    assert content_words(nlp("God morgon. Vi träffade leverantörerna i mars.")) == 3
    # a phrase inside a sentence that says something else leaves it as it is
    for text, n in [("Jag jobbade där ett tag innan upphandlingen.", 3),
                    ("Det tror jag att leverantörerna förstod.", 3),
                    ("Vi hade inga problem med leverantörerna.", 2),
                    ("Vänta. Lite senare kom leverantörerna.", 1)]:
        assert content_words(nlp(text)) == n, text
    texts = phatic + ["God morgon. Vi bjöd in leverantörerna till en dialog om marknaden."]
    segs = [Segment(f"p.txt:{i + 1}", "p.txt", 0, len(t), t, i + 1) for i, t in enumerate(texts)]
    lenient = Coder(_with_threshold(_codebook(), 0.0)).fit()
    assert {c.segment_id for c in lenient.code(segs).coding_list} == {f"p.txt:{len(texts)}"}


def _with_threshold(cb, t):
    from dataclasses import replace

    return replace(cb, codes={cid: replace(c, threshold=t) for cid, c in cb.codes.items()})


def test_leaving_out_segments_that_cannot_be_coded_changes_no_coding():
    """code() scores similarity and the learned model only where a segment
    can be coded (content words, or a rule hit in a short one); with every
    segment scored the codings are the same."""
    import copy
    from pathlib import Path

    import codingkit as ck
    from codingkit.coding.bundled import bundled_coder
    from codingkit.model import Transcript, Turn

    root = Path(__file__).resolve().parents[2]
    sample = ck.read_transcripts(root / "transcripts" / "syd")[:2]
    lines = ["Ja, precis.", "Tack!", "Marknadsdialog, absolut.", "Leverantörerna träffade vi.",
             "Mm.", TEXTS[0]]
    text = "\n".join(lines)
    turns, pos = [], 0
    for n, line in enumerate(lines, start=1):
        turns.append(Turn(n, pos, pos + len(line), speaker="IP"))
        pos += len(line) + 1
    sample.append(Transcript("extra.txt", text, turns=turns))
    for coder in (Coder().fit(), copy.copy(bundled_coder())):
        segments = coder._segments(sample)[0]
        todo = coder._todo(segments)
        got = []
        for codable_only in (False, True):
            R, hits, content, sim, index, learned, near = coder._parts(
                todo, segments, nearest=True, codable_only=codable_only)
            got.append(coder._combine(todo, R, hits, content, sim.take(index), learned, near))
        assert got[0] == got[1] and got[0]
        assert any(s.source == "extra.txt" for s in todo)


def test_coding_in_blocks_gives_the_same_codings(monkeypatch):
    """code() scores a long batch in blocks (bounded memory); the learned
    coder's questions and neighbouring answers cross the blocks' borders, and
    the codings are those of one block."""
    import copy
    from pathlib import Path

    import codingkit as ck
    from codingkit.coding import features as featmod
    from codingkit.coding.bundled import bundled_coder

    root = Path(__file__).resolve().parents[2]
    sample = ck.read_transcripts(root / "transcripts" / "syd")[:2]
    coder = copy.copy(bundled_coder())
    whole = coder.code(sample)
    monkeypatch.setattr(codermod, "SCORE_CHUNK", 24)
    monkeypatch.setattr(codermod, "COMBINE_CHUNK", 8)
    monkeypatch.setattr(featmod, "NEIGHBOUR_BLOCK", 5)
    blocks = coder.code(sample)
    assert len(coder._todo(whole.segment_list)) > 3 * 24     # several blocks
    assert blocks.coding_list == whole.coding_list
    assert any(c.method == "learned" for c in whole.coding_list)
