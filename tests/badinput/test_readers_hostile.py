"""Bad input, hostile files (issue 16): special files, size limits, archive
bombs, mixed encodings, unreadable folders, and the probes that held."""

import os
import subprocess
import sys
import warnings
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from codingkit import CodingkitWarning, InputError
from codingkit.cli import cli
from codingkit.readers import read_transcript, read_transcripts

SRC = Path(__file__).resolve().parents[2] / "src"
BODY = "I: Hur började ni?\nIP: Vi bjöd in leverantörerna tidigt.\n"


def _apply(*args):
    return CliRunner().invoke(cli, ["apply", *map(str, args), "--quiet"],
                              catch_exceptions=False)


def _as_user():
    """In the child: root (as in CI) loses the capabilities that let it read
    any file, so that permissions apply to it as to a researcher."""
    if os.geteuid() == 0:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        for cap in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
            if libc.prctl(24, cap, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
                raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def _codingkit(*args, timeout=120, env=None, unprivileged=False):
    """Run ``python -m codingkit`` as a real process."""
    return subprocess.run([sys.executable, "-m", "codingkit", *map(str, args)],
                          capture_output=True, text=True, timeout=timeout,
                          preexec_fn=_as_user if unprivileged else None,
                          env={**os.environ, "PYTHONPATH": str(SRC), **(env or {})})


def _caught(fn):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = fn()
    return result, [str(w.message) for w in caught if issubclass(w.category, CodingkitWarning)]


# ---------------------------------------------------------------- special files


def test_fifo_named_txt_does_not_block(tmp_path):
    fifo = tmp_path / "intervju.txt"
    os.mkfifo(fifo)
    # a real process: were the FIFO opened for reading, it would wait forever
    r = _codingkit("apply", fifo, "--out", tmp_path / "res", "--quiet", timeout=60)
    assert r.returncode == 1 and r.stderr.count("\n") == 1, r.stderr
    assert r.stderr.startswith(f"Error: {fifo}: is a named pipe (FIFO), not a regular file")
    assert "[E111]" in r.stderr and not (tmp_path / "res").exists()
    # inside a folder it is skipped with a warning
    (tmp_path / "ok.txt").write_text(BODY, encoding="utf-8")
    ts, caught = _caught(lambda: read_transcripts(tmp_path))
    assert [t.source for t in ts] == ["ok.txt"]
    assert caught == [f"{fifo}: skipped: a named pipe (FIFO), not a regular file"]
    # given by name without a known suffix it is still what it is (not E105)
    other = tmp_path / "sub" / "pipe"
    other.parent.mkdir()
    os.mkfifo(other)
    with pytest.raises(InputError, match=r"pipe: is a named pipe \(FIFO\), not a regular "
                                         r"file.*\[E111\]"):
        read_transcripts([other])


def test_symlink_to_dev_zero(tmp_path):
    link = tmp_path / "noll.txt"
    link.symlink_to("/dev/zero")
    with pytest.raises(InputError) as exc:
        read_transcript(link)
    assert str(exc.value) == (f"{link}: is a character device, not a regular file; expected "
                              "a transcript file [E111]")
    (tmp_path / "ok.txt").write_text(BODY, encoding="utf-8")
    ts, caught = _caught(lambda: read_transcripts(tmp_path))
    assert [t.source for t in ts] == ["ok.txt"]
    assert caught == [f"{link}: skipped: a character device, not a regular file"]


def test_sparse_file_of_zeros(tmp_path):
    big = tmp_path / "gles.txt"
    with open(big, "wb") as fh:
        fh.truncate(8 * 1024 ** 3)  # 8 GiB, no blocks on disk
    r = _apply(big, "--out", tmp_path / "res")
    assert r.exit_code == 1 and r.output.count("\n") == 1, r.output
    assert r.output == (f"Error: {big}: the file is 8,589.9 MB, over the limit of 50.0 MB; "
                        "to read it, raise the limit, e.g. CODINGKIT_MAX_FILE_MB=8590 [E112]\n")
    small = tmp_path / "liten.txt"
    with open(small, "wb") as fh:
        fh.truncate(4096)
    with pytest.raises(InputError, match=r"liten\.txt: not a text file \(binary content\)"):
        read_transcript(small)


def test_symlink_loop_and_broken_link(tmp_path):
    loop = tmp_path / "slinga.txt"
    loop.symlink_to(loop)
    with pytest.raises(InputError, match=r"slinga\.txt: is a symbolic link that leads nowhere"):
        read_transcript(loop)
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "upp.txt").symlink_to(tmp_path)  # a loop through a folder link is not followed
    (tmp_path / "ok.txt").write_text(BODY, encoding="utf-8")
    ts, caught = _caught(lambda: read_transcripts(tmp_path))
    assert [t.source for t in ts] == ["ok.txt"]
    assert any("slinga.txt: skipped: cannot be read (Too many levels of symbolic links)" in w
               for w in caught)


