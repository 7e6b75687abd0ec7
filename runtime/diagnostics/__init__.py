"""`junction doctor` and Help ▸ Diagnostics: checks that explain what is wrong and how to fix it.

Pure Python (no Qt): the designer shows the same `Check` results in a window. Anything
that can crash or hang (loading llama.cpp, starting Qt) runs in a child process with a
timeout, so a broken native library shows up as a failed check, not a dead doctor.
"""

from runtime.diagnostics import child, models  # models: the first-run screen asks it
from runtime.diagnostics.report import Check, Options, Status, healthy, run_checks

__all__ = ["Check", "Options", "Status", "child", "healthy", "models", "run_checks"]
