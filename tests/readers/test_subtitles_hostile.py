"""WebVTT and SubRip from hostile or damaged files: a stray byte-order mark
is ignored; a cue time line that is malformed (a minus sign, numbers out of
range) or that does not start a cue is refused naming its file and line,
never read as words of the cue before nor left out."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from codingkit.cli import cli
from codingkit.errors import InputError
from codingkit.readers import read_transcript

SRT_HEAD = "1\n00:00:01,000 --> 00:00:03,000\nAnna: Hur började ni?\n\n"
VTT_HEAD = "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n<v Anna>Hur började ni?</v>\n\n"
BOTH = [("Anna", "Hur började ni?", 1.0, 3.0), ("Per", "Med en dialog.", 4.0, 6.0)]


def _write(tmp_path, name: str, text: str):
    p = tmp_path / name
    p.write_bytes(text.encode("utf-8"))
    return p


def _turns(path):
    [t] = read_transcript(path)
    return [(x.speaker, t.turn_text(x), x.begin, x.finish) for x in t.turns]


def _refused(path, line: int, what: str):
    """The one-line error of reading ``path``: its file, line and message."""
    with pytest.raises(InputError) as info:
        read_transcript(path)
    msg = str(info.value)
    assert msg.startswith(f"{path}, line {line}: {what}") and msg.endswith("[E107]"), msg
    assert "\n" not in msg and info.value.line == line
    return msg


# ------------------------------------------------------------ a stray byte-order mark


def test_srt_bom_before_a_cue_number_in_the_middle_is_ignored(tmp_path):
    """Two files joined: the second's BOM before its first cue number
    (also as CRLF) no longer gives Per's words to Anna."""
    p = _write(tmp_path, "hopslagen.srt",
               "\ufeff" + SRT_HEAD + "\ufeff2\n00:00:04,000 --> 00:00:06,000\nPer: Med en dialog.\n")
    assert _turns(p) == BOTH
    p = _write(tmp_path, "crlf.srt", (SRT_HEAD + "\ufeff1\n00:00:04,000 --> 00:00:06,000\n"
                                      "Per: Med en\ufeff dialog.\n").replace("\n", "\r\n"))
    assert _turns(p) == BOTH


def test_vtt_bom_before_a_time_line_in_the_middle_is_ignored(tmp_path):
    """webvtt-py left the cue out (its words lost) when a BOM came first."""
    p = _write(tmp_path, "hopslagen.vtt",
               VTT_HEAD + "\ufeff00:00:04.000 --> 00:00:06.000\n<v Per>Med en dialog.</v>\n")
    assert _turns(p) == BOTH


# ------------------------------------------------------------ malformed time lines

@pytest.mark.parametrize("time_line", [
    "-00:00:04,000 --> 00:00:06,000",      # was read as Anna's words
    "00:0-1:00,000 --> 00:00:06,000",      # was read as Anna's words
    "00:00:0-1,000 --> 00:00:02,000",      # was refused at the cue number (line 5)
    "00:00:04,000 --> -00:00:06,000",
    "a00:00:04,000 --> 00:00:06,000",
])
def test_srt_negative_or_broken_time_is_refused_naming_its_line(tmp_path, time_line):
    p = _write(tmp_path, "negativ.srt", SRT_HEAD + f"2\n{time_line}\nPer: Med en dialog.\n")
    msg = _refused(p, 6, "malformed cue time line")
    assert repr(time_line) in msg and "'00:00:01,000 --> 00:00:04,000'" in msg
    assert "no minus sign" in msg


