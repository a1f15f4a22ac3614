"""``codingkit apply`` end to end, through click's CliRunner."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from codingkit.cli import cli

ROOT = Path(__file__).resolve().parents[1]

INTERVIEW = """Projekt: Innovationsupphandling Syd
Omgång: 2
Roll: upphandlare
Obs: Fiktiv intervju för tester.

I: Hur började ni arbetet med leverantörerna?
IP: Vi bjöd in leverantörerna till en träff innan vi skrev underlaget, för vi ville höra vad marknaden kunde erbjuda.
I: Mm.
IP: Och sen skickade vi ut en RFI också.
I: Hur var stämningen i gruppen?
IP: Jättebra, vi fikade mycket och pratade om fotboll.
"""

CODEBOOK = """codebook:
  id: test
  version: "2"
codes:
  - id: tidig_dialog
    label: Tidig marknadsdialog
    rules:
      - bjuda in leverantör*
      - RFI
  - id: behov
    label: Behov
    rules: [behovsanalys]
"""


def _corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "intervjuer"
    folder.mkdir()
    (folder / "syd_01.txt").write_text(INTERVIEW, encoding="utf-8")
    (folder / "manifest.csv").write_text(
        "file,project,round,role,interviewer\nsyd_01.txt,Innovationsupphandling Syd,2,upphandlare,I\n",
        encoding="utf-8")
    return folder


def _run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_apply_writes_tables_with_evidence(tmp_path):
    folder = _corpus(tmp_path)
    (tmp_path / "kodbok.yaml").write_text(CODEBOOK, encoding="utf-8")
    out = tmp_path / "res"
    r = _run("apply", str(folder), "--codebook", str(tmp_path / "kodbok.yaml"),
             "--out", str(out), "--quiet")
    assert r.exit_code == 0, r.output
    assert "Coded 6 segments from 1 transcript with codebook test 2: 2 codings in 2 segments" \
        in r.output
    segs = pd.read_csv(out / "segments.csv")
    assert list(segs.speaker_role) == ["interviewer", "respondent"] * 3
    assert set(segs.project) == {"Innovationsupphandling Syd"}
    text = (folder / "syd_01.txt").read_text("utf-8")
    for row in segs.itertuples():
        assert text[row.start:row.end] == row.text
    cod = pd.read_csv(out / "codings.csv")
    assert list(cod.segment_id) == ["syd_01.txt:2", "syd_01.txt:4"]
    assert list(cod.code) == ["tidig_dialog", "tidig_dialog"]
    assert "bjöd in leverantörerna" in cod.evidence[0]
    assert "RFI" in cod.evidence[1]
    freq = pd.read_csv(out / "frequencies.csv")
    row = freq[freq.code == "tidig_dialog"].iloc[0]
    assert (row.codings, row.segments, row.sources, row.sources_total) == (2, 2, 1, 1)
    assert row.segments_total == 3
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    assert manifest["codebook"]["id"] == "test"
    assert manifest["inputs"][0]["source"] == "syd_01.txt"
    assert len(manifest["inputs"][0]["sha256"]) == 64


def test_apply_is_deterministic_and_leaves_inputs_alone(tmp_path):
    folder = _corpus(tmp_path)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    for name in ("a", "b"):
        r = _run("apply", str(folder), "--out", str(tmp_path / name), "--quiet")
        assert r.exit_code == 0, r.output
    for table in ("segments.csv", "codings.csv", "frequencies.csv"):
        assert (tmp_path / "a" / table).read_bytes() == (tmp_path / "b" / table).read_bytes()
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


def test_apply_sample_corpus_default_codebook(tmp_path):
    out = tmp_path / "res"
    r = _run("apply", str(ROOT / "transcripts"), "--out", str(out), "--quiet")
    assert r.exit_code == 0, r.output
    segs = pd.read_csv(out / "segments.csv")
    assert segs.source.str.startswith("syd/").any() and segs.source.str.startswith("ostergotland/").any()
    assert set(segs.source) == {line.split(",")[0] for line in (
        ROOT / "transcripts" / "manifest.csv").read_text(encoding="utf-8").splitlines()[1:]}
    freq = pd.read_csv(out / "frequencies.csv")
    themes = ["tidig_dialog", "behov", "kommersialisering", "forfarande", "risk_regelverk",
              "forankring", "samverkan", "resurser", "larande", "effekter"]
    assert set(themes) <= set(freq.code)
    cod = pd.read_csv(out / "codings.csv")
    assert set(cod.theme) == set(themes)
    # only respondents are coded by default
    coded = segs[segs.segment_id.isin(cod.segment_id)]
    assert set(coded.speaker_role) == {"respondent"}


def test_unit_sentence(tmp_path):
    folder = _corpus(tmp_path)
    r = _run("apply", str(folder), "--out", str(tmp_path / "s"), "--unit", "sentence", "--quiet")
    assert r.exit_code == 0, r.output
    segs = pd.read_csv(tmp_path / "s" / "segments.csv")
    assert "syd_01.txt:2.1" in set(segs.segment_id)
    assert set(segs.unit) == {"sentence"}


def test_refuses_nonempty_output(tmp_path):
    folder = _corpus(tmp_path)
    out = tmp_path / "res"
    out.mkdir()
    (out / "mina_anteckningar.txt").write_text("viktigt", encoding="utf-8")
    r = CliRunner().invoke(cli, ["apply", str(folder), "--out", str(out), "--quiet"])
    assert r.exit_code == 1
    assert r.output.strip().startswith("Error: ") and "not empty" in r.output
    assert [p.name for p in out.iterdir()] == ["mina_anteckningar.txt"]


def _docx_corrupt(p: Path):
    p.write_bytes(b"PK\x03\x04 this is not really a word file")


@pytest.mark.parametrize(
    "name, content, expected",
    [
        ("saknas.txt", None, "saknas.txt"),
        ("tom.txt", b"", "empty"),
        ("binar.txt", b"\x00\x01\x02\x03\xff\xfe\x00\x00" * 20, "binary"),
        ("trasig.docx", "corrupt", "trasig.docx"),
        ("ljud.mp3", b"ID3\x03\x00", "ljud.mp3"),
    ],
)
def test_bad_transcripts_give_one_line(tmp_path, name, content, expected):
    path = tmp_path / name
    if content == "corrupt":
        _docx_corrupt(path)
    elif content is not None:
        path.write_bytes(content)
    out = tmp_path / "res"
    r = CliRunner().invoke(cli, ["apply", str(path), "--out", str(out), "--quiet"])
    assert r.exit_code == 1, r.output
    lines = r.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ")
    assert expected in lines[0] and name in lines[0]
    assert "Traceback" not in r.output
    assert not out.exists() or not any(out.iterdir())


@pytest.mark.parametrize(
    "yaml_text, expected",
    [
        ("codebook:\n  id: x\n  version: '1'\ncodes:\n  - id: a\n    label: [unclosed\n", "line"),
        ("codebook:\n  id: x\n  version: '1'\ncodes:\n  - id: a\n    label: A\n    colour: red\n",
         "line 7"),
    ],
)
def test_bad_codebook_gives_one_line(tmp_path, yaml_text, expected):
    folder = _corpus(tmp_path)
    cb = tmp_path / "kodbok.yaml"
    cb.write_text(yaml_text, encoding="utf-8")
    out = tmp_path / "res"
    r = CliRunner().invoke(cli, ["apply", str(folder), "--codebook", str(cb), "--out", str(out)])
    assert r.exit_code == 1
    lines = r.output.strip().splitlines()
    assert len(lines) == 1 and "kodbok.yaml" in lines[0] and expected in lines[0]
    assert not out.exists()


def test_manifest_naming_missing_file(tmp_path):
    folder = _corpus(tmp_path)
    (folder / "manifest.csv").write_text(
        "file,project,round,role\nsyd_01.txt,Syd,1,x\nsyd_99.txt,Syd,1,x\n", encoding="utf-8")
    r = CliRunner().invoke(cli, ["apply", str(folder), "--out", str(tmp_path / "res")])
    assert r.exit_code == 1
    line = r.output.strip()
    assert "manifest.csv" in line and "line 3" in line and "syd_99.txt" in line


def test_transcript_without_turns_warns_and_is_coded(tmp_path):
    path = tmp_path / "anteckning.txt"
    path.write_text("Vi bjöd in leverantörerna till en träff innan vi skrev underlaget.\n",
                    encoding="utf-8")
    (tmp_path / "kodbok.yaml").write_text(CODEBOOK, encoding="utf-8")
    r = CliRunner().invoke(cli, ["apply", str(path), "--codebook", str(tmp_path / "kodbok.yaml"),
                                 "--out", str(tmp_path / "res"), "--quiet"])
    assert r.exit_code == 0, r.output
    assert "Warning: " in r.output and "anteckning.txt" in r.output
    cod = pd.read_csv(tmp_path / "res" / "codings.csv")
    assert list(cod.code) == ["tidig_dialog"]


def test_help_lists_every_command_and_readme_mentions_them():
    r = _run("--help")
    commands = [ln.split()[0] for ln in r.output.split("Commands:")[1].strip().splitlines()]
    assert {"apply", "validate"} <= set(commands)
    readme = (ROOT / "README.md").read_text("utf-8")
    for command in commands:
        assert f"codingkit {command}" in readme, command


def test_apply_qdpx_then_import_project_gives_the_same_codings(tmp_path):
    """apply --format qdpx → import-project → the human-coding table holds every coding."""
    folder = _corpus(tmp_path)
    out = tmp_path / "res"
    r = _run("apply", str(folder), "--out", str(out), "--format", "qdpx", "--quiet")
    assert r.exit_code == 0, r.output
    assert (out / "project.qdpx").is_file() and (out / "codings.csv").is_file()
    # the folder can be exported again (export-project needs the CSV tables)
    r = _run("export-project", str(out), "--out", str(tmp_path / "igen.qdpx"))
    assert r.exit_code == 0, r.output
    r = _run("import-project", str(out / "project.qdpx"), "--out", str(tmp_path / "back"))
    assert r.exit_code == 0, r.output
    back = pd.read_csv(tmp_path / "back" / "human_coding.csv")
    cod = pd.read_csv(out / "codings.csv").merge(pd.read_csv(out / "segments.csv"), on="segment_id")
    want = sorted(zip(cod.source, cod.start, cod.end, cod.code))
    got = sorted(zip(back.source, back.start, back.end, back.code))
    assert got == want and len(want) >= 2
    assert set(back.coder) == {"codingkit (automatic)"}


def test_a_bug_gives_one_line_not_a_traceback(tmp_path, monkeypatch):
    import codingkit.coding.coder as coder_module

    def broken(self, *a, **k):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(coder_module.Coder, "code", broken)
    folder = _corpus(tmp_path)
    r = CliRunner().invoke(cli, ["apply", str(folder), "--out", str(tmp_path / "res"), "-q"])
    assert r.exit_code == 2
    assert r.output.count("\n") == 1 and "internal error (ZeroDivisionError" in r.output
    assert "Traceback" not in r.output


#: eight human-coded sample interviews: enough coding to learn most themes,
#: too little for three of them (fewer than 30 segments)
LEARN = [x for name in ("syd", "ost") for kind in ("coding", "turns")
         for x in ("--learn-from", str(ROOT / "gold" / f"{name}_{kind}.csv"))]


@pytest.fixture(scope="module")
def learned_run(tmp_path_factory):
    """``apply`` of the sample corpus learning from :data:`LEARN` alone
    (--rules-only: not on top of the gold), saving the coder: its output
    folder, the saved coder and what it printed (do not modify)."""
    tmp = tmp_path_factory.mktemp("learned")
    out, model = tmp / "res", tmp / "kodare.ckm"
    r = _run("apply", str(ROOT / "transcripts"), "--out", str(out), "--quiet", *LEARN,
             "--save-model", str(model), "--rules-only")
    assert r.exit_code == 0, r.output
    return out, model, r.output


def test_apply_learn_from_human_coding(tmp_path, learned_run):
    learn = LEARN
    out, _, output = learned_run
    assert ("Warning: too little human coding to learn behov (24), kommersialisering (28), "
            "samverkan (25): these codes keep the codebook's coding") in output
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    assert manifest["options"]["learn_from"][0].endswith("syd_coding.csv")
    assert "forfarande" in manifest["options"]["learned_codes"]
    assert manifest["options"]["codebook_kept"] == ["behov", "kommersialisering", "samverkan"]
    assert not set(manifest["options"]["codebook_kept"]) & set(
        manifest["options"]["learned_codes"])
    cod = pd.read_csv(out / "codings.csv")
    learned = cod[cod.method == "learned"]
    assert len(learned) > 0 and learned.evidence.str.startswith("learned ").all()
    assert "forfarande" in set(learned.code)
    assert not {"behov", "kommersialisering", "samverkan"} & set(learned.code)
    # a researcher may accept less human coding per code
    out2 = tmp_path / "res2"
    r = _run("apply", str(ROOT / "transcripts"), "--out", str(out2), "--quiet", *learn,
             "--min-positives", "20", "--rules-only")
    assert r.exit_code == 0 and "Warning" not in r.output, r.output
    assert json.loads((out2 / "manifest.json").read_text("utf-8"))["options"][
        "min_positives"] == 20
    learned2 = pd.read_csv(out2 / "codings.csv").query("method == 'learned'")
    assert {"behov", "samverkan"} & set(learned2.code)
    r = _run("apply", str(ROOT / "transcripts"), "--out", str(tmp_path / "res3"), "--quiet",
             *learn, "--min-positives", "-1")
    assert r.exit_code == 2 and "-1 is not in the range x>=0" in r.output
    assert not (tmp_path / "res3").exists()


def test_learn_from_last_rounds_transcripts(tmp_path):
    """Learn from interviews coded by hand (here Östergötland's) and code
    others (Syd's): the coded-by-hand transcripts are read, not coded."""
    learn = [x for kind in ("coding", "turns")
             for x in ("--learn-from", str(ROOT / "gold" / f"ost_{kind}.csv"))]
    out = tmp_path / "res"
    args = ("apply", str(ROOT / "transcripts" / "syd"), "--out", str(out), "--quiet", *learn,
            "--min-positives", "10", "--rules-only")
    # the coding's transcripts are not among PATHS: a one-line error naming both sides
    r = _run(*args)
    assert r.exit_code == 1 and r.output.count("\n") == 1, r.output
    assert r.output.startswith(f"Error: {ROOT / 'gold' / 'ost_coding.csv'} (and 1 more "
                               "file): no transcript the human coded is among the 6 given")
    assert "'ostergotland/05_upphandlare_omg1.txt'" in r.output
    assert "'01_projektledare_omg1.txt'" in r.output
    assert "; or name them with --learn-transcripts [E606]" in r.output
    assert not out.exists()
    r = _run(*args, "--learn-transcripts", str(ROOT / "transcripts"))
    assert r.exit_code == 0, r.output
    segs = pd.read_csv(out / "segments.csv")
    assert set(segs.source) == {p.name for p in (ROOT / "transcripts" / "syd").iterdir()
                                if p.suffix in {".txt", ".docx", ".vtt", ".md", ".srt"}}
    cod = pd.read_csv(out / "codings.csv")
    assert cod.method.eq("learned").any()
    options = json.loads((out / "manifest.json").read_text("utf-8"))["options"]
    assert options["learn_transcripts"] == [str(ROOT / "transcripts")]
    assert options["learned_codes"]
    # manifest.json names what was learned from, with checksums
    learned = options["learned_from"]
    assert [f["path"] for f in learned["files"]] == [
        str(ROOT / "gold" / "ost_coding.csv"), str(ROOT / "gold" / "ost_turns.csv")]
    assert all(len(f["sha256"]) == 64 for f in learned["files"])
    coded = sorted(set(pd.read_csv(ROOT / "gold" / "ost_turns.csv").source))
    assert len(coded) == 4
    assert sorted(t["source"] for t in learned["transcripts"]) == coded
    # --learn-transcripts belongs to --learn-from
    r = _run("apply", str(ROOT / "transcripts" / "syd"), "--out", str(tmp_path / "r2"),
             "--learn-transcripts", str(ROOT / "transcripts"))
    assert r.exit_code == 2 and "give --learn-from too" in r.output
    assert not (tmp_path / "r2").exists()


def test_learn_from_paths_and_learn_transcripts_together(tmp_path):
    """A human coded one interview of this round (among PATHS) and one of
    last round (--learn-transcripts): both are learned from."""
    omg1, omg2 = tmp_path / "omg1", tmp_path / "omg2"
    omg1.mkdir()
    omg2.mkdir()
    ost = ROOT / "transcripts" / "ostergotland" / "05_upphandlare_omg1.txt"
    syd = ROOT / "transcripts" / "syd" / "01_projektledare_omg1.txt"
    (omg1 / "05.txt").write_bytes(ost.read_bytes())
    (omg2 / "01.txt").write_bytes(syd.read_bytes())
    (omg2 / "04.txt").write_bytes((ROOT / "transcripts" / "syd" /
                                  "04_verksamhet_omg3.txt").read_bytes())
    rows = []
    for name, new in (("ost", "05.txt"), ("syd", "01.txt")):
        for kind in ("coding", "turns"):
            df = pd.read_csv(ROOT / "gold" / f"{name}_{kind}.csv", dtype=str)
            df = df[df.source.str.endswith(ost.name if name == "ost" else syd.name)]
            rows.append(df.assign(source=new, kind=kind))
    for kind in ("coding", "turns"):
        pd.concat([r for r in rows if r.kind.iloc[0] == kind]).drop(columns="kind").to_csv(
            tmp_path / f"h_{kind}.csv", index=False)
    learn = ["--learn-from", str(tmp_path / "h_coding.csv"),
             "--learn-from", str(tmp_path / "h_turns.csv"), "--min-positives", "0",
             "--rules-only"]
    out = tmp_path / "res"
    r = _run("apply", str(omg2), "--out", str(out), "--quiet", *learn,
             "--learn-transcripts", str(omg1))
    assert r.exit_code == 0, r.output
    assert "fall on no segment" not in r.output  # 05.txt and 01.txt both found
    assert set(pd.read_csv(out / "segments.csv").source) == {"01.txt", "04.txt"}
    # without --learn-transcripts, last round's coding falls on nothing
    r = _run("apply", str(omg2), "--out", str(tmp_path / "res2"), "--quiet", *learn)
    assert r.exit_code == 0 and "human codings fall on no segment" in r.output, r.output
    # one name for two different texts is refused
    (omg1 / "01.txt").write_bytes(ost.read_bytes())
    r = _run("apply", str(omg2), "--out", str(tmp_path / "res3"), "--quiet", *learn,
             "--learn-transcripts", str(omg1))
    assert r.exit_code == 1 and r.output.count("\n") == 1, r.output
    assert "two different transcripts are both named '01.txt'" in r.output
    assert "[E632]" in r.output and not (tmp_path / "res3").exists()


def test_by_a_misspelt_metadata_column_is_an_error(tmp_path):
    out = tmp_path / "res"
    r = _run("apply", str(ROOT / "transcripts" / "syd"), "--out", str(out), "--quiet",
             "--by", "project,rund")
    assert r.exit_code == 1 and r.output.count("\n") == 1, r.output
    assert r.output.startswith("Error: cannot count per rund: no transcript has that "
                               "metadata; they have project, round, role")
    assert "[E404]" in r.output and not out.exists()
    import codingkit as ck

    result = ck.Coder(similarity="none").code(ck.read_transcripts(ROOT / "transcripts" / "syd"))
    with pytest.raises(ck.CodingkitError, match="cannot count per projekt"):
        result.frequencies(by=("projekt", "round"))
    assert len(result.frequencies(by=("role",))) > 0


def test_folder_without_transcripts_is_an_error(tmp_path):
    folder = tmp_path / "tom_mapp"
    folder.mkdir()
    (folder / "manifest.csv").write_text("file,project,round,role\n", encoding="utf-8")
    r = CliRunner().invoke(cli, ["apply", str(folder), "--out", str(tmp_path / "res")])
    assert r.exit_code == 1
    assert "tom_mapp: no transcripts in this folder" in r.output and "[E110]" in r.output
    assert not (tmp_path / "res").exists()


def test_sample_surveys(tmp_path):
    out = tmp_path / "enkat"
    r = _run("apply", str(ROOT / "surveys"), "--out", str(out), "--quiet")
    assert r.exit_code == 0, r.output
    # answers are counted as answers of their survey, not as transcripts
    assert "Coded 12 segments from 12 answers from 1 survey with codebook" in r.output
    segs = pd.read_csv(out / "segments.csv")
    assert len(segs) == 12 and segs.source.str.startswith("enkat_omg2.csv#").all()
    assert set(segs.project) == {"Innovationsupphandling Syd", "Region Östergötland"}
    freq = pd.read_csv(out / "frequencies.csv")
    assert set(freq.sources_total) == {6}  # six answers per project, all in round 2


def test_save_model_then_apply_with_it_codes_the_same(tmp_path, learned_run):
    first_out, model, output = learned_run  # apply --learn-from ... --save-model
    assert model.is_file() and f"Saved the coder to {model}" in output
    r = _run("apply", str(ROOT / "transcripts"), "--out", str(tmp_path / "b"), "--quiet",
             "--model", str(model))
    assert r.exit_code == 0 and "Warning" not in r.output, r.output
    first = (first_out / "codings.csv").read_bytes()
    assert (tmp_path / "b" / "codings.csv").read_bytes() == first
    assert pd.read_csv(tmp_path / "b" / "codings.csv").method.eq("learned").any()
    manifest = json.loads((tmp_path / "b" / "manifest.json").read_text("utf-8"))
    assert manifest["options"]["model"] == str(model)
    assert manifest["options"]["model_sha256"] == hashlib.sha256(model.read_bytes()).hexdigest()
    first_run = json.loads((first_out / "manifest.json").read_text("utf-8"))["options"]
    assert first_run["save_model"] == str(model) and first_run["model_sha256"] is None
    # the model brings its own codebook and learning
    r = _run("apply", str(ROOT / "transcripts"), "--out", str(tmp_path / "c"), "--quiet",
             "--model", str(model), "--codebook", str(ROOT / "transcripts" / "manifest.csv"),
             "--similarity", "none", "--learn-transcripts", str(ROOT / "transcripts"))
    assert r.exit_code == 2
    assert "--model brings its own codebook, options and learning; leave out --codebook, " \
           "--similarity, --learn-transcripts" in r.output
    # a file that is not a saved coder: one line, nothing written
    r = _run("apply", str(ROOT / "transcripts"), "--out", str(tmp_path / "d"), "--quiet",
             "--model", str(ROOT / "transcripts" / "manifest.csv"))
    assert r.exit_code == 1 and r.output.count("\n") == 1, r.output
    assert "manifest.csv: not a coder saved by codingkit" in r.output and "[E613]" in r.output
    assert not (tmp_path / "d").exists()


def test_learning_from_a_few_listed_turns_warns_that_the_rest_count_as_no_theme(tmp_path):
    """A coding CSV without a list of turns read makes every respondent turn
    of a coded transcript a negative: listing 1 turn of 46 is warned about;
    the gold coding (most turns coded) and a CSV with its turn list are not."""
    import warnings

    from codingkit import CodingkitWarning, read_transcripts
    from codingkit.cli.apply_cmd import warn_sparse_coding
    from codingkit.humancoding import read_coding_rounds

    transcripts = read_transcripts(ROOT / "transcripts")
    few = tmp_path / "kodning.csv"
    few.write_text("source,turn,code\nsyd/01_projektledare_omg1.txt,6,samverkan\n",
                   encoding="utf-8")
    listed = tmp_path / "lista"
    listed.mkdir()
    (listed / "kodning.csv").write_bytes(few.read_bytes())
    (listed / "turer.csv").write_text("source,turn\nsyd/01_projektledare_omg1.txt,6\n",
                                      encoding="utf-8")
    for files, expected in (([few], 1), ([listed], 0), ([ROOT / "gold" / "syd_coding.csv"], 0)):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            warn_sparse_coding(read_coding_rounds(files), transcripts)
        got = [str(w.message) for w in caught if issubclass(w.category, CodingkitWarning)]
        assert len(got) == expected, (files, got)
        if expected:
            assert got[0].startswith(f"{few}: codes 1 of the 46 respondent turns of "
                                     "syd/01_projektledare_omg1.txt; without a list")
