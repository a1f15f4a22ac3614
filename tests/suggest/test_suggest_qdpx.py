"""``codingkit suggest --out granska.qdpx`` (issue 13): the suggested turns as a
REFI-QDA project, one source per turn, and learning from it once coded in
QualCoder or NVivo (simulated here by adding codings to its XML as QualCoder
writes them)."""

from __future__ import annotations

import json
import shutil
import uuid
import warnings
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xmlschema
from click.testing import CliRunner
from lxml import etree

from codingkit import read_transcripts
from codingkit.cli import cli
from codingkit.errors import EvaluationError
from codingkit.evaluation import read_human_coding
from codingkit.humancoding import read_coding_rounds, read_review_turns
from codingkit.refiqda import read_qdpx
from codingkit.refiqda._common import schema_path
from codingkit.refiqda.review import (NO_THEME_ID, NO_THEME_LABEL, OFF_TOPIC_ID, SET_NAME,
                                      TURN_VARIABLE, parse_marker, turn_hash)
from codingkit.segmenting import segment
from codingkit.suggest import SHEET_NAME

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "transcripts"
THEMES = ["tidig_dialog", "behov", "kommersialisering", "forfarande", "risk_regelverk",
          "forankring", "samverkan", "resurser", "larande", "effekter"]
NS = "urn:QDA-XML:project:1.0"
Q = f"{{{NS}}}"
N = 8


@pytest.fixture(scope="module")
def interviews(tmp_path_factory) -> Path:
    """Two sample interviews (a .txt of each project)."""
    folder = tmp_path_factory.mktemp("iv") / "intervjuer"
    folder.mkdir()
    for rel in ("syd/01_projektledare_omg1.txt", "ostergotland/05_upphandlare_omg1.txt"):
        shutil.copy(SAMPLE / rel, folder / Path(rel).name)
    return folder


