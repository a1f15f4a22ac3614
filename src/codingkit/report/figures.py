"""The figures of a report, computed from a results folder (no rendering here).

Definitions (the same as ``frequencies.csv`` for the default run):

- a theme's **share of interviews** in a group is the number of interviews
  (sources) with at least one coding of the theme or a sub-code, over the
  interviews of the group;
- its **share of respondent turns** is the number of respondent segments
  coded with the theme (or a sub-code, counted once) over the respondent
  segments of the group.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..errors import ReportError
from ..tables import UNKNOWN_GROUP
from .results import Results

GROUP = ("project", "round")
#: The metadata a report shows; a source without one is in the group ``"(okänd)"``.
META = ("project", "round", "role")


@dataclass
class Cell:
    """A theme's counts in one group, with the denominators."""

    interviews: int = 0
    interviews_total: int = 0
    turns: int = 0
    turns_total: int = 0

    @property
    def share_interviews(self) -> float:
        return self.interviews / self.interviews_total if self.interviews_total else 0.0

    @property
    def share_turns(self) -> float:
        return self.turns / self.turns_total if self.turns_total else 0.0


@dataclass
class Quote:
    segment_id: str
    source: str
    project: str
    round: str
    role: str
    speaker: str
    turn: int
    text: str
    #: (start, end) offsets in ``text`` of the matched words
    highlights: list[tuple[int, int]]
    evidence: str
    method: str
    score: float


@dataclass
class Error:
    """How far codingkit's shares of a theme were from a human's, per group."""

    turns_mean: float
    turns_max: float
    interviews_mean: float
    interviews_max: float
    groups: int


@dataclass
class Change:
    base: str
    latest: str
    #: all projects with interviews in both rounds (:attr:`Figures.since_only`: the others)
    base_cell: Cell
    latest_cell: Cell
    #: project -> (base cell, latest cell), projects in both rounds
    per_project: dict[str, tuple[Cell, Cell]]
    #: project -> latest-round interviews raising the theme where no base-round one did
    new: dict[str, list[str]]
    #: projects where the theme was raised in the base round and by no interview now
    gone: list[str]


@dataclass
class Theme:
    id: str
    label: str
    description: str = ""
    include: str = ""
    exclude: str = ""
    subcodes: list[tuple[str, str]] = field(default_factory=list)
    cells: dict[tuple[str, str], Cell] = field(default_factory=dict)
    total: Cell = field(default_factory=Cell)
    by_round: dict[str, Cell] = field(default_factory=dict)
    change: Change | None = None
    quotes: dict[tuple[str, str], list[Quote]] = field(default_factory=dict)
    error: Error | None = None
    alpha: float | None = None


@dataclass
class Figures:
    results: Results
    groups: list[tuple[str, str]]
    projects: list[str]
    #: the rounds in their order, without the unknown round (of the trend and the change)
    rounds: list[str]
    themes: list[Theme]
    since: tuple[str, str] | None
    #: theme ids, turns coded with both (matrix), interviews with both (matrix)
    cooc_turns: list[list[int]]
    cooc_interviews: list[list[int]]
    uncoded: list[dict[str, Any]]
    interviews: int
    turns: int
    #: None without agreement figures; else a dict describing where the errors come from
    validation: dict[str, Any] | None = None
    #: of ``interviews``, the sources that are survey answers (:func:`survey_answers`)
    answers: int = 0
    #: projects with interviews in only one of the two rounds of ``since``: project ->
    #: that round (left out of the change of all projects, which compares like with like)
    since_only: dict[str, str] = field(default_factory=dict)

    @property
    def unit(self) -> str:
        """The segments counted: ``"turn"``, ``"sentence"`` or ``"paragraph"``
        (manifest.json's ``options.unit``, else segments.csv's ``unit``)."""
        unit = (self.results.manifest.get("options") or {}).get("unit")
        if not unit and "unit" in self.results.segments.columns and len(self.results.segments):
            unit = str(self.results.segments["unit"].iloc[0])
        return unit or "turn"

    @property
    def material(self) -> str:
        """What was coded: ``"interviews"``, ``"survey"`` (answers only) or ``"mixed"``."""
        if not self.answers:
            return "interviews"
        return "survey" if self.answers >= self.interviews else "mixed"


