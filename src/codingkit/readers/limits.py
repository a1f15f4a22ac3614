"""Size limits for input files, and opening only regular files.

codingkit reads files that researchers receive from others. So that no
input can make a run hang or use unbounded memory, every file is checked
before it is read:

* only regular files are read (a named pipe, a device such as
  ``/dev/zero`` or a socket is refused with ``E111``; inside a folder it
  is skipped with a warning);
* a file larger than its limit is refused with ``E112``, before it is
  read; a ``.docx``/``.xlsx`` also after decompression (the sizes the
  archive declares, which Python's zip reader enforces);
* one turn longer than :func:`max_turn_chars` is refused with ``E112``
  (in a CSV survey, one field longer than it);
* a survey sheet is read only within Excel's own bounds (:data:`MAX_ROWS`,
  :data:`MAX_COLUMNS`) and, of a workbook, at most :func:`max_cells`
  cells (each row counted to its last cell, and to the last cell a merged
  cell above it reaches), whatever its stored dimension claims, with at
  most :func:`max_merged_ranges` merged cells (``E112``).

Each limit can be raised with an environment variable:

======================  ========  ===============================================
variable                default   what
======================  ========  ===============================================
CODINGKIT_MAX_FILE_MB   50        one transcript (.txt .md .vtt .srt .docx), on
                                  disk and, for .docx, unpacked
CODINGKIT_MAX_SURVEY_MB 50        one survey (.csv .xlsx), on disk and, for
                                  .xlsx, unpacked
CODINGKIT_MAX_TURN_MB   2         one speaker turn (million characters)
======================  ========  ===============================================
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ..errors import InputError

MB = 1_000_000

#: Defaults of the limits, in MB (turns: million characters).
DEFAULTS = {"CODINGKIT_MAX_FILE_MB": 50, "CODINGKIT_MAX_SURVEY_MB": 50,
            "CODINGKIT_MAX_TURN_MB": 2}

_SURVEY_SUFFIXES = (".csv", ".xlsx", ".xlsm")


def _limit(name: str) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return float(DEFAULTS[name])
    try:
        value = float(raw)
    except ValueError:
        raise InputError(f"the environment variable {name}={raw!r} is not a number; expected "
                         f"a size in MB such as {DEFAULTS[name]}", code="E112") from None
    if value <= 0:
        raise InputError(f"the environment variable {name}={raw!r} must be above 0",
                         code="E112")
    return value


def variable_for(path: str | os.PathLike[str]) -> str:
    """The environment variable whose limit applies to ``path``."""
    return ("CODINGKIT_MAX_SURVEY_MB" if Path(path).suffix.lower() in _SURVEY_SUFFIXES
            else "CODINGKIT_MAX_FILE_MB")


def max_bytes(path: str | os.PathLike[str]) -> int:
    """The largest size in bytes (on disk, or unpacked) accepted for ``path``."""
    return int(_limit(variable_for(path)) * MB)


def max_turn_chars() -> int:
    """The longest turn, in characters, that is coded."""
    return int(_limit("CODINGKIT_MAX_TURN_MB") * MB)


#: Excel's own bounds of a sheet (row 1,048,576, column XFD): a survey table
#: beyond them was not made by a spreadsheet and is refused (``E112``).
MAX_ROWS = 1_048_576
MAX_COLUMNS = 16_384


def max_cells(path: str | os.PathLike[str]) -> int:
    """The most cells of a survey sheet that are read: one per byte of its
    size limit (a real sheet holds far fewer; each cell takes bytes in the
    file, while a row that only names its last cell makes every cell before
    it one to read)."""
    return max_bytes(path)


def too_many_cells(path, row: int) -> InputError:
    """The E112 error for a sheet over :func:`max_cells` (counted up to ``row``)."""
    name = variable_for(path)
    limit = max_cells(path)
    return InputError(f"the sheet holds over {limit:,} cells up to this row (each row "
                      f"counted to its last cell), over the limit; to read it, raise the "
                      f"limit, e.g. {name}={2 * int(_limit(name)) + 1}", path=path, line=row,
                      code="E112")


def max_merged_ranges(path: str | os.PathLike[str]) -> int:
    """The most merged cell ranges (``<mergeCell>``) of a survey sheet that
    are read: one per 500 bytes of its size limit (100,000 at 50 MB; a
    survey merges a project's or a round's cell over its answers, a few
    hundred ranges; openpyxl builds an object of each range after the last
    row: 20 s and 650 MB for a million)."""
    return max_bytes(path) // 500


def too_many_merged(path, count: int) -> InputError:
    """The E112 error for a sheet of ``count`` merged ranges, over :func:`max_merged_ranges`."""
    name = variable_for(path)
    return InputError(f"the sheet has {count:,} merged cell ranges, over the limit of "
                      f"{max_merged_ranges(path):,}; expected a survey as a spreadsheet program "
                      f"writes it; to read it, unmerge the cells or raise the limit, e.g. "
                      f"{name}={count * 500 // MB + 1}", path=path, code="E112")


def sheet_rows(path, sheet, *, what: str = "the sheet", min_row: int = 1,
               max_col: int | None = None, used: int = 0, values_only: bool = True):
    """``(row, cells)`` for each row of a read-only openpyxl worksheet from
    ``min_row`` on, the cells' values as openpyxl gives them (with
    ``values_only=False`` the cells themselves), within bounds.

    The sheet's stored dimension (``<dimension ref="A1:XFD1048576"/>``) is
    not trusted: it may be stale (too small: rows or columns would be lost)
    or hostile (too large: openpyxl would pad every row to 16,384 cells and
    the sheet to a million rows). The rows there are are read, each as wide
    as its last cell (or ``max_col`` cells, the gaps between rows too),
    within Excel's bounds (:data:`MAX_ROWS`, :data:`MAX_COLUMNS`) and at
    most :func:`max_cells` cells in all, ``used`` of them read before
    (E112; ``what`` names the sheet in the error).
    """
    sheet.reset_dimensions()
    budget = max_cells(path) - used
    rows = sheet.iter_rows(min_row=min_row, max_col=max_col, values_only=values_only)
    for number, cells in enumerate(rows, start=min_row):
        if number > MAX_ROWS:
            raise beyond_sheet(path, f"{what} has rows beyond row {MAX_ROWS:,}")
        if len(cells) > MAX_COLUMNS:
            raise beyond_sheet(path, f"row {number:,} has a cell beyond column XFD "
                               f"({MAX_COLUMNS:,})", number)
        budget -= len(cells)
        if budget < 0:
            raise too_many_cells(path, number)
        yield number, cells


def beyond_sheet(path, what: str, line: int | None = None) -> InputError:
    """The E112 error for a survey table beyond :data:`MAX_ROWS` or :data:`MAX_COLUMNS`."""
    return InputError(f"{what}; expected a table within Excel's bounds ({MAX_ROWS:,} rows, "
                      f"{MAX_COLUMNS:,} columns)", path=path, line=line, code="E112")


def _size(n: int) -> str:
    return f"{n / MB:,.1f} MB" if n >= MB else f"{n:,} bytes"


def too_large(path, size: int, what: str = "the file is") -> InputError:
    """The E112 error for a file (or its unpacked content) over its limit."""
    name = variable_for(path)
    limit = max_bytes(path)
    shown, shown_limit = _size(size), _size(limit)
    if shown == shown_limit:
        shown, shown_limit = f"{size:,} bytes", f"{limit:,} bytes"
    return InputError(f"{what} {shown}, over the limit of {shown_limit}; to read it, "
                      f"raise the limit, e.g. {name}={int(size / MB) + 1}", path=path,
                      code="E112")


def check_turn(path, length: int, line: int | None = None) -> None:
    """E112 when one turn is longer than :func:`max_turn_chars`."""
    limit = max_turn_chars()
    if length > limit:
        raise InputError(f"one turn is {length:,} characters long, over the limit of "
                         f"{limit:,}; is a speaker label missing? To code it as it is, raise "
                         f"the limit, e.g. CODINGKIT_MAX_TURN_MB={length // MB + 1}",
                         path=path, line=line, code="E112")


_KINDS = ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"),
          (stat.S_ISDIR, "a folder"))


def file_kind(mode: int) -> str | None:
    """``None`` for a regular file, else what it is ("a named pipe (FIFO)", ...)."""
    if stat.S_ISREG(mode):
        return None
    return next((what for test, what in _KINDS if test(mode)), "not a regular file")


def not_regular(path, kind: str, expected: str = "a transcript file") -> InputError:
    return InputError(f"is {kind}, not a regular file; expected {expected}",
                      path=path, code="E111")


def open_regular(path: str | os.PathLike[str], expected: str):
    """An open binary file object of ``path``, checked to be a regular file
    first (``expected`` says what it should be, in the error).

    The file is opened without blocking, so that a named pipe (FIFO) cannot
    stall the run, and checked on the open file (no gap between the check
    and the reading); a file that is not regular is refused with ``E111``.
    The caller closes the file object.

    Raises
    ------
    InputError
        ``E101`` if it cannot be opened, ``E111`` if it is not a regular file.
    """
    p = Path(path)
    try:
        fd = os.open(p, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise InputError(f"cannot be read ({exc.strerror or exc})", path=p, code="E101") from None
    try:
        kind = file_kind(os.fstat(fd).st_mode)
        if kind is not None:
            raise not_regular(p, kind, expected)
        if hasattr(os, "O_NONBLOCK"):   # a regular file: reads block as usual
            import fcntl

            fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) & ~os.O_NONBLOCK)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def check_regular(path: str | os.PathLike[str], expected: str) -> None:
    """``E111`` when ``path`` exists and is not a regular file (a named pipe,
    a device, a socket, a folder), without opening it (a named pipe would
    block). A missing file is left to the caller."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return
    kind = file_kind(mode)
    if kind is not None:
        raise not_regular(path, kind, expected)


