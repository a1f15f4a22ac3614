"""Agreement with human coding: reading, alignment, metrics, disagreements."""

from __future__ import annotations

import json
import math
import warnings

import krippendorff
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score, precision_recall_fscore_support

from codingkit.errors import CodingkitWarning, EvaluationError
from codingkit.evaluation import (
    align_human_coding,
    binary_agreement,
    evaluate,
    evaluation_from_matrices,
    read_human_coding,
)
from codingkit.model import Code, Codebook, Coding, CodingResult, Segment

TURNS = [
    # (turn, role, text)
    (1, "interviewer", "Hur började ni med marknadsdialogen?"),
    (2, "respondent", "Vi bjöd in leverantörerna till en träff innan vi skrev underlaget."),
    (3, "interviewer", "Och behoven?"),
    (4, "respondent", "Vi kartlade vad personalen faktiskt behövde. Det tog tid."),
    (5, "respondent", "Vi hade en bra dialog med kollegorna på avdelningen."),
    (6, "respondent", "Mm."),
    (7, "respondent", "Företaget har nu sålt lösningen till tre andra regioner."),
]


def _segments(source: str = "syd/01.txt", unit: str = "turn") -> list[Segment]:
    segs, pos = [], 0
    for n, role, text in TURNS:
        if unit == "sentence" and ". " in text:
            first, rest = text.split(". ", 1)
            first += "."
            segs.append(Segment(f"{source}:{n}.1", source, pos, pos + len(first), first, n,
                                speaker_role=role, unit="sentence"))
            start2 = pos + len(first) + 1
            segs.append(Segment(f"{source}:{n}.2", source, start2, start2 + len(rest), rest, n,
                                speaker_role=role, unit="sentence"))
        else:
            segs.append(Segment(f"{source}:{n}" + (".1" if unit == "sentence" else ""),
                                source, pos, pos + len(text), text, n, speaker_role=role,
                                unit=unit))
        pos += len(text) + 1
    return segs


def _codebook() -> Codebook:
    codes = {c.id: c for c in [
        Code("tidig_dialog", "Tidig marknadsdialog"),
        Code("tidig_dialog.rfi", "RFI", parent="tidig_dialog"),
        Code("behov", "Behov"),
        Code("kommersialisering", "Kommersialisering"),
    ]}
    return Codebook("test", codes)


def _result(codings: list[tuple[str, str, float, str]], unit: str = "turn") -> CodingResult:
    cb = _codebook()
    return CodingResult(
        _segments(unit=unit),
        [Coding(sid, code, cb.theme_of(code), score, "rule", ev)
         for sid, code, score, ev in codings],
        cb)


def _write(tmp_path, name: str, text: str):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


GOLD_TURNS = """source,turn,speaker,code,excerpt
syd/01.txt,2,IP,tidig_dialog,Vi bjöd in leverantörerna
syd/01.txt,4,IP,behov,Vi kartlade
syd/01.txt,7,IP,kommersialisering,Företaget har nu sålt
"""


# --------------------------------------------------------------------------
# metrics against reference implementations
# --------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.booleans()), min_size=2, max_size=60))
def test_binary_agreement_matches_sklearn_and_krippendorff(pairs):
    g = np.array([a for a, _ in pairs])
    p = np.array([b for _, b in pairs])
    tp, fp = int(np.sum(g & p)), int(np.sum(~g & p))
    fn, tn = int(np.sum(g & ~p)), int(np.sum(~g & ~p))
    m = binary_agreement(tp, fp, fn, tn)
    if tp + fp and tp + fn:
        prec, rec, f1, _ = precision_recall_fscore_support(g, p, average="binary",
                                                           zero_division=0)
        assert m["precision"] == pytest.approx(prec)
        assert m["recall"] == pytest.approx(rec)
        assert m["f1"] == pytest.approx(f1)
    if len(set(g) | set(p)) > 1:  # not one value throughout: κ and α are defined
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref_kappa = cohen_kappa_score(g, p)
        if not math.isnan(ref_kappa):
            assert m["kappa"] == pytest.approx(ref_kappa)
        ref_alpha = krippendorff.alpha(reliability_data=np.vstack([g, p]).astype(float),
                                       level_of_measurement="nominal")
        assert m["alpha"] == pytest.approx(ref_alpha)
    else:
        assert math.isnan(m["alpha"]) and math.isnan(m["kappa"])


