"""Commands for REFI-QDA (NVivo, ATLAS.ti, MAXQDA, QualCoder) exchange.

``export-codebook``, ``import-codebook``, ``export-project`` and
``import-project``; each calls one function of :mod:`codingkit.refiqda`.
"""

from __future__ import annotations

from pathlib import Path

import click

from . import cli, plural


def _refuse_existing(path: Path, force: bool) -> None:
    if path.exists() and not force:
        from ..errors import OutputError

        raise OutputError("the file exists; expected a new file (use --force to replace it)",
                          path=path, code="E403")


@cli.command("export-codebook")
@click.argument("codebook", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", "-o", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The .qdc file to write.")
@click.option("--force", is_flag=True, help="Replace an existing file.")
def export_codebook_cmd(codebook: Path, out: Path, force: bool) -> None:
    """Write a codebook as a REFI-QDA codebook (.qdc) for NVivo, ATLAS.ti, MAXQDA, QualCoder.

    Codes keep their hierarchy, colours, descriptions and inclusion and
    exclusion criteria; GUIDs come from the code ids, so exporting again
    gives the same codes.

    \b
    Example:
      codingkit export-codebook codebooks/innovationsupphandling.yaml --out teman.qdc
      Wrote teman.qdc: 18 codes (10 themes)
    """
    from ..codebook import load_codebook
    from ..refiqda import write_qdc

    _refuse_existing(out, force)
    cb = load_codebook(codebook)
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
@click.option("--force", is_flag=True, help="Replace an existing file.")
def export_project_cmd(folder: Path, out: Path, force: bool) -> None:
    """Write the output folder of `codingkit apply` as a REFI-QDA project (.qdpx).

    The transcripts named in the folder's manifest.json are read again and
    must be unchanged since the coding. Open the file in QualCoder, NVivo,
    ATLAS.ti or MAXQDA to review the automatic coding.

    \b
    Example:
      codingkit export-project results/ --out granskning.qdpx
      Wrote granskning.qdpx: 8 sources, 412 coded segments, 530 codings
    """
    from ..refiqda import result_from_output_dir, write_qdpx
    from ..refiqda.outputdir import _created

    _refuse_existing(out, force)
    result = result_from_output_dir(folder)

    write_qdpx(result, out, created=_created(folder))
    coded = {c.segment_id for c in result.coding_list}
    click.echo(f"Wrote {out}: {plural(len(result.transcripts), 'source')}, "
               f"{plural(len(coded), 'coded segment')}, "
               f"{plural(len(result.coding_list), 'coding')}")


@cli.command("import-project")
@click.argument("qdpx", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", "-o", "out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write (new or empty).")
def import_project_cmd(qdpx: Path, out: Path) -> None:
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

    project = read_qdpx(qdpx)
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
