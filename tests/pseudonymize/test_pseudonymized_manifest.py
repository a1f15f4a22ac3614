"""A pseudonymised results folder records no path of the researcher's computer.

manifest.json of ``apply --pseudonymize`` recorded every input's absolute
path, the codebook's, and options such as --learn-from, --model and --cache:
the home folder and folder names (often a respondent's or an organisation's)
in a folder meant to be shared. Now every path is null, each file known by
its sha256 (an input also by its source, the bundled codebook by its
``bundled`` name), and every reader of the folder still works on it.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import zipfile
from pathlib import Path, PurePosixPath, PureWindowsPath

import pytest
from click.testing import CliRunner

from codingkit.cli import cli
from codingkit.writers import run_manifest
from codingkit.writers.readback import find_codebook, read_manifest

ROOT = Path(__file__).resolve().parents[2]
#: a folder name that is a respondent's and an organisation's name
PRIVATE = "Anna Svensson Region Ystad"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _strings(value):
    """Every string in a parsed JSON value (keys too)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def _absolute(text: str) -> bool:
    return PurePosixPath(text).is_absolute() or PureWindowsPath(text).is_absolute()


def _no_path_in(folder: Path, secrets: list[str]) -> None:
    """No file of ``folder`` (CSV, JSON, xlsx/qdpx/docx members, HTML) holds any of ``secrets``."""
    for f in sorted(folder.rglob("*")):
        if not f.is_file():
            continue
        if zipfile.is_zipfile(f):
            with zipfile.ZipFile(f) as z:
                parts = {f"{f.name}:{n}": z.read(n) for n in z.namelist()}
        else:
            parts = {f.name: f.read_bytes()}
        for name, data in parts.items():
            for secret in secrets:
                assert secret.encode("utf-8") not in data, (name, secret)


@pytest.fixture(scope="module")
def private(tmp_path_factory) -> Path:
    """The researcher's own folder: the transcripts, a codebook of their own,
    human coding to learn from, all under a folder carrying names."""
    home = tmp_path_factory.mktemp("home") / PRIVATE
    shutil.copytree(ROOT / "transcripts", home / "intervjuer")
    bundled = ROOT / "src" / "codingkit" / "codebooks" / "innovationsupphandling.yaml"
    (home / "kodbok_ystad.yaml").write_text(bundled.read_text(encoding="utf-8").replace(
        "  id: innovationsupphandling\n", "  id: ystad\n", 1), encoding="utf-8")
    for name in ("syd_coding.csv", "syd_turns.csv"):
        shutil.copy(ROOT / "gold" / name, home / name)
    return home


@pytest.fixture(scope="module")
def shared(private, tmp_path_factory) -> Path:
    """``apply --pseudonymize`` with every option that names a file or folder."""
    res = tmp_path_factory.mktemp("dela") / "resultat"
    r = CliRunner().invoke(cli, [
        "apply", str(private / "intervjuer"), "--out", str(res), "-q",
        "--codebook", str(private / "kodbok_ystad.yaml"),
        "--manifest", str(private / "intervjuer" / "manifest.csv"),
        "--learn-from", f"{private / 'syd_coding.csv'},{private / 'syd_turns.csv'}",
        "--rules-only", "--save-model", str(private / "kodare.ckm"),
        "--cache", str(private / "cache"), "--format", "xlsx,qdpx",
        "--pseudonymize", "--key", str(private / "nyckel.json")])
    assert r.exit_code == 0, r.output
    return res


def test_a_pseudonymised_manifest_records_no_path(private, shared):
    text = (shared / "manifest.json").read_text(encoding="utf-8")
    manifest = json.loads(text)
    assert PRIVATE not in text and str(private.parent) not in text
    assert not [s for s in _strings(manifest) if _absolute(s)]
    # each input by its source (as segments.csv names it) and sha256
    assert len(manifest["inputs"]) == 12
    for entry in manifest["inputs"]:
        assert entry["path"] is None
        assert entry["sha256"] == _sha(private / "intervjuer" / entry["source"])
    # the codebook by id, version and sha256 (not the bundled one: its file is the user's)
    cb = manifest["codebook"]
    assert cb["path"] is None and cb["bundled"] is None
    assert cb["sha256"] == _sha(private / "kodbok_ystad.yaml")
    opts = manifest["options"]
    assert opts["pseudonymized"] is True
    for key in ("manifest", "learn_from", "learn_transcripts", "save_model", "cache", "model"):
        assert opts[key] is None, key
    assert opts["cached_files"] == 0
    learned = opts["learned_from"]
    assert [f["sha256"] for f in learned["files"]] == [
        _sha(private / "syd_coding.csv"), _sha(private / "syd_turns.csv")]
    assert all(f["path"] is None for f in learned["files"]) and learned["turns"] > 0
    # still a manifest of the results-1 contract, read as every reader reads it
    assert read_manifest(shared)["schema_version"] == 1


