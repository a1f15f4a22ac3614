"""The report as one self-contained HTML file (inline CSS and SVG, no network).

Every piece of text from the results folder (transcripts are untrusted) is
escaped with :func:`html.escape`, and control characters (which HTML does
not allow in text; a transcript may hold them, e.g. a terminal colour code
pasted into a .txt) are dropped, as in the Word report.
"""

from __future__ import annotations

import re
from html import escape

from .figures import Cell, Figures, Quote, Theme
from .provenance import folder_name, option_rows, provenance_rows, shown_path
from .svg import heat_colour, heatmap, trend
from .text import Words

CSS = """
:root{--ink:#1b1b1b;--muted:#5a5a5a;--line:#d8d8d8;--accent:#084594}
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);
 max-width:1100px;margin:0 auto;padding:1.5rem;line-height:1.45;font-size:15px}
h1{font-size:1.7rem;margin:.2rem 0}h2{font-size:1.3rem;margin-top:2rem;border-bottom:2px solid var(--accent)}
h3{font-size:1.1rem;margin:.8rem 0 .4rem}h4{font-size:1rem;margin:.8rem 0 .3rem}
.sub{color:var(--muted)}
.banner{border-left:5px solid #b35806;background:#fff4e5;padding:.6rem .9rem;margin:1rem 0}
.banner.ok{border-color:#1a7f37;background:#eef8f0}
.unfair{color:#b42318}.banner p.unfair{margin:.4rem 0 0}
table{border-collapse:collapse;margin:.5rem 0;font-size:.9rem}
th,td{border:1px solid var(--line);padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f3f3}td.n{text-align:right;white-space:nowrap}
details{margin:.4rem 0}summary{cursor:pointer}
details.theme{border:1px solid var(--line);border-radius:6px;padding:.3rem .9rem;margin:1rem 0}
details.theme>summary{font-size:1.15rem;font-weight:600}
.def{background:#f7f7f7;padding:.5rem .8rem;border-radius:4px}
blockquote{margin:.5rem 0;padding:.4rem .8rem;border-left:4px solid var(--accent);background:#fafafa}
blockquote p{margin:0 0 .3rem}
mark{background:#ffe08a;padding:0 .1em}
.meta,.ev{font-size:.8rem;color:var(--muted)}
.up{color:#1a7f37}.down{color:#b42318}
.chart{max-width:100%;height:auto}
.scroll{overflow-x:auto}
code{font-size:.85em}
@media print{body{max-width:none;padding:0;font-size:11pt}details.theme{break-inside:auto}
 h2{break-after:avoid}blockquote,tr,svg{break-inside:avoid}summary{list-style:none}}
"""

# opens every collapsed section before printing (inline: no network)
SCRIPT = ("window.addEventListener('beforeprint',function(){"
          "document.querySelectorAll('details').forEach(function(d){d.open=true;});});")


#: C0 controls other than tab, line feed and carriage return, DEL, C1
#: controls and the two non-characters: not allowed in HTML text
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")


def _e(s) -> str:
    return escape(_CONTROL.sub("", str(s)), quote=True)


def _quote_html(q: Quote, w: Words) -> str:
    parts, pos = [], 0
    for s, e in q.highlights:
        parts.append(_e(q.text[pos:s]))
        parts.append(f"<mark>{_e(q.text[s:e])}</mark>")
        pos = e
    parts.append(_e(q.text[pos:]))
    meta = " · ".join(x for x in (q.role, q.project, f"{w('round')} {q.round}", q.source,
                                  f"{w('turn')} {q.turn}") if x)
    return (f'<blockquote><p>{"".join(parts)}</p><div class="meta">{_e(meta)}</div>'
            f'<div class="ev">{_e(w("evidence"))} ({_e(q.method)} {_e(w.num(q.score, 2))}): '
            f'{_e(q.evidence)}</div></blockquote>')


def _share(c: Cell, w: Words, kind: str) -> str:
    if kind == "turns":
        return f"{w.pct(c.share_turns)} ({c.turns}/{c.turns_total})"
    return f"{w.pct(c.share_interviews)} ({c.interviews}/{c.interviews_total})"


