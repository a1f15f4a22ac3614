"""export → import gives back the same codings, on the sample corpus and on random text."""

from __future__ import annotations

import tempfile
import unicodedata
import warnings
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import codingkit as ck
from codingkit.evaluation import align_human_coding, read_human_coding
from codingkit.model import Code, Codebook, Coding, CodingResult, Segment, Transcript
from codingkit.refiqda import AUTOMATIC_USER, read_qdpx, write_imported_project, write_qdpx

CORPUS = Path(__file__).resolve().parents[2] / "transcripts"


@pytest.fixture(scope="module")
def corpus_result() -> CodingResult:
    """The sample corpus, one segment per turn, codes assigned by a fixed pattern."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ck.CodingkitWarning)
        transcripts = ck.read_transcripts([CORPUS / "syd", CORPUS / "ostergotland"],
                                          manifest=CORPUS / "manifest.csv")
    codebook = ck.load_codebook()
    codable = [c.id for c in codebook if c.codable]
    segments, codings = [], []
    for t in transcripts:
        for turn in t.turns:
            seg = Segment(segment_id=f"{t.source}:{turn.number}", source=t.source,
                          start=turn.start, end=turn.end, text=t.turn_text(turn),
                          turn=turn.number, speaker=turn.speaker,
                          speaker_role=turn.speaker_role, metadata=t.metadata)
            segments.append(seg)
            if turn.speaker_role == "respondent" and turn.number % 3 == 0:
                for k in {turn.number % len(codable), (turn.number * 7) % len(codable)}:
                    code = codable[k]
                    codings.append(Coding(seg.segment_id, code, codebook.theme_of(code), 0.5,
                                          "rule", "test"))
    return CodingResult(segment_list=segments, coding_list=codings, codebook=codebook,
                        transcripts=transcripts)


def test_sample_corpus_round_trip(corpus_result, tmp_path):
    r = corpus_result
    interviews = (CORPUS / "manifest.csv").read_text("utf-8").strip().count("\n")
    assert len(r.transcripts) == interviews >= 8 and len(r.coding_list) > 100
    path = write_qdpx(r, tmp_path / "korpus.qdpx")
    project = read_qdpx(path)
    assert project.problems == [] and project.corrections == {}
    segs = {s.segment_id: s for s in r.segment_list}
    expected = sorted((segs[c.segment_id].source, segs[c.segment_id].start,
                       segs[c.segment_id].end, c.code) for c in r.coding_list)
    got = sorted(project.human_coding[["source", "start", "end", "code"]]
                 .itertuples(index=False, name=None))
    assert got == expected
    assert set(project.human_coding["coder"]) == {AUTOMATIC_USER}
    assert project.sources == {t.source: t.text for t in r.transcripts}
    assert project.metadata["07_ledning_omg2.docx"]["role"] == "ledning"
    assert [c.id for c in project.codebook] == [c.id for c in r.codebook]

    # the written human-coding table is what evaluation reads and aligns
    write_imported_project(project, tmp_path / "import")
    human = read_human_coding(tmp_path / "import" / "human_coding.csv")
    aligned = align_human_coding(human, r.segment_list, min_overlap=1.0)
    assert sorted(aligned[["segment_id", "code"]].itertuples(index=False, name=None)) == \
        sorted((c.segment_id, c.code) for c in r.coding_list)


_CODEBOOK = Codebook(id="h", codes={
    "tidig_dialog": Code(id="tidig_dialog", label="Tidig dialog"),
    "behov": Code(id="behov", label="Behov"),
})
_ALPHABET = st.sampled_from(list("abcåäöÅÄÖéü  .,\n") + ["🙂", "🎉", "e\u0301", "a\u030a", "ﬁ"])


@st.composite
def _results(draw):
    raw = "".join(draw(st.lists(_ALPHABET, min_size=1, max_size=60)))
    text = unicodedata.normalize("NFC", raw)
    spans = draw(st.lists(st.tuples(st.integers(0, len(text)), st.integers(0, len(text))),
                          min_size=1, max_size=5))
    segments, codings = [], []
    for k, (a, b) in enumerate(spans):
        a, b = min(a, b), max(a, b)
        seg = Segment(segment_id=f"t.txt:{k}", source="t.txt", start=a, end=b, text=text[a:b],
                      turn=k)
        segments.append(seg)
        codings.append(Coding(seg.segment_id, draw(st.sampled_from(["tidig_dialog", "behov"])),
                              "", 1.0, "rule", ""))
    return CodingResult(segment_list=segments, coding_list=codings, codebook=_CODEBOOK,
                        transcripts=[Transcript(source="t.txt", text=text)])


@settings(max_examples=40, deadline=None)
@given(_results())
def test_offsets_survive_the_round_trip_for_any_text(result):
    with tempfile.TemporaryDirectory() as tmp:
        project = read_qdpx(write_qdpx(result, Path(tmp) / "h.qdpx"))
    text = result.transcripts[0].text
    segs = {s.segment_id: s for s in result.segment_list}
    expected = sorted((segs[c.segment_id].start, segs[c.segment_id].end, c.code)
                      for c in result.coding_list)
    got = sorted(project.selections[["start", "end", "code"]].itertuples(index=False, name=None))
    assert got == expected
    assert project.problems == []
    for r in project.selections.itertuples():
        assert text[r.start:r.end] == r.text
