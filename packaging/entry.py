"""The bundle's executable: the designer by default, and every `junction …` command.

    Junction                      open the designer (the .desktop file runs this)
    Junction designer [FLOW]      the same, with a flow
    Junction validate FLOW …      any `junction` command
    Junction --self-test          open a template, validate it, run a case, exit 0
    Junction --exec CODE          run Python in this bundle (doctor's child-process probes)
    Junction --config FILE …      any of the above with that settings file
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    argv = _take_config(argv)
    if argv[:1] == ["--self-test"]:
        from designer.selftest import run

        return run(_bundled_templates())
    if argv[:1] == ["--exec"] and len(argv) > 1:
        exec(compile(argv[1], "<junction --exec>", "exec"), {"__name__": "__main__"})
        return 0
    if not argv or argv[0] == "designer":
        from designer.app.application import run_app

        return run_app(argv[1] if len(argv) > 1 else None)
    from runtime.cli.main import main as junction

    return junction(argv)


def _take_config(argv: list[str]) -> list[str]:
    """A leading `--config FILE` (or `--config=FILE`) applies to whatever comes after it,
    the designer included: it becomes `JUNCTION_CONFIG`, as `junction --config` does."""
    if argv[:1] == ["--config"] and len(argv) > 1:
        given, rest = argv[1], argv[2:]
    elif argv and argv[0].startswith("--config="):
        given, rest = argv[0].split("=", 1)[1], argv[1:]
    else:
        return argv
    from runtime.settings import CONFIG_ENV

    os.environ[CONFIG_ENV] = str(Path(given).expanduser())
    return rest


def _bundled_templates() -> Path | None:
    base = getattr(sys, "_MEIPASS", None)
    return Path(base) / "templates" if base else None


if __name__ == "__main__":
    multiprocessing.freeze_support()
    sys.exit(main(sys.argv[1:]))
