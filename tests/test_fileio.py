"""Atomic writes: whole files or nothing, with the permissions a plain write would give."""

import os
import stat

import pytest

from codingkit.fileio import atomic_path, atomic_write_text


def _mode(path):
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_new_files_get_the_umask_mode_not_a_private_one(tmp_path):
    old = os.umask(0o022)
    try:
        atomic_write_text(tmp_path / "codings.csv", "segment_id,code\n")
        plain = tmp_path / "plain.csv"
        plain.write_text("x\n", encoding="utf-8")
        assert _mode(tmp_path / "codings.csv") == _mode(plain) == 0o644
        os.umask(0o077)
        atomic_write_text(tmp_path / "privat.csv", "x\n")
        assert _mode(tmp_path / "privat.csv") == 0o600
    finally:
        os.umask(old)


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_a_replaced_file_keeps_its_mode(tmp_path):
    target = tmp_path / "frequencies.csv"
    target.write_text("gammal\n", encoding="utf-8")
    target.chmod(0o640)
    atomic_write_text(target, "ny\n")
    assert target.read_text(encoding="utf-8") == "ny\n" and _mode(target) == 0o640


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "segments.csv"
    target.write_text("gammal\n", encoding="utf-8")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_text("halv", encoding="utf-8")
            raise RuntimeError("avbrott")
    assert target.read_text(encoding="utf-8") == "gammal\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["segments.csv"]
