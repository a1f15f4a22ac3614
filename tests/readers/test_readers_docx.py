"""Word transcripts: paragraphs as lines, metadata table before the first turn, text in
content controls."""

import docx
import pytest
from docx.oxml.ns import qn
from lxml import etree

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


# ------------------------------------------------------------ content controls
# Interview templates (a structured form with each answer in a field) put text
# in content controls: <w:sdt><w:sdtPr/><w:sdtContent>...</w:sdtContent></w:sdt>
# around paragraphs, tables, rows, cells or runs. python-docx's paragraphs and
# tables skip all of it.


def _sdt(*children, props=()):
    """A content control (w:sdt) holding ``children``; ``props`` go into its w:sdtPr."""
    sdt = etree.Element(qn("w:sdt"))
    pr = etree.SubElement(sdt, qn("w:sdtPr"))
    for prop in props:
        pr.append(prop)
    content = etree.SubElement(sdt, qn("w:sdtContent"))
    for child in children:
        content.append(child)  # moves it out of where it was
    return sdt


def _wrap(element, **kw):
    """Put ``element`` (a w:p, w:tbl, w:tr, w:tc or w:r) inside a content control where it was."""
    parent, index = element.getparent(), element.getparent().index(element)
    sdt = _sdt(element, **kw)
    parent.insert(index, sdt)
    return sdt


def _run(text):
    r = etree.Element(qn("w:r"))
    etree.SubElement(r, qn("w:t")).text = text
    return r


def build_form(path):
    """A structured interview form (fictional) whose answers sit in content controls."""
    d = docx.Document()
    d.add_heading("Intervjuformulär – följeforskning (fiktivt)", level=1)
    meta = d.add_table(rows=2, cols=2)
    for row, (k, v) in zip(meta.rows, [("Projekt", "Innovationsupphandling Syd"),
                                       ("Omgång", "2")]):
        row.cells[0].text, row.cells[1].text = k, v
    _wrap(meta.rows[1]._tr)                          # a row in a content control
    _wrap(meta.rows[0].cells[1]._tc)                 # a cell in a content control
    d.add_paragraph("I: Hur började ni?")
    answer = d.add_paragraph("IP: Vi bjöd in leverantörerna tidigt.")
    more = d.add_paragraph("Dialogen gav oss nya idéer.")
    outer = _wrap(answer._p)
    outer.find(qn("w:sdtContent")).append(_sdt(more._p))  # nested in the same control
    d.add_paragraph("I: Vad hände sedan?")
    inline = d.add_paragraph("IP: ")
    inline._p.append(_sdt(_run("Vi skrev funktionskrav i stället för en kravlista.")))
    # a field left empty shows Word's placeholder text: not the respondent's words
    empty = d.add_paragraph("Klicka eller tryck här för att ange text.")
    _wrap(empty._p, props=[etree.Element(qn("w:showingPlcHdr"))])
    budget = d.add_table(rows=1, cols=2)
    budget.rows[0].cells[0].text, budget.rows[0].cells[1].text = "Budget", "3 miljoner"
    table_answer = budget.rows[0].cells[1]._tc
    for p in table_answer.findall(qn("w:p")):
        _wrap(p)                                     # the paragraphs of a cell
    _wrap(budget._tbl)                               # the whole table
    d.save(path)


def test_docx_reads_text_in_content_controls(tmp_path):
    p = tmp_path / "formular.docx"
    build_form(p)
    [t] = read_transcript(p)
    assert t.text == (
        "Intervjuformulär – följeforskning (fiktivt)\n"
        "I: Hur började ni?\n"
        "IP: Vi bjöd in leverantörerna tidigt.\n"
        "Dialogen gav oss nya idéer.\n"
        "I: Vad hände sedan?\n"
        "IP: Vi skrev funktionskrav i stället för en kravlista.\n"
        "Budget | 3 miljoner")
    assert t.metadata == {"project": "Innovationsupphandling Syd", "round": "2"}
    assert [(x.speaker, x.speaker_role, t.turn_text(x)) for x in t.turns] == [
        ("I", "interviewer", "Hur började ni?"),
        ("IP", "respondent", "Vi bjöd in leverantörerna tidigt.\nDialogen gav oss nya idéer."),
        ("I", "interviewer", "Vad hände sedan?"),
        ("IP", "respondent", "Vi skrev funktionskrav i stället för en kravlista.\n"
                             "Budget | 3 miljoner"),
    ]


