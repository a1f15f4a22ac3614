"""A results folder of the sample corpus (and the agreement figures of
``codingkit evaluate`` on it), made once per test run."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from built_once import built_once
from click.testing import CliRunner

from codingkit.cli import cli

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str):
    """Run the CLI in-process; returns click's Result."""
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(name="run")
def run_fixture():
    """:func:`run` as a fixture (test modules here are not a package)."""
    return run


@pytest.fixture(scope="session")
def sample_results(tmp_path_factory) -> Path:
    """``codingkit apply transcripts/`` with ``evaluate --by project,round --out`` in
    ``agreement/`` beside the tables (do not modify: copy with :func:`copy_results`);
    made once per test run (with pytest-xdist, by the first worker that needs it)."""
    with built_once(tmp_path_factory, "report-results") as (folder, build):
        out = folder / "res"
        if build:
            r = run("apply", ROOT / "transcripts", "--out", out)
            assert r.exit_code == 0, r.output
            r = run("evaluate", "--gold", ROOT / "gold", "--pred", out, "--by",
                    "project,round", "--out", out / "agreement")
            assert r.exit_code == 0, r.output
    return out


@pytest.fixture
def copy_results(sample_results, tmp_path):
    """A copy of the sample results folder (without the agreement figures
    unless ``agreement=True``) that a test may change."""
    def make(agreement: bool = False) -> Path:
        dest = tmp_path / "res"
        shutil.copytree(sample_results, dest,
                        ignore=None if agreement else shutil.ignore_patterns("agreement"))
        return dest
    return make
