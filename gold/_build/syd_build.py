"""Build the Innovationsupphandling Syd sample interviews and their gold coding.

Run from the repository root::

    python gold/_build/syd_build.py            # render transcripts + gold CSVs
    python gold/_build/syd_build.py --no-gold  # render transcripts only

The annotated sources live in ``gold/_build/syd_src/``: header ``Key: value``
lines, a blank line, then one line per turn ``LABEL: text``; a line starting
with ``+ `` continues the previous turn as a new paragraph; `` | `` inside a
turn splits it into several WebVTT cues (vtt only); a trailing
``{{code,code}}`` holds the human coding of a respondent turn. The rendered
transcripts under ``transcripts/syd/`` carry none of these marks.

The gold CSVs are written from the *rendered* files, parsed again here with
small independent parsers, so turn numbers and excerpts match the files.
"""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "gold" / "_build" / "syd_src"
OUT = ROOT / "transcripts" / "syd"
CODES = {"tidig_dialog", "behov", "kommersialisering", "forfarande", "risk_regelverk",
         "forankring", "samverkan", "resurser", "larande", "effekter"}

#: file stem -> (interviewer label, respondent label, output suffix)
FILES = {
    "01_projektledare_omg1": ("I", "IP", ".txt"),
    "02_upphandlare_omg1": ("Intervjuare", "Respondent", ".docx"),
    "03_leverantor_omg2": ("Maria Holm", "Jonas Berg", ".vtt"),
    "04_verksamhet_omg3": ("Maria Holm", "Eva Lund", ".txt"),
}
CODE_RE = re.compile(r"\s*\{\{([^}]*)\}\}\s*$")


@dataclass
class STurn:
    speaker: str
    paragraphs: list[str]
    codes: list[str] = field(default_factory=list)


def read_source(stem: str) -> tuple[list[str], list[STurn]]:
    lines = (SRC / f"{stem}.txt").read_text(encoding="utf-8").splitlines()
    i = lines.index("")
    header = lines[:i]
    iv, rp, _ = FILES[stem]
    turns: list[STurn] = []
    for n, raw in enumerate(lines[i + 1:], start=i + 2):
        if not raw.strip():
            continue
        m = CODE_RE.search(raw)
        codes: list[str] = []
        if m:
            codes = [c.strip() for c in m.group(1).split(",") if c.strip()]
            raw = raw[: m.start()]
            bad = set(codes) - CODES
            assert not bad, f"{stem}:{n}: unknown codes {bad}"
        if raw.startswith("+ "):
            turns[-1].paragraphs.append(raw[2:].strip())
            turns[-1].codes += codes
            continue
        label, sep, text = raw.partition(": ")
        assert sep and label in (iv, rp), f"{stem}:{n}: bad label {label!r}"
        assert not (codes and label == iv), f"{stem}:{n}: coded interviewer turn"
        turns.append(STurn(label, [text.strip()], codes))
    for a, b in zip(turns, turns[1:]):
        assert a.speaker != b.speaker, f"{stem}: two consecutive turns by {a.speaker}"
    return header, turns


# ---------------------------------------------------------------- rendering
def ts(sec: float, vtt: bool) -> str:
    ms = round(sec * 1000)
    h, ms = divmod(ms, 3_600_000)
    m, ms = divmod(ms, 60_000)
    s, ms = divmod(ms, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}" if vtt else f"{h:02d}:{m:02d}:{s:02d}"


def duration(text: str) -> float:
    return max(1.1, 0.36 * len(text.split()) + 0.4)


def render_txt_labels(header: list[str], turns: list[STurn]) -> str:
    out = header + [""]
    for t in turns:
        out += [f"{t.speaker}: {t.paragraphs[0]}", ""]
        for p in t.paragraphs[1:]:
            out += [p, ""]
    return "\n".join(out).rstrip("\n") + "\n"


def render_txt_times(header: list[str], turns: list[STurn]) -> str:
    out = header + [""]
    clock = 4.0
    for t in turns:
        out += [f"[{ts(clock, False)}] {t.speaker}: {t.paragraphs[0]}", ""]
        for p in t.paragraphs[1:]:
            out += [p, ""]
        clock += sum(duration(p) for p in t.paragraphs) + 1.3
    return "\n".join(out).rstrip("\n") + "\n"


