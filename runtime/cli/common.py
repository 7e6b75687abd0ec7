"""Arguments and helpers shared by several commands."""

from __future__ import annotations

import argparse

from runtime.api import Workspace
from runtime.cases import read_case, read_cases  # noqa: F401  (re-exported for commands)


def add_home(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("--home", metavar="DIR",
                     help="workspace folder (default: $JUNCTION_HOME or the user data dir)")


def add_json(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("--json", action="store_true", help="print machine-readable JSON")


def open_workspace(args: argparse.Namespace) -> Workspace:
    return Workspace.open(getattr(args, "home", None))
