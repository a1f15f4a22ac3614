"""Safe file writing: an output file is either complete or absent.

Every writer in codingkit writes to a temporary file in the destination
folder and renames it into place (``os.replace`` is atomic on the same file
system), so an interrupted run never leaves a half-written table, and an
input file is never opened for writing.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


@contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    r"""Yield a temporary path beside ``path``; on success rename it to ``path``.

    Examples
    --------
    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "codings.csv"
    >>> with atomic_path(target) as tmp:
    ...     _ = tmp.write_text("segment_id,code\n", encoding="utf-8")
    >>> target.read_text(encoding="utf-8")
    'segment_id,code\n'
    >>> sorted(p.name for p in target.parent.iterdir())   # no temporary file left
    ['codings.csv']
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        # mkstemp makes the file private (0600); give it the mode a plain
        # open() would (or keep the mode of the file it replaces), so that
        # colleagues can read results on a shared drive
        try:
            mode = path.stat().st_mode & 0o777
        except OSError:
            mode = 0o666 & ~_umask()
        os.chmod(tmp_path, mode)
        os.replace(tmp_path, path)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise


def _umask() -> int:
    """The process's umask (read by setting and restoring it)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` atomically."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def atomic_write_text(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` as UTF-8 (``\\n`` line endings) to ``path`` atomically."""
    atomic_write_bytes(path, text.encode("utf-8"))


