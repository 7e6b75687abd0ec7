"""`junction store migrate` and `junction store copy`: set up and fill a team store."""

from __future__ import annotations

import argparse

from runtime.cli.common import add_json
from runtime.cli.output import out, print_json
from runtime.errors import InputError
from runtime.store.open import store_url
from runtime.urls import is_postgres_url, redact


def register(sub: argparse._SubParsersAction) -> None:
    cmd = sub.add_parser("store", help="set up a team store and move history between stores")
    verbs = cmd.add_subparsers(dest="store_command", metavar="VERB", required=True)

    mig = verbs.add_parser("migrate", help="create or upgrade the team store's tables")
    mig.add_argument("--store", metavar="URL",
                     help="postgresql://… (default: $JUNCTION_STORE, else the settings "
                          "file's workspace.store)")
    add_json(mig)
    mig.set_defaults(handler=migrate)

    cp = verbs.add_parser("copy", help="copy a store's whole history into an empty store "
                                       "(SQLite file → postgresql://… or back); the audit "
                                       "chain is verified afterwards")
    cp.add_argument("source", metavar="SRC", help="a SQLite file or postgresql://… URL")
    cp.add_argument("target", metavar="DST", help="a SQLite file or postgresql://… URL")
    add_json(cp)
    cp.set_defaults(handler=copy)


def migrate(args: argparse.Namespace) -> int:
    url = store_url(args.store)
    if not url or not is_postgres_url(url):
        raise InputError("`junction store migrate` needs a team store: --store "
                         "postgresql://user@host/db (or JUNCTION_STORE, or workspace.store in "
                         "the settings); a SQLite "
                         "workspace creates its tables by itself")
    from runtime.pg_db import Handle
    from runtime.store import pg_schema
    from runtime.team.queue import ensure_schema

    db = Handle(url)
    try:
        before, after = pg_schema.migrate(db)
    finally:
        db.close()
    ensure_schema(url)  # the job queue's tables, for `junction worker`
    ensure_schema(url)  # the job queue's tables, for `junction worker`
    if args.json:
        print_json({"store": redact(url), "from_version": before, "to_version": after})
    elif before == after:
        out.print(f"{redact(url)} is up to date (schema version {after})", highlight=False)
    else:
        out.print(f"{redact(url)}: schema version {before} → {after}", highlight=False)
    return 0


def copy(args: argparse.Namespace) -> int:
    from runtime.team.copy import copy_history


    report = copy_history(args.source, args.target)
    if args.json:
        print_json(report.to_json())
        return 0
    moved = ", ".join(f"{n} {t}" for t, n in report.counts.items() if n)
    out.print(f"copied {moved or 'nothing (the source is empty)'}", highlight=False)
    out.print(f"audit chain verified: {report.audit_rows} rows, head "
              f"{(report.audit_head or '-')[:16]}", highlight=False)
    return 0
