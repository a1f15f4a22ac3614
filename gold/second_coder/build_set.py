"""Write <set>_coding.csv from <set>_decisions*.yaml (second, independent coder).

Run from the repository root: ``python gold/second_coder/build_set.py heldout2``
(or ``heldout3``, whose decisions come in two parts, ``_A`` and ``_B``).
Parses gold/transcripts/<set>/*.txt itself: turns are the lines after the
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
SET = sys.argv[1] if len(sys.argv) > 1 else "heldout2"
TRANSCRIPTS = HERE.parent / "transcripts" / SET
IDS = {"tidig_dialog", "behov", "kommersialisering", "forfarande", "risk_regelverk",
       "forankring", "samverkan", "resurser", "larande", "effekter"}


def respondent_turns(path):
    lines = path.read_text(encoding="utf-8").splitlines()
    body = lines[lines.index("") + 1:]
    body = [ln for ln in body if ln.strip()]
    return {i for i, ln in enumerate(body, 1) if ln.startswith("IP:")}


dec = {}
for part in sorted(HERE.glob(f"{SET}_decisions*.yaml")):
    for src, turns in yaml.safe_load(part.read_text(encoding="utf-8")).items():
        assert src not in dec, (part.name, src, "coded twice")
        dec[src] = turns
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
missing = sorted(p.name for p in TRANSCRIPTS.glob("*.txt") if f"{SET}/{p.name}" not in dec)
if missing:
    print("not yet coded:", missing, file=sys.stderr)
with open(HERE / f"{SET}_coding.csv", "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f)
    w.writerow(["source", "turn", "code"])
    w.writerows(rows)
cnt = Counter(c for _, _, c in rows)
print("turns coded:", n_turns, "codings:", len(rows),
      "turns with >=1 theme:", len({(s, n) for s, n, _ in rows}))
for k in sorted(IDS):
    print(f"{k}\t{cnt[k]}")
