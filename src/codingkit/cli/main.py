"""The ``codingkit`` command group and its entry point (commands register on :data:`cli`)."""

from __future__ import annotations

import os
import warnings

import click

from .. import __version__
from ..errors import CodingkitError, CodingkitWarning, one_line


class _Group(click.Group):
    """A click group that turns codingkit errors into one clean line."""

    def invoke(self, ctx: click.Context):  # noqa: D401
        from ..fileio import terminate_as_interrupt

        try:
            # SIGTERM stops every command as Ctrl-C does: what it was writing is
            # cleaned up (no temporary files, no lock), and "Aborted!" is said
            with warnings.catch_warnings(), terminate_as_interrupt():
                warnings.simplefilter("always", CodingkitWarning)
                warnings.showwarning = _show_warning
                return super().invoke(ctx)
        except CodingkitError as exc:
            click.echo(f"Error: {one_line(str(exc))}", err=True)
            ctx.exit(1)
        except (OSError, UnicodeError) as exc:  # unexpected I/O trouble: still one line
            click.echo(f"Error: {one_line(str(exc))}", err=True)
            ctx.exit(1)
        except (click.exceptions.Exit, click.ClickException, click.Abort, KeyboardInterrupt):
            raise
        except Exception as exc:  # a bug in codingkit: one line, traceback on request
            if os.environ.get("CODINGKIT_DEBUG"):
                raise
            click.echo(f"Error: internal error ({type(exc).__name__}: {one_line(str(exc))}); "
                       f"this is a bug in codingkit {__version__}: please report it, with "
                       "CODINGKIT_DEBUG=1 set "
                       "to see the traceback", err=True)
            ctx.exit(2)


def _show_warning(message, category, filename, lineno, file=None, line=None):
    click.echo(f"Warning: {one_line(str(message))}", err=True)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="codingkit")
def cli() -> None:
    """Code Swedish interview transcripts against a codebook of themes.

    \b
    Example:
      codingkit apply transcripts/ --out results/
    """


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``codingkit`` console script."""
    cli.main(args=argv, prog_name="codingkit")
