"""Arguments and helpers shared by several commands."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from runtime.api import Workspace
from runtime.cases import read_case, read_cases  # noqa: F401  (re-exported for commands)
from runtime.settings import CONFIG_ENV


def add_home(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("--home", metavar="DIR",
                     help="workspace folder (default: $JUNCTION_HOME or the user data dir)")
    cmd.add_argument("--store", metavar="URL", help="keep runs in this store: postgresql://… "
                     "for a team, or a SQLite file (default: $JUNCTION_STORE, else the "
                     "settings file's workspace.store, else the workspace's own file)")


def add_config(cmd: argparse.ArgumentParser, *, top_level: bool = False) -> None:
    """`--config FILE`: a global option of `junction` (before the command), also accepted
    after `doctor` and `settings …` where people looked for it first. After a command it
    defaults to "not given" so it never hides the one given before the command."""
    cmd.add_argument("--config", metavar="FILE",
                     default=None if top_level else argparse.SUPPRESS,
                     help=f"settings file for this command (default: ${CONFIG_ENV}, "
                          "else the user config folder)")


def use_config(args: argparse.Namespace) -> None:
    """`--config` wins over `JUNCTION_CONFIG` for everything this process reads, child
    processes included (the designer, doctor's probes, workers): it becomes the variable."""
    if getattr(args, "config", None):
        os.environ[CONFIG_ENV] = str(Path(args.config).expanduser())


def add_json(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("--json", action="store_true", help="print machine-readable JSON")


def open_workspace(args: argparse.Namespace) -> Workspace:
    home, store = getattr(args, "home", None), getattr(args, "store", None)
    # Without --store, Workspace.open falls back to JUNCTION_STORE, the settings file, SQLite.
    return Workspace.open(home, store=store) if store else Workspace.open(home)
