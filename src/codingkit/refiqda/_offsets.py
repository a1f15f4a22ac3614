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

Memory: no structure holds one Python object per code point (a 50 MB source
once needed 4.2 GB that way). Each mapping is kept as the sorted positions
where it changes (the ``\\r`` of each ``\\r\\n``, each line break, each
character outside the BMP, each cluster NFC rewrites), in numpy arrays, and
an offset is mapped by a binary search (:func:`numpy.searchsorted`).
"""

from __future__ import annotations

import re
import unicodedata
from array import array
from typing import Callable

import numpy as np

#: Names of the readings, in order of preference.
READINGS = ("codepoints", "lf", "crlf", "utf16")

#: Characters scanned at a time when looking for positions (as UTF-32: 16 MB).
_CHUNK = 1 << 22
#: A run of non-ASCII characters with the character before it (a base that a
#: combining mark may belong to): the only places NFC can change.
_NON_ASCII_RUN = re.compile(r"[\x00-\x7f]?[^\x00-\x7f]+")
_SPACES = re.compile(r"\s+")


def _positions(s: str, test: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> np.ndarray:
    """Sorted positions ``i`` in ``s`` where ``test(code points, next code points)`` holds.

    ``s`` is scanned in chunks of :data:`_CHUNK` characters, as 32-bit code
    points; the result is an int64 array.
    """
    found: list[np.ndarray] = []
    n_total = len(s)
    for start in range(0, n_total, _CHUNK):
        stop = min(start + _CHUNK, n_total)
        cp = np.frombuffer(s[start:stop + 1].encode("utf-32-le", "surrogatepass"), dtype="<u4")
        n = stop - start
        nxt = np.zeros(n, dtype="<u4")
        nxt[: len(cp) - 1] = cp[1:n + 1]
        hits = np.flatnonzero(test(cp[:n], nxt))
        if hits.size:
            found.append(hits.astype(np.int64) + start)
    return np.concatenate(found) if found else np.zeros(0, dtype=np.int64)


def _removed_before(removed: np.ndarray, o: int, side: str = "left") -> int:
    return int(np.searchsorted(removed, o, side=side)) if removed.size else 0


class _NfcEdits:
    """Where NFC rewrote clusters: raw ``[start, end)`` became text ``[out, out + length)``.

    Kept in :class:`array.array` while collected (8 bytes an edit, no Python
    object each), then as numpy arrays.
    """

    def __init__(self) -> None:
        self.starts = array("q")
        self.ends = array("q")
        self.outs = array("q")
        self.lens = array("q")

    def freeze(self) -> None:
        self.s = np.frombuffer(self.starts, dtype=np.int64) if self.starts else _EMPTY
        self.e = np.frombuffer(self.ends, dtype=np.int64) if self.ends else _EMPTY
        self.o = np.frombuffer(self.outs, dtype=np.int64) if self.outs else _EMPTY
        self.n = np.frombuffer(self.lens, dtype=np.int64) if self.lens else _EMPTY

    def map(self, k: int) -> int:
        if not self.s.size:
            return k
        i = int(np.searchsorted(self.s, k, side="right")) - 1
        if i < 0:
            return k
        if k < self.e[i]:
            return int(self.o[i])           # inside a rewritten cluster: its start
        return int(self.o[i] + self.n[i] + (k - self.e[i]))


_EMPTY = np.zeros(0, dtype=np.int64)
#: Characters normalised at a time (pieces are cut before an ASCII character).
_NFC_CHUNK = 1 << 20


def _nfc(text: str) -> tuple[str, _NfcEdits | None]:
    """NFC of ``text`` (line endings already ``\\n``) and the clusters it rewrote.

    A cluster is a character and the combining marks after it; only runs of
    non-ASCII characters (with the character before them) can change. The
    text is done in pieces of about 1 MB, so that the list of parts stays
    small. ``None`` instead of the edits when NFC is not local to clusters
    (the text is then mapped by position only, if its length is unchanged).
    """
    edits = _NfcEdits()
    if unicodedata.is_normalized("NFC", text):
        edits.freeze()
        return text, edits
    done_chunks: list[str] = []
    pos = 0        # length of the output so far
    n = len(text)
    a = 0
    while a < n:
        b = min(a + _NFC_CHUNK, n)
        while b < n and ord(text[b]) > 0x7F:   # cut before an ASCII character
            b += 1
        chunk = text[a:b]
        if unicodedata.is_normalized("NFC", chunk):
            done_chunks.append(chunk)
            pos += len(chunk)
            a = b
            continue
        pieces: list[str] = []
        done = 0   # chunk[:done] is in pieces
        for m in _NON_ASCII_RUN.finditer(chunk):
            run_start, run_end = m.span()
            if unicodedata.is_normalized("NFC", m.group()):
                continue
            i = run_start
            while i < run_end:
                ch = chunk[i]
                j = i + 1
                while j < len(chunk) and unicodedata.combining(chunk[j]):
                    j += 1
                cluster = chunk[i:j]
                piece = (unicodedata.normalize("NFC", cluster) if j - i > 1 or ord(ch) > 0x7F
                         else ch)
                if piece != cluster:
                    pieces.append(chunk[done:i])
                    pos += i - done
                    edits.starts.append(a + i)
                    edits.ends.append(a + j)
                    edits.outs.append(pos)
                    edits.lens.append(len(piece))
                    pieces.append(piece)
                    pos += len(piece)
                    done = j
                i = j
        pieces.append(chunk[done:])
        pos += len(chunk) - done
        done_chunks.append("".join(pieces))
        del pieces
        a = b
    out = "".join(done_chunks)
    del done_chunks
    edits.freeze()
    expected = unicodedata.normalize("NFC", text)
    if out != expected:  # a script where NFC is not local to clusters: give up mapping
        return expected, None
    return out, edits


def _collapse(s: str) -> str:
    """NFC, every run of whitespace one space, stripped.

    A long text is done in pieces of about 1 MB cut between two non-space
    characters: ``re.sub`` keeps a list of every piece it replaces between,
    one Python object per word (1.3 GB for a 50 MB source at once).
    """
    s = unicodedata.normalize("NFC", s)
    if len(s) <= 1 << 20:
        return _SPACES.sub(" ", s).strip()
    out: list[str] = []
    start = 0
    while start < len(s):
        cut = min(start + (1 << 20), len(s))
        while cut < len(s) and (s[cut - 1].isspace() or s[cut].isspace()):
            cut += 1
        out.append(_SPACES.sub(" ", s[start:cut]))
        start = cut
    return "".join(out).strip()


#: Length of the pieces :meth:`SourceText.checkable` looks up before it searches.
_GRAM = 4
#: Names searched for in a source before its 4-character pieces are collected.
_SEARCHES_BEFORE_GRAMS = 32
#: Distinct names whose search result a :class:`SourceText` keeps.
_CHECKED_MAX = 1 << 20
#: Characters all name searches of one project may read together (about 2-5 s).
SCAN_BUDGET = 4_000_000_000


class ScanBudgetExceeded(Exception):
    """Searching for selection names would read more than the budget allows."""


class ScanBudget:
    """Characters the name searches of one project may still read (shared by
    the :class:`SourceText` of each source)."""

    def __init__(self, limit: int = SCAN_BUDGET) -> None:
        self.limit = limit
        self.used = 0

    def spend(self, n: int) -> None:
        self.used += n
        if self.used > self.limit:
            raise ScanBudgetExceeded()


def _gram_keys(s: str) -> np.ndarray:
    """A 64-bit key of each run of :data:`_GRAM` characters of ``s`` (two runs
    with the same key are probably, not surely, the same)."""
    cp = np.frombuffer(s.encode("utf-32-le", "surrogatepass"), dtype="<u4").astype(np.uint64)
    if cp.size < _GRAM:
        return np.zeros(0, dtype=np.uint64)
    keys = cp[:cp.size - _GRAM + 1].copy()
    for k in range(1, _GRAM):   # code points have 21 bits: 4 * 21 fold into 64 (probably)
        keys <<= np.uint64(16)
        keys ^= cp[k:cp.size - _GRAM + 1 + k]
    return keys


class SourceText:
    """A source's text as stored, normalised, with offset readings.

    Attributes
    ----------
    raw:
        The text as stored (without a byte-order mark).
    text:
        NFC, ``\\n`` line endings: the text offsets are converted into.
    readings:
        Reading name → function from a tool's offset to an offset in
        ``text`` (``None`` when out of range).

    >>> st = SourceText("I: Hej\\r\\nIP: Vi bjöd in\\r\\n")
    >>> st.text
    'I: Hej\\nIP: Vi bjöd in\\n'
    >>> st.span("codepoints", 8, 22), st.span("lf", 7, 21)
    ((7, 21), (7, 21))
    """

    def __init__(self, raw: str, *, budget: ScanBudget | None = None) -> None:
        self.budget = budget if budget is not None else ScanBudget()
        self._checked: dict[str, bool] = {}
        self._grams: np.ndarray | None = None
        self._searches = 0
        if raw.startswith("\ufeff"):
            raw = raw[1:]
        self.raw = raw
        # 1. line endings: the \r of each \r\n is removed, a lone \r becomes \n
        if "\r" in raw:
            self._crlf_removed = _positions(raw, lambda c, n: (c == 13) & (n == 10))
            lf = raw.replace("\r\n", "\n").replace("\r", "\n")
        else:
            self._crlf_removed = np.zeros(0, dtype=np.int64)
            lf = raw
        # 2. NFC
        self.text, self._nfc_edits = _nfc(lf)
        del lf
        self._raw_len = len(raw)
        self._mappable = self._nfc_edits is not None or len(self.text) == len(raw)
        self._flat = _collapse(self.text)
        self._newlines: np.ndarray | None = None   # built when first needed
        self._astral: np.ndarray | None = None
        self.readings: dict[str, Callable[[int], int | None]] = {}
        if self._mappable:
            self.readings["codepoints"] = self._from_raw
        if self.raw != self.text or not self._mappable:
            self.readings["lf"] = self._from_text
        if "\n" in self.text:
            self.readings["crlf"] = self._from_crlf
        if self._mappable:
            ast = _positions(raw, lambda c, n: c > 0xFFFF)
            if ast.size:
                # index of the second unit of astral character k in UTF-16 numbering
                self._astral = ast + np.arange(1, ast.size + 1, dtype=np.int64)
                self.readings["utf16"] = self._from_utf16

    # -- the mappings --------------------------------------------------------
    def _raw_to_text(self, o: int) -> int:
        if self._nfc_edits is None:   # NFC not local, same length: by position
            return o
        k = o - _removed_before(self._crlf_removed, o)
        return self._nfc_edits.map(k)

    def _from_raw(self, o: int) -> int | None:
        return self._raw_to_text(o) if 0 <= o <= self._raw_len else None

    def _from_text(self, o: int) -> int | None:
        return o if 0 <= o <= len(self.text) else None

    def _from_crlf(self, o: int) -> int | None:
        """Each ``\\n`` of the text counted twice (the tool assumed ``\\r\\n``)."""
        if self._newlines is None:
            nl = _positions(self.text, lambda c, n: c == 10)
            # index of the second count of newline k in the doubled numbering
            self._newlines = nl + np.arange(1, nl.size + 1, dtype=np.int64)
        if not 0 <= o < len(self.text) + self._newlines.size + 1:
            return None
        return o - _removed_before(self._newlines, o, "right")

    def _from_utf16(self, o: int) -> int | None:
        """Offsets in UTF-16 code units of the raw text (astral characters count twice)."""
        assert self._astral is not None
        if not 0 <= o < self._raw_len + self._astral.size + 1:
            return None
        return self._raw_to_text(o - _removed_before(self._astral, o, "right"))

    # -- public ----------------------------------------------------------------
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
        """Whether ``name`` looks like covered text (it occurs in the source).

        Each distinct name is searched for once (the answer is kept). A name
        with a 4-character piece the source lacks is not in it: that is
        told from a set of the source's 4-character pieces (built when first
        needed, one pass), without reading the text. Every other search
        reads the text and counts against :attr:`budget`; past it,
        :class:`ScanBudgetExceeded` is raised (many long names made of the
        text's own pieces, none of them the text: a hostile file).
        """
        if not name:
            return False
        n = _collapse(name)
        if n.endswith(("...", "…")):
            n = n.rstrip(".…").rstrip()
        if not n:
            return False
        known = self._checked.get(n)
        if known is not None:
            return known
        self._searches += 1
        if (len(n) >= _GRAM and self._searches > _SEARCHES_BEFORE_GRAMS
                and not self._may_contain(n)):
            found = False
        else:
            self.budget.spend(len(self._flat))
            found = n in self._flat
        if len(self._checked) < _CHECKED_MAX:
            self._checked[n] = found
        return found

    def _may_contain(self, n: str) -> bool:
        """False when a 4-character piece of ``n`` is nowhere in the text."""
        if self._grams is None:
            self._grams = np.unique(_gram_keys(self._flat))
        if not self._grams.size:
            return False
        keys = _gram_keys(n)
        at = np.searchsorted(self._grams, keys)
        at[at >= self._grams.size] = 0
        return bool((self._grams[at] == keys).all())

    def _collapsed_head(self, start: int, end: int, want: int) -> tuple[str, bool]:
        """``(head, whole)``: ``_collapse(text[start:end])`` if ``whole``, else a
        prefix of it longer than ``want`` characters.

        Only about as much text as ``want`` asks for is read (doubling while
        whitespace collapses it): comparing a short name with a span of a
        10 MB source must not normalise the whole span.
        """
        step = 2 * want + 64
        stop = start
        while True:
            stop = min(end, stop + step)
            head = _collapse(self.text[start:stop])
            if stop >= end:
                return head, True
            # a cut inside a run of spaces or a cluster can change only the last
            # character of head (a trailing space stripped, a mark not composed)
            if len(head) - 1 > want:
                return head[:-1], False
            step *= 2

    def matches(self, name: str, span: tuple[int, int]) -> bool:
        """Whether ``name`` is the text covered by ``span`` (whitespace-insensitive)."""
        n = _collapse(name)
        covered, whole = self._collapsed_head(span[0], span[1], len(n))
        if whole and n == covered:
            return True
        if n.endswith(("...", "…")):
            stem = n.rstrip(".…").rstrip()
            return len(stem) >= 5 and covered.startswith(stem)
        return False
