"""The REFI-QDA commands: export-codebook, import-codebook, export-project, import-project."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
from click.testing import CliRunner
from refiqda_helpers import TEXT_SYD

import codingkit as ck
from codingkit.cli import cli
from codingkit.codebook import dump_codebook
from codingkit.model import Coding, CodingResult, Segment
from codingkit.refiqda import read_qdc, read_qdpx

REPO = Path(__file__).resolve().parents[2]


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def test_export_and_import_codebook(tmp_path):
    qdc = tmp_path / "teman.qdc"
    res = run("export-codebook", REPO / "codebooks" / "innovationsupphandling.yaml", "--out", qdc)
    cb = ck.load_codebook(REPO / "codebooks" / "innovationsupphandling.yaml")
    assert res.exit_code == 0
    assert res.output == f"Wrote {qdc}: {len(cb)} codes ({len(cb.themes)} themes)\n"
    assert [c.id for c in read_qdc(qdc)] == [c.id for c in cb]

    again = run("export-codebook", REPO / "codebooks" / "innovationsupphandling.yaml",
                "--out", qdc)
    assert again.exit_code == 1
    assert again.output.startswith("Error: ") and "use --force" in again.output

    yml = tmp_path / "kodbok.yaml"
    res = run("import-codebook", qdc, "--out", yml)
    assert res.exit_code == 0
    assert res.output == f"Wrote {yml}: {len(cb)} codes ({len(cb.themes)} themes), no rules yet\n"
    back = ck.load_codebook(yml)
    assert [(c.id, c.label, c.parent, c.description) for c in back] == \
        [(c.id, c.label, c.parent, c.description) for c in cb]
    assert all(c.rules == () for c in back)


def test_import_project_writes_the_human_coding_folder(tmp_path):
    from refiqda_helpers import FIXTURES, zip_folder

    qdpx = zip_folder(FIXTURES / "nvivo_crlf", tmp_path / "granskad.qdpx")
    out = tmp_path / "granskad"
    res = CliRunner().invoke(cli, ["import-project", str(qdpx), "--out", str(out)])
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    assert lines[0] == f"Read {qdpx}: 1 source, 1 code, 1 coder, 2 codings; 1 problem"
    assert lines[1].startswith("  problem: 7E0F3C1A-5B2D-4C6E-9F80-1A2B3C4D5E6F.txt: selection "
                               "e1000000-0000-4000-8000-000000000003 [3:13]")
    assert "Warning: " in res.stderr and "counted each line break as two" in res.stderr
    hc = pd.read_csv(out / "human_coding.csv")
    assert hc[["start", "end", "code", "coder"]].values.tolist() == [[54, 115, "behov", "Cecilia"],
                                                                     [152, 207, "behov", "Cecilia"]]
    problems = pd.read_csv(out / "problems.csv")
    assert problems["name"].tolist() == ["Och sedan?"]


def test_export_project_from_an_output_folder(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "01.txt").write_text(TEXT_SYD, encoding="utf-8")
    cb_path = tmp_path / "kb.yaml"
    cb_path.write_text(dump_codebook(ck.load_codebook()), encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ck.CodingkitWarning)
        (t,) = ck.read_transcripts([src])
    turn = t.turns[1]
    out = tmp_path / "res"
    segment = Segment("01.txt:2", "01.txt", turn.start, turn.end, t.turn_text(turn), 2)
    coding = Coding("01.txt:2", "tidig_dialog", "tidig_dialog", 1.0, "rule", "x")
    ck.write_outputs(CodingResult([segment], [coding], ck.load_codebook(cb_path), [t]), out)
    target = tmp_path / "granska.qdpx"
    res = run("export-project", out, "--out", target)
    assert res.exit_code == 0, res.output
    assert res.output == f"Wrote {target}: 1 source, 1 coded segment, 1 coding\n"
    project = read_qdpx(target)
    assert project.human_coding[["source", "start", "end", "code"]].values.tolist() == [
        ["01.txt", turn.start, turn.end, "tidig_dialog"]]
    # not a results folder: one line, the code every reader of the folder gives
    res = CliRunner().invoke(cli, ["export-project", str(src), "--out", str(tmp_path / "x.qdpx")])
    assert res.exit_code == 1
    assert res.stderr == (f"Error: {src}: no manifest.json; expected a results folder of "
                          "'codingkit apply' (manifest.json, segments.csv, codings.csv, "
                          "frequencies.csv) [E901]\n")


def test_errors_are_one_line(tmp_path):
    bad = tmp_path / "trasig.qdpx"
    bad.write_bytes(b"inte en zip")
    res = CliRunner().invoke(cli, ["import-project", str(bad), "--out",
                                                   str(tmp_path / "ut")])
    assert res.exit_code == 1
    assert res.stderr == (f"Error: {bad}: cannot open the archive (File is not a zip file); "
                          f"expected a .qdpx (zip) file [E530]\n")


def test_export_codebook_as_csv_for_taguette(tmp_path):
    import csv

    from click.testing import CliRunner

    from codingkit.cli import cli
    from codingkit.codebook import default_codebook_path, load_codebook

    out = tmp_path / "teman.csv"
    result = CliRunner().invoke(cli, ["export-codebook", str(default_codebook_path()),
                                      "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open(encoding="utf-8", newline="")))
    assert list(rows[0]) == ["tag", "description"]
    cb = load_codebook()
    assert len(rows) == sum(c.codable for c in cb)
    assert rows[0]["tag"] == cb.themes[0].label and "[tidig_dialog]" in rows[0]["description"]
    assert not out.read_bytes().startswith(b"\xef\xbb\xbf")
    # --format csv with another suffix
    other = tmp_path / "teman.txt"
    assert CliRunner().invoke(cli, ["export-codebook", str(default_codebook_path()), "--out",
                                    str(other), "--format", "csv"]).exit_code == 0
    assert other.read_text(encoding="utf-8") == out.read_text(encoding="utf-8")


def _coded_folder(tmp_path, codebook_path=None):
    """A results folder of one coded turn, coded with ``codebook_path`` (default: the bundled)."""
    src = tmp_path / "in"
    src.mkdir()
    (src / "01.txt").write_text(TEXT_SYD, encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ck.CodingkitWarning)
        (t,) = ck.read_transcripts([src])
    turn = t.turns[1]
    segment = Segment("01.txt:2", "01.txt", turn.start, turn.end, t.turn_text(turn), 2)
    coding = Coding("01.txt:2", "tidig_dialog", "tidig_dialog", 1.0, "rule", "x")
    out = tmp_path / "res"
    ck.write_outputs(CodingResult([segment], [coding], ck.load_codebook(codebook_path), [t]), out)
    return out


def _edit_manifest(folder, **codebook):
    import json

    path = folder / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    for key, value in codebook.items():
        if value is None:
            manifest["codebook"].pop(key, None)
        else:
            manifest["codebook"][key] = value
    path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return manifest


GONE = "/tmp/newvenv/lib/python3.11/site-packages/codingkit/codebooks/innovationsupphandling.yaml"


def test_export_project_finds_the_bundled_codebook_after_a_reinstall(tmp_path):
    out = _coded_folder(tmp_path)
    bundled = ck.load_codebook()
    manifest = _edit_manifest(out)
    assert manifest["codebook"]["bundled"] == "innovationsupphandling.yaml"
    assert manifest["codebook"]["sha256"] == bundled.sha256
    # a manifest of codingkit's installed elsewhere: new (bundled recorded) and old (path only)
    for n, old in enumerate(({"path": GONE}, {"path": GONE, "bundled": None})):
        _edit_manifest(out, **old)
        target = tmp_path / f"granskning{n}.qdpx"
        res = run("export-project", out, "--out", target)
        assert res.exit_code == 0, res.output
        assert res.output == f"Wrote {target}: 1 source, 1 coded segment, 1 coding\n"
        project = read_qdpx(target)
        assert len(project.codebook) == len(bundled)
        assert {c.label for c in project.codebook} == {c.label for c in bundled}
        assert project.human_coding["code"].tolist() == ["tidig_dialog"]
    # the bundled codebook of this codingkit is not the one used: one line naming --codebook
    _edit_manifest(out, sha256="0" * 64)
    res = CliRunner().invoke(cli, ["export-project", str(out), "--out", str(tmp_path / "x.qdpx")])
    assert res.exit_code == 1
    assert res.stderr == (
        f"Error: {out / 'manifest.json'}: codebook {GONE!r} not found, and the codebook bundled "
        f"with this codingkit (innovationsupphandling.yaml) is innovationsupphandling "
        f"{bundled.version} with other content (sha256 differs); give the codebook that was used "
        f"with --codebook PATH [E541]\n")


def test_export_project_moved_codebook_is_given_with_codebook_option(tmp_path):
    cb_path = tmp_path / "kb.yaml"
    cb_path.write_text(dump_codebook(ck.load_codebook()), encoding="utf-8")
    out = _coded_folder(tmp_path, cb_path)
    moved = tmp_path / "flyttad" / "kb.yaml"
    moved.parent.mkdir()
    cb_path.rename(moved)
    target = tmp_path / "granska.qdpx"
    res = CliRunner().invoke(cli, ["export-project", str(out), "--out", str(target)])
    assert res.exit_code == 1 and not target.exists()
    assert res.stderr == (f"Error: {out / 'manifest.json'}: codebook {str(cb_path)!r} not found; "
                          "give the codebook that was used with --codebook PATH [E541]\n")
    res = run("export-project", out, "--out", target, "--codebook", moved)
    assert res.exit_code == 0, res.output
    assert res.output == f"Wrote {target}: 1 source, 1 coded segment, 1 coding\n"
    assert read_qdpx(target).human_coding["code"].tolist() == ["tidig_dialog"]


def test_export_project_refuses_a_codebook_that_is_not_the_runs(tmp_path):
    cb_path = tmp_path / "kb.yaml"
    cb_path.write_text(dump_codebook(ck.load_codebook()), encoding="utf-8")
    out = _coded_folder(tmp_path, cb_path)
    other = tmp_path / "annan.yaml"
    other.write_text(cb_path.read_text(encoding="utf-8") + "\n# ändrad\n", encoding="utf-8")
    target = tmp_path / "granska.qdpx"
    res = CliRunner().invoke(cli, ["export-project", str(out), "--out", str(target),
                                   "--codebook", str(other)])
    assert res.exit_code == 1 and not target.exists()
    assert res.stderr.count("\n") == 1 and res.stderr.endswith("[E543]\n")
    assert f"--codebook {other} is not the codebook of the run (sha256 differs" in res.stderr
    # the same id and version, other bytes: refused too (as the run's own file when it changed)
    res = CliRunner().invoke(cli, ["export-project", str(out), "--out", str(target),
                                   "--codebook", str(ck.default_codebook_path())])
    assert res.exit_code == 1 and res.stderr.endswith("[E543]\n")
    assert ("(sha256 differs from that of the innovationsupphandling 1.0 used); expected the "
            "file that was used — or run codingkit apply again") in res.stderr
    copy = tmp_path / "kopia.yaml"
    copy.write_bytes(cb_path.read_bytes())
    assert run("export-project", out, "--out", target, "-c", copy).exit_code == 0
    res = CliRunner().invoke(cli, ["export-project", str(out), "--out", str(target), "--force",
                                   "--codebook", str(tmp_path / "saknas.yaml")])
    assert res.exit_code == 1
    assert res.stderr == (f"Error: {tmp_path / 'saknas.yaml'}: --codebook: file not found; "
                          "expected the codebook that was used [E541]\n")
