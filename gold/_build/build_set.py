"""Build one set of extra human-coded interviews (round-2 gold data).

Run from the repository root::

    python gold/_build/build_set.py train2            # render + gold CSVs
    python gold/_build/build_set.py heldout2 --check  # also compare with codingkit's readers

The annotated sources live in ``gold/_build/<SET>_src/<stem>.txt``:
``Key: value`` header lines, one blank line, then one line per turn,
``I: text`` (interviewer) or ``IP: text`` (respondent). A trailing
``{{code,code}}`` on an ``IP:`` line holds the human coding of that turn.

Marks (used from ``heldout4`` on): a trailing ``[[mark,mark]]`` on an ``IP:``
line, after the ``{{...}}`` coding if there is one, marks a turn for the
measurement of two failure modes:

* ``[[content_free]]``: a turn without content (a greeting, "Mm.", "Ja,
  precis.", "Tack själv.", "Ingen orsak."); it may carry no code;
* ``[[hard_negative:<code>]]``: a turn that uses the words of theme
  ``<code>`` about something else ("risken för regn", "samverkan" in a
  choir, a coffee "leverantör"); it may not carry ``<code>`` (it may carry
  other themes). A turn may mimic several themes:
  ``[[hard_negative:risk_regelverk,hard_negative:samverkan]]``.

Examples: ``IP: Jag sjunger i kör, där är samverkan allt. [[hard_negative:samverkan]]``
and ``IP: Med facket har vi haft en dialog hela vägen. {{forankring}} [[hard_negative:tidig_dialog]]``.

Written:

* ``gold/transcripts/<SET>/<stem>.txt``: the plain transcript (marks removed),
* ``gold/<SET>_coding.csv``: ``source,turn,speaker,code,excerpt``, one row
  per coded respondent turn and theme,
* ``gold/<SET>_turns.csv``: every respondent turn (``source,turn,speaker,excerpt``),
* ``gold/<SET>_splits.csv``: ``source,split`` with split = ``<SET>``,
* ``gold/<SET>_marks.csv``: ``source,turn,mark``, one row per marked turn and
  mark (only when the set's sources carry marks).

``source`` is the path relative to ``gold/transcripts/``
(``train2/13_verksamhet_omg1.txt``), ``turn`` the 1-based number of the
turn counting every speaker's turns, ``excerpt`` the first 40 characters of
the turn's text. The sources are parsed here independently of codingkit;
``--check`` then reads every rendered file with codingkit's readers and
compares turn numbers, speakers, roles and excerpts.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GOLD = ROOT / "gold"
CODES = ("tidig_dialog", "behov", "kommersialisering", "forfarande", "risk_regelverk",
         "forankring", "samverkan", "resurser", "larande", "effekter")
HEADER_KEYS = ("Projekt", "Omgång", "Roll", "Datum", "Intervjuare", "Obs")
CODE_RE = re.compile(r"\s*\{\{([^}]*)\}\}\s*$")
MARK_RE = re.compile(r"\s*\[\[([^\]]*)\]\]\s*$")
LABELS = {"I": "interviewer", "IP": "respondent"}


class SourceError(ValueError):
    """A malformed annotated source (message names file and line)."""


def parse_marks(raw: str, where: str) -> tuple[str, list[str]]:
    """The line without its trailing ``[[...]]`` and the marks in it."""
    m = MARK_RE.search(raw)
    if not m:
        return raw, []
    marks = [x.strip() for x in m.group(1).split(",") if x.strip()]
    for mark in marks:
        kind, _, code = mark.partition(":")
        if not (mark == "content_free" or (kind == "hard_negative" and code in CODES)):
            raise SourceError(f"{where}: unknown mark {mark!r} (content_free or "
                              "hard_negative:<code>)")
    if not marks or len(set(marks)) != len(marks):
        raise SourceError(f"{where}: an empty mark or a mark given twice")
    return raw[: m.start()], marks


def parse_source(path: Path) -> tuple[list[str], list[tuple[str, str, list[str]]]]:
    """Header lines and ``(label, text, codes)`` per turn of one source
    (see :func:`parse_marked_source` for the marks as well)."""
    header, turns = parse_marked_source(path)
    return header, [(label, text, codes) for label, text, codes, _ in turns]


def parse_marked_source(path: Path) -> tuple[list[str], list[tuple[str, str, list[str], list[str]]]]:
    """Header lines and ``(label, text, codes, marks)`` per turn of one source."""
    lines = path.read_text(encoding="utf-8").splitlines()
    if "" not in lines:
        raise SourceError(f"{path}: no blank line after the header")
    blank = lines.index("")
    header = lines[:blank]
    keys = [h.partition(":")[0] for h in header]
    if keys != list(HEADER_KEYS):
        raise SourceError(f"{path}: header keys {keys}, expected {list(HEADER_KEYS)}")
    turns = []
    for n, raw in enumerate(lines[blank + 1:], start=blank + 2):
        if not raw.strip():
            raise SourceError(f"{path}:{n}: blank line between turns")
        raw, marks = parse_marks(raw, f"{path}:{n}")
        codes: list[str] = []
        m = CODE_RE.search(raw)
        if m:
            codes = [c.strip() for c in m.group(1).split(",") if c.strip()]
            raw = raw[: m.start()]
            bad = sorted(set(codes) - set(CODES))
            if bad:
                raise SourceError(f"{path}:{n}: unknown code(s) {bad}")
            if len(set(codes)) != len(codes):
                raise SourceError(f"{path}:{n}: a code given twice")
        label, sep, text = raw.partition(": ")
        if not sep or label not in LABELS:
            raise SourceError(f"{path}:{n}: expected 'I: ' or 'IP: ' at the start")
        if codes and label != "IP":
            raise SourceError(f"{path}:{n}: an interviewer turn is never coded")
        if marks and label != "IP":
            raise SourceError(f"{path}:{n}: only a respondent turn is marked")
        if "content_free" in marks and (codes or len(marks) > 1):
            raise SourceError(f"{path}:{n}: a content-free turn carries no code or other mark")
        for mark in marks:
            if mark.startswith("hard_negative:") and mark.partition(":")[2] in codes:
                raise SourceError(f"{path}:{n}: {mark} but the turn is coded with its theme")
        if any(x in text for x in ("{{", "}}", "[[", "]]")):
            raise SourceError(f"{path}:{n}: a stray code mark")
        if not text.strip():
            raise SourceError(f"{path}:{n}: an empty turn")
        turns.append((label, text.strip(), codes, marks))
    return header, turns


def build(set_name: str, check: bool = False) -> int:
    src = GOLD / "_build" / f"{set_name}_src"
    sources = sorted(src.glob("*.txt"))
    if not sources:
        raise SourceError(f"{src}: no annotated sources (*.txt)")
    out_dir = GOLD / "transcripts" / set_name
    out_dir.mkdir(parents=True, exist_ok=True)
    coding_rows, turn_rows, split_rows, mark_rows = [], [], [], []
    per_code: Counter[str] = Counter()
    per_mark: Counter[str] = Counter()
    parsed = {}
    for path in sources:
        header, marked = parse_marked_source(path)
        turns = [(label, text, codes) for label, text, codes, _ in marked]
        body = "\n".join(f"{label}: {text}" for label, text, _ in turns)
        target = out_dir / path.name
        target.write_text("\n".join(header) + "\n\n" + body + "\n", encoding="utf-8")
        source = f"{set_name}/{path.name}"
        split_rows.append([source, set_name])
        parsed[source] = (target, turns)
        for number, (label, text, codes) in enumerate(turns, start=1):
            if label != "IP":
                continue
            excerpt = text[:40]
            turn_rows.append([source, number, label, excerpt])
            for code in codes:
                coding_rows.append([source, number, label, code, excerpt])
                per_code[code] += 1
            for mark in marked[number - 1][3]:
                mark_rows.append([source, number, mark])
                per_mark[mark] += 1
    _write(GOLD / f"{set_name}_coding.csv", ["source", "turn", "speaker", "code", "excerpt"],
           coding_rows)
    _write(GOLD / f"{set_name}_turns.csv", ["source", "turn", "speaker", "excerpt"], turn_rows)
    _write(GOLD / f"{set_name}_splits.csv", ["source", "split"], split_rows)
    if mark_rows:
        _write(GOLD / f"{set_name}_marks.csv", ["source", "turn", "mark"], mark_rows)

    coded = {(r[0], r[1]) for r in coding_rows}
    print(f"{set_name}: {len(sources)} interviews, {len(turn_rows)} respondent turns, "
          f"{len(coded)} coded, {len(coding_rows)} codings")
    for code in CODES:
        print(f"  {code:<18} {per_code[code]:>3}")
    if mark_rows:
        print(f"marks: {len(mark_rows)} on {len({(r[0], r[1]) for r in mark_rows})} turns")
        for mark, n in sorted(per_mark.items()):
            print(f"  {mark:<32} {n:>3}")
    if check:
        return check_with_codingkit(parsed)
    return 0


def _write(path: Path, header: list[str], rows: list[list]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)


def check_with_codingkit(parsed: dict) -> int:
    """Compare turn numbers, speakers, roles and text with codingkit's readers."""
    from codingkit import read_transcripts

    problems = 0
    for source, (target, turns) in parsed.items():
        (t,) = read_transcripts([target])
        if len(t.turns) != len(turns):
            print(f"{source}: codingkit reads {len(t.turns)} turns, the source has {len(turns)}")
            problems += 1
            continue
        for turn, (label, text, _) in zip(t.turns, turns):
            got = t.turn_text(turn)
            if turn.speaker != label or turn.speaker_role != LABELS[label] or got != text:
                print(f"{source}: turn {turn.number}: codingkit reads {turn.speaker!r} "
                      f"({turn.speaker_role}) {got[:40]!r}, the source has {label!r} {text[:40]!r}")
                problems += 1
        meta = t.metadata
        if not (meta.get("project") and meta.get("round") and meta.get("role")):
            print(f"{source}: codingkit finds no project/round/role in the header: {meta}")
            problems += 1
    print("check: " + ("all turns match codingkit's readers" if not problems
                       else f"{problems} problem(s)"))
    return 1 if problems else 0


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("set", help="the set's name, e.g. train2 or heldout2")
    ap.add_argument("--check", action="store_true", help="compare with codingkit's readers")
    args = ap.parse_args(argv)
    try:
        return build(args.set, check=args.check)
    except SourceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
