"""Errors and warnings raised by codingkit.

Every error a user can cause (a missing file, a malformed codebook, an
undecodable transcript, ...) is a :class:`CodingkitError`. Its message is one
line that names the file (and line, where there is one) and says what was
expected. Each message starts with a stable code (``E101``, ...) so that it
can be searched for in the documentation and in issue trackers.

The command line turns these errors into ``Error: <message>`` and exit
status 1; the library never prints.

Codes
-----
E1xx  input files and transcripts (readers)
E2xx  codebooks
E3xx  manifests and metadata
E4xx  outputs
E5xx  REFI-QDA import and export
E6xx  evaluation and learning (human coding)
E8xx  reports (codingkit report) and the results folder's contract
"""

from __future__ import annotations

import os
from typing import Iterable


class CodingkitError(Exception):
    """Base class of every error a user can cause.

    Parameters
    ----------
    message:
        What went wrong and what was expected, in one line.
    path:
        The file the error is about, if any.
    line:
        The 1-based line in that file, if known.
    code:
        A stable error code such as ``"E101"``.
    """

    default_code = "E000"

    def __init__(
        self,
        message: str,
        *,
        path: str | os.PathLike[str] | None = None,
        line: int | None = None,
        code: str | None = None,
    ) -> None:
        self.message = message
        self.path = os.fspath(path) if path is not None else None
        self.line = line
        self.code = code or self.default_code
        super().__init__(str(self))

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = self.path
            if self.line is not None:
                where += f", line {self.line}"
            where += ": "
        return f"{where}{self.message} [{self.code}]"


class InputError(CodingkitError):
    """A transcript or other input file cannot be read."""

    default_code = "E100"


class CodebookError(CodingkitError):
    """A codebook is malformed or invalid.

    ``problems`` holds every problem found in the file as
    ``(line, message)`` pairs, so that all of them can be reported at once.
    """

    default_code = "E200"

    def __init__(
        self,
        message: str,
        *,
        path: str | os.PathLike[str] | None = None,
        line: int | None = None,
        code: str | None = None,
        problems: Iterable[tuple[int | None, str]] | None = None,
    ) -> None:
        self.problems = list(problems or [])
        super().__init__(message, path=path, line=line, code=code)

    def __str__(self) -> str:
        if len(self.problems) <= 1:
            return super().__str__()
        where = f"{self.path}: " if self.path else ""
        parts = [
            (f"line {ln}: {msg}" if ln is not None else msg) for ln, msg in self.problems
        ]
        return f"{where}{len(self.problems)} problems: " + "; ".join(parts) + f" [{self.code}]"


class ManifestError(CodingkitError):
    """A manifest (file → project, round, role) is malformed."""

    default_code = "E300"


class OutputError(CodingkitError):
    """An output cannot be written (e.g. the folder exists and is not empty)."""

    default_code = "E400"


class RefiQdaError(CodingkitError):
    """A REFI-QDA file (.qdc, .qdpx, .qde) cannot be read or written."""

    default_code = "E500"


class EvaluationError(CodingkitError):
    """Human coding cannot be read or aligned, or an evaluation is impossible."""

    default_code = "E600"


class NotFittedError(EvaluationError):
    """A coder is used where it must have been fitted first (E615)."""

    default_code = "E615"


class ReportError(CodingkitError):
    """A results folder cannot be reported on (not one, another schema
    version, an unknown round)."""

    default_code = "E800"


class CodingkitWarning(UserWarning):
    """Something was read, but not as cleanly as expected.

    Example: a transcript without recognisable speaker labels is read as a
    single turn by an unknown speaker, with this warning.
    """

    def __init__(self, message: str, *, path: str | os.PathLike[str] | None = None,
                 line: int | None = None) -> None:
        self.path = os.fspath(path) if path is not None else None
        self.line = line
        where = ""
        if self.path is not None:
            where = self.path + (f", line {line}" if line is not None else "") + ": "
        super().__init__(where + message)


class LittleHumanCodingWarning(CodingkitWarning):
    """Some codes have too little human coding to be learned (they keep the
    codebook's coding); see :data:`codingkit.coding.learned.DEFAULTS`
    ``min_positives``."""
