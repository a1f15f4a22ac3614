"""Names in file and folder names are pseudonymised with the text's key.

Researchers name transcripts after the person (``Intervju Anna
Svensson.docx``, ``anna_svensson_omg2.txt``, ``2026-03-02 Karin Ek.vtt``).
The file name is the transcript's ``source``, which every output holds
(segments.csv, codings.csv, the workbook, the .qdpx, manifest.json, the
report) and which names the copies of ``codingkit pseudonymize``: a
pseudonymised result still named the respondents. Now the source's folders
and file name are pseudonymised too, with the same pseudonym for the same
person as in the text, in every run that reuses the key.
"""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

import codingkit as ck
from codingkit.cli import cli
from codingkit.humancoding import HumanCoding
from codingkit.pseudonymize import PseudonymKey, Pseudonymizer

ROOT = Path(__file__).resolve().parents[2]
SECRETS = ("Anna", "Svensson", "svensson", "Karin", "Ek/", "Ek.", "Lars", "Nyström")

ANNA = """\
Lars Nyström: Välkommen, Anna. Berätta om upphandlingen.

Anna Svensson: Vi gjorde en behovsanalys med verksamheten.

Lars Nyström: Vem hjälpte er?

Anna Svensson: Karin Ek på kommunen hjälpte oss.
"""
KARIN = """\
WEBVTT

00:00:01.000 --> 00:00:04.000
<v Intervjuare>Hej Karin, hur gick upphandlingen?

00:00:05.000 --> 00:00:09.000
<v Karin Ek>Vi hade en marknadsdialog med leverantörerna innan vi skrev förfrågan.
"""
PLAIN = """\
I: Hur började det?

IP: Vi såg ett behov i verksamheten och gjorde en marknadsdialog.
"""


def _run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def _one_line_error(r, code: str) -> str:
    assert r.exit_code == 1, r.output
    assert r.stderr.count("\n") == 1 and r.stderr.startswith("Error: "), r.stderr
    assert r.stderr.endswith(f"[{code}]\n"), r.stderr
    return r.stderr


def _texts(folder: Path) -> dict[str, bytes]:
    """Every file of ``folder`` by name, a zip's members (xlsx, qdpx, docx) each on its own."""
    out = {}
    for f in sorted(folder.rglob("*")):
        if f.is_file() and zipfile.is_zipfile(f):
            with zipfile.ZipFile(f) as z:
                out.update({f"{f.name}:{n}": z.read(n) for n in z.namelist()})
        elif f.is_file():
            out[f.relative_to(folder).as_posix()] = f.read_bytes()
    return out


def _no_secret_in(folder: Path) -> None:
    for name, data in _texts(folder).items():
        assert not any(c in name for c in ("Anna", "Karin", "svensson")), name
        for secret in SECRETS:
            assert secret.encode("utf-8") not in data, (name, secret)


@pytest.fixture()
def corpus(tmp_path) -> Path:
    """Transcripts named after their respondents (a folder too), a file
    without a name, and the corpus's manifest.csv keyed by the file names."""
    c = tmp_path / "intervjuer"
    (c / "Karin Ek").mkdir(parents=True)
    (c / "Intervju Anna Svensson.txt").write_text(ANNA, encoding="utf-8")
    (c / "2026-03-02 Karin Ek.vtt").write_text(KARIN, encoding="utf-8")
    (c / "Karin Ek" / "omg2.txt").write_text(PLAIN, encoding="utf-8")
    (c / "05_upphandlare_omg1.txt").write_text(PLAIN, encoding="utf-8")
    (c / "manifest.csv").write_text(
        "file,project,round,role\n"
        "Intervju Anna Svensson.txt,Syd,1,projektledare\n"
        "2026-03-02 Karin Ek.vtt,Syd,2,upphandlare\n"
        "Karin Ek/omg2.txt,Öst,2,upphandlare\n"
        "05_upphandlare_omg1.txt,Öst,1,upphandlare\n", encoding="utf-8")
    return c


# --------------------------------------------------------------------------
# what a name becomes
# --------------------------------------------------------------------------

