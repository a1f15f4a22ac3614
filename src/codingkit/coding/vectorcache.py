"""The vectors of a saved coder's human-coded texts, kept between runs.

A saved coder (the one bundled with the default codebook, or one written
with ``--save-model``) keeps the human-coded texts its neighbour features
compare with, not their vectors (they would make the file several times
larger). Loading it vectorises those texts again — about a second for the
bundled coder's 2,422 texts, paid by every ``codingkit apply``. So the
vectors are kept in a file in the cache folder of
:func:`codingkit.swedish.lemma_cache_dir` (``~/.cache/codingkit`` or
``$CODINGKIT_CACHE``), named after

* the SHA-256 of the saved coder's content and of the texts themselves, and
* the code and data that make the vectors: this codingkit's version, the
  source of the modules that tokenise, lemmatise and vectorise, and the
  versions of spaCy and spacy-lookups-data,

so a changed coder file or a changed codingkit never reads vectors made by
another. The file is written atomically; a folder that cannot be written,
a file that cannot be read, or an installation without the modules' source
only means the vectors are made again. The vectors are the same either way
(the file holds the float32 values a saved coder rounds them to). The
folder keeps the :data:`KEPT` most recently written of these files.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator, Sequence

if TYPE_CHECKING:  # pragma: no cover
    from scipy import sparse

__all__ = ["loading", "cached_vectors", "KEPT"]

#: How many vector files the cache folder keeps (the newest; about 5 MB each
#: for the bundled coder).
KEPT = 8

_STATE = threading.local()


@contextlib.contextmanager
def loading(digest: str) -> Iterator[None]:
    """While a saved coder with content digest ``digest`` is being unpickled
    (``with loading(digest): pickle.loads(...)``), :func:`cached_vectors`
    may use the cache file of that coder."""
    before = getattr(_STATE, "digest", None)
    _STATE.digest = digest
    try:
        yield
    finally:
        _STATE.digest = before


@functools.lru_cache(maxsize=1)
def _code_digest() -> str:
    """What the vectors depend on besides the coder: codingkit's version, the
    source of the modules that make them, spaCy's and the lemma table's versions."""
    import spacy

    from .. import __version__
    from ..swedish import _lookup_source

    h = hashlib.sha256(f"{__version__}\0{spacy.__version__}\0{_lookup_source()[0]}".encode())
    here = Path(__file__).resolve().parent
    for name in ("similarity.py", "features.py", "tokens.py", "../swedish.py"):
        h.update((here / name).read_bytes())
    return h.hexdigest()


def _cache_file(texts: Sequence[str]) -> Path | None:
    digest = getattr(_STATE, "digest", None)
    if not digest:
        return None
    from ..swedish import lemma_cache_dir

    try:
        code = _code_digest()
    except Exception:  # noqa: BLE001 - e.g. no source files: no cache
        return None
    h = hashlib.sha256(f"{digest}\0{code}\0{len(texts)}".encode())
    for t in texts:
        h.update(t.encode("utf-8", "surrogatepass") + b"\0")
    return lemma_cache_dir() / f"coder-vectors-{h.hexdigest()[:32]}.npz"


def _keep_newest(folder: Path, kept: int) -> None:
    """Remove all but the ``kept`` most recently written vector files."""
    try:
        files = sorted(folder.glob("coder-vectors-*.npz"), key=lambda f: f.stat().st_mtime,
                       reverse=True)
        for f in files[kept:]:
            f.unlink(missing_ok=True)
    except OSError:
        pass


def cached_vectors(texts: Sequence[str], make: Callable[[], "sparse.csr_matrix"]
                   ) -> "sparse.csr_matrix":
    """``make()`` (the vectors of ``texts``) rounded to float32, as float64:
    read from the cache file of the coder being loaded, else made and written
    there. Outside :class:`loading`, simply made."""
    import numpy as np
    from scipy import sparse

    path = _cache_file(texts)
    if path is not None and path.is_file():
        try:
            X = sparse.load_npz(path)
        except Exception:  # noqa: BLE001 - an unreadable cache file is made again
            X = None
        if X is not None and X.shape[0] == len(texts) and X.dtype == np.float32:
            return X.tocsr().astype(np.float64)
    X = make().astype(np.float32)
    if path is not None:
        from ..fileio import atomic_path

        try:
            with atomic_path(path) as tmp:
                with open(tmp, "wb") as fh:
                    sparse.save_npz(fh, X.tocsr(), compressed=True)
            _keep_newest(path.parent, KEPT)
        except OSError:
            pass  # no cache: the vectors are made again next time
    return X.astype(np.float64)
