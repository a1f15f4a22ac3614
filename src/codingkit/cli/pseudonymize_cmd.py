"""``codingkit pseudonymize``, ``scan`` and ``depseudonymize``."""

from __future__ import annotations

from pathlib import Path

import click

from .main import cli

_KEY_HELP = ("The key file (pseudonym → original), written with owner-only permissions "
             "outside the results folder; an existing key is reused and extended.")


def _store_unknown(ctx, param, value):
    ctx.meta["pseudonymize_unknown"] = value
    return value


def _pseudo_options(f):
    f = click.option("--unknown-names", type=click.Choice(["list", "replace"]), default="list",
                     show_default=True, expose_value=False, callback=_store_unknown,
                     help="Capitalised words in mid-sentence that are neither dictionary "
                          "words, known names nor kept: list them as candidates (scan) or "
                          "replace them by [Namn n].")(f)
    f = click.option("--pseudonym-format", default="[{type} {n}]", show_default=True,
                     help="How a pseudonym is written; {type} and {n} are filled in (both "
                          "are needed).")(f)
    f = click.option("--keep", "keep", multiple=True, metavar="TERM|FILE.txt",
                     help="A term never replaced (or a .txt file of terms, one a line); "
                          "public organisations and the projects' names are kept anyway. "
                          "Repeatable.")(f)
    f = click.option("--pseudonymize-list", "lists", multiple=True,
                     type=click.Path(path_type=Path), metavar="FILE",
                     help="Names (persons, places, companies) to replace, one a line; "
                          "'Typ: namn' sets the type (Person, Namn, Adress). Repeatable.")(f)
    return f


def _read(paths, manifest_path):
    from .. import readers

    return readers.read_transcripts(list(paths), manifest=manifest_path)


def _pseudonymizer(key_path, lists, keep, pseudonym_format, *, load_key=True):
    from ..pseudonymize import PseudonymKey, Pseudonymizer, read_name_list

    names = [e for p in lists for e in read_name_list(p)]
    terms = []
    for k in keep:
        if k.endswith(".txt") and Path(k).is_file():
            terms += [t for _, t in read_name_list(k)]
        else:
            terms.append(k)
    key = (PseudonymKey.load(key_path, pseudonym_format)
           if load_key and key_path is not None and Path(key_path).exists()
           else PseudonymKey(pseudonym_format))
    unknown = click.get_current_context().meta.get("pseudonymize_unknown", "list")
    return Pseudonymizer(key, names=names, keep=terms, unknown=unknown)


@cli.command("pseudonymize")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", "-o", "out_dir", required=True, type=click.Path(path_type=Path),
              help="Folder for the pseudonymised copies (.txt) and manifest.csv.")
@click.option("--key", "key_path", required=True, type=click.Path(path_type=Path),
              help=_KEY_HELP)
@click.option("--manifest", "manifest_path", type=click.Path(path_type=Path),
              help="CSV with file, project, round, role[, interviewer, ...].")
@_pseudo_options
@click.option("--force", is_flag=True, help="Write into a non-empty output folder.")
def pseudonymize_command(paths, out_dir, key_path, manifest_path, lists, keep,
                         pseudonym_format, force):
    """Write pseudonymised copies of transcripts, and the key.

    Each transcript becomes a .txt file with a header of its (pseudonymised)
    metadata and its speaker turns, named as it is with the names in its
    folders and file name pseudonymised (Intervju Anna Svensson.docx:
    Intervju [Person 1].txt); manifest.csv lists the metadata.

    \b
    Example:
      codingkit pseudonymize transcripts/ --out pseudo/ --key ~/nycklar/projekt.key.json
    """
    from ..pseudonymize import check_key_location
    from ..pseudonymize.output import write_pseudonymized
    from ..writers import check_output_dir

    check_key_location(key_path, out_dir)
    p = _pseudonymizer(key_path, lists, keep, pseudonym_format)
    check_output_dir(out_dir, force=force)
    transcripts = _read(paths, manifest_path)
    new = p.transcripts(transcripts)
    # the key before the copies: a copy is never written whose pseudonyms no key holds
    sha = p.key.save(key_path)
    written = write_pseudonymized(new, out_dir, key_sha256=sha,
                                  pseudonym_format=p.key.format,
                                  originals=[t.source for t in transcripts])
    click.echo(f"Pseudonymised {len(new)} transcripts into {out_dir} "
               f"({len(written) - 1} files and the marker {written[0].name}); "
               f"key {key_path}: {len(p.key)} pseudonyms, {p.key.added} new.")


@cli.command("scan")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--key", "key_path", type=click.Path(path_type=Path),
              help="An existing key, to show the pseudonyms it would give (not written).")
@click.option("--manifest", "manifest_path", type=click.Path(path_type=Path),
              help="CSV with file, project, round, role[, interviewer, ...].")
