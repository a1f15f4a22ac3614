"""Rebuilding a coding result from an apply output folder, and export-project."""

from __future__ import annotations

import hashlib
import warnings

import pytest
import xmlschema

import codingkit as ck
from codingkit.codebook import dump_codebook
from codingkit.errors import RefiQdaError, ResultsFolderError
from codingkit.model import Coding, CodingResult, Segment
from codingkit.refiqda import export_project, read_qdpx, result_from_output_dir
from codingkit.refiqda._common import schema_path
from refiqda_helpers import TEXT_OSTERGOTLAND, TEXT_SYD, make_codebook


def _sha(p):
    return hashlib.sha256(p.read_bytes()).hexdigest()


@pytest.fixture
def apply_dir(tmp_path):
    """A results folder of hand-made segments and codings, as `codingkit apply` writes it."""
    src = tmp_path / "intervjuer"
    (src / "syd").mkdir(parents=True)
    (src / "ostergotland").mkdir()
    (src / "syd" / "01_projektledare.txt").write_text(TEXT_SYD, encoding="utf-8")
    (src / "ostergotland" / "05_upphandlare.txt").write_text(TEXT_OSTERGOTLAND, encoding="utf-8")
    cb_path = tmp_path / "teman.yaml"
    yaml_ready = make_codebook()
    yaml_ready.codes["tidig_dialog.rfi"].color = "#aabbcc"  # YAML wants #RRGGBB
    cb_path.write_text(dump_codebook(yaml_ready), encoding="utf-8")
    codebook = ck.load_codebook(cb_path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ck.CodingkitWarning)
        transcripts = ck.read_transcripts([src])
    segments, codings = [], []
    for t in transcripts:
        for turn in t.turns:
            s = Segment(f"{t.source}:{turn.number}", t.source, turn.start, turn.end,
                        t.turn_text(turn), turn.number, turn.speaker, turn.speaker_role,
                        metadata={"project": "P", "round": "1", "role": "r"})
            segments.append(s)
            if "RFI" in s.text or "leverantörerna" in s.text:
                codings.append(Coding(s.segment_id, "tidig_dialog", "tidig_dialog", 0.9, "rule",
                                      "term(RFI)"))
    out = tmp_path / "resultat"
    ck.write_outputs(CodingResult(segments, codings, codebook, transcripts), out,
                     options={"unit": "turn", "speaker_pattern": None, "manifest": None})
    return out, CodingResult(segments, codings, codebook, transcripts)


def test_result_is_rebuilt_from_the_folder(apply_dir):
    out, original = apply_dir
    r = result_from_output_dir(out)
    assert [t.source for t in r.transcripts] == [t.source for t in original.transcripts]
    assert sorted(t.source for t in r.transcripts) == ["ostergotland/05_upphandlare.txt",
                                                       "syd/01_projektledare.txt"]
    assert r.segment_list == original.segment_list
    assert r.coding_list == original.coding_list and len(r.coding_list) == 3
    assert r.codebook.id == "test_teman"
    assert r.options["unit"] == "turn"


def test_export_project_is_valid_and_reproducible(apply_dir, tmp_path):
    out, original = apply_dir
    a = export_project(out, tmp_path / "a.qdpx")
    b = export_project(out, tmp_path / "b.qdpx")
    assert a.read_bytes() == b.read_bytes()  # timestamps come from the manifest
    import zipfile

    with schema_path("Project.xsd") as xsd:
        xmlschema.XMLSchema(str(xsd)).validate(
            zipfile.ZipFile(a).read("project.qde").decode("utf-8"))
    project = read_qdpx(a)
    segs = {s.segment_id: s for s in original.segment_list}
    assert sorted(project.human_coding[["source", "start", "end", "code"]]
                  .itertuples(index=False, name=None)) == sorted(
        (segs[c.segment_id].source, segs[c.segment_id].start, segs[c.segment_id].end, c.code)
        for c in original.coding_list)


def test_a_changed_transcript_is_refused(apply_dir):
    out, original = apply_dir
    path = original.transcripts[0].path
    path.write_text(path.read_text(encoding="utf-8") + "IP1: Ett tillägg.\n", encoding="utf-8")
    with pytest.raises(RefiQdaError, match=r"manifest\.json: transcript .* changed since it was "
                                           r"coded.*run codingkit apply again \[E542\]"):
        result_from_output_dir(out)


def test_a_changed_codebook_is_refused(apply_dir):
    out, _ = apply_dir
    cb = out.parent / "teman.yaml"
    cb.write_text(cb.read_text(encoding="utf-8") + "\n# ändrad\n", encoding="utf-8")
    with pytest.raises(RefiQdaError, match=r"codebook .* changed since the coding.*\[E543\]"):
        result_from_output_dir(out)


def test_segments_that_do_not_fit_their_transcript_are_refused(apply_dir):
    out, _ = apply_dir
    seg = (out / "segments.csv").read_text(encoding="utf-8")
    (out / "segments.csv").write_text(seg.replace("Vi skickade ut", "Vi mejlade ut"),
                                      encoding="utf-8")
    with pytest.raises(RefiQdaError, match=r"segments\.csv: line \d+: the text at \d+:\d+ of "
                                           r"'ostergotland/05_upphandlare\.txt'.*\[E544\]"):
        result_from_output_dir(out)


def test_missing_manifest_or_inputs_are_errors(apply_dir, tmp_path):
    out, original = apply_dir
    with pytest.raises(ResultsFolderError, match=r"no manifest\.json.*\[E901\]"):
        result_from_output_dir(tmp_path / "intervjuer")
    original.transcripts[1].path.unlink()
    with pytest.raises(RefiQdaError, match=r"input .* not found.*\[E541\]"):
        result_from_output_dir(out)


def test_the_bundled_codebook_is_found_without_a_sha256_by_id_and_version(tmp_path):
    import json

    src = tmp_path / "in"
    src.mkdir()
    (src / "01.txt").write_text(TEXT_SYD, encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ck.CodingkitWarning)
        result = ck.Coder(similarity="none").code(ck.read_transcripts([src]))
    out = tmp_path / "resultat"
    ck.write_outputs(result, out)
    path = out / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest["codebook"].update(sha256=None, bundled=None,
                                path="C:\\venv\\Lib\\site-packages\\codingkit\\codebooks\\"
                                     "innovationsupphandling.yaml")
    path.write_text(json.dumps(manifest), encoding="utf-8")
    assert result_from_output_dir(out).codebook.id == "innovationsupphandling"
    manifest["codebook"]["version"] = "0.9"
    path.write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(RefiQdaError, match=r"codebook .* not found, and the codebook bundled with "
                                           r"this codingkit .* is innovationsupphandling 1\.0, "
                                           r"the run used innovationsupphandling 0\.9; give the "
                                           r"codebook that was used with --codebook PATH \[E541\]"):
        result_from_output_dir(out)
