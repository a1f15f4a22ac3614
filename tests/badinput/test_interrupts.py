"""Ctrl-C and SIGTERM at the end of a run (while the results folder is locked,
staged, swapped in and cleaned up) leave the previous results or the new
ones, whole, and nothing beside them: no staging folder, no previous results
moved aside, no lock file; and the next run works.

The signals are real (sent to this process at a chosen step, so the window
is hit every time, without timing): to the main thread, and to another
thread, as the kernel does when the main thread blocks a signal and numpy's
threads do not.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from codingkit.cli import cli
from codingkit.errors import OutputError
from codingkit.fileio import ResultsFolder, terminate_as_interrupt

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src"

pytestmark = pytest.mark.skipif(
    threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGTERM")
    or not hasattr(signal, "pthread_kill"),
    reason="sends signals to this process (main thread, POSIX)")

OWNED = {"segments.csv", "manifest.json"}.__contains__


def _beside(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name != out.name)


def _files(out: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(out.iterdir())}


def _previous(out: Path) -> dict[str, str]:
    with ResultsFolder(out, owned=OWNED) as rf:
        (rf.staging / "segments.csv").write_text("gammal\n", encoding="utf-8")
        (rf.staging / "manifest.json").write_text("{\"run\": 1}", encoding="utf-8")
    (out / "mina_anteckningar.txt").write_text("min egen fil\n", encoding="utf-8")
    return _files(out)


NEW = {"manifest.json": "{\"run\": 2}", "mina_anteckningar.txt": "min egen fil\n",
       "segments.csv": "ny\n"}


def _run(out: Path) -> None:
    """A forced run that writes the new results (in the CLI's SIGTERM handling)."""
    with terminate_as_interrupt(), ResultsFolder(out, force=True, owned=OWNED) as rf:
        (rf.staging / "segments.csv").write_text("ny\n", encoding="utf-8")
        (rf.staging / "manifest.json").write_text("{\"run\": 2}", encoding="utf-8")


class _Sender:
    """Sends ``sig`` to this process from the main thread, or from a helper
    thread to itself (Python's C handler then runs there, and the Python
    handler in the main thread at its next step). Either way the signal has
    arrived when :meth:`send` returns."""

    def __init__(self, sig, where):
        self.sig, self.where = sig, where
        self.sent = 0
        self._ask = threading.Event()
        self._done = threading.Event()
        self._stop = False
        self._thread = None

    def __enter__(self):
        if self.where == "other thread":
            self._thread = threading.Thread(target=self._serve, daemon=True)
            self._thread.start()
        return self

    def _serve(self):
        while True:
            self._ask.wait()
            self._ask.clear()
            if self._stop:
                return
            signal.raise_signal(self.sig)      # delivered to this thread
            self._done.set()

    def send(self):
        self.sent += 1
        if self.where == "other thread":
            self._done.clear()
            self._ask.set()
            assert self._done.wait(30)
        else:
            signal.raise_signal(self.sig)

    def __exit__(self, *exc):
        if self._thread is not None:
            self._stop = True
            self._ask.set()
            self._thread.join()


def _after(monkeypatch, module, name, sender, *, nth=1, before=False, when=lambda *a: True):
    """Make ``module.name`` send the signal on its ``nth`` call (after or
    before it; counting the calls whose arguments ``when`` accepts)."""
    real = getattr(module, name)
    calls = []

    def wrapper(*args, **kwargs):
        counted = when(*args)
        if counted:
            calls.append(args)
        if counted and before and len(calls) == nth:
            sender.send()
        result = real(*args, **kwargs)
        if counted and not before and len(calls) == nth:
            sender.send()
        return result

    monkeypatch.setattr(module, name, wrapper)
    return calls


SIGNALS = [(sig, where) for sig in (signal.SIGINT, signal.SIGTERM)
           for where in ("main thread", "other thread")]
IDS = [f"{sig.name}-{where.replace(' ', '-')}" for sig, where in SIGNALS]


@pytest.mark.parametrize("sig,where", SIGNALS, ids=IDS)
def test_a_signal_between_the_two_renames_lets_the_swap_finish(tmp_path, monkeypatch,
                                                               sig, where):
    """The previous results were moved aside, the new ones not yet in place:
    the swap finishes, the previous results are removed, then the interrupt."""
    out = tmp_path / "res"
    _previous(out)
    with _Sender(sig, where) as sender, pytest.raises(KeyboardInterrupt):
        calls = _after(monkeypatch, os, "rename", sender, nth=1)
        _run(out)
    assert sender.sent == 1 and len(calls) == 2
    monkeypatch.undo()
    assert _files(out) == NEW
    assert _beside(out) == []
    _run(out)      # the next run works
    assert _files(out) == NEW and _beside(out) == []


@pytest.mark.parametrize("sig,where", SIGNALS, ids=IDS)
def test_a_signal_right_after_the_swap_removes_the_previous_results(tmp_path, monkeypatch,
                                                                    sig, where):
    """Between the swap and the removal of the previous results (the step the
    stress test caught: ``.res.codingkit-old-<pid>`` stayed beside)."""
    out = tmp_path / "res"
    _previous(out)
    with _Sender(sig, where) as sender, pytest.raises(KeyboardInterrupt):
        _after(monkeypatch, os, "rename", sender, nth=2)
        _run(out)
    monkeypatch.undo()
    assert _files(out) == NEW
    assert _beside(out) == []


@pytest.mark.parametrize("sig,where", SIGNALS, ids=IDS)
def test_a_signal_while_the_previous_results_are_removed(tmp_path, monkeypatch, sig, where):
    out = tmp_path / "res"
    _previous(out)
    with _Sender(sig, where) as sender, pytest.raises(KeyboardInterrupt):
        _after(monkeypatch, shutil, "rmtree", sender, nth=1, before=True)
        _run(out)
    monkeypatch.undo()
    assert _files(out) == NEW
    assert _beside(out) == []


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_second_signal_while_an_interrupted_run_cleans_up(tmp_path, monkeypatch, sig):
    """Ctrl-C twice: the first stops the run, the second comes while its
    staging folder is removed; the staging folder and the lock still go."""
    out = tmp_path / "res"
    before = _previous(out)
    with _Sender(sig, "main thread") as sender, pytest.raises(KeyboardInterrupt):
        with terminate_as_interrupt(), ResultsFolder(out, force=True, owned=OWNED) as rf:
            (rf.staging / "segments.csv").write_text("halv", encoding="utf-8")
            _after(monkeypatch, shutil, "rmtree", sender, nth=1, before=True)
            raise KeyboardInterrupt
    monkeypatch.undo()
    assert _files(out) == before
    assert _beside(out) == []


@pytest.mark.parametrize("step", ["lock", "staging", "clean leftovers"])
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_while_the_folder_is_locked_and_staged(tmp_path, monkeypatch, sig, step):
    """Between taking the lock (or making the staging folder) and the run
    knowing it has them: neither is left behind."""
    import fcntl
    import tempfile

    out = tmp_path / "res"
    before = _previous(out)
    if step == "clean leftovers":    # a killed run's staging folder to remove
        (tmp_path / ".res.codingkit-new-dead").mkdir()
    module, name = {"lock": (fcntl, "flock"), "staging": (tempfile, "mkdtemp"),
                    "clean leftovers": (shutil, "rmtree")}[step]
    with _Sender(sig, "main thread") as sender, pytest.raises(KeyboardInterrupt):
        _after(monkeypatch, module, name, sender, nth=1)
        _run(out)
    monkeypatch.undo()
    assert sender.sent == 1
    assert _files(out) == before
    assert _beside(out) == []
    _run(out)
    assert _files(out) == NEW and _beside(out) == []


def test_a_failed_second_rename_puts_the_previous_results_back(tmp_path, monkeypatch):
    out = tmp_path / "res"
    before = _previous(out)
    real = os.rename
    calls = []

    def rename(src, dst):
        calls.append(src)
        if len(calls) == 2:
            raise OSError(5, "Input/output error")
        return real(src, dst)

    monkeypatch.setattr(os, "rename", rename)
    with pytest.raises(OSError):
        _run(out)
    monkeypatch.undo()
    assert _files(out) == before
    assert _beside(out) == []


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_as_the_run_ends_and_the_swap_begins(tmp_path, sig):
    """The signal is there when ``__exit__`` starts (Python runs its handler
    at the first step of the method: before any try/finally in it): the swap
    and the cleanup still happen, then the interrupt (the stress test's
    staging folder and lock left behind)."""
    out = tmp_path / "res"
    _previous(out)
    exit_code = ResultsFolder.__exit__.__code__

    with _Sender(sig, "other thread") as sender:
        def profile(frame, event, arg):
            if event == "call" and frame.f_code is exit_code and not sender.sent:
                sys.setprofile(None)
                sender.send()      # its handler runs as __exit__ begins

        with pytest.raises(KeyboardInterrupt):
            with terminate_as_interrupt(), ResultsFolder(out, force=True, owned=OWNED) as rf:
                (rf.staging / "segments.csv").write_text("ny\n", encoding="utf-8")
                (rf.staging / "manifest.json").write_text("{\"run\": 2}", encoding="utf-8")
                sys.setprofile(profile)
        sys.setprofile(None)
    assert sender.sent == 1
    assert _files(out) == NEW
    assert _beside(out) == []


def test_the_handlers_are_put_back(tmp_path):
    before = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    out = tmp_path / "res"
    _run(out)
    with pytest.raises(ValueError):
        with ResultsFolder(out, force=True, owned=OWNED):
            assert signal.getsignal(signal.SIGINT) != before[0]
            raise ValueError
    with pytest.raises(OutputError):
        ResultsFolder(out, owned=OWNED).__enter__()          # E402: not empty
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == before


def test_apply_interrupted_during_the_swap_leaves_the_new_results_whole(tmp_path, monkeypatch):
    """Through the CLI: Ctrl-C between the two renames of ``apply --force``."""
    corpus = tmp_path / "intervjuer"
    corpus.mkdir()
    for p in sorted((ROOT / "transcripts").rglob("*.txt"))[:1]:
        shutil.copy(p, corpus / p.name)
    out = tmp_path / "res"
    args = ["apply", str(corpus), "--out", str(out), "--similarity", "none", "--quiet"]
    r = CliRunner().invoke(cli, [*args, "--unit", "sentence"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    with _Sender(signal.SIGINT, "other thread") as sender:
        _after(monkeypatch, os, "rename", sender,
               when=lambda src, dst, *a: ".res.codingkit-old-" in str(dst))
        r = CliRunner().invoke(cli, [*args, "--force"])
    monkeypatch.undo()
    assert r.exit_code == 1 and "Aborted!" in r.output and "Traceback" not in r.output
    assert sorted(p.name for p in out.iterdir()) == [
        "codings.csv", "frequencies.csv", "manifest.json", "segments.csv"]
    assert _beside(out) == ["intervjuer"]


def _python(code: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code), *args],
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(SRC)})


