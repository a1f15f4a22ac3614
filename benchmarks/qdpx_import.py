"""Time and peak memory of ``codingkit import-project`` on hostile .qdpx files.

Builds the fuzz tester's inputs in a temporary folder and runs each import
as a separate process under ``/usr/bin/time -v`` (Linux), printing the
wall time, peak RSS and the size of the folder written:

* ``mem_N``: N selections, each covering (almost) all of a 2 MB source,
  without names (each kept its own copy of the text: 200 took 2.5 GB);
* ``absent_N``: N selections named by labels not in a 1 MB source (every
  name was searched for in the whole source, twice);
* ``whole_N``: N selections over all of a 10 MB source, named by its start
  and "..." (each comparison normalised the whole span).

    python benchmarks/qdpx_import.py            # all
    python benchmarks/qdpx_import.py mem_200
"""

from __future__ import annotations

import random
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
G = "00000000-0000-4000-8000-{:012d}".format
WORDS = ["upphandling", "leverantör", "dialog", "kommun", "avtal", "behov", "pilot"]


def _text(mb: float) -> str:
    rnd = random.Random(1)
    lines = []
    size = 0
    while size < mb * 2**20:
        line = "IP: " + " ".join(f"{rnd.choice(WORDS)}{rnd.randint(0, 99)}"
                                 for _ in range(15)) + ".\n"
        lines.append(line)
        size += len(line)
    return "".join(lines)


def _qdpx(path: Path, text: str, sels: list[tuple[int, int, str | None]]) -> Path:
    xml = "".join(
        f'<PlainTextSelection guid="{G(10000 + 2 * i)}"'
        + (f' name="{name}"' if name is not None else "")
        + f' startPosition="{s}" endPosition="{e}"><Coding guid="{G(10001 + 2 * i)}">'
        f'<CodeRef targetGUID="{G(1)}"/></Coding></PlainTextSelection>'
        for i, (s, e, name) in enumerate(sels))
    qde = (f'<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" '
           f'name="P"><CodeBook><Codes><Code guid="{G(1)}" name="A" isCodable="true"/></Codes>'
           f'</CodeBook><Sources><TextSource guid="{G(100)}" name="s" '
           f'plainTextPath="internal://a.txt">{xml}</TextSource></Sources></Project>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("project.qde", qde)
        z.writestr("sources/a.txt", text)
    return path


def cases(folder: Path):
    t2 = _text(2)
    for n in (200, 1500):
        yield f"mem_{n}", lambda n=n: _qdpx(folder / f"mem_{n}.qdpx", t2,
                                            [(0, len(t2) - i, None) for i in range(n)])
    t1 = _text(1)
    yield "absent_20000", lambda: _qdpx(folder / "absent.qdpx", t1,
                                        [(0, 5, f"finns inte {i} zzz") for i in range(20000)])
    t10 = _text(10)
    head = t10[:40].replace("\n", " ") + "..."
    yield "whole_20", lambda: _qdpx(folder / "whole.qdpx", t10,
                                    [(0, len(t10), head) for _ in range(20)])


def measure(qdpx: Path, out: Path) -> str:
    r = subprocess.run(["/usr/bin/time", "-v", sys.executable, "-m", "codingkit",
                        "import-project", str(qdpx), "--out", str(out)],
                       capture_output=True, text=True, env={"PYTHONPATH": str(SRC),
                                                            "PATH": "/usr/bin:/bin"})
    wall = re.search(r"Elapsed \(wall clock\) time.*: (\S+)", r.stderr)
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", r.stderr)
    written = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    return (f"exit {r.returncode}, {wall.group(1) if wall else '?'} wall, "
            f"{int(rss.group(1)) / 1024:,.0f} MB peak RSS, {written / 2**20:,.1f} MB written")


def main(argv: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name, build in cases(folder):
            if argv and name not in argv:
                continue
            print(f"{name}: {measure(build(), folder / ('out_' + name))}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