def sha256_file(path: str | os.PathLike[str]) -> str:
    """Hex sha256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# --------------------------------------------------------------------------
# A results folder written as one unit
# --------------------------------------------------------------------------

_STAGE = "codingkit-new"   # a run being written: .<name>.codingkit-new-XXXX
_OLD = "codingkit-old"     # the previous results during the swap: .<name>.codingkit-old-XXXX


class ResultsFolder:
    """Write a whole results folder as one unit.

    ``with ResultsFolder(out, owned=...) as rf:`` checks that ``out`` can be
    written, takes a lock beside it (``.<name>.codingkit.lock``), and gives a
    temporary folder beside it (:attr:`staging`) to write every file into.
    On a clean exit the staging folder becomes ``out`` (two renames in the
    same parent folder); on an exception, Ctrl-C or SIGTERM (see
    :func:`terminate_as_interrupt`) it is removed. So ``out`` holds either
    the previous results or the new ones, never a mix; a killed run
    (SIGKILL) leaves a hidden folder beside ``out`` that the next run into
    ``out`` removes (or restores, when the kill fell between the two renames).

    While the ``with`` lasts, Ctrl-C and SIGTERM that come while the folder
    is being set up, swapped in or cleaned up (in ``__enter__`` or
    ``__exit__``) are held off until that is done, then take effect
    (``KeyboardInterrupt``, or SIGTERM's default action: the process ends);
    in the block they take effect at once. A SIGTERM with its default
    action removes the staging folder and the lock before the process ends.

    Files in an existing ``out`` that codingkit does not own (``owned`` says
    which names it owns) are carried into the new folder (hard links where
    the file system allows, copies otherwise); codingkit's own files are not,
    so a forced run replaces all of them.

    Raises
    ------
    OutputError
        E401 ``out`` is a file; E402 ``out`` is not empty and not ``force``;
        E405 another run holds the lock; E406 ``out`` or its parent folder
        cannot be written.

    Examples
    --------
    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp()) / "resultat"
    >>> with ResultsFolder(out) as rf:
    ...     _ = (rf.staging / "codings.csv").write_text("segment_id,code\\n")
    >>> sorted(p.name for p in out.iterdir()), sorted(p.name for p in out.parent.iterdir())
    (['codings.csv'], ['resultat'])
    """

    def __init__(self, out: str | os.PathLike[str], *, force: bool = False,
                 owned=lambda name: False) -> None:
        self.out = Path(out)
        self.force = force
        self.owned = owned
        self.staging: Path | None = None
        self._old: Path | None = None      # the previous results, moved aside
        self._lock_fd: int | None = None
        self._lock_path: Path | None = None
        self._handlers: dict[int, object] = {}   # signal -> the handler before ours
        self._pid = os.getpid()
        self._held: list[int] = []               # signals held off until set up or done

    # -- checks ------------------------------------------------------------
    def check(self) -> None:
        """The checks of :meth:`__enter__` that need no lock (E401, E402, E406)."""
        from .errors import OutputError

        out = self.out
        if out.exists() and not out.is_dir():
            raise OutputError("exists and is not a folder; expected a folder for the results",
                              path=out, code="E401")
        if out.is_dir():
            if not os.access(out, os.W_OK | os.X_OK):
                raise OutputError("folder is read-only; expected a folder you can write to "
                                  "(or a new folder name)", path=out, code="E406")
            if not self.force and any(not self._leftover(p.name) for p in out.iterdir()):
                raise OutputError("folder is not empty; use --force (force=True in Python) to "
                                  "replace codingkit's files in it",
                                  path=out, code="E402")
        parent = self._parent()
        existing = parent
        while not existing.exists() and existing != existing.parent:
            existing = existing.parent
        if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
            raise OutputError(f"cannot write beside {out.name!r} in this folder (read-only); "
                              "codingkit writes the results next to --out first; expected a "
                              "folder you can write to", path=existing, code="E406")

    def _parent(self) -> Path:
        return Path(os.path.realpath(self.out)).parent if self.out.is_symlink() \
            else self.out.absolute().parent

    def _target(self) -> Path:
        return Path(os.path.realpath(self.out)) if self.out.is_symlink() else self.out.absolute()

    # -- lock --------------------------------------------------------------
    def _lock(self) -> None:
        from .errors import OutputError

        try:
            import fcntl
        except ImportError:  # not POSIX: no lock
            return

        target = self._target()
        path = target.parent / f".{target.name}.codingkit.lock"
        while True:
            try:
                fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666 & ~_umask())
            except OSError as exc:
                raise OutputError(f"cannot create the lock file {path.name} ({exc.strerror}); "
                                  "expected a folder you can write to", path=path.parent,
                                  code="E406") from None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)
                raise OutputError("another codingkit run is writing these results (lock "
                                  f"{path.name}); wait for it to finish or choose another --out",
                                  path=self.out, code="E405") from None
            # the file may have been removed by the run that held it: lock the file
            # that is there now
            try:
                same = os.stat(path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if same:
                self._lock_fd, self._lock_path = fd, path
                _HELD_LOCKS.add(fd)
                return
            os.close(fd)

    def _unlock(self) -> None:
        if self._lock_fd is None:
            return
        try:
            if self._lock_path is not None:
                self._lock_path.unlink(missing_ok=True)
        finally:
            _HELD_LOCKS.discard(self._lock_fd)
            os.close(self._lock_fd)
            self._lock_fd = None

    # -- leftovers of killed runs -------------------------------------------
    def _leftover(self, name: str) -> bool:
        """A temporary file of an owned file (``.segments.csv.k3j2x.tmp``) that
        a killed run of an older codingkit left inside the results folder."""
        if not (name.startswith(".") and name.endswith(".tmp")):
            return False
        stem = name[1:-len(".tmp")]
        return "." in stem and self.owned(stem.rsplit(".", 1)[0])

    def _clean_leftovers(self) -> None:
        """Remove (or restore) what a killed run into the same folder left."""
        import shutil

        target = self._target()
        prefix = f".{target.name}."
        for p in sorted(target.parent.iterdir()):
            name = p.name
            if not name.startswith(prefix) or not p.is_dir() or p.is_symlink():
                continue
            kind = name[len(prefix):]
            if kind.startswith(_OLD + "-"):
                if not target.exists():       # killed between the two renames
                    os.rename(p, target)
                else:                         # killed after the swap
                    shutil.rmtree(p, ignore_errors=True)
            elif kind.startswith(_STAGE + "-"):
                shutil.rmtree(p, ignore_errors=True)

    # -- the unit ------------------------------------------------------------
    def __enter__(self) -> "ResultsFolder":
        from .errors import OutputError

        self.check()
        parent = self._parent()
        try:
            parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"cannot create the folder ({exc.strerror}); expected a "
                              "folder you can write to", path=parent, code="E406") from None
        self._guard_signals()
        try:
            self._lock()
            self._clean_leftovers()
            self.check()    # again: a restored folder may not be empty
            target = self._target()
            try:
                self.staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.{_STAGE}-",
                                                     dir=target.parent))
            except OSError as exc:
                raise OutputError(f"cannot create a folder beside it ({exc.strerror}); "
                                  "expected a folder you can write to", path=self.out,
                                  code="E406") from None
            if not self._held:
                return self
        except BaseException:
            try:
                self._cleanup()
            finally:
                self._release_signals()
            raise
        # Ctrl-C or SIGTERM came while setting up: nothing is left, then it
        # takes effect (should its handler let the run go on: set up again)
        try:
            self._cleanup()
        finally:
            self._release_signals()
        return self.__enter__()

    def __exit__(self, exc_type, exc, tb) -> None:
        # Ctrl-C and SIGTERM are held off until the end (see _on_signal): even
        # one that comes as this method starts, or during the swap, leaves the
        # previous or the new results, and no staging folder, previous results
        # moved aside or lock
        try:
            if exc_type is None:
                self._prepare()
                self._swap()
        finally:
            try:
                self._cleanup()
            finally:
                self._release_signals()

    def _cleanup(self) -> None:
        """Remove the staging folder and the previous results moved aside (if
        any), and release the lock."""
        import shutil

        try:
            for attr in ("staging", "_old"):
                folder = getattr(self, attr)
                if folder is not None:
                    if os.path.lexists(folder):
                        shutil.rmtree(folder, ignore_errors=True)
                    setattr(self, attr, None)
        finally:
            self._unlock()

    # -- Ctrl-C and SIGTERM ------------------------------------------------------
    def _guard_signals(self) -> None:
        """Put :meth:`_on_signal` before the handlers of SIGINT and SIGTERM
        (in the main thread: elsewhere Python runs no handlers)."""
        import signal
        import threading

        self._held = []
        self._pid = os.getpid()
        self._released = False
        if threading.current_thread() is not threading.main_thread():
            return
        try:
            for signum in (signal.SIGINT, getattr(signal, "SIGTERM", None)):
                # a handler not set from Python (None) cannot be put back: left alone
                if signum is not None and signal.getsignal(signum) is not None:
                    self._handlers[signum] = signal.signal(signum, self._on_signal)
        except BaseException:   # a signal that came before (its handler ran): undo
            self._release_signals()
            raise

    def _on_signal(self, signum, frame) -> None:
        """Hold the signal off while the folder is set up, swapped in or
        cleaned up (``__enter__`` or ``__exit__`` on the stack); else hand it
        on. Python runs handlers in the main thread, between two steps of
        its code, whichever thread the signal came to."""
        import signal

        handler = self._handlers.get(signum)
        # a forked child (a --jobs worker): not its folder; or this folder is done,
        # and another one, entered after it and still open, had put this handler back
        if os.getpid() != self._pid or self._released:
            if handler is None:   # nothing saved: as if no folder were open
                handler = (signal.default_int_handler if signum == signal.SIGINT
                           else signal.SIG_DFL)
            if callable(handler):
                handler(signum, frame)
            elif handler == signal.SIG_DFL:
                signal.signal(signum, signal.SIG_DFL)
                signal.raise_signal(signum)
            return
        f = frame
        while f is not None:
            if f.f_code in _SETTING_UP_OR_DONE:
                self._held.append(signum)
                return
            if f.f_code in _INTERRUPTIBLE:
                break
            f = f.f_back
        if callable(handler):
            handler(signum, frame)
        elif handler == signal.SIG_DFL:   # the process ends: nothing left beside
            try:
                self._cleanup()
            finally:
                self._release_signals()
            signal.raise_signal(signum)

    def _release_signals(self) -> None:
        """Put the previous handlers back, then let the signals held off take
        effect (``KeyboardInterrupt``; the default action of SIGTERM)."""
        import signal

        raised = None
        self._released = True
        for signum, handler in list(self._handlers.items()):
            for _ in range(10):
                try:
                    # runs the handlers of signals that came (before it sets this one)
                    if signal.getsignal(signum) == self._on_signal:
                        signal.signal(signum, handler)
                        del self._handlers[signum]
                    # else a folder entered later is in front: when it puts this
                    # handler back, it hands signals on to `handler` (_on_signal)
                    break
                except BaseException as exc:   # one already put back raised: later
                    raised = raised or exc
        held, self._held = list(dict.fromkeys(self._held)), []
        for signum in held:
            handler = signal.getsignal(signum)
            if callable(handler):
                handler(signum, None)     # e.g. KeyboardInterrupt
            elif handler == signal.SIG_DFL:
                signal.raise_signal(signum)
        if raised is not None:
            raise raised

    def commit(self) -> None:
        """Make the staging folder the results folder (``with`` does it, with
        Ctrl-C and SIGTERM held off)."""
        import shutil

        self._prepare()
        self._swap()
        if self._old is not None:
            shutil.rmtree(self._old, ignore_errors=True)
            self._old = None

    def _prepare(self) -> None:
        """Carry the files codingkit does not own from the results folder into
        the staging folder, and give it the folder's mode."""
        target = self._target()
        staging = self.staging
        assert staging is not None
        if target.is_dir():
            for p in target.iterdir():
                if self.owned(p.name) or self._leftover(p.name):
                    continue
                _link_copy(p, staging / p.name)
            mode = target.stat().st_mode & 0o7777
        else:
            mode = 0o777 & ~_umask()
        os.chmod(staging, mode)

    def _swap(self) -> None:
        """The two renames: the results folder aside (to be removed), the
        staging folder in its place."""
        target = self._target()
        staging = self.staging
        assert staging is not None
        old = None
        if target.exists():
            old = target.parent / f".{target.name}.{_OLD}-{os.getpid()}"
            os.rename(target, old)
        try:
            os.rename(staging, target)
        except BaseException:
            if old is not None:   # the previous results back (else the next run does it)
                os.rename(old, target)
            raise
        self.staging, self._old = None, old


