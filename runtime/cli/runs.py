"""`junction run`, `batch`, `runs`, `show`, `resume` and `cancel`."""

from __future__ import annotations

import argparse
import hashlib
import time
from collections import Counter
from pathlib import Path
from typing import Any

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from runtime.api import export_html, export_json, load_report
from runtime.cli.common import add_home, add_json, open_workspace, read_case, read_cases
from runtime.cli.output import err, out, print_json, short_time, table
from runtime.cli.show import print_run
from runtime.engine import events as ev
from runtime.engine.workers import plan_workers, run_concurrently
from runtime.errors import InputError
from runtime.flow.loader import load_flow
from runtime.flow.schema import AutonomyStage
from runtime.store.rows import RunRow

STAGES = [s.value for s in AutonomyStage]


def register(sub: argparse._SubParsersAction) -> None:
    cmd = sub.add_parser("run", help="run one case through a flow")
    cmd.add_argument("flow")
    cmd.add_argument("--case", required=True, metavar="FILE_OR_JSON",
                     help="a .json file or inline JSON object with an 'id'")
    _run_options(cmd)
    cmd.set_defaults(handler=run)

    cmd = sub.add_parser("batch", help="run every case of a JSON-lines file")
    cmd.add_argument("flow")
    cmd.add_argument("--cases", required=True, type=Path, metavar="FILE.jsonl")
    cmd.add_argument("--batch", metavar="NAME",
                     help="batch name (default: derived from the flow and cases paths and "
                          "the flow's text; running the same batch again continues it, a "
                          "changed flow starts a new one)")
    cmd.add_argument("--enqueue", action="store_true",
                     help="team mode: put the cases on the team store's queue for "
                          "`junction worker`s instead of running them here")
    cmd.add_argument("--workers", type=int, default=1, metavar="N",
                     help="run up to N cases at once on threads, where the flow's models "
                          "allow it (says what it used)")
    _run_options(cmd)
    cmd.set_defaults(handler=batch)

    cmd = sub.add_parser("runs", help="list runs")
    cmd.add_argument("--status", choices=["queued", "running", "blocked", "completed",
                                          "failed", "cancelled"])
    cmd.add_argument("--limit", type=int, default=50)
    add_home(cmd)
    add_json(cmd)
    cmd.set_defaults(handler=list_runs)

    cmd = sub.add_parser("show", help="show a run's step log")
    cmd.add_argument("run", help="run id (a unique prefix is enough)")
    cmd.add_argument("--prompts", action="store_true", help="include the prompts sent")
    cmd.add_argument("--html", type=Path, metavar="FILE",
                     help="also write the run as one self-contained HTML page (opens offline)")
    cmd.add_argument("--export-json", type=Path, metavar="FILE",
                     help="also write the run, its tasks and audit rows as a JSON file")
    add_home(cmd)
    add_json(cmd)
    cmd.set_defaults(handler=show)

    cmd = sub.add_parser("resume", help="continue interrupted runs (all, or one)")
    cmd.add_argument("run", nargs="?")
    add_home(cmd)
    add_json(cmd)
    cmd.set_defaults(handler=resume)

    cmd = sub.add_parser("cancel", help="cancel a run that has not finished")
    cmd.add_argument("run")
    add_home(cmd)
    add_json(cmd)
    cmd.set_defaults(handler=cancel)


