"""Charts as inline SVG (no library, no network): the heatmap and the trend lines."""

from __future__ import annotations

from html import escape

from .figures import Figures, Theme
from .text import Words

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2",
           "#17becf", "#7f7f7f", "#bcbd22")


def _esc(s) -> str:
    return escape(str(s), quote=True)


def heat_colour(v: float) -> str:
    """White to dark blue for 0..1."""
    v = max(0.0, min(1.0, v))
    r = round(255 - v * (255 - 8))
    g = round(255 - v * (255 - 69))
    b = round(255 - v * (255 - 148))
    return f"#{r:02x}{g:02x}{b:02x}"


def _text_colour(v: float) -> str:
    return "#ffffff" if v > 0.55 else "#111111"


def heatmap(fig: Figures, w: Words) -> str:
    """Theme × project/round: share of respondent turns (colour, %), interviews n/N."""
    groups = fig.groups
    label_w, cell_w, cell_h, head_h = 300, 92, 36, 46
    width = label_w + cell_w * (len(groups) + 1) + 4
    height = head_h + cell_h * len(fig.themes) + 4
    vmax = max([c.share_turns for t in fig.themes for c in t.cells.values()] + [0.01])
    out = [f'<svg id="heatmap" class="chart" xmlns="http://www.w3.org/2000/svg" '
           f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
           f'aria-label="{_esc(w("overview"))}">',
           '<style>text{font-family:system-ui,sans-serif;font-size:12px}'
           '.s{font-size:10px}</style>']
    cols = [(f"{p}", f"{w('round')} {r}") for p, r in groups] + [(w("all"), "")]
    # the project's name once over its rounds, the round under each column
    spans: list[list] = []
    for i, (top, _) in enumerate(cols):
        if spans and spans[-1][0] == top:
            spans[-1][2] = i
        else:
            spans.append([top, i, i])
    for top, first, last in spans:
        x0 = label_w + first * cell_w
        x1 = label_w + (last + 1) * cell_w
        room = max(4, int((x1 - x0) / 7))
        top_s = top if len(top) <= room else top[:room - 1] + "…"
        out.append(f'<text x="{(x0 + x1) / 2:.0f}" y="18" text-anchor="middle">'
                   f'<title>{_esc(top)}</title>{_esc(top_s)}</text>')
        if last > first:
            out.append(f'<line x1="{x0 + 4}" x2="{x1 - 4}" y1="24" y2="24" stroke="#999999"/>')
    for i, (_, bottom) in enumerate(cols):
        x = label_w + i * cell_w + cell_w / 2
        out.append(f'<text x="{x:.0f}" y="38" text-anchor="middle" class="s">{_esc(bottom)}</text>')
    for j, th in enumerate(fig.themes):
        y = head_h + j * cell_h
        lab = th.label if len(th.label) <= 46 else th.label[:45] + "…"
        out.append(f'<text x="{label_w - 8}" y="{y + cell_h / 2 + 4:.0f}" text-anchor="end">'
                   f'<title>{_esc(th.label)} ({_esc(th.id)})</title>{_esc(lab)}</text>')
        cells = [th.cells[g] for g in groups] + [th.total]
        for i, c in enumerate(cells):
            x = label_w + i * cell_w
            v = c.share_turns / vmax
            col = heat_colour(v)
            tip = (f"{th.label} · {cols[i][0]} {cols[i][1]}: {w.pct(c.share_turns)} "
                   f"({c.turns}/{c.turns_total} {w('turns').lower()}), {c.interviews}/"
                   f"{c.interviews_total} {w('interviews').lower()}")
            out.append(f'<g class="cell"><title>{_esc(tip)}</title>'
                       f'<rect x="{x + 1}" y="{y + 1}" width="{cell_w - 2}" height="{cell_h - 2}" '
                       f'fill="{col}" stroke="#ffffff"/>'
                       f'<text x="{x + cell_w / 2:.0f}" y="{y + 16}" text-anchor="middle" '
                       f'fill="{_text_colour(v)}">{_esc(w.pct(c.share_turns))}</text>'
                       f'<text x="{x + cell_w / 2:.0f}" y="{y + 29}" text-anchor="middle" '
                       f'class="s" fill="{_text_colour(v)}">{c.interviews}/{c.interviews_total}'
                       f'</text></g>')
    out.append("</svg>")
    return "".join(out)


def trend(fig: Figures, th: Theme, w: Words, ymax: float) -> str:
    """Share of respondent turns per round: one line per project and a dashed 'all'."""
    rounds = fig.rounds
    width, height, left, right, top, bottom = 520, 190, 44, 210, 12, 30
    pw, ph = width - left - right, height - top - bottom
    step = 0.05 if ymax <= 0.25 else (0.1 if ymax <= 0.5 else 0.25)
    ticks = max(1, -(-round(ymax * 1000) // round(step * 1000)))
    ymax = ticks * step

    def xy(i, v):
        x = left + (pw * i / (len(rounds) - 1) if len(rounds) > 1 else pw / 2)
        return x, top + ph - ph * min(v, ymax) / ymax

    out = [f'<svg class="chart trend" xmlns="http://www.w3.org/2000/svg" width="{width}" '
           f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
           f'aria-label="{_esc(w("trend"))}: {_esc(th.label)}">',
           '<style>text{font-family:system-ui,sans-serif;font-size:11px}</style>']
    for k in range(ticks + 1):
        v = step * k
        _, y = xy(0, v)
        out.append(f'<line x1="{left}" x2="{left + pw}" y1="{y:.1f}" y2="{y:.1f}" '
                   f'stroke="#dddddd"/><text x="{left - 4}" y="{y + 4:.1f}" '
                   f'text-anchor="end">{_esc(w.pct(v))}</text>')
    for i, r in enumerate(rounds):
        x, _ = xy(i, 0)
        out.append(f'<text x="{x:.1f}" y="{height - 10}" text-anchor="middle">'
                   f'{_esc(w("round"))} {_esc(r)}</text>')
    series = [(p, [th.cells.get((p, r)) for r in rounds], PALETTE[i % len(PALETTE)], "")
              for i, p in enumerate(fig.projects)]
    series.append((w("all"), [th.by_round.get(r) for r in rounds], "#000000",
                   ' stroke-dasharray="5 3"'))
    for j, (name, cells, colour, dash) in enumerate(series):
        pts = [(i, c) for i, c in enumerate(cells) if c is not None and c.turns_total]
        coords = [xy(i, c.share_turns) for i, c in pts]
        if len(coords) > 1:
            out.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2"{dash} '
                       f'points="{" ".join(f"{x:.1f},{y:.1f}" for x, y in coords)}"/>')
        for (i, c), (x, y) in zip(pts, coords):
            out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"><title>'
                       f'{_esc(name)}, {_esc(w("round"))} {_esc(rounds[i])}: '
                       f'{_esc(w.pct(c.share_turns))} ({c.turns}/{c.turns_total})</title></circle>')
        ly = top + 12 + 16 * j
        nm = name if len(name) <= 28 else name[:27] + "…"
        out.append(f'<line x1="{left + pw + 12}" x2="{left + pw + 30}" y1="{ly - 4}" '
                   f'y2="{ly - 4}" stroke="{colour}" stroke-width="2"{dash}/>'
                   f'<text x="{left + pw + 34}" y="{ly}">{_esc(nm)}</text>')
    out.append("</svg>")
    return "".join(out)
