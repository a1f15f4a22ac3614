"""WebVTT and SubRip: voice tags, Name: prefixes, merged cues, cue times."""

from codingkit.readers import read_transcript


def test_vtt_voice_tags_merge_and_tags_removed(data_dir):
    [t] = read_transcript(data_dir / "teams.vtt")
    assert t.format == "vtt"
    assert t.text == (
        "Anna Lindqvist: Hur kom ni i kontakt med leverantörerna?\n"
        "Per Nyström: Vi hade en öppen dialog med flera företag & en kommun.\n"
        "Anna Lindqvist: Vilka?\n"
    )
    got = [(x.speaker, x.speaker_role, t.turn_text(x), x.begin, x.finish) for x in t.turns]
    assert got == [
        ("Anna Lindqvist", "interviewer", "Hur kom ni i kontakt med leverantörerna?", 1.0, 4.5),
        ("Per Nyström", "respondent", "Vi hade en öppen dialog med flera företag & en kommun.",
         5.0, 12.0),
        ("Anna Lindqvist", "interviewer", "Vilka?", 12.5, 14.0),
    ]


def test_srt_name_prefix(data_dir):
    [t] = read_transcript(data_dir / "zoom.srt")
    assert t.format == "srt"
    got = [(x.speaker, x.speaker_role, t.turn_text(x), x.begin, x.finish) for x in t.turns]
    assert got == [
        ("Lars", "interviewer", "Vad var svårast i upphandlingen?", 1.0, 3.0),
        ("Maria Holm", "respondent",
         "Att formulera kraven som funktionskrav. Vi var rädda för överprövning.", 3.5, 9.0),
        ("Lars", "interviewer", "Hur hanterade ni det?", 9.5, 11.0),
    ]


def test_cues_without_speakers_stay_apart_and_are_respondents(tmp_path):
    p = tmp_path / "okand.vtt"
    p.write_text("WEBVTT\n\n00:01.000 --> 00:02.000\nVi började i fjol.\n\n"
                 "00:02.000 --> 00:03.000\nSedan kom Vinnova in.\n", encoding="utf-8")
    [t] = read_transcript(p)
    assert t.text == "Vi började i fjol.\nSedan kom Vinnova in.\n"
    assert [(x.speaker, x.speaker_role, t.turn_text(x)) for x in t.turns] == [
        (None, "respondent", "Vi började i fjol."), (None, "respondent", "Sedan kom Vinnova in.")]


def test_vtt_in_cp1252_with_bom_free_bytes(tmp_path):
    p = tmp_path / "ansi.vtt"
    p.write_bytes("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Åsa>Så här gick det.</v>\n"
                  .encode("cp1252"))
    [t] = read_transcript(p)
    assert t.text == "Åsa: Så här gick det.\n"


def test_teams_identifiers_and_zoom_prefix_of_a_one_time_speaker(tmp_path):
    teams = tmp_path / "teams.vtt"
    teams.write_text(
        "WEBVTT\n\n"
        "3f1c2a7e-1d2b-4c9e-9a51-2a0c0f1e8a11/17-0\n00:00:17.120 --> 00:00:19.870\n"
        "<v Lindqvist, Anna>Vad betydde Upphandlingsmyndigheten?</v>\n\n"
        "3f1c2a7e-1d2b-4c9e-9a51-2a0c0f1e8a11/21-0\n00:00:20.000 --> 00:00:23.000\n"
        "<v Nyström, Per>De gav oss stöd i kraven.</v>\n", encoding="utf-8")
    [t] = read_transcript(teams)
    assert [(x.speaker, t.turn_text(x), x.begin) for x in t.turns] == [
        ("Lindqvist, Anna", "Vad betydde Upphandlingsmyndigheten?", 17.12),
        ("Nyström, Per", "De gav oss stöd i kraven.", 20.0)]
    zoom = tmp_path / "zoom.vtt"
    zoom.write_text(
        "WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.000\nLars Berg: Hur gick det?\n\n"
        "2\n00:00:02.500 --> 00:00:04.000\nEva Lund: Det gick bra.\n\n"
        "3\n00:00:04.500 --> 00:00:05.000\nLars Berg: Tack.\n", encoding="utf-8")
    [z] = read_transcript(zoom)
    assert [x.speaker for x in z.turns] == ["Lars Berg", "Eva Lund", "Lars Berg"]
    assert z.text.split("\n")[1] == "Eva Lund: Det gick bra."


def test_a_colon_sentence_in_unnamed_cues_is_not_a_speaker(tmp_path):
    p = tmp_path / "utan_namn.srt"
    p.write_text("1\n00:00:01,000 --> 00:00:02,000\nVi lärde oss en sak.\n\n"
                 "2\n00:00:02,000 --> 00:00:03,000\nViktigast: att fråga användarna.\n\n"
                 "3\n00:00:03,000 --> 00:00:04,000\nSedan upphandlade vi.\n", encoding="utf-8")
    [t] = read_transcript(p)
    assert [(x.speaker, t.turn_text(x)) for x in t.turns] == [
        (None, "Vi lärde oss en sak."), (None, "Viktigast: att fråga användarna."),
        (None, "Sedan upphandlade vi.")]


def test_a_malformed_srt_cue_is_refused_with_its_line_not_dropped(tmp_path):
    """A cue whose time line is broken ("->") is not silently left out
    (its words would be lost): the file is refused, naming the line."""
    import pytest

    from codingkit.errors import InputError

    p = tmp_path / "trasig.srt"
    p.write_text("1\n00:00:01,000 --> 00:00:03,000\nHur började ni?\n\n"
                 "2\n00:00:04,000 -> 00:00:05,000\nMed en dialog.\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"trasig\.srt, line 5: not a valid subtitle file: "
                                         r"expected SubRip.*\[E107\]"):
        read_transcript(p)
    p.write_text("Bara text, inga tider.\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"line 1: not a valid subtitle file"):
        read_transcript(p)


def test_srt_cues_without_numbers_or_milliseconds_are_read(tmp_path):
    """Speech-recognition tools write SubRip loosely: no cue numbers, blank
    lines first, times without milliseconds."""
    p = tmp_path / "lost.srt"
    p.write_text("\n\n00:00:01,250 --> 00:00:03,000\nAnna: Hur började ni?\n\n"
                 "00:00:04 --> 00:00:06\nBo: Med en dialog.\n", encoding="utf-8")
    [t] = read_transcript(p)
    assert [(x.speaker, t.turn_text(x), x.begin, x.finish) for x in t.turns] == [
        ("Anna", "Hur började ni?", 1.25, 3.0), ("Bo", "Med en dialog.", 4.0, 6.0)]
