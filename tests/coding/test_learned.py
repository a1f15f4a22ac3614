"""Learning from human coding: the learned model, the score combination,
Coder.fit, cross-validation without leaks and threshold tuning."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pytest

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
    coder = Coder(corpus["codebook"]).fit(corpus["transcripts"], human)
    assert coder.learner_.codes_ == ["tidig_dialog", "behov"]
    # only the dev transcripts' respondent turns were used
    assert {sid.split(":")[0] for sid in coder.training_segment_ids_} == {
        "i1.txt", "i2.txt", "i3.txt"}
    res = coder.code(corpus["transcripts"])
    c = _coded(res, "i4.txt", 2)["tidig_dialog"]
    assert c.method == "learned" and c.evidence.startswith("learned ")
    assert "behov" in _coded(res, "i4.txt", 4)
    assert res.options["learned_codes"] == ["tidig_dialog", "behov"]
    # a table of segment_id, code works as human coding too
    table = pd.DataFrame({"segment_id": ["i1.txt:2", "i2.txt:2", "i1.txt:4", "i2.txt:4"],
                          "code": ["tidig_dialog", "tidig_dialog", "behov", "behov"]})
    assert Coder(corpus["codebook"]).fit(corpus["transcripts"], table).learner_.codes_ == [
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
                        codebook=corpus["codebook"], k=4)
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


def test_tune_writes_a_copy_and_leaves_the_original_untouched(corpus, tmp_path):
    cb_path = corpus["codebook_path"]
    before = hashlib.sha256(cb_path.read_bytes()).hexdigest()
    res = tune_thresholds(corpus["transcripts"], read_human_coding(corpus["gold"]),
                          codebook=corpus["codebook"], k=2)
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
