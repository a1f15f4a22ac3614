"""Hostile codebook YAML: aliases that repeat each other ("billion laughs"),
an alias inside what it names, and deep nesting are refused with the line,
in bounded time and memory, instead of exhausting memory or crashing."""

from __future__ import annotations

import resource

from click.testing import CliRunner

from codingkit.cli import cli
from codingkit.codebook import load_codebook, validate_codebook
from codingkit.codebook.yamltree import MAX_NESTING, MAX_VALUES, parse_with_lines

HEAD = 'codebook:\n  id: t\n  version: "1"\ncodes:\n  - id: budget\n    label: Budget\n'


def test_billion_laughs_is_refused_without_expanding(tmp_path):
    path = tmp_path / "kb.yaml"
    # the anchors first, then the alias that would stand for 10**9 strings
    anchors = "\n".join(["x0: &a0 [ha, ha, ha, ha, ha, ha, ha, ha, ha, ha]"] + [
        f"x{i}: &a{i} [{', '.join(f'*a{i - 1}' for _ in range(10))}]" for i in range(1, 9)])
    path.write_text(anchors + "\n" + HEAD + "    rules: *a8\n", encoding="utf-8")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    problems = validate_codebook(path)
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert len(problems) == 1
    line, message = problems[0]
    assert "aliases" in message and f"{MAX_VALUES:,}" in message and line is not None
    assert grown_mb < 100
    r = CliRunner().invoke(cli, ["validate", str(path)])
    assert r.exit_code == 1 and "kb.yaml, line" in r.output and "internal error" not in r.output
    assert len(r.output.strip().splitlines()) <= 2


def test_an_alias_of_a_few_values_is_read(tmp_path):
    path = tmp_path / "kb.yaml"
    path.write_text('codebook:\n  id: t\n  version: "1"\ncodes:\n'
                    "  - id: budget\n    label: Budget\n    rules: &termer [budget, pengar]\n"
                    "  - id: tid\n    label: Tid\n    rules: *termer\n", encoding="utf-8")
    cb = load_codebook(path)
    assert [c.id for c in cb] == ["budget", "tid"]
    data, lines, _ = parse_with_lines(path.read_text(encoding="utf-8"))
    assert data["codes"][1]["rules"] == ["budget", "pengar"]
    assert lines[("codes", 1, "rules")] == 10      # the alias's own line


def test_an_alias_inside_itself_is_refused(tmp_path):
    path = tmp_path / "kb.yaml"
    path.write_text(HEAD + "    rules: &r [budget, *r]\n", encoding="utf-8")
    (line, message), = validate_codebook(path)
    assert line == 7 and "inside the list or mapping it names" in message


def test_deep_nesting_is_refused_with_its_line(tmp_path):
    deep = MAX_NESTING + 5
    flow = HEAD + "    rules: " + "[" * deep + "]" * deep + "\n"
    huge = HEAD + "    rules: " + "[" * 100_000 + "]" * 100_000 + "\n"   # crashed libyaml
    block = HEAD + "    rules:\n" + "".join("      " + "  " * i + "-\n" for i in range(deep))
    for text in (flow, huge, block):
        path = tmp_path / "kb.yaml"
        path.write_text(text, encoding="utf-8")
        (line, message), = validate_codebook(path)
        assert f"nested more than {MAX_NESTING} deep" in message and line >= 7
    r = CliRunner().invoke(cli, ["validate", str(path)])
    assert r.exit_code == 1 and "nested more than" in r.output


def test_the_default_codebook_is_far_inside_the_limits():
    from codingkit.codebook import default_codebook_path

    assert validate_codebook(default_codebook_path()) == []