def test_unreadable_folder_warns_and_strict_refuses(tmp_path):
    corpus = tmp_path / "in"
    (corpus / "syd").mkdir(parents=True)
    (corpus / "ost").mkdir()
    (corpus / "syd" / "a.txt").write_text(BODY, encoding="utf-8")
    (corpus / "ost" / "b.txt").write_text(BODY, encoding="utf-8")
    (corpus / "ost").chmod(0)
    try:
        # the library in a child process (cheaper than a whole apply run)
        r = subprocess.run(
            [sys.executable, "-W", "always", "-c",
             "from codingkit.readers import read_transcripts\n"
             f"print([t.source for t in read_transcripts({str(corpus)!r})])"],
            capture_output=True, text=True, timeout=60, preexec_fn=_as_user,
            env={**os.environ, "PYTHONPATH": str(SRC)})
        assert r.returncode == 0 and r.stdout == "['syd/a.txt']\n", r.stderr
        assert (f"{corpus / 'ost'}: skipped: folder cannot be read (Permission "
                "denied); its transcripts are missing") in r.stderr
        r = _codingkit("apply", corpus, "--out", tmp_path / "res2", "--quiet", "--strict",
                       "--similarity", "none", unprivileged=True)
        assert r.returncode == 1 and r.stderr.count("\n") == 1, r.stderr
        assert f"Error: {corpus / 'ost'}: folder cannot be read (Permission denied)" in r.stderr
        assert "[E113]" in r.stderr and not (tmp_path / "res2").exists()
    finally:
        (corpus / "ost").chmod(0o755)


def test_unreadable_file_is_one_line(tmp_path):
    p = tmp_path / "hemlig.txt"
    p.write_text(BODY, encoding="utf-8")
    p.chmod(0)
    # given by name, click refuses it ("is not readable"); inside a folder it
    # stops the run with one line (nothing goes missing silently)
    r = _codingkit("apply", tmp_path, "--out", tmp_path / "res", "--quiet", unprivileged=True)
    assert r.returncode == 1, r.stderr
    assert r.stderr == f"Error: {p}: cannot be read (Permission denied) [E101]\n"


# ---------------------------------------------------------------- size limits


def test_file_limit_is_raised_by_the_environment(tmp_path, monkeypatch):
    p = tmp_path / "lang.txt"
    p.write_text(BODY * 100, encoding="utf-8")  # ~5 KB
    monkeypatch.setenv("CODINGKIT_MAX_FILE_MB", "0.002")
    with pytest.raises(InputError, match=r"lang\.txt: the file is 6,000 bytes, over the limit "
                                         r"of 2,000 bytes; .* CODINGKIT_MAX_FILE_MB=1 \[E112\]"):
        read_transcript(p)
    monkeypatch.setenv("CODINGKIT_MAX_FILE_MB", "0.01")
    [t] = read_transcript(p)
    assert len(t.turns) == 200
    monkeypatch.setenv("CODINGKIT_MAX_FILE_MB", "many")
    with pytest.raises(InputError, match=r"CODINGKIT_MAX_FILE_MB='many' is not a number"):
        read_transcript(p)


