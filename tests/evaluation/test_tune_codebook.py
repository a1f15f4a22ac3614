"""``codingkit tune``: the tuned copy keeps the codebook's comments and layout
(only threshold values differ), and too little human coding keeps the
codebook's thresholds with a warning instead of switching similarity off."""

from __future__ import annotations

import hashlib
import re

import pytest
from click.testing import CliRunner

import codingkit as ck
from codingkit.cli import cli
from codingkit.codebook import codebook_from_dict, validate_codebook
from codingkit.errors import LittleHumanCodingWarning
from codingkit.evaluation import read_human_coding
from codingkit.evaluation.cv import tune_thresholds, write_tuned_codebook


def _comments(text: str) -> list[str]:
    return [line for line in text.splitlines()
            if line.lstrip().startswith("#") or " #" in line]


def _without_thresholds(text: str) -> list[str]:
    return [line for line in text.splitlines() if not line.lstrip().startswith("threshold:")]


def test_tuned_default_codebook_keeps_every_comment_and_line(tmp_path):
    cb = ck.load_codebook()
    original = cb.path.read_text(encoding="utf-8")
    assert len(_comments(original)) >= 200
    new = {cid: round(0.1 + 0.013 * i, 4) for i, cid in enumerate(cb.codes)}
    out = write_tuned_codebook(cb, new, tmp_path / "tuned.yaml")
    tuned = out.read_text(encoding="utf-8")
    assert _comments(tuned) == _comments(original)
    # the only lines added are the threshold keys, one per tuned code
    assert _without_thresholds(tuned) == _without_thresholds(original)
    assert len(tuned.splitlines()) - len(original.splitlines()) == len(new)
    assert validate_codebook(out) == []
    again = ck.load_codebook(out)
    assert {c: again[c].threshold for c in again.codes} == new
    def content(book):
        return [(c.id, c.parent, [(r.kind, r.pattern) for r in c.rules], c.examples)
                for c in book]

    assert content(again) == content(cb)


def test_an_existing_threshold_is_replaced_in_place_with_its_comment(tmp_path):
    path = tmp_path / "kodbok.yaml"
    path.write_text('codebook:\n  id: liten\n  version: "1"\ncodes:\n'
                    "- id: a\n  label: A\n  threshold: 0.3   # valt för hand\n"
                    "  rules: [marknadsdialog]\n"
                    "- id: b\n  label: B\n  rules:\n  - behov   # ordet\n", encoding="utf-8")
    out = write_tuned_codebook(ck.load_codebook(path), {"a": 0.45, "b": 1.0},
                               tmp_path / "tuned.yaml")
    lines = out.read_text(encoding="utf-8").splitlines()
    assert re.fullmatch(r"  threshold: 0\.45 +# valt för hand", lines[6])
    assert lines[10] == "  threshold: 1.0" and lines[12] == "  - behov   # ordet"
    assert ck.load_codebook(out)["b"].threshold == 1.0


def test_a_codebook_without_a_yaml_file_is_written_afresh(tmp_path):
    cb = codebook_from_dict({"codebook": {"id": "liten", "version": "1"},
                             "codes": [{"id": "a", "label": "A", "rules": ["behov"]}]})
    out = write_tuned_codebook(cb, {"a": 0.4}, tmp_path / "tuned.yaml")
    assert ck.load_codebook(out)["a"].threshold == 0.4


INTERVIEW = ["Vi hade en marknadsdialog med leverantörerna i mars.",
             "Vi kartlade behoven hos personalen.",
             "Det regnade hela veckan."]


def _corpus(tmp_path, n: int):
    """``n`` interviews; the human coded turn 2 tidig_dialog and turn 4 behov."""
    folder = tmp_path / "intervjuer"
    folder.mkdir()
    gold = ["source,turn,code"]
    for i in range(n):
        lines = []
        for k, answer in enumerate(INTERVIEW):
            lines += [f"I: Fråga {k + 1}?", f"IP: {answer}"]
        (folder / f"{i:02d}.txt").write_text("\n\n".join(lines) + "\n", encoding="utf-8")
        gold += [f"{i:02d}.txt,2,tidig_dialog", f"{i:02d}.txt,4,behov"]
    (tmp_path / "gold.csv").write_text("\n".join(gold) + "\n", encoding="utf-8")
    return folder, tmp_path / "gold.csv"


def test_tune_on_four_interviews_warns_and_keeps_the_thresholds(tmp_path):
    folder, gold = _corpus(tmp_path, 4)
    cb_path = ck.default_codebook_path()
    before = hashlib.sha256(cb_path.read_bytes()).hexdigest()
    out = tmp_path / "tuned.yaml"
    res = CliRunner().invoke(cli, ["tune", str(folder), "--gold", str(gold), "--cv", "2",
                                   "--out", str(out)])
    assert res.exit_code == 0, res.output
    [warning] = [line for line in res.output.splitlines() if line.startswith("Warning: too")]
    assert "tidig_dialog (4 coded segments), behov (4 coded segments)" in warning
    assert "30" in warning and "--min-positives" in warning
    assert "0.20 (kept)" in res.output and "0 of 2 thresholds tuned" in res.output
    # nothing tuned: the copy is the codebook as it was
    assert out.read_bytes() == cb_path.read_bytes()
    assert hashlib.sha256(cb_path.read_bytes()).hexdigest() == before
    # in Python (a small codebook): kept, and with a lower minimum tuned
    small = tmp_path / "liten.yaml"
    small.write_text('codebook:\n  id: liten\n  version: "1"\ncodes:\n'
                     "- id: tidig_dialog\n  label: T\n  threshold: 0.35\n  rules: [marknadsdialog]\n"
                     "- id: behov\n  label: B\n  examples: [Vi kartlade behoven.]\n",
                     encoding="utf-8")
    args = (ck.read_transcripts([folder]), read_human_coding(gold))
    with pytest.warns(LittleHumanCodingWarning, match=r"tidig_dialog \(4 coded segments\)"):
        few = tune_thresholds(*args, codebook=ck.load_codebook(small), k=2)
    assert few.thresholds == {} and few.kept == {"tidig_dialog": 4, "behov": 4}
    assert list(few.table["threshold"]) == [0.35, 0.2]
    tuned = tune_thresholds(*args, codebook=ck.load_codebook(small), k=2, min_positives=4)
    assert set(tuned.thresholds) == {"tidig_dialog", "behov"} and tuned.kept == {}


def test_tune_on_transcripts_named_otherwise_names_both_sides(tmp_path):
    """The coding names 'train2/13_….txt', the folder given reads '13_….txt':
    one line naming the transcripts that were given, not "none"."""
    from pathlib import Path

    gold = Path(__file__).resolve().parents[2] / "gold"
    res = CliRunner().invoke(cli, ["tune", str(gold / "transcripts" / "train2"), "--gold",
                                   str(gold / "train2_coding.csv"), "--out",
                                   str(tmp_path / "t.yaml")])
    assert res.exit_code == 1
    line = res.output.strip()
    assert "\n" not in line and "[E606]" in line and "among the 16 given" in line
    assert "'13_verksamhet_omg1.txt'" in line and "'train2/13_verksamhet_omg1.txt'" in line
    assert not (tmp_path / "t.yaml").exists()


def test_more_folds_than_transcripts_says_how_many_can_be_used():
    from codingkit.errors import EvaluationError
    from codingkit.evaluation.cv import source_splits

    with pytest.raises(EvaluationError, match="there are 4: use at most 4 folds"):
        source_splits(["a", "b", "c", "d"], 5)
