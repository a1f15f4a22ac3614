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
2. Bytes with NUL in them (and no BOM) are UTF-16 LE/BE without a BOM if
   they have its pattern (:func:`_utf16_without_bom`: at least half of the
   high bytes of the 16-bit units are zero, at most 5 % of the low bytes,
   and the strict decoding looks like text); read without a warning.
   Otherwise they are binary: an error.
3. Strict UTF-8.
4. CP850 (old DOS) or MacRoman (old Mac), with a warning naming the file
   and the encoding, if the Windows-1252 reading has no Swedish letter
   (å ä ö Å Ä Ö é) but at least one unlikely character, and one of these
   readings has at least three Swedish letters and fewer than a quarter as
   many other unusual characters (the highest :func:`swedish_score` wins;
   CP850 on a tie). See :func:`_legacy_swedish`.
5. Bytes that are partly UTF-8 and partly Windows-1252 (a pasted line):
   the majority decides, each part is read in its own encoding, and a
   warning names the file and line (no file turns into "fÃ¶r" mojibake).
6. Windows-1252, if the result looks like text (few control characters).
7. Otherwise an error: the file is not a text file codingkit can read.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import re
import unicodedata
import warnings
from pathlib import Path

from ..errors import CodingkitWarning, InputError

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
        it is empty, ``E111`` if it is not a regular file (a named pipe, a
        device), ``E112`` if it is over its size limit
        (:mod:`codingkit.readers.limits`).
    """
    from .limits import read_limited

    p = Path(path)
    if not p.exists():
        raise InputError("no such file or folder", path=p, code="E101")
    if p.is_dir():
        raise InputError("is a folder, expected a file", path=p, code="E101")
    data = read_limited(p)
    if not data.strip():
        raise InputError("empty file; expected a transcript (speaker turns) or survey answers",
                         path=p, code="E102")
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
    if "\r" in text:  # no copies of a large text that needs none
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.startswith("\ufeff"):
        text = text[1:]
    if unicodedata.is_normalized("NFC", text):
        return text
    return unicodedata.normalize("NFC", text)


def _looks_like_text(text: str) -> bool:
    """Whether decoded text is plausible: almost no control characters."""
    if not text:
        return False
    controls = sum(
        1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in _ALLOWED_CONTROLS
    )
    return controls <= max(1, len(text) // 1000)


def _utf16_without_bom(data: bytes) -> str | None:
    """``"utf-16-le"`` or ``"utf-16-be"`` if ``data`` is UTF-16 text without
    a byte-order mark, else ``None`` (binary content).

    Text in Latin script has a zero high byte in most 16-bit units (every
    ASCII character and å, ä, ö, é) and almost never a zero low byte. So:
    an even number of bytes, at least half of the high bytes zero, at most
    5 % of the low bytes zero, a strict decoding, and a result that looks
    like text (which also refuses UTF-32, whose every other unit is NUL).
    """
    units = len(data) // 2
    if not units or len(data) % 2:
        return None
    even_zeros, odd_zeros = data[0::2].count(0), data[1::2].count(0)
    for high, low, name in ((odd_zeros, even_zeros, "utf-16-le"),
                            (even_zeros, odd_zeros, "utf-16-be")):
        if high * 2 >= units and low * 20 <= units:
            try:
                text = data.decode(name, errors="strict")
            except UnicodeDecodeError:
                return None
            return name if _looks_like_text(text) else None
    return None


#: Letters a Swedish text has and its misreadings lack.
_SWEDISH_LETTERS = frozenset("åäöÅÄÖé")
#: Non-ASCII characters common in Swedish text besides its letters: they
#: count neither for nor against an encoding.
_COMMON_PUNCTUATION = frozenset("–—‘’“”«»…€§°½·•\u00a0")
#: 8-bit encodings other than Windows-1252 that Swedish text files come in,
#: in the order they win a tie, with the name a warning gives them.
_LEGACY = {"cp850": "CP850 (old DOS)", "mac_roman": "MacRoman (old Mac)"}
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _letters_and_odd(text: str) -> tuple[int, int]:
    """The number of Swedish letters (å ä ö Å Ä Ö é) in ``text`` and of
    other non-ASCII characters that are not common punctuation."""
    letters = odd = 0
    for ch in _NON_ASCII.findall(text):
        if ch in _SWEDISH_LETTERS:
            letters += 1
        elif ch not in _COMMON_PUNCTUATION:
            odd += 1
    return letters, odd


def swedish_score(text: str) -> int:
    """How Swedish ``text`` looks: the number of Swedish letters (å ä ö Å Ä
    Ö é) minus the number of other non-ASCII characters, except common
    punctuation (– — ” “ ’ ‘ » « … € § ° ½ · • and no-break space).

    >>> swedish_score("Då är inspelningen igång")     # the right encoding
    3
    >>> swedish_score("D† „r inspelningen ig†ng")     # CP850 read as Windows-1252
    -3
    """
    letters, odd = _letters_and_odd(text)
    return letters - odd


#: A legacy reading must give at least this many Swedish letters, and four
#: times as many as other unusual characters: a Windows-1252 text with a
#: few curly quotes and one "ü" is not taken for CP850 (where ” is "ö").
MIN_LEGACY_LETTERS = 3


def _legacy_swedish(data: bytes) -> str | None:
    """``"cp850"`` or ``"mac_roman"`` if ``data`` (not UTF-8) is Swedish text
    in that encoding, else ``None``.

    Only when the Windows-1252 reading has no Swedish letter but some
    unlikely character (a Windows-1252 reading with only plain ASCII and
    common punctuation stays Windows-1252), and a legacy reading has at
    least :data:`MIN_LEGACY_LETTERS` Swedish letters and fewer than a
    quarter as many other unusual characters; the highest
    :func:`swedish_score` wins, CP850 on a tie.
    """
    ansi = data.decode("cp1252", errors="replace")
    if _SWEDISH_LETTERS.intersection(ansi) or swedish_score(ansi) >= 0:
        return None
    best, best_score = None, 0
    for name in _LEGACY:
        letters, odd = _letters_and_odd(data.decode(name, errors="replace"))
        if letters >= MIN_LEGACY_LETTERS and odd * 4 < letters and letters - odd > best_score:
            best, best_score = name, letters - odd
    return best


def detect_encoding(data: bytes) -> str | None:
    """Name the encoding of ``data``, or ``None`` if it is not readable text.

    >>> detect_encoding("Återkoppling".encode("utf-8"))
    'utf-8'
    >>> detect_encoding("Återkoppling".encode("cp1252"))
    'cp1252'
    >>> detect_encoding("Återkoppling".encode("utf-16"))   # with a BOM
    'utf-16-le'
    >>> detect_encoding("Återkoppling".encode("utf-16-be"))   # without
    'utf-16-be'
    >>> detect_encoding("Då är inspelningen igång".encode("cp850"))
    'cp850'
    >>> detect_encoding("Då är inspelningen igång".encode("mac_roman"))
    'mac_roman'
    """
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    if b"\x00" in data:
        return _utf16_without_bom(data)
    try:
        data.decode("utf-8", errors="strict")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    legacy = _legacy_swedish(data)
    if legacy is not None:
        return legacy
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
        ``E103`` for binary content (NUL bytes without a byte-order mark
        that are not UTF-16 text either), ``E104`` for bytes that are
        neither UTF-8 nor plausible Windows-1252, CP850 or MacRoman,
        ``E102`` if the text is only whitespace.

    Warns
    -----
    CodingkitWarning
        When the file is read as CP850 or MacRoman (once, naming the file
        and the encoding), or as partly UTF-8 and partly Windows-1252.
    """
    encoding = detect_encoding(data)
    if encoding == "cp1252" and _UTF8_MULTIBYTE.search(data):
        return _decode_mixed(data, path)
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
        raise InputError("empty file; expected a transcript (speaker turns) or survey answers",
                         path=path, code="E102")
    if bom and not _looks_like_text(text):
        raise InputError(f"not a text file (binary content); {_EXPECTED}", path=path,
                         code="E103")
    if encoding in _LEGACY:
        warnings.warn(CodingkitWarning(f"read as {_LEGACY[encoding]}, not UTF-8; save it as "
                                       "UTF-8 to be sure", path=path), stacklevel=3)
    return normalise_text(text)