@_pseudo_options
def scan_command(paths, key_path, manifest_path, lists, keep, pseudonym_format):
    """List per file what pseudonymisation would replace, and candidates:
    capitalised words mid-sentence that are neither replaced nor kept; in
    the file's (and its folders') name too, with the name it would get.

    \b
    Example:
      codingkit scan transcripts/ --pseudonymize-list namn.txt
    """
    p = _pseudonymizer(key_path, lists, keep, pseudonym_format)
    reports = p.scan(_read(paths, manifest_path))
    first_named: dict[str | None, str] = {}
    for rep in reports:
        click.echo(f"{rep.source}:")
        if rep.new_source != rep.source:
            click.echo(f"  name     → {rep.new_source}")
        other = first_named.setdefault(rep.new_source, rep.source)
        if other != rep.source:
            click.echo(f"  the same name as {other!r} once pseudonymised: rename one of them "
                       "(apply --pseudonymize and pseudonymize refuse them, E809)")
        for span, pseudonym in rep.source_replaced:
            found = rep.source[span.start:span.end]
            click.echo(f"  replace  {span.type:<12} {found!r} in the name → "
                       f"{pseudonym.removesuffix(span.suffix)}")
        for _, word in rep.source_candidates:
            click.echo(f"  candidate {word!r} in the name (kept; add to --pseudonymize-list "
                       "to replace, --keep to silence)")
        counts: dict[tuple[str, str, str], int] = {}
        for span, pseudonym in rep.replaced:
            k = (span.type, span.original if span.type == "Person" else
                 span.original, pseudonym.removesuffix(span.suffix))
            counts[k] = counts.get(k, 0) + 1
        for (typ, original, pseudonym), n in sorted(counts.items()):
            click.echo(f"  replace  {typ:<12} {original!r} → {pseudonym} ×{n}")
        cands: dict[str, int] = {}
        for _, word in rep.candidates:
            cands[word] = cands.get(word, 0) + 1
        for word, n in sorted(cands.items()):
            click.echo(f"  candidate {word!r} ×{n} (kept; add to --pseudonymize-list to "
                       "replace, --keep to silence)")
    total = sum(len(r.replaced) + len(r.source_replaced) for r in reports)
    ncand = sum(len(r.candidates) + len(r.source_candidates) for r in reports)
    click.echo(f"{len(reports)} files: {total} replacements, {ncand} candidates.")


@cli.command("depseudonymize")
@click.argument("table", type=click.Path(path_type=Path))
@click.option("--key", "key_path", required=True, type=click.Path(path_type=Path),
              help="The key written by pseudonymize or apply --pseudonymize.")
@click.option("--out", "-o", "out_path", required=True, type=click.Path(path_type=Path),
              help="The restored copy (TABLE itself is never changed); refused inside a "
                   "folder of pseudonymised results or copies, which is meant to be "
                   "shared.")
@click.option("--force", is_flag=True, help="Replace an existing --out file.")
def depseudonymize_command(table, key_path, out_path, force):
    """Restore the originals in a results table or quote list (CSV, TSV,
    text, Markdown, JSON) for the research team.

    \b
    Example:
      codingkit depseudonymize results/segments.csv --key ~/nycklar/projekt.key.json \\
          --out ~/privat/segments_med_namn.csv
    """
    from ..errors import OutputError
    from ..fileio import atomic_write_text
    from ..pseudonymize import (PseudonymError, PseudonymKey, check_restored_location,
                                read_table, restore_originals, restore_originals_csv)

    check_restored_location(out_path)  # before the key is read: the real names stay private
    key = PseudonymKey.load(key_path)
    # copies written before 'pseudonymize' marked its folder: known by the key's pseudonyms
    check_restored_location(out_path, key)
    raw = read_table(table)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeError:
        raise PseudonymError("the table is not UTF-8 text; expected a CSV or text file "
                             "(save a workbook as CSV first)", path=table, code="E805") from None
    if Path(out_path).resolve() == Path(table).resolve():
        raise click.UsageError("--out must not be TABLE itself: inputs are never changed")
    if Path(out_path).is_dir():
        raise OutputError("a folder; expected a file name", path=out_path, code="E408")
    if Path(out_path).exists() and not force:
        raise OutputError("the file exists; expected a new file (use --force to replace it)",
                          path=out_path, code="E408")
    suffix = Path(table).suffix.lower()
    if suffix in (".csv", ".tsv"):
        try:
            restored, n = (restore_originals_csv(text, key, delimiter="\t", quoted=False)
                           if suffix == ".tsv" else restore_originals_csv(text, key))
        except PseudonymError as exc:
            raise PseudonymError(exc.message, path=table, line=exc.line, code="E805") from None
    else:
        restored, n = restore_originals(text, key)
    atomic_write_text(out_path, restored)
    click.echo(f"Restored {n} pseudonyms to their originals ({len(key)} in the key) "
               f"into {out_path}." if n else
               f"No pseudonym of the key in {table}; wrote an unchanged copy to {out_path}.")


def apply_pseudonymization(transcripts, pseudonymize, key_path, out_dir, lists, keep,
                           pseudonym_format, codebook):
    """``apply --pseudonymize``: the transcripts (pseudonymised when asked)
    and the options for manifest.json."""
    if not pseudonymize:
        if key_path is not None or lists or keep:
            raise click.UsageError("--key, --pseudonymize-list and --keep go with "
                                   "--pseudonymize")
        return transcripts, {"pseudonymized": False}
    if key_path is None:
        raise click.UsageError("--pseudonymize needs --key FILE (outside the results folder)")
    from ..pseudonymize import pseudonymize_for_apply

    return pseudonymize_for_apply(transcripts, key_path=key_path, out_dir=out_dir,
                                  lists=lists, keep=keep, pseudonym_format=pseudonym_format,
                                  codebook=codebook, unknown=click.get_current_context()
                                  .meta.get("pseudonymize_unknown", "list"))
