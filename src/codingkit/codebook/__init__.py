"""Codebooks: load, validate and write the YAML codebook format.

The format is described in ``docs/codebook.md``. A codebook is read in three
steps: the YAML is parsed with the line of every value
(:mod:`.yamltree`), checked against the schema (:mod:`.schema`: unknown
keys, ranges, regular expressions) and across codes (duplicate ids, parent
references, cycles), and finally turned into :class:`codingkit.model.Codebook`.
Every problem of a file is collected and raised together, each with its line.

>>> from codingkit.codebook import load_codebook
>>> cb = load_codebook()                      # the default codebook
>>> [c.id for c in cb.themes][:3]
['tidig_dialog', 'behov', 'kommersialisering']
"""

from __future__ import annotations

import difflib
import hashlib
import os
import re
import warnings
from importlib import resources
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

import yaml
from pydantic import ValidationError

from ..errors import CodebookError, CodingkitWarning
from ..model import Code, Codebook, Rule
from ..rulekinds import DEFAULT_WITHIN, RULE_KINDS, rule_kind
from . import schema
from .yamltree import line_of, parse_with_lines

__all__ = [
    "load_codebook",
    "validate_codebook",
    "default_codebook_path",
    "codebook_from_dict",
    "dump_codebook",
    "codebook_csv",
    "uncodable_themes",
    "warn_uncodable_themes",
    "DEFAULT_WITHIN",
]

#: Error codes of this module.
E_NOT_FOUND = "E201"
E_YAML = "E202"
E_INVALID = "E203"
E_FORMAT = "E204"

_DEFAULT_NAME = "innovationsupphandling.yaml"


# --------------------------------------------------------------------------
# Public functions
# --------------------------------------------------------------------------


def default_codebook_path() -> Path:
    """The path of the default codebook shipped with codingkit.

    It encodes the ten innovation-procurement themes (``tidig_dialog``,
    ``behov``, ... ``effekter``) as Swedish rules and examples.

    Returns
    -------
    Path
        ``.../codingkit/codebooks/innovationsupphandling.yaml``.
    """
    return Path(os.fspath(resources.files("codingkit") / "codebooks" / _DEFAULT_NAME))


def load_codebook(path: str | os.PathLike[str] | None = None) -> Codebook:
    """Read and check a codebook.

    Parameters
    ----------
    path:
        A YAML codebook (``.yaml``/``.yml``), a REFI-QDA codebook
        (``.qdc``, when :mod:`codingkit.refiqda` is available), or ``None``
        for the default codebook (:func:`default_codebook_path`).

    Returns
    -------
    Codebook
        Codes in file order, parents before their children, with their
        rules, examples and line numbers; ``sha256`` of the file's bytes.

    Raises
    ------
    CodebookError
        The file is missing (E201), is not well-formed YAML (E202), breaks
        the format (E203: every problem of the file, each with its line, is
        in ``error.problems``), or has an unknown suffix (E204).

    Examples
    --------
    >>> cb = load_codebook()
    >>> len(cb.themes)
    10
    >>> cb["tidig_dialog"].label_en
    'Early market dialogue'
    """
    p = default_codebook_path() if path is None else Path(path)
    suffix = p.suffix.lower()
    reader = _format_reader(suffix) if suffix not in (".yaml", ".yml") else None
    if reader is not None:
        return reader(p)
    if suffix not in (".yaml", ".yml"):
        raise _single(
            f"unknown codebook format {p.suffix or '(no suffix)'!r}: "
            "expected a .yaml/.yml codebook or a REFI-QDA .qdc file", p, None, E_FORMAT)
    raw = _read_codebook_bytes(p)
    sha256 = hashlib.sha256(raw).hexdigest()
    key = (str(p), sha256, tuple((name, id(kind)) for name, kind in RULE_KINDS.items()))
    kept = _READ.get(key)
    if kept is not None:
        return _read_again(kept[0])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise _single("not UTF-8 text; save the codebook as UTF-8", p, line, E_YAML) from None
    try:
        data, lines, dup_problems = parse_with_lines(text)
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, p) from None
    cb = _build(data, lines, path=p, extra_problems=dup_problems)
    cb.sha256 = sha256
    _keep_read(key, cb)
    return cb