def _zip(path, members):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)


def test_docx_zip_bomb_is_refused_before_unpacking(tmp_path, monkeypatch):
    import docx

    d = docx.Document()
    d.add_paragraph("I: Hur började ni?")
    good = tmp_path / "bra.docx"
    d.save(good)
    with zipfile.ZipFile(good) as z:
        members = {n: z.read(n) for n in z.namelist()}
    xml = members["word/document.xml"]
    pad = b"<!--" + b" " * 3_000_000 + b"-->"  # 3 MB unpacked, a few KB packed
    members["word/document.xml"] = xml.replace(b"?>", b"?>" + pad, 1)
    bomb = tmp_path / "bomb.docx"
    _zip(bomb, members)
    assert bomb.stat().st_size < 50_000
    monkeypatch.setenv("CODINGKIT_MAX_FILE_MB", "2")
    with pytest.raises(InputError, match=r"bomb\.docx: unpacked, the file is 3\.\d MB, over the "
                                         r"limit of 2\.0 MB; .* CODINGKIT_MAX_FILE_MB=4 \[E112\]"):
        read_transcript(bomb)


def test_xlsx_shared_strings_bomb_is_refused(tmp_path, monkeypatch):
    import pandas as pd

    good = tmp_path / "bra.xlsx"
    # XlsxWriter writes the strings into xl/sharedStrings.xml (openpyxl inline)
    pd.DataFrame({"svar": ["Bra dialog"]}).to_excel(good, index=False, engine="xlsxwriter")
    with zipfile.ZipFile(good) as z:
        members = {n: z.read(n) for n in z.namelist()}
    members["xl/sharedStrings.xml"] = (b'<?xml version="1.0"?><sst xmlns="http://schemas.'
                                       b'openxmlformats.org/spreadsheetml/2006/main"><si><t>'
                                       + b"a" * 3_000_000 + b"</t></si></sst>")
    bomb = tmp_path / "bomb.xlsx"
    _zip(bomb, members)
    monkeypatch.setenv("CODINGKIT_MAX_SURVEY_MB", "2")
    with pytest.raises(InputError, match=r"bomb\.xlsx: unpacked, the file is 3\.\d MB.*"
                                         r"CODINGKIT_MAX_SURVEY_MB=4 \[E112\]"):
        read_transcript(bomb)


def test_an_overlong_turn_is_refused_with_how_to_raise_the_limit(tmp_path, monkeypatch):
    p = tmp_path / "monolog.txt"
    p.write_text("Projekt: Syd\n\nI: Berätta.\nIP: " + "Vi bjöd in leverantörerna. " * 400
                 + "\nI: Tack.\n", encoding="utf-8")
    monkeypatch.setenv("CODINGKIT_MAX_TURN_MB", "0.01")
    with pytest.raises(InputError) as exc:
        read_transcript(p)
    assert str(exc.value) == (
        f"{p}, line 4: one turn is 10,799 characters long, over the limit of 10,000; is a "
        "speaker label missing? To code it as it is, raise the limit, e.g. "
        "CODINGKIT_MAX_TURN_MB=1 [E112]")
    monkeypatch.setenv("CODINGKIT_MAX_TURN_MB", "0.02")
    [t] = read_transcript(p)
    assert [x.end - x.start for x in t.turns] == [8, 10_799, 5]


# ---------------------------------------------------------------- silent changes

HEADER = "Projekt: Syd\nOmgång: 1\nIntervjuare: E. Nilsson\n\n"
TURNS = "I: Hur gick det för er?\nIP: Vi bjöd in leverantörerna, så gick det.\n" * 50