def read_limited(path: str | os.PathLike[str], expected: str = "a transcript file") -> bytes:
    """The bytes of a regular file no larger than its limit (``expected``
    says what it should be, in the error for a file that is not regular).

    The file is opened without blocking (a named pipe cannot stall the run),
    checked to be a regular file and measured before it is read; at most
    the limit is read even if it grows meanwhile.

    Raises
    ------
    InputError
        ``E101`` if it cannot be opened, ``E111`` if it is not a regular
        file, ``E112`` if it is over its size limit.
    """
    p = Path(path)
    with open_regular(p, expected) as fh:
        try:
            size = os.fstat(fh.fileno()).st_size
            limit = max_bytes(p)
            if size > limit:
                raise too_large(p, size)
            data = fh.read(limit + 1)
        except OSError as exc:
            raise InputError(f"cannot be read ({exc.strerror or exc})", path=p,
                             code="E101") from None
    if len(data) > limit:
        raise too_large(p, len(data))
    return data


def check_archive(path, archive) -> None:
    """E112 when a zip archive (.docx, .xlsx) unpacks to more than its limit.

    ``archive`` is an open :class:`zipfile.ZipFile`. The sizes are those the
    archive declares; Python's zip reader never returns more than that
    (and fails on a CRC mismatch), so a zip bomb cannot get past this.
    """
    total = sum(info.file_size for info in archive.infolist())
    if total > max_bytes(path):
        raise too_large(path, total, "unpacked, the file is")


