"""Plain-text transcripts: speaker conventions, header, turns spanning paragraphs."""

import warnings

import pytest

from codingkit import CodingkitError, CodingkitWarning
from codingkit.readers import read_transcript
from codingkit.readers.text import parse_turns


def turns_of(text, **kw):
    parsed = parse_turns(text, **kw)
    return [(t.speaker, text[t.start:t.end]) for t in parsed.turns], parsed


def test_fixture_header_turns_and_roles(data_dir):
    [t] = read_transcript(data_dir / "intervju_syd.txt")
    assert t.source == "intervju_syd.txt"
    assert t.format == "text"
    assert t.metadata == {
        "project": "Innovationsupphandling Syd", "datum": "2024-03-12",
        "intervjuperson": "Karin Ek", "role": "upphandlare", "round": "1",
        "interviewer": "Lars Berg",
    }
    assert [(x.speaker, x.speaker_role, x.line) for x in t.turns] == [
        ("I", "interviewer", 10), ("IP", "respondent", 11),
        ("I", "interviewer", 17), ("IP", "respondent", 18),
    ]
    answer = t.turn_text(t.turns[1])
    # Obs:, a colon in a sentence, kl. 10:30 and a new paragraph stay in the turn
    assert answer.startswith("Vi började med en tidig marknadsdialog.")
    assert "Obs: här skrattar IP." in answer
    assert "Det viktiga var: att vi lyssnade" in answer
    assert answer.endswith("Vi träffades sedan kl. 10:30 varje tisdag.")
    assert "\n\n" in answer
    assert t.turn_text(t.turns[3]) == "Sedan skrev vi en funktionsupphandling."
    assert [x.number for x in t.turns] == [1, 2, 3, 4]


@pytest.mark.parametrize("a,b", [
    ("I", "IP"), ("I", "IP1"), ("I", "R"), ("Intervjuare", "Respondent"),
    ("Intervjuare", "Svarande"), ("Intervjuare", "Informant"),
])
def test_role_codes_are_recognised_on_first_sight(a, b):
    text = f"{a}: Hur gick dialogen?\n{b}: Den gick bra, vi träffade fem företag.\n"
    got, _ = turns_of(text)
    assert got == [(a, "Hur gick dialogen?"), (b, "Den gick bra, vi träffade fem företag.")]


@pytest.mark.parametrize("name", ["Karin", "KARIN", "Karin Ek", "Anna-Karin Öberg"])
def test_names_count_when_they_recur(name):
    text = (f"Lars: Hur började det?\n{name}: Med en förstudie.\n"
            f"Lars: Och sedan?\n{name}: Sedan en upphandling.\n")
    got, _ = turns_of(text)
    assert got == [("Lars", "Hur började det?"), (name, "Med en förstudie."),
                   ("Lars", "Och sedan?"), (name, "Sedan en upphandling.")]


def test_a_name_seen_once_is_not_a_speaker_unless_in_header():
    text = "I: Vem ansvarade?\nIP: Det gjorde vår chef.\nSedan: ett nytt steg.\n"
    got, _ = turns_of(text)
    assert got[-1] == ("IP", "Det gjorde vår chef.\nSedan: ett nytt steg.")
    text2 = "Intervjuperson: Karin Ek\nProjekt: Syd\n\nI: Vem ansvarade?\nKarin: Jag.\n"
    got2, parsed = turns_of(text2)
    assert got2 == [("I", "Vem ansvarade?"), ("Karin", "Jag.")]
    assert parsed.metadata["intervjuperson"] == "Karin Ek"


def test_markdown_bold_and_timestamps(data_dir):
    [t] = read_transcript(data_dir / "tidsstampel.md")
    got = [(x.speaker, t.turn_text(x), x.begin) for x in t.turns]
    assert got == [
        ("Lars Berg", "Berätta om behovet.", 4.0),
        ("Karin Ek", "Vi hade ett behov av bättre hemtjänstplanering.", 9.0),
        ("Lars Berg", "Varför valde ni innovationsupphandling?", 75.0),
        ("Karin Ek", "För att marknaden inte hade en färdig lösning.", 150.0),
        ("Lars Berg", "Och Vinnova?", None),
        ("Karin Ek", "Vinnova finansierade förstudien.", None),
    ]
    # the question heuristic finds the interviewer (no code, no metadata)
    assert {x.speaker: x.speaker_role for x in t.turns} == {
        "Lars Berg": "interviewer", "Karin Ek": "respondent"}


@pytest.mark.parametrize("note", ["Obs: hon pekar på kartan.", "Notera: ohörbart.",
                                  "OBS: bandet bröts.", "Kommentar: paus.",
                                  "Exempel: en app.", "kl. 10:30 började mötet."])
def test_notes_never_start_a_turn_even_when_repeated(note):
    text = f"I: Hur då?\nIP: Vi ritade.\n{note}\nMer text.\n{note}\nI: Tack.\n"
    got, _ = turns_of(text)
    assert [s for s, _ in got] == ["I", "IP", "I"]
    assert got[1][1] == f"Vi ritade.\n{note}\nMer text.\n{note}"


