"""REFI-QDA codebooks (``.qdc``): write a codingkit codebook, read one back.

A ``.qdc`` file carries the code hierarchy, each code's name, colour and
description, and nothing else: no rules and no examples. codingkit writes the
description, the inclusion and exclusion criteria, the English label and the
code id into the code's ``Description``, one marker per line::

    Kontakt med leverantörer innan underlaget skrivs.

    Inkludera: leverantörsträffar, RFI, extern remiss
    Exkludera: dialog med egen personal (behov)
    Engelska: Early market dialogue
    codingkit-id: tidig_dialog

so that a reviewer sees them in NVivo or QualCoder, and so that an import
gets the same code ids back. Descriptions written by other tools are kept as
the description; ``Include:``/``Exclude:`` lines are recognised too.
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from pathlib import Path

from lxml import etree

from ..errors import RefiQdaError
from ..model import Code, Codebook
from ._common import (
    CODEBOOK_NS,
    atomic_write_bytes,
    code_guid,
    format_color,
    kid,
    kids,
    local,
    normalize_guid,
    parse_color,
    parse_xml,
    serialize,
    text_of,
    xml_safe,
)

#: The deepest code hierarchy read from a .qdc or .qdpx (a theme is level 1). Real
#: codebooks have a few levels; a YAML codebook holds at most 49 (its nesting limit,
#: two per level), so a deeper one could not be written by ``import-codebook`` and
#: read back.
MAX_CODE_DEPTH = 40

_ID_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")
_ORIGIN_RE = re.compile(r"\(codebook ([a-z0-9_]+) ([^()\s]+)\)")
_MARKERS = {
    "include": ("inkludera", "include", "inclusion criteria", "inklusionskriterier"),
    "exclude": ("exkludera", "exclude", "exclusion criteria", "exklusionskriterier"),
    "label_en": ("engelska", "english"),
    "id": ("codingkit-id",),
}
_MARKER_RE = re.compile(
    r"^\s*(" + "|".join(re.escape(m) for ms in _MARKERS.values() for m in ms) + r")\s*:\s?(.*)$",
    re.IGNORECASE,
)


def code_description(code: Code) -> str:
    """The text codingkit writes into a code's ``Description`` element."""
    parts: list[str] = []
    if code.description.strip():
        parts.append(code.description.strip())
    lines = []
    if code.include.strip():
        lines.append(f"Inkludera: {' '.join(code.include.split())}")
    if code.exclude.strip():
        lines.append(f"Exkludera: {' '.join(code.exclude.split())}")
    if code.label_en:
        lines.append(f"Engelska: {code.label_en}")
    lines.append(f"codingkit-id: {code.id}")
    parts.append("\n".join(lines))
    return xml_safe("\n\n".join(parts))


def parse_description(text: str) -> dict[str, str]:
    """Split a ``Description`` into description, include, exclude, label_en and id."""
    out = {"description": "", "include": "", "exclude": "", "label_en": "", "id": ""}
    free: list[str] = []
    current: str | None = None
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        m = _MARKER_RE.match(line)
        if m:
            marker = m.group(1).lower()
            current = next(k for k, ms in _MARKERS.items() if marker in ms)
            out[current] = (out[current] + " " + m.group(2).strip()).strip()
        elif current is not None and line.strip():
            out[current] = (out[current] + " " + line.strip()).strip()
        else:
            current = None
            free.append(line)
    out["description"] = "\n".join(free).strip()
    return out


def _check_exportable(codebook: Codebook, where: str) -> None:
    if len(codebook) == 0:
        raise RefiQdaError("the codebook has no codes; REFI-QDA needs at least one Code",
                           path=where, code="E501")
    for code in codebook:
        if code.parent is not None and code.parent not in codebook:
            raise RefiQdaError(f"code {code.id!r} has parent {code.parent!r}, which is not in "
                               f"the codebook; expected an existing code id",
                               path=where, code="E502")


def code_elements(codebook: Codebook, ns: str) -> list[etree._Element]:
    """``Code`` elements (nested) for the top-level codes of ``codebook`` in namespace ``ns``."""

    def build(code: Code) -> etree._Element:
        el = etree.Element(f"{{{ns}}}Code")
        el.set("guid", code_guid(code.id))
        el.set("name", xml_safe(code.label or code.id))
        el.set("isCodable", "true" if code.codable else "false")
        color = format_color(code.color)
        if color:
            el.set("color", color)
        desc = etree.SubElement(el, f"{{{ns}}}Description")
        desc.text = code_description(code)
        for child in codebook.children(code.id):
            el.append(build(child))
        return el

    return [build(c) for c in codebook.themes]


