"""Several speakers in one subtitle cue: each voice span (or, in a cue
without voices, each line starting with a speaker's label) is the speech of
its own speaker, with the cue's times.

The old reader credited the whole cue to its first voice: in

    00:00:01.000 --> 00:00:04.000
    <v Anna Berg>Hur började det?</v>
    <v Johan Ek>Det började med en förstudie.</v>

Johan's answer was Anna's words (one turn, "Anna Berg: Hur började det? Det
började med en förstudie."), Johan was no speaker at all, and Anna, the only
speaker left, was read as the respondent: her question was coded.
"""

from __future__ import annotations

import warnings

import pytest

from codingkit import CodingkitWarning
from codingkit.errors import InputError
from codingkit.readers import read_transcript

HEAD = "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n"
Q, A = "Hur började det?", "Det började med en förstudie."


def _write(tmp_path, name: str, text: str):
    p = tmp_path / name
    p.write_bytes(text.encode("utf-8"))
    return p


def _turns(path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CodingkitWarning)
        [t] = read_transcript(path)
    return [(x.speaker, t.turn_text(x), x.begin, x.finish) for x in t.turns]


@pytest.mark.parametrize("cue", [
    f"<v Anna Berg>{Q}</v>\n<v Johan Ek>{A}</v>",             # lines of their own
    f"- <v Anna Berg>{Q}\n- <v Johan Ek>{A}",                 # dashes, spans not closed
    f"- <v Anna Berg>{Q}</v>\n- <v Johan Ek>{A}</v>",         # dashes, closed
    f"<v Anna Berg>{Q}</v> <v Johan Ek>{A}</v>",              # on one line
    f"<v Anna Berg>{Q}</v> - <v Johan Ek>{A}</v>",            # one line, a dash between
    f"<v Anna Berg>{Q}<v Johan Ek>{A}",                       # one line, not closed
    f"<v.first.loud Anna Berg>{Q}</v>\n<v.second Johan Ek>{A}</v>",  # classes
    f"<v Anna Berg><i>{Q}</i>\n</v><v Johan Ek>{A} </v>\n",   # other tags, spaces
], ids=["lines", "dashes", "dashes-closed", "one-line", "one-line-dash", "one-line-open",
        "classes", "tags"])
def test_each_voice_of_a_cue_is_its_own_speech(tmp_path, cue):
    p = _write(tmp_path, "två_röster.vtt", HEAD + cue + "\n")
    [t] = read_transcript(p)
    assert t.text == f"Anna Berg: {Q}\nJohan Ek: {A}\n"
    assert [(x.speaker, x.speaker_role, t.turn_text(x), x.begin, x.finish) for x in t.turns] == [
        ("Anna Berg", "interviewer", Q, 1.0, 4.0), ("Johan Ek", "respondent", A, 1.0, 4.0)]


def test_a_file_of_cues_with_several_voices(tmp_path):
    """Turns, speakers and texts of a Teams-like file mixing cues of one
    voice and of two: one voice's speech in a row (across cues) is one turn,
    from the begin of its first cue to the finish of its last."""
    p = _write(tmp_path, "intervju.vtt",
               "WEBVTT\n\n1\n00:00:01.000 --> 00:00:04.000\n"
               "<v Anna Berg>Hur kom ni i kontakt med leverantörerna?</v>\n"
               "<v Johan Ek>Vi bjöd in dem till en dialog.</v>\n\n"
               "2\n00:00:04.500 --> 00:00:08.000\n<v Johan Ek>Det var i mars.</v>\n\n"
               "3\n00:00:08.500 --> 00:00:11.000\n"
               "- <v Anna Berg>Vilka kom?\n- <v Johan Ek>Fem företag.\n\n"
               "4\n00:00:11.500 --> 00:00:13.000\n<v Anna Berg>Varför så få?</v> "
               "<v Johan Ek>Marknaden är liten.</v> <v Anna Berg>Tack.</v>\n")
    [t] = read_transcript(p)
    got = [(x.number, x.speaker, x.speaker_role, t.turn_text(x), x.begin, x.finish)
           for x in t.turns]
    assert got == [
        (1, "Anna Berg", "interviewer", "Hur kom ni i kontakt med leverantörerna?", 1.0, 4.0),
        (2, "Johan Ek", "respondent", "Vi bjöd in dem till en dialog. Det var i mars.", 1.0, 8.0),
        (3, "Anna Berg", "interviewer", "Vilka kom?", 8.5, 11.0),
        (4, "Johan Ek", "respondent", "Fem företag.", 8.5, 11.0),
        (5, "Anna Berg", "interviewer", "Varför så få?", 11.5, 13.0),
        (6, "Johan Ek", "respondent", "Marknaden är liten.", 11.5, 13.0),
        (7, "Anna Berg", "interviewer", "Tack.", 11.5, 13.0)]
    assert t.text.splitlines()[1] == "Johan Ek: Vi bjöd in dem till en dialog. Det var i mars."


