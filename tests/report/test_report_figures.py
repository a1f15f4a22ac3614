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
