"""A report says what was coded: survey answers are not interviews.

manifest.json lists each survey with ``"format": "survey"`` and every answer
is a source ``<file>#<id>`` of it (segments.csv)."""

from __future__ import annotations

import re
from pathlib import Path

from docx import Document

ROOT = Path(__file__).resolve().parents[2]


def _header(page: str) -> tuple[str, str]:
    return (re.search(r"<h1>(.*?)</h1>", page).group(1),
            re.search(r'<p class="sub">(.*?)</p>', page).group(1))


def test_report_of_survey_answers_speaks_of_answers(tmp_path, run):
    res = tmp_path / "res"
    r = run("apply", ROOT / "surveys", "--out", res, "--rules-only", "-q")
    assert r.exit_code == 0, r.output
    assert "12 answers from 1 survey" in r.output
    r = run("report", res, "--out", tmp_path / "r.html")
    assert r.exit_code == 0, r.output
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    title, sub = _header(page)
    assert title == "Teman i enkätsvaren"
    assert sub == "Rapport från codingkit: kodbok innovationsupphandling 1.0, 12 enkätsvar"
    assert "<title>Teman i enkätsvaren" in page
    assert "Svar utan någon kodning" in page and "Intervjuer utan" not in page
    assert "12 enkätsvar, 12 segment" in page  # the provenance's size
    r = run("report", res, "--out", tmp_path / "r.docx")
    assert r.exit_code == 0, r.output
    paras = [p.text for p in Document(str(tmp_path / "r.docx")).paragraphs]
    assert paras[:2] == [title, sub]
    assert not any("intervjuer" in p for p in paras[:2])
    # English too
    r = run("report", res, "--out", tmp_path / "en.html", "--language", "en")
    assert r.exit_code == 0, r.output
    assert _header((tmp_path / "en.html").read_text(encoding="utf-8")) == (
        "Themes in the survey answers",
        "codingkit report: codebook innovationsupphandling 1.0, 12 survey answers")


def test_report_of_interviews_and_answers_names_both(tmp_path, run):
    res = tmp_path / "res"
    r = run("apply", ROOT / "transcripts", ROOT / "surveys", "--out", res, "--rules-only",
            "-q")
    assert r.exit_code == 0, r.output
    r = run("report", res, "--out", tmp_path / "r.html")
    assert r.exit_code == 0, r.output
    title, sub = _header((tmp_path / "r.html").read_text(encoding="utf-8"))
    assert title == "Teman i intervjuerna och enkätsvaren"
    assert re.fullmatch(r"Rapport från codingkit: kodbok innovationsupphandling 1\.0, "
                        r"12 intervjuer och 12 enkätsvar, \d+ svarsturer", sub), sub