def qdc_bytes(codebook: Codebook) -> bytes:
    """The ``.qdc`` document for ``codebook`` as UTF-8 bytes (see :func:`write_qdc`)."""
    where = str(codebook.path) if codebook.path else codebook.id
    _check_exportable(codebook, where)
    root = etree.Element(f"{{{CODEBOOK_NS}}}CodeBook", nsmap={None: CODEBOOK_NS})
    from .. import __version__

    root.set("origin", f"codingkit {__version__} (codebook {codebook.id} {codebook.version})")
    codes = etree.SubElement(root, f"{{{CODEBOOK_NS}}}Codes")
    for el in code_elements(codebook, CODEBOOK_NS):
        codes.append(el)
    return serialize(root)


def write_qdc(codebook: Codebook, path: str | os.PathLike[str]) -> Path:
    """Write ``codebook`` as a REFI-QDA codebook (``.qdc``).

    Codes keep their hierarchy (nested ``Code`` elements); grouping nodes
    (``codable: false``) get ``isCodable="false"``; colours are written as
    ``#RRGGBB``; each code's GUID is derived from its id (uuid5), so that
    exporting again gives the same GUIDs and NVivo or QualCoder recognise the
    codes as the same.

    Parameters
    ----------
    codebook:
        The codebook, e.g. from :func:`codingkit.load_codebook`.
    path:
        The ``.qdc`` file to write (written atomically).

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    RefiQdaError
        E501 if the codebook has no codes, E502 if a parent is missing.
    """
    return atomic_write_bytes(path, qdc_bytes(codebook))


# --------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------

def slugify(name: str) -> str:
    """A code id from a code name: ``"Tidig marknadsdialog"`` → ``"tidig_marknadsdialog"``."""
    ascii_ = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "_", ascii_.lower()).strip("_")
    if not slug:
        slug = "kod"
    if not slug[0].isalpha():
        slug = "k_" + slug
    return slug


class CodeTable:
    """Codes read from a REFI-QDA ``Codes`` tree: a Codebook plus GUID → id."""

    def __init__(self) -> None:
        self.codes: dict[str, Code] = {}
        self.by_guid: dict[str, str] = {}


def read_codes(container: etree._Element, *, where: str) -> CodeTable:
    """Read the (nested) codes below a ``Codes`` element.

    Codes may sit in folder-like wrapper elements (any element that is not a
    ``Code`` but contains codes); a wrapper with a ``name`` becomes a grouping
    code (``codable=False``), one without is looked through.
    """
    table = CodeTable()

    def unique_id(wanted: str) -> str:
        cid, n = wanted, 2
        while cid in table.codes:
            cid = f"{wanted}_{n}"
            n += 1
        return cid

    def add(el: etree._Element, parent: str | None, *, folder: bool) -> str:
        raw_guid = el.get("guid")
        guid = normalize_guid(raw_guid)
        name = (el.get("name") or "").strip()
        if guid is None and not folder:
            raise RefiQdaError(f"Code {name!r} has guid {raw_guid!r}; expected a GUID",
                               path=where, code="E503")
        if guid is not None and guid in table.by_guid:
            raise RefiQdaError(f"Code {name!r}: guid {raw_guid} is used twice; expected "
                               f"unique GUIDs", path=where, code="E503")
        info = parse_description(text_of(kid(el, "Description")))
        wanted = info["id"] if _ID_RE.match(info["id"] or "") else ""
        if not wanted:
            slug = slugify(name or (guid or "kod"))
            wanted = f"{parent}.{slug}" if parent else slug
        cid = unique_id(wanted)
        codable_attr = (el.get("isCodable") or "true").strip().lower()
        code = Code(
            id=cid,
            label=name or cid,
            label_en=info["label_en"] or None,
            description=info["description"],
            include=info["include"],
            exclude=info["exclude"],
            color=parse_color(el.get("color"), where=f"{where}: Code {name!r}"),
            parent=parent,
            codable=(not folder) and codable_attr not in ("false", "0"),
        )
        table.codes[cid] = code
        if guid is not None:
            table.by_guid[guid] = cid
        return cid

    def deeper(el: etree._Element, depth: int) -> int:
        if depth >= MAX_CODE_DEPTH:
            raise RefiQdaError(
                f"Code {(el.get('name') or '').strip()!r} is nested more than "
                f"{MAX_CODE_DEPTH} levels deep; expected a code hierarchy of a few levels",
                path=where, code="E504")
        return depth + 1

    def walk(el: etree._Element, parent: str | None, depth: int) -> None:
        for child in kids(el):
            name = local(child)
            if name == "Code":
                level = deeper(child, depth)
                cid = add(child, parent, folder=False)
                walk(child, cid, level)
            elif name in ("Description", "NoteRef", "MemberCode"):
                continue
            elif any(local(d) == "Code" for d in child.iter() if isinstance(d.tag, str)):
                if child.get("name"):
                    level = deeper(child, depth)
                    cid = add(child, parent, folder=True)
                    walk(child, cid, level)
                else:
                    walk(child, parent, depth)

    walk(container, None, 0)
    return table


