"""codingkit: code Swedish interview transcripts against a codebook of themes.

>>> import codingkit as ck
>>> transcripts = ck.read_transcripts(["transcripts/"])          # doctest: +SKIP
>>> codebook = ck.load_codebook()                                # the default codebook
>>> result = ck.Coder(codebook).code(transcripts)                # doctest: +SKIP
>>> result.frequencies()                                         # doctest: +SKIP

Heavy libraries (spaCy, pandas, scikit-learn) are imported only when a
function that needs them is called, so ``import codingkit`` is fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from .errors import (
    CodebookError,
    CodingkitError,
    CodingkitWarning,
    EvaluationError,
    InputError,
    ManifestError,
    OutputError,
    RefiQdaError,
    ResultsFolderError,
)
from .model import Code, Codebook, Coding, CodingResult, Rule, Segment, Transcript, Turn

__version__ = "0.1.0"

# public name -> module that defines it (imported on first use)
_LAZY = {
    "read_transcripts": ".readers",
    "read_transcript": ".readers",
    "read_manifest": ".readers.manifest",
    "load_codebook": ".codebook",
    "validate_codebook": ".codebook",
    "default_codebook_path": ".codebook",
    "segment": ".segmenting",
    "Coder": ".coding",
    "write_outputs": ".writers",
    "read_results": ".writers",
    "evaluate": ".evaluation",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module = import_module(_LAZY[name], __name__)
        return getattr(module, name)
    raise AttributeError(f"module 'codingkit' has no attribute {name!r}")


__all__ = [
    "__version__",
    "Code",
    "Codebook",
    "Coding",
    "CodingResult",
    "Rule",
    "Segment",
    "Transcript",
    "Turn",
    "CodingkitError",
    "CodingkitWarning",
    "CodebookError",
    "EvaluationError",
    "InputError",
    "ManifestError",
    "OutputError",
    "RefiQdaError",
    "ResultsFolderError",
    *_LAZY,
]
