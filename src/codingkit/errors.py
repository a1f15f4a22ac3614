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
E2xx  codebooks (E205 a user pattern refused, E206 a pattern search over its
      time limit: :mod:`codingkit.patterns`)
E3xx  manifests and metadata
E4xx  outputs
E5xx  REFI-QDA import and export
E6xx  evaluation and learning (human coding)
E8xx  pseudonymisation (see the end of this module)
E9xx  reports (codingkit report) and reading a results folder back
      (E901, E902, E905: :mod:`codingkit.writers.readback`)
"""

from __future__ import annotations

import os
import unicodedata
from typing import Iterable


#: Characters that :func:`one_line` escapes besides the control characters
#: (Unicode category Cc): line and paragraph separators (``str.splitlines``
#: splits at them), the bidirectional overrides and isolates (they reorder
#: what a terminal shows) and lone surrogates (the bytes of a file name that
#: are not UTF-8).
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _escaped(ch: str) -> bool:
    return unicodedata.category(ch) in ("Cc", "Zl", "Zp", "Cs") or ch in _BIDI


def one_line(text: str) -> str:
    r"""``text`` with its control characters escaped as Python writes them in
    a string literal (``\n``, ``\r``, ``\t``, ``\x1b``, ``\u2028``,
    ``\udcff``), so that a message naming a file stays one line and cannot
    colour or move a terminal's text. Letters such as å, ä and ö stay as
    they are; backslashes too (Windows paths).

    >>> print(one_line("intervjuer/a\nb\x1b[31m.txt: åäö"))
    intervjuer/a\nb\x1b[31m.txt: åäö
    """
    if text.isprintable() and text.isascii():   # the common case, fast
        return text
    return "".join(repr(ch)[1:-1] if _escaped(ch) else ch for ch in text)


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
        # one line whatever the file name (or a quoted value) holds
        return one_line(f"{where}{self.message} [{self.code}]")


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
        return one_line(f"{where}{len(self.problems)} problems: " + "; ".join(parts)
                        + f" [{self.code}]")


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


class ResultsFolderError(CodingkitError):
    """A folder is not a results folder of ``codingkit apply`` (E901), is one of
    another schema version (E902), or holds a malformed table (E905): the one
    set of codes of :mod:`codingkit.writers.readback`, whoever reads it back
    (report, REFI-QDA export, evaluate)."""

    default_code = "E901"


class ReportError(CodingkitError):
    """A results folder cannot be reported on (not one, another schema
    version, an unknown round)."""

    default_code = "E900"


class PseudonymError(CodingkitError):
    """A key, list or table for pseudonymisation cannot be used, or a
    pseudonymised run cannot be made or written (E8xx; importable from
    :mod:`codingkit.pseudonymize` too)."""

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
        super().__init__(one_line(where + message))


class LittleHumanCodingWarning(CodingkitWarning):
    """Some codes have too little human coding to be learned (they keep the
    codebook's coding); see :data:`codingkit.coding.learned.DEFAULTS`
    ``min_positives``."""


class UnfairTestWarning(CodingkitWarning):
    """Agreement that is not a fair test of codingkit's coding: the coder
    learned from the turns evaluated, or the "human" coding is codingkit's
    own. ``kind`` says which (``"bundled_learned_from"``,
    ``"evaluated_learned"``, ``"own_coding"``) and ``details`` holds its
    figures; ``codingkit evaluate --out`` records both in ``agreement.json``
    (``"warnings"``) and ``codingkit report`` shows them by the figures."""

    def __init__(self, message: str, *, kind: str, details: dict | None = None,
                 path: str | os.PathLike[str] | None = None, line: int | None = None) -> None:
        super().__init__(message, path=path, line=line)
        self.kind = kind
        self.details = dict(details or {})

    def record(self) -> dict:
        """The warning as ``agreement.json`` records it."""
        return {"kind": self.kind, "message": str(self), **self.details}


#: Every error code and the one kind of problem it stands for (a test checks
#: that each code raised anywhere in codingkit is here, and that no two codes
#: share a meaning). The README's "Errors" section lists the classes.
ERROR_CODES: dict[str, str] = {
    "E000": "an error without a more specific code",
    # E1xx transcripts and other input files
    "E100": "an input file cannot be read",
    "E101": "a transcript file or folder is missing or cannot be opened",
    "E102": "a transcript or survey is empty (no text, no answers)",
    "E103": "binary content where text was expected",
    "E104": "text that cannot be decoded",
    "E105": "an unknown file type or reader format",
    "E106": "a corrupt Word (.docx) or Excel (.xlsx) file",
    "E107": "a malformed subtitle (.vtt/.srt) or CSV file",
    "E108": "a bad reading option: survey column, speaker pattern",
    "E109": "two inputs with the same source name",
    "E110": "a folder without transcripts",
    "E111": "not a regular file (a named pipe, a device, a socket)",
    "E112": "over a size limit (file, unpacked archive, turn)",
    "E113": "with --strict: a folder or file that cannot be read",
    "E114": "a file that changed between the run's first reading and its coding",
    "E115": "codingkit's own output (a coding sheet, a results table) given as a survey",
    # E2xx codebooks
    "E200": "a codebook cannot be used",
    "E201": "the codebook file is missing",
    "E202": "the codebook is not well-formed YAML",
    "E203": "the codebook breaks the codebook format (every problem with its line)",
    "E204": "an unknown codebook format (suffix)",
    "E205": "a user's regular expression refused (does not compile, or backtracks "
            "catastrophically)",
    "E206": "a search with a user's regular expression ran over its time limit",
    "E207": "a theme id that is also a column of the coding sheet (om_annat, comment)",
    # E3xx manifests and metadata
    "E300": "a manifest cannot be used",
    "E301": "a manifest without a header or a file column",
    "E302": "a manifest row names a file that does not exist",
    "E303": "a manifest lists a file twice",
    "E304": "a malformed manifest",
    # E4xx outputs
    "E400": "an output cannot be written",
    "E401": "the results folder is a file",
    "E402": "the results folder is not empty (give --force)",
    "E403": "an unknown output format",
    "E404": "frequencies per a metadata column no transcript has",
    "E405": "another run is writing the same results folder",
    "E406": "the results folder (or its parent) cannot be written",
    "E407": "the results folder would hold an input",
    "E408": "an output file exists (give --force to replace it)",
    "E409": "the cache folder (--cache) cannot be created",
    # E5xx REFI-QDA
    "E500": "a REFI-QDA file cannot be read",
    "E501": "a codebook without codes cannot be exported",
    "E502": "a code whose parent is not in the codebook",
    "E503": "a REFI-QDA code with a bad or repeated GUID",
    "E504": "a REFI-QDA codebook without CodeBook/Codes",
    "E505": "a coding with a code the codebook lacks",
    "E510": "a DOCTYPE or ENTITY in REFI-QDA XML (refused)",
    "E511": "a REFI-QDA file that is not XML",
    "E520": "a transcript text not as codingkit's readers produce it (NFC, \\n)",
    "E521": "two transcripts with the same name in a project",
    "E522": "a segment whose transcript is missing",
    "E523": "a segment whose offsets do not give its text",
    "E524": "a coding of an unknown segment",
    "E530": "not a .qdpx (zip) archive",
    "E532": "an archive entry that would escape the folder (zip-slip, links)",
    "E533": "an archive or source that expands past its limit (zip bomb)",
    "E534": "a .qdpx without exactly one project .qde",
    "E535": "a project source that cannot be decoded",
    "E536": "a malformed REFI-QDA project",
    "E537": "two archive entries a name could mean (the same name twice, or names that "
            "differ only in case)",
    "E541": "an input or codebook of a results folder not found",
    "E542": "an input changed since it was coded",
    "E543": "the codebook changed since the run",
    "E544": "a segment of a results folder that does not fit its re-read transcript",
    "E546": "a results folder pseudonymised while coding, given to export-project (its "
            "texts were never written), or one of pseudonymised copies (no path recorded)",
    # E6xx evaluation and learning
    "E600": "an evaluation cannot be made",
    "E601": "human coding not found",
    "E602": "a human-coding file without usable columns, or mixing shapes",
    "E603": "a bad value in human coding",
    "E604": "splits asked for but no split table read",
    "E605": "a split with no transcript",
    "E606": "the human coding does not fall on the transcripts given",
    "E607": "predictions of an unknown type, or a codings table without its segments",
    "E608": "an unknown evaluation level",
    "E609": "human coding that uses no code of the codebook",
    "E610": "an unknown metric",
    "E611": "a learned model used before it was fitted",
    "E612": "an unknown combination mode",
    "E613": "not a coder saved by codingkit",
    "E614": "a saved coder of another format or for another codebook",
    "E615": "a coder used before it was fitted",
    "E616": "a coder to learn on top of that keeps no training texts or has another codebook",
    "E617": "turns marked as about something else that the human coding did not read",
    "E620": "cross-validation with too few folds or transcripts",
    "E621": "thresholds tuned without a similarity backend",
    "E622": "a tuned codebook would overwrite its original",
    "E623": "the tuned codebook's file exists (force=True / --force)",
    "E630": "evaluate given nothing to evaluate, or two things",
    "E631": "frequencies compared per an unknown column",
    "E632": "two different transcripts under one name",
    "E633": "a suggestion of turns to hand-code that cannot be made (n < 1, a coder "
            "that does not code turns)",
    "E634": "a source of a review project (granska.qdpx) whose text was edited since "
            "codingkit suggest wrote it",
    "E635": "a results folder evaluated (--pred) changed while it was read",
    # E7xx coding
    "E700": "the similarity model cannot be built or used",
    "E701": "the semantic backend is not installed",
    "E702": "an unknown similarity backend",
    "E703": "a similarity model used before it was fitted",
    "E704": "a similarity background that is not bundled",
    "E705": "the Dask extra is not installed (pip install 'codingkit[dask]')",
    # E8xx pseudonymisation
    "E800": "pseudonymisation cannot be done",
    "E801": "a --key file that is not a codingkit pseudonym key",
    "E802": "a key written for another pseudonym format, or an invalid format",
    "E803": "an unreadable --pseudonymize-list or --keep file",
    "E804": "a --key inside the results folder or another folder of pseudonymised results "
            "or copies",
    "E805": "a table given to depseudonymize that cannot be read as text",
    "E806": "a depseudonymized table written inside a folder of pseudonymised results or "
            "copies",
    "E807": "a run whose inputs mix pseudonymised copies and originals (or copies and a "
            "--manifest outside their folder)",
    "E808": "texts that are not pseudonymised written inside a folder of pseudonymised "
            "results or copies (apply, evaluate, report, export-project, import-project, "
            "suggest; in Python write_outputs, ResultWriter, build_report, Evaluation.write, "
            "write_qdpx, write_xlsx, write_review_sheet, write_review_project, Coder.save, "
            "CodingCache)",
    "E809": "two transcripts whose names would be one once pseudonymised (their source, "
            "or the file of their pseudonymised copy)",
    "E810": "a pseudonymised copy whose file name would hold a pseudonym with a character "
            "Windows does not allow in file names (<>:\"/\\|?*)",
    # E9xx reports, and reading a results folder back (writers.readback: E901, E902, E905)
    "E900": "a report cannot be made",
    "E901": "not a results folder of codingkit apply (no manifest.json, not codingkit's, "
            "a table missing)",
    "E902": "a results folder of a schema_version this codingkit does not read",
    "E903": "--since names no round of the folder, or its latest round",
    "E904": "a report --out that does not end in .html or .docx",
    "E905": "a results table lacks a column of the contract or holds a bad value",
    "E906": "agreement figures that cannot be read",
}
