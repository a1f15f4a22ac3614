"""Build the sample corpus and the gold coding from their annotated sources.

The interviews in ``transcripts/`` and ``gold/transcripts/`` and the human
coding in ``gold/*.csv`` are generated from annotated sources in
``tools/data_sources/`` (outside the corpus folders, so that no reader ever
sees them). Run from the repository root::

    python tools/build_data.py all --check     # everything, then check it
    python tools/build_data.py syd             # the Innovationsupphandling Syd interviews
    python tools/build_data.py heldout --check # the held-out interviews 09-12
    python tools/build_data.py ost             # Region Östergötland (05-08)
    python tools/build_data.py set train2      # any other set: data_sources/<SET>_src/
    python tools/build_data.py ost-turns       # list Östergötland's respondent turns
    python tools/build_data.py docx SOURCE.txt OUT.docx

What each builds:

``syd``
    ``transcripts/syd/01-04`` (.txt, .docx, .vtt, a .txt with time stamps)
    from ``syd_src/``, and ``gold/syd_coding.csv`` and ``gold/syd_turns.csv``
    from the *rendered* files, parsed again here.
``heldout``
    ``transcripts/syd/09-10`` and ``transcripts/ostergotland/11-12`` from
    ``heldout_src/``, and ``gold/heldout_coding.csv`` and
    ``gold/heldout_turns.csv``, the same way.
``ost``
    ``transcripts/ostergotland/06_projektledare_omg2.srt`` from the dialogue
    in ``ost_06_dialogue.py``, ``07_ledning_omg2.docx`` from
    ``07_ledning_omg2.txt``, and ``gold/ost_turns.csv`` and
    ``gold/ost_coding.csv`` from the four Östergötland interviews (parsed here)
    and the coding decisions in ``ost_coding.yaml``.
``set SET``
    Any other set of extra interviews, from ``<SET>_src/`` (``train2``,
    ``heldout3``, ...): ``gold/transcripts/<SET>/*.txt`` and
    ``gold/<SET>_coding.csv``, ``gold/<SET>_turns.csv``,
    ``gold/<SET>_splits.csv``. ``all`` builds every ``<SET>_src/`` folder
    there is, so a new set needs no change here.

The annotated sources: ``Key: value`` header lines, one blank line, then one
line per turn, ``LABEL: text``; a trailing ``{{code,code}}`` holds the human
coding of a respondent turn. In ``syd_src/`` and ``heldout_src/`` a line
starting with ``+ `` continues the previous turn as a new paragraph and
`` | `` splits a turn into WebVTT cues; the labels are those of
:data:`CORPUS`. In the other sets the labels are ``I`` and ``IP``.

How to check: the turn numbers and excerpts of the gold CSVs come from the
rendered files, parsed by small parsers independent of codingkit; ``--check``
then reads every rendered file with codingkit's readers and compares turn
numbers, speakers and texts. The outputs are deterministic (a ``.docx`` is
rewritten only when its text changes), so an unchanged source rebuilds the
same bytes: ``python tools/build_data.py all --check && git diff --exit-code
transcripts gold``.
"""

from __future__ import annotations

import argparse
import csv
import datetime as _dt
import importlib.util
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "tools" / "data_sources"
TRANSCRIPTS = ROOT / "transcripts"
GOLD = ROOT / "gold"
CODES = ("tidig_dialog", "behov", "kommersialisering", "forfarande", "risk_regelverk",
         "forankring", "samverkan", "resurser", "larande", "effekter")
CODE_RE = re.compile(r"\s*\{\{([^}]*)\}\}\s*$")


class SourceError(ValueError):
    """A malformed annotated source (the message names the file and line)."""


# ---------------------------------------------------------------- Word files
def parse_docx_source(text: str, name: str = "source") -> tuple[list[tuple[str, str]], list[str]]:
    """The header pairs and body paragraphs of a ``.docx`` source text:
    ``Key: value`` lines, a blank line, then one paragraph per non-empty line."""
    lines = text.splitlines()
    header: list[tuple[str, str]] = []
    i = 0
    while i < len(lines) and lines[i].strip():
        key, sep, value = lines[i].partition(":")
        if not sep:
            raise SourceError(f"{name}:{i + 1}: expected a 'Key: value' header line")
        header.append((key.strip(), value.strip()))
        i += 1
    return header, [ln.rstrip() for ln in lines[i:] if ln.strip()]


