"""Build the held-out interviews (09-12) and their gold coding.

Run from the repository root::

    python gold/_build/heldout_build.py            # render transcripts + gold CSVs
    python gold/_build/heldout_build.py --no-gold  # render transcripts only
    python gold/_build/heldout_build.py --check    # also compare with codingkit's readers

The annotated sources live in ``gold/_build/heldout_src/``: ``Key: value``
header lines, one blank line, then one line per turn ``LABEL: text``. A line
starting with ``+ `` continues the previous turn as a new paragraph; `` | ``
inside a turn splits it into several WebVTT cues (vtt only); a trailing
``{{code,code}}`` holds the human coding of a respondent turn. The rendered
transcripts carry none of these marks.

The held-out set was written and coded strictly from the theme definitions in
the research brief, without looking at codingkit's codebook or running
codingkit's coding on it. The gold CSVs are written from the *rendered*
files, parsed again here with small independent parsers, so turn numbers and
excerpts match the files exactly.
"""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "gold" / "_build" / "heldout_src"
TRANSCRIPTS = ROOT / "transcripts"
CODES = ("tidig_dialog", "behov", "kommersialisering", "forfarande", "risk_regelverk",
         "forankring", "samverkan", "resurser", "larande", "effekter")

#: source stem -> (folder, interviewer label, respondent label, suffix, style)
FILES = {
    "09_upphandlare_omg2": ("syd", "Intervjuare", "Respondent", ".txt", "labels"),
    "10_projektledare_omg3": ("syd", "Maria Holm", "Linnea Åkesson", ".vtt", "vtt"),
    "11_verksamhet_omg2": ("ostergotland", "I", "IP", ".docx", "docx"),
    "12_leverantor_omg3": ("ostergotland", "Lars Nyström", "Johan Ekdahl", ".txt", "times"),
}
CODE_RE = re.compile(r"\s*\{\{([^}]*)\}\}\s*$")


@dataclass
class STurn:
    speaker: str
    paragraphs: list[str]
    codes: list[str] = field(default_factory=list)


def read_source(stem: str) -> tuple[list[str], list[STurn]]:
    """Return the header lines and the annotated turns of one source file."""
    lines = (SRC / f"{stem}.txt").read_text(encoding="utf-8").splitlines()
    blank = lines.index("")
    header = lines[:blank]
    _, iv, rp, _, _ = FILES[stem]
    turns: list[STurn] = []
    for n, raw in enumerate(lines[blank + 1:], start=blank + 2):
        if not raw.strip():
            continue
        codes: list[str] = []
        m = CODE_RE.search(raw)
        if m:
            codes = [c.strip() for c in m.group(1).split(",") if c.strip()]
            raw = raw[: m.start()]
            bad = set(codes) - set(CODES)
            assert not bad, f"{stem}:{n}: unknown codes {bad}"
        if raw.startswith("+ "):
            turns[-1].paragraphs.append(raw[2:].strip())
            turns[-1].codes += codes
            continue
        label, sep, text = raw.partition(": ")
        assert sep and label in (iv, rp), f"{stem}:{n}: bad label {label!r}"
        assert not (codes and label == iv), f"{stem}:{n}: coded interviewer turn"
        assert "{{" not in text and "}}" not in text, f"{stem}:{n}: stray code mark"
        turns.append(STurn(label, [text.strip()], codes))
    for a, b in zip(turns, turns[1:]):
        assert a.speaker != b.speaker, f"{stem}: two consecutive turns by {a.speaker}"
    return header, turns


# ---------------------------------------------------------------- rendering
def _clock(sec: float, millis: bool) -> str:
    ms = round(sec * 1000)
    h, ms = divmod(ms, 3_600_000)
    m, ms = divmod(ms, 60_000)
    s, ms = divmod(ms, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}" if millis else f"{h:02d}:{m:02d}:{s:02d}"


def _seconds(text: str) -> float:
    return max(1.2, 0.38 * len(text.split()) + 0.5)


def render_labels(header: list[str], turns: list[STurn]) -> str:
    out = header + [""]
    for t in turns:
        out += [f"{t.speaker}: {t.paragraphs[0]}", ""]
        for p in t.paragraphs[1:]:
            out += [p, ""]
    return "\n".join(out).rstrip("\n") + "\n"


def render_times(header: list[str], turns: list[STurn]) -> str:
    out = header + [""]
    clock = 6.0
    for t in turns:
        out += [f"[{_clock(clock, False)}] {t.speaker}: {t.paragraphs[0]}", ""]
        for p in t.paragraphs[1:]:
            out += [p, ""]
        clock += sum(_seconds(p) for p in t.paragraphs) + 1.6
    return "\n".join(out).rstrip("\n") + "\n"


def render_vtt(header: list[str], turns: list[STurn]) -> str:
    out = ["WEBVTT", "", "NOTE", *header, ""]
    clock = 2.48
    cue = 0
    for t in turns:
        for chunk in " ".join(t.paragraphs).split(" | "):
            cue += 1
            end = clock + _seconds(chunk)
            out += [f"b81d42e7-5c0a-4f63-a9d2-7e4c19f0a356/{cue + 3}-0",
                    f"{_clock(clock, True)} --> {_clock(end, True)}",
                    f"<v {t.speaker}>{chunk.strip()}</v>", ""]
            clock = end + 0.32
    return "\n".join(out).rstrip("\n") + "\n"


