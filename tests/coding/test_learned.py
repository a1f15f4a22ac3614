"""Learning from human coding: the learned model, the score combination,
Coder.fit, cross-validation without leaks and threshold tuning."""

from __future__ import annotations

import hashlib
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codingkit.errors import CodingkitWarning

import codingkit as ck
from codingkit.coding import Coder
from codingkit.coding.coder import part
from codingkit.coding.learned import (
    MODES,
    LearnedModel,
    best_threshold,
    choose_mode,
    combine_parts,
)
from codingkit.errors import EvaluationError
from codingkit.evaluation import read_human_coding
from codingkit.evaluation.cv import (
    cross_validate,
    source_folds,
    source_splits,
    tune_thresholds,
    write_tuned_codebook,
)

CODEBOOK = """\
codebook:
  id: liten
  version: "1"
codes:
  - id: tidig_dialog
    label: Tidig marknadsdialog
    description: Kontakt med leverantörer och marknaden innan underlaget skrivs.
    rules:
      - marknadsdialog
    exclusions:
      - julmarknad*
    examples:
      - Vi bjöd in leverantörerna till en träff innan vi skrev underlaget.
      - Vi ville höra vad marknaden kunde erbjuda.
    negative_examples:
      - Vi hade en bra dialog med kollegorna på avdelningen.
  - id: behov
    label: Behov
    description: Att kartlägga och beskriva behovet, inte produkten.
    rules:
      - behovsanalys
    examples:
      - Vi började med att kartlägga vad personalen faktiskt behövde.
      - Vi beskrev funktionen, inte produkten.
"""

# respondent turns per interview: (text, codes)
DIALOG = [
    "Vi träffade leverantörerna flera gånger innan vi skrev underlaget.",
    "Företagen fick komma och berätta vad marknaden kunde erbjuda oss.",
    "Vi bjöd in företagen till ett möte för att höra vad de kunde leverera.",
    "Innan annonsen hade vi en träff med leverantörer från hela landet.",
]
NEED = [
    "Vi intervjuade personalen om vad de faktiskt behövde i vardagen.",
    "Vi kartlade behoven hos sjuksköterskorna på nattskiftet.",
    "Vi beskrev vilken funktion vi ville ha, inte vilken produkt.",
    "Personalen fick berätta vad som inte fungerade i vardagen.",
]
NONE = [
    "Mm.",
    "Jag har jobbat i kommunen i elva år.",
    "Vi hade en dialog med kollegorna om fotboll.",
    "Det regnade hela veckan i Malmö.",
    "Julmarknaden på torget var fin i år, vi bjöd in leverantörerna av glögg.",
]


def _interview(k: int) -> tuple[str, list[tuple[int, str]]]:
    turns = [(DIALOG[k], "tidig_dialog"), (NEED[k], "behov"), (NONE[k], None),
             (NONE[(k + 1) % 5], None), (NONE[4] if k % 2 else NONE[2], None)]
    lines, gold, n = [], [], 0
    for text, code in turns:
        n += 1
        lines.append(f"I: Kan du berätta mer? ({n})")
        n += 1
        lines.append(f"IP: {text}")
        if code:
            gold.append((n, code))
    return "\n\n".join(lines) + "\n", gold


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("korpus")
    rows, turns = [], []
    for k in range(4):
        text, gold = _interview(k)
        (root / "intervjuer").mkdir(exist_ok=True)
        (root / "intervjuer" / f"i{k + 1}.txt").write_text(text, encoding="utf-8")
        src = f"i{k + 1}.txt"
        rows += [{"source": src, "turn": t, "code": c} for t, c in gold]
        turns += [{"source": src, "turn": t} for t in range(2, 11, 2)]
    gold_dir = root / "gold"
    gold_dir.mkdir()
    pd.DataFrame(rows).to_csv(gold_dir / "coding.csv", index=False)
    pd.DataFrame(turns).to_csv(gold_dir / "turns.csv", index=False)
    pd.DataFrame({"source": [f"i{k}.txt" for k in range(1, 5)],
                  "split": ["dev", "dev", "dev", "test"]}).to_csv(gold_dir / "splits.csv",
                                                                 index=False)
    cb_path = root / "kodbok.yaml"
    cb_path.write_text(CODEBOOK, encoding="utf-8")
    transcripts = ck.read_transcripts([root / "intervjuer"])
    return {"root": root, "gold": gold_dir, "codebook_path": cb_path,
            "codebook": ck.load_codebook(cb_path), "transcripts": transcripts}


# --------------------------------------------------------------------------
# components
# --------------------------------------------------------------------------


def test_part_maps_the_threshold_to_one_half():
    x = np.array([0.0, 0.05, 0.1, 0.55, 1.0])
    assert part(x, 0.1).tolist() == pytest.approx([0.0, 0.25, 0.5, 0.75, 1.0])
    assert (np.diff(part(np.linspace(0, 1, 50), 0.3)) >= 0).all()


def test_best_threshold_maximises_f1():
    y = np.array([0, 0, 0, 1, 1, 1, 0, 1])
    s = np.array([0.1, 0.2, 0.3, 0.35, 0.6, 0.7, 0.65, 0.9])
    t, f1 = best_threshold(y, s)
    from sklearn.metrics import f1_score

    grid = max(f1_score(y, s >= c) for c in np.unique(s))
    assert f1 == pytest.approx(grid)
    assert f1_score(y, s >= t) == pytest.approx(f1)
    with pytest.raises(EvaluationError, match="E610"):
        best_threshold(y, s, metric="accuracy")


def test_learned_model_separates_codes_and_needs_examples():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    Y = np.column_stack([X[:, 0] > 0, np.zeros(40, bool)])
    groups = [f"s{i % 4}" for i in range(40)]
    m = LearnedModel().fit(X, Y, ["a", "b"], groups=groups)
    p = m.predict_proba(np.array([[2.0, 0, 0], [-2.0, 0, 0]]))
    assert p[0, 0] > 0.8 > 0.2 > p[1, 0]
    assert m.has_model("a") and not m.has_model("b")  # no positive for b
    assert (p[:, 1] == 0).all()
    assert 0 < m.thresholds_["a"] < 1


