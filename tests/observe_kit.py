"""People deciding in observe mode, for tests: every case runs at `observe`, the AI only
suggests, and a person chooses the option given for it."""

from __future__ import annotations

from pathlib import Path

from runtime.api import HumanDecision, Workspace, load_flow


def observe_and_decide(flow: Path, home: Path, rows: list[tuple[str, str]]) -> None:
    """Run each (message, option) in observe mode and choose `option` on its task."""
    ws = Workspace.open(home)
    try:
        for index, (message, label) in enumerate(rows):
            run = ws.engine().start(load_flow(flow), {"id": f"o-{index}", "message": message},
                                    autonomy="observe")
            [task] = ws.store.tasks(run_id=run.id)
            ws.engine().decide(task.id, HumanDecision(action="choose", choice=label))
    finally:
        ws.close()
