"""What goes into a folder meant to be shared stays pseudonymised.

A folder of pseudonymised results (``apply --pseudonymize``) or of
pseudonymised copies (``codingkit pseudonymize``, marked by
``.codingkit-pseudonymized.json``) is meant to be shared. Before:

- ``apply`` of the copies wrote results that did not say they were
  pseudonymised: manifest.json recorded the copies' paths (under a folder
  named after a person), and ``depseudonymize`` wrote the real names into
  that folder;
- ``evaluate PATHS --out`` inside such a folder coded the original
  transcripts and quoted them in disagreements.csv; ``report``,
  ``export-project``, ``suggest`` and ``apply`` itself (``--out``,
  ``--cache``, ``--save-model``) wrote original texts there too.

Now the copies code as a pseudonymised run (E807 when mixed with
originals) and the others are refused with one line (E808).

Later (section 4): ``import-project`` wrote a project's texts (sources,
excerpts in human_coding.csv) inside such a folder, where ``apply`` then
took its ``sources/*.txt`` for copies; ``write_outputs`` (the Python API)
neither recorded a run of the copies as pseudonymised (manifest.json kept
their paths) nor refused originals there, and ``Coder.code`` of the copies
quoted the interviews learned from in the evidence; a ``--key`` (the real
names) could be written inside such a folder. Now E808, as ``apply``, and
E804.
"""

from __future__ import annotations

import csv
import json
import shutil
import zipfile
from pathlib import Path, PurePosixPath, PureWindowsPath

import pytest
from click.testing import CliRunner

from codingkit.cli import cli

ROOT = Path(__file__).resolve().parents[2]
#: a folder name that is a respondent's name
PRIVATE = "Anna Svensson"
#: a name planted in a turn that codingkit and the human coder disagree on
PLANTED = "Karin Ekström"
SOURCES = ("01_projektledare_omg1.txt", "04_verksamhet_omg3.txt", "09_upphandlare_omg2.txt")


def _run(*args: str):
    return CliRunner().invoke(cli, [str(a) for a in args])


def _refused(r, code: str, path) -> str:
    """The one line of a refusal naming ``path``."""
    assert r.exit_code == 1, r.output
    assert r.stderr.count("\n") == 1 and r.stderr.startswith(f"Error: {path}: "), r.stderr
    assert r.stderr.endswith(f"[{code}]\n"), r.stderr
    return r.stderr


def _holds(folder: Path, text: str) -> list[str]:
    """The files of ``folder`` (and members of zip files) that hold ``text``."""
    found = []
    for f in sorted(folder.rglob("*")):
        if not f.is_file():
            continue
        parts = ({f"{f}:{n}": zipfile.ZipFile(f).read(n) for n in zipfile.ZipFile(f).namelist()}
                 if zipfile.is_zipfile(f) else {str(f): f.read_bytes()})
        found += [name for name, data in parts.items() if text.encode("utf-8") in data]
    return found


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """The researcher's folder (named after a person): three sample
    interviews with a planted name, their human coding, the key; the copies
    'codingkit pseudonymize' wrote beside them; the results of those copies
    (``res``) and of 'apply --pseudonymize' (``shared``)."""
    home = tmp_path_factory.mktemp("home") / PRIVATE
    (home / "intervjuer" / "syd").mkdir(parents=True)
    for name in SOURCES:
        text = (ROOT / "transcripts" / "syd" / name).read_text(encoding="utf-8")
        if name.startswith("04"):
            old = "Jag har fortfarande kvar mina anteckningar"
            assert old in text
            text = text.replace(old, f"Jag och {PLANTED} har fortfarande kvar mina anteckningar")
        (home / "intervjuer" / "syd" / name).write_text(text, encoding="utf-8")
    for name in ("syd_coding.csv", "syd_turns.csv"):  # the rows of these three interviews
        with open(ROOT / "gold" / name, encoding="utf-8", newline="") as fh:
            rows = list(csv.reader(fh))
        with open(home / name, "w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows([rows[0]] + [r for r in rows[1:]
                                                  if r[0].split("/")[-1] in SOURCES])
    key = home / "nyckel.json"
    copies = home / "kopior"
    r = _run("pseudonymize", home / "intervjuer", "--out", copies, "--key", key)
    assert r.exit_code == 0, r.output
    assert not _holds(copies, PLANTED)
    res = home / "kopior_res"
    r = _run("apply", copies, "--out", res, "-q", "--rules-only")
    assert r.exit_code == 0, r.output
    shared = tmp_path_factory.mktemp("dela") / "res"
    r = _run("apply", home / "intervjuer", "--out", shared, "-q", "--rules-only",
             "--pseudonymize", "--key", key)
    assert r.exit_code == 0, r.output
    return {"home": home, "key": key, "copies": copies, "res": res, "shared": shared,
            "gold": [f"--gold={home / 'syd_coding.csv'}", f"--gold={home / 'syd_turns.csv'}"]}