def test_metrics_frame_and_micro_against_sklearn():
    rng = np.random.default_rng(3)
    gold = rng.random((50, 3)) < 0.3
    pred = gold ^ (rng.random((50, 3)) < 0.15)
    per_code, summary = evaluation_from_matrices(["a", "b", "c"], gold, pred)
    for j, code in enumerate("abc"):
        row = per_code.set_index("code").loc[code]
        assert row["kappa"] == pytest.approx(cohen_kappa_score(gold[:, j], pred[:, j]))
        assert row["positives"] == gold[:, j].sum()
    micro = summary.set_index("average").loc["micro"]
    p, r, f, _ = precision_recall_fscore_support(gold.ravel(), pred.ravel(), average="binary")
    assert (micro["precision"], micro["recall"], micro["f1"]) == pytest.approx((p, r, f))
    ref_alpha = krippendorff.alpha(reliability_data=np.vstack([gold.ravel(), pred.ravel()])
                                   .astype(float), level_of_measurement="nominal")
    assert micro["alpha"] == pytest.approx(ref_alpha)
    macro = summary.set_index("average").loc["macro"]
    assert macro["alpha"] == pytest.approx(per_code["alpha"].mean())


# --------------------------------------------------------------------------
# reading and aligning human coding
# --------------------------------------------------------------------------


def test_read_turn_coding_with_turn_list_and_splits(tmp_path):
    _write(tmp_path, "syd_coding.csv", GOLD_TURNS)
    _write(tmp_path, "syd_turns.csv", "source,turn,speaker\nsyd/01.txt,2,IP\nsyd/01.txt,4,IP\n"
                                      "syd/01.txt,5,IP\nsyd/01.txt,7,IP\n")
    _write(tmp_path, "splits.csv", "source,split\nsyd/01.txt,dev\nost/05.txt,test\n")
    hc = read_human_coding(tmp_path)
    assert hc.kind == "turn"
    assert hc.codes == ["behov", "kommersialisering", "tidig_dialog"]
    assert len(hc.turns) == 4
    assert hc.splits == {"syd/01.txt": "dev", "ost/05.txt": "test"}
    assert len(hc.select("dev").codings) == 3
    assert len(hc.select("test").codings) == 0
    with pytest.raises(EvaluationError, match="E605"):
        hc.select("holdout")


def test_read_rejects_bad_files_with_file_and_line(tmp_path):
    p = _write(tmp_path, "bad.csv", "source,turn,code\nsyd/01.txt,två,behov\n")
    with pytest.raises(EvaluationError) as exc:
        read_human_coding(p)
    assert "bad.csv, line 2" in str(exc.value) and "E603" in str(exc.value)
    p = _write(tmp_path, "cols.csv", "file,kod\na,b\n")
    with pytest.raises(EvaluationError, match="E602"):
        read_human_coding(p)
    with pytest.raises(EvaluationError, match="E601"):
        read_human_coding(tmp_path / "saknas.csv")


def test_align_turns_to_sentence_segments(tmp_path):
    hc = read_human_coding(_write(tmp_path, "g.csv", GOLD_TURNS))
    al = align_human_coding(hc, _segments(unit="sentence"))
    assert set(map(tuple, al.values)) == {
        ("syd/01.txt:2.1", "tidig_dialog"), ("syd/01.txt:4.1", "behov"),
        ("syd/01.txt:4.2", "behov"), ("syd/01.txt:7.1", "kommersialisering")}


