"""The run state machine (below the store, which enforces it; the engine drives it).

Illegal transitions raise; terminal states never change.
"""

from __future__ import annotations

from enum import Enum

from runtime.errors import IllegalTransition


class RunStatus(str, Enum):
    queued = "queued"
    running = "running"
    blocked = "blocked"
    completed = "completed"
    failed = "failed"
    cancelled = "cancelled"

    @property
    def terminal(self) -> bool:
        return self in TERMINAL


TERMINAL = frozenset({RunStatus.completed, RunStatus.failed, RunStatus.cancelled})

TRANSITIONS: dict[RunStatus, frozenset[RunStatus]] = {
    RunStatus.queued: frozenset({RunStatus.running, RunStatus.cancelled}),
    RunStatus.running: frozenset(
        {RunStatus.blocked, RunStatus.completed, RunStatus.failed, RunStatus.cancelled}
    ),
    RunStatus.blocked: frozenset({RunStatus.running, RunStatus.cancelled}),
    RunStatus.completed: frozenset(),
    RunStatus.failed: frozenset(),
    RunStatus.cancelled: frozenset(),
}


def can_move(current: RunStatus, target: RunStatus) -> bool:
    return target in TRANSITIONS[current]


def check_move(current: RunStatus | str, target: RunStatus | str) -> RunStatus:
    """Return the target status if the move is legal, else raise IllegalTransition."""
    current, target = RunStatus(current), RunStatus(target)
    if not can_move(current, target):
        if current.terminal:
            raise IllegalTransition(f"the run is already {current.value}; it cannot change")
        raise IllegalTransition(f"a {current.value} run cannot become {target.value}")
    return target