@pytest.mark.parametrize("time_line", [
    "-00:00:04.000 --> 00:00:06.000", "00:00:0-4.000 --> 00:00:06.000",
    "00:00:04,000 --> 00:00:06,000",  # SubRip's comma in a .vtt
    "00:00:04.000 --> 00:00:06.000abc",
])
def test_vtt_negative_or_broken_time_is_refused_not_dropped(tmp_path, time_line):
    """webvtt-py silently left such a cue out with Per's words."""
    p = _write(tmp_path, "negativ.vtt", VTT_HEAD + f"{time_line}\n<v Per>Med en dialog.</v>\n")
    msg = _refused(p, 6, "malformed cue time line")
    assert "'00:00:01.000 --> 00:00:04.000'" in msg


def test_vtt_arrow_in_cue_text_is_refused_not_dropped(tmp_path):
    """A ``-->`` line inside a cue starts a block webvtt-py drops: refused."""
    p = _write(tmp_path, "pil.vtt", "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n"
                                     "<v Anna>Priset gick\n10 --> 20 kronor.</v>\n")
    assert "'10 --> 20 kronor.</v>'" in _refused(p, 5, "malformed cue time line")


@pytest.mark.parametrize("suffix, start", [
    (".srt", "99999999999999999999:00:00,000"), (".srt", "100:00:00,000"),
    (".srt", "00:60:00,000"), (".srt", "00:00:75,000"), (".srt", "00:00:01,1000"),
    (".vtt", "99999999999999999999:00:00.000"), (".vtt", "100:00:00.000"),
    (".vtt", "00:60:00.000"),
])
def test_times_out_of_range_are_refused_naming_the_line(tmp_path, suffix, start):
    """An hour of 20 digits raised OverflowError in the srt library
    ("internal error"); webvtt-py left such cues out."""
    arrow_end = " --> 00:00:03,000" if suffix == ".srt" else " --> 00:00:03.000"
    head = "1\n" if suffix == ".srt" else "WEBVTT\n\n"
    p = _write(tmp_path, f"lang{suffix}", f"{head}{start}{arrow_end}\nAnna: Hur började ni?\n")
    msg = _refused(p, 2 if suffix == ".srt" else 3, "malformed cue time line")
    assert "hours at most 99, minutes and seconds at most 59, milliseconds at most 999" in msg


def test_times_at_the_limits_and_loose_forms_are_still_read(tmp_path):
    p = _write(tmp_path, "gräns.srt",
               "1\n99:59:59,999 --> 99:59:59,999 X1:100 X2:200\nAnna: Sist.\n\n"
               "00:00:04 - > 00:00:06\nPer: Utan millisekunder.\n\n"
               "3\n00:00:07,000 --> 00:00:08,000\nAnna: Priset gick upp --> mycket.\n")
    assert _turns(p) == [("Anna", "Sist.", 359999.999, 359999.999),
                         ("Per", "Utan millisekunder.", 4.0, 6.0),
                         ("Anna", "Priset gick upp --> mycket.", 7.0, 8.0)]
    p = _write(tmp_path, "gräns.vtt",
               "WEBVTT\n\n99:59:59.999 --> 99:59:59.999 align:start\n<v Anna>Sist.</v>\n\n"
               "NOTE en kommentar\n\nid-2\n00:04.5-->00:06.000\n<v Per>Kort.</v>\n")
    assert _turns(p) == [("Anna", "Sist.", 359999.999, 359999.999), ("Per", "Kort.", 4.5, 6.0)]


def test_huge_hour_gives_a_one_line_cli_error_not_internal_error(tmp_path):
    p = _write(tmp_path, "lang.srt",
               "1\n99999999999999999999:00:00,000 --> 00:00:03,000\nAnna: Hur började ni?\n")
    r = CliRunner().invoke(cli, ["apply", str(p), "--out", str(tmp_path / "ut"),
                                 "--similarity", "none", "--quiet"])
    assert r.exit_code == 1 and "internal error" not in r.output, r.output
    assert r.output.startswith(f"Error: {p}, line 2: malformed cue time line")
    assert r.output.count("\n") == 1


# ------------------------------------------------------------ cues the library would merge