def test_docx_table_of_contents_is_not_read_but_a_filled_in_field_is(tmp_path):
    d = docx.Document()
    toc = d.add_paragraph("Bakgrund: tidig dialog\t2")  # Word's own, repeating a heading
    gallery = etree.Element(qn("w:docPartObj"))
    etree.SubElement(gallery, qn("w:docPartGallery")).set(qn("w:val"), "Table of Contents")
    _wrap(toc._p, props=[gallery])
    d.add_heading("Bakgrund: tidig dialog", level=2)
    d.add_paragraph("I: Hur började ni?")
    _wrap(d.add_paragraph("IP: Med en dialog.")._p)
    shown = etree.Element(qn("w:showingPlcHdr"))
    shown.set(qn("w:val"), "0")  # the placeholder turned off: written in
    _wrap(d.add_paragraph("Och med en RFI.")._p, props=[shown])
    p = tmp_path / "innehall.docx"
    d.save(p)
    [t] = read_transcript(p)
    assert t.text == ("Bakgrund: tidig dialog\nI: Hur började ni?\nIP: Med en dialog.\n"
                      "Och med en RFI.")


def _with_document_xml(path, edit):
    """Rewrite the document.xml of the .docx at ``path`` with ``edit(bytes) -> bytes``,
    leaving out the other parts of word/ (styles, fonts: 800 kB unpacked of python-docx's
    template; the document reads the same without them)."""
    import zipfile

    with zipfile.ZipFile(path) as z:
        members = {n: z.read(n) for n in z.namelist()
                   if not n.startswith("word/") or n == "word/document.xml"}
    members["word/document.xml"] = edit(members["word/document.xml"])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)


def test_docx_bounds_hold_inside_content_controls(tmp_path, monkeypatch):
    """The size limits and the entity handling apply to the text in content
    controls as to any other."""
    import warnings

    from codingkit import CodingkitWarning

    d = docx.Document()
    d.add_paragraph("I: Berätta.")
    _wrap(_wrap(d.add_paragraph("IP: PLATS")._p))
    p = tmp_path / "falt.docx"
    d.save(p)
    # an entity in a control: replaced by its text, the limit counting what it expands to
    _with_document_xml(p, lambda xml: (
        xml[:xml.index(b"?>") + 2]
        + b'<!DOCTYPE w:document [<!ENTITY a "Vi bjuder in. ">]>'
        + xml[xml.index(b"?>") + 2:].replace(b"PLATS", b"&a;" * 8_000)))
    with warnings.catch_warnings():
        warnings.simplefilter("error", CodingkitWarning)
        [t] = read_transcript(p)
    assert t.turn_text(t.turns[1]) == ("Vi bjuder in. " * 8_000).strip()
    # 39 kB unpacked, the references expanding to 112 kB
    monkeypatch.setenv("CODINGKIT_MAX_FILE_MB", "0.1")
    with pytest.raises(InputError, match=r"falt\.docx: with its XML entities expanded, the "
                                         r"document is 13\d,\d{3} bytes, over the limit of "
                                         r"100,000 bytes.*\[E112\]"):
        read_transcript(p)
    # a turn in a control over the turn limit is refused, naming its line
    monkeypatch.setenv("CODINGKIT_MAX_FILE_MB", "50")
    monkeypatch.setenv("CODINGKIT_MAX_TURN_MB", "0.1")
    with pytest.raises(InputError, match=r"falt\.docx, line 2: one turn is 111,999 characters "
                                         r"long, over the limit of 100,000.*\[E112\]"):
        read_transcript(p)


def test_docx_content_controls_nested_deep_are_read_without_recursion(tmp_path):
    d = docx.Document()
    d.add_paragraph("I: Berätta.")
    element = d.add_paragraph("IP: Längst in.")._p
    for _ in range(100):  # 200 levels of XML, below the parser's own limit of 256
        element = _wrap(element)
    p = tmp_path / "djup.docx"
    d.save(p)
    [t] = read_transcript(p)
    assert t.text == "I: Berätta.\nIP: Längst in."
