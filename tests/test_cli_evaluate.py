"""The ``evaluate`` and ``tune`` commands."""

from __future__ import annotations

import hashlib
import json

import pandas as pd
from click.testing import CliRunner

from codingkit.cli import cli

CODEBOOK = """\
codebook:
  id: liten
  version: "1"
codes:
  - id: tidig_dialog
    label: Tidig marknadsdialog
    rules:
      - marknadsdialog
      - term: leverantör*
    examples:
      - Vi bjöd in leverantörerna till en träff innan vi skrev underlaget.
  - id: behov
    label: Behov
    rules:
      - behov
    examples:
      - Vi började med att kartlägga vad personalen faktiskt behövde.
"""

INTERVIEWS = {
    "a.txt": ["Vi hade en marknadsdialog med leverantörerna i mars.",
              "Vi kartlade behoven hos personalen.",
              "Leverantören av kaffe kom för sent."],
    "b.txt": ["Vi bjöd in leverantörerna till en träff.",
              "Det regnade hela veckan.",
              "Behovet av fler anställda var stort."],
}
# the human: a.txt turn 2 and b.txt turn 2 are tidig_dialog, a.txt turn 4 behov
GOLD = "source,turn,code\na.txt,2,tidig_dialog\nb.txt,2,tidig_dialog\na.txt,4,behov\n"


