"""Word transcripts (``.docx``), read with python-docx.

The paragraphs are joined with ``\\n`` into ``Transcript.text`` and read with
the same turn rules as plain text (see :mod:`codingkit.readers.text`), so
``Turn.line`` is the line in that text (one line per paragraph, unless a
paragraph holds manual line breaks).

Tables
------
Tables are read from the XML, each cell once, in time and memory linear in
the table (python-docx repeats a cell once per column it spans and looks a
merged cell up again, recursively, for each row it covers).

* A two-column table before the first turn is metadata
  (``Projekt | Innovationsupphandling Syd``) and not part of the text (a
  field left empty is left out). Its rows that are not ``Key | value`` (a
  title row across the table, a header table of three columns) are kept
  as text where the table stands, one line per row, before the turns.
* A table before the first turn whose rows are each one cell (a frame
  around the text, boxes one under another) is read as if its paragraphs
  and tables stood in the document itself (and so is such a table inside
  it): an interview written inside a frame has its metadata and turns read
  as any other.
* A table with one row per turn (``Talare | Text`` or ``Tid | Talare |
  Text``) is a transcript: each row becomes a line ``"[tid] Talare: text"``.
* Any other table after the first turn is kept as text, one line per row
  with cells joined by ``" | "``, so that nothing the respondent said is
  lost.
* A table inside a table cell is read into that cell, where it stands
  among the cell's paragraphs, a row at a time with its cells joined by
  ``" | "`` (as all of a cell, it ends up on the line of the outer row).

Merged cells: a cell spanning several columns (``w:gridSpan``) is read
once. A cell merged down over several rows (``w:vMerge``) stands in each
row it covers, and so a speaker's name (or a time) merged over that
speaker's rows of a transcript table names each row: each row is a turn
of that speaker, as Teams exports and some transcription services lay it
out. Any other merged cell's text is read once, in the first row it covers
(a text cell merged over two speakers' rows is the first one's, not coded
twice; in other tables the rows below have an empty cell there). The names
and times so repeated count against the file's size limit (``E112``).

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

Page headers
------------
The page headers (*sidhuvud*) are not part of the transcript, but an
interview template often puts the project, round and role there:
``Key: value`` fields in them (several on one line between tabs, `` | `` or
wide spaces, or a two-column table) are metadata for the keys a header
uses (``Projekt``, ``Omgång``, ``Roll``, ``Datum``, ``Intervjuare``, ...).
Other header text (a page number, *Konfidentiellt*) is left out, and the
metadata of the document's own text (its header lines, a table before the
first turn) wins over the page header's.

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
        renamed .doc); ``E112`` if the speaker names and times of merged
        table cells, repeated for each row they cover, come to more than
        the file's size limit.
    """
    data = read_bytes(path)
    document = _open_document(data, path)
    body = document.element.body
    try:
        _without_content_controls(body)
        _with_changes_accepted(body)
        _with_text_boxes_after_their_paragraphs(body)
        while True:
            lines, tables, table_speakers = _read_body(body, path)
            known = [k for k in (*known_speakers, (metadata or {}).get("interviewer", ""),
                                 *table_speakers) if k]
            parsed = parse_turns("\n".join(lines), speaker_pattern=speaker_pattern,
                                 known_speakers=known)
            first_line = (parsed.first_turn_line if parsed.first_turn_line is not None
                          else len(lines))
            # a frame around the text before the first turn: read what it holds as the
            # document's own paragraphs and tables, and read the document again (twice
            # at most in practice: frames inside a frame go with it)
            frames = [tbl for before, _, tbl in tables
                      if before <= first_line and _is_frame(tbl)]
            if not frames:
                break
            for tbl in frames:
                _unwrap_frames(tbl)
    except InputError:
        raise
    except Exception as exc:
        raise InputError(f"not a valid Word .docx file ({type(exc).__name__})", path=path,
                         code="E106") from None
    # tables before the first turn are metadata, but for rows that are not
    # "Key | value" (kept as text, where the table stands); later tables are text
    table_meta: dict[str, str] = {}
    kept: list[tuple[int, list[_Row]]] = []
    for before, rows, _ in tables:
        if before <= first_line:
            text_rows = []
            for row in rows:
                key = "" if 0 in row.continued else row[0].rstrip(":").strip()
                if len(row) == 2 and key:
                    if row[1] and 1 not in row.continued:
                        table_meta.setdefault(metadata_key(row[0].rstrip(":")), row[1])
                    # (else a field left empty: nothing but its name)
                else:
                    text_rows.append(row)
            rows = text_rows
        kept.append((before, rows))
    for before, rows in reversed(kept):  # from the end, so positions stay valid
        lines[before:before] = [line for line in map(_row_line, rows) if line]
    text = normalise_text("\n".join(lines))
    if not text.strip():
        raise InputError("empty file (no text in the document); expected a transcript with "
                         "speaker turns", path=path, code="E102")
    turns, meta, _ = turns_and_metadata(text, path, speaker_pattern=speaker_pattern,
                                        known_speakers=known)
    for key, value in (*table_meta.items(), *_page_header_metadata(document).items()):
        meta.setdefault(key, value)
    return Transcript(source=source, text=text, turns=turns, metadata=meta, format="docx",
                      path=Path(path), sha256=sha256_of(data))


