"""Word transcripts (``.docx``), read with python-docx.

The paragraphs are joined with ``\\n`` into ``Transcript.text`` and read with
the same turn rules as plain text (see :mod:`codingkit.readers.text`), so
``Turn.line`` is the line in that text (one line per paragraph, unless a
paragraph holds manual line breaks).

Tables
------
* A two-column table before the first turn is metadata
  (``Projekt | Innovationsupphandling Syd``) and not part of the text.
* A table with one row per turn (``Talare | Text`` or ``Tid | Talare |
  Text``) is a transcript: each row becomes a line ``"[tid] Talare: text"``.
* Any other table after the first turn is kept as text, one line per row
  with cells joined by ``" | "``, so that nothing the respondent said is
  lost.

Content controls
----------------
Interview templates often put each answer in a content control
(*innehållskontroll*: ``w:sdt``), around paragraphs, a table, rows, cells
or a few words inside a paragraph, sometimes one inside another. Their text
is read where it stands, as if the control were not there (python-docx
alone skips it). Two kinds are left out: a field still showing its
placeholder text (*Klicka eller tryck här för att ange text.*: nothing
was written in it) and a table of contents (*innehållsförteckning*), which
repeats the headings.
"""

from __future__ import annotations

import io
import os
import re
import warnings
from collections import Counter
from pathlib import Path
from typing import Iterable, Mapping

from ..errors import CodingkitWarning, InputError
from ..model import Transcript
from .encoding import normalise_text, read_bytes, sha256_of
from .limits import check_unpacked_size, max_bytes, too_large
from .text import (_NAME, HEADER_KEYS, _is_note, is_known_code, metadata_key, parse_turns,
                   turns_and_metadata)


def _without_entities(data: bytes, path: str | os.PathLike[str]) -> bytes:
    """The .docx with the entity references of its document.xml replaced.

    Word never writes a DTD. A document.xml that declares entities would
    otherwise lose the rest of a run's text at the first reference
    (python-docx keeps the reference as a node and reads the text before
    it only). Internal entities (``<!ENTITY x "text">``) are replaced by
    their text; external ones (``SYSTEM "file:..."``, never fetched) and
    undefined or nested ones are left out, with a warning naming them.
    """
    import zipfile

    from lxml import etree

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        xml = archive.read("word/document.xml")
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, RuntimeError):
        return data  # python-docx says what is wrong
    if b"<!DOCTYPE" not in xml[:4096] and b"<!ENTITY" not in xml:
        return data
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False)
    try:
        root = etree.fromstring(xml, parser)
    except etree.XMLSyntaxError:
        return data
    dtd = root.getroottree().docinfo.internalDTD
    values = {}
    for ent in (dtd.iterentities() if dtd is not None else ()):
        if ent.content is not None and "&" not in ent.content and "<" not in ent.content:
            values[ent.name] = ent.content
    nodes = list(root.iter(etree.Entity))
    # a few bytes of references may stand for far more text (one 1 MB entity referenced
    # 180 times in a 77 kB .docx): the text they expand to counts against the same limit
    # as the unpacked archive, before any of it is made
    expanded = len(xml) + sum(len(values.get(node.name, "").encode("utf-8")) for node in nodes)
    if expanded > max_bytes(path):
        raise too_large(path, expanded, "with its XML entities expanded, the document is")
    left_out: dict[str, None] = {}
    # the text of each reference goes where it stood: after the element before it
    # (its tail) or at the start of its parent (its text). Collected first and set
    # once per place: adding to a tail one reference at a time copies the tail
    # each time (40,000 references in one run took 3 s, 200,000 took 48 s)
    joined: dict[tuple[object, str], list[str]] = {}
    for node in nodes:
        name = node.name
        if name not in values:
            left_out[f"&{name};"] = None
        parent = node.getparent()
        prev = node.getprevious()
        place = (prev, "tail") if prev is not None else (parent, "text")
        if place not in joined:
            joined[place] = [getattr(*place) or ""]
        joined[place] += [values.get(name, ""), node.tail or ""]
        parent.remove(node)  # (its tail goes with it)
    for (element, attr), parts in joined.items():
        setattr(element, attr, "".join(parts))
    if left_out:
        warnings.warn(CodingkitWarning(
            f"the document declares XML entities that cannot be read safely "
            f"({', '.join(list(left_out)[:5])}); left out of the text, the rest of the text "
            "is read", path=path), stacklevel=4)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
        for info in archive.infolist():
            body = (etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                   standalone=True)
                    if info.filename == "word/document.xml" else archive.read(info))
            new.writestr(info, body)
    return out.getvalue()


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_ROW_OR_CELL = (_W + "tr", _W + "tc")


def _on(flag) -> bool:
    """Whether an on/off property (``<w:showingPlcHdr/>``) is there and not turned off."""
    return flag is not None and flag.get(_W + "val", "true").lower() not in ("0", "false", "off")


