"""`junction calibrate`: fit the softmax temperature of classify nodes (embeddings or LLM)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from runtime.cli.common import add_home, add_json, open_workspace
from runtime.cli.output import err, out, print_json
from runtime.errors import InputError
from runtime.flow.loader import LoadedFlow, load_flow

if TYPE_CHECKING:
    from runtime.engine.plan import Plan
    from runtime.evaluation.calibration import CalibrationReport, LabelledScores
    from runtime.evaluation.calibration_data import Target

MIN_CASES = 5


def register(sub: argparse._SubParsersAction) -> None:
    cmd = sub.add_parser(
        "calibrate", help="fit the confidence temperature of classify nodes",
        description="Fit the softmax temperature of each classify node (on the similarity "
                    "scores of the embeddings method, on the option log-probabilities of a "
                    "generative model) by minimising log-loss on labelled cases; report "
                    "expected calibration error (ECE) before and after, the after-figure "
                    "also held-out (k-fold).")
    cmd.add_argument("flow", help="path to the flow YAML file")
    source = cmd.add_mutually_exclusive_group(required=True)
    source.add_argument("--dataset", type=Path, metavar="FILE.jsonl",
                        help="cases with an 'expected' object: {\"expected\": {NODE: OPTION}}")
    source.add_argument("--from-decisions", action="store_true",
                        help="use the options people chose on this flow's classify tasks "
                             "(observe mode) recorded in the workspace")
    cmd.add_argument("--node", metavar="ID", help="calibrate only this classify node")
    cmd.add_argument("--write", action="store_true",
                     help="write the fitted temperatures into the flow file")
    add_home(cmd)
    add_json(cmd)
    cmd.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    # numpy and the engine load only when this command runs, not at every `junction` start
    from runtime.engine.plan import compile_plan
    from runtime.evaluation.calibration import LOGPROB_BOUNDS, T_MAX, T_MIN, calibrate
    from runtime.evaluation.calibration_data import targets, write_temperatures
    from runtime.models.embedding_scoring import DEFAULT_TEMPERATURE

    loaded = load_flow(args.flow)
    plan = compile_plan(loaded)
    reports = []
    for target in targets(plan, args.node, include_llm=True):
        data, source = _labelled(args, plan, loaded, target)
        if len(data) < MIN_CASES:
            raise InputError(f"node '{target.node.id}': {len(data)} labelled cases from "
                             f"{source}; calibration needs at least {MIN_CASES}")
        llm = target.kind == "llm"
        current = target.node.temperature or (1.0 if llm else DEFAULT_TEMPERATURE)
        report = calibrate(data, node=target.node.id, model=target.model, source=source,
                           current=current, bounds=LOGPROB_BOUNDS if llm else (T_MIN, T_MAX))
        if target.node.head:
            report.warnings.append(f"the node decides with its trained head "
                                   f"({target.node.head}); this temperature applies only "
                                   "without it — `junction train` fits the head's own")
        reports.append(report)
    if args.write:
        write_temperatures(Path(args.flow),
                           {r.node: r.temperature_after for r in reports})
    if args.json:
        print_json({"flow": args.flow, "written": bool(args.write),
                    "nodes": [r.to_json() for r in reports]})
    else:
        for report in reports:
            _print(report)
        _print_outcome(args.flow, args.write)
    return 0


def _labelled(args: argparse.Namespace, plan: Plan, loaded: LoadedFlow,
              target: Target) -> tuple[LabelledScores, str]:
    from runtime.evaluation.calibration_data import (
        logprob_scores_from_dataset,
        logprob_scores_from_decisions,
        read_dataset,
        scores_from_dataset,
        scores_from_decisions,
    )

    llm = target.kind == "llm"
    if args.dataset is not None:
        rows = read_dataset(args.dataset)
        scorer = logprob_scores_from_dataset if llm else scores_from_dataset
        return scorer(plan, target, args.dataset, rows), str(args.dataset)
    workspace = open_workspace(args)
    try:
        from_store = logprob_scores_from_decisions if llm else scores_from_decisions
        data = from_store(workspace.store, loaded, target)
    finally:
        workspace.close()
    return data, "people's decisions in the workspace"


def _print(report: CalibrationReport) -> None:
    out.print(f"[bold]{report.node}[/bold] ({report.model}): {report.cases} labelled cases "
              f"from {report.source}, accuracy {report.accuracy:.1%}", highlight=False)
    rows = (("temperature", report.temperature_before, report.temperature_after, "{:.4g}"),
            ("log-loss", report.log_loss_before, report.log_loss_after, "{:.3f}"),
            ("ECE", report.ece_before, report.ece_after, "{:.3f}"))
    for name, before, after, fmt in rows:
        out.print(f"  {name:<12} {fmt.format(before):>7} → {fmt.format(after)}",
                  highlight=False)
    if report.ece_after_held_out is not None:
        out.print(f"  ECE after, held-out ({report.held_out_folds}-fold): "
                  f"{report.ece_after_held_out:.3f}   (the figure above is in-sample: "
                  "measured on the cases the temperature was fitted to)", highlight=False)
    for warning in report.warnings:
        err.print(f"  [yellow]warning:[/yellow] {warning}", highlight=False)


def _print_outcome(flow: str, written: bool) -> None:
    if written:
        out.print(f"wrote the fitted temperature into {flow}", highlight=False)
    else:
        out.print(f"nothing written: add --write to save the temperature in {flow}",
                  highlight=False)
