"""Write a coding result as a REFI-QDA project (``.qdpx``).

The archive holds ``project.qde`` (the XML) and ``sources/<GUID>.txt`` (each
transcript's text, UTF-8 without BOM, ``\\n`` line endings, NFC). Each coded
segment becomes one ``PlainTextSelection`` whose ``startPosition`` and
``endPosition`` are the segment's 0-based, half-open code-point offsets and
whose ``name`` is the covered text, one per code on it, each with one
``Coding`` made by the user "codingkit (automatic)" and that code's score,
method and evidence in its ``Description``, so a reviewer sees why each code
was given. Sources get flat names that every client can use as file names
(:func:`flat_source_names`) and keep their codingkit name in the variable
``codingkit_source``; project, round and role are the variables of one
unnamed ``Case`` per source with a ``SourceRef`` to it (how QualCoder reads
source variables from Cases).
"""

from __future__ import annotations

import io
import os
import re
import unicodedata
import warnings
import zipfile
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from lxml import etree

from .. import __version__
from ..errors import CodingkitWarning, RefiQdaError
from ..model import CORE_METADATA, Coding, CodingResult, Segment, Transcript
from ._common import (
    PROJECT_NS,
    atomic_write_bytes,
    code_guid,
    make_guid,
    serialize,
    utc_timestamp,
    xml_safe,
)
from .codebook import _check_exportable, code_elements

#: The variable that keeps each source's codingkit name (``syd/01_ip.txt``).
SOURCE_VARIABLE = "codingkit_source"

#: The user every automatic coding is attributed to.
AUTOMATIC_USER = "codingkit (automatic)"

_NS = PROJECT_NS


def _e(parent: etree._Element | None, element: str, /, **attrs: str) -> etree._Element:
    tag = f"{{{_NS}}}{element}"
    el = etree.Element(tag) if parent is None else etree.SubElement(parent, tag)
    for k, v in attrs.items():
        if v is not None:
            el.set(k, v)
    return el


#: Characters no client accepts in a file name (Windows' list, and folders).
_NOT_IN_NAMES = re.compile(r'[<>:"/\\|?*\x00-\x1f]')


def flat_source_names(sources: list[str]) -> dict[str, str]:
    """A flat, unique name for each source, usable as a file name in every client.

    QualCoder and qc copy a source to ``documents/<name>`` (QualCoder adds
    ``.txt``), so a name with folders (``syd/01_ip.txt``) cannot be copied.
    Folders become ``_`` (``syd_01_ip``), a ``.txt`` ending is dropped,
    characters Windows refuses become ``_``, long names are cut (with a
    hash) and names that would clash (ignoring case) get ``_2``, ``_3``. The
    original name is kept in the source's variable ``source`` and its
    description, and :func:`codingkit.refiqda.read_qdpx` reads it back.

    >>> flat_source_names(["syd/01_ip.txt", "ostergotland/01_ip.txt", "Syd_01_IP.txt"])
    {'syd/01_ip.txt': 'syd_01_ip', 'ostergotland/01_ip.txt': 'ostergotland_01_ip', 'Syd_01_IP.txt': 'Syd_01_IP_2'}
    """
    from .importer import _bounded

    out: dict[str, str] = {}
    taken: set[str] = set()
    for source in sources:
        name = source[:-4] if source.lower().endswith(".txt") else source
        name = _NOT_IN_NAMES.sub("_", name.replace("\\", "/").strip("/")).strip(" .") or "source"
        name = _bounded(name, 100)
        flat, k = name, 2
        while flat.lower() in taken:
            flat = f"{name}_{k}"
            k += 1
        taken.add(flat.lower())
        out[source] = flat
    return out


def source_guid(source: str) -> str:
    """The GUID of a transcript's ``TextSource`` (uuid5 of its source name)."""
    return make_guid("source", source)


def _describe(codings: list[Coding]) -> str:
    lines = []
    for c in codings:
        evidence = " ".join(c.evidence.split())
        lines.append(f"{c.code}: score {c.score:.3f} ({c.method}) {evidence}".rstrip())
    return xml_safe("\n".join(lines))


def _check_transcript(t: Transcript, where: str) -> None:
    if "\r" in t.text or unicodedata.normalize("NFC", t.text) != t.text:
        raise RefiQdaError(f"transcript {t.source!r} is not NFC text with \\n line endings; "
                           f"expected text as codingkit's readers produce it",
                           path=where, code="E520")


