"""A session fixture's folder built once per test run, shared by the
pytest-xdist workers (imported by the conftests of tests/report and
tests/suggest; ``pythonpath = ["tests"]`` in pyproject.toml)."""

from __future__ import annotations

import contextlib
import os
import shutil

from filelock import FileLock


@contextlib.contextmanager
def built_once(tmp_path_factory, name: str):
    """A folder to build ``name`` in, or to read it from: yields the folder
    and whether it still has to be built (then the caller builds it there).

    With pytest-xdist the workers of one run share the folder, the first to
    ask builds it while the others wait (a file lock), so a session fixture
    many test modules use is built once per run rather than once per worker
    (``filelock``, so that the tests also run on Windows).
    A build that fails leaves nothing behind; without xdist each session
    builds its own.
    """
    if "PYTEST_XDIST_WORKER" not in os.environ:
        yield tmp_path_factory.mktemp(name), True
        return
    shared = tmp_path_factory.getbasetemp().parent  # this run's, shared by its workers
    folder, done = shared / name, shared / f"{name}.done"
    with FileLock(shared / f"{name}.lock"):  # on POSIX and Windows alike
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