@pytest.fixture(scope="module")
def private_res(project, tmp_path_factory):
    """Results of the original interviews, not pseudonymised (kept privately)."""
    res = tmp_path_factory.mktemp("privat") / "res"
    r = _run("apply", project["home"] / "intervjuer", "--out", res, "-q", "--rules-only")
    assert r.exit_code == 0, r.output
    assert _holds(res, PLANTED)
    return res


# --------------------------------------------------------------------------
# 1. apply of the copies
# --------------------------------------------------------------------------


def test_results_of_the_copies_are_marked_pseudonymised_and_record_no_path(project):
    home, res = project["home"], project["res"]
    r = _run("apply", project["copies"], "--out", res, "-q", "--rules-only", "--force")
    assert r.exit_code == 0, r.output
    assert ("The inputs are pseudonymised copies ('codingkit pseudonymize'): the results are "
            "marked pseudonymised, and manifest.json records no path.") in r.output
    text = (res / "manifest.json").read_text(encoding="utf-8")
    manifest = json.loads(text)
    opts = manifest["options"]
    assert opts["pseudonymized"] is True and opts["pseudonymized_copies"] is True
    marker = json.loads((project["copies"] / ".codingkit-pseudonymized.json")
                        .read_text(encoding="utf-8"))
    assert opts["pseudonym_key_sha256"] == marker["pseudonym_key_sha256"]
    assert opts["pseudonym_format"] == "[{type} {n}]"
    # as apply --pseudonymize: no path, each input by source and sha256
    assert PRIVATE not in text and str(home.parent) not in text
    assert [e["source"] for e in manifest["inputs"]] == [f"syd/{n}" for n in SOURCES]
    assert all(e["path"] is None and len(e["sha256"]) == 64 for e in manifest["inputs"])
    assert manifest["codebook"]["path"] is None
    assert manifest["codebook"]["bundled"] == "innovationsupphandling.yaml"
    assert not _holds(res, PRIVATE) and not _holds(res, PLANTED)
    assert not [s for s in json.dumps(manifest).split('"')
                if PurePosixPath(s).is_absolute() or PureWindowsPath(s).is_absolute()]


def test_depseudonymize_refuses_to_write_into_the_results_of_copies(project):
    out = project["res"] / "klar.csv"
    r = _run("depseudonymize", project["res"] / "segments.csv", "--key", project["key"],
             "--out", out)
    line = _refused(r, "E806", out)
    assert f"inside {project['res']}, a folder of pseudonymised results" in line
    assert not out.exists()


def test_copies_given_one_by_one_or_a_subfolder_are_copies_too(project, tmp_path):
    copies = project["copies"]
    r = _run("apply", copies / "syd" / SOURCES[0], copies / "syd" / SOURCES[1], "--out",
             tmp_path / "a", "-q", "--rules-only")
    assert r.exit_code == 0, r.output
    assert json.loads((tmp_path / "a" / "manifest.json").read_text("utf-8"))[
        "options"]["pseudonymized_copies"] is True


def test_copies_mixed_with_originals_are_refused_in_one_line(project, tmp_path):
    home, copies = project["home"], project["copies"]
    original = home / "intervjuer" / "syd" / SOURCES[0]
    out = tmp_path / "res"
    r = _run("apply", copies, original, "--out", out, "-q", "--rules-only")
    line = _refused(r, "E807", original)
    assert "not a pseudonymised copy, while 3 other inputs are" in line
    assert f"such as those in {copies}" in line and "--pseudonymize" in line
    assert not out.exists()
    # an original dropped among the copies (pseudonymize writes .txt only) is no copy
    mixed = tmp_path / "kopior"
    shutil.copytree(copies, mixed)
    docx = ROOT / "transcripts" / "syd" / "02_upphandlare_omg1.docx"
    shutil.copy(docx, mixed / "syd" / docx.name)
    r = _run("apply", mixed, "--out", out, "-q", "--rules-only")
    _refused(r, "E807", mixed / "syd" / docx.name)
    # a metadata file outside the copies may hold the originals' names
    meta = home / "metadata.csv"
    meta.write_text(f"file,interviewer\nkopior/syd/{SOURCES[0]},Eva Lund\n", encoding="utf-8")
    r = _run("apply", copies, "--manifest", meta, "--out", out, "-q", "--rules-only")
    assert "outside the folder of pseudonymised copies" in _refused(r, "E807", meta)
    assert not out.exists()
    # with --pseudonymize every text is pseudonymised: the run is one as before
    r = _run("apply", copies, original, "--out", out, "-q", "--rules-only", "--pseudonymize",
             "--key", tmp_path / "k.json")
    assert r.exit_code == 0, r.output
    opts = json.loads((out / "manifest.json").read_text("utf-8"))["options"]
    assert opts["pseudonymized"] is True and "pseudonymized_copies" not in opts


def test_export_project_says_the_copies_are_not_found(project, tmp_path):
    out = tmp_path / "p.qdpx"
    r = _run("export-project", project["res"], "--out", out)
    line = _refused(r, "E546", project["res"] / "manifest.json")
    assert "the results code pseudonymised copies" in line and "--format qdpx" in line
    assert not out.exists()


