"""Hostile codebook YAML: aliases that repeat each other ("billion laughs"),
an alias inside what it names, and deep nesting are refused with the line,
in bounded time and memory, instead of exhausting memory or crashing; a
named pipe, a device or an oversized file is refused before it is read."""

from __future__ import annotations

import os
import resource

import pytest
from click.testing import CliRunner

from codingkit.cli import cli
from codingkit.codebook import CodebookError, load_codebook, validate_codebook
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


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_named_pipe_or_device_as_codebook_is_refused_not_waited_on(tmp_path):
    # validate fifo.yaml hung for ever; a link to /dev/zero ended in MemoryError
    os.mkfifo(tmp_path / "fifo.yaml")
    (tmp_path / "zero.yaml").symlink_to("/dev/zero")
    for name, kind in (("fifo.yaml", "a named pipe"), ("zero.yaml", "a character device")):
        with pytest.raises(CodebookError, match=rf"{name}: is {kind}.*not a regular file; "
                                                r"expected a codebook file \[E111\]"):
            load_codebook(tmp_path / name)


def test_a_codebook_over_the_file_limit_is_refused_before_it_is_read(tmp_path, monkeypatch):
    monkeypatch.setenv("CODINGKIT_MAX_FILE_MB", "0.01")
    p = tmp_path / "stor.yaml"
    p.write_text("codebook: {id: x}\n# " + "x" * 20_000 + "\n", encoding="utf-8")
    with pytest.raises(CodebookError, match=r"stor\.yaml: the file is 20,0\d\d bytes, over the "
                                            r"limit of 10,000 bytes.*\[E112\]"):
        load_codebook(p)