def test_sigterm_with_its_default_action_ends_the_process_after_the_swap(tmp_path):
    """A library user's process (no SIGTERM handler): SIGTERM during the swap
    ends it (as SIGTERM does) once the folder is whole and cleaned up."""
    out = tmp_path / "res"
    _previous(out)
    r = _python("""
        import os, signal, sys
        from codingkit.fileio import ResultsFolder
        real = os.rename
        def rename(src, dst):
            real(src, dst)
            os.kill(os.getpid(), signal.SIGTERM)
        os.rename = rename
        with ResultsFolder(sys.argv[1], force=True,
                           owned={"segments.csv", "manifest.json"}.__contains__) as rf:
            (rf.staging / "segments.csv").write_text("ny\\n", encoding="utf-8")
            (rf.staging / "manifest.json").write_text('{"run": 2}', encoding="utf-8")
        print("not reached")
        """, str(out))
    assert r.returncode == -signal.SIGTERM, (r.returncode, r.stdout, r.stderr)
    assert r.stdout == ""
    assert _files(out) == NEW
    assert _beside(out) == []


def test_a_forked_worker_that_gets_sigterm_leaves_the_run_alone(tmp_path):
    """A worker forked during the run (it inherits the run's handlers) that
    is ended by SIGTERM does not clean up the run's staging folder or lock."""
    out = tmp_path / "res"
    r = _python("""
        import os, signal, sys
        from codingkit.fileio import ResultsFolder
        with ResultsFolder(sys.argv[1]) as rf:
            (rf.staging / "segments.csv").write_text("ny\\n", encoding="utf-8")
            pid = os.fork()
            if pid == 0:
                os.kill(os.getpid(), signal.SIGTERM)
                os._exit(0)                 # not reached
            _, status = os.waitpid(pid, 0)
            print(os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGTERM)
            print(sorted(p.name for p in rf.staging.iterdir()))
        """, str(out))
    assert r.returncode == 0, r.stderr
    assert r.stdout.split("\n")[:2] == ["True", "['segments.csv']"]
    assert _files(out) == {"segments.csv": "ny\n"}
    assert _beside(out) == []


