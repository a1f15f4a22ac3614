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


# ------------------------------------------------ tracked changes, fields, smart tags
# python-docx reads the runs that are children of a paragraph (or of a
# hyperlink): a run inside any other element (w:ins, w:smartTag, w:fldSimple,
# ...) is skipped. Word writes these in interviews a transcriber or a
# colleague has corrected with "Spåra ändringar" on, or that came from a
# template with smart tags, links and page fields.


def _in(tag, *children, **attrs):
    """A ``w:`` element ``tag`` (attributes without their ``w:`` prefix) holding ``children``."""
    element = etree.Element(qn(tag))
    for name, value in attrs.items():
        element.set(qn(f"w:{name}"), value)
    for child in children:
        element.append(child)
    return element


def _deleted_run(text):
    r = etree.Element(qn("w:r"))
    t = etree.SubElement(r, qn("w:delText"))
    t.text = text
    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    return r


def _change(tag, *children):
    return _in(tag, *children, id="1", author="Eva Berg", date="2024-03-01T10:00:00Z")


def _paragraph(d, *parts):
    """A paragraph of ``parts``: text (a run) or elements, in order."""
    p = d.add_paragraph()
    for part in parts:
        p._p.append(_run(part) if isinstance(part, str) else part)
    return p


def test_docx_is_read_with_its_tracked_changes_accepted(tmp_path):
    """Inserted and moved-here words are read where they stand; deleted and
    moved-away words are not (the old reader lost the insertions and moves
    and read the deletions as nothing too, so 'fem' and 'tidigt' were lost)."""
    d = docx.Document()
    d.add_paragraph("I: Hur många leverantörer bjöd ni in?")
    _paragraph(d, "IP: Vi bjöd in ", _change("w:del", _deleted_run("tre ")),
               _change("w:ins", _run("fem ")), "leverantörer ",
               _change("w:moveFrom", _run("tidigt ")), "till en dialog",
               _change("w:moveTo", _run(" tidigt")), ".")
    # a whole paragraph typed in with changes tracked (its mark inserted too)
    added = _paragraph(d, _change("w:ins", _run("Det var regionens idé.")))
    added._p.get_or_add_pPr().append(_in("w:rPr", _change("w:ins")))
    # inserted, then deleted by someone else: not there
    _paragraph(d, "I: Och ", _change("w:ins", _change("w:del", _deleted_run("varför "))),
               "sedan?")
    budget = d.add_table(rows=3, cols=2)
    for row, values in zip(budget.rows, [("Budget", "3 miljoner"), ("", ""),
                                         ("Budget", "1 miljon")]):
        row.cells[0].text, row.cells[1].text = values
    gone = budget.rows[1]._tr  # a row deleted with changes tracked, as Word writes it
    gone.get_or_add_trPr().append(_change("w:del"))
    for tc, text in zip(gone.tc_lst, ["Budget", "2 miljoner"]):
        tc.p_lst[0].append(_change("w:del", _deleted_run(text)))
    # a row marked deleted, its words not (as another tool may write it): gone too
    budget.rows[2]._tr.get_or_add_trPr().append(_change("w:del"))
    p = tmp_path / "spårade.docx"
    d.save(p)
    [t] = read_transcript(p)
    assert t.text == ("I: Hur många leverantörer bjöd ni in?\n"
                      "IP: Vi bjöd in fem leverantörer till en dialog tidigt.\n"
                      "Det var regionens idé.\n"
                      "I: Och sedan?\n"
                      "Budget | 3 miljoner")
    assert [t.turn_text(x) for x in t.turns][1] == (
        "Vi bjöd in fem leverantörer till en dialog tidigt.\nDet var regionens idé.")


def _complex_field(code, result):
    """A field as Word writes most (``w:fldChar`` begin, code, separate, result, end)."""
    def char(kind):
        return _in("w:r", _in("w:fldChar", fldCharType=kind))
    instr = etree.Element(qn("w:instrText"))
    instr.text = code
    return [char("begin"), _in("w:r", instr), char("separate"), _run(result), char("end")]


