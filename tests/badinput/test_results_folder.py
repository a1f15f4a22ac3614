"""The results folder is one unit (issue 15): real ``codingkit apply``
processes killed with real signals, a forced run over other formats, two
runs into one folder at once, leftovers of killed runs, read-only folders.

Every case checks the folder afterwards: the previous complete results
(byte for byte) or no folder, never a mix.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
from click.testing import CliRunner

from codingkit.cli import cli

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORPUS = None   # set by the corpus fixture: four of the sample interviews
FAST = ("--similarity", "none", "--quiet")
ALL_FORMATS = ("--format", "xlsx,parquet,qdpx")


@pytest.fixture(scope="module", autouse=True)
def corpus(tmp_path_factory):
    """Four plain-text sample interviews (a small, fast corpus)."""
    global CORPUS
    folder = tmp_path_factory.mktemp("corpus")
    for p in sorted((ROOT / "transcripts").rglob("*.txt"))[:4]:
        shutil.copy(p, folder / p.name)
    CORPUS = folder
    return folder


def _env() -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT / "src")}


def _apply_cmd(out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "codingkit", "apply", str(CORPUS), "--out", str(out),
            *FAST, *extra]


def _snapshot(folder: Path) -> dict[str, str]:
    """Every file (hidden ones too) of ``folder`` and its sha256."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _beside(out: Path) -> list[str]:
    """What is in the parent of ``out`` besides ``out`` and the test's own files."""
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}."))


