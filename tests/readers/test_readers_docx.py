"""Word transcripts: paragraphs as lines, metadata table before the first turn."""

import docx
import pytest

from codingkit import InputError
from codingkit.readers import read_transcript


def build_docx(path, *, table=True):
    d = docx.Document()
    d.add_heading("Intervju 7 (fiktiv)", level=1)
    if table:
        t = d.add_table(rows=3, cols=2)
        for row, (k, v) in zip(t.rows, [("Projekt", "Region Östergötland"), ("Omgång", "2"),
                                        ("Roll", "ledning")]):
            row.cells[0].text, row.cells[1].text = k, v
    d.add_paragraph("Intervjuare: Hur såg förankringen ut i ledningen?")
    d.add_paragraph("Respondent: Regiondirektören stod bakom projektet från början.")
    d.add_paragraph("Obs: respondenten visar ett protokoll.")
    d.add_paragraph("Men ekonomichefen var tveksam.")
    d.add_paragraph("Intervjuare: Varför?")
    p = d.add_paragraph()
    p.add_run("Respondent: ").bold = True
    p.add_run("Risken kändes stor.")
    # a table after the first turn is not metadata: it is kept as text
    t2 = d.add_table(rows=1, cols=2)
    t2.rows[0].cells[0].text, t2.rows[0].cells[1].text = "Budget", "3 miljoner"
    d.save(path)


def test_docx_turns_and_table_metadata(tmp_path):
    p = tmp_path / "intervju.docx"
    build_docx(p)
    [t] = read_transcript(p)
    assert t.format == "docx"
    assert t.metadata == {"project": "Region Östergötland", "round": "2", "role": "ledning"}
    assert [(x.speaker, x.speaker_role, t.turn_text(x)) for x in t.turns] == [
        ("Intervjuare", "interviewer", "Hur såg förankringen ut i ledningen?"),
        ("Respondent", "respondent", "Regiondirektören stod bakom projektet från början.\n"
                                     "Obs: respondenten visar ett protokoll.\n"
                                     "Men ekonomichefen var tveksam."),
        ("Intervjuare", "interviewer", "Varför?"),
        ("Respondent", "respondent", "Risken kändes stor.\nBudget | 3 miljoner"),
    ]
    assert t.text.split("\n")[0] == "Intervju 7 (fiktiv)"
    assert t.turns[0].line == 2  # paragraph 2 of the text


def test_docx_header_paragraphs_are_metadata(tmp_path):
    d = docx.Document()
    for line in ["Projekt: Innovationsupphandling Syd", "Intervjuare: Maria Holm", "",
                 "Maria Holm: Vad var målet?", "Per: Att minska matsvinnet.",
                 "Maria Holm: Och sedan?", "Per: Att utvärdera."]:
        d.add_paragraph(line)
    p = tmp_path / "syd.docx"
    d.save(p)
    [t] = read_transcript(p)
    assert t.metadata == {"project": "Innovationsupphandling Syd", "interviewer": "Maria Holm"}
    assert [(x.speaker, x.speaker_role) for x in t.turns] == [
        ("Maria Holm", "interviewer"), ("Per", "respondent"),
        ("Maria Holm", "interviewer"), ("Per", "respondent")]


def test_corrupt_docx_names_the_file(tmp_path):
    good = tmp_path / "bra.docx"
    build_docx(good, table=False)
    bad = tmp_path / "avbruten.docx"
    bad.write_bytes(good.read_bytes()[:400])  # truncated download
    with pytest.raises(InputError, match=r"avbruten\.docx: not a valid Word \.docx file"):
        read_transcript(bad)


def test_docx_transcript_written_as_a_table(tmp_path):
    d = docx.Document()
    meta = d.add_table(rows=2, cols=2)
    for row, (k, v) in zip(meta.rows, [("Projekt", "Innovationsupphandling Syd"), ("Omgång", "3")]):
        row.cells[0].text, row.cells[1].text = k, v
    d.add_paragraph("")
    t = d.add_table(rows=4, cols=3)
    for row, cells in zip(t.rows, [("Tid", "Talare", "Text"),
                                   ("00:01:10", "Maria", "Hur gick utvärderingen?"),
                                   ("00:01:15", "Eva", "Vi mätte färre larm på natten."),
                                   ("00:02:01", "Maria", "Och personalen?")]):
        for cell, value in zip(row.cells, cells):
            cell.text = value
    p = tmp_path / "tabell.docx"
    d.save(p)
    [tr] = read_transcript(p)
    assert tr.metadata == {"project": "Innovationsupphandling Syd", "round": "3"}
    assert [(x.speaker, x.speaker_role, tr.turn_text(x), x.begin) for x in tr.turns] == [
        ("Maria", "interviewer", "Hur gick utvärderingen?", 70.0),
        ("Eva", "respondent", "Vi mätte färre larm på natten.", 75.0),
        ("Maria", "interviewer", "Och personalen?", 121.0),
    ]
    assert "Projekt" not in tr.text
