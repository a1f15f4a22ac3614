"""The report's provenance in words, without the user's paths (HTML and Word).

manifest.json keeps the options as data (a versioned contract, with the
absolute paths of the run); the report, which is handed to funders, shows
them in the report's language and every path as a file name, or relative to
the results folder."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

from docx import Document

from codingkit.coding.bundled import bundled_info

#: the gold interviews the coder bundled with the default codebook learned from
N_GOLD = bundled_info()["learned_from"]["interviews"]


ROOT = Path(__file__).resolve().parents[2]
HOME = "/home/anna"
CODEBOOK = f"{HOME}/.venv/lib/python3.11/site-packages/codingkit/codebooks/innovationsupphandling.yaml"


class _Text(HTMLParser):
    """The text a reader sees (no tags, no style or script)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("style", "script")

    def handle_endtag(self, tag):
        self._skip -= tag in ("style", "script")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def html_text(page: str) -> str:
    parser = _Text()
    parser.feed(page)
    return "\n".join(parser.parts)


def home_results(copy_results) -> Path:
    """The sample results as a run in Anna's home folder would have left them:
    the codebook in her virtualenv, learning from her files, a cache, a model."""
    res = copy_results(agreement=True)
    m = json.loads((res / "manifest.json").read_text(encoding="utf-8"))
    m["codebook"]["path"] = CODEBOOK
    m["options"].update({
        "manifest": f"{HOME}/projekt/manifest.csv",
        "learn_from": [f"{HOME}/projekt/kodning_omg1.xlsx"],
        "save_model": f"{HOME}/projekt/kodare.ckm",
        "cache": f"{HOME}/.cache/codingkit",
        "cached_files": 3,
        "learned_from": {"files": [{"path": f"{HOME}/projekt/kodning_omg1.xlsx",
                                    "sha256": "0" * 64}],
                         "transcripts": [], "turns": 120, "weight": 3.0,
                         "on_top_of": m["options"]["coder"]},
    })
    (res / "manifest.json").write_text(json.dumps(m, ensure_ascii=False, indent=2),
                                       encoding="utf-8")
    return res


def check_provenance(text: str, res: Path) -> None:
    """What the provenance must and must not say (Swedish)."""
    for path in (HOME, str(res.parent), str(ROOT)):
        assert path not in text, path
    for raw in ("{'", "['", "False", "True", "None", "'kind'"):
        assert raw not in text, raw
    assert "innovationsupphandling.yaml" in text  # the codebook by its file name
    for label, value in (("Kodare", f"inlärd kodare ({N_GOLD} guldintervjuer), "
                                    "coder-innovationsupphandling.ckm"),
                         ("Frekvenser per", "projekt, omgång"),
                         ("Intervjuarens turer kodas", "nej"),
                         ("Rimlighetskontroll", "ja"),
                         ("Kodningsenhet", "talartur"),
                         ("Metadatafil", "manifest.csv"),
                         ("Mänsklig kodning att lära av", "kodning_omg1.xlsx"),
                         ("Cachemapp", "codingkit"),
                         ("Lärt av", "120 segment kodade för hand (kodning_omg1.xlsx), utöver "
                                     f"inlärd kodare ({N_GOLD} guldintervjuer)")):
        assert re.search(rf"{re.escape(label)}(:)?\s+{re.escape(value)}", text), (label, value)
    # no option key of manifest.json is shown as its English key
    for key in ("code_interviewer", "sense_check", "rules_only", "learned_from", "csv_raw"):
        assert key not in text, key


def check_inputs(text: str, res: Path) -> None:
    """Every transcript of manifest.json, with its format and sha256 (the
    first 12 characters), and the date and version of the run."""
    m = json.loads((res / "manifest.json").read_text(encoding="utf-8"))
    assert m["inputs"]
    for entry in m["inputs"]:
        assert re.search(rf"{re.escape(entry['source'])}\s+{entry['format']}\s+"
                         rf"{entry['sha256'][:12]}", text), entry["source"]
    assert re.search(rf"Transkript \({len(m['inputs'])}\)", text)
    assert re.search(rf"Kodat:?\s+{re.escape(m['created'])}", text)
    assert re.search(rf"codingkit-version:?\s+{re.escape(m['codingkit_version'])}", text)
    assert f"{m['codebook']['id']} {m['codebook']['version']} · sha256 " \
           f"{m['codebook']['sha256'][:12]}" in text


def test_html_provenance_in_words_without_paths(copy_results, tmp_path, run):
    res = home_results(copy_results)
    manifest = (res / "manifest.json").read_bytes()
    out = tmp_path / "rapport.html"
    r = run("report", res, "--out", out)
    assert r.exit_code == 0, r.output
    text = html_text(out.read_text(encoding="utf-8"))
    check_provenance(text, res)
    check_inputs(text, res)
    assert "Resultatmapp\nres" in text and "från res." in text
    assert "Källa: agreement." in text  # the agreement figures, relative to the folder
    # the machine-readable record is the contract: unchanged, paths and all
    assert (res / "manifest.json").read_bytes() == manifest
    assert json.loads(manifest)["options"]["coder"]["kind"] == "bundled"


def test_docx_provenance_in_words_without_paths(copy_results, tmp_path, run):
    res = home_results(copy_results)
    out = tmp_path / "rapport.docx"
    r = run("report", res, "--out", out)
    assert r.exit_code == 0, r.output
    doc = Document(str(out))
    cells = [" ".join(c.text for c in row.cells) for t in doc.tables for row in t.rows]
    text = "\n".join([p.text for p in doc.paragraphs] + cells)
    check_provenance(text.replace("Inställningar: ", ""), res)
    check_inputs(text, res)
    assert f"Resultatmapp res" in cells


def test_english_provenance(copy_results, tmp_path, run):
    res = home_results(copy_results)
    out = tmp_path / "report.html"
    assert run("report", res, "--out", out, "--language", "en").exit_code == 0
    text = html_text(out.read_text(encoding="utf-8"))
    assert HOME not in text and "False" not in text
    assert re.search(rf"Coder\s+learned coder \({N_GOLD} gold interviews\)", text)
    assert re.search(r"Interviewer's turns coded\s+no", text)