#: What separates ``Key: value`` fields on one line of a page header: a tab,
#: `` | `` or two spaces or more.
_FIELD_SEP = re.compile(r"\t| +\| +| {2,}")
_FIELD = re.compile(r"\s*([^:\t]{1,40}):(.*)", re.S)  # (no backtracking over the value)


def _page_header_metadata(document) -> dict[str, str]:
    """The ``Key: value`` fields of the document's page headers (*sidhuvud*:
    ``Projekt: Region Östergötland⇥Omgång: 2``), for the keys a transcript's
    header uses (:data:`~codingkit.readers.text.HEADER_KEYS`,
    ``Intervjuare``, ``Intervjuperson``, ...); also a two-column table
    (``Projekt | Region Östergötland``). Other header text (a page number,
    *Konfidentiellt*) is left out, and a page header is never read as part
    of the transcript. The body's own metadata wins."""
    from .text import AMBIGUOUS_KEYS

    keys = HEADER_KEYS | AMBIGUOUS_KEYS
    meta: dict[str, str] = {}
    seen: list = []  # the header parts read (kept, so that lxml gives the same proxies)

    def field(key: str, value: str) -> None:
        key, value = key.strip().rstrip(":").strip(), value.strip()
        if key.casefold() in keys and value:
            meta.setdefault(metadata_key(key), value)

    for section in document.sections:
        for header in (section.first_page_header, section.header, section.even_page_header):
            if header.is_linked_to_previous:  # no header of its own
                continue
            element = header._element
            if any(element is e for e in seen):
                continue
            seen.append(element)
            for tbl in element.iter(_W + "tbl"):
                for row in _table_rows(tbl):
                    if len(row) == 2:
                        field(row[0], row[1])
            for par in element.iter(_W + "p"):
                if any(a.tag == _W + "tc" for a in par.iterancestors()):
                    continue  # a table cell's: read with its table
                text = "".join("\t" if node.tag in (_W + "tab", _W + "ptab") else node.text or ""
                               for node in par.iter(_W + "t", _W + "tab", _W + "ptab"))
                for part in _FIELD_SEP.split(text):
                    m = _FIELD.match(part)
                    if m:
                        field(m.group(1), m.group(2))
    return meta


def _read_body(body, path) -> tuple[list[str], list[tuple[int, list[_Row], object]], list[str]]:
    """The lines of the document's paragraphs and transcript tables, its other
    tables as ``(lines before the table, rows, w:tbl)`` (not yet in the
    lines), and the names in its transcript tables."""
    lines: list[str] = []
    tables: list[tuple[int, list[_Row], object]] = []
    table_speakers: list[str] = []  # names in transcript tables count as speakers
    repeated = 0  # bytes of merged names and times repeated so far
    for block in body.iterchildren(_W + "p", _W + "tbl"):
        if block.tag == _W + "tbl":
            rows = _table_rows(block)
            speech = _transcript_table_lines(rows, path, repeated)
            if speech is not None:
                speech, repeated = speech
                lines.extend(line for line, _ in speech)
                table_speakers.extend(name for _, name in speech)
            elif rows:
                tables.append((len(lines), rows, block))
        else:
            lines.extend(normalise_text(block.text).split("\n"))
    return lines, tables, table_speakers


