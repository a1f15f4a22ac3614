"""Coding in parts (codingkit.run): the same codings in parts, in processes
and from the cache as in one call; the tables written part by part are the
tables of the whole result."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from codingkit import Coder, read_transcripts
from codingkit.cli import cli
from codingkit.codebook import load_codebook
from codingkit.model import Transcript, Turn
from codingkit.run import CodingCache, code_parts, file_groups, fingerprint, parts
from codingkit.segmenting import segment
from codingkit.tables import segment_columns, transcript_segment_columns
from codingkit.writers import ResultWriter, results_folder, write_outputs

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "transcripts"
#: What is coded in parts below: Syd's six sample interviews (txt, docx, vtt;
#: 80,000 characters, six parts of 15,000), half the work of all twelve
CORPUS = SAMPLE / "syd"


@pytest.fixture(scope="module")
def corpus():
    return read_transcripts(CORPUS)


@pytest.fixture(scope="module")
def coder():
    """The default codebook with TF-IDF similarity (its own examples)."""
    return Coder(load_codebook(None), unit="sentence").fit()


@pytest.fixture(scope="module")
def whole(coder, corpus):
    return coder.code(corpus)


def _rows(result):
    return ([(s.segment_id, s.start, s.end, s.text, dict(s.metadata))
             for s in result.segment_list],
            [tuple(vars(c).values()) for c in result.coding_list])


def _joined(results):
    segments, codings = [], []
    for r in results:
        s, c = _rows(r)
        segments += s
        codings += c
    return segments, codings


def test_parts_gather_whole_files_in_order(corpus):
    groups = file_groups(corpus)
    chunks = parts(groups, part_chars=20_000)
    assert [g for chunk in chunks for g in chunk] == groups
    assert len(chunks) > 3 and all(chunk for chunk in chunks)
    assert parts(groups, part_chars=10**9) == [groups]


def test_parts_give_the_codings_of_one_call(coder, corpus, whole):
    results = list(code_parts(coder, corpus, part_chars=15_000))
    assert len(results) > 3
    assert _joined(results) == _rows(whole)
    assert {t.source for r in results for t in r.transcripts} == {t.source for t in corpus}
    assert results[0].options == whole.options


def test_two_processes_give_what_one_gives(coder, corpus, whole):
    results = list(code_parts(coder, corpus, jobs=2, part_chars=30_000))
    assert _joined(results) == _rows(whole)


def test_the_cache_codes_only_what_changed(tmp_path, coder, corpus, whole):
    cache = CodingCache(tmp_path / "cache", coder)
    first = list(code_parts(coder, corpus, cache=cache, part_chars=40_000))
    n_files = len(file_groups(corpus))
    assert (cache.hits, cache.misses) == (0, n_files)
    assert _joined(first) == _rows(whole)

    # one file changed, one file's metadata changed: one file coded again,
    # and the changed metadata in its segments
    changed = list(corpus)
    t = changed[0]
    changed[0] = Transcript(t.source, t.text.replace("leverantör", "leverantöR"), t.turns,
                            t.metadata, t.format, t.path, "changed")
    t = changed[1]
    changed[1] = Transcript(t.source, t.text, t.turns, {**t.metadata, "round": "9"},
                            t.format, t.path, t.sha256)
    again = CodingCache(tmp_path / "cache", coder)
    second = list(code_parts(coder, changed, cache=again, part_chars=40_000))
    assert (again.hits, again.misses) == (n_files - 1, 1)
    assert _joined(second) == _rows(coder.code(changed))

    # another coder does not read this coder's entries
    other = Coder(load_codebook(None), unit="sentence", similarity="none").fit()
    assert fingerprint(other) != fingerprint(coder)
    assert CodingCache(tmp_path / "cache", other).get(file_groups(corpus)[2]) is None


def test_a_broken_cache_entry_is_coded_again(tmp_path, coder, corpus):
    cache = CodingCache(tmp_path / "cache", coder)
    group = file_groups(corpus)[:1]
    list(code_parts(coder, group[0], cache=cache))
    for p in (tmp_path / "cache").iterdir():
        p.write_bytes(b"not gzip")
    assert cache.get(group[0]) is None


def test_segment_columns_are_known_before_segmenting():
    text = "IP: Ja.\nIP:   \n"
    ts = [Transcript("a.txt", text, [Turn(1, 4, 7)], {"kommun": "Lund", "project": "p"}),
          Transcript("b.txt", text, [Turn(1, 12, 15)], {"län": "Skåne"}),
          Transcript("c.txt", text, [], {"ort": "Ystad"})]
    for unit in ("turn", "sentence", "paragraph"):
        assert transcript_segment_columns(ts) == segment_columns(segment(ts, unit))
    assert transcript_segment_columns(ts)[-1] == "kommun"


def test_tables_written_part_by_part_are_those_of_the_whole(tmp_path, coder, corpus, whole):
    formats = ("csv", "parquet", "xlsx")
    write_outputs(whole, tmp_path / "whole", formats=formats)
    with results_folder(tmp_path / "parts") as rf:
        with ResultWriter(rf, coder.codebook_, corpus, formats=formats) as writer:
            for part in code_parts(coder, corpus, part_chars=15_000):
                writer.add(part)
            writer.close()
    for name in ("segments.csv", "codings.csv", "frequencies.csv"):
        assert (tmp_path / "parts" / name).read_bytes() == (tmp_path / "whole" / name
                                                            ).read_bytes(), name
    import pyarrow.parquet as pq

    meta = pq.ParquetFile(tmp_path / "parts" / "segments.parquet").metadata
    assert meta.num_row_groups > 3
    for name in ("segments", "codings", "frequencies"):
        a = pd.read_parquet(tmp_path / "parts" / f"{name}.parquet")
        b = pd.read_parquet(tmp_path / "whole" / f"{name}.parquet")
        pd.testing.assert_frame_equal(a, b)
        assert len(a) == len(pd.read_csv(tmp_path / "whole" / f"{name}.csv"))
    manifests = [json.loads((tmp_path / d / "manifest.json").read_text("utf-8"))
                 for d in ("parts", "whole")]
    assert manifests[0]["counts"] == manifests[1]["counts"]
    assert (tmp_path / "parts" / "codingkit.xlsx").stat().st_size > 10_000


def test_apply_with_jobs_and_cache_writes_the_same_tables(tmp_path):
    """Real processes and a rerun from the cache: byte-identical tables; a
    new transcript is all the rerun codes."""
    src = tmp_path / "in"
    shutil.copytree(SAMPLE / "syd", src)
    runner = CliRunner()
    common = ["--rules-only", "--unit", "paragraph", "--quiet"]

    def apply(out, *extra):
        res = runner.invoke(cli, ["apply", str(src), "--out", str(tmp_path / out),
                                  *common, *extra])
        assert res.exit_code == 0, res.output
        return res.output

    apply("first", "--jobs", "2", "--cache", str(tmp_path / "cache"))
    new = SAMPLE / "ostergotland" / "05_upphandlare_omg1.txt"
    shutil.copyfile(new, src / new.name)
    apply("plain")
    apply("cached", "--cache", str(tmp_path / "cache"), "--jobs", "0")
    for name in ("segments.csv", "codings.csv", "frequencies.csv"):
        assert (tmp_path / "plain" / name).read_bytes() == (tmp_path / "cached" / name
                                                            ).read_bytes()
    options = json.loads((tmp_path / "cached" / "manifest.json").read_text("utf-8"))["options"]
    n_files = len(list(src.iterdir()))
    assert options["cached_files"] == n_files - 1
    assert options["cache"] == str(tmp_path / "cache")


def test_a_cache_that_cannot_be_made_is_one_line(tmp_path):
    (tmp_path / "file").write_text("x")
    res = CliRunner().invoke(cli, ["apply", str(SAMPLE / "syd"), "--out", str(tmp_path / "o"),
                                   "--rules-only", "--cache", str(tmp_path / "file" / "c")])
    assert res.exit_code == 1
    assert "E409" in res.output and "Traceback" not in res.output
    assert not (tmp_path / "o").exists()


SURVEY = ROOT / "surveys" / "enkat_omg2.csv"


def test_a_survey_is_cut_between_its_answers(coder):
    """A survey file larger than a part is coded in pieces (an answer is
    never cut): the codings are those of one call."""
    survey = read_transcripts(SURVEY)
    mixed = [*survey, *read_transcripts(SAMPLE / "syd" / "01_projektledare_omg1.txt")]
    chunks = parts(file_groups(mixed), part_chars=300)
    assert len(chunks) > 3
    assert [t for chunk in chunks for g in chunk for t in g] == mixed
    assert all(sum(len(t.text) for t in g) <= 300 or len(g) == 1
               for chunk in chunks for g in chunk)
    results = list(code_parts(coder, mixed, part_chars=300))
    assert len(results) == len(chunks)
    assert _joined(results) == _rows(coder.code(mixed))
    assert _joined(code_parts(coder, mixed, jobs=2, part_chars=300)) == _rows(coder.code(mixed))


def test_the_cache_keeps_a_cut_survey_piece_by_piece(tmp_path, coder):
    survey = read_transcripts(SURVEY)
    whole = _rows(coder.code(survey))
    cache = CodingCache(tmp_path / "cache", coder)
    assert _joined(code_parts(coder, survey, cache=cache, part_chars=300)) == whole
    assert (cache.hits, cache.misses) == (0, 1)  # one file, in several pieces
    n_pieces = len(list((tmp_path / "cache").iterdir()))
    assert n_pieces == sum(len(chunk) for chunk in parts(file_groups(survey), 300)) > 3

    again = CodingCache(tmp_path / "cache", coder)
    assert _joined(code_parts(coder, survey, cache=again, part_chars=300)) == whole
    assert (again.hits, again.misses) == (1, 0)

    # one answer changed: its piece is coded again, the file counts as coded
    changed = list(survey)
    t = changed[-1]
    changed[-1] = Transcript(t.source, t.text + " Mer dialog.", [
        Turn(t.turns[0].number, t.turns[0].start, t.turns[0].end + 12)], t.metadata,
        t.format, t.path, "changed")
    third = CodingCache(tmp_path / "cache", coder)
    assert _joined(code_parts(coder, changed, cache=third, part_chars=300)) == \
        _rows(coder.code(changed))
    assert (third.hits, third.misses) == (0, 1)
    assert len(list((tmp_path / "cache").iterdir())) == n_pieces + 1


def test_apply_cuts_a_survey_into_parts_with_the_same_tables(tmp_path, monkeypatch):
    """The command line with a small part size (a survey in several parts,
    in two processes, from the cache): the tables of one part."""
    import codingkit.run

    runner = CliRunner()

    def apply(out, *extra):
        res = runner.invoke(cli, ["apply", str(SURVEY), "--out", str(tmp_path / out),
                                  "--rules-only", "--quiet", *extra])
        assert res.exit_code == 0, res.output

    apply("one")
    monkeypatch.setattr(codingkit.run, "PART_CHARS", 300)
    apply("parts")
    apply("jobs", "--jobs", "2")
    apply("cache", "--cache", str(tmp_path / "cache"))
    apply("cached", "--cache", str(tmp_path / "cache"))
    assert len(list((tmp_path / "cache").iterdir())) > 3
    for out in ("parts", "jobs", "cache", "cached"):
        for name in ("segments.csv", "codings.csv", "frequencies.csv"):
            assert (tmp_path / out / name).read_bytes() == (tmp_path / "one" / name
                                                            ).read_bytes(), (out, name)
    options = json.loads((tmp_path / "cached" / "manifest.json").read_text("utf-8"))["options"]
    assert options["cached_files"] == 1


def test_word_caches_are_bounded_without_changing_codings(monkeypatch, corpus, whole):
    """Emptied between every two parts (a bound of 0 words), the caches of
    word forms give the codings of one call, and hold nothing new after."""
    import codingkit.swedish

    coder = Coder(load_codebook(None), unit="sentence").fit()
    sim = coder.similarity_
    fitted = (len(sim._lemma_vocab), len(sim._char_vocab))
    monkeypatch.setattr(codingkit.swedish, "WORDS_KEPT", 0)
    results = list(code_parts(coder, corpus, part_chars=15_000))
    assert len(results) > 3
    assert _joined(results) == _rows(whole)
    assert (len(sim._lemma_vocab), len(sim._char_vocab)) == fitted
    assert not sim._lemma_pairs and not sim._char_words
    assert not coder.rule_matcher_._form_cache


def test_two_readings_code_what_one_reading_codes(coder, corpus, whole):
    """Read once to check (transcripts kept without text) and again part by
    part: the codings, columns and transcripts of one reading."""
    from codingkit.readers import input_files
    from codingkit.run import TwoPassInput

    two = TwoPassInput(input_files(CORPUS), count=len).read()
    assert [t.source for t in two.transcripts] == [t.source for t in corpus]
    assert all(t.text == "" and t.turns == [] for t in two.transcripts)
    assert [t.metadata for t in two.transcripts] == [t.metadata for t in corpus]
    assert two.columns == transcript_segment_columns(corpus)
    assert two.counted == len(corpus)
    assert [two.size(t) for t in two.transcripts] == [len(t.text) for t in corpus]
    for jobs in (1, 2):
        results = list(code_parts(coder, two.transcripts, jobs=jobs, part_chars=15_000,
                                  reread=two.reread, size=two.size))
        assert len(results) > 3
        assert _joined(results) == _rows(whole)
        assert [t.text for r in results for t in r.transcripts] == [t.text for t in corpus]
    # a survey's answers are kept whole (coded in pieces, not held twice)
    survey = TwoPassInput(input_files(SURVEY)).read().transcripts
    assert len(survey) > 1 and all(t.text for t in survey)
    assert two.reread(survey[:2]) == survey[:2]


def test_a_file_changed_between_the_readings_is_refused(tmp_path, coder):
    from codingkit.errors import InputError
    from codingkit.readers import input_files
    from codingkit.run import TwoPassInput

    shutil.copytree(SAMPLE / "syd", tmp_path / "syd")
    two = TwoPassInput(input_files(tmp_path / "syd")).read()
    changed = tmp_path / "syd" / "04_verksamhet_omg3.txt"
    changed.write_text(changed.read_text("utf-8") + "\nIP: Och en sak till.\n", "utf-8")
    with pytest.raises(InputError) as info:
        list(code_parts(coder, two.transcripts, part_chars=1_000, reread=two.reread,
                        size=two.size))
    assert info.value.code == "E114" and info.value.path == str(changed)
    assert "changed while codingkit was coding it" in str(info.value)


def test_apply_reads_twice_but_warns_once(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "utan_huvud.txt").write_text("IP: Vi bjöd in leverantörerna tidigt.\n", "utf-8")
    res = CliRunner().invoke(cli, ["apply", str(folder), "--out", str(tmp_path / "r"),
                                   "--rules-only", "--quiet"])
    assert res.exit_code == 0, res.output
    assert res.stderr.count("no 'project' in the header or manifest") == 1, res.stderr