def test_no_other_file_of_the_folder_holds_a_path(private, shared):
    assert sorted(p.name for p in shared.iterdir()) == [
        "codingkit.xlsx", "codings.csv", "frequencies.csv", "manifest.json", "project.qdpx",
        "segments.csv"]
    _no_path_in(shared, [PRIVATE, str(private.parent)])


def test_a_model_run_records_the_model_by_sha256_only(private, shared, tmp_path):
    model = private / "kodare.ckm"
    res = tmp_path / "res"
    r = CliRunner().invoke(cli, ["apply", str(private / "intervjuer" / "syd"), "--out",
                                 str(res), "-q", "--model", str(model), "--pseudonymize",
                                 "--key", str(private / "nyckel.json")])
    assert r.exit_code == 0, r.output
    manifest = json.loads((res / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["options"]["model"] is None
    assert manifest["options"]["model_sha256"] == _sha(model)
    assert not [s for s in _strings(manifest) if _absolute(s) or PRIVATE in s]


def test_the_bundled_codebook_is_named_by_its_bundled_name(private, tmp_path):
    res = tmp_path / "res"
    r = CliRunner().invoke(cli, ["apply", str(private / "intervjuer" / "syd"), "--out",
                                 str(res), "-q", "--rules-only", "--pseudonymize", "--key",
                                 str(private / "nyckel.json")])
    assert r.exit_code == 0, r.output
    cb = json.loads((res / "manifest.json").read_text(encoding="utf-8"))["codebook"]
    assert cb["path"] is None and cb["bundled"] == "innovationsupphandling.yaml"
    # found again by name and sha256, wherever codingkit is installed
    assert find_codebook(cb, res).name == "innovationsupphandling.yaml"
    out = tmp_path / "rapport.html"
    r = CliRunner().invoke(cli, ["report", str(res), "--out", str(out)])
    assert r.exit_code == 0, r.output
    page = out.read_text(encoding="utf-8")
    assert "innovationsupphandling.yaml (följer med codingkit)" in page
    assert "no definitions" not in page and PRIVATE not in page


def test_report_reads_the_folder_and_finds_an_own_codebook_with_codebook(private, shared,
                                                                         tmp_path):
    runner = CliRunner()
    html, docx = tmp_path / "rapport.html", tmp_path / "rapport.docx"
    r = runner.invoke(cli, ["report", str(shared), "--out", str(html)])
    assert r.exit_code == 0, r.output
    page = html.read_text(encoding="utf-8")
    # no path recorded: the report says so and asks for the codebook
    assert ("codebook ystad 1.0 not found (manifest.json records no path); "
            "labels from frequencies.csv, no definitions (give it with --codebook)") in page
    # what was learned from: its files by sha256
    assert f"sha256 {_sha(private / 'syd_coding.csv')[:12]}…" in page
    r = runner.invoke(cli, ["report", str(shared), "--out", str(docx), "--since", "1",
                            "--codebook", str(private / "kodbok_ystad.yaml")])
    assert r.exit_code == 0, r.output
    r = runner.invoke(cli, ["report", str(shared), "--out", str(html), "--force",
                            "--codebook", str(private / "kodbok_ystad.yaml")])
    assert r.exit_code == 0, r.output
    assert "no definitions" not in html.read_text(encoding="utf-8")  # the definitions shown
    _no_path_in(tmp_path, [PRIVATE, str(private.parent)])


def test_evaluate_pred_reads_it_and_its_agreement_names_no_folder(private, shared, tmp_path):
    res = tmp_path / "res"
    shutil.copytree(shared, res)
    gold = f"{private / 'syd_coding.csv'},{private / 'syd_turns.csv'}"
    r = CliRunner().invoke(cli, ["evaluate", "--gold", gold, "--pred", str(res), "--by",
                                 "project,round", "--out", str(res / "agreement")])
    assert r.exit_code == 0, r.output
    options = json.loads((res / "agreement" / "agreement.json").read_text("utf-8"))["options"]
    assert options["gold"] == ["syd_coding.csv", "syd_turns.csv"]
    assert options["pred"] == "res" and options["evaluated"] == "predictions in res"
    _no_path_in(res, [PRIVATE, str(private.parent), str(tmp_path)])
    # the report still takes the figures as this run's own
    out = tmp_path / "rapport.html"
    r = CliRunner().invoke(cli, ["report", str(res), "--out", str(out)])
    assert r.exit_code == 0 and "Warning" not in r.output, r.output
    assert 'id="validation"' in out.read_text(encoding="utf-8")
    # written elsewhere (a private folder), agreement.json keeps the paths as given
    r = CliRunner().invoke(cli, ["evaluate", "--gold", gold, "--pred", str(res), "--out",
                                 str(private / "agreement")])
    assert r.exit_code == 0, r.output
    options = json.loads((private / "agreement" / "agreement.json").read_text("utf-8"))
    assert options["options"]["pred"] == str(res)


def test_export_project_refuses_pseudonymised_results_in_one_line(shared, tmp_path):
    """The texts coded were pseudonymised in memory and never written: the
    re-read originals did not fit (E544, a misleading line); now said as it is."""
    out = tmp_path / "p.qdpx"
    r = CliRunner().invoke(cli, ["export-project", str(shared), "--out", str(out)])
    assert r.exit_code == 1 and not out.exists()
    assert r.stderr.count("\n") == 1
    assert r.stderr.startswith(f"Error: {shared / 'manifest.json'}: the results were "
                               "pseudonymised while coding")
    assert "--format qdpx" in r.stderr and r.stderr.endswith("[E546]\n")


def test_depseudonymize_still_refuses_the_folder(private, shared):
    r = CliRunner().invoke(cli, ["depseudonymize", str(shared / "segments.csv"), "--key",
                                 str(private / "nyckel.json"), "--out",
                                 str(shared / "klar.csv")])
    assert r.exit_code == 1 and "[E806]" in r.output


def test_withhold_paths_of_learned_transcripts_keeps_the_callers_record():
    from codingkit.writers import withhold_paths

    learned = {"files": [{"path": "/home/anna/kodning.csv", "sha256": "a" * 64}],
               "transcripts": [{"path": "/home/anna/omg1/ystad.txt", "source": "omg1/ystad.txt",
                                "sha256": "b" * 64}], "turns": 3}
    manifest = {"inputs": [{"path": "/home/anna/x.txt", "source": "x.txt"}],
                "codebook": {"path": "/home/anna/k.yaml", "sha256": "c" * 64},
                "options": {"learn_from": ["/home/anna/kodning.csv"], "learned_from": learned,
                            "model": "m.ckm", "unit": "turn"}}
    withhold_paths(manifest)
    assert manifest["inputs"] == [{"path": None, "source": "x.txt"}]
    assert manifest["codebook"] == {"path": None, "sha256": "c" * 64}
    assert manifest["options"]["learn_from"] is None and manifest["options"]["model"] is None
    assert manifest["options"]["learned_from"]["transcripts"] == [
        {"path": None, "source": None, "sha256": "b" * 64}]
    assert learned["transcripts"][0]["source"] == "omg1/ystad.txt"  # the caller's, unchanged


def test_run_manifest_withholds_paths_only_of_a_pseudonymised_run():
    import codingkit as ck

    t = ck.Transcript("x.txt", "I: Hej.\n", [ck.Turn(1, 3, 7, speaker="I")],
                      path=Path("/home/anna/x.txt"), sha256="d" * 64)
    result = ck.CodingResult([], [], ck.load_codebook(), [t], {})
    plain = run_manifest(result, options={"pseudonymized": False, "cache": "/home/anna/c"})
    assert plain["inputs"][0]["path"] == "/home/anna/x.txt"
    assert plain["options"]["cache"] == "/home/anna/c" and plain["codebook"]["path"]
    pseudo = run_manifest(result, options={"pseudonymized": True, "cache": "/home/anna/c"})
    assert pseudo["inputs"][0] == {"path": None, "source": "x.txt", "sha256": "d" * 64,
                                   "format": "text"}
    assert pseudo["options"]["cache"] is None and pseudo["codebook"]["path"] is None
    assert pseudo["codebook"]["bundled"] == "innovationsupphandling.yaml"
