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
