"""Pseudonymisation (issue 12): offsets, consistency, what is and is not replaced."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

import codingkit as ck
from codingkit.cli import cli
from codingkit.pseudonymize import (PseudonymKey, Pseudonymizer, depseudonymize_text,
                                    is_role_label)

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "transcripts"
TUNE = Path(__file__).parent / "data" / "tune"


@pytest.fixture(scope="module")
def sample():
    return ck.read_transcripts([str(SAMPLE)])


@pytest.fixture(scope="module")
def tune():
    return ck.read_transcripts([str(p) for p in sorted(TUNE.glob("*.txt"))])


def _check_offsets(old, new):
    assert len(new.turns) == len(old.turns)
    p_old = None
    for a, b in zip(old.turns, new.turns):
        text = new.text[b.start:b.end]
        assert text == text.strip() and (text != "" or a.start == a.end)
        assert b.number == a.number and b.speaker_role == a.speaker_role
        if p_old is not None:
            assert b.start >= p_old
        p_old = b.end


def test_offsets_on_every_sample_and_planted_transcript(sample, tune):
    p = Pseudonymizer()
    for ts in (sample, tune):
        new = p.transcripts(ts)
        for old, nt in zip(ts, new):
            _check_offsets(old, nt)
            # each new turn text is the old turn text pseudonymised on its own
            for a, b in zip(old.turns, nt.turns):
                assert nt.text[b.start:b.end] == p.replace_text(old.text[a.start:a.end],
                                                                keep={old.metadata.get(
                                                                    "project", "")} - {""})
    # inputs untouched
    assert "Maria Holm" in sample[-1].text or any("Maria Holm" in t.text for t in sample)


def test_segments_of_pseudonymised_text_point_into_it(tune):
    new = Pseudonymizer().transcripts(tune)
    result = ck.Coder(ck.load_codebook()).code(new)
    by_source = {t.source: t for t in new}
    assert result.segment_list
    for s in result.segment_list:
        assert by_source[s.source].text[s.start:s.end] == s.text
        assert "Sjöberg" not in s.text and "Ekström" not in s.text


def test_same_person_same_pseudonym_across_files_inflections_and_labels(tune):
    key = PseudonymKey()
    new = Pseudonymizer(key).transcripts(tune)
    a1 = new[0]
    karin = key.get("Person", "karin sjöberg")
    anna = key.get("Person", "anna lindqvist")
    assert karin and anna and karin != anna
    assert a1.metadata["interviewer"] == karin
    assert a1.turns[0].speaker == karin
    assert f"{anna}s roll" in a1.text           # Annas roll
    assert f"{anna}s team" in a1.text           # Lindqvists team
    assert f"Tack, {karin}." in new[1].text     # first name alone, other file
    assert a1.metadata["transkriberad av"].startswith("[Person")
    # roles stay
    assert [t.speaker for t in new[1].turns[:2]] == ["I", "IP"]
    for word in ("Sjöberg", "Johan", "Annas", "Mikaels", "Per-Olofs", "Holmgren"):
        assert word not in a1.text


def test_numbers_mail_addresses_and_kept_terms():
    t = ck.Transcript("x.txt", (
        "IP: Mitt nummer 19121212-1212, hans 121212+1212, och 201212121212, 570915 3349. Inte "
        "1234567890 eller 2025-01234 eller 4 200 000 kronor. Ring 070-123 45 67 eller "
        "+46 8 123 456 78, mejla karin.ek@kommun.se. Vi sitter på Storgatan 12, "
        "582 22 Linköping. Region Östergötland och Vinnova kom 2019-05-12."),
        [ck.Turn(1, 4, 300)])
    t.turns[0] = ck.Turn(1, 4, len(t.text))
    key = PseudonymKey()
    new = Pseudonymizer(key).transcripts([t])[0]
    assert new.text.count("[Personnummer 1]") == 2     # same person, two formats
    assert "[Personnummer 3]" in new.text and "[Personnummer 4]" not in new.text
    for kept in ("1234567890", "2025-01234", "4 200 000", "Region Östergötland", "Vinnova",
                 "2019-05-12"):
        assert kept in new.text
    assert "[Telefon 1]" in new.text and "[Telefon 2]" in new.text
    assert "[E-post 1]" in new.text and "[Adress 1]" in new.text
    assert "Storgatan" not in new.text and "karin.ek" not in new.text
    assert depseudonymize_text(new.text, key).count("19121212-1212") == 2


def test_unknown_names_and_sentence_initial_words():
    p = Pseudonymizer()
    text = ("Hans chef var borta. Per ansvarar för budgeten per år. Vi pratade med "
            "Greta Wallgren och sen med Wallgrens kollega Malin. Ystad och Lund är med.")
    out = p.replace_text(text)
    assert out.startswith("Hans chef")           # pronoun, not the name Hans
    assert "budgeten per år" in out
    assert "Greta" not in out and "Wallgren" not in out and "Malin" not in out
    assert "Ystad och Lund" in out
    # a speaker whose surname is a kept place: the full name goes, the place stays
    t = ck.Transcript("e.txt", "Eva Lund: Jag bor i Lund. Eva Lunds kollega ringde.",
                      [ck.Turn(1, 10, 51, speaker="Eva Lund")])
    new = Pseudonymizer().transcripts([t])[0]
    assert new.text == "[Person 1]: Jag bor i Lund. [Person 1]s kollega ringde."
    assert new.text[new.turns[0].start:new.turns[0].end].startswith("Jag bor")


def test_user_list_keep_and_custom_format():
    key = PseudonymKey("<{type}-{n}>")
    p = Pseudonymizer(key, names=[(None, "Solbacka Teknik"), ("Person", "Kalle")],
                      keep=["Malin"])
    out = p.replace_text("Solbacka Tekniks offert kom via Kalle. Malin läste den.")
    assert out == "<Namn-1>s offert kom via <Person-1>. Malin läste den."


def test_role_labels():
    assert all(is_role_label(x) for x in ("I", "IP", "IP2", "R", "Intervjuare", "Respondent",
                                          "Talare 1", "Svarande"))
    assert not any(is_role_label(x) for x in ("Karin", "Petra Sjö", "Lars Nyström"))


def test_key_reused_across_runs_and_private(tmp_path, tune):
    key_path = tmp_path / "keys" / "k.json"
    runner = CliRunner()
    r1 = runner.invoke(cli, ["pseudonymize", str(TUNE / "a1_upphandlare.txt"),
                             "--out", str(tmp_path / "o1"), "--key", str(key_path)])
    assert r1.exit_code == 0, r1.output
    assert stat.S_IMODE(os.stat(key_path).st_mode) == 0o600
    first = json.loads(key_path.read_text(encoding="utf-8"))["entries"]
    r2 = runner.invoke(cli, ["pseudonymize", str(TUNE), "--out", str(tmp_path / "o2"),
                             "--key", str(key_path)])
    assert r2.exit_code == 0, r2.output
    second = json.loads(key_path.read_text(encoding="utf-8"))["entries"]
    assert second[:len(first)] == first and len(second) > len(first)
    a = (tmp_path / "o1" / "a1_upphandlare.txt").read_text(encoding="utf-8")
    b = (tmp_path / "o2" / "a1_upphandlare.txt").read_text(encoding="utf-8")
    assert a == b and "Sjöberg" not in a
    # the copies read back with the same turns
    back = ck.read_transcripts([str(tmp_path / "o2")])
    assert [len(t.turns) for t in back] == [len(t.turns) for t in tune]
    assert (tmp_path / "o2" / "manifest.csv").exists()
    # depseudonymize restores
    out = tmp_path / "restored.txt"
    r3 = runner.invoke(cli, ["depseudonymize", str(tmp_path / "o2" / "a1_upphandlare.txt"),
                             "--key", str(key_path), "--out", str(out)])
    assert r3.exit_code == 0, r3.output
    restored = out.read_text(encoding="utf-8")
    assert "Karin Sjöberg: Välkommen, Johan Ekström." in restored
    n = int(r3.output.split("Restored ")[1].split()[0])
    assert n == b.count("[") + sum(line.startswith(("Person ",)) for line in b.splitlines())
    # an existing --out is refused unless --force; a table without pseudonyms says so
    r4 = runner.invoke(cli, ["depseudonymize", str(tmp_path / "o2" / "a1_upphandlare.txt"),
                             "--key", str(key_path), "--out", str(out)])
    assert r4.exit_code == 1 and "[E408]" in r4.output and out.read_text(encoding="utf-8") == restored
    plain = tmp_path / "plain.csv"
    plain.write_text("code,theme\nbehov,Behov\n", encoding="utf-8")
    r5 = runner.invoke(cli, ["depseudonymize", str(plain), "--key", str(key_path), "--out",
                             str(out), "--force"])
    assert r5.exit_code == 0 and "No pseudonym of the key" in r5.output


def test_scan_lists_replacements_and_candidates():
    r = CliRunner().invoke(cli, ["scan", str(TUNE / "a2_leverantor.txt")])
    assert r.exit_code == 0, r.output
    assert "replace  Person       'Ahmed Karimi'" in r.output
    assert "Personnummer" in r.output and "E-post" in r.output
    assert "candidate 'IT'" not in r.output


def test_apply_pseudonymize_records_key_hash(tmp_path):
    key = tmp_path / "k.json"
    r = CliRunner().invoke(cli, ["apply", str(TUNE), "--out", str(tmp_path / "res"), "-q",
                                 "--pseudonymize", "--key", str(key)])
    assert r.exit_code == 0, r.output
    import hashlib

    m = json.loads((tmp_path / "res" / "manifest.json").read_text(encoding="utf-8"))
    assert m["options"]["pseudonymized"] is True
    assert m["options"]["pseudonym_key_sha256"] == hashlib.sha256(key.read_bytes()).hexdigest()
    assert str(key) not in json.dumps(m)
    # the run says where the key went (the only place it is said)
    assert f"The key to the pseudonyms is in {key}: keep it apart" in r.output
    for f in (tmp_path / "res").iterdir():
        body = f.read_text(encoding="utf-8")
        for secret in ("Sjöberg", "800314-1234", "070-123 45 67", "@norrkoping.se"):
            assert secret not in body, (f.name, secret)


def test_unknown_names_replaced_when_asked(tmp_path):
    f = tmp_path / "x.txt"
    f.write_text("I: Vem hjälpte er?\n\nIP: Vi fick hjälp av Ylva och Sixten på Vinnova. "
                 "Nilsson tyckte annat.\n", encoding="utf-8")
    r = CliRunner().invoke(cli, ["scan", str(f)])
    assert "candidate 'Ylva'" in r.output and "'Nilsson'" in r.output
    r = CliRunner().invoke(cli, ["pseudonymize", str(f), "--out", str(tmp_path / "o"),
                                 "--key", str(tmp_path / "k.json"), "--unknown-names",
                                 "replace"])
    assert r.exit_code == 0, r.output
    text = (tmp_path / "o" / "x.txt").read_text(encoding="utf-8")
    assert "hjälp av [Namn 1] och [Namn 2] på Vinnova. [Person 1] tyckte" in text


def test_depseudonymize_refuses_to_write_into_a_pseudonymised_results_folder(tmp_path):
    """The restored table (real names) never lands in the folder meant for
    sharing, where apply --force would keep it: refused (E806) naming the
    folder and saying to write it elsewhere; outside the folder it is written."""
    key = tmp_path / "utv.key.json"
    res = tmp_path / "res"
    runner = CliRunner()
    r = runner.invoke(cli, ["apply", str(TUNE), "--out", str(res), "-q", "--rules-only",
                            "--pseudonymize", "--key", str(key)])
    assert r.exit_code == 0, r.output
    before = sorted(p.name for p in res.iterdir())
    for out in (res / "klar.csv", res / "privat" / "klar.csv"):
        r = runner.invoke(cli, ["depseudonymize", str(res / "segments.csv"), "--key", str(key),
                                "--out", str(out)])
        assert r.exit_code == 1, r.output
        lines = r.output.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"Error: {out}: ")
        assert "[E806]" in lines[0] and "pseudonymised results" in lines[0]
        assert "meant to be shared" in lines[0] and "outside it" in lines[0]
        assert not out.exists()
    assert sorted(p.name for p in res.iterdir()) == before
    # a folder of results that were not pseudonymised is no such folder
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "manifest.json").write_text(json.dumps(
        {**json.loads((res / "manifest.json").read_text(encoding="utf-8")),
         "options": {"pseudonymized": False}}), encoding="utf-8")
    for out in (tmp_path / "privat" / "klar.csv", plain / "klar.csv"):
        out.parent.mkdir(exist_ok=True)
        r = runner.invoke(cli, ["depseudonymize", str(res / "segments.csv"), "--key", str(key),
                                "--out", str(out)])
        assert r.exit_code == 0, r.output
        assert "Sjöberg" in out.read_text(encoding="utf-8")


def test_depseudonymize_refuses_to_write_into_a_folder_of_pseudonymised_copies(tmp_path):
    """The copies of 'codingkit pseudonymize' are meant to be shared too, but
    had no marker: a restored table was written among them. Now the folder
    is marked (a hidden file that reading it as transcripts skips) and the
    restored table is refused there (E806), at any depth."""
    key, copies, res = tmp_path / "utv.key.json", tmp_path / "kopior", tmp_path / "res"
    runner = CliRunner()
    r = runner.invoke(cli, ["pseudonymize", str(TUNE), "--out", str(copies), "--key", str(key)])
    assert r.exit_code == 0, r.output
    assert "(4 files and the marker .codingkit-pseudonymized.json)" in r.output
    marker = json.loads((copies / ".codingkit-pseudonymized.json").read_text("utf-8"))
    assert marker["pseudonymized"] is True and str(tmp_path) not in json.dumps(marker)
    assert marker["pseudonym_key_sha256"] == __import__("hashlib").sha256(
        key.read_bytes()).hexdigest()
    # the copies are read as transcripts as before: the marker is skipped, not warned about
    r = runner.invoke(cli, ["apply", str(copies), "--out", str(res), "-q", "--rules-only"])
    assert r.exit_code == 0 and "Warning" not in r.output, r.output
    assert "Coded" in r.output and "from 3 transcripts" in r.output
    for out in (copies / "klar.csv", copies / "privat" / "klar.csv"):
        r = runner.invoke(cli, ["depseudonymize", str(res / "segments.csv"), "--key", str(key),
                                "--out", str(out)])
        assert r.exit_code == 1
        assert r.output == (f"Error: {out}: inside {copies}, a folder of pseudonymised copies "
                            "(its .codingkit-pseudonymized.json says so), which is meant to be "
                            "shared, and the restored table holds the real names; expected "
                            "--out outside it (e.g. in a private folder beside the key) "
                            "[E806]\n")
        assert not out.exists()


def test_copies_written_before_the_marker_are_known_by_the_keys_pseudonyms(tmp_path):
    key, copies = tmp_path / "utv.key.json", tmp_path / "kopior"
    runner = CliRunner()
    r = runner.invoke(cli, ["pseudonymize", str(TUNE), "--out", str(copies), "--key", str(key)])
    assert r.exit_code == 0, r.output
    (copies / ".codingkit-pseudonymized.json").unlink()  # as codingkit wrote them before
    table = tmp_path / "tabell.csv"
    table.write_text("text\n[Person 1] sa det\n", encoding="utf-8")
    out = copies / "klar.csv"
    r = runner.invoke(cli, ["depseudonymize", str(table), "--key", str(key), "--out", str(out)])
    assert r.exit_code == 1 and not out.exists()
    assert "a folder of pseudonymised copies (its manifest.csv lists copies that hold the " \
           "key's pseudonyms)" in r.output and "[E806]" in r.output
    # a folder of the original transcripts (.txt and a manifest.csv) is no such folder
    originals = tmp_path / "original"
    originals.mkdir()
    for p in TUNE.glob("*.txt"):
        (originals / p.name).write_bytes(p.read_bytes())
    (originals / "manifest.csv").write_text(
        "file,project\n" + "".join(f"{p.name},X\n" for p in sorted(TUNE.glob("*.txt"))),
        encoding="utf-8")
    for out in (originals / "klar.csv", tmp_path / "privat" / "klar.csv"):
        r = runner.invoke(cli, ["depseudonymize", str(table), "--key", str(key), "--out",
                                str(out)])
        assert r.exit_code == 0, r.output
        assert "[Person 1]" not in out.read_text(encoding="utf-8")
