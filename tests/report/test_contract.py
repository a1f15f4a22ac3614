"""The results folder's contract: every table a real ``apply`` run writes matches it."""

from __future__ import annotations

import json

import jsonschema
import pytest

from codingkit.report import SCHEMA_VERSION, SCHEMA_VERSIONS, schema_path
from codingkit.report.contract import results_problems, table_problems
from codingkit.report.results import load_schema
from codingkit.tables import CODING_COLUMNS, FREQUENCY_COUNTS, SEGMENT_COLUMNS


def test_the_writer_writes_the_version_the_report_reads(sample_results):
    manifest = json.loads((sample_results / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["schema_version"] == SCHEMA_VERSION
    assert SCHEMA_VERSION in SCHEMA_VERSIONS
    assert schema_path("datapackage").is_file() and schema_path("manifest").is_file()


def test_manifest_matches_its_json_schema(sample_results):
    schema = load_schema("manifest")
    jsonschema.Draft202012Validator.check_schema(schema)
    manifest = json.loads((sample_results / "manifest.json").read_text(encoding="utf-8"))
    jsonschema.validate(manifest, schema, cls=jsonschema.Draft202012Validator)
    # the schema can fail: another version, a missing field
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**manifest, "schema_version": 2}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({k: v for k, v in manifest.items() if k != "counts"}, schema)


def test_every_table_of_a_real_run_matches(sample_results):
    assert results_problems(sample_results) == []
    manifest = json.loads((sample_results / "manifest.json").read_text(encoding="utf-8"))
    dp = load_schema("datapackage")
    fields = {r["name"]: [f["name"] for f in r["schema"]["fields"]] for r in dp["resources"]}
    # the schema names the columns the writer writes (and their order)
    assert fields["segments"] == SEGMENT_COLUMNS
    assert fields["codings"] == CODING_COLUMNS
    assert fields["frequencies"] == FREQUENCY_COUNTS
    header = (sample_results / "frequencies.csv").read_text(encoding="utf-8").split("\n")[0]
    assert header.split(",") == manifest["options"]["by"] + FREQUENCY_COUNTS


def test_the_contract_check_can_fail(copy_results):
    res = copy_results()
    schema = next(r["schema"] for r in load_schema("datapackage")["resources"]
                  if r["name"] == "codings")
    lines = (res / "codings.csv").read_text(encoding="utf-8").splitlines()
    cells = lines[1].split(",")
    cells[3], cells[4] = "1.5", "magi"
    lines[1] = ",".join(cells)
    lines.append(lines[2])  # a repeated primary key
    lines.append("nosuch:1,behov,behov,1.0,rule,x")  # a segment that does not exist
    (res / "codings.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    problems = table_problems(res / "codings.csv", schema)
    assert any("line 2, score: 1.5 > 1" in p for p in problems)
    assert any("line 2, method: 'magi' not one of" in p for p in problems)
    assert any("primary key" in p for p in problems)
    assert any("'nosuch:1' not in segments.csv" in p for p in results_problems(res))