def survey_answers(manifest: dict[str, Any], sources) -> int:
    """How many of ``sources`` (segments.csv's ``source``) are survey answers:
    ``<file>#<id>`` of an input manifest.json lists with format ``survey``.

    >>> survey_answers({"inputs": [{"source": "e.csv", "format": "survey"},
    ...                            {"source": "a.txt", "format": "text"}]},
    ...                ["e.csv#1", "e.csv#2", "a.txt"])
    2
    """
    surveys = {i.get("source") for i in manifest.get("inputs") or []
               if isinstance(i, dict) and i.get("format") == "survey"}
    if not surveys:
        return 0
    return sum(str(s).rpartition("#")[0] in surveys for s in sources)


def round_key(value: str):
    """Sort rounds naturally: '2' before '10', numbers before words, the
    unknown round ``"(okänd)"`` last.

    >>> sorted(["10", "(okänd)", "omg2", "2"], key=round_key)
    ['2', 'omg2', '10', '(okänd)']
    """
    v = str(value).strip()
    if v == UNKNOWN_GROUP:
        return (2, 0, v)
    m = re.fullmatch(r"\D*?(\d+)\D*", v)
    return (0, int(m.group(1)), v) if m else (1, 0, v)


_MATCHED = re.compile(r"→ '([^']*)'")


def matched_words(evidence: str) -> list[str]:
    """The words a rule matched, from an evidence string (``→ 'a … b'``).

    >>> matched_words("rule: term(RFI) → 'RFI'; near(a | b; within 4) → 'igenom … avvikelser'")
    ['RFI', 'igenom', 'avvikelser']
    """
    out: dict[str, None] = {}
    for m in _MATCHED.finditer(evidence):
        for part in m.group(1).split(" … "):
            part = part.strip()
            if part:
                out[part] = None
    return list(out)


def highlight_spans(text: str, words: list[str]) -> list[tuple[int, int]]:
    """Non-overlapping (start, end) spans of ``words`` in ``text`` (case-insensitive, whole words).

    >>> highlight_spans("Vi tittade igenom Avvikelser.", ["igenom", "avvikelser"])
    [(11, 17), (18, 28)]
    """
    spans = []
    for w in words:
        pat = r"\s+".join(re.escape(p) for p in w.split())
        for m in re.finditer(rf"(?<!\w){pat}(?!\w)", text, flags=re.IGNORECASE):
            spans.append((m.start(), m.end()))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and s < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged


def _short_evidence(method: str, evidence: str, words: list[str], limit: int = 140) -> str:
    if words:
        line = " · ".join(words)
    else:
        line = evidence.split(" | ")[0]
    return line if len(line) <= limit else line[:limit - 1] + "…"


