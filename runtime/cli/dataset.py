"""`junction dataset export`: people's decisions beside the AI, as a labelled dataset."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from runtime.cli.common import add_home, open_workspace
from runtime.cli.output import err
from runtime.errors import InputError
from runtime.flow.loader import load_flow


def register(sub: argparse._SubParsersAction) -> None:
    cmd = sub.add_parser("dataset", help="labelled datasets from recorded decisions")
    actions = cmd.add_subparsers(dest="dataset_command", metavar="ACTION", required=True)
    export = actions.add_parser(
        "export", help="write the cases people decided as a dataset (JSON lines)",
        description="Every case of this flow whose classification a person decided (observe "
                    "mode's shadow decisions, or a hand-off) becomes a line with the case "
                    "fields and `expected: {NODE: OPTION}` — the format `junction eval` and "
                    "`junction calibrate` read.")
    export.add_argument("flow", help="path to the flow YAML file")
    export.add_argument("--out", type=Path, metavar="FILE.jsonl",
                        help="write here (default: standard output)")
    add_home(export)
    export.set_defaults(handler=export_dataset)


def export_dataset(args: argparse.Namespace) -> int:
    from runtime.evaluation.evidence import shadow_cases

    loaded = load_flow(args.flow)
    if loaded.path is None:
        raise InputError("the flow must be a file to find its runs")
    workspace = open_workspace(args)
    try:
        cases = shadow_cases(workspace.store, loaded.path)
    finally:
        workspace.close()
    lines = "".join(json.dumps(c, ensure_ascii=False, sort_keys=True) + "\n" for c in cases)
    if args.out is None:
        sys.stdout.write(lines)
    else:
        args.out.write_text(lines, encoding="utf-8")
        err.print(f"wrote {len(cases)} labelled case(s) to {args.out}", highlight=False)
    return 0
