"""A sentence's tokens kept from cutting are those of tokenising it alone."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

import codingkit as ck
from codingkit.coding.tokens import Tokens
from codingkit.model import Transcript, Turn
from codingkit.segmenting import segment, segment_with_tokens
from codingkit.swedish import get_analyzer

ROOT = Path(__file__).resolve().parents[2]


def _words(tokens: Tokens) -> list[tuple[str, int, int]]:
    strings = tokens.vocab.strings
    return [(strings[h], i, n) for h, i, n in tokens.array.tolist()
            if not strings[h].isspace()]


def _check(transcripts) -> int:
    tokenizer = get_analyzer().nlp.tokenizer
    segs, toks = segment_with_tokens(transcripts, "sentence")
    assert segs == segment(transcripts, "sentence")
    kept = 0
    for s, t in zip(segs, toks):
        if t is not None:
            kept += 1
            assert _words(t) == _words(Tokens.of(tokenizer(s.text))), s.text
    return kept


def test_sample_corpus_sentences_keep_their_tokens():
    transcripts = ck.read_transcripts(ROOT / "transcripts")
    assert _check(transcripts) > 1000


def test_a_sentence_ending_inside_a_word_is_tokenised_alone():
    text = "IP: Det gick bra.Sen t.ex. (RFI:n)!  Nej... ja?\n\nNästa stycke, ok."
    t = Transcript("a.txt", text, turns=[Turn(1, 4, len(text), speaker="IP")])
    segs, toks = segment_with_tokens(t, "sentence")
    assert [x is None for x in toks] == [s.text.startswith("Det") or s.text.startswith("Sen")
                                         for s in segs]
    _check([t])


PIECES = st.sampled_from(["Vi", "bjöd", "in", "leverantörerna", ".", "!", "?", "...", ",",
                          "t.ex.", "RFI:n", "(", ")", "”", "–", " ", "  ", "\n", "\n\n", "\t",
                          "\xa0", "Ja", "precis", "2019", "e-post", "bra.Sen"])


@settings(max_examples=60, deadline=None)
@given(st.lists(PIECES, min_size=1, max_size=25))
def test_any_text_keeps_the_tokens_of_each_sentence(pieces):
    text = "IP: " + " ".join(pieces)
    _check([Transcript("a.txt", text, turns=[Turn(1, 4, len(text), speaker="IP")])])
