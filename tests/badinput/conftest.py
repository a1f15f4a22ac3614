"""Shared set-up of the bad-input tests."""

from __future__ import annotations

import signal
import threading

import pytest


@pytest.fixture(autouse=True)
def _ctrl_c_raises_keyboard_interrupt():
    """Ctrl-C (SIGINT) raises KeyboardInterrupt here and in the processes a test starts.

    A shell that runs the tests in the background (``nohup``, ``&``) starts
    them with SIGINT ignored, and Python then installs no handler for it:
    the tests of interrupted runs would see nothing happen. A handled signal
    is reset to its default in a process started from here, whose Python
    then raises KeyboardInterrupt as usual.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGINT)
    if previous is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