# --------------------------------------------------------------------------
# 2. evaluate --out inside a shared folder
# --------------------------------------------------------------------------


def test_evaluate_refuses_to_quote_originals_inside_a_shared_folder(project, private_res):
    home, res = project["home"], project["shared"]
    out = res / "agreement"
    r = _run("evaluate", home / "intervjuer", *project["gold"], "--rules-only", "--out", out)
    line = _refused(r, "E808", out)
    assert f"inside {res}, a folder of pseudonymised results" in line
    assert "disagreements.csv would quote" in line and "pseudonymised copies as PATHS" in line
    r = _run("evaluate", "--pred", private_res, *project["gold"], "--out", out)
    assert "whose results are not pseudonymised" in _refused(r, "E808", out)
    # inside the copies folder too
    out2 = project["copies"] / "agreement"
    r = _run("evaluate", home / "intervjuer", *project["gold"], "--rules-only", "--out", out2)
    _refused(r, "E808", out2)
    assert not out.exists() and not out2.exists()


def test_evaluate_of_the_copies_writes_inside_it(project, private_res, tmp_path):
    res = tmp_path / "res"
    shutil.copytree(project["shared"], res)
    r = _run("evaluate", project["copies"], *project["gold"], "--rules-only", "--out",
             res / "agreement")
    assert r.exit_code == 0, r.output
    disagreements = (res / "agreement" / "disagreements.csv").read_text(encoding="utf-8")
    assert "[Person" in disagreements and PLANTED not in disagreements
    assert not _holds(res, PLANTED) and not _holds(res, PRIVATE)
    # the same evaluation of the originals, elsewhere, quotes the planted name
    r = _run("evaluate", project["home"] / "intervjuer", *project["gold"], "--rules-only",
             "--out", tmp_path / "privat")
    assert r.exit_code == 0, r.output
    assert PLANTED in (tmp_path / "privat" / "disagreements.csv").read_text(encoding="utf-8")


# --------------------------------------------------------------------------
# 3. the other commands that write texts
# --------------------------------------------------------------------------


def test_report_of_results_not_pseudonymised_is_refused_inside_a_shared_folder(
        project, private_res):
    out = project["shared"] / "rapport.html"
    r = _run("report", private_res, "--out", out)
    assert "the report would quote the texts of" in _refused(r, "E808", out)
    assert not out.exists()
    r = _run("report", project["shared"], "--out", out)  # its own results: pseudonyms
    assert r.exit_code == 0, r.output
    assert PLANTED not in out.read_text(encoding="utf-8")


def test_export_project_is_refused_inside_a_shared_folder(project, private_res):
    out = project["copies"] / "granskning.qdpx"
    r = _run("export-project", private_res, "--out", out)
    assert "the project would hold the original transcripts" in _refused(r, "E808", out)
    assert not out.exists()


def test_suggest_from_originals_is_refused_inside_a_shared_folder(project):
    for out in (project["shared"] / "granska.xlsx", project["copies"] / "granska.qdpx"):
        r = _run("suggest", project["home"] / "intervjuer", "--n", "5", "--out", out)
        assert "not pseudonymised copies" in _refused(r, "E808", out)
        assert not out.exists()


def test_apply_of_originals_is_refused_inside_a_shared_folder(project, tmp_path):
    home, copies = project["home"], project["copies"]
    res = tmp_path / "dela"
    shutil.copytree(project["shared"], res)
    originals = home / "intervjuer"
    for out in (res / "privat", copies / "res", res):
        r = _run("apply", originals, "--out", out, "-q", "--rules-only", "--force")
        assert "the results would hold texts that are not pseudonymised" in _refused(
            r, "E808", out)
    assert not (res / "privat").exists() and not (copies / "res").exists()
    assert json.loads((res / "manifest.json").read_text("utf-8"))["options"]["pseudonymized"]
    cache = copies / "cache"
    r = _run("apply", originals, "--out", tmp_path / "a", "-q", "--rules-only", "--cache", cache)
    _refused(r, "E808", cache)
    model = res / "kodare.ckm"
    r = _run("apply", originals, "--out", tmp_path / "a", "-q", "--rules-only",
             "--save-model", model)
    _refused(r, "E808", model)
    assert not cache.exists() and not model.exists() and not (tmp_path / "a").exists()
    # pseudonymised there, as before
    r = _run("apply", originals, "--out", res / "omg2", "-q", "--rules-only", "--pseudonymize",
             "--key", tmp_path / "k.json")
    assert r.exit_code == 0, r.output
    assert not _holds(res, PLANTED)


# --------------------------------------------------------------------------
# 4. import-project, the Python API and the key
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def private_qdpx(private_res, tmp_path_factory):
    """A REFI-QDA project of the original interviews (not pseudonymised)."""
    out = tmp_path_factory.mktemp("privat_qdpx") / "granskad.qdpx"
    r = _run("export-project", private_res, "--out", out)
    assert r.exit_code == 0, r.output
    assert _holds(out.parent, PLANTED)
    return out