def target_of(stem: str) -> Path:
    folder, _, _, suffix, _ = FILES[stem]
    return TRANSCRIPTS / folder / f"{stem}{suffix}"


def render(stem: str) -> Path:
    header, turns = read_source(stem)
    style = FILES[stem][4]
    target = target_of(stem)
    target.parent.mkdir(parents=True, exist_ok=True)
    if style == "docx":
        src = TRANSCRIPTS / "_build" / f"{stem}.txt"
        text = render_labels(header, turns)
        if target.exists() and src.exists() and src.read_text(encoding="utf-8") == text:
            return target  # unchanged: keep the .docx bytes (zip times differ per build)
        src.write_text(text, encoding="utf-8")
        subprocess.run([sys.executable, str(TRANSCRIPTS / "_build" / "make_docx.py"),
                        str(src), str(target)], check=True)
    elif style == "vtt":
        target.write_text(render_vtt(header, turns), encoding="utf-8")
    elif style == "times":
        target.write_text(render_times(header, turns), encoding="utf-8")
    else:
        target.write_text(render_labels(header, turns), encoding="utf-8")
    return target


# ------------------------------------------------- independent re-parsing
def parse_rendered(stem: str) -> list[tuple[str, str]]:
    """Return ``[(speaker, text)]`` for every turn of the rendered file."""
    _, iv, rp, _, style = FILES[stem]
    path = target_of(stem)
    turns: list[list[str]] = []
    if style == "vtt":
        import webvtt
        for caption in webvtt.read(str(path)):
            m = re.fullmatch(r"<v ([^>]+)>(.*)</v>", caption.raw_text.strip(), re.S)
            assert m, (stem, caption.raw_text)
            if turns and turns[-1][0] == m.group(1):
                turns[-1][1] += " " + m.group(2)
            else:
                turns.append([m.group(1), m.group(2)])
        return [(a, b) for a, b in turns]
    if style == "docx":
        import docx
        paras = [p.text for p in docx.Document(str(path)).paragraphs]
    else:
        blocks = path.read_text(encoding="utf-8").split("\n\n")[1:]
        paras = [b.strip() for b in blocks if b.strip()]
    label = re.compile(r"^(?:\[\d\d:\d\d:\d\d\] )?(" + re.escape(iv) + "|"
                       + re.escape(rp) + r"): ")
    for p in paras:
        m = label.match(p)
        if m:
            turns.append([m.group(1), p[m.end():]])
        else:
            turns[-1][1] += "\n\n" + p
    return [(a, b) for a, b in turns]


def check_with_codingkit(rows_t: list[list]) -> None:
    """Compare turn numbers and excerpts with codingkit's own readers."""
    from codingkit import read_transcripts

    by_source = {}
    for stem in FILES:
        folder = FILES[stem][0]
        (t,) = read_transcripts(target_of(stem))
        by_source[f"{folder}/{target_of(stem).name}"] = t
    for source, turn, speaker, excerpt in rows_t:
        t = by_source[source]
        ck = next(x for x in t.turns if x.number == turn)
        text = t.text[ck.start:ck.end].strip()
        assert ck.speaker == speaker, (source, turn, ck.speaker, speaker)
        assert text.startswith(excerpt), (source, turn, text[:60], excerpt)
    print("codingkit readers agree on every respondent turn")


def main(argv: list[str]) -> int:
    rows_c: list[list] = []
    rows_t: list[list] = []
    for stem in FILES:
        if not (SRC / f"{stem}.txt").exists():
            continue
        target = render(stem)
        _, sturns = read_source(stem)
        parsed = parse_rendered(stem)
        assert len(parsed) == len(sturns), (stem, len(parsed), len(sturns))
        source = f"{FILES[stem][0]}/{target.name}"
        rp = FILES[stem][2]
        for n, ((spk, text), st) in enumerate(zip(parsed, sturns), start=1):
            assert spk == st.speaker, (stem, n)
            assert text.startswith(st.paragraphs[0].replace(" | ", " ")[:40]), (stem, n)
            if spk != rp:
                continue
            excerpt = text.strip()[:40]
            rows_t.append([source, n, spk, excerpt])
            for code in dict.fromkeys(st.codes):
                rows_c.append([source, n, spk, code, excerpt])
    if "--no-gold" in argv:
        return 0
    gold = ROOT / "gold"
    with open(gold / "heldout_coding.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["source", "turn", "speaker", "code", "excerpt"])
        w.writerows(rows_c)
    with open(gold / "heldout_turns.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["source", "turn", "speaker", "excerpt"])
        w.writerows(rows_t)
    per_file = Counter(r[0] for r in rows_t)
    per_turn = Counter((r[0], r[1]) for r in rows_c)
    print(f"{len(rows_t)} respondent turns:", dict(per_file))
    print(f"{len(per_turn)} coded turns:", dict(sorted(Counter(per_turn.values()).items())),
          f"{len(rows_c)} codings")
    counts = Counter(r[3] for r in rows_c)
    for code in CODES:
        print(f"| {code} | {counts[code]} |")
    if "--check" in argv:
        check_with_codingkit(rows_t)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