def _is_frame(tbl) -> bool:
    """Whether a table is a frame around text: each of its rows one cell."""
    rows = tbl.findall(_W + "tr")
    return bool(rows) and all(len(tr.findall(_W + "tc")) == 1 for tr in rows)


def _unwrap_frames(tbl) -> None:
    """Put the paragraphs and tables in the cells of the frame ``tbl`` in its
    place, in order, and so for each frame among them (no recursion: a list
    of the frames still to unwrap)."""
    todo = [tbl]
    while todo:
        frame = todo.pop()
        for tc in frame.iterfind(f"{_W}tr/{_W}tc"):
            for child in list(tc):
                if child.tag == _W + "tcPr":
                    continue
                frame.addprevious(child)
                if child.tag == _W + "tbl" and _is_frame(child):
                    todo.append(child)
        frame.getparent().remove(frame)


class _Row(list):
    """The texts of a table row's cells, left to right; ``continued`` holds
    the places of the cells that continue a vertically merged cell
    (``w:vMerge``) from the row above, which hold that cell's text."""

    __slots__ = ("continued",)

    def __init__(self) -> None:
        super().__init__()
        self.continued: set[int] = set()


def _row_line(row: _Row) -> str:
    """A row as one line of text: its cells joined by ``" | "``, a merged
    cell's text once (in the first row it covers; ``""`` for a row with
    nothing of its own)."""
    if not row.continued:
        return " | ".join(row)
    cells = ["" if i in row.continued else cell for i, cell in enumerate(row)]
    return " | ".join(cells) if any(cells) else ""


def _number(element, default: int, least: int) -> int:
    """The whole number in ``element``'s ``w:val`` (``default`` when there is
    no element or no readable number; at least ``least``)."""
    if element is None:
        return default
    try:
        return max(int(element.get(_W + "val", "")), least)
    except ValueError:  # not a number, or over 4,300 digits
        return default


def _table_rows(tbl) -> list[_Row]:
    """The rows of a table (``w:tbl``) as cell texts, blank rows dropped.

    Read from the XML in one pass, each cell once, in time and memory
    linear in the table's size. A cell spanning columns (``w:gridSpan``) is
    one cell, however many columns it spans (python-docx repeated it once
    per column: a span of 5,000,000 took 120 MB); next to it, cells of the
    same text count once, as before. A cell that continues a vertically
    merged cell (``w:vMerge`` without ``restart``) holds the text of the
    cell it continues: the cell that starts in the same grid column of the
    row above (its own text, usually an empty paragraph, is not shown by
    Word and not read); the row marks it as continued (:class:`_Row`).
    python-docx looked that cell up again for each row, recursively, from
    the row above: 12-16 s for a cell merged over 600 rows, a RecursionError
    at 1,200. A continuing cell with no cell above it in its column (which
    Word does not write) is read as a cell of its own.
    """
    rows = []
    above: dict[int, str] = {}  # grid column -> text of the cell starting there, row above
    for tr in tbl.iterchildren(_W + "tr"):
        column = _number(tr.find(f"{_W}trPr/{_W}gridBefore"), 0, 0)
        here: dict[int, str] = {}
        row = _Row()
        for tc in tr.iterchildren(_W + "tc"):
            props = tc.find(_W + "tcPr")
            merge = props.find(_W + "vMerge") if props is not None else None
            continued = (merge is not None and merge.get(_W + "val", "continue") == "continue"
                         and column in above)
            text = above[column] if continued else _cell_text(tc)
            here[column] = text
            # cells next to each other of the same text count once (a merged cell
            # continued is not, if a cell of its own holds the same text)
            if row and text == row[-1]:
                if not continued:
                    row.continued.discard(len(row) - 1)
            else:
                if continued:
                    row.continued.add(len(row))
                row.append(text)
            column += _number(props.find(_W + "gridSpan") if props is not None else None, 1, 1)
        above = here
        if any(row):
            rows.append(row)
    return rows