def test_docx_reads_smart_tags_fields_and_custom_xml(tmp_path):
    """The words Word shows: smart tags (a place, a date), a simple field's
    result (a link, a page number; never the field code), custom XML and
    right-to-left runs. The old reader left all of these out."""
    d = docx.Document()
    d.add_paragraph("I: Var träffades ni?")
    tag_props = _in("w:smartTagPr", _in("w:attr", name="Name", val="Linköping"))
    link = _in("w:hyperlink", _in("w:smartTag", _run("regionens"), element="stockticker"),
               _run(" sida"))
    link.set(qn("r:id"), "rId99")
    _paragraph(
        d, "IP: I ",
        _in("w:smartTag", tag_props, _run("Linköping"), uri="urn:schemas-microsoft-com:"
            "office:smarttags", element="place"),
        " den ", _in("w:smartTag", _run("3 mars"), element="date"), ", se ",
        _in("w:fldSimple", _run("protokollet"), instr=' HYPERLINK "https://example.se/p" '),
        " och ", link, " (sidan ", _in("w:fldSimple", _run("4"), instr=" PAGE "), ", ",
        *_complex_field(" NUMPAGES ", "9"), ").")
    _paragraph(d, "Vi ", _in("w:customXml", _run("skrev"), element="verb"), " ",
               _in("w:dir", _run("det"), val="ltr"), " ", _in("w:bdo", _run("ner"), val="ltr"),
               ".")
    p = tmp_path / "falt.docx"
    d.save(p)
    [t] = read_transcript(p)
    assert t.text == ("I: Var träffades ni?\n"
                      "IP: I Linköping den 3 mars, se protokollet och regionens sida (sidan 4, "
                      "9).\nVi skrev det ner.")
    assert "HYPERLINK" not in t.text and "PAGE" not in t.text


def test_docx_reads_a_table_inside_a_table_cell(tmp_path):
    """A table in a cell is read into that cell where it stands, a row at a
    time (the old reader read the cell's paragraphs only: 'Funktion | 12 st'
    and Eva's figures were lost)."""
    d = docx.Document()
    d.add_paragraph("I: Vilka krav ställde ni?")
    d.add_paragraph("IP: Det står i tabellen.")
    t = d.add_table(rows=2, cols=2)
    t.rows[0].cells[0].text = "Krav"
    cell = t.rows[0].cells[1]
    cell.text = "Totalt 15:"
    inner = cell.add_table(rows=2, cols=2)
    for row, values in zip(inner.rows, [("Funktion", "12 st"), ("Miljö", "3 st")]):
        row.cells[0].text, row.cells[1].text = values
    cell.add_paragraph("(se bilaga)")
    t.rows[1].cells[0].text, t.rows[1].cells[1].text = "Uppföljning", "varje kvartal"
    # a transcript written as a table, a table in one of its turns
    d.add_paragraph("")
    talk = d.add_table(rows=3, cols=2)
    for row, values in zip(talk.rows, [("Maria", "Och larmen?"), ("Eva", "Vi mätte:"),
                                       ("Maria", "Tack.")]):
        row.cells[0].text, row.cells[1].text = values
    figures = talk.rows[1].cells[1].add_table(rows=1, cols=2)
    figures.rows[0].cells[0].text, figures.rows[0].cells[1].text = "Före: 40", "Efter: 12"
    p = tmp_path / "tabell_i_tabell.docx"
    d.save(p)
    [tr] = read_transcript(p)
    assert tr.text.split("\n")[2:] == [
        "Krav | Totalt 15: Funktion | 12 st Miljö | 3 st (se bilaga)",
        "Uppföljning | varje kvartal", "", "Maria: Och larmen?",
        "Eva: Vi mätte: Före: 40 | Efter: 12", "Maria: Tack."]
    assert [(x.speaker, tr.turn_text(x)) for x in tr.turns][-2:] == [
        ("Eva", "Vi mätte: Före: 40 | Efter: 12"), ("Maria", "Tack.")]