def test_one_invalid_byte_does_not_turn_a_utf8_file_into_mojibake(tmp_path):
    good = (HEADER + TURNS).encode("utf-8")
    # one "ö" pasted from a Windows-1252 program, on line 8
    at = good.index("bjöd".encode(), good.index("bjöd".encode()) + 1)
    bad = good[:at] + "bjöd".encode("cp1252") + good[at + len("bjöd".encode()):]
    p = tmp_path / "blandad.txt"
    p.write_bytes(bad)
    [t], caught = _caught(lambda: read_transcript(p))
    assert t.text == HEADER + TURNS  # every character right, offsets those of the clean text
    assert "Ã" not in t.text and t.metadata == {"project": "Syd", "round": "1",
                                                "interviewer": "E. Nilsson"}
    assert len(t.turns) == 100 and t.turns[0].speaker_role == "interviewer"
    assert caught == [f"{p}, line 8: not all UTF-8: 1 byte(s) read as Windows-1252 "
                      "(e.g. 'IP: Vi bjöd in levera'); check these characters"]


def test_a_utf8_line_in_a_windows_1252_file(tmp_path):
    p = tmp_path / "ansi.txt"
    p.write_bytes((HEADER + TURNS).encode("cp1252") + "IP: Åäö från UTF-8.\n".encode())
    [t], caught = _caught(lambda: read_transcript(p))
    assert t.text == HEADER + TURNS + "IP: Åäö från UTF-8.\n"
    assert caught == [f"{p}, line 105: mostly Windows-1252, but some lines are UTF-8: read "
                      "each line in its own encoding; check these characters"]


def test_mixed_encoding_survey_csv(tmp_path):
    p = tmp_path / "enkat.csv"
    p.write_bytes("id;svar\n1;Vi bjöd in leverantörerna.\n2;Dialogen hjälpte.\n".encode()
                  + "3;Kraven var för snäva.\n".encode("cp1252"))
    ts, caught = _caught(lambda: read_transcript(p))
    assert [t.text for t in ts] == ["Vi bjöd in leverantörerna.", "Dialogen hjälpte.",
                                    "Kraven var för snäva."]
    assert len(caught) == 1 and caught[0].startswith(f"{p}, line 4: not all UTF-8")


def _docx_with(tmp_path, name, dtd, run_text):
    import docx

    d = docx.Document()
    d.add_paragraph("I: Hur började ni?")
    d.add_paragraph("PLACEHOLDER")
    src = tmp_path / "src.docx"
    d.save(src)
    with zipfile.ZipFile(src) as z:
        members = {n: z.read(n) for n in z.namelist()}
    xml = members["word/document.xml"]
    decl_end = xml.index(b"?>") + 2
    xml = xml[:decl_end] + dtd + xml[decl_end:]
    members["word/document.xml"] = xml.replace(b"PLACEHOLDER", run_text)
    p = tmp_path / name
    _zip(p, members)
    return p


def test_docx_entity_does_not_drop_the_rest_of_the_run(tmp_path):
    p = _docx_with(tmp_path, "entitet.docx",
                   b'<!DOCTYPE w:document [<!ENTITY kort "IP">'
                   b'<!ENTITY ext SYSTEM "file:///etc/passwd">]>',
                   b"&kort;: &ext;] Ja, nu h\xc3\xb6r jag dig.")
    [t], caught = _caught(lambda: read_transcript(p))
    assert t.text == "I: Hur började ni?\nIP: ] Ja, nu hör jag dig."
    assert [t.turn_text(x) for x in t.turns] == ["Hur började ni?", "] Ja, nu hör jag dig."]
    assert "root:" not in t.text  # the external entity is never fetched
    assert caught == [f"{p}: the document declares XML entities that cannot be read safely "
                      "(&ext;); left out of the text, the rest of the text is read"]


