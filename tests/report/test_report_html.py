"""``codingkit report`` to HTML: the figures are the results folder's, --since, escaping."""

from __future__ import annotations

import html
import re

import pandas as pd
import pytest

from codingkit.report.figures import compute, highlight_spans, matched_words
from codingkit.report.results import read_results
from codingkit.report.text import Words



def _theme_section(page: str, theme: str) -> str:
    start = page.index(f'id="theme-{theme}"')
    end = page.find('<details class="theme"', start + 1)
    return page[start:end if end > 0 else len(page)]


def test_html_shares_are_those_of_frequencies_csv(sample_results, tmp_path, run):
    out = tmp_path / "rapport.html"
    r = run("report", sample_results, "--out", out)
    assert r.exit_code == 0, r.output
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and '<html lang="sv">' in page
    freq = pd.read_csv(sample_results / "frequencies.csv", dtype={"round": str})
    themes = freq[freq.code == freq.theme]
    assert len(themes) == 60  # 10 themes × 6 project/round groups
    w = Words("sv")
    for t, rows in themes.groupby("theme"):
        section = _theme_section(page, t)
        for row in rows.itertuples():
            turns = html.escape(f"{w.pct(row.segments / row.segments_total)} "
                                f"({row.segments}/{row.segments_total})")
            interviews = html.escape(f"{w.pct(row.share_sources)} "
                                     f"({row.sources}/{row.sources_total})")
            cells = re.findall(
                rf"<tr><td>{re.escape(html.escape(row.project))}</td><td>{row.round}</td>"
                r'<td class="n">(.*?)</td><td class="n">(.*?)</td></tr>', section)
            assert len(cells) == 1, (t, row.project, row.round)
            assert cells[0][0].startswith(interviews), (t, cells[0])
            assert cells[0][1].startswith(turns), (t, cells[0])
            # every share carries its measured error (the agreement figures are there)
            assert "±" in cells[0][0] and "±" in cells[0][1]
    # the heatmap, one section per theme, the provenance
    assert page.count('<svg id="heatmap"') == 1
    assert page.count('<details class="theme"') == 10
    assert "innovationsupphandling 1.0" in page and 'id="provenance"' in page
    assert 'id="validation"' in page and "mätt på denna körnings egen kodning" in page
    # the bundled coder learned from the sample: evaluate warned, and so does the report
    assert 'class="banner ok"' not in page and "Inte ett rättvist test" in page
    # no network: no URL the browser would fetch
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    assert "<mark>" in page


def test_figures_match_frequencies(sample_results):
    fig = compute(read_results(sample_results))
    freq = pd.read_csv(sample_results / "frequencies.csv", dtype={"round": str})
    themes = freq[freq.code == freq.theme].set_index(["theme", "project", "round"])
    for th in fig.themes:
        for (p, rnd), cell in th.cells.items():
            row = themes.loc[(th.id, p, rnd)]
            assert (cell.interviews, cell.interviews_total, cell.turns, cell.turns_total) == (
                row.sources, row.sources_total, row.segments, row.segments_total)
        by_round = freq[freq.code == th.id].groupby("round")[["sources", "sources_total",
                                                               "segments", "segments_total"]].sum()
        for rnd, cell in th.by_round.items():
            assert (cell.interviews, cell.interviews_total, cell.turns, cell.turns_total) == \
                tuple(by_round.loc[rnd])
    # the co-occurrence diagonal is the theme's coded turns
    for i, th in enumerate(fig.themes):
        assert fig.cooc_turns[i][i] == th.total.turns
        assert fig.cooc_interviews[i][i] == th.total.interviews
    assert fig.cooc_turns == [list(r) for r in zip(*fig.cooc_turns)]  # symmetric


def test_quotes_are_capped_diverse_and_from_the_theme(sample_results):
    res = read_results(sample_results)
    fig = compute(res, quotes=2)
    cod = res.codings
    coded = set(zip(cod.segment_id, cod.theme))
    n = 0
    for th in fig.themes:
        for (p, rnd), qs in th.quotes.items():
            assert 1 <= len(qs) <= 2
            assert all((q.segment_id, th.id) in coded for q in qs)
            assert all((q.project, q.round) == (p, rnd) for q in qs)
            # different interviews whenever the group has more than one coded interview
            if th.cells[(p, rnd)].interviews >= 2:
                assert len({q.source for q in qs}) == len(qs)
            for q in qs:
                assert len(q.text) <= 502
                for s, e in q.highlights:
                    assert 0 <= s < e <= len(q.text)
            n += len(qs)
    assert n > 100


def test_since_picks_the_rounds(sample_results, tmp_path, run):
    res = read_results(sample_results)
    assert compute(res).since == ("2", "3")
    fig = compute(res, since="1")
    assert fig.since == ("1", "3")
    freq = pd.read_csv(sample_results / "frequencies.csv", dtype={"round": str})
    for th in fig.themes:
        ch = th.change
        for rnd, cell in (("1", ch.base_cell), ("3", ch.latest_cell)):
            f = freq[(freq.code == th.id) & (freq["round"] == rnd)]
            assert cell.turns == f.segments.sum() and cell.interviews == f.sources.sum()
        # new: latest-round interviews of a project where no base-round interview had it
        for p, sources in ch.new.items():
            assert th.cells[(p, "1")].interviews == 0 and len(sources) == \
                th.cells[(p, "3")].interviews
    out = tmp_path / "r.html"
    assert run("report", sample_results, "--out", out, "--since", "1").exit_code == 0
    assert "Förändring sedan omgång 1 (till omgång 3)" in out.read_text(encoding="utf-8")