def _docx_content(path: Path) -> tuple[list[tuple[str, ...]], list[str]]:
    import docx

    doc = docx.Document(str(path))
    rows = [tuple(c.text for c in r.cells) for t in doc.tables for r in t.rows]
    return rows, [p.text for p in doc.paragraphs]


def build_docx(text: str, out: Path, name: str = "source") -> Path:
    """Write ``out`` (.docx): the header as a two-column table, then one
    paragraph per body line, with fixed document properties. A file that
    already holds this content is kept (a new zip would differ in its times)."""
    header, paragraphs = parse_docx_source(text, name)
    if out.is_file() and _docx_content(out) == ([tuple(h) for h in header], paragraphs):
        return out
    from docx import Document

    doc = Document()
    fixed = _dt.datetime(2026, 1, 1, 0, 0, 0)
    props = doc.core_properties
    props.created = fixed
    props.modified = fixed
    props.last_printed = fixed
    props.author = "codingkit (fiktiv exempeldata)"
    props.last_modified_by = "codingkit"
    props.title = out.stem
    props.revision = 1
    if header:
        table = doc.add_table(rows=0, cols=2)
        for key, value in header:
            cells = table.add_row().cells
            cells[0].text = key
            cells[1].text = value
    for paragraph in paragraphs:
        doc.add_paragraph(paragraph)
    out.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(out))
    return out


def _write_csv(path: Path, header: list[str], rows: list, lineterminator: str = "\r\n") -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator=lineterminator)
        w.writerow(header)
        w.writerows(rows)


# ------------------------------------------- the sample corpus: syd, heldout
@dataclass(frozen=True)
class Timing:
    """How rendered files are timed (fixed per corpus, so files never move)."""

    min_seconds: float
    per_word: float
    base: float
    times_start: float
    times_gap: float
    vtt_start: float
    vtt_id: str
    vtt_offset: int
    vtt_gap: float

    def seconds(self, text: str) -> float:
        return max(self.min_seconds, self.per_word * len(text.split()) + self.base)


@dataclass(frozen=True)
class Corpus:
    """A part of the sample corpus: its source stems and how each is rendered."""

    #: stem -> (folder under transcripts/, interviewer label, respondent label,
    #: suffix, style: labels | times | vtt | docx)
    files: dict[str, tuple[str, str, str, str, str]]
    timing: Timing


CORPUS = {
    "syd": Corpus({
        "01_projektledare_omg1": ("syd", "I", "IP", ".txt", "labels"),
        "02_upphandlare_omg1": ("syd", "Intervjuare", "Respondent", ".docx", "docx"),
        "03_leverantor_omg2": ("syd", "Maria Holm", "Jonas Berg", ".vtt", "vtt"),
        "04_verksamhet_omg3": ("syd", "Maria Holm", "Eva Lund", ".txt", "times"),
    }, Timing(1.1, 0.36, 0.4, 4.0, 1.3, 3.12, "6f3a9c1e-24b7-4d0a-9e55-b1c0d7e2f848", 10,
              0.24)),
    "heldout": Corpus({
        "09_upphandlare_omg2": ("syd", "Intervjuare", "Respondent", ".txt", "labels"),
        "10_projektledare_omg3": ("syd", "Maria Holm", "Linnea Åkesson", ".vtt", "vtt"),
        "11_verksamhet_omg2": ("ostergotland", "I", "IP", ".docx", "docx"),
        "12_leverantor_omg3": ("ostergotland", "Lars Nyström", "Johan Ekdahl", ".txt", "times"),
    }, Timing(1.2, 0.38, 0.5, 6.0, 1.6, 2.48, "b81d42e7-5c0a-4f63-a9d2-7e4c19f0a356", 3, 0.32)),
}


@dataclass
class STurn:
    speaker: str
    paragraphs: list[str]
    codes: list[str] = field(default_factory=list)


def _codes(raw: str, where: str) -> tuple[str, list[str]]:
    """The line without its ``{{...}}`` mark, and the codes in it."""
    m = CODE_RE.search(raw)
    if not m:
        return raw, []
    codes = [c.strip() for c in m.group(1).split(",") if c.strip()]
    bad = sorted(set(codes) - set(CODES))
    if bad:
        raise SourceError(f"{where}: unknown code(s) {bad}")
    if len(set(codes)) != len(codes):
        raise SourceError(f"{where}: a code given twice")
    return raw[: m.start()], codes