@pytest.mark.parametrize("name, expected", [
    ("Intervju Anna Svensson.docx", "Intervju [Person 1].docx"),
    ("anna_svensson_omg2.txt", "[Person 1]_omg2.txt"),
    ("2026-03-02 Karin Ek.vtt", "2026-03-02 [Person 1].vtt"),
    ("AnnaSvensson.txt", "[Person 1].txt"),                   # camel case
    ("ANNA-SVENSSON.md", "[Person 1].md"),
    ("Intervju Anna.Svensson.txt", "Intervju [Person 1].txt"),  # a dot in the name
    ("svensson_anna.srt", "[Person 1].srt"),                  # surname first: one person
    ("Ek Karin.txt", "[Person 1].txt"),
    ("intervju_lena_berg.md", "intervju_[Person 1].md"),      # lena is a word, next to a surname
    ("Per-Olof Ek.txt", "[Person 1].txt"),
    ("Karin Ek/omg1.txt", "[Person 1]/omg1.txt"),             # a folder's name
    ("Annas intervju.txt", "[Person 1]s intervju.txt"),       # genitive kept
    ("121212-1212 intervju.txt", "[Personnummer 1] intervju.txt"),
    ("Möte med Ekström.docx", "Möte med [Person 1].docx"),    # surname shape
    # no name: unchanged
    ("syd/05_upphandlare_omg1.txt", "syd/05_upphandlare_omg1.txt"),
    ("Intervju Utveckling Omg2.docx", "Intervju Utveckling Omg2.docx"),
    ("hans_rapport.txt", "hans_rapport.txt"),                 # hans: a word, no name beside
    ("Region Östergötland/Lund.txt", "Region Östergötland/Lund.txt"),  # kept places
    ("2026-03-02 10.30.vtt", "2026-03-02 10.30.vtt"),        # a date and time, no phone
    ("[Person 1].txt", "[Person 1].txt"),                     # a copy's name again
])
def test_a_name_in_a_file_name(name, expected):
    assert Pseudonymizer().source_name(name) == expected


def test_a_survey_answers_id_is_a_name_of_its_own():
    p = Pseudonymizer()
    assert p.source_name("Enkät Anna.csv#Karin Ek", survey=True) == \
        "Enkät [Person 1].csv#[Person 2]"
    assert p.source_name("enkät.xlsx#12", survey=True) == "enkät.xlsx#12"


def test_the_same_person_in_the_file_name_the_text_and_other_files():
    """The speaker Anna Svensson, 'Anna' in another file's text and the file
    names 'anna.txt' and 'Intervju Anna Svensson.txt' are one person; the
    persons of every file name are found before any pseudonym is given."""
    key = PseudonymKey()
    ts = [ck.Transcript("anna.txt", "IP: Hej Anna.", [ck.Turn(1, 4, 13, speaker="IP")]),
          ck.Transcript("Intervju Anna Svensson.txt", "Anna Svensson: Hej.",
                        [ck.Turn(1, 15, 19, speaker="Anna Svensson")])]
    new = Pseudonymizer(key).transcripts(ts)
    anna = key.get("Person", "anna svensson")
    assert anna == "[Person 1]" and len(key) == 1
    assert [t.source for t in new] == [f"{anna}.txt", f"Intervju {anna}.txt"]
    assert new[0].text == f"IP: Hej {anna}." and new[1].turns[0].speaker == anna
    # the transcripts given are not changed
    assert [t.source for t in ts] == ["anna.txt", "Intervju Anna Svensson.txt"]


def test_a_users_list_and_keep_apply_to_names_too():
    p = Pseudonymizer(names=[(None, "Solbacka Teknik"), ("Person", "Sixten")],
                      keep=["Karin"])
    assert p.source_name("solbacka_teknik_sixten.txt") == "[Namn 1]_[Person 1].txt"
    assert p.source_name("Karin.txt") == "Karin.txt"


# --------------------------------------------------------------------------
# apply --pseudonymize
# --------------------------------------------------------------------------

