"""``codingkit report --out rapport.docx``: read back with python-docx."""

from __future__ import annotations

import shutil
import subprocess

import pandas as pd
from docx import Document

from codingkit.report.text import Words


def test_docx_has_headings_tables_images_and_the_shares(sample_results, tmp_path, run):
    out = tmp_path / "rapport.docx"
    r = run("report", sample_results, "--out", out)
    assert r.exit_code == 0, r.output
    doc = Document(str(out))
    headings = [(p.style.name, p.text) for p in doc.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    names = [t for _, t in headings]
    assert ("Title", "Teman i intervjuerna") in headings
    for h in ("Underlag och körning", "Översikt: teman per projekt och omgång",
              "Förändring sedan omgång 2 (till omgång 3)", "Teman som förekommer tillsammans",
              "Teman", "Intervjuer utan någon kodning (0)"):
        assert ("Heading 1", h) in headings, h
    freq = pd.read_csv(sample_results / "frequencies.csv", dtype={"round": str})
    themes = freq[freq.code == freq.theme]
    labels = dict(zip(themes.theme, themes.label))
    for tid, label in labels.items():
        assert f"{label} ({tid})" in names
    # images: the heatmap and one trend chart per theme, as PNG
    blips = [rel for rel in doc.part.rels.values() if "image" in rel.reltype]
    assert len(blips) == 1 + len(labels)
    assert all(rel.target_part.content_type == "image/png" for rel in blips)
    # real tables: provenance, its transcripts, change, co-occurrence, one per theme
    assert len(doc.tables) == 4 + len(labels)
    assert all(t.style.name == "Table Grid" for t in doc.tables)
    w = Words("sv")
    shares = [t for t in doc.tables if t.rows[0].cells[0].text == "Projekt"]
    assert len(shares) == len(labels)
    found = {}
    for t, tid in zip(shares, labels):
        for row in t.rows[1:-1]:
            cells = [c.text for c in row.cells]
            found[(tid, cells[0], cells[1])] = cells[2:]
    for row in themes.itertuples():
        inter, turns = found[(row.theme, row.project, row.round)]
        assert inter.startswith(f"{w.pct(row.share_sources)} ({row.sources}/{row.sources_total}) ±")
        assert turns.startswith(f"{w.pct(row.segments / row.segments_total)} "
                                f"({row.segments}/{row.segments_total}) ±")
    quotes = [p for p in doc.paragraphs if p.style.name == "Quote"]
    assert quotes and any(run.font.highlight_color is not None for p in quotes for run in p.runs)
    # Word's own PDF rendering where LibreOffice is installed (optional; not on the CI image)
    office = shutil.which("libreoffice") or shutil.which("soffice")
    if office is not None:
        subprocess.run([office, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path),
                        str(out)], check=True, timeout=120, capture_output=True)
        assert (tmp_path / "rapport.pdf").read_bytes().startswith(b"%PDF")