def _run_options(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("--model", metavar="REF",
                     help="use this model for every AI node (ollama:NAME, llamacpp:PATH, "
                          "llamacpp:bundled, scripted:FILE)")
    cmd.add_argument("--autonomy", choices=STAGES, help="override the flow's autonomy stage")
    add_home(cmd)
    add_json(cmd)


class StepPrinter:
    """Prints each step as it finishes (the CLI's observer)."""

    def on_event(self, event: ev.Event) -> None:
        if isinstance(event, ev.StepFinished):
            nxt = f" → {event.next_node}" if event.next_node else ""
            err.print(f"  [dim]{event.node_id}[/dim] {event.summary}{nxt}", highlight=False)
        elif isinstance(event, ev.RunBlocked):
            err.print(f"  [yellow]blocked at {event.node_id}[/yellow]: {event.reason}",
                      highlight=False)
        elif isinstance(event, ev.RecordChanged) and not event.replayed:
            changes = ", ".join(f"{k}={v}" for k, v in event.changes.items())
            err.print(f"  [green]record {event.case_id}[/green]: {changes}", highlight=False)


def run(args: argparse.Namespace) -> int:
    loaded = load_flow(args.flow)
    case = read_case(args.case)
    workspace = open_workspace(args)
    observers = [] if args.json else [StepPrinter()]
    engine = workspace.engine(observers)
    result = engine.start(loaded, case, autonomy=args.autonomy, model=args.model)
    _report_run(workspace, result, args.json)
    return 1 if result.status.value in ("failed", "cancelled") else 0


def _report_run(workspace: Any, run: RunRow, as_json: bool) -> None:
    if as_json:
        tasks = [t.to_json() for t in workspace.store.tasks(run_id=run.id)]
        print_json({**run.to_json(), "tasks": tasks})
        return
    line = f"run {run.id} ({run.case_id}): {run.status.value}"
    if run.outcome:
        line += f", outcome {run.outcome}"
    if run.blocked_reason:
        line += f" — {run.blocked_reason}"
    if run.error:
        line += f" — {run.error}"
    out.print(line, highlight=False)
    for task in workspace.store.tasks(run_id=run.id):
        out.print(f"  task {task.id}: {', '.join(task.allowed)} "
                  f"(`junction decide {task.id} --approve`)", highlight=False)


def batch_id_for(flow: str, cases: Path, flow_sha: str) -> str:
    """The default batch of a command: the flow and cases paths and the flow's TEXT, so
    re-running after the flow changed (say `calibrate --write`) starts a new batch instead
    of returning the runs of the old flow."""
    key = f"{Path(flow).resolve()}|{cases.resolve()}|{flow_sha}"
    return "b-" + hashlib.sha256(key.encode()).hexdigest()[:12]


def _check_batch_flow(workspace: Any, batch_id: str, flow_sha: str) -> None:
    """A named batch holds runs of one flow text; continuing it with another is refused."""
    for run in workspace.store.runs(batch_id=batch_id):
        if run.flow_sha != flow_sha:
            raise InputError(
                f"batch '{batch_id}' ran another version of this flow (text {run.flow_sha[:12]},"
                f" now {flow_sha[:12]}); its runs would not reflect your changes. Give a new "
                "--batch name, or leave --batch out to start a batch for this flow text")


def batch(args: argparse.Namespace) -> int:
    loaded = load_flow(args.flow)
    workspace = open_workspace(args)
    engine = workspace.engine()
    cases = read_cases(args.cases, lambda case: engine.case_problem(loaded, case))
    batch_id = args.batch or batch_id_for(args.flow, args.cases, loaded.sha256)
    _check_batch_flow(workspace, batch_id, loaded.sha256)
    if args.enqueue:
        from runtime.cli.team_batch import enqueue

        return enqueue(args, workspace, engine, loaded, cases, batch_id)
    chosen = plan_workers(engine.plans.for_flow(loaded), args.workers, args.model)
    if not args.json:
        err.print(f"running on {chosen.why}", highlight=False)
    started = time.perf_counter()
    skipped = 0
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=err, disable=args.json,
                  transient=False) as progress:
        bar = progress.add_task(f"{loaded.flow.name}", total=len(cases))

        def on_run(run: RunRow, ran: bool) -> None:
            nonlocal skipped
            skipped += 0 if ran else 1
            progress.advance(bar)

        if chosen.workers > 1:
            results = run_concurrently(
                lambda: _thread_engine(args), loaded, cases, batch_id=batch_id,
                workers=chosen.workers, autonomy=args.autonomy, model=args.model,
                on_run=on_run)
        else:
            results = engine.run_batch(loaded, cases, batch_id=batch_id,
                                       autonomy=args.autonomy, model=args.model,
                                       on_run=on_run)
    elapsed = time.perf_counter() - started
    summary = summarise(results, elapsed, batch_id, skipped)
    summary["workers"] = {"count": chosen.workers, "how": chosen.why}
    if args.json:
        print_json(summary)
    else:
        _print_summary(summary)
    return 1 if summary["counts"].get("failed") else 0


