"""Registers `junction designer` with the runtime's command line (via an entry point, so
the runtime never imports the designer)."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    cmd = sub.add_parser("designer", help="open the flow designer")
    cmd.add_argument("flow", nargs="?", help="a flow file to open")
    cmd.set_defaults(handler=_open)


def _open(args: argparse.Namespace) -> int:
    from designer.app.application import run_app

    return run_app(args.flow)