def test_modes_combine_on_the_half_scale_and_are_chosen_by_agreement():
    L = np.array([0.9, 0.6, 0.2, 0.4])
    c = np.array([0.0, 1.0, 1.0, 0.55])
    assert (combine_parts("blend", L, c) >= 0.5).tolist() == [False, True, True, False]
    assert (combine_parts("or", L, c) >= 0.5).tolist() == [True, True, True, True]
    assert (combine_parts("learned", L, c) >= 0.5).tolist() == [True, True, False, False]
    assert (combine_parts("codebook", L, c) >= 0.5).tolist() == [False, True, True, True]
    y = np.array([True, True, False, False, True, False])
    learned = np.array([0.9, 0.8, 0.1, 0.2, 0.7, 0.3])
    # a useless codebook part (never codes): the learned model must decide
    assert choose_mode(y, learned, 0.5, np.zeros(6)) in ("or", "learned")
    # a codebook part just at its threshold on every positive, and a learned
    # model that is always wrong: blending would lose the positives
    assert choose_mode(y, 1 - learned, 0.5, np.where(y, 0.5, 0.0)) == "codebook"
    # both perfect: the first mode wins the tie
    assert choose_mode(y, learned, 0.5, np.where(y, 1.0, 0.0)) == MODES[0] == "blend"


# --------------------------------------------------------------------------
# the Coder with similarity and learning
# --------------------------------------------------------------------------


#: The fixtures hold 3 human-coded segments per code: far fewer than the
#: default ``min_positives``, so tests of what learning does switch the
#: guard off (the guard itself is tested below).
TINY = {"min_positives": 0}


def _coded(result, segment_source, turn):
    return {c.code: c for c in result.coding_list
            if c.segment_id == f"{segment_source}:{turn}"}


def test_similarity_codes_paraphrases_with_evidence(corpus):
    rules_only = Coder(corpus["codebook"], similarity="none").code(corpus["transcripts"])
    with_sim = Coder(corpus["codebook"]).code(corpus["transcripts"])
    assert not _coded(rules_only, "i1.txt", 2)  # no rule word in the paraphrase
    c = _coded(with_sim, "i1.txt", 2).get("tidig_dialog")
    assert c is not None and c.method == "similarity" and c.score >= 0.5
    assert "nearest example" in c.evidence
    # the exclusion (julmarknad*) vetoes similarity too
    for src in ("i2.txt", "i4.txt"):
        assert "tidig_dialog" not in _coded(with_sim, src, 10)


def test_rule_and_similarity_combine_and_interviewer_is_not_coded(corpus):
    seg = ck.Segment("x.txt:2", "x.txt", 0, 62,
                     "Vi hade en marknadsdialog med leverantörerna innan underlaget.", 2)
    q = ck.Segment("x.txt:1", "x.txt", 0, 30, "Hur såg er marknadsdialog ut?", 1,
                   speaker_role="interviewer")
    res = Coder(corpus["codebook"]).code([q, seg])
    (c,) = [c for c in res.coding_list if c.code == "tidig_dialog"]
    assert c.segment_id == "x.txt:2"
    assert c.method == "combined"
    assert c.evidence.startswith("rule: term(marknadsdialog) → 'marknadsdialog' | similarity")


def test_fit_adds_learned_scores_and_never_needs_human_coding(corpus):
    human = read_human_coding(corpus["gold"]).select("dev")
    coder = Coder(corpus["codebook"], learner_options=TINY).fit(corpus["transcripts"], human)
    assert coder.learner_.codes_ == ["tidig_dialog", "behov"]
    # only the dev transcripts' respondent turns were used
    assert {sid.split(":")[0] for sid in coder.training_segment_ids_} == {
        "i1.txt", "i2.txt", "i3.txt"}
    res = coder.code(corpus["transcripts"])
    c = _coded(res, "i4.txt", 2)["tidig_dialog"]
    assert c.method == "learned" and c.evidence.startswith("learned ")
    # the evidence names the nearest segment the human coded with the code
    near = re.search(r"nearest human-coded [01]\.\d\d \((i[123]\.txt):(\d+)\): '", c.evidence)
    assert near, c.evidence
    coded = pd.read_csv(corpus["gold"] / "coding.csv")
    assert ((coded.source == near.group(1)) & (coded.turn == int(near.group(2)))
            & (coded.code == "tidig_dialog")).any()
    assert coder.provenance_ == "learned"
    # quote_learned_from=False (apply --pseudonymize): the figure, not the text learned from
    quiet = _coded(coder.set_params(quote_learned_from=False).code(corpus["transcripts"]),
                   "i4.txt", 2)["tidig_dialog"]
    expected = [part.split(" (", 1)[0] if part.startswith("nearest human-coded") else part
                for part in c.evidence.split(" | ")]
    assert quiet.evidence.split(" | ") == expected and quiet.evidence != c.evidence
    coder.set_params(quote_learned_from=True)
    # the learned model recognises an unseen need on its own (mode "learned";
    # with 3 interviews the chosen mode may as well be "blend", where the
    # codebook's low similarity holds it back)
    alone = Coder(corpus["codebook"], learner_options={**TINY, "modes": ("learned",)})
    assert "behov" in _coded(alone.fit(corpus["transcripts"], human).code(
        corpus["transcripts"]), "i4.txt", 4)
    assert res.options["learned_codes"] == ["tidig_dialog", "behov"]
    # a table of segment_id, code works as human coding too
    table = pd.DataFrame({"segment_id": ["i1.txt:2", "i2.txt:2", "i1.txt:4", "i2.txt:4"],
                          "code": ["tidig_dialog", "tidig_dialog", "behov", "behov"]})
    assert Coder(corpus["codebook"], learner_options=TINY).fit(corpus["transcripts"], table).learner_.codes_ == [
        "tidig_dialog", "behov"]
    with pytest.raises(EvaluationError, match="E609"), \
            pytest.warns(CodingkitWarning, match="human codes not in codebook liten"):
        Coder(corpus["codebook"]).fit(corpus["transcripts"], pd.DataFrame(
            {"segment_id": ["i1.txt:2"], "code": ["okänd"]}))


