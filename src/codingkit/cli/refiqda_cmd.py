"""Commands: refiqda_cmd (filled in by its owner)."""

from . import cli  # noqa: F401
