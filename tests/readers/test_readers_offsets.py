"""The offset invariant, on generated Swedish-ish transcripts."""

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from codingkit.readers.encoding import normalise_text
from codingkit.readers.text import parse_turns

# words include colons that must not start turns ("Obs:", "kl. 10:30", "var:")
WORDS = ["upphandling", "dialog", "leverantör", "Vinnova", "kraven", "vi", "och", "det",
         "var", "Obs:", "kl. 10:30", "Det viktiga var:", "år", "överprövning", "Ä", "märkt:",
         "Notera:", "Åsa"]
# (label as written, speaker it denotes)
LABELS = [("I:", "I"), ("IP:", "IP"), ("IP1:", "IP1"), ("R:", "R"),
          ("Intervjuare:", "Intervjuare"), ("Respondent:", "Respondent"),
          ("Karin:", "Karin"), ("KARIN:", "KARIN"), ("Karin Ek:", "Karin Ek"),
          ("**Åsa:**", "Åsa"), ("**Per Öst**:", "Per Öst"),
          ("[00:03:12] Karin Ek:", "Karin Ek"), ("(00:03:12) Lars:", "Lars"),
          ("00:03:12 Lars:", "Lars")]

# a sentence ends in punctuation: "Intervjuare: upphandling" on a line of its
# own, before a blank line, is a header field by the reader's rules
sentence = st.tuples(st.lists(st.sampled_from(WORDS), min_size=1, max_size=8),
                     st.sampled_from([".", "?", "!", "..."])).map(lambda x: " ".join(x[0]) + x[1])
paragraph = st.lists(sentence, min_size=1, max_size=3).map("\n".join)
turn_body = st.lists(paragraph, min_size=1, max_size=3).map("\n\n".join)
newline = st.sampled_from(["\n", "\r\n", "\n\n", "\r\n\r\n"])


@st.composite
def transcripts(draw):
    a, b = draw(st.lists(st.sampled_from(LABELS), min_size=2, max_size=2,
                         unique_by=lambda lab: lab[1].casefold()))
    n = draw(st.integers(min_value=2, max_value=4))
    turns = []
    for k in range(2 * n):  # each speaker speaks at least twice
        lab = a if k % 2 == 0 else b
        sep = draw(st.sampled_from([" ", "  ", "\n", " \n\n"]))
        turns.append((lab, sep, draw(turn_body), draw(newline)))
    return turns


@settings(max_examples=200, deadline=None)
@given(transcripts(), st.booleans())
def test_turns_point_into_text_and_exclude_labels(turns, with_header):
    raw = "Projekt: Syd\r\nOmgång: 1\r\n\r\n" if with_header else ""
    raw += "".join(f"{lab}{sep}{body}{nl}" for (lab, _), sep, body, nl in turns)
    text = normalise_text(raw)
    parsed = parse_turns(text)
    assert [t.speaker for t in parsed.turns] == [speaker for (_, speaker), *_ in turns]
    for t, (_, _, body, _) in zip(parsed.turns, turns):
        chunk = text[t.start:t.end]
        assert chunk == normalise_text(body).strip()
        label_line = text.split("\n")[t.line - 1]
        assert t.speaker in label_line.replace("**", "")
        assert not re.match(r"\W*(?:\d\d:\d\d:\d\d\W*)?(I|IP|IP1|R|Intervjuare|Respondent|"
                            r"Karin|KARIN|Karin Ek|Åsa|Per Öst|Lars)\**:", chunk)
    assert [t.number for t in parsed.turns] == list(range(1, len(turns) + 1))
    assert parsed.metadata == ({"project": "Syd", "round": "1"} if with_header else {})
