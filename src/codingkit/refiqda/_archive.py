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

from ..errors import RefiQdaError

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
    """A checked zip archive: entries by name, case-insensitive lookup."""

    def __init__(self, path: str | os.PathLike[str], *, max_total: int = MAX_TOTAL_BYTES,
                 max_ratio: float = MAX_RATIO) -> None:
        self.path = Path(path)
        where = str(self.path)
        try:
            self._zip = zipfile.ZipFile(self.path)
        except (OSError, zipfile.BadZipFile) as exc:
            raise RefiQdaError(f"cannot open the archive ({exc}); expected a .qdpx (zip) file",
                               path=where, code="E530") from None
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
        self._lower = {}
        for n in self.names:
            self._lower.setdefault(n.replace("\\", "/").lower(), n)

    def find(self, name: str) -> str | None:
        """The entry called ``name``, ignoring case and ``\\`` vs ``/``."""
        return self._lower.get(name.replace("\\", "/").lower())

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
        self._zip.close()

    def __enter__(self) -> "SafeArchive":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
