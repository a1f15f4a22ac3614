"""A saved coder's human-coded vectors are kept between loads (codingkit.coding.vectorcache)."""

from __future__ import annotations

import numpy as np
import pytest

from codingkit.coding.bundled import bundled_paths
from codingkit.coding.coder import Coder
from codingkit.coding.similarity import SimilarityModel
from codingkit.swedish import get_analyzer


@pytest.fixture()
def cache(tmp_path, monkeypatch):
    get_analyzer()  # the lemma table stays where it is; only new cache files go here
    folder = tmp_path / "cache"
    monkeypatch.setenv("CODINGKIT_CACHE", str(folder))
    return folder


def _vectors(coder):
    return coder.learner_.neighbour_vectors_


def _no_vectorising(monkeypatch):
    def refuse(self, *a, **k):
        raise AssertionError("vectorised again although the cache holds the vectors")
    monkeypatch.setattr(SimilarityModel, "transform", refuse)


def test_second_load_reads_the_vectors_the_first_wrote(cache, monkeypatch):
    path, _ = bundled_paths()
    first = Coder.load(path)
    files = list(cache.glob("coder-vectors-*.npz"))
    assert len(files) == 1
    with monkeypatch.context() as m:
        _no_vectorising(m)
        second = Coder.load(path)
    a, b = _vectors(first), _vectors(second)
    assert a.dtype == b.dtype == np.float64 and a.shape == b.shape
    assert (a != b).nnz == 0
    assert np.array_equal(a.indptr, b.indptr) and np.array_equal(a.indices, b.indices)


def test_a_damaged_cache_file_is_made_again(cache):
    path, _ = bundled_paths()
    good = _vectors(Coder.load(path))
    [file] = cache.glob("coder-vectors-*.npz")
    file.write_bytes(b"not a numpy file")
    again = _vectors(Coder.load(path))
    assert (again != good).nnz == 0
    assert file.read_bytes()[:2] == b"PK"  # written again, readable


def test_the_cache_file_follows_the_coders_content_not_its_path(cache, tmp_path):
    path, _ = bundled_paths()
    coder = Coder.load(path)
    copy = tmp_path / "copy.ckm"
    copy.write_bytes(path.read_bytes())
    Coder.load(copy)                       # the same content: the same file
    assert len(list(cache.glob("coder-vectors-*.npz"))) == 1
    coder.quote_learned_from = False       # other content: a file of its own
    changed = coder.save(tmp_path / "changed.ckm")
    again = Coder.load(changed)
    assert len(list(cache.glob("coder-vectors-*.npz"))) == 2
    assert (_vectors(again) != _vectors(coder)).nnz == 0


def test_a_cache_folder_that_cannot_be_written_only_costs_time(tmp_path, monkeypatch):
    get_analyzer()
    blocker = tmp_path / "a_file"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv("CODINGKIT_CACHE", str(blocker / "cache"))
    path, _ = bundled_paths()
    coder = Coder.load(path)
    assert _vectors(coder).shape[0] == len(coder.learner_.neighbour_texts_)
