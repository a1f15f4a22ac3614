"""The ``codingkit`` command line: a thin layer over the library.

Each command parses its options, calls one library function and prints a
short summary. Library errors (:class:`codingkit.CodingkitError`) become one
``Error: ...`` line on stderr and exit status 1, never a traceback.

Commands live in one module per area (``apply_cmd``, ``codebook_cmd``,
``refiqda_cmd``, ``evaluate_cmd``) and register themselves on :data:`cli`.
Heavy libraries are imported inside the commands, so ``codingkit --help``
answers fast.
"""

from __future__ import annotations

from . import (  # noqa: F401 - they register
    apply_cmd,
    codebook_cmd,
    evaluate_cmd,
    pseudonymize_cmd,
    refiqda_cmd,
    report_cmd,
    suggest_cmd,
)
from .main import cli, main

__all__ = ["cli", "main"]
