"""Speed and memory of ``codingkit apply`` against spaCy's tokenizer alone.

Builds a large corpus by repeating the bundled sample corpus (each copy a
folder of its own, so sources stay distinct) and prints, for each size:

- ``apply s``: the wall time of ``codingkit apply`` run as a separate
  process, as a researcher runs it (with a warm lemma cache: the first run
  on a machine converts the lookup table once, which is not timed);
- ``start s``: the fixed start-up, i.e. apply on a tiny corpus (one
  transcript): interpreter, imports, codebook, rule compilation;
- ``tok s``: the time ``spacy.blank("sv")``'s tokenizer alone needs for the
  same transcript text (the floor: codingkit cannot be faster than
  tokenizing), measured in-process, with its own start-up excluded;
- ``apply s/MB`` and ``tok s/MB``: the marginal seconds per MB of corpus
  (apply: ``(apply − start) / (MB − tiny MB)``);
- ``ratio`` (total: apply / tok) and ``ratio marg.`` (marginal);
- ``max RSS MB``: the peak memory of the apply process.

With ``--journal-digital`` a first line also gives what ``apply --unit
sentence`` spends before any coding (reading, and cutting each turn into
sentences with their tokens), as a multiple of the tokenizer: the floor
under the ratio that no faster coder can remove.

The goal is ratio ≤ 1.5 and memory flat as the corpus grows.

A real corpus instead of copies: ``--journal-digital WHEEL_OR_DIR`` codes
the 2,544 speech-recognised newsreel subtitles (.srt, 13.5 MB of text) of
the ``journal-digital`` package on PyPI. It is not a dependency of
codingkit: fetch the wheel with ``pip download --no-deps journal-digital -d
DIR`` and give the ``.whl`` (or a folder it was unpacked into). Its
``corpus/speech`` files are copied to ``benchmarks/_data/`` (never commit
them); ``--every N`` keeps every N-th file (``--every 8``: about 2.6 MB).
Each line then times one set of options: ``--unit turn`` (default: the
learned coder bundled with the default codebook), ``--unit turn
--rules-only`` (the codebook alone), and ``--unit sentence`` (the codebook
alone, as no learned coder is bundled for sentences) with and without
``--similarity none``.

Usage::

    python benchmarks/apply_speed.py                      # 1, 4 and 10 MB
    python benchmarks/apply_speed.py --mb 1 --mb 5        # other sizes
    python benchmarks/apply_speed.py --distinct           # no repeated turns
    python benchmarks/apply_speed.py --journal-digital journal_digital-*.whl [--every 8] [--repeat 3]

Not run by the tests. The corpus is built under ``benchmarks/_data/``
(ignored by git).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "transcripts"
DATA = ROOT / "benchmarks" / "_data"
SUFFIXES = {".txt", ".md", ".vtt", ".srt", ".docx"}


def _sample_files() -> list[Path]:
    return [p for p in sorted(SAMPLE.rglob("*"))
            if p.is_file() and p.suffix in SUFFIXES and "_build" not in p.parts]


def build_tiny() -> tuple[Path, int]:
    """A corpus of one plain-text transcript: what apply costs before any real work."""
    target = DATA / "corpus_tiny"
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    src = next(p for p in _sample_files() if p.suffix == ".txt")
    shutil.copyfile(src, target / src.name)
    return target, src.stat().st_size


def _distinct_copy(src: Path, dest: Path, copy: int) -> None:
    """Copy a .txt/.md transcript, ending each text line with a word of its own.

    Every turn of every copy is then a text of its own, as in a real corpus
    (codingkit scores each distinct text once, which flatters plain copies).
    """
    lines = src.read_text(encoding="utf-8-sig").split("\n")
    out = []
    for n, line in enumerate(lines):
        stripped = line.strip()
        # header lines (Key: value) and blank lines stay as they are
        if stripped and not (":" in stripped[:30] and n < 12 and len(stripped) < 80):
            line = f"{line} ord{copy}x{n}"
        out.append(line)
    dest.write_text("\n".join(out), encoding="utf-8")


def build_corpus(megabytes: float, distinct: bool = False) -> tuple[Path, int]:
    """Copy the sample corpus (text-based files) until it holds ``megabytes`` of text.

    With ``distinct``, the lines of .txt/.md files differ between copies
    (see :func:`_distinct_copy`).
    """
    target = DATA / f"corpus_{megabytes:g}mb{'_distinct' if distinct else ''}"
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    files = _sample_files()
    size = sum(p.stat().st_size for p in files)
    copies = max(1, round(megabytes * 1_000_000 / size))
    total = 0
    for i in range(copies):
        for p in files:
            dest = target / f"kopia_{i:04d}" / p.relative_to(SAMPLE)
            dest.parent.mkdir(parents=True, exist_ok=True)
            if distinct and p.suffix in {".txt", ".md"}:
                _distinct_copy(p, dest, i)
            else:
                shutil.copyfile(p, dest)
            total += dest.stat().st_size
    return target, total


def build_journal_digital(source: Path, every: int = 1) -> tuple[Path, int]:
    """The speech subtitles of the journal-digital wheel (or unpacked folder)
    ``source``, every ``every``-th file (sorted by path), under ``benchmarks/_data/``."""
    import zipfile

    target = DATA / f"journal_digital_every{every}"
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    if source.is_file():
        with zipfile.ZipFile(source) as zf:
            names = sorted(n for n in zf.namelist()
                           if "/corpus/speech/" in n and n.endswith(".srt"))[::every]
            for name in names:
                dest = target / name.split("/corpus/speech/", 1)[1]
                dest.parent.mkdir(parents=True, exist_ok=True)
                dest.write_bytes(zf.read(name))
    else:
        speech = next((p for p in [source / "journal_digital" / "corpus" / "speech",
                                   source / "corpus" / "speech", source]
                       if p.is_dir()), source)
        for path in sorted(speech.rglob("*.srt"))[::every]:
            dest = target / path.relative_to(speech)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, dest)
    files = list(target.rglob("*.srt"))
    if not files:
        raise SystemExit(f"no corpus/speech/*.srt files in {source}")
    return target, sum(p.stat().st_size for p in files)


def text_megabytes(corpus: Path) -> float:
    """MB (UTF-8) of the turns' text as codingkit reads it (no subtitle timings)."""
    import codingkit as ck

    return sum(len(t.text[turn.start:turn.end].encode("utf-8"))
               for t in ck.read_transcripts(corpus) for turn in t.turns) / 1e6


