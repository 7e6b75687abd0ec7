"""The connector interface: read a record, apply a change set exactly once.

Every change set carries an idempotency key derived from the run, the node and the visit
(never from an attempt counter), so a resumed run that re-sends a change is recognised and
nothing is written twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


class OutcomeUnknown(Exception):
    """The connector cannot tell whether a change landed; the run must block, not guess."""


class ConnectorUnavailable(Exception):
    """Nothing was written (the system could not be reached, refused the change, or its
    secret is missing); trying again later with the same key is safe."""


@dataclass(frozen=True)
class ApplyResult:
    before: dict[str, Any]
    after: dict[str, Any]
    replayed: bool = False
    details: dict[str, Any] = field(default_factory=dict)


class Connector(Protocol):
    name: str

    def read(self, case_id: str) -> dict[str, Any]: ...

    def apply(self, case_id: str, changes: dict[str, Any], key: str) -> ApplyResult: ...


def idempotency_key(run_id: str, node_id: str, visit: int) -> str:
    return f"{run_id}:{node_id}:{visit}"
