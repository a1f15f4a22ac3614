"""The report shows agreement figures only for the coding they measured, and
says when they are not a fair test (agreement.json's fingerprint and warnings)."""

from __future__ import annotations

import csv
import html
import json
import re
import shutil
from pathlib import Path

import docx

ROOT = Path(__file__).resolve().parents[2]
STALE = "mättes på en annan kodning än denna körnings"


def _docx_text(path: Path) -> str:
    d = docx.Document(str(path))
    cells = [c.text for t in d.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in d.paragraphs] + cells)


def _bars(text: str) -> bool:
    """Whether ``text`` holds an error bar (± 2,1 p.e.)."""
    return re.search(r"±\s\d", text) is not None


def _banner(page: str) -> str:
    return re.search(r'<div class="banner[^"]*" id="validation">(.*?)</div>', page, re.S).group(1)


def test_agreement_records_the_coding_it_measured_and_why_it_is_not_fair(sample_results):
    data = json.loads((sample_results / "agreement" / "agreement.json").read_text("utf-8"))
    from codingkit.fileio import sha256_file

    assert data["coding"]["codings"] == {"file": "codings.csv",
                                         "sha256": sha256_file(sample_results / "codings.csv")}
    assert data["coding"]["segments"]["sha256"] == sha256_file(sample_results / "segments.csv")
    (w,) = data["warnings"]
    assert w["kind"] == "bundled_learned_from" and w["transcripts"] == w["of"] == 12
    assert "not a fair test" in w["message"]


def test_matching_agreement_in_a_copy_is_this_runs(copy_results, tmp_path, run):
    res = copy_results(agreement=True)  # another path, the same coding
    r = run("report", res, "--out", tmp_path / "r.html")
    assert r.exit_code == 0 and "Warning" not in r.output, r.output
    page = (tmp_path / "r.html").read_text("utf-8")
    assert "mätt på denna körnings egen kodning" in _banner(page)
    assert _bars(page) and "α mot mänsklig kodning" in page
    # the fairness warning by the figures: in the banner and at each theme's α
    assert "Inte ett rättvist test: Kodaren som följer med kodboken har lärt sig av 12 av de " \
           "12 intervjuer" in _banner(page)
    assert page.count("(inte ett rättvist test") == 10
    r = run("report", res, "--out", tmp_path / "r.docx")
    assert r.exit_code == 0, r.output
    text = _docx_text(tmp_path / "r.docx")
    assert "Inte ett rättvist test: Kodaren som följer med kodboken" in text
    assert _bars(text)


def test_stale_agreement_after_apply_force_is_not_shown(copy_results, tmp_path, run):
    res = copy_results(agreement=True)
    r = run("apply", ROOT / "transcripts", "--out", res, "--force", "--rules-only")
    assert r.exit_code == 0, r.output
    assert (res / "agreement" / "agreement.json").is_file()  # --force keeps it
    agreement = res / "agreement" / "agreement.json"
    assert f"Warning: {agreement}: was measured on another coding" in r.stderr
    for name in ("r.html", "r.docx"):
        r = run("report", res, "--out", tmp_path / name)
        assert r.exit_code == 0, r.output
        (line,) = r.stderr.splitlines()
        assert line.startswith(f"Warning: {agreement}: was measured on another coding")
        assert "re-run 'codingkit evaluate --gold ... --pred" in line
    page = (tmp_path / "r.html").read_text("utf-8")
    # the report names the figures relative to the results folder, not by their path
    assert STALE in _banner(page) and " agreement/agreement.json " in _banner(page)
    assert str(agreement) not in page
    assert not _bars(page) and "α mot mänsklig kodning" not in page
    assert "mätt på denna körnings egen kodning" not in page
    text = _docx_text(tmp_path / "r.docx")
    assert STALE in text and not _bars(text)
    assert "α mot mänsklig kodning" not in text
    # evaluate again: this run's figures, shown
    r = run("evaluate", "--gold", ROOT / "gold", "--pred", res, "--by", "project,round",
            "--out", res / "agreement")
    assert r.exit_code == 0, r.output
    r = run("report", res, "--out", tmp_path / "again.html")
    assert r.exit_code == 0 and "Warning" not in r.stderr, r.output
    page = (tmp_path / "again.html").read_text("utf-8")
    assert "mätt på denna körnings egen kodning" in page and STALE not in page
    assert 'class="banner ok"' in page  # --rules-only: a fair test, no warning


