"""Peak memory of importing hostile or very large ``.qdpx`` projects.

Generates REFI-QDA archives in a temporary folder and imports each in a
child process (``codingkit import-project``, as a researcher runs it), then
prints the archive size, the size its source expands to, the wall time, the
peak resident memory (RSS) of the child, and how the import ended:

- ``50MB``: a ~0.4 MB archive whose one source expands to 50 MB of Swedish
  interview text (compressed ~120 times, under the 200x zip-bomb limit), with
  300 coded selections;
- ``50MB-crlf-nfd``: the same with ``\\r\\n`` line endings and decomposed
  å/ä/ö (as macOS tools write them), so the offset table is really needed;
- ``500MiB``: a ~4 MB archive under both archive limits (one 500 MiB
  source), refused by the per-source limit;
- ``bomb``: a 1 GiB entry (refused, E533).

Issue 16's target: under 1.5 GB each (before: 4.45 GB for ``50MB``; the
``500MiB`` archive was killed by the kernel at 24.3 GB).

Usage::

    python benchmarks/qdpx_memory.py                  # all
    python benchmarks/qdpx_memory.py --only 50MB

Not run by the tests.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
import unicodedata
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MB = 1_000_000

SENTENCES = [
    "Vi bjöd in leverantörerna till en träff innan vi skrev underlaget.",
    "Det var så vi förstod vad marknaden kunde erbjuda.",
    "Vi började med att kartlägga vad personalen faktiskt behövde.",
    "Ärligt talat var överprövningen det vi var mest rädda för.",
    "Sedan skrev vi funktionskrav i stället för produktkrav.",
    "Ledningen trodde på idén från början, och det hjälpte oss mycket.",
]

GUID_CODE = "c0de0000-0000-4000-8000-000000000001"
GUID_SRC = "5a5a5a5a-0000-4000-8000-000000000001"
GUID_USER = "11111111-1111-4111-8111-111111111111"


def _text(size: int, crlf: bool = False, nfd: bool = False) -> str:
    """About ``size`` characters of interview turns; every line differs a little."""
    rnd = random.Random(16)
    lines = []
    n = 0
    k = 0
    while n < size:
        k += 1
        who = "I" if k % 2 else "IP"
        line = f"{who}: {rnd.choice(SENTENCES)} ({k % 9973})"
        lines.append(line)
        n += len(line) + 1
    nl = "\r\n" if crlf else "\n"
    text = nl.join(lines) + nl
    if nfd:
        text = unicodedata.normalize("NFD", text)
    return text


def _qde(text: str, n_selections: int) -> str:
    sels = []
    step = max(len(text) // max(n_selections, 1), 1)
    pos = 0
    for i in range(n_selections):
        start = text.find("Vi bjöd in", pos)
        if start < 0:
            break
        end = start + len("Vi bjöd in leverantörerna")
        sels.append(
            f'<PlainTextSelection guid="5e1e0000-0000-4000-8000-{i:012d}" '
            f'name="Vi bjöd in leverantörerna" startPosition="{start}" endPosition="{end}" '
            f'creatingUser="{GUID_USER}"><Coding guid="c0d10000-0000-4000-8000-{i:012d}" '
            f'creatingUser="{GUID_USER}"><CodeRef targetGUID="{GUID_CODE}"/></Coding>'
            f"</PlainTextSelection>")
        pos = start + step
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<Project xmlns="urn:QDA-XML:project:1.0" name="minnesprov">'
        f'<Users><User guid="{GUID_USER}" name="Anna"/></Users>'
        f'<CodeBook><Codes><Code guid="{GUID_CODE}" name="Tidig dialog" isCodable="true"/>'
        "</Codes></CodeBook>"
        f'<Sources><TextSource guid="{GUID_SRC}" name="intervju.txt" '
        f'plainTextPath="internal://{GUID_SRC}.txt">' + "".join(sels) +
        "</TextSource></Sources></Project>")


def make_archive(folder: Path, name: str) -> tuple[Path, int]:
    """Write one benchmark archive; returns its path and the source's size in bytes."""
    path = folder / f"{name}.qdpx"
    if name == "bomb":
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
            z.writestr("project.qde", _qde("", 0))
            with z.open(f"sources/{GUID_SRC}.txt", "w", force_zip64=True) as f:
                block = b"\0" * (1 << 20)
                for _ in range(1024):
                    f.write(block)
        return path, 1 << 30
    if name == "500MiB":   # characters, so that the UTF-8 bytes stay under 500 MiB
        size, crlf, nfd, sels = 470 * 1024 * 1024, False, False, 0
    else:
        size, crlf, nfd, sels = 50 * MB, name.endswith("crlf-nfd"), name.endswith("crlf-nfd"), 300
    data = _text(size, crlf, nfd).encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("project.qde", _qde(data.decode("utf-8"), sels))
        z.writestr(f"sources/{GUID_SRC}.txt", data)
    return path, len(data)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--only", action="append", help="50MB, 50MB-crlf-nfd, 500MiB or bomb")
    ap.add_argument("--make", nargs=2, metavar=("NAME", "FOLDER"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.make:   # in a child: the parent stays small (a child's peak counts from fork)
        path, size = make_archive(Path(args.make[1]), args.make[0])
        print(size)
        return
    names = args.only or ["50MB", "50MB-crlf-nfd", "500MiB", "bomb"]
    print(f"{'archive':<15}{'zip MB':>8}{'source MB':>11}{'time s':>8}{'peak RSS MB':>13}"
          f"{'exit':>6}  result")
    with tempfile.TemporaryDirectory(prefix="qdpx_memory_") as tmp:
        folder = Path(tmp)
        for name in names:
            made = subprocess.run([sys.executable, __file__, "--make", name, str(folder)],
                                  capture_output=True, text=True, check=True)
            archive, size = folder / f"{name}.qdpx", int(made.stdout.split()[-1])
            # one child per archive, so each peak is its own (ru_maxrss of that child)
            seconds, peak, code, message = run_isolated(archive, folder / f"out_{name}")
            print(f"{name:<15}{archive.stat().st_size / MB:>8.2f}{size / MB:>11.1f}"
                  f"{seconds:>8.1f}{peak:>13.0f}{code:>6}  {message[:110]}", flush=True)
            archive.unlink()


def run_isolated(archive: Path, out: Path) -> tuple[float, float, int, str]:
    """Import ``archive`` in a child process: seconds, peak RSS (MB) of exactly that
    child (``os.wait4``), exit status and the error or last line it printed."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    with tempfile.TemporaryFile("w+") as so, tempfile.TemporaryFile("w+") as se:
        t0 = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "codingkit", "import-project",
                                 str(archive), "--out", str(out)], stdout=so, stderr=se,
                                env=env, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        so.seek(0)
        se.seek(0)
        lines = [ln for ln in (se.read() + so.read()).splitlines() if ln.strip()]
    message = next((ln for ln in lines if ln.startswith("Error")), lines[-1] if lines else "")
    return seconds, usage.ru_maxrss / 1024, proc.returncode, message


if __name__ == "__main__":
    main()
