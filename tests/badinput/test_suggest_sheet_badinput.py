"""A filled-in coding sheet of ``codingkit suggest`` that is not one, or holds
values other than 0/1: one line naming the file and the cell (issue 13)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from codingkit.cli import cli
from codingkit.errors import EvaluationError
from codingkit.evaluation import read_human_coding

HEADER = ["source", "turn", "project", "round", "role", "question", "text", "codingkit",
          "behov", "resurser", "comment"]


def _sheet(path: Path, rows, header=HEADER) -> Path:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Kodning"
    ws.append(header)
    for row in rows:
        ws.append(row)
    book.save(path)
    return path


def _row(turn=2, behov=None, resurser=None, source="a.txt"):
    return [source, turn, "P", "1", "upphandlare", "Hur?", "Svar.", "", behov, resurser, None]


@pytest.mark.parametrize("rows, header, message, code", [
    ([_row(behov=1)], [h for h in HEADER if h != "source"], "no column source", "E602"),
    ([_row(behov=1)], HEADER[:8] + ["comment"], "no theme column", "E602"),
    ([_row(), _row(turn=4)], HEADER, "nothing coded yet", "E602"),
    ([_row(behov=1), _row(turn=4, resurser="ja")], HEADER,
     "cell J3 (theme resurser) holds 'ja'; expected 0, 1 or empty", "E603"),
    ([_row(behov=2)], HEADER, "cell I2 (theme behov) holds 2", "E603"),
    ([_row(turn="fyra", behov=1)], HEADER, "cell B2: turn must be a whole number", "E603"),
    ([_row(source=None, behov=0)], HEADER, "cell A2: empty source", "E603"),
])
def test_bad_sheet_names_the_file_and_cell(tmp_path, rows, header, message, code):
    path = _sheet(tmp_path / "granska.xlsx", rows, header)
    with pytest.raises(EvaluationError) as info:
        read_human_coding(path)
    text = str(info.value)
    assert text.startswith(str(path)) and message in text and text.endswith(f"[{code}]")


def test_not_a_workbook(tmp_path):
    path = tmp_path / "granska.xlsx"
    path.write_text("source,turn,code\na.txt,2,behov\n", encoding="utf-8")
    with pytest.raises(EvaluationError, match=r"not a readable \.xlsx workbook.*\[E602\]"):
        read_human_coding(path)


def test_cli_gives_one_line(tmp_path):
    path = _sheet(tmp_path / "granska.xlsx", [_row(behov="x")])
    (tmp_path / "iv").mkdir()
    (tmp_path / "iv" / "a.txt").write_text("I: Hur?\nIP: Svar om budget och pengar.\n",
                                           encoding="utf-8")
    res = CliRunner().invoke(cli, ["apply", str(tmp_path / "iv"), "--learn-from", str(path),
                                   "--out", str(tmp_path / "res")])
    assert res.exit_code == 1
    assert "Traceback" not in res.output
    lines = [line for line in res.output.splitlines() if not line.startswith("Warning:")]
    assert lines == [(f"Error: {path}, line 2: cell I2 (theme behov) holds 'x'; expected 0, 1 "
                      "or empty [E603]")]


def test_suggest_refuses_an_existing_out_and_other_suffixes(tmp_path):
    (tmp_path / "iv").mkdir()
    (tmp_path / "iv" / "a.txt").write_text("I: Hur?\nIP: Svar om budget och pengar.\n",
                                           encoding="utf-8")
    out = tmp_path / "granska.xlsx"
    out.write_bytes(b"old")
    res = CliRunner().invoke(cli, ["suggest", str(tmp_path / "iv"), "--out", str(out)])
    assert res.exit_code == 1 and "[E408]" in res.output and out.read_bytes() == b"old"
    res = CliRunner().invoke(cli, ["suggest", str(tmp_path / "iv"), "--out",
                                   str(tmp_path / "granska.csv")])
    assert res.exit_code == 2 and ".xlsx" in res.output
    (tmp_path / "mapp.xlsx").mkdir()
    res = CliRunner().invoke(cli, ["suggest", str(tmp_path / "iv"), "--out",
                                   str(tmp_path / "mapp.xlsx")])
    assert res.exit_code == 1 and "a folder; expected a .xlsx file name [E408]" in res.output


# ------------------------------------------------------------ formulas without a saved value
# A cell holding a formula keeps the value the spreadsheet program computed
# when it saved the file. One written by a script (openpyxl writes no value)
# or by LibreOffice with recalculation off has none: read as the value, it
# was empty, so the row's other themes counted as 0 and the researcher's 1
# was lost, or the whole row was left out as not yet coded.


@pytest.mark.parametrize("rows, message, instead", [
    ([_row(behov=1), _row(turn=4, behov="=1", resurser=0)],
     "line 3: cell I3 (theme behov) holds the formula '=1'", "0 or 1"),
    ([_row(behov="=1", resurser="=0")],  # the whole row: was left out as not yet coded
     "line 2: cell I2 (theme behov) holds the formula '=1'", "0 or 1"),
    ([_row(turn="=1+1", behov=1)], "line 2: cell B2 (turn) holds the formula '=1+1'",
     "the turn"),
    ([_row(source='="a"&".txt"', behov=0)],
     "line 2: cell A2 (source) holds the formula '=\"a\"&\".txt\"'", "the source"),
])
def test_a_formula_without_a_saved_value_is_refused_naming_its_cell(tmp_path, rows, message,
                                                                     instead):
    path = _sheet(tmp_path / "granska.xlsx", rows)
    with pytest.raises(EvaluationError) as info:
        read_human_coding(path)
    assert str(info.value) == (
        f"{path}, {message} without a saved value; open the file in Excel or LibreOffice and "
        f"save it (that computes and saves it), or type {instead} in place of the formula "
        "[E603]")


def test_a_formula_with_its_saved_value_is_read_as_that_value(tmp_path):
    """As Excel or LibreOffice save it: the formula and the value it gave,
    an empty text too (=IF(...;1;"") where the condition does not hold)."""
    import re
    import zipfile

    path = _sheet(tmp_path / "granska.xlsx", [_row(behov="=1", resurser=0),
                                              _row(turn=4, behov=0, resurser="=0+0"),
                                              _row(turn=6, behov='=IF(0,1,"")', resurser=1)])
    with zipfile.ZipFile(path) as z:
        members = {n: z.read(n) for n in z.namelist()}
    sheet = members["xl/worksheets/sheet1.xml"]
    assert sheet.count(b"<v></v>") == 3  # openpyxl saves no value
    saved = {b"1": b"<v>1</v>", b"0+0": b"<v>0</v>"}
    members["xl/worksheets/sheet1.xml"] = re.sub(
        rb'<c r="(\w+)"><f>([^<]*)</f><v></v></c>',
        lambda m: (b'<c r="%s"><f>%s</f>%s</c>' % (m[1], m[2], saved[m[2]]) if m[2] in saved
                   else b'<c r="%s" t="str"><f>%s</f><v></v></c>' % (m[1], m[2])), sheet)
    with zipfile.ZipFile(path, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    human = read_human_coding(path)
    assert sorted(zip(human.codings["source"], human.codings["turn"], human.codings["code"])) \
        == [("a.txt", 2, "behov"), ("a.txt", 6, "resurser")]
    assert sorted(human.turns["turn"]) == [2, 4, 6]