#: Signals that come while these run (or what they call) are held off until
#: the folder is set up or done: ``__exit__`` (the swap and the cleanup) and
#: ``__enter__``; but not while the files a user put in the results folder are
#: carried over (a copy may take long), nor the staging folder written.
_SETTING_UP_OR_DONE = frozenset({ResultsFolder.__enter__.__code__,
                                 ResultsFolder.__exit__.__code__})
_INTERRUPTIBLE = frozenset({ResultsFolder._prepare.__code__})


#: The file descriptors of the locks this process holds. A child forked while
#: one is held (``--jobs`` workers) closes its copy at once: a ``flock`` lock
#: belongs to the open file, which the copy shares, so a worker outliving a
#: killed run would otherwise keep the lock and refuse the next run (E405).
_HELD_LOCKS: set[int] = set()


def _close_held_locks() -> None:
    for fd in list(_HELD_LOCKS):
        try:
            os.close(fd)
        except OSError:
            pass
    _HELD_LOCKS.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_close_held_locks)


def _link_copy(src: Path, dst: Path) -> None:
    """Hard-link ``src`` (a file, or a folder recursively) to ``dst``; copy
    where the file system has no hard links."""
    import shutil

    def link(s, d):
        try:
            os.link(s, d, follow_symlinks=False)
        except OSError:
            shutil.copy2(s, d, follow_symlinks=False)

    if src.is_dir() and not src.is_symlink():
        shutil.copytree(src, dst, symlinks=True, copy_function=link)
    else:
        link(src, dst)


@contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """While in this block, SIGTERM behaves like Ctrl-C (``KeyboardInterrupt``),
    so that a terminated run cleans up as an interrupted one does (the CLI's
    ``apply`` runs in it). Outside the main thread it does nothing."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def is_results_folder(folder: str | os.PathLike[str]) -> bool:
    """Whether ``folder`` is a results folder codingkit wrote: it holds the
    ``manifest.json`` of a run (a JSON object with ``codingkit_version``).
    Such folders are never read as input (their CSV tables would be read as
    surveys, and every rerun would code them again)."""
    import json

    path = Path(folder) / "manifest.json"
    try:
        if not path.is_file() or path.stat().st_size > 64 * 1024 * 1024:
            return False
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):  # RecursionError: nested too deeply
        return False
    return isinstance(data, dict) and "codingkit_version" in data