def _cell_text(tc) -> str:
    """The text of a table cell (``w:tc``) on one line: its paragraphs and,
    where it stands among them, each table inside it, a row at a time with
    its cells joined by ``" | "`` (python-docx's ``cell.text`` leaves a
    table in a cell out); runs of white space as one space. A table in a
    cell is read with :func:`_table_rows`: tables nest at most 256 / 3 deep
    (the parser's depth limit), which bounds the recursion, and a nested
    table's text is made once, collapsed, and only joined (not read again)
    at each level around it."""
    parts = []
    for block in tc.iterchildren(_W + "p", _W + "tbl"):
        if block.tag == _W + "tbl":
            parts.extend(map(_row_line, _table_rows(block)))
        else:
            parts.append(" ".join(normalise_text(block.text).split()))
    return " ".join(part for part in parts if part)


_SPEAKER_HEADINGS = {"talare", "speaker", "namn", "name", "person", "vem", "roll"}
_NAME_RE = re.compile(rf"{_NAME}")
#: The longest cell that can name a speaker in a transcript table (four words).
_MAX_NAME = 100
_TIME_RE = re.compile(r"[\[(]?\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?[\])]?")


def _transcript_table_lines(rows: list[_Row], path, repeated: int = 0
                            ) -> tuple[list[tuple[str, str]], int] | None:
    """``("[time] Name: text", name)`` per row if the table is a transcript,
    and ``repeated`` plus the bytes of names and times repeated from merged
    cells; else ``None``.

    Some transcribers write a transcript as a table with one row per turn:
    ``Talare | Text`` or ``Tid | Talare | Text``. Such a table counts as a
    transcript when its name column holds short names, at least one of which
    recurs or is a known code.

    A name (or time) cell merged over several rows (``w:vMerge``, as some
    transcription services and Teams exports write a speaker's rows) names
    the speaker of each row it covers: each row is a turn of that speaker,
    at that row's time. A text cell merged over several rows is read once,
    in the first row it covers (the rows below it hold no text of their
    own: the same words are not coded twice, as turns of two speakers).
    The names and times repeated so count against the file's size limit
    (``E112`` naming ``path``), before they are made: a few bytes of XML
    continue a cell into a row.
    """
    if rows and len(rows[0]) in (2, 3) and rows[0][-2].casefold() in _SPEAKER_HEADINGS:
        rows = rows[1:]
    if len(rows) < 2 or any(len(r) not in (2, 3) for r in rows):
        return None
    # (a long cell is no name: checked before any work per row, as a merged
    # cell's text stands in every row it covers)
    if any(len(r[-2]) > _MAX_NAME for r in rows):
        return None
    names = [r[-2].strip("*: ") for r in rows]
    if not all(_NAME_RE.fullmatch(n) and not _is_note(n) for n in names):
        return None
    counts = Counter(n.casefold() for n in names)
    if not (any(c >= 2 for c in counts.values()) or any(is_known_code(n) for n in names)):
        return None
    if sum(n.casefold() in HEADER_KEYS for n in names) * 2 >= len(names):
        return None
    stamps = [r[0].strip("[]() ") if len(r) == 3 and _TIME_RE.fullmatch(r[0]) else None
              for r in rows]
    for r, name, stamp in zip(rows, names, stamps):
        if len(r) - 2 in r.continued or (stamp and 0 in r.continued):
            # "[stamp] name: " made again for a row a merged cell covers
            repeated += len(name.encode("utf-8")) + 2 + (len(stamp) + 3 if stamp else 0)
    if repeated > max_bytes(path):
        raise too_large(path, repeated, "the speaker names and times of merged table cells, "
                        "repeated for each row they cover, come to")
    out = []
    for r, name, stamp in zip(rows, names, stamps):
        text = "" if len(r) - 1 in r.continued else r[-1]
        out.append(((f"[{stamp}] " if stamp else "") + f"{name}: {text}", name))
    return out, repeated