# ------------------------------------------------------------------ text boxes

MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
TEXT_BOX = f"""<w:r xmlns:w="{W_NS}" xmlns:mc="{MC_NS}"
  xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
  xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"
  xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"
  xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office">
<mc:AlternateContent>
 <mc:Choice Requires="wps"><w:drawing>
  <wp:anchor distT="0" distB="0" distL="114300" distR="114300" simplePos="0"
    relativeHeight="251659264" behindDoc="0" locked="0" layoutInCell="1" allowOverlap="1">
   <wp:simplePos x="0" y="0"/>
   <wp:positionH relativeFrom="column"><wp:posOffset>3600000</wp:posOffset></wp:positionH>
   <wp:positionV relativeFrom="paragraph"><wp:posOffset>0</wp:posOffset></wp:positionV>
   <wp:extent cx="1800000" cy="720000"/><wp:effectExtent l="0" t="0" r="0" b="0"/>
   <wp:wrapSquare wrapText="bothSides"/><wp:docPr id="1" name="Textruta 1"/>
   <wp:cNvGraphicFramePr/>
   <a:graphic><a:graphicData
     uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">
    <wps:wsp><wps:cNvSpPr txBox="1"/>
     <wps:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="1800000" cy="720000"/></a:xfrm>
      <a:prstGeom prst="rect"><a:avLst/></a:prstGeom></wps:spPr>
     <wps:txbx><w:txbxContent/></wps:txbx>
     <wps:bodyPr rot="0" vert="horz" wrap="square" anchor="t"/></wps:wsp>
   </a:graphicData></a:graphic>
  </wp:anchor></w:drawing></mc:Choice>
 <mc:Fallback><w:pict>
  <v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202"
    path="m,l,21600r21600,l21600,xe"/>
  <v:shape id="Textruta 1" o:spid="_x0000_s1026" type="#_x0000_t202"
    style="position:absolute;width:141.75pt;height:56.7pt">
   <v:textbox><w:txbxContent/></v:textbox></v:shape>
 </w:pict></mc:Fallback>
</mc:AlternateContent></w:r>"""


def _text_box(*content, vml_only=False, copy=None):
    """A run holding a text box of ``content`` (texts as paragraphs, or
    elements) as Word writes it: a DrawingML shape (``mc:Choice``) and the
    same box again in VML (``mc:Fallback``) for older readers, or ``copy``
    in the VML box if given; with ``vml_only``, a VML box alone (a document
    from Word 2007 or a .doc)."""
    from copy import deepcopy

    from docx.oxml import parse_xml

    r = parse_xml(TEXT_BOX)
    if vml_only:
        pict = r.find(f".//{{{MC_NS}}}Fallback/" + qn("w:pict"))
        r.append(pict)
        r.remove(r.find(f"{{{MC_NS}}}AlternateContent"))
    for box, parts in zip(r.iter(qn("w:txbxContent")), [content, copy or content]):
        for part in parts:
            box.append(_in("w:p", _run(part)) if isinstance(part, str) else deepcopy(part))
    return r