def read_corpus_source(path: Path, iv: str, rp: str) -> tuple[list[str], list[STurn]]:
    """The header lines and the annotated turns of one corpus source."""
    lines = path.read_text(encoding="utf-8").splitlines()
    blank = lines.index("")
    turns: list[STurn] = []
    for n, raw in enumerate(lines[blank + 1:], start=blank + 2):
        if not raw.strip():
            continue
        raw, codes = _codes(raw, f"{path}:{n}")
        if raw.startswith("+ "):
            turns[-1].paragraphs.append(raw[2:].strip())
            turns[-1].codes += codes
            continue
        label, sep, text = raw.partition(": ")
        if not sep or label not in (iv, rp):
            raise SourceError(f"{path}:{n}: bad label {label!r}; expected {iv!r} or {rp!r}")
        if codes and label == iv:
            raise SourceError(f"{path}:{n}: an interviewer turn is never coded")
        if "{{" in text or "}}" in text:
            raise SourceError(f"{path}:{n}: a stray code mark")
        turns.append(STurn(label, [text.strip()], codes))
    for a, b in zip(turns, turns[1:]):
        if a.speaker == b.speaker:
            raise SourceError(f"{path}: two consecutive turns by {a.speaker}")
    return lines[:blank], turns


def _clock(sec: float, millis: bool) -> str:
    ms = round(sec * 1000)
    h, ms = divmod(ms, 3_600_000)
    m, ms = divmod(ms, 60_000)
    s, ms = divmod(ms, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}" if millis else f"{h:02d}:{m:02d}:{s:02d}"


def render_labels(header: list[str], turns: list[STurn]) -> str:
    out = header + [""]
    for t in turns:
        out += [f"{t.speaker}: {t.paragraphs[0]}", ""]
        for p in t.paragraphs[1:]:
            out += [p, ""]
    return "\n".join(out).rstrip("\n") + "\n"


def render_times(header: list[str], turns: list[STurn], timing: Timing) -> str:
    out = header + [""]
    clock = timing.times_start
    for t in turns:
        out += [f"[{_clock(clock, False)}] {t.speaker}: {t.paragraphs[0]}", ""]
        for p in t.paragraphs[1:]:
            out += [p, ""]
        clock += sum(timing.seconds(p) for p in t.paragraphs) + timing.times_gap
    return "\n".join(out).rstrip("\n") + "\n"


def render_vtt(header: list[str], turns: list[STurn], timing: Timing) -> str:
    out = ["WEBVTT", "", "NOTE", *header, ""]
    clock = timing.vtt_start
    cue = 0
    for t in turns:
        for chunk in " ".join(t.paragraphs).split(" | "):
            cue += 1
            end = clock + timing.seconds(chunk)
            out += [f"{timing.vtt_id}/{cue + timing.vtt_offset}-0",
                    f"{_clock(clock, True)} --> {_clock(end, True)}",
                    f"<v {t.speaker}>{chunk.strip()}</v>", ""]
            clock = end + timing.vtt_gap
    return "\n".join(out).rstrip("\n") + "\n"


def _target(stem: str, spec: tuple[str, str, str, str, str]) -> Path:
    return TRANSCRIPTS / spec[0] / f"{stem}{spec[3]}"


def render(corpus: Corpus, stem: str, header: list[str], turns: list[STurn]) -> Path:
    spec = corpus.files[stem]
    style, target = spec[4], _target(stem, spec)
    target.parent.mkdir(parents=True, exist_ok=True)
    if style == "docx":
        build_docx(render_labels(header, turns), target, stem)
    elif style == "vtt":
        target.write_text(render_vtt(header, turns, corpus.timing), encoding="utf-8")
    elif style == "times":
        target.write_text(render_times(header, turns, corpus.timing), encoding="utf-8")
    else:
        target.write_text(render_labels(header, turns), encoding="utf-8")
    return target


def parse_rendered(path: Path, iv: str, rp: str, style: str) -> list[tuple[str, str]]:
    """``[(speaker, text)]`` for every turn of a rendered file (independently
    of codingkit's readers)."""
    turns: list[list[str]] = []
    if style == "vtt":
        for m in re.finditer(r"<v ([^>]+)>(.*?)</v>", path.read_text(encoding="utf-8")):
            if turns and turns[-1][0] == m.group(1):
                turns[-1][1] += " " + m.group(2)
            else:
                turns.append([m.group(1), m.group(2)])
        return [(a, b) for a, b in turns]
    if style == "docx":
        paras = _docx_content(path)[1]
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


