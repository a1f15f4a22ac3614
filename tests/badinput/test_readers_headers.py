"""Bad input, reading (issue 15): headers with a title line, missing
metadata, surveys without a recognisable answer column."""

import itertools
import warnings

import pandas as pd
import pytest
from click.testing import CliRunner

from codingkit import CodingkitWarning, InputError
from codingkit.cli import cli
from codingkit.readers import read_transcript

FIELDS = ["Projekt: Innovationsupphandling Syd", "Intervjuare: E. Nilsson",
          "Transkriberad av: K. Berg", "Intervjuperson: Förvaltningschef"]
BODY = ("I: Hur började ni?\nIP: Vi bjöd in leverantörerna tidigt.\n"
        "I: Och sedan?\nIP: Sedan skrev vi kravspecifikationen.\n")
TITLE = "Intervju – följeforskning"
EXPECTED_META = {"project": "Innovationsupphandling Syd", "interviewer": "E. Nilsson",
                 "transkriberad av": "K. Berg", "intervjuperson": "Förvaltningschef"}


def _turns(t):
    return [(x.number, x.speaker, x.speaker_role, t.turn_text(x)) for x in t.turns]


EXPECTED_TURNS = [(1, "I", "interviewer", "Hur började ni?"),
                  (2, "IP", "respondent", "Vi bjöd in leverantörerna tidigt."),
                  (3, "I", "interviewer", "Och sedan?"),
                  (4, "IP", "respondent", "Sedan skrev vi kravspecifikationen.")]