def test_docx_reads_text_boxes_once_after_their_paragraph(tmp_path):
    """A text box's text is read once (not also its VML copy), after the
    paragraph that holds it, in order; in a table cell, as more of the cell.
    The old reader left every text box out."""
    d = docx.Document()
    d.add_paragraph("I: Hur började ni?")
    _paragraph(d, "IP: Vi bjöd in leverantörerna tidigt.",
               _text_box("Citat ur protokollet: ”dialog före krav”."),
               _text_box("Obs: två leverantörer avböjde.", "(enligt registratorn)"))
    d.add_paragraph("I: Och sedan?")
    _paragraph(d, _text_box("Bilaga 2: kravlistan", vml_only=True),
               "IP: Vi skrev funktionskrav.")
    t = d.add_table(rows=1, cols=2)
    t.rows[0].cells[0].text = "Budget"
    t.rows[0].cells[1].paragraphs[0]._p.append(_run("3 miljoner"))
    t.rows[0].cells[1].paragraphs[0]._p.append(_text_box("preliminärt"))
    p = tmp_path / "textrutor.docx"
    d.save(p)
    [tr] = read_transcript(p)
    assert tr.text == ("I: Hur började ni?\n"
                       "IP: Vi bjöd in leverantörerna tidigt.\n"
                       "Citat ur protokollet: ”dialog före krav”.\n"
                       "Obs: två leverantörer avböjde.\n"
                       "(enligt registratorn)\n"
                       "I: Och sedan?\n"
                       "IP: Vi skrev funktionskrav.\n"
                       "Bilaga 2: kravlistan\n"
                       "Budget | 3 miljoner preliminärt")
    assert [(x.speaker, tr.turn_text(x)) for x in tr.turns][1] == (
        "IP", "Vi bjöd in leverantörerna tidigt.\nCitat ur protokollet: ”dialog före krav”.\n"
              "Obs: två leverantörer avböjde.\n(enligt registratorn)")


def test_docx_text_boxes_and_tables_nested_deep_or_many_are_read_once_in_order(tmp_path):
    """Hostile nesting: boxes inside boxes and tables inside tables near the
    parser's depth limit (256), and 3,000 boxes in one paragraph: each word
    read once, in order, without recursion errors. (Each element is moved
    at most once per box around it, and a nested table's text is made once:
    no time measured here; a slow reader shows in the suite's time.)"""
    d = docx.Document()
    d.add_paragraph("I: Berätta.")
    # 20 boxes each in the one before it (11 levels of XML each), each with a
    # VML copy; the copies hold a stand-in for the box inside (the same box
    # again in each copy would make 2 ** 20 boxes), which must not be read
    inner = _text_box("ruta 20")
    for level in range(19, 0, -1):
        inner = _text_box(_in("w:p", _run(f"ruta {level}"), inner), copy=["KOPIA"])
    _paragraph(d, "IP: Djupt.", inner)
    _paragraph(d, "Många.", *[_text_box(f"r{i}", vml_only=True) for i in range(3_000)])
    cell = d.add_table(rows=1, cols=1).rows[0].cells[0]
    for level in range(80):  # 80 x tbl/tr/tc: 240 levels of XML
        cell.text = f"nivå {level}"
        cell = cell.add_table(rows=1, cols=1).rows[0].cells[0]
    cell.text = "längst in"
    p = tmp_path / "djupt.docx"
    d.save(p)
    [t] = read_transcript(p)
    lines = t.text.split("\n")
    assert lines[:2] == ["I: Berätta.", "IP: Djupt."]
    # a box inside a box is read after the paragraph of the outer box that holds it
    assert lines[2:22] == [f"ruta {level}" for level in range(1, 21)]
    assert lines[22:3023] == ["Många.", *[f"r{i}" for i in range(3_000)]]
    assert lines[3023:] == [" ".join(f"nivå {level}" for level in range(80)) + " längst in"]


# ------------------------------------------------------------- merged cells, frames
# Tables written as XML: a cell merged down over the rows below it (w:vMerge
# "restart", then an empty w:vMerge in each row it covers), a cell spanning
# columns (w:gridSpan).


