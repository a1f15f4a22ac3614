"""Check a results folder's tables against its contract (Frictionless Table Schema).

:func:`table_problems` implements the parts of the Table Schema
specification the contract uses: ``fields`` with ``type`` (string, integer,
number) and ``constraints`` (required, minLength, enum, minimum, maximum,
unique), ``fieldsMatch`` (``exact``: the same fields in order; ``subset``:
these fields, others may follow), ``missingValues``, ``primaryKey`` and
``foreignKeys``. ``manifest.json`` is described by a JSON Schema
(``results-<N>.manifest.schema.json``) that any JSON Schema validator checks.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import Any

from .results import load_schema


def _value(raw: str, kind: str):
    if kind == "integer":
        if raw.strip() != raw or not raw.lstrip("-").isdigit():
            raise ValueError
        return int(raw)
    if kind == "number":
        return float(raw)
    return raw


def table_problems(path: str | os.PathLike[str], schema: dict[str, Any],
                   *, limit: int = 20) -> list[str]:
    """Problems of one CSV table against a Table Schema (empty: it matches).

    Each problem names the file, the line and the field.
    """
    path = Path(path)
    problems: list[str] = []
    fields = schema["fields"]
    names = [f["name"] for f in fields]
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader, [])
        match = schema.get("fieldsMatch", "exact")
        if match == "exact" and header != names:
            return [f"{path}, line 1: columns {header}; expected exactly {names}"]
        missing = [n for n in names if n not in header]
        if missing:
            return [f"{path}, line 1: no column {', '.join(missing)}"]
        pos = {n: header.index(n) for n in names}
        missing_values = set(schema.get("missingValues", [""]))
        seen: dict[str, set] = {f["name"]: set() for f in fields
                                if f.get("constraints", {}).get("unique")}
        keys: set[tuple] = set()
        pk = schema.get("primaryKey") or []
        for lineno, row in enumerate(reader, start=2):
            if len(row) != len(header):
                problems.append(f"{path}, line {lineno}: {len(row)} cells; expected {len(header)}")
                continue
            for f in fields:
                raw = row[pos[f["name"]]]
                c = f.get("constraints", {})
                where = f"{path}, line {lineno}, {f['name']}"
                if raw in missing_values:
                    if c.get("required"):
                        problems.append(f"{where}: missing")
                    continue
                try:
                    v = _value(raw, f["type"])
                except ValueError:
                    problems.append(f"{where}: {raw!r} is not a {f['type']}")
                    continue
                if "minLength" in c and len(raw) < c["minLength"]:
                    problems.append(f"{where}: empty")
                if "enum" in c and v not in c["enum"]:
                    problems.append(f"{where}: {raw!r} not one of {c['enum']}")
                if "minimum" in c and v < c["minimum"]:
                    problems.append(f"{where}: {raw} < {c['minimum']}")
                if "maximum" in c and v > c["maximum"]:
                    problems.append(f"{where}: {raw} > {c['maximum']}")
                if f["name"] in seen:
                    if raw in seen[f["name"]]:
                        problems.append(f"{where}: {raw!r} repeated (must be unique)")
                    seen[f["name"]].add(raw)
            if pk:
                key = tuple(row[pos[k]] for k in pk)
                if key in keys:
                    problems.append(f"{path}, line {lineno}: primary key {key} repeated")
                keys.add(key)
            if len(problems) >= limit:
                break
    return problems


def _column(path: Path, name: str) -> list[str]:
    with open(path, encoding="utf-8", newline="") as fh:
        return [row.get(name, "") for row in csv.DictReader(fh)]


def results_problems(folder: str | os.PathLike[str], version: int = 1) -> list[str]:
    """Problems of every table of a results folder against the contract of ``version``
    (tables, primary keys, and codings' foreign key to segments)."""
    folder = Path(folder)
    dp = load_schema("datapackage", version)
    problems: list[str] = []
    for res in dp["resources"]:
        path = folder / res["path"]
        if not path.is_file():
            problems.append(f"{path}: missing")
            continue
        problems += table_problems(path, res["schema"])
        for fk in res["schema"].get("foreignKeys", []):
            ref = fk["reference"]
            target = next(r for r in dp["resources"] if r["name"] == ref["resource"])
            known = set(_column(folder / target["path"], ref["fields"][0]))
            for i, v in enumerate(_column(path, fk["fields"][0])):
                if v not in known:
                    problems.append(f"{path}, line {i + 2}: {fk['fields'][0]} {v!r} not in "
                                    f"{target['path']}")
                    break
    return problems