def test_docx_billion_laughs_is_refused(tmp_path):
    lol = b'<!ENTITY lol "lol">' + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
        for i in range(1, 10))
    p = _docx_with(tmp_path, "laughs.docx", b"<!DOCTYPE w:document [" + lol + b"]>",
                   b"IP: &lol9; slut")
    with pytest.raises(InputError, match=r"laughs\.docx: not a valid Word \.docx file "
                                         r"\(XMLSyntaxError\).*\[E106\]"):
        read_transcript(p)


# ---------------------------------------------------------------- probes that held

SAMPLE = ("Projekt: Region Östergötland\nOmgång: 2\n\nI: Hur började ni?\n"
          "IP: Vi bjöd in leverantörerna – tidigt.\nI: Och sedan?\nIP: Sedan skrev vi kraven.\n")


def _offsets_intact(t):
    """The invariant every reader keeps: turns point at their text, in order."""
    last = 0
    for turn in t.turns:
        assert last <= turn.start < turn.end <= len(t.text)
        piece = t.text[turn.start:turn.end]
        assert piece == piece.strip() and piece
        last = turn.end


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_byte_order_mark_is_read(tmp_path, encoding):
    """UTF-16 text without its BOM is text, not binary content."""
    p = tmp_path / "utan_bom.txt"
    p.write_bytes(SAMPLE.encode(encoding))
    assert read_transcript(p)[0].text == read_transcript(_utf8(tmp_path, SAMPLE))[0].text


def _utf8(tmp_path, text):
    p = tmp_path / "utf8.txt"
    p.write_bytes(text.encode("utf-8"))
    return p


@pytest.mark.parametrize("name,data,code", [
    ("utf32.txt", SAMPLE.encode("utf-32-le"), "E103"),  # no BOM: NUL bytes
    ("nul.txt", SAMPLE.encode() + b"\x00\x00IP: mer\n", "E103"),
    ("bom_surrogat.txt", b"\xff\xfe" + SAMPLE.encode("utf-16-le") + b"\x00\xd8", "E104"),
])
def test_encodings_refused_in_one_line(tmp_path, name, data, code):
    p = tmp_path / name
    p.write_bytes(data)
    with pytest.raises(InputError) as exc:
        read_transcript(p)
    assert str(exc.value).startswith(f"{p}: ") and f"[{code}]" in str(exc.value)
    assert "\n" not in str(exc.value)


@pytest.mark.parametrize("name,data", [
    # CESU-8 / a lone surrogate written as UTF-8 bytes: not UTF-8, read with a warning
    ("cesu.txt", SAMPLE.encode() + b"IP: \xed\xa0\xbd\xed\xb8\x80 bra\n"),
    ("surrogat.txt", SAMPLE.encode() + b"IP: \xed\xa0\x80\n"),
])
def test_cesu_and_lone_surrogates_are_read_with_a_warning(tmp_path, name, data):
    p = tmp_path / name
    p.write_bytes(data)
    [t], caught = _caught(lambda: read_transcript(p))
    assert t.metadata["project"] == "Region Östergötland" and "Ã" not in t.text
    assert len(t.turns) == 5
    _offsets_intact(t)
    assert len(caught) == 1 and caught[0].startswith(f"{p}, line 8: not all UTF-8")
    t.text.encode("utf-8")  # no surrogate reaches the text


def test_rtl_and_zero_width_text(tmp_path):
    p = tmp_path / "rtl.txt"
    body = ("I: Vad sa de?\nIP: \u202eأهلا\u202c وسهلا \u200bord\u200d med\ufeff noll\u2060bredd\n"
            "I: Tack.\nIP: \u05e9\u05dc\u05d5\u05dd.\n")
    p.write_text(body, encoding="utf-8")
    [t] = read_transcript(p)
    assert [x.speaker for x in t.turns] == ["I", "IP", "I", "IP"]
    assert t.turn_text(t.turns[1]).startswith("\u202eأهلا")
    _offsets_intact(t)


