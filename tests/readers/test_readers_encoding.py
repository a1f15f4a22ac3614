"""Encodings are detected without being told; binary content is refused."""

import codecs

import pytest

from codingkit import InputError
from codingkit.readers import read_transcript
from codingkit.readers.encoding import decode_bytes, detect_encoding

TEXT = "Projekt: Region Östergötland\r\n\r\nI: Vad är viktigast?\r\nIP: Återkoppling och ärlighet, å ena sidan.\r\n"
EXPECTED = TEXT.replace("\r\n", "\n")


@pytest.mark.parametrize("name,data", [
    ("utf8.txt", TEXT.encode("utf-8")),
    ("utf8bom.txt", codecs.BOM_UTF8 + TEXT.encode("utf-8")),
    ("utf16le.txt", codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le")),
    ("utf16be.txt", codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be")),
    ("cp1252.txt", TEXT.encode("cp1252")),
])
def test_encodings(tmp_path, name, data):
    p = tmp_path / name
    p.write_bytes(data)
    [t] = read_transcript(p)
    assert t.text == EXPECTED
    assert t.metadata["project"] == "Region Östergötland"
    assert [t.turn_text(x) for x in t.turns] == ["Vad är viktigast?",
                                                  "Återkoppling och ärlighet, å ena sidan."]


def test_cp1252_specific_characters():
    data = "IP: Det kostade 5 000 € – ”för mycket”.".encode("cp1252")
    assert detect_encoding(data) == "cp1252"
    assert decode_bytes(data) == "IP: Det kostade 5 000 € – ”för mycket”."


def test_binary_without_bom_is_refused(tmp_path):
    p = tmp_path / "ljud.txt"
    p.write_bytes(b"RIFF\x00\x00\x01\x02WAVEfmt " + bytes(range(256)))
    with pytest.raises(InputError, match=r"ljud\.txt: not a text file \(binary content\); "
                                         r"expected UTF-8, UTF-16 or Windows-1252 text"):
        read_transcript(p)


def test_undecodable_bytes_are_refused(tmp_path):
    # 0x81 and 0x8d are undefined in Windows-1252 and invalid UTF-8
    p = tmp_path / "trasig.txt"
    p.write_bytes(b"I: Hej\nIP: \x81\x8d\x8f\x90\n")
    with pytest.raises(InputError, match=r"trasig\.txt: cannot decode.*\[E104\]"):
        read_transcript(p)


def test_input_is_not_modified(data_dir, tmp_path):
    p = tmp_path / "kopia.txt"
    original = (data_dir / "intervju_syd.txt").read_bytes()
    p.write_bytes(original)
    mtime = p.stat().st_mtime_ns
    [t] = read_transcript(p)
    assert p.read_bytes() == original and p.stat().st_mtime_ns == mtime
    import hashlib
    assert t.sha256 == hashlib.sha256(original).hexdigest()
    assert t.path == p
