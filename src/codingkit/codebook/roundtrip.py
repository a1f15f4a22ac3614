"""Change a few values of a codebook's YAML text and keep everything else.

``codingkit tune`` writes new ``threshold:`` values into a copy of the
codebook. Re-dumping the whole codebook (:func:`codingkit.dump_codebook`)
would lose the researcher's comments, order and layout; here the file is
read with ruamel.yaml's round-trip loader, only the ``threshold`` keys of
the tuned codes are set (a missing key is added before the code's
``rules``), and the text is written back with its comments, blank lines,
quoting and indentation.
"""

from __future__ import annotations

import io
from typing import Any, Mapping

import yaml

__all__ = ["set_thresholds"]

#: A new ``threshold`` key goes before the first of these keys of its code
#: (the order :func:`codingkit.dump_codebook` writes), else at its end.
_BEFORE = ("rules", "exclusions", "examples", "negative_examples", "codes")


def _codes(data: Any):
    """Every code mapping of a codebook document, nested ones included."""
    codes = data.get("codes") if isinstance(data, Mapping) else None
    if not isinstance(codes, list):
        return
    for code in codes:
        if isinstance(code, Mapping):
            yield code
            yield from _codes(code)


def _apply(data: Any, thresholds: Mapping[str, float]) -> set[str]:
    """Set the thresholds in ``data`` (any mapping type); the ids set."""
    done: set[str] = set()
    for code in _codes(data):
        cid = code.get("id")
        if not isinstance(cid, str) or cid not in thresholds:
            continue
        value = float(thresholds[cid])   # numpy floats cannot be dumped
        if "threshold" in code or not hasattr(code, "insert"):
            code["threshold"] = value
        else:
            keys = list(code.keys())
            pos = next((keys.index(k) for k in _BEFORE if k in code), len(keys))
            code.insert(pos, "threshold", value)
        done.add(cid)
    return done


def set_thresholds(text: str, thresholds: Mapping[str, float]) -> str | None:
    """``text`` (a YAML codebook) with the ``threshold`` of some codes set.

    Parameters
    ----------
    text:
        The codebook's YAML text.
    thresholds:
        code id → new threshold.

    Returns
    -------
    str or None
        The new text, in which only the thresholds differ; ``None`` when the
        text cannot be changed that way (a code not found, or a document the
        round trip would alter otherwise), so that the caller writes the
        codebook afresh instead.
    """
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError as RuamelError
    from ruamel.yaml.util import load_yaml_guess_indent

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        _, indent, offset = load_yaml_guess_indent(text)
        rt = YAML(typ="rt")
        rt.preserve_quotes = True
        rt.width = 4096                      # never re-wrap a long line
        doc = rt.load(text)
        # the indentation that writes the unchanged document back as it was
        # (ruamel guesses the sequences' indentation, not the mappings')
        layouts = [(m, indent or 2, offset or 0) for m in (2, 4)] + [
            (2, 2, 0), (2, 4, 2), (4, 4, 2), (4, 6, 4)]
        for mapping, sequence, off in layouts:
            rt.indent(mapping=mapping, sequence=sequence, offset=off)
            buf = io.StringIO()
            rt.dump(doc, buf)
            if buf.getvalue() == text:
                break
        else:
            rt.indent(mapping=2, sequence=indent or 2, offset=offset or 0)
        if _apply(doc, thresholds) != set(thresholds):
            return None
        buf = io.StringIO()
        rt.dump(doc, buf)
        new = buf.getvalue()
        # the check: what PyYAML (the codebook loader) reads is the original
        # document with the new thresholds, and nothing else changed
        expected = yaml.load(text, Loader=loader)
        _apply(expected, thresholds)
        if yaml.load(new, Loader=loader) != expected:
            return None
    except (RuamelError, yaml.YAMLError, TypeError, ValueError):
        return None
    return new
