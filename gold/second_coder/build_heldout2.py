"""Write heldout2_coding.csv from heldout2_decisions.yaml (second, independent coder).

Parses gold/transcripts/heldout2/*.txt itself: turns are the lines after the
first blank line (header excluded), one per line, numbered 1-based over all
speakers. Checks that every turn in the YAML is an `IP:` turn and that no
`IP:` turn of a coded source is missing, and that only the ten ids are used.
"""
import csv
import sys
from collections import Counter
from pathlib import Path

import yaml

HERE = Path(__file__).parent
TRANSCRIPTS = HERE.parent / "transcripts" / "heldout2"
IDS = {"tidig_dialog", "behov", "kommersialisering", "forfarande", "risk_regelverk",
       "forankring", "samverkan", "resurser", "larande", "effekter"}


def respondent_turns(path):
    lines = path.read_text(encoding="utf-8").splitlines()
    body = lines[lines.index("") + 1:]
    body = [ln for ln in body if ln.strip()]
    return {i for i, ln in enumerate(body, 1) if ln.startswith("IP:")}


dec = yaml.safe_load((HERE / "heldout2_decisions.yaml").read_text(encoding="utf-8"))
rows, n_turns = [], 0
for src in sorted(dec):
    path = TRANSCRIPTS / Path(src).name
    ip = respondent_turns(path)
    got = set(dec[src])
    assert got == ip, (src, "not IP:", sorted(got - ip), "missing:", sorted(ip - got))
    for n in sorted(got):
        codes = dec[src][n] or []
        assert set(codes) <= IDS, (src, n, codes)
        assert len(set(codes)) == len(codes), (src, n, codes)
        n_turns += 1
        rows += [(src, n, c) for c in codes]
missing = sorted(p.name for p in TRANSCRIPTS.glob("*.txt") if f"heldout2/{p.name}" not in dec)
if missing:
    print("not yet coded:", missing, file=sys.stderr)
with open(HERE / "heldout2_coding.csv", "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f)
    w.writerow(["source", "turn", "code"])
    w.writerows(rows)
cnt = Counter(c for _, _, c in rows)
print("turns coded:", n_turns, "codings:", len(rows),
      "turns with >=1 theme:", len({(s, n) for s, n, _ in rows}))
for k in sorted(IDS):
    print(f"{k}\t{cnt[k]}")