def check_unpacked_size(data: bytes, path) -> None:
    """E112 when the zip archive in ``data`` unpacks to more than its limit
    (a .docx or .xlsx that is not a zip archive is left to its reader), or,
    of a workbook, when one of its XML parts would keep too many elements
    in memory at once (:func:`check_workbook_elements`)."""
    import io
    import zipfile

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        return
    with archive:
        check_archive(path, archive)
        if Path(path).suffix.lower() in _SURVEY_SUFFIXES:
            check_workbook_elements(path, archive)


def max_elements(path: str | os.PathLike[str]) -> int:
    """The most XML elements of a workbook part held in memory at once: one per
    25 bytes of the size limit (2,000,000 at 50 MB; about 650 MB as openpyxl
    holds them). A row of a real sheet holds at most a few ten thousand
    elements; a sheet keeps one (emptied) element per row read, and has at
    most 1,048,576 rows."""
    return max_bytes(path) // 25


#: The parts openpyxl reads one element at a time (and then forgets):
#: part -> (root element, element read at a time).
_STREAMED = {"xl/sharedStrings.xml": (b"sst", b"si")}
_STREAMED_SHEET = (b"worksheet", b"row")


def _held_elements(data: bytes, streamed: tuple[bytes, bytes] | None) -> int:
    """The most elements of ``data`` (an XML part) that a reader keeps at once:
    all of them, or, when the reader streams ``(root, unit)`` elements
    (rows, shared strings), those inside the largest unit plus all those
    outside the units.

    Counted on the bytes (each ``<`` that does not start an end tag is one;
    a comment or declaration counts too) with C-speed splits and counts: no
    XML is parsed, so no element is made. About 0.3 s for a 47 MB sheet."""
    total = data.count(b"<") - data.count(b"</")
    if streamed is None:
        return total
    import re

    root, unit = streamed
    m = re.search(rb"<([A-Za-z_][\w.-]*:)?" + root + rb"[\s>]", data[:65536])
    prefix = (m.group(1) or b"") if m else b""
    end_tag = b"</" + prefix + unit + b">"
    pieces = data.split(b"<" + prefix + unit)
    inside_max = inside_sum = 0
    for piece in pieces[1:]:  # each starts in a unit's start tag ('<row' taken off)
        if piece[:1] not in (b" ", b">", b"/", b"\t", b"\n", b"\r"):
            continue  # another name that starts the same (<rowBreaks>)
        k = piece.find(end_tag)
        if k < 0:
            gt = piece.find(b">")
            if gt > 0 and piece[gt - 1:gt] == b"/":
                continue  # an empty <row .../>: nothing inside
            k = len(piece)  # not closed: everything after counts as inside
        n = piece.count(b"<", 0, k) - piece.count(b"</", 0, k)
        inside_sum += n
        inside_max = max(inside_max, n)
    return inside_max + (total - inside_sum)