def test_align_spans_by_overlap(tmp_path):
    segs = _segments(unit="sentence")
    s41 = next(s for s in segs if s.segment_id == "syd/01.txt:4.1")
    s2 = next(s for s in segs if s.segment_id == "syd/01.txt:2.1")
    text = (f"source,start,end,text,code,coder\n"
            # exactly the first sentence of turn 4
            f"syd/01.txt,{s41.start},{s41.end},x,behov,AB\n"
            # a few words inside turn 2: covers < half the segment but the span lies in it
            f"syd/01.txt,{s2.start + 3},{s2.start + 20},x,tidig_dialog,AB\n"
            # a span that lies nowhere
            f"syd/01.txt,100000,100010,x,behov,AB\n")
    hc = read_human_coding(_write(tmp_path, "spans.csv", text))
    assert hc.kind == "span"
    with pytest.warns(CodingkitWarning, match="1 of 3"):
        al = align_human_coding(hc, segs)
    assert set(map(tuple, al.values)) == {("syd/01.txt:4.1", "behov"),
                                          ("syd/01.txt:2.1", "tidig_dialog")}
    # the second sentence of turn 4 is not touched
    assert "syd/01.txt:4.2" not in set(al["segment_id"])


def test_align_by_segment_id_and_unknown_ids(tmp_path):
    hc = read_human_coding(_write(tmp_path, "s.csv",
                                  "segment_id,code\nsyd/01.txt:2,tidig_dialog\nx.txt:9,behov\n"))
    with pytest.warns(CodingkitWarning, match="1 of 2 human codings fall on no segment and are "
                      "ignored; 1 of the 2 transcripts it codes is not among those given: "
                      "'x.txt'"):
        al = align_human_coding(hc, _segments())
    assert list(al["segment_id"]) == ["syd/01.txt:2"]
    hc2 = read_human_coding(_write(tmp_path, "t.csv", "segment_id,code\nx.txt:9,behov\n"))
    with pytest.raises(EvaluationError, match="E606") as err:
        align_human_coding(hc2, _segments())
    # the message names the coding's file and both sides' source names
    assert str(err.value).startswith(str(tmp_path / "t.csv") + ": ")
    assert "sources such as 'x.txt'" in str(err.value)
    assert "the transcripts are 'syd/01.txt'" in str(err.value)
    # the transcript is there, but no coded turn is one of its respondent turns
    hc3 = read_human_coding(_write(tmp_path, "u.csv", "segment_id,code\nsyd/01.txt:99,behov\n"))
    with pytest.raises(EvaluationError, match="E606") as err:
        align_human_coding(hc3, _segments())
    assert ("none of the human coding falls on a respondent turn of its transcripts "
            "('syd/01.txt'); check that the speaker labels") in str(err.value)


# --------------------------------------------------------------------------
# evaluate
# --------------------------------------------------------------------------


def test_evaluate_turns_counts_and_disagreements(tmp_path):
    _write(tmp_path, "syd_coding.csv", GOLD_TURNS)
    result = _result([
        ("syd/01.txt:2", "tidig_dialog.rfi", 1.0, "term(RFI) → 'x'"),   # TP via roll-up
        ("syd/01.txt:5", "tidig_dialog", 0.9, "term(dialog) → 'dialog'"),  # FP
        ("syd/01.txt:6", "tidig_dialog", 0.4, "similarity 0.40"),          # FP, lower score
        ("syd/01.txt:4", "behov", 1.0, "term(behov) → 'behövde'"),       # TP
        ("syd/01.txt:1", "behov", 1.0, "interviewer: not evaluated"),
    ])
    ev = evaluate(tmp_path, result)
    pc = ev.per_code.set_index("code")
    assert ev.unit == "turn"
    # units: respondent turns 2, 4, 5, 6, 7
    assert set(pc["n_units"]) == {5}
    assert pc.loc["tidig_dialog", ["tp", "fp", "fn", "tn"]].tolist() == [1, 2, 0, 2]
    assert pc.loc["behov", ["tp", "fp", "fn", "tn"]].tolist() == [1, 0, 0, 4]
    assert pc.loc["kommersialisering", ["tp", "fp", "fn", "tn"]].tolist() == [0, 0, 1, 4]
    assert pc.loc["kommersialisering", "recall"] == 0
    g = np.array([1, 0, 0, 0, 0])
    p = np.array([1, 0, 1, 1, 0])  # turns 2, 4, 5, 6, 7
    assert pc.loc["tidig_dialog", "kappa"] == pytest.approx(cohen_kappa_score(g, p))
    dis = ev.disagreements
    # the code with most disagreements first, FPs by falling score
    assert list(dis["code"]) == ["tidig_dialog", "tidig_dialog", "kommersialisering"]
    assert list(dis["kind"]) == ["FP", "FP", "FN"]
    assert list(dis["score"][:2]) == [0.9, 0.4]
    assert dis["evidence"][0] == "term(dialog) → 'dialog'"
    assert dis["text"][0].startswith("Vi hade en bra dialog med kollegorna")
    assert dis["text"][2].startswith("Företaget har nu sålt")


