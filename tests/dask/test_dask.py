"""The Dask path (codingkit.dask): a Dask frame of survey answers or whole
transcripts is coded exactly as Coder.code codes the same texts in one
process, whichever scheduler runs it (synchronous, threads, a distributed
cluster), and write_parquet writes the same tables as ``apply --format parquet``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import dask
import dask.dataframe as dd
import pandas as pd
import pytest
from click.testing import CliRunner

import codingkit as ck
from codingkit.cli import cli
from codingkit.coding import Coder
from codingkit.dask import code_frame, code_partition, default_coder, write_parquet
from codingkit.errors import InputError, OutputError

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src"


@pytest.fixture(scope="module")
def interviews():
    return ck.read_transcripts(ROOT / "transcripts")


@pytest.fixture(scope="module")
def survey(tmp_path_factory, interviews):
    """A survey file of 160 answers (respondents' turns of the sample
    interviews) with the cases a survey has: a blank answer, an answer with
    spaces around it, a formula-like answer, a row without a round."""
    rows = []
    turns = [(t, u) for t in interviews for u in t.turns if u.speaker_role == "respondent"]
    for k, (t, u) in enumerate(turns[:160], start=1):
        rows.append({"id": f"r{k:03d}", "projekt": t.metadata.get("project", ""),
                     "omgång": t.metadata.get("round", ""), "roll": t.metadata.get("role", ""),
                     "svar": " ".join(t.turn_text(u).split())})
    rows[4]["svar"] = "   "
    rows[7]["svar"] = "  Vi skickade ut en RFI till leverantörerna.  "
    rows[9]["svar"] = "=Vi bjöd in företagen till en dialog innan upphandlingen."
    rows[11]["omgång"] = ""
    path = tmp_path_factory.mktemp("enkat") / "enkat.csv"
    pd.DataFrame(rows).to_csv(path, sep=";", index=False)
    return path


def _frame(path: Path, npartitions: int) -> dd.DataFrame:
    rows = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False)
    return dd.from_pandas(rows, npartitions=npartitions, sort=False)


@pytest.fixture(scope="module")
def coders():
    """A coder of the codebook alone and the learned coder bundled with it."""
    return {"codebook": Coder().fit(), "learned": default_coder()}


@pytest.fixture(scope="module")
def expected(coders, survey):
    """The tables a single-process Coder.code makes of the survey file."""
    transcripts = ck.read_transcripts([survey])
    results = {name: c.code(transcripts) for name, c in coders.items()}
    return {name: (r.segments, r.codings, r.frequencies()) for name, r in results.items()}


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    keys = ["segment_id", "code"] if "code" in frame.columns else ["segment_id"]
    return frame.sort_values(keys, kind="stable").reset_index(drop=True)


def _same(got, want):
    """The same segments and codings (sorted by id), and the same frequencies
    in the same order."""
    assert len(got) == len(want) == 3
    for g, w in zip(got[:2], want[:2]):
        assert len(w)
        pd.testing.assert_frame_equal(_sorted(g), _sorted(w), check_dtype=False)
    pd.testing.assert_frame_equal(got[2], want[2], check_dtype=False)


@pytest.mark.parametrize("name", ["codebook", "learned"])
def test_the_local_schedulers_code_as_one_process(coders, survey, expected, name):
    coded = code_frame(_frame(survey, 4), coders[name], source="enkat.csv")
    for scheduler in ("sync", "threads"):
        _same(coded.compute(scheduler=scheduler), expected[name])


def test_a_distributed_cluster_codes_as_one_process(coders, survey, expected):
    """With a client in use, the coder is scattered to every worker (not put
    into the graph) and the cluster codes as one process does."""
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=2, processes=False,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        coded = code_frame(_frame(survey, 5), coders["learned"], source="enkat.csv")
        graph = dict(dask.base.collections_to_expr([coded.segments]).__dask_graph__())
        assert not [v for v in graph.values() if getattr(v, "value", None) is coders["learned"]]
        holders = {k: v for k, v in client.who_has().items() if str(k).startswith("Coder-")}
        assert [len(workers) for workers in holders.values()] == [2]
        _same(coded.compute(), expected["learned"])


def test_the_coder_is_one_task_and_each_partition_is_coded_once(coders, survey):
    coded = code_frame(_frame(survey, 3), coders["codebook"], source="enkat.csv")
    graph = dict(dask.base.collections_to_expr(
        [coded.segments, coded.codings, coded.partial_frequencies]).__dask_graph__())
    holders = [k for k, v in graph.items() if getattr(v, "value", None) is coders["codebook"]]
    assert len(holders) == 1
    coding = [k for k in graph if isinstance(k, tuple) and str(k[0]).startswith("_all-")]
    assert sorted(k[1] for k in coding) == [0, 1, 2]


def test_parquet_is_written_as_apply_writes_it(coders, survey, tmp_path):
    """The partitioned Parquet of write_parquet holds, sorted by id, the rows
    of ``codingkit apply --format parquet`` on the same survey file."""
    result = CliRunner().invoke(cli, ["apply", str(survey), "--out", str(tmp_path / "apply"),
                                      "--format", "parquet", "--quiet"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    frame = dd.read_csv(survey, sep=";", dtype=str, keep_default_na=False, blocksize=6000)
    assert frame.npartitions > 1
    written = write_parquet(code_frame(frame, source="enkat.csv"), tmp_path / "dask",
                            scheduler="threads")
    assert [p.name for p in written] == ["segments", "codings", "frequencies.parquet",
                                         "run.json"]
    assert len(list((tmp_path / "dask" / "segments").glob("*.parquet"))) == frame.npartitions
    for table in ("segments", "codings"):
        got = pd.read_parquet(tmp_path / "dask" / table)
        want = pd.read_parquet(tmp_path / "apply" / f"{table}.parquet")
        pd.testing.assert_frame_equal(_sorted(got), _sorted(want))
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "dask" / "frequencies.parquet"),
                                  pd.read_parquet(tmp_path / "apply" / "frequencies.parquet"))
    run = json.loads((tmp_path / "dask" / "run.json").read_text(encoding="utf-8"))
    assert run["codebook"]["id"] == "innovationsupphandling" and run["coder"]["bundled"]
    assert run["rows"]["segments"] == len(pd.read_parquet(tmp_path / "dask" / "segments"))


def test_whole_transcripts_are_read_as_read_transcripts_reads_them(coders, interviews):
    """Rows holding a whole interview (speaker labels, header) give the turns,
    roles and metadata read_transcripts gives the same text (the row's
    other columns as a manifest)."""
    chosen = interviews[:3]
    rows = pd.DataFrame({"source": [t.source for t in chosen],
                         "text": [t.text for t in chosen],
                         "projekt": [t.metadata.get("project", "") for t in chosen],
                         "omgång": [t.metadata.get("round", "") for t in chosen],
                         "roll": [t.metadata.get("role", "") for t in chosen]})
    coded = code_frame(dd.from_pandas(rows, npartitions=2, sort=False), coders["learned"],
                       kind="transcript")
    result = coders["learned"].code(chosen)
    seg, cod, freq = coded.compute(scheduler="sync")
    assert set(seg["speaker_role"]) == {"interviewer", "respondent"}
    want = result.segments[seg.columns]
    _same((seg, cod, freq), (want, result.codings, result.frequencies()))


def test_a_partition_is_a_pure_function_of_its_rows(coders):
    rows = pd.DataFrame({"nr": ["7", "8"], "kommun": ["Lund", None], "omgång": [2.0, None],
                         "fritextsvar": ["Vi blev deras första referenskund.", "Ja."]})
    a = code_partition(rows, coders["codebook"], id_column="nr", source="s.csv", first_row=10)
    b = code_partition(rows, coders["codebook"], id_column="nr", source="s.csv", first_row=10)
    for x, y in zip(a, b):
        pd.testing.assert_frame_equal(x, y)
    assert a[0][["segment_id", "kommun", "round"]].values.tolist() == [
        ["s.csv#7:11", "Lund", "2"], ["s.csv#8:12", "", ""]]
    assert set(a[1]["code"]) >= {"kommersialisering"}


def test_bad_columns_and_repeated_ids_are_one_line_errors(coders):
    rows = pd.DataFrame({"id": ["1", "1"], "projekt": ["Syd", "Syd"],
                         "svar": ["Vi bjöd in leverantörerna.", "Vi skrev funktionskrav."]})
    frame = dd.from_pandas(rows, npartitions=1)
    with pytest.raises(InputError, match=r"no text column 'answer'; columns are: id, "
                                         r"projekt, svar \[E108\]"):
        code_frame(frame, coders["codebook"], text_column="answer")
    with pytest.raises(InputError, match=r"cannot tell which column.*\[E108\]"):
        code_frame(frame[["id", "projekt"]], coders["codebook"])
    with pytest.raises(OutputError, match=r"cannot count per kommun: .*\[E404\]"):
        code_frame(frame, coders["codebook"], by=("project", "kommun"))
    # in two partitions: found when the rows are counted, before any coding
    apart = dd.from_pandas(pd.concat([rows.assign(id=["1", "2"]), rows.assign(id=["3", "1"])]),
                           npartitions=2, sort=False)
    assert apart.npartitions == 2
    with pytest.raises(InputError, match=r"the id '1' occurs twice in column 'id'.*\[E108\]"):
        code_frame(apart, coders["codebook"], id_column="id")
    with pytest.raises(InputError, match=r"the id '1' occurs twice in column 'id'.*\[E108\]"):
        code_partition(rows, coders["codebook"], id_column="id")
    # a repeated id of a blank answer is no answer (as the survey reader skips it)
    blank = rows.assign(svar=["Vi bjöd in leverantörerna.", "  "])
    code_frame(dd.from_pandas(blank, npartitions=1), coders["codebook"], id_column="id")


def _python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin"}, cwd=ROOT)


def test_import_codingkit_does_not_import_dask_and_without_dask_says_what_to_install():
    done = _python("import sys, codingkit, codingkit.coding, codingkit.writers\n"
                   "print('dask' in sys.modules, 'distributed' in sys.modules)")
    assert done.stdout.split() == ["False", "False"], done.stderr
    done = _python("import sys\nsys.modules['dask'] = None\nimport codingkit.dask")
    last = done.stderr.strip().splitlines()[-1]
    assert done.returncode == 1
    assert last == ("codingkit.errors.CodingkitError: coding a Dask data frame needs Dask: "
                    "pip install 'codingkit[dask]' [E705]")
