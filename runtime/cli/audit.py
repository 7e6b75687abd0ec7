"""`junction audit verify` and `junction audit log`.

`verify` walks the hash chain and names the first row that was edited or removed (exit 1);
`log` prints the trail, optionally for one run.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from runtime.cli.audit_head import compare_with_kept_head, read_head_file, write_head_file
from runtime.cli.common import add_home, add_json, open_workspace
from runtime.cli.output import out, print_json, short_time, table


def register(sub: argparse._SubParsersAction) -> None:
    cmd = sub.add_parser("audit", help="check or read the audit trail")
    verbs = cmd.add_subparsers(dest="verb", metavar="VERB", required=True)

    verify = verbs.add_parser("verify", help="check that no audit row was edited or removed")
    verify.add_argument("--head-file", type=Path, metavar="PATH",
                        help="compare with the chain head saved in PATH by the last verify, "
                             "then save the current head there (keep it elsewhere: a copy "
                             "the database's owner cannot rewrite catches a rewritten log)")
    add_home(verify)
    add_json(verify)
    verify.set_defaults(handler=verify_chain)

    log = verbs.add_parser("log", help="print the audit trail (oldest first)")
    log.add_argument("--run", metavar="RUN", help="only rows about this run (id or prefix)")
    log.add_argument("--limit", type=int, default=200, help="newest N rows (default 200)")
    add_home(log)
    add_json(log)
    log.set_defaults(handler=show_log)


def verify_chain(args: argparse.Namespace) -> int:
    workspace = open_workspace(args)
    result = workspace.store.verify_audit()
    kept = None
    if args.head_file is not None:
        kept = read_head_file(args.head_file)
        if result.ok and kept is not None:
            result = compare_with_kept_head(workspace.store.audit_rows(), result, kept,
                                            args.head_file)
        if result.ok:
            write_head_file(args.head_file, result)
    if args.json:
        print_json({**result.to_json(), "head_file": str(args.head_file)
                    if args.head_file else None})
    elif result.ok:
        head = f"; head {result.head}" if result.head else ""
        out.print(f"audit trail intact: {result.rows:,} rows{head}", highlight=False)
        if args.head_file is not None:
            since = f" (it held row {kept['rows']})" if kept else ""
            out.print(f"head saved to {args.head_file}{since}", highlight=False)
    else:
        where = f" at row {result.broken_at}" if result.broken_at is not None else ""
        out.print(f"[red]audit trail broken{where}[/red]: {result.problem}", highlight=False)
        out.print(f"rows 1–{result.rows} check out", highlight=False)
    return 0 if result.ok else 1


def show_log(args: argparse.Namespace) -> int:
    workspace = open_workspace(args)
    run_id = workspace.store.find_run(args.run).id if args.run else None
    rows = workspace.store.audit_rows(run_id=run_id, limit=args.limit)
    if args.json:
        print_json(rows)
        return 0
    if not rows:
        out.print("the audit trail is empty")
        return 0
    table(None, ["#", "when", "who", "what", "run", "node", "subject", "change"],
          [[r["seq"], short_time(r["at"]), r["actor"], r["kind"], r["run_id"] or "",
            r["node_id"] or "", r["subject"] or "", _change(r)] for r in rows])
    return 0


def _change(row: dict[str, Any]) -> str:
    before, after = row.get("before"), row.get("after")
    if row["kind"] == "record.change":
        changes = (row.get("data") or {}).get("changes") or {}
        return ", ".join(f"{k}={v}" for k, v in changes.items())[:120]
    if row["kind"] == "guardrail" and isinstance(after, dict):
        return f"{after.get('rule')}: {after.get('outcome')} — {after.get('reason')}"[:120]
    if isinstance(after, dict) and "status" in after:
        old = before.get("status", "") if isinstance(before, dict) else ""
        return f"{old} → {after['status']}" if old else str(after["status"])
    return ""