def test_cross_validation_never_scores_a_segment_with_a_model_that_saw_it(corpus,
                                                                         monkeypatch):
    seen: list[set[str]] = []
    scored: list[set[str]] = []
    original_fit, original_code = Coder.fit, Coder.code

    def spy_fit(self, data, human, **kw):
        out = original_fit(self, data, human, **kw)
        seen.append(set(self.training_segment_ids_))
        return out

    def spy_code(self, data, **kw):
        res = original_code(self, data, **kw)
        scored.append({s.segment_id for s in res.segment_list})
        return res

    monkeypatch.setattr(Coder, "fit", spy_fit)
    monkeypatch.setattr(Coder, "code", spy_code)
    cv = cross_validate(corpus["transcripts"], read_human_coding(corpus["gold"]),
                        codebook=corpus["codebook"], k=4,
                        coder_options={"learner_options": TINY})
    assert len(seen) == len(scored) == 4
    for trained, tested in zip(seen, scored):
        assert trained and tested and not (trained & tested)
    # every gold transcript is tested exactly once
    assert sorted(s for f in cv.folds for s in f) == ["i1.txt", "i2.txt", "i3.txt", "i4.txt"]
    assert set().union(*scored) == {s.segment_id for s in cv.result.segment_list}
    assert cv.evaluation.per_code.set_index("code").loc["tidig_dialog", "positives"] == 4


def test_source_folds_keep_transcripts_whole():
    folds = source_folds(["b", "a", "c", "d", "e"], 3)
    assert folds == [["a", "d"], ["b", "e"], ["c"]]
    with pytest.raises(EvaluationError, match="E620"):
        source_folds(["a"], 2)


@given(st.sets(st.text(min_size=1, max_size=4), min_size=2, max_size=40),
       st.integers(min_value=2, max_value=10))
@settings(max_examples=200, deadline=None)
def test_scikit_learns_splits_are_the_round_robin_folds(sources, k):
    """PredefinedSplit deals the sorted sources as the hand-written loop did
    (fold i: sorted[i::k]; training: the others in order), so every
    cross-validated figure is the same."""
    srcs = sorted(sources)
    if len(srcs) < k:
        with pytest.raises(EvaluationError, match="E620"):
            source_splits(srcs, k)
        return
    splits = source_splits(list(reversed(srcs)), k)
    assert [test for _, test in splits] == [srcs[i::k] for i in range(k)]
    assert [train for train, _ in splits] == [
        sorted(set(srcs) - set(srcs[i::k])) for i in range(k)]
    assert source_folds(srcs, k) == [srcs[i::k] for i in range(k)]


def test_tune_writes_a_copy_and_leaves_the_original_untouched(corpus, tmp_path):
    cb_path = corpus["codebook_path"]
    before = hashlib.sha256(cb_path.read_bytes()).hexdigest()
    res = tune_thresholds(corpus["transcripts"], read_human_coding(corpus["gold"]),
                          codebook=corpus["codebook"], k=2, min_positives=0)
    assert set(res.thresholds) == {"tidig_dialog", "behov"}
    assert all(0 <= t <= 1 for t in res.thresholds.values())
    assert list(res.table.columns) == ["code", "old_threshold", "threshold", "positives", "f1",
                                       "f1_cv"]
    out = write_tuned_codebook(corpus["codebook"], res.thresholds, tmp_path / "tuned.yaml")
    tuned = ck.load_codebook(out)
    assert tuned["behov"].threshold == pytest.approx(res.thresholds["behov"])
    assert tuned["tidig_dialog"].examples == corpus["codebook"]["tidig_dialog"].examples
    with pytest.raises(EvaluationError, match="E622"):
        write_tuned_codebook(corpus["codebook"], res.thresholds, cb_path, force=True)
    with pytest.raises(EvaluationError, match="E623"):
        write_tuned_codebook(corpus["codebook"], res.thresholds, out)
    assert hashlib.sha256(cb_path.read_bytes()).hexdigest() == before


# --------------------------------------------------------------------------
# optional features of the learned model
# --------------------------------------------------------------------------


def test_neighbour_scores_never_compare_a_segment_with_its_own_transcript():
    from codingkit.coding.learned import neighbour_scores

    V = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.8, 0.6]])
    Y = np.array([[True], [False], [False], [True]])
    groups = ["a", "b", "b", "c"]
    F = neighbour_scores(V, V, Y, k=1, groups=groups, ref_groups=groups)
    # row 0 (coded, source a) equals itself but may only meet b's and c's rows:
    # nearest coded neighbour is c's row (cosine 0.8), nearest uncoded b's (1.0)
    assert F[0].tolist() == pytest.approx([0.8, 0.8 - 1.0])
    # without groups it would find itself
    assert neighbour_scores(V[:1], V, Y, k=1)[0, 0] == pytest.approx(1.0)
    # k averages the k nearest
    assert neighbour_scores(V[2:3], V, Y, k=2)[0, 0] == pytest.approx((0.0 + 0.6) / 2)


def test_preceding_questions_join_a_question_cut_into_sentences():
    from codingkit.coding.coder import preceding_questions

    segs = [ck.Segment("a:1.1", "a", 0, 10, "Hur gick det?", 1, speaker_role="interviewer"),
            ck.Segment("a:1.2", "a", 11, 30, "Hade ni dialog med marknaden?", 1,
                       speaker_role="interviewer"),
            ck.Segment("a:2", "a", 31, 40, "Ja, två gånger.", 2),
            ck.Segment("a:3", "a", 41, 50, "Och behoven?", 3, speaker_role="interviewer"),
            ck.Segment("a:4", "a", 51, 60, "Dem kartlade vi.", 4),
            ck.Segment("b:1", "b", 0, 9, "Hej då.", 1)]
    assert preceding_questions(segs, segs) == [
        "", "", "Hur gick det? Hade ni dialog med marknaden?",
        "Hur gick det? Hade ni dialog med marknaden?", "Och behoven?", ""]


QUESTIONS = {"tidig_dialog": "Träffade ni leverantörerna innan ni skrev underlaget?",
             "behov": "Kartlade ni vad personalen behövde i vardagen?",
             None: "Hur länge har du jobbat i kommunen?"}
BARE = ["Ja, det gjorde vi flera gånger.", "Det tog ett halvår ungefär.",
        "Ja, absolut, det var viktigt.", "Vi gjorde det ganska tidigt."]


