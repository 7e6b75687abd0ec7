"""`junction worker`: take queued runs from the team store and run them with this
machine's models; runs, steps and tasks land in the shared store."""

from __future__ import annotations

import argparse
import asyncio
import logging
from typing import Any

from runtime.cli.common import add_home
from runtime.cli.output import err
from runtime.engine.runner import Engine
from runtime.errors import ConflictError, JunctionError
from runtime.store.open import store_url
from runtime.store.rows import this_process
from runtime.team.dispatch import require_team_store
from runtime.workspace import home_dir

log = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction) -> None:
    cmd = sub.add_parser("worker", help="run queued cases from the team store (team mode)")
    cmd.add_argument("--until-empty", action="store_true",
                     help="stop when the queue is empty instead of waiting for more work")
    cmd.add_argument("--name", default=None, help="worker name shown in the queue")
    add_home(cmd)
    cmd.set_defaults(handler=work)


def work(args: argparse.Namespace) -> int:
    url = require_team_store(store_url(args.store), "`junction worker`")
    from runtime.connectors.pg_tables import open_pg_tables
    from runtime.store.postgres import PostgresRunStore
    from runtime.team import queue

    queue.ensure_schema(url)
    store = PostgresRunStore(url)
    store.workspace_dir = home_dir(args.home)  # this machine's model caches
    tables = open_pg_tables(url)
    engine = Engine(store, tables, decided_by="worker")

    def drive(run_id: str) -> None:
        try:
            run = engine.drive(run_id)
            log.info("run %s: %s", run_id, run.status.value)
        except ConflictError:
            raise
        except JunctionError as exc:
            log.warning("run %s could not continue: %s", run_id, exc)

    name = args.name or f"junction-{this_process()}"
    app = queue.make_app(url, drive)
    if not args.until_empty:
        err.print(f"worker {name} waiting for runs (Ctrl+C stops it)", highlight=False)
    try:
        asyncio.run(_serve(app, store, wait=not args.until_empty, name=name))
    finally:
        tables.close()
        store.close()
    return 0


async def _serve(app: Any, store: Any, *, wait: bool, name: str) -> None:
    from runtime.team import queue

    async with app.open_async():
        await queue.run_worker(app, lambda run_id: store.release(run_id, "worker stopped"),
                               wait=wait, name=name)


