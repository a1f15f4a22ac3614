"""The package's shape: no import cycles, one meaning per error code, and
the extension points of docs/extending.md used the way it shows."""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "codingkit"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _type_checking_lines(tree: ast.AST) -> set[int]:
    """Lines inside ``if TYPE_CHECKING:`` blocks (imports for annotations only)."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def import_graph() -> dict[str, set[str]]:
    """Module → the package's modules it imports, anywhere in its code
    (function-level imports included, ``TYPE_CHECKING`` blocks and
    ``importlib`` look-ups by a name in a string included as well)."""
    paths = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = defaultdict(set)
    for name, path in paths.items():
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source)
        skip = _type_checking_lines(tree)
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(tree):
            if getattr(node, "lineno", None) in skip:
                continue
            targets: list[str] = []
            if isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join(up + ([node.module] if node.module else []))
                targets = [base] + [f"{base}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif (isinstance(node, ast.Call) and isinstance(node.func, (ast.Attribute, ast.Name))
                  and ast.unparse(node.func).endswith(("import_module", "find_spec"))
                  and node.args and isinstance(node.args[0], ast.Constant)):
                targets = [str(node.args[0].value)]
            for t in targets:
                if t in paths and t != name:
                    graph[name].add(t)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_the_package_has_no_import_cycles():
    graph = import_graph()
    assert graph["codingkit.coding.coder"], "the graph found no imports: the test is broken"
    assert cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
def test_no_error_code_means_two_things():
    """Each code (E101, …) is raised for one kind of problem: one exception
    class and one documented meaning (errors.ERROR_CODES)."""
    from codingkit.errors import ERROR_CODES

    used: dict[str, set[str]] = defaultdict(set)
    pattern = re.compile(r"""code\s*=\s*["'](E\d{3})["']""")
    for path in PACKAGE.rglob("*.py"):
        for m in pattern.finditer(path.read_text(encoding="utf-8")):
            used[m.group(1)].add(str(path.relative_to(PACKAGE)))
    for code in re.findall(r'default_code = "(E\d{3})"',
                           (PACKAGE / "errors.py").read_text(encoding="utf-8")):
        used[code].add("errors.py")
    undocumented = sorted(set(used) - set(ERROR_CODES))
    assert not undocumented, f"codes raised but not in errors.ERROR_CODES: {undocumented}"
    assert len(set(ERROR_CODES.values())) == len(ERROR_CODES), "two codes share a meaning"


def test_a_new_reader_and_output_format_each_touch_one_place(tmp_path, monkeypatch):
    """The extension points of docs/extending.md: a reader registered for a
    suffix is used when a folder is read; a writer registered for a format
    is written, owned by the results folder and listed in manifest.json."""
    import json

    import codingkit as ck
    from codingkit import readers, writers
    from codingkit.model import Transcript, Turn

    def read_tsv(path, source, *, metadata, **_):
        lines = path.read_text(encoding="utf-8").splitlines()
        text, turns, pos = "", [], 0
        for n, line in enumerate(lines, 1):
            speaker, said = line.split("\t")
            turns.append(Turn(n, pos, pos + len(said), speaker=speaker, line=n))
            text += said + "\n"
            pos = len(text)
        return [Transcript(source=source, text=text, turns=turns, metadata=dict(metadata),
                           format="tsv", path=path)]

    monkeypatch.setitem(readers.READERS, "tsv", read_tsv)
    monkeypatch.setitem(readers.SUFFIXES, ".tsv", "tsv")
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.tsv").write_text(
        "I\tHur började ni?\nIP\tVi bjöd in leverantörerna till en träff innan vi skrev "
        "underlaget.\n", encoding="utf-8")
    transcripts = ck.read_transcripts(tmp_path / "in")
    assert [t.source for t in transcripts] == ["a.tsv"]
    assert [turn.speaker for turn in transcripts[0].turns] == ["I", "IP"]

    def write_jsonl(result, folder, *, by, csv_raw):
        with open(folder / "codings.jsonl", "w", encoding="utf-8") as f:
            for c in result.coding_list:
                f.write(json.dumps({"segment_id": c.segment_id, "code": c.code}) + "\n")
        return ["codings.jsonl"]

    monkeypatch.setitem(writers.WRITERS, "jsonl", writers.Writer(("codings.jsonl",), write_jsonl))
    result = ck.Coder(similarity="none").code(transcripts)
    written = ck.write_outputs(result, tmp_path / "out", formats=["csv", "jsonl"])
    assert "codings.jsonl" in writers.owned_files()
    assert [p.name for p in written][-2:] == ["codings.jsonl", "manifest.json"]
    rows = (tmp_path / "out" / "codings.jsonl").read_text(encoding="utf-8").splitlines()
    assert json.loads(rows[0]) == {"segment_id": "a.tsv:2", "code": "tidig_dialog"}


DOCS = PACKAGE.parents[1] / "docs"