def _err_cell(th: Theme, w: Words, kind: str) -> str:
    if th.error is None:
        return ""
    if kind == "turns":
        return w.err(th.error.turns_mean, th.error.turns_max)
    return w.err(th.error.interviews_mean, th.error.interviews_max)


def _diff_html(d: float, w: Words) -> str:
    text = w.pp(d)  # the arrow goes with the sign shown ("0,0 p.e." has neither)
    cls = "up" if text.startswith("+") else ("down" if text.startswith("−") else "")
    arrow = "▲ " if cls == "up" else ("▼ " if cls == "down" else "")
    return f'<span class="{cls}">{arrow}{_e(text)}</span>'


def validation_text(fig: Figures, w: Words) -> tuple[str, list[str], bool]:
    """Where the report's ± come from, in words (HTML and Word alike): the
    banner's text, the warnings that the agreement is not a fair test (each
    a sentence), and whether the banner may say the figures are validated."""
    v = fig.validation
    if v is None:
        return w("unvalidated"), [], False
    unfair = [unfair_text(u, w) for u in v.get("unfair") or []]
    if v.get("refused"):  # measured on another coding: nothing of it is shown
        key = "stale" if v.get("status") == "other_coding" else "stale_unknown"
        return w(key, path=f"{shown_path(v['folder'], fig.results.folder)}/agreement.json"), [], False
    alpha = w.num(v["alpha"], 2) if isinstance(v.get("alpha"), (int, float)) else "–"
    if not v.get("has_errors"):
        return (w("validated_noshares", alpha=alpha,
                  folder=shown_path(v["folder"], fig.results.folder)), unfair, False)
    how = w("how_own") if v.get("own_run") else _how_coded(v, w)
    if v.get("cv"):
        how += ", " + w("how_cv", cv=v["cv"])
    by = " × ".join(w.key(k) for k in v.get("by") or []) or w("all").lower()
    return (w("validated", by=by, how=how, interviews=v.get("interviews"), units=v.get("units"),
              alpha=alpha, folder=shown_path(v["folder"], fig.results.folder)), unfair,
            not unfair)


def _how_coded(v: dict, w: Words) -> str:
    """Which interviews ``codingkit evaluate`` coded itself, said against the
    run's own (by the files' sha256; ``inputs``: the shared and other files,
    ``None`` when agreement.json does not record them)."""
    evaluated = v.get("evaluated") or ""
    if v.get("inputs") is None:
        return w("how_coded", evaluated=evaluated)
    shared, others = v["inputs"]
    if not others:
        return w("how_same", evaluated=evaluated)
    if not shared:
        return w("how_other", evaluated=evaluated)
    return w("how_partly", shared=shared, others=others, evaluated=evaluated)


def unfair_text(record: dict, w: Words) -> str:
    """One warning of agreement.json (an UnfairTestWarning record) in the report's words."""
    kind = record.get("kind")
    try:
        why = w(f"unfair_{kind}", **{k: (shown_path(v) if k == "file" else v)
                                     for k, v in record.items() if k not in ("kind",)})
    except (KeyError, IndexError, ValueError):  # a kind (or its figures) this codingkit lacks
        why = w("unfair_other", message=record.get("message", ""))
    return w("unfair", why=why)


def _validation_html(fig: Figures, w: Words) -> str:
    text, unfair, ok = validation_text(fig, w)
    warn = "".join(f'<p class="unfair"><strong>{_e(u)}</strong></p>' for u in unfair)
    return (f'<div class="banner{" ok" if ok else ""}" id="validation">{_e(text)}{warn}</div>')


