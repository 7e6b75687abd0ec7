"""`junction whatif`: what other confidence bands would have done to stored runs."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from rich.markup import escape

from runtime.cli.common import add_home, add_json, open_workspace
from runtime.cli.output import err, out, print_json, table
from runtime.errors import InputError
from runtime.flow.loader import load_flow
from runtime.flow.schema import AutonomyStage, ClassifyNode

STAGES = [s.value for s in AutonomyStage]


def register(sub: argparse._SubParsersAction) -> None:
    cmd = sub.add_parser(
        "whatif", help="replay stored classifications under other bands (no model call)",
        description="Replay the probabilities stored for a classify node under other "
                    "confidence bands (and stage): cases acting alone, cases to people, "
                    "wrong actions, per option. Never calls a model; writes nothing.")
    cmd.add_argument("flow", help="path to the flow YAML file")
    source = cmd.add_mutually_exclusive_group()
    source.add_argument("--batch", metavar="B", help="runs of this batch")
    source.add_argument("--dataset-run", type=Path, metavar="RESULT.json",
                        help="the runs of a `junction eval` result, judged against its "
                             "dataset's expected options")
    cmd.add_argument("--node", required=True, metavar="ID", help="the classify node")
    cmd.add_argument("--act", type=float, help="act band to try")
    cmd.add_argument("--suggest", type=float, help="suggest band to try")
    cmd.add_argument("--autonomy", choices=STAGES, help="stage to try (default: the flow's)")
    cmd.add_argument("--target", type=float, metavar="PRECISION",
                     help="recommend the lowest act band meeting this precision")
    cmd.add_argument("--min-cases", type=int, default=30,
                     help="warn when the evidence has fewer cases (default 30)")
    add_home(cmd)
    add_json(cmd)
    cmd.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from runtime.evaluation import evidence, measures, whatif

    loaded = load_flow(args.flow)
    node = next((n for n in loaded.flow.nodes if n.id == args.node), None)
    if not isinstance(node, ClassifyNode):
        names = ", ".join(n.id for n in loaded.flow.nodes if isinstance(n, ClassifyNode))
        raise InputError(f"--node {args.node}: not a classify node of {args.flow} "
                         f"(classify nodes: {names or 'none'})")
    act, suggest = _bands(args, node)
    truths: dict[str, str] | None = None
    batch = args.batch
    if args.dataset_run is not None:
        from runtime.evaluation.compare import read_result

        result = read_result(args.dataset_run)
        batch = result["batch_id"]
        truths = {c["case_id"]: c["expected"][node.id] for c in result["per_case"]
                  if node.id in (c.get("expected") or {})}
    workspace = open_workspace(args)
    try:
        steps = evidence.classify_steps(workspace.store, node.id, batch_id=batch,
                                        flow_path=None if batch else loaded.path)
    finally:
        workspace.close()
    if not steps:
        raise InputError(f"no stored runs reached node '{node.id}' "
                         f"({'batch ' + batch if batch else 'of ' + args.flow})")
    rows = [whatif.Replayed(s.label, s.confidence, s.confidence_kind, s.acted_alone,
                            truths.get(s.case_id) if truths is not None else s.person_label)
            for s in steps]
    stage = AutonomyStage(args.autonomy) if args.autonomy else (
        node.autonomy or loaded.flow.autonomy)
    replayed = whatif.replay(rows, node.guardrails, act=act, suggest=suggest, stage=stage)
    labelled = [measures.Prediction(r.label, r.confidence, r.truth) for r in rows
                if r.truth is not None]
    advice = (measures.recommend_band(labelled, args.target, args.min_cases)
              if args.target is not None else None)
    report = _json(node.id, act, suggest, stage.value, replayed, len(labelled), advice)
    if args.json:
        print_json(report)
    else:
        _print(report)
    return 0


def _bands(args: argparse.Namespace, node: ClassifyNode) -> tuple[float, float]:
    if args.act is None and args.target is None:
        raise InputError("give --act (and --suggest) to replay, or --target PRECISION")
    act = node.guardrails.bands.act if args.act is None else args.act
    suggest = min(node.guardrails.bands.suggest, act) if args.suggest is None else args.suggest
    problems = [f"--{name} {value}: a band is between 0 and 1"
                for name, value in (("act", act), ("suggest", suggest))
                if not 0.0 <= value <= 1.0]
    if suggest > act:
        problems.append(f"--suggest {suggest} is above --act {act}")
    if args.target is not None and not 0.0 < args.target <= 1.0:
        problems.append(f"--target {args.target}: a precision is above 0 and at most 1")
    if problems:
        raise InputError("\n".join(problems))
    return act, suggest


def _tally(t: Any) -> dict[str, int]:
    return {"cases": t.cases, "acting_alone": t.acting_alone, "to_people": t.to_people,
            "wrong_actions": t.wrong_actions, "unlabelled_actions": t.unlabelled_actions}


def _json(node: str, act: float, suggest: float, stage: str, replayed: Any, labelled: int,
          advice: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "node": node, "bands": {"act": act, "suggest": suggest}, "autonomy": stage,
        "labelled_cases": labelled,
        "before": _tally(replayed.before), "after": _tally(replayed.after),
        "per_option": {k: {"before": _tally(b), "after": _tally(a)}
                       for k, (b, a) in replayed.per_option.items()},
    }
    if advice is not None:
        point = advice.point
        data["recommendation"] = {
            "target": advice.target, "act": advice.threshold, "cases": advice.cases,
            "acting_alone": None if point is None else point.acting,
            "coverage": None if point is None else point.coverage,
            "precision": None if point is None else point.precision,
            "warning": advice.warning}
    return data


def _print(report: dict[str, Any]) -> None:
    b, a = report["before"], report["after"]
    keys = ("acting_alone", "to_people", "wrong_actions", "unlabelled_actions")
    table(escape(f"{report['node']} at act ≥ {report['bands']['act']}, suggest ≥ "
                 f"{report['bands']['suggest']}, {report['autonomy']} "
                 f"({b['cases']} stored cases, {report['labelled_cases']} with a known answer)"),
          ["", "as run", "what if"], [[k.replace("_", " "), b[k], a[k]] for k in keys])
    table("Per answered option", ["option", "acting alone", "to people", "wrong actions"],
          [[escape(k), f"{v['before']['acting_alone']} → {v['after']['acting_alone']}",
            f"{v['before']['to_people']} → {v['after']['to_people']}",
            f"{v['before']['wrong_actions']} → {v['after']['wrong_actions']}"]
           for k, v in report["per_option"].items()])
    advice = report.get("recommendation")
    if advice is not None:
        if advice["act"] is None:
            out.print(f"no act band reaches precision {advice['target']:.1%} on "
                      f"{advice['cases']} labelled cases")
        else:
            out.print(f"lowest act band with precision ≥ {advice['target']:.1%}: "
                      f"{advice['act']:.4g} — {advice['acting_alone']} of {advice['cases']} "
                      f"cases act alone (coverage {advice['coverage']:.1%}, precision "
                      f"{advice['precision']:.1%})")
        if advice["warning"]:
            err.print(f"[yellow]warning:[/yellow] {escape(advice['warning'])}")
    out.print("nothing was run and nothing was written")
