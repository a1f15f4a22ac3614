"""Reading a file's bytes and decoding them to clean text.

Swedish transcripts arrive in many encodings: UTF-8 (with or without the
byte-order mark Notepad adds), UTF-16 from some Windows tools, and
Windows-1252 ("ANSI") from older Word and Excel exports. This module finds
the encoding without being told, and returns the text normalised the way the
rest of codingkit expects it: Unicode NFC (so that "å" is one code point) and
``\\n`` line endings.

Decoding order
--------------
1. A byte-order mark decides: UTF-8, UTF-16 LE/BE or UTF-32 LE/BE.
2. Bytes with NUL in them (and no BOM) are binary: an error.
3. Strict UTF-8.
4. Windows-1252, if the result looks like text (few control characters).
5. Otherwise an error: the file is not a text file codingkit can read.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import unicodedata
from pathlib import Path

from ..errors import InputError

#: Byte-order marks, longest first (the UTF-32 LE mark starts like UTF-16 LE).
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

_EXPECTED = "expected UTF-8, UTF-16 or Windows-1252 text"

# Control characters that do occur in real text files.
_ALLOWED_CONTROLS = {"\t", "\n", "\r", "\f", "\v"}


def read_bytes(path: str | os.PathLike[str]) -> bytes:
    """Return the bytes of ``path``, opened read-only.

    Raises
    ------
    InputError
        ``E101`` if the file does not exist or cannot be opened, ``E102`` if
        it is empty.
    """
    p = Path(path)
    if not p.exists():
        raise InputError("no such file or folder", path=p, code="E101")
    if p.is_dir():
        raise InputError("is a folder, expected a file", path=p, code="E101")
    try:
        with open(p, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        raise InputError(f"cannot be read ({exc.strerror or exc})", path=p, code="E101") from None
    if not data.strip():
        raise InputError("empty file", path=p, code="E102")
    return data


def sha256_of(data: bytes) -> str:
    """Hex sha256 digest of ``data`` (the file's bytes)."""
    return hashlib.sha256(data).hexdigest()


def normalise_text(text: str) -> str:
    """NFC-normalise ``text`` and turn ``\\r\\n`` and ``\\r`` into ``\\n``.

    A leading byte-order mark (U+FEFF) is removed.

    >>> normalise_text("a\\r\\nb\\rc")
    'a\\nb\\nc'
    >>> len(normalise_text("a\\u030a"))   # "å" written as a + ring → one code point
    1
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.startswith("\ufeff"):
        text = text[1:]
    return unicodedata.normalize("NFC", text)


def _looks_like_text(text: str) -> bool:
    """Whether decoded text is plausible: almost no control characters."""
    if not text:
        return False
    controls = sum(
        1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in _ALLOWED_CONTROLS
    )
    return controls <= max(1, len(text) // 1000)


def detect_encoding(data: bytes) -> str | None:
    """Name the encoding of ``data``, or ``None`` if it is not readable text.

    >>> detect_encoding("Återkoppling".encode("utf-8"))
    'utf-8'
    >>> detect_encoding("Återkoppling".encode("cp1252"))
    'cp1252'
    >>> detect_encoding("Återkoppling".encode("utf-16"))   # with a BOM
    'utf-16-le'
    """
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    if b"\x00" in data:
        return None
    try:
        data.decode("utf-8", errors="strict")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252", errors="strict")
    except UnicodeDecodeError:
        return None
    return "cp1252" if _looks_like_text(text) else None


def decode_bytes(data: bytes, path: str | os.PathLike[str] | None = None) -> str:
    """Decode a file's bytes to normalised text (NFC, ``\\n`` line endings).

    Parameters
    ----------
    data:
        The file's bytes.
    path:
        The file, for error messages.

    Raises
    ------
    InputError
        ``E103`` for binary content (NUL bytes without a byte-order mark),
        ``E104`` for bytes that are neither UTF-8 nor plausible
        Windows-1252, ``E102`` if the text is only whitespace.
    """
    encoding = detect_encoding(data)
    if encoding is None:
        if b"\x00" in data:
            raise InputError(f"not a text file (binary content); {_EXPECTED}", path=path,
                             code="E103")
        raise InputError(f"cannot decode the text; {_EXPECTED}", path=path, code="E104")
    bom = next((b for b, name in _BOMS if data.startswith(b)), b"")
    try:
        text = data[len(bom):].decode(encoding, errors="strict")
    except UnicodeDecodeError:
        raise InputError(f"cannot decode the text as {encoding}; {_EXPECTED}", path=path,
                         code="E104") from None
    if not text.strip("\ufeff \t\r\n\f\v"):
        raise InputError("empty file", path=path, code="E102")
    if bom and not _looks_like_text(text):
        raise InputError(f"not a text file (binary content); {_EXPECTED}", path=path,
                         code="E103")
    return normalise_text(text)


def read_text(path: str | os.PathLike[str]) -> tuple[str, str]:
    """Read a text file: its normalised text and the sha256 of its bytes.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
    >>> _ = p.write_bytes("I: Hur gick det?\\r\\n".encode("cp1252"))
    >>> read_text(p)[0]
    'I: Hur gick det?\\n'
    """
    data = read_bytes(path)
    return decode_bytes(data, path), sha256_of(data)