@pytest.mark.parametrize("title", ["", TITLE + "\n", TITLE + "\n\n", "# " + TITLE + "\n"])
@pytest.mark.parametrize("order", list(itertools.permutations(range(4)))[::5])
@pytest.mark.parametrize("gap", ["\n", ""])  # a blank line before the first turn, or none
def test_header_fields_are_metadata_never_turns(tmp_path, title, order, gap):
    p = tmp_path / "intervju.txt"
    header = "\n".join(FIELDS[i] for i in order)
    p.write_text(title + header + "\n" + gap + BODY, encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error", CodingkitWarning)
        [t] = read_transcript(p)
    assert t.metadata == EXPECTED_META
    assert _turns(t) == EXPECTED_TURNS


def test_title_and_header_in_docx(tmp_path):
    import docx

    d = docx.Document()
    for line in [TITLE, *FIELDS, "", *BODY.splitlines()]:
        d.add_paragraph(line)
    p = tmp_path / "intervju.docx"
    d.save(p)
    [t] = read_transcript(p)
    assert t.metadata == EXPECTED_META
    assert _turns(t) == EXPECTED_TURNS


def test_a_label_that_repeats_is_not_a_header(tmp_path):
    # "Intervjuare: Hej" twice is a conversation, even right after Projekt:
    p = tmp_path / "a.txt"
    p.write_text("Projekt: Syd\nIntervjuare: Hej\nIP: Hej\nIntervjuare: Hur började ni?\n"
                 "IP: Med en dialog.\n", encoding="utf-8")
    [t] = read_transcript(p)
    assert t.metadata == {"project": "Syd", "interviewer": "Hej"}
    assert [x.speaker for x in t.turns] == ["IP", "Intervjuare", "IP"]


def _apply(*args):
    return CliRunner().invoke(cli, ["apply", *args, "--quiet"], catch_exceptions=False)


def test_missing_round_is_a_group_of_its_own_with_a_warning(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "syd.txt").write_text(TITLE + "\n" + "\n".join(FIELDS) + "\n\n" + BODY,
                                    encoding="utf-8")
    (folder / "inget.txt").write_text(BODY, encoding="utf-8")
    out = tmp_path / "res"
    r = _apply(str(folder), "--out", str(out), "--similarity", "none")
    assert r.exit_code == 0, r.output
    assert "no 'round' in the header or manifest; counted in the group '(okänd)'" in r.output
    assert "inget.txt (and 1 more file): no 'round'" in r.output
    assert "inget.txt: no 'project'" in r.output
    freq = pd.read_csv(out / "frequencies.csv", dtype=str)
    assert set(zip(freq.project, freq["round"])) == {
        ("Innovationsupphandling Syd", "(okänd)"), ("(okänd)", "(okänd)")}
    # a misspelt key that is not project/round/role is still refused
    r = _apply(str(folder), "--out", str(tmp_path / "res2"), "--by", "project,rund")
    assert r.exit_code == 1 and "[E404]" in r.output


def test_a_copy_of_an_interview_is_counted_twice_and_said(tmp_path):
    """The same file under two names is two sources to the frequencies (and
    the report): a copy saved beside the original doubles its interview's
    codings unnoticed, so apply names both files."""
    folder = tmp_path / "in"
    (folder / "omg1").mkdir(parents=True)
    text = TITLE + "\n" + "\n".join(FIELDS) + "\n\n" + BODY
    (folder / "omg1" / "syd.txt").write_text(text, encoding="utf-8")
    (folder / "syd - kopia.txt").write_text(text, encoding="utf-8")
    (folder / "annan.txt").write_text(text + "\nIP: Och en sak till.\n", encoding="utf-8")
    out = tmp_path / "res"
    r = _apply(str(folder), "--out", str(out), "--similarity", "none")
    assert r.exit_code == 0, r.output
    assert r.output.count("the same content") == 1, r.output
    assert "omg1/syd.txt" in r.output and "syd - kopia.txt" in r.output
    assert "annan.txt" not in r.output.split("the same content")[0].splitlines()[-1]
    freq = pd.read_csv(out / "frequencies.csv", dtype=str)
    assert set(freq.sources_total) == {"3"}  # counted as they are: the warning says so


def test_survey_without_an_answer_column_is_refused(tmp_path):
    p = tmp_path / "enkat.xlsx"
    pd.DataFrame({"id": [1, 2], "project": ["Syd", "Östergötland"],
                  "round": ["1", "2"]}).to_excel(p, index=False)
    with pytest.raises(InputError) as exc:
        read_transcript(p)
    msg = str(exc.value)
    assert "enkat.xlsx: cannot tell which column holds the answers (columns: id, project, round)" in msg
    assert "--text-column" in msg and "[E108]" in msg
    r = _apply(str(p), "--out", str(tmp_path / "res"), "--by", "round")
    assert r.exit_code == 1 and r.output.count("\n") == 1 and "[E108]" in r.output


def test_survey_columns_of_similar_length_are_not_guessed(tmp_path):
    p = tmp_path / "enkat.csv"
    p.write_text("kommun;organisation\nLinköpings kommun;Region Östergötland\nLunds kommun;Region Skåne\n",
                 encoding="utf-8")
    with pytest.raises(InputError, match=r"columns: kommun, organisation\).*--text-column"):
        read_transcript(p)


def test_survey_answer_column_by_name_part_or_length(tmp_path):
    p = tmp_path / "enkat.csv"
    p.write_text("id;projekt;Kommentar till fråga 3\n1;Syd;Bra\n2;Öst;Dialogen hjälpte\n",
                 encoding="utf-8")
    assert [t.text for t in read_transcript(p)] == ["Bra", "Dialogen hjälpte"]
    p.write_text("id;projekt;Vad fungerade?\n1;Syd;Dialogen med marknaden innan annonsering\n",
                 encoding="utf-8")
    assert [t.text for t in read_transcript(p)] == ["Dialogen med marknaden innan annonsering"]


def test_short_labelled_turns_are_not_a_header(tmp_path):
    # found by the offsets fuzz: four short turns looked like a header of
    # Intervjuare/Respondent fields
    p = tmp_path / "kort.txt"
    p.write_text("Intervjuare: upphandling\nRespondent: upphandling\n"
                 "Intervjuare: upphandling\nRespondent: upphandling\n", encoding="utf-8")
    [t] = read_transcript(p)
    assert [x.speaker for x in t.turns] == ["Intervjuare", "Respondent"] * 2