def read_qdc(path: str | os.PathLike[str]) -> Codebook:
    """Read a REFI-QDA codebook (``.qdc``) into a :class:`~codingkit.Codebook`.

    The codebook has the codes, their hierarchy, labels, colours and
    descriptions, but no rules or examples yet: add those in the YAML
    codebook (see ``codingkit import-codebook``). Code ids come from the
    ``codingkit-id:`` line codingkit writes into each description; codes
    from other tools get an id made from their name
    (``"Tidig marknadsdialog"`` → ``tidig_marknadsdialog``; sub-codes
    ``parent.child``).

    Parameters
    ----------
    path:
        The ``.qdc`` file.

    Returns
    -------
    Codebook
        With ``id`` and ``version`` as codingkit wrote them (in the
        ``origin`` attribute) or else ``id`` from the file name and version
        ``"1"``; ``path`` and ``sha256`` set.

    Raises
    ------
    RefiQdaError
        E500 unreadable file, E510 DOCTYPE/ENTITY, E511 not XML, E503 bad
        GUID, E504 no ``Codes`` or codes nested deeper than
        :data:`MAX_CODE_DEPTH`. (:class:`~codingkit.errors.InputError`
        E111 for a named pipe, a device or a folder, E112 for a file over
        ``CODINGKIT_MAX_FILE_MB``.)
    """
    path = Path(path)
    data = _read_qdc_bytes(path)
    root = parse_xml(data, where=str(path))
    table = codebook_table(root, where=str(path))
    cid, version = slugify(path.stem), "1"
    m = _ORIGIN_RE.search(root.get("origin") or "")
    if m:
        cid, version = m.group(1), m.group(2)
    return Codebook(id=cid, codes=table.codes, version=version,
                    title=path.stem, path=path, sha256=hashlib.sha256(data).hexdigest())


def _read_qdc_bytes(path: Path) -> bytes:
    """The bytes of a .qdc file: a regular file within the transcripts' size
    limit (:func:`~codingkit.readers.limits.read_limited`: a named pipe or a
    link to ``/dev/zero`` named ``x.qdc`` cannot stall the run or fill the
    memory, E111; a file over ``CODINGKIT_MAX_FILE_MB`` is refused before it
    is read, E112)."""
    from ..errors import InputError
    from ..readers.limits import read_limited

    try:
        return read_limited(path, expected="a .qdc codebook file")
    except InputError as exc:
        if exc.code != "E101":
            raise
        raise RefiQdaError(f"{exc.message}; expected a .qdc file", path=path,
                           code="E500") from None


def codebook_table(root: etree._Element, *, where: str) -> CodeTable:
    """Codes of a ``CodeBook`` element (the root of a .qdc or inside a .qde)."""
    if local(root) != "CodeBook":
        raise RefiQdaError(f"the root element is {local(root)!r}; expected CodeBook",
                           path=where, code="E504")
    codes = kid(root, "Codes")
    if codes is None:
        raise RefiQdaError("CodeBook has no Codes element; expected CodeBook/Codes",
                           path=where, code="E504")
    return read_codes(codes, where=where)
