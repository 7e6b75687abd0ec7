"""Records kept in a CSV or JSON-lines file: one record per case, keyed by `case_id`.

Writes replace the whole file atomically (write a temporary file, fsync, rename), under a
lock file so two Junction processes never interleave, so a crash leaves either the old
file or the new one. The file cannot hold idempotency keys, so the send ledger does (see
`ledgered.py`); after a crash a pending change is reconciled by reading the record back.
Files are rewritten in full on every change: meant for the hundreds or thousands of
records a small team keeps in a spreadsheet, not for millions.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from runtime.connectors.base import ConnectorUnavailable
from runtime.connectors.ledgered import LedgeredConnector, landed_in
from runtime.connectors.ports import LedgerEntry, SendLedger
from runtime.flow.schema import FieldType, RecordField

try:  # POSIX; elsewhere the lock is advisory-only via exclusive create
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

KEY = "case_id"


class FileConnector(LedgeredConnector):
    kind = "file"

    def __init__(self, ledger: SendLedger, path: Path,
                 fields: list[RecordField]) -> None:
        super().__init__(ledger)
        self.path = path.resolve()
        self.fields = fields
        self.name = f"{self.kind}:{self.path}"

    # -- subclasses: the file format ---------------------------------------

    def parse(self, text: str) -> tuple[list[str], list[dict[str, Any]]]:
        raise NotImplementedError

    def render(self, columns: list[str], records: list[dict[str, Any]]) -> str:
        raise NotImplementedError

    # -- LedgeredConnector -------------------------------------------------

    def read(self, case_id: str) -> dict[str, Any]:
        _, records = self._load()
        return next((self._public(r) for r in records if str(r.get(KEY)) == case_id), {})

    def send(self, case_id: str, changes: dict[str, Any], after: dict[str, Any],
             key: str) -> dict[str, Any]:
        with self._locked():
            columns, records = self._load()
            for name in [KEY, *(f.name for f in self.fields), *changes]:
                if name not in columns:
                    columns.append(name)
            row = next((r for r in records if str(r.get(KEY)) == case_id), None)
            if row is None:
                row = {KEY: case_id}
                records.append(row)
            row.update(changes)
            self._write(self.render(columns, records))
        return {"file": str(self.path)}

    def reconcile(self, entry: LedgerEntry) -> str:
        return landed_in(self.read(entry.case_id), entry)

    def all_records(self) -> dict[str, dict[str, Any]]:
        _, records = self._load()
        return {str(r[KEY]): self._public(r) for r in records if r.get(KEY) is not None}

    # -- helpers -------------------------------------------------------------

    def _public(self, record: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in record.items() if k != KEY and v is not None}

    def _load(self) -> tuple[list[str], list[dict[str, Any]]]:
        if not self.path.exists():
            return [], []
        try:
            return self.parse(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ConnectorUnavailable(f"{self.path}: cannot read the records file ({exc})"
                                       ) from exc

    def _write(self, text: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        _fsync_dir(self.path.parent)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        lock_path = self.path.with_name(f".{self.path.name}.lock")
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        with open(lock_path, "a+") as lock:
            if fcntl is not None:
                fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                if fcntl is not None:
                    fcntl.flock(lock.fileno(), fcntl.LOCK_UN)

    def typed(self, name: str, text: str) -> Any:
        """A CSV cell as the value its record field declares (text stays text)."""
        spec = next((f for f in self.fields if f.name == name), None)
        if text == "":
            return None
        if spec is None or spec.type in (FieldType.string, FieldType.enum):
            return text
        if spec.type is FieldType.boolean:
            return {"true": True, "false": False}.get(text.lower(), text)
        try:
            number = float(text)
        except ValueError:
            return text
        if spec.type is FieldType.integer or (number.is_integer() and "." not in text):
            return int(number)
        return number


class CsvConnector(FileConnector):
    kind = "csv"

    def parse(self, text: str) -> tuple[list[str], list[dict[str, Any]]]:
        reader = csv.DictReader(io.StringIO(text))
        columns = list(reader.fieldnames or [])
        if columns and KEY not in columns:
            raise ValueError(f"the first line must name a '{KEY}' column")
        records = [{k: (v if k == KEY else self.typed(k, v or "")) for k, v in row.items()}
                   for row in reader]
        return columns, records

    def render(self, columns: list[str], records: list[dict[str, Any]]) -> str:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        for record in records:
            writer.writerow({k: _cell(record.get(k)) for k in columns})
        return buffer.getvalue()


class JsonlConnector(FileConnector):
    kind = "jsonl"

    def parse(self, text: str) -> tuple[list[str], list[dict[str, Any]]]:
        records = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            record = json.loads(line)
            if not isinstance(record, dict) or KEY not in record:
                raise ValueError(f"line {number} is not an object with a '{KEY}'")
            records.append(record)
        return [], records

    def render(self, columns: list[str], records: list[dict[str, Any]]) -> str:
        return "".join(json.dumps(r, ensure_ascii=False, allow_nan=False) + "\n"
                       for r in records)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fsync_dir(path: Path) -> None:
    """Make the rename itself durable (POSIX); a no-op where directories cannot be opened."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
