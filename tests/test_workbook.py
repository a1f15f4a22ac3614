"""The analysis workbook (issue 11): segments with one 0/1 column per theme,
quotes, frequencies with denominators, the codebook; frozen headers,
filters, widths; read back with openpyxl and pandas."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pandas as pd
from click.testing import CliRunner

from codingkit.cli import cli
from codingkit.codebook import load_codebook
from codingkit.writers.xlsx import Sheet, write_workbook

ROOT = Path(__file__).resolve().parents[1]


def test_the_workbook_of_the_sample_corpus(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for p in sorted((ROOT / "transcripts").rglob("*.txt"))[:3]:
        shutil.copy(p, folder / p.name)
    out = tmp_path / "res"
    r = CliRunner().invoke(cli, ["apply", str(folder), "--out", str(out), "--similarity",
                                 "none", "--format", "xlsx", "--quiet"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    book = pd.read_excel(out / "codingkit.xlsx", sheet_name=None, dtype=str,
                         keep_default_na=False)
    assert list(book) == ["segments", "quotes", "frequencies", "codebook", "about"]
    segments = pd.read_csv(out / "segments.csv", dtype=str, keep_default_na=False)
    codings = pd.read_csv(out / "codings.csv", dtype=str, keep_default_na=False)
    themes = [c.id for c in load_codebook().themes]

    seg = book["segments"]
    assert list(seg.columns) == [*segments.columns, *themes]
    assert seg[list(segments.columns)].equals(segments)
    for theme in themes:
        coded = set(codings.segment_id[codings.theme == theme])
        assert set(seg.segment_id[seg[theme] == "1"]) == coded, theme
        assert set(seg[theme]) <= {"0", "1"}

    quotes = book["quotes"]
    assert len(quotes) == len(codings)
    assert list(quotes.segment_id) == list(codings.segment_id)
    assert list(quotes.evidence) == list(codings.evidence)
    text = dict(zip(segments.segment_id, segments.text))
    assert all(text[s] == t for s, t in zip(quotes.segment_id, quotes.text))
    sub = quotes[quotes.code.str.contains(".", regex=False)]
    assert len(sub) and all(p == f"{t} > {c}" for p, t, c in
                            zip(sub.code_path, sub.theme, sub.code))

    freq = pd.read_csv(out / "frequencies.csv", dtype=str, keep_default_na=False)
    assert {"sources_total", "segments_total"} <= set(book["frequencies"].columns)
    assert list(book["frequencies"].sources_total) == list(freq.sources_total)
    assert list(book["codebook"].code) == [c.id for c in load_codebook()]

    wb = openpyxl.load_workbook(out / "codingkit.xlsx")
    for ws in wb:
        assert ws.freeze_panes == "A2" and ws.auto_filter.ref.startswith("A1:")
        assert ws["A1"].font.b
    assert wb["segments"].column_dimensions["L"].width >= 40      # the text column
    # share_sources in whole percent, as the report shows shares; above 0, never "0%"
    assert wb["frequencies"]["J1"].value == "share_sources"
    assert wb["frequencies"]["J2"].number_format == '[=0]0%;[<0.005]"<1%";0%'

    # the run it belongs to, as manifest.json records it, and what each column counts
    import json

    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    about = dict(zip(book["about"].field, book["about"].value))
    cb = manifest["codebook"]
    assert about["codebook"] == f"{cb['id']} {cb['version']}"
    assert about["codebook_sha256"] == cb["sha256"]
    assert about["codingkit_version"] == manifest["codingkit_version"]
    assert about["created"] == manifest["created"]
    coder = manifest["options"]["coder"]
    assert coder["kind"] in about["coder"] and coder.get("sha256", "") in about["coder"]
    assert about["grouped_by"] == ", ".join(manifest["options"]["by"])
    assert about["transcripts"] == str(manifest["counts"]["transcripts"])
    for col in ("codings", "segments", "sources", "sources_total", "share_sources",
                "segments_total"):
        assert about[f"frequencies.{col}"], col
    assert "interviews" in about["frequencies.sources"]
    assert "sources_total" in about["frequencies.share_sources"]


def test_texts_xml_cannot_carry_and_long_texts(tmp_path):
    odd = "a\x01b & <c> _x0041_ \r\n slut "
    long = "å" * 40000
    write_workbook(tmp_path / "b.xlsx", [Sheet("blad", ["text", "tal"],
                                               [(odd, 1), (long, 2.5), ("", None)])])
    ws = openpyxl.load_workbook(tmp_path / "b.xlsx")["blad"]
    # Excel's own escapes for what XML cannot carry (Excel shows the original)
    assert ws["A2"].value == "a_x0001_b & <c> _x005F_x0041_ \r\n slut "
    assert ws["A3"].value == "å" * 32767 and ws["B3"].value == 2.5
    assert ws["A4"].value is None and ws.max_row == 4


def test_a_round_that_is_a_whole_number_is_a_number(tmp_path):
    """Excel sorted rounds '1', '10', '2' as text and flagged 'number stored
    as text'; a round such as '2a' or '02' stays the text it was."""
    folder = tmp_path / "in"
    folder.mkdir()
    for name, rnd in (("a.txt", "2"), ("b.txt", "10"), ("c.txt", "2a"), ("d.txt", "02")):
        (folder / name).write_text(f"Projekt: Syd\nOmgång: {rnd}\n\nI: Hur gick det?\n"
                                   "IP: Vi hade en leverantörsträff.\n", encoding="utf-8")
    out = tmp_path / "res"
    r = CliRunner().invoke(cli, ["apply", str(folder), "--out", str(out), "--similarity",
                                 "none", "--format", "xlsx", "--quiet"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    book = openpyxl.load_workbook(out / "codingkit.xlsx", read_only=True)
    for name in ("segments", "frequencies"):
        rows = list(book[name].iter_rows(values_only=True))
        col = rows[0].index("round")
        assert {row[col] for row in rows[1:]} == {2, 10, "2a", "02"}, name