def _save_interviews(root, interviews, rows):
    """Write ``{file name: ["I: …", "IP: …", …]}`` and the human coding
    ``rows`` (``source, turn, code``) to ``root``; the transcripts read
    back and the coding CSV's path."""
    for name, lines in interviews.items():
        (root / name).write_text("\n\n".join(lines) + "\n", encoding="utf-8")
    pd.DataFrame(rows).to_csv(root / "kodning.csv", index=False)
    return ck.read_transcripts(sorted(root / name for name in interviews)), root / "kodning.csv"


def _scores_by_weight(codebook, transcripts, gold, option, todo, segments):
    """The learned scores of ``todo`` (context in ``segments``) after
    learning with the learner ``option`` at 0 and at 1."""
    scores = {}
    for w in (0.0, 1.0):
        coder = Coder(codebook, learner_options={option: w, **TINY}).fit(
            transcripts, read_human_coding(gold))
        assert getattr(coder.learner_, option) == w
        R, _ = coder._rule_scores([s.text for s in todo])
        scores[w] = coder.learner_.predict_proba(coder._learned_features(todo, segments, R))
    return scores


@pytest.fixture(scope="module")
def bare_answers(tmp_path_factory):
    """Interviews whose answers say nothing by themselves: only the question
    tells which theme the human coded (every answer follows every question)."""
    interviews, rows = {}, []
    for k in range(4):
        lines, n = interviews.setdefault(f"s{k}.txt", []), 0
        for m, (code, q) in enumerate(QUESTIONS.items()):
            n += 2
            lines += [f"I: {q}", f"IP: {BARE[(k + m) % 4]}"]
            if code:
                rows.append({"source": f"s{k}.txt", "turn": n, "code": code})
    return _save_interviews(tmp_path_factory.mktemp("svar"), interviews, rows)


def test_the_question_changes_the_learned_score_of_a_bare_answer(corpus, bare_answers):
    transcripts, gold = bare_answers
    answer = BARE[0]
    segs = []
    for k, code in enumerate(("tidig_dialog", "behov")):
        q = QUESTIONS[code]
        segs += [ck.Segment(f"q{k}.txt:1", f"q{k}.txt", 0, len(q), q, 1,
                            speaker_role="interviewer"),
                 ck.Segment(f"q{k}.txt:2", f"q{k}.txt", 0, len(answer), answer, 2)]
    todo = [segs[1], segs[3]]
    scores = _scores_by_weight(corpus["codebook"], transcripts, gold, "question_weight", todo, segs)
    # without the question, the same answer gets the same score
    assert scores[0.0][0] == pytest.approx(scores[0.0][1])
    # with it, the answer to the dialogue question leans to tidig_dialog,
    # the answer to the question on needs to behov
    assert scores[1.0][0, 0] > scores[1.0][1, 0] + 0.05
    assert scores[1.0][1, 1] > scores[1.0][0, 1] + 0.05
    # and the coder finds the question itself among the segments it codes
    coder = Coder(corpus["codebook"], learner_options={"question_weight": 1.0, **TINY}).fit(
        transcripts, read_human_coding(gold))
    R, _ = coder._rule_scores([s.text for s in todo])
    p = coder.learner_.predict_proba(coder._learned_features(todo, segs, R))
    j = coder.learner_.codes_.index("tidig_dialog")
    assert p[0, j] > p[1, j] + 0.05
    # but a bare answer of so few content words is coded only on a rule hit
    assert not coder.code(segs).coding_list


THEMED = {"tidig_dialog": "Vi bjöd in leverantörerna till en träff innan vi skrev underlaget.",
          "behov": "Vi kartlade vad personalen behövde i vardagen, med workshoppar.",
          None: "Jag har jobbat i kommunen i elva år nu."}


@pytest.fixture(scope="module")
def follow_ups(tmp_path_factory):
    """Interviews where a bare follow-up answer carries the theme of the
    answer before it (the questions say nothing: always "Mm?")."""
    interviews, rows = {}, []
    for k in range(4):
        lines, n = interviews.setdefault(f"u{k}.txt", []), 0
        for m, (code, answer) in enumerate(THEMED.items()):
            lines += ["I: Berätta.", f"IP: {answer}", "I: Mm?", f"IP: {BARE[(k + m) % 4]}"]
            n += 4
            if code:
                rows += [{"source": f"u{k}.txt", "turn": n - 2, "code": code},
                         {"source": f"u{k}.txt", "turn": n, "code": code}]
    return _save_interviews(tmp_path_factory.mktemp("uppfoljning"), interviews, rows)


def test_the_answer_before_changes_the_learned_score_of_a_follow_up(corpus, follow_ups):
    from codingkit.coding.coder import adjacent_answers

    transcripts, gold = follow_ups
    bare = BARE[0]
    segs = []
    for k, code in enumerate(("tidig_dialog", "behov")):
        segs += [ck.Segment(f"f{k}.txt:1", f"f{k}.txt", 0, 7, "Berätta.", 1,
                            speaker_role="interviewer"),
                 ck.Segment(f"f{k}.txt:2", f"f{k}.txt", 0, 60, THEMED[code], 2),
                 ck.Segment(f"f{k}.txt:3", f"f{k}.txt", 0, 3, "Mm?", 3,
                            speaker_role="interviewer"),
                 ck.Segment(f"f{k}.txt:4", f"f{k}.txt", 0, len(bare), bare, 4)]
    todo = [segs[3], segs[7]]
    assert adjacent_answers(segs, todo) == ([THEMED["tidig_dialog"], THEMED["behov"]],
                                            ["", ""])
    scores = _scores_by_weight(corpus["codebook"], transcripts, gold, "context_weight", todo, segs)
    # without context the same words get the same score
    assert scores[0.0][0] == pytest.approx(scores[0.0][1])
    # with it, the follow-up leans to the theme of the answer before it
    assert scores[1.0][0, 0] > scores[1.0][1, 0] + 0.05
    assert scores[1.0][1, 1] > scores[1.0][0, 1] + 0.05


