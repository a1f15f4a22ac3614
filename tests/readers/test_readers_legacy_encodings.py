"""UTF-16 without a byte-order mark, CP850 (old DOS) and MacRoman (old Mac).

The same Swedish interview in every encoding reads to the same text and
metadata; only CP850 and MacRoman give a warning (the file and the
encoding); binary content is still refused (E103).
"""

import io
import re
import warnings
import zipfile

import pytest

from codingkit import CodingkitWarning, InputError
from codingkit.readers import read_transcript, read_transcripts
from codingkit.readers.encoding import detect_encoding, swedish_score

TEXT = ("Projekt: Innovationsupphandling Syd\nOmgång: 1\n\n"
        "I: Hur började det?\n"
        "IP: Då var vi tre på avdelningen och jag var ansvarig för upphandlingen.\n"
        "I: Vem tog initiativet?\n"
        "IP: Åsa Öberg. Ärligt talat var det hennes idé, och då är inspelningen igång.\n")

WARNED = {"cp850": "CP850 (old DOS)", "mac_roman": "MacRoman (old Mac)"}


def _read(path):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = read_transcript(path)
    return result, [str(w.message) for w in caught if issubclass(w.category, CodingkitWarning)]


@pytest.mark.parametrize("encoding", ["cp850", "mac_roman", "utf-16-le", "utf-16-be",
                                      "cp1252", "utf-8"])
def test_same_interview_in_every_encoding(tmp_path, encoding):
    p = tmp_path / f"intervju_{encoding}.txt"
    p.write_bytes(TEXT.encode(encoding))  # no byte-order mark
    [t], caught = _read(p)
    assert t.text == TEXT
    assert t.metadata["project"] == "Innovationsupphandling Syd"
    assert t.metadata["round"] == "1"
    assert [t.turn_text(x) for x in t.turns][:2] == [
        "Hur började det?",
        "Då var vi tre på avdelningen och jag var ansvarig för upphandlingen."]
    if encoding in WARNED:
        assert caught == [f"{p}: read as {WARNED[encoding]}, not UTF-8; "
                          "save it as UTF-8 to be sure"]
    else:
        assert caught == []


def test_the_newcomers_line_is_not_mojibake(tmp_path):
    line = "IP: Då är inspelningen igång"
    assert line.encode("cp850").decode("cp1252") == "IP: D† „r inspelningen ig†ng"
    p = tmp_path / "dos.txt"
    p.write_bytes(f"I: Redo?\r\n{line}\r\n".encode("cp850"))
    [t], caught = _read(p)
    assert t.turn_text(t.turns[1]) == "Då är inspelningen igång"
    assert len(caught) == 1 and "CP850" in caught[0]


def test_old_mac_line_endings(tmp_path):
    p = tmp_path / "mac.txt"
    p.write_bytes(TEXT.replace("\n", "\r").encode("mac_roman"))
    [t], caught = _read(p)
    assert t.text == TEXT and t.metadata["round"] == "1"
    assert len(caught) == 1 and "MacRoman" in caught[0]


def test_one_warning_per_file(tmp_path):
    for name in ("a.txt", "b.txt"):
        (tmp_path / name).write_bytes(TEXT.encode("cp850"))
    (tmp_path / "c.txt").write_bytes(TEXT.encode("utf-8"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ts = read_transcripts(tmp_path)
    assert all(t.text == TEXT for t in ts) and len(ts) == 3
    messages = sorted(str(w.message) for w in caught if "read as" in str(w.message))
    assert messages == [f"{tmp_path / n}: read as CP850 (old DOS), not UTF-8; save it as "
                        "UTF-8 to be sure" for n in ("a.txt", "b.txt")]


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "cp850", "mac_roman",
                                      "cp1252", "utf-8"])
def test_detect_encoding_names_it(encoding):
    assert detect_encoding(TEXT.encode(encoding)) == encoding


def test_swedish_score():
    assert swedish_score("Då är inspelningen igång") == 3
    assert swedish_score("D† „r inspelningen ig†ng") == -3  # CP850 read as Windows-1252
    assert swedish_score("IP: ”Bra” – 5 €") == 0  # common punctuation counts for nothing


def test_windows_1252_without_swedish_letters_stays_windows_1252(tmp_path):
    # 0x94 ” is ö in CP850, 0x96 – is û: a Swedish file with only quotes and
    # dashes is not turned into "öHejö"
    p = tmp_path / "citat.txt"
    p.write_bytes("I: Vad sa hon?\nIP: ”Vi kan inte vänta” – sa hon.\n"
                  .replace("ä", "a").encode("cp1252"))
    [t], caught = _read(p)
    assert "”Vi kan inte vanta” – sa hon." in t.text and caught == []


def test_undecodable_bytes_are_still_refused(tmp_path):
    # 0x81 0x8d 0x8f 0x90: CP850 "üìÅÉ", MacRoman "Åçèê" — not Swedish either
    p = tmp_path / "trasig.txt"
    p.write_bytes(b"I: Hej\nIP: \x81\x8d\x8f\x90\n")
    with pytest.raises(InputError, match=r"trasig\.txt: cannot decode.*\[E104\]"):
        read_transcript(p)


def _docx_bytes():
    from docx import Document
    doc = Document()
    doc.add_paragraph("I: Hur började det?")
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _zip_bytes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("a.txt", TEXT)
    return buffer.getvalue()


@pytest.mark.parametrize("name,data", [
    ("bild.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\x00\x00\x01\x00\x08\x06"),
    ("arkiv.txt", _zip_bytes()),
    ("word.txt", _docx_bytes()),
    ("nollor.txt", b"\x00" * 4096),
    ("utf32.txt", TEXT.encode("utf-32-le")),  # UTF-32 without BOM: not UTF-16
    ("udda.txt", TEXT.encode("utf-16-le")[:-1]),  # an odd number of bytes
], ids=lambda v: v if isinstance(v, str) else "")  # (zip bytes hold the time: no bytes in ids)
def test_binary_is_still_refused(tmp_path, name, data):
    p = tmp_path / name
    p.write_bytes(data)
    with pytest.raises(InputError, match=rf"{re.escape(name)}: not a text file \(binary content\); "
                                         r"expected UTF-8, UTF-16 or Windows-1252 text \[E103\]"):
        read_transcript(p)


@pytest.mark.parametrize("text", ["Han sa ”nej” till Müller.", "Budget: 500 € … Müller sa nej.",
                                  "He said ”no”. We use Teams™ and it’s fine."])
def test_windows_1252_with_curly_quotes_and_one_odd_letter_stays_windows_1252(text):
    """” is byte 0x94, "ö" in CP850: a few quotes and a "ü" are not Swedish
    text in another encoding (a review found these read as CP850/MacRoman)."""
    assert detect_encoding(text.encode("cp1252")) == "cp1252"
