"""Crash injection for the crash-safety tests: `JUNCTION_FAULT=point:N` kills the process
with SIGKILL the N-th time the engine passes `point` (`decided`, `effect`, `done`;
`group`: a batch's group of runs is written and about to commit; `ending`: inside the
write that journals a run's end step and completes the run).

Read when an Engine is built, never at import. Unset, it costs one dictionary lookup.
"""

from __future__ import annotations

import os
import signal


class FaultPlan:
    def __init__(self, spec: str | None) -> None:
        self.point, self.remaining = None, 0
        if spec:
            point, _, count = spec.partition(":")
            self.point, self.remaining = point, int(count or 1)

    @classmethod
    def from_env(cls) -> FaultPlan:
        return cls(os.environ.get("JUNCTION_FAULT"))

    def passed(self, point: str) -> None:
        if point != self.point:
            return
        self.remaining -= 1
        if self.remaining <= 0:
            os.kill(os.getpid(), signal.SIGKILL)