def test_context_adds_two_blocks_of_the_vector_width(corpus):
    from codingkit.coding.learned import segment_features

    coder = Coder(corpus["codebook"], learner_options=TINY).fit(corpus["transcripts"],
                                          read_human_coding(corpus["gold"]).select("dev"))
    sim = coder.feature_similarity_
    texts = ["Ja, det gjorde vi."]
    R, _ = coder._rule_scores(texts)
    width = sim.transform(texts).shape[1]
    plain = segment_features(sim, texts, R)
    ctx = segment_features(sim, texts, R, context=(["Vi träffade leverantörerna."], [""]),
                           context_weight=0.5)
    assert ctx.shape[1] == plain.shape[1] + 2 * width
    before = sim.transform(["Vi träffade leverantörerna."]).toarray()[0] * 0.5
    assert ctx.toarray()[0, width:2 * width] == pytest.approx(before)
    assert not ctx.toarray()[0, 2 * width:3 * width].any()  # nothing after


def test_rule_weight_and_neighbours_shape_the_features(corpus):
    from codingkit.coding.learned import segment_features

    coder = Coder(corpus["codebook"], learner_options=TINY).fit(corpus["transcripts"],
                                          read_human_coding(corpus["gold"]).select("dev"))
    sim = coder.feature_similarity_
    texts = ["Vi hade en marknadsdialog med leverantörerna."]
    R, _ = coder._rule_scores(texts)
    assert R[0, 0] > 0
    width = sim.transform(texts).shape[1]
    k = R.shape[1]
    full = segment_features(sim, texts, R).toarray()
    assert full.shape[1] == width + 3 * k
    assert full[0, -k] == pytest.approx(R[0, 0])
    half = segment_features(sim, texts, R, rule_weight=0.5).toarray()
    assert half[0, -k] == pytest.approx(0.5 * R[0, 0])
    assert segment_features(sim, texts, R, rule_weight=0).shape[1] == width + 2 * k
    nb = np.array([[0.7, 0.2, 0.1, -0.3]])
    with_nb = segment_features(sim, texts, R, neighbours=nb, neighbour_weight=2).toarray()
    assert with_nb[0, -4:].tolist() == pytest.approx([1.4, 0.4, 0.2, -0.6])


def test_fit_with_neighbours_codes_unseen_transcripts(corpus):
    human = read_human_coding(corpus["gold"]).select("dev")
    coder = Coder(corpus["codebook"], learner_options={**TINY, "neighbours": 2, "rule_weight": 0.1,
                                                      "question_weight": 0.5}).fit(
        corpus["transcripts"], human)
    assert coder.learner_.neighbour_vectors_.shape[0] == len(coder.training_segment_ids_)
    assert coder.learner_.neighbour_labels_.sum(axis=0).tolist() == [3, 3]
    res = coder.code(corpus["transcripts"])
    assert "tidig_dialog" in _coded(res, "i4.txt", 2)
    # the learned model recognises an unseen need on its own (mode "learned";
    # with 3 interviews the chosen mode may as well be "blend", where the
    # codebook's low similarity holds it back)
    alone = Coder(corpus["codebook"], learner_options={**TINY, "modes": ("learned",)})
    assert "behov" in _coded(alone.fit(corpus["transcripts"], human).code(
        corpus["transcripts"]), "i4.txt", 4)
    assert not _coded(res, "i4.txt", 6)  # "Jag har jobbat i kommunen i elva år."


def test_seed_weight_and_rules_tuned_on_reach_the_learner(corpus, monkeypatch):
    calls = []
    original = LearnedModel.fit

    def spy(self, X, Y, codes, **kw):
        calls.append(kw)
        return original(self, X, Y, codes, **kw)

    monkeypatch.setattr(LearnedModel, "fit", spy)
    human = read_human_coding(corpus["gold"])
    n_examples = sum(len(c.examples) + len(c.negative_examples) for c in corpus["codebook"])
    Coder(corpus["codebook"], learner_options=TINY).fit(corpus["transcripts"], human)
    Coder(corpus["codebook"], learner_options={"seed_weight": 0, **TINY}).fit(
        corpus["transcripts"], human, rules_tuned_on=["i1.txt", "i2.txt"])
    default, no_seed = calls
    assert default["is_seed"].sum() == n_examples
    assert default["sample_weight"][default["is_seed"]].tolist() == [0.5] * n_examples
    assert default["choose_on"] is None
    assert no_seed["is_seed"].sum() == 0
    # the thresholds and modes are chosen on i3 and i4 only
    chosen = {g for g, c in zip(no_seed["groups"], no_seed["choose_on"]) if c}
    assert chosen == {"i3.txt", "i4.txt"}


def test_modes_can_be_restricted_and_are_checked():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(40, 3))
    Y = (X[:, :1] > 0)
    groups = [f"s{i % 4}" for i in range(40)]
    cb = np.where(Y[:, 0], 1.0, 0.0)[:, None]  # a perfect codebook part
    free = LearnedModel(min_positives=0).fit(X, Y, ["a"], groups=groups, codebook_part=cb)
    forced = LearnedModel(modes=("learned",), min_positives=0).fit(X, Y, ["a"], groups=groups, codebook_part=cb)
    assert free.modes_["a"] == "blend" and forced.modes_["a"] == "learned"
    with pytest.raises(EvaluationError, match="E612"):
        LearnedModel(modes=("mest",))


def test_choose_on_picks_the_threshold_on_the_chosen_rows_only():
    # one feature; on the tuned sources (t*) the human codes x > 0, on the
    # untuned ones (u*) only x > 1: the model is the same, the threshold
    # chosen on the untuned rows is higher
    x = np.linspace(-2, 2, 20)
    X = np.r_[x, x][:, None]
    y = np.r_[x > 0, x > 1.0]
    groups = [f"t{i % 2}" for i in range(20)] + [f"u{i % 2}" for i in range(20)]
    all_rows = LearnedModel().fit(X, y[:, None], ["a"], groups=groups)
    untuned = LearnedModel().fit(X, y[:, None], ["a"], groups=groups,
                                 choose_on=np.array([g.startswith("u") for g in groups]))
    assert untuned.thresholds_["a"] > all_rows.thresholds_["a"]
    p = untuned.predict_proba(X[20:])[:, 0]
    assert ((p >= untuned.thresholds_["a"]) == y[20:]).mean() > 0.9


