"""Telling live owners from dead ones: a run whose process died must be resumable, one
whose process lives must not be taken over."""

from __future__ import annotations

import os
import subprocess
import sys

from runtime.processes import pid_alive


def test_this_process_and_a_running_child_are_alive() -> None:
    assert pid_alive(os.getpid())
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        assert pid_alive(child.pid)
    finally:
        child.kill()
        child.wait()


def test_an_exited_child_is_dead_even_before_it_is_reaped() -> None:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    os.waitid(os.P_PID, child.pid, os.WEXITED | os.WNOWAIT)  # exited, still a zombie
    assert not pid_alive(child.pid)
    child.wait()
    assert not pid_alive(child.pid)


def test_nonsense_is_not_a_live_process() -> None:
    assert not pid_alive(None)
    assert not pid_alive("123")
    assert not pid_alive(-1)
    assert not pid_alive(True)
