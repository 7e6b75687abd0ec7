"""The team's job queue: Procrastinate on the team store's PostgreSQL server.

One job kind, `junction.drive`, carries a run id: "take this run as far as it goes"
(a new case from `junction batch --enqueue`, or a run a person just decided). The run
itself — its case, flow snapshot, position, steps — is already in the team store, so a
job is tiny and any worker on any machine can take it. A job is locked by its run id
(Procrastinate's `lock`), so two jobs for the same run never execute at once.

A worker killed mid-run stops sending Procrastinate's heartbeats; every worker checks for
such *stalled* jobs (`recover_stalled`), releases the dead worker's run in the store and
puts the job back on the queue. The next worker resumes the run from its journal: a step
already committed is not redone, and a record change already made is recognised by its
idempotency key and not made again.

Why Procrastinate: it is PostgreSQL-only (no broker to run beside the team store), uses
psycopg 3, is maintained and documented, locks and retries jobs with `SELECT … FOR UPDATE
SKIP LOCKED`, and detects dead workers by heartbeat. The alternatives compared: Celery and
RQ/Dramatiq need a broker (Redis/RabbitMQ); pgqueuer and pq/PgQueuer-likes are younger
with smaller communities; Chancy is young; pg-boss/graphile-worker are Node.js.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

import procrastinate

from runtime.errors import ConflictError, JunctionError

log = logging.getLogger(__name__)

QUEUE = "junction"
TASK = "junction.drive"
HEARTBEAT_S = 2.0        # a live worker says so this often
STALLED_AFTER_S = 8.0    # a worker silent this long is dead; its jobs go back on the queue

RunDriver = Callable[[str], Any]


def make_app(url: str, driver: RunDriver | None = None) -> procrastinate.App:
    """The queue on `url`. With `driver` (a worker), jobs call it with their run id."""
    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=url))

    @app.task(name=TASK, queue=QUEUE, pass_context=False)
    def drive(run_id: str) -> None:
        if driver is None:
            raise JunctionError("this process only enqueues; run `junction worker`")
        try:
            driver(run_id)
        except ConflictError as exc:  # another worker holds the run right now
            log.warning("run %s: %s", run_id, exc)

    return app


def ensure_schema(url: str) -> bool:
    """Install Procrastinate's tables on the server if missing; returns whether it did."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute("SELECT to_regclass('procrastinate_jobs')").fetchone()
        if row is not None and row[0] is not None:
            return False
        conn.execute("SELECT pg_advisory_lock(4242)")
        try:
            again = conn.execute("SELECT to_regclass('procrastinate_jobs')").fetchone()
            if again is not None and again[0] is not None:
                return False
            conn.execute(procrastinate.schema.SchemaManager.get_schema())
        finally:
            conn.execute("SELECT pg_advisory_unlock(4242)")
    return True


def live_workers(url: str) -> int | None:
    """How many workers sent a heartbeat lately (None: no queue on this server yet). Any
    worker takes any run, so one is enough for a decided run to continue."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute("SELECT to_regclass('procrastinate_workers')").fetchone()
        if row is None or row[0] is None:
            return None
        alive = conn.execute(
            "SELECT count(*) FROM procrastinate_workers WHERE last_heartbeat >"
            " now() - make_interval(secs => %s)", (STALLED_AFTER_S,)).fetchone()
    return int(alive[0]) if alive else 0


def enqueue(app: procrastinate.App, run_ids: list[str]) -> int:
    """Put one job per run on the queue (the caller has the app open)."""
    task = app.tasks[TASK]
    for run_id in run_ids:
        task.configure(lock=run_id).defer(run_id=run_id)
    return len(run_ids)


def enqueue_runs(url: str, run_ids: list[str]) -> int:
    """Open the queue on `url`, enqueue, close."""
    app = make_app(url)
    with app.open():
        return enqueue(app, run_ids)


async def recover_stalled(app: procrastinate.App, release: Callable[[str], Any]) -> list[int]:
    """Jobs whose worker stopped sending heartbeats: release their run, retry the job."""
    stalled = list(await app.job_manager.get_stalled_jobs(
        queue=QUEUE, seconds_since_heartbeat=STALLED_AFTER_S))
    for job in stalled:
        run_id = str(job.task_kwargs.get("run_id", ""))
        if run_id:
            await asyncio.to_thread(release, run_id)
        await app.job_manager.retry_job(job)
    if stalled:
        await app.job_manager.prune_stalled_workers(STALLED_AFTER_S)
    return [int(job.id or 0) for job in stalled]


async def run_worker(app: procrastinate.App, release: Callable[[str], Any], *,
                     wait: bool, name: str) -> None:
    """Take jobs until stopped, checking for stalled jobs beside it. With wait=False,
    stop once no job is waiting *and* none is held by a worker (a job held by a worker
    that died comes back on the queue once its heartbeat is stale, and is taken)."""

    async def watch() -> None:
        while True:
            try:
                recovered = await recover_stalled(app, release)
                if recovered:
                    log.warning("requeued %d job(s) of a worker that stopped",
                                len(recovered))
            except Exception as exc:  # the watch must outlive a dropped connection
                log.warning("stalled-job check failed: %s", exc)
            await asyncio.sleep(HEARTBEAT_S)

    watcher = asyncio.create_task(watch())
    options: dict[str, Any] = dict(
        queues=[QUEUE], name=name, concurrency=1, update_heartbeat_interval=HEARTBEAT_S,
        stalled_worker_timeout=STALLED_AFTER_S, delete_jobs="successful",
        fetch_job_polling_interval=1.0)
    try:
        if wait:
            await app.run_worker_async(wait=True, **options)
            return
        while True:
            await app.run_worker_async(wait=False, install_signal_handlers=False, **options)
            if not await _jobs_in_flight(app):
                return
            await asyncio.sleep(HEARTBEAT_S)
    finally:
        watcher.cancel()


async def _jobs_in_flight(app: procrastinate.App) -> bool:
    """Whether any job of the queue is waiting or being worked on."""
    jobs = await app.job_manager.list_jobs_async(queue=QUEUE, status="todo")
    if list(jobs):
        return True
    return bool(list(await app.job_manager.list_jobs_async(queue=QUEUE, status="doing")))