def qde_bytes(result: CodingResult, *, created: datetime | None = None,
              name: str | None = None) -> tuple[bytes, dict[str, str]]:
    """The ``project.qde`` XML and the texts to store (``{entry name: text}``)."""
    where = name or "project"
    codebook = result.codebook
    _check_exportable(codebook, where)
    stamp = utc_timestamp(created)
    user = make_guid("user", AUTOMATIC_USER)

    transcripts: dict[str, Transcript] = {}
    for t in result.transcripts:
        if t.source in transcripts:
            raise RefiQdaError(f"two transcripts are named {t.source!r}; expected unique "
                               f"source names", path=where, code="E521")
        _check_transcript(t, where)
        transcripts[t.source] = t
    segments: dict[str, Segment] = {}
    for s in result.segment_list:
        if s.source not in transcripts:
            raise RefiQdaError(f"segment {s.segment_id!r} belongs to {s.source!r}, which is not "
                               f"among the transcripts; expected its transcript",
                               path=where, code="E522")
        text = transcripts[s.source].text
        if not (0 <= s.start <= s.end <= len(text)) or text[s.start:s.end] != s.text:
            raise RefiQdaError(f"segment {s.segment_id!r}: offsets {s.start}:{s.end} do not give "
                               f"its text in {s.source!r}; expected "
                               f"text[start:end] == segment text", path=where, code="E523")
        segments[s.segment_id] = s

    by_segment: dict[str, list[Coding]] = defaultdict(list)
    skipped: set[str] = set()
    for c in result.coding_list:
        if c.segment_id not in segments:
            raise RefiQdaError(f"a coding refers to segment {c.segment_id!r}, which is not among "
                               f"the segments; expected a known segment id",
                               path=where, code="E524")
        if c.code not in codebook:
            raise RefiQdaError(f"a coding of {c.segment_id!r} uses code {c.code!r}, which is not "
                               f"in codebook {codebook.id!r}; expected a code id of the codebook",
                               path=where, code="E505")
        if not codebook[c.code].codable:
            skipped.add(c.code)
            continue
        if any(other.code == c.code for other in by_segment[c.segment_id]):
            continue  # one Coding per code and segment
        by_segment[c.segment_id].append(c)
    if skipped:
        warnings.warn(CodingkitWarning(
            f"codings of grouping codes {sorted(skipped)} left out: REFI-QDA does not allow "
            f"coding a code with isCodable=false", path=where), stacklevel=3)

    root = etree.Element(f"{{{_NS}}}Project", nsmap={None: _NS})
    root.set("name", xml_safe(name or f"codingkit – {codebook.title or codebook.id}"))
    root.set("origin", f"codingkit {__version__}")
    root.set("creatingUserGUID", user)
    root.set("creationDateTime", stamp)
    root.set("modifyingUserGUID", user)
    root.set("modifiedDateTime", stamp)

    users = _e(root, "Users")
    _e(users, "User", guid=user, name=AUTOMATIC_USER)

    book = _e(root, "CodeBook")
    codes = _e(book, "Codes")
    for el in code_elements(codebook, _NS):
        codes.append(el)

    keys = [k for k in CORE_METADATA if any(t.metadata.get(k) for t in transcripts.values())]
    flat = flat_source_names(list(transcripts))
    if transcripts:
        # project, round and role: one Case per source without a name, with the
        # values and one SourceRef (as MAXQDA writes them; QualCoder's refi.py
        # reads such a Case as the variables of that source, while a named Case
        # would become a case of its own, linked to nothing). The codingkit
        # source name is a variable of the source itself.
        variables = _e(root, "Variables")
        for k in [*keys, SOURCE_VARIABLE]:
            _e(variables, "Variable", guid=make_guid("variable", k), name=k,
               typeOfVariable="Text")
    if transcripts:
        cases = _e(root, "Cases")
        for t in transcripts.values():
            case = _e(cases, "Case", guid=make_guid("case", t.source))
            for k in keys:
                if t.metadata.get(k):
                    vv = _e(case, "VariableValue")
                    _e(vv, "VariableRef", targetGUID=make_guid("variable", k))
                    _e(vv, "TextValue").text = xml_safe(str(t.metadata[k]))
            _e(case, "SourceRef", targetGUID=source_guid(t.source))

    texts: dict[str, str] = {}
    if transcripts:
        sources = _e(root, "Sources")
        coded = defaultdict(list)
        for sid, cs in by_segment.items():
            coded[segments[sid].source].append(segments[sid])
        for t in transcripts.values():
            guid = source_guid(t.source)
            texts[f"sources/{guid}.txt"] = t.text
            ts = _e(sources, "TextSource", guid=guid, name=xml_safe(flat[t.source]),
                    plainTextPath=f"internal://{guid}.txt", creatingUser=user,
                    creationDateTime=stamp)
            _e(ts, "Description").text = xml_safe(f"codingkit source: {t.source}")
            for seg in sorted(coded[t.source], key=lambda s: (s.start, s.end, s.segment_id)):
                # one selection per code, each with its own evidence: a reviewer
                # (and QualCoder's memo of each coding) sees why that code
                for n, c in enumerate(by_segment[seg.segment_id]):
                    key = seg.segment_id if n == 0 else f"{seg.segment_id}/{c.code}"
                    sel = _e(ts, "PlainTextSelection", guid=make_guid("selection", key),
                             name=xml_safe(seg.text), startPosition=str(seg.start),
                             endPosition=str(seg.end), creatingUser=user,
                             creationDateTime=stamp)
                    _e(sel, "Description").text = _describe([c])
                    coding = _e(sel, "Coding",
                                guid=make_guid("coding", f"{c.segment_id}/{c.code}"),
                                creatingUser=user, creationDateTime=stamp)
                    _e(coding, "CodeRef", targetGUID=code_guid(c.code))
            vv = _e(ts, "VariableValue")
            _e(vv, "VariableRef", targetGUID=make_guid("variable", SOURCE_VARIABLE))
            _e(vv, "TextValue").text = xml_safe(t.source)
    return serialize(root), texts