def test_cross_validation_passes_fit_options_to_every_fold(corpus, monkeypatch):
    got = []
    original = Coder.fit

    def spy(self, data, human, **kw):
        got.append((set(human.sources), kw))
        return original(self, data, human, **kw)

    monkeypatch.setattr(Coder, "fit", spy)
    human = read_human_coding(corpus["gold"])
    cv = cross_validate(corpus["transcripts"], human, codebook=corpus["codebook"], k=2,
                        fit_options={"rules_tuned_on": ["i1.txt", "i2.txt"]},
                        coder_options={"learner_options": {"neighbours": 0, **TINY}})
    assert [kw for _, kw in got] == [{"rules_tuned_on": ["i1.txt", "i2.txt"]}] * 2
    # each fold trains on the other fold's transcripts only
    assert [srcs for srcs, _ in got] == [set(cv.folds[1]), set(cv.folds[0])]
    assert 0 <= cv.evaluation.macro["alpha"] <= 1


def test_neighbour_scores_in_blocks_equal_one_pass(monkeypatch):
    import codingkit.coding.features as learned

    rng = np.random.default_rng(3)
    V = rng.normal(size=(7, 4))
    V /= np.linalg.norm(V, axis=1, keepdims=True)
    Y = rng.random((5, 2)) > 0.5
    groups, ref_groups = list("aabbccd"), list("abcde")
    whole = learned.neighbour_scores(V, V[:5], Y, k=2, groups=groups, ref_groups=ref_groups)
    monkeypatch.setattr(learned, "NEIGHBOUR_BLOCK", 3)
    blocks = learned.neighbour_scores(V, V[:5], Y, k=2, groups=groups, ref_groups=ref_groups)
    assert np.allclose(whole, blocks)


def test_too_little_human_coding_keeps_the_codebook_and_warns(corpus):
    human = read_human_coding(corpus["gold"]).select("dev")
    with pytest.warns(CodingkitWarning, match=r"too little human coding to learn "
                      r"tidig_dialog \(3\), behov \(3\): these codes keep the codebook's"):
        guarded = Coder(corpus["codebook"]).fit(corpus["transcripts"], human)
    assert guarded.learner_.modes_ == {"tidig_dialog": "codebook", "behov": "codebook"}
    assert guarded.learner_.positives_ == {"tidig_dialog": 3, "behov": 3}
    # the coding is then the codebook's own
    alone = Coder(corpus["codebook"]).code(corpus["transcripts"])
    learned = guarded.code(corpus["transcripts"])
    key = lambda r: sorted((c.segment_id, c.code) for c in r.coding_list)  # noqa: E731
    assert key(learned) == key(alone)
    # with the guard lowered the codes are learned
    free = Coder(corpus["codebook"], learner_options={"min_positives": 3}).fit(
        corpus["transcripts"], human)
    assert _coded(free.code(corpus["transcripts"]), "i4.txt", 2)["tidig_dialog"].method == (
        "learned")


def test_min_positives_counts_the_rows_that_choose():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(60, 2))
    Y = np.c_[X[:, 0] > 0.8, X[:, 1] > -1]  # about 13 and 50 positives
    groups = [f"s{i % 4}" for i in range(60)]
    cb = np.zeros((60, 2))
    m = LearnedModel(min_positives=20).fit(X, Y, ["sällsynt", "vanlig"], groups=groups,
                                           codebook_part=cb)
    assert m.positives_["sällsynt"] == int(Y[:, 0].sum()) < 20
    assert m.modes_["sällsynt"] == "codebook"
    assert m.modes_["vanlig"] != "codebook"
    # a user who allows only the learned mode keeps it even then
    only = LearnedModel(min_positives=20, modes=("learned",)).fit(
        X, Y, ["sällsynt", "vanlig"], groups=groups, codebook_part=cb)
    assert only.modes_ == {"sällsynt": "learned", "vanlig": "learned"}


def test_a_saved_coder_codes_like_the_original(corpus, tmp_path, monkeypatch):
    import pickle

    import codingkit

    human = read_human_coding(corpus["gold"]).select("dev")
    coder = Coder(corpus["codebook"], learner_options=TINY).fit(corpus["transcripts"], human)
    before = coder.code(corpus["transcripts"])
    path = coder.save(tmp_path / "kodare.ckm")
    loaded = Coder.load(path)
    after = loaded.code(corpus["transcripts"])
    key = lambda r: [(c.segment_id, c.code, c.score, c.method, c.evidence)  # noqa: E731
                     for c in r.coding_list]
    assert key(after) == key(before) and any(c.method == "learned" for c in after.coding_list)
    assert loaded.learner_.thresholds_ == coder.learner_.thresholds_
    assert (loaded.provenance_, loaded.get_params()) == ("learned", coder.get_params())
    # a coder saved before provenance_ and quote_learned_from were kept loads with both
    state = coder.__getstate__()
    del state["provenance_"], state["quote_learned_from"]
    older = Coder.__new__(Coder)
    older.__setstate__(state)
    assert (older.provenance_, older.quote_learned_from) == ("learned", True)
    # not the lemma table or spaCy: the loaded coder uses this process's analyser
    from codingkit.swedish import get_analyzer
    assert loaded.feature_similarity_._analyzer is get_analyzer()
    # errors: missing file, another pickle, another version
    with pytest.raises(EvaluationError, match=r"nej\.ckm: cannot read the saved coder.*E613"):
        Coder.load(tmp_path / "nej.ckm")
    (tmp_path / "annat.ckm").write_bytes(pickle.dumps({"format": "något annat"}))
    with pytest.raises(EvaluationError, match=r"annat\.ckm: not a coder saved by codingkit"):
        Coder.load(tmp_path / "annat.ckm")
    (tmp_path / "text.ckm").write_text("I: Hej\n", encoding="utf-8")
    with pytest.raises(EvaluationError, match="E613"):
        Coder.load(tmp_path / "text.ckm")
    saved_by = codingkit.__version__
    monkeypatch.setattr(codingkit, "__version__", "9.9.9")
    with pytest.warns(CodingkitWarning, match=rf"saved by codingkit {re.escape(saved_by)}, "
                                              r"loaded by 9\.9\.9"):
        Coder.load(path)


