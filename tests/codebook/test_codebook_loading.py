"""Loading YAML codebooks into the data model, and writing them back."""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from codingkit.codebook import (
    DEFAULT_WITHIN,
    codebook_from_dict,
    default_codebook_path,
    dump_codebook,
    load_codebook,
)
from codingkit.model import Codebook, Rule

DATA = Path(__file__).parent / "data"


def _without_positions(cb: Codebook) -> dict:
    """The codebook's content, ignoring line numbers, path and hash."""

    def rule(r: Rule) -> Rule:
        return dataclasses.replace(r, line=None, unless=tuple(rule(u) for u in r.unless))

    codes = {
        cid: dataclasses.replace(c, line=None, rules=tuple(rule(r) for r in c.rules),
                                 exclusions=tuple(rule(r) for r in c.exclusions))
        for cid, c in cb.codes.items()
    }
    return {"id": cb.id, "version": cb.version, "title": cb.title,
            "language": cb.language, "description": cb.description,
            "codes": codes, "order": list(cb.codes)}


def test_flat_codebook_builds_model_objects():
    cb = load_codebook(DATA / "flat.yaml")
    assert cb.id == "liten_kodbok"
    assert cb.version == "0.3"
    assert cb.title == "Liten kodbok för tester"
    assert cb.path == DATA / "flat.yaml"
    assert cb.sha256 == hashlib.sha256((DATA / "flat.yaml").read_bytes()).hexdigest()
    # parents before children; the flat sub-code follows its parent
    assert list(cb.codes) == ["tidig_dialog", "tidig_dialog.rfi", "risk", "risk.overprovning"]
    assert cb["tidig_dialog.rfi"].parent == "tidig_dialog"
    assert cb["risk.overprovning"].parent == "risk"
    assert cb.theme_of("risk.overprovning") == "risk"
    assert [c.id for c in cb.themes] == ["tidig_dialog", "risk"]
    assert cb["risk"].codable is False
    td = cb["tidig_dialog"]
    assert td.line == 11
    assert cb["risk.overprovning"].line == 7
    assert td.scope == ("respondent", "interviewer")
    assert td.threshold == 0.4
    assert td.color == "#1F77B4"
    assert td.examples == ("Vi bjöd in leverantörerna till en träff innan vi skrev underlaget.",)
    assert td.negative_examples == ("Vi hade en bra dialog med kollegorna.",)
    assert cb["tidig_dialog.rfi"].scope == ("respondent",)


def test_rule_forms_follow_the_spec():
    rules = load_codebook(DATA / "flat.yaml")["tidig_dialog"].rules
    term, phrase, dialog, hora, regex, near, near3, fuzzy = rules
    assert (term.kind, term.pattern, term.line) == ("term", "marknadsdialog", 18)
    assert (phrase.kind, phrase.pattern, phrase.gap) == ("phrase", "bjuda in leverantör*", 0)
    assert dialog.kind == "term" and dialog.compound is False
    assert [u.describe() for u in dialog.unless] == ["term(kollega*)", "term(medarbetare)"]
    assert dialog.unless[0].line == 22
    assert (hora.kind, hora.gap, hora.weight) == ("phrase", 2, 0.8)
    assert (regex.kind, regex.pattern) == ("regex", r"\bRFI\b")
    assert near.groups == (("träff*", "möte*"), ("leverantör*", "företag*"))
    assert near.within == 8
    assert near3.groups == (("bjöd*",), ("in",), ("leverantör*", "företag*"))
    assert fuzzy.fuzzy == 85 and fuzzy.kind == "term"
    excl = load_codebook(DATA / "flat.yaml")["tidig_dialog"].exclusions
    assert [r.describe() for r in excl] == ["term(julklapp*)"]


def test_codebook_from_dict_without_header_and_with_defaults():
    cb = codebook_from_dict({"codes": [
        {"id": "risk", "label": "Risk", "rules": ["LOU", "rädd att göra fel",
                                                  {"near": "risk*", "with": "dela*"}]},
    ]}, path="kod.yaml")
    assert cb.id == "kod" and cb.version == "1" and cb.language == "sv"
    r = cb["risk"].rules
    assert [x.kind for x in r] == ["term", "phrase", "near"]
    assert r[2].within == DEFAULT_WITHIN
    assert r[2].groups == (("risk*",), ("dela*",))
    assert r[0].line is None


def test_text_is_nfc_normalised():
    decomposed = "o\u0308verpro\u0308vning"   # "överprövning" written with combining marks
    cb = codebook_from_dict({"codes": [{"id": "risk", "label": "Risk och regelverk",
                                        "rules": [decomposed]}]})
    assert cb["risk"].rules[0].pattern == "överprövning"


def test_dump_round_trip_flat(tmp_path):
    cb = load_codebook(DATA / "flat.yaml")
    text = dump_codebook(cb)
    out = tmp_path / "ut.yaml"
    out.write_text(text, encoding="utf-8")
    again = load_codebook(out)
    assert _without_positions(again) == _without_positions(cb)


def test_dump_round_trip_default_codebook(tmp_path):
    cb = load_codebook()
    out = tmp_path / "default.yaml"
    out.write_text(dump_codebook(cb), encoding="utf-8")
    assert _without_positions(load_codebook(out)) == _without_positions(cb)


_word = st.text(alphabet="abcdefghijklmnopqrstuvwxyzåäö", min_size=1, max_size=10)
_text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")),
                min_size=1, max_size=40).map(str.strip).filter(bool)


@settings(max_examples=40, deadline=None)
@given(label=_text, desc=st.text(max_size=60), words=st.lists(_word, min_size=1, max_size=4),
       example=_text, within=st.integers(1, 50), weight=st.floats(0, 1))
def test_dump_round_trip_any_content(label, desc, words, example, within, weight):
    data = {"codebook": {"id": "prov", "version": "2"},
            "codes": [{"id": "kod_a", "label": label, "description": desc,
                       "rules": [" ".join(words),
                                 {"near": words, "with": ["leverantör*"], "within": within,
                                  "weight": weight}],
                       "examples": [example]}]}
    cb = codebook_from_dict(data)
    again = codebook_from_dict(yaml.safe_load(dump_codebook(cb)))
    assert _without_positions(again) == _without_positions(cb)


def test_load_codebook_none_is_the_default():
    assert load_codebook(None).path == default_codebook_path()
    assert default_codebook_path().name == "innovationsupphandling.yaml"
    assert default_codebook_path().is_file()


def test_repo_symlink_points_at_package_data():
    link = Path(__file__).resolve().parents[2] / "codebooks" / "innovationsupphandling.yaml"
    assert link.read_bytes() == default_codebook_path().read_bytes()


def test_qdc_path_goes_through_refiqda(tmp_path):
    from codingkit.refiqda import write_qdc

    cb = load_codebook(DATA / "flat.yaml")
    qdc = tmp_path / "kodbok.qdc"
    write_qdc(cb, qdc)
    again = load_codebook(qdc)
    assert list(again.codes) == list(cb.codes)
    assert again["risk.overprovning"].parent == "risk"
    assert again["tidig_dialog"].label == "Tidig marknadsdialog"


def test_dump_accepts_numpy_numbers_from_tuning(tmp_path):
    import numpy as np

    cb = load_codebook(DATA / "flat.yaml")
    cb.codes["tidig_dialog"].threshold = np.float64(0.4375)
    out = tmp_path / "tuned.yaml"
    out.write_text(dump_codebook(cb), encoding="utf-8")
    assert load_codebook(out)["tidig_dialog"].threshold == 0.4375