#: The codebooks :func:`load_codebook` read from YAML in this process, each
#: pickled as it was built, by the path as given, the sha256 of the file's
#: bytes and the rule kinds registered (``RULE_KINDS``, by identity; the
#: kinds are kept beside it so that no identity is reused). Reading the
#: default codebook takes about 0.15 s, and a process may read it many times
#: (a coder, a report, each command a test suite runs); the file is still
#: read and checked each time, and each call gets a codebook of its own.
_READ: dict[tuple, tuple[bytes, tuple]] = {}
_READ_KEPT = 8


def _keep_read(key: tuple, cb: Codebook) -> None:
    import pickle

    try:
        pickled = pickle.dumps(cb, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # a rule kind's data that cannot be pickled: read it each time
        return
    while len(_READ) >= _READ_KEPT:
        _READ.pop(next(iter(_READ), None), None)
    _READ[key] = (pickled, tuple(RULE_KINDS.values()))


def _read_again(pickled: bytes) -> Codebook:
    """A codebook kept by :func:`_keep_read`, with the warnings its reading
    gave (at the same depth below the caller of :func:`load_codebook` as
    when :func:`_build` gives them)."""
    import pickle

    cb = pickle.loads(pickled)
    _warn_doubtful_rules(cb)
    return cb


def validate_codebook(path: str | os.PathLike[str]) -> list[tuple[int | None, str]]:
    """Every problem of a codebook file, ``[]`` when it is valid.

    Parameters
    ----------
    path:
        The codebook file.

    Returns
    -------
    list of (line, message)
        Sorted by line; ``line`` is ``None`` for problems of the whole file
        (e.g. it does not exist).

    Examples
    --------
    >>> validate_codebook(default_codebook_path())
    []
    """
    try:
        load_codebook(path)
    except CodebookError as exc:
        return list(exc.problems)
    return []


def uncodable_themes(codebook: Codebook, *, similarity: bool = True,
                     learned: Iterable[str] = ()) -> list[tuple[Code, str]]:
    """The themes nothing in ``codebook`` can code, each with why.

    A theme is coded when it or one of its codable sub-codes is: by a rule,
    by similarity to its examples or to the sentences of its description
    and include criteria (``similarity``: the run uses a similarity
    backend), or by what was learned from human coding (``learned``: the
    codes the human coding used). Why is ``"nothing"`` (no rule, example or
    description: never coded), ``"no_similarity"`` (no rule, and without
    similarity nothing else codes it) or ``"description"`` (no rule and no
    example: only similarity to its description can code it, which seldom
    reaches the threshold). Such a theme's 0 % in the results does not mean
    that nobody raised it.

    >>> cb = codebook_from_dict({"codes": [{"id": "a", "label": "A", "rules": ["budget"]},
    ...                                    {"id": "b", "label": "B"}]})
    >>> [(c.id, why) for c, why in uncodable_themes(cb)]
    [('b', 'nothing')]
    """
    learned = set(learned)
    out = []
    for theme in codebook.themes:
        tree = [c for c in codebook if c.codable and (
            c.id == theme.id or codebook.is_descendant(c.id, theme.id))]
        if any(c.rules or c.id in learned for c in tree):
            continue
        if not similarity:
            out.append((theme, "no_similarity" if any(
                c.examples or c.description.strip() or c.include.strip() for c in tree)
                else "nothing"))
        elif any(c.examples for c in tree):
            continue
        elif any(c.description.strip() or c.include.strip() for c in tree):
            out.append((theme, "description"))
        else:
            out.append((theme, "nothing"))
    return out


_UNCODABLE = {
    "nothing": "can never be coded: neither it nor a sub-code has a rule, an example or a "
               "description, so its 0 % would not mean that nobody raised it; expected at "
               "least one rule or example",
    "no_similarity": "can never be coded in this run: neither it nor a sub-code has a rule, "
                     "and without similarity (--similarity none) its examples and description "
                     "are not used, so its 0 % does not mean that nobody raised it; expected "
                     "at least one rule",
    "description": "has no rule and no example (nor has a sub-code): only similarity to its "
                   "description can code it, seldom (never with --similarity none), so a "
                   "share near 0 % would not mean that nobody raised it; expected at least "
                   "one rule or example",
}


def warn_uncodable_themes(codebook: Codebook, *, similarity: bool = True,
                          learned: Iterable[str] = (), stacklevel: int = 2) -> int:
    """Warn (:class:`~codingkit.errors.CodingkitWarning`, naming the codebook
    file and the theme's line) about each theme of :func:`uncodable_themes`;
    returns how many."""
    found = uncodable_themes(codebook, similarity=similarity, learned=learned)
    for theme, why in found:
        warnings.warn(CodingkitWarning(f"theme '{theme.id}' {_UNCODABLE[why]}",
                                       path=codebook.path, line=theme.line),
                      stacklevel=stacklevel + 1)
    return len(found)


def codebook_from_dict(data: Any, *, path: str | os.PathLike[str] | None = None) -> Codebook:
    """Build a codebook from data shaped like the YAML format.

    Used by the REFI-QDA import and by tests. Problems carry no line numbers
    (there is no file to point into).

    Parameters
    ----------
    data:
        A mapping with ``codebook:`` (optional) and ``codes:``, as
        ``yaml.safe_load`` would return it.
    path:
        The file the data came from, for messages and ``Codebook.path``.

    Returns
    -------
    Codebook

    Raises
    ------
    CodebookError
        With every problem in ``error.problems`` (E203).

    Examples
    --------
    >>> cb = codebook_from_dict({"codes": [{"id": "risk", "label": "Risk",
    ...                                     "rules": ["överprövning"]}]})
    >>> cb["risk"].rules[0].describe()
    'term(överprövning)'
    """
    return _build(data, {}, path=Path(path) if path is not None else None)


def dump_codebook(codebook: Codebook) -> str:
    """Write a codebook as YAML text in the format of ``docs/codebook.md``.

    Sub-codes are nested under their parents; default values are left
    out. Loading the text gives back an equal codebook, apart from line
    numbers, ``path`` and ``sha256``.

    Parameters
    ----------
    codebook:
        The codebook to write.

    Returns
    -------
    str
        YAML text (UTF-8 when written to a file).
    """
    header: dict[str, Any] = {"id": codebook.id, "version": str(codebook.version)}
    if codebook.title:
        header["title"] = codebook.title
    if codebook.language != "sv":
        header["language"] = codebook.language
    if codebook.description:
        header["description"] = codebook.description

    def dump_code(code: Code) -> dict[str, Any]:
        d: dict[str, Any] = {"id": code.id, "label": code.label}
        if code.label_en:
            d["label_en"] = code.label_en
        if code.color:
            d["color"] = code.color
        for key in ("description", "include", "exclude"):
            if getattr(code, key):
                d[key] = getattr(code, key)
        if not code.codable:
            d["codable"] = False
        if tuple(code.scope) != ("respondent",):
            d["scope"] = list(code.scope)
        if code.threshold is not None:
            d["threshold"] = float(code.threshold)   # numpy floats cannot be dumped
        if code.rules:
            d["rules"] = [_dump_rule(r) for r in code.rules]
        if code.exclusions:
            d["exclusions"] = [_dump_rule(r) for r in code.exclusions]
        if code.examples:
            d["examples"] = list(code.examples)
        if code.negative_examples:
            d["negative_examples"] = list(code.negative_examples)
        children = codebook.children(code.id)
        if children:
            d["codes"] = [dump_code(c) for c in children]
        return d

    doc = {"codebook": header, "codes": [dump_code(c) for c in codebook.themes]}
    body = yaml.dump(doc, Dumper=_Dumper, allow_unicode=True, sort_keys=False,
                     width=88, default_flow_style=None)
    return f"# Codebook {codebook.id}, version {codebook.version} (written by codingkit)\n" + body


def codebook_csv(codebook: Codebook) -> str:
    """The codebook as CSV in the columns Taguette imports: ``tag, description``.

    One row per codable code, in codebook order; the tag is the code's label
    (a sub-code's label is prefixed with its parent's: ``Tidig marknadsdialog
    / RFI``), the description holds the description and the inclusion and
    exclusion criteria, and the code id in brackets.

    >>> print(codebook_csv(load_codebook()).splitlines()[0])
    tag,description
    """
    from ..tables import csv_text

    rows = []
    for code in codebook:
        if not code.codable:
            continue
        parts = [code.label]
        parent = code.parent
        while parent is not None and parent in codebook:
            parts.insert(0, codebook[parent].label)
            parent = codebook[parent].parent
        text = [code.description.strip()] if code.description else []
        if code.include:
            text.append(f"Ingår: {code.include.strip()}")
        if code.exclude:
            text.append(f"Ingår inte: {code.exclude.strip()}")
        text.append(f"[{code.id}]")
        rows.append([" / ".join(parts), " ".join(" ".join(text).split())])
    return csv_text(["tag", "description"], rows)


# --------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------


#: Codebook formats other than YAML: file suffix → ``reader(path) → Codebook``.
#: Filled from the entry-point group ``codingkit.codebook_formats`` the first
#: time a suffix is met (codingkit's own REFI-QDA ``.qdc`` reader is declared
#: there in pyproject.toml), or by :func:`register_codebook_format`.
CODEBOOK_FORMATS: dict[str, Callable[[Path], Codebook]] = {}

#: The entry-point group other packages add codebook formats to.
FORMAT_ENTRY_POINTS = "codingkit.codebook_formats"


def register_codebook_format(suffix: str, reader: Callable[[Path], Codebook]) -> None:
    """Let :func:`load_codebook` read files ending in ``suffix`` with ``reader``.

    >>> register_codebook_format(".demo", lambda path: load_codebook())
    >>> ".demo" in CODEBOOK_FORMATS
    True
    >>> del CODEBOOK_FORMATS[".demo"]
    """
    CODEBOOK_FORMATS[suffix.lower()] = reader


def _format_reader(suffix: str) -> Callable[[Path], Codebook] | None:
    if suffix not in CODEBOOK_FORMATS:
        from importlib.metadata import entry_points

        for ep in entry_points(group=FORMAT_ENTRY_POINTS):
            if "." + ep.name.lower() == suffix:
                CODEBOOK_FORMATS[suffix] = ep.load()
    return CODEBOOK_FORMATS.get(suffix)


#: PyYAML notices these faults only on a later line (the next key, the end
#: of the file); the fault is where its context began: the key without a
#: colon, the opening quote or bracket.
_FAULT_AT_CONTEXT = ("while scanning a simple key", "while scanning a quoted scalar",
                     "while scanning a double-quoted scalar",
                     "while scanning a single-quoted scalar",
                     "while parsing a flow sequence", "while parsing a flow mapping")


#: What PyYAML's words for the commonest faults mean, in a researcher's words
#: (added after them, so that the original can still be looked up).
_YAML_HINTS = (
    (("unknown escape character",),
     "in double quotes YAML reads a backslash as an escape: write regexes in single quotes, "
     "where a backslash is kept (regex: '\\s+')"),
    (("cannot start any token",), "indent with spaces, not tabs"),
    (("expected <block end>", "did not find expected key", "expected <block mapping start>"),
     "this line's indentation does not match the lines above it: keys on the same level "
     "start in the same column, a list item's keys two spaces in from its '-'"),
    (("mapping values are not allowed here",),
     "a ': ' inside a value (put the whole value in quotes), or a ':' missing on the "
     "line above"),
    (("while scanning a quoted scalar", "while scanning a double-quoted scalar",
      "while scanning a single-quoted scalar"),
     "the quote that opens on this line is never closed"),
    (("could not find expected ':'",),
     "a line that is neither 'key: value' nor '- item' (a ':' missing?), or a quote "
     "left open above it"),
)


def _yaml_error(exc: yaml.YAMLError, p: Path) -> CodebookError:
    problem_mark = getattr(exc, "problem_mark", None)
    context_mark = getattr(exc, "context_mark", None)
    context = getattr(exc, "context", None)
    mark = problem_mark or context_mark
    noticed = ""
    if (problem_mark is not None and context_mark is not None
            and context in _FAULT_AT_CONTEXT and context_mark.line < problem_mark.line):
        mark = context_mark
        noticed = f", noticed on line {problem_mark.line + 1}"
    line = mark.line + 1 if mark is not None else None
    what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    msg = f"malformed YAML: {what}" + (f" ({context}{noticed})" if context else "")
    hint = next((h for faults, h in _YAML_HINTS if any(f in f"{what} {context}" for f in faults)),
                None)  # the first that fits (an escape inside a closed quote is not an open one)
    if hint:
        msg += f"; {hint}"
    return _single(msg, p, line, E_YAML)


def _read_codebook_bytes(p: Path) -> bytes:
    """The bytes of a codebook file, read as a transcript is: only from a
    regular file (a named pipe would hang the run, ``/dev/zero`` fill the
    memory: E111) within ``CODINGKIT_MAX_FILE_MB`` (E112)."""
    from ..errors import InputError
    from ..readers.limits import read_limited

    if not p.exists():
        raise _single("codebook file not found", p, None, E_NOT_FOUND)
    if p.is_dir():
        raise _single("is a folder, expected a codebook file", p, None, E_NOT_FOUND)
    try:
        return read_limited(p, expected="a codebook file")
    except InputError as exc:
        if exc.code == "E101":  # cannot be opened
            raise _single(f"cannot read the codebook: {exc.message}", p, None,
                          E_NOT_FOUND) from None
        raise _single(exc.message, p, None, exc.code) from None


def _single(message: str, path: Path | None, line: int | None, code: str) -> CodebookError:
    """A CodebookError with one problem (``problems`` is never empty)."""
    return CodebookError(message, path=path, line=line, code=code,
                         problems=[(line, message)])


def _build(data: Any, lines: dict[tuple, int], *, path: Path | None,
           extra_problems: Iterable[tuple[int | None, str]] = ()) -> Codebook:
    """Check ``data`` against the schema and across codes; build the model."""
    problems: list[tuple[int | None, str]] = list(extra_problems)
    if data is None:
        raise _single("the codebook is empty; expected a mapping with codes:", path, None,
                      E_INVALID)
    if not isinstance(data, Mapping):
        msg = (f"expected a mapping with codebook: and codes:, found a "
               f"{_yaml_type(data)}")
        raise _single(msg, path, lines.get(()), E_INVALID)

    spec: schema.CodebookSpec | None = None
    try:
        spec = schema.CodebookSpec.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            problems.append(_pydantic_problem(err, lines, data))

    problems.extend(_cross_check(data, lines))
    if problems:
        problems = sorted(set(problems), key=lambda p: (p[0] is None, p[0] or 0, p[1]))
        line, message = problems[0]
        raise CodebookError(message, path=path, line=line, code=E_INVALID,
                            problems=problems)
    assert spec is not None
    cb = _to_model(spec, lines, path)
    _warn_doubtful_rules(cb)
    return cb


def _warn_doubtful_rules(cb: Codebook) -> None:
    """Warn about rules their kind finds likely wrong (``lint``): regexes
    holding control characters (``"\\bRFI"`` in double quotes)."""
    def rules_of(rules: Iterable[Rule]) -> Iterable[Rule]:
        for rule in rules:
            yield rule
            yield from rules_of(rule.unless)

    for code in cb:
        for rule in rules_of((*code.rules, *code.exclusions)):
            problem = rule_kind(rule.kind).lint(rule)
            if problem:
                warnings.warn(CodingkitWarning(f"code '{code.id}': {problem}",
                                               path=cb.path, line=rule.line), stacklevel=4)


def _yaml_type(value: Any) -> str:
    if isinstance(value, list):
        return "list"
    if isinstance(value, str):
        return "string"
    return type(value).__name__


_ERROR_TEXT = {
    "missing": "missing required key",
    "string_type": "expected text",
    "list_type": "expected a list",
    "bool_type": "expected true or false",
    "int_type": "expected a whole number",
    "int_parsing": "expected a whole number",
    "float_type": "expected a number",
    "float_parsing": "expected a number",
    "model_type": "expected a mapping",
    "model_attributes_type": "expected a mapping",
    "dict_type": "expected a mapping",
    "too_short": "expected at least one entry",
}


def _pydantic_problem(err: Mapping[str, Any], lines: dict[tuple, int],
                      data: Any) -> tuple[int | None, str]:
    loc = tuple(err["loc"])
    line, _ = line_of(lines, loc)
    # the location as the user wrote it (without pydantic's union tags)
    shown = tuple(x for x in loc if x not in ("short", "long"))
    where = _where(shown, data)
    etype = err["type"]
    key = loc[-1] if loc else None
    if etype == "extra_forbidden":
        allowed = _allowed_keys(loc)
        hint = difflib.get_close_matches(str(key), allowed, n=1)
        msg = f"unknown key '{key}'" + (f" (did you mean '{hint[0]}'?)" if hint else "")
        where = _where(shown[:-1], data)
    elif etype == "missing":
        msg = f"missing required key '{key}'"
        where = _where(shown[:-1], data)
    elif etype == "value_error":
        msg = str(err["msg"]).removeprefix("Value error, ")
    elif etype == "literal_error":
        exp = err.get("ctx", {}).get("expected", "")
        msg = f"{err['input']!r} is not allowed, expected {exp}"
    elif etype in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        ctx = err.get("ctx", {})
        lo_hi = {"greater_than_equal": "≥ {ge}", "less_than_equal": "≤ {le}",
                 "greater_than": "> {gt}", "less_than": "< {lt}"}[etype].format(**ctx)
        msg = f"{err['input']!r} is out of range, expected {lo_hi}"
        if key in ("within", "gap", "fuzzy", "threshold", "weight"):
            msg += " " + _RANGES[key]
    elif etype == "string_type" and key == "version":
        msg = f"version must be text; quote it: version: \"{err['input']}\""
    elif etype == "too_short" and key == "codes":
        msg = "is empty; a codebook needs at least one code"
    else:
        msg = _ERROR_TEXT.get(etype, err["msg"])
        if etype.endswith("_type") or etype.endswith("_parsing"):
            msg += f", got {_short_repr(err.get('input'))}"
    return line, (f"{where}: {msg}" if where else msg)


_RANGES = {
    "within": f"(words, 1–{schema.MAX_WITHIN})",
    "gap": f"(words, 0–{schema.MAX_GAP})",
    "fuzzy": "(a RapidFuzz cutoff, 0–100)",
    "threshold": "(a similarity, 0–1)",
    "weight": "(a score, 0–1)",
}


def _short_repr(value: Any) -> str:
    r = repr(value)
    return r if len(r) <= 40 else r[:37] + "..."


def _allowed_keys(loc: tuple) -> list[str]:
    parent = loc[:-1]
    model: type = schema.CodebookSpec
    if parent and parent[0] == "codebook":
        model = schema.HeaderSpec
    elif "long" in parent:
        model = schema.RuleSpec
    elif "codes" in parent:
        model = schema.CodeSpec
    keys = [f.alias or name for name, f in model.model_fields.items()]
    return keys + list(RULE_KINDS) if model is schema.RuleSpec else keys


def _where(path: tuple, data: Any) -> str:
    """Describe a path for a message: ``code 'behov': rules[2].within``."""
    code_id = None
    rest: list[str] = []
    node = data
    i = 0
    while i < len(path):
        item = path[i]
        if (item == "codes" and i + 1 < len(path) and isinstance(path[i + 1], int)
                and isinstance(node, Mapping) and isinstance(node.get("codes"), list)
                and path[i + 1] < len(node["codes"])):
            node = node["codes"][path[i + 1]]
            if isinstance(node, Mapping) and isinstance(node.get("id"), str) and node["id"]:
                code_id, rest = node["id"], []
            else:
                code_id, rest = None, [f"codes[{path[i + 1]}]"]
            i += 2
            continue
        if isinstance(item, int):
            if rest:
                rest[-1] += f"[{item}]"
            else:
                rest.append(f"[{item}]")
        else:
            rest.append(str(item))
        try:
            node = node[item]
        except (KeyError, IndexError, TypeError):
            node = None
        i += 1
    text = ".".join(rest)
    if code_id is not None:
        return f"code '{code_id}'" + (f": {text}" if text else "")
    return text


def _iter_raw_codes(data: Any, base: tuple = (), parent: str | None = None):
    """(path, raw code mapping, id of the enclosing code) for every code."""
    codes = data.get("codes") if isinstance(data, Mapping) else None
    if not isinstance(codes, list):
        return
    for i, code in enumerate(codes):
        path = base + ("codes", i)
        if not isinstance(code, Mapping):
            continue
        yield path, code, parent
        cid = code.get("id") if isinstance(code.get("id"), str) else None
        yield from _iter_raw_codes(code, path, cid)


def _cross_check(data: Any, lines: dict[tuple, int]) -> list[tuple[int | None, str]]:
    """Problems across codes: duplicate ids, dangling parents, cycles."""
    problems: list[tuple[int | None, str]] = []
    first: dict[str, int | None] = {}
    parent_of: dict[str, str | None] = {}
    parent_line: dict[str, int | None] = {}
    refs: list[tuple[str, str, int | None]] = []
    for path, code, enclosing in _iter_raw_codes(data):
        cid = code.get("id")
        if not isinstance(cid, str) or not cid:
            continue
        line = lines.get(path + ("id",), lines.get(path))
        if cid in first:
            where = f" (first on line {first[cid]})" if first[cid] else ""
            problems.append((line, f"duplicate code id '{cid}'{where}"))
            continue
        first[cid] = line
        ref = code.get("parent")
        pline = lines.get(path + ("parent",), line)
        if isinstance(ref, str) and ref:
            if enclosing is not None and ref != enclosing:
                problems.append((pline, f"code '{cid}': parent: '{ref}' contradicts its "
                                        f"place under code '{enclosing}'"))
            refs.append((cid, ref, pline))
            parent_of[cid] = ref
            parent_line[cid] = pline
        else:
            parent_of[cid] = enclosing
    for cid, ref, pline in refs:
        if ref not in first:
            hint = difflib.get_close_matches(ref, list(first), n=1)
            problems.append((pline, f"code '{cid}': parent: '{ref}' is not a code "
                                    "in this codebook"
                                    + (f" (did you mean '{hint[0]}'?)" if hint else "")))
    # cycles: follow parents from every code
    reported: set[str] = set()
    for start in parent_of:
        seen: list[str] = []
        cur: str | None = start
        while cur is not None and cur in parent_of and cur not in seen:
            seen.append(cur)
            cur = parent_of[cur]
        if cur is not None and cur in seen:
            cycle = seen[seen.index(cur):]
            if not reported.intersection(cycle):
                reported.update(cycle)
                chain = " → ".join(cycle + [cur])
                problems.append((parent_line.get(cur, first.get(cur)),
                                 f"parent references form a cycle: {chain}"))
    return problems


# --------------------------------------------------------------------------
# Building the model
# --------------------------------------------------------------------------


def _to_model(spec: schema.CodebookSpec, lines: dict[tuple, int],
              path: Path | None) -> Codebook:
    collected: list[tuple[Code, str | None]] = []  # (code, parent) in file order

    def walk(codes: list[schema.CodeSpec], base: tuple, enclosing: str | None) -> None:
        for i, cs in enumerate(codes):
            p = base + ("codes", i)
            parent = cs.parent or enclosing
            code = Code(
                id=cs.id,
                label=cs.label,
                label_en=cs.label_en,
                description=cs.description,
                include=cs.include,
                exclude=cs.exclude,
                color=cs.color,
                parent=parent,
                codable=cs.codable,
                rules=tuple(_rule(r, lines, p + ("rules", j)) for j, r in enumerate(cs.rules)),
                exclusions=tuple(_rule(r, lines, p + ("exclusions", j))
                                 for j, r in enumerate(cs.exclusions)),
                scope=tuple(dict.fromkeys(cs.scope)),
                examples=tuple(cs.examples),
                negative_examples=tuple(cs.negative_examples),
                threshold=cs.threshold,
                line=lines.get(p),
            )
            collected.append((code, parent))
            walk(cs.codes, p, cs.id)

    walk(spec.codes, (), None)
    # parents before children: depth-first from the themes, siblings in file order
    ordered: dict[str, Code] = {}

    def emit(parent: str | None) -> None:
        for code, par in collected:
            if par == parent and code.id not in ordered:
                ordered[code.id] = code
                emit(code.id)

    emit(None)
    if spec.codebook is not None:
        h = spec.codebook
        cb_id, version, title, language, description = (
            h.id, h.version, h.title, h.language, h.description)
    else:
        stem = path.stem.lower() if path is not None else "codebook"
        cb_id = re.sub(r"[^a-z0-9_]+", "_", stem).strip("_") or "codebook"
        version, title, language, description = "1", "", "sv", ""
    return Codebook(id=cb_id, codes=ordered, version=version, title=title,
                    language=language, description=description, path=path)


#: The kinds a rule written as a plain string is: one word, several words.
_SHORT_FORM = ("term", "phrase")


def _rule(item: str | schema.RuleSpec, lines: dict[tuple, int], p: tuple) -> Rule:
    line = lines.get(p)
    if isinstance(item, str):
        words = item.split()
        return Rule(kind=_SHORT_FORM[len(words) > 1], pattern=" ".join(words), line=line)
    unless = tuple(_rule(u, lines, p + ("unless", k)) for k, u in enumerate(item.unless))
    common: dict[str, Any] = {"unless": unless, "weight": item.weight, "line": line}
    if item.compound is not None:
        common["compound"] = item.compound
    fields = rule_kind(item.kind).to_rule(item.value, item)
    return Rule(kind=item.kind, **fields, **common)


# --------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    """Block style for multi-line text, flow style only for word groups."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        # indent list items under their key, as people write them by hand
        return super().increase_indent(flow, False)


#: Characters YAML reads as line breaks besides \n: a literal block would
#: turn them into \n, so text holding them is written double-quoted (escaped).
_OTHER_BREAKS = ("\r", "\x85", "\u2028", "\u2029")


def _str_representer(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    if any(ch in value for ch in _OTHER_BREAKS):
        style = '"'
    else:
        style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_representer)


def _flow_representer(dumper: yaml.SafeDumper, value: tuple) -> yaml.Node:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=True)


def _block_list_representer(dumper: yaml.SafeDumper, value: list) -> yaml.Node:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=False)


def _block_dict_representer(dumper: yaml.SafeDumper, value: dict) -> yaml.Node:
    return dumper.represent_mapping("tag:yaml.org,2002:map", value.items(), flow_style=False)


_Dumper.add_representer(tuple, _flow_representer)   # a word group: [a, b]
_Dumper.add_representer(list, _block_list_representer)
_Dumper.add_representer(dict, _block_dict_representer)


def _dump_rule(rule: Rule) -> Any:
    kind = rule_kind(rule.kind)
    d = kind.dump(rule)
    plain = (rule.weight == 1.0 and not rule.unless and rule.compound
             and rule.fuzzy is None)
    if plain and rule.kind in _SHORT_FORM and d == {rule.kind: rule.pattern}:
        return rule.pattern
    if not rule.compound and "compound" in kind.options:
        d["compound"] = False
    if rule.fuzzy is not None:
        d["fuzzy"] = int(rule.fuzzy)
    if rule.weight != 1.0:
        d["weight"] = float(rule.weight)
    if rule.unless:
        d["unless"] = [_dump_rule(u) for u in rule.unless]
    return d