def test_label_on_its_own_line_and_empty_turns():
    text = "I:\nHur gick det?\n\nIP:\n\nBra.\nI:\nIP: Ja.\n"
    got, _ = turns_of(text)
    assert got == [("I", "Hur gick det?"), ("IP", "Bra."), ("IP", "Ja.")]


def test_speaker_pattern_overrides_detection():
    text = "Titel\n\n-- Moderator --  Vad tycker ni?\n-- Deltagare 3 --  Det var bra: tydligt.\n"
    got, parsed = turns_of(text, speaker_pattern=r"--\s*(?P<speaker>[^-]+?)\s*--\s*")
    assert got == [("Moderator", "Vad tycker ni?"), ("Deltagare 3", "Det var bra: tydligt.")]
    assert parsed.first_turn_line == 2


def test_speaker_pattern_without_group_is_an_error():
    with pytest.raises(CodingkitError, match="named group 'speaker'"):
        parse_turns("I: hej", speaker_pattern=r"\w+:")


def test_no_labels_gives_one_unknown_turn_with_warning(tmp_path):
    p = tmp_path / "anteckningar.txt"
    p.write_text("Projekt: Syd\nOmgång: 2\n\nVi pratade om dialogen.\nDen var bra.\n",
                 encoding="utf-8")
    with pytest.warns(CodingkitWarning, match="anteckningar.txt"):
        [t] = read_transcript(p)
    [turn] = t.turns
    assert (turn.speaker, turn.speaker_role, turn.line) == (None, "respondent", 4)
    assert t.turn_text(turn) == "Vi pratade om dialogen.\nDen var bra."
    assert t.metadata == {"project": "Syd", "round": "2"}


def test_labelled_file_gives_no_warning(data_dir):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        read_transcript(data_dir / "intervju_syd.txt")


def test_text_is_nfc_with_newlines(tmp_path):
    p = tmp_path / "nfd.txt"
    p.write_bytes("I: Va\u0308rde?\r\nIP: Ja\u030a.\r\n".encode("utf-8"))
    [t] = read_transcript(p)
    assert t.text == "I: Värde?\nIP: Jå.\n"
    assert [t.turn_text(x) for x in t.turns] == ["Värde?", "Jå."]


def test_focus_group_and_markdown_header():
    text = ("# Fokusgrupp (fiktiv)\n\n**Projekt:** Syd\n- Omgång: 2\n"
            "Deltagare: fem upphandlare\n\n---\n\n"
            "**Moderator:** Vad var svårast?\n**Deltagare 1:** Kraven.\n**Deltagare 2:** Tiden.\n")
    got, parsed = turns_of(text)
    assert parsed.metadata == {"project": "Syd", "round": "2", "deltagare": "fem upphandlare"}
    assert got == [("Moderator", "Vad var svårast?"), ("Deltagare 1", "Kraven."),
                   ("Deltagare 2", "Tiden.")]


def test_lines_like_a_header_with_no_turn_after_them_are_the_turns():
    """'Intervjuare: ja' / 'Respondent: nej' blocks look like header fields;
    when nothing after them is a turn, they were the turns (not one turn by
    an unknown speaker). A real header before them stays the header."""
    text = ("Intervjuare: upphandling\nRespondent: upphandling\n\nupphandling\n"
            "Intervjuare: dialog\nRespondent: ja\n")
    parsed = parse_turns(text)
    assert [(t.speaker, t.line) for t in parsed.turns] == [
        ("Intervjuare", 1), ("Respondent", 2), ("Intervjuare", 5), ("Respondent", 6)]
    assert text[parsed.turns[1].start:parsed.turns[1].end] == "upphandling\n\nupphandling"
    assert parsed.metadata == {}
    parsed = parse_turns("Projekt: Syd\nOmgång: 1\n\n" + text)
    assert [t.speaker for t in parsed.turns] == ["Intervjuare", "Respondent"] * 2
    assert parsed.metadata == {"project": "Syd", "round": "1"}
    # a header naming the two people, then their turns, is still read as before
    parsed = parse_turns("Intervjuare: Helena Grip\nRespondent: Tobias Lind\n\n"
                         "Helena Grip: Hej.\nTobias Lind: Hej!\nHelena Grip: Börja.\n")
    assert parsed.metadata == {"interviewer": "Helena Grip", "respondent": "Tobias Lind"}
    assert len(parsed.turns) == 3


def test_a_header_and_notes_without_labels_keep_the_header():
    """A header followed by notes without speaker labels is a header and
    one unlabelled turn, not header fields read as turns."""
    text = ("Intervjuare: Anna Svensson\nIntervjuperson: Bo Ek\nProjekt: Syd\nOmgång: 2\n"
            "Roll: projektledare\n\nAnteckningar från intervjun. Bo berättade att kommunen "
            "saknade resurser.\n")
    parsed = parse_turns(text)
    assert parsed.turns == []
    assert parsed.metadata["project"] == "Syd" and parsed.metadata["round"] == "2"
    parsed = parse_turns("Intervjuare: Anna Svensson\nRespondent: Kommunchef\n\nAnteckningar.\n")
    assert parsed.turns == [] and parsed.metadata == {"interviewer": "Anna Svensson",
                                                      "respondent": "Kommunchef"}