def test_import_project_refuses_to_write_originals_inside_a_shared_folder(
        project, private_qdpx, tmp_path):
    from codingkit.pseudonymize import PseudonymError
    from codingkit.refiqda import read_qdpx, write_imported_project

    res, copies = _shared_copies(project, tmp_path)
    for out, why in ((copies / "granskad", "pseudonymised copies"),
                     (res / "granskad", "pseudonymised results")):
        r = _run("import-project", private_qdpx, "--out", out)
        line = _refused(r, "E808", out)
        assert f"inside {out.parent}, a folder of {why}" in line
        assert "the imported project would hold the texts of granskad.qdpx" in line
        assert "expected --out outside it" in line
        assert not out.exists()
    assert not _holds(copies, PLANTED) and not _holds(res, PLANTED)
    # the library refuses as the command does
    with pytest.raises(PseudonymError) as err:
        write_imported_project(read_qdpx(private_qdpx), copies / "granskad")
    assert err.value.code == "E808" and not (copies / "granskad").exists()
    # elsewhere, as before
    r = _run("import-project", private_qdpx, "--out", tmp_path / "privat")
    assert r.exit_code == 0, r.output
    assert _holds(tmp_path / "privat", PLANTED)


def test_import_project_of_a_pseudonymised_run_writes_inside_its_folder(project, tmp_path):
    res = tmp_path / "res"
    r = _run("apply", project["copies"], "--out", res, "-q", "--rules-only", "--format",
             "qdpx")
    assert r.exit_code == 0, r.output
    r = _run("import-project", res / "project.qdpx", "--out", res / "granskad")
    assert r.exit_code == 0, r.output
    assert (res / "granskad" / "human_coding.csv").is_file()
    assert not _holds(res, PLANTED) and not _holds(res, PRIVATE)
    # a project of another name there is refused: codingkit did not write it
    shutil.copy(res / "project.qdpx", res / "annan.qdpx")
    _refused(_run("import-project", res / "annan.qdpx", "--out", res / "annan"), "E808",
             res / "annan")


def _shared_copies(project, tmp_path) -> tuple[Path, Path]:
    """Copies of the pseudonymised results and of the folder of copies (a
    test that fails writes there, not into the module's folders)."""
    res, copies = tmp_path / "dela", tmp_path / "kopior"
    shutil.copytree(project["shared"], res)
    shutil.copytree(project["copies"], copies)
    return res, copies


def _read_and_code(*paths):
    import codingkit as ck

    transcripts = ck.read_transcripts([str(p) for p in paths])
    return ck.Coder(ck.load_codebook()).code(transcripts)


def test_write_outputs_of_the_copies_records_a_pseudonymised_run(project, tmp_path):
    import codingkit as ck

    out = tmp_path / "res"
    written = ck.write_outputs(_read_and_code(project["copies"]), out)
    assert written[-1] == out / "manifest.json"
    text = (out / "manifest.json").read_text(encoding="utf-8")
    manifest = json.loads(text)
    opts = manifest["options"]
    # as 'codingkit apply' of the copies records it
    cli = json.loads((project["res"] / "manifest.json").read_text(encoding="utf-8"))["options"]
    for name in ("pseudonymized", "pseudonymized_copies", "pseudonym_key_sha256",
                 "pseudonym_format"):
        assert opts[name] == cli[name], name
    assert opts["pseudonymized"] is True and len(opts["pseudonym_key_sha256"]) == 64
    assert all(e["path"] is None for e in manifest["inputs"])
    assert manifest["codebook"]["path"] is None
    assert PRIVATE not in text and str(project["home"].parent) not in text
    # the folder is then one of pseudonymised results: depseudonymize refuses it
    r = _run("depseudonymize", out / "segments.csv", "--key", project["key"], "--out",
             out / "klar.csv")
    _refused(r, "E806", out / "klar.csv")


def test_write_outputs_refuses_originals_inside_a_shared_folder(project, tmp_path):
    import codingkit as ck
    from codingkit.pseudonymize import PseudonymError, pseudonymize_for_apply

    originals = project["home"] / "intervjuer"
    result = _read_and_code(originals)
    res, copies = _shared_copies(project, tmp_path)
    for out, kw in ((copies / "res", {}), (res / "privat", {}), (res, {"force": True})):
        with pytest.raises(PseudonymError) as err:
            ck.write_outputs(result, out, **kw)
        assert err.value.code == "E808", err.value
        assert "the results would hold texts that are not pseudonymised" in str(err.value)
        assert "\n" not in str(err.value)
    assert not (copies / "res").exists() and not (res / "privat").exists()
    assert not _holds(res, PLANTED) and not _holds(copies, PLANTED)
    # copies and originals in one result: refused as 'apply' refuses them
    with pytest.raises(PseudonymError) as err:
        ck.write_outputs(_read_and_code(project["copies"], originals / "syd" / SOURCES[0]),
                         tmp_path / "blandat")
    assert err.value.code == "E807" and not (tmp_path / "blandat").exists()
    # pseudonymised while coding (the options say so): written there, as before
    transcripts, options = pseudonymize_for_apply(
        ck.read_transcripts([str(originals)]), key_path=tmp_path / "k.json",
        out_dir=res / "omg2")
    ck.write_outputs(ck.Coder(ck.load_codebook()).code(transcripts), res / "omg2",
                     options=options)
    assert not _holds(res, PLANTED)
    # and the originals elsewhere, as before
    ck.write_outputs(result, tmp_path / "privat")
    assert "pseudonymized" not in json.loads(
        (tmp_path / "privat" / "manifest.json").read_text("utf-8"))["options"]