@pytest.mark.parametrize("cue", [
    "\u200b2\n00:00:04,000 --> 00:00:06,000\n",   # a cue number the library does not read
    "2\n  00:00:04,000 --> 00:00:06,000\n",      # a time line indented
])
def test_srt_time_line_not_starting_a_cue_is_refused(tmp_path, cue):
    """The srt library read these as words of Anna's cue."""
    p = _write(tmp_path, "sammanslagen.srt", SRT_HEAD + cue + "Per: Med en dialog.\n")
    msg = _refused(p, 6, "a cue time line that was not read as the start of a cue")
    assert "a cue number alone on its line" in msg


def test_srt_cue_number_without_time_line_is_refused(tmp_path):
    """A cue whose time line is missing: its number and words were Anna's."""
    p = _write(tmp_path, "utan_tid.srt", SRT_HEAD + "2\nPer: Med en dialog.\n")
    msg = _refused(p, 6, "expected a time line like '00:00:01,000 --> 00:00:04,000' after "
                         "the cue number '2'")
    assert "'Per: Med en dialog.'" in msg


# ------------------------------------------------------------ damage to the second time line

SECOND = "00:00:04,000 --> 00:00:06,000"
DAMAGE = ["-", "\ufeff", "\u200b", "9" * 20, ",", ":", " ", "\u2212", "a", "0", ">", "\t"]


@settings(max_examples=200, deadline=None)
@given(edits=st.lists(st.tuples(st.integers(0, len(SECOND)), st.sampled_from(DAMAGE)),
                      min_size=1, max_size=3))
def test_damaged_srt_time_line_never_gives_per_words_to_anna(tmp_path_factory, edits):
    """Whatever is inserted in the second cue's time line, Per's words stay
    his (read or refused naming line 6), never Anna's."""
    line = SECOND
    for pos, s in edits:
        line = line[:pos] + s + line[pos:]
    p = _write(tmp_path_factory.mktemp("skadad"), "skadad.srt",
               SRT_HEAD + f"2\n{line}\nPer: Med en dialog.\n")
    try:
        turns = _turns(p)
    except InputError as exc:
        assert exc.line in (5, 6) and str(exc).startswith(f"{p}, line "), str(exc)
        return
    assert [(s, t) for s, t, _, _ in turns] == [("Anna", "Hur började ni?"),
                                                ("Per", "Med en dialog.")], line


@pytest.mark.parametrize("words", ["Vi gick från 3 --> 12 anbud på två år.", "2019 --> 2021.",
                                   "Priset: 40 --> 35 kr."])
def test_srt_arrow_between_numbers_in_words_stays_cue_text(tmp_path, words):
    """An arrow beside plain numbers is words, not a broken time line (was E107)."""
    p = _write(tmp_path, "pil.srt", SRT_HEAD + f"2\n00:00:04,000 --> 00:00:06,000\nPer: {words}\n")
    assert _turns(p) == [BOTH[0], ("Per", words, 4.0, 6.0)]


# ------------------------------------------------------------ a blank line inside a cue


def _turns_and_warnings(path):
    import warnings

    from codingkit import CodingkitWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        turns = _turns(path)
    return turns, [str(w.message) for w in caught if issubclass(w.category, CodingkitWarning)]


def test_vtt_text_after_a_blank_line_in_a_cue_is_read_as_that_cue_s(tmp_path):
    """webvtt-py ends a cue at a blank line and left the text after it out
    (no time line: no cue), without a word; Teams and speech-recognition
    exports write a long turn so. It is read as words of the cue before,
    with one warning naming the first such line."""
    p = _write(tmp_path, "teams.vtt",
               VTT_HEAD + "00:00:04.000 --> 00:00:06.000\n<v Per>Med en dialog.\n\n"
               "Sedan skrev vi kraven.</v>\n\n"
               "00:00:07.000 --> 00:00:08.000\n<v Anna>Och sedan?</v>\n\n"
               "00:00:09.000 --> 00:00:12.000\n<v Per>Vi utvärderade.\n\n"
               "Med användarna.\nOch leverantörerna.</v>\n")
    turns, caught = _turns_and_warnings(p)
    assert turns == [BOTH[0], ("Per", "Med en dialog. Sedan skrev vi kraven.", 4.0, 6.0),
                     ("Anna", "Och sedan?", 7.0, 8.0),
                     ("Per", "Vi utvärderade. Med användarna. Och leverantörerna.", 9.0, 12.0)]
    assert caught == [
        f"{p}, line 9: text after a blank line inside a cue, without a time line of its own "
        "(and 1 more such places): read as words of the cue before it (WebVTT would end the "
        "cue at the blank line and leave the text out)"]


