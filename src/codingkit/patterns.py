"""Regular expressions written by users: compiled so that none can stall a run.

A codebook's ``regex:`` rules and ``--speaker-pattern`` come from the user.
Python's :mod:`re` backtracks, and a pattern such as ``(a|aa)+$`` takes time
exponential in the length of the text it fails on (``(a+)+$`` took 79 s on
31 characters). Such patterns are handled in two steps:

1. :func:`compile_user_pattern` compiles the pattern with the ``regex``
   package (the syntax of :mod:`re`, and more) and *probes* it: texts built
   from the pattern's own repeats (``aaaa…a!`` for ``(a|aa)+$``) are searched
   with a time limit of :data:`PROBE_SECONDS`; a pattern that runs over it is
   refused before any transcript is read (a linear pattern needs
   microseconds on these texts).
2. Every search of a compiled :class:`UserPattern` has a time limit
   (:func:`time_limit`: ``CODINGKIT_REGEX_TIMEOUT`` seconds, default
   :data:`DEFAULT_TIMEOUT`, plus one second per million characters of text);
   a search that runs over it stops the run with a
   :class:`PatternTimeoutError` naming the pattern and where it was written.

Why not RE2 (linear time by construction)? It refuses lookbehind, which the
default codebook uses (``(?<!be)(?<!om)nämnd``), and its ``\\w`` and ``\\b``
know only ASCII letters: ``\\w*chef`` would not see the *för* of
*förvaltningschef*.

>>> import re
>>> p = compile_user_pattern(r"\\bRFI\\b", re.IGNORECASE)
>>> [m.span() for m in p.finditer("En rfi skickades. RFI:n kom.")]
[(3, 6), (18, 21)]
>>> compile_user_pattern("(a|aa)+$")
Traceback (most recent call last):
...
codingkit.patterns.PatternError: regex '(a|aa)+$' backtracks catastrophically: ...
"""

from __future__ import annotations

import functools
import os
import unicodedata
from typing import Any, Callable

import regex

from .errors import CodingkitError

__all__ = [
    "UserPattern", "PatternError", "PatternTimeoutError", "compile_user_pattern",
    "show_pattern", "control_characters", "time_limit", "locate_timeouts", "DEFAULT_TIMEOUT", "PROBE_SECONDS",
]

#: Seconds one search of a user pattern may take on one text (a segment, a
#: line), before the allowance for long texts; ``CODINGKIT_REGEX_TIMEOUT``
#: overrides it.
DEFAULT_TIMEOUT = 2.0
#: Extra seconds allowed per million characters of text searched.
SECONDS_PER_MILLION_CHARS = 1.0
#: Time limit of each probe text (about 40 characters, and 2,000 for a
#: repeat of a repeat): a pattern that runs over it on such a short text
#: backtracks catastrophically.
PROBE_SECONDS = 0.1
#: Flags of :mod:`re` that mean the same in ``regex`` (same bit values).
_FLAG_MASK = (regex.IGNORECASE | regex.MULTILINE | regex.DOTALL | regex.VERBOSE
              | regex.ASCII | regex.UNICODE)
#: Control characters that a pattern may hold on purpose.
_ALLOWED_CONTROLS = frozenset("\t\n\r")


class PatternError(CodingkitError):
    """A user pattern is refused: it does not compile, or it backtracks catastrophically."""

    default_code = "E205"

    #: why: ``"syntax"`` (does not compile), ``"group"`` (a named group is
    #: missing) or ``"slow"`` (backtracks catastrophically on a probe text)
    reason = "syntax"
    #: the detail after the pattern, e.g. ``"missing ) at position 0"``
    detail = ""


class PatternTimeoutError(CodingkitError):
    """A search with a user pattern ran over its time limit."""

    default_code = "E206"

    def located(self, path: str | os.PathLike[str] | None,
                line: int | None = None) -> "PatternTimeoutError":
        """This error with the file and line of the text searched, if it has none.

        A speaker pattern comes from the command line: its timeout names the
        transcript and line it was matched on (the reader fills them in).
        """
        if self.path is None and path is not None:
            self.path = os.fspath(path)
        if self.line is None and line is not None:
            self.line = line
        return self