def _provenance(fig: Figures, w: Words) -> str:
    m = fig.results.manifest
    folder = fig.results.folder
    body = "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>"
                   for k, v in provenance_rows(m, w, folder))
    opt_rows = "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>"
                       for k, v in option_rows(m.get("options"), w, folder))
    inputs = m.get("inputs") or []
    inp = "".join(f"<tr><td>{_e(i.get('source'))}</td><td>{_e(i.get('format'))}</td>"
                  f"<td><code>{_e(str(i.get('sha256'))[:12])}</code></td></tr>" for i in inputs)
    notes = [n for n in (fig.results.codebook_note, *fig.results.notes) if n]
    note_html = "".join(f'<p class="meta">{_e(w("note"))}: {_e(n)}</p>' for n in notes)
    return (f'<section id="provenance"><h2>{_e(w("provenance"))}</h2>'
            f'<table>{body}</table>{note_html}'
            f'<details><summary>{_e(w("options"))}</summary><table>{opt_rows}</table></details>'
            f'<details><summary>{_e(w("inputs", n=len(inputs)))}</summary>'
            f'<table>{inp}</table></details></section>')


def since_only_text(fig: Figures, w: Words) -> str:
    """The projects left out of the change of all projects (interviews in only
    one of the two rounds), in words; empty when every project has both."""
    if not fig.since_only:
        return ""
    return w("since_only", projects=", ".join(
        f"{p} ({w('only_round', round=r)})" for p, r in fig.since_only.items()))


def _change_table(fig: Figures, w: Words) -> str:
    if fig.since is None:
        return f'<section id="change"><h2>{_e(w("change_none"))}</h2></section>'
    base, latest = fig.since
    head = (f"<tr><th>{_e(w('theme'))}</th><th>{_e(w('turns_share'))} {_e(w('round').lower())} "
            f"{_e(base)} → {_e(latest)}</th><th>{_e(w('diff'))}</th>"
            f"<th>{_e(w('interviews_share'))} {_e(base)} → {_e(latest)}</th><th>{_e(w('diff'))}</th>"
            f"<th>{_e(w('new_in'))}</th><th>{_e(w('gone_in'))}</th></tr>")
    rows = []
    for th in fig.themes:
        ch = th.change
        b, lt = ch.base_cell, ch.latest_cell
        err_t = f' <span class="meta">{_e(_err_cell(th, w, "turns"))}</span>' if th.error else ""
        new = "; ".join(f"{p}: {', '.join(srcs)}" for p, srcs in ch.new.items())
        rows.append(
            f'<tr><td><a href="#theme-{_e(th.id)}">{_e(th.label)}</a></td>'
            f'<td class="n">{_e(w.pct(b.share_turns))} → {_e(w.pct(lt.share_turns))}{err_t}</td>'
            f'<td class="n">{_diff_html(lt.share_turns - b.share_turns, w)}</td>'
            f'<td class="n">{_e(w.pct(b.share_interviews))} → {_e(w.pct(lt.share_interviews))}</td>'
            f'<td class="n">{_diff_html(lt.share_interviews - b.share_interviews, w)}</td>'
            f'<td>{_e(new)}</td><td>{_e(", ".join(ch.gone))}</td></tr>')
    return (f'<section id="change"><h2>{_e(w("change", base=base, latest=latest))}</h2>'
            f'<p class="meta">{_e(w("rounding"))}</p>'
            + (f'<p class="meta">{_e(since_only_text(fig, w))}</p>' if fig.since_only else "")
            + f'<div class="scroll"><table>{head}{"".join(rows)}</table></div></section>')


def _cooc(fig: Figures, w: Words) -> str:
    themes = fig.themes
    head = "<tr><th></th>" + "".join(f'<th title="{_e(t.label)}">{_e(t.id)}</th>'
                                     for t in themes) + "</tr>"
    rows = []
    for i, ti in enumerate(themes):
        diag = fig.cooc_turns[i][i] or 1
        cells = []
        for j, _ in enumerate(themes):
            n, ni = fig.cooc_turns[i][j], fig.cooc_interviews[i][j]
            bg = heat_colour(0.0 if i == j else min(1.0, n / diag))
            fg = "#ffffff" if i != j and n / diag > 0.55 else "#111111"
            cells.append(f'<td class="n" style="background:{bg};color:{fg}">{n} ({ni})</td>')
        rows.append(f'<tr><th title="{_e(ti.label)}">{_e(ti.id)}</th>{"".join(cells)}</tr>')
    return (f'<section id="cooccurrence"><h2>{_e(w("cooc"))}</h2><p class="meta">'
            f'{_e(w("cooc_caption"))}</p><div class="scroll"><table>{head}{"".join(rows)}'
            f'</table></div></section>')


