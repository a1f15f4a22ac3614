"""Shared helpers for REFI-QDA: safe XML, GUIDs, colours, atomic writes.

Nothing here is public API; see :mod:`codingkit.refiqda`.
"""

from __future__ import annotations

import os
import re
import uuid
import warnings
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path
from typing import Iterator

from lxml import etree

from .. import fileio as _fileio
from ..errors import CodingkitWarning, RefiQdaError

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"

#: Namespace of every GUID codingkit derives (uuid5), fixed forever so that a
#: re-export keeps the identity of codes, sources and codings.
GUID_NAMESPACE = uuid.UUID("6b1f0e1c-3c2a-5d7e-9f40-636f64696e67")

_GUID_RE = re.compile(
    r"^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$"
)
_COLOR_RE = re.compile(r"^#([0-9a-fA-F]{6}|[0-9a-fA-F]{3})$")
# characters XML 1.0 cannot carry
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def make_guid(kind: str, key: str) -> str:
    """A stable GUID (uuid5) for an object of ``kind`` identified by ``key``."""
    return str(uuid.uuid5(GUID_NAMESPACE, f"{kind}/{key}"))


def code_guid(code_id: str) -> str:
    """The GUID codingkit gives a code: uuid5 of its id, the same on every export.

    Parameters
    ----------
    code_id:
        The code's id in the codebook (``"tidig_dialog"``).

    Returns
    -------
    str
        A lowercase GUID such as ``"3f0c...-..."``.

    Examples
    --------
    >>> code_guid("tidig_dialog") == code_guid("tidig_dialog")
    True
    """
    return make_guid("code", code_id)


def normalize_guid(value: str | None) -> str | None:
    """A GUID in canonical form (lowercase, no braces), or ``None`` if malformed."""
    if value is None:
        return None
    m = _GUID_RE.match(value.strip())
    return m.group(1).lower() if m else None


def parse_color(value: str | None, *, where: str) -> str | None:
    """``#RRGGBB`` (uppercase) from a REFI-QDA colour; ``None`` with a warning if unusable."""
    if value is None or value.strip() == "":
        return None
    v = value.strip()
    m = _COLOR_RE.match(v)
    if not m:
        what = "an 8-digit colour (with alpha)" if re.fullmatch(r"#[0-9a-fA-F]{8}", v) else "a malformed colour"
        warnings.warn(CodingkitWarning(f"{where}: {what} {v!r} ignored; expected #RRGGBB"),
                      stacklevel=3)
        return None
    hexpart = m.group(1)
    if len(hexpart) == 3:
        hexpart = "".join(ch * 2 for ch in hexpart)
    return "#" + hexpart.lower()


def format_color(value: str | None) -> str | None:
    """A codebook colour as ``#RRGGBB`` for writing, or ``None`` if absent or invalid."""
    if not value:
        return None
    m = _COLOR_RE.match(value.strip())
    if not m:
        return None
    hexpart = m.group(1)
    if len(hexpart) == 3:
        hexpart = "".join(ch * 2 for ch in hexpart)
    return "#" + hexpart.lower()


def xml_safe(text: str) -> str:
    """Replace the few characters XML 1.0 cannot hold by U+FFFD."""
    return _XML_INVALID.sub("\ufffd", text)


def utc_timestamp(when: datetime | None = None) -> str:
    """``2026-11-25T17:13:28Z`` (xsd:dateTime in UTC, whole seconds)."""
    when = when or datetime.now(timezone.utc)
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# --------------------------------------------------------------------------
# XML in
# --------------------------------------------------------------------------

_FORBIDDEN = [b"<!DOCTYPE", b"<!ENTITY"]
_FORBIDDEN_ALL = _FORBIDDEN + [s.decode().encode(enc) for s in _FORBIDDEN
                               for enc in ("utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")]


def parse_xml(data: bytes, *, where: str) -> etree._Element:
    """Parse untrusted XML: no DTD, no entities, no network, no huge trees.

    A document that declares a DOCTYPE or an ENTITY is refused outright (this
    is how "billion laughs" and external-entity attacks start).
    """
    for marker in _FORBIDDEN_ALL:
        if marker in data:
            raise RefiQdaError(
                "refused: the XML declares a DOCTYPE or ENTITY (entity expansion is not "
                "allowed); expected plain REFI-QDA XML", path=where, code="E510")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False, remove_comments=True, remove_pis=True,
                             dtd_validation=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        detail = " ".join(str(exc).split())   # lxml's message may hold line breaks
        raise RefiQdaError(f"not well-formed XML ({detail}); expected REFI-QDA XML",
                           path=where, code="E511") from None
    if root.getroottree().docinfo.doctype:
        raise RefiQdaError("refused: the XML declares a DOCTYPE; expected plain REFI-QDA XML",
                           path=where, code="E510")
    return root


def local(el: etree._Element) -> str:
    """The element's name without namespace (``Code`` for ``{urn:...:0:4}Code``)."""
    tag = el.tag
    if not isinstance(tag, str):
        return ""
    return etree.QName(el).localname


def kids(el: etree._Element, name: str | None = None) -> Iterator[etree._Element]:
    """Child elements, optionally only those with local name ``name``."""
    for child in el:
        if isinstance(child.tag, str) and (name is None or local(child) == name):
            yield child


def kid(el: etree._Element, name: str) -> etree._Element | None:
    return next(kids(el, name), None)


def descendants(el: etree._Element, name: str) -> Iterator[etree._Element]:
    for d in el.iter():
        if isinstance(d.tag, str) and local(d) == name:
            yield d


def text_of(el: etree._Element | None) -> str:
    return "" if el is None else "".join(el.itertext())


# --------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------

def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` via a temporary file in the same folder and a rename."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        from ..errors import OutputError

        raise OutputError(f"folder {folder} does not exist; expected an existing folder",
                          path=path, code="E401")
    _fileio.atomic_write_bytes(path, data)
    return path


def serialize(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def schema_path(name: str):
    """A context manager giving a file path of a packaged XSD (``Project.xsd``/``Codebook.xsd``)."""
    return resources.as_file(resources.files("codingkit").joinpath("schemas", name))
