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
    from codingkit.errors import CodingkitWarning

    # every coding is the automatic user's: read, with the warning that it is no human's
    with pytest.warns(CodingkitWarning, match=r"human_coding\.csv: not a human's coding"):
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


# -- the closing check of issue 15: what QualCoder's refi.py reads ------------------

def test_sample_corpus_qdpx_has_every_source_file_under_a_flat_name_and_metadata(
        corpus_result, tmp_path):
    """As QualCoder's import reads a TextSource: it copies
    ``<folder>/sources/<plainTextPath without internal:/>`` to
    ``documents/<name>.txt`` and reads the VariableValues inside the TextSource
    as the file's attributes (and Cases' VariableValues as case attributes)."""
    import zipfile

    from lxml import etree

    path = write_qdpx(corpus_result, tmp_path / "korpus.qdpx")
    ns = {"q": "urn:QDA-XML:project:1.0"}
    with zipfile.ZipFile(path) as zf:
        names = set(zf.namelist())
        root = etree.fromstring(zf.read("project.qde"))
    variables = {v.get("guid"): v.get("name") for v in root.iterfind(".//q:Variable", ns)}
    sources = root.findall(".//q:TextSource", ns)
    assert len(sources) == len(corpus_result.transcripts) == 12
    flat = [ts.get("name") for ts in sources]
    assert len({n.lower() for n in flat}) == 12
    by_name = {t.source: t for t in corpus_result.transcripts}
    for ts in sources:
        name = ts.get("name")
        assert "/" not in name and "\\" not in name and ":" not in name
        documents = tmp_path / "documents"
        documents.mkdir(exist_ok=True)
        (documents / f"{name}.txt").write_text("x", encoding="utf-8")   # a valid file name
        entry = "sources" + ts.get("plainTextPath").split("internal:/")[1]
        assert entry in names
        values = {variables[vv.find("q:VariableRef", ns).get("targetGUID")]:
                  vv.find("q:TextValue", ns).text for vv in ts.iterfind("q:VariableValue", ns)}
        t = by_name[values["codingkit_source"]]
        # QualCoder's parse_case_for_file_variables: a Case without a name and with
        # exactly one SourceRef gives that source its variables
        file_vars = {}
        for case in root.iterfind(".//q:Case", ns):
            refs = [r.get("targetGUID") for r in case.iterfind("q:SourceRef", ns)]
            if case.get("name") is None and refs == [ts.get("guid")]:
                for vv in case.iterfind("q:VariableValue", ns):
                    file_vars[variables[vv.find("q:VariableRef", ns).get("targetGUID")]] = \
                        vv.find("q:TextValue", ns).text
        for key in ("project", "round", "role"):
            assert file_vars[key] == t.metadata[key], (name, key)
    # read back: the codingkit source names, with project, round and role each
    project = read_qdpx(path)
    assert set(project.sources) == set(by_name)
    for source, t in by_name.items():
        for key in ("project", "round", "role"):
            assert project.metadata[source][key] == t.metadata[key]
        assert "codingkit_source" not in project.metadata[source]


def test_each_coding_keeps_its_own_evidence_after_a_round_trip(corpus_result, tmp_path):
    import zipfile

    from lxml import etree

    from codingkit.refiqda import code_guid

    path = write_qdpx(corpus_result, tmp_path / "korpus.qdpx")
    ns = {"q": "urn:QDA-XML:project:1.0"}
    with zipfile.ZipFile(path) as zf:
        root = etree.fromstring(zf.read("project.qde"))
    code_of = {code_guid(c.id): c.id for c in corpus_result.codebook}
    several = 0
    for sel in root.iterfind(".//q:PlainTextSelection", ns):
        [coding] = sel.findall("q:Coding", ns)           # one coding per selection
        code = code_of[coding.find("q:CodeRef", ns).get("targetGUID")]
        desc = sel.find("q:Description", ns).text
        assert desc.startswith(f"{code}: score ") and "\n" not in desc   # its own only
        several += sum(1 for s in root.iterfind(".//q:PlainTextSelection", ns)
                       if s.get("startPosition") == sel.get("startPosition")
                       and s is not sel) > 0
    assert several > 0          # the corpus has passages with several codes
    project = read_qdpx(path)
    assert len(project.selections) == len(corpus_result.coding_list)
