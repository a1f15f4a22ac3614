"""Reports a researcher can put in an interim report: ``codingkit report``.

:func:`build_report` reads a results folder of ``codingkit apply`` (and,
where present, the agreement figures of ``codingkit evaluate --out``) and
writes one self-contained HTML file or a Word document:

- the run's provenance (codebook, transcripts, date, options);
- a heatmap of theme × project/round (share of respondent turns, interviews);
- how each theme moved since the previous round (``since``);
- the co-occurrence of themes;
- per theme its definition, shares per group (with the measured error where
  agreement figures exist), the trend across rounds and a few diverse quotes
  with the matched words highlighted;
- the interviews with no coding.

The folder is checked against its contract first (:mod:`.results`); the
report is written atomically (a failed build leaves no file).
"""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import ReportError
from .results import SCHEMA_VERSION, SCHEMA_VERSIONS, Results, read_results, schema_path

FORMATS = {".html": "html", ".htm": "html", ".docx": "docx"}

__all__ = ["build_report", "check_report_location", "read_results", "Results",
           "SCHEMA_VERSION", "SCHEMA_VERSIONS", "schema_path", "FORMATS"]


def build_report(results_dir: str | os.PathLike[str], out: str | os.PathLike[str], *,
                 language: str = "sv", since: str | None = None, quotes: int = 3,
                 codebook: str | os.PathLike[str] | None = None,
                 agreement: str | os.PathLike[str] | None = None) -> Path:
    """Write the report of a results folder to ``out`` (``.html`` or ``.docx``).

    Parameters
    ----------
    results_dir:
        A folder written by ``codingkit apply --out``.
    out:
        The report file; its suffix chooses the format.
    language:
        ``"sv"`` (default) or ``"en"``.
    since:
        The round to compare the latest round with (default: the one before it).
    quotes:
        At most this many quotes per theme × project × round.
    codebook, agreement:
        See :func:`~codingkit.report.results.read_results`.

    Raises
    ------
    ResultsFolderError
        E901 not a results folder, E902 another schema version, E905 a
        malformed table (:func:`codingkit.writers.readback.read_results`).
    ReportError
        E903 unknown round, E904 unknown output suffix or language, E906
        unreadable agreement figures. Nothing is written then.
    PseudonymError
        E808 ``out`` inside a folder of pseudonymised results or copies
        (meant to be shared) when the results are not pseudonymised
        (:func:`check_report_location`).
    """
    from ..fileio import atomic_path
    from .figures import compute
    from .text import LANGUAGES, Words

    out = Path(out)
    if out.is_dir():
        raise ReportError("is a folder; expected a file name ending in .html or .docx",
                          path=out, code="E904")
    kind = FORMATS.get(out.suffix.lower())
    if kind is None:
        raise ReportError(f"unknown report format {out.suffix or '(no suffix)'!r}; expected "
                          ".html or .docx", path=out, code="E904")
    if language not in LANGUAGES:
        raise ReportError(f"unknown language {language!r}; expected one of "
                          f"{', '.join(LANGUAGES)}", code="E904")
    check_report_location(results_dir, out)
    results = read_results(results_dir, codebook=codebook, agreement=agreement)
    if out.resolve().parent == results.folder.resolve() and out.name in (
            "manifest.json", "segments.csv", "codings.csv", "frequencies.csv"):
        raise ReportError("would overwrite a table of the results folder", path=out,  # pragma: no cover
                          code="E904")
    figures = compute(results, since=since, quotes=quotes, language=language)
    # interviews, survey answers or both; turns, sentences or paragraphs
    words = Words(language, material=figures.material, unit=figures.unit)
    if kind == "html":
        from .html import render_html

        data = render_html(figures, words, quotes=quotes).encode("utf-8")
        with atomic_path(out) as tmp:
            tmp.write_bytes(data)
    else:
        from .word import render_docx

        with atomic_path(out) as tmp:
            render_docx(figures, words, tmp, quotes=quotes)
    return out


def check_report_location(results_dir: str | os.PathLike[str],
                          out: str | os.PathLike[str]) -> None:
    """E808 when the report ``out`` is inside a folder of pseudonymised
    results or copies, which is meant to be shared, and the results it
    quotes are not pseudonymised (their manifest.json does not say so):
    the check of :func:`build_report` (``codingkit report``)."""
    from ..pseudonymize import check_shared_output, results_pseudonymized

    check_shared_output(out, f"the report would quote the texts of {results_dir}, whose "
                        "results are not pseudonymised",
                        instead=", or report pseudonymised results",
                        unless=lambda: results_pseudonymized(results_dir))