def sentence_floor(corpus: Path) -> tuple[float, float, float]:
    """In-process seconds to read the transcripts, to tokenise their turns
    (as :func:`tokenizer_seconds`) and to cut them into sentences with
    their tokens (``segment_with_tokens``, what ``apply --unit sentence``
    does before any coding): the part of ``apply --unit sentence`` that no
    coder, however fast, can avoid."""
    import spacy

    import codingkit as ck
    from codingkit.segmenting import segment_with_tokens

    begin = time.perf_counter()
    transcripts = ck.read_transcripts(corpus)
    read = time.perf_counter() - begin
    tok = tokenizer_seconds(corpus)
    spacy.blank("sv")  # spaCy's start-up is not the cutting's
    begin = time.perf_counter()
    segment_with_tokens(transcripts, "sentence")
    return read, tok, time.perf_counter() - begin


def journal_digital(source: Path, every: int, start: float, tok_tiny: float,
                    tiny_mb: float, repeat: int = 1) -> None:
    """One line per set of options; with ``repeat`` > 1, the tokenizer and
    ``apply`` are timed in turn that many times (tokenizer, apply,
    tokenizer, apply, ...) and the line gives the medians, the ratio being
    the median of the pairs' ratios (so that the machine's drift during the
    run moves both sides of each ratio alike)."""
    import statistics

    corpus, nbytes = build_journal_digital(source, every)
    mb = text_megabytes(corpus)
    print(f"journal-digital: {sum(1 for _ in corpus.rglob('*.srt'))} files, "
          f"{nbytes / 1e6:.1f} MB of .srt, {mb:.1f} MB of text"
          + (f"; medians of {repeat} runs in turn with the tokenizer" if repeat > 1 else ""))
    read, tok, cut = sentence_floor(corpus)
    print(f"before any coding (in-process): reading {read:.2f} s, tokenizer {tok:.2f} s, "
          f"cutting into sentences with their tokens {cut:.2f} s = {cut / tok:.2f} x the "
          f"tokenizer; with reading {(read + cut) / tok:.2f} x", flush=True)
    for label, options in [("turn", ()), ("turn, --rules-only", ("--rules-only",)),
                           ("sentence", ("--unit", "sentence")),
                           ("sentence, --similarity none",
                            ("--unit", "sentence", "--similarity", "none"))]:
        runs = []
        for _ in range(repeat):
            tok = tokenizer_seconds(corpus)
            wall, rss = apply_run(corpus, *options)
            runs.append((tok, wall, rss))
        tok = statistics.median(r[0] for r in runs)
        wall = statistics.median(r[1] for r in runs)
        rss = max(r[2] for r in runs)
        ratio = statistics.median(w / t for t, w, _ in runs)
        spread = (f"  (ratios {min(w / t for t, w, _ in runs):.1f}–"
                  f"{max(w / t for t, w, _ in runs):.1f})" if repeat > 1 else "")
        print(_row(f"{mb:.1f}MB", wall, start, tok, tok_tiny, mb, tiny_mb, rss, ratio),
              f"  {label}{spread}", flush=True)


