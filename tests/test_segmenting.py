from hypothesis import given, settings
from hypothesis import strategies as st

import pytest

from codingkit.model import Transcript, Turn
from codingkit.segmenting import segment

TEXT = (
    "Projekt: Syd\n\n"
    "I: Hur började ni?\n"
    "IP: Vi bjöd in företagen till en träff, t.ex. i mars. Det gick bra!\n\n"
    "Sen skickade vi ut en RFI.\n"
)


def _transcript():
    q = TEXT.index("Hur")
    a = TEXT.index("Vi bjöd")
    return Transcript(
        "syd/01.txt",
        TEXT,
        turns=[
            Turn(1, q, q + len("Hur började ni?"), speaker="I", speaker_role="interviewer"),
            Turn(2, a, len(TEXT) - 1, speaker="IP"),
        ],
        metadata={"project": "Syd", "round": "1", "role": "upphandlare"},
    )


def test_turn_segments_point_into_text():
    t = _transcript()
    segs = segment(t)
    assert [s.segment_id for s in segs] == ["syd/01.txt:1", "syd/01.txt:2"]
    assert segs[0].speaker_role == "interviewer"
    assert segs[1].text.startswith("Vi bjöd in") and segs[1].text.endswith("RFI.")
    for s in segs:
        assert t.text[s.start:s.end] == s.text
        assert s.metadata["project"] == "Syd"


def test_sentence_segments_keep_abbreviations():
    t = _transcript()
    segs = segment(t, "sentence")
    texts = [s.text for s in segs if s.turn == 2]
    assert texts == [
        "Vi bjöd in företagen till en träff, t.ex. i mars.",
        "Det gick bra!",
        "Sen skickade vi ut en RFI.",
    ]
    assert [s.segment_id for s in segs if s.turn == 2] == [
        "syd/01.txt:2.1", "syd/01.txt:2.2", "syd/01.txt:2.3"]
    for s in segs:
        assert t.text[s.start:s.end] == s.text


def test_paragraph_segments():
    t = _transcript()
    segs = [s for s in segment(t, "paragraph") if s.turn == 2]
    assert [s.text for s in segs] == [
        "Vi bjöd in företagen till en träff, t.ex. i mars. Det gick bra!",
        "Sen skickade vi ut en RFI.",
    ]


def test_unknown_unit_is_refused():
    with pytest.raises(ValueError, match="unit must be one of"):
        segment(_transcript(), "chapter")


_word = st.text(alphabet="abcdeåäöÅÄÖéü", min_size=1, max_size=8)
_sentence = st.lists(_word, min_size=1, max_size=6).map(lambda ws: " ".join(ws).capitalize() + ".")
_turn = st.lists(_sentence, min_size=1, max_size=4).map(" ".join)
_paras = st.lists(_turn, min_size=1, max_size=3).map("\n\n".join)


@settings(max_examples=60, deadline=None)
@given(st.lists(_paras, min_size=1, max_size=5), st.sampled_from(["turn", "sentence", "paragraph"]))
def test_offset_invariant(turn_texts, unit):
    text, turns = "Projekt: X\n\n", []
    for i, body in enumerate(turn_texts, start=1):
        text += "Karin: " if i % 2 else "I: "
        turns.append(Turn(i, len(text), len(text) + len(body), speaker="K"))
        text += body + "\n"
    t = Transcript("x.txt", text, turns=turns)
    segs = segment(t, unit)
    assert segs, "every non-empty turn gives a segment"
    for s in segs:
        assert s.text and t.text[s.start:s.end] == s.text
        assert s.text == s.text.strip()