def test_a_saved_coder_is_refused_for_another_format_or_codebook(corpus, tmp_path):
    import dataclasses
    import pickle

    coder = Coder(corpus["codebook"]).fit()
    path = coder.save(tmp_path / "kodare.ckm")
    assert Coder.load(path, codebook=corpus["codebook"]).codebook_.id == "liten"
    newer = dataclasses.replace(corpus["codebook"], version="2")
    with pytest.raises(EvaluationError, match=r"kodare\.ckm: a coder fitted for codebook "
                                              r"liten 1, not liten 2.*\[E614\]"):
        Coder.load(path, codebook=newer)
    import zlib

    from codingkit.coding.coder import _MAGIC

    payload = pickle.loads(zlib.decompress(path.read_bytes()[len(_MAGIC):]))
    payload["format"] = "codingkit-coder/1"
    (tmp_path / "gammal.ckm").write_bytes(pickle.dumps(payload))
    with pytest.raises(EvaluationError, match=r"gammal\.ckm: a coder saved by codingkit .* in "
                                              r"format codingkit-coder/1; .*learn again.*E614"):
        Coder.load(tmp_path / "gammal.ckm")
    with pytest.raises(EvaluationError, match="not fitted.*E615"):
        Coder(corpus["codebook"]).save(tmp_path / "ofitted.ckm")


# --------------------------------------------------------------------------
# learning on top of a coder's human coding (the shipped gold), in rounds
# --------------------------------------------------------------------------


def _key(result):
    return [(c.segment_id, c.code, c.score, c.method) for c in result.coding_list]


def test_learning_on_top_of_a_saved_coder_equals_learning_from_both(corpus, tmp_path):
    human = read_human_coding(corpus["gold"])
    first, later = human.select(sources=["i1.txt", "i2.txt"]), human.select(sources=["i3.txt"])
    base = Coder(corpus["codebook"], learner_options=TINY).fit(corpus["transcripts"], first)
    base = Coder.load(base.save(tmp_path / "bas.ckm"))  # a saved coder keeps what it learned from
    on_top = Coder(corpus["codebook"], learner_options=TINY).fit(
        corpus["transcripts"], later, base=base)
    both = Coder(corpus["codebook"], learner_options=TINY).fit(
        corpus["transcripts"], human.select(sources=["i1.txt", "i2.txt", "i3.txt"]))
    assert on_top.training_segment_ids_ == both.training_segment_ids_
    assert on_top.learner_.thresholds_ == both.learner_.thresholds_
    assert _key(on_top.code(corpus["transcripts"])) == _key(both.code(corpus["transcripts"]))
    # the new coding weighs more: its rows, not the base's, carry the weight
    heavy = Coder(corpus["codebook"], learner_options=TINY).fit(
        corpus["transcripts"], later, base=base, weight=4.0)
    weights = dict(zip(heavy.training_segment_ids_, heavy.training_weights_))
    assert weights["i1.txt:2"] == 1.0 and weights["i3.txt:2"] == 4.0
    assert heavy.learner_.thresholds_ != both.learner_.thresholds_


def test_a_segment_coded_again_counts_as_the_later_coding(corpus):
    human = read_human_coding(corpus["gold"])
    first = human.select(sources=["i1.txt", "i2.txt", "i3.txt"])
    base = Coder(corpus["codebook"], learner_options=TINY).fit(corpus["transcripts"], first)
    assert base.training_codes_[base.training_segment_ids_.index("i1.txt:2")] == ["tidig_dialog"]
    # a second round reads i1 turn 2 and codes it behov instead
    again = pd.DataFrame({"segment_id": ["i1.txt:2"], "code": ["behov"]})
    for fitted in (Coder(corpus["codebook"], learner_options=TINY).fit(
                       corpus["transcripts"], again, base=base),
                   Coder(corpus["codebook"], learner_options=TINY).fit(
                       corpus["transcripts"], [first, read_human_coding_of(again)])):
        ids = fitted.training_segment_ids_
        assert ids.count("i1.txt:2") == 1
        assert fitted.training_codes_[ids.index("i1.txt:2")] == ["behov"]


def read_human_coding_of(table):
    from codingkit.humancoding import HumanCoding

    return HumanCoding("segment", table)


def test_learning_on_top_needs_a_coder_that_kept_its_human_coding(corpus):
    import dataclasses

    human = read_human_coding(corpus["gold"]).select(sources=["i3.txt"])
    with pytest.raises(EvaluationError, match=r"keeps no human-coded training texts.*E616"):
        Coder(corpus["codebook"]).fit(corpus["transcripts"], human,
                                      base=Coder(corpus["codebook"]).fit())
    base = Coder(corpus["codebook"], learner_options=TINY).fit(
        corpus["transcripts"], read_human_coding(corpus["gold"]).select("dev"))
    other = dataclasses.replace(corpus["codebook"], version="2")
    with pytest.raises(EvaluationError, match=r"fitted for codebook liten 1, not liten 2.*E616"):
        Coder(other).fit(corpus["transcripts"], human, base=base)


def test_weights_choose_the_threshold_and_the_mode():
    y = np.array([1, 1, 0, 0, 0], bool)
    s = np.array([0.9, 0.4, 0.5, 0.1, 0.2])
    assert best_threshold(y, s)[0] == pytest.approx(0.3)
    # the negative at 0.5 weighs more than the positive at 0.4: leaving both out pays
    assert best_threshold(y, s, sample_weight=np.array([1, 1, 5, 1, 1]))[0] == pytest.approx(0.7)
    oof, cb = np.array([0.9, 0.9, 0.1, 0.1]), np.array([0.0, 1.0, 1.0, 0.0])
    yy = np.array([1, 0, 1, 0], bool)
    assert choose_mode(yy, oof, 0.5, cb, modes=("learned", "codebook")) == "learned"
    assert choose_mode(yy, oof, 0.5, cb, modes=("learned", "codebook"),
                       sample_weight=np.array([1, 1, 3, 1])) == "codebook"


