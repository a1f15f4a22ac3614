"""Every figure a reader of the report sees, recomputed from the results
folder's segments.csv and codings.csv (not from codingkit's own tables),
on copies of the sample results changed the way a real evaluation's are:
an interview without any coding, a transcript without a round."""

from __future__ import annotations

import html
import re

import pandas as pd
from docx import Document


def _tables(folder):
    seg = pd.read_csv(folder / "segments.csv", dtype=str, keep_default_na=False)
    cod = pd.read_csv(folder / "codings.csv", dtype=str, keep_default_na=False)
    return seg, cod


def _write(folder, seg, cod):
    seg.to_csv(folder / "segments.csv", index=False, lineterminator="\n")
    cod.to_csv(folder / "codings.csv", index=False, lineterminator="\n")


def _uncoded_rows_html(page: str) -> list[list[str]]:
    section = page[page.index('<section id="uncoded">'):]
    section = section[:section.index("</section>")]
    return [[html.unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", section, re.S) if "<td" in row]


def test_uncoded_interviews_are_listed_with_their_project_round_role_and_turns(
        copy_results, tmp_path, run):
    res = copy_results()
    seg, cod = _tables(res)
    dropped = ["syd/04_verksamhet_omg3.txt", "ostergotland/07_ledning_omg2.docx"]
    cod = cod[~cod.segment_id.str.rsplit(":", n=1).str[0].isin(dropped)]
    _write(res, seg, cod)
    # what a reader should see, from segments.csv: one row per source without a coding
    expected = []
    for src in sorted(dropped):
        rows = seg[seg.source == src]
        first = rows.iloc[0]
        expected.append([src, first["project"], first["round"], first["role"],
                         str(int((rows.speaker_role == "respondent").sum()))])
    expected.sort(key=lambda r: (r[1], int(r[2]), r[0]))
    out = tmp_path / "r.html"
    assert run("report", res, "--out", out).exit_code == 0
    page = out.read_text(encoding="utf-8")
    assert f"({len(dropped)})</h2>" in page
    assert _uncoded_rows_html(page) == expected
    out = tmp_path / "r.docx"
    assert run("report", res, "--out", out).exit_code == 0
    table = next(t for t in Document(str(out)).tables if t.rows[0].cells[0].text == "Källa")
    assert [[c.text for c in r.cells] for r in table.rows[1:]] == expected


def test_a_transcript_without_a_round_is_in_the_group_okand_not_the_latest_round(
        copy_results, tmp_path, run):
    """frequencies.csv counts a source with no round in the group "(okänd)";
    the report shows the same group, and an unknown round has no place in
    time: the change is still from round 2 to round 3, without it."""
    res = copy_results()
    seg, cod = _tables(res)
    lost = "syd/10_projektledare_omg3.vtt"
    seg.loc[seg.source == lost, "round"] = ""
    _write(res, seg, cod)
    out = tmp_path / "r.html"
    r = run("report", res, "--out", out)
    assert r.exit_code == 0, r.output
    page = html.unescape(out.read_text(encoding="utf-8"))
    assert "Förändring sedan omgång 2 (till omgång 3)" in page
    assert "omgång )" not in page.lower() and "Omgång <" not in page
    # recomputed: the theme's interviews in round 2 and in round 3 (the unknown round left out)
    seg["round"] = seg["round"].replace("", "(okänd)")
    coded = cod.merge(seg, on="segment_id")
    theme = "tidig_dialog"
    mine = coded[coded.theme == theme]

    def interviews(rnd):
        return (mine[mine["round"] == rnd].source.nunique(),
                seg[seg["round"] == rnd].source.nunique())

    (b, bt), (lt, ltt) = interviews("2"), interviews("3")
    section = page[page.index(f'id="theme-{theme}"'):]
    assert f"intervjuer {b}/{bt} → {lt}/{ltt}</li>" in section
    # the group "(okänd)" of the shares table, as frequencies.csv would name it
    group = seg[(seg.project == "Innovationsupphandling Syd") & (seg["round"] == "(okänd)")]
    turns = group[group.speaker_role == "respondent"]
    n_turns = mine[mine.segment_id.isin(turns.segment_id)].segment_id.nunique()
    row = re.search(r"<tr><td>Innovationsupphandling Syd</td><td>\(okänd\)</td>"
                    r'<td class="n">(.*?)</td><td class="n">(.*?)</td></tr>', section)
    assert row is not None
    assert f"({mine[mine.source == lost].source.nunique()}/1)" in row.group(1)
    assert f"({n_turns}/{len(turns)})" in row.group(2)


def test_a_share_above_0_is_never_shown_as_0_percent():
    from codingkit.report.text import Words

    sv, en = Words("sv"), Words("en")
    assert sv.pct(0.0) == "0\u00a0%" and en.pct(0.0) == "0%"
    assert sv.pct(1 / 250) == "<1\u00a0%" and en.pct(1 / 250) == "<1%"
    assert sv.pct(0.0051) == "1\u00a0%" and sv.pct(1.0) == "100\u00a0%"
    assert sv.pct(1 / 3000, 1) == "<0,1\u00a0%" and sv.pct(1 / 3, 1) == "33,3\u00a0%"


def test_shares_round_half_up_as_the_workbook_shows_them():
    """1 of 8 interviews is 12.5 %: the workbook (Excel's '0%' rounds half away
    from zero) shows 13 %, and so must the report (Python's format rounds
    12.5 to the even 12); a change of 0.05 p.e. has the sign of its digits."""
    from codingkit.report.text import Words

    sv, en = Words("sv"), Words("en")
    assert [sv.pct(k / 8) for k in (1, 3, 5)] == ["13\u00a0%", "38\u00a0%", "63\u00a0%"]
    assert sv.pct(0.145) == "15\u00a0%"          # 14.499999999999998 in floating point
    assert sv.pct(0.005) == "1\u00a0%" and sv.pct(0.0049) == "<1\u00a0%"
    assert sv.num(2.25, 1) == "2,3" and en.num(0.125, 2) == "0.13"
    assert sv.pp(0.0005) == "+0,1\u00a0p.e." and sv.pp(-0.0004) == "0,0\u00a0p.e."
    assert en.pp(-1 / 8) == "−12.5\u00a0pp"


def test_one_coded_turn_of_hundreds_is_shown_as_under_1_percent(copy_results, tmp_path, run):
    """One project and round of 502 respondent turns, one of them coded with
    a theme: 0.2 %, which the heatmap, the tables and the change must not show
    as 0 %."""
    res = copy_results()
    seg, cod = _tables(res)
    seg["project"] = "Region Östergötland"
    seg["round"] = seg.source.map(lambda s: "2" if "syd/" in s else "3")
    theme = "tidig_dialog"
    resp = set(seg.segment_id[(seg.speaker_role == "respondent") & (seg["round"] == "3")])
    mine = cod[(cod.theme == theme) & cod.segment_id.isin(resp)]
    keep = mine.segment_id.iloc[0]
    cod = cod[(cod.theme != theme) | (cod.segment_id == keep)]
    _write(res, seg, cod)
    n_turns = int((seg[seg["round"] == "3"].speaker_role == "respondent").sum())
    assert 1 / n_turns < 0.005
    out = tmp_path / "r.html"
    assert run("report", res, "--out", out).exit_code == 0
    page = html.unescape(out.read_text(encoding="utf-8"))
    section = page[page.index(f'id="theme-{theme}"'):]
    section = section[:section.index('<details class="theme"', 1)]
    assert f"<1\u00a0% (1/{n_turns})" in section
    assert f"0\u00a0% → <1\u00a0%" in page   # the change table: round 2 → 3
    heat = page[page.index('<svg id="heatmap"'):page.index("</svg>", page.index('<svg id="heatmap"'))]
    assert f"Region Östergötland Omgång 3: <1\u00a0% (1/{n_turns} svarsturer)" in heat
    assert "><1\u00a0%</text>" in heat  # the cell's text, not 0 %
    # the change is in percentage points of the unrounded shares, and the report says so
    change = page[page.index('<section id="change">'):]
    change = change[:change.index("</section>")]
    assert "oavrundade andelarna" in change and "<1\u00a0%" in change
    method = page[page.index('<section id="method">'):]
    assert "hela procent" in method and "oavrundade" in method
    out = tmp_path / "r.docx"
    assert run("report", res, "--out", out).exit_code == 0
    doc = Document(str(out))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert f"<1\u00a0% (1/{n_turns})" in cells and "0\u00a0% → <1\u00a0%" in cells
    # the change table's header says which rounds, as the HTML's does
    assert "Andel svarsturer omgång 2 → 3" in cells and "Andel intervjuer 2 → 3" in cells
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "oavrundade andelarna" in text and "hela procent" in text


def test_with_the_interviewer_coded_the_report_says_how_its_turns_count(
        copy_results, tmp_path, run):
    """With --code-interviewer, frequencies.csv's segments count the
    interviewer's coded turns while the report's share of respondent turns
    does not: the report must not call them the same figures."""
    import json

    res = copy_results()
    seg, cod = _tables(res)
    question = seg[seg.speaker_role == "interviewer"].iloc[0]
    cod = pd.concat([cod, pd.DataFrame([{
        "segment_id": question.segment_id, "code": "resurser", "theme": "resurser",
        "score": "1.0", "method": "rule", "evidence": "rule: term(budget) → 'budget'"}])])
    _write(res, seg, cod)
    m = json.loads((res / "manifest.json").read_text(encoding="utf-8"))
    m["options"]["code_interviewer"] = True
    (res / "manifest.json").write_text(json.dumps(m, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "r.html"
    assert run("report", res, "--out", out).exit_code == 0
    page = html.unescape(out.read_text(encoding="utf-8"))
    method = page[page.index('<section id="method">'):]
    assert "Intervjuarens turer kodades också" in method
    # the share of respondent turns counts respondent turns only
    resp = seg[(seg.speaker_role == "respondent") & (seg.project == question["project"])
               & (seg["round"] == question["round"])]
    n = cod[(cod.theme == "resurser") & cod.segment_id.isin(resp.segment_id)].segment_id.nunique()
    section = page[page.index('id="theme-resurser"'):]
    assert re.search(rf"<tr><td>{re.escape(question['project'])}</td><td>{question['round']}</td>"
                     rf'<td class="n">[^<]*</td><td class="n">[^<]*\({n}/{len(resp)}\)', section)


def test_the_change_compares_the_projects_with_interviews_in_both_rounds(
        copy_results, tmp_path, run):
    """A project whose first interviews are in the latest round is no change
    of a theme: the change for all projects compares those with interviews in
    both rounds, and the report names the project left out."""
    res = copy_results()
    seg, cod = _tables(res)
    newcomer = "syd/10_projektledare_omg3.vtt"          # round 3
    seg.loc[seg.source == newcomer, "project"] = "Växjö kommun"
    _write(res, seg, cod)
    out = tmp_path / "r.html"
    assert run("report", res, "--out", out).exit_code == 0
    page = html.unescape(out.read_text(encoding="utf-8"))
    change = page[page.index('<section id="change">'):]
    change = change[:change.index("</section>")]
    assert "Växjö kommun (bara omgång 3)" in change
    coded = cod.merge(seg, on="segment_id")
    same = seg.project != "Växjö kommun"
    for theme in ("tidig_dialog", "forankring"):
        mine = coded[(coded.theme == theme) & (coded.project != "Växjö kommun")]
        counts = []
        for rnd in ("2", "3"):
            counts.append((mine[mine["round"] == rnd].source.nunique(),
                           seg[same & (seg["round"] == rnd)].source.nunique()))
        (b, bt), (lt, ltt) = counts
        section = page[page.index(f'id="theme-{theme}"'):]
        assert f"intervjuer {b}/{bt} → {lt}/{ltt}</li>" in section, theme


def test_a_run_coded_by_sentence_speaks_of_sentences_not_turns(copy_results, tmp_path, run):
    """With --unit sentence every share of "respondent turns" counts sentences:
    the report must say what it counts."""
    import json

    res = copy_results()
    seg, cod = _tables(res)
    seg["unit"] = "sentence"
    _write(res, seg, cod)
    m = json.loads((res / "manifest.json").read_text(encoding="utf-8"))
    m["options"]["unit"] = "sentence"
    (res / "manifest.json").write_text(json.dumps(m, ensure_ascii=False), encoding="utf-8")
    n = int((seg.speaker_role == "respondent").sum())
    for language, word, turns in (("sv", "svarsmeningar", "svarstur"),
                                  ("en", "respondent sentences", "respondent turn")):
        out = tmp_path / f"r_{language}.html"
        assert run("report", res, "--out", out, "--language", language).exit_code == 0
        page = html.unescape(out.read_text(encoding="utf-8"))
        text = re.sub(r"<[^>]+>", " ", page[page.index("<body>"):]).lower()
        assert turns not in text, language
        assert f"{n} {word}" in text and text.count(word) > 10, language
