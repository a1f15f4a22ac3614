"""How reading one subtitle cue of many voices grows with their number.

A WebVTT cue may hold several voice spans (``<v Anna>…</v><v Johan>…``):
each is its own speaker's speech (``codingkit.readers.subtitles``). A hostile
or broken file may hold very many, or many ``<v `` / ``<b `` without their
``>``. This prints the time to read one cue of N = 25,000, 50,000 and
100,000 such spans (or SubRip lines of two speakers' labels): linear growth
doubles the time with N; the reader before session 16 took minutes for
100,000 unclosed ``<v `` (40,000: 50 s). Run from the repository root::

    python benchmarks/subtitle_voices.py
"""

from __future__ import annotations

import tempfile
import time
import warnings
from pathlib import Path

from codingkit import read_transcript
from codingkit.errors import CodingkitWarning

VTT = "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n"
SRT = "1\n00:00:01,000 --> 00:00:03,000\n"
CASES = {
    "spans.vtt": lambda n: VTT + "".join(f"<v {'Anna' if i % 2 else 'Per'}>ord{i}</v>\n"
                                         for i in range(n)),
    "nested.vtt": lambda n: VTT + "".join(f"<v P{i}>ord{i} " for i in range(n)) + "</v>" * n,
    "unclosed_v.vtt": lambda n: VTT + "<v a " * n,
    "unclosed_b.vtt": lambda n: VTT + "<b a " * n,
    "labels.srt": lambda n: SRT + "".join(f"{'Anna' if i % 2 else 'Per'}: ord{i}\n"
                                          for i in range(n)),
}


def main() -> None:
    sizes = (25_000, 50_000, 100_000)
    print(f"{'file':16s}" + "".join(f"{n:>12,}" for n in sizes) + "   turns at 100,000")
    with tempfile.TemporaryDirectory() as folder:
        for name, make in CASES.items():
            times, turns = [], 0
            for n in sizes:
                path = Path(folder) / name
                path.write_text(make(n) + "\n", encoding="utf-8")
                began = time.perf_counter()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", CodingkitWarning)
                    [t] = read_transcript(path)
                times.append(time.perf_counter() - began)
                turns = len(t.turns)
            print(f"{name:16s}" + "".join(f"{s:>11.2f}s" for s in times) + f"   {turns:,}")


if __name__ == "__main__":
    main()
