"""Bad input: what a fuzz run of the .qdpx reader found (C1, A4, C3).

* C1: each selection kept its own copy of the text it covers, and comparing a
  selection's name with the text normalised the whole span: 200 selections
  over a 2 MB source took 2.5 GB and wrote a 400 MB human_coding.csv. The
  ``text`` of a row is now cut at ``MAX_EXCERPT_CHARS`` (``start, end`` stay
  whole), a name is compared with as much text as it is long, and searching
  for names in the source is bounded (a set of the source's 4-character
  pieces first, then a budget: E533). Memory and time are measured in the
  commit message and ``benchmarks/qdpx_import.py``, not asserted here.
* A4: the lookup of an archive entry ignored case and kept the first entry it
  saw (``sources/A.txt`` was read for ``internal://a.txt``); two
  ``project.qde`` entries were read silently (the last one).
* C3: a named pipe as the .qdpx, ``--model``, ``--manifest`` or
  ``--learn-from`` blocked the run or was called missing.
* ``problems.csv`` wrote its offsets as floats (-5.0).
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest

from codingkit.errors import RefiQdaError
from codingkit.refiqda import read_qdpx
from codingkit.refiqda._offsets import SourceText

from test_qdpx_hostile import (CODE, NS, SRC, TEXT, USER, assert_refused, good_entries,
                               import_project, make_qdpx, project_qde)

SRC_DIR = Path(__file__).resolve().parents[2] / "src"
G = "00000000-0000-4000-8000-{:012d}".format


def one_source_qde(text_path: str, selections: str) -> bytes:
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<Project {NS} name="prov">'
            f'<Users><User guid="{USER}" name="Anna"/></Users>'
            f'<CodeBook><Codes><Code guid="{CODE}" name="Tidig dialog" isCodable="true"/>'
            f"</Codes></CodeBook><Sources>"
            f'<TextSource guid="{SRC}" name="intervju.txt" plainTextPath="{text_path}">'
            f"{selections}</TextSource></Sources></Project>").encode("utf-8")


def selection(i: int, start, end, name: str | None = None) -> str:
    named = f' name="{name}"' if name is not None else ""
    return (f'<PlainTextSelection guid="{G(1000 + i)}"{named} startPosition="{start}" '
            f'endPosition="{end}" creatingUser="{USER}"><Coding guid="{G(5000 + i)}" '
            f'creatingUser="{USER}"><CodeRef targetGUID="{CODE}"/></Coding>'
            f"</PlainTextSelection>")


# -- C1: the text of a row is an excerpt, the offsets are whole --------------------

def test_long_selections_keep_offsets_and_write_an_excerpt(tmp_path):
    from codingkit.refiqda.importer import CUT_MARK, MAX_EXCERPT_CHARS

    body = "".join(f"IP: Vi bjöd in leverantör {i} till en dialog om behoven.\n"
                   for i in range(400))          # about 22,000 characters
    n = len(body)
    sels = "".join(selection(i, 0, n - i) for i in range(30))
    sels += selection(99, 0, n, name=body[:40].replace("\n", " ") + "...")
    sels += selection(98, 3, 40, name=body[3:40])   # a short one is whole
    archive = make_qdpx(tmp_path / "lang.qdpx", [
        ("project.qde", one_source_qde("internal://a.txt", sels)),
        ("sources/a.txt", body.encode("utf-8"))])
    exit_code, lines, out = import_project(tmp_path, archive)
    assert exit_code == 0, lines
    with open(out / "human_coding.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 32
    for r in rows:
        start, end = int(r["start"]), int(r["end"])
        if end - start <= MAX_EXCERPT_CHARS:
            assert r["text"] == body[start:end]
        else:   # the first MAX_EXCERPT_CHARS characters, marked as cut
            assert r["text"] == body[start:start + MAX_EXCERPT_CHARS] + CUT_MARK
    spans = {(int(r["start"]), int(r["end"])) for r in rows}
    assert (0, n) in spans and (3, 40) in spans
    # 30 near-whole copies of the source would be 660,000 characters
    assert (out / "human_coding.csv").stat().st_size < 32 * (MAX_EXCERPT_CHARS + 200)
    project = read_qdpx(archive)
    assert project.problems == []
    assert project.selections["text"].str.len().max() == MAX_EXCERPT_CHARS + len(CUT_MARK)


def test_a_name_is_compared_with_only_as_much_text_as_it_is_long():
    text = "I: Hur började ni?\n" + "IP:    Vi  bjöd\n\n in   leverantörerna.\n" * 3000
    st = SourceText(text)
    whole = (0, len(st.text))
    assert st.matches("I: Hur började ni? IP: Vi bjöd in …", whole)
    assert st.matches(" ".join(text.split()), whole)
    assert not st.matches("I: Hur började ni? IP: Vi bjöd in leverantörerna.", whole)
    assert not st.matches("I: Hur började ni? IP: Vi bjöd ut …", whole)
    assert not st.matches("I: Hur började ni? IP: Vi bjöd in leverantörerna. IP: X", (0, 60))
    # a cut inside a run of spaces or between a letter and its combining ring
    st = SourceText("Vi " + " " * 5000 + "a\u030angest" + "x" * 100)
    assert st.text.startswith("Vi " + " " * 5000 + "ångest")
    assert st.matches("Vi ångest" + "x" * 100, (0, len(st.text)))
    assert st.matches("Vi ånge…", (0, len(st.text)))
    assert not st.matches("Vi angest…", (0, len(st.text)))


def test_searching_for_names_in_the_source_is_bounded():
    from codingkit.refiqda._offsets import ScanBudget, ScanBudgetExceeded

    body = "".join(f"IP: leverantör{i % 97} dialog{i % 89} avtal{i % 83}.\n"
                   for i in range(4000))
    flat_len = len(" ".join(body.split()))
    # names with a 4-character piece the source lacks are told without a search
    st = SourceText(body, budget=ScanBudget(100 * flat_len))
    assert not any(st.checkable(f"finns inte {i} zzz") for i in range(5000))
    assert st.checkable("leverantör5 dialog5")
    # the same name again is not searched for again
    assert all(not st.checkable("Markering 1") for _ in range(5000))
    # names made of the source's own pieces, none of them in it: refused past the budget
    st = SourceText(body, budget=ScanBudget(100 * flat_len))
    with pytest.raises(ScanBudgetExceeded):
        for i in range(5000):
            st.checkable(f"avtal{i % 83}. IP: leverantör{i % 97} dialog{i % 89}")


# -- A4: which archive entry a name means -----------------------------------------

def _source_text(tmp_path, name, entries) -> str:
    archive = make_qdpx(tmp_path / name, [
        ("project.qde", project_qde(text_path="internal://intervju.txt")), *entries])
    return read_qdpx(archive).sources["intervju.txt"]


def test_the_entry_of_exactly_the_name_wins_over_one_that_differs_in_case(tmp_path):
    other = "I: Något helt annat.\nIP: Om du säger det så.\n".encode("utf-8")
    assert _source_text(tmp_path, "a.qdpx", [("sources/Intervju.txt", other),
                                             ("sources/intervju.txt", TEXT.encode())]) == TEXT
    assert _source_text(tmp_path, "b.qdpx", [("sources/intervju.txt", TEXT.encode()),
                                             ("sources/INTERVJU.TXT", other)]) == TEXT
    # the one entry that differs only in case is still found
    assert _source_text(tmp_path, "c.qdpx", [("sources/Intervju.TXT", TEXT.encode())]) == TEXT


@pytest.mark.filterwarnings("ignore:Duplicate name")
def test_two_entries_a_source_could_be_are_refused(tmp_path):
    qde = project_qde(text_path="internal://intervju.txt")
    same = make_qdpx(tmp_path / "samma.qdpx", [
        ("project.qde", qde), ("sources/intervju.txt", TEXT.encode()),
        ("sources/intervju.txt", b"I: Annan text.\n")])
    assert_refused(tmp_path, same, "E537", "2 entries named 'sources/intervju.txt'")
    cased = make_qdpx(tmp_path / "skiftl.qdpx", [
        ("project.qde", qde), ("sources/Intervju.txt", TEXT.encode()),
        ("sources/INTERVJU.txt", b"I: Annan text.\n")])
    assert_refused(tmp_path, cased, "E537", "differ from it only in case")


@pytest.mark.filterwarnings("ignore:Duplicate name")
def test_two_project_qde_entries_are_refused(tmp_path):
    other = project_qde(name="annan.txt")
    archive = make_qdpx(tmp_path / "tva.qdpx", [("project.qde", project_qde()),
                                                *good_entries()[1:], ("project.qde", other)])
    assert_refused(tmp_path, archive, "E534", "2 entries named 'project.qde'")
    with pytest.raises(RefiQdaError, match=r"tva\.qdpx: .*\[E534\]"):
        read_qdpx(archive)


# -- C3: named pipes ----------------------------------------------------------------

def _codingkit(*args, cwd):
    """``python -m codingkit`` as a real process (it would block on a pipe)."""
    return subprocess.run([sys.executable, "-m", "codingkit", *map(str, args)],
                          capture_output=True, text=True, timeout=120, cwd=cwd,
                          env={**os.environ, "PYTHONPATH": str(SRC_DIR)})


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
@pytest.mark.parametrize("option,pipe,expected", [
    ("import-project", "ff.qdpx", "a .qdpx (zip) file [E111]"),
    ("--model", "ff.ckm", "a coder saved by codingkit (.ckm) [E111]"),
    ("--manifest", "ff.csv", "a manifest file (CSV) [E111]"),
    ("--learn-from", "ff.qdpx", "human coding: a coding CSV"),
])
def test_a_named_pipe_is_not_a_regular_file(tmp_path, option, pipe, expected):
    os.mkfifo(tmp_path / pipe)
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    if option == "import-project":
        args = ["import-project", pipe, "--out", "ut"]
    else:
        args = ["apply", "a.txt", option, pipe, "--out", "ut", "--quiet"]
    r = _codingkit(*args, cwd=tmp_path)
    errors = [ln for ln in r.stderr.splitlines() if ln.startswith("Error:")]
    assert r.returncode == 1 and len(errors) == 1, r.stderr
    assert errors[0].startswith(f"Error: {pipe}: is a named pipe (FIFO), not a regular file; "
                                f"expected "), errors
    assert expected in errors[0]
    assert not (tmp_path / "ut").exists()


# -- problems.csv: the offsets as written --------------------------------------------

def test_problems_csv_writes_offsets_as_integers(tmp_path):
    sels = (selection(1, -5, 3) + selection(2, "0x10", 5) + selection(3, 0, 10 ** 9)
            + selection(4, 0, 4, name="Vi bjöd in"))
    archive = make_qdpx(tmp_path / "fel.qdpx", [
        ("project.qde", one_source_qde("internal://a.txt", sels)),
        ("sources/a.txt", TEXT.encode("utf-8"))])
    exit_code, lines, out = import_project(tmp_path, archive)
    assert exit_code == 0, lines
    with open(out / "problems.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert sorted((r["start"], r["end"]) for r in rows) == [
        ("", "5"), ("-5", "3"), ("0", "1000000000"), ("0", "4")]
