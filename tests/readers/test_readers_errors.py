"""Each kind of bad input is a one-line error that names the file."""

import pytest

from codingkit import InputError
from codingkit.readers import read_transcript, read_transcripts


def one_line(exc):
    msg = str(exc.value)
    assert "\n" not in msg
    return msg


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(InputError) as exc:
        read_transcripts([tmp_path / "saknas.txt"])
    assert "saknas.txt: no such file or folder [E101]" in one_line(exc)
    with pytest.raises(InputError, match=r"saknad_mapp: no such file or folder"):
        read_transcripts(tmp_path / "saknad_mapp")


def test_empty_file(tmp_path):
    p = tmp_path / "tom.txt"
    p.write_text("  \n\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_transcript(p)
    assert one_line(exc).endswith("tom.txt: empty file; expected a transcript (speaker turns) "
                                  "or survey answers [E102]")


@pytest.mark.parametrize("name", ["rapport.pdf", "intervju.doc", "utan_suffix"])
def test_unknown_suffix_named_explicitly(tmp_path, name):
    p = tmp_path / name
    p.write_text("I: Hej?\nIP: Hej.\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_transcripts([p])
    msg = one_line(exc)
    assert name in msg and "unknown file type" in msg and "[E105]" in msg


def test_doc_gets_a_hint(tmp_path):
    p = tmp_path / "gammal.doc"
    p.write_bytes(b"\xd0\xcf\x11\xe0 old word")
    with pytest.raises(InputError, match=r"gammal\.doc: .*save it as \.docx"):
        read_transcript(p)


def test_binary_with_text_suffix(tmp_path):
    p = tmp_path / "bild.txt"
    p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(InputError) as exc:
        read_transcripts([p])
    assert "bild.txt: not a text file (binary content)" in one_line(exc)


def test_corrupt_docx(tmp_path):
    p = tmp_path / "trasig.docx"
    p.write_bytes(b"PK\x03\x04 this is not really a zip archive")
    with pytest.raises(InputError) as exc:
        read_transcript(p)
    msg = one_line(exc)
    assert "trasig.docx: not a valid Word .docx file" in msg and "[E106]" in msg


def test_malformed_csv(tmp_path):
    p = tmp_path / "trasig.csv"
    p.write_text('id,svar\n1,"ett citat som aldrig slutar\n2,två\n', encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_transcript(p)
    assert "trasig.csv, line 2: malformed CSV (a quoted field that never ends)" in one_line(exc)


def test_malformed_vtt(tmp_path):
    p = tmp_path / "trasig.vtt"
    p.write_text("Det här är ingen WebVTT-fil\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_transcript(p)
    assert "trasig.vtt: not a valid subtitle file" in one_line(exc)


def test_unknown_format_option(tmp_path):
    p = tmp_path / "a.txt"
    p.write_text("I: Hej?\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"a\.txt: unknown format 'pdf'"):
        read_transcript(p, format="pdf")


def test_same_source_twice(tmp_path):
    for sub in ("syd", "ost"):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / "intervju.txt").write_text("I: Hej?\nIP: Hej.\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"intervju\.txt: has the same source name"):
        read_transcripts([tmp_path / "syd" / "intervju.txt", tmp_path / "ost" / "intervju.txt"])


def test_bom_only_file_is_empty(tmp_path):
    p = tmp_path / "bara_bom.txt"
    p.write_bytes(b"\xff\xfe" + " \r\n".encode("utf-16-le"))
    with pytest.raises(InputError, match=r"bara_bom\.txt: empty file; expected a transcript"):
        read_transcript(p)
