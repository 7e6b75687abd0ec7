"""`junction eval`: run a labelled dataset through a flow and report how the AI did."""

from __future__ import annotations

import argparse
import hashlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from runtime.cli.common import add_home, add_json, open_workspace
from runtime.cli.output import err, out, print_json, table
from runtime.errors import InputError
from runtime.flow.loader import load_flow
from runtime.flow.schema import AutonomyStage

STAGES = [s.value for s in AutonomyStage]


def register(sub: argparse._SubParsersAction) -> None:
    cmd = sub.add_parser(
        "eval", help="evaluate a flow on a labelled dataset (or --compare two results)",
        description="Run every labelled case of a dataset through the flow as one "
                    "resumable batch, then report per AI node (accuracy, confusion, "
                    "precision/recall, risk–coverage, calibration) and end to end. Writes "
                    "result.json, summary.md and report.html.")
    cmd.add_argument("flow", nargs="?", help="path to the flow YAML file")
    cmd.add_argument("--dataset", type=Path, metavar="FILE.jsonl",
                     help="cases with 'expected' {NODE: OPTION}, and optionally "
                          "'expected_outcome' and 'expected_record'")
    cmd.add_argument("--model", metavar="REF", help="use this model for every generative node")
    cmd.add_argument("--autonomy", choices=STAGES, help="evaluate at this stage")
    cmd.add_argument("--workers", type=int, default=1, metavar="N",
                     help="cases at once; today always 1 (the engine's store and loaded "
                          "models are not shared across threads), said when more is asked")
    cmd.add_argument("--max-calls", type=int, metavar="N",
                     help="start no new case after N model calls (run again to continue)")
    cmd.add_argument("--out", type=Path, metavar="DIR",
                     help="where to write the result (default: the workspace's "
                          "evaluations/BATCH folder)")
    cmd.add_argument("--compare", nargs=2, type=Path, metavar=("A.json", "B.json"),
                     help="show what changed between two evaluation results")
    add_home(cmd)
    add_json(cmd)
    cmd.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if args.compare:
        return _compare(args)
    if not args.flow or args.dataset is None:
        raise InputError("give a flow and --dataset FILE.jsonl (or --compare A.json B.json)")
    if args.workers < 1:
        raise InputError("--workers must be at least 1")
    if args.workers > 1 and not args.json:
        err.print(f"note: --workers {args.workers} ignored, cases run one at a time: the "
                  "engine shares one SQLite connection and one loaded model per process, "
                  "and neither may be used from several threads", highlight=False)
    if args.max_calls is not None and args.max_calls < 1:
        raise InputError("--max-calls must be at least 1")
    from runtime.engine.plan import compile_plan
    from runtime.evaluation.dataset_run import eval_batch_id, read_labelled, run_dataset
    from runtime.evaluation.evidence import run_facts

    loaded = load_flow(args.flow)
    plan = compile_plan(loaded)
    cases = read_labelled(args.dataset, plan)
    workspace = open_workspace(args)
    try:
        engine = workspace.engine()
        batch_id = eval_batch_id(loaded, args.dataset, args.model, args.autonomy)
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), console=err, disable=args.json) as progress:
            bar = progress.add_task(escape(f"evaluating {loaded.flow.name}"),
                                    total=len(cases))
            done = run_dataset(engine, loaded, cases, batch_id, model=args.model,
                               autonomy=args.autonomy, max_calls=args.max_calls,
                               on_case=lambda *_: progress.advance(bar))
        facts = {case_id: run_facts(workspace.store, r) for case_id, r in done.runs.items()}
        result = _result(args, loaded, cases, facts, done)
        folder = args.out or workspace.home / "evaluations" / batch_id
        paths = write_reports(result, folder)
    finally:
        workspace.close()
    if args.json:
        print_json({**result, "files": {k: str(v) for k, v in paths.items()},
                    "ran": done.ran, "already_done": done.already_done,
                    "model_calls": done.model_calls})
    else:
        _print(result, done, paths)
    return 0


def _result(args: argparse.Namespace, loaded: Any, cases: Any, facts: Any,
            done: Any) -> dict[str, Any]:
    from runtime.evaluation.result import build_result

    digest = hashlib.sha256(args.dataset.read_bytes()).hexdigest()
    return build_result(loaded, str(args.dataset), digest, done.batch_id, cases, facts,
                        model=args.model, autonomy=args.autonomy, not_run=done.not_run,
                        generated_at=datetime.now(UTC).isoformat(timespec="seconds"))


def write_reports(result: dict[str, Any], folder: Path) -> dict[str, Path]:
    import json

    from runtime.evaluation import report

    folder.mkdir(parents=True, exist_ok=True)
    paths = {"json": folder / "result.json", "markdown": folder / "summary.md",
             "html": folder / "report.html"}
    paths["json"].write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n",
                             encoding="utf-8")
    paths["markdown"].write_text(report.markdown(result), encoding="utf-8")
    paths["html"].write_text(report.html(result), encoding="utf-8")
    return paths


def _print(result: dict[str, Any], done: Any, paths: dict[str, Path]) -> None:
    from runtime.evaluation.report import num, pct

    for node in result["nodes"]:
        band = node["at_act_band"]
        out.print(escape(
            f"{node['node']}: accuracy {pct(node['accuracy'])} on {node['cases']} cases; "
            f"at act ≥ {node['bands']['act']}: {band['acting']} act alone, "
            f"{band['right']} right ({pct(band['precision'])}); ECE "
            f"{num(node['calibration']['ece'])}"))
    e2e = result["end_to_end"]
    out.print(escape(f"end to end: containment {pct(e2e['containment'])}, escalation "
                     f"{pct(e2e['escalation'])}, outcome accuracy "
                     f"{pct(e2e['outcome_accuracy'])}, wrong writes prevented "
                     f"{e2e['wrong_writes_prevented']}"))
    if done.already_done:
        out.print(f"{done.already_done} case(s) had already run in batch {done.batch_id} "
                  "and were not run again.")
    if done.not_run:
        err.print(f"[yellow]stopped at the model-call cap[/yellow]: {len(done.not_run)} "
                  "case(s) not run; run the same command again to continue")
    for kind, path in paths.items():
        out.print(escape(f"{kind}: {path}"))


def _compare(args: argparse.Namespace) -> int:
    from runtime.evaluation.compare import compare, read_result

    a, b = (read_result(p) for p in args.compare)
    diff = compare(a, b)
    if args.json:
        print_json({"setup": [dict(zip(("what", "before", "after"), s, strict=True))
                              for s in diff["setup"]],
                    "figures": [dict(zip(("what", "before", "after"), f, strict=True))
                                for f in diff["figures"]]})
        return 0
    if diff["setup"]:
        table("What changed", ["", "before", "after"],
              [[escape(str(x)) for x in row] for row in diff["setup"]])
    else:
        out.print("same flow version, dataset, model, prompts, bands and stage")
    table("Figures", ["", "before", "after"],
          [[escape(w), _fmt(x), _fmt(y)] for w, x, y in diff["figures"]])
    return 0


def _fmt(value: Any) -> str:
    from runtime.evaluation.report import num

    if isinstance(value, float):
        return num(value)
    return "n/a" if value is None else str(value)
