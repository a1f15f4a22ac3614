"""Reconcile the offsets other tools write with codingkit's text.

codingkit counts offsets in Unicode code points of the NFC text with ``\\n``
line endings. A source read from a ``.qdpx`` may instead

* contain ``\\r\\n`` (offsets then count it as two code points, or as one),
* be decomposed (``a`` + combining ring instead of ``å``),
* have been counted by a tool that treats every line break as ``\\r\\n``
  although the stored text has ``\\n`` (NVivo is reported to do so), or in
  UTF-16 code units (an emoji counts twice).

:class:`SourceText` normalises the text and offers each of these readings as
a mapping from the tool's offset to an offset in the normalised text.
"""

from __future__ import annotations

import unicodedata
from typing import Callable

#: Names of the readings, in order of preference.
READINGS = ("codepoints", "lf", "crlf", "utf16")


def _normalize(raw: str) -> tuple[str, list[int] | None]:
    """NFC text with ``\\n`` line endings, and raw index → text index."""
    out: list[str] = []
    mapping = [0] * (len(raw) + 1)
    i = pos = 0
    n = len(raw)
    while i < n:
        ch = raw[i]
        if ch == "\r":
            j = i + 2 if raw[i + 1:i + 2] == "\n" else i + 1
            piece = "\n"
        else:
            j = i + 1
            while j < n and unicodedata.combining(raw[j]):
                j += 1
            piece = unicodedata.normalize("NFC", raw[i:j]) if j - i > 1 or ord(ch) > 0x7F else ch
        for k in range(i, j):
            mapping[k] = pos
        out.append(piece)
        pos += len(piece)
        i = j
    mapping[n] = pos
    text = "".join(out)
    expected = unicodedata.normalize("NFC", raw.replace("\r\n", "\n").replace("\r", "\n"))
    if text != expected:  # a script where NFC is not local to clusters: give up mapping
        return expected, (list(range(n + 1)) if len(expected) == n else None)
    return text, mapping


def _collapse(s: str) -> str:
    return " ".join(unicodedata.normalize("NFC", s).split())


class SourceText:
    """A source's text as stored, normalised, with offset readings."""

    def __init__(self, raw: str) -> None:
        if raw.startswith("\ufeff"):
            raw = raw[1:]
        self.raw = raw
        self.text, self._raw_map = _normalize(raw)
        self._flat = _collapse(self.text)
        self.readings: dict[str, Callable[[int], int | None]] = {}
        if self._raw_map is not None:
            self.readings["codepoints"] = self._from_raw
        if self.raw != self.text or self._raw_map is None:
            self.readings["lf"] = self._from_text
        if "\n" in self.text:
            crlf = []
            for i, ch in enumerate(self.text):
                crlf.append(i)
                if ch == "\n":
                    crlf.append(i)
            crlf.append(len(self.text))
            self._crlf = crlf
            self.readings["crlf"] = lambda o: self._crlf[o] if 0 <= o < len(self._crlf) else None
        if self._raw_map is not None and any(ord(c) > 0xFFFF for c in raw):
            u16 = []
            for i, ch in enumerate(raw):
                u16.append(i)
                if ord(ch) > 0xFFFF:
                    u16.append(i)
            u16.append(len(raw))
            self._u16 = u16
            self.readings["utf16"] = lambda o: (self._raw_map[self._u16[o]]
                                                if 0 <= o < len(self._u16) else None)

    def _from_raw(self, o: int) -> int | None:
        return self._raw_map[o] if 0 <= o <= len(self.raw) else None

    def _from_text(self, o: int) -> int | None:
        return o if 0 <= o <= len(self.text) else None

    def span(self, reading: str, start: int, end: int) -> tuple[int, int] | None:
        """``(start, end)`` in the normalised text under ``reading``, or ``None``."""
        f = self.readings.get(reading)
        if f is None:
            return None
        s, e = f(start), f(end)
        if s is None or e is None or s > e:
            return None
        return s, e

    def checkable(self, name: str | None) -> bool:
        """Whether ``name`` looks like covered text (it occurs in the source)."""
        if not name:
            return False
        n = _collapse(name)
        if n.endswith(("...", "…")):
            n = n.rstrip(".…").rstrip()
        return len(n) > 0 and n in self._flat

    def matches(self, name: str, span: tuple[int, int]) -> bool:
        """Whether ``name`` is the text covered by ``span`` (whitespace-insensitive)."""
        covered = _collapse(self.text[span[0]:span[1]])
        n = _collapse(name)
        if n == covered:
            return True
        if n.endswith(("...", "…")):
            stem = n.rstrip(".…").rstrip()
            return len(stem) >= 5 and covered.startswith(stem)
        return False
