"""Arguments and helpers shared by several commands."""

from __future__ import annotations

import argparse

from runtime.api import Workspace
from runtime.cases import read_case, read_cases  # noqa: F401  (re-exported for commands)


def add_home(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("--home", metavar="DIR",
                     help="workspace folder (default: $JUNCTION_HOME or the user data dir)")
    cmd.add_argument("--store", metavar="URL", help="keep runs in this store: postgresql://… "
                     "for a team, or a SQLite file (default: $JUNCTION_STORE, else the "
                     "settings file's workspace.store, else the workspace's own file)")


def add_json(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("--json", action="store_true", help="print machine-readable JSON")


def open_workspace(args: argparse.Namespace) -> Workspace:
    home, store = getattr(args, "home", None), getattr(args, "store", None)
    # Without --store, Workspace.open falls back to JUNCTION_STORE, the settings file, SQLite.
    return Workspace.open(home, store=store) if store else Workspace.open(home)
