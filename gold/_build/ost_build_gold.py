"""Build the Östergötland gold standard from the transcripts and the coding decisions.

Usage (from the repository root)::

    python gold/_build/ost_build_gold.py          # writes gold/ost_turns.csv, gold/ost_coding.csv
    python gold/_build/ost_build_gold.py --list   # prints every respondent turn (number, excerpt)

The script parses the four Region Östergötland interviews itself, with the
turn rule of the corpus spec: every turn of every speaker counts, 1-based;
consecutive paragraphs/cues of one speaker are one turn (an unlabelled
paragraph continues the previous turn); header lines are not turns. The
coding decisions live in ``ost_coding.yaml`` next to this script: for each
source, one entry per respondent turn, in order, with the beginning of the
turn's text (checked) and the theme codes the turn carries (often none).

Deliberately independent of codingkit's own readers, so that the gold
standard can be used to test them.
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
TRANSCRIPTS = ROOT / "transcripts"
GOLD = ROOT / "gold"
DECISIONS = Path(__file__).with_name("ost_coding.yaml")

CODES = {
    "tidig_dialog", "behov", "kommersialisering", "forfarande", "risk_regelverk",
    "forankring", "samverkan", "resurser", "larande", "effekter",
}
INTERVIEWERS = {"Intervjuare", "Lars", "I"}
RESPONDENTS = {"Svarande", "Sara", "IP1", "Petra Sjö"}
SOURCES = [
    "ostergotland/05_upphandlare_omg1.txt",
    "ostergotland/06_projektledare_omg2.srt",
    "ostergotland/07_ledning_omg2.docx",
    "ostergotland/08_leverantor_omg3.md",
]
EXCERPT_LEN = 40


def _merge(pieces: list[tuple[str | None, str]]) -> list[tuple[str, str]]:
    """Merge (speaker or None, text) pieces into turns: None continues, same speaker continues."""
    turns: list[list[str]] = []
    for speaker, text in pieces:
        if turns and (speaker is None or speaker == turns[-1][0]):
            turns[-1][1] += "\n" + text
        elif speaker is None:
            continue  # text before the first label (title, separators)
        else:
            turns.append([speaker, text])
    return [(s, t) for s, t in turns]


def _label_split(par: str, pattern: re.Pattern[str]) -> tuple[str | None, str]:
    m = pattern.match(par)
    if m and m.group("label") in INTERVIEWERS | RESPONDENTS:
        return m.group("label"), par[m.end():].strip()
    return None, par.strip()


def _body_after_header(text: str) -> str:
    """Drop the ``Key: value`` header block (up to the first blank line)."""
    return text.split("\n\n", 1)[1]


def parse_txt(path: Path) -> list[tuple[str, str]]:
    body = _body_after_header(path.read_text(encoding="utf-8"))
    pat = re.compile(r"(?P<label>[^:\n]+):\s")
    pars = [p for p in re.split(r"\n\s*\n", body) if p.strip()]
    return _merge([_label_split(p, pat) for p in pars])


def parse_md(path: Path) -> list[tuple[str, str]]:
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    # title line, blank, header block, blank, '---', then the body
    i = 0
    while not lines[i].startswith("**"):
        i += 1
    body = "\n".join(lines[i:])
    pat = re.compile(r"\*\*(?P<label>[^*:]+):\*\*\s")
    pars = [p for p in re.split(r"\n\s*\n", body) if p.strip()]
    return _merge([_label_split(p, pat) for p in pars])


def parse_docx(path: Path) -> list[tuple[str, str]]:
    import docx

    doc = docx.Document(str(path))
    pat = re.compile(r"(?P<label>[^:]+):\s")
    pars = [p.text for p in doc.paragraphs if p.text.strip()]
    return _merge([_label_split(p, pat) for p in pars])


def parse_srt(path: Path) -> list[tuple[str, str]]:
    text = path.read_text(encoding="utf-8")
    pat = re.compile(r"(?P<label>[^:\n]+):\s")
    pieces = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = block.splitlines()
        assert lines[0].strip().isdigit() and "-->" in lines[1], block
        cue = " ".join(ln.strip() for ln in lines[2:])
        pieces.append(_label_split(cue, pat))
    return _merge(pieces)


PARSERS = {".txt": parse_txt, ".md": parse_md, ".docx": parse_docx, ".srt": parse_srt}


def respondent_turns(source: str) -> list[tuple[int, str, str]]:
    """Return ``(turn number, speaker, text)`` for every respondent turn of a source."""
    path = TRANSCRIPTS / source
    turns = PARSERS[path.suffix](path)
    out = []
    for number, (speaker, text) in enumerate(turns, start=1):
        if speaker in RESPONDENTS:
            out.append((number, speaker, text))
        elif speaker not in INTERVIEWERS:
            raise SystemExit(f"{source}: turn {number}: unknown speaker {speaker!r}")
    return out


def excerpt(text: str) -> str:
    ex = text[:EXCERPT_LEN]
    if "\n" in ex:
        raise SystemExit(f"excerpt spans a paragraph/line break: {ex!r}")
    return ex


def main(argv: list[str]) -> int:
    if "--list" in argv:
        for source in SOURCES:
            for number, speaker, text in respondent_turns(source):
                print(f"{source}\t{number}\t{speaker}\t{text[:70]}")
        return 0
    decisions = yaml.safe_load(DECISIONS.read_text(encoding="utf-8"))
    turn_rows, coding_rows = [], []
    for source in SOURCES:
        turns = respondent_turns(source)
        entries = decisions[source]
        if len(entries) != len(turns):
            raise SystemExit(f"{source}: {len(turns)} respondent turns but {len(entries)} decisions")
        for (number, speaker, text), entry in zip(turns, entries):
            if not text.startswith(entry["ex"]):
                raise SystemExit(f"{source}: turn {number}: text {text[:40]!r} does not start with {entry['ex']!r}")
            codes = entry.get("codes") or []
            unknown = set(codes) - CODES
            if unknown or len(set(codes)) != len(codes):
                raise SystemExit(f"{source}: turn {number}: bad codes {codes}")
            ex = excerpt(text)
            turn_rows.append((source, number, speaker, ex))
            for code in codes:
                coding_rows.append((source, number, speaker, code, ex))
    for name, header, rows in (
        ("ost_turns.csv", ["source", "turn", "speaker", "excerpt"], turn_rows),
        ("ost_coding.csv", ["source", "turn", "speaker", "code", "excerpt"], coding_rows),
    ):
        with open(GOLD / name, "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(header)
            w.writerows(rows)
    print(f"{len(turn_rows)} respondent turns, {len(coding_rows)} codings")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
