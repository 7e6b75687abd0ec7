"""`junction train`: fit a head on an embeddings classify node from labelled cases.

Three methods are measured by stratified k-fold on the labelled cases (the written examples
always train, never test): today's examples-only scoring, nearest centroids shrunk toward
the written examples, and a regularised logistic regression. The best on held-out cases is
fitted on everything and written as a sidecar beside the flow; the node then names it
(`head:`). Every figure printed is held-out.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from runtime.cli.common import add_home, add_json, open_workspace
from runtime.cli.output import err, out, print_json
from runtime.errors import InputError
from runtime.evaluation.train_node import MIN_PER_OPTION, train_node, without_heads
from runtime.flow.loader import LoadedFlow, load_flow

if TYPE_CHECKING:
    from runtime.engine.plan import Plan
    from runtime.evaluation.calibration_data import Target
    from runtime.evaluation.training_data import Labelled

def register(sub: argparse._SubParsersAction) -> None:
    cmd = sub.add_parser(
        "train", help="fit a small model on an embeddings classify node from labelled cases",
        description="Fit a head on the embeddings of each classify node that uses the "
                    "embeddings method, from its written examples plus labelled cases; "
                    "compare methods by k-fold cross-validation and write the best as a "
                    "sidecar file beside the flow. Every figure shown is held-out.")
    cmd.add_argument("flow", help="path to the flow YAML file")
    cmd.add_argument("--dataset", type=Path, metavar="FILE.jsonl",
                     help="cases with an 'expected' object: {\"expected\": {NODE: OPTION}}")
    cmd.add_argument("--from-decisions", action="store_true",
                     help="also learn from the options people chose on this flow's "
                          "classify tasks (observe and co-pilot) in the workspace")
    cmd.add_argument("--node", metavar="ID", help="train only this classify node")
    cmd.add_argument("--folds", type=int, default=5, metavar="K",
                     help="cross-validation folds (default 5)")
    cmd.add_argument("--allow-few", action="store_true",
                     help=f"train even with fewer than {MIN_PER_OPTION} labelled cases for "
                          "an option (the figures will be rough)")
    cmd.add_argument("--dry-run", action="store_true",
                     help="measure and report, write nothing")
    add_home(cmd)
    add_json(cmd)
    cmd.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from runtime.engine.plan import compile_plan
    from runtime.evaluation.calibration_data import read_dataset, targets

    if args.dataset is None and not args.from_decisions:
        raise InputError("give labelled cases: --dataset FILE.jsonl and/or --from-decisions")
    if args.folds < 2:
        raise InputError("--folds must be at least 2")
    loaded = without_heads(load_flow(args.flow))  # a stale head must not block retraining
    plan = compile_plan(loaded)
    rows = read_dataset(args.dataset) if args.dataset is not None else []
    reports = []
    for target in targets(plan, args.node):
        cases = _cases(args, plan, loaded, target, rows)
        reports.append(_train_node(args, plan, target, cases))
    if args.json:
        print_json({"flow": args.flow, "written": not args.dry_run, "nodes": reports})
    else:
        for report in reports:
            _print(report)
    return 0


def _cases(args: argparse.Namespace, plan: Plan, loaded: LoadedFlow, target: Target,
           rows: list[tuple[int, dict[str, Any]]]) -> list[Labelled]:
    from runtime.evaluation.training_data import deduplicated, from_dataset, from_decisions

    cases = from_dataset(plan, target.node, args.dataset, rows) if args.dataset else []
    if args.from_decisions:
        workspace = open_workspace(args)
        try:
            cases += from_decisions(workspace.store, loaded, target.node)
        finally:
            workspace.close()
    return deduplicated(cases)


def _train_node(args: argparse.Namespace, plan: Plan, target: Target,
                cases: list[Labelled]) -> dict[str, Any]:
    report = train_node(plan, target, cases, flow_path=Path(args.flow), folds=args.folds,
                        allow_few=args.allow_few, dry_run=args.dry_run)
    if report["head"] is not None:
        _point_node_at(Path(args.flow), target.node.id, report["head"])
    return report


def _point_node_at(flow_path: Path, node_id: str, head: str) -> None:
    """Save the flow with the node naming its new sidecar; remove its previous one."""
    from runtime.flow.loader import save_flow
    from runtime.flow.schema import ClassifyNode

    loaded = load_flow(flow_path)
    node = loaded.flow.node(node_id)
    assert isinstance(node, ClassifyNode)
    previous = node.head
    nodes = [n.model_copy(update={"head": head}) if n.id == node_id else n
             for n in loaded.flow.nodes]
    flow = type(loaded.flow).model_validate(
        loaded.flow.model_copy(update={"nodes": nodes}).model_dump(by_alias=True))
    save_flow(flow, flow_path)
    if previous and previous != head:
        _remove_sidecar(flow_path.parent / previous)


def _remove_sidecar(meta_path: Path) -> None:
    if not meta_path.name.endswith(".head.json"):
        return  # only ever delete files this command wrote
    meta_path.with_name(meta_path.name[: -len(".json")] + ".npy").unlink(missing_ok=True)
    meta_path.unlink(missing_ok=True)


def _print(report: dict[str, Any]) -> None:
    out.print(f"[bold]{report['node']}[/bold] ({report['model']}): {report['examples']} "
              f"written examples + {report['labelled_cases']} labelled cases", highlight=False)
    for warning in report["warnings"]:
        err.print(f"  [bold yellow]WARNING:[/bold yellow] {warning}", highlight=False)
    results: dict[str, dict[str, Any]] = report["held_out"]
    folds = next(iter(results.values()))["folds"]
    out.print(f"  held-out figures ({folds}-fold cross-validation; written examples always "
              "train, never test):", highlight=False)
    out.print(f"  {'method':<10} {'accuracy':>8} {'ECE':>6} {'log-loss':>8} "
              f"{'act cover':>9} {'act right':>9}", highlight=False)
    for method, fig in results.items():
        act = fig["bands"].get("act") or {}
        right = "—" if act.get("precision") is None else f"{act['precision']:.1%}"
        mark = "  ← best" if method == report["winner"] else ""
        out.print(f"  {method:<10} {fig['accuracy']:>8.1%} {fig['ece']:>6.3f} "
                  f"{fig['log_loss']:>8.3f} {act.get('coverage', 0):>9.1%} {right:>9}{mark}",
                  highlight=False)
    best = results[report["winner"]]
    out.print(f"  why: {report['why']}", highlight=False)
    out.print("  per option (held-out):", highlight=False)
    for name, row in best["per_option"].items():
        p = "—" if row["precision"] is None else f"{row['precision']:.1%}"
        r = "—" if row["recall"] is None else f"{row['recall']:.1%}"
        out.print(f"    {name:<14} precision {p:>6}  recall {r:>6}  ({row['cases']} cases)",
                  highlight=False)
    names = list(best["per_option"])
    out.print("  confusion (rows: right option, columns: predicted):", highlight=False)
    out.print("    " + " " * 14 + " ".join(f"{n[:8]:>8}" for n in names), highlight=False)
    for name, row in zip(names, best["confusion"], strict=True):
        out.print(f"    {name:<14}" + " ".join(f"{v:>8}" for v in row), highlight=False)
    if report["head"]:
        out.print(f"  wrote {report['head']} (the node now uses it)", highlight=False)
    elif report["winner"] == "examples":
        out.print("  no head written: the node keeps deciding from its examples "
                  "(`junction calibrate` fits its temperature)", highlight=False)
    else:
        out.print("  nothing written (--dry-run)", highlight=False)
