"""The command line's interface (issue 15): both spellings of multi-value
options, the progress bar (phases with totals, on a terminal only),
plurals, Python-side wording, and code order in ``evaluate --pred``."""

from __future__ import annotations

import os
import pty
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from codingkit.cli import cli
from codingkit.errors import OutputError

ROOT = Path(__file__).resolve().parents[1]
FAST = ("--similarity", "none", "--quiet")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("korpus")
    for p in sorted((ROOT / "transcripts").rglob("*.txt"))[:4]:
        shutil.copy(p, folder / p.name)
    return folder


def _apply(*args):
    return CliRunner().invoke(cli, ["apply", *map(str, args)], catch_exceptions=False)


def test_comma_separated_and_repeated_options_are_the_same(tmp_path, corpus):
    a = _apply(corpus, "--out", tmp_path / "a", *FAST, "--format", "xlsx,parquet",
               "--by", "project,round")
    b = _apply(corpus, "--out", tmp_path / "b", *FAST, "--format", "xlsx", "--format",
               "parquet", "--by", "project", "--by", "round")
    assert a.exit_code == b.exit_code == 0, a.output + b.output
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "b").iterdir())
    assert {"codingkit.xlsx", "segments.parquet"} <= set(names)
    assert (tmp_path / "a" / "frequencies.csv").read_bytes() == \
        (tmp_path / "b" / "frequencies.csv").read_bytes()
    bad = CliRunner().invoke(cli, ["apply", str(corpus), "--out", str(tmp_path / "c"),
                                   "--format", "xlsx,pdf"])
    assert bad.exit_code == 2 and "'pdf' is not one of" in bad.output
    assert not (tmp_path / "c").exists()


def test_plurals_and_python_wording(tmp_path, corpus):
    one = tmp_path / "en"
    one.mkdir()
    shutil.copy(next(corpus.iterdir()), one)
    r = _apply(one, "--out", tmp_path / "res", *FAST)
    assert r.exit_code == 0 and " from 1 transcript with " in r.output, r.output
    from codingkit import read_transcripts
    from codingkit.coding import Coder
    from codingkit.codebook import load_codebook
    from codingkit.writers import write_outputs

    result = Coder(load_codebook(), similarity="none").code(read_transcripts(one))
    with pytest.raises(OutputError, match=r"force=True") as err:
        write_outputs(result, tmp_path / "res")
    assert err.value.code == "E402"


def test_progress_bar_shows_each_phase_against_its_total_on_a_terminal_only(tmp_path, corpus):
    cmd = [sys.executable, "-m", "codingkit", "apply", str(corpus), "--similarity", "none",
           "--format", "xlsx"]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "COLUMNS": "120"}
    master, slave = pty.openpty()
    proc = subprocess.Popen([*cmd, "--out", str(tmp_path / "tty")], env=env,
                            stdout=subprocess.PIPE, stderr=slave)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=60)
    os.close(master)
    shown = b"".join(chunks).decode("utf-8", "replace")
    assert proc.returncode == 0, shown
    segments = pd.read_csv(tmp_path / "tty" / "segments.csv")
    to_code = int((segments.speaker_role == "respondent").sum())
    assert "reading" in shown and "4/4" in shown, shown
    assert "coding" in shown and f"{to_code}/{to_code}" in shown, shown
    assert "writing" in shown and "5/5 [" in shown, shown   # 3 CSV, xlsx, manifest
    # not a terminal: no bar at all
    r = CliRunner().invoke(cli, ["apply", str(corpus), "--similarity", "none", "--format",
                                 "xlsx", "--out", str(tmp_path / "pipe")])
    assert r.exit_code == 0 and r.stderr == "", r.stderr


def test_evaluate_pred_lists_codes_in_codebook_order(tmp_path):
    out = tmp_path / "res"
    r = _apply(ROOT / "transcripts", "--out", out, *FAST)
    assert r.exit_code == 0, r.output
    gold = f"{ROOT / 'gold' / 'syd_coding.csv'},{ROOT / 'gold' / 'syd_turns.csv'}"
    ev = CliRunner().invoke(cli, ["evaluate", "--gold", gold, "--pred", str(out)],
                            catch_exceptions=False)
    assert ev.exit_code == 0, ev.output
    from codingkit.codebook import load_codebook

    themes = [c.id for c in load_codebook().themes]
    listed = [line.split()[0] for line in ev.output.splitlines()
              if line.split() and line.split()[0] in themes]
    assert listed == [t for t in themes if t in listed] and len(listed) >= 5, ev.output
    assert listed != sorted(listed)
