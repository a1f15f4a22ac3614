"""A fitted coder codes a transcript the same whatever is coded beside it.

A frequency in an interim report must not move because another interview
was added to the folder: everything a coder uses is set by ``fit``, and
``code`` is a pure function of the fitted coder and the transcripts.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import codingkit as ck
from codingkit.cli import cli
from codingkit.coding import Coder
from codingkit.errors import NotFittedError
from codingkit.evaluation import read_human_coding

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def sample():
    return ck.read_transcripts(ROOT / "transcripts")


@pytest.fixture(scope="module")
def coders(sample):
    """The default coder and one that learned from the Syd gold coding."""
    plain = Coder().fit()
    human = read_human_coding(ROOT / "gold" / "syd_coding.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        learned = Coder(learner_options={"min_positives": 0}).fit(sample, human)
    return {"plain": plain, "learned": learned}


def _rows(result) -> dict[str, list[tuple]]:
    """Each source's segments and codings, as plain tuples."""
    by_source: dict[str, list[tuple]] = {}
    for s in result.segment_list:
        by_source.setdefault(s.source, []).append(("segment", s.segment_id, s.text))
    src = {s.segment_id: s.source for s in result.segment_list}
    for c in result.coding_list:
        by_source[src[c.segment_id]].append(
            ("coding", c.segment_id, c.code, c.score, c.method, c.evidence))
    return by_source


@pytest.fixture(scope="module")
def whole(coders, sample):
    return {name: _rows(coder.code(sample)) for name, coder in coders.items()}


#: Interviews of every format (txt, docx, vtt, srt, md) from both projects:
#: what is split and reordered below, each batch compared with the coding of
#: all 12 together (``whole``); splitting all 12 in every example took 3 s more.
MIXED = ("syd/01_projektledare_omg1.txt", "syd/02_upphandlare_omg1.docx",
         "syd/03_leverantor_omg2.vtt", "ostergotland/06_projektledare_omg2.srt",
         "ostergotland/08_leverantor_omg3.md", "ostergotland/11_verksamhet_omg2.docx")


@settings(max_examples=6, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
@pytest.mark.parametrize("name", ["plain", "learned"])
def test_any_split_and_order_codes_each_transcript_the_same(name, coders, sample, whole, data):
    mixed = [t for t in sample if t.source in MIXED]
    assert len(mixed) == len(MIXED)
    order = data.draw(st.permutations(range(len(mixed))), label="order")
    cut = data.draw(st.integers(min_value=1, max_value=len(mixed)), label="cut")
    batches = [[mixed[i] for i in order[:cut]], [mixed[i] for i in order[cut:]]]
    for batch in batches:
        if not batch:
            continue
        got = _rows(coders[name].code(batch))
        assert got == {t.source: whole[name][t.source] for t in batch}


def test_sample_corpus_in_one_run_or_file_by_file_gives_the_same_codings(tmp_path):
    """The command line: one run over the folder, and one run per file (one
    file of each format)."""
    folder = ROOT / "transcripts"
    r = CliRunner().invoke(cli, ["apply", str(folder), "--out", str(tmp_path / "all"), "-q"])
    assert r.exit_code == 0, r.output
    together = pd.read_csv(tmp_path / "all" / "codings.csv", dtype=str)
    files = ["syd/01_projektledare_omg1.txt", "syd/02_upphandlare_omg1.docx",
             "syd/03_leverantor_omg2.vtt", "ostergotland/11_verksamhet_omg2.docx"]
    for k, file in enumerate(files):
        out = tmp_path / f"one{k}"
        r = CliRunner().invoke(cli, ["apply", str(folder / file), "--manifest",
                                     str(folder / "manifest.csv"), "--out", str(out), "-q"])
        assert r.exit_code == 0, r.output
        alone = pd.read_csv(out / "codings.csv", dtype=str)
        # a file given alone is named by its file name; name it as in the folder
        alone["segment_id"] = file + ":" + alone["segment_id"].str.rsplit(":", n=1).str[1]
        mine = together[together["segment_id"].str.startswith(file + ":")]
        assert len(mine) > 5
        assert mine.values.tolist() == alone.values.tolist()


def test_fitting_sets_state_and_params_stay_as_given():
    coder = Coder(unit="sentence")
    assert not coder.is_fitted()
    assert coder.get_params() == {"codebook": None, "unit": "sentence",
                                  "code_interviewer": False, "similarity": "tfidf",
                                  "cache_dir": None, "learner_options": None,
                                  "quote_learned_from": True, "sense_check": True,
                                  "topic_check": True}
    with pytest.raises(NotFittedError, match=r"E615.*|not fitted"):
        coder.check_fitted("saving it")
    coder.fit()
    assert coder.is_fitted() and coder.similarity_ is not None and coder.learner_ is None
    assert coder.provenance_ == "codebook"
    assert coder.get_params()["codebook"] is None  # fitting does not change a parameter
    assert Coder().set_params(similarity="none").fit().similarity_ is None
    with pytest.raises(TypeError, match="no parameter"):
        Coder().set_params(unt="turn")
    with pytest.raises(TypeError, match="without human coding"):
        Coder().fit(ck.read_transcripts(ROOT / "transcripts" / "syd"))