def test_learned_evidence_of_copies_quotes_no_interview_learned_from(project):
    import re

    import codingkit as ck
    from codingkit.coding.bundled import bundled_coder

    quoted = re.compile(r"nearest human-coded [\d.]+ \(")
    coder = bundled_coder()
    learned = [c.evidence for c in coder.code(ck.read_transcripts([str(project["copies"])]))
               .coding_list if c.method == "learned"]
    assert len(learned) > 10
    assert all("nearest human-coded" in e and not quoted.search(e) for e in learned)
    # the originals still get the quote
    plain = coder.code(ck.read_transcripts([str(project["home"] / "intervjuer")]))
    assert any(quoted.search(c.evidence) for c in plain.coding_list)


def test_a_key_is_refused_inside_a_shared_folder(project, tmp_path):
    originals = project["home"] / "intervjuer"
    res, copies = _shared_copies(project, tmp_path)
    key = copies / "nyckel2.json"
    r = _run("pseudonymize", originals, "--out", tmp_path / "kopior2", "--key", key)
    line = _refused(r, "E804", key)
    assert f"inside {copies}, a folder of pseudonymised copies" in line
    assert "the key holds the real names" in line
    key2 = res / "nyckel.json"
    r = _run("apply", originals, "--out", tmp_path / "res", "-q", "--rules-only",
             "--pseudonymize", "--key", key2)
    _refused(r, "E804", key2)
    assert not key.exists() and not key2.exists()
    assert not (tmp_path / "kopior2").exists() and not (tmp_path / "res").exists()


# --------------------------------------------------------------------------
# 5. the library functions that write texts (import codingkit)
# --------------------------------------------------------------------------
#
# The commands refused (section 3), but the functions behind them, called
# from an analysis script, wrote the original texts into a shared folder:
# build_report, Evaluation.write (disagreements.csv), write_qdpx and
# export_project, write_xlsx, write_review_sheet and write_review_project,
# and ResultWriter used directly. Now they refuse as the commands do (E808,
# one line naming the folder); their pseudonymised runs write there.


def _refused_in_python(call, code: str, path) -> str:
    """The one-line message of the PseudonymError ``call()`` raises."""
    from codingkit.pseudonymize import PseudonymError

    with pytest.raises(PseudonymError) as err:
        call()
    msg = str(err.value)
    assert err.value.code == code, msg
    assert "\n" not in msg and msg.startswith(f"{path}: "), msg
    return msg


def _read(*paths):
    import codingkit as ck

    return ck.read_transcripts([str(p) for p in paths])


def test_build_report_refuses_results_not_pseudonymised_inside_a_shared_folder(
        project, private_res, tmp_path):
    from codingkit.report import build_report

    res, copies = _shared_copies(project, tmp_path)
    for out in (res / "privat.html", copies / "privat.docx"):
        msg = _refused_in_python(lambda: build_report(private_res, out), "E808", out)
        assert "the report would quote the texts of" in msg
        assert not out.exists()
    # the command says the same
    r = _run("report", private_res, "--out", res / "privat.html")
    assert r.stderr.strip() == "Error: " + _refused_in_python(
        lambda: build_report(private_res, res / "privat.html"), "E808", res / "privat.html")
    # a pseudonymised run's own report, inside its folder, as before
    build_report(res, res / "egen.html")
    assert not _holds(res, PLANTED)


def test_evaluation_write_refuses_to_quote_originals_inside_a_shared_folder(
        project, private_res, tmp_path):
    import codingkit as ck

    res, copies = _shared_copies(project, tmp_path)
    gold = [project["home"] / "syd_coding.csv", project["home"] / "syd_turns.csv"]
    originals = project["home"] / "intervjuer"
    coded = ck.evaluate(gold, _read_and_code(originals))
    assert PLANTED in coded.disagreements["text"].str.cat()
    from_folder = ck.evaluate(gold, private_res)
    for ev, out in ((coded, res / "agreement"), (coded, copies / "agreement"),
                    (from_folder, res / "agreement")):
        msg = _refused_in_python(lambda: ev.write(out), "E808", out)
        assert "disagreements.csv would quote" in msg
        assert not out.exists()
    assert not _holds(res, PLANTED) and not _holds(copies, PLANTED)
    # the evaluations of the copies and of pseudonymised results write there
    ck.evaluate(gold, _read_and_code(project["copies"])).write(res / "agreement")
    ck.evaluate(gold, project["shared"]).write(res / "agreement2")
    assert not _holds(res, PLANTED)
    # and 'evaluate --cv' of the copies (its result keeps their transcripts)
    r = _run("evaluate", project["copies"], *project["gold"], "--cv", "2", "--no-learn",
             "--rules-only", "--out", res / "cv")
    assert r.exit_code == 0, r.output
    assert not _holds(res, PLANTED)
    # elsewhere, as before
    coded.write(tmp_path / "privat")
    assert PLANTED in (tmp_path / "privat" / "disagreements.csv").read_text(encoding="utf-8")