def locate_timeouts(read: Callable[..., Any]) -> Callable[..., Any]:
    """Decorate a reader ``read(path, ...)``: its pattern timeouts name ``path``."""
    @functools.wraps(read)
    def wrapper(path: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return read(path, *args, **kwargs)
        except PatternTimeoutError as exc:
            raise exc.located(path) from None

    return wrapper


def show_pattern(pattern: str) -> str:
    """A pattern for a message: in single quotes, backslashes as written.

    ``repr`` would double every backslash (``'\\\\bRFI\\\\b'``); control
    characters are shown as the escapes that match them.

    >>> print(show_pattern(r"\\bRFI\\b"), show_pattern("\\x08RFI"))
    '\\bRFI\\b' '\\x08RFI'
    """
    shown = "".join(f"\\x{ord(ch):02x}" if _is_control(ch) and ch not in _ALLOWED_CONTROLS
                    else {"\t": "\\t", "\n": "\\n", "\r": "\\r"}.get(ch, ch) for ch in pattern)
    if len(shown) > 120:
        shown = shown[:117] + "..."
    return f"'{shown}'"


def _is_control(ch: str) -> bool:
    return unicodedata.category(ch) == "Cc" or ch in "\u2028\u2029"


_CONTROL_NAMES = {"\x08": "backspace", "\x07": "bell", "\x0b": "vertical tab",
                  "\x0c": "form feed", "\x00": "NUL", "\x1b": "escape",
                  "\x85": "next line", "\u2028": "line separator",
                  "\u2029": "paragraph separator"}
#: The YAML double-quoted escape that makes each control character.
_YAML_ESCAPES = {"\x08": "\\b", "\x07": "\\a", "\x0b": "\\v", "\x0c": "\\f", "\x00": "\\0",
                 "\x1b": "\\e", "\x85": "\\N", "\u2028": "\\L", "\u2029": "\\P"}


def control_characters(pattern: str) -> str | None:
    """A warning text when ``pattern`` holds control characters, else ``None``.

    In YAML double quotes ``"\\bRFI\\b"`` is a backspace, RFI, a backspace:
    a pattern that never matches. Tabs and line breaks are allowed.

    >>> print(control_characters("\\x08RFI\\x08"))
    contains 2 control characters (backspace, U+0008) that YAML made from "\\b" in double quotes, so it never matches the text meant; write regexes in single quotes, where a backslash is kept: regex: '\\bRFI\\b'
    >>> control_characters(r"\\bRFI\\b") is None
    True
    """
    found = [ch for ch in pattern if _is_control(ch) and ch not in _ALLOWED_CONTROLS]
    if not found:
        return None
    first = found[0]
    name = _CONTROL_NAMES.get(first, "control character")
    count = (f"{len(found)} control characters" if len(found) > 1
             else "a control character")
    made = _YAML_ESCAPES.get(first)
    origin = (f" that YAML made from \"{made}\" in double quotes" if made else "")
    # the pattern as it was probably meant
    meant = "".join(_YAML_ESCAPES.get(ch, ch) if ch in found else ch for ch in pattern)
    return (f"contains {count} ({name}, U+{ord(first):04X}){origin}, so it never matches "
            f"the text meant; write regexes in single quotes, where a backslash is kept: "
            f"regex: '{meant}'")


def time_limit(length: int) -> float:
    """Seconds a search of a text of ``length`` characters may take.

    ``CODINGKIT_REGEX_TIMEOUT`` (seconds) replaces :data:`DEFAULT_TIMEOUT`.
    """
    base = DEFAULT_TIMEOUT
    env = os.environ.get("CODINGKIT_REGEX_TIMEOUT")
    if env:
        try:
            base = max(float(env), 0.001)
        except ValueError:
            pass
    return base + SECONDS_PER_MILLION_CHARS * length / 1_000_000


class UserPattern:
    """A compiled user pattern whose every search has a time limit.

    The methods are those of a compiled :mod:`re` pattern that codingkit
    uses; each raises :class:`PatternTimeoutError` (naming the pattern, the
    file and line it was written on, and ``CODINGKIT_REGEX_TIMEOUT``) when a
    search runs over :func:`time_limit`.

    Attributes
    ----------
    pattern:
        The pattern as written.
    what:
        What it is, for messages (``"regex"``, ``"speaker pattern"``).
    path, line:
        Where it was written (a codebook and its line), if known.
    """

    __slots__ = ("pattern", "flags", "what", "path", "line", "code", "compiled", "_label",
                 "base_limit")

    def __init__(self, compiled: Any, pattern: str, *, what: str, path: str | None,
                 line: int | None, code: str | None, label: str = "") -> None:
        self.compiled = compiled
        self.pattern = pattern
        self.flags = compiled.flags
        self.what = what
        self.path = path
        self.line = line
        self.code = code
        self._label = label
        self.base_limit = time_limit(0)   # CODINGKIT_REGEX_TIMEOUT, read once

    @property
    def groupindex(self) -> dict[str, int]:
        return dict(self.compiled.groupindex)

    def __repr__(self) -> str:
        return f"UserPattern({self.pattern!r})"

    def _timeout(self, text: str, limit: float) -> PatternTimeoutError:
        excerpt = text if len(text) <= 40 else text[:37] + "..."
        label = f" ({self._label})" if self._label else ""
        return PatternTimeoutError(
            f"{self.what} {show_pattern(self.pattern)}{label} took more than {limit:.3g} s on a "
            f"text of {len(text):,} characters ({excerpt!r}): it backtracks catastrophically "
            "(nested repeats such as (a|aa)+ or (x+)+); rewrite it with one repeat, or raise "
            "the limit with CODINGKIT_REGEX_TIMEOUT=<seconds>",
            path=self.path, line=self.line, code=self.code or PatternTimeoutError.default_code)

    def search(self, text: str, pos: int = 0, endpos: int | None = None):
        limit = self.base_limit + SECONDS_PER_MILLION_CHARS * len(text) / 1_000_000
        try:
            return self.compiled.search(text, pos, endpos, timeout=limit)
        except TimeoutError:
            raise self._timeout(text, limit) from None

    def match(self, text: str, pos: int = 0, endpos: int | None = None):
        limit = self.base_limit + SECONDS_PER_MILLION_CHARS * len(text) / 1_000_000
        try:
            return self.compiled.match(text, pos, endpos, timeout=limit)
        except TimeoutError:
            raise self._timeout(text, limit) from None

    def finditer(self, text: str, pos: int = 0, endpos: int | None = None) -> list[Any]:
        """Every match, left to right, as a list; the time limit covers the whole search."""
        limit = self.base_limit + SECONDS_PER_MILLION_CHARS * len(text) / 1_000_000
        try:
            return list(self.compiled.finditer(text, pos, endpos, timeout=limit))
        except TimeoutError:
            raise self._timeout(text, limit) from None


def compile_user_pattern(
    pattern: Any,
    flags: int = 0,
    *,
    what: str = "regex",
    path: str | os.PathLike[str] | None = None,
    line: int | None = None,
    code: str | None = None,
    timeout_code: str | None = None,
    group: str | None = None,
    label: str = "",
    probe: bool = True,
) -> UserPattern:
    """Compile a user's pattern for time-limited searches, refusing bad ones.

    Parameters
    ----------
    pattern:
        The pattern text; a compiled :mod:`re` pattern (or a
        :class:`UserPattern`) is recompiled from its text and flags.
    flags:
        :mod:`re` flags (``re.IGNORECASE``, ...).
    what:
        What the pattern is, for messages: ``"regex"``, ``"speaker pattern"``.
    path, line:
        Where the pattern was written (codebook file and line), for messages.
    code:
        The error code of a refusal (default ``E205``).
    timeout_code:
        The error code of a search that runs over its time limit
        (default ``E206``).
    group:
        A named group the pattern must have (``"speaker"``).
    label:
        More context for messages, such as ``"code 'risk'"``.
    probe:
        Refuse patterns that run over :data:`PROBE_SECONDS` on probe texts
        built from their own repeats.

    Raises
    ------
    PatternError
        The pattern does not compile, lacks ``group``, or backtracks
        catastrophically on a probe text.

    Examples
    --------
    >>> compile_user_pattern(r"(?P<speaker>[A-Z]+):", group="speaker").match("IP: ja").group(1)
    'IP'
    >>> compile_user_pattern("(oavslutad", path="kodbok.yaml", line=9)
    Traceback (most recent call last):
    ...
    codingkit.patterns.PatternError: kodbok.yaml, line 9: regex '(oavslutad' does not compile: missing ) at position 10 [E205]
    """
    if isinstance(pattern, UserPattern):
        flags |= pattern.flags
        pattern = pattern.pattern
    elif not isinstance(pattern, str):
        if isinstance(getattr(pattern, "pattern", None), str):
            flags |= getattr(pattern, "flags", 0)
            pattern = pattern.pattern
        else:
            raise PatternError(f"{what} must be text, got {type(pattern).__name__}",
                               path=path, line=line, code=code)
    p = os.fspath(path) if path is not None else None
    label_txt = f" ({label})" if label else ""

    def refuse(msg: str, reason: str, detail: str) -> PatternError:
        err = PatternError(f"{what} {show_pattern(pattern)}{label_txt} {msg}", path=p,
                           line=line, code=code or PatternError.default_code)
        err.reason, err.detail = reason, detail
        return err

    try:
        compiled = regex.compile(pattern, (flags & _FLAG_MASK) | regex.VERSION0)
    except regex.error as exc:
        raise refuse(f"does not compile: {exc}", "syntax", str(exc)) from None
    except (ValueError, OverflowError, RecursionError, MemoryError) as exc:
        raise refuse(f"does not compile: {exc}", "syntax", str(exc)) from None
    if group is not None and group not in compiled.groupindex:
        msg = f"has no named group '{group}'; expected e.g. '(?P<{group}>[A-Z]+):\\s*'"
        raise refuse(msg, "group", msg)
    if probe:
        slow = _probe(pattern, flags & _FLAG_MASK)
        if slow is not None:
            shown = slow if len(slow) <= 40 else slow[:37] + "..."
            msg = (f"backtracks catastrophically: on the {len(slow):,}-character text "
                   f"{shown!r} it ran over {PROBE_SECONDS:g} s (a pattern that does not "
                   "backtrack takes microseconds); rewrite nested or overlapping repeats such "
                   "as (a|aa)+ or (\\w+\\s?)+ with one repeat, e.g. (a+) or (\\w+\\s)*\\w+")
            raise refuse(msg, "slow", msg)
    return UserPattern(compiled, pattern, what=what, path=p, line=line,
                       code=timeout_code or PatternTimeoutError.default_code, label=label)


# --------------------------------------------------------------------------
# probing: texts built from the pattern's repeats
# --------------------------------------------------------------------------

_CATEGORY_EXAMPLES = {
    "CATEGORY_DIGIT": "1", "CATEGORY_NOT_DIGIT": "a", "CATEGORY_SPACE": " ",
    "CATEGORY_NOT_SPACE": "a", "CATEGORY_WORD": "a", "CATEGORY_NOT_WORD": " ",
    "CATEGORY_LINEBREAK": "\n", "CATEGORY_NOT_LINEBREAK": "a",
}
#: Characters that end a probe text, so that a repeat that matched it must
#: give back and try every other split.
_ENDINGS = ("!", "a!")


@functools.lru_cache(maxsize=4096)
def _probe(pattern: str, flags: int) -> str | None:
    """A probe text on which the pattern runs over PROBE_SECONDS, or ``None``.

    Remembered per pattern: a codebook loaded again is not probed again.
    """
    compiled = regex.compile(pattern, flags | regex.VERSION0)
    for text in _probe_texts(pattern, flags):
        try:
            compiled.search(text, timeout=PROBE_SECONDS)
        except TimeoutError:
            return text
    return None


def _probe_texts(pattern: str, flags: int) -> list[str]:
    """Texts that pump the repeats of ``pattern``.

    Each repeat is pumped to about 40 characters (exponential backtracking
    shows there); a repeat of a repeat (``(a+)+``, ``(\\w+\\s?)+``: the ``regex``
    package makes these polynomial, but it takes seconds on a long segment)
    also to about 2,000. Built from the parse tree of :mod:`re` (best effort:
    a pattern only the ``regex`` package reads gets generic texts).
    """
    pumps: list[tuple[str, str, bool]] = []
    try:
        from re import _parser  # type: ignore[attr-defined]

        tree = _parser.parse(pattern, flags & _FLAG_MASK)
        _collect_pumps(list(tree), "", pumps)
    except Exception:  # noqa: BLE001 - syntax re does not know, deep nesting, ...
        pumps = []
    pumps += [("", "a", False), ("", "a ", False), ("", "1", False), ("", " ", False)]
    texts: list[str] = []
    seen: set[str] = set()
    for prefix, pump, nested in pumps[:64]:
        if not pump:
            continue
        for size in ((40, 2000) if nested else (40,)):
            body = prefix + pump * max(1, size // len(pump))
            for end in _ENDINGS:
                text = body + end
                if text not in seen:
                    seen.add(text)
                    texts.append(text)
    return texts


def _unbounded(op: Any, av: Any) -> bool:
    from re import _constants as c  # type: ignore[attr-defined]

    return (op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT)
            and (av[1] is c.MAXREPEAT or av[1] > 50))


def _has_unbounded(seq: Any) -> bool:
    """Whether a parsed sequence holds an unbounded repeat, at any depth."""
    from re import _constants as c  # type: ignore[attr-defined]

    for op, av in seq:
        if _unbounded(op, av):
            return True
        if op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT) and _has_unbounded(av[2]):
            return True
        if op is c.SUBPATTERN and _has_unbounded(av[-1]):
            return True
        if op is c.BRANCH and any(_has_unbounded(alt) for alt in av[1]):
            return True
        if op is c.ATOMIC_GROUP and _has_unbounded(av):
            return True
    return False