def test_evaluate_turn_list_limits_units_and_sentences_roll_up(tmp_path):
    _write(tmp_path, "syd_coding.csv", GOLD_TURNS)
    _write(tmp_path, "syd_turns.csv", "source,turn\nsyd/01.txt,2\nsyd/01.txt,4\n"
                                      "syd/01.txt,7\n")
    result = _result([("syd/01.txt:4.2", "behov", 0.8, "sim"),
                      ("syd/01.txt:5.1", "behov", 0.8, "not a read turn")], unit="sentence")
    ev = evaluate(tmp_path, result)
    pc = ev.per_code.set_index("code")
    assert set(pc["n_units"]) == {3}
    assert pc.loc["behov", ["tp", "fp", "fn", "tn"]].tolist() == [1, 0, 0, 2]
    # the turn's text is both sentences
    assert "Det tog tid." not in set(ev.disagreements["text"])


def test_evaluate_perfect_agreement_and_outputs(tmp_path):
    gold = _write(tmp_path, "g.csv", GOLD_TURNS)
    result = _result([("syd/01.txt:2", "tidig_dialog", 1.0, "a"),
                      ("syd/01.txt:4", "behov", 1.0, "b"),
                      ("syd/01.txt:7", "kommersialisering", 1.0, "c")])
    ev = evaluate(gold, result)
    assert ev.macro["alpha"] == pytest.approx(1.0)
    assert ev.micro["kappa"] == pytest.approx(1.0)
    assert len(ev.disagreements) == 0
    text = ev.table()
    assert text.splitlines()[0].split() == ["code", "positives", "predicted", "precision",
                                            "recall", "f1", "kappa", "alpha"]
    assert "(macro)" in text and "(micro)" in text
    written = ev.write(tmp_path / "out")
    assert sorted(p.name for p in written) == ["agreement.csv", "agreement.json",
                                               "agreement_counts.csv", "agreement_summary.csv",
                                               "disagreements.csv"]
    data = json.loads((tmp_path / "out" / "agreement.json").read_text(encoding="utf-8"))
    assert data["summary"][0]["average"] == "macro"
    assert pd.read_csv(tmp_path / "out" / "agreement.csv")["code"].tolist() == [
        "tidig_dialog", "behov", "kommersialisering"]


def test_evaluate_reads_an_apply_output_folder(tmp_path):
    from codingkit import write_outputs
    from codingkit.errors import ResultsFolderError

    gold = _write(tmp_path, "g.csv", GOLD_TURNS)
    segs = _segments()
    result = CodingResult(segs, [Coding("syd/01.txt:2", "tidig_dialog", "tidig_dialog", 1.0,
                                        "rule", "x")], _codebook())
    out = tmp_path / "results"
    write_outputs(result, out)
    ev = evaluate(gold, out)
    pc = ev.per_code.set_index("code")
    assert pc.loc["tidig_dialog", "tp"] == 1 and pc.loc["behov", "fn"] == 1
    # the one reader of a results folder speaks for evaluate too
    with pytest.raises(ResultsFolderError, match=r"nowhere: no such folder; expected a results "
                                                 r"folder of 'codingkit apply'.*\[E901\]"):
        evaluate(gold, tmp_path / "nowhere")
    (out / "segments.csv").unlink()
    with pytest.raises(ResultsFolderError, match=r"segments\.csv: missing.*\[E901\]"):
        evaluate(gold, out)
    with pytest.raises(EvaluationError, match="E607"):
        evaluate(gold, pd.DataFrame({"segment_id": [], "code": []}))