def test_vtt_blank_line_in_cues_with_name_prefixes(tmp_path):
    """Speech recognition writes 'Name: text' cues. Text after a blank line
    that starts like a label but is no speaker of the file is words too;
    a NOTE block is a comment, not read."""
    p = _write(tmp_path, "asr.vtt",
               "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\nAnna: Hur började ni?\n\n"
               "00:00:04.000 --> 00:00:06.000\nPer: Med en dialog.\n\n"
               "Viktigast: att fråga användarna.\n\nNOTE rättat för hand\n\n"
               "00:00:07.000 --> 00:00:08.000\nAnna: Tack.\n\nAnna: Hej då.\n")
    turns, caught = _turns_and_warnings(p)
    assert turns == [
        ("Anna", "Hur började ni?", 1.0, 3.0),
        ("Per", "Med en dialog. Viktigast: att fråga användarna.", 4.0, 6.0),
        ("Anna", "Tack. Hej då.", 7.0, 8.0)]  # her own label again: hers, the label left out
    assert len(caught) == 1 and caught[0].startswith(f"{p}, line 9: text after a blank line")


def test_vtt_cue_identifier_a_blank_line_before_its_time_line_is_not_words(tmp_path):
    """Teams' identifier (or a cue number) parted from its time line by a
    blank line is no text of the cue before; a tag alone is nothing."""
    p = _write(tmp_path, "id.vtt",
               VTT_HEAD + "3f1c2a7e-1d2b-4c9e-9a51-2a0c0f1e8a11/21-0\n\n"
               "00:00:04.000 --> 00:00:06.000\n<v Per>Med en dialog.\n\n</v>\n")
    assert _turns_and_warnings(p) == (BOTH, [])


@pytest.mark.parametrize("block, who", [
    ("<v Per>Med en dialog.</v>", "'Per' without a time line, after a cue of 'Anna'"),
    ("Per: Med en dialog.", "'Per' without a time line, after a cue of 'Anna'"),  # a speaker
    ("IP: Med en dialog.", "'IP' without a time line, after a cue of 'Anna'"),    # a known code
])
def test_vtt_text_of_another_speaker_without_a_time_line_is_refused(tmp_path, block, who):
    """A block after a blank line that names another speaker is that
    speaker's cue with its time line missing: never Anna's words, nor left
    out (as a cue whose time line is broken)."""
    p = _write(tmp_path, "utan_tid.vtt",
               "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\nAnna: Hur började ni?\n\n"
               f"{block}\n\n00:00:07.000 --> 00:00:08.000\nPer: Tack.\n")
    msg = _refused(p, 6, f"text of {who}: expected a blank line and a time line like "
                         "'00:00:01.000 --> 00:00:04.000' before it")
    assert msg.endswith("(a blank line inside a cue's text ends the cue) [E107]")


def test_vtt_text_before_the_first_cue_is_not_read_with_a_warning(tmp_path):
    p = _write(tmp_path, "rubrik.vtt", "WEBVTT\nKind: captions\n\nIntervju 3, Region Östergötland"
                                       "\n\n" + VTT_HEAD[len("WEBVTT\n\n"):])
    turns, caught = _turns_and_warnings(p)
    assert turns == [BOTH[0]]
    assert caught == [f"{p}, line 4: text without a time line before the first cue was not "
                      "read (a title or a note?); a cue's words need a time line like "
                      "'00:00:01.000 --> 00:00:04.000' before them"]