def _collect_pumps(seq: list, prefix: str, out: list[tuple[str, str, bool]]) -> None:
    from re import _constants as c  # type: ignore[attr-defined]

    before = prefix
    for op, av in seq:
        if op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
            lo, hi, body = av
            body = list(body)
            if hi is c.MAXREPEAT or hi > 1:
                nested = _unbounded(op, av) and _has_unbounded(body)
                out.append((before, _example(body, pump=True), nested))
            _collect_pumps(body, before, out)
        elif op is c.SUBPATTERN:
            _collect_pumps(list(av[-1]), before, out)
        elif op is c.BRANCH:
            for alt in av[1]:
                _collect_pumps(list(alt), before, out)
        elif op is c.ATOMIC_GROUP:
            _collect_pumps(list(av), before, out)
        elif op in (c.ASSERT, c.ASSERT_NOT):
            _collect_pumps(list(av[1]), before, out)
        before += _example([(op, av)])
        if len(out) > 64:
            return


def _example(seq: list, pump: bool = False) -> str:
    """A short text the sequence probably matches (best effort)."""
    from re import _constants as c  # type: ignore[attr-defined]

    out: list[str] = []
    for op, av in seq:
        if op is c.LITERAL:
            out.append(chr(av))
        elif op is c.NOT_LITERAL:
            out.append("a" if av != ord("a") else "b")
        elif op is c.ANY:
            out.append("a")
        elif op is c.IN:
            out.append(_class_example(av))
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
            lo, hi, body = av
            n = max(lo, 1) if pump else lo
            out.append(_example(list(body), pump) * min(n, 50))
        elif op is c.SUBPATTERN:
            out.append(_example(list(av[-1]), pump))
        elif op is c.BRANCH:
            out.append(_example(list(av[1][0]), pump))
        elif op is c.ATOMIC_GROUP:
            out.append(_example(list(av), pump))
        # AT, ASSERT, ASSERT_NOT, GROUPREF, ...: nothing
    return "".join(out)


def _class_example(items: list) -> str:
    from re import _constants as c  # type: ignore[attr-defined]

    if items and items[0][0] is c.NEGATE:
        excluded = set()
        for op, av in items[1:]:
            if op is c.LITERAL:
                excluded.add(chr(av))
            elif op is c.RANGE:
                excluded.update(chr(x) for x in range(av[0], min(av[1], av[0] + 200) + 1))
        for ch in "a1 !x":
            if ch not in excluded:
                return ch
        return "\u00e5"
    for op, av in items:
        if op is c.LITERAL:
            return chr(av)
        if op is c.RANGE:
            return chr(av[0])
        if op is c.CATEGORY:
            return _CATEGORY_EXAMPLES.get(str(av), "a")
    return "a"