def tokenizer_seconds(corpus: Path) -> float:
    """Time spaCy's blank Swedish tokenizer over the transcripts' turn texts
    (a new tokenizer each time, so that every word is new to it, as to
    ``apply``)."""
    import spacy

    import codingkit as ck

    transcripts = ck.read_transcripts(corpus)
    texts = [t.text[turn.start:turn.end] for t in transcripts for turn in t.turns]
    nlp = spacy.blank("sv")
    start = time.perf_counter()
    n = 0
    for doc in nlp.tokenizer.pipe(texts, batch_size=256):
        n += len(doc)
    return time.perf_counter() - start


_CHILD = """
import resource, sys
from codingkit.cli import main
try:
    main(sys.argv[1:])
except SystemExit as exc:
    if exc.code:
        raise
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
"""


def apply_run(corpus: Path, *options: str) -> tuple[float, float]:
    """Wall seconds and max RSS (MB) of ``codingkit apply`` (with ``options``)
    in a child process."""
    out = DATA / "out"
    if out.exists():
        shutil.rmtree(out)
    cmd = [sys.executable, "-c", _CHILD, "apply", str(corpus), "--out", str(out), "--quiet",
           *options]
    start = time.perf_counter()
    proc = subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          text=True)
    wall = time.perf_counter() - start
    rss_kb = int(proc.stderr.strip().splitlines()[-1])
    return wall, rss_kb / 1024


def _row(label: str, wall: float, start: float, tok: float, tok_tiny: float, mb: float,
         tiny_mb: float, rss: float, ratio: float | None = None) -> str:
    span = max(mb - tiny_mb, 1e-9)
    apply_marg = (wall - start) / span
    tok_marg = (tok - tok_tiny) / span
    ratio = wall / tok if ratio is None else ratio
    return (f"{label:>8} {wall:>8.2f} {start:>8.2f} {tok:>7.2f} {apply_marg:>11.2f} "
            f"{tok_marg:>9.2f} {ratio:>6.1f} {apply_marg / tok_marg:>12.2f} {rss:>11.0f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mb", type=float, action="append", help="corpus size in MB (repeatable)")
    ap.add_argument("--distinct", action="store_true",
                    help="make the lines of .txt/.md copies differ (no repeated turns)")
    ap.add_argument("--rules-only", action="store_true",
                    help="also time 'apply --similarity none' and print how much the default "
                         "TF-IDF similarity adds (goal: at most 2x)")
    ap.add_argument("--journal-digital", type=Path, metavar="WHEEL_OR_DIR",
                    help="code the journal-digital subtitles (see above) instead of copies")
    ap.add_argument("--every", type=int, default=1,
                    help="with --journal-digital: every N-th file only")
    ap.add_argument("--repeat", type=int, default=1,
                    help="with --journal-digital: time each line N times, in turn with the "
                         "tokenizer, and print medians (default 1)")
    args = ap.parse_args()
    sizes = args.mb or [1.0, 4.0, 10.0]
    tiny, tiny_bytes = build_tiny()
    apply_run(tiny)                      # warms the lemma cache and the file system
    start, start_rss = min(apply_run(tiny) for _ in range(3))
    tok_tiny = tokenizer_seconds(tiny)
    tiny_mb = tiny_bytes / 1e6
    print(f"start-up (one transcript, {tiny_bytes / 1000:.0f} kB): {start:.2f} s, "
          f"max RSS {start_rss:.0f} MB")
    print(f"{'corpus':>8} {'apply s':>8} {'start s':>8} {'tok s':>7} {'apply s/MB':>11} "
          f"{'tok s/MB':>9} {'ratio':>6} {'ratio marg.':>12} {'max RSS MB':>11}")
    if args.journal_digital:
        journal_digital(args.journal_digital, args.every, start, tok_tiny, tiny_mb,
                        max(args.repeat, 1))
        return
    for mb in sizes:
        corpus, nbytes = build_corpus(mb, distinct=args.distinct)
        wall, rss = apply_run(corpus)
        tok = tokenizer_seconds(corpus)
        print(_row(f"{nbytes / 1e6:.1f}MB", wall, start, tok, tok_tiny, nbytes / 1e6, tiny_mb,
                   rss), flush=True)
        if args.rules_only:
            rules, _ = apply_run(corpus, "--similarity", "none")
            print(f"{'':>8} rules only (--similarity none) {rules:.2f} s: the default with "
                  f"similarity takes {wall / rules:.2f}x as long", flush=True)


if __name__ == "__main__":
    main()
