"""The learned coder that comes with the default codebook, used by apply and evaluate."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import codingkit
from codingkit.cli import cli

from codingkit.coding.bundled import bundled_info

#: the gold interviews the coder bundled with the default codebook learned from
N_GOLD = bundled_info()["learned_from"]["interviews"]


ROOT = Path(__file__).resolve().parents[1]


def _run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    """The sample corpus's Syd interviews, coded by default (the bundled coder)."""
    out = tmp_path_factory.mktemp("b") / "res"
    r = _run("apply", ROOT / "transcripts", "--out", out, "-q")
    assert r.exit_code == 0, r.output
    assert f"the coder learned from its {N_GOLD} gold interviews" in r.output
    (out / "stdout.txt").write_text(r.output, encoding="utf-8")
    return out


def test_the_readmes_quick_start_output_is_what_apply_prints(results):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Quick start", 1)[1].split("```console", 1)[1].split("```", 1)[0]
    shown = [ln for ln in block.strip().splitlines() if not ln.startswith("$")]
    printed = (results / "stdout.txt").read_text(encoding="utf-8").splitlines()
    assert shown[0] == printed[0]                       # the summary line, figures and all
    assert shown[1].rsplit(" to ", 1)[0] == printed[1].rsplit(" to ", 1)[0]  # the files


def test_apply_records_the_bundled_coder_and_this_machines_codebook(results):
    manifest = json.loads((results / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["options"]["coder"]["kind"] == "bundled"
    assert manifest["options"]["coder"]["interviews"] == N_GOLD
    # the codebook path is this installation's, not the machine the coder was built on
    here = Path(codingkit.__file__).resolve().parent
    assert Path(manifest["codebook"]["path"]).resolve().is_relative_to(here)
    codings = pd.read_csv(results / "codings.csv")
    assert (codings["method"] == "learned").mean() > 0.5


def test_evaluate_pred_warns_when_the_coder_learned_from_these_interviews(results):
    r = CliRunner().invoke(cli, ["evaluate", "--gold", str(ROOT / "gold"), "--pred",
                                 str(results), "--split", "dev"])
    assert r.exit_code == 0, r.output
    # the 4 interviews of the split evaluated, not the 12 coded in the folder
    assert "learned from 4 of these 4 transcripts" in r.output
    assert "not a fair test" in r.output


def test_pseudonymised_evidence_does_not_quote_the_interviews_learned_from(tmp_path):
    out = tmp_path / "res"
    r = _run("apply", ROOT / "transcripts" / "ostergotland", "--out", out, "-q",
             "--pseudonymize", "--key", tmp_path / "nyckel.json")
    assert r.exit_code == 0, r.output
    codings = pd.read_csv(out / "codings.csv")
    learned = codings[codings["method"] == "learned"]
    assert len(learned) > 10
    assert learned["evidence"].str.contains(r"nearest human-coded \d\.\d\d").all()
    # no excerpt of a human-coded (not pseudonymised) turn: no quoted text
    # after the nearest human-coded figure
    assert not learned["evidence"].str.contains(r"nearest human-coded [\d.]+ \(").any()
    # without --pseudonymize the excerpt is there
    r = _run("apply", ROOT / "transcripts" / "ostergotland", "--out", tmp_path / "klar", "-q")
    plain = pd.read_csv(tmp_path / "klar" / "codings.csv")
    assert plain["evidence"].str.contains(r"nearest human-coded [\d.]+ \(.+\): '").any()


def test_the_fair_test_warning_counts_the_split_evaluated_only():
    """Evaluating one split of a folder that also holds interviews the bundled
    coder learned from: only the split's interviews count (heldout9 was never
    learned from: no warning; heldout2 was: a warning naming 4 of 4)."""
    import warnings

    from codingkit.cli.evaluate_cmd import warn_if_learned_from
    from codingkit.errors import UnfairTestWarning
    from codingkit.evaluation import read_human_coding

    transcripts = codingkit.read_transcripts(ROOT / "gold" / "transcripts")
    gold = [ROOT / "gold" / f"{s}_{k}.csv" for s in ("heldout9", "heldout2")
            for k in ("coding", "turns", "splits")]
    human = read_human_coding(gold)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnfairTestWarning)
        warn_if_learned_from(transcripts, human.select("heldout9"))
    with pytest.warns(UnfairTestWarning, match=r"learned from 4 of these 4 transcripts"):
        warn_if_learned_from(transcripts, human.select("heldout2"))


def test_every_option_of_the_manifest_is_in_its_schema(results):
    """The contract for report generators names every option a run records
    (schemas/results-1.manifest.schema.json), not only those it requires."""
    schema = json.loads((Path(codingkit.__file__).parent / "schemas"
                         / "results-1.manifest.schema.json").read_text(encoding="utf-8"))
    documented = set(schema["properties"]["options"]["properties"])
    options = json.loads((results / "manifest.json").read_text(encoding="utf-8"))["options"]
    assert set(options) <= documented, sorted(set(options) - documented)