def _tc(*texts, merge=None, span=None):
    """A table cell (XML) of paragraphs ``texts``; ``merge``: "restart" (a
    merged cell starts) or "continue" (it covers this row too)."""
    from xml.sax.saxutils import escape

    props = (f'<w:gridSpan w:val="{span}"/>' if span is not None else "") + (
        '<w:vMerge w:val="restart"/>' if merge == "restart" else
        "<w:vMerge/>" if merge == "continue" else "")
    paras = "".join(f'<w:p><w:r><w:t xml:space="preserve">{escape(t)}</w:t></w:r></w:p>'
                    for t in texts) or "<w:p/>"
    return "<w:tc>" + (f"<w:tcPr>{props}</w:tcPr>" if props else "") + paras + "</w:tc>"


def _add_table(container, rows):
    """Append a table of ``rows`` (lists of :func:`_tc` cells, or a row's
    whole XML) to a document or a cell; returns its w:tbl."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    tbl = parse_xml(f"<w:tbl {nsdecls('w')}>"
                    + "".join(r if isinstance(r, str) else "<w:tr>" + "".join(r) + "</w:tr>"
                              for r in rows) + "</w:tbl>")
    element = getattr(container, "element", None)
    if element is not None:  # a document: before its section properties
        element.body.sectPr.addprevious(tbl)
    else:
        container._tc.append(tbl)
    return tbl


def _stamp(seconds):
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def test_docx_speaker_cell_merged_over_rows_names_the_speaker_of_each_row(tmp_path):
    """A transcript as a table Tid | Talare | Text, each speaker's name in one
    cell merged down over that speaker's rows (as some transcription services
    and Teams exports write it): each row is a turn of that speaker, at that
    row's time. The old reader looked a merged cell up again from the row
    above for each row, recursively: 12-16 s for a cell merged over 600 rows,
    and 1,200 rows were refused as 'not a valid Word .docx file
    (RecursionError)' (E106), the whole interview lost."""
    d = docx.Document()
    d.add_paragraph("Intervju 12 – följeforskning (fiktiv)")
    rows = [[_tc("Tid"), _tc("Talare"), _tc("Text")],
            [_tc("00:00:05"), _tc("Maria", merge="restart"), _tc("Välkommen.")],
            [_tc("00:00:09"), _tc(merge="continue"), _tc("Hur började ni med upphandlingen?")],
            [_tc("00:00:15"), _tc("Eva", merge="restart"), _tc("Vi började med en dialog.")]]
    rows += [[_tc(_stamp(15 + 4 * i)), _tc(merge="continue"), _tc(f"Mening {i} av svaret.")]
             for i in range(1, 1_500)]
    rows += [[_tc("01:40:00"), _tc("Maria", merge="restart"), _tc("Tack så mycket.")],
             # one text cell merged over two speakers' rows (they said it together):
             # read once, in the first row it covers
             [_tc("01:40:03"), _tc("Eva"), _tc("Tack själv.", merge="restart")],
             [_tc("01:40:03"), _tc("Maria"), _tc(merge="continue")]]
    _add_table(d, rows)
    p = tmp_path / "teams_tabell.docx"
    d.save(p)
    [t] = read_transcript(p)
    turns = [(x.speaker, x.begin, t.turn_text(x)) for x in t.turns]
    assert len(turns) == 1_504
    assert turns[:3] == [("Maria", 5.0, "Välkommen."),
                         ("Maria", 9.0, "Hur började ni med upphandlingen?"),
                         ("Eva", 15.0, "Vi började med en dialog.")]
    assert turns[3:1_502] == [("Eva", 15.0 + 4 * i, f"Mening {i} av svaret.")
                              for i in range(1, 1_500)]
    assert turns[1_502:] == [("Maria", 6000.0, "Tack så mycket."), ("Eva", 6003.0, "Tack själv.")]
    assert t.text.count("Tack själv.") == 1
    assert t.text.split("\n")[-1] == "[01:40:03] Maria: "  # (no text of its own: no turn)


