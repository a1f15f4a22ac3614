"""Helpers shared by the commands: plurals, progress per phase, multi-value options."""

from __future__ import annotations

import click


def plural(n: int, word: str, words: str | None = None) -> str:
    """``"1 transcript"``, ``"2 transcripts"``.

    >>> plural(1, "transcript"), plural(12, "transcript"), plural(1, "kommun", "kommuner")
    ('1 transcript', '12 transcripts', '1 kommun')
    """
    return f"{n} {word if n == 1 else (words or word + 's')}"


def inputs_read(transcripts) -> str:
    """What was read, for a summary line: interviews count as transcripts,
    survey answers as answers from their surveys.

    >>> from codingkit.model import Transcript
    >>> t = Transcript(source="a.txt", text="x", turns=[])
    >>> s = [Transcript(source=f"e.csv#{i}", text="x", turns=[], format="survey", path="e.csv")
    ...      for i in (1, 2)]
    >>> inputs_read([t]), inputs_read(s), inputs_read([t, *s])
    ('1 transcript', '2 answers from 1 survey', '1 transcript and 2 answers from 1 survey')
    """
    answers = [t for t in transcripts if t.format == "survey"]
    parts = []
    if len(answers) < len(transcripts) or not transcripts:
        parts.append(plural(len(transcripts) - len(answers), "transcript"))
    if answers:
        surveys = {str(t.path) if t.path is not None else t.source.rpartition("#")[0]
                   for t in answers}
        parts.append(f"{plural(len(answers), 'answer')} from {plural(len(surveys), 'survey')}")
    return " and ".join(parts)


class Phases:
    """The progress bar of a command: one bar per phase (reading, coding,
    writing) with the count against its total, on a terminal only (stderr
    not a terminal, or ``quiet``: nothing is shown)."""

    def __init__(self, quiet: bool = False) -> None:
        import sys

        self.on = not quiet and sys.stderr.isatty()
        self.bar = None

    def start(self, desc: str, total: int | None, unit: str) -> None:
        if not self.on:
            return
        from tqdm import tqdm

        self.close()
        import shutil
        import sys

        size = shutil.get_terminal_size()  # a bare pty reports 0 × 0: tqdm would hide
        self.bar = tqdm(total=total, desc=desc, unit=f" {unit}", leave=False,
                        file=sys.stderr, ncols=min(size.columns or 80, 100),
                        nrows=size.lines or 24)

    def update(self, n: int) -> None:
        if self.bar is not None:
            self.bar.update(n)

    def counts(self, desc: str, unit: str):
        """A ``progress(done, total)`` callback that shows phase ``desc``."""
        def progress(done: int, total: int) -> None:
            if not self.on:
                return
            if self.bar is None or self.bar.desc != desc:
                self.start(desc, total, unit)
            self.bar.total = total
            self.bar.n = done
            self.bar.refresh()
        return progress

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def split_values(values, choices=None, *, option: str = "") -> tuple[str, ...]:
    """The values of a repeatable option, each given once or comma-separated:
    ``--format xlsx --format parquet`` and ``--format xlsx,parquet`` give the
    same; checked against ``choices`` (a click usage error names the option).

    >>> split_values(("xlsx,parquet", "qdpx"))
    ('xlsx', 'parquet', 'qdpx')
    """
    if isinstance(values, str):
        values = (values,)
    out = [v.strip() for value in values or () for v in str(value).split(",") if v.strip()]
    if choices is not None:
        bad = [v for v in out if v not in choices]
        if bad:
            raise click.BadParameter(f"{bad[0]!r} is not one of {', '.join(choices)}",
                                     param_hint=option or None)
    return tuple(dict.fromkeys(out))


def split_paths(values) -> tuple:
    """Path values of a repeatable option, also comma-separated; a value that
    names an existing file or folder is kept whole (its name may hold a comma)."""
    from pathlib import Path

    out = []
    for value in values or ():
        if Path(value).exists() or "," not in str(value):
            out.append(Path(value))
        else:
            out += [Path(v.strip()) for v in str(value).split(",") if v.strip()]
    return tuple(dict.fromkeys(out))
