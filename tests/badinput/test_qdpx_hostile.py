"""Bad input: hostile and faulty REFI-QDA files (.qdpx, .qdc), issue 16.

Each probe goes through ``codingkit import-project`` / ``import-codebook`` as a
researcher runs it: one ``Error:`` line naming the file and what was
expected, exit status 1, and no output folder left behind. The probes that
held (XXE, billion laughs, XInclude, 1 GiB zip bombs, zip-slip, symlinks)
must keep holding; the ones that did not (a UTF-16 source with an odd byte
count, a 300-character source name) are fixed here. A small hypothesis
fuzz of the reader finds no exception other than codingkit's own.
"""

from __future__ import annotations

import io
import stat
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from codingkit.cli import cli
from codingkit.errors import CodingkitError, RefiQdaError
from codingkit.refiqda import read_qdc, read_qdpx, source_file_name

NS = 'xmlns="urn:QDA-XML:project:1.0"'
CODE = "c0de0000-0000-4000-8000-000000000001"
SRC = "5a5a5a5a-0000-4000-8000-000000000001"
USER = "11111111-1111-4111-8111-111111111111"
TEXT = "I: Hur började ni?\nIP: Vi bjöd in leverantörerna till en träff.\n"


def project_qde(name: str = "intervju.txt", *, text_path: str | None = None,
                extra: str = "", description: str = "") -> bytes:
    start = TEXT.index("Vi bjöd")
    end = start + len("Vi bjöd in leverantörerna")
    path = text_path or f"internal://{SRC}.txt"
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<Project {NS} name="prov" {extra}>'
            f'<Users><User guid="{USER}" name="Anna"/></Users>'
            f'<CodeBook><Codes><Code guid="{CODE}" name="Tidig dialog" isCodable="true">'
            f"<Description>{description}</Description></Code></Codes></CodeBook>"
            f'<Sources><TextSource guid="{SRC}" name="{name}" plainTextPath="{path}">'
            f'<PlainTextSelection guid="5e1e0000-0000-4000-8000-000000000001" '
            f'name="Vi bjöd in leverantörerna" startPosition="{start}" endPosition="{end}" '
            f'creatingUser="{USER}"><Coding guid="c0d10000-0000-4000-8000-000000000001" '
            f'creatingUser="{USER}"><CodeRef targetGUID="{CODE}"/></Coding>'
            f"</PlainTextSelection></TextSource></Sources></Project>").encode("utf-8")


def make_qdpx(path: Path, entries: list[tuple[object, bytes]]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for entry, data in entries:
            zf.writestr(entry, data)  # type: ignore[arg-type]
    return path


def good_entries(**kw) -> list[tuple[object, bytes]]:
    return [("project.qde", project_qde(**kw)), (f"sources/{SRC}.txt", TEXT.encode("utf-8"))]


def import_project(tmp_path: Path, archive: Path) -> tuple[int, list[str], Path]:
    out = tmp_path / "ut"
    result = CliRunner().invoke(cli, ["import-project", str(archive), "--out", str(out)])
    return result.exit_code, result.output.splitlines(), out


def assert_refused(tmp_path: Path, archive: Path, code: str, *needles: str) -> str:
    exit_code, lines, out = import_project(tmp_path, archive)
    assert exit_code == 1, lines
    errors = [ln for ln in lines if ln.startswith("Error:")]
    assert len(errors) == 1 and "Traceback" not in "\n".join(lines), lines
    line = errors[0]
    assert line.startswith(f"Error: {archive}") and line.endswith(f"[{code}]"), line
    for needle in needles:
        assert needle in line, line
    assert not out.exists(), "a refused import must leave no output folder"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".ut")] == []
    return line


# -- the good case, as a baseline -------------------------------------------------

def test_a_plain_project_imports(tmp_path):
    archive = make_qdpx(tmp_path / "bra.qdpx", good_entries())
    exit_code, lines, out = import_project(tmp_path, archive)
    assert exit_code == 0, lines
    assert (out / "sources" / "intervju.txt").read_text(encoding="utf-8") == TEXT


# -- XML attacks ------------------------------------------------------------------

XXE = (f'<?xml version="1.0"?>\n<!DOCTYPE Project [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
       f'<Project {NS} name="&xxe;"/>').encode()
LAUGHS = ('<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
          + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
                    for i in range(1, 10))
          + f']><Project {NS} name="&lol9;"/>').encode()
XINCLUDE_DESC = ('<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" '
                 'href="file:///etc/passwd" parse="text"/>')


@pytest.mark.parametrize("qde", [XXE, LAUGHS], ids=["xxe", "billion-laughs"])
def test_entity_attacks_in_qdpx_are_refused(tmp_path, qde):
    archive = make_qdpx(tmp_path / "x.qdpx", [("project.qde", qde)])
    assert_refused(tmp_path, archive, "E510", "project.qde", "DOCTYPE or ENTITY")


