"""A saved coder's human-coded vectors are kept between loads (codingkit.coding.vectorcache)."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

from codingkit.coding.coder import Coder
from codingkit.coding.similarity import SimilarityModel
from codingkit.swedish import get_analyzer

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def saved(tmp_path_factory) -> Path:
    """A saved learned coder (Syd's sample interviews and their gold coding:
    173 human-coded turns to vectorise on loading). The bundled coder is such
    a file too, but vectorising its 4,022 turns takes about 2 s a load."""
    import codingkit as ck
    from codingkit.evaluation import read_human_coding

    syd = [t for t in ck.read_transcripts(ROOT / "transcripts") if t.source.startswith("syd/")]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ck.CodingkitWarning)
        coder = Coder(learner_options={"min_positives": 0}).fit(
            syd, read_human_coding(ROOT / "gold" / "syd_coding.csv"))
    assert coder.learner_ is not None and len(coder.learner_.neighbour_texts_) > 100
    return coder.save(tmp_path_factory.mktemp("coder") / "coder.ckm")


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


def test_second_load_reads_the_vectors_the_first_wrote(cache, saved, monkeypatch):
    path = saved
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


def _small(texts):
    from scipy import sparse

    rng = np.random.default_rng(len(texts))
    return sparse.random(len(texts), 50, density=0.2, format="csr", random_state=rng)


def test_a_damaged_cache_file_is_made_again(cache):
    from codingkit.coding.vectorcache import cached_vectors, loading

    texts = ["Vi bjöd in leverantörerna.", "Behoven styrde."]
    with loading("a" * 64):
        good = cached_vectors(texts, lambda: _small(texts))
    [file] = cache.glob("coder-vectors-*.npz")
    file.write_bytes(b"not a numpy file")
    with loading("a" * 64):
        again = cached_vectors(texts, lambda: _small(texts))
    assert (again != good).nnz == 0 and again.dtype == np.float64
    assert file.read_bytes()[:2] == b"PK"  # written again, readable


def test_the_cache_file_follows_the_coders_content_not_its_path(cache, saved, tmp_path):
    path = saved
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


def test_a_cache_folder_that_cannot_be_written_only_costs_time(tmp_path, saved, monkeypatch):
    get_analyzer()
    blocker = tmp_path / "a_file"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv("CODINGKIT_CACHE", str(blocker / "cache"))
    path = saved
    coder = Coder.load(path)
    assert _vectors(coder).shape[0] == len(coder.learner_.neighbour_texts_)


def test_without_the_modules_source_there_is_no_cache_but_the_coder_loads(cache, saved,
                                                                           monkeypatch):
    from codingkit.coding import vectorcache

    def no_source():
        raise FileNotFoundError("similarity.py")  # an installation of .pyc files only
    monkeypatch.setattr(vectorcache, "_code_digest", no_source)
    path = saved
    coder = Coder.load(path)
    assert _vectors(coder).shape[0] == len(coder.learner_.neighbour_texts_)
    assert not list(cache.glob("coder-vectors-*.npz"))


def test_the_folder_keeps_only_the_newest_vector_files(cache, monkeypatch):
    import os
    import time

    from codingkit.coding import vectorcache

    monkeypatch.setattr(vectorcache, "KEPT", 2)
    past = time.time_ns() - 10**12
    names = []
    for k in range(4):  # four coders' vectors, written one after another
        texts = [f"text {k}"]
        before = set(cache.glob("coder-vectors-*.npz"))
        with vectorcache.loading(f"{k:064d}"):
            vectorcache.cached_vectors(texts, lambda: _small(texts))
        [new] = set(cache.glob("coder-vectors-*.npz")) - before
        # a time in the past, k seconds apart (a coarse file-system clock
        # could give two files the same time)
        os.utime(new, ns=(past + k * 10**9, past + k * 10**9))
        names.append(new.name)
    assert sorted(f.name for f in cache.glob("coder-vectors-*.npz")) == sorted(names[-2:])


def test_outside_loading_nothing_is_cached(cache):
    from codingkit.coding.vectorcache import cached_vectors

    texts = ["Ja."]
    X = cached_vectors(texts, lambda: _small(texts))
    assert X.shape == (1, 50) and not cache.exists()
