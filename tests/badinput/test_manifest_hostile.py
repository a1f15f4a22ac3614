"""A hostile or broken ``manifest.json`` in a results folder: every command that
reads one (report, export-project, evaluate --pred) refuses it in one coded
line naming the file, checked against the manifest's JSON Schema in one place
(:func:`codingkit.writers.readback.read_manifest`); values the schema allows
but the system cannot look up (a path too long, a NUL byte) never end in an
internal error or an uncoded line.

Found by fuzzing every field of a real run's manifest.json with wrong types,
deletions, huge and deeply nested values (/tmp/fz/mfuzz.py, see the change's
description).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from codingkit.cli import cli

ROOT = Path(__file__).resolve().parents[2]
GOLD = f"{ROOT / 'gold' / 'syd_coding.csv'},{ROOT / 'gold' / 'syd_turns.csv'}"
SCHEMA = "expected a manifest.json as 'codingkit apply' writes it (results-1.manifest.schema.json)"
VERSION = ("this codingkit reads results folders of schema version 1: re-run 'codingkit apply' "
           "with this version")
DELETE = object()


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> Path:
    """``codingkit apply`` (the bundled coder) on two of the sample interviews,
    named as the gold coding names them (``syd/...``)."""
    corpus = tmp_path_factory.mktemp("corpus")
    (corpus / "syd").mkdir()
    for name in ("01_projektledare_omg1.txt", "04_verksamhet_omg3.txt"):
        shutil.copy(ROOT / "transcripts" / "syd" / name, corpus / "syd" / name)
    out = tmp_path_factory.mktemp("results") / "res"
    r = CliRunner().invoke(cli, ["apply", str(corpus), "--out", str(out), "--quiet"])
    assert r.exit_code == 0, r.output
    return out


def _broken(results: Path, tmp_path: Path, where: tuple, value) -> Path:
    """A copy of ``results`` whose manifest.json has ``value`` at ``where`` (a
    path of keys and indexes; ``DELETE``: the field removed; a ``str`` raw
    JSON text replacing it)."""
    res = tmp_path / "res"
    shutil.copytree(results, res)
    manifest = json.loads((res / "manifest.json").read_text(encoding="utf-8"))
    parent = manifest
    for key in where[:-1]:
        parent = parent[key]
    if value is DELETE:
        del parent[where[-1]]
    else:
        parent[where[-1]] = "@RAW@"
    text = json.dumps(manifest, ensure_ascii=False, indent=2)
    if value is not DELETE:
        text = text.replace('"@RAW@"', value)
    (res / "manifest.json").write_text(text, encoding="utf-8")
    return res


def _run(command: str, res: Path, tmp_path: Path) -> tuple[int, str]:
    args = {"report": ["report", res, "--out", tmp_path / "r.html"],
            "report-docx": ["report", res, "--out", tmp_path / "r.docx"],
            "export-project": ["export-project", res, "--out", tmp_path / "p.qdpx"],
            "evaluate": ["evaluate", "--gold", GOLD, "--pred", res]}[command]
    r = CliRunner().invoke(cli, [str(a) for a in args])
    return r.exit_code, r.stderr


#: (where, raw JSON value or DELETE, what the line says after "manifest.json: ", code)
REFUSED = [
    # true == 1 in Python: it was read as version 1 and then looked for results-True.*.json
    (("schema_version",), "true", f"has schema_version true; {VERSION}", "E902"),
    (("schema_version",), "1.0", f"has schema_version 1.0; {VERSION}", "E902"),
    (("codebook",), '"x"', f"codebook is 'x', not an object; {SCHEMA}", "E901"),
    (("counts",), "null", f"counts is null, not an object; {SCHEMA}", "E901"),
    (("options",), "[[1]]", f"options is a list of 1 item, not an object; {SCHEMA}", "E901"),
    (("inputs",), "1e309", f"inputs is inf, not a list; {SCHEMA}", "E901"),
    (("inputs", 0), "-1", f"inputs[0] is -1, not an object; {SCHEMA}", "E901"),
    (("inputs", 1, "sha256"), "[]", f"inputs[1].sha256 is [], not a string or null; {SCHEMA}",
     "E901"),
    (("codebook", "path"), "true", f"codebook.path is true, not a string or null; {SCHEMA}",
     "E901"),
    (("codebook", "sha256"), '"' + "x" * 100 + '"',
     f"codebook.sha256 is {'x' * 60!r}… (100 characters), not text matching ^[0-9a-f]{{64}}$; "
     f"{SCHEMA}", "E901"),
    (("counts", "codings"), "-1", f"counts.codings is -1, less than 0; {SCHEMA}", "E901"),
    (("options", "by"), DELETE, f"has no options.by; {SCHEMA}", "E901"),
    # a pattern of 10 MB took export-project minutes to compile
    (("options", "speaker_pattern"), '"' + "x" * 200_000 + '"',
     f"options.speaker_pattern has 200,000 characters, over 131,072; {SCHEMA}", "E901"),
    # the JSON parser's own limits: RecursionError and int()'s 4300 digits were internal errors
    (("codebook", "id"), "[" * 100_000 + "]" * 100_000,
     "nested too deeply; expected the manifest.json of 'codingkit apply'", "E901"),
]


@pytest.mark.parametrize("command", ["report", "export-project", "evaluate"])
@pytest.mark.parametrize("where, value, says, code", REFUSED, ids=[
    ".".join(map(str, w)) + "=" + (v[:8] if v is not DELETE else "deleted")
    for w, v, _, _ in REFUSED])
def test_a_broken_manifest_is_refused_in_one_coded_line(results, tmp_path, command, where,
                                                          value, says, code):
    res = _broken(results, tmp_path, where, value)
    status, err = _run(command, res, tmp_path)
    assert status == 1
    assert err == f"Error: {res / 'manifest.json'}: {says} [{code}]\n"


def test_a_number_too_long_to_read_is_refused_with_its_line(results, tmp_path):
    res = _broken(results, tmp_path, ("counts", "codings"), "9" * 5000)
    line = next(n for n, text in enumerate(
        (res / "manifest.json").read_text(encoding="utf-8").splitlines(), start=1)
        if "99999" in text)
    status, err = _run("report", res, tmp_path)
    assert (status, err) == (1, f"Error: {res / 'manifest.json'}, line {line}: holds a number "
                                "too long to read; expected the manifest.json of 'codingkit "
                                "apply' [E901]\n")


def test_a_codebook_path_too_long_to_look_up_is_a_codebook_not_found(results, tmp_path):
    """A path over the system's limit (ENAMETOOLONG) was an uncoded OSError line;
    it is a file that is not there: the bundled codebook with the run's sha256."""
    res = _broken(results, tmp_path, ("codebook", "path"), json.dumps("/" + "k" * 5000))
    status, err = _run("report", res, tmp_path)
    assert (status, err) == (0, ""), err
    assert (tmp_path / "r.html").is_file()


