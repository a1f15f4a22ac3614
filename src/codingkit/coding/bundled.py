"""The learned coder bundled with the default codebook.

The default codebook (``innovationsupphandling``) comes with a coder learned
from the 100 human-coded learning interviews of codingkit's gold standard
(built by ``tools/build_default_coder.py``; what it learned from, when,
and the agreement it reached on interviews it never saw are recorded in
``codingkit/data/coder-<codebook id>.json``). ``codingkit apply`` with the
default codebook codes with it; ``--rules-only`` codes with the codebook
alone. A codebook of your own is not affected.

>>> info = bundled_info()
>>> info["codebook"]["id"], info["learned_from"]["interviews"]
('innovationsupphandling', 100)
"""

from __future__ import annotations

import copy
import functools
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from ..model import Codebook
    from .coder import Coder

__all__ = ["bundled_coder", "bundled_info", "bundled_paths", "DEFAULT_CODEBOOK_ID", "USER_WEIGHT"]

#: The codebook a learned coder is bundled for.
DEFAULT_CODEBOOK_ID = "innovationsupphandling"


def bundled_paths(codebook_id: str = DEFAULT_CODEBOOK_ID) -> tuple[Path, Path]:
    """The coder file and its description (``.ckm``, ``.json``) for a codebook id."""
    folder = Path(__file__).resolve().parent.parent / "data"
    return folder / f"coder-{codebook_id}.ckm", folder / f"coder-{codebook_id}.json"


def bundled_info(codebook_id: str = DEFAULT_CODEBOOK_ID) -> dict[str, Any] | None:
    """What the bundled coder learned from and how well it agrees (``None``: none bundled)."""
    _, info = bundled_paths(codebook_id)
    if not info.is_file():
        return None
    return json.loads(info.read_text(encoding="utf-8"))


def bundled_coder(codebook: "Codebook | None" = None, *, unit: str = "turn",
                  similarity: str = "tfidf", code_interviewer: bool = False
                  ) -> "Coder | None":
    """The learned coder bundled for ``codebook`` (default: the default
    codebook), or ``None`` when there is none for it, for its version, or
    for these options (it was learned on turns, with TF-IDF similarity,
    coding respondents only).

    >>> coder = bundled_coder()
    >>> coder.codebook_.id, coder.learner_ is not None, coder.provenance_
    ('innovationsupphandling', True, 'bundled')
    """
    from ..codebook import load_codebook

    codebook = codebook if codebook is not None else load_codebook()
    info = bundled_info(codebook.id)
    if info is None or info["codebook"] != {"id": codebook.id, "version": codebook.version}:
        return None
    if info["options"] != {"unit": unit, "similarity": similarity,
                           "code_interviewer": code_interviewer}:
        return None
    path, _ = bundled_paths(codebook.id)
    stat = path.stat()
    coder = copy.copy(_load(str(path), stat.st_mtime_ns, stat.st_size))
    if not _same_codebook(coder.codebook_, codebook):  # same id and version, other content
        return None
    coder.codebook_ = codebook  # the same content, from this machine's file (manifest.json)
    return coder


def _same_codebook(a: "Codebook", b: "Codebook") -> bool:
    """The same codebook content, wherever its file lies."""
    import dataclasses

    if a.sha256 and b.sha256:
        return a.sha256 == b.sha256
    return dataclasses.replace(a, path=None) == dataclasses.replace(b, path=None)


@functools.lru_cache(maxsize=2)
def _load(path: str, mtime_ns: int, size: int) -> "Coder":
    """The saved coder, loaded once per process (and again if the file changes)."""
    from .coder import Coder

    coder = Coder.load(path)
    coder.provenance_ = "bundled"
    # its gold interviews are fictional (no one's personal data): it, and a
    # coder learned on top of it from pseudonymised texts, may be saved
    # inside a folder meant to be shared (Coder.save)
    coder.holds_originals_ = False
    return coder


#: Weight of a researcher's own coding when ``apply``/``evaluate``
#: ``--learn-from`` learn on top of the bundled coder's gold (a gold turn
#: weighs 1). Chosen by cross-validation on the gold learning sets
#: (``benchmarks/user_weight.py``; figures in ``benchmarks/RESULTS.md``).
USER_WEIGHT = 2.0
