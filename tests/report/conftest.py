"""A results folder of the sample corpus (and the agreement figures of
``codingkit evaluate`` on it), made once per test run."""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
from pathlib import Path

import pytest
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


@contextlib.contextmanager
def _built_once(tmp_path_factory, name: str):
    """A folder to build ``name`` in, or to read it from: yields the folder
    and whether it still has to be built (then the caller builds it there).

    With pytest-xdist the workers of one run share the folder, the first to
    ask builds it while the others wait (a file lock), so a session fixture
    many test modules use is built once per run rather than once per worker.
    A build that fails leaves nothing behind; without xdist each session
    builds its own. (The same as in tests/suggest/conftest.py.)
    """
    if "PYTEST_XDIST_WORKER" not in os.environ:
        yield tmp_path_factory.mktemp(name), True
        return
    shared = tmp_path_factory.getbasetemp().parent  # this run's, shared by its workers
    folder, done = shared / name, shared / f"{name}.done"
    with open(shared / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if done.exists():
            yield folder, False
            return
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        try:
            yield folder, True
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        done.touch()


@pytest.fixture(scope="session")
def sample_results(tmp_path_factory) -> Path:
    """``codingkit apply transcripts/`` with ``evaluate --by project,round --out`` in
    ``agreement/`` beside the tables (do not modify: copy with :func:`copy_results`);
    made once per test run (with pytest-xdist, by the first worker that needs it)."""
    with _built_once(tmp_path_factory, "report-results") as (folder, build):
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