def build_corpus(name: str, check: bool = False) -> int:
    """Render a part of the sample corpus and write its gold CSVs."""
    corpus = CORPUS[name]
    src = SOURCES / f"{name}_src"
    rows_c: list[list] = []
    rows_t: list[list] = []
    rendered: dict[str, Path] = {}
    for stem, spec in corpus.files.items():
        folder, iv, rp, _, style = spec
        header, sturns = read_corpus_source(src / f"{stem}.txt", iv, rp)
        target = render(corpus, stem, header, sturns)
        parsed = parse_rendered(target, iv, rp, style)
        if len(parsed) != len(sturns):
            raise SourceError(f"{target}: {len(parsed)} turns rendered, {len(sturns)} in "
                              "the source")
        source = f"{folder}/{target.name}"
        rendered[source] = target
        for n, ((spk, text), st) in enumerate(zip(parsed, sturns), start=1):
            if spk != st.speaker or not text.startswith(
                    st.paragraphs[0].replace(" | ", " ")[:40]):
                raise SourceError(f"{target}: turn {n} does not render its source")
            if spk != rp:
                continue
            excerpt = text.strip()[:40]
            rows_t.append([source, n, spk, excerpt])
            for code in dict.fromkeys(st.codes):
                rows_c.append([source, n, spk, code, excerpt])
    _write_csv(GOLD / f"{name}_coding.csv", ["source", "turn", "speaker", "code", "excerpt"],
               rows_c)
    _write_csv(GOLD / f"{name}_turns.csv", ["source", "turn", "speaker", "excerpt"], rows_t)
    _report(name, len(rendered), rows_t, rows_c)
    return check_turns(rendered, rows_t) if check else 0


def _report(name: str, n_files: int, rows_t: list, rows_c: list) -> None:
    per_code = Counter(r[3] for r in rows_c)
    coded = {(r[0], r[1]) for r in rows_c}
    print(f"{name}: {n_files} interviews, {len(rows_t)} respondent turns, {len(coded)} coded, "
          f"{len(rows_c)} codings")
    for code in CODES:
        print(f"  {code:<18} {per_code[code]:>3}")


def check_turns(rendered: dict[str, Path], rows_t: list) -> int:
    """Compare every respondent turn (number, speaker, excerpt) with codingkit's readers."""
    from codingkit import read_transcripts

    problems = 0
    read = {source: read_transcripts(path)[0] for source, path in rendered.items()}
    for source, turn, speaker, excerpt in rows_t:
        t = read[source]
        got = next((x for x in t.turns if x.number == turn), None)
        if got is None or got.speaker != speaker or not (
                t.text[got.start:got.end].strip().startswith(excerpt)):
            print(f"{source}: turn {turn}: codingkit reads it otherwise")
            problems += 1
    print("check: " + ("codingkit's readers agree on every respondent turn" if not problems
                       else f"{problems} problem(s)"))
    return 1 if problems else 0


# ------------------------------------------------- Region Östergötland (ost)
OST_INTERVIEWERS = {"Intervjuare", "Lars", "I"}
OST_RESPONDENTS = {"Svarande", "Sara", "IP1", "Petra Sjö"}
OST_SOURCES = [
    "ostergotland/05_upphandlare_omg1.txt",
    "ostergotland/06_projektledare_omg2.srt",
    "ostergotland/07_ledning_omg2.docx",
    "ostergotland/08_leverantor_omg3.md",
]


