"""Human coding given in the wrong kind of file: one line saying what the
file is taken for and what was expected (a Word report given to
--learn-from, a coding sheet saved by Swedish Excel as a Windows-1252 CSV),
not a UTF-8 decoding error."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from codingkit.cli import cli
from codingkit.errors import EvaluationError
from codingkit.humancoding import read_human_coding

ROOT = Path(__file__).resolve().parents[2]


def test_a_word_file_given_as_human_coding_is_named_an_unknown_type(tmp_path):
    report = tmp_path / "rapport.docx"
    shutil.copy(ROOT / "transcripts" / "syd" / "02_upphandlare_omg1.docx", report)
    with pytest.raises(EvaluationError) as info:
        read_human_coding(report)
    assert info.value.code == "E602"
    assert str(info.value).startswith(f"{report}: unknown file type '.docx' for human coding; "
                                      "expected a coding CSV")
    r = CliRunner().invoke(cli, ["apply", str(ROOT / "transcripts" / "syd"), "--learn-from",
                                 str(report), "--out", str(tmp_path / "res")])
    assert r.exit_code == 1 and "unknown file type '.docx'" in r.output
    assert not (tmp_path / "res").exists()


def test_a_coding_csv_saved_as_windows_1252_says_how_to_save_it(tmp_path):
    coding = tmp_path / "kodning.csv"
    coding.write_bytes("source;turn;code\nsyd/01_projektledare_omg1.txt;2;behöv\n"
                       .encode("cp1252"))
    with pytest.raises(EvaluationError) as info:
        read_human_coding(coding)
    assert str(info.value) == (f"{coding}: not UTF-8 text; expected a coding CSV saved as "
                               "UTF-8 (in Excel: 'CSV UTF-8'), or keep a coding sheet of "
                               "'codingkit suggest' as the .xlsx it was [E602]")
    # a folder of coding CSVs still takes its .csv files only
    (tmp_path / "anteckningar.docx").write_bytes(b"PK\x03\x04")
    coding.write_text("source,turn,code\nsyd/01_projektledare_omg1.txt,2,behov\n",
                      encoding="utf-8")
    assert list(read_human_coding(tmp_path).codings["code"]) == ["behov"]