def _window(text: str, spans: list[tuple[int, int]], limit: int):
    """A window of at most ``limit`` characters of ``text`` around its first span."""
    if len(text) <= limit:
        return text, spans
    first = spans[0][0] if spans else 0
    start = max(0, first - limit // 3)
    # start at a word boundary
    if start:
        sp = text.rfind(" ", 0, start)
        start = sp + 1 if sp >= 0 and start - sp < 30 else start
    end = min(len(text), start + limit)
    if end < len(text):
        sp = text.rfind(" ", start, end)
        end = sp if sp > start + limit // 2 else end
    prefix = "…" if start else ""
    suffix = "…" if end < len(text) else ""
    shift = len(prefix) - start
    kept = [(s + shift, e + shift) for s, e in spans if s >= start and e <= end]
    return prefix + text[start:end] + suffix, kept


def _cell(interviews, turns, itot, ttot) -> Cell:
    return Cell(int(interviews), int(itot), int(turns), int(ttot))


def compute(results: Results, *, since: str | None = None, quotes: int = 3,
            quote_chars: int = 500, language: str = "sv") -> Figures:
    """Every figure of the report (see the module's definitions).

    With ``language="en"`` the codebook's English labels (``label_en``) are
    used where it has them.

    Raises
    ------
    ReportError
        E903 when ``since`` is not a round of the folder, or is its latest round.
    """
    import numpy as np

    seg = results.segments
    cod = results.codings
    cb = results.codebook
    # a source without a project, round or role is in the group "(okänd)", as in
    # frequencies.csv (a copy: the folder's table stays as read)
    seg = seg.assign(**{col: (seg[col].fillna("").astype(str) if col in seg.columns else "")
                        for col in META})
    seg = seg.assign(**{col: seg[col].mask(seg[col] == "", UNKNOWN_GROUP) for col in META})
    seg_meta = seg[["segment_id", "source", "project", "round", "role", "speaker",
                    "speaker_role", "turn", "text"]]
    projects = sorted(seg["project"].unique().tolist())
    # the rounds in time: an unknown round has no place among them (it is a group of
    # the tables and the heatmap, not a point of the trend or of the change)
    rounds = sorted((r for r in seg["round"].unique().tolist() if r != UNKNOWN_GROUP),
                    key=round_key)
    groups = sorted({(p, r) for p, r in seg[["project", "round"]].drop_duplicates()
                     .itertuples(index=False)}, key=lambda g: (g[0], round_key(g[1])))

    # the themes, in the codebook's order
    if cb is not None:
        theme_ids = [c.id for c in cb.themes]
    else:
        fr = results.frequencies
        theme_ids = list(dict.fromkeys(fr.loc[fr["code"] == fr["theme"], "theme"]))
    extra = [t for t in dict.fromkeys(cod["theme"]) if t not in theme_ids]
    theme_ids += extra
    labels = dict(zip(results.frequencies["code"], results.frequencies.get(
        "label", results.frequencies["code"])))

    if since is not None and since not in rounds:
        raise ReportError(f"--since {since}: no such round in this results folder; its rounds "
                          f"are {', '.join(rounds) or '(none)'}", path=results.folder,
                          code="E903")
    if since is not None and since == rounds[-1]:
        raise ReportError(f"--since {since} is the latest round; nothing came after it "
                          f"(rounds: {', '.join(rounds)})", path=results.folder, code="E903")
    span = None
    if since is not None:
        span = (since, rounds[-1])
    elif len(rounds) >= 2:
        span = (rounds[-2], rounds[-1])
    # the change of all projects compares the projects with interviews in both rounds
    # (a project whose first interviews are in the latest round is no change of a
    # theme); when none has, all interviews of each round
    since_only: dict[str, str] = {}
    both = projects
    if span is not None:
        present = set(groups)
        have = {p: [r for r in span if (p, r) in present] for p in projects}
        since_only = {p: rs[0] for p, rs in have.items() if len(rs) == 1}
        both = [p for p, rs in have.items() if len(rs) == 2] or projects

    resp = seg_meta[seg_meta["speaker_role"] == "respondent"]
    c = cod[["segment_id", "code", "theme", "score", "method", "evidence"]].merge(
        seg_meta, on="segment_id", how="inner")
    # denominators
    itot_g = seg.groupby(list(GROUP))["source"].nunique()
    ttot_g = resp.groupby(list(GROUP)).size()
    itot_r = seg.groupby("round")["source"].nunique()
    ttot_r = resp.groupby("round").size()
    # numerators
    ct = c.drop_duplicates(["segment_id", "theme"])
    ct_resp = ct[ct["speaker_role"] == "respondent"]
    cs = c.drop_duplicates(["source", "theme"])
    int_g = cs.groupby(["theme", *GROUP]).size()
    turn_g = ct_resp.groupby(["theme", *GROUP]).size()
    int_r = cs.groupby(["theme", "round"]).size()
    turn_r = ct_resp.groupby(["theme", "round"]).size()
    int_all = cs.groupby("theme").size()
    turn_all = ct_resp.groupby("theme").size()
    n_int, n_turns = int(seg["source"].nunique()), int(len(resp))

    def get(series, key):
        try:
            return int(series.get(key, 0))
        except TypeError:  # pragma: no cover
            return 0

    errors, alphas, validation = _errors(results, theme_ids)

    # candidates for quotes: one row per segment × theme (respondent turns)
    qc = (c[c["speaker_role"] == "respondent"]
          .assign(words=lambda d: d["evidence"].map(matched_words))
          .groupby(["segment_id", "theme"], sort=False)
          .agg(score=("score", "max"), method=("method", "first"),
               evidence=("evidence", "first"), words=("words", "sum"),
               source=("source", "first"), project=("project", "first"),
               round=("round", "first"), role=("role", "first"),
               speaker=("speaker", "first"), turn=("turn", "first"), text=("text", "first"))
          .reset_index())
    if len(qc):
        qc["nwords"] = qc["words"].map(lambda w: len(dict.fromkeys(w)))
        qc["lenpen"] = (qc["text"].str.len() / 6 - 45).abs()
        qc = qc.sort_values(["theme", "project", "round", "score", "nwords", "lenpen",
                             "segment_id"],
                            ascending=[True, True, True, False, False, True, True])
        qc = qc.groupby(["theme", "project", "round"], sort=False).head(max(quotes * 15, 30))
    quote_groups: dict[tuple, list[dict]] = {}
    if len(qc):
        cols = ["segment_id", "theme", "score", "method", "evidence", "words", "source",
                "project", "round", "role", "speaker", "turn", "text"]
        for rec in zip(*(qc[c].tolist() for c in cols)):
            d = dict(zip(cols, rec))
            quote_groups.setdefault((d["theme"], d["project"], d["round"]), []).append(d)

    themes = []
    for tid in theme_ids:
        code = cb.codes.get(tid) if cb is not None else None
        label = code.label if code else labels.get(tid, tid)
        if code is not None and language == "en" and code.label_en:
            label = code.label_en
        th = Theme(id=tid, label=label,
                   description=code.description if code else "",
                   include=code.include if code else "", exclude=code.exclude if code else "",
                   subcodes=[(s.id, (s.label_en or s.label) if language == "en" else s.label)
                             for s in cb if s.parent == tid] if cb else [])
        for g in groups:
            th.cells[g] = _cell(get(int_g, (tid, *g)), get(turn_g, (tid, *g)),
                                get(itot_g, g), get(ttot_g, g))
        for r in rounds:
            th.by_round[r] = _cell(get(int_r, (tid, r)), get(turn_r, (tid, r)),
                                   get(itot_r, r), get(ttot_r, r))
        th.total = _cell(get(int_all, tid), get(turn_all, tid), n_int, n_turns)
        th.error = errors.get(tid)
        th.alpha = alphas.get(tid)
        if span is not None:
            th.change = _change(th, span, projects, cs, both)
        for g in groups:
            cand = quote_groups.get((tid, *g))
            if cand is not None and quotes > 0:
                th.quotes[g] = _pick_quotes(cand, quotes, quote_chars)
        themes.append(th)

    # co-occurrence: respondent turns and interviews coded with both themes
    idx = {t: i for i, t in enumerate(theme_ids)}
    k = len(theme_ids)

    def cooc(frame, key):
        if not len(frame):
            return [[0] * k for _ in range(k)]
        rows = frame[key].astype("category")
        m = np.zeros((len(rows.cat.categories), k), dtype=np.int64)
        m[rows.cat.codes.to_numpy(), frame["theme"].map(idx).to_numpy()] = 1
        return (m.T @ m).tolist()

    cooc_turns = cooc(ct_resp, "segment_id")
    cooc_int = cooc(cs, "source")

    coded_sources = set(c["source"])
    per_source = seg.groupby("source", sort=True).agg(
        project=("project", "first"), round=("round", "first"), role=("role", "first"))
    resp_n = resp.groupby("source").size()
    # itertuples, not iterrows: a row Series's .round is its method, not the column
    uncoded = [{"source": s, "project": project, "round": rnd, "role": role,
                "turns": int(resp_n.get(s, 0))}
               for s, project, rnd, role in per_source.itertuples(name=None)
               if s not in coded_sources]
    uncoded.sort(key=lambda u: (u["project"], round_key(u["round"]), u["source"]))

    return Figures(results=results, groups=groups, projects=projects, rounds=rounds,
                   themes=themes, since=span, cooc_turns=cooc_turns, cooc_interviews=cooc_int,
                   uncoded=uncoded, interviews=n_int, turns=n_turns, validation=validation,
                   answers=survey_answers(results.manifest, seg["source"].unique().tolist()),
                   since_only=since_only)


def _sum(cells: list[Cell]) -> Cell:
    """The cells of several groups (whose interviews and turns are apart) as one."""
    return Cell(sum(c.interviews for c in cells), sum(c.interviews_total for c in cells),
                sum(c.turns for c in cells), sum(c.turns_total for c in cells))


def _change(th: Theme, span, projects, cs, both) -> Change:
    """The change of ``th`` over ``span``: per project, and of all projects with
    interviews in both rounds (``both``; :attr:`Figures.since_only`)."""
    base, latest = span
    per_project = {}
    new: dict[str, list[str]] = {}
    gone = []
    for p in projects:
        b, lt = th.cells.get((p, base)), th.cells.get((p, latest))
        if b is None or lt is None:
            continue
        per_project[p] = (b, lt)
        if b.interviews == 0 and lt.interviews > 0:
            sel = cs[(cs["theme"] == th.id) & (cs["project"] == p) & (cs["round"] == latest)]
            new[p] = sorted(sel["source"].tolist())
        if b.interviews > 0 and lt.interviews == 0:
            gone.append(p)
    def cell(rnd: str) -> Cell:
        return _sum([th.cells[(p, rnd)] for p in both if (p, rnd) in th.cells])

    return Change(base=base, latest=latest, base_cell=cell(base), latest_cell=cell(latest),
                  per_project=per_project, new=new, gone=gone)


def _pick_quotes(cand, n: int, limit: int) -> list[Quote]:
    """Up to ``n`` quotes, the best first, from different interviews and roles where possible."""
    rows = cand
    chosen: list = []
    used_src: set[str] = set()
    used_role: set[str] = set()
    for rule in ("new source and role", "new source", "any"):
        for r in rows:
            if len(chosen) >= n:
                break
            if any(r is x for x in chosen):
                continue
            if rule != "any" and r["source"] in used_src:
                continue
            if rule == "new source and role" and r["role"] in used_role:
                continue
            chosen.append(r)
            used_src.add(r["source"])
            used_role.add(r["role"])
    out = []
    for r in chosen:
        words = list(dict.fromkeys(r["words"]))
        spans = highlight_spans(r["text"], words)
        text, spans = _window(r["text"], spans, limit)
        out.append(Quote(segment_id=r["segment_id"], source=r["source"], project=r["project"],
                         round=r["round"], role=r["role"], speaker=r["speaker"],
                         turn=int(r["turn"]), text=text, highlights=spans,
                         evidence=_short_evidence(r["method"], r["evidence"], words),
                         method=r["method"], score=float(r["score"])))
    return out


def _inputs_shared(options: dict, manifest: dict) -> tuple[int, int] | None:
    """Of the files ``codingkit evaluate`` coded itself (agreement.json's
    ``inputs_sha256``): how many are among the run's inputs and how many
    are not; ``None`` when evaluate measured a results folder (--pred) or
    did not record its files."""
    evaluated = options.get("inputs_sha256")
    if options.get("pred") or not isinstance(evaluated, list):
        return None
    evaluated = {h for h in evaluated if isinstance(h, str)}  # an edited file: strings only
    if not evaluated:
        return None
    run = {i.get("sha256") for i in manifest.get("inputs") or [] if isinstance(i, dict)}
    shared = sum(1 for h in evaluated if h in run)
    return shared, len(evaluated) - shared


def _errors(results: Results, theme_ids: list[str]):
    """Per theme: the measured error of its shares, its α; and where they come from."""
    ag = results.agreement
    if ag is None:
        return {}, {}, None
    unfair = [dict(w) for w in ag.warnings if w.get("kind")]
    if not ag.usable:  # measured on another coding (or one not recorded): none of it shown
        return {}, {}, {"folder": str(ag.folder), "status": ag.status, "refused": True,
                        "has_errors": False, "own_run": False, "unfair": unfair,
                        "alpha": None, "cv": None}
    alphas = {}
    for row in ag.per_code:
        a = row.get("alpha")
        if row.get("code") in theme_ids and isinstance(a, (int, float)):
            alphas[row["code"]] = float(a)
    opts = ag.options or {}
    macro = next((s for s in ag.summary if s.get("average") == "macro"), {})
    validation: dict[str, Any] = {
        "folder": str(ag.folder), "evaluated": opts.get("evaluated"),
        "gold": list(opts.get("gold") or []), "split": opts.get("split"),
        "cv": opts.get("cv"), "by": list(opts.get("by") or []),
        "units": macro.get("n_units"), "alpha": macro.get("alpha"),
        "level": opts.get("level"), "interviews": None,
        # this run's own coding: the coding measured is the folder's (by content, not path)
        "own_run": ag.status == "own", "status": ag.status, "refused": False,
        "unfair": unfair, "inputs": _inputs_shared(opts, results.manifest),
    }
    errors: dict[str, Error] = {}
    comp = ag.compared
    if comp is not None and len(comp):
        by = [col for col in comp.columns if col not in (
            "code", "transcripts", "units", "human", "codingkit", "human_share",
            "codingkit_share", "difference", "human_transcripts", "codingkit_transcripts")]
        validation["by"] = by
        first = comp[comp["code"] == comp["code"].iloc[0]]
        validation["interviews"] = int(first["transcripts"].sum())
        d = comp.assign(
            abs_t=comp["difference"].abs(),
            abs_i=((comp["codingkit_transcripts"] - comp["human_transcripts"]).abs()
                   / comp["transcripts"].where(comp["transcripts"] > 0)).fillna(0.0))
        for code, g in d.groupby("code", sort=False):
            if code in theme_ids:
                errors[code] = Error(turns_mean=float(g["abs_t"].mean()),
                                     turns_max=float(g["abs_t"].max()),
                                     interviews_mean=float(g["abs_i"].mean()),
                                     interviews_max=float(g["abs_i"].max()),
                                     groups=int(len(g)))
    validation["has_errors"] = bool(errors)
    return errors, alphas, validation