def test_agreement_without_a_fingerprint_is_not_shown(copy_results, tmp_path, run):
    res = copy_results(agreement=True)
    path = res / "agreement" / "agreement.json"
    data = json.loads(path.read_text("utf-8"))
    del data["coding"], data["warnings"]  # as written before codingkit recorded them
    path.write_text(json.dumps(data), encoding="utf-8")
    r = run("report", res, "--out", tmp_path / "r.html", "--language", "en")
    assert r.exit_code == 0, r.output
    assert r.stderr.count("\n") == 1 and "does not record which coding it measured" in r.stderr
    page = (tmp_path / "r.html").read_text("utf-8")
    assert "does not record which coding it was measured on" in _banner(page)
    assert not _bars(page)


def test_agreement_of_a_folder_evaluated_elsewhere_is_not_this_runs(copy_results, tmp_path,
                                                                       run):
    res = copy_results(agreement=True)
    other = tmp_path / "other"
    shutil.copytree(res, other)
    cod = (other / "codings.csv").read_text("utf-8").splitlines(keepends=True)
    (res / "codings.csv").write_text("".join(cod[:-1]), encoding="utf-8")  # one coding less
    r = run("report", res, "--out", tmp_path / "r.html", "--agreement", other / "agreement")
    assert r.exit_code == 0 and "measured on another coding" in r.stderr
    assert STALE in (tmp_path / "r.html").read_text("utf-8")
    r = run("report", other, "--out", tmp_path / "o.html", "--agreement", res / "agreement")
    assert r.exit_code == 0 and "Warning" not in r.stderr


def test_agreement_evaluate_coded_says_whose_interviews(tmp_path, run):
    """Figures of an evaluate that coded transcripts itself are said to be on
    this run's interviews, on others, or on some of each (by the sha256 of
    the files it evaluated: those the human coded)."""
    res = tmp_path / "res"
    r = run("apply", ROOT / "transcripts", "--out", res, "--rules-only")
    assert r.exit_code == 0, r.output
    gold, ost = ROOT / "gold", ROOT / "gold" / "ost_coding.csv"  # ost: 4 of the 12 coded
    # others: two of heldout4's interviews and their gold coding
    others, two = tmp_path / "others", ("69_upphandlare_omg1.txt", "70_leverantor_omg3.txt")
    (others / "heldout4").mkdir(parents=True)
    for name in two:
        shutil.copy(gold / "transcripts" / "heldout4" / name, others / "heldout4" / name)
    with open(gold / "heldout4_coding.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    held = tmp_path / "heldout4_coding.csv"
    with open(held, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([rows[0], *(r for r in rows[1:] if r[0].endswith(two))])
    words = {}
    for name, args in (("same", [gold / "syd_coding.csv", ost, ROOT / "transcripts"]),
                       ("other", [held, others]),
                       ("partly", [ost, held, ROOT / "transcripts", others])):
        ag = tmp_path / f"ag_{name}"
        paths = [a for a in args if not str(a).endswith(".csv")]
        golds = [x for a in args if str(a).endswith(".csv") for x in ("--gold", a)]
        r = run("evaluate", *golds, *paths, "--rules-only", "--by", "project,round",
                "--out", ag)
        assert r.exit_code == 0, r.output
        data = json.loads((ag / "agreement.json").read_text("utf-8"))
        assert data["options"]["inputs_sha256"]
        r = run("report", res, "--out", tmp_path / f"{name}.html", "--agreement", ag,
                "--language", "en")
        assert r.exit_code == 0, r.output
        words[name] = html.unescape(_banner((tmp_path / f"{name}.html").read_text("utf-8")))
    assert "measured on this run's interviews, coded again by codingkit evaluate" in words["same"]
    assert "measured on other interviews than this run's" in words["other"]
    assert "measured on 4 of this run's interviews and 2 others" in words["partly"], words
    assert all(_bars((tmp_path / f"{name}.html").read_text("utf-8")) for name in words)
    # an edited agreement.json: what is not a checksum is left out, nothing breaks
    path = tmp_path / "ag_same" / "agreement.json"
    data = json.loads(path.read_text("utf-8"))
    data["options"]["inputs_sha256"] = [["x"], 5, {"a": 1}]
    path.write_text(json.dumps(data), encoding="utf-8")
    r = run("report", res, "--out", tmp_path / "edited.html", "--agreement", tmp_path / "ag_same",
            "--language", "en")
    assert r.exit_code == 0, r.output
    banner = html.unescape(_banner((tmp_path / "edited.html").read_text("utf-8")))
    assert "measured on interviews codingkit evaluate coded" in banner
