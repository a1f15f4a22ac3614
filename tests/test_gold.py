"""The gold standard still fits codingkit's readers.

Every human-coded turn in ``gold/*_turns.csv`` must be a respondent turn
that codingkit reads with the same number, speaker label and opening
words; otherwise evaluation and learning would silently compare the wrong
turns (a change to a reader could shift every turn number of a format).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import pytest

import codingkit as ck

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "gold"


def _gold_transcripts() -> dict[str, ck.Transcript]:
    out = {t.source: t for t in ck.read_transcripts(ROOT / "transcripts")}
    for folder in sorted(p for p in (GOLD / "transcripts").iterdir() if p.is_dir()):
        for t in ck.read_transcripts(folder):
            t = dataclasses.replace(t, source=f"{folder.name}/{t.source}")
            out[t.source] = t
    return out


@pytest.fixture(scope="module")
def transcripts() -> dict[str, ck.Transcript]:
    return _gold_transcripts()


TURN_FILES = sorted(GOLD.glob("*_turns.csv"))


def test_every_set_has_its_turn_list():
    names = {p.name.split("_")[0] for p in TURN_FILES}
    assert {"syd", "ost", "heldout", "heldout2", "heldout3", "heldout4", "heldout5", "heldout6", "heldout7", "heldout8", "heldout9", "heldout10", "heldout11", "train2", "train3",
            "train4"} <= names


@pytest.mark.parametrize("turns_csv", TURN_FILES, ids=lambda p: p.name)
def test_gold_turns_match_the_readers(turns_csv, transcripts):
    rows = pd.read_csv(turns_csv, dtype=str, keep_default_na=False)
    assert len(rows) >= 40
    assert (rows["excerpt"].str.strip() != "").all()  # an empty excerpt would match anything
    bad = []
    for source, turn, speaker, excerpt in rows[["source", "turn", "speaker",
                                                "excerpt"]].itertuples(index=False):
        t = transcripts.get(source)
        if t is None:
            bad.append(f"{source}: no such transcript")
            continue
        found = [x for x in t.turns if x.number == int(turn)]
        text = t.text[found[0].start:found[0].end] if found else ""
        if not found or found[0].speaker != speaker or not text.startswith(excerpt):
            bad.append(f"{source}:{turn}")
        elif found[0].speaker_role != "respondent":
            bad.append(f"{source}:{turn} is not a respondent turn")
    assert not bad, bad[:5]


@pytest.mark.parametrize("coding_csv", sorted(GOLD.glob("*_coding.csv")), ids=lambda p: p.name)
def test_every_coded_turn_is_listed_and_uses_a_theme(coding_csv):
    turns = pd.read_csv(coding_csv.with_name(coding_csv.name.replace("_coding", "_turns")),
                        dtype=str)
    coding = pd.read_csv(coding_csv, dtype=str)
    listed = set(zip(turns.source, turns.turn))
    assert set(zip(coding.source, coding.turn)) <= listed
    assert set(coding.code) <= {c.id for c in ck.load_codebook().themes}


@pytest.mark.parametrize("marks_csv", sorted(GOLD.glob("*_marks.csv")), ids=lambda p: p.name)
def test_marked_turns_are_listed_and_never_coded_with_what_they_mimic(marks_csv):
    """``<set>_marks.csv`` (heldout4 on): a content-free turn carries no theme, a
    hard negative ``hard_negative:<code>`` does not carry ``<code>``."""
    name = marks_csv.name.replace("_marks.csv", "")
    marks = pd.read_csv(marks_csv, dtype=str)
    turns = pd.read_csv(GOLD / f"{name}_turns.csv", dtype=str)
    coding = pd.read_csv(GOLD / f"{name}_coding.csv", dtype=str)
    assert set(zip(marks.source, marks.turn)) <= set(zip(turns.source, turns.turn))
    codes = coding.groupby(["source", "turn"])["code"].agg(set).to_dict()
    themes = {c.id for c in ck.load_codebook().themes}
    for source, turn, mark in marks[["source", "turn", "mark"]].itertuples(index=False):
        got = codes.get((source, turn), set())
        if mark == "content_free":
            assert not got, (source, turn, got)
        else:
            kind, _, code = mark.partition(":")
            assert kind == "hard_negative" and code in themes, mark
            assert code not in got, (source, turn, mark)
