"""Peak memory and wall time of ``codingkit apply`` on hostile and huge inputs.

Each input is generated in a temporary folder and coded by
``python -m codingkit apply INPUT --out OUT --quiet`` run as a separate
process, as a researcher runs it; its peak resident memory is read from
the kernel (``os.wait4``'s ``ru_maxrss`` of that one child). Prints one row
per case: the input's size on disk, the exit status, the first line of
stderr (the refusal, if any), the peak RSS and the wall time.

Cases (issue 16):

- ``transcript-200mb``: one 200 MB plain-text transcript;
- ``transcript-at-limit``: one transcript just under the default file limit
  (what the largest accepted transcript costs);
- ``turn-50mb``: one 50 MB turn (a file without speaker labels);
- ``turn-at-limit``: one turn just under the default turn limit;
- ``survey-1m``: a survey CSV of 1,000,000 rows (~206 MB), with the default
  limit and (``survey-1m-raised``) with the limit raised to read it;
- ``survey-at-limit``: a survey just under the default survey limit;
- ``docx-bomb``: a .docx whose document.xml unpacks to 1 GiB (a zip bomb);
- ``docx-300mb``: a .docx with 300 MB of paragraphs;
- ``docx-at-limit``: a .docx whose paragraphs unpack to just under the limit;
- ``xlsx-1gb-strings``: an .xlsx with 1 GB of shared strings;
- ``xlsx-at-limit``: an .xlsx whose shared strings unpack to just under the
  survey limit.

The goal: under 1.5 GB each, the survey in under 2 minutes.

Usage::

    python benchmarks/hostile_memory.py                    # every case
    python benchmarks/hostile_memory.py survey-1m docx-bomb
    python benchmarks/hostile_memory.py --keep             # keep the inputs (prints where)

Not run by the tests (they run the same refusals on small files, with the
limits lowered through the same environment variables).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MB = 1_000_000

HEADER = "Projekt: Innovationsupphandling Syd\nOmgång: 1\nRoll: upphandlare\n\n"
WORDS = ("vi bjöd in leverantörerna tidigt och förde en dialog om behoven innan vi skrev "
         "kravspecifikationen för upphandlingen av den nya lösningen som kommunen behövde "
         "eftersom marknaden inte hade något färdigt att erbjuda oss").split()


def _sentence(rng: random.Random, n: int = 14) -> str:
    words = [rng.choice(WORDS) for _ in range(n)]
    return words[0].capitalize() + " " + " ".join(words[1:]) + "."


def _write_lines(path: Path, size: int, line) -> None:
    """Write lines made by ``line(i)`` until ``size`` bytes."""
    written = 0
    with open(path, "w", encoding="utf-8") as fh:
        i = 0
        chunk: list[str] = []
        while written < size:
            s = line(i)
            chunk.append(s)
            written += len(s.encode("utf-8"))
            i += 1
            if len(chunk) >= 10_000:
                fh.write("".join(chunk))
                chunk = []
        fh.write("".join(chunk))


def transcript(folder: Path, size: int) -> Path:
    rng = random.Random(1)
    p = folder / "intervju.txt"
    p.write_text(HEADER, encoding="utf-8")
    tmp = folder / "body.txt"
    _write_lines(tmp, size, lambda i: (f"I: {_sentence(rng, 8)[:-1]}?\n" if i % 2 == 0 else
                                        f"IP: {_sentence(rng)} {_sentence(rng)}\n"))
    with open(p, "ab") as out, open(tmp, "rb") as src:
        shutil.copyfileobj(src, out)
    tmp.unlink()
    return p


def one_turn(folder: Path, size: int) -> Path:
    rng = random.Random(2)
    p = folder / "monolog.txt"
    _write_lines(p, size, lambda i: _sentence(rng) + (" " if i % 20 else "\n\n"))
    return p


def survey(folder: Path, rows: int) -> Path:
    rng = random.Random(3)
    p = folder / "enkat.csv"
    projects = ["Innovationsupphandling Syd", "Region Östergötland", "Västra Götaland"]
    roles = ["upphandlare", "leverantör", "projektledare", "förvaltningschef"]
    with open(p, "w", encoding="utf-8") as fh:
        fh.write("id;projekt;omgång;roll;svar\n")
        for i in range(1, rows + 1):
            fh.write(f"R{i};{projects[i % 3]};{1 + i % 2};{roles[i % 4]};"
                     f"{_sentence(rng)} {_sentence(rng, 9)}\n")
    return p


def _docx_members() -> dict[str, bytes]:
    import docx

    d = docx.Document()
    d.add_paragraph("PLACEHOLDER")
    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / "a.docx"
        d.save(p)
        with zipfile.ZipFile(p) as z:
            return {n: z.read(n) for n in z.namelist()}


def _write_zip_streaming(path: Path, members: dict[str, bytes], big_name: str,
                         big_parts) -> None:
    """A zip whose ``big_name`` member is written from the byte chunks of ``big_parts``."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, data in members.items():
            if name != big_name:
                z.writestr(name, data)
        with z.open(big_name, "w", force_zip64=True) as fh:
            for part in big_parts:
                fh.write(part)