def test_sigterm_stops_any_command_as_ctrl_c_does(tmp_path):
    """SIGTERM while ``export-codebook`` writes its file: "Aborted!", no
    temporary file, no traceback (it used to end the process on the spot)."""
    out = tmp_path / "teman.qdc"
    r = _python("""
        import os, signal, sys
        real = os.replace
        def replace(src, dst):
            os.kill(os.getpid(), signal.SIGTERM)
            return real(src, dst)
        os.replace = replace
        from codingkit.cli import main
        main(sys.argv[1:])
        """, "export-codebook", str(ROOT / "src/codingkit/codebooks/innovationsupphandling.yaml"),
        "--out", str(out))
    assert r.returncode == 1, (r.returncode, r.stderr)
    assert r.stderr.strip() == "Aborted!"
    assert list(tmp_path.iterdir()) == []


def test_a_forked_worker_does_not_keep_the_lock_of_a_killed_run(tmp_path):
    """A run killed (SIGKILL) while a worker it forked (--jobs) lives on: the
    next run into the folder is not refused as "another run" (E405)."""
    out = tmp_path / "res"
    r = subprocess.Popen([sys.executable, "-c", textwrap.dedent("""
        import os, sys
        from codingkit.fileio import ResultsFolder
        rf = ResultsFolder(sys.argv[1]).__enter__()
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:            # the worker: started (its fork hooks have run), it
            os.write(write, b"x")   # says so, then waits until the test closes its stdin
            sys.stdin.read()
            os._exit(0)
        os.read(read, 1)        # the worker has started (else the race is the test's)
        print(pid, flush=True)
        os._exit(9)             # the run dies without cleaning up, as with SIGKILL
        """), str(out)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(SRC)})
    try:
        worker = int(r.stdout.readline())
        assert r.wait(timeout=60) == 9
        os.kill(worker, 0)      # the worker lives on
        with ResultsFolder(out) as rf:          # E405 before
            (rf.staging / "segments.csv").write_text("ny\n", encoding="utf-8")
        assert _files(out) == {"segments.csv": "ny\n"}
        assert _beside(out) == []               # the dead run's staging folder removed
    finally:
        r.stdin.close()
    with pytest.raises(OutputError):            # the lock itself still works
        with ResultsFolder(out, force=True):
            with ResultsFolder(out, force=True):
                pass


