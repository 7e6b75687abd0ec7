"""`junction doctor [--json] [--full]`: is this machine ready, and if not, what to do.

Each check prints its finding and a fix. Exit 0 when nothing failed (warnings and skipped
extras are fine), 1 otherwise. Fast by default (a few seconds); `--full` also loads the
bundled models in child processes.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.markup import escape

from runtime.cli.common import add_config, add_home, add_json
from runtime.cli.output import out, print_json
from runtime.diagnostics import Check, Status, healthy, run_checks
from runtime.diagnostics.report import Options

MARK = {Status.OK: "[green]ok[/green]  ", Status.WARN: "[yellow]warn[/yellow]",
        Status.FAIL: "[red]FAIL[/red]", Status.SKIP: "[dim]skip[/dim]"}


def register(sub: argparse._SubParsersAction) -> None:
    cmd = sub.add_parser("doctor", help="check this machine and workspace; explain each fix")
    add_home(cmd)
    add_json(cmd)
    add_config(cmd)
    cmd.add_argument("--full", action="store_true",
                     help="also load the bundled models (slower; in child processes)")
    cmd.add_argument("--timeout", type=float, default=120.0, metavar="SECONDS",
                     help="per slow check (default 120)")
    cmd.set_defaults(handler=doctor)


def doctor(args: argparse.Namespace) -> int:
    options = Options(home=Path(args.home) if args.home else None, full=args.full,
                      timeout=args.timeout)
    checks = run_checks(options, on_check=None if args.json else _print)
    ok = healthy(checks)
    if args.json:
        print_json({"healthy": ok, "checks": [c.to_json() for c in checks]})
    else:
        failed = sum(c.status == Status.FAIL for c in checks)
        out.print("\nhealthy" if ok else f"\n{failed} problem{'s' * (failed != 1)} to fix")
    return 0 if ok else 1


def _print(check: Check) -> None:
    out.print(f"{MARK[check.status]}  [bold]{escape(check.name)}[/bold]: {escape(check.detail)}")
    if check.fix and check.status != Status.OK:
        out.print(f"        fix: {escape(check.fix)}")
