"""`junction validate`."""

from __future__ import annotations

import argparse

from runtime.cli.common import add_json
from runtime.cli.output import print_json
from runtime.errors import FlowError
from runtime.flow.loader import load_flow
from runtime.flow.validate import validate_flow
from runtime.models.embedding_head import head_problems


def register(sub: argparse._SubParsersAction) -> None:
    cmd = sub.add_parser("validate", help="check a flow file; one problem per line")
    cmd.add_argument("flow", help="path to the flow YAML file")
    add_json(cmd)
    cmd.set_defaults(handler=validate)


def validate(args: argparse.Namespace) -> int:
    try:
        loaded = load_flow(args.flow)
        problems = validate_flow(loaded) + head_problems(loaded)  # trained heads fit?
    except FlowError as exc:
        problems = exc.problems
    if args.json:
        print_json({"file": args.flow, "valid": not problems,
                    "problems": [p.to_json() for p in problems]})
    elif problems:
        for problem in problems:
            print(problem)
    else:
        print(f"{args.flow}: valid")
    return 1 if problems else 0
