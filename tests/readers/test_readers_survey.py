"""Open survey answers: one transcript per non-empty answer."""

import pandas as pd
import pytest

from codingkit import InputError
from codingkit.readers import read_transcript, read_transcripts


def test_csv_semicolon_with_svar_column(data_dir):
    ts = read_transcript(data_dir / "enkat.csv", id_column="id")
    assert [t.source for t in ts] == ["enkat.csv#A1", "enkat.csv#A3"]  # A2 is empty
    a3 = ts[1]
    assert a3.format == "survey"
    assert a3.text == "Kraven var för detaljerade; vi kunde inte föreslå något nytt."
    [turn] = a3.turns
    assert (turn.number, turn.speaker, turn.speaker_role) == (3, None, "respondent")
    assert a3.turn_text(turn) == a3.text
    assert a3.metadata == {"id": "A3", "project": "Region Östergötland", "round": "2",
                           "role": "leverantör"}


def test_default_id_is_row_number(data_dir):
    ts = read_transcripts([data_dir / "enkat.csv"])
    assert [t.source for t in ts] == ["enkat.csv#1", "enkat.csv#3"]


def test_xlsx_longest_text_column_and_tab_csv(tmp_path):
    frame = pd.DataFrame({
        "Respondent": ["r1", "r2", "r3"],
        "Kommun": ["Lund", "Malmö", "Linköping"],
        "Antal år": [3, 12, 7],
        "Vad fungerade bäst?": ["  Dialogen med marknaden innan annonsering.  ", "",
                                "Att vi fick testa lösningen i liten skala."],
    })
    x = tmp_path / "enkat.xlsx"
    frame.to_excel(x, index=False)
    ts = read_transcript(x, id_column="respondent")
    assert [t.source for t in ts] == ["enkat.xlsx#r1", "enkat.xlsx#r3"]
    t = ts[0]
    assert t.turn_text(t.turns[0]) == "Dialogen med marknaden innan annonsering."
    assert t.metadata == {"respondent": "r1", "kommun": "Lund", "antal år": "3"}

    tsv = tmp_path / "tab.csv"
    frame.to_csv(tsv, sep="\t", index=False)
    ts2 = read_transcript(tsv, text_column="Vad fungerade bäst?")
    assert [t.turn_text(t.turns[0]) for t in ts2] == [
        "Dialogen med marknaden innan annonsering.", "Att vi fick testa lösningen i liten skala."]


def test_csv_in_cp1252_comma(tmp_path):
    p = tmp_path / "ansi.csv"
    p.write_bytes("projekt,fritext\nSyd,\"Upphandlingsmyndigheten hjälpte oss, särskilt med kraven.\"\n"
                  .encode("cp1252"))
    [t] = read_transcript(p)
    assert t.text == "Upphandlingsmyndigheten hjälpte oss, särskilt med kraven."
    assert t.metadata == {"project": "Syd"}


def test_unknown_column_names_the_file(data_dir):
    with pytest.raises(InputError, match=r"enkat\.csv: no text column 'kommentar'"):
        read_transcript(data_dir / "enkat.csv", text_column="kommentar")


def test_corrupt_xlsx(tmp_path):
    p = tmp_path / "trasig.xlsx"
    p.write_bytes(b"PK\x03\x04 nope")
    with pytest.raises(InputError, match=r"trasig\.xlsx: not a readable Excel"):
        read_transcript(p)
