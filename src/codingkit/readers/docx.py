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
* A table inside a table cell is read into that cell, where it stands
  among the cell's paragraphs, a row at a time with its cells joined by
  ``" | "`` (as all of a cell, it ends up on the line of the outer row).

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

Tracked changes, fields, text boxes
-----------------------------------
The document is read as it would read with all tracked changes accepted:
inserted text (``w:ins``) and text moved here (``w:moveTo``) are read where
they stand, deleted text (``w:del``) and text moved away (``w:moveFrom``)
are not. The words Word shows for a field (a page number, a hyperlink's
text: ``w:fldSimple``, and, as before, a field's result between
``w:fldChar`` marks; never its code) are read, and so are words marked as
smart tags (``w:smartTag``), custom XML (``w:customXml``) and bidirectional
runs (``w:dir``, ``w:bdo``). python-docx alone skips all of these but the
deletions and field codes, which it also leaves out.

A text box (``w:txbxContent``: a quote, a note beside the text) is read
after the paragraph that holds it, its paragraphs as lines of their own
(in a table cell: as more of that cell). Word writes each text box twice,
as a DrawingML shape (``mc:Choice``) and as a VML copy for older readers
(``mc:Fallback``); only one is read, the first that holds the box.
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


#: Elements around runs (or paragraphs, rows, cells) whose content is read
#: where it stands: tracked insertions and moves, smart tags, custom XML,
#: simple fields (their result), bidirectional runs.
_UNWRAPPED = tuple(_W + tag for tag in ("ins", "moveTo", "smartTag", "customXml", "fldSimple",
                                        "dir", "bdo"))
#: Tracked deletions and text moved away: not in the document once the
#: changes are accepted. (Inside properties, ``w:del`` and ``w:ins`` only
#: mark a paragraph mark or a row as changed; they hold no text.)
_DROPPED = (_W + "del", _W + "moveFrom")
#: The properties of an unwrapped element: not content.
_WRAPPER_PROPERTIES = frozenset(_W + tag for tag in ("smartTagPr", "customXmlPr", "fldData"))


def _with_changes_accepted(body) -> None:
    """Read ``body`` as Word shows it with its tracked changes accepted, in place.

    The content of each element of :data:`_UNWRAPPED` takes its place (its
    properties left out), so python-docx reads it as any other run,
    paragraph or row; each element of :data:`_DROPPED` is removed with its
    content, and a row marked as deleted (``w:trPr/w:del``) with its cells.
    As for content controls, no recursion: an element inside
    another is met later in the same loop (the list is in document order;
    one in a removed deletion is moved within it, never read), and each
    element is moved once.
    """
    for element in list(body.iter(*_UNWRAPPED, *_DROPPED)):
        parent = element.getparent()
        if element.tag == _W + "del" and parent.tag == _W + "trPr":
            row = parent.getparent()  # a deleted row: gone with its cells
            if row.getparent() is not None:
                row.getparent().remove(row)
            continue
        if element.tag not in _DROPPED:
            for child in list(element):
                if child.tag not in _WRAPPER_PROPERTIES:
                    element.addprevious(child)
        parent.remove(element)


_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
#: The elements whose children are paragraphs and tables (content controls
#: and custom XML are gone by now).
_BLOCK_CONTAINERS = frozenset(_W + tag for tag in ("body", "tc", "txbxContent"))


def _with_text_boxes_after_their_paragraphs(body) -> None:
    """Move the paragraphs and tables of each text box (``w:txbxContent``)
    to just after the paragraph that holds it, in place.

    python-docx reads the paragraphs of the body and of table cells only;
    a text box sits inside a run. Word writes a box twice, inside
    ``mc:AlternateContent``: a DrawingML shape (``mc:Choice``) and a VML
    copy (``mc:Fallback``). Of each ``mc:AlternateContent`` only the first
    branch holding a text box is read; a box in another branch is a copy
    and stays where it is, unread.

    The boxes are moved last first: a box later in the same paragraph goes
    right after the paragraph before an earlier one does, so they end up in
    document order; a box inside a box is moved out into the paragraphs of
    the outer box before that one is moved. (So an element is moved once
    per box it is nested in: fewer than 256 times, as the parser allows no
    document deeper than 256 elements.)
    """
    chosen: dict[object, object] = {}  # mc:AlternateContent -> the branch that is read
    boxes = []
    for box in body.iter(_W + "txbxContent"):
        node, copy = box, False
        while not copy and (parent := node.getparent()) is not None:
            if parent.tag == _MC + "AlternateContent":
                copy = chosen.setdefault(parent, node) is not node
            node = parent
        if not copy:
            boxes.append(box)
    for box in reversed(boxes):
        # the paragraph that holds the box (a box outside any paragraph, which
        # Word never writes, is read after the element around it, or itself)
        anchor = box
        while anchor.tag != _W + "p" and (parent := anchor.getparent()) is not None \
                and parent.tag not in _BLOCK_CONTAINERS:
            anchor = parent
        for child in reversed(list(box)):
            anchor.addnext(child)


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
        _with_changes_accepted(document.element.body)
        _with_text_boxes_after_their_paragraphs(document.element.body)
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
    texts: dict[object, str] = {}  # per w:tc: a merged cell comes once per row and column
    for row in table.rows:
        cells = []
        for cell in row.cells:
            if cell._tc not in texts:
                texts[cell._tc] = _cell_text(cell)
            cells.append(texts[cell._tc])
        distinct = [c for i, c in enumerate(cells) if i == 0 or c != cells[i - 1]]
        if any(distinct):
            rows.append(distinct)
    return rows


def _cell_text(cell) -> str:
    """The text of a table cell on one line: its paragraphs and, where it
    stands among them, each table inside it, a row at a time with its cells
    joined by ``" | "`` (python-docx's ``cell.text`` leaves a table in a
    cell out); runs of white space as one space. A table in a cell is read
    with :func:`_table_rows`: tables nest at most 256 / 3 deep (the parser's
    depth limit), which bounds the recursion, and a nested table's text is
    made once, collapsed, and only joined (not read again) at each level
    around it."""
    from docx.table import Table

    parts = []
    for block in cell.iter_inner_content():
        if isinstance(block, Table):
            parts.extend(" | ".join(row) for row in _table_rows(block))
        else:
            parts.append(" ".join(normalise_text(block.text).split()))
    return " ".join(part for part in parts if part)


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