def _previous(out: Path) -> dict[str, str]:
    r = CliRunner().invoke(cli, ["apply", str(CORPUS), "--out", str(out), *FAST, "--format",
                                 "xlsx", "--unit", "sentence"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    (out / "mina_anteckningar.txt").write_text("min egen fil\n", encoding="utf-8")
    return _snapshot(out)


def _staging(out: Path) -> list[Path]:
    return sorted(out.parent.glob(f".{out.name}.codingkit-new-*"))


def _wait_until(cond, procs, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return
        for p in procs:
            if p.poll() is not None:
                raise AssertionError(f"the run ended ({p.returncode}) before the marker: "
                                     f"{p.stderr.read() if p.stderr else ''}")
        time.sleep(0.002)
    raise AssertionError("timed out waiting for the marker")


def test_killed_runs_leave_the_previous_results_or_nothing(tmp_path):
    """SIGINT, SIGTERM and SIGKILL while the files are being written (the
    staging folder beside --out holds segments.csv, not yet manifest.json):
    the folder holds the previous results, byte for byte, or is absent."""
    cases = []
    for sig, had_results in ((signal.SIGINT, True), (signal.SIGTERM, False),
                             (signal.SIGKILL, True)):
        out = tmp_path / f"{sig.name}_{had_results}" / "res"
        out.parent.mkdir()
        before = _previous(out) if had_results else None
        cases.append((sig, out, before))
    procs = [subprocess.Popen(_apply_cmd(out, *ALL_FORMATS, "--force"), env=_env(),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _, out, _ in cases]
    pending = list(zip(cases, procs))
    try:
        deadline = time.monotonic() + 60
        while pending and time.monotonic() < deadline:
            for item in list(pending):
                (sig, out, before), proc = item
                stages = _staging(out)
                if stages and (stages[0] / "segments.csv").exists():
                    proc.send_signal(sig)
                    written = sorted(p.name for p in stages[0].iterdir())
                    assert "manifest.json" not in written, (sig, written)  # killed mid-write
                    pending.remove(item)
                elif proc.poll() is not None:
                    raise AssertionError(f"{sig.name}: the run ended ({proc.returncode}) "
                                         f"before writing began: {proc.stderr.read()}")
            time.sleep(0.003)
        assert not pending, "timed out waiting for the runs to start writing"
    finally:
        for proc in procs:
            proc.wait(timeout=60)
    for (sig, out, before), proc in zip(cases, procs):
        assert proc.returncode != 0, (sig, proc.returncode, proc.stderr.read())
        if before is None:
            assert not out.exists(), sig
        else:
            assert _snapshot(out) == before, sig
        if sig is signal.SIGKILL:
            assert _staging(out), "a killed run leaves its staging folder"
        else:
            assert _beside(out) == [], (sig, _beside(out))  # cleaned up
            assert "Traceback" not in proc.stderr.read()
    # a killed run's leftovers never block the next run: it removes them
    sig, out, before = cases[2]
    assert sig is signal.SIGKILL and before is not None
    r = CliRunner().invoke(cli, ["apply", str(CORPUS), "--out", str(out), *FAST, "--force"])
    assert r.exit_code == 0, r.output
    assert _beside(out) == []
    assert sorted(p.name for p in out.iterdir()) == [
        "codings.csv", "frequencies.csv", "manifest.json", "mina_anteckningar.txt",
        "segments.csv"]


def test_a_forced_run_replaces_every_file_codingkit_owns(tmp_path):
    out = tmp_path / "res"
    before = _previous(out)
    assert {"codingkit.xlsx", "segments.csv", "mina_anteckningar.txt"} <= set(before)
    (out / "figurer").mkdir()
    (out / "figurer" / "diagram.svg").write_text("<svg/>", encoding="utf-8")
    codebook = tmp_path / "liten.yaml"
    codebook.write_text("codebook:\n  id: liten\n  version: '1'\ncodes:\n  - id: rfi\n"
                        "    label: RFI\n    rules: [RFI]\n", encoding="utf-8")
    r = CliRunner().invoke(cli, ["apply", str(CORPUS), "--out", str(out), *FAST, "--force",
                                 "--codebook", str(codebook)], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in out.iterdir()) == [
        "codings.csv", "figurer", "frequencies.csv", "manifest.json", "mina_anteckningar.txt",
        "segments.csv"]
    assert (out / "figurer" / "diagram.svg").read_text(encoding="utf-8") == "<svg/>"
    assert (out / "mina_anteckningar.txt").read_text(encoding="utf-8") == "min egen fil\n"
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    codings = pd.read_csv(out / "codings.csv")
    assert manifest["codebook"]["id"] == "liten"
    assert manifest["counts"]["codings"] == len(codings) and set(codings.code) <= {"rfi"}
    assert _beside(out) == []


def test_two_runs_into_one_folder_one_wins_whole_the_other_fails(tmp_path):
    out = tmp_path / "res"
    first = subprocess.Popen(_apply_cmd(out, "--format", "xlsx"), env=_env(),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _wait_until(lambda: bool(_staging(out)), [first])
        second = subprocess.run(_apply_cmd(out, "--unit", "sentence", "--force"), env=_env(),
                                capture_output=True, text=True)
    finally:
        first.wait(timeout=60)
    assert first.returncode == 0, first.stderr.read()
    assert second.returncode == 1
    lines = second.stderr.strip().splitlines()
    assert len(lines) == 1 and "another codingkit run" in lines[0] and "[E405]" in lines[0]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    segments = pd.read_csv(out / "segments.csv")
    assert manifest["options"]["unit"] == "turn" and set(segments.unit) == {"turn"}
    assert manifest["counts"]["segments"] == len(segments)
    assert _beside(out) == []   # the lock file is gone too


def test_leftovers_of_killed_runs_never_block_the_next_run(tmp_path):
    out = tmp_path / "res"
    out.mkdir()
    # an older codingkit killed mid-write left a temporary file inside the folder
    (out / ".segments.csv.k3j2x.tmp").write_text("halv", encoding="utf-8")
    stage = tmp_path / ".res.codingkit-new-abc123"    # a run killed while writing
    stage.mkdir()
    (stage / "segments.csv").write_text("halv", encoding="utf-8")
    r = CliRunner().invoke(cli, ["apply", str(CORPUS), "--out", str(out), *FAST])
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in out.iterdir()) == [
        "codings.csv", "frequencies.csv", "manifest.json", "segments.csv"]
    assert _beside(out) == []


def test_a_kill_between_the_two_renames_restores_the_previous_results(tmp_path):
    """SIGKILL after the old folder was moved aside and before the new one
    was moved in: the next run puts the previous results back (and, as the
    folder is not empty, asks for --force)."""
    out = tmp_path / "res"
    before = _previous(out)
    old = tmp_path / ".res.codingkit-old-4242"
    out.rename(old)
    shutil.copytree(old, tmp_path / ".res.codingkit-new-xyz")
    r = CliRunner().invoke(cli, ["apply", str(CORPUS), "--out", str(out), *FAST])
    assert r.exit_code == 1 and "[E402]" in r.output
    assert _snapshot(out) == before
    assert _beside(out) == []


def _unprivileged() -> list[str]:
    """A command prefix that makes root obey file permissions (as root
    ignores them) — setpriv drops the capabilities that override them."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    assert setpriv, "running as root: these tests need setpriv (util-linux)"
    caps = "-dac_override,-dac_read_search"
    return [setpriv, f"--bounding-set={caps}", f"--inh-caps={caps}"]


def test_read_only_out_or_parent_fails_at_once_with_one_coded_line(tmp_path):
    ro_out = tmp_path / "ro_out"
    ro_out.mkdir()
    (ro_out / "gammalt.csv").write_text("x\n", encoding="utf-8")
    ro_parent = tmp_path / "ro_parent"
    ro_parent.mkdir()
    try:
        ro_out.chmod(0o555)
        ro_parent.chmod(0o555)
        for out, extra in ((ro_out, ["--force"]), (ro_parent / "res", [])):
            t0 = time.monotonic()
            r = subprocess.run([*_unprivileged(), *_apply_cmd(out, *extra)], env=_env(),
                               capture_output=True, text=True)
            took = time.monotonic() - t0
            lines = r.stderr.strip().splitlines()
            assert r.returncode == 1 and len(lines) == 1, r.stderr
            assert "[E406]" in lines[0] and "Errno" not in lines[0], lines
            assert took < 5, took      # refused before reading and coding
        assert [p.name for p in ro_out.iterdir()] == ["gammalt.csv"]
        assert list(ro_parent.iterdir()) == []
    finally:
        ro_out.chmod(0o755)
        ro_parent.chmod(0o755)


def test_out_inside_the_input_folder_is_never_read_as_input(tmp_path):
    """Reruns with --force into a --out inside the input folder code the
    same transcripts each time (not 4 → hundreds of survey 'transcripts')."""
    folder = tmp_path / "intervjuer"
    shutil.copytree(CORPUS, folder)
    out = folder / "resultat"
    counts = []
    for extra in ((), ("--force", "--format", "xlsx"), ("--force",)):
        r = CliRunner().invoke(cli, ["apply", str(folder), "--out", str(out), *FAST, *extra],
                               catch_exceptions=False)
        assert r.exit_code == 0, r.output
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        counts.append(manifest["counts"]["transcripts"])
        if extra:
            assert "skipped: a codingkit results folder" in r.output
            assert str(out) in r.output
    assert counts == [4, 4, 4]
    assert all(i["path"] and "resultat" not in i["path"] for i in manifest["inputs"])


def test_out_that_is_or_holds_an_input_folder_is_refused(tmp_path):
    folder = tmp_path / "intervjuer"
    shutil.copytree(CORPUS, folder)
    for out in (folder, tmp_path):
        r = CliRunner().invoke(cli, ["apply", str(folder), "--out", str(out), *FAST,
                                     "--force"])
        assert r.exit_code == 1 and "[E407]" in r.output, r.output
        assert len(r.output.strip().splitlines()) == 1
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in CORPUS.iterdir())
