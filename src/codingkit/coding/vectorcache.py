"""The vectors of a saved coder's human-coded texts, kept between runs.

A saved coder (the one bundled with the default codebook, or one written
with ``--save-model``) keeps the human-coded texts its neighbour features
compare with, not their vectors (they would make the file several times
larger). Loading it vectorises those texts again — about a second for the
bundled coder's 2,422 texts, paid by every ``codingkit apply``. So the
vectors are kept in a file in the cache folder of
:func:`codingkit.swedish.lemma_cache_dir` (``~/.cache/codingkit`` or
``$CODINGKIT_CACHE``), named after

* the SHA-256 of the saved coder's content, and
* the code and data that make the vectors: this codingkit's version, the
  source of the modules that tokenise, lemmatise and vectorise, and the
  versions of spaCy and spacy-lookups-data,

so a changed coder file or a changed codingkit never reads vectors made by
another. The file is written atomically; a folder that cannot be written,
or a file that cannot be read, only means the vectors are made again. The
vectors are the same either way (the file holds the float32 values a saved
coder rounds them to).
"""

from __future__ import annotations

import functools
import hashlib
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:  # pragma: no cover
    from scipy import sparse

__all__ = ["loading", "cached_vectors"]

_STATE = threading.local()


class loading:
    """While a saved coder with content digest ``digest`` is being unpickled
    (``with loading(digest): pickle.loads(...)``), :func:`cached_vectors`
    may use the cache file of that coder."""

    def __init__(self, digest: str) -> None:
        self.digest = digest

    def __enter__(self) -> None:
        _STATE.digest = self.digest

    def __exit__(self, *exc) -> None:
        _STATE.digest = None


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


def _cache_file() -> Path | None:
    digest = getattr(_STATE, "digest", None)
    if not digest:
        return None
    from ..swedish import lemma_cache_dir

    key = hashlib.sha256(f"{digest}\0{_code_digest()}".encode()).hexdigest()[:32]
    return lemma_cache_dir() / f"coder-vectors-{key}.npz"


def cached_vectors(n_rows: int, make: Callable[[], "sparse.csr_matrix"]
                   ) -> "sparse.csr_matrix":
    """``make()`` rounded to float32 (as float64), read from the cache file of
    the coder being loaded when it holds ``n_rows`` rows, else made and
    written there. Outside :class:`loading`, simply made."""
    import numpy as np
    from scipy import sparse

    path = _cache_file()
    if path is not None and path.is_file():
        try:
            X = sparse.load_npz(path)
        except Exception:  # noqa: BLE001 - an unreadable cache file is made again
            X = None
        if X is not None and X.shape[0] == n_rows and X.dtype == np.float32:
            return X.tocsr().astype(np.float64)
    X = make().astype(np.float32)
    if path is not None:
        from ..fileio import atomic_path

        try:
            with atomic_path(path) as tmp:
                with open(tmp, "wb") as fh:
                    sparse.save_npz(fh, X.tocsr(), compressed=True)
        except OSError:
            pass  # no cache: the vectors are made again next time
    return X.astype(np.float64)
