"""Pseudonymisation on inputs a fuzz tester found: the key stays one-to-one,
longer listed names win, role words mid-sentence, malformed keys and tables."""

from __future__ import annotations

import csv
import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import codingkit as ck
from codingkit.cli import cli
from codingkit.pseudonymize import PseudonymKey

KEY_FORMAT = "codingkit-pseudonym-key/1"
SRC = Path(__file__).resolve().parents[2] / "src"
TUNE_ONE = Path(__file__).parent / "data" / "tune" / "a1_upphandlare.txt"


def _run(*args):
    r = CliRunner().invoke(cli, [str(a) for a in args])
    lines = [x for x in r.output.splitlines() if x.strip()]
    return r, lines


def _key(path: Path, entries, fmt="[{type} {n}]") -> Path:
    path.write_text(json.dumps({"format": KEY_FORMAT, "pseudonym_format": fmt,
                                "entries": entries}), encoding="utf-8")
    return path


def _entry(pseudonym, original, type="Person"):
    return {"pseudonym": pseudonym, "type": type, "original": original,
            "norm": original.casefold()}


def test_format_without_type_is_refused_and_the_key_stays_one_to_one(tmp_path):
    tr = tmp_path / "tr"
    tr.mkdir()
    (tr / "a.txt").write_text("Projekt: P\n\nI: Vem ringde?\n\nIP: Greta Wallgren ringde "
                              "från 070-123 45 67 och skrev till greta@example.se.\n",
                              encoding="utf-8")
    key = tmp_path / "k.json"
    for cmd in (["pseudonymize", tr, "--out", tmp_path / "o", "--key", key],
                ["scan", tr], ["apply", tr, "--out", tmp_path / "r", "-q",
                               "--pseudonymize", "--key", key]):
        r, lines = _run(*cmd, "--pseudonym-format", "<{n}>")
        assert r.exit_code == 1 and len(lines) == 1 and "[E802]" in lines[0], r.output
        assert "{type}" in lines[0]
    assert not key.exists() and not (tmp_path / "o").exists()
    # with {type}: every pseudonym is unique and restores its own original
    r, _ = _run("pseudonymize", tr, "--out", tmp_path / "o", "--key", key,
                "--pseudonym-format", "<{type}{n}>")
    assert r.exit_code == 0, r.output
    entries = json.loads(key.read_text(encoding="utf-8"))["entries"]
    assert len({e["pseudonym"] for e in entries}) == len(entries) >= 3
    out = tmp_path / "back.txt"
    r, _ = _run("depseudonymize", tmp_path / "o" / "a.txt", "--key", key, "--out", out)
    assert r.exit_code == 0, r.output
    back = out.read_text(encoding="utf-8")
    assert "Greta Wallgren ringde från 070-123 45 67 och skrev till greta@example.se." in back


def test_a_key_repeating_a_pseudonym_is_refused(tmp_path):
    key = _key(tmp_path / "k.json", [_entry("[Person 1]", "Anna"), _entry("[Person 1]", "Bo")])
    table = tmp_path / "t.txt"
    table.write_text("[Person 1] sa ja.\n", encoding="utf-8")
    r, lines = _run("depseudonymize", table, "--key", key, "--out", tmp_path / "u.txt")
    assert r.exit_code == 1 and len(lines) == 1 and "[E801]" in lines[0], r.output
    assert str(key) in lines[0] and "entry 2" in lines[0]
    assert not (tmp_path / "u.txt").exists()


def test_a_hand_edited_pseudonym_is_never_given_to_a_second_original(tmp_path):
    # "[Person 1]" typed as a Namn by hand: the next person must not get it too
    key = _key(tmp_path / "k.json", [_entry("[Person 1]", "Solbacka", type="Namn")])
    t = tmp_path / "a.txt"
    t.write_text("Projekt: P\n\nI: Hej?\n\nIP: Greta Wallgren här.\n", encoding="utf-8")
    r, _ = _run("pseudonymize", t, "--out", tmp_path / "o", "--key", key)
    assert r.exit_code == 0, r.output
    originals = {e["pseudonym"]: e["original"]
                 for e in json.loads(key.read_text(encoding="utf-8"))["entries"]}
    assert originals == {"[Person 1]": "Solbacka", "[Person 2]": "Greta Wallgren"}
    assert "[Person 2] här." in (tmp_path / "o" / "a.txt").read_text(encoding="utf-8")


