"""Wall time and peak memory of reading Word tables with merged cells.

Each input is generated in a temporary folder and read by
``codingkit.readers.read_transcript`` in a separate process; its peak
resident memory is read from the kernel (``os.wait4``'s ``ru_maxrss`` of
that one child; a Python that has imported codingkit and python-docx and
read a small .docx is about 35 MB). Prints one row per case: the input's
size on disk, the wall time, the peak RSS, and what was read (turns and
speakers) or the refusal.

Cases:

- ``merged-600``, ``merged-1200``, ``merged-100000``: a transcript as a
  table ``Tid | Talare | Text`` of that many rows, the speaker cell merged
  (``w:vMerge``) over all of them, as some transcription services and
  Teams exports lay out one speaker's rows;
- ``merged-blocks-100000``: the same, the speaker cell merged over each 4
  rows, two speakers taking turns; ``unmerged-100000``: the same rows, each
  naming its speaker in a cell of its own (an ordinary table);
- ``span-5000000``, ``span-2000000000``: a few-kB .docx whose one table
  cell spans (``w:gridSpan``) that many columns;
- ``frame``: a whole interview (2,000 turns) inside a one-cell table (a
  frame around the text).

Usage::

    python benchmarks/docx_tables.py                       # every case
    python benchmarks/docx_tables.py merged-1200 span-5000000
    python benchmarks/docx_tables.py --src ../main/src      # another copy of codingkit

Not run by the tests (they read the same kinds of tables, smaller).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MB = 1_000_000
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _body(path: Path, body: str) -> None:
    """A .docx of python-docx's template whose body is ``body`` (XML)."""
    import zipfile

    import docx

    d = docx.Document()
    d.add_paragraph("PLACEHOLDER")
    d.save(path)
    with zipfile.ZipFile(path) as z:
        members = {n: z.read(n) for n in z.namelist()}
    xml = members["word/document.xml"].decode("utf-8")
    start = xml.index("<w:body>") + len("<w:body>")
    end = xml.index("<w:sectPr")
    members["word/document.xml"] = (xml[:start] + body + xml[end:]).encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)


def _p(text: str) -> str:
    return f'<w:p><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>'


def _tc(content: str, props: str = "") -> str:
    return f"<w:tc>{f'<w:tcPr>{props}</w:tcPr>' if props else ''}{content}</w:tc>"


