"""Read YAML and remember where every value was written.

PyYAML's composer gives a tree of nodes that carry their position in the
file. :func:`parse_with_lines` turns that tree into plain Python data and a
map from each *path* (``("codes", 0, "rules", 2)``) to its 1-based line, so
that every problem found later can be reported with the line a researcher
has to edit.
"""

from __future__ import annotations

from typing import Any

import yaml

Path_ = tuple[Any, ...]


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


def _parse(loader_class, text: str):
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {(): 1}, []
        lines: dict[Path_, int] = {}
        problems: list[tuple[int, str]] = []
        _walk(node, (), lines, problems, node.start_mark.line + 1)
        data = loader.construct_document(node)
    finally:
        loader.dispose()
    return data, lines, problems


def _walk(node: yaml.Node, path: Path_, lines: dict[Path_, int],
          problems: list[tuple[int, str]], line: int) -> None:
    lines.setdefault(path, line)
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
            _walk(value_node, path + (key,), lines, problems, key_line)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, path + (i,), lines, problems, item.start_mark.line + 1)


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
