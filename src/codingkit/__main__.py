"""``python -m codingkit`` and the ``codingkit`` command run the command line."""

import sys


def run() -> None:
    """The ``codingkit`` command: :func:`codingkit.cli.main`. Ctrl-C while
    the command line is still being loaded (its first tenth of a second)
    ends it as Ctrl-C does later, with "Aborted!" and exit status 1, not
    with a traceback."""
    try:
        from .cli import main
    except KeyboardInterrupt:
        sys.stderr.write("Aborted!\n")
        raise SystemExit(1) from None
    main()


if __name__ == "__main__":  # pragma: no cover
    run()
