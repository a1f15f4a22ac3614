"""The example analysis scripts run on the sample corpus."""

import runpy
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_theme_shares_per_round(monkeypatch):
    monkeypatch.chdir(ROOT)
    example = runpy.run_path(str(ROOT / "examples" / "teman_per_omgang.py"))
    table = example["theme_shares"](["transcripts/"])
    assert table.index.names == ["project", "code"]
    assert {"Innovationsupphandling Syd", "Region Östergötland"} == set(
        table.index.get_level_values("project"))
    assert list(table.columns) == ["1", "2", "3"]
    assert ((table >= 0) & (table <= 1)).all().all()
    # two interviews per project in round 1 (syd) — shares are multiples of 1/2 or 1
    assert set(table.loc["Innovationsupphandling Syd"]["1"].unique()) <= {0.0, 0.5, 1.0}