def test_the_longest_listed_name_wins_in_pseudonymize_and_scan(tmp_path):
    tr = tmp_path / "tr"
    tr.mkdir()
    (tr / "f.txt").write_text("Projekt: P\n\nI: Vilka var med?\n\nIP: Vi köpte av Solbacka "
                              "Teknik AB och Nordvik Hälsas folk, inte Solbacka.\n",
                              encoding="utf-8")
    names = tmp_path / "namn.txt"  # the shorter names first
    names.write_text("Namn: Solbacka\nNamn: Solbacka Teknik AB\nNordvik\nNamn: Nordvik Hälsa\n",
                     encoding="utf-8")
    r, _ = _run("pseudonymize", tr, "--out", tmp_path / "o", "--key", tmp_path / "k.json",
                "--pseudonymize-list", names)
    assert r.exit_code == 0, r.output
    text = (tmp_path / "o" / "f.txt").read_text(encoding="utf-8")
    assert "köpte av [Namn 1] och [Namn 2]s folk, inte [Namn 3]." in text
    assert "Teknik" not in text and "Hälsa" not in text
    r, _ = _run("scan", tr, "--pseudonymize-list", names, "--key", tmp_path / "k.json")
    assert "'Solbacka Teknik AB' → [Namn 1] ×1" in r.output
    assert "'Nordvik Hälsa' → [Namn 2] ×1" in r.output
    assert "'Solbacka' → [Namn 3] ×1" in r.output and "candidate '" not in r.output


def test_role_words_mid_sentence_are_kept_not_a_crash(tmp_path):
    tr = tmp_path / "tr"
    tr.mkdir()
    (tr / "e.txt").write_text("Projekt: P\n\nI: Hej?\n\nIP: Det sa Person 2 också, och "
                              "Intervjuperson höll med Greta Wallgren.\n", encoding="utf-8")
    r, lines = _run("scan", tr)
    assert r.exit_code == 0, r.output
    assert "'Greta Wallgren' → [Person 1] ×1" in r.output and "0 candidates" in r.output
    for cmd in (["pseudonymize", tr, "--out", tmp_path / "o", "--key", tmp_path / "k.json"],
                ["apply", tr, "--out", tmp_path / "r", "-q", "--pseudonymize", "--key",
                 tmp_path / "k2.json"]):
        r, _ = _run(*cmd)
        assert r.exit_code == 0, r.output
    text = (tmp_path / "o" / "e.txt").read_text(encoding="utf-8")
    assert "Det sa Person 2 också, och Intervjuperson höll med [Person 1]." in text


@pytest.mark.parametrize("pseudonym,expected", [
    ("", "has the pseudonym '', shorter than any of the format '[{type} {n}]' (8 characters)"),
    ("e", "has the pseudonym 'e', shorter than any"),
    ("[Person " + "9" * 5000 + "]", "numbered with 5,000 digits; expected at most 9"),
], ids=["empty", "one-letter", "5000-digits"])
def test_a_key_with_a_pseudonym_codingkit_never_writes_is_refused(tmp_path, pseudonym,
                                                                   expected):
    key = _key(tmp_path / "k.json", [_entry("[Person 1]", "Anna"), _entry(pseudonym, "X")])
    table = tmp_path / "t.txt"
    table.write_text("[Person 1] sa ja.\n", encoding="utf-8")
    r, lines = _run("depseudonymize", table, "--key", key, "--out", tmp_path / "u.txt")
    assert r.exit_code == 1 and len(lines) == 1, r.output
    assert lines[0].startswith(f"Error: {key}: entry 2 of the key ") and expected in lines[0]
    assert lines[0].endswith("[E801]") and not (tmp_path / "u.txt").exists()


def test_a_deeply_nested_key_is_refused(tmp_path):
    key = tmp_path / "k.json"
    key.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    r, lines = _run("scan", TUNE_ONE, "--key", key)
    assert r.exit_code == 1 and len(lines) == 1, r.output
    assert lines[0] == (f"Error: {key}: not a codingkit pseudonym key (RecursionError); "
                        "expected a JSON file written by 'codingkit pseudonymize --key' [E801]")