@pytest.mark.parametrize("qdc", [XXE.replace(b"Project", b"CodeBook"),
                                 LAUGHS.replace(b"Project", b"CodeBook")],
                         ids=["xxe", "billion-laughs"])
def test_entity_attacks_in_qdc_are_refused(tmp_path, qdc):
    path = tmp_path / "koder.qdc"
    path.write_bytes(qdc)
    out = tmp_path / "kodbok.yaml"
    result = CliRunner().invoke(cli, ["import-codebook", str(path), "--out", str(out)])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {path}") and "[E510]" in result.output
    assert len(result.output.splitlines()) == 1 and not out.exists()


def test_xinclude_is_not_followed_in_qdpx_or_qdc(tmp_path):
    archive = make_qdpx(tmp_path / "xi.qdpx", good_entries(description=XINCLUDE_DESC))
    project = read_qdpx(archive)
    assert "root:" not in project.codebook["tidig_dialog"].description
    qdc = tmp_path / "xi.qdc"
    qdc.write_text(f'<?xml version="1.0"?><CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
                   f'<Code guid="{CODE}" name="Tidig dialog" isCodable="true"><Description>'
                   f"{XINCLUDE_DESC}</Description></Code></Codes></CodeBook>", encoding="utf-8")
    assert all("root:" not in (c.description or "") for c in read_qdc(qdc))


# -- archive attacks ------------------------------------------------------------------

def _zip_with_raw_deflate(path: Path, small: list[tuple[str, bytes]], name: str,
                          deflated: bytes, size: int, crc: int) -> Path:
    """A zip whose entry ``name`` is given as raw deflate data (a real bomb, 1 MB)."""
    buf = io.BytesIO()
    central = []
    entries = [(n, zlib.compressobj(6, zlib.DEFLATED, -15), d) for n, d in small]
    items = [(n, (c.compress(d) + c.flush()), len(d), zlib.crc32(d)) for n, c, d in entries]
    items.append((name, deflated, size, crc))
    for n, data, usize, ucrc in items:
        offset = buf.tell()
        fname = n.encode()
        header = struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0, ucrc, len(data),
                             usize, len(fname), 0)
        buf.write(header + fname + data)
        central.append(struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 8, 0, 0, ucrc,
                                   len(data), usize, len(fname), 0, 0, 0, 0, 0, offset)
                       + fname)
    cd_start = buf.tell()
    for c in central:
        buf.write(c)
    buf.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(central), len(central),
                          buf.tell() - cd_start, cd_start, 0))
    path.write_bytes(buf.getvalue())
    return path


def test_a_1_gib_zip_bomb_entry_is_refused_before_reading(tmp_path):
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = comp.compress(b"\0" * (1 << 20)) + comp.flush(zlib.Z_FULL_FLUSH)
    crc, zeros = 0, b"\0" * (1 << 20)
    for _ in range(1024):
        crc = zlib.crc32(zeros, crc)
    archive = _zip_with_raw_deflate(tmp_path / "bomb.qdpx", [("project.qde", project_qde())],
                                    f"sources/{SRC}.txt", block * 1024 + comp.flush(),
                                    1 << 30, crc)
    assert archive.stat().st_size < 2 << 20
    with zipfile.ZipFile(archive) as zf:   # a genuine archive: 1 GiB declared and real
        assert zf.getinfo(f"sources/{SRC}.txt").file_size == 1 << 30
        assert zf.open(f"sources/{SRC}.txt").read(1 << 16) == b"\0" * (1 << 16)
    assert_refused(tmp_path, archive, "E533", "refused")


@pytest.mark.parametrize("entry", ["../utanfor.txt", "sources/../../utanfor.txt",
                                   "/etc/utanfor.txt", "..\\utanfor.txt", "C:\\utanfor.txt",
                                   "sources\\..\\..\\utanfor.txt"])
def test_zip_slip_entries_are_refused(tmp_path, entry):
    archive = make_qdpx(tmp_path / "slip.qdpx", good_entries() + [(entry, b"x")])
    assert_refused(tmp_path, archive, "E532", "would escape")
    assert not (tmp_path.parent / "utanfor.txt").exists()


def test_symlink_entries_are_refused(tmp_path):
    info = zipfile.ZipInfo(f"sources/{SRC}.txt")
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    archive = make_qdpx(tmp_path / "lank.qdpx", [("project.qde", project_qde()),
                                                  (info, b"/etc/passwd")])
    assert_refused(tmp_path, archive, "E532", "symbolic link")


# -- faults that did not hold ---------------------------------------------------------