def test_write_qdpx_and_write_xlsx_refuse_originals_inside_a_shared_folder(
        project, private_res, tmp_path):
    from codingkit.refiqda import export_project, write_qdpx
    from codingkit.writers import write_xlsx

    res, copies = _shared_copies(project, tmp_path)
    result = _read_and_code(project["home"] / "intervjuer")
    for call, out in ((lambda o: write_qdpx(result, o), copies / "granskning.qdpx"),
                      (lambda o: export_project(private_res, o), res / "granskning.qdpx"),
                      (lambda o: write_xlsx(result, o), res / "codingkit2.xlsx")):
        msg = _refused_in_python(lambda: call(out), "E808", out)
        assert "would hold the" in msg and "original transcripts" in msg
        assert not out.exists()
    assert not _holds(res, PLANTED) and not _holds(copies, PLANTED)
    # the command says what export_project says
    out = res / "granskning.qdpx"
    r = _run("export-project", private_res, "--out", out)
    assert r.stderr.strip() == "Error: " + _refused_in_python(
        lambda: export_project(private_res, out), "E808", out)
    # the copies' coding, inside their folder: written
    of_copies = _read_and_code(project["copies"])
    write_qdpx(of_copies, copies / "granskning.qdpx")
    write_xlsx(of_copies, copies / "codingkit.xlsx")
    assert not _holds(copies, PLANTED)
    # apply writes project.qdpx and codingkit.xlsx of a pseudonymised run inside a
    # shared folder, as before
    r = _run("apply", project["home"] / "intervjuer", "--out", res / "omg2", "-q",
             "--rules-only", "--pseudonymize", "--key", tmp_path / "k.json",
             "--format", "qdpx", "--format", "xlsx")
    assert r.exit_code == 0, r.output
    r = _run("apply", project["copies"], "--out", copies / "res", "-q", "--rules-only",
             "--format", "qdpx", "--format", "xlsx")
    assert r.exit_code == 0, r.output
    assert (copies / "res" / "project.qdpx").is_file()
    assert not _holds(res, PLANTED) and not _holds(copies, PLANTED)


def test_review_writers_refuse_turns_of_originals_inside_a_shared_folder(project, tmp_path):
    import codingkit as ck
    from codingkit.refiqda import write_review_project
    from codingkit.suggest import suggest, write_review_sheet

    res, copies = _shared_copies(project, tmp_path)
    coder = ck.Coder(ck.load_codebook()).fit()
    chosen = suggest(_read(project["home"] / "intervjuer"), coder, n=40)
    assert PLANTED in chosen.table["text"].str.cat()
    for write, out in ((write_review_sheet, res / "granska.xlsx"),
                       (write_review_project, copies / "granska.qdpx")):
        msg = _refused_in_python(lambda: write(chosen, out), "E808", out)
        assert "not pseudonymised copies" in msg
        assert not out.exists()
        # the command says the same
        r = _run("suggest", project["home"] / "intervjuer", "--n", "5", "--out", out)
        assert r.stderr.strip() == f"Error: {msg}"
    # turns of the copies: written inside, as by the command
    of_copies = suggest(_read(project["copies"]), coder, n=40)
    write_review_sheet(of_copies, res / "granska.xlsx")
    write_review_project(of_copies, copies / "granska.qdpx")
    assert not _holds(res, PLANTED) and not _holds(copies, PLANTED)
    # elsewhere, as before
    write_review_sheet(chosen, tmp_path / "granska.xlsx")


