"""``evaluate`` warns when the "human" coding is codingkit's own (an
unreviewed .qdpx export, or codings.csv) instead of silently reporting 1.00."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from codingkit.cli import cli
from codingkit.errors import CodingkitWarning
from codingkit.humancoding import read_human_coding, warn_if_codingkits_own

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "transcripts"


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """The sample corpus coded and exported as codingkit writes it."""
    out = tmp_path_factory.mktemp("export") / "resultat"
    res = CliRunner().invoke(cli, ["apply", str(SAMPLE), "--rules-only", "--format", "qdpx",
                                   "--format", "csv", "--out", str(out)])
    assert res.exit_code == 0, res.output
    return out


def _own_warning(output: str, name: str) -> list[str]:
    return [line for line in output.splitlines()
            if line.startswith("Warning:") and name in line and "not a human's coding" in line]


def test_evaluate_against_its_own_qdpx_warns(exported):
    qdpx = exported / "project.qdpx"
    res = CliRunner().invoke(cli, ["evaluate", str(SAMPLE), "--rules-only", "--gold", str(qdpx)])
    assert res.exit_code == 0, res.output
    [line] = _own_warning(res.output, str(qdpx))
    assert "codingkit (automatic)" in line and "QualCoder" in line
    assert "(macro)" in res.output          # still reported, after the warning


def test_evaluate_against_its_own_codings_csv_warns(exported):
    csv = exported / "codings.csv"
    assert list(pd.read_csv(csv, nrows=0).columns) == ["segment_id", "code", "theme", "score",
                                                       "method", "evidence"]
    res = CliRunner().invoke(cli, ["evaluate", str(SAMPLE), "--rules-only", "--gold", str(csv)])
    assert res.exit_code == 0, res.output
    [line] = _own_warning(res.output, str(csv))
    assert "score, method, evidence" in line and "human's coding" in line


def test_a_corrected_copy_and_a_humans_coding_do_not_warn(exported, tmp_path):
    own = pd.read_csv(exported / "codings.csv", dtype=str, keep_default_na=False)
    # rows added by hand have no method: a human worked on it
    added = pd.DataFrame([{"segment_id": own["segment_id"][0], "code": "behov"}])
    corrected = pd.concat([own, added], ignore_index=True).fillna("")
    corrected.to_csv(tmp_path / "rattad.csv", index=False)
    # or the researcher deleted codingkit's columns, as the warning says
    own[["segment_id", "code"]].to_csv(tmp_path / "granskad.csv", index=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error", CodingkitWarning)
        read_human_coding(tmp_path / "rattad.csv")
        read_human_coding(tmp_path / "granskad.csv")
        read_human_coding(ROOT / "gold" / "syd_coding.csv")
    # a project where someone else coded too is a reviewed one
    df = pd.DataFrame({"coder": ["codingkit (automatic)", "Anna"], "code": ["a", "b"]})
    assert not warn_if_codingkits_own(df, Path("p.qdpx"))
    with pytest.warns(CodingkitWarning, match=r"p\.qdpx: not a human's coding"):
        assert warn_if_codingkits_own(df.iloc[:1], Path("p.qdpx"))
