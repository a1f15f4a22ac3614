"""The topic check: a learned coding of a turn about something else than the
evaluated work (private life in a theme's words) is dropped; turns about
the work keep their codings. Real data: the coder shipped with the default
codebook, and coders learned here from the gold set ``heldout4`` and its
marked traps (see ``codingkit.coding.topic``).

The traps below were written for this test (not taken from any gold set):
talk about a choir, a bathroom renovation, a daughter's handball team and
an old dog's medicine, each in a theme's words.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import codingkit as ck
from codingkit.cli import cli
from codingkit.coding.bundled import bundled_coder
from codingkit.coding.topic import MIN_OFF_TOPIC, MIN_WORDS, TopicCheck, topic_features
from codingkit.errors import EvaluationError, LittleHumanCodingWarning
from codingkit.evaluation import read_human_coding

ROOT = Path(__file__).resolve().parents[2]

#: private life in a theme's words, each after the interviewer's question
TRAPS = {
    "kor.txt": ("Och på fritiden, vad gör du då?",
                "Jag sjunger i kör, i domkyrkan. Vi fick en ny dirigent i höstas och hon har lärt "
                "oss att andas på ett helt annat sätt, jag har lärt mig mer på tre månader än på "
                "tio år innan. Och nu ska vi lära oss ett helt nytt verk till våren, det blir en "
                "utmaning för oss alla."),
    "badrum.txt": ("Har ni hunnit med någon semester?",
                "Nej, vi har renoverat badrummet hela sommaren. Budgeten sprack förstås, "
                "hantverkarna hittade mögel bakom kaklet, så pengarna vi hade sparat till resan "
                "gick åt till det i stället. Vi fick låna lite av banken, men ekonomin är "
                "ansträngd nu, det är den."),
    "handboll.txt": ("Har du barn?",
                "Två, en son på nio och en dotter på tolv. Dottern har precis börjat med "
                "handboll, och vi föräldrar har haft en dialog med tränarna om hur många matcher "
                "de ska spela innan jul. Vi träffade dem innan säsongen och fick höra vad de "
                "tänkte, innan vi bestämde något."),
    "hunden.txt": ("Och hunden jag hörde nyss?",
                "Hon är tolv nu, och veterinären satte in en ny medicin för lederna i våras. "
                "Effekten kom efter en vecka, och vi har följt upp det noga, nu springer hon i "
                "trapporna igen. Resultatet blev mycket bättre än vi hade trott."),
}


def _codes(result) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for c in result.coding_list:
        out.setdefault(c.segment_id, set()).add(c.code)
    return out


def _coder(on: bool):
    coder = bundled_coder()
    coder.set_params(topic_check=on)
    return coder


@pytest.fixture(scope="module")
def traps(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("fritid")
    for name, (question, answer) in TRAPS.items():
        (folder / name).write_text(f"I: {question}\nIP: {answer}\n", encoding="utf-8")
    return folder


def _marked(name: str) -> tuple[list, object, list[str]]:
    """A gold set's transcripts, human coding and the turns it marks as a
    theme's words about something else."""
    transcripts = [t for t in ck.read_transcripts(ROOT / "gold" / "transcripts")
                   if t.source.startswith(name + "/")]
    human = read_human_coding([ROOT / "gold" / f"{name}_coding.csv",
                               ROOT / "gold" / f"{name}_turns.csv"])
    marks = pd.read_csv(ROOT / "gold" / f"{name}_marks.csv", dtype=str)
    off = [f"{s}:{int(t)}" for s, t, m in zip(marks.source, marks.turn, marks.mark)
           if m.startswith("hard_negative:")]
    return transcripts, human, off


@pytest.fixture(scope="module")
def heldout4_coder():
    """A coder learned from heldout4 (8 interviews) and its marked traps."""
    transcripts, human, off = _marked("heldout4")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ck.CodingkitWarning)
        return ck.Coder().fit(transcripts, human, off_topic=off)


# -- the shipped coder -------------------------------------------------------

def test_the_shipped_coder_has_a_topic_check():
    coder = bundled_coder()
    assert isinstance(coder.topic_check_, TopicCheck)
    assert coder.topic_check_.n_else_ >= 200 and coder.topic_check_.n_about_ >= 2000


