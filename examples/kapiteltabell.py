"""Ett kapitels tabell och diagram ur en resultatmapp: så läser en rapportgenerator codingkits utdata.

Kör från repots rot, efter `codingkit apply transcripts/ --out results/`:

    python examples/kapiteltabell.py results/ --out kapitel/

Skriptet läser bara resultatmappen (inte transkripten) med pandas, enligt
mappens kontrakt (codingkit/schemas/results-1.*.json): det kontrollerar
`schema_version` i manifest.json, tar temaraderna ur frequencies.csv och
bygger en tabell med en rad per tema och, per omgång, andelen svarsturer
och andelen intervjuer där temat förekommer, över alla projekt. Den skrivs
som CSV och som ett linjediagram (PNG) över omgångarna.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd

#: de versioner av resultatmappens kontrakt som skriptet är skrivet för
KNOWN_SCHEMA_VERSIONS = {1}


def read_folder(folder) -> tuple[dict, pd.DataFrame]:
    """manifest.json och frequencies.csv; avbryter om mappen följer ett annat kontrakt."""
    folder = Path(folder)
    if not (folder / "manifest.json").is_file():
        raise SystemExit(f"{folder}: ingen manifest.json; ange en resultatmapp från "
                         "'codingkit apply' (t.ex. results/)")
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    if manifest.get("schema_version") not in KNOWN_SCHEMA_VERSIONS:
        raise SystemExit(f"{folder}: schema_version {manifest.get('schema_version')!r}; "
                         f"skriptet känner {sorted(KNOWN_SCHEMA_VERSIONS)}")
    # omgång och projekt är text ('01' ska inte bli 1)
    freq = pd.read_csv(folder / "frequencies.csv", dtype={"project": str, "round": str})
    return manifest, freq


def chapter_table(folder) -> pd.DataFrame:
    """En rad per tema; per omgång andel svarsturer och andel intervjuer (0–1), alla projekt."""
    _, freq = read_folder(folder)
    themes = freq[freq.code == freq.theme]           # bara teman, inte underkoder
    per_round = (themes.groupby(["theme", "label", "round"], sort=False)
                 [["segments", "segments_total", "sources", "sources_total"]].sum())
    per_round["svarsturer"] = per_round.segments / per_round.segments_total
    per_round["intervjuer"] = per_round.sources / per_round.sources_total
    table = per_round[["svarsturer", "intervjuer"]].unstack("round")
    table.columns = [f"{what} omg {rnd}" for what, rnd in table.columns]
    return table.reset_index("theme").rename(columns={"theme": "tema"}).round(3)


def chapter_chart(table: pd.DataFrame, out_png) -> Path:
    """Andel svarsturer per tema över omgångarna, som PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cols = [c for c in table.columns if c.startswith("svarsturer omg ")]
    rounds = [c.removeprefix("svarsturer omg ") for c in cols]
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for label, row in table[cols].iterrows():
        ax.plot(rounds, 100 * row.to_numpy(), marker="o", label=label)
    ax.set_xlabel("Omgång")
    ax.set_ylabel("Andel svarsturer (%)")
    ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1, 0.5), frameon=False)
    fig.tight_layout()
    out_png = Path(out_png)
    fig.savefig(out_png, dpi=120)
    plt.close(fig)
    return out_png


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", nargs="?", default="results/", help="resultatmapp från codingkit apply")
    ap.add_argument("--out", default="kapitel/", help="mapp för kapitel.csv och kapitel.png")
    args = ap.parse_args()
    table = chapter_table(args.folder)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    table.to_csv(out / "kapitel.csv")
    chapter_chart(table, out / "kapitel.png")
    print(table.to_string())
    print(f"Skrev {out / 'kapitel.csv'} och {out / 'kapitel.png'}")


if __name__ == "__main__":
    main()
