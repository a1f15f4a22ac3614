import json

import pytest

from codingkit.errors import OutputError
from codingkit.model import Code, Codebook, Coding, CodingResult, Segment, Transcript, Turn
from codingkit.writers import write_outputs


def _result():
    cb = Codebook(
        id="test", version="1",
        codes={
            "tidig_dialog": Code("tidig_dialog", "Tidig marknadsdialog"),
            "tidig_dialog.rfi": Code("tidig_dialog.rfi", "RFI", parent="tidig_dialog"),
            "behov": Code("behov", "Behov"),
        },
    )
    transcripts, segments = [], []
    for src, project, rnd in [("a.txt", "Syd", "1"), ("b.txt", "Syd", "1"), ("c.txt", "Öst", "2")]:
        meta = {"project": project, "round": rnd, "role": "upphandlare", "datum": "2026-01-02"}
        text = "I: Hur?\nIP: Vi skickade ut en RFI till företagen.\n"
        t = Transcript(src, text, turns=[Turn(1, 3, 7, "I", "interviewer"), Turn(2, 12, 49, "IP")],
                       metadata=meta, path=None, sha256="0" * 64)
        transcripts.append(t)
        for turn in t.turns:
            segments.append(Segment(f"{src}:{turn.number}", src, turn.start, turn.end,
                                    text[turn.start:turn.end], turn.number, turn.speaker,
                                    turn.speaker_role, "turn", meta))
    codings = [
        Coding("a.txt:2", "tidig_dialog", "tidig_dialog", 1.0, "rule", "term(RFI) → 'RFI'"),
        Coding("a.txt:2", "tidig_dialog.rfi", "tidig_dialog", 1.0, "rule", "term(RFI) → 'RFI'"),
        Coding("c.txt:2", "tidig_dialog.rfi", "tidig_dialog", 0.9, "fuzzy", "x"),
    ]
    return CodingResult(segments, codings, cb, transcripts)


def test_segments_table_has_metadata_columns():
    df = _result().segments
    assert list(df.columns[:12]) == ["segment_id", "source", "project", "round", "role", "speaker",
                                     "speaker_role", "turn", "unit", "start", "end", "text"]
    assert "datum" in df.columns
    assert df.loc[1, "text"] == "Vi skickade ut en RFI till företagen."


def test_frequencies_roll_up_and_denominators():
    f = _result().frequencies()
    syd = f[(f.project == "Syd") & (f.code == "tidig_dialog")].iloc[0]
    # a.txt has two codings (theme + sub-code) in one segment; b.txt none.
    assert (syd.codings, syd.segments, syd.sources, syd.sources_total) == (2, 1, 1, 2)
    assert syd.share_sources == 0.5 and syd.segments_total == 2
    ost = f[(f.project == "Öst") & (f.code == "tidig_dialog")].iloc[0]
    assert (ost.codings, ost.sources, ost.share_sources) == (1, 1, 1.0)
    assert f[(f.code == "behov")].codings.sum() == 0
    assert len(f) == 2 * 3  # two groups × three codes, zero rows kept


def test_frequencies_by_role():
    f = _result().frequencies(by=("role",))
    assert set(f.columns[:1]) == {"role"}
    row = f[f.code == "tidig_dialog"].iloc[0]
    assert (row.sources, row.sources_total) == (2, 3)


def test_write_outputs_is_deterministic_and_refuses_nonempty(tmp_path):
    out1, out2 = tmp_path / "r1", tmp_path / "r2"
    written = write_outputs(_result(), out1, formats=("csv", "parquet", "xlsx"))
    write_outputs(_result(), out2)
    names = [p.name for p in written]
    assert names[-1] == "manifest.json"
    assert {"segments.csv", "codings.csv", "frequencies.csv", "codings.parquet",
            "codingkit.xlsx"} <= set(names)
    for name in ("segments.csv", "codings.csv", "frequencies.csv"):
        assert (out1 / name).read_bytes() == (out2 / name).read_bytes()
    manifest = json.loads((out1 / "manifest.json").read_text("utf-8"))
    assert manifest["codebook"]["id"] == "test"
    assert manifest["counts"] == {"transcripts": 3, "segments": 6, "codings": 3}
    assert not list(out1.glob(".*.tmp"))
    with pytest.raises(OutputError, match="not empty"):
        write_outputs(_result(), out1)
    write_outputs(_result(), out1, force=True)


def test_parquet_round_trip(tmp_path):
    import pandas as pd

    write_outputs(_result(), tmp_path / "r", formats=("parquet",))
    df = pd.read_parquet(tmp_path / "r" / "codings.parquet")
    assert list(df.code) == ["tidig_dialog", "tidig_dialog.rfi", "tidig_dialog.rfi"]


def test_segments_table_columns_follow_segments_and_metadata():
    from codingkit.model import Segment
    from codingkit.tables import SEGMENT_COLUMNS, segments_table

    segs = [Segment("a.txt:1", "a.txt", 0, 5, "Hej då", 1, "Karin", "respondent",
                    metadata={"project": "syd", "round": "1", "kommun": "Lund"}),
            Segment("a.txt:2", "a.txt", 6, 9, "Ja.", 2, None, "interviewer",
                    metadata={"project": "syd"})]
    df = segments_table(segs)
    assert list(df.columns) == SEGMENT_COLUMNS + ["kommun"]
    assert df["kommun"].tolist() == ["Lund", ""]
    assert df["speaker"].tolist() == ["Karin", ""]
    assert df["turn"].dtype == "int64" and df["end"].tolist() == [5, 9]
    assert len(segments_table([])) == 0


def test_csv_written_row_by_row_equals_pandas_to_csv(tmp_path):
    from codingkit.writers import _csv_bytes, write_outputs

    res = _result()
    res.coding_list.append(Coding("b.txt:2", "behov", "behov", 0.6667, "similarity",
                                  'similarity 0.31; nearest example: "Vi, alltså",\nja'))
    write_outputs(res, tmp_path / "out", by=("project",))
    direct = {t: (tmp_path / "out" / f"{t}.csv").read_bytes()
              for t in ("segments", "codings", "frequencies")}
    assert direct["segments"] == _csv_bytes(res.segments)
    assert direct["codings"] == _csv_bytes(res.codings)
    assert direct["frequencies"] == _csv_bytes(res.frequencies(by=("project",)))
    assert b'"similarity 0.31; nearest example: ""Vi, allts\xc3\xa5"",\nja"' in direct["codings"]


def test_an_error_while_streaming_csv_leaves_no_table(tmp_path, monkeypatch):
    import codingkit.tables as tables

    def broken(codings):
        yield ("a.txt:2", "tidig_dialog", "tidig_dialog", 1.0, "rule", "x")
        raise RuntimeError("disk full")

    res = _result()
    write_outputs(res, tmp_path / "old")
    before = (tmp_path / "old" / "segments.csv").read_bytes()
    monkeypatch.setattr(tables, "coding_rows", broken)
    with pytest.raises(RuntimeError):
        write_outputs(res, tmp_path / "new")
    assert not (tmp_path / "new").exists()
    with pytest.raises(RuntimeError):
        write_outputs(res, tmp_path / "old", force=True)
    assert sorted(p.name for p in (tmp_path / "old").iterdir()) == [
        "codings.csv", "frequencies.csv", "manifest.json", "segments.csv"]
    assert (tmp_path / "old" / "segments.csv").read_bytes() == before
