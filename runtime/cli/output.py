"""Printing for people (rich tables on a terminal) and for scripts (`--json`)."""

from __future__ import annotations

import json
import sys
from typing import Any

from rich.console import Console
from rich.table import Table

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


def table(title: str | None, columns: list[str], rows: list[list[Any]]) -> None:
    grid = Table(title=title, title_justify="left", header_style="bold")
    for index, column in enumerate(columns):
        ident = index == 0 or column in ("id", "task", "run", "case")
        grid.add_column(column, overflow="fold", no_wrap=ident)
    for row in rows:
        grid.add_row(*["" if v is None else str(v) for v in row])
    out.print(grid)


def short_time(stamp: str | None) -> str:
    return "" if not stamp else stamp.replace("T", " ")[:19]