def test_docx_merged_cells_in_other_tables_are_read_once(tmp_path):
    """Outside a transcript table a cell merged down (w:vMerge) is read once,
    in the first row it covers; a cell spanning columns (w:gridSpan) once,
    as before, and so is a cell spanning both ways. A merged cell that does
    not start in a row above (which Word does not write, other tools may)
    is read as a cell of its own (the old reader refused the file: 'not a
    valid Word .docx file (ValueError)')."""
    d = docx.Document()
    d.add_paragraph("I: Vilka krav ställde ni?")
    d.add_paragraph("IP: Det står i tabellen.")
    _add_table(d, [
        [_tc("Tema"), _tc("Krav", span=2)],
        [_tc("Miljö", merge="restart"), _tc("Utsläpp"), _tc("Euro 6")],
        [_tc(merge="continue"), _tc("Buller"), _tc("under 70 dB")],
        [_tc("Funktion", "(viktigast)", merge="restart"),
         _tc("Räckvidd", merge="restart", span=2)],
        [_tc(merge="continue"), _tc(merge="continue", span=2)],
        [_tc(merge="continue"), _tc("Laddtid"), _tc("högst 1 timme")],
        # a row starting one column in (w:gridBefore): its cell continues the
        # merged cell starting in the second column above it
        '<w:tr><w:trPr><w:gridBefore w:val="1"/></w:trPr>'
        + _tc(merge="continue") + _tc("(se bilaga)") + "</w:tr>",
    ])
    d.add_paragraph("I: Och uppföljningen?")
    d.add_paragraph("IP: Varje kvartal.")
    _add_table(d, [[_tc("Larm per natt", merge="continue"), _tc("Före"), _tc("Efter")],
                   [_tc(merge="continue"), _tc("40"), _tc("12", span=3)]])
    p = tmp_path / "krav.docx"
    d.save(p)
    [t] = read_transcript(p)
    assert t.text.split("\n")[2:] == [
        "Tema | Krav",
        "Miljö | Utsläpp | Euro 6",
        " | Buller | under 70 dB",
        "Funktion (viktigast) | Räckvidd",
        " | Laddtid | högst 1 timme",
        " | (se bilaga)",
        "I: Och uppföljningen?",
        "IP: Varje kvartal.",
        "Larm per natt | Före | Efter",
        " | 40 | 12"]


def test_docx_text_in_a_frame_before_the_first_turn_is_read(tmp_path):
    """An interview written inside a one-cell table (a frame around the
    text), or in tables of one column, is read as the document's own
    paragraphs and tables: its metadata table and its turns. The old reader
    took every table before the first turn for metadata and dropped rows
    that were not 'Key | value': the whole interview was lost, read as one
    turn of its title line, without a word of warning."""
    d = docx.Document()
    d.add_paragraph("Intervju 4 – följeforskning (fiktiv)")
    frame = d.add_table(rows=1, cols=1).rows[0].cells[0]
    frame.text = "Projekt: Innovationsupphandling Syd"
    meta = frame.add_table(rows=1, cols=2)
    meta.rows[0].cells[0].text, meta.rows[0].cells[1].text = "Omgång", "2"
    for line in ["I: Hur började ni?", "IP: Med en dialog med leverantörerna."]:
        frame.add_paragraph(line)
    inner = frame.add_table(rows=2, cols=1)  # a frame inside the frame
    inner.rows[0].cells[0].text = "I: Och sedan?"
    inner.rows[1].cells[0].text = "IP: Vi skrev funktionskrav."
    p = tmp_path / "ram.docx"
    d.save(p)
    [t] = read_transcript(p)
    assert t.metadata == {"project": "Innovationsupphandling Syd", "round": "2"}
    assert [(x.speaker, t.turn_text(x)) for x in t.turns] == [
        ("I", "Hur började ni?"), ("IP", "Med en dialog med leverantörerna."),
        ("I", "Och sedan?"), ("IP", "Vi skrev funktionskrav.")]