def test_private_life_in_a_themes_words_is_not_coded(traps):
    transcripts = ck.read_transcripts(traps)
    without = _codes(_coder(False).code(transcripts))
    checked = _codes(_coder(True).code(transcripts))
    assert checked == {}, checked
    # without the check the coder codes some of them: the check did the work
    # (the sense check alone drops the choir and the bathroom: learned under 0.6)
    assert without, without
    no_checks = _coder(False).set_params(sense_check=False).code(transcripts)
    assert len(_codes(no_checks)) >= 3, _codes(no_checks)


def test_turns_about_the_work_keep_their_codings():
    """Every coding of two sample interviews stays (the whole sample corpus:
    benchmarks/RESULTS.md), and a kept learned coding says its topic score."""
    sample = ck.read_transcripts([ROOT / "transcripts" / "syd" / "01_projektledare_omg1.txt",
                                  ROOT / "transcripts" / "ostergotland"
                                  / "05_upphandlare_omg1.txt"])
    on, off = _coder(True).code(sample), _coder(False).code(sample)
    assert [(c.segment_id, c.code, c.score) for c in on.coding_list] == \
        [(c.segment_id, c.code, c.score) for c in off.coding_list]
    assert len(on.coding_list) > 20
    words = {s.segment_id: len(s.text.split()) for s in on.segment_list}
    learned = [c for c in on.coding_list if c.method == "learned"]
    long_ones = [c.evidence for c in learned if words[c.segment_id] >= MIN_WORDS]
    assert long_ones and all("topic check: " in e and "about the evaluated work" in e
                             for e in long_ones)
    # a shorter turn says too little for the check: not judged
    assert not [c for c in learned if words[c.segment_id] < MIN_WORDS
                and "topic check" in c.evidence]
    assert on.options["topic_check"] is True and off.options["topic_check"] is False


def test_the_check_does_not_depend_on_what_is_coded_beside_it(traps):
    sample = ck.read_transcripts(ROOT / "transcripts" / "syd" / "01_projektledare_omg1.txt")
    mine = ck.read_transcripts(traps)
    alone = _coder(True).code(sample)
    together = _coder(True).code([*mine, *sample])
    rows = [(c.segment_id, c.code, c.score, c.evidence) for c in together.coding_list
            if c.segment_id.startswith("01_")]
    assert rows == [(c.segment_id, c.code, c.score, c.evidence) for c in alone.coding_list]


def test_apply_no_topic_check_keeps_the_codings_and_says_so(traps, tmp_path):
    for flag, expected in (([], False), (["--no-topic-check"], True)):
        out = tmp_path / f"res{len(flag)}"
        r = CliRunner().invoke(cli, ["apply", str(traps), "--out", str(out), *flag])
        assert r.exit_code == 0, r.output
        codings = pd.read_csv(out / "codings.csv")
        assert (len(codings) > 0) is expected
        options = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["options"]
        assert options["topic_check"] is (not expected)


def test_suggest_guesses_what_apply_codes(traps):
    from codingkit.suggest import suggest

    transcripts = ck.read_transcripts(traps)
    for on in (True, False):
        table = suggest(transcripts, _coder(on), n=len(TRAPS)).table
        guesses = {f"{s}:{t}": {g.strip() for g in str(g or "").split(",") if g.strip()}
                   for s, t, g in zip(table["source"], table["turn"], table["guess"])}
        coded = _codes(_coder(on).code(transcripts))
        assert {k: v for k, v in guesses.items() if v} == coded, on


# -- learning a check ----------------------------------------------------------

