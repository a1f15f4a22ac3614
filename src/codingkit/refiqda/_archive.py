"""Open an untrusted ``.qdpx`` archive safely.

Before anything is read, every entry is checked: no absolute paths, no
``..``, no symbolic links, a total uncompressed size under a limit and no
entry that expands far beyond its compressed size (a "zip bomb").
"""

from __future__ import annotations

import os
import stat
import zipfile
from pathlib import Path, PurePosixPath

from ..errors import InputError, RefiQdaError

#: Largest total uncompressed size accepted (bytes).
MAX_TOTAL_BYTES = 512 * 1024 * 1024
#: Largest ratio uncompressed/compressed accepted for entries over 1 MiB.
MAX_RATIO = 200
_RATIO_MIN_SIZE = 1024 * 1024


def safe_entry_name(name: str) -> bool:
    """Whether a zip entry name stays inside the folder it is extracted to."""
    if not name or "\x00" in name:
        return False
    norm = name.replace("\\", "/")
    if norm.startswith("/") or (len(norm) > 1 and norm[1] == ":"):
        return False
    return ".." not in PurePosixPath(norm).parts


class SafeArchive:
    """A checked zip archive: entries by name (exact, else the one that differs in case)."""

    def __init__(self, path: str | os.PathLike[str], *, max_total: int = MAX_TOTAL_BYTES,
                 max_ratio: float = MAX_RATIO) -> None:
        from ..readers.limits import open_regular

        self.path = Path(path)
        where = str(self.path)
        # a named pipe (or a device) named x.qdpx would block or never end: E111
        try:
            self._file = open_regular(self.path, "a .qdpx (zip) file")
        except InputError as exc:
            if exc.code != "E101":
                raise
            raise RefiQdaError(f"cannot open the archive ({exc.message.removeprefix('cannot be read (')}; "
                               "expected a .qdpx (zip) file", path=where, code="E530") from None
        try:
            self._zip = zipfile.ZipFile(self._file)
        except (OSError, zipfile.BadZipFile) as exc:
            self._file.close()
            raise RefiQdaError(f"cannot open the archive ({exc}); expected a .qdpx (zip) file",
                               path=where, code="E530") from None
        try:
            self._check(where, max_total, max_ratio)
        except BaseException:
            self.close()
            raise

    def _check(self, where: str, max_total: int, max_ratio: float) -> None:
        total = 0
        self.names: list[str] = []
        for info in self._zip.infolist():
            if not safe_entry_name(info.filename):
                raise RefiQdaError(f"refused: entry {info.filename!r} would escape the output "
                                   f"folder; expected relative paths inside the archive",
                                   path=where, code="E532")
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                raise RefiQdaError(f"refused: entry {info.filename!r} is a symbolic link; "
                                   f"expected plain files", path=where, code="E532")
            total += info.file_size
            if total > max_total:
                raise RefiQdaError(f"refused: the archive expands to more than "
                                   f"{max_total // (1024 * 1024)} MiB; expected a smaller project",
                                   path=where, code="E533")
            if (info.file_size > _RATIO_MIN_SIZE
                    and info.file_size > max_ratio * max(info.compress_size, 1)):
                raise RefiQdaError(f"refused: entry {info.filename!r} expands "
                                   f"{info.file_size / max(info.compress_size, 1):.0f} times "
                                   f"(limit {max_ratio:.0f}); expected an ordinary archive",
                                   path=where, code="E533")
            if not info.is_dir():
                self.names.append(info.filename)
        # every entry under its name (``\\`` read as ``/``) and its lowercased name:
        # a zip may hold two entries of the same name, or names that differ in case
        self._exact: dict[str, list[str]] = {}
        self._lower: dict[str, list[str]] = {}
        for n in self.names:
            norm = n.replace("\\", "/")
            self._exact.setdefault(norm, []).append(n)
            self._lower.setdefault(norm.lower(), []).append(n)

    def find(self, name: str) -> str | None:
        """The entry called ``name`` (``\\`` read as ``/``): the entry of exactly that
        name, else the one entry whose name differs only in case, else ``None``.

        Raises
        ------
        RefiQdaError
            E537 when the archive holds two entries of exactly that name, or,
            with none of exactly that name, two or more that differ from it
            only in case: which one is meant cannot be told.
        """
        norm = name.replace("\\", "/")
        exact = self._exact.get(norm, [])
        if len(exact) == 1:
            return exact[0]
        if len(exact) > 1:
            raise RefiQdaError(f"the archive holds {len(exact)} entries named {norm!r}; "
                               f"expected one", path=str(self.path), code="E537")
        similar = self._lower.get(norm.lower(), [])
        if len(similar) > 1:
            raise RefiQdaError(f"no entry is named {norm!r}, and {len(similar)} differ from it "
                               f"only in case ({', '.join(repr(n) for n in sorted(similar))}); "
                               f"expected one entry of that name", path=str(self.path),
                               code="E537")
        return similar[0] if similar else None

    def sha256(self) -> str:
        """The sha256 of the archive's bytes (of the file opened, read again)."""
        import hashlib

        h = hashlib.sha256()
        self._file.seek(0)
        for chunk in iter(lambda: self._file.read(1 << 20), b""):
            h.update(chunk)
        return h.hexdigest()

    def size(self, name: str) -> int:
        """The uncompressed size of entry ``name`` as declared (reading stops there)."""
        return self._zip.getinfo(name).file_size

    def read(self, name: str) -> bytes:
        try:
            return self._zip.read(name)
        except (zipfile.BadZipFile, OSError, RuntimeError) as exc:
            raise RefiQdaError(f"cannot read entry {name!r} ({exc}); expected an intact archive",
                               path=str(self.path), code="E530") from None

    def close(self) -> None:
        try:
            self._zip.close()
        finally:
            self._file.close()

    def __enter__(self) -> "SafeArchive":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