def test_result_writer_used_directly_checks_as_write_outputs(project, tmp_path):
    import codingkit as ck
    from codingkit.pseudonymize import pseudonymize_for_apply
    from codingkit.writers import ResultWriter, results_folder

    res, copies = _shared_copies(project, tmp_path)
    originals = project["home"] / "intervjuer"
    result = _read_and_code(originals)

    def write(out, result, options=None, **kw):
        with results_folder(out, force=True) as rf:
            with ResultWriter(rf, result.codebook, result.transcripts, **kw) as w:
                w.add(result)
                return w.close(options=options)

    for out in (copies / "res", res / "privat", res):
        msg = _refused_in_python(lambda: write(out, result), "E808", out)
        assert "the results would hold texts that are not pseudonymised" in msg
    assert not (copies / "res").exists() and not (res / "privat").exists()
    assert not _holds(res, PLANTED) and not _holds(copies, PLANTED)
    # the command says the same
    r = _run("apply", originals, "--out", res / "privat", "-q", "--rules-only")
    assert r.stderr.strip() == "Error: " + _refused_in_python(
        lambda: write(res / "privat", result), "E808", res / "privat")
    # copies: recorded as a pseudonymised run, as write_outputs records it
    write(tmp_path / "kopior_res", _read_and_code(project["copies"]))
    manifest = json.loads((tmp_path / "kopior_res" / "manifest.json").read_text("utf-8"))
    assert manifest["options"]["pseudonymized_copies"] is True
    assert all(e["path"] is None for e in manifest["inputs"])
    # copies mixed with an original: E807
    mixed = _read_and_code(project["copies"], originals / "syd" / SOURCES[0])
    from codingkit.pseudonymize import PseudonymError

    with pytest.raises(PseudonymError) as err:
        write(tmp_path / "blandat", mixed)
    assert err.value.code == "E807" and not (tmp_path / "blandat").exists()
    # pseudonymised in memory (the caller says so): written there
    transcripts, options = pseudonymize_for_apply(
        _read(originals), key_path=tmp_path / "k.json", out_dir=res / "omg2")
    pseudo = ck.Coder(ck.load_codebook()).code(transcripts)
    write(res / "omg2", pseudo, pseudonymized=True, options=options)
    assert not _holds(res, PLANTED)
    # originals elsewhere, as before
    write(tmp_path / "privat", result)
    assert _holds(tmp_path / "privat", PLANTED)


# --------------------------------------------------------------------------
# 6. a saved coder and the coding cache (import codingkit)
# --------------------------------------------------------------------------
#
# Coder.save and CodingCache, used from a script, wrote into a shared folder
# a coder learned from the original interviews (its training texts, the
# planted name among them) and the cache of their coding; 'apply
# --save-model' of a pseudonymised run saved there a --model learned from
# originals. Now they refuse as 'apply' does (E808); a coder records at fit
# time whether it learned from pseudonymised texts only.


def _fit(transcripts, project, **kw):
    import warnings

    import codingkit as ck

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ck.CodingkitWarning)  # little human coding
        return ck.Coder(ck.load_codebook()).fit(
            transcripts, [project["home"] / "syd_coding.csv",
                          project["home"] / "syd_turns.csv"], **kw)


def _learned_texts(path) -> str:
    """The texts a saved coder holds (a .ckm is compressed: :func:`_holds`
    does not see them)."""
    import warnings

    import codingkit as ck

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ck.CodingkitWarning)
        coder = ck.Coder.load(path)
    check = coder.topic_check_
    return "\n".join([*getattr(coder, "training_texts_", []),
                      *(getattr(coder.learner_, "neighbour_texts_", None) or []),
                      *(check.else_texts_ if check is not None else [])])


@pytest.fixture(scope="module")
def learned_from_originals(project):
    coder = _fit(_read(project["home"] / "intervjuer"), project)
    assert any(PLANTED in t for t in coder.training_texts_)
    return coder


def test_coder_save_refuses_a_coder_learned_from_originals_inside_a_shared_folder(
        project, learned_from_originals, tmp_path):
    import codingkit as ck
    from codingkit.coding.bundled import bundled_coder
    from codingkit.pseudonymize import pseudonymize_for_apply

    res, copies = _shared_copies(project, tmp_path)
    coder = learned_from_originals
    for out in (copies / "kodare.ckm", res / "kodare.ckm"):
        msg = _refused_in_python(lambda: coder.save(out), "E808", out)
        assert "the saved coder would hold the texts it learned from" in msg
        assert "expected --save-model outside it" in msg
        assert not out.exists()
    # the command says the same
    out = res / "kodare.ckm"
    r = _run("apply", project["home"] / "intervjuer", "--out", tmp_path / "a", "-q",
             "--learn-from", project["home"] / "syd_coding.csv", "--save-model", out)
    assert r.stderr.strip() == "Error: " + _refused_in_python(
        lambda: coder.save(out), "E808", out)
    # elsewhere, as before; loaded again it still says where it learned
    coder.save(tmp_path / "privat.ckm")
    again = ck.Coder.load(tmp_path / "privat.ckm")
    _refused_in_python(lambda: again.save(out), "E808", out)
    # learned from the copies, from texts pseudonymised in memory (the caller
    # says so), the bundled coder (fictional gold interviews) and the codebook
    # alone: saved there
    _fit(_read(copies), project).save(copies / "kodare.ckm")
    transcripts, _ = pseudonymize_for_apply(_read(project["home"] / "intervjuer"),
                                            key_path=tmp_path / "k.json", out_dir=res)
    in_memory = _fit(transcripts, project, pseudonymized=True)
    in_memory.save(res / "kodare.ckm")
    _refused_in_python(lambda: _fit(transcripts, project).save(res / "k2.ckm"), "E808",
                       res / "k2.ckm")
    bundled_coder().save(copies / "bundled.ckm")
    ck.Coder.load(copies / "bundled.ckm").save(res / "bundled.ckm")
    ck.Coder(ck.load_codebook()).fit().save(res / "regler.ckm")
    assert not _holds(res, PLANTED) and not _holds(copies, PLANTED)
    saved = sorted([*res.glob("*.ckm"), *copies.glob("*.ckm")])
    assert len(saved) == 5 and not [f for f in saved if PLANTED in _learned_texts(f)]
    assert PLANTED in _learned_texts(tmp_path / "privat.ckm")


