"""Command: ``codingkit validate CODEBOOK`` (check a codebook file)."""

from __future__ import annotations

import click

from .main import cli
from .options import plural


@cli.command("validate")
@click.argument("codebook", type=click.Path(dir_okay=False, path_type=str))
def validate_cmd(codebook: str) -> None:
    """Check a codebook and report every problem with its line.

    Unknown keys, duplicate ids, bad regular expressions, values out of
    range and references to missing codes are all reported at once. A theme
    that neither it nor a sub-code gives a rule or an example is warned
    about (on stderr): it would be coded 0 % whatever was said.

    \b
    Example:
      codingkit validate codebooks/innovationsupphandling.yaml
      OK: codebooks/innovationsupphandling.yaml: 24 codes (10 themes)
    """
    from ..codebook import load_codebook, warn_uncodable_themes

    cb = load_codebook(codebook)
    n = warn_uncodable_themes(cb)  # valid, but a theme nothing codes reads as "nobody raised it"
    click.echo(f"OK: {codebook}: {plural(len(cb), 'code')} ({plural(len(cb.themes), 'theme')})"
               + (f", {plural(n, 'warning')}" if n else ""))