def test_evaluate_unknown_sources_is_an_error(tmp_path):
    gold = _write(tmp_path, "g.csv", "source,turn,code\nost/99.txt,2,behov\n")
    with pytest.raises(EvaluationError, match="E606"):
        evaluate(gold, _result([]))


# -- a REFI-QDA project as human coding --------------------------------------

def _coded_sample(tmp_path):
    import codingkit as ck

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "01.txt").write_text(
        "I: Hur började ni?\n"
        "IP: Vi bjöd in leverantörerna till en träff innan vi skrev underlaget.\n"
        "I: Och sen?\n"
        "IP: Vi fick pengar från Vinnova, men projektledaren slutade i våras.\n"
        "I: Mm.\n"
        "IP: Vi hade en bra dialog med kollegorna om fotboll.\n", encoding="utf-8")
    transcripts = ck.read_transcripts([folder])
    return ck.Coder(ck.load_codebook(), similarity="none").code(transcripts)


def test_a_qdpx_project_is_read_as_span_coding(tmp_path):
    from codingkit.refiqda import write_qdpx

    result = _coded_sample(tmp_path)
    coded = {(c.segment_id, result.codebook.theme_of(c.code)) for c in result.coding_list}
    assert {("01.txt:2", "tidig_dialog"), ("01.txt:4", "resurser")} <= coded
    project = write_qdpx(result, tmp_path / "granskad.qdpx")
    # not reviewed: every coding is codingkit's own, which it says
    with pytest.warns(CodingkitWarning, match=r"granskad\.qdpx: not a human's coding"):
        hc = read_human_coding(project)
    assert hc.kind == "span"
    assert set(hc.codings["source"]) == {"01.txt"}
    ev = evaluate(hc, result)
    # the same coding read back from the project agrees perfectly
    assert ev.macro["alpha"] == pytest.approx(1.0)
    assert ev.disagreements.empty


def test_a_qdpx_without_codings_is_a_clear_error(tmp_path):
    from codingkit.refiqda import write_qdpx

    result = _coded_sample(tmp_path)
    empty = CodingResult(result.segment_list, [], result.codebook, result.transcripts)
    path = write_qdpx(empty, tmp_path / "tom.qdpx")
    with pytest.raises(EvaluationError, match=r"tom\.qdpx.*no coded selections.*E602"):
        read_human_coding(path)


def test_a_qdpx_of_several_human_coders_is_pooled_with_a_warning(tmp_path):
    import zipfile

    from codingkit.refiqda import write_qdpx

    result = _coded_sample(tmp_path)
    path = write_qdpx(result, tmp_path / "a.qdpx")
    with pytest.warns(CodingkitWarning) as record:  # the automatic user alone: not pooled,
        read_human_coding(path)                    # but not a human's coding either
    assert [str(w.message).split(": ", 1)[1][:22] for w in record] == ["not a human's coding: "]
    # rename the automatic user in one coding to two human coders
    with zipfile.ZipFile(path) as z:
        entries = {n: z.read(n) for n in z.namelist()}
    qde = next(n for n in entries if n.endswith(".qde"))
    xml = entries[qde].decode("utf-8")
    guid = xml.split("<User ", 1)[1].split('guid="', 1)[1].split('"', 1)[0]
    xml = xml.replace('name="codingkit (automatic)"', 'name="Anna"', 1)
    second = '<User guid="00000000-0000-4000-8000-00000000abcd" name="Bertil"/>'
    xml = xml.replace("</Users>", second + "</Users>", 1)
    last = xml.rfind(f'creatingUser="{guid}"')
    xml = xml[:last] + 'creatingUser="00000000-0000-4000-8000-00000000abcd"' + \
        xml[last + len(f'creatingUser="{guid}"'):]
    entries[qde] = xml.encode("utf-8")
    two = tmp_path / "two.qdpx"
    with zipfile.ZipFile(two, "w") as z:
        for n, data in entries.items():
            z.writestr(n, data)
    with pytest.warns(CodingkitWarning, match="2 coders \\(Anna, Bertil\\) are pooled"):
        hc = read_human_coding(two)
    assert hc.kind == "span"