#: A valid UTF-8 sequence of two to four bytes (a non-ASCII character).
_UTF8_MULTIBYTE = re.compile(
    rb"[\xC2-\xDF][\x80-\xBF]|\xE0[\xA0-\xBF][\x80-\xBF]|[\xE1-\xEC\xEE\xEF][\x80-\xBF]{2}"
    rb"|\xED[\x80-\x9F][\x80-\xBF]|\xF0[\x90-\xBF][\x80-\xBF]{2}|[\xF1-\xF3][\x80-\xBF]{3}"
    rb"|\xF4[\x80-\x8F][\x80-\xBF]{2}")


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _decode_mixed(data: bytes, path: str | os.PathLike[str] | None) -> str:
    """Decode bytes that are neither all UTF-8 nor all Windows-1252.

    Most often a UTF-8 file into which a few Windows-1252 characters were
    pasted (or the reverse). Decoding all of it as Windows-1252 would turn
    every "ö" written in UTF-8 into "Ã¶". Instead the majority decides:
    when valid UTF-8 characters outnumber the bytes that are not UTF-8, the
    file is UTF-8 and only the stray bytes are read as Windows-1252;
    otherwise each line is read as UTF-8 if it is valid UTF-8 with
    non-ASCII characters, else as Windows-1252. A warning names the file
    and the first line read the other way.
    """
    valid = len(_UTF8_MULTIBYTE.findall(data))
    bad: list[int] = []

    def fallback(exc: UnicodeDecodeError) -> tuple[str, int]:
        bad.append(exc.start)
        return exc.object[exc.start:exc.end].decode("cp1252", errors="replace"), exc.end

    if valid >= _count_invalid_utf8(data):
        codecs.register_error("codingkit-cp1252", fallback)
        text = data.decode("utf-8", errors="codingkit-cp1252")
        first = _line_of(data, bad[0])
        more = len({_line_of(data, b) for b in bad[:1000]}) - 1
        message = (f"not all UTF-8: {len(bad)} byte(s) read as Windows-1252 "
                   f"(e.g. {text_around(data, bad[0])!r})"
                   + (f", on {more} more line(s) too" if more else "")
                   + "; check these characters")
    else:
        parts, first = [], None
        for number, line in enumerate(data.split(b"\n"), start=1):
            if _UTF8_MULTIBYTE.search(line):
                try:
                    parts.append(line.decode("utf-8"))
                    first = first or number
                    continue
                except UnicodeDecodeError:
                    pass
            parts.append(line.decode("cp1252", errors="replace"))
        text = "\n".join(parts)
        message = ("mostly Windows-1252, but some lines are UTF-8: read each line in its own "
                   "encoding; check these characters")
    warnings.warn(CodingkitWarning(message, path=path, line=first), stacklevel=4)
    if not text.strip("\ufeff \t\r\n\f\v"):
        raise InputError("empty file; expected a transcript (speaker turns) or survey answers",
                         path=path, code="E102")
    return normalise_text(text)


def _count_invalid_utf8(data: bytes) -> int:
    count = 0

    def counter(exc: UnicodeDecodeError) -> tuple[str, int]:
        nonlocal count
        count += 1
        return "", exc.end

    codecs.register_error("codingkit-count", counter)
    data.decode("utf-8", errors="codingkit-count")
    return count


def _as_cp1252(exc: UnicodeDecodeError) -> tuple[str, int]:
    return exc.object[exc.start:exc.end].decode("cp1252", errors="replace"), exc.end


codecs.register_error("codingkit-as-cp1252", _as_cp1252)


def text_around(data: bytes, offset: int, width: int = 12) -> str:
    """The words around a byte offset (in its line), as read, for a warning."""
    start = max(data.rfind(b"\n", 0, offset) + 1, offset - width)
    end = data.find(b"\n", offset)
    end = min(len(data) if end < 0 else end, offset + width)
    chunk = data[start:end].decode("utf-8", errors="codingkit-as-cp1252")
    return chunk.strip("\r\ufffd \t")


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
