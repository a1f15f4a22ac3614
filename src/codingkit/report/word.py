"""The report as a Word document (python-docx): real tables, charts as PNG
images (matplotlib, Agg backend), Word's built-in styles (Title, Heading 1–3,
Quote, Caption, Table Grid) so that a researcher can restyle it."""

from __future__ import annotations

import io
import re
from pathlib import Path

from .figures import Cell, Figures, Theme
from .provenance import folder_name, option_rows, provenance_rows  # the HTML's rows too
from .svg import PALETTE
from .text import Words

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _t(s) -> str:
    """Text Word's XML can hold (control characters dropped)."""
    return _CONTROL.sub("", str(s))


def _png(fig) -> io.BytesIO:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    plt.close(fig)
    buf.seek(0)
    return buf


def heatmap_png(fig: Figures, w: Words) -> io.BytesIO:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    import textwrap

    cols = [f"{textwrap.fill(p, 14)}\n{w('round')} {r}" for p, r in fig.groups] + [w("all")]
    data = np.array([[th.cells[g].share_turns for g in fig.groups] + [th.total.share_turns]
                     for th in fig.themes]) if fig.themes else np.zeros((0, len(cols)))
    width, height = 3.4 + 1.05 * len(cols), 0.9 + 0.42 * len(fig.themes)
    f, ax = plt.subplots(figsize=(width, height))
    f.subplots_adjust(left=3.2 / width, right=1 - 0.1 / width, top=1 - 0.75 / height,
                      bottom=0.1 / height)
    ax.imshow(data, cmap="Blues", aspect="auto", vmin=0, vmax=max(float(data.max(initial=0)), 0.01))
    ax.set_xticks(range(len(cols)), [_t(c) for c in cols], fontsize=7)
    ax.xaxis.tick_top()
    ax.set_yticks(range(len(fig.themes)), [_t(th.label) for th in fig.themes], fontsize=8)
    vmax = max(float(data.max(initial=0)), 0.01)
    for i, th in enumerate(fig.themes):
        cells = [th.cells[g] for g in fig.groups] + [th.total]
        for j, c in enumerate(cells):
            ax.text(j, i, f"{w.pct(c.share_turns)}\n{c.interviews}/{c.interviews_total}",
                    ha="center", va="center", fontsize=6.5,
                    color="white" if c.share_turns / vmax > 0.55 else "black")
    ax.tick_params(length=0)
    for s in ax.spines.values():
        s.set_visible(False)
    return _png(f)


def trend_png(fig: Figures, th: Theme, w: Words, ymax: float) -> io.BytesIO:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    f, ax = plt.subplots(figsize=(6.4, 2.3))
    f.subplots_adjust(left=0.08, right=0.66, top=0.95, bottom=0.14)
    x = list(range(len(fig.rounds)))
    for i, p in enumerate(fig.projects):
        pts = [(k, th.cells[(p, r)].share_turns * 100) for k, r in enumerate(fig.rounds)
               if (p, r) in th.cells and th.cells[(p, r)].turns_total]
        if pts:
            ax.plot(*zip(*pts), marker="o", color=PALETTE[i % len(PALETTE)], label=_t(p))
    pts = [(k, th.by_round[r].share_turns * 100) for k, r in enumerate(fig.rounds)]
    ax.plot(*zip(*pts), marker="o", color="black", linestyle="--", label=w("all"))
    ax.set_xticks(x, [f"{w('round')} {_t(r)}" for r in fig.rounds], fontsize=8)
    ax.set_ylim(0, max(ymax * 100, 1) * 1.1)
    ax.set_ylabel("%", fontsize=8)
    ax.tick_params(labelsize=8)
    ax.grid(axis="y", color="#dddddd")
    ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False)
    for s in ("top", "right"):
        ax.spines[s].set_visible(False)
    return _png(f)


class _Styles:
    """Paragraphs in a named built-in style, the style looked up once
    (python-docx looks a style name up anew on every paragraph, slowly)."""

    def __init__(self, doc) -> None:
        self.doc = doc
        self.ids: dict[str, str] = {}

    def __call__(self, text: str = "", style: str | None = None):
        p = self.doc.add_paragraph(_t(text))
        if style is not None:
            if style not in self.ids:
                self.ids[style] = self.doc.styles[style].style_id
            p._p.style = self.ids[style]
        return p

    def heading(self, text: str, level: int):
        return self(text, "Title" if level == 0 else f"Heading {level}")


def _table(doc, header: list[str], rows: list[list[str]], widths=None):
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header):
        cell.text = ""
        run = cell.paragraphs[0].add_run(_t(text))
        run.bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row):
            cell.text = _t(text)
    return table