def _doc_example(section: str) -> str:
    """The first Python block of a section of docs/extending.md."""
    text = (DOCS / "extending.md").read_text(encoding="utf-8")
    body = text.split(f"## {section}\n", 1)[1].split("\n## ", 1)[0]
    return body.split("```python\n", 1)[1].split("```", 1)[0]


@pytest.fixture
def all_of_kind():
    """The ``all_of:`` rule kind of docs/extending.md, registered as shown
    there, and unregistered afterwards."""
    from codingkit.rulekinds import RULE_KINDS, unregister_rule_kind

    assert "all_of" not in RULE_KINDS
    try:
        exec(compile(_doc_example("A rule kind"), "docs/extending.md", "exec"), {})
        yield RULE_KINDS["all_of"]
    finally:
        unregister_rule_kind("all_of")


ALL_OF_CODEBOOK = """\
codebook: {id: demo, version: "1"}
codes:
  - id: innovation
    label: Innovation
    rules:
      - all_of: [upphandling, innovation*]
  - id: risk
    label: Risk
    rules:
      - all_of: [risk*, leverantör]
        compound: false
"""


def test_a_new_rule_kind_touches_one_place(tmp_path, all_of_kind):
    """A rule kind registered as docs/extending.md shows is read from the
    codebook, codes a transcript with its evidence, and is written back."""
    from dataclasses import replace

    import codingkit as ck
    from codingkit.codebook import dump_codebook, load_codebook

    (tmp_path / "kodbok.yaml").write_text(ALL_OF_CODEBOOK, encoding="utf-8")
    cb = load_codebook(tmp_path / "kodbok.yaml")
    assert [r.describe() for r in cb["innovation"].rules] == ["all_of(upphandling, innovation*)"]
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(
        "I: Hur gick upphandlingen?\n"
        "IP: Upphandlingen var svår, men vi fick in flera innovationer till slut.\n"
        "I: Och riskerna?\n"
        "IP: Riskerna låg hos leverantörerna, inte hos en enda leverantör.\n"
        "I: Något mer?\n"
        "IP: Innovationen var bra.\n", encoding="utf-8")
    result = ck.Coder(cb, similarity="none").code(ck.read_transcripts(tmp_path / "in"))
    assert [(c.segment_id, c.code, c.evidence) for c in result.coding_list] == [
        ("a.txt:2", "innovation",
         "rule: all_of(upphandling, innovation*) → 'Upphandlingen … innovationer'"),
        ("a.txt:4", "risk", "rule: all_of(risk*, leverantör) → 'Riskerna … leverantörerna'"),
    ]
    (tmp_path / "igen.yaml").write_text(dump_codebook(cb), encoding="utf-8")
    assert "- all_of: [upphandling, innovation*]" in dump_codebook(cb)
    again = load_codebook(tmp_path / "igen.yaml")

    def unlined(book):
        return [[replace(r, line=None) for r in c.rules] for c in book]

    assert unlined(again) == unlined(cb)


def test_a_rule_kind_is_checked_like_the_built_in_ones(tmp_path, all_of_kind):
    from codingkit.codebook import validate_codebook

    path = tmp_path / "kodbok.yaml"
    path.write_text("codes:\n  - id: a\n    label: A\n    rules:\n"
                    "      - all_of: []\n"
                    "      - all_of: [ett ord]\n"
                    "      - all_of: [a]\n        gap: 1\n"
                    "      - all_off: [a]\n"
                    "      - {}\n", encoding="utf-8")
    assert validate_codebook(path) == [
        (5, "code 'a': rules[0].all_of: all_of: needs at least one word"),
        (6, ("code 'a': rules[1].all_of: word 'ett ord' is not one word (letters, digits, -, *, "
             "?, [...]); write several words as a phrase, or use regex:")),
        (7, "code 'a': rules[2]: gap: does not apply to a all_of: rule"),
        (9, "code 'a': rules[3]: unknown key 'all_off' (did you mean 'all_of'?)"),
        (10, ("code 'a': rules[4]: a rule needs exactly one of term:, phrase:, regex:, near:, "
              "all_of: (found none)")),
    ]


def test_an_unknown_rule_kind_names_the_file_and_line(tmp_path):
    from codingkit.codebook import load_codebook
    from codingkit.errors import CodebookError

    path = tmp_path / "kodbok.yaml"
    path.write_text(ALL_OF_CODEBOOK, encoding="utf-8")
    with pytest.raises(CodebookError) as info:
        load_codebook(path)
    assert info.value.code == "E203"
    assert info.value.problems == [(6, "code 'innovation': rules[0]: unknown key 'all_of'"),
                                   (10, "code 'risk': rules[0]: unknown key 'all_of'")]
    assert str(info.value).startswith(
        f"{path}: 2 problems: line 6: code 'innovation': rules[0]: unknown key 'all_of'")


def test_the_documented_rule_kinds_are_the_registered_ones():
    from codingkit.rulekinds import RULE_KINDS

    listed = "with exactly one of `term:`, `phrase:`, `regex:`, `near:`"
    assert listed in (DOCS / "codebook.md").read_text(encoding="utf-8")
    assert ", ".join(f"`{k}:`" for k in RULE_KINDS) in listed
