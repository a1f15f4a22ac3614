"""Fixtures of the learning-loop tests (suggest, --learn-from, evaluate --cv)."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest
from built_once import built_once

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def small_bundled_files(tmp_path_factory) -> tuple[Path, Path]:
    """A coder built as ``tools/build_default_coder.py`` builds the bundled
    one, from the sample corpus only (its 12 interviews and their gold
    coding), with its ``.json`` description: the ``.ckm`` and ``.json``.

    The coder bundled with the default codebook learned from 100 interviews
    (4,022 turns); learning on top of it takes about 19 s of CPU. The tests
    that check how the command line learns on top of the bundled coder
    (``--learn-from``, ``evaluate --cv``) use this one instead, through
    :func:`small_bundled`: the same code paths, a real learned coder, about
    a tenth of the turns. What the bundled coder itself codes is tested on
    the real one (``tests/test_bundled.py`` and others).
    """
    import codingkit as ck

    codebook = ck.load_codebook()
    ckm_name, description_name = f"coder-{codebook.id}.ckm", f"coder-{codebook.id}.json"
    with built_once(tmp_path_factory, "bundled") as (folder, build):
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
