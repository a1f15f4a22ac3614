"""A coding run in parts: bounded memory, several processes, a cache.

:func:`code_parts` codes transcripts with a fitted :class:`~codingkit.Coder`
part by part, and yields each part's :class:`~codingkit.model.CodingResult`
in input order, so that a run's tables can be written as they are made
(:class:`~codingkit.writers.ResultWriter`) and its memory is bounded by the
part, not the corpus. A coder's codings of a transcript do not depend on
what is coded beside it, so the parts give, together, exactly what
``coder.code(transcripts)`` gives.

- ``jobs``: the parts are coded by that many processes (the coder is sent
  to each once); the output is the same as with one.
- ``cache``: a :class:`CodingCache` folder keeps each input file's segments
  and codings, keyed by the file's transcripts (source, text, turns) and
  the coder's :func:`fingerprint`; a rerun codes only what changed.

Examples
--------
>>> from codingkit import Coder
>>> from codingkit.model import Transcript, Turn
>>> texts = ["Vi bjöd in leverantörerna till en dialog.", "Det gick bra."]
>>> ts = [Transcript(f"t{i}.txt", x, turns=[Turn(1, 0, len(x))]) for i, x in enumerate(texts)]
>>> coder = Coder(similarity="none").fit()
>>> [len(part.segment_list) for part in code_parts(coder, ts, part_chars=10)]
[1, 1]
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import deque
from dataclasses import astuple
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Iterator, Sequence

from .model import Coding, CodingResult, Segment, Transcript

if TYPE_CHECKING:  # pragma: no cover
    from .coding.coder import Coder

#: Characters of transcript text per part (several files make a part; a
#: survey file of more is cut between its answers, a transcript never).
#: See benchmarks/RESULTS.md, "Coding in parts".
PART_CHARS = 1_000_000

#: What a cache entry says it is (a change of layout starts a new cache).
CACHE_FORMAT = "codingkit-cache/1"


def jobs_count(jobs: int) -> int:
    """The processes ``jobs`` asks for: ``0`` means every core this process may use.

    >>> jobs_count(3)
    3
    """
    if jobs > 0:
        return jobs
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def file_groups(transcripts: Iterable[Transcript]) -> list[list[Transcript]]:
    """The transcripts grouped by the file they were read from (a survey
    file's answers are one group), in input order."""
    groups: list[list[Transcript]] = []
    last = object()
    for t in transcripts:
        key = str(t.path) if t.path is not None else t.source
        if groups and key == last:
            groups[-1].append(t)
        else:
            groups.append([t])
            last = key
    return groups


def _chars(t: Transcript) -> int:
    return len(t.text)


def pieces(group: list[Transcript], part_chars: int = PART_CHARS,
           size: Callable[[Transcript], int] = _chars) -> list[list[Transcript]]:
    """One file's transcripts cut into runs of about ``part_chars``
    characters of text, in order (a transcript is never cut): a survey of a
    million answers is coded a part at a time. A group within the size is
    one piece, itself. The cut depends on the file alone, so a rerun cuts
    it the same way (:class:`CodingCache` keeps each piece).

    >>> from codingkit.model import Transcript
    >>> ts = [Transcript(f"s.csv#{i}", "x" * 4) for i in range(5)]
    >>> [len(p) for p in pieces(ts, part_chars=8)]
    [2, 2, 1]
    """
    if sum(size(t) for t in group) <= part_chars:
        return [group]
    out: list[list[Transcript]] = [[]]
    held = 0
    for t in group:
        n = size(t)
        if out[-1] and held + n > part_chars:
            out.append([])
            held = 0
        out[-1].append(t)
        held += n
    return out


def parts(groups: Sequence[list[Transcript]], part_chars: int = PART_CHARS,
          size: Callable[[Transcript], int] = _chars) -> list[list[list[Transcript]]]:
    """The groups (:func:`file_groups`) gathered into parts of about
    ``part_chars`` characters of text (``size``: a transcript's); a group of
    more is first cut into :func:`pieces` (a transcript is never split)."""
    out: list[list[list[Transcript]]] = []
    held = part_chars
    for g in groups:
        for piece in pieces(g, part_chars, size):
            n = sum(size(t) for t in piece)
            if held + n > part_chars and (not out or out[-1]):
                out.append([])
                held = 0
            out[-1].append(piece)
            held += n
    return out


# --------------------------------------------------------------------------
# Reading twice: once to check every file, again part by part to code it
# --------------------------------------------------------------------------

class TwoPassInput:
    """A run's input read twice, so that its memory does not grow with the
    corpus: :meth:`read` reads every file once (a bad file stops the run
    before anything is coded) and keeps of each transcript only what the
    tables need (source, metadata, path, sha256, format: its text and turns
    are dropped); :meth:`reread` reads a part's files again when it is
    coded, and refuses a file whose bytes changed in between (E114). A
    file of several transcripts (a survey's answers) is kept whole: it is
    coded in pieces anyway, and re-read it would be held twice.

    Give :attr:`transcripts` and ``reread``/``size`` to :func:`code_parts`,
    and :attr:`columns` to :class:`~codingkit.writers.ResultWriter`.
    """

    def __init__(self, files: Sequence, *, count: Callable[[list[Transcript]], int] | None = None
                 ) -> None:
        #: the input files (:class:`codingkit.readers.InputFile`), in order
        self.files = list(files)
        self._count = count
        #: the run's transcripts without text or turns, after :meth:`read`
        self.transcripts: list[Transcript] = []
        #: the segment table's columns (as :func:`codingkit.tables.transcript_segment_columns`)
        self.columns: list[str] = []
        #: what ``count`` gave for all files (the coding bar's total), if given
        self.counted: int | None = None
        #: by id of a transcript kept without text: its file and its size
        self._unread: dict[int, tuple[object, int]] = {}

    def read(self, progress: Callable[[int, int], None] | None = None) -> "TwoPassInput":
        """Read every file once (see the class); ``progress(done, total)`` after each."""
        from dataclasses import replace

        from .readers import iter_files
        from .tables import SEGMENT_COLUMNS, transcript_metadata_columns

        extra: set[str] = set()
        counted = 0
        for f, full in iter_files(self.files, progress=progress):
            extra |= transcript_metadata_columns(full)
            if self._count is not None:
                counted += self._count(full)
            if len(full) > 1:  # a survey's answers: kept whole (cut into pieces
                self.transcripts += full  # anyway, and not held twice when coded)
                continue
            for t in full:
                light = replace(t, text="", turns=[])
                self._unread[id(light)] = (f, len(t.text))
                self.transcripts.append(light)
        self.columns = SEGMENT_COLUMNS + sorted(extra)
        self.counted = counted if self._count is not None else None
        return self

    def size(self, t: Transcript) -> int:
        """A transcript's characters of text (as read the first time)."""
        unread = self._unread.get(id(t))
        return len(t.text) if unread is None else unread[1]

    def reread(self, group: list[Transcript]) -> list[Transcript]:
        """The transcripts of ``group`` (one file's, :func:`file_groups`)
        read again, whole; a group kept whole is itself."""
        import warnings

        from .errors import InputError

        unread = self._unread.get(id(group[0])) if group else None
        if unread is None:
            return group
        f = unread[0]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # said at the first reading
            full = {t.source: t for t in f.read()}
        out = []
        for light in group:
            t = full.get(light.source)
            if t is None or t.sha256 != light.sha256:
                raise InputError("changed while codingkit was coding it; expected it to stay "
                                 "as it was when the run began: run again",
                                 path=f.path, code="E114")
            out.append(t)
        return out


# --------------------------------------------------------------------------
# The coder's fingerprint and the cache
# --------------------------------------------------------------------------

def _code_digest() -> str:
    """A digest of codingkit's own modules and data: a changed codingkit
    codes anew (its rules, tokeniser or scores may have changed)."""
    h = hashlib.sha256()
    root = Path(__file__).resolve().parent
    for p in sorted(root.rglob("*")):
        if p.is_file() and p.suffix in {".py", ".json", ".gz", ".yaml", ".ckm", ".txt"} \
                and "__pycache__" not in p.parts:
            h.update(str(p.relative_to(root)).encode("utf-8") + b"\0")
            h.update(hashlib.sha256(p.read_bytes()).digest())
    return h.hexdigest()


def fingerprint(coder: "Coder") -> str:
    """A sha256 of what decides a fitted coder's codings: its pickled state
    (codebook, options, what it learned) and codingkit's code.

    The same coder gives the same fingerprint in every process (a
    bundled or saved coder, a coder fitted again from the same data), so
    it keys :class:`CodingCache`.
    """
    import pickle

    coder.check_fitted("fingerprinting it")
    h = hashlib.sha256(CACHE_FORMAT.encode("utf-8"))
    h.update(_code_digest().encode("ascii"))
    h.update(pickle.dumps(_canonical(coder.__getstate__()), protocol=4))
    return h.hexdigest()


def _canonical(value):
    """``value`` with its sets as sorted lists and its objects as their
    state, so that it pickles to the same bytes in every process (a set of
    strings is iterated in an order that changes with the process)."""
    if isinstance(value, dict):
        return {k: _canonical(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_canonical(v) for v in value) if isinstance(value, list) \
            else tuple(_canonical(v) for v in value)
    if isinstance(value, (set, frozenset)):
        return ("<set>", sorted((_canonical(v) for v in value), key=repr))
    if isinstance(value, (str, bytes, int, float, bool, type(None))):
        return value
    if type(value).__module__ == "numpy" or hasattr(value, "__array__"):
        return value
    state = getattr(value, "__getstate__", None)
    try:
        state = state() if state is not None else vars(value)
    except TypeError:
        return value
    if state is None or state is value:
        return value
    return (type(value).__module__, type(value).__qualname__, _canonical(state))


def transcripts_key(group: Sequence[Transcript], coder_fingerprint: str) -> str:
    """The cache key of one file's transcripts for one coder: their
    sources, texts and turns (metadata do not change codings)."""
    h = hashlib.sha256(coder_fingerprint.encode("ascii"))
    for t in group:
        h.update(json.dumps([t.source, t.text, [astuple(u) for u in t.turns]],
                            ensure_ascii=False).encode("utf-8"))
    return h.hexdigest()


class CodingCache:
    """Each input file's segments and codings from earlier runs, in a folder.

    One gzip-compressed JSON file per file × coder (``<key>.json.gz``, key:
    :func:`transcripts_key`), written atomically; a file that cannot be read
    is coded again. The folder grows with every changed file or coder:
    delete it to start afresh.

    Parameters
    ----------
    folder:
        The cache folder (created).
    coder:
        The fitted coder whose codings are kept.
    pseudonymized:
        Whether the texts kept are pseudonymised: the cache holds the coded
        files' segments and codings (speakers, evidence), so it is kept
        inside a folder of pseudonymised results or copies, which is meant
        to be shared, only for them (:func:`check_cache_location`, E808).
        ``None`` (default): found out there only, from the transcripts
        (:meth:`check`, which :func:`code_parts` calls before coding, and
        :meth:`put`): those read from pseudonymised copies are; the folder
        is then made once they pass. ``True``: they are (transcripts
        pseudonymised in memory,
        :func:`~codingkit.pseudonymize.pseudonymize_for_apply`); nothing is
        checked. ``False``: they are not; refused inside such a folder.
    """

    def __init__(self, folder: str | os.PathLike[str], coder: "Coder", *,
                 pseudonymized: bool | None = None) -> None:
        self.folder = Path(folder)
        # what goes into a folder meant to be shared stays pseudonymised (E808):
        # _unchecked, inside one, until the texts are known (the parents
        # looked at once, here)
        self._unchecked = False
        if pseudonymized is False:
            check_cache_location(self.folder)
        elif pseudonymized is None:
            from .pseudonymize import shared_folder

            # the folder itself may be one too (check_shared_output's is_folder)
            self._unchecked = shared_folder(self.folder / "manifest.json") is not None
        if not self._unchecked:
            self._make()
        self.fingerprint = fingerprint(coder)
        #: Files found in the cache and files coded (and added) in this run.
        self.hits = self.misses = 0

    def _make(self) -> None:
        from .errors import OutputError

        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"cannot create the cache folder ({exc.strerror}); expected a "
                              "folder you can write to", path=self.folder, code="E409") from None

    def check(self, transcripts: Iterable[Transcript]) -> None:
        """E808 when the cache is inside a folder of pseudonymised results
        or copies and ``transcripts`` (whose coding it would keep) are not
        pseudonymised (:func:`~codingkit.pseudonymize.texts_pseudonymized`:
        all read from pseudonymised copies); the folder is made once they
        are. Nothing is looked at when the cache is elsewhere or was told
        the texts (``pseudonymized``)."""
        if not self._unchecked:
            return
        from .pseudonymize import texts_pseudonymized

        check_cache_location(self.folder, unless=lambda: texts_pseudonymized(transcripts))
        self._make()

    def _path(self, group: Sequence[Transcript]) -> Path:
        return self.folder / f"{transcripts_key(group, self.fingerprint)}.json.gz"

    def get(self, group: Sequence[Transcript]) -> tuple[list[Segment], list[Coding]] | None:
        """The segments and codings of one file's transcripts, if cached
        (counted in :attr:`hits` or :attr:`misses`)."""
        found = self.lookup(group)
        self.count(found is not None)
        return found

    def count(self, found: bool) -> None:
        """Count one file as found in the cache, or as coded."""
        if found:
            self.hits += 1
        else:
            self.misses += 1

    def lookup(self, group: Sequence[Transcript]) -> tuple[list[Segment], list[Coding]] | None:
        """The segments and codings of some transcripts (a file, or a piece
        of a survey file: :func:`pieces`), if cached; not counted."""
        import gzip

        try:
            data = json.loads(gzip.decompress(self._path(group).read_bytes()))
            if data["format"] != CACHE_FORMAT:
                raise ValueError(data["format"])
            by_source = {t.source: t for t in group}
            segments = []
            for source, sid, start, end, turn, speaker, role, unit in data["segments"]:
                t = by_source[source]
                segments.append(Segment(sid, source, start, end, t.text[start:end], turn,
                                        speaker, role, unit, t.metadata))
            codings = [Coding(*c) for c in data["codings"]]
        except (OSError, ValueError, KeyError, TypeError, EOFError):
            return None
        return segments, codings

    def put(self, group: Sequence[Transcript], segments: Sequence[Segment],
            codings: Sequence[Coding]) -> None:
        """Keep the segments and codings of one file's transcripts (or of a piece of them)."""
        import gzip

        from .fileio import atomic_write_bytes

        self.check(group)
        data = {"format": CACHE_FORMAT,
                "segments": [(s.source, s.segment_id, s.start, s.end, s.turn, s.speaker,
                              s.speaker_role, s.unit) for s in segments],
                "codings": [(c.segment_id, c.code, c.theme, c.score, c.method, c.evidence)
                            for c in codings]}
        try:
            atomic_write_bytes(self._path(group), gzip.compress(
                json.dumps(data, ensure_ascii=False).encode("utf-8"), 6, mtime=0))
        except OSError:
            pass  # a cache that cannot be written only costs time next run


def check_cache_location(folder: str | os.PathLike[str], *,
                         unless: Callable[[], bool] | None = None) -> None:
    """E808 when the cache folder ``folder`` is inside a folder of
    pseudonymised results or copies, which is meant to be shared, and the
    texts it would keep are not pseudonymised (``unless``: asked only then,
    true when they are). The one check, and message, of
    :class:`CodingCache` and ``codingkit apply --cache``."""
    from .pseudonymize import check_shared_output

    check_shared_output(folder, "the cache would hold the original texts", option="--cache",
                        instead=", or code pseudonymised texts (the copies 'codingkit "
                                "pseudonymize' writes, or --pseudonymize --key KEY; in Python "
                                "pseudonymize_for_apply and CodingCache's pseudonymized)",
                        is_folder=True, unless=unless)


# --------------------------------------------------------------------------
# Coding the parts
# --------------------------------------------------------------------------

_WORKER_CODER: "Coder | None" = None


def _start_worker(coder: "Coder") -> None:
    """A worker process's set-up: the coder (sent once), one BLAS thread,
    and the signals left to the parent.

    Ctrl-C in a terminal reaches every process of the group: a worker
    ignores it (the parent stops the run and ends its workers), and SIGTERM
    ends a worker quietly; a forked worker would otherwise inherit the
    parent's handlers and print a traceback of its own."""
    import signal

    global _WORKER_CODER
    _WORKER_CODER = coder
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(1)
    except ImportError:  # pragma: no cover - scikit-learn brings it
        pass


def _code(coder: "Coder", transcripts: list[Transcript]
          ) -> tuple[list[Segment], list[Coding], dict]:
    """The segments, codings and options of ``coder.code(transcripts)``.

    The words the tokenizer first meets in them are kept in a spaCy memory
    zone, freed when they are coded, and the coder's word caches are
    bounded (:meth:`~codingkit.Coder.forget_words`): memory does not grow
    with every new word of the corpus."""
    from contextlib import nullcontext

    from .swedish import get_analyzer

    nlp = get_analyzer().nlp
    with nullcontext() if nlp.vocab.in_memory_zone else nlp.memory_zone():
        result = coder.code(transcripts)
    coder.forget_words()
    return result.segment_list, result.coding_list, result.options


def _code_in_worker(transcripts: list[Transcript]) -> tuple[list[Segment], list[Coding], dict]:
    assert _WORKER_CODER is not None, "the worker was not started with a coder"
    return _code(_WORKER_CODER, transcripts)


def _split(groups: Sequence[list[Transcript]], segments: Sequence[Segment],
           codings: Sequence[Coding]) -> list[tuple[list[Segment], list[Coding]]]:
    """The segments and codings of each group (by source)."""
    index = {t.source: i for i, g in enumerate(groups) for t in g}
    out: list[tuple[list[Segment], list[Coding]]] = [([], []) for _ in groups]
    group_of = {}
    for s in segments:
        i = index[s.source]
        out[i][0].append(s)
        group_of[s.segment_id] = i
    for c in codings:
        out[group_of[c.segment_id]][1].append(c)
    return out


def code_parts(
    coder: "Coder",
    transcripts: Sequence[Transcript],
    *,
    jobs: int = 1,
    cache: CodingCache | None = None,
    part_chars: int | None = None,
    progress: Callable[[int], None] | None = None,
    reread: Callable[[list[Transcript]], list[Transcript]] | None = None,
    size: Callable[[Transcript], int] | None = None,
) -> Iterator[CodingResult]:
    """Code ``transcripts`` part by part; each part's result, in input order.

    Parameters
    ----------
    coder:
        A fitted coder.
    transcripts:
        The transcripts of the run.
    jobs:
        Processes that code (``1``: this one; ``0``: one per core).
    cache:
        Where earlier codings are looked up and new ones kept (each file,
        or each piece of a survey file cut by :func:`pieces`; a file counts
        as a hit when all its pieces are found).
    part_chars:
        About how many characters of text a part holds (default:
        :data:`PART_CHARS`).
    progress:
        Called with the number of segments coded (those some code may
        apply to) as each part is done.
    reread, size:
        For transcripts kept without their text (:class:`TwoPassInput`):
        what reads a file's group (or piece) again when its part is coded,
        and a transcript's size in characters.

    Yields
    ------
    CodingResult
        One per part (at least one): its segments and codings, and its
        transcripts. Together, what ``coder.code(transcripts)`` returns.
    """
    coder.check_fitted("coding")
    if cache is not None:  # inside a folder meant to be shared: before the coding (E808)
        cache.check(transcripts)
    groups = file_groups(transcripts)
    chunks = parts(groups, PART_CHARS if part_chars is None else part_chars,
                   size or _chars) or [[]]
    n_chunks = len(chunks)
    if reread is not None:  # each part's files read again as it comes (a generator)
        chunks = _reread_each(chunks, reread)
    jobs = min(jobs_count(jobs), n_chunks)
    options: dict = {}
    # the last transcript of each file: a file's pieces are planned in order,
    # and the file counts as a cache hit when none of them was missing
    # (by source: unique in a run, and the same after a re-reading)
    file_ends = {g[-1].source for g in groups} if cache is not None else set()
    missing = False

    def plan(chunk):
        """The chunk's cached groups (None where it must be coded) and what to code."""
        nonlocal missing
        found = []
        for g in chunk:
            hit = cache.lookup(g) if cache is not None else None
            found.append(hit)
            missing = missing or hit is None
            if g[-1].source in file_ends:
                cache.count(not missing)
                missing = False
        todo = [t for g, hit in zip(chunk, found) if hit is None for t in g]
        return found, todo

    def assemble(chunk, found, coded) -> CodingResult:
        segments, codings, opts = coded
        options.update(opts)
        if any(hit is not None for hit in found) or cache is not None:
            fresh = iter(_split([g for g, hit in zip(chunk, found) if hit is None],
                                segments, codings))
            segments, codings = [], []
            for g, hit in zip(chunk, found):
                if hit is None:
                    hit = next(fresh)
                    if cache is not None:
                        cache.put(g, *hit)
                segments += hit[0]
                codings += hit[1]
        if progress is not None:
            progress(len(coder._todo(segments)))  # as code()'s progress counts
        return CodingResult(segments, codings, coder.codebook_,
                            [t for g in chunk for t in g], dict(options))

    if jobs <= 1:
        for chunk in chunks:
            found, todo = plan(chunk)
            yield assemble(chunk, found, _code(coder, todo))
        return
    yield from _code_in_processes(coder, chunks, jobs, plan, assemble)


def _reread_each(chunks, reread) -> Iterator[list[list[Transcript]]]:
    for chunk in chunks:
        yield [reread(g) for g in chunk]


def _code_in_processes(coder, chunks, jobs, plan, assemble) -> Iterator[CodingResult]:
    """The chunks coded by ``jobs`` worker processes, at most two per worker
    under way (memory stays bounded), yielded in order."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=context,
                               initializer=_start_worker, initargs=(coder,))
    pending: deque = deque()
    try:
        upcoming = iter(chunks)
        for chunk in upcoming:
            found, todo = plan(chunk)
            pending.append((chunk, found, pool.submit(_code_in_worker, todo)))
            if len(pending) >= 2 * jobs:
                chunk, found, future = pending.popleft()
                yield assemble(chunk, found, future.result())
        while pending:
            chunk, found, future = pending.popleft()
            yield assemble(chunk, found, future.result())
    finally:
        if pending:  # stopped early (Ctrl-C, an error): end the workers now
            _end_workers(pool)
        # waited for in either case: the pool's manager thread then ends here,
        # not at the interpreter's exit, where it met the closed pipes of the
        # ended workers and printed a traceback ("Bad file descriptor")
        pool.shutdown(wait=True, cancel_futures=True)


def _end_workers(pool) -> None:
    """Terminate a process pool's workers (they ignore Ctrl-C, see
    :func:`_start_worker`), so that a stopped run ends at once instead of
    after the chunks under way."""
    terminate = getattr(pool, "terminate_workers", None)  # Python 3.14+
    if terminate is not None:
        terminate()
        return
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        if process.is_alive():
            process.terminate()