def _setup(tmp_path):
    folder = tmp_path / "intervjuer"
    folder.mkdir()
    for name, answers in INTERVIEWS.items():
        lines = []
        for k, answer in enumerate(answers):
            lines += [f"I: Fråga {k + 1}?", f"IP: {answer}"]
        (folder / name).write_text("\n\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "gold.csv").write_text(GOLD, encoding="utf-8")
    (tmp_path / "kodbok.yaml").write_text(CODEBOOK, encoding="utf-8")
    return folder


def test_evaluate_codes_and_prints_the_table(tmp_path):
    folder = _setup(tmp_path)
    runner = CliRunner()
    res = runner.invoke(cli, ["evaluate", str(folder), "--gold", str(tmp_path / "gold.csv"),
                              "--codebook", str(tmp_path / "kodbok.yaml"),
                              "--similarity", "none", "--out", str(tmp_path / "ut")])
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    assert lines[0] == ("Agreement with human coding (codebook liten 1, similarity none; "
                        "6 turns):")
    assert lines[1].split() == ["code", "positives", "predicted", "precision", "recall", "f1",
                                "kappa", "alpha"]
    # tidig_dialog: the coffee supplier is a false positive; behov: "Behovet av fler
    # anställda" is a false positive
    row = next(line for line in lines if line.startswith("tidig_dialog")).split()
    assert row[1:3] == ["2", "3"]
    assert "2 false positives, 0 false negatives." in res.output
    dis = pd.read_csv(tmp_path / "ut" / "disagreements.csv")
    assert set(dis["kind"]) == {"FP"}
    assert "kaffe" in " ".join(dis["text"])
    data = json.loads((tmp_path / "ut" / "agreement.json").read_text(encoding="utf-8"))
    assert [r["code"] for r in data["per_code"]] == ["tidig_dialog", "behov"]
    # how the figures were made
    assert data["options"]["similarity"] == "none" and data["options"]["cv"] is None
    assert data["options"]["evaluated"] == "codebook liten 1, similarity none"
    assert data["options"]["paths"] == [str(folder)]


def test_evaluate_compares_theme_frequencies(tmp_path):
    folder = _setup(tmp_path)
    args = ["evaluate", str(folder), "--gold", str(tmp_path / "gold.csv"),
            "--codebook", str(tmp_path / "kodbok.yaml"), "--similarity", "none"]
    res = CliRunner().invoke(cli, [*args, "--by", "source", "--out", str(tmp_path / "ut")])
    assert res.exit_code == 0, res.output
    table = res.output.split("how far codingkit's share is off per source (2 groups; "
                             "percentage points):\n")[1].splitlines()
    assert table[0].split() == ["code", "human", "codingkit", "mean", "|diff|", "max",
                                "|diff|"]
    # tidig_dialog: the human coded 2 of 6 turns, codingkit 3 (the coffee supplier);
    # per interview a.txt 1 vs 2 of 3 turns, b.txt 1 vs 1
    assert table[1].split() == ["tidig_dialog", "33.3%", "50.0%", "16.7", "33.3"]
    assert table[2].split() == ["behov", "16.7%", "33.3%", "16.7", "33.3"]
    compared = pd.read_csv(tmp_path / "ut" / "frequencies_compared.csv")
    assert len(compared) == 4 and set(compared.source) == {"a.txt", "b.txt"}
    # a repeated column counts once; no column at all is a usage error
    again = CliRunner().invoke(cli, [*args, "--by", "source,source"])
    assert again.exit_code == 0 and "per source (2 groups" in again.output, again.output
    res = CliRunner().invoke(cli, [*args, "--by", ","])
    assert res.exit_code == 2 and "--by needs metadata columns" in res.output


def test_evaluate_by_unknown_column_stops_before_coding(tmp_path, monkeypatch):
    import codingkit.coding.coder as coder_module

    def never(self, *a, **k):
        raise AssertionError("coded although --by was wrong")

    monkeypatch.setattr(coder_module.Coder, "code", never)
    folder = _setup(tmp_path)
    res = CliRunner().invoke(cli, ["evaluate", str(folder), "--gold", str(tmp_path / "gold.csv"),
                                   "--codebook", str(tmp_path / "kodbok.yaml"),
                                   "--by", "project,kommun"])
    assert res.exit_code == 1 and res.output.count("\n") == 1, res.output
    assert res.output.startswith("Error: cannot group the frequencies by kommun; expected "
                                 "some of source, project, round, role")


def test_evaluate_after_learning_from_another_rounds_coding(tmp_path):
    folder = _setup(tmp_path)
    omg1 = tmp_path / "omg1"
    omg1.mkdir()
    answers = ["Vi träffade leverantörerna på en leverantörsdag.", "Mm.",
               "Vi gick igenom vad personalen behövde på natten."]
    lines = []
    for k, answer in enumerate(answers):
        lines += [f"I: Fråga {k + 1}?", f"IP: {answer}"]
    (omg1 / "c.txt").write_text("\n\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "c.csv").write_text("source,turn,code\nc.txt,2,tidig_dialog\nc.txt,6,behov\n",
                                    encoding="utf-8")
    args = ["evaluate", str(folder), "--gold", str(tmp_path / "gold.csv"),
            "--codebook", str(tmp_path / "kodbok.yaml"), "--similarity", "none",
            "--learn-from", str(tmp_path / "c.csv"), "--min-positives", "0"]
    res = CliRunner().invoke(cli, [*args, "--learn-transcripts", str(omg1)])
    assert res.exit_code == 0, res.output
    assert res.output.startswith("Agreement with human coding (codebook liten 1, similarity "
                                 "none, learned; 6 turns):")
    res = CliRunner().invoke(cli, args)
    assert res.exit_code == 1 and "no transcript the human coded is among the 2 given" \
        in res.output and "[E606]" in res.output, res.output


def test_semicolon_coding_and_several_splits(tmp_path):
    folder = _setup(tmp_path)
    # Swedish Excel saves CSV with semicolons
    (tmp_path / "kodning.csv").write_text(GOLD.replace(",", ";"), encoding="utf-8")
    (tmp_path / "splits.csv").write_text("source,split\na.txt,x\nb.txt,y\n", encoding="utf-8")
    args = ["evaluate", str(folder), "--gold", str(tmp_path / "kodning.csv"),
            "--gold", str(tmp_path / "splits.csv"), "--codebook", str(tmp_path / "kodbok.yaml"),
            "--similarity", "none"]
    both = CliRunner().invoke(cli, [*args, "--split", "x,y"])
    assert both.exit_code == 0, both.output
    assert "; 6 turns, split x,y):" in both.output
    assert "2 false positives, 0 false negatives." in both.output
    one = CliRunner().invoke(cli, [*args, "--split", "x"])
    assert "; 3 turns, split x):" in one.output
    res = CliRunner().invoke(cli, [*args, "--split", "z"])
    assert res.exit_code == 1 and res.output.count("\n") == 1
    assert res.output.startswith(f"Error: {tmp_path / 'splits.csv'}: no transcript belongs to "
                                 "split z; the splits file knows: x, y [E605]")


def test_evaluate_with_cv_and_errors(tmp_path):
    folder = _setup(tmp_path)
    runner = CliRunner()
    res = runner.invoke(cli, ["evaluate", str(folder), "--gold", str(tmp_path / "gold.csv"),
                              "--codebook", str(tmp_path / "kodbok.yaml"), "--cv", "2"])
    assert res.exit_code == 0, res.output
    # each fold learns from one interview: too little, and it says so once
    assert res.output.startswith("Warning: too little human coding to learn tidig_dialog "
                                 "(in 2 of 2 folds)")
    assert res.output.count("Warning") == 1
    assert ("\nAgreement with human coding (2-fold cross-validation "
            "(learning, similarity tfidf); 6 turns):\n") in res.output
    res = runner.invoke(cli, ["evaluate", str(folder), "--gold", str(tmp_path / "gold.csv"),
                              "--codebook", str(tmp_path / "kodbok.yaml"), "--cv", "2",
                              "--min-positives", "0"])
    assert res.exit_code == 0 and "Warning" not in res.output, res.output
    res = runner.invoke(cli, ["evaluate", "--gold", str(tmp_path / "gold.csv")])
    assert res.exit_code == 1
    assert res.output.startswith("Error: nothing to evaluate")
    assert res.output.rstrip().endswith("[E630]")
    res = runner.invoke(cli, ["evaluate", str(folder), "--gold", str(tmp_path / "nej.csv")])
    assert res.exit_code == 1 and "E601" in res.output
    assert res.output.startswith(f"Error: {tmp_path / 'nej.csv'}: no such file or folder; "
                                 "expected human coding: a coding CSV")


def test_tune_writes_a_copy_never_the_original(tmp_path):
    folder = _setup(tmp_path)
    cb = tmp_path / "kodbok.yaml"
    before = hashlib.sha256(cb.read_bytes()).hexdigest()
    runner = CliRunner()
    args = ["tune", str(folder), "--gold", str(tmp_path / "gold.csv"), "--codebook", str(cb),
            "--cv", "2", "--min-positives", "1"]
    res = runner.invoke(cli, [*args, "--out", str(cb)])
    assert res.exit_code == 1 and "E622" in res.output
    res = runner.invoke(cli, [*args, "--out", str(tmp_path / "tuned.yaml")])
    assert res.exit_code == 0, res.output
    assert "Wrote" in res.output and "tuned.yaml" in res.output
    assert "threshold:" in (tmp_path / "tuned.yaml").read_text(encoding="utf-8")
    assert hashlib.sha256(cb.read_bytes()).hexdigest() == before
    res = runner.invoke(cli, [*args, "--out", str(tmp_path / "tuned.yaml")])
    assert res.exit_code == 1 and "E623" in res.output


def test_the_researcher_is_told_whether_learning_from_their_coding_is_good_enough():
    import numpy as np

    from codingkit.cli.evaluate_cmd import good_enough
    from codingkit.evaluation.agreement import evaluation_from_matrices

    gold = np.array([[1, 0], [0, 1], [1, 1], [0, 0]] * 5, dtype=bool)
    wrong = gold.copy()
    wrong[:8, 1] = ~gold[:8, 1]  # the second code: 8 of 20 turns wrong
    codes = ["behov", "resurser"]
    perfect, _ = evaluation_from_matrices(codes, gold, gold)
    weaker, _ = evaluation_from_matrices(codes, gold, wrong)
    low = float(weaker["alpha"].mean())
    text = good_enough(perfect, 1.0, low)
    assert text.startswith(f"Learning from your coding: macro alpha 1.00 on the turns you "
                           f"coded, cross-validated (the bundled coder without your coding: "
                           f"{low:.2f}, +{1 - low:.2f}).")
    assert "\nGood enough by codingkit's goal" in text
    text = good_enough(weaker, low, 1.0)
    assert "Not yet at codingkit's goal" in text and "below it: resurser:" in text
