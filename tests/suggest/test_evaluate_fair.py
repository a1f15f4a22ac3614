"""``evaluate --cv`` on transcripts the bundled coder learned from: it warns
that this is not a fair test, and gives no verdict on the goal."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from codingkit.cli import cli
from codingkit.cli.evaluate_cmd import good_enough

ROOT = Path(__file__).resolve().parents[2]


def test_cv_on_what_the_bundled_coder_learned_from_gives_no_verdict(tmp_path, small_bundled):
    # two interviews of the sample (the bundled coder learned from them), their
    # gold; a bundled coder learned from the sample alone (tests/conftest.py):
    # the same code paths, a tenth of the work of learning on top of it
    for name in ("05_upphandlare_omg1.txt", "08_leverantor_omg3.md"):
        dest = tmp_path / "t" / "ostergotland" / name
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / "transcripts" / "ostergotland" / name, dest)
    res = CliRunner().invoke(cli, ["evaluate", str(tmp_path / "t"), "--gold",
                                   str(ROOT / "gold" / "ost_coding.csv"), "--gold",
                                   str(ROOT / "gold" / "ost_turns.csv"), "--cv", "2",
                                   "--out", str(tmp_path / "ag")], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    assert "agreement on them is not a fair test" in res.stderr
    assert "Learning from your coding: macro alpha" in res.stdout
    assert "Good enough" not in res.stdout and "Not yet at" not in res.stdout
    assert "these figures cannot tell: agreement on these turns is not a fair test" in res.stdout
    import json

    data = json.loads((tmp_path / "ag" / "agreement.json").read_text("utf-8"))
    assert [w["kind"] for w in data["warnings"]] == ["bundled_learned_from"]
    assert data["coding"] is None  # transcripts coded by evaluate, not a results folder


def test_no_verdict_when_not_fair():
    import pandas as pd

    perfect = pd.DataFrame({"code": ["a", "b"], "alpha": [1.0, 1.0]})
    text = good_enough(perfect, 1.0, 0.5, fair=False)
    assert text.startswith("Learning from your coding: macro alpha 1.00")
    assert "Good enough" not in text and "Not yet" not in text and "cannot tell" in text
    assert "Good enough" in good_enough(perfect, 1.0, 0.5)


def test_every_evaluate_example_in_the_docs_gives_the_gold():
    """--gold is required: every example that names files (README, docs/) has it."""
    import re

    seen = 0
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        text = path.read_text("utf-8")
        inline = [m.group(1) for m in re.finditer(r"`codingkit evaluate([^`]*)`",
                                                  text.replace("\n", " "))]
        blocks = [ln.split("codingkit evaluate", 1)[1] for ln in text.splitlines()
                  if re.match(r"\s*(\$ )?codingkit evaluate", ln)]
        for args in inline + blocks:
            if "/" in args or "." in args:
                seen += 1
                assert re.search(r"(--gold|-g) ", args), (path.name, args)
    assert seen >= 5
