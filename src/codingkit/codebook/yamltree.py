"""Read YAML and remember where every value was written.

PyYAML's composer gives a tree of nodes that carry their position in the
file. :func:`parse_with_lines` turns that tree into plain Python data and a
map from each *path* (``("codes", 0, "rules", 2)``) to its 1-based line, so
that every problem found later can be reported with the line a researcher
has to edit.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

Path_ = tuple[Any, ...]

#: A lone UTF-16 surrogate (only a ``\\uD800``-style escape gives one).
_SURROGATE = re.compile("[\ud800-\udfff]")


def parse_with_lines(text: str) -> tuple[Any, dict[Path_, int], list[tuple[int, str]]]:
    """Parse YAML text into data, a path → line map and structural problems.

    Parameters
    ----------
    text:
        The YAML document.

    Returns
    -------
    data, lines, problems:
        ``data`` is the document as Python objects (``None`` for an empty
        document). ``lines`` maps each path to the 1-based line of its key
        (for mapping entries) or of the item (for list items); the root is
        ``()``. ``problems`` lists duplicate mapping keys, which PyYAML
        would silently merge.

    Raises
    ------
    yaml.YAMLError
        When the text is not well-formed YAML (the caller reports the mark).
    """
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is not None:
        try:  # libyaml: the same nodes and marks, five times faster
            return _parse(fast, text)
        except yaml.YAMLError:
            pass  # PyYAML's own messages and marks, as documented, for the error
    return _parse(yaml.SafeLoader, text)


#: The deepest nesting of lists and mappings a codebook may have (the
#: default codebook has 8): deeper documents are refused before they are
#: built, since PyYAML builds them recursively.
MAX_NESTING = 100

#: The most values (keys, scalars, lists, mappings) a codebook may stand for
#: once its aliases (``*name``) are expanded: a few aliases that repeat each
#: other ("billion laughs") would otherwise stand for billions.
MAX_VALUES = 500_000


def _parse(loader_class, text: str):
    _check_nesting(loader_class, text)
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {(): 1}, []
        _check_size(node)
        lines: dict[Path_, int] = {}
        problems: list[tuple[int, str]] = []
        _walk(node, lines, problems, node.start_mark.line + 1)
        data = loader.construct_document(node)
    finally:
        loader.dispose()
    return data, lines, problems


def _limit_error(problem: str, node_or_event) -> yaml.MarkedYAMLError:
    return yaml.MarkedYAMLError(problem=problem, problem_mark=node_or_event.start_mark)


def _check_nesting(loader_class, text: str) -> None:
    """Refuse a document nested deeper than :data:`MAX_NESTING` (its events
    are read one at a time, without building anything)."""
    depth = 0
    for event in yaml.parse(text, Loader=loader_class):
        if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            depth += 1
            if depth > MAX_NESTING:
                raise _limit_error(f"lists and mappings nested more than {MAX_NESTING} "
                                   "deep; expected a codebook's few levels", event)
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _check_size(root: yaml.Node) -> None:
    """Refuse an alias that contains itself, and a document that stands for
    more than :data:`MAX_VALUES` values with its aliases expanded (counted
    once per node, so the count itself never expands anything)."""
    size: dict[int, int] = {}
    started: set[int] = set()      # the nodes on the path being counted
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            started.discard(key)
            size[key] = 1 + sum(size[id(c)] for c in _children(node))
            if size[key] > MAX_VALUES:
                raise _limit_error(f"stands for more than {MAX_VALUES:,} values once its "
                                   "aliases (*name) are expanded; expected a codebook "
                                   "that repeats itself less", node)
            continue
        if key in size:
            continue
        started.add(key)
        stack.append((node, True))
        for child in _children(node):
            if id(child) in started:
                raise _limit_error("an alias (*name) inside the list or mapping it names; "
                                   "expected an alias of something written before it", child)
            if id(child) not in size:
                stack.append((child, False))


def _walk(root: yaml.Node, lines: dict[Path_, int], problems: list[tuple[int, str]],
          root_line: int) -> None:
    """Record the line of every path and the duplicate or non-word keys, in
    document order. A node reached again through an alias is not walked
    again: the paths below an alias take the alias's line (:func:`line_of`)."""
    walked: set[int] = set()
    stack: list[tuple[yaml.Node, Path_, int]] = [(root, (), root_line)]
    while stack:
        node, path, line = stack.pop()
        lines.setdefault(path, line)
        if id(node) in walked:
            continue
        walked.add(id(node))
        todo = []
        if isinstance(node, yaml.MappingNode):
            seen: dict[Any, int] = {}
            for key_node, value_node in node.value:
                key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
                key_line = key_node.start_mark.line + 1
                if key is None:
                    problems.append((key_line, "a mapping key must be a plain word"))
                    continue
                if key in seen:
                    problems.append(
                        (key_line, f"duplicate key '{key}' (first on line {seen[key]})"))
                    continue
                seen[key] = key_line
                todo.append((value_node, path + (key,), key_line))
        elif isinstance(node, yaml.SequenceNode):
            todo = [(item, path + (i,), item.start_mark.line + 1)
                    for i, item in enumerate(node.value)]
        elif isinstance(node, yaml.ScalarNode) and _SURROGATE.search(node.value):
            # a "\uD800" escape: Python keeps it, but no file (CSV, HTML,
            # Word) can be written with it
            problems.append((node.start_mark.line + 1,
                             "the text holds half of a UTF-16 character pair (an escape "
                             "such as \\uD800), which no output file can hold; write the "
                             "character itself or remove the escape"))
        stack.extend(reversed(todo))


def line_of(lines: dict[Path_, int], loc: tuple[Any, ...]) -> tuple[int | None, Path_]:
    """The line of the deepest existing path along ``loc``.

    Elements of ``loc`` that are not in the document (pydantic's union tags,
    a missing key) are skipped, so the line is that of the closest thing
    the user wrote.

    Returns
    -------
    line, path:
        The line (``None`` if unknown) and the path that was found.
    """
    path: Path_ = ()
    for item in loc:
        candidate = path + (item,)
        if candidate in lines:
            path = candidate
    return lines.get(path), path