def test_docx_table_rows_before_the_first_turn_that_are_not_metadata_are_read(tmp_path):
    """Before the first turn, a row of a table that is not 'Key | value' (a
    header table of three columns, a title row across a metadata table) is
    read as text where the table stands, a line per row, before the turns
    (the old reader dropped it); the 'Key | value' rows are metadata as
    before, and a field left empty is left out as before."""
    d = docx.Document()
    header = d.add_table(rows=2, cols=3)
    for row, values in zip(header.rows, [("Datum", "Plats", "Transkriberad av"),
                                         ("3 mars 2024", "Lund", "Eva Berg")]):
        for cell, value in zip(row.cells, values):
            cell.text = value
    d.add_paragraph("")
    _add_table(d, [[_tc("Bakgrundsuppgifter", span=2)],
                   [_tc("Projekt"), _tc("Innovationsupphandling Syd")],
                   [_tc("Kommentar"), _tc()]])
    d.add_paragraph("Maria Holm: Hur började ni?")
    d.add_paragraph("Per: Med en dialog.")
    d.add_paragraph("Maria Holm: Och sedan?")
    d.add_paragraph("Per: Funktionskrav.")
    p = tmp_path / "huvud.docx"
    d.save(p)
    [t] = read_transcript(p)
    assert t.text.split("\n")[:4] == ["Datum | Plats | Transkriberad av",
                                      "3 mars 2024 | Lund | Eva Berg", "", "Bakgrundsuppgifter"]
    assert t.metadata == {"project": "Innovationsupphandling Syd"}
    assert [(x.speaker, t.turn_text(x)) for x in t.turns] == [
        ("Maria Holm", "Hur började ni?"), ("Per", "Med en dialog."),
        ("Maria Holm", "Och sedan?"), ("Per", "Funktionskrav.")]


def _with_page_header(path, lines, *, body_header=(), table=None):
    d = docx.Document()
    header = d.sections[0].header
    header.paragraphs[0].text = lines[0]
    for line in lines[1:]:
        header.add_paragraph(line)
    if table:
        t = header.add_table(rows=len(table), cols=2, width=docx.shared.Cm(12))
        for row, (k, v) in zip(t.rows, table):
            row.cells[0].text, row.cells[1].text = k, v
    for line in (*body_header, "Intervjuare: Hur började det?", "IP: Med en marknadsdialog.",
                 "Intervjuare: Och sedan?", "IP: En innovationsupphandling."):
        d.add_paragraph(line)
    d.save(path)


def test_docx_page_header_fields_are_metadata(tmp_path):
    """An interview template often puts the project, round and role in the
    page header (sidhuvud), several fields on one line between tabs: they are
    metadata; other header text is not, and none of it is transcript text."""
    p = tmp_path / "sidhuvud.docx"
    _with_page_header(p, ["Projekt: Region Östergötland\tOmgång: 2\tRoll: ledning",
                          "Konfidentiellt – sida 1", "Intervjuare: Karin Ek  |  Datum: 2026-03-02"])
    [t] = read_transcript(p)
    assert t.metadata == {"project": "Region Östergötland", "round": "2", "role": "ledning",
                          "interviewer": "Karin Ek", "datum": "2026-03-02"}
    assert "Konfidentiellt" not in t.text and "Region Östergötland" not in t.text
    assert [(x.speaker_role, t.turn_text(x)) for x in t.turns] == [
        ("interviewer", "Hur började det?"), ("respondent", "Med en marknadsdialog."),
        ("interviewer", "Och sedan?"), ("respondent", "En innovationsupphandling.")]


def test_docx_page_header_table_is_metadata_and_the_body_wins(tmp_path):
    p = tmp_path / "tabell.docx"
    _with_page_header(p, ["Följeforskning"], body_header=["Omgång: 3", ""],
                      table=[("Projekt", "Innovationsupphandling Syd"), ("Omgång", "1"),
                             ("Sida", "1 av 4")])
    [t] = read_transcript(p)
    assert t.metadata == {"project": "Innovationsupphandling Syd", "round": "3"}
