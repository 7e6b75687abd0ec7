"""The audit chain head kept outside the database (`junction audit verify --head-file`).

Someone with write access to the database can cut rows from the end AND rewrite the stored
head to match; the chain alone cannot tell. A head saved elsewhere on the previous verify
can: the row it names must still be in the log, with the same hash.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from runtime.errors import InputError
from runtime.store.audit import Verification


def read_head_file(path: Path) -> dict[str, Any] | None:
    """The head saved last time, or None when the file does not exist yet."""
    if not path.exists():
        return None
    if path.is_dir():
        raise InputError(f"{path}: is a folder; --head-file needs a file path")
    try:
        kept = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise InputError(f"{path}: not a head file written by `junction audit verify` "
                         f"({exc})") from None
    if not (isinstance(kept, dict) and isinstance(kept.get("rows"), int)
            and (kept.get("head") is None or isinstance(kept.get("head"), str))):
        raise InputError(f"{path}: not a head file written by `junction audit verify` "
                         "(it needs 'rows' and 'head')")
    return kept


def compare_with_kept_head(rows: list[dict[str, Any]], result: Verification,
                           kept: dict[str, Any], path: Path) -> Verification:
    """A whole chain must still contain the kept head: same row number, same hash."""
    seq, head = int(kept["rows"]), kept.get("head")
    if seq == 0:
        return result
    by_seq = {int(r["seq"]): r for r in rows}
    row = by_seq.get(seq)
    if row is None:
        return Verification(False, result.rows, result.head, min(seq, result.rows + 1),
                            f"the head saved in {path} names row {seq}, but the log now ends "
                            f"at row {result.rows}: rows were cut from the end and the "
                            "stored head rewritten", {"kept_head": kept})
    if row["hash"] != head:
        return Verification(False, result.rows, result.head, seq,
                            f"row {seq} no longer has the hash saved in {path}: the log was "
                            "rewritten from there on (hashes recomputed)", {"kept_head": kept})
    return result


def write_head_file(path: Path, result: Verification) -> None:
    """Save the current head for next time (only after a clean verify)."""
    text = json.dumps({"rows": result.rows, "head": result.head}, indent=2) + "\n"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        raise InputError(f"{path}: cannot save the audit head ({exc.strerror or exc})") from None
