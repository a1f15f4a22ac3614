"""How well pseudonymisation finds planted personal data (issue 12).

Usage::

    PYTHONPATH=src python benchmarks/pseudonymize_quality.py tests/pseudonymize/data/tune
    PYTHONPATH=src python benchmarks/pseudonymize_quality.py tests/pseudonymize/data/holdout
    PYTHONPATH=src python benchmarks/pseudonymize_quality.py SET replace   # --unknown-names replace

A set is a folder of transcripts and a ``gold.json`` naming what was planted:
``names`` (every first name and surname of the planted persons), ``pnr``,
``phones``, ``emails``, ``addresses``, and ``keep`` (organisations and places
that must stay). ``tune`` was used while developing, ``holdout`` only at the
end. Prints:

- planted personnummer/phones/e-mails/addresses surviving in any output of
  ``codingkit pseudonymize`` and ``codingkit apply --pseudonymize --format
  xlsx --format qdpx`` (zip members are searched too; goal: none);
- name occurrences (words of the text whose base, without a genitive
  ending, is a planted name) replaced (goal >= 97 %);
- other words replaced (goal <= 1 %), and kept terms lost.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import codingkit as ck
from codingkit.pseudonymize import Pseudonymizer

WORD = re.compile(r"[^\W\d_][\w]*(?:-[^\W\d_][\w]*)*")
GEN = re.compile(r"(?:s|'s|’s|:s|'|’)$")


def output_texts(folder: Path) -> list[tuple[str, str]]:
    out = []
    for p in folder.rglob("*"):
        if not p.is_file():
            continue
        if p.suffix in (".xlsx", ".qdpx", ".docx"):
            with zipfile.ZipFile(p) as z:
                for n in z.namelist():
                    out.append((f"{p.name}!{n}", z.read(n).decode("utf-8", "replace")))
        else:
            out.append((str(p), p.read_bytes().decode("utf-8", "replace")))
    return out


def main(set_dir: str, unknown: str = "list") -> None:
    set_dir = Path(set_dir)
    gold = json.loads((set_dir / "gold.json").read_text(encoding="utf-8"))
    transcripts = ck.read_transcripts([str(p) for p in sorted(set_dir.glob("*.txt"))])
    p = Pseudonymizer(unknown=unknown)
    p.learn(transcripts)
    names = set(gold["names"])
    name_total = name_hit = other_total = other_hit = 0
    missed: list[str] = []
    wrong: list[str] = []
    for t in transcripts:
        spans = p.find(t.text, keep={t.metadata.get("project", "")} - {""})
        covered = [False] * len(t.text)
        for s in spans:
            for i in range(s.start, s.end + len(s.suffix)):
                covered[i] = True
        planted = [False] * len(t.text)
        for value in gold["pnr"] + gold["phones"] + gold["emails"] + gold["addresses"]:
            for pm in re.finditer(re.escape(value), t.text):
                for i in range(pm.start(), pm.end()):
                    planted[i] = True
        for m in WORD.finditer(t.text):
            w = m.group()
            if planted[m.start()]:
                continue  # part of a planted number, e-mail or address
            base = w if w in names else GEN.sub("", w)
            hit = covered[m.start()]
            if base in names or w in names:
                name_total += 1
                name_hit += hit
                if not hit:
                    missed.append(f"{t.source}: {w}")
            else:
                other_total += 1
                other_hit += hit
                if hit:
                    wrong.append(f"{t.source}: {w}")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        inputs = [str(q) for q in sorted(set_dir.glob("*.txt"))]
        cmd = [sys.executable, "-m", "codingkit"]
        more = ["--unknown-names", unknown]
        subprocess.run(cmd + ["pseudonymize", *inputs, "--out", str(tmp / "pseudo"),
                              "--key", str(tmp / "k1.json"), *more], check=True, capture_output=True)
        subprocess.run(cmd + ["apply", *inputs, "--out", str(tmp / "res"), "-q",
                              "--format", "xlsx", "--format", "qdpx", "--pseudonymize",
                              "--key", str(tmp / "k2.json"), *more], check=True, capture_output=True)
        texts = output_texts(tmp / "pseudo") + output_texts(tmp / "res")
    survived = []
    digits = lambda s: re.sub(r"\D", "", s)  # noqa: E731
    for kind in ("pnr", "phones", "emails", "addresses"):
        for value in gold[kind]:
            for where, text in texts:
                flat = digits(text) if kind in ("pnr", "phones") else text
                needle = digits(value) if kind in ("pnr", "phones") else value
                if kind in ("pnr", "phones"):
                    # the digits of the value, as a run of their own
                    found = re.search(rf"(?<!\d){re.escape(needle)}(?!\d)",
                                      re.sub(r"(?<=\d)[ +-](?=\d)", "", text))
                else:
                    found = needle.casefold() in flat.casefold()
                if found:
                    survived.append(f"{kind} {value!r} in {where}")
    lost_keep = []
    pseudo_all = "\n".join(t for w, t in texts if w.endswith(".txt"))
    for term in gold["keep"]:
        planted_values = gold["pnr"] + gold["phones"] + gold["emails"] + gold["addresses"]
        n_in = sum(t.text.count(term) - sum(v.count(term) * t.text.count(v)
                                            for v in planted_values) for t in transcripts)
        n_out = pseudo_all.count(term)
        if n_out < n_in:
            lost_keep.append(f"{term} {n_in}->{n_out}")
    planted = sum(len(gold[k]) for k in ("pnr", "phones", "emails", "addresses"))
    print(f"set {set_dir}: {len(transcripts)} transcripts; unknown names: {unknown}")
    print(f"  planted personnummer/phones/e-mails/addresses: {planted}; surviving in any "
          f"output: {len(survived)}")
    for s in survived:
        print("    survived:", s)
    print(f"  name occurrences replaced: {name_hit}/{name_total} = "
          f"{100 * name_hit / max(name_total, 1):.1f} % (goal >= 97 %)")
    for s in missed:
        print("    missed:", s)
    print(f"  other words replaced: {other_hit}/{other_total} = "
          f"{100 * other_hit / max(other_total, 1):.2f} % (goal <= 1 %)")
    for s in wrong:
        print("    wrongly replaced:", s)
    print(f"  kept terms lost (outside planted addresses): {len(lost_keep)} {lost_keep}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "tests/pseudonymize/data/tune",
         *sys.argv[2:3])