def _theme(fig: Figures, th: Theme, w: Words, ymax: float, n_quotes: int) -> str:
    parts = [f'<details class="theme" open id="theme-{_e(th.id)}"><summary>{_e(th.label)} '
             f'<span class="meta">({_e(th.id)}) · {_e(w.pct(th.total.share_interviews))} '
             f'{_e(w("interviews").lower())}, {_e(w.pct(th.total.share_turns))} '
             f'{_e(w("turns").lower())}</span></summary>']
    if th.description or th.include or th.exclude:
        d = f"<p><strong>{_e(w('definition'))}:</strong> {_e(th.description)}</p>"
        if th.include:
            d += f"<p><strong>{_e(w('include'))}:</strong> {_e(th.include)}</p>"
        if th.exclude:
            d += f"<p><strong>{_e(w('exclude'))}:</strong> {_e(th.exclude)}</p>"
        if th.subcodes:
            d += (f"<p><strong>{_e(w('subcodes'))}:</strong> "
                  + ", ".join(f"{_e(lab)} <code>{_e(cid)}</code>" for cid, lab in th.subcodes)
                  + "</p>")
        parts.append(f'<div class="def">{d}</div>')
    elif fig.results.codebook is None:
        parts.append(f'<p class="meta">{_e(w("nodef"))}</p>')
    if th.alpha is not None:
        unfair = fig.validation.get("unfair") if fig.validation else None
        parts.append(f'<p class="meta">{_e(w("alpha"))}: {_e(w.num(th.alpha, 2))}'
                     + (f' <strong class="unfair">({_e(w("unfair_short"))}, '
                        f'<a href="#validation">↑</a>)</strong>' if unfair else "") + '</p>')
    # shares per group
    err_i, err_t = _err_cell(th, w, "interviews"), _err_cell(th, w, "turns")
    head = (f"<tr><th>{_e(w('project'))}</th><th>{_e(w('round'))}</th>"
            f"<th>{_e(w('interviews_share'))}</th><th>{_e(w('turns_share'))}</th></tr>")
    rows = []
    for (p, r), c in th.cells.items():
        rows.append(f"<tr><td>{_e(p)}</td><td>{_e(r)}</td>"
                    f'<td class="n">{_e(_share(c, w, "interviews"))}'
                    f'{" " + _e(err_i) if err_i else ""}</td>'
                    f'<td class="n">{_e(_share(c, w, "turns"))}'
                    f'{" " + _e(err_t) if err_t else ""}</td></tr>')
    rows.append(f"<tr><th>{_e(w('all'))}</th><th></th>"
                f'<td class="n"><strong>{_e(_share(th.total, w, "interviews"))}</strong></td>'
                f'<td class="n"><strong>{_e(_share(th.total, w, "turns"))}</strong></td></tr>')
    parts.append(f'<h4>{_e(w("shares"))}</h4><table class="shares">{head}{"".join(rows)}</table>')
    # trend (none without a known round)
    if fig.rounds:
        parts.append(f'<h4>{_e(w("trend"))}</h4>{trend(fig, th, w, ymax)}')
    # change since
    if th.change is not None:
        ch = th.change
        lines = [f"<li>{_e(w('all'))}: {_e(w.pct(ch.base_cell.share_turns))} → "
                 f"{_e(w.pct(ch.latest_cell.share_turns))} "
                 f"{_diff_html(ch.latest_cell.share_turns - ch.base_cell.share_turns, w)}; "
                 f"{_e(w('interviews').lower())} {ch.base_cell.interviews}/"
                 f"{ch.base_cell.interviews_total} → {ch.latest_cell.interviews}/"
                 f"{ch.latest_cell.interviews_total}</li>"]
        for p, (b, lt) in ch.per_project.items():
            lines.append(f"<li>{_e(p)}: {_e(w.pct(b.share_turns))} → {_e(w.pct(lt.share_turns))} "
                         f"{_diff_html(lt.share_turns - b.share_turns, w)}; "
                         f"{_e(w('interviews').lower())} {b.interviews}/{b.interviews_total} → "
                         f"{lt.interviews}/{lt.interviews_total}</li>")
        for p, srcs in ch.new.items():
            lines.append(f"<li><strong>{_e(w('new_in'))}</strong> {_e(p)}: {_e(', '.join(srcs))}</li>")
        if ch.gone:
            lines.append(f"<li><strong>{_e(w('gone_in'))}</strong>: {_e(', '.join(ch.gone))}</li>")
        parts.append(f'<h4>{_e(w("change", base=ch.base, latest=ch.latest))}</h4>'
                     f'<ul class="change">{"".join(lines)}</ul>')
    # quotes
    parts.append(f'<h4>{_e(w("quotes"))}</h4><p class="meta">'
                 f'{_e(w("quotes_caption", n=n_quotes))}</p>')
    for g in fig.groups:
        qs = th.quotes.get(g, [])
        inner = "".join(_quote_html(q, w) for q in qs) or f'<p class="meta">{_e(w("no_quotes"))}</p>'
        parts.append(f'<details class="quotes"><summary>{_e(g[0])}, {_e(w("round").lower())} '
                     f'{_e(g[1])} ({len(qs)})</summary>{inner}</details>')
    parts.append("</details>")
    return "".join(parts)


