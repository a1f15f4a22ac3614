"""``codingkit report``: bad input gets one coded line, exit 1 and no report."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from codingkit.cli import cli

ROOT = Path(__file__).resolve().parents[2]


def _report(*args) -> tuple[int, str]:
    r = CliRunner().invoke(cli, ["report", *map(str, args)])
    return r.exit_code, r.stderr if hasattr(r, "stderr") else r.output


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("bad") / "res"
    r = CliRunner().invoke(cli, ["apply", str(ROOT / "transcripts" / "syd"), "--out", str(out)])
    assert r.exit_code == 0, r.output
    return out


def _copy(results: Path, tmp_path: Path) -> Path:
    dest = tmp_path / "res"
    shutil.copytree(results, dest)
    return dest


def _manifest(folder: Path, **changes) -> None:
    m = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    for k, v in changes.items():
        if v is None:
            m.pop(k, None)
        else:
            m[k] = v
    (folder / "manifest.json").write_text(json.dumps(m), encoding="utf-8")


def _check(code: str, args, out: Path, *fragments: str) -> None:
    status, err = _report(*args, "--out", out)
    assert status == 1, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and lines[0].endswith(f"[{code}]"), err
    for f in fragments:
        assert f in lines[0], (f, lines[0])
    assert not out.exists()
    assert not list(out.parent.glob(f".{out.name}.*"))  # no temporary file left


def test_not_a_results_folder(tmp_path):
    out = tmp_path / "r.html"
    _check("E901", [tmp_path / "saknas"], out, "saknas", "no such folder")
    (tmp_path / "tom").mkdir()
    _check("E901", [tmp_path / "tom"], out, "no manifest.json")
    _check("E901", [ROOT / "transcripts"], out, "transcripts")


def test_manifest_not_json_or_not_ours(results, tmp_path):
    res = _copy(results, tmp_path)
    (res / "manifest.json").write_text('{"a": 1,\n', encoding="utf-8")
    _check("E901", [res], tmp_path / "r.html", "manifest.json", "not valid JSON")
    (res / "manifest.json").write_text('{"name": "x"}', encoding="utf-8")
    _check("E901", [res], tmp_path / "r.html", "not a manifest of 'codingkit apply'")


@pytest.mark.parametrize("version, says", [(99, "schema_version 99"), ("1", "schema_version '1'"),
                                           (None, "has no schema_version")])
def test_another_schema_version(results, tmp_path, version, says):
    res = _copy(results, tmp_path)
    _manifest(res, schema_version=version)
    _check("E902", [res], tmp_path / "r.docx", says, "re-run 'codingkit apply'")


def test_missing_table_or_column(results, tmp_path):
    res = _copy(results, tmp_path)
    (res / "codings.csv").unlink()
    _check("E901", [res], tmp_path / "r.html", "codings.csv: missing")
    res2 = tmp_path / "b"
    shutil.copytree(results, res2)
    text = (res2 / "segments.csv").read_text(encoding="utf-8").replace("speaker_role,", "roll,", 1)
    (res2 / "segments.csv").write_text(text, encoding="utf-8")
    _check("E905", [res2], tmp_path / "r.html", "segments.csv, line 1", "no column speaker_role")
    res3 = tmp_path / "c"
    shutil.copytree(results, res3)
    lines = (res3 / "codings.csv").read_text(encoding="utf-8").splitlines()
    parts = lines[3].split(",")
    parts[3] = "hög"
    lines[3] = ",".join(parts)
    (res3 / "codings.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    _check("E905", [res3], tmp_path / "r.html", "codings.csv, line 4", "'hög'", "expected a number")


def test_unknown_round(results, tmp_path):
    _check("E903", [results, "--since", "7"], tmp_path / "r.html", "--since 7",
           "its rounds are 1, 2, 3")
    _check("E903", [results, "--since", "3"], tmp_path / "r.docx", "latest round")


def test_bad_output_name(results, tmp_path):
    _check("E904", [results], tmp_path / "r.pdf", "'.pdf'", ".html or .docx")
    (tmp_path / "mapp.html").mkdir()
    status, err = _report(results, "--out", tmp_path / "mapp.html")
    assert status == 1 and err.strip().endswith("[E904]")


def test_agreement_folder_without_figures(results, tmp_path):
    _check("E906", [results, "--agreement", tmp_path], tmp_path / "r.html", "no agreement.json")
    bad = tmp_path / "ag"
    bad.mkdir()
    (bad / "agreement.json").write_text("[]", encoding="utf-8")
    _check("E906", [results, "--agreement", bad], tmp_path / "r.html", "agreement.json")


def test_a_failed_build_keeps_an_earlier_report(results, tmp_path):
    out = tmp_path / "r.html"
    out.write_text("förra rapporten", encoding="utf-8")
    status, err = _report(results, "--out", out, "--since", "9", "--force")
    assert status == 1 and "[E903]" in err
    assert out.read_text(encoding="utf-8") == "förra rapporten"