@pytest.fixture(scope="module")
def granska(interviews, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("suggest") / "granska.qdpx"
    res = CliRunner().invoke(cli, ["suggest", str(interviews), "--n", str(N), "--out", str(out)],
                             catch_exceptions=False)
    assert res.exit_code == 0, res.output
    assert f"Chose {N} turns" in res.output and str(out) in res.output
    return out


@pytest.fixture(scope="module")
def turns(interviews):
    return {(s.source, s.turn): s for s in segment(read_transcripts(interviews), "turn")}


def _qde(path: Path) -> etree._Element:
    with zipfile.ZipFile(path) as zf:
        return etree.fromstring(zf.read("project.qde"))


def test_the_project_validates_and_holds_one_source_per_turn(granska, turns):
    with zipfile.ZipFile(granska) as zf:
        qde = zf.read("project.qde")
        names = zf.namelist()
    with schema_path("Project.xsd") as xsd:
        xmlschema.XMLSchema(str(xsd)).validate(qde.decode("utf-8"))
    assert len([n for n in names if n.startswith("sources/")]) == N
    root = etree.fromstring(qde)
    assert not list(root.iter(f"{Q}Coding")) and not list(root.iter(f"{Q}PlainTextSelection"))
    assert "varje källa (dokument) är ett svar" in root.findtext(f"{Q}Description")
    project = read_qdpx(granska)
    # the codes: the codebook's themes, flat, by their ids, and the code for a
    # turn read that is about no theme
    assert list(project.codebook.codes) == THEMES + [NO_THEME_ID, OFF_TOPIC_ID]
    assert project.codebook[OFF_TOPIC_ID].label == "granskad – om annat"
    assert project.codebook[NO_THEME_ID].label == NO_THEME_LABEL == "granskad – inget tema"
    assert all(c.parent is None and c.codable for c in project.codebook)
    assert "'granskad – inget tema'" in root.findtext(f"{Q}Description")
    assert len(project.sources) == N
    seen = set()
    for name, text in project.sources.items():
        turn = parse_marker(project.metadata[name][TURN_VARIABLE])
        assert turn == parse_marker(project.descriptions[name])  # both record the turn
        seg = turns[(turn.source, turn.turn)]
        assert seg.speaker_role == "respondent"
        assert text == seg.text                       # the turn's text exactly
        assert (turn.start, turn.end) == (seg.start, seg.end)
        assert turn.sha256 == turn_hash(seg.text)
        assert name == f"{Path(turn.source).stem} · tur {turn.turn}"
        # the reviewer sees the question before it and codingkit's guess
        question = turns[(turn.source, turn.turn - 1)]
        assert f"Fråga före svaret: {' '.join(question.text.split())}" in \
            project.descriptions[name]
        assert "codingkits gissning: " in project.descriptions[name]
        assert f"Inget tema: koda det med '{NO_THEME_LABEL}'" in project.descriptions[name]
        seen.add((turn.source, turn.turn))
    assert len(seen) == N
    # every source in the Set "granska"
    (s,) = root.iter(f"{Q}Set")
    assert s.get("name") == SET_NAME
    sources = {ts.get("guid") for ts in root.iter(f"{Q}TextSource")}
    assert {m.get("targetGUID") for m in s.iter(f"{Q}MemberSource")} == sources


def _code(src: Path, out: Path, marks: dict[int, list[str]], *, remove: tuple[int, ...] = (),
          edit: int | None = None, as_qualcoder: bool = True,
          drop: str | None = None) -> list[tuple[str, int]]:
    """Code a review project as a reviewer in QualCoder would: source k (in the
    file's order) gets a PlainTextSelection per theme of ``marks[k]`` with a
    Coding by a new user. ``remove``: sources deleted (not reviewed);
    ``edit``: a source whose text is changed. ``as_qualcoder``: new GUIDs for
    every code and source and no Set or project Description, as QualCoder's
    export writes them. ``drop``: "variable" or "description", to lose one
    of the two places the turn is recorded. Returns each source's turn."""
    with zipfile.ZipFile(src) as zf:
        entries = {n: zf.read(n) for n in zf.namelist()}
    root = etree.fromstring(entries["project.qde"])
    user = str(uuid.uuid4())
    etree.SubElement(root.find(f"{Q}Users"), f"{Q}User", guid=user, name="Anna")
    code_guid = {}
    for code in root.iter(f"{Q}Code"):
        desc = code.findtext(f"{Q}Description") or ""
        # a code the reviewer added (no codingkit-id) by its name
        cid = (desc.rsplit("codingkit-id: ", 1)[1].strip() if "codingkit-id: " in desc
               else code.get("name"))
        if as_qualcoder:
            code.set("guid", str(uuid.uuid4()))
        code_guid[cid] = code.get("guid")
    sources = list(root.iter(f"{Q}TextSource"))
    keys = []
    for k, ts in enumerate(sources):
        turn = parse_marker(ts.findtext(f"{Q}Description"))
        keys.append((turn.source, turn.turn))
        entry = "sources/" + ts.get("plainTextPath").split("://")[1]
        text = entries[entry].decode("utf-8")
        if k == edit:
            text = text.replace(" ", "  ", 1)
            entries[entry] = text.encode("utf-8")
        desc = ts.find(f"{Q}Description")
        anchor = ts.find(f"{Q}VariableValue")
        for n, theme in enumerate(marks.get(k, ())):
            start, end = (0, len(text)) if n == 0 else (0, min(len(text), 20 + n))
            sel = etree.Element(f"{Q}PlainTextSelection", guid=str(uuid.uuid4()),
                                startPosition=str(start), endPosition=str(end),
                                name=text[start:end], creatingUser=user,
                                creationDateTime="2026-12-05T10:00:00Z")
            coding = etree.SubElement(sel, f"{Q}Coding", guid=str(uuid.uuid4()),
                                      creatingUser=user)
            etree.SubElement(coding, f"{Q}CodeRef", targetGUID=code_guid[theme])
            anchor.addprevious(sel)
        if drop == "variable":
            ts.remove(anchor)
        elif drop == "description":
            ts.remove(desc)
        if as_qualcoder:
            new = str(uuid.uuid4())
            ts.set("guid", new)
            ts.set("plainTextPath", f"internal://{new}.txt")
            entries[f"sources/{new}.txt"] = entries.pop(entry)
    for k in remove:
        sources[k].getparent().remove(sources[k])
        entries.pop("sources/" + sources[k].get("plainTextPath").split("://")[1])
    if as_qualcoder:
        root.remove(root.find(f"{Q}Sets"))
        root.remove(root.find(f"{Q}Description"))
    entries["project.qde"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return keys


@pytest.mark.parametrize("as_qualcoder,drop", [(True, None), (False, "variable"),
                                               (True, "description")])
def test_a_coded_project_reads_back_as_the_reviewers_turn_coding(granska, tmp_path,
                                                                 as_qualcoder, drop):
    coded = tmp_path / "granskad.qdpx"
    marks = {0: ["behov", "forfarande"], 1: ["larande"], 3: ["samverkan"], 5: ["behov"],
             2: [NO_THEME_ID], 4: [NO_THEME_ID]}
    keys = _code(granska, coded, marks, remove=(6,), as_qualcoder=as_qualcoder, drop=drop)
    with pytest.warns(Warning, match=r"read 6 of the 7 turns of the review project as coded "
                                     r"\(4 with a theme, 2 'granskad – inget tema'\); the 1 "
                                     r"source\(s\) without any coding are left out as not read"):
        human = read_human_coding(coded)
    assert human.kind == "turn" and human.paths == [coded]
    got = sorted(zip(human.codings["source"], human.codings["turn"], human.codings["code"]))
    assert got == sorted((*keys[k], t) for k, themes in marks.items() for t in themes
                         if t != NO_THEME_ID)
    # the turns read: those coded, with a theme or "granskad – inget tema" (2, 4:
    # negatives); the source left uncoded (7) is not read yet, and the removed
    # source (6) was not reviewed: neither is among them
    assert sorted(zip(human.turns["source"], human.turns["turn"])) == \
        sorted(keys[k] for k in range(N) if k not in (6, 7))


def test_an_edited_source_is_refused_naming_it(granska, tmp_path, interviews):
    coded = tmp_path / "granskad.qdpx"
    keys = _code(granska, coded, {0: ["behov"]}, edit=2)
    with pytest.raises(EvaluationError, match=rf"{keys[2][0][:-4]} · tur {keys[2][1]}.*was "
                                              r"edited.*\[E634\]"):
        read_human_coding(coded)
    res = CliRunner().invoke(cli, ["apply", str(interviews), "--learn-from", str(coded),
                                   "--out", str(tmp_path / "res")])
    assert res.exit_code == 1 and "Traceback" not in res.output
    [line] = [x for x in res.output.splitlines() if x.startswith("Error:")]
    assert line.startswith(f"Error: {coded}: source ") and line.endswith("[E634]")


def test_an_uncoded_project_is_nothing_coded_yet_and_a_normal_project_keeps_spans(
        granska, tmp_path, interviews):
    with pytest.raises(EvaluationError, match=r"nothing coded yet.*\[E602\]"):
        read_human_coding(granska)
    # a coding by codingkit itself is not the reviewer's
    coded = tmp_path / "egen.qdpx"
    _code(granska, coded, {0: ["behov"]})
    xml = _qde(coded)
    for u in xml.iter(f"{Q}User"):
        if u.get("name") == "Anna":
            u.set("name", "codingkit (automatic)")
    with zipfile.ZipFile(coded) as zf:
        entries = {n: zf.read(n) for n in zf.namelist()}
    entries["project.qde"] = etree.tostring(xml)
    with zipfile.ZipFile(coded, "w") as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    with pytest.raises(EvaluationError, match=r"nothing coded yet"):
        read_human_coding(coded)
    # an export of apply's coding (not a review project) is span coding, as before
    out = tmp_path / "res"
    res = CliRunner().invoke(cli, ["apply", str(interviews), "--format", "qdpx", "--out",
                                   str(out), "-q"])
    assert res.exit_code == 0, res.output
    with pytest.warns(Warning, match="not a human's coding"):
        human = read_human_coding(out / "project.qdpx")
    assert human.kind == "span" and human.turns is None


def test_apply_and_evaluate_from_a_coded_project(granska, interviews, tmp_path):
    coded = tmp_path / "granskad.qdpx"
    marks = {k: ["behov"] + (["larande"] if k % 2 else []) for k in range(N - 2)}
    marks.update({N - 2: [NO_THEME_ID], N - 1: [NO_THEME_ID]})
    _code(granska, coded, marks)   # sources 6 and 7: reviewed, no theme
    runner = CliRunner()
    out = tmp_path / "resultat"
    # learning from the reviewer's coding alone (on top of the gold is the
    # same reading, tested with a sheet in test_suggest.py, and slower)
    res = runner.invoke(cli, ["apply", str(interviews), "--learn-from", str(coded),
                              "--rules-only", "--min-positives", "1", "--out", str(out), "-q"],
                        catch_exceptions=False)
    assert res.exit_code == 0, res.output
    learned = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert learned["options"]["learned_from"]["turns"] == N
    # agreement on the reviewer's turns, cross-validated (learning from the
    # reviewer's coding alone, which is quicker than on top of the gold)
    res = runner.invoke(cli, ["evaluate", str(interviews), "--gold", str(coded), "--cv", "2",
                              "--rules-only", "--min-positives", "1"], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    assert "2-fold cross-validation (learning" in res.output and f"{N} turns" in res.output
    positives = {line.split()[0]: int(line.split()[1]) for line in res.output.splitlines()
                 if line.split()[:1] and line.split()[0] in THEMES}
    assert positives["behov"] == N - 2 and positives["larande"] == (N - 2) // 2
    assert positives["resurser"] == 0


def test_a_sheet_and_a_project_are_rounds_and_mix(granska, interviews, tmp_path):
    runner = CliRunner()
    sheet = tmp_path / "granska.xlsx"
    res = runner.invoke(cli, ["suggest", str(interviews), "--n", "3", "--exclude",
                              str(_coded_once(granska, tmp_path)), "--out", str(sheet)],
                        catch_exceptions=False)
    assert res.exit_code == 0, res.output
    book = openpyxl.load_workbook(sheet)
    ws = book[SHEET_NAME]
    header = [c.value for c in ws[1]]
    for r in range(2, ws.max_row + 1):
        ws.cell(row=r, column=header.index("resurser") + 1).value = 1
    book.save(sheet)
    coded = tmp_path / "granskad.qdpx"
    rounds = read_coding_rounds([sheet, coded])
    assert [h.kind for h in rounds] == ["turn", "turn"]
    assert len(rounds[0].turns) == 3 and len(rounds[1].turns) == N
    # the sheet's turns: new ones (--exclude left out the turns reviewed in the project)
    assert not set(zip(rounds[0].turns["source"], rounds[0].turns["turn"])) & set(
        zip(rounds[1].turns["source"], rounds[1].turns["turn"]))
    pooled = read_human_coding([sheet, coded])
    assert len(pooled.turns) == N + 3
    assert set(pooled.codings["code"]) == {"resurser", "behov"}
    # learning from both (from them alone: quicker than on top of the gold)
    out = tmp_path / "res"
    res = runner.invoke(cli, ["apply", str(interviews), "--learn-from", str(sheet),
                              "--learn-from", str(coded), "--rules-only", "--min-positives", "1",
                              "--out", str(out), "-q"], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    learned = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    learned = learned["options"]["learned_from"]
    assert [f["path"] for f in learned["files"]] == [str(sheet), str(coded)]
    assert learned["turns"] == N + 3 and learned["on_top_of"] is None


def _coded_once(granska: Path, tmp_path: Path) -> Path:
    """Every turn reviewed: the first about behov, the others about no theme."""
    coded = tmp_path / "granskad.qdpx"
    _code(granska, coded, {0: ["behov"], **{k: [NO_THEME_ID] for k in range(1, N)}})
    return coded


def test_a_partly_coded_project_leaves_out_the_sources_not_coded(granska, interviews,
                                                                  tmp_path):
    """A reviewer who codes 3 of the 8 turns in QualCoder and leaves the rest
    untouched: the 5 untouched are not read yet (as empty rows of a sheet),
    not 5 turns about no theme; the commands say how many were read and left
    out."""
    coded = tmp_path / "granskad.qdpx"
    keys = _code(granska, coded, {0: ["behov"], 1: ["behov", "larande"], 2: [NO_THEME_ID]})
    left_out = (r"read 3 of the 8 turns of the review project as coded \(2 with a theme, 1 "
                r"'granskad – inget tema'\); the 5 source\(s\) without any coding are left out "
                r"as not read yet \(code a turn you read that is about no theme with "
                r"'granskad – inget tema'\)")
    with pytest.warns(Warning, match=left_out):
        human = read_human_coding(coded)
    assert sorted(zip(human.turns["source"], human.turns["turn"])) == sorted(keys[:3])
    assert sorted(human.codings["code"]) == ["behov", "behov", "larande"]
    runner = CliRunner()
    res = runner.invoke(cli, ["evaluate", str(interviews), "--gold", str(coded), "--rules-only"],
                        catch_exceptions=False)
    assert res.exit_code == 0, res.output
    assert "; 3 turns):" in res.output
    assert len([x for x in res.output.splitlines() if x.startswith("Warning:")
                and "left out as not read yet" in x]) == 1
    positives = {line.split()[0]: int(line.split()[1]) for line in res.output.splitlines()
                 if line.split()[:1] and line.split()[0] in THEMES}
    assert positives["behov"] == 2 and positives["larande"] == 1
    out = tmp_path / "res"
    res = runner.invoke(cli, ["apply", str(interviews), "--learn-from", str(coded),
                              "--rules-only", "--min-positives", "1", "--out", str(out)],
                        catch_exceptions=False)
    assert res.exit_code == 0, res.output
    assert "left out as not read yet" in res.output
    learned = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert learned["options"]["learned_from"]["turns"] == 3
    # the next round may suggest the 5 turns not read again
    assert len(read_review_turns(coded)) == 3


def test_a_no_theme_code_the_reviewer_added_counts_as_read(granska, tmp_path):
    """A project without codingkit's no-theme code (written before it had
    one): a code the reviewer adds, named "Inget tema", marks a turn read
    and about no theme; it is no theme learned or evaluated."""
    old = tmp_path / "gammal.qdpx"
    with zipfile.ZipFile(granska) as zf:
        entries = {n: zf.read(n) for n in zf.namelist()}
    root = etree.fromstring(entries["project.qde"])
    for code in list(root.iter(f"{Q}Code")):
        if code.get("name") == NO_THEME_LABEL:
            code.getparent().remove(code)
    etree.SubElement(root.find(f"{Q}CodeBook/{Q}Codes"), f"{Q}Code", guid=str(uuid.uuid4()),
                     name="Inget tema", isCodable="true")
    entries["project.qde"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    with zipfile.ZipFile(old, "w") as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    coded = tmp_path / "granskad.qdpx"
    keys = _code(old, coded, {0: ["behov"], 1: ["Inget tema"], 2: ["Inget tema"]})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        human = read_human_coding(coded)
    assert sorted(zip(human.turns["source"], human.turns["turn"])) == sorted(keys[:3])
    assert list(human.codings["code"]) == ["behov"]
    assert [str(w.message) for w in caught if "left out as not read yet" in str(w.message)]
    # every turn read about no theme: turns read, nothing coded (not "nothing coded yet")
    _code(old, coded, {k: ["Inget tema"] for k in range(N)})
    human = read_human_coding(coded)
    assert len(human.turns) == N and human.codings.empty


def test_suggest_refuses_other_suffixes_and_a_project_that_is_no_review(interviews, tmp_path):
    runner = CliRunner()
    res = runner.invoke(cli, ["suggest", str(interviews), "--out", str(tmp_path / "g.qde")])
    assert res.exit_code == 2 and ".qdpx" in res.output
    (tmp_path / "mapp.qdpx").mkdir()
    res = runner.invoke(cli, ["suggest", str(interviews), "--out", str(tmp_path / "mapp.qdpx")])
    assert res.exit_code == 1 and "a folder; expected a .qdpx file name [E408]" in res.output
    out = tmp_path / "res"
    assert runner.invoke(cli, ["apply", str(interviews), "--format", "qdpx", "--out", str(out),
                               "-q"]).exit_code == 0
    res = runner.invoke(cli, ["suggest", str(interviews), "--exclude", str(out / "project.qdpx"),
                              "--out", str(tmp_path / "g.qdpx")])
    assert res.exit_code == 1
    assert "not a review project of 'codingkit suggest'" in res.output and "[E602]" in res.output
    assert not (tmp_path / "g.qdpx").exists()


def test_turns_coded_om_annat_are_turns_about_something_else(granska, tmp_path):
    """The code 'granskad – om annat': a turn read, about something else than
    the evaluated work (what the topic check learns from), no theme."""
    coded = tmp_path / "granskad.qdpx"
    marks = {0: ["behov"], 1: [OFF_TOPIC_ID], 2: [NO_THEME_ID], 3: ["larande", OFF_TOPIC_ID]}
    keys = _code(granska, coded, marks)
    with pytest.warns(Warning, match=r"\(2 with a theme, 1 'granskad – inget tema', 1 "
                                     r"'granskad – om annat'\)"):
        human = read_human_coding(coded)
    assert sorted(human.off_topic) == sorted([keys[1], keys[3]])
    assert sorted(zip(human.codings["source"], human.codings["turn"], human.codings["code"])) \
        == sorted([(*keys[0], "behov"), (*keys[3], "larande")])
