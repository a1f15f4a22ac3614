"""Word transcripts (``.docx``), read with python-docx.

The paragraphs are joined with ``\\n`` into ``Transcript.text`` and read with
the same turn rules as plain text (see :mod:`codingkit.readers.text`), so
``Turn.line`` is the line in that text (one line per paragraph, unless a
paragraph holds manual line breaks). Two-column tables before the first
turn are read as metadata (``Projekt | Innovationsupphandling Syd``); they
are not part of the text.
"""

from __future__ import annotations

import io
import os
import re
from pathlib import Path
from typing import Iterable, Mapping

from ..errors import InputError
from ..model import Transcript
from .encoding import normalise_text, read_bytes, sha256_of
from .text import metadata_key, turns_and_metadata


def _open_document(data: bytes, path: str | os.PathLike[str]):
    import docx  # python-docx

    try:
        return docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises zip, KeyError and XML errors alike
        kind = type(exc).__name__
        raise InputError(f"not a valid Word .docx file ({kind}); expected a document saved "
                         "by Word or LibreOffice as .docx", path=path, code="E106") from None


def read_docx(
    path: str | os.PathLike[str],
    source: str,
    *,
    speaker_pattern: str | re.Pattern[str] | None = None,
    known_speakers: Iterable[str] = (),
    metadata: Mapping[str, str] | None = None,
) -> Transcript:
    """Read a Word transcript (roles not yet assigned).

    Parameters are those of :func:`codingkit.readers.text.read_text`.

    Raises
    ------
    InputError
        ``E106`` if the file is not a readable .docx (e.g. corrupt, or a
        renamed .doc).
    """
    from docx.table import Table

    data = read_bytes(path)
    document = _open_document(data, path)
    paragraphs: list[str] = []
    tables: list[tuple[int, Table]] = []  # (paragraphs before the table, table)
    try:
        for block in document.iter_inner_content():
            if isinstance(block, Table):
                tables.append((len(paragraphs), block))
            else:
                paragraphs.append(block.text)
    except Exception as exc:
        raise InputError(f"not a valid Word .docx file ({type(exc).__name__})", path=path,
                         code="E106") from None
    text = normalise_text("\n".join(paragraphs))
    known = [*known_speakers, (metadata or {}).get("interviewer", "")]
    turns, meta, first_line = turns_and_metadata(text, path, speaker_pattern=speaker_pattern,
                                                 known_speakers=[k for k in known if k])
    # the line of the first turn, counted in paragraphs
    first_para = (text.count("\n", 0, turns[0].start) if first_line is not None else len(paragraphs))
    for before, table in tables:
        if before > first_para:
            continue
        for key, value in _table_pairs(table):
            meta.setdefault(metadata_key(key), value)
    return Transcript(source=source, text=text, turns=turns, metadata=meta, format="docx",
                      path=Path(path), sha256=sha256_of(data))


def _table_pairs(table) -> list[tuple[str, str]]:
    """``(key, value)`` rows of a two-column table; other tables give nothing."""
    pairs = []
    for row in table.rows:
        cells = [normalise_text(c.text).strip() for c in row.cells]
        # merged cells repeat; keep distinct neighbours
        distinct = [c for i, c in enumerate(cells) if i == 0 or c != cells[i - 1]]
        if len(distinct) != 2:
            return []
        key, value = distinct[0].rstrip(":").strip(), distinct[1]
        if key and value:
            pairs.append((key, value))
    return pairs
