"""``codingkit validate CODEBOOK``."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from codingkit.cli import cli
from codingkit.codebook import default_codebook_path

DATA = Path(__file__).parent / "data"


def test_validate_ok_line():
    path = str(default_codebook_path())
    result = CliRunner().invoke(cli, ["validate", path])
    assert result.exit_code == 0, result.output
    n = result.output.split(": ")[-1]
    assert result.output == f"OK: {path}: {n}"
    assert n.endswith(" codes (10 themes)\n")
    assert int(n.split()[0]) > 10      # the default codebook has sub-codes too


def test_validate_small_codebook():
    path = str(DATA / "flat.yaml")
    result = CliRunner().invoke(cli, ["validate", path])
    assert result.exit_code == 0
    assert result.output == f"OK: {path}: 4 codes (2 themes)\n"


def test_validate_reports_all_problems_on_one_line_and_exits_1():
    path = str(DATA / "many_errors.yaml")
    result = CliRunner().invoke(cli, ["validate", path])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    lines = result.output.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"Error: {path}: 6 problems: line 7: ")
    assert lines[0].endswith("[E203]")
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_validate_missing_file(tmp_path):
    path = str(tmp_path / "saknas.yaml")
    result = CliRunner().invoke(cli, ["validate", path])
    assert result.exit_code == 1
    assert result.output == f"Error: {path}: codebook file not found [E201]\n"


def test_validate_malformed_yaml(tmp_path):
    p = tmp_path / "trasig.yml"
    p.write_text("codes:\n  - id: a\n    label: 'ej stängd\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", str(p)])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {p}, line ")
    assert "malformed YAML" in result.output


UNCODABLE = """\
codebook:
  id: prov
  version: "1"
codes:
  - id: dialog
    label: Dialog
    rules: [leverantörsdialog]
  - id: resurser
    label: Resurser
  - id: grupp
    label: Grupp
    codable: false
    codes:
      - id: grupp.budget
        label: Budget
        rules: [budget]
  - id: forankring
    label: Förankring
    description: Att ledningen står bakom projektet.
"""


def test_validate_warns_about_a_theme_that_can_never_be_coded(tmp_path):
    """A theme without rules or examples (itself or its sub-codes) is valid but
    never coded: validate still says OK, and one warning line per such theme
    names the file, the theme's line and the theme (issue: 0 % read as
    "nobody raised it")."""
    p = tmp_path / "kodbok.yaml"
    p.write_text(UNCODABLE, encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", str(p)])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"OK: {p}: 5 codes (4 themes), 2 warnings\n"
    lines = result.stderr.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"Warning: {p}, line 8: theme 'resurser' can never be coded")
    assert "expected at least one rule or example" in lines[0]
    # only a description: only similarity to it can code the theme, said so
    assert lines[1].startswith(f"Warning: {p}, line 17: theme 'forankring' has no rule and "
                               "no example")
    assert "only similarity to its description" in lines[1]


def test_apply_warns_about_a_theme_it_can_never_code(tmp_path):
    p = tmp_path / "kodbok.yaml"
    p.write_text(UNCODABLE, encoding="utf-8")
    t = tmp_path / "in" / "a.txt"
    t.parent.mkdir()
    t.write_text("I: Hur gick det?\n\nIP: Vi hade en leverantörsdialog och för lite budget "
                 "och tid för projektet.\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["apply", str(t.parent), "--codebook", str(p), "--out",
                                      str(tmp_path / "res"), "-q"])
    assert result.exit_code == 0, result.output
    warned = [ln for ln in result.stderr.splitlines() if "can never be coded" in ln]
    assert warned == [ln for ln in result.stderr.splitlines() if "'resurser'" in ln]
    assert len(warned) == 1 and warned[0].startswith(f"Warning: {p}, line 8: theme 'resurser'")
    # without similarity, examples and descriptions code nothing: said for that run
    result = CliRunner().invoke(cli, ["apply", str(t.parent), "--codebook", str(p), "--out",
                                      str(tmp_path / "res2"), "-q", "--similarity", "none"])
    assert result.exit_code == 0, result.output
    assert f"Warning: {p}, line 17: theme 'forankring' can never be coded in this run" \
        in result.stderr