# -- theme frequencies, human vs codingkit -----------------------------------

def test_frequencies_compare_theme_shares_per_group(tmp_path):
    cb = _codebook()
    segs = [Segment(f"{src}:{n}", src, 10 * n, 10 * n + 5, "svar", n,
                    metadata={"project": "Syd", "round": rnd, "role": "upphandlare"})
            for src, rnd in (("a.txt", "1"), ("b.txt", "2")) for n in (2, 4, 6, 8)]
    pred = CodingResult(segs, [Coding("a.txt:2", "behov", "behov", 0.9, "rule", ""),
                               Coding("a.txt:4", "behov", "behov", 0.9, "rule", ""),
                               Coding("b.txt:2", "tidig_dialog.rfi", "tidig_dialog", 0.9,
                                      "rule", "")], cb)
    gold = _write(tmp_path, "g.csv", "source,turn,code\na.txt,2,behov\n"
                                     "b.txt,2,tidig_dialog\nb.txt,4,tidig_dialog\n")
    ev = evaluate(gold, pred)
    c = ev.counts.set_index(["source", "code"])
    assert (c.loc[("a.txt", "behov"), ["units", "human", "codingkit"]].tolist()
            == [4, 1, 2])
    assert c.loc[("b.txt", "tidig_dialog"), ["human", "codingkit"]].tolist() == [2, 1]
    assert c.loc[("b.txt", "tidig_dialog"), "round"] == "2"
    per_round = ev.frequencies(by=("round",)).set_index(["round", "code"])
    assert per_round.loc[("1", "behov"), ["human_share", "codingkit_share", "difference"]
                         ].tolist() == [0.25, 0.5, 0.25]
    assert per_round.loc[("2", "tidig_dialog"), "difference"] == -0.25
    everything = ev.frequencies(by=()).set_index("code")
    assert everything.loc["behov", ["transcripts", "units", "human", "codingkit"]
                          ].tolist() == [2, 8, 1, 2]
    assert everything.loc["behov", ["human_transcripts", "codingkit_transcripts"]
                          ].tolist() == [1, 1]
    assert everything.loc["kommersialisering", "codingkit_share"] == 0.0
    err = ev.frequency_errors(by=("round",)).set_index("code")
    assert err.loc["behov", ["groups", "mean_abs_difference", "max_abs_difference"]
                   ].tolist() == [2, 0.125, 0.25]
    assert err.loc["behov", ["human_share", "codingkit_share"]].tolist() == [0.125, 0.25]
    with pytest.raises(EvaluationError, match=r"by kommun; expected some of source, "
                                              r"project, round, role \[E631\]"):
        ev.frequencies(by=("kommun",))
    written = {p.name for p in ev.write(tmp_path / "ut")}
    assert "agreement_counts.csv" in written
    assert len(pd.read_csv(tmp_path / "ut" / "agreement_counts.csv")) == 2 * 3  # × themes


def test_codes_the_codebook_lacks_are_left_out_with_a_suggestion(tmp_path):
    # "behv" is a typo, "Kommersialisering" the label instead of the id
    gold = _write(tmp_path, "g.csv", "source,turn,code\nsyd/01.txt,2,tidig_dialog\n"
                                     "syd/01.txt,4,behv\nsyd/01.txt,7,Kommersialisering\n")
    pred = _result([("syd/01.txt:2", "tidig_dialog", 0.9, "")])
    with pytest.warns(CodingkitWarning) as caught:
        ev = evaluate(gold, pred)
    msg = str(caught[0].message)
    assert msg.startswith(f"{tmp_path / 'g.csv'}: human codes not in codebook test are left "
                          "out: 'Kommersialisering' (did you mean 'kommersialisering'?), "
                          "'behv' (did you mean 'behov'?)")
    # only the codebook's themes are evaluated: the typo adds no all-missed row
    assert list(ev.per_code["code"]) == ["tidig_dialog", "behov", "kommersialisering"]
    assert ev.per_code.set_index("code").loc["tidig_dialog", "alpha"] == pytest.approx(1.0)
