"""Build a sample-corpus Word file (.docx) from a plain-text description.

Usage::

    python transcripts/_build/make_docx.py SOURCE.txt OUT.docx

SOURCE.txt (UTF-8) has ``Key: value`` header lines, one blank line, then the
body. Header lines become a two-column table (key, value) at the top of the
document; every non-empty body line becomes one paragraph, written exactly as
it stands (e.g. ``Intervjuare: Hur började det?``). Blank body lines are
skipped, so a speaker's answer over two paragraphs is simply two lines, the
second without a speaker label.

The output is deterministic (fixed core-property dates), so rebuilding an
unchanged source gives the same document text.
"""

from __future__ import annotations

import datetime as _dt
import sys
from pathlib import Path

from docx import Document


def parse_source(path: Path) -> tuple[list[tuple[str, str]], list[str]]:
    """Split a source file into header pairs and body paragraphs.

    Parameters
    ----------
    path:
        The UTF-8 source file.

    Returns
    -------
    tuple
        ``(header, paragraphs)``: a list of ``(key, value)`` pairs and a list
        of paragraph strings.
    """
    lines = path.read_text(encoding="utf-8").splitlines()
    header: list[tuple[str, str]] = []
    i = 0
    while i < len(lines) and lines[i].strip():
        key, sep, value = lines[i].partition(":")
        if not sep:
            raise SystemExit(f"{path}:{i + 1}: expected a 'Key: value' header line")
        header.append((key.strip(), value.strip()))
        i += 1
    paragraphs = [ln.rstrip() for ln in lines[i:] if ln.strip()]
    return header, paragraphs


def build(source: Path, out: Path) -> None:
    """Write ``out`` (.docx) from ``source``: metadata table, then paragraphs."""
    header, paragraphs = parse_source(source)
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
    for text in paragraphs:
        doc.add_paragraph(text)
    out.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(out))


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print("usage: python transcripts/_build/make_docx.py SOURCE.txt OUT.docx", file=sys.stderr)
        return 2
    build(Path(argv[1]), Path(argv[2]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