def test_apply_names_no_respondent_in_any_output(corpus, tmp_path):
    key, res = tmp_path / "nyckel.json", tmp_path / "dela" / "res"
    r = _run("apply", corpus, "--out", res, "-q", "--rules-only", "--format", "csv,xlsx,qdpx",
             "--pseudonymize", "--key", key)
    assert r.exit_code == 0, r.output
    k = PseudonymKey.load(key)
    anna, karin = k.get("Person", "anna svensson"), k.get("Person", "karin ek")
    with open(res / "segments.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    by_source = {row["source"]: row for row in rows}
    assert sorted(by_source) == sorted([
        "05_upphandlare_omg1.txt", f"2026-03-02 {karin}.vtt", f"Intervju {anna}.txt",
        f"{karin}/omg2.txt"])
    # the corpus's manifest.csv (keyed by the files' own names) still gave the metadata
    assert [by_source[f"{karin}/omg2.txt"][c] for c in ("project", "round")] == ["Öst", "2"]
    assert by_source[f"Intervju {anna}.txt"]["project"] == "Syd"
    assert all(row["segment_id"].startswith(row["source"] + ":") for row in rows)
    # the same person in the name, the speaker label and the text
    annas = [row for row in rows if row["source"] == f"Intervju {anna}.txt"]
    assert {row["speaker"] for row in annas} >= {anna} and f"{karin} på" in annas[-1]["text"]
    assert annas[0]["text"] == f"Välkommen, {anna}. Berätta om upphandlingen."
    manifest = json.loads((res / "manifest.json").read_text(encoding="utf-8"))
    assert {e["source"] for e in manifest["inputs"]} == set(by_source)
    assert all(e["path"] is None for e in manifest["inputs"])
    # each input known by the original file's sha256
    original = {f"Intervju {anna}.txt": "Intervju Anna Svensson.txt",
                f"{karin}/omg2.txt": "Karin Ek/omg2.txt"}
    for e in manifest["inputs"]:
        if e["source"] in original:
            assert e["sha256"] == hashlib.sha256(
                (corpus / original[e["source"]]).read_bytes()).hexdigest()
    _no_secret_in(res)
    # the report lists the pseudonymised names
    r = _run("report", res, "--out", res / "rapport.html")
    assert r.exit_code == 0, r.output
    assert f"Intervju {anna}.txt" in (res / "rapport.html").read_text(encoding="utf-8")
    _no_secret_in(res)
    # depseudonymize restores the source column and the segment ids
    r = _run("depseudonymize", res / "segments.csv", "--key", key, "--out",
             tmp_path / "privat.csv")
    assert r.exit_code == 0, r.output
    with open(tmp_path / "privat.csv", encoding="utf-8", newline="") as fh:
        restored = list(csv.DictReader(fh))
    assert {row["source"] for row in restored} == {
        "05_upphandlare_omg1.txt", "2026-03-02 Karin Ek.vtt", "Intervju Anna Svensson.txt",
        "Karin Ek/omg2.txt"}
    assert all(row["segment_id"].startswith(row["source"] + ":") for row in restored)


def test_a_later_round_with_the_key_gives_the_same_pseudonym(corpus, tmp_path):
    key = tmp_path / "nyckel.json"
    r = _run("apply", corpus, "--out", tmp_path / "r1", "-q", "--rules-only",
             "--pseudonymize", "--key", key)
    assert r.exit_code == 0, r.output
    anna = PseudonymKey.load(key).get("Person", "anna svensson")
    later = tmp_path / "omg2"
    later.mkdir()
    (later / "anna_svensson_omg2.txt").write_text(PLAIN, encoding="utf-8")
    r = _run("apply", later, "--out", tmp_path / "r2", "-q", "--rules-only",
             "--pseudonymize", "--key", key)
    assert r.exit_code == 0, r.output
    text = (tmp_path / "r2" / "segments.csv").read_text(encoding="utf-8")
    assert f"{anna}_omg2.txt:2," in text and "svensson" not in text


def test_a_run_without_pseudonymize_keeps_the_names(corpus, tmp_path):
    r = _run("apply", corpus, "--out", tmp_path / "res", "-q", "--rules-only")
    assert r.exit_code == 0, r.output
    text = (tmp_path / "res" / "segments.csv").read_text(encoding="utf-8")
    assert "Intervju Anna Svensson.txt:2," in text and "Karin Ek/omg2.txt:2," in text


def test_two_files_that_would_get_one_name_are_refused(tmp_path):
    c = tmp_path / "c"
    c.mkdir()
    (c / "Anna Svensson.txt").write_text(PLAIN, encoding="utf-8")
    (c / "anna_svensson.txt").write_text(PLAIN, encoding="utf-8")
    for args in (("apply", c, "--out", tmp_path / "res", "-q", "--rules-only",
                  "--pseudonymize"), ("pseudonymize", c, "--out", tmp_path / "kopior")):
        r = _run(*args, "--key", tmp_path / "k.json")
        line = _one_line_error(r, "E809")
        assert line.startswith(f"Error: {c / 'anna_svensson.txt'}: 'Anna Svensson.txt' and "
                               "'anna_svensson.txt' would both be named '[Person 1].txt'"), line
        assert not (tmp_path / "res").exists() and not (tmp_path / "kopior").exists()
    # scan lists both and says so
    r = _run("scan", c)
    assert r.exit_code == 0, r.output
    assert "anna_svensson.txt:\n  name     → [Person 1].txt\n  the same name as " \
           "'Anna Svensson.txt' once pseudonymised" in r.output, r.output


def test_learning_from_human_coding_that_names_the_files_as_they_are(tmp_path):
    """--learn-from's coding names 'syd/Intervju Anna Svensson.txt'; the
    input is coded as 'syd/Intervju [Person 1].txt': the coding is renamed,
    so the run learns from as many turns as without --pseudonymize."""
    c = tmp_path / "intervjuer"
    (c / "syd").mkdir(parents=True)
    shutil.copy(ROOT / "transcripts" / "syd" / "01_projektledare_omg1.txt",
                c / "syd" / "Intervju Anna Svensson.txt")
    shutil.copy(ROOT / "transcripts" / "syd" / "04_verksamhet_omg3.txt", c / "syd")
    coding = tmp_path / "kodning.csv"
    coding.write_text((ROOT / "gold" / "syd_coding.csv").read_text(encoding="utf-8").replace(
        "syd/01_projektledare_omg1.txt", "syd/Intervju Anna Svensson.txt"), encoding="utf-8")
    learned = []
    for extra in ((), ("--pseudonymize", "--key", tmp_path / "k.json")):
        out = tmp_path / f"res{len(extra)}"
        r = _run("apply", c, "--out", out, "-q", "--rules-only", "--learn-from", coding, *extra)
        assert r.exit_code == 0, r.output
        learned.append(json.loads((out / "manifest.json").read_text(encoding="utf-8"))
                       ["options"]["learned_from"]["turns"])
    assert learned[0] == learned[1] > 0


def test_human_coding_renamed():
    import pandas as pd

    h = HumanCoding("segment", pd.DataFrame({"segment_id": ["a/x.txt:3", "b.txt:1.2", "c"],
                                             "code": ["behov"] * 3}),
                    turns=pd.DataFrame({"source": ["a/x.txt", "b.txt"], "turn": [3, 1]}),
                    splits={"a/x.txt": "dev", "b.txt": "test"})
    new = h.renamed({"a/x.txt": "a/[Person 1].txt"})
    assert list(new.codings["segment_id"]) == ["a/[Person 1].txt:3", "b.txt:1.2", "c"]
    assert list(new.turns["source"]) == ["a/[Person 1].txt", "b.txt"]
    assert new.splits == {"a/[Person 1].txt": "dev", "b.txt": "test"}
    assert list(h.turns["source"]) == ["a/x.txt", "b.txt"]   # the coding read is not changed
    assert h.renamed({"z.txt": "y.txt"}) is h


# --------------------------------------------------------------------------
# codingkit pseudonymize, scan
# --------------------------------------------------------------------------

def test_copies_have_pseudonymised_names(corpus, tmp_path):
    key, copies = tmp_path / "nyckel.json", tmp_path / "kopior"
    r = _run("pseudonymize", corpus, "--out", copies, "--key", key)
    assert r.exit_code == 0, r.output
    k = PseudonymKey.load(key)
    anna, karin = k.get("Person", "anna svensson"), k.get("Person", "karin ek")
    names = sorted(p.relative_to(copies).as_posix() for p in copies.rglob("*.txt"))
    assert names == sorted(["05_upphandlare_omg1.txt", f"2026-03-02 {karin}.txt",
                            f"Intervju {anna}.txt", f"{karin}/omg2.txt"])
    _no_secret_in(copies)
    with open(copies / "manifest.csv", encoding="utf-8", newline="") as fh:
        files = {row["file"]: row for row in csv.DictReader(fh)}
    assert sorted(files) == names and files[f"{karin}/omg2.txt"]["project"] == "Öst"
    # coded from the copies, the sources are those of apply --pseudonymize
    r = _run("apply", copies, "--out", tmp_path / "res", "-q", "--rules-only")
    assert r.exit_code == 0, r.output
    text = (tmp_path / "res" / "segments.csv").read_text(encoding="utf-8")
    assert f"Intervju {anna}.txt:2,Intervju {anna}.txt,Syd,1," in text


def test_copies_that_would_share_a_file_are_refused(tmp_path):
    """a.txt and A.md were both written as a.txt (one overwrote the other,
    and on Windows and macOS the names are one file): refused."""
    c = tmp_path / "c"
    c.mkdir()
    (c / "a.txt").write_text(PLAIN, encoding="utf-8")
    (c / "A.md").write_text(PLAIN, encoding="utf-8")
    r = _run("pseudonymize", c, "--out", tmp_path / "kopior", "--key", tmp_path / "k.json")
    line = _one_line_error(r, "E809")
    assert "'A.md' and 'a.txt' would both be written as the copy 'a.txt'" in line, line
    assert not (tmp_path / "kopior").exists()


def test_a_pseudonym_a_file_name_cannot_hold_is_refused_for_copies(tmp_path):
    c = tmp_path / "c"
    c.mkdir()
    (c / "Anna Svensson.txt").write_text(PLAIN, encoding="utf-8")
    r = _run("pseudonymize", c, "--out", tmp_path / "kopior", "--key", tmp_path / "k.json",
             "--pseudonym-format", "<{type} {n}>")
    line = _one_line_error(r, "E810")
    assert "would be named '<Person 1>.txt'" in line and "'<'" in line, line
    assert not (tmp_path / "kopior").exists()
    # apply keeps the pseudonym as it is in the source (no file is named by it)
    r = _run("apply", c, "--out", tmp_path / "res", "-q", "--rules-only", "--pseudonymize",
             "--key", tmp_path / "k.json", "--pseudonym-format", "<{type} {n}>")
    assert r.exit_code == 0, r.output
    assert "<Person 1>.txt:2," in (tmp_path / "res" / "segments.csv").read_text("utf-8")


def test_scan_lists_names_in_file_names(corpus):
    r = _run("scan", corpus)
    assert r.exit_code == 0, r.output
    out = r.output
    # Karin Ek first: her file sorts first
    assert "Intervju Anna Svensson.txt:\n  name     → Intervju [Person 2].txt\n" \
           "  replace  Person       'Anna Svensson' in the name → [Person 2]\n" in out, out
    assert "Karin Ek/omg2.txt:\n  name     → [Person 1]/omg2.txt\n" in out, out
    assert "05_upphandlare_omg1.txt:\n  name" not in out
    c = corpus.parent / "andra"
    c.mkdir()
    (c / "Intervju Sixten Omg2.txt").write_text(PLAIN, encoding="utf-8")
    r = _run("scan", c)
    assert "candidate 'Sixten' in the name" in r.output and "'Omg'" not in r.output, r.output