def test_training_rule_scores_are_remembered_by_the_codebooks_content():
    """Fits on top of the same gold score its turns once per process, and a
    codebook changed in memory (same file, same sha256) is scored anew."""
    import dataclasses

    from codingkit.codebook import load_codebook
    from codingkit.coding import coder as coder_module

    texts = ["Vi bjöd in leverantörerna till en dialog innan upphandlingen.",
             "Behovet var oklart, så vi gjorde en behovsanalys.", "Tack, hej."]
    cb = load_codebook(None)
    coder_module._FIT_RULE_ROWS.clear()
    c = Coder(cb, similarity="none")
    fresh = c._rule_scores(texts)[0]
    assert np.array_equal(c._fit_rule_scores(texts), fresh)
    assert np.array_equal(c._fit_rule_scores(texts[::-1]), fresh[::-1])  # remembered
    assert fresh[0].max() > 0 and fresh[2].max() == 0
    # the same codebook without its dialogue rules: not the remembered rows
    code = next(x for x in cb if x.rules and fresh[0][list(cb.codes).index(x.id)] > 0)
    changed = dataclasses.replace(cb, codes={**cb.codes,
                                             code.id: dataclasses.replace(code, rules=[])})
    assert changed.sha256 == cb.sha256
    other = Coder(changed, similarity="none")
    assert np.array_equal(other._fit_rule_scores(texts), other._rule_scores(texts)[0])
    assert not np.array_equal(other._fit_rule_scores(texts), fresh)


def test_remembered_rule_scores_past_their_bound_are_scored_anew(monkeypatch):
    from codingkit.codebook import load_codebook
    from codingkit.coding import coder as coder_module

    monkeypatch.setattr(coder_module, "_FIT_RULE_ROWS_MAX", 3)
    coder_module._FIT_RULE_ROWS.clear()
    c = Coder(load_codebook(None), similarity="none")
    first = ["Vi bjöd in leverantörerna.", "Behovet var oklart.", "Tack."]
    second = ["Ja.", "Vi gjorde en behovsanalys.", "Tack."]
    assert np.array_equal(c._fit_rule_scores(first), c._rule_scores(first)[0])
    assert np.array_equal(c._fit_rule_scores(second), c._rule_scores(second)[0])
    assert c._fit_rule_scores([]).shape == (0, len(c._codebook().codes))


def _neighbours_exhaustive(V, R, Y, k, groups=None, ref_groups=None):
    """neighbour_scores by brute force: sort every reference for every text."""
    sims = V @ R.T
    if groups is not None:
        sims = np.where(np.asarray(groups)[:, None] == np.asarray(ref_groups)[None, :],
                        -np.inf, sims)
    n, m = sims.shape[0], Y.shape[1]
    out, near, cos = np.zeros((n, 2 * m)), np.full((n, m), -1), np.zeros((n, m))
    for i in range(n):
        for j in range(m):
            means = []
            for cols in (np.flatnonzero(Y[:, j]), np.flatnonzero(~Y[:, j])):
                top = sorted(sims[i, cols], reverse=True)[:k]
                top = [t for t in top if np.isfinite(t)]
                means.append(sum(top) / len(top) if top else 0.0)
            out[i, 2 * j], out[i, 2 * j + 1] = means[0], means[0] - means[1]
            pos = np.flatnonzero(Y[:, j])
            if len(pos) and np.isfinite(sims[i, pos].max()):
                best = pos[np.argmax(sims[i, pos])]     # the first of equals
                near[i, j], cos[i, j] = best, sims[i, best]
    return out, near, cos


@pytest.mark.parametrize("candidates", [2, 5, 48])
def test_neighbour_scores_equal_an_exhaustive_search(monkeypatch, candidates):
    """Reading the k nearest off each text's nearest candidates gives what a
    search of all references gives: with ties (rounded cosines), own-source
    references left out, a rare code (fewer coded references among the
    candidates than k) and a code on almost every reference."""
    import codingkit.coding.features as features

    monkeypatch.setattr(features, "NEIGHBOUR_CANDIDATES", candidates)
    rng = np.random.default_rng(11)
    V = np.round(rng.random((40, 6)), 1)
    R = np.round(rng.random((30, 6)), 1)
    Y = np.zeros((30, 3), dtype=bool)
    Y[[4, 17], 0] = True                       # rare
    Y[rng.random(30) < 0.5, 1] = True
    Y[:, 2] = True
    Y[0, 2] = False                            # almost every reference
    groups, ref_groups = list(rng.choice(list("abcd"), 40)), list(rng.choice(list("abcde"), 30))
    for g, rg in ((None, None), (groups, ref_groups)):
        got, near, cos = features.neighbour_scores(V, R, Y, k=3, groups=g, ref_groups=rg,
                                                   nearest=True)
        want, want_near, want_cos = _neighbours_exhaustive(V, R, Y, 3, g, rg)
        assert np.allclose(got, want, rtol=0, atol=1e-12)
        assert (near == want_near).all() and (cos == want_cos).all()


def test_a_saved_coder_codes_without_importing_scikit_learn(tmp_path):
    """Loading and coding with a saved learned coder scores with its saved
    coefficients (as LogisticRegression does), not by importing scikit-learn."""
    import subprocess
    import sys

    from codingkit.coding.bundled import bundled_paths

    script = (
        "import sys, codingkit as ck\n"
        "from codingkit.coding.bundled import bundled_coder\n"
        "r = bundled_coder().code(ck.read_transcripts(sys.argv[1]))\n"
        "assert any(c.method == 'learned' for c in r.coding_list)\n"
        "print('sklearn' in sys.modules)\n")
    root = bundled_paths()[0].parents[3]
    out = subprocess.run([sys.executable, "-c", script, str(root / "transcripts" / "syd")],
                         capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_cross_validation_on_transcripts_named_otherwise_says_how(tmp_path):
    """Coding that names 'heldout3/49.txt' against transcripts read as
    '49.txt' is E606 (both names shown), not 'there are 0 transcripts'."""
    from codingkit.evaluation import cross_validate, read_human_coding
    from codingkit.model import Transcript, Turn

    text = "I: Fråga?\nIP: Vi bjöd in leverantörerna.\n"
    transcripts = [Transcript(f"{k}.txt", text, turns=[Turn(1, 3, 9, speaker="I"),
                                                       Turn(2, 14, len(text) - 1, speaker="IP")])
                   for k in range(4)]
    gold = tmp_path / "g.csv"
    gold.write_text("source,turn,code\n" + "".join(f"mapp/{k}.txt,2,tidig_dialog\n"
                                                   for k in range(4)), encoding="utf-8")
    with pytest.raises(EvaluationError, match=r"no transcript the human coded is among the 4 "
                                              r"given.*'mapp/0.txt'.*'0.txt'.*\[E606\]"):
        cross_validate(transcripts, read_human_coding([gold]), k=2)