def build_ost_srt(dialogue: Path, out: Path) -> int:
    """Write the .srt of a dialogue (a module with ``TURNS = [(speaker, text), ...]``):
    cues of at most 86 characters, a line break after about 50, ``,`` in times."""
    spec = importlib.util.spec_from_file_location("dialogue", dialogue)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    def chunks(text: str, maxlen: int = 86) -> list[str]:
        words, out, cur = text.split(), [], ""
        for w in words:
            if cur and len(cur) + 1 + len(w) > maxlen:
                out.append(cur)
                cur = w
            else:
                cur = f"{cur} {w}" if cur else w
        if cur:
            out.append(cur)
        if len(out) > 1 and len(out[-1]) < 20:  # no tiny last chunk
            last = out.pop()
            out[-1] += " " + last
        return out

    def wrap(t: str) -> str:
        i = t.find(" ", 48) if len(t) > 50 else -1
        return t if i == -1 else t[:i] + "\n" + t[i + 1:]

    def ts(s: float) -> str:
        return _clock(s, True).replace(".", ",")

    t, n, cues = 1.2, 0, []
    for speaker, text in module.TURNS:
        for c in chunks(text):
            n += 1
            dur = max(1.0, len(c) / 14.0)
            cues.append(f"{n}\n{ts(t)} --> {ts(t + dur)}\n{wrap(speaker + ': ' + c)}\n")
            t += dur + 0.24
        t += 0.6
    with open(out, "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(cues))
    return n


def _merge(pieces: list[tuple[str | None, str]]) -> list[tuple[str, str]]:
    """(speaker or None, text) pieces as turns: None and the same speaker continue."""
    turns: list[list[str]] = []
    for speaker, text in pieces:
        if turns and (speaker is None or speaker == turns[-1][0]):
            turns[-1][1] += "\n" + text
        elif speaker is not None:  # text before the first label: title, separators
            turns.append([speaker, text])
    return [(s, t) for s, t in turns]


def _label_split(par: str, pattern: re.Pattern[str]) -> tuple[str | None, str]:
    m = pattern.match(par)
    if m and m.group("label") in OST_INTERVIEWERS | OST_RESPONDENTS:
        return m.group("label"), par[m.end():].strip()
    return None, par.strip()


def _ost_turns_txt(path: Path) -> list[tuple[str, str]]:
    body = path.read_text(encoding="utf-8").split("\n\n", 1)[1]
    pat = re.compile(r"(?P<label>[^:\n]+):\s")
    return _merge([_label_split(p, pat) for p in re.split(r"\n\s*\n", body) if p.strip()])


def _ost_turns_md(path: Path) -> list[tuple[str, str]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    i = next(k for k, line in enumerate(lines) if line.startswith("**"))
    pat = re.compile(r"\*\*(?P<label>[^*:]+):\*\*\s")
    body = "\n".join(lines[i:])
    return _merge([_label_split(p, pat) for p in re.split(r"\n\s*\n", body) if p.strip()])


def _ost_turns_docx(path: Path) -> list[tuple[str, str]]:
    pat = re.compile(r"(?P<label>[^:]+):\s")
    return _merge([_label_split(p, pat) for p in _docx_content(path)[1] if p.strip()])


def _ost_turns_srt(path: Path) -> list[tuple[str, str]]:
    pat = re.compile(r"(?P<label>[^:\n]+):\s")
    pieces = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8").strip()):
        lines = block.splitlines()
        if not (lines[0].strip().isdigit() and "-->" in lines[1]):
            raise SourceError(f"{path}: a malformed cue: {block[:60]!r}")
        pieces.append(_label_split(" ".join(ln.strip() for ln in lines[2:]), pat))
    return _merge(pieces)


_OST_PARSERS = {".txt": _ost_turns_txt, ".md": _ost_turns_md, ".docx": _ost_turns_docx,
                ".srt": _ost_turns_srt}


def ost_respondent_turns(source: str) -> list[tuple[int, str, str]]:
    """``(turn number, speaker, text)`` of every respondent turn of an
    Östergötland interview: every turn of every speaker counts, 1-based;
    consecutive paragraphs or cues of one speaker are one turn."""
    path = TRANSCRIPTS / source
    out = []
    for number, (speaker, text) in enumerate(_OST_PARSERS[path.suffix](path), start=1):
        if speaker in OST_RESPONDENTS:
            out.append((number, speaker, text))
        elif speaker not in OST_INTERVIEWERS:
            raise SourceError(f"{source}: turn {number}: unknown speaker {speaker!r}")
    return out


def build_ost() -> int:
    """The .srt and .docx of Region Östergötland, and its gold CSVs."""
    import yaml

    folder = TRANSCRIPTS / "ostergotland"
    cues = build_ost_srt(SOURCES / "ost_06_dialogue.py", folder / "06_projektledare_omg2.srt")
    source = SOURCES / "07_ledning_omg2.txt"
    build_docx(source.read_text(encoding="utf-8"), folder / "07_ledning_omg2.docx",
               str(source))
    decisions = yaml.safe_load((SOURCES / "ost_coding.yaml").read_text(encoding="utf-8"))
    turn_rows, coding_rows = [], []
    for source in OST_SOURCES:
        turns, entries = ost_respondent_turns(source), decisions[source]
        if len(entries) != len(turns):
            raise SourceError(f"{source}: {len(turns)} respondent turns but {len(entries)} "
                              "decisions in ost_coding.yaml")
        for (number, speaker, text), entry in zip(turns, entries):
            if not text.startswith(entry["ex"]):
                raise SourceError(f"{source}: turn {number}: text {text[:40]!r} does not "
                                  f"start with {entry['ex']!r}")
            codes = entry.get("codes") or []
            if set(codes) - set(CODES) or len(set(codes)) != len(codes):
                raise SourceError(f"{source}: turn {number}: bad codes {codes}")
            excerpt = text[:40]
            if "\n" in excerpt:
                raise SourceError(f"{source}: turn {number}: the excerpt spans a line break")
            turn_rows.append((source, number, speaker, excerpt))
            coding_rows.extend((source, number, speaker, code, excerpt) for code in codes)
    _write_csv(GOLD / "ost_turns.csv", ["source", "turn", "speaker", "excerpt"], turn_rows, "\n")
    _write_csv(GOLD / "ost_coding.csv", ["source", "turn", "speaker", "code", "excerpt"],
               coding_rows, "\n")
    print(f"ost: 06 .srt of {cues} cues; {len(turn_rows)} respondent turns, "
          f"{len(coding_rows)} codings")
    return 0


# ------------------------------------------------ other sets: <SET>_src/
SET_HEADER = ("Projekt", "Omgång", "Roll", "Datum", "Intervjuare", "Obs")
SET_LABELS = {"I": "interviewer", "IP": "respondent"}


MARK_RE = re.compile(r"\s*\[\[([^\]]*)\]\]\s*$")


def parse_marks(raw: str, where: str) -> tuple[str, list[str]]:
    """The line without its trailing ``[[...]]`` and the marks in it.

    Marks (used from ``heldout4`` on) flag a respondent turn for measuring two
    failure modes: ``[[content_free]]`` (a greeting, "Mm.", "Ja, precis.": it
    may carry no code) and ``[[hard_negative:<code>]]`` (a turn that uses the
    words of theme ``<code>`` about something else, e.g. "samverkan" in a
    choir: it may not carry ``<code>``; several: ``[[hard_negative:a,hard_negative:b]]``).
    They come after the ``{{codes}}``, e.g.
    ``IP: Med facket har vi haft en dialog hela vägen. {{forankring}} [[hard_negative:tidig_dialog]]``,
    and are written to ``gold/<SET>_marks.csv`` (``source,turn,mark``).
    """
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


def parse_set_source(path: Path) -> tuple[list[str], list[tuple[str, str, list[str], list[str]]]]:
    """Header lines and ``(label, text, codes, marks)`` per turn of one set source."""
    lines = path.read_text(encoding="utf-8").splitlines()
    if "" not in lines:
        raise SourceError(f"{path}: no blank line after the header")
    blank = lines.index("")
    header = lines[:blank]
    keys = [h.partition(":")[0] for h in header]
    if keys != list(SET_HEADER):
        raise SourceError(f"{path}: header keys {keys}, expected {list(SET_HEADER)}")
    turns = []
    for n, raw in enumerate(lines[blank + 1:], start=blank + 2):
        if not raw.strip():
            raise SourceError(f"{path}:{n}: blank line between turns")
        raw, marks = parse_marks(raw, f"{path}:{n}")
        raw, codes = _codes(raw, f"{path}:{n}")
        label, sep, text = raw.partition(": ")
        if not sep or label not in SET_LABELS:
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


def build_set(name: str, check: bool = False) -> int:
    """``gold/transcripts/<SET>/`` and the set's gold CSVs from ``<SET>_src/``."""
    src = SOURCES / f"{name}_src"
    sources = sorted(src.glob("*.txt"))
    if not sources:
        raise SourceError(f"{src}: no annotated sources (*.txt)")
    sets = {path: parse_set_source(path) for path in sources}  # all checked before writing
    out_dir = GOLD / "transcripts" / name
    out_dir.mkdir(parents=True, exist_ok=True)
    coding_rows, turn_rows, split_rows, mark_rows = [], [], [], []
    rendered: dict[str, Path] = {}
    parsed = {}
    for path, (header, turns) in sets.items():
        body = "\n".join(f"{label}: {text}" for label, text, _, _ in turns)
        target = out_dir / path.name
        target.write_text("\n".join(header) + "\n\n" + body + "\n", encoding="utf-8")
        source = f"{name}/{path.name}"
        split_rows.append([source, name])
        rendered[source] = target
        parsed[source] = turns
        for number, (label, text, codes, marks) in enumerate(turns, start=1):
            if label != "IP":
                continue
            excerpt = text[:40]
            turn_rows.append([source, number, label, excerpt])
            coding_rows.extend([source, number, label, code, excerpt] for code in codes)
            mark_rows.extend([source, number, mark] for mark in marks)
    _write_csv(GOLD / f"{name}_coding.csv", ["source", "turn", "speaker", "code", "excerpt"],
               coding_rows)
    _write_csv(GOLD / f"{name}_turns.csv", ["source", "turn", "speaker", "excerpt"], turn_rows)
    _write_csv(GOLD / f"{name}_splits.csv", ["source", "split"], split_rows)
    if mark_rows:
        _write_csv(GOLD / f"{name}_marks.csv", ["source", "turn", "mark"], mark_rows)
        print(f"{name}: {len(mark_rows)} marks on "
              f"{len({(r[0], r[1]) for r in mark_rows})} turns")
    _report(name, len(sources), turn_rows, coding_rows)
    return check_set(rendered, parsed) if check else 0


def check_set(rendered: dict[str, Path], parsed: dict[str, list]) -> int:
    """Every turn (speaker, role, text) and the header's metadata as codingkit reads them."""
    from codingkit import read_transcripts

    problems = 0
    for source, target in rendered.items():
        turns = parsed[source]
        (t,) = read_transcripts([target])
        if len(t.turns) != len(turns):
            print(f"{source}: codingkit reads {len(t.turns)} turns, the source has {len(turns)}")
            problems += 1
            continue
        for turn, (label, text, *_) in zip(t.turns, turns):
            got = t.turn_text(turn)
            if turn.speaker != label or turn.speaker_role != SET_LABELS[label] or got != text:
                print(f"{source}: turn {turn.number}: codingkit reads {turn.speaker!r} "
                      f"({turn.speaker_role}) {got[:40]!r}, the source has {label!r} "
                      f"{text[:40]!r}")
                problems += 1
        if not all(t.metadata.get(k) for k in ("project", "round", "role")):
            print(f"{source}: codingkit finds no project/round/role in the header")
            problems += 1
    print("check: " + ("all turns match codingkit's readers" if not problems
                       else f"{problems} problem(s)"))
    return 1 if problems else 0


def other_sets() -> list[str]:
    """Every ``<SET>_src/`` folder of the data sources that ``set`` builds."""
    return sorted(p.name[:-4] for p in SOURCES.glob("*_src")
                  if p.is_dir() and p.name[:-4] not in CORPUS)


# ---------------------------------------------------------------- commands
def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="command", required=True)
    for name in ("all", *CORPUS):
        p = sub.add_parser(name, help=f"build {name}" if name != "all" else "build everything")
        p.add_argument("--check", action="store_true", help="compare with codingkit's readers")
    sub.add_parser("ost", help="build Region Östergötland's .srt, .docx and gold CSVs")
    p = sub.add_parser("set", help="build a set of extra interviews from <SET>_src/")
    p.add_argument("set", help="the set's name, e.g. train2 or heldout3")
    p.add_argument("--check", action="store_true", help="compare with codingkit's readers")
    sub.add_parser("ost-turns", help="list every respondent turn of Region Östergötland")
    p = sub.add_parser("docx", help="write a .docx from a 'Key: value' header and lines")
    p.add_argument("source", type=Path)
    p.add_argument("out", type=Path)
    args = ap.parse_args(argv)
    try:
        if args.command == "all":
            status = [build_corpus(name, args.check) for name in CORPUS]
            status.append(build_ost())
            status += [build_set(name, args.check) for name in other_sets()]
            return max(status)
        if args.command in CORPUS:
            return build_corpus(args.command, args.check)
        if args.command == "ost":
            return build_ost()
        if args.command == "set":
            if args.set in CORPUS:
                return build_corpus(args.set, args.check)
            return build_set(args.set, args.check)
        if args.command == "ost-turns":
            for source in OST_SOURCES:
                for number, speaker, text in ost_respondent_turns(source):
                    print(f"{source}\t{number}\t{speaker}\t{text[:70]}")
            return 0
        build_docx(args.source.read_text(encoding="utf-8"), args.out, str(args.source))
        return 0
    except SourceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
