"""Interviewer or respondent: known labels, metadata, the question heuristic."""

import pytest

from codingkit.model import Transcript, Turn
from codingkit.readers.roles import assign_roles, find_interviewers, is_question


@pytest.mark.parametrize("label", ["I", "Int", "Intervjuare", "INTERVJUAREN", "Moderator",
                                   "Interviewer", "I2", "Intervjuare 1"])
def test_known_interviewer_labels(label):
    turns = [(label, "Vi går vidare."), ("Karin", "Ja."), (label, "Bra."), ("Karin", "Mm.")]
    assert find_interviewers(turns) == {label}


def test_metadata_interviewer_by_full_or_first_name():
    turns = [("Lars", "Vi bjöd in tre företag."), ("Maria Holm", "Spännande, fortsätt."),
             ("Lars", "Sedan kom anbuden.")]
    assert find_interviewers(turns, {"interviewer": "Maria Holm"}) == {"Maria Holm"}
    assert find_interviewers(turns, {"interviewer": "Lars Berg"}) == {"Lars"}


def test_question_heuristic_needs_a_clear_difference():
    clear = [("A", "Hur började projektet?"), ("B", "Med en behovsanalys."),
             ("A", "Berätta mer om dialogen"), ("B", "Vi träffade leverantörer."),
             ("A", "Vilka var med?"), ("B", "Fem företag, tror jag?")]
    assert find_interviewers(clear) == {"A"}
    unclear = [("A", "Hur började projektet?"), ("B", "Varför frågar du det?"),
               ("A", "Vad menar du?"), ("B", "Vilka menar du?")]
    assert find_interviewers(unclear) == set()
    assert find_interviewers([("A", "Hur då?"), ("A", "Vad?")]) == set()  # one speaker


@pytest.mark.parametrize("text,expected", [
    ("Hur såg upphandlingen ut?", True), ("Kan du berätta om kraven", True),
    ("Skulle du göra om det", True), ("Varför det", True), ("Mm. Vad hände sen", True),
    ("Vi var nöjda.", False), ("Huruvida det lyckades vet jag inte.", False),
])
def test_is_question(text, expected):
    assert is_question(text) is expected


def test_assign_roles_replaces_frozen_turns_and_unknown_is_respondent():
    text = "I: Hur?\nIP: Så.\nOklart."
    t = Transcript(source="x", text=text, turns=[
        Turn(1, 3, 7, "I"), Turn(2, 12, 15, "IP"), Turn(3, 16, 23, None)])
    assign_roles(t)
    assert [x.speaker_role for x in t.turns] == ["interviewer", "respondent", "respondent"]
    assert [t.turn_text(x) for x in t.turns] == ["Hur?", "Så.", "Oklart."]


def test_heuristic_on_unpunctuated_speech_with_backchannels():
    # speech-to-text style: lower case, no question marks, many "mm"
    turns = [("Lars", "och hur har hösten varit"), ("Sara", "intensiv vi har haft många möten"),
             ("Lars", "mm"), ("Sara", "och leverantören har levererat första versionen"),
             ("Lars", "har andra regioner hört av sig till er"),
             ("Sara", "ja två regioner har frågat om kravspecifikationen"),
             ("Lars", "ja"), ("Lars", "något du skulle göra annorlunda"),
             ("Sara", "vi skulle ha involverat personalen tidigare")]
    assert find_interviewers(turns) == {"Lars"}