def _without_content_controls(body) -> None:
    """Replace each content control (``w:sdt``) in ``body`` by its content, in place.

    A control may stand for paragraphs and tables (in the body, in a cell, in
    another control), rows of a table, cells of a row, or runs of a
    paragraph; its content (``w:sdtContent``) holds elements of that same
    level, so put in its place they are read like any others: paragraphs,
    tables, rows, merged cells and runs alike. A control showing its
    placeholder text (``w:showingPlcHdr``) or holding a table of contents
    (``w:docPartGallery`` "Table of Contents") is removed, unless it holds
    rows or cells. No recursion: a control inside a control is met later in
    the same loop (the list is in document order), and each element is
    moved once (60,000 controls: 0.5 s).
    """
    for sdt in list(body.iter(_W + "sdt")):
        props = sdt.find(_W + "sdtPr")
        content = sdt.find(_W + "sdtContent")
        if props is not None and content is not None and (
                _on(props.find(_W + "showingPlcHdr"))
                or any(g.get(_W + "val", "").casefold() == "table of contents"
                       for g in props.iter(_W + "docPartGallery"))):
            # (a control around rows or cells is kept whatever it says: left out,
            # it would shift the columns of its table)
            if not any(child.tag in _ROW_OR_CELL for child in content):
                content = None
        for child in (list(content) if content is not None else ()):
            sdt.addprevious(child)
        sdt.getparent().remove(sdt)


def _open_document(data: bytes, path: str | os.PathLike[str]):
    import docx  # python-docx

    check_unpacked_size(data, path)
    data = _without_entities(data, path)
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
    lines: list[str] = []
    kv_tables: list[tuple[int, list[list[str]]]] = []  # (lines before the table, rows)
    table_speakers: list[str] = []  # names in transcript tables count as speakers
    try:
        _without_content_controls(document.element.body)
        for block in document.iter_inner_content():
            if isinstance(block, Table):
                rows = _table_rows(block)
                speech = _transcript_table_lines(rows)
                if speech is not None:
                    lines.extend(line for line, _ in speech)
                    table_speakers.extend(name for _, name in speech)
                elif rows:
                    kv_tables.append((len(lines), rows))
            else:
                lines.extend(normalise_text(block.text).split("\n"))
    except Exception as exc:
        raise InputError(f"not a valid Word .docx file ({type(exc).__name__})", path=path,
                         code="E106") from None
    known = [k for k in (*known_speakers, (metadata or {}).get("interviewer", ""),
                         *table_speakers) if k]
    parsed = parse_turns("\n".join(lines), speaker_pattern=speaker_pattern, known_speakers=known)
    first_line = parsed.first_turn_line if parsed.first_turn_line is not None else len(lines)
    # tables before the first turn are metadata; later ones are kept as text
    table_meta: dict[str, str] = {}
    for before, rows in kv_tables:
        if before <= first_line:
            for row in rows:
                if len(row) == 2 and row[0].rstrip(":").strip() and row[1]:
                    table_meta.setdefault(metadata_key(row[0].rstrip(":")), row[1])
    for before, rows in reversed(kv_tables):  # from the end, so positions stay valid
        if before > first_line:
            lines[before:before] = [" | ".join(row) for row in rows]
    text = normalise_text("\n".join(lines))
    if not text.strip():
        raise InputError("empty file (no text in the document)", path=path, code="E102")
    turns, meta, _ = turns_and_metadata(text, path, speaker_pattern=speaker_pattern,
                                        known_speakers=known)
    for key, value in table_meta.items():
        meta.setdefault(key, value)
    return Transcript(source=source, text=text, turns=turns, metadata=meta, format="docx",
                      path=Path(path), sha256=sha256_of(data))


def _table_rows(table) -> list[list[str]]:
    """The rows of a table as cell texts (merged cells counted once, blank rows dropped)."""
    rows = []
    for row in table.rows:
        cells = [" ".join(normalise_text(c.text).split()) for c in row.cells]
        distinct = [c for i, c in enumerate(cells) if i == 0 or c != cells[i - 1]]
        if any(distinct):
            rows.append(distinct)
    return rows


_SPEAKER_HEADINGS = {"talare", "speaker", "namn", "name", "person", "vem", "roll"}
_NAME_RE = re.compile(rf"{_NAME}")
_TIME_RE = re.compile(r"[\[(]?\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?[\])]?")


def _transcript_table_lines(rows: list[list[str]]) -> list[tuple[str, str]] | None:
    """``("[time] Name: text", name)`` per row if the table is a transcript, else ``None``.

    Some transcribers write a transcript as a table with one row per turn:
    ``Talare | Text`` or ``Tid | Talare | Text``. Such a table counts as a
    transcript when its name column holds short names, at least one of which
    recurs or is a known code.
    """
    if rows and len(rows[0]) in (2, 3) and rows[0][-2].casefold() in _SPEAKER_HEADINGS:
        rows = rows[1:]
    if len(rows) < 2 or any(len(r) not in (2, 3) for r in rows):
        return None
    names = [r[-2].strip("*: ") for r in rows]
    if not all(_NAME_RE.fullmatch(n) and not _is_note(n) for n in names):
        return None
    counts = Counter(n.casefold() for n in names)
    if not (any(c >= 2 for c in counts.values()) or any(is_known_code(n) for n in names)):
        return None
    if sum(n.casefold() in HEADER_KEYS for n in names) * 2 >= len(names):
        return None
    out = []
    for r, name in zip(rows, names):
        stamp = r[0].strip("[]() ") if len(r) == 3 and _TIME_RE.fullmatch(r[0]) else None
        out.append(((f"[{stamp}] " if stamp else "") + f"{name}: {r[-1]}", name))
    return out