@pytest.mark.parametrize("data, why", [
    (b"\xfe\xff" + "Hej".encode("utf-16-be") + b"\x00", "odd number of bytes (9)"),
    (b"\xff\xfe" + "Hej".encode("utf-16-le") + b"\x00", "odd number of bytes (9)"),
    (b"\xfe\xff\xdc\x00\x00a", "invalid sequence"),
])
def test_broken_utf16_source_is_one_coded_line(tmp_path, data, why):
    archive = make_qdpx(tmp_path / "utf16.qdpx", [("project.qde", project_qde()),
                                                   (f"sources/{SRC}.txt", data)])
    line = assert_refused(tmp_path, archive, "E535", why, f"!sources/{SRC}.txt")
    assert "UTF-16 byte-order mark" in line


def test_300_character_source_name_imports_and_blocks_nothing(tmp_path):
    name = "intervju_" + "å" * 291 + ".txt"
    archive = make_qdpx(tmp_path / "lang.qdpx", good_entries(name=name))
    exit_code, lines, out = import_project(tmp_path, archive)
    assert exit_code == 0, lines
    [written] = list((out / "sources").iterdir())
    assert len(written.name.encode("utf-8")) <= 120 and written.name.endswith(".txt")
    assert written.read_text(encoding="utf-8") == TEXT
    assert name in (out / "sources.csv").read_text(encoding="utf-8")
    # names stay unique when cut
    assert source_file_name("a" * 300 + "1") != source_file_name("a" * 300 + "2")


def test_a_failed_import_leaves_no_folder_behind(tmp_path):
    # sources named "x.txt" and "x.txt/y.txt": the second needs a folder where the
    # first is a file, so writing fails half-way; nothing may be left behind
    qde = (f'<?xml version="1.0"?><Project {NS} name="p"><Sources>'
           f'<TextSource guid="{SRC}" name="x.txt"><PlainTextContent>Hej</PlainTextContent>'
           f'</TextSource><TextSource guid="5a5a5a5a-0000-4000-8000-000000000002" '
           f'name="x.txt/y.txt"><PlainTextContent>Hopp</PlainTextContent></TextSource>'
           f"</Sources></Project>").encode()
    archive = make_qdpx(tmp_path / "krock.qdpx", [("project.qde", qde)])
    exit_code, lines, out = import_project(tmp_path, archive)
    errors = [ln for ln in lines if ln.startswith("Error:")]
    assert exit_code == 1 and len(errors) == 1, lines
    assert errors[0].startswith(f"Error: {out}: cannot write the imported project")
    assert errors[0].endswith("nothing was written [E400]")
    assert [p.name for p in tmp_path.iterdir()] == ["krock.qdpx"]


def test_source_larger_than_the_limit_is_refused_with_how_to_raise(tmp_path):
    big = ("IP: " + " ".join(f"{i:x}" for i in range(200_000)) + "\n").encode()  # 1.2 MB
    archive = make_qdpx(tmp_path / "stor.qdpx", [("project.qde", project_qde()),
                                                  (f"sources/{SRC}.txt", big)])
    with pytest.raises(RefiQdaError, match=r"more than the limit of 1 MiB per source.*"
                                           r"--max-source-mb.*\[E533\]"):
        read_qdpx(archive, max_source_bytes=1 << 20)
    out = tmp_path / "ut"
    result = CliRunner().invoke(cli, ["import-project", str(archive), "--out", str(out),
                                      "--max-source-mb", "2"])
    assert result.exit_code == 0, result.output


# -- fuzz ---------------------------------------------------------------------------

@pytest.mark.filterwarnings("ignore::codingkit.errors.CodingkitWarning")
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(qde_cut=st.integers(0, 2000), qde_flip=st.lists(st.tuples(st.integers(0, 2000),
                                                                   st.integers(0, 255)),
                                                         max_size=4),
       source=st.binary(max_size=64), prefix=st.sampled_from([b"", b"\xfe\xff", b"\xff\xfe",
                                                               b"\xef\xbb\xbf"]))
def test_fuzzed_qdpx_raises_only_codingkit_errors(tmp_path, qde_cut, qde_flip, source, prefix):
    qde = bytearray(project_qde())
    for pos, byte in qde_flip:
        if pos < len(qde):
            qde[pos] = byte
    qde = qde[: max(qde_cut, 1)] if qde_cut < len(qde) else qde
    archive = make_qdpx(tmp_path / "fuzz.qdpx", [("project.qde", bytes(qde)),
                                                  (f"sources/{SRC}.txt", prefix + source)])
    try:
        project = read_qdpx(archive)
    except CodingkitError as exc:
        assert exc.code.startswith("E5") and "\n" not in str(exc)
        return
    for name, text in project.sources.items():
        for row in project.selections.itertuples():
            if row.source == name:
                assert 0 <= row.start <= row.end <= len(text)