@pytest.mark.parametrize("cue, expected", [
    # after every span has ended: the voice that spoke last
    ("<v Anna>Hur?</v> <v Per>Så här.</v> Och sedan så.",
     [("Anna", "Hur?"), ("Per", "Så här. Och sedan så.")]),
    # before the first span: the first voice (as in a cue with one voice)
    ("Alltså <v Anna>hur?</v>\n<v Per>Så.</v>", [("Anna", "Alltså hur?"), ("Per", "Så.")]),
    # a span inside another: its words are the inner voice's, then the outer's again
    ("<v Anna>Hur <v Per>så?</v> gick det?</v>",
     [("Anna", "Hur"), ("Per", "så?"), ("Anna", "gick det?")]),
    # one voice twice: one speech, as in a cue with one voice
    ("<v Anna>Hur?</v>\n<v Anna>Och när?</v>", [("Anna", "Hur? Och när?")]),
    # a cue with one voice: a speaker-change dash before it is not said
    ("- <v Anna>Hur?", [("Anna", "Hur?")]),
], ids=["after-the-spans", "before-the-first", "nested", "one-voice-twice", "one-voice"])
def test_words_outside_the_voice_spans(tmp_path, cue, expected):
    p = _write(tmp_path, "utanför.vtt", HEAD + cue + "\n")
    assert [(s, text) for s, text, _, _ in _turns(p)] == expected


def test_text_after_a_blank_line_in_a_cue_of_several_voices(tmp_path):
    """Text after a blank line continues the voice that spoke last in the
    cue; a block of two voices is split too; a block that starts with
    another voice than the last is still a cue whose time line is missing."""
    p = _write(tmp_path, "tomrad.vtt",
               HEAD + "<v Anna>Hur?</v>\n<v Per>Med en dialog\n\nmed alla.</v>\n\n"
               "<v Per>Sedan kraven.</v> <v Anna>Och?</v>\n\n"
               "00:00:05.000 --> 00:00:06.000\n<v Anna>Tack.</v>\n")
    assert _turns(p) == [("Anna", "Hur?", 1.0, 4.0),
                         ("Per", "Med en dialog med alla. Sedan kraven.", 1.0, 4.0),
                         ("Anna", "Och? Tack.", 1.0, 6.0)]
    p = _write(tmp_path, "utan_tid.vtt",
               HEAD + "<v Anna>Hur?</v>\n<v Per>Med en dialog.</v>\n\n<v Anna>Och?</v>\n")
    with pytest.raises(InputError, match=r"line 7: text of 'Anna' without a time line, after "
                                         r"a cue of 'Per'"):
        read_transcript(p)


def test_srt_cue_with_several_voices_or_speaker_labels(tmp_path):
    """SubRip carries speakers as voice tags or Name: labels: a cue with
    several is split the same way; a label on a later line counts if it is
    a speaker of the file, recurs or is a known code (IP), never a
    one-time 'Viktigast:'."""
    p = _write(tmp_path, "röster.srt", f"1\n00:00:01,000 --> 00:00:04,000\n"
                                        f"<v Anna>{Q}</v>\n<v Johan>{A}</v>\n")
    assert _turns(p) == [("Anna", Q, 1.0, 4.0), ("Johan", A, 1.0, 4.0)]
    for dash in ("", "- "):
        p = _write(tmp_path, "namn.srt",
                   f"1\n00:00:01,000 --> 00:00:04,000\n{dash}Anna: {Q}\n{dash}Johan: {A}\n\n"
                   f"2\n00:00:05,000 --> 00:00:07,000\n{dash}Anna: Och sedan?\n"
                   f"{dash}Johan: Vi upphandlade.\nViktigast: att fråga.\n\n"
                   "3\n00:00:08,000 --> 00:00:09,000\nOkej.\nIP: Ja.\n")
        [t] = read_transcript(p)
        assert [(x.speaker, x.speaker_role, t.turn_text(x), x.begin, x.finish)
                for x in t.turns] == [
            ("Anna", "interviewer", Q, 1.0, 4.0), ("Johan", "respondent", A, 1.0, 4.0),
            ("Anna", "interviewer", "Och sedan?", 5.0, 7.0),
            ("Johan", "respondent", "Vi upphandlade. Viktigast: att fråga.", 5.0, 7.0),
            (None, "respondent", "Okej.", 8.0, 9.0), ("IP", "respondent", "Ja.", 8.0, 9.0)], dash


