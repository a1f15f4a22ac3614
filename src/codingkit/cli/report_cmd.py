"""Command ``report``: an HTML or Word report of a results folder."""

from __future__ import annotations

from pathlib import Path

import click

from .main import cli


@cli.command("report")
@click.argument("results_dir", type=click.Path(path_type=Path))
@click.option("--out", "-o", required=True, type=click.Path(path_type=Path),
              help="The report: rapport.html (one self-contained file) or rapport.docx (Word).")
@click.option("--since", metavar="ROUND",
              help="Show how themes moved since this round (to the latest round). "
                   "Default: the round before the latest.")
@click.option("--language", type=click.Choice(["sv", "en"]), default="sv", show_default=True,
              help="The report's language.")
@click.option("--quotes", type=click.IntRange(0, 20), default=3, show_default=True,
              help="At most this many quotes per theme, project and round.")
@click.option("--codebook", "-c", "codebook_path", type=click.Path(path_type=Path),
              help="The run's codebook, if it is no longer where manifest.json says.")
@click.option("--agreement", type=click.Path(path_type=Path),
              help="Folder of 'codingkit evaluate --out' (agreement.json, "
                   "frequencies_compared.csv). Default: RESULTS_DIR or a sub-folder holding "
                   "agreement.json.")
@click.option("--force", is_flag=True, help="Replace an existing report file.")
def report_command(results_dir, out, since, language, quotes, codebook_path, agreement,
                   force):
    """A report of a results folder of 'codingkit apply', for an interim report.

    Per theme: definition, share of interviews and respondent turns per
    project and round (with the measured error where 'codingkit evaluate'
    figures exist), trend, change since the previous round, and quotes.

    \b
    Examples:
      codingkit report results/ --out rapport.html
      codingkit report results/ --out rapport.docx --since 1 --language en
    """
    from ..errors import OutputError
    from ..report import build_report

    if out.exists() and not out.is_dir() and not force:
        raise OutputError("the file exists; expected a new file (use --force to replace it)",
                          path=out, code="E408")
    # build_report refuses (E808) a report of results that are not
    # pseudonymised inside a folder meant to be shared
    path = build_report(results_dir, out, language=language, since=since, quotes=quotes,
                        codebook=codebook_path, agreement=agreement)
    click.echo(f"Wrote {path}")