def qdpx_bytes(result: CodingResult, *, created: datetime | None = None,
               name: str | None = None) -> bytes:
    """The ``.qdpx`` archive for ``result`` as bytes (see :func:`write_qdpx`)."""
    created = created or datetime.now(timezone.utc)
    qde, texts = qde_bytes(result, created=created, name=name)
    stamp = created.astimezone(timezone.utc).timetuple()[:6]
    if stamp[0] < 1980:
        stamp = (1980, 1, 1, 0, 0, 0)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for entry, data in [("project.qde", qde)] + [
            (k, v.encode("utf-8")) for k, v in texts.items()
        ]:
            info = zipfile.ZipInfo(entry, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    return buf.getvalue()


def write_qdpx(result: CodingResult, path: str | os.PathLike[str], *,
               created: datetime | None = None, name: str | None = None) -> Path:
    """Write a coding result as a REFI-QDA project (``.qdpx``) for NVivo, QualCoder & co.

    Every transcript becomes a ``TextSource`` (named by its ``source``) with
    a ``Case`` carrying the variables ``project``, ``round`` and ``role``;
    every coded segment a ``PlainTextSelection`` with one ``Coding`` per
    code, made by the user "codingkit (automatic)". GUIDs are derived from
    code ids, source names and segment ids, so exporting the same result
    twice gives the same project.

    Parameters
    ----------
    result:
        What :meth:`codingkit.Coder.code` returned (with its transcripts).
    path:
        The ``.qdpx`` file to write (written atomically).
    created:
        Timestamp for every element (UTC); default now. Pass the run's time
        to get byte-identical files for identical runs.
    name:
        The project's name; default "codingkit – <codebook title>".

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    RefiQdaError
        E505 a coding uses a code not in the codebook, E520 a transcript is
        not NFC/``\\n``, E522–E524 segments or codings that do not fit the
        transcripts.
    PseudonymError
        E808 ``path`` inside a folder of pseudonymised results or copies
        (meant to be shared) when the result's texts are not pseudonymised
        (:func:`check_project_location`).
    """
    from ..pseudonymize import texts_pseudonymized

    check_project_location(path, unless=lambda: texts_pseudonymized(result.transcripts,
                                                                   result.options))
    return atomic_write_bytes(path, qdpx_bytes(result, created=created, name=name))


def check_project_location(path: str | os.PathLike[str], *,
                           unless: Callable[[], bool] | None = None) -> None:
    """E808 when the project file ``path`` is inside a folder of
    pseudonymised results or copies, which is meant to be shared, and the
    transcripts it would hold are not pseudonymised (``unless``: asked only
    then, true when they are: a result whose options say pseudonymised, or
    that codes pseudonymised copies). The one check, and message, of
    :func:`write_qdpx` (and so :func:`~codingkit.refiqda.export_project`)
    and ``codingkit export-project``."""
    from ..pseudonymize import check_shared_output

    check_shared_output(path, "the project would hold the original transcripts",
                        instead=", or, for a project of pseudonymised texts, code the copies "
                                "'codingkit pseudonymize' writes, or add --format qdpx to "
                                "'codingkit apply --pseudonymize'", unless=unless)