def test_a_check_is_learned_from_the_marked_turns(heldout4_coder):
    """Learned from heldout4, it tells heldout5's coded turns from its marked
    traps far better than chance."""
    from sklearn.metrics import roc_auc_score

    check = heldout4_coder.topic_check_
    _, human4, off4 = _marked("heldout4")
    coded4 = set(human4.codings["source"] + ":" + human4.codings["turn"].astype(str))
    assert check.n_else_ == len(set(off4) - coded4) >= MIN_OFF_TOPIC
    transcripts, human, off = _marked("heldout5")
    segments = {s.segment_id: s for s in ck.segmenting.segment(transcripts)}
    from codingkit.coding.features import preceding_questions

    coded = sorted(set(human.codings["source"] + ":" + human.codings["turn"].astype(str)))
    traps = sorted(set(off) - set(coded))
    todo = [segments[s] for s in coded + traps]
    X = topic_features(heldout4_coder.feature_similarity_, [s.text for s in todo],
                       preceding_questions(list(segments.values()), todo))
    p = check.about_the_work(X)
    y = np.r_[np.ones(len(coded)), np.zeros(len(traps))]
    assert roc_auc_score(y, p) > 0.8


def test_too_few_marked_turns_warn_and_learn_no_check():
    transcripts, human, off = _marked("heldout4")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        coder = ck.Coder().fit(transcripts, human, off_topic=off[:5])
    assert coder.topic_check_ is None
    assert any(isinstance(w.message, LittleHumanCodingWarning)
               and "about something else" in str(w.message) for w in caught)


def test_a_marked_turn_the_coding_did_not_read_is_refused():
    transcripts, human, off = _marked("heldout4")
    with pytest.raises(EvaluationError) as err:
        ck.Coder().fit(transcripts, human, off_topic=[*off, "heldout4/nowhere.txt:3"])
    assert err.value.code == "E617" and "heldout4/nowhere.txt:3" in str(err.value)


def test_learning_on_top_learns_the_check_again_and_saving_keeps_it(heldout4_coder, tmp_path, traps):
    transcripts = [t for t in ck.read_transcripts(ROOT / "transcripts")
                   if t.source.startswith("syd/01_")]
    human = read_human_coding(ROOT / "gold" / "syd_coding.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ck.CodingkitWarning)
        on_top = ck.Coder().fit(transcripts, human, base=heldout4_coder)
    # learned again with the new coder's vocabulary, from the same marked turns
    assert on_top.topic_check_ is not heldout4_coder.topic_check_
    assert on_top.topic_check_.else_texts_ == heldout4_coder.topic_check_.else_texts_
    assert on_top.topic_check_.n_about_ > heldout4_coder.topic_check_.n_about_
    path = on_top.save(tmp_path / "coder.ckm")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ck.CodingkitWarning)
        loaded = ck.Coder.load(path)
    mine = ck.read_transcripts(traps)
    assert [(c.segment_id, c.code, c.evidence) for c in loaded.code(mine).coding_list] == \
        [(c.segment_id, c.code, c.evidence) for c in on_top.code(mine).coding_list]
    assert loaded.topic_check_.n_else_ == heldout4_coder.topic_check_.n_else_


def test_a_coder_saved_before_the_check_codes_as_before():
    coder = bundled_coder()
    state = coder.__getstate__()
    state.pop("topic_check", None)
    state.pop("topic_check_", None)
    old = ck.Coder.__new__(ck.Coder)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        old.__setstate__(state)
    assert old.get_params()["topic_check"] is True and old.topic_check_ is None
    assert old._topic_check_on() is False


def test_a_short_turn_is_not_judged(tmp_path):
    """Under MIN_WORDS words a turn says too little for the check: this one
    scores 0.48 after this question, and keeps its coding."""
    (tmp_path / "kort.txt").write_text(
        "I: Hur gick det med samverkan?\n"
        "IP: Samverkan med grannkommunen fungerade ganska bra ändå.\n", encoding="utf-8")
    result = _coder(True).code(ck.read_transcripts(tmp_path))
    assert _codes(result) == {"kort.txt:2": {"samverkan"}}
    assert "topic check" not in result.coding_list[0].evidence