def _interviewer_coded(fig: Figures) -> bool:
    """Whether the run coded the interviewer's turns too (``--code-interviewer``)."""
    return (fig.results.manifest.get("options") or {}).get("code_interviewer") is True


def render_html(fig: Figures, w: Words, *, quotes: int = 3) -> str:
    """The whole report as one HTML document (a string)."""
    from .. import __version__

    m = fig.results.manifest
    cb = m.get("codebook", {})
    cb_name = f"{cb.get('id')} {cb.get('version')}"
    ymax = max([c.share_turns for t in fig.themes for c in t.cells.values()] + [0.05])
    uncoded = (f'<p>{_e(w("uncoded_none"))}</p>' if not fig.uncoded else
               "<table><tr>" + "".join(f"<th>{_e(w(k))}</th>" for k in
                                       ("source", "project", "round", "role", "n_turns"))
               + "</tr>" + "".join(
                   f"<tr><td>{_e(u['source'])}</td><td>{_e(u['project'])}</td>"
                   f"<td>{_e(u['round'])}</td><td>{_e(u['role'])}</td>"
                   f'<td class="n">{u["turns"]}</td></tr>' for u in fig.uncoded) + "</table>")
    body = [
        f'<header><h1>{_e(w("title"))}</h1><p class="sub">'
        f'{_e(w("subtitle", codebook=cb_name, interviews=fig.interviews - fig.answers, answers=fig.answers, turns=fig.turns))}'
        f'</p></header>',
        _validation_html(fig, w),
        _provenance(fig, w),
        f'<section id="overview"><h2>{_e(w("overview"))}</h2><p class="meta">'
        f'{_e(w("heatmap_caption"))}</p><div class="scroll">{heatmap(fig, w)}</div></section>',
        _change_table(fig, w),
        _cooc(fig, w),
        f'<section id="themes"><h2>{_e(w("themes"))}</h2>'
        + "".join(_theme(fig, th, w, ymax, quotes) for th in fig.themes) + "</section>",
        f'<section id="uncoded"><h2>{_e(w("uncoded"))} ({len(fig.uncoded)})</h2>{uncoded}</section>',
        f'<section id="method"><h2>{_e(w("method"))}</h2><p>{_e(w("method_text"))}</p>'
        f'<p>{_e(w("rounding"))}</p>'
        + (f'<p>{_e(w("interviewer_coded"))}</p>' if _interviewer_coded(fig) else "")
        + f'<p class="meta">{_e(w("generated", version=__version__, folder=folder_name(fig.results.folder)))}</p>'
        f'</section>',
    ]
    return (f'<!DOCTYPE html>\n<html lang="{w.language}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
            f'style-src \'unsafe-inline\'; script-src \'unsafe-inline\'; img-src data:">'
            f'<title>{_e(w("title"))} · {_e(cb.get("id"))}</title><style>{CSS}</style></head>'
            f'<body>{"".join(body)}<script>{SCRIPT}</script></body></html>\n')
