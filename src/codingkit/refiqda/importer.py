"""Read a REFI-QDA project (``.qdpx``) as human coding.

What NVivo, ATLAS.ti, MAXQDA and QualCoder export is read, with the quirks
their files are known to have (see ``docs/refiqda.md``). Every coded
selection becomes one row per code of a table with the columns
``source, start, end, text, code, coder`` — the human-coding format that
``codingkit evaluate`` and ``--learn-from`` accept. Offsets are checked
against the text wherever the selection's ``name`` holds the covered text;
selections that cannot be reconciled are listed in ``problems`` and left out
of the table, never imported silently wrong.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from ..errors import CodingkitWarning, OutputError, RefiQdaError
from ..model import Codebook
from ._archive import MAX_RATIO, MAX_TOTAL_BYTES, SafeArchive
from ._common import (
    atomic_write_bytes,
    descendants,
    kid,
    kids,
    local,
    normalize_guid,
    parse_xml,
    text_of,
)
from ._offsets import READINGS, SCAN_BUDGET, ScanBudget, ScanBudgetExceeded, SourceText
from .codebook import CodeTable, read_codes, slugify

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

#: Largest source text read from a ``.qdpx`` (bytes; interview transcripts
#: are well under 1 MB). Reading takes up to ~15 times the text in memory.
MAX_SOURCE_BYTES = 64 * 1024 * 1024
#: Largest total of source texts read from one ``.qdpx`` (they are all kept).
MAX_TEXT_BYTES = 256 * 1024 * 1024

#: Longest ``text`` of a row of ``selections``, ``annotations`` and ``problems``, in
#: characters: a longer passage's text is cut there and ends in :data:`CUT_MARK`
#: (its ``start`` and ``end`` are whole). Each row holds its own copy of the
#: text, so that 200 passages each covering a 2 MB source took 2.5 GB and
#: wrote a 400 MB ``human_coding.csv``; a coded passage of an interview is
#: rarely over a few hundred characters.
MAX_EXCERPT_CHARS = 2000
#: What ends a ``text`` cut at :data:`MAX_EXCERPT_CHARS`.
CUT_MARK = " […]"

#: Columns of the human-coding table.
HUMAN_COLUMNS = ["source", "start", "end", "text", "code", "coder"]
_SELECTION_COLUMNS = HUMAN_COLUMNS + ["code_name", "selection", "reading"]
_ANNOTATION_COLUMNS = ["source", "start", "end", "text", "description", "coder", "selection"]


@dataclass(frozen=True)
class SelectionProblem:
    """A selection whose offsets could not be reconciled with its text.

    Attributes
    ----------
    source:
        The source's name.
    selection:
        The selection's GUID.
    start, end:
        The offsets as written in the file.
    name:
        The selection's ``name`` (the text it claims to cover), if any.
    found:
        The text the offsets point to (codepoint reading), if in range (cut
        as ``ImportedProject.selections``' ``text``).
    reason:
        What is wrong, in one line.
    """

    source: str
    selection: str
    start: int | None
    end: int | None
    name: str
    found: str
    reason: str

    def __str__(self) -> str:
        return (f"{self.source}: selection {self.selection} [{self.start}:{self.end}]: "
                f"{self.reason}")


@dataclass
class ImportedProject:
    """What :func:`read_qdpx` read from a ``.qdpx`` file.

    Attributes
    ----------
    path:
        The file read.
    name:
        The project's name.
    sources:
        Source name → text (NFC, ``\\n`` line endings); offsets in
        ``selections`` point into these texts.
    source_guids:
        Source name → GUID in the file.
    metadata:
        Source name → variables from ``Cases`` and the source itself
        (``project``, ``round``, ``role``, ...), as strings.
    codebook:
        The project's codes as a :class:`~codingkit.Codebook` (no rules).
    code_guids:
        GUID → code id.
    users:
        GUID → user name.
    selections:
        One row per coded selection × code: ``source, start, end, text,
        code, coder`` plus ``code_name``, ``selection`` (GUID) and
        ``reading`` (how the offsets were counted: ``codepoints``, ``lf``,
        ``crlf`` or ``utf16``). ``text`` is ``sources[source][start:end]``,
        cut at :data:`MAX_EXCERPT_CHARS` characters (then ending in
        :data:`CUT_MARK`); ``start`` and ``end`` are always whole.
    annotations:
        Selections without a coding: ``source, start, end, text,
        description, coder, selection``.
    problems:
        Selections left out, each with the reason.
    corrections:
        Source name → the offset reading used when it was not plain code
        points (e.g. ``"crlf"``: the tool counted line breaks as two).
    descriptions:
        Source name → the source's ``Description`` (its memo), where it has one.
    """

    path: Path
    name: str
    sources: dict[str, str]
    source_guids: dict[str, str]
    metadata: dict[str, dict[str, str]]
    codebook: Codebook
    code_guids: dict[str, str]
    users: dict[str, str]
    selections: "pd.DataFrame"
    annotations: "pd.DataFrame"
    problems: list[SelectionProblem] = field(default_factory=list)
    corrections: dict[str, str] = field(default_factory=dict)
    descriptions: dict[str, str] = field(default_factory=dict)

    @property
    def human_coding(self) -> "pd.DataFrame":
        """The table ``source, start, end, text, code, coder`` for evaluation."""
        return self.selections[HUMAN_COLUMNS].copy()


def _excerpt(text: str, start: int, end: int) -> str:
    """``text[start:end]``, cut at :data:`MAX_EXCERPT_CHARS` (then ending in :data:`CUT_MARK`)."""
    if end - start <= MAX_EXCERPT_CHARS:
        return text[start:end]
    return text[start:start + MAX_EXCERPT_CHARS] + CUT_MARK


def _int(value: str | None) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _find_qde(archive: SafeArchive) -> str:
    where = str(archive.path)
    try:   # exactly project.qde, else the one name that differs only in case
        top = archive.find("project.qde")
    except RefiQdaError as exc:   # two entries it could be: which is the project?
        raise RefiQdaError(exc.message, path=where, code="E534") from None
    if top is not None:
        return top
    qdes = [n for n in archive.names if n.lower().endswith(".qde")]
    if len(qdes) == 1:
        return qdes[0]
    if not qdes:
        raise RefiQdaError("the archive holds no .qde file; expected project.qde",
                           path=where, code="E534")
    raise RefiQdaError(f"the archive holds {len(qdes)} .qde files ({', '.join(sorted(qdes))}); "
                       f"expected one project.qde", path=where, code="E534")


def _decode(data: bytes, *, where: str) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        bom = "FF FE" if data.startswith(b"\xff\xfe") else "FE FF"
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            why = (f"an odd number of bytes ({len(data):,})" if len(data) % 2
                   else f"an invalid sequence at byte {exc.start}")
            raise RefiQdaError(f"the text starts with the UTF-16 byte-order mark {bom} but has "
                               f"{why}; expected UTF-8 or whole UTF-16 text",
                               path=where, code="E535") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RefiQdaError(f"the text is not UTF-8 (byte {exc.start}); expected UTF-8 text",
                           path=where, code="E535") from None


def _source_entry(archive: SafeArchive, ref: str) -> str | None:
    """The archive entry a ``plainTextPath`` refers to, or ``None``."""
    ref = ref.strip()
    for prefix in ("internal://", "relative://", "absolute://", "file:///", "file://"):
        if ref.lower().startswith(prefix):
            ref = ref[len(prefix):]
            break
    ref = ref.replace("\\", "/").lstrip("/")
    base = PurePosixPath(ref).name
    for candidate in (f"sources/{ref}", ref, f"sources/{base}"):
        found = archive.find(candidate)
        if found:
            return found
    return None


#: The variable codingkit's export keeps each source's own name in.
SOURCE_VARIABLE = "codingkit_source"


def _own_name(ts, variables: dict[str, str]) -> str | None:
    """The codingkit source name a TextSource carries (variable ``codingkit_source``)."""
    for vv in kids(ts, "VariableValue"):
        g, value = _variable_value(vv)
        if variables.get(g or "") == SOURCE_VARIABLE and value:
            return value
    return None


def _variable_value(vv) -> tuple[str | None, str | None]:
    ref = kid(vv, "VariableRef")
    guid = normalize_guid(ref.get("targetGUID")) if ref is not None else None
    for child in kids(vv):
        if local(child) != "VariableRef":
            return guid, text_of(child).strip()
    return guid, None


def read_qdpx(path: str | os.PathLike[str], *, max_total_bytes: int = MAX_TOTAL_BYTES,
              max_ratio: float = MAX_RATIO, max_source_bytes: int = MAX_SOURCE_BYTES,
              max_text_bytes: int = MAX_TEXT_BYTES) -> ImportedProject:
    """Read a REFI-QDA project (``.qdpx``) exported by NVivo, ATLAS.ti, MAXQDA or QualCoder.

    Parameters
    ----------
    path:
        The ``.qdpx`` file.
    max_total_bytes, max_ratio:
        Refuse archives that expand beyond this size or compress
        suspiciously well (zip bombs).
    max_source_bytes, max_text_bytes:
        Refuse a source text larger than this, or source texts larger than
        this together (:data:`MAX_SOURCE_BYTES`, :data:`MAX_TEXT_BYTES`), so
        that memory stays bounded (E533).

    Returns
    -------
    ImportedProject
        Sources, codes, users, coded selections, annotations and problems.

    Raises
    ------
    RefiQdaError
        E510 DOCTYPE/ENTITY in the XML, E530 not a zip, E532 an entry that
        escapes the folder, E533 too large, E534 no ``project.qde``, E535
        text not UTF-8, E536 no ``Project`` root.

    Examples
    --------
    ::

        project = read_qdpx("granskad.qdpx")
        project.human_coding.head()
        for p in project.problems:
            print(p)
    """
    import pandas as pd

    path = Path(path)
    where = str(path)
    with SafeArchive(path, max_total=max_total_bytes, max_ratio=max_ratio) as archive:
        qde_name = _find_qde(archive)
        qde_where = f"{where}!{qde_name}"
        root = parse_xml(archive.read(qde_name), where=qde_where)
        if local(root) != "Project":
            raise RefiQdaError(f"the root element is {local(root)!r}; expected Project",
                               path=qde_where, code="E536")

        users: dict[str, str] = {}
        users_el = kid(root, "Users")
        if users_el is not None:
            for u in kids(users_el, "User"):
                g = normalize_guid(u.get("guid"))
                if g:
                    users[g] = (u.get("name") or u.get("id") or g).strip()

        book = kid(root, "CodeBook")
        codes_el = kid(book, "Codes") if book is not None else None
        table = read_codes(codes_el, where=qde_where) if codes_el is not None else CodeTable()

        variables: dict[str, str] = {}
        vars_el = kid(root, "Variables")
        if vars_el is not None:
            for v in kids(vars_el, "Variable"):
                g = normalize_guid(v.get("guid"))
                if g and v.get("name"):
                    variables[g] = v.get("name").strip()

        sources: dict[str, str] = {}
        source_guids: dict[str, str] = {}
        guid_to_source: dict[str, str] = {}
        metadata: dict[str, dict[str, str]] = {}
        rows: list[dict] = []
        annotations: list[dict] = []
        problems: list[SelectionProblem] = []
        corrections: dict[str, str] = {}
        descriptions: dict[str, str] = {}
        text_bytes = 0
        budget = ScanBudget()

        def coder_of(*els) -> str:
            for el in els:
                for attr in ("creatingUser", "modifyingUser"):
                    g = normalize_guid(el.get(attr)) if el is not None else None
                    if g:
                        return users.get(g, g)
            return "unknown"

        sources_el = kid(root, "Sources")
        text_sources = list(descendants(sources_el, "TextSource")) if sources_el is not None else []
        if sources_el is not None:
            other = Counter(local(el) for el in kids(sources_el) if local(el) != "TextSource")
            if other:
                kinds = ", ".join(f"{n} {k}" for k, n in sorted(other.items()))
                warnings.warn(CodingkitWarning(
                    f"{kinds} skipped: only text sources (TextSource) are imported",
                    path=qde_where), stacklevel=2)
        for n, ts in enumerate(text_sources, 1):
            sguid = normalize_guid(ts.get("guid")) or f"source-{n}"
            plain = ts.get("plainTextPath")
            name = (ts.get("name") or "").strip()
            if not name:
                name = PurePosixPath((plain or "").replace("\\", "/")).name or f"source_{n}"
                if "://" in name:
                    name = name.split("://", 1)[1]
                warnings.warn(CodingkitWarning(
                    f"TextSource {ts.get('guid')} has no name; named it {name!r}",
                    path=qde_where), stacklevel=2)
            if name in sources:
                base, k = name, 2
                while name in sources:
                    name = f"{base} ({k})"
                    k += 1
                warnings.warn(CodingkitWarning(f"two sources are named {base!r}; the second "
                                               f"is called {name!r}", path=qde_where),
                              stacklevel=2)
            content = kid(ts, "PlainTextContent")
            if content is not None:
                raw = text_of(content)
            elif plain:
                entry = _source_entry(archive, plain)
                if entry is None:
                    warnings.warn(CodingkitWarning(
                        f"source {name!r}: plainTextPath {plain!r} is not in the archive; "
                        f"the source and its selections are skipped", path=qde_where),
                        stacklevel=2)
                    continue
                size = archive.size(entry)
                text_bytes += size
                if size > max_source_bytes or text_bytes > max_text_bytes:
                    what = (f"source {name!r} ({entry}) is {size / 2**20:.0f} MiB, more "
                            f"than the limit of {max_source_bytes / 2**20:.0f} MiB per source"
                            if size > max_source_bytes else
                            f"the source texts are more than {max_text_bytes / 2**20:.0f} MiB "
                            f"together (at {entry})")
                    raise RefiQdaError(f"refused: {what}; expected interview transcripts "
                                       "(raise the limit with import-project --max-source-mb)",
                                       path=where, code="E533")
                raw = _decode(archive.read(entry), where=f"{where}!{entry}")
            else:
                what = ("only a richTextPath" if ts.get("richTextPath")
                        else "neither PlainTextContent nor plainTextPath")
                warnings.warn(CodingkitWarning(
                    f"source {name!r} has {what}; expected plain text; the source and its "
                    f"selections are skipped", path=qde_where), stacklevel=2)
                continue

            own = _own_name(ts, variables)
            if own and own != name and own not in sources:
                name = own   # a codingkit export: its flat name back to the source name
            st = SourceText(raw, budget=budget)
            sources[name] = st.text
            source_guids[name] = sguid
            guid_to_source[sguid] = name
            description = text_of(kid(ts, "Description")).strip()
            if description:
                descriptions[name] = description
            meta = metadata.setdefault(name, {})
            for vv in kids(ts, "VariableValue"):
                g, value = _variable_value(vv)
                if g in variables and value is not None and variables[g] != SOURCE_VARIABLE:
                    meta[variables[g]] = value

            try:
                _read_selections(ts, st, name, table, coder_of, rows, annotations, problems,
                                 corrections, qde_where)
            except ScanBudgetExceeded:
                raise RefiQdaError(
                    f"refused: checking the selection names of source {name!r} against the "
                    f"texts would read more than {SCAN_BUDGET:,} characters (names that are "
                    f"neither the text they cover nor absent from the source); expected "
                    f"selections named by their text or by a label", path=where,
                    code="E533") from None

        cases_el = kid(root, "Cases")
        if cases_el is not None:
            for case in kids(cases_el, "Case"):
                values = {}
                for vv in kids(case, "VariableValue"):
                    g, value = _variable_value(vv)
                    if g in variables and value is not None and variables[g] != SOURCE_VARIABLE:
                        values[variables[g]] = value
                for sref in kids(case, "SourceRef"):
                    sname = guid_to_source.get(normalize_guid(sref.get("targetGUID")) or "")
                    if sname is not None:
                        for k, v in values.items():
                            metadata[sname].setdefault(k, v)

        project_name = root.get("name") or path.stem
        data = path.read_bytes()

    codebook = Codebook(id=slugify(project_name), codes=table.codes, version="1",
                        title=project_name, path=path,
                        sha256=hashlib.sha256(data).hexdigest())
    selections = pd.DataFrame(rows, columns=_SELECTION_COLUMNS)
    selections = selections.sort_values(["source", "start", "end", "code", "coder"],
                                        kind="stable").reset_index(drop=True)
    selections[["start", "end"]] = selections[["start", "end"]].astype("int64")
    ann = pd.DataFrame(annotations, columns=_ANNOTATION_COLUMNS)
    if problems:
        warnings.warn(CodingkitWarning(
            f"{len(problems)} selection(s) could not be reconciled with their text and were "
            f"left out (see ImportedProject.problems)", path=where), stacklevel=2)
    return ImportedProject(path=path, name=project_name, sources=sources,
                           source_guids=source_guids, metadata=metadata, codebook=codebook,
                           code_guids=dict(table.by_guid), users=users, selections=selections,
                           annotations=ann, problems=problems, corrections=corrections,
                           descriptions=descriptions)


def _read_selections(ts, st: SourceText, name: str, table: CodeTable, coder_of, rows: list,
                     annotations: list, problems: list, corrections: dict,
                     qde_where: str) -> None:
    """The coded selections of TextSource ``ts`` (its text ``st``) into ``rows``,
    ``annotations`` and ``problems``; the reading of its offsets into ``corrections``."""
    sels = []
    for sel in kids(ts, "PlainTextSelection"):
        sels.append((sel, _int(sel.get("startPosition")), _int(sel.get("endPosition")),
                     sel.get("name") or ""))
    whole = list(kids(ts, "Coding"))
    # choose the reading that makes most checkable names match
    votes: Counter[str] = Counter()
    for _, s, e, nm in sels:
        if s is None or e is None or not st.checkable(nm):
            continue
        for r in st.readings:
            sp = st.span(r, s, e)
            if sp is not None and st.matches(nm, sp):
                votes[r] += 1
    order = [r for r in READINGS if r in st.readings]
    best = max(order, key=lambda r: (votes[r], -order.index(r))) if order else None
    if best is not None and best != "codepoints" and votes[best] > 0:
        corrections[name] = best
        if best in ("crlf", "utf16"):
            what = {"crlf": "counted each line break as two characters (\\r\\n)",
                    "utf16": "counted UTF-16 code units"}[best]
            warnings.warn(CodingkitWarning(
                f"source {name!r}: the offsets {what}; corrected", path=qde_where),
                stacklevel=4)

    for sel, s, e, nm in sels:
        sel_guid = normalize_guid(sel.get("guid")) or (sel.get("guid") or "")
        raw_found = ""

        def problem(reason: str) -> None:
            problems.append(SelectionProblem(name, sel_guid, s, e, nm, raw_found, reason))

        if s is None or e is None:
            problem("startPosition/endPosition are not integers")
            continue
        if 0 <= s <= e <= len(st.raw):
            raw_found = _excerpt(st.raw, s, e)
        span = st.span(best, s, e) if best else None
        used = best
        if st.checkable(nm):
            if span is None or not st.matches(nm, span):
                span, used = None, None
                for r in order:
                    sp = st.span(r, s, e)
                    if sp is not None and st.matches(nm, sp):
                        span, used = sp, r
                        break
                if span is None:
                    problem(f"the offsets do not point to the selection's text "
                            f"{nm[:60]!r} under any reading ({', '.join(order)})")
                    continue
        if span is None:
            problem(f"offsets out of range for a text of {len(st.text)} characters")
            continue
        codings = list(kids(sel, "Coding"))
        covered = _excerpt(st.text, span[0], span[1])
        if not codings:
            annotations.append({"source": name, "start": span[0], "end": span[1],
                                "text": covered,
                                "description": text_of(kid(sel, "Description")).strip(),
                                "coder": coder_of(sel), "selection": sel_guid})
            continue
        for coding in codings:
            ref = kid(coding, "CodeRef")
            cg = normalize_guid(ref.get("targetGUID")) if ref is not None else None
            if cg not in table.by_guid:
                problem(f"Coding refers to code {cg or '(none)'}, which is not in the "
                        f"CodeBook")
                continue
            cid = table.by_guid[cg]
            rows.append({"source": name, "start": span[0], "end": span[1],
                         "text": covered, "code": cid, "coder": coder_of(coding, sel),
                         "code_name": table.codes[cid].label, "selection": sel_guid,
                         "reading": used})
    for coding in whole:  # a coding of the whole source
        ref = kid(coding, "CodeRef")
        cg = normalize_guid(ref.get("targetGUID")) if ref is not None else None
        if cg in table.by_guid:
            cid = table.by_guid[cg]
            rows.append({"source": name, "start": 0, "end": len(st.text),
                         "text": _excerpt(st.text, 0, len(st.text)), "code": cid, "coder": coder_of(coding),
                         "code_name": table.codes[cid].label, "selection": "",
                         "reading": "codepoints"})


# --------------------------------------------------------------------------
# Writing an imported project to a folder
# --------------------------------------------------------------------------

#: Longest file or folder name written for a source, in UTF-8 bytes (file
#: systems allow 255; the temporary name of an atomic write adds 14).
MAX_NAME_BYTES = 120
#: Deepest folder nesting written for a source; deeper parts are joined.
MAX_DEPTH = 8


def _bounded(part: str, limit: int = MAX_NAME_BYTES, keep: str = "") -> str:
    """``part`` cut to ``limit`` UTF-8 bytes, with a hash of the whole when cut."""
    if len(part.encode("utf-8")) <= limit:
        return part
    tag = "~" + hashlib.sha256(part.encode("utf-8")).hexdigest()[:8]
    stem = part[: len(part) - len(keep)] if keep and part.endswith(keep) else part
    room = limit - len(tag.encode("utf-8")) - len(keep.encode("utf-8"))
    cut = stem.encode("utf-8")[:room].decode("utf-8", "ignore")
    return cut + tag + keep


def source_file_name(source: str) -> str:
    """Where :func:`write_imported_project` stores a source's text, below ``sources/``.

    The source name is kept (``syd/01_projektledare_omg1.txt``); ``.txt`` is
    added when the name does not end in it; unsafe parts (``..``, absolute
    paths) are replaced; a part longer than :data:`MAX_NAME_BYTES` is cut and
    ends in a hash of the whole (``~1a2b3c4d``), so that names stay unique
    and no file system refuses them.

    >>> source_file_name("syd/01_projektledare_omg1")
    'syd/01_projektledare_omg1.txt'
    >>> len(source_file_name("x" * 300).encode())
    120
    """
    parts = [p for p in source.replace("\\", "/").split("/") if p not in ("", ".")]
    parts = ["_" if p == ".." else p.replace(":", "_") for p in parts] or ["source"]
    if len(parts) > MAX_DEPTH:
        parts = parts[: MAX_DEPTH - 1] + ["_".join(parts[MAX_DEPTH - 1:])]
    if not parts[-1].lower().endswith(".txt"):
        parts[-1] += ".txt"
    parts = [_bounded(p) for p in parts[:-1]] + [_bounded(parts[-1], keep=".txt")]
    return "/".join(parts)


def _csv_bytes(frame) -> bytes:
    from ..tables import frame_csv_text

    return frame_csv_text(frame).encode("utf-8")


def write_imported_project(project: ImportedProject,
                           out_dir: str | os.PathLike[str]) -> dict[str, Path]:
    """Write an imported project to a folder a team can run codingkit on.

    Writes ``human_coding.csv`` (``source, start, end, text, code, coder``),
    ``sources/<source>.txt`` (each source's text, UTF-8), ``sources.csv``
    (source name → file, GUID, variables), ``codebook.yaml`` and
    ``codebook.qdc`` (the codes, without rules),
    and, when there are any, ``annotations.csv`` and ``problems.csv``.

    Parameters
    ----------
    project:
        From :func:`read_qdpx`.
    out_dir:
        A folder that does not exist yet or is empty.

    Returns
    -------
    dict
        Name (``"human_coding"``, ``"sources"``, ...) → path written.

    Raises
    ------
    OutputError
        E402 if ``out_dir`` exists and is not empty.
    PseudonymError
        E808 if ``out_dir`` is inside a folder of pseudonymised results or
        copies (meant to be shared) and the project is not the
        ``project.qdpx`` of pseudonymised results (:func:`check_import_location`).
    """
    import pandas as pd

    from .codebook import write_qdc

    out = Path(out_dir)
    check_import_location(project.path, out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise OutputError("the output folder exists and is not empty; expected a new or "
                          "empty folder", path=out, code="E402")
    # every name is decided before anything is written
    files: list[tuple[str, str]] = []   # (source, path below sources/)
    used: set[str] = set()
    for name in project.sources:
        rel = source_file_name(name)
        stem, k = rel, 2
        while rel.lower() in used:
            rel = f"{stem[:-4]}_{k}.txt"
            k += 1
        used.add(rel.lower())
        if ".." in PurePosixPath(rel).parts or rel.startswith("/"):
            raise RefiQdaError(f"source name {name!r} would escape the output folder",
                               path=project.path, code="E532")
        files.append((name, rel))
    # the whole folder is written beside OUT and renamed into place at the end:
    # a failure (a disk full, a name the file system refuses) leaves nothing behind
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent))
    except OSError as exc:
        raise OutputError(f"cannot create the output folder ({exc.strerror})", path=out,
                          code="E401") from None
    try:
        written = _write_project_files(project, files, tmp, pd, write_qdc)
        os.chmod(tmp, 0o777 & ~_umask())
        if out.exists():
            out.rmdir()          # empty (checked above)
        os.rename(tmp, out)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise OutputError(f"cannot write the imported project ({exc.strerror}: "
                          f"{exc.filename or ''}); nothing was written", path=out,
                          code="E400") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return {key: out / path.relative_to(tmp) for key, path in written.items()}


def check_import_location(qdpx: str | os.PathLike[str] | None,
                          out_dir: str | os.PathLike[str]) -> None:
    """E808 when a project imported from ``qdpx`` would be written to
    ``out_dir`` inside a folder meant to be shared (pseudonymised results or
    copies, :func:`~codingkit.pseudonymize.shared_folder`): its sources,
    human_coding.csv and annotations.csv hold the project's texts, which
    cannot be told to be pseudonymised, and its ``sources/*.txt`` would be
    taken for pseudonymised copies by ``apply``. Only the ``project.qdpx``
    that a pseudonymised run wrote into its results folder (``apply
    --pseudonymize --format qdpx``, or ``apply`` of copies) may be imported
    there."""
    from ..pseudonymize import check_shared_output, results_pseudonymized, shared_folder

    if shared_folder(Path(out_dir) / "sources.csv") is None:
        return
    if qdpx is not None and Path(qdpx).name == "project.qdpx" \
            and results_pseudonymized(Path(qdpx).parent):
        return
    name = Path(qdpx).name if qdpx is not None else "the project"
    check_shared_output(out_dir, f"the imported project would hold the texts of {name}, "
                        "which cannot be told to be pseudonymised",
                        instead=", or import the project.qdpx of pseudonymised results "
                                "('codingkit apply --pseudonymize --format qdpx')",
                        is_folder=True)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _write_project_files(project: ImportedProject, files: list[tuple[str, str]], out: Path,
                         pd, write_qdc) -> dict[str, Path]:
    written: dict[str, Path] = {}
    src_dir = out / "sources"
    rows = []
    for name, rel in files:
        target = src_dir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(target, project.sources[name].encode("utf-8"))
        rows.append({"source": name, "file": f"sources/{rel}",
                     "guid": project.source_guids.get(name, ""),
                     **project.metadata.get(name, {})})
    src_dir.mkdir(exist_ok=True)
    written["sources"] = src_dir
    written["sources_table"] = atomic_write_bytes(out / "sources.csv",
                                                  _csv_bytes(pd.DataFrame(rows)))
    written["human_coding"] = atomic_write_bytes(out / "human_coding.csv",
                                                 _csv_bytes(project.human_coding))
    if len(project.codebook):
        from ..codebook import dump_codebook

        written["codebook"] = atomic_write_bytes(
            out / "codebook.yaml", dump_codebook(project.codebook).encode("utf-8"))
        written["codebook_qdc"] = write_qdc(project.codebook, out / "codebook.qdc")
    if len(project.annotations):
        written["annotations"] = atomic_write_bytes(out / "annotations.csv",
                                                    _csv_bytes(project.annotations))
    if project.problems:
        frame = pd.DataFrame([p.__dict__ for p in project.problems])
        # the offsets as written (an absent one empty), not as floats (-5.0)
        frame[["start", "end"]] = frame[["start", "end"]].astype("Int64")
        written["problems"] = atomic_write_bytes(out / "problems.csv", _csv_bytes(frame))
    return written
