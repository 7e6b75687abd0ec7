"""`junction readiness`: may each AI node move up a stage? A verdict with its evidence."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from rich.markup import escape

from runtime.cli.common import add_home, add_json, open_workspace
from runtime.cli.output import out, print_json
from runtime.evaluation.desk import stored_results
from runtime.flow.loader import LoadedFlow, load_flow
from runtime.flow.schema import ClassifyNode


def register(sub: argparse._SubParsersAction) -> None:
    cmd = sub.add_parser(
        "readiness", help="per AI node: ready for which autonomy stage, or why not",
        description="Judge each classify node against its promotion criteria (`promote:` "
                    "in the flow, else the defaults) on the evidence: the latest `junction "
                    "eval` of the flow and the decisions people made beside the AI.")
    cmd.add_argument("flow", help="path to the flow YAML file")
    cmd.add_argument("--eval", type=Path, action="append", metavar="RESULT.json",
                     dest="results",
                     help="use this evaluation result (default: the latest one of this "
                          "flow in the workspace); may be repeated")
    add_home(cmd)
    add_json(cmd)
    cmd.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from runtime.evaluation import evidence
    from runtime.evaluation.compare import read_result
    from runtime.evaluation.measures import Prediction
    from runtime.evaluation.readiness import STAGES, Evidence, judge
    from runtime.nodes.promotion import criteria_for

    loaded = load_flow(args.flow)
    workspace = open_workspace(args)
    try:
        results = ([read_result(p) for p in args.results] if args.results
                   else latest_results(workspace.home, loaded))
        shadow = (evidence.shadow_steps(workspace.store, loaded.path)
                  if loaded.path else [])
    finally:
        workspace.close()
    verdicts = []
    for node in loaded.flow.nodes:
        if not isinstance(node, ClassifyNode):
            continue
        from_eval = [Prediction(c["answers"][node.id]["label"],
                                c["answers"][node.id]["confidence"], c["expected"][node.id])
                     for r in results for c in r["per_case"]
                     if node.id in c.get("expected", {}) and node.id in c.get("answers", {})]
        people = [Prediction(s.label, s.confidence, s.person_label or "")
                  for s in shadow if s.node_id == node.id]
        found = Evidence(node.id, len(node.options), node.guardrails.bands.act,
                         from_eval + people, people)
        criteria = {s: criteria_for(node.promote, s) for s in STAGES}
        verdicts.append((judge(found, criteria), criteria, len(from_eval)))
    report = {"flow": args.flow,
              "evaluations": [r.get("generated_at") for r in results],
              "nodes": [_node_json(v, c, n) for v, c, n in verdicts]}
    if args.json:
        print_json(report)
    else:
        _print(report)
    return 0


def latest_results(home: Path, loaded: LoadedFlow) -> list[dict[str, Any]]:
    """The most recent `junction eval` result of this flow file in the workspace."""
    if loaded.path is None:
        return []
    return stored_results(home, loaded.path)[-1:]


def _node_json(verdict: Any, criteria: dict[str, Any], eval_cases: int) -> dict[str, Any]:
    return {
        "node": verdict.node, "ready_for": verdict.ready_for, "verdict": verdict.summary,
        "evidence": {**verdict.figures, "eval_cases": eval_cases},
        "stages": [{"stage": s.stage, "ready": s.ready, "reasons": s.reasons,
                    "criteria": criteria[s.stage].model_dump()} for s in verdict.stages],
    }


def _print(report: dict[str, Any]) -> None:
    from runtime.evaluation.report import pct

    if not report["evaluations"]:
        out.print("no evaluation of this flow yet (run `junction eval FLOW --dataset "
                  "FILE.jsonl`); judging on people's decisions only")
    for node in report["nodes"]:
        f = node["evidence"]
        out.print(escape(f"{node['node']}: {node['verdict']}"))
        out.print(escape(
            f"  evidence: {f['cases']} labelled cases ({f['eval_cases']} from evaluation, "
            f"{f['shadow_cases']} people's decisions); accuracy {pct(f['accuracy'])} "
            f"(chance {pct(f['chance'])}); at act ≥ {f['act_band']}: {f['acting_alone']} "
            f"act alone, {f['acting_right']} right (precision {pct(f['precision'])}); "
            f"agreement {pct(f['agreement'])}"))
        for stage in node["stages"]:
            mark = "ready" if stage["ready"] else "not ready"
            out.print(escape(f"  {stage['stage']}: {mark}"
                             + "".join(f"\n    - {r}" for r in stage["reasons"])))