def test_coding_credits_the_question_to_the_interviewer(tmp_path):
    """Coded, the question of a cue with two voices is the interviewer's
    (not coded), the answer the respondent's; the old reader coded both as
    the only speaker, a respondent."""
    from codingkit import read_transcripts
    from codingkit.coding.bundled import bundled_coder

    p = _write(tmp_path, "dialog.vtt",
               "WEBVTT\n\n00:00:01.000 --> 00:00:06.000\n"
               "<v Anna Berg>Hur förde ni dialogen med leverantörerna innan upphandlingen?</v>\n"
               "<v Johan Ek>Vi bjöd in leverantörerna till en tidig dialog om behoven.</v>\n\n"
               "00:00:07.000 --> 00:00:12.000\n"
               "- <v Anna Berg>Vilka krav ställde ni i upphandlingen?\n"
               "- <v Johan Ek>Vi skrev funktionskrav i stället för detaljerade krav.\n")
    result = bundled_coder().code(read_transcripts(p))
    segments = {s.segment_id: (s.speaker, s.speaker_role, s.text) for s in result.segment_list}
    assert segments == {
        "dialog.vtt:1": ("Anna Berg", "interviewer",
                         "Hur förde ni dialogen med leverantörerna innan upphandlingen?"),
        "dialog.vtt:2": ("Johan Ek", "respondent",
                         "Vi bjöd in leverantörerna till en tidig dialog om behoven."),
        "dialog.vtt:3": ("Anna Berg", "interviewer", "Vilka krav ställde ni i upphandlingen?"),
        "dialog.vtt:4": ("Johan Ek", "respondent",
                         "Vi skrev funktionskrav i stället för detaljerade krav.")}
    coded = {(c.segment_id, c.theme) for c in result.coding_list}
    assert {s for s, _ in coded} == {"dialog.vtt:2", "dialog.vtt:4"}
    assert ("dialog.vtt:2", "tidig_dialog") in coded


#: Spans per cue below: enough to read the many-voices paths whole; how the
#: time grows with 100,000 is printed by benchmarks/subtitle_voices.py
N_SPANS = 5_000


@pytest.mark.parametrize("name, cue, turns", [
    ("spans.vtt", "".join(f"<v {'Anna' if i % 2 else 'Per'}>ord{i}</v>\n"
                          for i in range(N_SPANS)), N_SPANS),
    ("nested.vtt", "".join(f"<v P{i}>ord{i} " for i in range(N_SPANS)) + "</v>" * N_SPANS,
     N_SPANS),
    ("unclosed.vtt", "<v a " * N_SPANS, 1),
    ("unclosed_tag.vtt", "<b a " * N_SPANS, 1),
    ("lines.srt", "".join(f"{'Anna' if i % 2 else 'Per'}: ord{i}\n" for i in range(N_SPANS)),
     N_SPANS),
], ids=["spans", "nested", "unclosed-v", "unclosed-tag", "srt-labels"])
def test_a_cue_of_many_voices_is_many_turns(tmp_path, name, cue, turns):
    """One cue with thousands of voice spans (or lines of two speakers'
    labels) is as many turns; '<v ' or '<b ' without their '>' are words of
    one turn. (100,000 of them: 2 s, and 100,000 unclosed '<v ' took minutes
    before: benchmarks/subtitle_voices.py.)"""
    head = "1\n00:00:01,000 --> 00:00:03,000\n" if name.endswith(".srt") else HEAD
    p = _write(tmp_path, name, head + cue + "\n")
    got = _turns(p)
    assert len(got) == turns
    if turns > 1:
        last = f"ord{N_SPANS - 1}"
        assert got[0][1] == "ord0" and got[-1][1] == last
        assert {s for s, _, _, _ in got[:2]} in ({"Per", "Anna"}, {"P0", "P1"})


@pytest.mark.parametrize("dash", ["- ", "-", "\u2013 ", "\u2014 "])
def test_a_dash_before_the_only_voice_of_a_cue_is_not_its_words(tmp_path, dash):
    """A cue with one voice span after a speaker-change dash (as in subtitles
    with dialogue dashes): the dash marks the speaker, it is not said; a dash
    inside the words stays."""
    body = (f"WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n{dash}<v Anna Berg>{Q}\n\n"
            f"00:00:05.000 --> 00:00:08.000\n<v Johan Ek>{A} - kort sagt.</v>\n")
    assert _turns(_write(tmp_path, "streck.vtt", body)) == [
        ("Anna Berg", Q, 1.0, 4.0), ("Johan Ek", f"{A} - kort sagt.", 5.0, 8.0)]


def test_words_before_the_only_voice_of_a_cue_are_kept(tmp_path):
    body = f"WEBVTT\n\n00:00:01.000 --> 00:00:04.000\nJa - <v Anna Berg>{Q}\n"
    assert _turns(_write(tmp_path, "ord.vtt", body)) == [("Anna Berg", f"Ja - {Q}", 1.0, 4.0)]
