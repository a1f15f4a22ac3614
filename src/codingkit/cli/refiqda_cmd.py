"""Commands for REFI-QDA (NVivo, ATLAS.ti, MAXQDA, QualCoder) exchange.

``export-codebook``, ``import-codebook``, ``export-project`` and
``import-project``; each calls one function of :mod:`codingkit.refiqda`.
"""

from __future__ import annotations

from pathlib import Path

import click

from .main import cli
from .options import plural


def _refuse_existing(path: Path, force: bool) -> None:
    if path.exists() and not force:
        from ..errors import OutputError

        raise OutputError("the file exists; expected a new file (use --force to replace it)",
                          path=path, code="E408")


@cli.command("export-codebook")
@click.argument("codebook", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", "-o", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The .qdc (or .csv) file to write.")
@click.option("--format", "fmt", type=click.Choice(["qdc", "csv"]), default=None,
              help="qdc (REFI-QDA: NVivo, ATLAS.ti, MAXQDA, QualCoder) or csv (Taguette: "
                   "columns tag, description); default from the suffix of --out.")
@click.option("--force", is_flag=True, help="Replace an existing file.")
def export_codebook_cmd(codebook: Path, out: Path, fmt: str | None, force: bool) -> None:
    """Write a codebook as a REFI-QDA codebook (.qdc) for NVivo, ATLAS.ti, MAXQDA, QualCoder,
    or as CSV (tag, description) for Taguette.

    Codes keep their hierarchy, colours, descriptions and inclusion and
    exclusion criteria; GUIDs come from the code ids, so exporting again
    gives the same codes.

    \b
    Example:
      codingkit export-codebook codebooks/innovationsupphandling.yaml --out teman.qdc
      Wrote teman.qdc: 18 codes (10 themes)
      codingkit export-codebook codebooks/innovationsupphandling.yaml --out teman.csv
    """
    from ..codebook import codebook_csv, load_codebook
    from ..refiqda import write_qdc
    from ..refiqda._common import atomic_write_bytes

    _refuse_existing(out, force)
    cb = load_codebook(codebook)
    if (fmt or ("csv" if out.suffix.lower() == ".csv" else "qdc")) == "csv":
        atomic_write_bytes(out, codebook_csv(cb).encode("utf-8"))
    else:
        write_qdc(cb, out)
    click.echo(f"Wrote {out}: {plural(len(cb), 'code')} ({plural(len(cb.themes), 'theme')})")


@cli.command("import-codebook")
@click.argument("qdc", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", "-o", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The YAML codebook to write.")
@click.option("--force", is_flag=True, help="Replace an existing file.")
def import_codebook_cmd(qdc: Path, out: Path, force: bool) -> None:
    """Turn a REFI-QDA codebook (.qdc) into a codingkit YAML codebook (without rules).

    Codes, hierarchy, colours and descriptions are kept; add rules and
    examples to the YAML file before coding with it.

    \b
    Example:
      codingkit import-codebook nvivo_koder.qdc --out kodbok.yaml
      Wrote kodbok.yaml: 24 codes (9 themes), no rules yet
    """
    from ..codebook import dump_codebook
    from ..refiqda import read_qdc
    from ..refiqda._common import atomic_write_bytes

    _refuse_existing(out, force)
    cb = read_qdc(qdc)
    atomic_write_bytes(out, dump_codebook(cb).encode("utf-8"))
    click.echo(f"Wrote {out}: {len(cb)} codes ({len(cb.themes)} themes), no rules yet")


@cli.command("export-project")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--out", "-o", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The .qdpx file to write.")
@click.option("--codebook", "-c", "codebook_path", type=click.Path(path_type=Path),
              help="The run's codebook, if it is no longer where manifest.json says "
                   "(it must be the same file).")
@click.option("--force", is_flag=True, help="Replace an existing file.")
def export_project_cmd(folder: Path, out: Path, codebook_path: Path | None, force: bool) -> None:
    """Write the output folder of `codingkit apply` as a REFI-QDA project (.qdpx).

    The transcripts and the codebook named in the folder's manifest.json are
    read again and must be unchanged since the coding (the bundled codebook
    is found wherever codingkit is installed; a codebook of your own that
    moved is given with --codebook). Open the file in QualCoder, NVivo,
    ATLAS.ti or MAXQDA to review the automatic coding.

    \b
    Example:
      codingkit export-project results/ --out granskning.qdpx
      Wrote granskning.qdpx: 8 sources, 412 coded segments, 530 codings
    """
    from ..pseudonymize import results_pseudonymized
    from ..refiqda import result_from_output_dir, write_qdpx
    from ..refiqda.outputdir import _created
    from ..refiqda.project import check_project_location

    _refuse_existing(out, force)
    # E808 before the transcripts are read, as write_qdpx says it (pseudonymised
    # results are refused below, E546)
    check_project_location(out, unless=lambda: results_pseudonymized(folder))
    result = result_from_output_dir(folder, codebook=codebook_path)

    write_qdpx(result, out, created=_created(folder))
    coded = {c.segment_id for c in result.coding_list}
    click.echo(f"Wrote {out}: {plural(len(result.transcripts), 'source')}, "
               f"{plural(len(coded), 'coded segment')}, "
               f"{plural(len(result.coding_list), 'coding')}")


@cli.command("import-project")
@click.argument("qdpx", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", "-o", "out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write (new or empty).")
@click.option("--max-source-mb", type=click.IntRange(1), default=None, metavar="MB",
              help="Largest source text to read, in MiB (default 64; all sources together "
                   "at most four times this, default 256).")
def import_project_cmd(qdpx: Path, out: Path, max_source_mb: int | None) -> None:
    """Read a REFI-QDA project (.qdpx) as human coding for `evaluate` and `--learn-from`.

    Writes human_coding.csv (source, start, end, text, code, coder), the
    sources' texts in sources/, sources.csv, the codes as codebook.yaml and
    codebook.qdc, and annotations.csv and problems.csv when there are any.
    Selections whose offsets do not match their text are listed in
    problems.csv, not imported.

    \b
    Example:
      codingkit import-project granskad.qdpx --out granskad/
      Read granskad.qdpx: 8 sources, 18 codes, 2 coders, 377 codings; 0 problems
    """
    from ..refiqda import read_qdpx, write_imported_project
    from ..refiqda.importer import check_import_location

    check_import_location(qdpx, out)  # E808, before the project is read
    limits = {}
    if max_source_mb is not None:
        limits = {"max_source_bytes": max_source_mb * 2**20,
                  "max_text_bytes": 4 * max_source_mb * 2**20}
    project = read_qdpx(qdpx, **limits)
    write_imported_project(project, out)
    sel = project.selections
    click.echo(f"Read {qdpx}: {plural(len(project.sources), 'source')}, "
               f"{plural(len(project.codebook), 'code')}, "
               f"{plural(sel['coder'].nunique(), 'coder')}, "
               f"{plural(len(sel), 'coding')}; {plural(len(project.problems), 'problem')}")
    for p in project.problems[:10]:
        click.echo(f"  problem: {p}")
    if len(project.problems) > 10:
        click.echo(f"  ... and {len(project.problems) - 10} more in {out / 'problems.csv'}")
    click.echo(f"Wrote {out}")