def test_depseudonymize_reads_its_own_segments_with_a_long_turn(tmp_path):
    tr = tmp_path / "tr"
    tr.mkdir()
    long = "att det gick bra med upphandlingen. " * 4200  # 151,200 characters
    (tr / "lang.txt").write_text(f"Projekt: P\nOmgång: 1\n\nI: Berätta?\n\nIP: Greta Wallgren "
                                 f"sa {long}Slut.\n", encoding="utf-8")
    key = tmp_path / "k.json"
    r, _ = _run("apply", tr, "--out", tmp_path / "res", "-q", "--rules-only",
                "--pseudonymize", "--key", key)
    assert r.exit_code == 0, r.output
    out = tmp_path / "back.csv"
    r, _ = _run("depseudonymize", tmp_path / "res" / "segments.csv", "--key", key,
                "--out", out)
    assert r.exit_code == 0, r.output
    back = out.read_text(encoding="utf-8")
    assert f"Greta Wallgren sa {long}Slut." in back and "[Person" not in back
    assert csv.field_size_limit() == 131072  # put back


def _codingkit(*args, timeout=60):
    """``python -m codingkit`` as a real process, with at most 2 GB of memory."""
    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

    return subprocess.run([sys.executable, "-m", "codingkit", *map(str, args)],
                          capture_output=True, text=True, timeout=timeout, preexec_fn=limit,
                          env={**os.environ, "PYTHONPATH": str(SRC)})


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_named_pipes_and_devices_are_refused_not_read(tmp_path):
    key = _key(tmp_path / "k.json", [_entry("[Person 1]", "Anna")])
    table = tmp_path / "t.csv"
    table.write_text("text\n[Person 1] sa ja\n", encoding="utf-8")
    fifo = tmp_path / "fifo.csv"
    os.mkfifo(fifo)
    zero = tmp_path / "noll.csv"
    zero.symlink_to("/dev/zero")
    out = tmp_path / "u.csv"
    for args, bad, kind in (
            (["depseudonymize", fifo, "--key", key, "--out", out], fifo, "a named pipe (FIFO)"),
            (["depseudonymize", zero, "--key", key, "--out", out], zero, "a character device"),
            (["depseudonymize", table, "--key", fifo, "--out", out], fifo, "a named pipe (FIFO)"),
            (["scan", TUNE_ONE, "--pseudonymize-list", fifo], fifo, "a named pipe (FIFO)"),
            (["scan", TUNE_ONE, "--key", zero], zero, "a character device")):
        r = _codingkit(*args)
        assert r.returncode == 1 and r.stderr.count("\n") == 1, (args, r.stderr)
        assert r.stderr.startswith(f"Error: {bad}: is {kind}, not a regular file; expected ")
        assert r.stderr.rstrip().endswith("[E111]") and not out.exists()


def test_a_table_over_the_size_limit_is_refused(tmp_path, monkeypatch):
    key = _key(tmp_path / "k.json", [_entry("[Person 1]", "Anna")])
    table = tmp_path / "t.txt"
    table.write_text("[Person 1] sa ja.\n" * 1000, encoding="utf-8")  # 18,000 bytes
    monkeypatch.setenv("CODINGKIT_MAX_FILE_MB", "0.01")
    r, lines = _run("depseudonymize", table, "--key", key, "--out", tmp_path / "u.txt")
    assert r.exit_code == 1 and len(lines) == 1 and lines[0].endswith("[E112]"), r.output
    assert f"{table}: the file is 18,000 bytes, over the limit of 10,000 bytes" in lines[0]
    assert not (tmp_path / "u.txt").exists()


def test_copies_keep_the_line_and_paragraph_breaks_of_a_turn(tmp_path):
    tr = tmp_path / "tr"
    tr.mkdir()
    (tr / "p.txt").write_text("Projekt: P\nOmgång: 1\n\nI: Berätta om upphandlingen.\n\n"
                              "IP: Greta Wallgren: först kom behovet.\nSedan kom dialogen.\n\n"
                              "Till sist ringde Ahmed  och vi skrev avtalet.\n\n"
                              "I: Tack.\n", encoding="utf-8")
    r, _ = _run("pseudonymize", tr, "--out", tmp_path / "o", "--key", tmp_path / "k.json")
    assert r.exit_code == 0, r.output
    text = (tmp_path / "o" / "p.txt").read_text(encoding="utf-8")
    assert ("IP: [Person 1]: först kom behovet.\nSedan kom dialogen.\n\nTill sist ringde "
            "[Person 2] och vi skrev avtalet.\n\nI: Tack.") in text
    old, new = ck.read_transcripts([str(tr)]), ck.read_transcripts([str(tmp_path / "o")])
    assert [len(t.turns) for t in new] == [len(t.turns) for t in old] == [3]
    for unit in ("paragraph", "sentence"):
        assert len(ck.segment(new, unit)) == len(ck.segment(old, unit)), unit
    assert len(ck.segment(new, "paragraph")) == 4