def test_coders_saved_before_record_they_may_hold_originals(learned_from_originals):
    import codingkit as ck
    from codingkit.coding.bundled import bundled_coder

    def old(coder):  # as saved before the record was kept
        state = {k: v for k, v in coder.__getstate__().items() if k != "holds_originals_"}
        c = ck.Coder.__new__(ck.Coder)
        c.__setstate__(state)
        return c

    assert old(learned_from_originals).holds_originals_ is True
    assert old(bundled_coder()).holds_originals_ is False
    assert old(ck.Coder(ck.load_codebook()).fit()).holds_originals_ is False


def test_apply_save_model_keeps_what_the_coder_learned_from(
        project, learned_from_originals, tmp_path):
    res, copies = _shared_copies(project, tmp_path)
    model = tmp_path / "privat.ckm"
    learned_from_originals.save(model)
    # a pseudonymised run saved there a --model learned from originals
    for inputs, extra in ((copies, ()), (project["home"] / "intervjuer",
                                         ("--pseudonymize", "--key", tmp_path / "k.json"))):
        out = copies / "kodare.ckm"
        r = _run("apply", inputs, "--out", tmp_path / "a", "-q", "--model", model,
                 "--save-model", out, *extra)
        assert "the saved coder would hold the texts it learned from" in _refused(
            r, "E808", out)
        assert not out.exists() and not (tmp_path / "a").exists()
    # as before: the bundled coder, and a coder learned from pseudonymised texts
    # (from that coding alone, --rules-only: learning on top of the bundled gold
    # takes 20 s a run and saves in the same way)
    coding = project["home"] / "syd_coding.csv"
    for k, (inputs, extra) in enumerate((
            (copies, ()), (copies, ("--learn-from", coding, "--rules-only")),
            (project["home"] / "intervjuer",
             ("--learn-from", coding, "--rules-only", "--pseudonymize", "--key",
              tmp_path / "k.json")))):
        r = _run("apply", inputs, "--out", tmp_path / f"r{k}", "-q",
                 "--save-model", res / f"kodare{k}.ckm", *extra)
        assert r.exit_code == 0, r.output
    r = _run("apply", copies, "--out", tmp_path / "r3", "-q", "--model", res / "kodare1.ckm",
             "--save-model", copies / "kodare.ckm")
    assert r.exit_code == 0, r.output
    assert not _holds(res, PLANTED) and not _holds(copies, PLANTED)
    saved = sorted([*res.glob("*.ckm"), *copies.glob("*.ckm")])
    assert len(saved) == 4 and not [f for f in saved if PLANTED in _learned_texts(f)]
    assert PLANTED in _learned_texts(model)


def test_coding_cache_refuses_originals_inside_a_shared_folder(project, tmp_path):
    import codingkit as ck
    from codingkit.run import CodingCache, code_parts

    res, copies = _shared_copies(project, tmp_path)
    coder = ck.Coder(ck.load_codebook()).fit()
    originals = _read(project["home"] / "intervjuer")

    def code(cache, transcripts=originals):
        return list(code_parts(coder, transcripts, cache=cache))

    for folder in (copies / "cache", res / "cache"):
        msg = _refused_in_python(lambda: code(CodingCache(folder, coder)), "E808", folder)
        assert "the cache would hold the original texts" in msg
        assert "expected --cache outside it" in msg
        _refused_in_python(lambda: CodingCache(folder, coder, pseudonymized=False), "E808",
                           folder)
        assert not folder.exists()
    # the command says the same
    out = copies / "cache"
    r = _run("apply", project["home"] / "intervjuer", "--out", tmp_path / "a", "-q",
             "--rules-only", "--cache", out)
    assert r.stderr.strip() == "Error: " + _refused_in_python(
        lambda: code(CodingCache(out, coder)), "E808", out)
    # a file's coding put by hand: refused too
    part = code(None)[0]
    cache = CodingCache(res / "cache", coder)
    _refused_in_python(lambda: cache.put(originals[:1], part.segment_list, part.coding_list),
                       "E808", res / "cache")
    assert not _holds(res, PLANTED) and not _holds(copies, PLANTED)
    # the copies, and texts pseudonymised in memory (the caller says so): kept there
    code(CodingCache(copies / "cache", coder), _read(copies))
    assert len(list((copies / "cache").glob("*.json.gz"))) == len(SOURCES)
    from codingkit.pseudonymize import pseudonymize_for_apply

    transcripts, _ = pseudonymize_for_apply(originals, key_path=tmp_path / "k.json",
                                            out_dir=res)
    code(CodingCache(res / "cache", coder, pseudonymized=True), transcripts)
    assert len(list((res / "cache").glob("*.json.gz"))) == len(SOURCES)
    assert not _holds(res, PLANTED) and not _holds(copies, PLANTED)
    # elsewhere, as before
    cache = CodingCache(tmp_path / "privat", coder)
    code(cache)
    assert cache.misses == len(SOURCES)
