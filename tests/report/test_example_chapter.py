"""examples/kapiteltabell.py: a report generator reading a results folder with pandas."""

from __future__ import annotations

import json
import runpy
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_chapter_table_and_chart(sample_results, tmp_path):
    example = runpy.run_path(str(ROOT / "examples" / "kapiteltabell.py"))
    table = example["chapter_table"](sample_results)
    freq = pd.read_csv(sample_results / "frequencies.csv", dtype={"round": str})
    themes = freq[freq.code == freq.theme]
    assert list(table.tema) == list(dict.fromkeys(themes.theme))
    assert list(table.columns) == ["tema"] + [f"{w} omg {r}" for w in ("svarsturer", "intervjuer")
                                             for r in ("1", "2", "3")]
    t = themes[(themes.theme == "tidig_dialog") & (themes["round"] == "2")]
    row = table.set_index("tema").loc["tidig_dialog"]
    assert row["svarsturer omg 2"] == round(t.segments.sum() / t.segments_total.sum(), 3)
    assert row["intervjuer omg 2"] == round(t.sources.sum() / t.sources_total.sum(), 3)
    png = example["chapter_chart"](table, tmp_path / "k.png")
    assert png.read_bytes().startswith(b"\x89PNG")


def test_chapter_script_runs_and_refuses_another_contract(copy_results, tmp_path, monkeypatch,
                                                         capsys):
    res = copy_results()
    script = str(ROOT / "examples" / "kapiteltabell.py")
    monkeypatch.setattr(sys, "argv", [script, str(res), "--out", str(tmp_path / "k")])
    runpy.run_path(script, run_name="__main__")
    assert "Skrev" in capsys.readouterr().out
    assert (tmp_path / "k" / "kapitel.csv").is_file() and (tmp_path / "k" / "kapitel.png").is_file()
    m = json.loads((res / "manifest.json").read_text(encoding="utf-8"))
    m["schema_version"] = 2
    (res / "manifest.json").write_text(json.dumps(m), encoding="utf-8")
    monkeypatch.setattr(sys, "argv", [script, str(res), "--out", str(tmp_path / "k2")])
    with pytest.raises(SystemExit, match="schema_version 2"):
        runpy.run_path(script, run_name="__main__")
    assert not (tmp_path / "k2").exists()
