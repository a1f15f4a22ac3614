"""A file name with a newline, a carriage return, a terminal escape or a line
separator in it never splits or colours the one-line error (or warning)
that names it: control characters are escaped as in a Python string
literal (``\\n``, ``\\x1b``, ``\\u2028``); letters such as å, ä, ö stay as
they are.
"""

from __future__ import annotations

import pytest

from codingkit import InputError
from codingkit.errors import CodebookError, CodingkitWarning, one_line

from test_readers_hostile import BODY, _apply, _codingkit   # the helpers of tests/badinput

BINARY = b"\x00\x01\x02\x03 not text"

#: A name, and how the error line writes it.
NAMES = [
    ("a\nb.txt", "a\\nb.txt"),
    ("a\rb.txt", "a\\rb.txt"),
    ("röd\x1b[31mtext.txt", "röd\\x1b[31mtext.txt"),
    ("tab\tbar.txt", "tab\\tbar.txt"),
    ("åäö\u2028ÅÄÖ.txt", "åäö\\u2028ÅÄÖ.txt"),
    ("höger\u202etxt.exe.txt", "höger\\u202etxt.exe.txt"),
]


def _one_error_line(stderr: str) -> str:
    lines = stderr.splitlines()    # splits at \n, \r, \x1c-\x1e, \x85, \u2028, \u2029 too
    assert len(lines) == 1, lines
    assert lines[0].startswith("Error: ") and "Traceback" not in stderr
    assert "\x1b" not in stderr
    return lines[0]


@pytest.mark.parametrize("name,shown", NAMES, ids=[repr(n) for n, _ in NAMES])
def test_a_bad_file_with_a_control_character_in_its_name_is_one_line(tmp_path, name, shown):
    folder = tmp_path / "intervjuer"
    folder.mkdir()
    (folder / name).write_bytes(BINARY)
    r = _apply(folder, "--out", tmp_path / "res", "--similarity", "none")
    assert r.exit_code == 1
    line = _one_error_line(r.output)
    assert line == (f"Error: {folder}/{shown}: not a text file (binary content); expected "
                    "UTF-8, UTF-16 or Windows-1252 text [E103]")
    assert not (tmp_path / "res").exists()


def test_a_real_process_writes_one_escaped_line_to_stderr(tmp_path):
    """The bytes a terminal gets (not CliRunner's capture)."""
    folder = tmp_path / "intervjuer"
    folder.mkdir()
    (folder / "a\nb\x1b[31m.txt").write_bytes(BINARY)
    r = _codingkit("apply", folder, "--out", tmp_path / "res", "--similarity", "none",
                   "--quiet")
    assert r.returncode == 1 and r.stdout == ""
    line = _one_error_line(r.stderr)
    assert f"{folder}/a\\nb\\x1b[31m.txt: not a text file" in line and line.endswith("[E103]")


def test_a_name_that_is_not_utf8_is_one_line(tmp_path):
    import os

    folder = tmp_path / "intervjuer"
    folder.mkdir()
    (folder / os.fsdecode(b"x\xff\n.txt")).write_bytes(BINARY)
    r = _codingkit("apply", folder, "--out", tmp_path / "res", "--similarity", "none",
                   "--quiet")
    assert r.returncode == 1
    line = _one_error_line(r.stderr)
    assert f"{folder}/x\\udcff\\n.txt: not a text file" in line


def test_missing_input_codebook_and_out_with_newlines_are_one_line(tmp_path):
    """Errors about paths that are not input files: a missing input (E101), a
    missing codebook (E201), a --out that is a file (E401)."""
    good = tmp_path / "intervju.txt"
    good.write_text(BODY, encoding="utf-8")
    out_file = tmp_path / "res\nultat"
    out_file.write_text("en fil\n", encoding="utf-8")
    cases = [
        ([tmp_path / "saknas\nmapp", "--out", tmp_path / "r1"],
         f"{tmp_path}/saknas\\nmapp: ", "[E101]"),
        ([good, "--out", tmp_path / "r2", "--codebook", tmp_path / "kod\rbok.yaml"],
         f"{tmp_path}/kod\\rbok.yaml: ", "[E201]"),
        ([good, "--out", out_file], f"{tmp_path}/res\\nultat: ", "[E401]"),
    ]
    for args, where, code in cases:
        r = _apply(*args, "--similarity", "none")
        assert r.exit_code == 1, r.output
        line = _one_error_line(r.stderr)
        assert line.startswith(f"Error: {where}") and line.endswith(code), line
    assert out_file.read_text(encoding="utf-8") == "en fil\n"    # inputs never modified


def test_a_warning_naming_a_file_with_a_newline_is_one_line(tmp_path):
    """A skipped file's warning (unknown type) stays one line; the run goes on."""
    folder = tmp_path / "intervjuer"
    folder.mkdir()
    (folder / "intervju.txt").write_text(BODY, encoding="utf-8")
    (folder / "anteckningar\n\x1b[2Jrensa.pdf").write_bytes(b"%PDF-1.4")
    r = _apply(folder, "--out", tmp_path / "res", "--similarity", "none")
    assert r.exit_code == 0, r.output
    lines = r.stderr.splitlines()
    assert lines and all(line.startswith("Warning: ") for line in lines), lines
    assert any("anteckningar\\n\\x1b[2Jrensa.pdf" in line for line in lines), lines
    assert "\x1b" not in r.stderr


def test_one_line_escapes_control_characters_only():
    assert one_line("intervjuer/Åsa och Örjan – ärende.txt") == \
        "intervjuer/Åsa och Örjan – ärende.txt"
    assert one_line("C:\\Users\\åsa\\a\nb.txt") == "C:\\Users\\åsa\\a\\nb.txt"
    assert one_line("\x00\x7f\x85\u2029\udcff") == "\\x00\\x7f\\x85\\u2029\\udcff"
    err = InputError("not a text file", path="mapp/a\nb.txt", line=3, code="E103")
    assert str(err) == "mapp/a\\nb.txt, line 3: not a text file [E103]"
    many = CodebookError("bad", path="kod\nbok.yaml", code="E203",
                         problems=[(1, "a"), (2, "b\nc")])
    assert str(many) == "kod\\nbok.yaml: 2 problems: line 1: a; line 2: b\\nc [E203]"
    assert str(CodingkitWarning("skipped", path="a\rb.txt")) == "a\\rb.txt: skipped"