def _share(c: Cell, w: Words, kind: str) -> str:
    if kind == "turns":
        return f"{w.pct(c.share_turns)} ({c.turns}/{c.turns_total})"
    return f"{w.pct(c.share_interviews)} ({c.interviews}/{c.interviews_total})"


def render_docx(fig: Figures, w: Words, path: str | Path, *, quotes: int = 3) -> None:
    """Write the report as a .docx file at ``path``."""
    from docx import Document
    from docx.enum.text import WD_COLOR_INDEX
    from docx.shared import Cm

    from .. import __version__
    from docx.shared import RGBColor

    from .html import (  # the HTML's words
        _err_cell,
        _interviewer_coded,
        since_only_text,
        validation_text,
    )

    m = fig.results.manifest
    cb = m.get("codebook", {})
    doc = Document()
    para = _Styles(doc)
    doc.core_properties.title = w("title")
    # a core property holds at most 255 characters of XML-safe text
    doc.core_properties.subject = _t(f"{cb.get('id')} {cb.get('version')}")[:255]
    para.heading(w("title"), 0)
    para(_t(w("subtitle", codebook=f"{cb.get('id')} {cb.get('version')}",
                           interviews=fig.interviews - fig.answers, answers=fig.answers,
                           turns=fig.turns)))
    # validation: where the ± come from, and why the agreement is not a fair test
    text, unfair, _ = validation_text(fig, w)
    p = para(style="Intense Quote")
    p.add_run(_t(text))
    for u in unfair:
        p = para()
        run = p.add_run(_t(u))
        run.bold = True
        run.font.color.rgb = RGBColor(0xB4, 0x23, 0x18)

    # provenance
    para.heading(w("provenance"), 1)
    folder = fig.results.folder
    rows = [list(r) for r in provenance_rows(m, w, folder)]
    rows += [[f"{w('options')}: {k}", v] for k, v in option_rows(m.get("options"), w, folder)]
    _table(doc, ["", ""], rows)
    for note in (fig.results.codebook_note, *fig.results.notes):
        if note:
            para(_t(f"{w('note')}: {note}"))
    # every transcript with its sha256, as in the HTML (names only, no paths)
    inputs = m.get("inputs") or []
    para(w("inputs", n=len(inputs)), style="Caption")
    _table(doc, [w("file"), w("format"), "sha256"],
           [[str(i.get("source")), str(i.get("format")), str(i.get("sha256"))[:12]]
            for i in inputs if isinstance(i, dict)])

    # overview
    para.heading(w("overview"), 1)
    doc.add_picture(heatmap_png(fig, w), width=Cm(16.5))
    para(w("heatmap_caption"), style="Caption")

    # change since
    if fig.since is None:
        para.heading(w("change_none"), 1)
    else:
        base, latest = fig.since
        para.heading(w("change", base=base, latest=latest), 1)
        para(w("rounding"), style="Caption")
        if fig.since_only:
            para(_t(since_only_text(fig, w)), style="Caption")
        rows = []
        for th in fig.themes:
            ch = th.change
            b, lt = ch.base_cell, ch.latest_cell
            err = _err_cell(th, w, "turns")
            rows.append([th.label,
                         f"{w.pct(b.share_turns)} → {w.pct(lt.share_turns)}" + (f" {err}" if err else ""),
                         w.pp(lt.share_turns - b.share_turns),
                         f"{w.pct(b.share_interviews)} → {w.pct(lt.share_interviews)}",
                         w.pp(lt.share_interviews - b.share_interviews),
                         "; ".join(f"{p}: {', '.join(s)}" for p, s in ch.new.items()),
                         ", ".join(ch.gone)])
        _table(doc, [w("theme"), f"{w('turns_share')} {w('round').lower()} {base} → {latest}",
                     w("diff"), f"{w('interviews_share')} {base} → {latest}", w("diff"),
                     w("new_in"), w("gone_in")], rows)

    # co-occurrence
    para.heading(w("cooc"), 1)
    para(w("cooc_caption"), style="Caption")
    _table(doc, [""] + [th.id for th in fig.themes],
           [[ti.id] + [f"{fig.cooc_turns[i][j]} ({fig.cooc_interviews[i][j]})"
                       for j in range(len(fig.themes))] for i, ti in enumerate(fig.themes)])

    # themes
    para.heading(w("themes"), 1)
    ymax = max([c.share_turns for t in fig.themes for c in t.cells.values()] + [0.05])
    for th in fig.themes:
        para.heading(f"{th.label} ({th.id})", 2)
        if th.description:
            p = para()
            p.add_run(f"{w('definition')}: ").bold = True
            p.add_run(_t(th.description))
        for key, value in (("include", th.include), ("exclude", th.exclude)):
            if value:
                p = para()
                p.add_run(f"{w(key)}: ").bold = True
                p.add_run(_t(value))
        if th.subcodes:
            p = para()
            p.add_run(f"{w('subcodes')}: ").bold = True
            p.add_run(_t(", ".join(f"{lab} ({cid})" for cid, lab in th.subcodes)))
        if not th.description and fig.results.codebook is None:
            para(w("nodef"))
        if th.alpha is not None:
            unfair = fig.validation.get("unfair") if fig.validation else None
            para(f"{w('alpha')}: {w.num(th.alpha, 2)}"
                 + (f" ({w('unfair_short')})" if unfair else ""))
        para.heading(w("shares"), 3)
        err_i, err_t = _err_cell(th, w, "interviews"), _err_cell(th, w, "turns")
        rows = [[p, r, _share(c, w, "interviews") + (f" {err_i}" if err_i else ""),
                 _share(c, w, "turns") + (f" {err_t}" if err_t else "")]
                for (p, r), c in th.cells.items()]
        rows.append([w("all"), "", _share(th.total, w, "interviews"), _share(th.total, w, "turns")])
        _table(doc, [w("project"), w("round"), w("interviews_share"), w("turns_share")], rows)
        if fig.rounds:  # none without a known round
            para.heading(w("trend"), 3)
            doc.add_picture(trend_png(fig, th, w, ymax), width=Cm(14))
        if th.change is not None:
            ch = th.change
            para.heading(w("change", base=ch.base, latest=ch.latest), 3)
            para(
                f"{w('all')}: {w.pct(ch.base_cell.share_turns)} → {w.pct(ch.latest_cell.share_turns)} "
                f"({w.pp(ch.latest_cell.share_turns - ch.base_cell.share_turns)}); "
                f"{w('interviews').lower()} {ch.base_cell.interviews}/{ch.base_cell.interviews_total}"
                f" → {ch.latest_cell.interviews}/{ch.latest_cell.interviews_total}",
                style="List Bullet")
            for p, (b, lt) in ch.per_project.items():
                para(_t(
                    f"{p}: {w.pct(b.share_turns)} → {w.pct(lt.share_turns)} "
                    f"({w.pp(lt.share_turns - b.share_turns)}); {w('interviews').lower()} "
                    f"{b.interviews}/{b.interviews_total} → {lt.interviews}/{lt.interviews_total}"),
                    style="List Bullet")
            for p, srcs in ch.new.items():
                para(_t(f"{w('new_in')} {p}: {', '.join(srcs)}"), style="List Bullet")
            if ch.gone:
                para(_t(f"{w('gone_in')}: {', '.join(ch.gone)}"), style="List Bullet")
        para.heading(w("quotes"), 3)
        para(w("quotes_caption", n=quotes), style="Caption")
        for g in fig.groups:
            qs = th.quotes.get(g, [])
            if not qs:
                continue
            para(_t(f"{g[0]}, {w('round').lower()} {g[1]}"), style="Heading 4")
            for q in qs:
                quote = para(style="Quote")
                pos = 0
                for s, e in q.highlights:
                    quote.add_run(_t(q.text[pos:s]))
                    run = quote.add_run(_t(q.text[s:e]))
                    run.bold = True
                    run.font.highlight_color = WD_COLOR_INDEX.YELLOW
                    pos = e
                quote.add_run(_t(q.text[pos:]))
                meta = " · ".join(x for x in (q.role, q.project, f"{w('round')} {q.round}",
                                              q.source, f"{w('turn')} {q.turn}") if x)
                para(_t(meta), style="Caption")
                para(_t(f"{w('evidence')} ({q.method} {w.num(q.score, 2)}): "
                                     f"{q.evidence}"), style="Caption")

    # uncoded
    para.heading(f"{w('uncoded')} ({len(fig.uncoded)})", 1)
    if fig.uncoded:
        _table(doc, [w("source"), w("project"), w("round"), w("role"), w("n_turns")],
               [[u["source"], u["project"], u["round"], u["role"], str(u["turns"])]
                for u in fig.uncoded])
    else:
        para(w("uncoded_none"))
    para.heading(w("method"), 1)
    para(w("method_text"))
    para(w("rounding"))
    if _interviewer_coded(fig):
        para(w("interviewer_coded"))
    para(_t(w("generated", version=__version__, folder=folder_name(fig.results.folder))),
                      style="Caption")
    doc.save(str(path))