def test_an_input_path_too_long_is_not_found_in_one_line(results, tmp_path):
    long = "/" + "k" * 5000
    res = _broken(results, tmp_path, ("inputs", 0, "path"), json.dumps(long))
    status, err = _run("export-project", res, tmp_path)
    assert status == 1
    assert err == (f"Error: {res / 'manifest.json'}: input {long[:4096]!r}… (5,001 characters) "
                   "(source 'syd/01_projektledare_omg1.txt') not found; expected the transcript "
                   "that was coded [E541]\n")
    assert not (tmp_path / "p.qdpx").exists()


def test_a_codebook_id_with_a_nul_byte_still_gives_a_word_report(results, tmp_path):
    """Word's core properties hold XML-safe text of at most 255 characters (an
    internal error before); the id is shown without its control characters."""
    res = _broken(results, tmp_path, ("codebook", "id"), json.dumps("inno\u0000vation" * 30))
    status, err = _run("report-docx", res, tmp_path)
    assert (status, err) == (0, ""), err
    from docx import Document

    assert Document(str(tmp_path / "r.docx")).core_properties.subject == \
        ("innovation" * 30)[:255]


def test_apply_over_a_folder_holding_a_deeply_nested_manifest(results, tmp_path):
    # is_results_folder's JSON reading hit RecursionError: an internal error
    corpus = tmp_path / "korpus"
    corpus.mkdir()
    shutil.copy(ROOT / "transcripts" / "syd" / "01_projektledare_omg1.txt", corpus)
    _broken(results, corpus, ("codebook", "id"), "[" * 100_000 + "]" * 100_000)
    r = CliRunner().invoke(cli, ["apply", str(corpus), "--out", str(tmp_path / "ut"), "--quiet"])
    assert "internal error" not in r.output and r.exit_code in (0, 1), r.output


@pytest.mark.parametrize("command", ["report", "export-project"])
def test_a_manifest_without_options_unit_takes_the_unit_of_its_segments(results, tmp_path,
                                                                         command):
    # write_outputs of a hand-built result left options.unit out before 4361be6;
    # the schema check made such folders unreadable
    res = _broken(results, tmp_path, ("options", "unit"), DELETE)
    assert _run(command, res, tmp_path) == (0, "")
    from codingkit.writers.readback import read_manifest

    assert read_manifest(res)["options"]["unit"] == "turn"