def test_100k_character_speaker_label(tmp_path):
    p = tmp_path / "etikett.txt"
    label = "A" * 100_000
    p.write_text(f"{label}: Hej.\nIP: Hej.\n{label}: Hur började ni?\nIP: Med dialog.\n",
                 encoding="utf-8")
    [t] = read_transcript(p)
    assert [x.speaker for x in t.turns] == [label, "IP", label, "IP"]
    _offsets_intact(t)


def test_5000_files_in_a_folder(tmp_path, record_property):
    import time

    for i in range(5000):
        (tmp_path / f"intervju_{i:04d}.txt").write_text(f"I: Fråga {i}?\nIP: Svar {i}.\n",
                                                       encoding="utf-8")
    t0 = time.perf_counter()
    ts = read_transcripts(tmp_path)
    record_property("seconds", round(time.perf_counter() - t0, 2))  # measured, not asserted
    assert len(ts) == 5000 and ts[4999].source == "intervju_4999.txt"


def test_docx_and_xlsx_external_entities_are_never_fetched(tmp_path):
    secret = tmp_path / "hemligt.txt"
    secret.write_text("LÖSENORD", encoding="utf-8")
    p = _docx_with(tmp_path, "xxe.docx",
                   b'<!DOCTYPE w:document [<!ENTITY x SYSTEM "file://%s">]>'
                   % str(secret).encode(), b"IP: &x; slut")
    [t], _ = _caught(lambda: read_transcript(p))
    assert "LÖSENORD" not in t.text and t.text.endswith("IP:  slut")

    import pandas as pd

    good = tmp_path / "bra.xlsx"
    # XlsxWriter writes the strings into xl/sharedStrings.xml (openpyxl inline)
    pd.DataFrame({"svar": ["Bra dialog"]}).to_excel(good, index=False, engine="xlsxwriter")
    with zipfile.ZipFile(good) as z:
        members = {n: z.read(n) for n in z.namelist()}
    sst = members["xl/sharedStrings.xml"]
    decl_end = sst.index(b"?>") + 2
    members["xl/sharedStrings.xml"] = (
        sst[:decl_end] + b'<!DOCTYPE sst [<!ENTITY x SYSTEM "file://%s">]>'
        % str(secret).encode() + sst[decl_end:].replace(b"Bra dialog", b"Bra &x; dialog"))
    xxe = tmp_path / "xxe.xlsx"
    _zip(xxe, members)
    try:
        texts = [t.text for t in read_transcript(xxe)]
    except InputError as exc:  # refusing is as good as not fetching
        assert "[E106]" in str(exc)
    else:
        assert not any("LÖSENORD" in x for x in texts)


def test_zip_slip_names_in_docx_and_xlsx_write_nothing(tmp_path):
    import docx

    d = docx.Document()
    d.add_paragraph("I: Hur började ni?")
    d.add_paragraph("IP: Med en dialog.")
    good = tmp_path / "in" / "bra.docx"
    good.parent.mkdir()
    d.save(good)
    with zipfile.ZipFile(good) as z:
        members = {n: z.read(n) for n in z.namelist()}
    for evil in ("../../slip.txt", "/tmp/ck_slip_abs.txt", "..\\..\\slip_bs.txt"):
        members[evil] = b"pwned"
    p = tmp_path / "in" / "slip.docx"
    _zip(p, members)
    before = set(tmp_path.rglob("*"))
    [t] = read_transcript(p)
    assert [t.turn_text(x) for x in t.turns] == ["Hur började ni?", "Med en dialog."]
    assert set(tmp_path.rglob("*")) == before and not Path("/tmp/ck_slip_abs.txt").exists()


# ------------------------------------------------------------ fuzzing the readers

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

