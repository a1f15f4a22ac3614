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
        r = _codingkit("apply", corpus, "--out", tmp_path / "res", "--quiet",
                       "--similarity", "none", unprivileged=True)
        assert r.returncode == 0, r.stderr
        assert (f"Warning: {corpus / 'ost'}: skipped: folder cannot be read (Permission "
                "denied); its transcripts are missing") in r.stderr
        assert "from 1 transcripts" in r.stdout or "from 1 transcript " in r.stdout
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
    r = _codingkit("apply", p, "--out", tmp_path / "res", "--quiet", unprivileged=True)
    assert r.returncode == 2 and f"Path '{p}' is not readable" in r.stderr, r.stderr
    assert "Traceback" not in r.stderr
    # inside a folder it stops the run with one line (nothing goes missing silently)
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
    pd.DataFrame({"svar": ["Bra dialog"]}).to_excel(good, index=False)
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
