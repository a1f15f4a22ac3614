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



def test_theme_shares_are_those_apply_writes(monkeypatch, tmp_path):
    """The script codes as `codingkit apply` does (it coded with the codebook
    alone, and its shares differed from frequencies.csv: 0.67 against 3 of 3)."""
    import pandas as pd
    from click.testing import CliRunner

    from codingkit.cli import cli

    monkeypatch.chdir(ROOT)
    example = runpy.run_path(str(ROOT / "examples" / "teman_per_omgang.py"))
    table = example["theme_shares"](["transcripts/ostergotland"])
    r = CliRunner().invoke(cli, ["apply", "transcripts/ostergotland", "--out", str(tmp_path / "r")])
    assert r.exit_code == 0, r.output
    freq = pd.read_csv(tmp_path / "r" / "frequencies.csv", dtype={"round": str})
    themes = freq[freq.code == freq.theme]
    cli_table = themes.pivot_table(index=["project", "code"], columns="round",
                                   values="share_sources", sort=True).round(2)
    assert table.equals(cli_table)


def test_does_learning_pay_compares_codebook_and_learning(monkeypatch):
    monkeypatch.chdir(ROOT)
    example = runpy.run_path(str(ROOT / "examples" / "lonar_det_sig_att_lara.py"))
    gold = [f"gold/{p}_{k}.csv" for p in ("syd", "ost") for k in ("coding", "turns")]
    table = example["compare_learning"](["transcripts/"], gold, k=2)
    assert list(table.columns) == ["kodbok", "lärt_av_kodning", "skillnad", "för_lite_kodning"]
    themes = ["tidig_dialog", "behov", "kommersialisering", "forfarande", "risk_regelverk",
              "forankring", "samverkan", "resurser", "larande", "effekter"]
    assert list(table.index) == themes + ["(macro)"]
    assert ((table.kodbok.between(-1, 1)) & (table["lärt_av_kodning"].between(-1, 1))).all()
    # learning from 4 interviews: most themes have too little coding in both
    # folds, and then learning changes nothing for them
    kept = table.index[table["för_lite_kodning"] == "2 av 2"]
    assert len(kept) >= 3
    assert (table.loc[kept, "kodbok"] == table.loc[kept, "lärt_av_kodning"]).all()
    assert ((table.skillnad - (table["lärt_av_kodning"] - table.kodbok)).abs() <= 0.011).all()
