"""tools/build_data.py: the sample corpus and gold coding from their annotated sources."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def build_data():
    spec = importlib.util.spec_from_file_location("build_data", ROOT / "tools" / "build_data.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_data"] = module  # its dataclasses look their module up
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        del sys.modules["build_data"]


def test_the_annotated_sources_render_the_sample_corpus(build_data):
    """Every interview of syd_src/ and heldout_src/ renders to the file in
    transcripts/ (without writing it)."""
    b = build_data
    checked = 0
    for name, corpus in b.CORPUS.items():
        for stem, spec in corpus.files.items():
            _, iv, rp, _, style = spec
            header, turns = b.read_corpus_source(b.SOURCES / f"{name}_src" / f"{stem}.txt",
                                                 iv, rp)
            target = b._target(stem, spec)
            if style == "docx":
                pairs, paragraphs = b.parse_docx_source(b.render_labels(header, turns))
                assert b._docx_content(target) == ([tuple(p) for p in pairs], paragraphs)
            else:
                render = {"labels": lambda h, t, _: b.render_labels(h, t),
                          "times": b.render_times, "vtt": b.render_vtt}[style]
                assert render(header, turns, corpus.timing) == target.read_text(encoding="utf-8")
            checked += 1
    assert checked == 8


def test_a_new_set_builds_from_its_src_folder(build_data, tmp_path, monkeypatch, capsys):
    """Any <SET>_src/ folder is a set that `set` and `all` build, with its gold CSVs."""
    b = build_data
    monkeypatch.setattr(b, "SOURCES", tmp_path / "data_sources")
    monkeypatch.setattr(b, "GOLD", tmp_path / "gold")
    (tmp_path / "data_sources" / "demo_src").mkdir(parents=True)
    (tmp_path / "gold").mkdir()
    (tmp_path / "data_sources" / "demo_src" / "01_upphandlare_omg1.txt").write_text(
        "Projekt: Demo\nOmgång: 1\nRoll: upphandlare\nDatum: 2026-01-01\nIntervjuare: I\n"
        "Obs: Fiktiv.\n\nI: Hur började ni?\n"
        "IP: Vi skickade ut en RFI till leverantörerna. {{tidig_dialog}}\nI: Och sedan?\n"
        "IP: Sedan var det sommar.\n", encoding="utf-8")
    assert b.other_sets() == ["demo"]
    assert b.main(["set", "demo", "--check"]) == 0
    assert "all turns match codingkit's readers" in capsys.readouterr().out
    gold = tmp_path / "gold"
    assert (gold / "demo_coding.csv").read_bytes() == (
        b"source,turn,speaker,code,excerpt\r\n"
        b"demo/01_upphandlare_omg1.txt,2,IP,tidig_dialog,Vi skickade ut en RFI till "
        b"leverant\xc3\xb6rern\r\n")  # excerpts: the first 40 characters
    assert (gold / "demo_turns.csv").read_text(encoding="utf-8").splitlines()[1:] == [
        "demo/01_upphandlare_omg1.txt,2,IP,Vi skickade ut en RFI till leverantörern",
        "demo/01_upphandlare_omg1.txt,4,IP,Sedan var det sommar."]
    assert (gold / "transcripts" / "demo" / "01_upphandlare_omg1.txt").read_text(
        encoding="utf-8").endswith("IP: Vi skickade ut en RFI till leverantörerna.\n"
                                   "I: Och sedan?\nIP: Sedan var det sommar.\n")


def test_a_malformed_source_is_one_line_naming_it(build_data, tmp_path, monkeypatch, capsys):
    b = build_data
    monkeypatch.setattr(b, "SOURCES", tmp_path)
    monkeypatch.setattr(b, "GOLD", tmp_path / "gold")
    (tmp_path / "demo_src").mkdir()
    (tmp_path / "demo_src" / "01.txt").write_text(
        "Projekt: Demo\nOmgång: 1\nRoll: r\nDatum: d\nIntervjuare: I\nObs: o\n\n"
        "I: Hur? {{behov}}\n", encoding="utf-8")
    assert b.main(["set", "demo"]) == 1
    assert capsys.readouterr().err == (f"error: {tmp_path / 'demo_src' / '01.txt'}:8: an "
                                       "interviewer turn is never coded\n")
    assert not (tmp_path / "gold").exists()  # nothing written from a malformed set