PER = "<v Per>Vi bjöd in fem leverantörer till en dialog om kraven.</v>".split(" ")
PER[:2] = [" ".join(PER[:2])]  # ["<v Per>Vi", "bjöd", ..., "kraven.</v>"]


@settings(max_examples=200, deadline=None)
@given(cuts=st.lists(st.integers(0, len(PER) - 1), min_size=1, max_size=4, unique=True))
def test_blank_lines_anywhere_in_a_vtt_cue_never_lose_or_move_per_s_words(tmp_path_factory, cuts):
    """A blank line before any word of Per's cue (0: right after its time
    line), one or several: his words are all read, in order, as his, and
    Anna's stay hers."""
    lines = [" ".join(PER[a:b]) for a, b in zip([0, *sorted(cuts)], [*sorted(cuts), len(PER)])]
    payload = "\n\n".join(lines).strip("\n")
    if 0 in cuts:
        payload = "\n" + payload
    p = _write(tmp_path_factory.mktemp("tomrad"), "tomrad.vtt",
               VTT_HEAD + f"00:00:04.000 --> 00:00:06.000\n{payload}\n\n"
               "00:00:07.000 --> 00:00:08.000\n<v Anna>Tack.</v>\n")
    turns, _ = _turns_and_warnings(p)
    assert turns == [BOTH[0],
                     ("Per", "Vi bjöd in fem leverantörer till en dialog om kraven.", 4.0, 6.0),
                     ("Anna", "Tack.", 7.0, 8.0)], payload


# ------------------------------------------------------------ a blank line inside a SubRip cue
# The srt library ends a cue's text only where a cue number and a time line
# follow a blank line: any other text after a blank line was read as words
# of the cue, silently, whoever it named. It is now judged as in WebVTT.


@pytest.mark.parametrize("block, who", [
    ("Per: Med en dialog.", "'Per' without a time line, after a cue of 'Anna'"),  # a speaker
    ("IP: Med en dialog.", "'IP' without a time line, after a cue of 'Anna'"),    # a known code
    ("<v Per>Med en dialog.</v>", "'Per' without a time line, after a cue of 'Anna'"),
])
@pytest.mark.parametrize("blank", ["", "   "])  # a line of spaces looks blank too
def test_srt_text_of_another_speaker_after_a_blank_line_is_refused(tmp_path, block, who, blank):
    """Per's words after a blank line in Anna's cue were Anna's (the old
    reader gave 'Anna: Hur började ni? Per: Med en dialog.', no warning):
    it is Per's cue with its number and time line missing, refused naming
    its line, as in WebVTT."""
    p = _write(tmp_path, "utan_tid.srt",
               f"{SRT_HEAD[:-1]}{blank}\n{block}\n\n2\n00:00:07,000 --> 00:00:08,000\n"
               "Per: Tack.\n")
    msg = _refused(p, 5, f"text of {who}: expected a blank line, a cue number and a time line "
                         "like '00:00:01,000 --> 00:00:04,000' before it")
    assert msg.endswith("(a blank line inside a cue's text ends the cue) [E107]")