SEEDS = {
    ".txt": SAMPLE.encode("utf-8"),
    ".md": ("# Intervju\n\n**Karin:** Hur började ni?\n\n**Per:** Med en dialog.\n\n"
            "**Karin:** Och sedan?\n\n**Per:** Kraven.\n").encode("utf-8"),
    ".vtt": ("WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n<v Anna>Hur började ni?</v>\n\n"
             "00:00:04.000 --> 00:00:06.000\n<v Per>Med en dialog.</v>\n").encode("utf-8"),
    ".srt": ("1\n00:00:01,000 --> 00:00:03,000\nAnna: Hur började ni?\n\n2\n"
             "00:00:04,000 --> 00:00:06,000\nPer: Med en dialog.\n").encode("utf-8"),
    ".csv": "id;projekt;svar\n1;Syd;Vi bjöd in leverantörerna.\n2;Öst;Dialogen.\n".encode(),
}
INSERTS = [b":", b"\n", b"\r", b"\x00", b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xef\xbb\xbf",
           b"-->", b"<v ", b"\"", b";", b"IP:", b"**", b"[00:01]", "å".encode(), b"\t",
           "\u202e".encode(), "\u200b".encode(), b"&", b"#"]


@st.composite
def mutated(draw):
    suffix = draw(st.sampled_from(sorted(SEEDS)))
    data = bytearray(SEEDS[suffix])
    for _ in range(draw(st.integers(1, 6))):
        pos = draw(st.integers(0, len(data)))
        op = draw(st.sampled_from(["insert", "delete", "flip"]))
        if op == "insert":
            data[pos:pos] = draw(st.sampled_from(INSERTS) | st.binary(max_size=4))
        elif op == "delete" and data:
            del data[pos:pos + draw(st.integers(1, 8))]
        elif data:
            data[min(pos, len(data) - 1)] = draw(st.integers(0, 255))
    return suffix, bytes(data)


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(case=mutated())
def test_fuzzed_files_give_transcripts_or_one_line_errors(tmp_path, case):
    suffix, data = case
    p = tmp_path / f"fuzz{suffix}"
    p.write_bytes(data)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CodingkitWarning)
            ts = read_transcript(p)
    except InputError as exc:  # a codingkit error: one line, naming the file
        assert str(exc).startswith(str(p)) and "\n" not in str(exc), str(exc)
        return
    for t in ts:
        _offsets_intact(t)
        t.text.encode("utf-8")  # valid text, no surrogates


# ---------------------------------------------------------------- surveys, streamed


def test_survey_over_its_limit_and_streamed_rows(tmp_path, monkeypatch):
    p = tmp_path / "enkat.csv"
    rows = "".join(f'R{i};Syd;"Vi bjöd in\nleverantörerna {i}."\n' for i in range(1, 301))
    p.write_text("id;projekt;svar\n" + rows + "\n\nR301;Öst;Sist.\n", encoding="utf-8")
    monkeypatch.setenv("CODINGKIT_MAX_SURVEY_MB", "0.005")
    with pytest.raises(InputError, match=r"enkat\.csv: the file is 1\d,\d{3} bytes, over the "
                                         r"limit of 5,000 bytes; .*CODINGKIT_MAX_SURVEY_MB=1 "):
        read_transcript(p)
    monkeypatch.setenv("CODINGKIT_MAX_SURVEY_MB", "1")
    ts = read_transcript(p, id_column="id")
    assert len(ts) == 301 and ts[0].text == "Vi bjöd in\nleverantörerna 1."
    # lines where each answer's row starts, across answers of two lines and blank lines
    assert [t.turns[0].line for t in ts[:3]] == [2, 4, 6] and ts[-1].turns[0].line == 604
    assert [t.turns[0].number for t in ts[-2:]] == [300, 301]
    assert ts[-1].metadata == {"id": "R301", "project": "Öst"}
    assert ts[0].metadata["project"] is ts[1].metadata["project"]  # shared, not copied
    _offsets_intact(ts[0])


def test_survey_row_with_too_many_fields(tmp_path):
    p = tmp_path / "enkat.csv"
    p.write_text("id;svar\n1;Bra.\n2;Bra;extra\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"enkat\.csv, line 3: malformed CSV \(expected 2 "
                                         r"fields, saw 3\).*\[E107\]"):
        read_transcript(p)