def render_vtt(header: list[str], turns: list[STurn]) -> str:
    out = ["WEBVTT", "", "NOTE", *header, ""]
    clock = 3.12
    cue = 0
    for t in turns:
        for chunk in " ".join(t.paragraphs).split(" | "):
            cue += 1
            end = clock + duration(chunk)
            out += [f"6f3a9c1e-24b7-4d0a-9e55-b1c0d7e2f848/{cue + 10}-0",
                    f"{ts(clock, True)} --> {ts(end, True)}",
                    f"<v {t.speaker}>{chunk.strip()}</v>", ""]
            clock = end + 0.24
    return "\n".join(out).rstrip("\n") + "\n"


def render(stem: str) -> Path:
    header, turns = read_source(stem)
    suffix = FILES[stem][2]
    target = OUT / f"{stem}{suffix}"
    OUT.mkdir(parents=True, exist_ok=True)
    if suffix == ".docx":
        src = ROOT / "transcripts" / "_build" / f"{stem}.txt"
        src.write_text(render_txt_labels(header, turns), encoding="utf-8")
        subprocess.run([sys.executable, str(ROOT / "transcripts/_build/make_docx.py"),
                        str(src), str(target)], check=True)
    elif suffix == ".vtt":
        target.write_text(render_vtt(header, turns), encoding="utf-8")
    elif stem.startswith("04"):
        target.write_text(render_txt_times(header, turns), encoding="utf-8")
    else:
        target.write_text(render_txt_labels(header, turns), encoding="utf-8")
    return target


# ------------------------------------------------- independent re-parsing
def parse_rendered(stem: str) -> list[tuple[str, str]]:
    """Return ``[(speaker, text)]`` for every turn of the rendered file."""
    iv, rp, suffix = FILES[stem]
    path = OUT / f"{stem}{suffix}"
    turns: list[list[str]] = []
    if suffix == ".vtt":
        for m in re.finditer(r"<v ([^>]+)>(.*?)</v>", path.read_text(encoding="utf-8")):
            if turns and turns[-1][0] == m.group(1):
                turns[-1][1] += " " + m.group(2)
            else:
                turns.append([m.group(1), m.group(2)])
        return [(a, b) for a, b in turns]
    if suffix == ".docx":
        import docx
        paras = [p.text for p in docx.Document(str(path)).paragraphs]
    else:
        text = path.read_text(encoding="utf-8")
        paras = [p for p in text.split("\n\n")[1:] if p.strip()]
        paras = [p.strip() for p in paras]
    lab = re.compile(r"^(?:\[\d\d:\d\d:\d\d\] )?(" + re.escape(iv) + "|" + re.escape(rp) + r"): ")
    for p in paras:
        m = lab.match(p)
        if m:
            turns.append([m.group(1), p[m.end():]])
        else:
            turns[-1][1] += "\n\n" + p
    return [(a, b) for a, b in turns]


def main(argv: list[str]) -> int:
    rows_c, rows_t = [], []
    for stem in FILES:
        if not (SRC / f"{stem}.txt").exists():
            continue
        target = render(stem)
        _, sturns = read_source(stem)
        parsed = parse_rendered(stem)
        assert len(parsed) == len(sturns), (stem, len(parsed), len(sturns))
        source = f"syd/{target.name}"
        rp = FILES[stem][1]
        for n, ((spk, text), st) in enumerate(zip(parsed, sturns), start=1):
            assert spk == st.speaker, (stem, n)
            if spk != rp:
                continue
            excerpt = text.strip()[:40]
            rows_t.append([source, n, spk, excerpt])
            for code in dict.fromkeys(st.codes):
                rows_c.append([source, n, spk, code, excerpt])
    if "--no-gold" in argv:
        return 0
    gold = ROOT / "gold"
    with open(gold / "syd_coding.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["source", "turn", "speaker", "code", "excerpt"])
        w.writerows(rows_c)
    with open(gold / "syd_turns.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["source", "turn", "speaker", "excerpt"])
        w.writerows(rows_t)
    from collections import Counter
    print("respondent turns:", len(rows_t), "codings:", len(rows_c))
    print(dict(Counter(r[3] for r in rows_c)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
