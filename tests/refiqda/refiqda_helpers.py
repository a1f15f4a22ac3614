"""Small Swedish data and helpers for the REFI-QDA tests (fictional interviews)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from codingkit.model import Code, Codebook, Coding, CodingResult, Segment, Transcript

FIXTURES = Path(__file__).parent / "fixtures"

TEXT_SYD = (
    "I: Hur började ni arbetet?\n"
    "IP1: Vi bjöd in leverantörerna till en träff innan vi skrev underlaget. "
    "Det var så vi förstod vad marknaden kunde erbjuda.\n"
    "I: Och behoven?\n"
    "IP1: Vi började med att kartlägga vad personalen faktiskt behövde 🙂 – "
    "funktionen, inte produkten.\n"
)
TEXT_OSTERGOTLAND = (
    "Intervjuare: Berätta om er RFI.\n"
    "Respondent: Vi skickade ut en RFI till företagen i Östergötland och fick åtta svar.\n"
    "Intervjuare: Mm.\n"
    "Respondent: Ärligt talat var överprövningen det vi var mest rädda för.\n"
)


def make_codebook() -> Codebook:
    codes = [
        Code(id="tidig_dialog", label="Tidig marknadsdialog", label_en="Early market dialogue",
             description="Kontakt med leverantörer innan underlaget skrivs.",
             include="leverantörsträffar, RFI, extern remiss",
             exclude="dialog med egen personal (behov)", color="#1f77b4"),
        Code(id="tidig_dialog.rfi", label="Request for Information", parent="tidig_dialog",
             color="#abc"),
        Code(id="behov", label="Behovsidentifiering", description="Behov och funktion.",
             color="#ff7f0e"),
        Code(id="risk", label="Risk och regelverk", codable=False),
        Code(id="risk.overprovning", label="Överprövning", parent="risk"),
    ]
    return Codebook(id="test_teman", codes={c.id: c for c in codes}, version="1.0",
                    title="Testteman")


def _segments_of(source: str, text: str, metadata: dict[str, str]) -> list[Segment]:
    """One segment per respondent turn (text after the speaker label)."""
    segs = []
    for n, m in enumerate(re.finditer(r"^([^:\n]+): (.*)$", text, re.M), start=1):
        speaker = m.group(1)
        role = "interviewer" if speaker in ("I", "Intervjuare") else "respondent"
        segs.append(Segment(segment_id=f"{source}:{n}", source=source, start=m.start(2),
                            end=m.end(2), text=m.group(2), turn=n, speaker=speaker,
                            speaker_role=role, metadata=metadata))
    return segs


def make_result() -> CodingResult:
    meta_syd = {"project": "Innovationsupphandling Syd", "round": "1", "role": "projektledare"}
    meta_og = {"project": "Region Östergötland", "round": "2", "role": "upphandlare"}
    t1 = Transcript(source="syd/01_projektledare_omg1.txt", text=TEXT_SYD, metadata=meta_syd)
    t2 = Transcript(source="ostergotland/05_upphandlare.txt", text=TEXT_OSTERGOTLAND,
                    metadata=meta_og)
    segs = _segments_of(t1.source, t1.text, meta_syd) + _segments_of(t2.source, t2.text, meta_og)
    by_id = {s.segment_id: s for s in segs}
    codings = [
        Coding(f"{t1.source}:2", "tidig_dialog", "tidig_dialog", 0.9, "rule",
               "phrase(bjuda in leverantör*) → 'bjöd in leverantörerna'"),
        Coding(f"{t1.source}:4", "behov", "behov", 0.71, "similarity",
               "likt exemplet 'vi beskrev funktionen, inte produkten'"),
        Coding(f"{t2.source}:2", "tidig_dialog", "tidig_dialog", 0.8, "rule", "term(RFI)"),
        Coding(f"{t2.source}:2", "tidig_dialog.rfi", "tidig_dialog", 1.0, "rule",
               "regex(\\bRFI\\b) → 'RFI'"),
        Coding(f"{t2.source}:4", "risk.overprovning", "risk", 0.95, "rule",
               "term(överprövning) → 'överprövningen'"),
    ]
    assert all(c.segment_id in by_id for c in codings)
    return CodingResult(segment_list=segs, coding_list=codings, codebook=make_codebook(),
                        transcripts=[t1, t2], options={"unit": "turn"})


def zip_folder(folder: Path, target: Path) -> Path:
    """Zip a hand-made fixture folder into a .qdpx (entries as named on disk)."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in sorted(folder.rglob("*")):
            if p.is_file():
                zf.write(p, p.relative_to(folder).as_posix())
    return target