def test_marks_in_the_human_coding_teach_the_check(heldout4_coder, tmp_path):
    """The marks CSV of the human coding (or a coding sheet's om_annat) gives
    the turns about something else, as off_topic= does; learning on top adds
    the new marks to the old."""
    human = read_human_coding([ROOT / "gold" / "heldout4_coding.csv",
                               ROOT / "gold" / "heldout4_turns.csv",
                               ROOT / "gold" / "heldout4_marks.csv"])
    transcripts, _, _ = _marked("heldout4")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ck.CodingkitWarning)
        coder = ck.Coder().fit(transcripts, human)
    assert coder.topic_check_.n_else_ == heldout4_coder.topic_check_.n_else_
    np.testing.assert_allclose(coder.topic_check_.coef_, heldout4_coder.topic_check_.coef_)
    # (source, turn) pairs, as HumanCoding.off_topic gives them, are segment ids
    with pytest.raises(EvaluationError, match=r"'heldout4/nowhere\.txt:3'.*\[E617\]"):
        ck.Coder().fit(transcripts, human, off_topic=[*human.off_topic[:2],
                                                      ("heldout4/nowhere.txt", 3)])
    # a round of the user's own: two turns of syd/01 marked as about something else
    sample = [t for t in ck.read_transcripts(ROOT / "transcripts")
              if t.source.startswith("syd/01_")]
    (tmp_path / "c.csv").write_text("source,turn,code\nsyd/01_projektledare_omg1.txt,4,behov\n",
                                    encoding="utf-8")
    (tmp_path / "m.csv").write_text("source,turn,mark\nsyd/01_projektledare_omg1.txt,2,om_annat\n"
                                    "syd/01_projektledare_omg1.txt,6,om_annat\n"
                                    "syd/01_projektledare_omg1.txt,4,\n", encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ck.CodingkitWarning)
        on_top = ck.Coder().fit(sample, read_human_coding([tmp_path / "c.csv",
                                                           tmp_path / "m.csv"]),
                                base=heldout4_coder)
    assert on_top.topic_check_.n_else_ == heldout4_coder.topic_check_.n_else_ + 2


def test_turns_marked_again_on_top_count_once(heldout4_coder):
    """Learning on top of a coder from the same marked turns again: each turn
    about something else counts once (the new reading replaces the old)."""
    transcripts, human, off = _marked("heldout4")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ck.CodingkitWarning)
        again = ck.Coder().fit(transcripts, human, off_topic=off, base=heldout4_coder)
    assert again.topic_check_.n_else_ == heldout4_coder.topic_check_.n_else_
    assert sorted(again.topic_check_.else_ids_) == sorted(heldout4_coder.topic_check_.else_ids_)


def test_learning_on_top_from_coding_without_marks_keeps_the_base_marks(heldout4_coder):
    """A coding that cannot mark (a CSV of codes) re-reading the base's marked
    turns keeps them as about something else, unless it codes them."""
    transcripts, human, off = _marked("heldout4")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ck.CodingkitWarning)
        again = ck.Coder().fit(transcripts, human, base=heldout4_coder)
    assert sorted(again.topic_check_.else_ids_) == sorted(heldout4_coder.topic_check_.else_ids_)


def test_a_marks_csv_is_not_a_list_of_every_turn_read():
    """A marks CSV names some turns: given with a coding alone, the turns
    read stay every respondent turn of the coded transcripts."""
    plain = read_human_coding(ROOT / "gold" / "heldout4_coding.csv")
    marked = read_human_coding([ROOT / "gold" / "heldout4_coding.csv",
                                ROOT / "gold" / "heldout4_marks.csv"])
    assert plain.turns is None and marked.turns is None
    assert len(marked.off_topic) >= MIN_OFF_TOPIC


def test_the_manifest_option_tells_off_from_none_learned(tmp_path):
    """options.topic_check: true (on), false (--no-topic-check), null (the
    coder learned no check: from human coding without marks)."""
    transcripts = [t for t in ck.read_transcripts(ROOT / "transcripts")
                   if t.source.startswith("syd/01_")]
    human = read_human_coding(ROOT / "gold" / "syd_coding.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ck.CodingkitWarning)
        plain = ck.Coder(learner_options={"min_positives": 0}).fit(transcripts, human)
    assert plain.topic_check_ is None
    assert plain.code(transcripts).options["topic_check"] is None
    assert _coder(True).code(transcripts).options["topic_check"] is True
    assert _coder(False).code(transcripts).options["topic_check"] is False