def test_srt_text_after_a_blank_line_in_a_cue_is_read_as_that_cue_s_with_a_warning(tmp_path):
    """Words after a blank line that name no other speaker are the cue's (as
    the srt library read them), now with one warning naming the first such
    line (the old reader said nothing); a label of a one-time name or a note
    stays words, the speaker's own label is left out, and blank lines right
    after a time line are skipped without a warning."""
    p = _write(tmp_path, "lang_tur.srt",
               SRT_HEAD + "2\n00:00:04,000 --> 00:00:06,000\nPer: Med en dialog.\n\n"
               "Sedan skrev vi kraven.\n\nViktigast: att fråga användarna.\n\n"
               "3\n00:00:07,000 --> 00:00:08,000\n\n\nAnna: Och sedan?\n\n"
               "4\n00:00:09,000 --> 00:00:12,000\nPer: Vi utvärderade.\n \n"
               "Per: Med användarna.\nOch leverantörerna.\n")
    turns, caught = _turns_and_warnings(p)
    assert turns == [
        BOTH[0],
        ("Per", "Med en dialog. Sedan skrev vi kraven. Viktigast: att fråga användarna.",
         4.0, 6.0),
        ("Anna", "Och sedan?", 7.0, 8.0),
        ("Per", "Vi utvärderade. Med användarna. Och leverantörerna.", 9.0, 12.0)]
    assert caught == [
        f"{p}, line 9: text after a blank line inside a cue, without a time line of its own "
        "(and 2 more such places): read as words of the cue before it (SubRip ends a cue at "
        "a blank line)"]


SRT_PER = "Per: Vi bjöd in fem leverantörer till en dialog om kraven.".split(" ")
SRT_PER[:2] = [" ".join(SRT_PER[:2])]  # ["Per: Vi", "bjöd", ..., "kraven."]


@settings(max_examples=200, deadline=None)
@given(cuts=st.lists(st.integers(0, len(SRT_PER) - 1), min_size=1, max_size=4, unique=True),
       blank=st.sampled_from(["", " ", "\t"]))
def test_blank_lines_anywhere_in_an_srt_cue_never_lose_or_move_per_s_words(tmp_path_factory,
                                                                            cuts, blank):
    """A blank line (or a line of spaces) before any word of Per's cue (0:
    right after its time line), one or several: his words are all read, in
    order, as his, and Anna's stay hers."""
    lines = [" ".join(SRT_PER[a:b])
             for a, b in zip([0, *sorted(cuts)], [*sorted(cuts), len(SRT_PER)])]
    payload = f"\n{blank}\n".join(lines).strip("\n")
    p = _write(tmp_path_factory.mktemp("tomrad"), "tomrad.srt",
               SRT_HEAD + f"2\n00:00:04,000 --> 00:00:06,000\n{payload}\n\n"
               "3\n00:00:07,000 --> 00:00:08,000\nAnna: Tack.\n")
    turns, _ = _turns_and_warnings(p)
    assert turns == [BOTH[0],
                     ("Per", "Vi bjöd in fem leverantörer till en dialog om kraven.", 4.0, 6.0),
                     ("Anna", "Tack.", 7.0, 8.0)], payload


@pytest.mark.parametrize("name, head", [("block.vtt", VTT_HEAD + "00:00:04.000 --> 00:00:06.000\n"
                                                   "<v Per>Med en dialog.\n\n"),
                                        ("block.srt", SRT_HEAD + "2\n00:00:04,000 --> "
                                                   "00:00:06,000\nPer: Med en dialog.\n\n")],
                         ids=["vtt", "srt"])
def test_many_blocks_after_blank_lines_in_one_cue_are_read_in_linear_time(tmp_path, name, head):
    """100,000 blocks after blank lines in one cue (a file of 1 MB): each
    was added to the cue's text one at a time, copying it, the time growing
    with the square of their number (240,000 blocks in a 6 MB file took
    80 s); now they are joined once (3 s for those, measured by hand; the
    test checks the text, a slow reader shows in the suite's time)."""
    p = _write(tmp_path, name, head + "".join(f"ord{i}\n\n" for i in range(100_000)) + "slut.\n")
    turns, caught = _turns_and_warnings(p)
    assert turns == [BOTH[0], ("Per", "Med en dialog. " + " ".join(f"ord{i}" for i in
                                                               range(100_000)) + " slut.",
                               4.0, 6.0)]
    assert len(caught) == 1 and "(and 100000 more such places)" in caught[0]
