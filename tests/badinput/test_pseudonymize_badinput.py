"""Bad input for pseudonymisation: one coded line, nothing written (E801-E805)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from codingkit.cli import cli

TUNE = Path(__file__).resolve().parents[1] / "pseudonymize" / "data" / "tune"
ONE = str(TUNE / "a1_upphandlare.txt")


def _run(args):
    r = CliRunner().invoke(cli, args)
    lines = [x for x in r.output.splitlines() if x.strip()]
    return r, lines


@pytest.mark.parametrize("content,code", [
    (b"not json at all", "E801"),
    (b'{"format": "something-else", "entries": []}', "E801"),
    (b"\xff\xfe\x00garbage", "E801"),
    (json.dumps({"format": "codingkit-pseudonym-key/1", "pseudonym_format": "<{type}{n}>",
                 "entries": []}).encode(), "E802"),
    (json.dumps({"format": "codingkit-pseudonym-key/1", "pseudonym_format": "[{type} {n}]",
                 "entries": [{"pseudonym": 1}]}).encode(), "E801"),
])
def test_bad_key(tmp_path, content, code):
    key = tmp_path / "k.json"
    key.write_bytes(content)
    commands = [["pseudonymize", ONE, "--out", str(tmp_path / "o"), "--key", str(key)]]
    if content.startswith(b"not json") or code == "E802":  # apply shares the loading code
        commands.append(["apply", ONE, "--out", str(tmp_path / "r"), "-q", "--pseudonymize",
                         "--key", str(key)])
    for args in commands:
        r, lines = _run(args)
        assert r.exit_code == 1 and len(lines) == 1 and f"[{code}]" in lines[0], r.output
        assert str(key) in lines[0]
        assert not (tmp_path / "o").exists() and not any((tmp_path / "r").glob("*"))
        assert key.read_bytes() == content


def test_unreadable_list(tmp_path):
    missing = tmp_path / "namn.txt"
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("Åsa Ö\n".encode("latin-1"))
    for lst in (missing, bad):
        r, lines = _run(["pseudonymize", ONE, "--out", str(tmp_path / "o"), "--key",
                         str(tmp_path / "k.json"), "--pseudonymize-list", str(lst)])
        assert r.exit_code == 1 and len(lines) == 1 and "[E803]" in lines[0], r.output
        assert not (tmp_path / "o").exists() and not (tmp_path / "k.json").exists()


def test_key_inside_results(tmp_path):
    for cmd in (["pseudonymize", ONE, "--out", str(tmp_path / "o"),
                 "--key", str(tmp_path / "o" / "sub" / "k.json")],
                ["apply", ONE, "--out", str(tmp_path / "o"), "-q", "--pseudonymize",
                 "--key", str(tmp_path / "o" / "k.json")]):
        r, lines = _run(cmd)
        assert r.exit_code == 1 and len(lines) == 1 and "[E804]" in lines[0], r.output
        assert not any((tmp_path / "o").rglob("*")) if (tmp_path / "o").exists() else True


def test_depseudonymize_bad_table(tmp_path):
    key = tmp_path / "k.json"
    key.write_text(json.dumps({"format": "codingkit-pseudonym-key/1",
                               "pseudonym_format": "[{type} {n}]", "entries": []}))
    table = tmp_path / "t.xlsx"
    table.write_bytes(b"PK\x03\x04\xff\xfe binary")
    for t in (table, tmp_path / "missing.csv"):
        r, lines = _run(["depseudonymize", str(t), "--key", str(key), "--out",
                         str(tmp_path / "out.csv")])
        assert r.exit_code == 1 and len(lines) == 1 and "[E805]" in lines[0], r.output
        assert not (tmp_path / "out.csv").exists()


def test_depseudonymize_with_a_key_that_does_not_exist(tmp_path):
    table = tmp_path / "t.csv"
    table.write_text("text\n<Person 1> sa ja\n", encoding="utf-8")
    r, lines = _run(["depseudonymize", str(table), "--key", str(tmp_path / "utv.kye.json"),
                     "--out", str(tmp_path / "ut.csv")])
    assert r.exit_code == 1 and len(lines) == 1
    assert lines[0].endswith("utv.kye.json: no such file; expected the key written by "
                             "'codingkit pseudonymize --key' [E801]")
    assert not (tmp_path / "ut.csv").exists()
