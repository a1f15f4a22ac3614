"""What to hand-code next: the respondent turns whose coding teaches the coder most.

:func:`suggest` codes the transcripts and scores every respondent turn ×
theme with the coder's combined score (:mod:`codingkit.coding.coder`: the
rule, similarity and learned parts on the scale where 0.5 codes). A theme
is uncertain for a turn when its score lies near that decision boundary:
``uncertainty = 1 − 2·|score − 0.5|`` (1 on the boundary, 0 at 0 or 1).
A theme's score is the highest of its code and its sub-codes.

Turns are then chosen one at a time (greedily):

* the value of a turn is its most uncertain theme's uncertainty, times
  the theme's weight: rare themes (fewest turns coded with it in these
  transcripts) weigh more, ``1 + ln((1 + most) / (1 + count))``, and a
  theme weighs less each time a chosen turn was chosen for it;
* no interview gives more than its share of turns
  (``ceil(n / interviews)``, or ``per_interview``; raised only when the
  other interviews have nothing left), and an interviewee role (the
  manifest's ``role``) weighs less each time it is chosen;
* a turn whose TF-IDF cosine to an already chosen turn is above
  ``max_similarity`` (default 0.8) is skipped: a near-duplicate teaches
  nothing new;
* turns with fewer than :data:`~codingkit.coding.features.MIN_CONTENT_WORDS`
  content words ("Ja, precis.", "Tack själv.") are never suggested: the
  coder codes them only on a rule hit.

:func:`write_review_sheet` writes the chosen turns as a workbook a
researcher fills in (0/1 per theme); :func:`codingkit.read_human_coding`
reads the filled-in workbook back as turn coding
(``codingkit apply --learn-from granska.xlsx``).
:func:`codingkit.refiqda.write_review_project` writes them as a REFI-QDA
project instead, one source per turn, to code in QualCoder or NVivo
(``--out granska.qdpx``), read back the same way.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Sequence

from .humancoding import (  # noqa: F401 - the sheet's layout, and its reader
    COMMENT_COLUMN,
    CONTEXT_COLUMNS,
    INSTRUCTIONS_SHEET,
    OFF_TOPIC_COLUMN,
    SHEET_NAME,
    THEMES_HEADING,
    read_review_sheet,
)
from .model import RESPONDENT

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pandas as pd

    from .coding.coder import Coder
    from .model import Codebook, Segment, Transcript

__all__ = ["suggest", "segment_scores", "write_review_sheet", "read_review_sheet", "Suggestions",
           "SHEET_NAME", "CONTEXT_COLUMNS", "MAX_SIMILARITY"]

#: Turns more similar than this (TF-IDF cosine) to a chosen turn are skipped.
MAX_SIMILARITY = 0.8



@dataclass
class Suggestions:
    """The turns :func:`suggest` chose, most useful first.

    Attributes
    ----------
    table:
        One row per chosen turn: ``rank, source, turn, segment_id, project,
        round, role, question, text, guess`` (the themes codingkit codes the
        turn with, comma-separated), ``theme`` (the theme it was chosen
        for), ``score`` (that theme's combined score), ``uncertainty``,
        ``start, end`` (the turn's offsets in its transcript's text) and
        ``scores`` (theme → combined score, every theme).
    themes:
        The theme ids (the codebook's top-level codes), codebook order.
    codebook:
        The codebook.
    candidates:
        How many respondent turns with content could be chosen.
    pseudonymized:
        Whether the turns come from pseudonymised texts: :func:`suggest`
        sets it when every transcript was read from a pseudonymised copy
        (``codingkit pseudonymize``). Only then are the sheet and the review
        project written inside a folder of pseudonymised results or copies
        (:func:`~codingkit.refiqda.review.check_review_location`); set it
        for transcripts pseudonymised in memory
        (:func:`~codingkit.pseudonymize.pseudonymize_for_apply`).
    """

    table: "pd.DataFrame"
    themes: list[str]
    codebook: "Codebook"
    candidates: int = 0
    options: dict[str, Any] = field(default_factory=dict)
    pseudonymized: bool = False


def segment_scores(coder: "Coder", segments: Sequence["Segment"], todo: Sequence["Segment"]
                   ) -> tuple["np.ndarray", "np.ndarray"]:
    """The combined score of every segment of ``todo`` × code and each
    segment's number of content words: :meth:`codingkit.Coder.segment_scores`."""
    return coder.segment_scores(todo, segments)


def default_coder(codebook: "Codebook | None" = None) -> "Coder":
    """The coder ``codingkit apply`` uses by default: the learned coder
    bundled with the codebook if there is one, else the codebook alone."""
    from .codebook import load_codebook
    from .coding import Coder
    from .coding.bundled import bundled_coder

    codebook = codebook if codebook is not None else load_codebook()
    coder = bundled_coder(codebook)
    return coder if coder is not None else Coder(codebook).fit()


def suggest(
    transcripts: Iterable["Transcript"],
    coder: "Coder | None" = None,
    *,
    n: int = 100,
    max_similarity: float = MAX_SIMILARITY,
    per_interview: int | None = None,
    exclude: Iterable[tuple[str, int]] = (),
) -> Suggestions:
    """Choose the ``n`` respondent turns whose hand-coding would teach the coder most.

    Parameters
    ----------
    transcripts:
        The transcripts to choose from (coded by turn).
    coder:
        The coder whose uncertainty counts; default: what ``codingkit
        apply`` codes with (:func:`default_coder`). It must code turns.
    n:
        How many turns (fewer when fewer are left after the rules below).
    max_similarity:
        A turn more similar than this (TF-IDF cosine) to a chosen one is skipped.
    per_interview:
        At most this many turns per interview (default ``ceil(n / interviews)``,
        raised only when the other interviews have nothing left to give).
    exclude:
        ``(source, turn)`` pairs already coded: neither they nor their
        near-duplicates are suggested.

    Returns
    -------
    Suggestions
    """
    import numpy as np
    import pandas as pd

    from .coding.features import MIN_CONTENT_WORDS, preceding_questions
    from .errors import CodingkitError

    if n < 1:
        raise CodingkitError(f"n must be at least 1, got {n}", code="E633")
    transcripts = list(transcripts)
    if coder is None:
        coder = default_coder()
    if coder.unit != "turn":
        raise CodingkitError(f"suggest chooses turns; the coder codes {coder.unit}s "
                             "(expected a coder with unit 'turn')", code="E633")
    if not coder.is_fitted():
        coder.fit()
    codebook = coder._codebook()
    code_ids = list(codebook.codes)
    themes = [c.id for c in codebook if c.parent is None and any(
        RESPONDENT in d.scope for d in codebook if codebook.theme_of(d.id) == c.id)]
    theme_cols = {t: [j for j, c in enumerate(code_ids) if codebook.theme_of(c) == t]
                  for t in themes}

    combined, content, codings, segments, todo = _scores_and_codings(coder, transcripts)
    guess: dict[str, list[str]] = {}
    for c in codings:
        themes_of = guess.setdefault(c.segment_id, [])
        if c.theme not in themes_of:
            themes_of.append(c.theme)
    # a theme's score: the highest of its codes
    S = np.column_stack([combined[:, theme_cols[t]].max(axis=1) for t in themes]) if todo \
        else np.zeros((0, len(themes)))
    U = np.clip(1.0 - 2.0 * np.abs(S - 0.5), 0.0, 1.0)
    counts = np.array([sum(t in guess.get(s.segment_id, ()) for s in todo) for t in themes],
                      dtype=float)
    most = counts.max() if len(counts) else 0.0
    weight = 1.0 + np.log((1.0 + most) / (1.0 + counts))

    skip = {(str(s), int(t)) for s, t in exclude}
    cand = np.flatnonzero(np.asarray(content) >= MIN_CONTENT_WORDS)
    vectors = _unit_vectors(coder, [todo[i].text for i in cand])
    # a turn coded before is not suggested again, nor are its near-duplicates
    done = np.array([(todo[i].source, todo[i].turn) in skip for i in cand], dtype=bool)
    alive = ~done
    n_candidates = int(alive.sum())
    for k in np.flatnonzero(done):
        alive &= ~((vectors @ vectors[k].T).toarray().ravel() > max_similarity)
    sources = sorted({todo[i].source for i in cand})
    cap = per_interview or max(1, math.ceil(n / max(len(sources), 1)))
    src_of = np.array([sources.index(todo[i].source) for i in cand], dtype=int) if len(cand) \
        else np.zeros(0, int)
    roles = sorted({_meta(todo[i], "role") for i in cand})
    role_of = np.array([roles.index(_meta(todo[i], "role")) for i in cand], dtype=int) \
        if len(cand) else np.zeros(0, int)
    Uc, Sc = U[cand], S[cand]
    per_src = np.zeros(len(sources), dtype=int)
    per_theme = np.zeros(len(themes))
    per_role = np.zeros(len(roles))
    theme_quota = max(1.0, n / max(len(themes), 1))
    role_quota = max(1.0, n / max(len(roles), 1))
    chosen: list[tuple[int, int]] = []  # (candidate index, theme index)
    while len(chosen) < n and alive.any():
        eligible = alive & (per_src[src_of] < cap)
        if not eligible.any():
            cap += 1  # the other interviews have nothing left
            continue
        value = Uc * (weight / (1.0 + per_theme / theme_quota))[None, :]
        best_theme = value.argmax(axis=1)
        v = value[np.arange(len(cand)), best_theme] / (1.0 + per_role[role_of] / role_quota)
        v = np.where(eligible, v + 1e-9, -1.0)  # + tiny: a certain turn still beats none
        k = int(v.argmax())
        t = int(best_theme[k])
        chosen.append((k, t))
        alive[k] = False
        per_src[src_of[k]] += 1
        per_theme[t] += 1
        per_role[role_of[k]] += 1
        sims = (vectors @ vectors[k].T).toarray().ravel()
        alive &= ~(sims > max_similarity)
    picked = [todo[cand[k]] for k, _ in chosen]
    questions = preceding_questions(segments, picked)
    rows = []
    for rank, ((k, t), seg, q) in enumerate(zip(chosen, picked, questions), start=1):
        rows.append({"rank": rank, "source": seg.source, "turn": seg.turn,
                     "segment_id": seg.segment_id, "project": _meta(seg, "project"),
                     "round": _meta(seg, "round"), "role": _meta(seg, "role"),
                     "question": q, "text": seg.text,
                     "guess": ", ".join(guess.get(seg.segment_id, ())),
                     "theme": themes[t], "score": round(float(Sc[k, t]), 4),
                     "uncertainty": round(float(Uc[k, t]), 4),
                     "start": seg.start, "end": seg.end,
                     "scores": {th: round(float(Sc[k, j]), 4) for j, th in enumerate(themes)}})
    columns = ["rank", "source", "turn", "segment_id", "project", "round", "role", "question",
               "text", "guess", "theme", "score", "uncertainty", "start", "end", "scores"]
    from .pseudonymize import texts_pseudonymized

    return Suggestions(pd.DataFrame(rows, columns=columns), themes, codebook,
                       candidates=n_candidates,
                       options={"n": n, "max_similarity": max_similarity,
                                "per_interview": per_interview},
                       pseudonymized=texts_pseudonymized(transcripts))



def _scores_and_codings(coder: "Coder", transcripts: Sequence["Transcript"]):
    """The combined score of every respondent turn × code, each turn's
    content words, the codings ``codingkit apply`` would give them, all
    segments and the respondent turns: one pass of the coding pipeline
    (the parts of :meth:`codingkit.Coder.code`, scored and decided once)."""
    from .segmenting import segment

    segments = segment(transcripts, coder.unit)
    todo = [s for s in coder._todo(segments) if s.speaker_role == RESPONDENT]
    R, hits, content, sim_scores, index, learned, _ = coder._parts(todo, segments)
    sim = sim_scores.take(index) if sim_scores is not None else None
    combined = coder._combined_scores(R, sim, learned)[0]
    # the sense and topic checks too, so that the sheet's guess is what apply codes
    sense = coder._sense_scores(todo, segments, hits, learned) if todo else None
    topic = coder._topic_scores(todo, segments, learned) if todo else None
    codings = (coder._combine(todo, R, hits, content, sim, learned, sense=sense, topic=topic)
               if todo else [])
    return combined, content, codings, segments, todo


def _meta(seg: "Segment", key: str) -> str:
    return str((seg.metadata or {}).get(key, "") or "")


def _unit_vectors(coder: "Coder", texts: Sequence[str]):
    """Row-normalised TF-IDF vectors of ``texts`` (sparse), for the near-duplicate test."""
    import numpy as np
    from scipy import sparse

    sim = coder.similarity_ or getattr(coder, "feature_similarity_", None)
    if sim is None:
        sim = coder._new_similarity().fit(coder._codebook())
    V = sparse.csr_matrix(sim.transform(list(texts)), dtype=np.float64)
    norms = np.sqrt(np.asarray(V.multiply(V).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sparse.diags(1.0 / norms) @ V


# --------------------------------------------------------------------------
# The review workbook
# --------------------------------------------------------------------------

_INSTRUCTIONS = """Så fyller du i granskningsarket

Bladet "{sheet}" har en rad per svar (tur) som codingkit vill att du kodar för hand.
Svaren är valda där codingkit är som mest osäkert, spridda över intervjuer, roller
och teman, och ordnade så att de mest lärorika kommer först: börja uppifrån och
sluta när du vill.

För varje rad:
  1. Läs intervjuarens fråga (kolumnen question) och svaret (kolumnen text).
  2. Skriv 1 i varje temakolumn vars tema svaret handlar om, och 0 i de övriga.
     Tomma celler räknas som 0 på en rad där du fyllt i minst ett tema.
  3. Kolumnen codingkit visar de teman codingkit själv skulle koda svaret med.
     Det är en gissning: koda efter kodboken, inte efter gissningen.
  4. Handlar svaret om något annat än det som utvärderas (privatliv, ett annat
     jobb, en annan organisation) fast det använder ett temas ord, som "jag har
     lärt mig sjunga" eller "budgeten för sommarstugan", skriv 1 i kolumnen
     om_annat (och 0 i temakolumnerna). codingkit lär sig då att inte koda
     sådana svar. Lämna den tom annars.
  5. Kommentarer skriver du i kolumnen comment (den läses inte av codingkit).

En rad räknas som läst när minst en temacell är ifylld (0 eller 1) eller
om_annat är 1. Rader där alla temaceller är tomma hoppas över, som om du inte hunnit till dem. Ett svar
som inte handlar om något tema kodar du därför med 0 i minst en cell.

Ändra inte kolumnerna source och turn, och lägg inte till kolumner: codingkit
hittar svaren med dem. Ta inte bort någon temakolumn, inte heller för ett tema du
inte kodar: utan sin kolumn skulle temat läsas som 0 på varje rad, så codingkit
läser inte ett ark där en temakolumn saknas. Spara som .xlsx och lär codingkit av arket:

  codingkit apply intervjuer/ --learn-from {name} --out resultat/
  codingkit evaluate intervjuer/ --gold {name}

{themes_heading}
"""


def _cell_text(value: str) -> str:
    """A text for a cell: no characters XML cannot carry, at most 32,767 characters."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    return value[:32767]


def write_review_sheet(suggestions: Suggestions, path: str | os.PathLike[str]) -> Path:
    """Write the chosen turns as a coding sheet (.xlsx), atomically.

    The first sheet (:data:`SHEET_NAME`) has a row per turn: ``source,
    turn, project, round, role, question, text, codingkit`` (the themes
    codingkit codes it with), one column per theme (empty, for 0 or 1,
    with a 0/1 list validation), ``om_annat`` (1: the turn is about
    something else than the evaluated work, though it may use a theme's
    words; see :data:`codingkit.humancoding.OFF_TOPIC_COLUMN`) and
    ``comment``. Every text is a text cell,
    never a formula. A second sheet, ``Instruktioner``, says in Swedish
    how to fill it in.

    Raises
    ------
    PseudonymError
        E808 ``path`` inside a folder of pseudonymised results or copies
        when the turns are not pseudonymised (:attr:`Suggestions.pseudonymized`,
        :func:`~codingkit.refiqda.review.check_review_location`).
    """
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    from .fileio import atomic_write_bytes

    from .refiqda.review import check_review_location

    check_review_location(path, unless=lambda: suggestions.pseudonymized)
    path = Path(path)
    themes = suggestions.themes
    codebook = suggestions.codebook
    clash = [t for t in themes if t.strip().lower() in (OFF_TOPIC_COLUMN, COMMENT_COLUMN)]
    if clash:
        from .errors import CodebookError

        raise CodebookError(
            f"theme id {clash[0]!r} is also the name of a column of the coding sheet; "
            f"expected theme ids other than {OFF_TOPIC_COLUMN} and {COMMENT_COLUMN} (write a "
            f"review project instead: --out granska.qdpx)", path=codebook.path, code="E207")
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_NAME
    header = [*CONTEXT_COLUMNS, *themes, OFF_TOPIC_COLUMN, COMMENT_COLUMN]
    ws.append(header)
    bold = Font(bold=True)
    for cell in ws[1]:
        cell.font = bold
        cell.data_type = "s"
    wrap = Alignment(wrap_text=True, vertical="top")
    top = Alignment(vertical="top")
    for r, row in enumerate(suggestions.table.itertuples(index=False), start=2):
        values = [row.source, int(row.turn), row.project, row.round, row.role, row.question,
                  row.text, row.guess]
        for j, v in enumerate(values, start=1):
            cell = ws.cell(row=r, column=j)
            if isinstance(v, int):
                cell.value = v
            else:
                cell.value = _cell_text(str(v))
                cell.data_type = "s"  # a text, never a formula (= + - @)
            cell.alignment = wrap if j in (6, 7) else top
    first_theme = len(CONTEXT_COLUMNS) + 1
    last_row = max(len(suggestions.table) + 1, 2)
    if themes:
        dv = DataValidation(type="list", formula1='"0,1"', allow_blank=True,
                            showErrorMessage=True, errorTitle="0 eller 1",
                            error="Skriv 1 om svaret handlar om temat, annars 0.")
        # the themes and om_annat (the column after them)
        dv.add(f"{get_column_letter(first_theme)}2:"
               f"{get_column_letter(first_theme + len(themes))}{last_row}")
        ws.add_data_validation(dv)
    widths = {"source": 28, "turn": 6, "project": 18, "round": 7, "role": 14,
              "question": 40, "text": 80, "codingkit": 24, COMMENT_COLUMN: 30}
    for j, name in enumerate(header, start=1):
        ws.column_dimensions[get_column_letter(j)].width = widths.get(name, max(len(name) + 2, 6))
    ws.freeze_panes = "C2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(header))}{last_row}"

    info = wb.create_sheet(INSTRUCTIONS_SHEET)
    lines = _INSTRUCTIONS.format(sheet=SHEET_NAME, name=path.name,
                                 themes_heading=THEMES_HEADING).splitlines()
    for line in lines:
        info.append([_cell_text(line)])
    for t in themes:
        code = codebook[t]
        desc = " ".join((code.description or "").split())
        info.append([_cell_text(t), _cell_text(code.label or ""), _cell_text(desc)])
    for row in info.iter_rows():
        for cell in row:
            cell.data_type = "s"
    info["A1"].font = bold
    info.column_dimensions["A"].width = 30
    info.column_dimensions["B"].width = 40
    info.column_dimensions["C"].width = 100
    buf = io.BytesIO()
    wb.save(buf)
    atomic_write_bytes(path, buf.getvalue())
    return path
