"""Run a few lines of Python in a child process with a timeout.

Native libraries (Qt's platform plugin, llama.cpp) can abort or segfault on some machines;
in a child that becomes an exit code the doctor can explain. A frozen bundle has no
`python -c`, so there the bundle's own executable runs the code (`--exec CODE`).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class Outcome:
    ok: bool
    output: str
    problem: str = ""


def command(code: str) -> list[str]:
    if getattr(sys, "frozen", False):
        return [sys.executable, "--exec", code]
    return [sys.executable, "-c", code]


def run(code: str, timeout: float, env: dict[str, str] | None = None) -> Outcome:
    try:
        done = subprocess.run(command(code), capture_output=True, text=True, timeout=timeout,
                              env={**os.environ, **(env or {})}, check=False)
    except subprocess.TimeoutExpired:
        return Outcome(False, "", f"did not finish within {timeout:g} s")
    except OSError as exc:
        return Outcome(False, "", f"could not start a child process: {exc}")
    output = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
    if done.returncode == 0:
        return Outcome(True, output)
    if done.returncode < 0:
        try:
            name = signal.Signals(-done.returncode).name
        except ValueError:
            name = f"signal {-done.returncode}"
        first = done.stderr.strip().splitlines()[0] if done.stderr.strip() else ""
        return Outcome(False, output, f"crashed ({name})" + (f": {first}" if first else ""))
    last = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else ""
    return Outcome(False, output, last or f"exited with code {done.returncode}")