def check_workbook_elements(path, archive) -> None:
    """E112 when an XML part of a workbook would keep more than
    :func:`max_elements` elements in memory at once.

    openpyxl reads a sheet row by row and the shared strings one by one,
    but keeps every element of a row (or a string) until its end, every
    element it does not know outside them, and every element of the other
    parts: 44 kB of zip holding 11 million empty elements in one row (4
    bytes each, 44 MB unpacked, within the size limit) took 3.5 GB and 78 s.
    """
    limit = max_elements(path)
    for info in archive.infolist():
        name = info.filename
        if not name.lower().endswith((".xml", ".rels")) or info.file_size // 4 <= limit:
            continue  # fewer bytes than 4 per element over the limit: cannot hold too many
        data = archive.read(info)
        streamed = _STREAMED.get(name, _STREAMED_SHEET if name.startswith("xl/worksheets/")
                                 else None)
        held = _held_elements(data, streamed)
        if held > limit:
            raise InputError(
                f"the workbook part {name} would keep {held:,} XML elements in memory at once "
                f"(in one row, or outside the rows), over the limit of {limit:,}; expected a "
                f"workbook as a spreadsheet program writes it; to read it, raise the limit, e.g. "
                f"{variable_for(path)}={(held * 25) // MB + 1}", path=path, code="E112")


def refused_entities(exc: BaseException) -> bool:
    """Whether ``exc`` (or what caused it) is defusedxml refusing a DTD or an
    entity in a workbook (openpyxl parses with defusedxml when it is installed)."""
    try:
        from defusedxml import DefusedXmlException
    except ImportError:  # pragma: no cover - a dependency
        return False
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, DefusedXmlException):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False
