"""`junction tasks` and `junction decide`."""

from __future__ import annotations

import argparse
from typing import Any

from runtime import settings
from runtime.cli.common import add_home, add_json, open_workspace
from runtime.cli.output import out, print_json, short_time, table
from runtime.cli.show import print_packet
from runtime.engine.human_decision import HumanDecision, parse_value
from runtime.errors import InputError
from runtime.store.open import store_url
from runtime.urls import is_postgres_url


def register(sub: argparse._SubParsersAction) -> None:
    cmd = sub.add_parser("tasks", help="list human tasks (open ones by default)")
    cmd.add_argument("--all", action="store_true", help="include decided and cancelled tasks")
    cmd.add_argument("task", nargs="?", help="show one task's handoff packet")
    cmd.add_argument("--expire", action="store_true",
                     help="first let tasks past their due time follow their timeout branch "
                          "(`junction resume` does this too)")
    add_home(cmd)
    add_json(cmd)
    cmd.set_defaults(handler=list_tasks)

    cmd = sub.add_parser("decide", help="decide a human task and continue its run")
    cmd.add_argument("task", help="task id (a unique prefix is enough)")
    group = cmd.add_mutually_exclusive_group()
    group.add_argument("--approve", action="store_true")
    group.add_argument("--reject", action="store_true")
    group.add_argument("--choose", metavar="OPTION", help="pick an option or branch")
    cmd.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE",
                     help="edit a field (value parsed as JSON when it can be)")
    cmd.add_argument("--by", default=None, help="who decides (recorded in the audit trail)")
    add_home(cmd)
    add_json(cmd)
    cmd.set_defaults(handler=decide)


def list_tasks(args: argparse.Namespace) -> int:
    workspace = open_workspace(args)
    if args.expire:
        moved = workspace.engine().expire_tasks()
        if not args.json:
            for run in moved:
                out.print(f"run {run.id}: a task timed out; it followed the timeout branch "
                          f"and is now {run.status.value}", highlight=False)
    if args.task:
        task = workspace.store.task(args.task)
        if args.json:
            print_json(task.to_json())
        else:
            print_packet(task)
        return 0
    tasks = workspace.store.tasks(status=None if args.all else "open")
    if args.json:
        print_json([t.to_json() for t in tasks])
        return 0
    if not tasks:
        out.print("no open tasks")
        return 0
    table(None, ["task", "run", "node", "why", "decisions", "since"],
          [[t.id, t.run_id, t.node_id, t.reason, "/".join(t.allowed),
            short_time(t.created_at)] for t in tasks])
    return 0


def parse_decision(args: argparse.Namespace) -> HumanDecision:
    values = dict(_parse_assignment(item) for item in args.set)
    if args.approve:
        action, choice = "approve", None
    elif args.reject:
        action, choice = "reject", None
    elif args.choose:
        action, choice = "choose", args.choose
    elif values:
        action, choice = "edit", None
    else:
        raise InputError("say what you decide: --approve, --reject, --choose OPTION or --set")
    if values and action == "approve":
        action, choice = "edit", "approve"  # on a human node: approve, with these edits
    return HumanDecision(action=action, choice=choice, values=values)


def _parse_assignment(item: str) -> tuple[str, Any]:
    name, sep, raw = item.partition("=")
    if not sep or not name.strip():
        raise InputError(f"--set expects FIELD=VALUE, got '{item}'")
    try:
        return name.strip(), parse_value(raw)
    except InputError as exc:
        raise InputError(f"--set {name.strip()}: {exc}") from None


def decide(args: argparse.Namespace) -> int:
    workspace = open_workspace(args)
    decision = parse_decision(args)
    by = settings.person_name(args.by, fallback="cli")
    engine = workspace.engine(decided_by=by)
    url = store_url(getattr(args, "store", None))
    if url and is_postgres_url(url):  # team mode: any worker continues the run
        from runtime.team.dispatch import decide_and_enqueue

        task, fresh, run = decide_and_enqueue(engine, url, args.task, decision, by)
    else:
        task, fresh, run = engine.decide(args.task, decision)
    if args.json:
        print_json({"task": task.to_json(), "already_decided": not fresh, "run": run.to_json()})
        return 0
    if not fresh:
        out.print(f"task {task.id} was already decided: {task.decision}; nothing changed",
                  highlight=False)
    else:
        out.print(f"task {task.id} decided", highlight=False)
    status = run.status.value + (f", outcome {run.outcome}" if run.outcome else "")
    out.print(f"run {run.id}: {status}", highlight=False)
    return 0
