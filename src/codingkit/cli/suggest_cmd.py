"""``codingkit suggest``: the turns to hand-code next, as a coding sheet or a
REFI-QDA project to code in QualCoder or NVivo."""

from __future__ import annotations

from pathlib import Path

import click

from .main import cli
from .options import plural


@cli.command("suggest")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", "-o", "out_path", required=True, type=click.Path(path_type=Path),
              help="The coding sheet to write (.xlsx), or a REFI-QDA project (.qdpx) with one "
                   "source per turn to code in QualCoder, NVivo, ATLAS.ti or MAXQDA.")
@click.option("--n", "n", type=click.IntRange(min=1), default=100, show_default=True,
              help="How many turns to suggest.")
@click.option("--codebook", "-c", "codebook_path", type=click.Path(path_type=Path),
              help="Codebook (.yaml or .qdc). Default: the bundled innovationsupphandling "
                   "codebook, with the coder learned from the gold interviews.")
@click.option("--model", "model_path", type=click.Path(path_type=Path), metavar="FILE",
              help="Choose by the uncertainty of a coder saved by 'codingkit apply "
                   "--save-model' (e.g. after learning from an earlier sheet) instead of the "
                   "default coder. Load only files you trust.")
@click.option("--manifest", "manifest_path", type=click.Path(path_type=Path),
              help="CSV with file, project, round, role[, ...]. Default: manifest.csv in an "
                   "input folder.")
@click.option("--speaker-pattern", metavar="REGEX",
              help="Regular expression for a speaker label at line start, with a named group "
                   "'speaker' (as for apply).")
@click.option("--per-interview", type=click.IntRange(min=1), default=None, metavar="N",
              help="At most N turns per interview (default: an even share of --n).")
@click.option("--exclude", "exclude", multiple=True, type=click.Path(path_type=Path),
              metavar="FILE",
              help="A coding sheet filled in earlier (.xlsx) or a review project coded earlier "
                   "(.qdpx): its coded turns are not suggested again. Repeatable.")
@click.option("--force", is_flag=True, help="Replace --out if it exists.")
@click.option("--strict", is_flag=True,
              help="A sub-folder or file that cannot be read is an error (default: skipped "
                   "with a warning).")
def suggest_command(paths, out_path, n, codebook_path, model_path, manifest_path,
                    speaker_pattern, per_interview, exclude, force, strict):
    """Choose the respondent turns whose hand-coding would teach codingkit most.

    Codes PATHS as 'codingkit apply' does and writes the N turns where it is
    least certain (spread over interviews, roles and themes, rare themes
    first, no near-duplicates) as a coding sheet: one row per turn with the
    question before it, one 0/1 column per theme, codingkit's guess beside
    it. Fill it in (Excel or LibreOffice) and learn from it with
    'codingkit apply ... --learn-from SHEET'.

    With --out granska.qdpx it writes a REFI-QDA project instead: one text
    source per turn (the question and codingkit's guess in its memo), the
    themes as codes. Code it in QualCoder or NVivo (a turn about no theme
    with the code 'granskad – inget tema'; a source left without any coding
    is not read yet and left out, as an empty row of the sheet), export it
    and learn from it the same way.

    \b
    Example:
      codingkit suggest intervjuer/ --n 100 --out granska.xlsx
      codingkit apply intervjuer/ --learn-from granska.xlsx --save-model kodare.ckm \\
          --out resultat/
      codingkit suggest intervjuer/ --model kodare.ckm --exclude granska.xlsx \\
          --out granska2.qdpx
    """
    from .. import readers
    from ..codebook import load_codebook
    from ..errors import OutputError
    from ..humancoding import read_review_turns
    from ..suggest import default_coder, suggest, write_review_sheet

    kind = out_path.suffix.lower()
    if kind not in (".xlsx", ".qdpx"):
        raise click.BadParameter(f"{str(out_path)!r}: the coding sheet is written as .xlsx, "
                                 "the review project as .qdpx", param_hint="--out")
    if out_path.is_dir():
        raise OutputError(f"a folder; expected a {kind} file name", path=out_path,
                          code="E408")
    if out_path.exists() and not force:
        raise OutputError("the file exists; expected a new file (use --force to replace it)",
                          path=out_path, code="E408")
    from ..pseudonymize import inputs_are_copies
    from ..refiqda.review import check_review_location

    # E808 before the slow part, as the writers below say it
    check_review_location(out_path, unless=lambda: inputs_are_copies(
        f.path for f in readers.input_files(list(paths), manifest=manifest_path,
                                            strict=strict)))
    done = set()
    for sheet in exclude:
        turns = read_review_turns(sheet)
        done |= set(zip(turns["source"], turns["turn"]))
    if model_path is not None:
        if codebook_path is not None:
            raise click.UsageError("--model brings its own codebook; leave out --codebook")
        from ..coding import Coder

        coder = Coder.load(model_path)
    else:
        coder = default_coder(load_codebook(codebook_path))
    transcripts = readers.read_transcripts(list(paths), manifest=manifest_path,
                                           speaker_pattern=speaker_pattern, strict=strict)
    chosen = suggest(transcripts, coder, n=n, per_interview=per_interview, exclude=done)
    if kind == ".qdpx":
        from ..refiqda.review import write_review_project

        write_review_project(chosen, out_path)
    else:
        write_review_sheet(chosen, out_path)
    table = chosen.table
    click.echo(f"Chose {plural(len(table), 'turn')} of {chosen.candidates} respondent turns with "
               f"content in {plural(len(transcripts), 'transcript')} (from "
               f"{table['source'].nunique()} of them; {plural(len(chosen.themes), 'theme')} "
               f"to code); wrote {out_path}")