def _thread_engine(args: argparse.Namespace) -> tuple[Any, Any]:
    """A worker thread's own workspace connection and engine, and how to close them."""
    workspace = open_workspace(args)
    return workspace.engine(), workspace.close


def summarise(results: list[RunRow], elapsed: float, batch_id: str,
              skipped: int) -> dict[str, Any]:
    counts = Counter(r.status.value for r in results)
    outcomes = Counter(r.outcome or r.status.value for r in results)
    return {
        "batch_id": batch_id, "cases": len(results), "already_done": skipped,
        "counts": dict(sorted(counts.items())), "outcomes": dict(sorted(outcomes.items())),
        "duration_s": round(elapsed, 3),
        "runs": [r.to_json() for r in results],
    }


def _print_summary(summary: dict[str, Any]) -> None:
    rows = [[name, count] for name, count in summary["outcomes"].items()]
    table(f"Batch {summary['batch_id']}: {summary['cases']} cases in "
          f"{summary['duration_s']:.2f} s", ["outcome", "runs"], rows)
    if summary["already_done"]:
        out.print(f"{summary['already_done']} case(s) already had a run in this batch and "
                  "were not run again.")
    blocked = summary["counts"].get("blocked", 0)
    if blocked:
        out.print(f"{blocked} run(s) wait for a person: see `junction tasks`.")


def list_runs(args: argparse.Namespace) -> int:
    workspace = open_workspace(args)
    rows = workspace.store.runs(status=args.status, limit=args.limit)
    if args.json:
        print_json([r.to_json() for r in rows])
        return 0
    if not rows:
        out.print("no runs yet (start one with `junction run` or `junction batch`)")
        return 0
    table(None, ["id", "case", "flow", "status", "outcome", "started"],
          [[r.id, r.case_id, r.flow_name, r.status.value, r.outcome or r.blocked_reason or "",
            short_time(r.started_at or r.created_at)] for r in rows])
    return 0


def show(args: argparse.Namespace) -> int:
    workspace = open_workspace(args)
    run_row = workspace.store.find_run(args.run)
    steps = workspace.store.steps(run_row.id)
    tasks = workspace.store.tasks(status=None, run_id=run_row.id)
    if args.html or args.export_json:
        report = load_report(workspace.store, run_row.id)
        for path, text in ((args.html, export_html), (args.export_json, export_json)):
            if path:
                path.write_text(text(report), encoding="utf-8")
                err.print(f"wrote {path}", highlight=False)
    if args.json:
        print_json({**run_row.to_json(), "steps": [s.to_json() for s in steps],
                    "tasks": [t.to_json() for t in tasks]})
        return 0
    print_run(run_row, steps, tasks, prompts=args.prompts)
    return 0


def resume(args: argparse.Namespace) -> int:
    workspace = open_workspace(args)
    engine = workspace.engine([] if args.json else [StepPrinter()])
    if args.run:
        results = [engine.drive(workspace.store.find_run(args.run).id)]
    else:
        results = engine.resume_interrupted()
    if args.json:
        print_json([r.to_json() for r in results])
    elif not results:
        out.print("nothing to resume: no interrupted runs")
    else:
        for r in results:
            _report_run(workspace, r, False)
    return 1 if any(r.status.value == "failed" for r in results) else 0


def cancel(args: argparse.Namespace) -> int:
    workspace = open_workspace(args)
    run_row = workspace.engine().cancel(workspace.store.find_run(args.run).id)
    _report_run(workspace, run_row, args.json)
    return 0
