"""Write heldout_coding.csv from decisions.yaml (second, independent coder)."""
import csv
from collections import Counter
from pathlib import Path

import yaml

HERE = Path(__file__).parent
IDS = {"tidig_dialog", "behov", "kommersialisering", "forfarande", "risk_regelverk",
       "forankring", "samverkan", "resurser", "larande", "effekter"}
dec = yaml.safe_load((HERE / "decisions.yaml").read_text(encoding="utf-8"))
turns = list(csv.DictReader(open(HERE.parent / "heldout_turns.csv", encoding="utf-8")))
rows, coded_turns = [], 0
for t in turns:
    src, n = t["source"], int(t["turn"])
    if src not in dec:
        continue
    codes = dec[src][n]  # KeyError if a listed turn was skipped
    assert set(codes) <= IDS, (src, n, codes)
    coded_turns += 1
    rows += [(src, n, c) for c in codes]
with open(HERE / "heldout_coding.csv", "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f)
    w.writerow(["source", "turn", "code"])
    w.writerows(rows)
cnt = Counter(c for _, _, c in rows)
print("turns coded:", coded_turns, "codings:", len(rows),
      "turns with >=1 theme:", len({(s, n) for s, n, _ in rows}))
for k in sorted(IDS):
    print(f"{k}\t{cnt[k]}")