def test_ctrl_c_still_works_after_two_folders_closed_out_of_order(tmp_path):
    """A in, B in, A out, B out (e.g. by hand in a notebook): B put A's
    handler back after A was done, and A's then swallowed every Ctrl-C."""
    a, b = ResultsFolder(tmp_path / "a"), ResultsFolder(tmp_path / "b")
    a.__enter__()
    b.__enter__()
    a.__exit__(None, None, None)
    b.__exit__(None, None, None)
    with pytest.raises(KeyboardInterrupt):
        signal.raise_signal(signal.SIGINT)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "b"]


def test_ctrl_c_while_the_command_line_loads_says_aborted():
    """Ctrl-C in the first tenth of a second (codingkit.cli being imported)
    printed a traceback; now it ends as Ctrl-C later does."""
    from importlib.metadata import entry_points

    [script] = entry_points(group="console_scripts", name="codingkit")
    assert script.value == "codingkit.__main__:run"
    r = _python("""
        import sys

        class CtrlC:    # Ctrl-C as codingkit.cli is being imported
            def find_spec(self, name, path=None, target=None):
                if name == "codingkit.cli":
                    raise KeyboardInterrupt

        sys.meta_path.insert(0, CtrlC())
        from codingkit.__main__ import run
        run()
        """)
    assert (r.returncode, r.stderr) == (1, "Aborted!\n")


def test_ctrl_c_with_jobs_ends_the_workers_without_their_tracebacks(tmp_path):
    """Ctrl-C in a terminal reaches the workers of ``apply --jobs 2`` too:
    they printed KeyboardInterrupt tracebacks of their own (and a worker
    busy with a chunk held the run up). Now the run says only "Aborted!",
    its workers are gone, and the folder it was writing is not there."""
    out, started = tmp_path / "res", tmp_path / "started"
    started.mkdir()
    script = textwrap.dedent("""
        import os, sys, time
        import codingkit.run as run

        def slow_chunk(todo):        # a worker busy with a long chunk
            (started / str(os.getpid())).write_text("", encoding="utf-8")
            time.sleep(120)

        from pathlib import Path
        started = Path(sys.argv[1])
        run._code_in_worker = slow_chunk
        run.PART_CHARS = 20_000              # several parts from 12 interviews
        from codingkit.cli import main
        main(sys.argv[2:])
        """)
    p = subprocess.Popen(
        [sys.executable, "-c", script, str(started), "apply", str(ROOT / "transcripts"),
         "--out", str(out), "--jobs", "2"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
        env={**os.environ, "PYTHONPATH": str(SRC)})
    try:
        for _ in range(1200):               # until both workers are coding
            if len(list(started.iterdir())) == 2 or p.poll() is not None:
                break
            threading.Event().wait(0.05)
        workers = [int(f.name) for f in started.iterdir()]
        assert len(workers) == 2, p.communicate(timeout=5)
        os.killpg(p.pid, signal.SIGINT)     # as Ctrl-C in a terminal does
        _, err = p.communicate(timeout=60)  # not after the workers' 120 s
    finally:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
    assert p.returncode == 1, err
    assert err.strip() == "Aborted!"
    for pid in workers:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    assert not out.exists() and _beside(out) == ["started"]
