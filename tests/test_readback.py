"""Reading a results folder back (codingkit.writers.readback): the one reader
that report, export-project and evaluate --pred use."""

from __future__ import annotations

import json

import pytest

import codingkit as ck
from codingkit.errors import ResultsFolderError
from codingkit.model import Code, Codebook, Coding, CodingResult, Segment
from codingkit.writers import read_results

TEXT = "I: Hur började ni?\nIP: =SUMMA(A1) var vår budget, sa vi.\n"


def _result() -> CodingResult:
    codebook = Codebook(id="t", version="1", codes={
        "resurser": Code("resurser", "Resurser"), "behov": Code("behov", "Behov")})
    segs = [Segment("a.txt:1", "a.txt", 0, 18, TEXT[0:18], 1, "I", "interviewer",
                    metadata={"project": "Syd", "round": "01"}),
            Segment("a.txt:2", "a.txt", 19, 55, TEXT[19:55], 2, "IP", "respondent",
                    metadata={"project": "Syd", "round": "01", "kommun": "+46"})]
    codings = [Coding("a.txt:2", "resurser", "resurser", 0.8125, "rule", "-budget")]
    return CodingResult(segs, codings, codebook)


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_a_folder_reads_back_as_written(tmp_path, fmt):
    """Segments (metadata such as round "01" as text) and codings come back
    as coded: CSV cells guarded against formulas are restored."""
    result = _result()
    ck.write_outputs(result, tmp_path / "res", formats=[fmt])
    back = read_results(tmp_path / "res")
    assert back.schema_version == 1 and back.manifest["counts"]["codings"] == 1
    assert back.segment_list() == result.segment_list
    assert back.coding_list() == result.coding_list
    assert back.frequencies["codings"].sum() == 1
    assert back.segments["start"].dtype == "int64" and back.codings["score"].dtype == "float64"


def test_a_raw_csv_folder_keeps_a_leading_quote(tmp_path):
    """A folder written with csv_raw holds the cells verbatim: nothing to restore."""
    result = _result()
    result.segment_list[1].metadata["kommun"] = "'Väst'"
    ck.write_outputs(result, tmp_path / "res", csv_raw=True)
    assert read_results(tmp_path / "res").segment_list()[1].metadata["kommun"] == "'Väst'"


def _expect(folder, *parts: str) -> None:
    with pytest.raises(ResultsFolderError) as info:
        read_results(folder)
    message = str(info.value)
    assert "\n" not in message
    for part in parts:
        assert part in message, message


def test_what_is_not_a_results_folder_is_refused_in_one_line(tmp_path):
    _expect(tmp_path / "saknas", "saknas: no such folder", "[E901]")
    (tmp_path / "fil.csv").write_text("a\n", encoding="utf-8")
    _expect(tmp_path / "fil.csv", "fil.csv: not a folder", "[E901]")
    _expect(tmp_path, "no manifest.json; expected a results folder", "[E901]")
    out = tmp_path / "res"
    ck.write_outputs(_result(), out)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    (out / "manifest.json").write_text(json.dumps({**manifest, "schema_version": 7}),
                                       encoding="utf-8")
    _expect(out, "manifest.json: has schema_version 7", "re-run 'codingkit apply'", "[E902]")
    del manifest["inputs"]
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    _expect(out, "not a manifest of 'codingkit apply'", "[E901]")


def test_a_malformed_table_is_named_with_its_line(tmp_path):
    out = tmp_path / "res"
    ck.write_outputs(_result(), out)
    codings = (out / "codings.csv").read_text(encoding="utf-8")
    (out / "codings.csv").write_text(codings.replace("0.8125", "hög"), encoding="utf-8")
    _expect(out, "codings.csv, line 2: column score holds 'hög'; expected a number", "[E905]")
    (out / "codings.csv").write_text(codings.replace("theme", "tema"), encoding="utf-8")
    _expect(out, "codings.csv, line 1: has no column theme", "[E905]")
    (out / "codings.csv").write_text(codings, encoding="utf-8")
    (out / "frequencies.csv").unlink()
    _expect(out, "frequencies.csv: missing; expected a results folder", "[E901]")