def docx_bomb(folder: Path, size: int) -> Path:
    """document.xml of ``size`` bytes, mostly one long run of spaces (compresses ~1000:1)."""
    members = _docx_members()
    xml = members["word/document.xml"]
    head, tail = xml.split(b"PLACEHOLDER")
    p = folder / "bomb.docx"
    block = b" " * MB

    def parts():
        yield head
        for _ in range(size // MB):
            yield block
        yield tail

    _write_zip_streaming(p, members, "word/document.xml", parts())
    return p


def docx_paragraphs(folder: Path, size: int) -> Path:
    """document.xml of ``size`` bytes of real paragraphs (speaker turns)."""
    members = _docx_members()
    xml = members["word/document.xml"]
    start = xml.index(b"<w:p>") if b"<w:p>" in xml else xml.index(b"<w:p ")
    end = xml.index(b"</w:p>", start) + len(b"</w:p>")
    head, tail = xml[:start], xml[end:]
    p = folder / "lang.docx"
    para = ("<w:p><w:r><w:t xml:space=\"preserve\">IP: {}</w:t></w:r></w:p>")
    rng = random.Random(4)
    chunk = "".join(para.format(_sentence(rng)) for _ in range(2000)).encode("utf-8")

    def parts():
        yield head
        for _ in range(size // len(chunk)):
            yield chunk
        yield tail

    _write_zip_streaming(p, members, "word/document.xml", parts())
    return p


def xlsx_strings(folder: Path, size: int) -> Path:
    """An .xlsx whose sharedStrings.xml holds ``size`` bytes of strings."""
    import pandas as pd

    src = folder / "src.xlsx"
    pd.DataFrame({"svar": ["Bra dialog"]}).to_excel(src, index=False)
    with zipfile.ZipFile(src) as z:
        members = {n: z.read(n) for n in z.namelist()}
    src.unlink()
    p = folder / "strangar.xlsx"
    head = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="http://'
            b'schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">')
    item = b"<si><t>" + b"Bra dialog med leverant\xc3\xb6rerna. " * 200 + b"</t></si>"

    def parts():
        yield head
        for _ in range(size // len(item)):
            yield item
        yield b"</sst>"

    _write_zip_streaming(p, members, "xl/sharedStrings.xml", parts())
    return p


def _limit_mb(name: str) -> float:
    from codingkit.readers.limits import DEFAULTS

    return float(os.environ.get(name) or DEFAULTS[name])


CASES = {
    "transcript-200mb": lambda d: transcript(d, 200 * MB),
    "transcript-at-limit": lambda d: transcript(
        d, int(_limit_mb("CODINGKIT_MAX_FILE_MB") * MB * 0.98)),
    # the file limit raised, so that the turn limit is what is measured
    "turn-50mb": lambda d: (one_turn(d, 50 * MB), {"CODINGKIT_MAX_FILE_MB": "60"}),
    "turn-at-limit": lambda d: one_turn(d, int(_limit_mb("CODINGKIT_MAX_TURN_MB") * MB * 0.95)),
    # refused by default (over CODINGKIT_MAX_SURVEY_MB); measured with the limit raised
    "survey-1m": lambda d: survey(d, 1_000_000),
    "survey-1m-raised": lambda d: (survey(d, 1_000_000), {"CODINGKIT_MAX_SURVEY_MB": "250"}),
    "survey-at-limit": lambda d: survey(
        d, int(_limit_mb("CODINGKIT_MAX_SURVEY_MB") * MB * 0.95 / 206)),
    "docx-bomb": lambda d: docx_bomb(d, 1024 ** 3),
    "docx-300mb": lambda d: docx_paragraphs(d, 300 * MB),
    "docx-at-limit": lambda d: docx_paragraphs(
        d, int(_limit_mb("CODINGKIT_MAX_FILE_MB") * MB * 0.95)),
    "xlsx-1gb-strings": lambda d: xlsx_strings(d, 1000 * MB),
    "xlsx-at-limit": lambda d: xlsx_strings(
        d, int(_limit_mb("CODINGKIT_MAX_SURVEY_MB") * MB * 0.95)),
}


def run(path: Path, out: Path, env: dict[str, str] | None = None
        ) -> tuple[int, str, float, float]:
    """Exit status, first stderr line, peak RSS in MB, wall seconds of one apply."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), **(env or {})}
    err = out.parent / "stderr.txt"
    with open(err, "w") as fh:
        t0 = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "codingkit", "apply", str(path),
                                 "--out", str(out), "--quiet", "--force"],
                                stdout=subprocess.DEVNULL, stderr=fh, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    lines = [ln for ln in err.read_text(errors="replace").splitlines() if ln.strip()]
    first = next((ln for ln in lines if ln.startswith("Error")), lines[0] if lines else "")
    return proc.returncode, first, usage.ru_maxrss / 1024, wall


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("cases", nargs="*", metavar="CASE",
                        help=f"default: all of {', '.join(CASES)}")
    parser.add_argument("--keep", action="store_true", help="keep the generated inputs")
    args = parser.parse_args(argv)
    unknown = [c for c in args.cases if c not in CASES]
    if unknown:
        parser.error(f"unknown case {', '.join(unknown)}; choose from {', '.join(CASES)}")
    sys.path.insert(0, str(ROOT / "src"))
    names = args.cases or list(CASES)
    base = Path(tempfile.mkdtemp(prefix="codingkit-hostile-"))
    print(f"{'case':<20} {'input MB':>9} {'exit':>4} {'peak RSS MB':>11} {'wall s':>7}  message")
    try:
        for name in names:
            folder = base / name
            folder.mkdir()
            t0 = time.perf_counter()
            made = CASES[name](folder)
            path, env = made if isinstance(made, tuple) else (made, {})
            made = time.perf_counter() - t0
            code, message, rss, wall = run(path, folder / "out", env)
            message = message.replace(str(folder) + os.sep, "")
            print(f"{name:<20} {path.stat().st_size / MB:>9.1f} {code:>4} {rss:>11.0f} "
                  f"{wall:>7.1f}  {message[:160]}"
                  + (f"  [{' '.join(f'{k}={v}' for k, v in env.items())}]" if env else ""),
                  flush=True)
            if not args.keep:
                shutil.rmtree(folder)
    finally:
        if args.keep:
            print(f"inputs kept in {base}")
        else:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
