"""Every problem of a codebook is reported, together, with its line."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest

from codingkit.codebook import codebook_from_dict, load_codebook, validate_codebook
from codingkit.errors import CodebookError

DATA = Path(__file__).parent / "data"


def _write(tmp_path: Path, text: str, name: str = "kodbok.yaml") -> Path:
    p = tmp_path / name
    p.write_text(dedent(text).lstrip("\n"), encoding="utf-8")
    return p


def _problems(tmp_path: Path, text: str) -> list[tuple[int | None, str]]:
    p = _write(tmp_path, text)
    with pytest.raises(CodebookError) as info:
        load_codebook(p)
    assert info.value.code == "E203"
    return info.value.problems


def test_several_errors_reported_together_with_lines():
    p = DATA / "many_errors.yaml"
    with pytest.raises(CodebookError) as info:
        load_codebook(p)
    err = info.value
    lines = [ln for ln, _ in err.problems]
    assert lines == [7, 9, 12, 13, 16, 19]
    text = str(err)
    assert text.startswith(f"{p}: 6 problems: line 7: code 'tidig_dialog': unknown key 'colour'")
    assert "\n" not in text and text.endswith("[E203]")
    assert "did you mean 'color'?" in text
    assert "line 9: code 'tidig_dialog': rules[0].regex: bad regular expression '(oavslutad'" in text
    assert "line 12: code 'tidig_dialog': rules[1].within: 500 is out of range" in text
    assert "line 13: duplicate code id 'tidig_dialog' (first on line 5)" in text
    assert "line 16: code 'behov': label: label is empty" in text
    assert "line 19: code 'resurser': parent: 'pengar' is not a code in this codebook" in text
    assert validate_codebook(p) == err.problems


def test_malformed_yaml_names_the_line(tmp_path):
    p = _write(tmp_path, """
        codes:
          - id: behov
            label: [Behov
          - id: risk
        """)
    with pytest.raises(CodebookError) as info:
        load_codebook(p)
    assert info.value.code == "E202"
    # the line of the unclosed bracket, not the next one where PyYAML noticed it
    assert info.value.line == 3
    assert info.value.problems == [(3, info.value.message)]
    assert str(info.value).startswith(f"{p}, line 3: malformed YAML: ")
    assert "noticed on line 4" in str(info.value)


def test_bad_indentation_is_malformed_yaml(tmp_path):
    p = _write(tmp_path, "codes:\n  - id: a\n    label: A\n   rules: [x]\n")
    problems = validate_codebook(p)
    assert len(problems) == 1 and problems[0][0] == 4
    assert problems[0][1].startswith("malformed YAML")


@pytest.mark.parametrize("text, line, hint", [
    ("codes:\n  - id: a\n    label: A\n   rules: [x]\n", 4,
     "this line's indentation does not match the lines above it"),
    ("codes:\n\t- id: a\n", 2, "indent with spaces, not tabs"),
    ("codes:\n  - id: a\n    label: Behov: nya\n", 3,
     "a ': ' inside a value (put the whole value in quotes)"),
    ('codes:\n  - id: a\n    label: "Behov\n  - id: b\n', 3,
     "the quote that opens on this line is never closed"),
])
def test_malformed_yaml_says_what_it_means(tmp_path, text, line, hint):
    """PyYAML's words are kept, and what they mean is said after them."""
    p = tmp_path / "kodbok.yaml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(CodebookError) as info:
        load_codebook(p)
    assert info.value.code == "E202" and info.value.line == line
    first, _, said = str(info.value).partition("; ")
    assert first.startswith(f"{p}, line {line}: malformed YAML: ")
    assert said.startswith(hint) and "\n" not in str(info.value)


def test_missing_file_names_the_file(tmp_path):
    p = tmp_path / "finns_inte.yaml"
    with pytest.raises(CodebookError) as info:
        load_codebook(p)
    assert info.value.code == "E201"
    assert str(info.value) == f"{p}: codebook file not found [E201]"
    assert validate_codebook(p) == [(None, "codebook file not found")]


def test_unknown_suffix(tmp_path):
    p = _write(tmp_path, "codes: []", name="kodbok.txt")
    with pytest.raises(CodebookError, match=r"unknown codebook format '.txt'") as info:
        load_codebook(p)
    assert info.value.code == "E204"


def test_empty_file(tmp_path):
    p = _write(tmp_path, "# bara en kommentar\n")
    with pytest.raises(CodebookError, match="the codebook is empty"):
        load_codebook(p)


def test_not_a_mapping(tmp_path):
    assert _problems(tmp_path, "- behov\n- risk\n") == [
        (1, "expected a mapping with codebook: and codes:, found a list")]


def test_missing_and_empty_codes(tmp_path):
    assert _problems(tmp_path, """
        codebook:
          id: x
          version: "1"
        """) == [(1, "missing required key 'codes'")]
    assert _problems(tmp_path, "codes: []\n") == [
        (1, "codes: is empty; a codebook needs at least one code")]


def test_unknown_key_with_suggestion(tmp_path):
    assert _problems(tmp_path, """
        codes:
          - id: behov
            label: Behov
            rules:
              - term: behovsanalys
                compund: false
        """) == [(6, "code 'behov': rules[0]: unknown key 'compund' (did you mean 'compound'?)")]


def test_unknown_top_level_and_header_keys(tmp_path):
    problems = _problems(tmp_path, """
        codebook:
          id: x
          versio: "1"
        kodar: []
        codes:
          - id: a
            label: A
        """)
    assert problems == [
        (1, "codebook: missing required key 'version'"),
        (3, "codebook: unknown key 'versio' (did you mean 'version'?)"),
        (4, "unknown key 'kodar'"),
    ]


def test_missing_and_empty_id_and_label(tmp_path):
    problems = _problems(tmp_path, """
        codes:
          - label: Utan id
          - id: ""
            label: Tomt id
          - id: utan_etikett
          - id: tom_etikett
            label: "  "
        """)
    assert problems == [
        (2, "codes[0]: missing required key 'id'"),
        (3, "codes[1].id: id is empty"),
        (5, "code 'utan_etikett': missing required key 'label'"),
        (7, "code 'tom_etikett': label: label is empty"),
    ]


@pytest.mark.parametrize("bad", ["Behov", "1behov", "tidig-dialog", "behöv", "a..b", "a."])
def test_bad_id_syntax(tmp_path, bad):
    problems = _problems(tmp_path, f"codes:\n  - id: '{bad}'\n    label: X\n")
    assert len(problems) == 1
    line, msg = problems[0]
    assert line == 2 and f"bad code id {bad!r}" in msg


def test_dotted_sub_code_ids_are_valid():
    cb = codebook_from_dict({"codes": [{"id": "tidig_dialog", "label": "T", "codes": [
        {"id": "tidig_dialog.rfi_2", "label": "RFI"}]}]})
    assert cb["tidig_dialog.rfi_2"].parent == "tidig_dialog"


def test_duplicate_id_also_across_levels(tmp_path):
    assert _problems(tmp_path, """
        codes:
          - id: behov
            label: Behov
            codes:
              - id: risk
                label: Risk
          - id: risk
            label: Risk igen
        """) == [(7, "duplicate code id 'risk' (first on line 5)")]


def test_duplicate_yaml_key(tmp_path):
    assert _problems(tmp_path, """
        codes:
          - id: behov
            label: Behov
            label: Behov igen
        """) == [(4, "duplicate key 'label' (first on line 3)")]


def test_bad_colour_and_scope(tmp_path):
    assert _problems(tmp_path, """
        codes:
          - id: behov
            label: Behov
            color: "#12345"
            scope: [respondent, moderator]
        """) == [
        (4, "code 'behov': color: bad colour '#12345': expected #RRGGBB, e.g. \"#1f77b4\""),
        (5, "code 'behov': scope[1]: 'moderator' is not allowed, "
            "expected 'respondent' or 'interviewer'"),
    ]


def test_bad_regex_in_rule_and_in_unless(tmp_path):
    problems = _problems(tmp_path, r"""
        codes:
          - id: risk
            label: Risk
            rules:
              - regex: '\bLOU[\b'
              - term: risk
                unless:
                  - regex: 'a{3,1}'
        """)
    assert [ln for ln, _ in problems] == [5, 8]
    assert "rules[0].regex: bad regular expression" in problems[0][1]
    assert "rules[1].unless[0].regex: bad regular expression" in problems[1][1]


@pytest.mark.parametrize("key,value,expect", [
    ("within", 0, "0 is out of range, expected ≥ 1 (words, 1–50)"),
    ("within", 51, "51 is out of range, expected ≤ 50 (words, 1–50)"),
    ("weight", 1.5, "1.5 is out of range, expected ≤ 1.0 (a score, 0–1)"),
])
def test_near_values_out_of_range(tmp_path, key, value, expect):
    rule = {"within": 5, "weight": 1.0}
    rule[key] = value
    problems = _problems(tmp_path, f"""
        codes:
          - id: tidig_dialog
            label: T
            rules:
              - near: [träff*]
                with: [leverantör*]
                within: {rule['within']}
                weight: {rule['weight']}
        """)
    line = 7 if key == "within" else 8
    assert problems == [(line, f"code 'tidig_dialog': rules[0].{key}: {expect}")]


def test_gap_fuzzy_threshold_out_of_range(tmp_path):
    problems = _problems(tmp_path, """
        codes:
          - id: behov
            label: Behov
            threshold: -0.1
            rules:
              - phrase: vad personalen behövde
                gap: 11
              - term: upphandling
                fuzzy: 101
        """)
    assert [ln for ln, _ in problems] == [4, 7, 9]
    assert "threshold: -0.1 is out of range, expected ≥ 0.0" in problems[0][1]
    assert "gap: 11 is out of range, expected ≤ 10" in problems[1][1]
    assert "fuzzy: 101 is out of range, expected ≤ 100" in problems[2][1]


def test_rule_shape_problems(tmp_path):
    problems = _problems(tmp_path, """
        codes:
          - id: behov
            label: Behov
            rules:
              - term: behov
                phrase: vad de behöver
              - {compound: false}
              - term: två ord
              - term: dialog
                gap: 1
              - near: [träff*]
              - ""
              - 42
        """)
    msgs = dict(problems)
    assert set(msgs) == {5, 7, 8, 9, 11, 12}
    assert "exactly one of term:, phrase:, regex:, near: (found term, phrase)" in msgs[5]
    assert "(found none)" in msgs[7]
    assert "term 'två ord' is not one word" in msgs[8]
    assert "gap: does not apply to a term: rule" in msgs[9]
    assert "a near: rule needs with:" in msgs[11]
    assert "phrase is empty" in msgs[12]
    # YAML reads 42 as a number; as a rule it means the word "42"
    assert 13 not in msgs


def test_version_must_be_quoted(tmp_path):
    assert _problems(tmp_path, """
        codebook:
          id: x
          version: 1.10
        codes:
          - id: a
            label: A
        """) == [(3, 'codebook.version: version must be text; quote it: version: "1.1"')]


def test_dangling_parent_with_hint(tmp_path):
    assert _problems(tmp_path, """
        codes:
          - id: tidig_dialog
            label: T
          - id: rfi
            label: RFI
            parent: tidig_dialg
        """) == [(6, "code 'rfi': parent: 'tidig_dialg' is not a code in this codebook "
                     "(did you mean 'tidig_dialog'?)")]


def test_parent_cycle_and_self_parent(tmp_path):
    problems = _problems(tmp_path, """
        codes:
          - id: a
            label: A
            parent: b
          - id: b
            label: B
            parent: a
          - id: c
            label: C
            parent: c
        """)
    assert problems == [
        (4, "parent references form a cycle: a → b → a"),
        (10, "parent references form a cycle: c → c"),
    ]


def test_parent_contradicting_nesting(tmp_path):
    problems = _problems(tmp_path, """
        codes:
          - id: a
            label: A
          - id: b
            label: B
            codes:
              - id: b.x
                label: X
                parent: a
        """)
    assert problems == [(9, "code 'b.x': parent: 'a' contradicts its place under code 'b'")]


def test_codebook_from_dict_reports_without_lines():
    with pytest.raises(CodebookError) as info:
        codebook_from_dict({"codes": [{"id": "a"}, {"id": "a", "label": "A"}]})
    assert info.value.problems == [
        (None, "code 'a': missing required key 'label'"),
        (None, "duplicate code id 'a'"),
    ]


def test_not_utf8(tmp_path):
    p = tmp_path / "latin1.yaml"
    p.write_bytes("codes:\n  - id: a\n    label: Förankring\n".encode("latin-1"))
    with pytest.raises(CodebookError, match="not UTF-8") as info:
        load_codebook(p)
    assert info.value.line == 3


def test_a_lone_surrogate_escape_is_refused_with_its_line(tmp_path):
    """ "\\uD800" in a double-quoted label: validate said OK, and apply then
    failed writing its tables with an encoding error naming no file."""
    problems = _problems(tmp_path, r'''
        codebook:
          id: s
          version: "1"
        codes:
          - id: a
            label: "Tema \uD800 x"
            rules: [leverantörsträff]
        ''')
    assert [line for line, _ in problems] == [6]
    assert "half of a UTF-16 character pair" in problems[0][1]
    # the character itself, escaped or written, is fine
    p = _write(tmp_path, r'''
        codebook: {id: s, version: "1"}
        codes:
          - {id: a, label: "Tema \u00e5 \U0001F600 å", rules: [leverantörsträff]}
        ''', "ok.yaml")
    assert load_codebook(p).codes["a"].label == "Tema å \U0001F600 å"
