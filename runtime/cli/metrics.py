"""`junction metrics`: outcome metrics of a flow's runs, per autonomy stage side by side."""

from __future__ import annotations

import argparse
from datetime import date, datetime
from typing import Any

from rich.markup import escape

from runtime.cli.common import add_home, add_json, open_workspace
from runtime.cli.output import out, print_json, table
from runtime.errors import InputError
from runtime.flow.loader import load_flow
from runtime.flow.schema import AutonomyStage, ClassifyNode

STAGES = [s.value for s in AutonomyStage]


def register(sub: argparse._SubParsersAction) -> None:
    cmd = sub.add_parser(
        "metrics", help="containment, escalation, overrides, agreement… of a flow's runs",
        description="Outcome metrics of the runs started from this flow file, per autonomy "
                    "stage side by side.")
    cmd.add_argument("flow", help="path to the flow YAML file")
    cmd.add_argument("--since", metavar="DATE", help="only runs created on or after this "
                                                     "date (YYYY-MM-DD or an ISO time)")
    cmd.add_argument("--stage", choices=STAGES, help="only runs at this stage")
    add_home(cmd)
    add_json(cmd)
    cmd.set_defaults(handler=run)


def parse_since(text: str | None) -> str | None:
    """An ISO date or time → the ISO prefix stored run times compare with as text."""
    if text is None:
        return None
    try:
        if len(text) == 10:
            return date.fromisoformat(text).isoformat()
        return datetime.fromisoformat(text).isoformat()
    except ValueError:
        raise InputError(f"--since {text}: not a date (use YYYY-MM-DD)") from None


def run(args: argparse.Namespace) -> int:
    from runtime.metrics.collect import flow_metrics

    loaded = load_flow(args.flow)
    bands = {n.id: n.guardrails.bands.suggest for n in loaded.flow.nodes
             if n.kind == "ai" and hasattr(n, "guardrails")}
    workspace = open_workspace(args)
    try:
        stages = flow_metrics(workspace.store, loaded.path, since=parse_since(args.since),
                              stage=args.stage, suggest_bands=bands,
                              intent_node=next((n.id for n in loaded.flow.nodes
                                                if isinstance(n, ClassifyNode)), None))
    finally:
        workspace.close()
    if args.json:
        print_json({"flow": args.flow, "since": args.since, "stages": stages})
        return 0
    if not stages:
        out.print(f"no runs of {escape(args.flow)} yet")
        return 0
    _print(stages)
    return 0


def _print(stages: dict[str, dict[str, Any]]) -> None:
    from runtime.evaluation.report import pct

    def row(name: str, get: Any) -> list[str]:
        return [name, *[escape(str(get(m))) for m in stages.values()]]

    def seconds(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.1f} s"

    rows = [
        row("runs", lambda m: m["runs"]),
        row("containment", lambda m: pct(m["containment"])),
        row("escalation", lambda m: pct(m["escalation"])),
        row("human override rate", lambda m: pct(m["human_override_rate"])),
        row("low-confidence rate", lambda m: pct(m["low_confidence_rate"])),
        row("time to resolution (median)",
            lambda m: seconds(m["time_to_resolution_s"]["median"])),
        row("time to resolution (p90)", lambda m: seconds(m["time_to_resolution_s"]["p90"])),
        row("runs by status", lambda m: _pairs(m["runs_by_status"])),
        row("outcomes", lambda m: _pairs(m["resolution_by_outcome"])),
        row("guardrail hits", lambda m: _pairs(m["guardrail_hits"])),
        row("agreement by node", lambda m: ", ".join(
            f"{k}: {pct(v['agreement'])} of {v['decided']}"
            for k, v in m["agreement_by_node"].items()) or "none"),
    ]
    table(None, ["", *stages], rows)


def _pairs(counts: dict[str, int]) -> str:
    return ", ".join(f"{k}: {v}" for k, v in counts.items()) or "none"
