"""A model's own claim of confidence is not a measured probability: in copilot it never
lets the AI act alone; in operate the guardrails alone bound what it may do."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from runtime.api import HumanDecision, RunStatus, Workspace, load_flow
from runtime.models import registry
from runtime.models.base import (
    CallInfo,
    ChooseRequest,
    ChooseResult,
    DraftRequest,
    DraftResult,
    ExtractRequest,
    ExtractResult,
)

CRASH = Path(__file__).parent / "crash"


class BoastfulModel:
    """Answers like a model without log-probabilities: sure of itself, 0.99 every time."""

    ref = "boastful:"

    def _call(self) -> CallInfo:
        return CallInfo(provider="boastful", model="boastful", confidence_kind="self_reported")

    def choose(self, request: ChooseRequest) -> ChooseResult:
        probs = {o.name: 0.01 for o in request.options}
        probs[request.options[0].name] = 0.99
        return ChooseResult(label=request.options[0].name, probabilities=probs,
                            call=self._call())

    def extract(self, request: ExtractRequest) -> ExtractResult:
        return ExtractResult(values={"status": "open", "refund": 10}, confidence=0.99,
                             call=self._call())

    def draft(self, request: DraftRequest) -> DraftResult:
        return DraftResult(text="", call=self._call())


@pytest.fixture
def boastful() -> Iterator[str]:
    registry.register("boastful", lambda ref, rest, base: BoastfulModel())
    registry.clear_cache()
    yield "boastful:"
    registry.clear_cache()


def start(tmp_path: Path, stage: str, model: str) -> tuple[Workspace, str]:
    shutil.copytree(CRASH, tmp_path / "flow")
    workspace = Workspace.open(tmp_path / "home")
    run = workspace.engine().start(load_flow(tmp_path / "flow" / "flow.yaml"),
                                   {"id": "c-1", "message": "broken"}, autonomy=stage,
                                   model=model)
    return workspace, run.id


def test_copilot_asks_a_person_when_confidence_is_only_self_reported(
        tmp_path: Path, boastful: str) -> None:
    workspace, run_id = start(tmp_path, "copilot", boastful)
    [task] = workspace.store.tasks(run_id=run_id)
    assert task.node_id == "sort" and "self-reported" in task.reason
    workspace.engine().decide(task.id, HumanDecision(action="approve"))
    [task] = workspace.store.tasks(run_id=run_id)
    assert task.node_id == "update" and "self-reported" in task.reason
    assert workspace.connectors.records.all_records("records") == {}
    workspace.close()


def test_operate_applies_inside_guardrails_whatever_the_confidence_kind(
        tmp_path: Path, boastful: str) -> None:
    workspace, run_id = start(tmp_path, "operate", boastful)
    assert workspace.store.run(run_id).status is RunStatus.completed
    workspace.close()
