"""Hur stor andel av intervjuerna i varje projekt tar upp varje tema, omgång för omgång?

Kör från repots rot:

    python examples/teman_per_omgang.py                 # exempelkorpusen
    python examples/teman_per_omgang.py mina_intervjuer/ --out teman.csv

Skriptet läser transkripten, kodar dem som ``codingkit apply`` gör (med den
inlärda kodaren som följer med standardkodboken; med en egen kodbok med
kodboken ensam) och skriver en
tabell med en rad per projekt × tema och en kolumn per omgång: andelen av
projektets intervjuer i omgången där temat förekommer (0–1). Enkätsvar
räknas inte med här (de har formatet "survey").
"""

from __future__ import annotations

import argparse

import codingkit as ck


def theme_shares(paths, codebook=None):
    """Andel intervjuer per projekt × tema × omgång, som en bred tabell."""
    from codingkit.coding.bundled import bundled_coder

    transcripts = [t for t in ck.read_transcripts(paths) if t.format != "survey"]
    codebook = codebook if codebook is not None else ck.load_codebook()
    coder = bundled_coder(codebook) or ck.Coder(codebook)    # som codingkit apply
    result = coder.code(transcripts)
    freq = result.frequencies(by=("project", "round"))
    themes = freq[freq.code == freq.theme]            # bara teman, inte underkoder
    table = themes.pivot_table(index=["project", "code"], columns="round",
                               values="share_sources", sort=True)
    return table.round(2)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paths", nargs="*", default=["transcripts/"])
    ap.add_argument("--codebook", help="kodbok (.yaml); standard: innovationsupphandling")
    ap.add_argument("--out", help="skriv tabellen som CSV hit")
    args = ap.parse_args()
    codebook = ck.load_codebook(args.codebook) if args.codebook else None
    table = theme_shares(args.paths, codebook)
    if args.out:
        table.to_csv(args.out)
    print(table.to_string())


if __name__ == "__main__":
    try:
        main()
    except ck.CodingkitError as err:  # en rad om vad som är fel, ingen traceback
        raise SystemExit(f"Fel: {err}") from None
