"""Fixtures of the learning-loop tests (suggest, --learn-from, evaluate --cv)."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@contextlib.contextmanager
def _built_once(tmp_path_factory, name: str):
    """A folder to build ``name`` in, or to read it from: yields the folder
    and whether it still has to be built (then the caller builds it there).

    With pytest-xdist the workers of one run share the folder, the first to
    ask builds it while the others wait (a file lock), so a session fixture
    many test modules use is built once per run rather than once per worker.
    A build that fails leaves nothing behind; without xdist each session
    builds its own.
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
def small_bundled_files(tmp_path_factory) -> tuple[Path, Path]:
    """A coder built as ``tools/build_default_coder.py`` builds the bundled
    one, from the sample corpus only (its 12 interviews and their gold
    coding), with its ``.json`` description: the ``.ckm`` and ``.json``.

    The coder bundled with the default codebook learned from 92 interviews
    (3,702 turns); learning on top of it takes about 13 s of CPU. The tests
    that check how the command line learns on top of the bundled coder
    (``--learn-from``, ``evaluate --cv``) use this one instead, through
    :func:`small_bundled`: the same code paths, a real learned coder, about
    a tenth of the turns. What the bundled coder itself codes is tested on
    the real one (``tests/test_bundled.py`` and others).
    """
    import codingkit as ck

    codebook = ck.load_codebook()
    ckm_name, description_name = f"coder-{codebook.id}.ckm", f"coder-{codebook.id}.json"
    with _built_once(tmp_path_factory, "bundled") as (folder, build):
        if build:
            _build_small_bundled(codebook, folder / ckm_name, folder / description_name)
    return folder / ckm_name, folder / description_name


def _build_small_bundled(codebook, ckm: Path, description: Path) -> None:
    import codingkit as ck
    from codingkit.coding.bundled import bundled_info
    from codingkit.evaluation import read_human_coding
    from codingkit.fileio import sha256_file

    transcripts = ck.read_transcripts(ROOT / "transcripts")
    human = read_human_coding([ROOT / "gold" / f"{name}_{kind}.csv"
                               for name in ("syd", "ost", "heldout")
                               for kind in ("coding", "turns")])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ck.CodingkitWarning)
        coder = ck.Coder(codebook).fit(transcripts, human)
    coder.save(ckm)
    info = bundled_info(codebook.id)
    info["coder_sha256"] = sha256_file(ckm)
    info["learned_from"] = {
        **info["learned_from"],
        "interviews": len(transcripts),
        "respondent_turns": len(coder.training_segment_ids_),
        "transcripts": [{"source": t.source, "sha256": t.sha256} for t in transcripts],
    }
    description.write_text(json.dumps(info, ensure_ascii=False), encoding="utf-8")


@pytest.fixture
def small_bundled(small_bundled_files, monkeypatch) -> dict:
    """The default codebook's bundled coder is, for this test, the small one
    of :func:`small_bundled_files`; its description (``.json``) is returned."""
    from codingkit.coding import bundled

    real = bundled.bundled_paths
    ckm, description = small_bundled_files

    def paths(codebook_id: str = bundled.DEFAULT_CODEBOOK_ID) -> tuple[Path, Path]:
        return (ckm, description) if codebook_id == bundled.DEFAULT_CODEBOOK_ID \
            else real(codebook_id)

    monkeypatch.setattr(bundled, "bundled_paths", paths)
    return json.loads(description.read_text(encoding="utf-8"))