def merged(folder: Path, rows: int, block: int | None = None, merge: bool = True) -> Path:
    """``Tid | Talare | Text``, the speaker cell merged over ``block`` rows (all if
    None); with ``merge=False`` each row names its speaker in a cell of its own."""
    names = ("Maria", "Eva")
    out = [_p("Intervju (fiktiv)"), "<w:tbl><w:tblGrid>"
           + '<w:gridCol w:w="1500"/><w:gridCol w:w="1500"/><w:gridCol w:w="6000"/>'
           + "</w:tblGrid>"]
    block = block or rows
    for i in range(rows):
        start = i % block == 0
        speaker = (_tc(_p(names[(i // block) % 2])) if not merge
                   else _tc(_p(names[(i // block) % 2]), '<w:vMerge w:val="restart"/>') if start
                   else _tc("<w:p/>", "<w:vMerge/>"))
        out.append(f"<w:tr>{_tc(_p(f'{i // 3600:02d}:{i // 60 % 60:02d}:{i % 60:02d}'))}"
                   f"{speaker}{_tc(_p(f'Mening nummer {i} om upphandlingen.'))}</w:tr>")
    out.append("</w:tbl>")
    p = folder / f"sammanslagen_{rows}.docx"
    _body(p, "".join(out))
    return p


def span(folder: Path, columns: int) -> Path:
    body = (_p("I: Hur började ni?") + _p("IP: Med en dialog.")
            + "<w:tbl><w:tr>" + _tc(_p("Budget"))
            + _tc(_p("3 miljoner"), f'<w:gridSpan w:val="{columns}"/>') + "</w:tr></w:tbl>")
    p = folder / f"spann_{columns}.docx"
    _body(p, body)
    return p


def frame(folder: Path, turns: int) -> Path:
    inside = _p("Projekt: Innovationsupphandling Syd") + "".join(
        _p(f"I: Fråga {i}?") if i % 2 == 0 else _p(f"IP: Svar {i} om dialogen.")
        for i in range(turns))
    p = folder / "ram.docx"
    _body(p, "<w:tbl><w:tr>" + _tc(inside) + "</w:tr></w:tbl>")
    return p


CASES = {
    "merged-600": lambda d: merged(d, 600),
    "merged-1200": lambda d: merged(d, 1200),
    "merged-100000": lambda d: merged(d, 100_000),
    "merged-blocks-100000": lambda d: merged(d, 100_000, 4),
    "unmerged-100000": lambda d: merged(d, 100_000, 4, merge=False),
    "span-5000000": lambda d: span(d, 5_000_000),
    "span-2000000000": lambda d: span(d, 2_000_000_000),
    "frame": lambda d: frame(d, 2_000),
}

READ = """
import sys, warnings
from codingkit import CodingkitError
from codingkit.readers import read_transcript
warnings.simplefilter("ignore")
try:
    [t] = read_transcript(sys.argv[1])
except CodingkitError as exc:
    print(str(exc).replace(sys.argv[1], "FILE"))
else:
    names = sorted({x.speaker for x in t.turns if x.speaker})
    print(f"{len(t.turns):,} turns, speakers {', '.join(names[:4]) or '-'}")
"""


def run(path: Path, src: Path, timeout: float) -> tuple[str, float, float]:
    """What was read (or the error), peak RSS in MB, wall seconds."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    out = path.parent / "out.txt"
    with open(out, "w") as fh:
        t0 = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-c", READ, str(path)], stdout=fh,
                                stderr=subprocess.STDOUT, env=env)
        while True:
            pid, _, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - t0 > timeout:
                proc.kill()
                _, _, usage = os.wait4(proc.pid, 0)
                fh.write(f"stopped after {timeout:.0f} s\n")
                break
            time.sleep(0.02)
        wall = time.perf_counter() - t0
    proc.returncode = 0  # reaped above
    lines = [ln for ln in out.read_text(errors="replace").splitlines() if ln.strip()]
    return (lines[-1] if lines else ""), usage.ru_maxrss / 1024, wall


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("cases", nargs="*", metavar="CASE",
                        help=f"default: all of {', '.join(CASES)}")
    parser.add_argument("--src", type=Path, default=ROOT / "src",
                        help="the codingkit to measure (a src folder; default: this one)")
    parser.add_argument("--timeout", type=float, default=300, help="seconds per case")
    parser.add_argument("--make", type=Path, metavar="FOLDER", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.make:  # (in a process of its own: a child forked from a process that has
        # made a large input would count that process's memory in its peak)
        print(CASES[args.cases[0]](args.make))
        return
    unknown = [c for c in args.cases if c not in CASES]
    if unknown:
        parser.error(f"unknown case {', '.join(unknown)}; choose from {', '.join(CASES)}")
    base = Path(tempfile.mkdtemp(prefix="codingkit-docx-tables-"))
    print(f"{'case':<22} {'input kB':>9} {'wall s':>7} {'peak RSS MB':>11}  read")
    try:
        for name in args.cases or list(CASES):
            folder = base / name
            folder.mkdir()
            made = subprocess.run([sys.executable, __file__, name, "--make", str(folder)],
                                  check=True, capture_output=True, text=True)
            path = Path(made.stdout.strip())
            what, rss, wall = run(path, args.src.resolve(), args.timeout)
            print(f"{name:<22} {path.stat().st_size / 1000:>9.1f} {wall:>7.2f} {rss:>11.0f}  "
                  f"{what[:140]}", flush=True)
            shutil.rmtree(folder)
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
