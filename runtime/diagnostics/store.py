"""The workspace store: can it be opened, is it intact, which schema, is the audit chain whole."""

from __future__ import annotations

import sqlite3

from runtime.diagnostics.report import Check, Options, Status
from runtime.errors import InputError
from runtime.store.rows import RunQuery


def workspace(options: Options) -> list[Check]:
    from runtime.store.db import SCHEMA_VERSION
    from runtime.store.sqlite import SqliteRunStore
    from runtime.workspace import database_path, home_dir

    try:
        home = home_dir(options.home)
    except InputError as exc:
        return [Check("settings file", Status.FAIL, str(exc),
                      "fix the named line, or move the file away to start from defaults")]
    path = database_path(home)
    if not path.exists():
        return [Check("workspace", Status.OK, f"no workspace yet at {home}; it is created "
                      "by the first run")]
    try:
        store = SqliteRunStore(path)
    except InputError as exc:
        return [Check("workspace", Status.FAIL, str(exc), "upgrade Junction")]
    except sqlite3.DatabaseError as exc:
        return [Check("workspace", Status.FAIL, f"{path} cannot be opened: {exc}",
                      f"restore {path.name} from a backup, or move it away to start a new "
                      "workspace (runs in it are then no longer shown)")]
    try:
        problems = store.integrity_problems(full=options.full)
        version = store.schema_version()
        runs = store.query_runs(RunQuery(limit=1)).total
        chain = store.verify_audit()
    except sqlite3.DatabaseError as exc:
        return [Check("workspace", Status.FAIL, f"{path} is damaged: {exc}",
                      f"restore {path.name} from a backup")]
    finally:
        store.close()
    checks = []
    if problems:
        checks.append(Check("workspace integrity", Status.FAIL,
                            f"{path}: SQLite found damage: {'; '.join(problems[:3])}",
                            f"restore {path.name} from a backup"))
    else:
        checks.append(Check("workspace integrity", Status.OK, f"{path}: {runs:,} runs"))
    checks.append(Check("workspace schema", Status.OK,
                        f"schema version {version if version is not None else '?'} "
                        f"(this Junction writes {SCHEMA_VERSION})"))
    if chain.ok:
        checks.append(Check("audit trail", Status.OK, f"intact: {chain.rows:,} rows"))
    else:
        checks.append(Check("audit trail", Status.FAIL,
                            f"broken at row {chain.broken_at}: {chain.problem}",
                            "someone edited or removed audit rows; `junction audit log` shows "
                            "the trail, restore the database from a backup to recover it"))
    return checks