def test_english_and_unvalidated(copy_results, tmp_path, run):
    res = copy_results(agreement=False)
    out = tmp_path / "report.html"
    r = run("report", res, "--out", out, "--language", "en", "--quotes", "1")
    assert r.exit_code == 0, r.output
    page = out.read_text(encoding="utf-8")
    assert '<html lang="en">' in page and "Themes in the interviews" in page
    assert "not been validated against human coding" in page and "±" not in page
    assert "Early market dialogue" in page  # the codebook's English labels


def test_untrusted_text_is_escaped_and_uncoded_interviews_listed(copy_results, tmp_path, run):
    res = copy_results()
    seg = pd.read_csv(res / "segments.csv", dtype=str, keep_default_na=False)
    cod = pd.read_csv(res / "codings.csv", dtype=str, keep_default_na=False)
    first = cod.segment_id.iloc[0]
    evil = ('<script>alert("x")</script><img src=x onerror=alert(1)> & "budget"'
            "\x07\x1b[31m r\u00f6d\x7f\x9b\x0b")
    seg.loc[seg.segment_id == first, "text"] = evil
    seg.loc[seg.segment_id == first, "role"] = "<b>roll</b>"
    seg.to_csv(res / "segments.csv", index=False, lineterminator="\n")
    # one interview without codings
    dropped = "syd/04_verksamhet_omg3.txt"
    cod = cod[~cod.segment_id.str.startswith(dropped + ":")]
    cod.to_csv(res / "codings.csv", index=False, lineterminator="\n")
    out = tmp_path / "r.html"
    assert run("report", res, "--out", out, "--quotes", "20").exit_code == 0
    page = out.read_text(encoding="utf-8")
    assert "<script>alert" not in page and "<img src=x" not in page and "<b>roll" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    # control characters (not allowed in HTML text) are dropped, the words kept
    assert not {"\x07", "\x1b", "\x7f", "\x9b", "\x0b"} & set(page)
    assert "[31m röd" in page
    assert page.count("<script>") == 1  # the report's own (opens sections for printing)
    uncoded = page[page.index('id="uncoded"'):]
    assert f"<td>{dropped}</td>" in uncoded and "(1)</h2>" in uncoded


def test_evidence_words_are_found():
    ev = ("rule: near(a | b; within 4) → 'igenom … avvikelser'; term(RFI) → 'RFI' | "
          "similarity 0.31; nearest example 0.31: 'Vi bjöd in…'")
    assert matched_words(ev) == ["igenom", "avvikelser", "RFI"]
    text = "Vi gick igenom avvikelserna, sen Avvikelser och en rfi."
    spans = highlight_spans(text, matched_words(ev))
    assert [text[s:e] for s, e in spans] == ["igenom", "Avvikelser", "rfi"]


@pytest.mark.parametrize("n", [0, 3])
def test_quote_cap(sample_results, n):
    fig = compute(read_results(sample_results), quotes=n)
    assert max((len(q) for th in fig.themes for q in th.quotes.values()), default=0) <= n


def test_codebook_moved_or_other(copy_results, tmp_path, run):
    """A codebook no longer where manifest.json says: the bundled one if id and
    version match; otherwise labels only, said so; a --codebook of another id is not used."""
    import json

    res = copy_results()
    m = json.loads((res / "manifest.json").read_text(encoding="utf-8"))
    m["codebook"]["path"] = str(tmp_path / "flyttad.yaml")
    (res / "manifest.json").write_text(json.dumps(m), encoding="utf-8")
    fig = compute(read_results(res))
    assert fig.results.codebook is not None and fig.themes[0].description
    m["codebook"]["id"] = "egen"
    (res / "manifest.json").write_text(json.dumps(m), encoding="utf-8")
    other = tmp_path / "annan.yaml"
    other.write_text('codebook:\n  id: annan\n  version: "1"\ncodes:\n  - id: behov\n'
                     '    label: Behov\n', encoding="utf-8")
    results = read_results(res, codebook=other)
    assert results.codebook is None
    assert "--codebook" in results.codebook_note and "not found" in results.codebook_note
    fig = compute(results)
    assert [t.id for t in fig.themes][:2] == ["tidig_dialog", "behov"]
    assert fig.themes[0].label == "Tidig marknadsdialog" and not fig.themes[0].description
    out = tmp_path / "r.html"
    assert run("report", res, "--out", out).exit_code == 0
    assert "ingen definition" in out.read_text(encoding="utf-8")


def test_an_existing_report_is_not_replaced_without_force(sample_results, tmp_path, run):
    """A report the researcher may have edited is never overwritten silently."""
    out = tmp_path / "rapport.html"
    out.write_text("min redigerade rapport", encoding="utf-8")
    r = run("report", sample_results, "--out", out)
    assert r.exit_code == 1
    assert "rapport.html" in r.output and "E408" in r.output and "--force" in r.output
    assert "Traceback" not in r.output
    assert out.read_text(encoding="utf-8") == "min redigerade rapport"
    r = run("report", sample_results, "--out", out, "--force")
    assert r.exit_code == 0, r.output
    assert "<html" in out.read_text(encoding="utf-8").lower()
    r = run("report", sample_results, "--out", tmp_path)  # a folder, suffix or not
    assert r.exit_code == 1 and "is a folder; expected a file name ending in .html" in r.output
