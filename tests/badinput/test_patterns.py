"""Bad input: user patterns (codebook regexes, --speaker-pattern) and codebook quoting.

Issue 16: a catastrophic regex must not stall a run (``(a+)+$`` took 79 s on
31 characters with Python's ``re``); it is refused when read, or stopped by
a time limit, with an error naming the pattern, the file and the line.
Issue 15: a regex in YAML double quotes (``"\\bRFI\\b"``: backspaces) is
warned about; YAML errors name the right line; regexes in messages are
shown as written (no doubled backslashes).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from textwrap import dedent

import pytest
from click.testing import CliRunner

from codingkit import read_transcripts
from codingkit.cli import cli
from codingkit.codebook import load_codebook
from codingkit.coding.rules import RuleMatcher
from codingkit.errors import CodebookError, CodingkitError, CodingkitWarning
from codingkit.model import Code, Codebook, Rule
from codingkit.patterns import (
    PatternError,
    PatternTimeoutError,
    compile_user_pattern,
    show_pattern,
)

SRC = Path(__file__).resolve().parents[2] / "src"

#: Catastrophic patterns and texts; with Python's re the first took 79 s at 31
#: characters; the regex package makes it polynomial, still seconds at 2,000.
CATASTROPHIC = [r"(a+)+$", r"(a|aa)+$", r"(\w+\s?)+$", r"(x+x+)+y", r"^(a|a)*$"]
#: Catastrophic, but built so that the probe texts miss it (\p{N} is a syntax
#: only the regex package reads, so the probe falls back to generic texts):
#: only the time limit stops it.
EVADES_PROBE = r"(?:x|xx)+\p{N}?$"


def _codebook_file(tmp_path: Path, regex_line: str, name: str = "kodbok.yaml") -> Path:
    p = tmp_path / name
    p.write_text(dedent(f"""\
        codebook:
          id: prov
          version: "1"
        codes:
          - id: risk
            label: Risk
            rules:
              - överprövning
              {regex_line}
        """), encoding="utf-8")
    return p


@pytest.fixture
def short_limit(monkeypatch):
    monkeypatch.setenv("CODINGKIT_REGEX_TIMEOUT", "0.2")


# -- codebook regexes ------------------------------------------------------------

@pytest.mark.parametrize("pattern", CATASTROPHIC)
def test_catastrophic_codebook_regex_is_refused_by_validate(tmp_path, pattern):
    p = _codebook_file(tmp_path, f"- regex: '{pattern}'")
    t0 = time.perf_counter()
    result = CliRunner().invoke(cli, ["validate", str(p)])
    assert time.perf_counter() - t0 < 10
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert len(lines) == 1
    line = lines[0]
    # the file, the line, the code, the pattern as written, the code of the error
    assert line.startswith(f"Error: {p}, line 9: code 'risk': rules[1].regex: regex ")
    assert f"'{pattern}' backtracks catastrophically" in line
    assert line.endswith("[E203]")
    assert "\\\\" not in line


def test_default_codebook_regexes_pass_the_probe():
    cb = load_codebook()  # the schema probes every regex (E205 otherwise)
    n = sum(r.kind == "regex" for c in cb for r in (*c.rules, *c.exclusions))
    assert n > 30


def test_regex_package_syntax_and_lookbehind_still_work(tmp_path):
    # the default codebook uses lookbehind, which RE2 would refuse
    p = _codebook_file(tmp_path, r"- regex: '(?<!be)(?<!om)nämnd(en)?\b'")
    m = RuleMatcher(load_codebook(p))
    assert [h.words for h in m.match("Nämnden beslutade. Han var bemärkt.")] == [("Nämnden",)]


def test_time_limit_stops_a_regex_the_probe_misses(short_limit):
    cb = Codebook("prov", {"risk": Code("risk", "Risk", rules=(
        Rule("regex", EVADES_PROBE, line=12),))}, path=Path("kodbok.yaml"))
    m = RuleMatcher(cb)
    t0 = time.perf_counter()
    with pytest.raises(PatternTimeoutError) as info:
        m.match("x" * 60 + "!")
    assert time.perf_counter() - t0 < 5
    err = info.value
    assert (err.path, err.line, err.code) == ("kodbok.yaml", 12, "E206")
    msg = str(err)
    assert msg.startswith("kodbok.yaml, line 12: regex '(?:x|xx)+\\p{N}?$' (code 'risk') took "
                          "more than 0.2 s")
    assert "CODINGKIT_REGEX_TIMEOUT" in msg


def test_time_limit_in_a_real_run_names_codebook_and_line(tmp_path):
    book = _codebook_file(tmp_path, f"- regex: '{EVADES_PROBE}'")
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "intervju.txt").write_text(
        "I: Hur gick det?\nIP: " + "x" * 60 + "!\nI: Tack.\nIP: Det var bra.\n",
        encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(SRC), "CODINGKIT_REGEX_TIMEOUT": "0.3"}
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "codingkit", "apply", str(tmp_path / "in"), "--out",
         str(tmp_path / "res"), "--codebook", str(book), "--similarity", "none"],
        capture_output=True, text=True, env=env, timeout=120)
    assert time.perf_counter() - t0 < 60
    assert proc.returncode == 1, proc.stderr
    errors = [ln for ln in proc.stderr.splitlines() if ln.startswith("Error:")]
    assert len(errors) == 1 and "Traceback" not in proc.stderr
    assert errors[0].startswith(f"Error: {book}, line 9: regex '{EVADES_PROBE}' (code 'risk') "
                                "took more than 0.3 s")
    assert errors[0].endswith("[E206]")


def test_regex_in_double_quotes_is_warned_about_with_how_to_quote(tmp_path):
    p = _codebook_file(tmp_path, r'- regex: "\bRFI\b"')
    result = CliRunner().invoke(cli, ["validate", str(p)])
    assert result.exit_code == 0, result.output
    warning, ok = result.output.splitlines()
    assert warning.startswith(f"Warning: {p}, line 9: code 'risk': regex '\\x08RFI\\x08' "
                              "contains 2 control characters (backspace, U+0008) that YAML "
                              "made from \"\\b\" in double quotes")
    assert warning.endswith("write regexes in single quotes, where a backslash is kept: "
                            "regex: '\\bRFI\\b'")
    assert ok.startswith(f"OK: {p}")
    with pytest.warns(CodingkitWarning, match="single quotes"):
        load_codebook(p)
    # the same regex in single quotes: no warning, and it matches
    q = _codebook_file(tmp_path, r"- regex: '\bRFI\b'", "enkla.yaml")
    assert CliRunner().invoke(cli, ["validate", str(q)]).output.startswith("OK:")


def test_unknown_yaml_escape_in_double_quotes_says_how_to_quote(tmp_path):
    p = _codebook_file(tmp_path, r'- regex: "\s+RFI"')
    with pytest.raises(CodebookError) as info:
        load_codebook(p)
    err = info.value
    assert (err.code, err.line) == ("E202", 9)
    assert "unknown escape character 's'" in str(err)
    assert "write regexes in single quotes" in str(err)
    assert "never closed" not in str(err)  # the quote is closed: not that hint


def test_yaml_error_names_the_line_of_the_fault_not_the_next(tmp_path):
    # line 13 lacks its colon; PyYAML notices on line 14
    p = tmp_path / "kodbok.yaml"
    p.write_text(dedent("""\
        codebook:
          id: prov
        codes:
          - id: risk
            label: Risk
            rules:
              - överprövning
          - id: behov
            label: Behov
            rules:
              - behov
          - id: resurser
            label Resurser
            rules:
              - budget
        """), encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", str(p)])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {p}, line 13: malformed YAML: could not find "
                                    "expected ':'")
    assert "noticed on line 14" in result.output


@pytest.mark.parametrize("text, line", [
    ("codes:\n  - id: a\n    label: 'Obalanserad\n    rules: [x]\n", 3),    # open quote
    ("codes:\n  - id: a\n    rules: [x, y\n    label: A\n", 3),             # open bracket
    ("codes:\n  - id: a\n    label: A: B\n", 3),                            # right already
])
def test_yaml_errors_point_at_the_line_to_edit(tmp_path, text, line):
    p = tmp_path / "k.yaml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(CodebookError) as info:
        load_codebook(p)
    assert info.value.line == line


def test_regexes_in_messages_are_shown_as_written(tmp_path):
    p = _codebook_file(tmp_path, r"- regex: '\bLOU[\b'")
    with pytest.raises(CodebookError) as info:
        load_codebook(p)
    msg = str(info.value)
    assert r"bad regular expression '\bLOU[\b'" in msg
    assert "\\\\" not in msg
    assert show_pattern(r"\d+\s") == r"'\d+\s'"


# -- --speaker-pattern -------------------------------------------------------------

def _transcripts(tmp_path: Path, body: str) -> Path:
    folder = tmp_path / "in"
    folder.mkdir(exist_ok=True)
    (folder / "intervju.txt").write_text(body, encoding="utf-8")
    return folder


def test_catastrophic_speaker_pattern_is_refused_before_reading(tmp_path):
    folder = _transcripts(tmp_path, "AA - Hej\nBB - Hej hej\n")
    with pytest.raises(CodingkitError) as info:
        read_transcripts(folder, speaker_pattern=r"^(?P<speaker>(A|AA)+)+\s*-\s*$")
    err = info.value
    assert err.code == "E108"
    assert str(err).startswith("speaker pattern (--speaker-pattern) "
                               "'^(?P<speaker>(A|AA)+)+\\s*-\\s*$' backtracks catastrophically")


def test_speaker_pattern_time_limit_names_file_and_line(tmp_path, short_limit):
    folder = _transcripts(tmp_path, "AA: Hej\nBB: Hej hej\n" + "x" * 60 + "!\nAA: Slut\n")
    pattern = r"(?P<speaker>[A-Z]{2}):\s*|" + EVADES_PROBE
    with pytest.raises(PatternTimeoutError) as info:
        read_transcripts(folder, speaker_pattern=pattern)
    err = info.value
    assert err.code == "E108"
    assert (Path(err.path).name, err.line) == ("intervju.txt", 3)
    assert "took more than 0.2 s" in str(err)


def test_good_speaker_patterns_still_work(tmp_path):
    folder = _transcripts(tmp_path, "AB - Hur började ni?\nCD - Med en dialog.\n")
    [t] = read_transcripts(folder, speaker_pattern=r"^(?P<speaker>[A-ZÅÄÖ]{2,4})\s*[-–]\s*")
    assert [tu.speaker for tu in t.turns] == ["AB", "CD"]
    # a sequential (not nested) pattern that is slow only on absurd lines is accepted
    compile_user_pattern(r"--\s*(?P<speaker>[^-]+?)\s*--\s*", group="speaker")


def test_pattern_errors_are_one_line_codingkit_errors():
    with pytest.raises(PatternError) as info:
        compile_user_pattern("(oavslutad", path="kodbok.yaml", line=9)
    assert str(info.value) == ("kodbok.yaml, line 9: regex '(oavslutad' does not compile: "
                               "missing ) at position 10 [E205]")
