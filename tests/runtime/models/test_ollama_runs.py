"""Runs on an Ollama model, end to end through the engine: what a person sees in the run
log and the task inbox when the model is confident, unsure, down, missing or confused."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path

import pytest
from model_support import FakeOllama, Reply, chat_body, token

from runtime.api import RunStatus, Workspace, load_flow
from runtime.models import registry

FLOW = """\
format_version: 1
name: Ollama returns
autonomy: operate
default_model: ollama:llama3.2:3b
case_fields:
- {name: message, required: true}
record_fields:
- name: priority
  type: enum
  values: [low, high]
nodes:
- {id: start, kind: start}
- id: sort
  kind: ai
  role: classify
  method: llm
  question: Why is the item coming back?
  options:
  - {name: damaged, description: item arrived broken, examples: [The mug was in pieces]}
  - {name: unwanted, description: customer changed their mind}
  guardrails:
    bands: {act: 0.8, suggest: 0.5}
- id: update
  kind: ai
  role: enforce
  guardrails:
    fields: {priority: allow}
    bands: {act: 0.5, suggest: 0.3}
    retries: 1
- {id: done, kind: end, outcome: resolved}
edges:
- {from: start, to: sort}
- {from: sort, to: update}
- {from: update, to: done}
"""


@pytest.fixture
def flow_file(tmp_path: Path) -> Path:
    path = tmp_path / "flow.yaml"
    path.write_text(FLOW)
    return path


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Workspace]:
    monkeypatch.setenv("JUNCTION_OLLAMA_RETRIES", "0")
    registry.clear_cache()
    ws = Workspace.open(tmp_path / "home")
    yield ws
    ws.close()
    registry.clear_cache()


def use_host(monkeypatch: pytest.MonkeyPatch, host: str) -> None:
    monkeypatch.setenv("OLLAMA_HOST", host)
    registry.clear_cache()


def classified(p_damaged: float) -> dict:
    top = [("damaged", math.log(p_damaged)), ("unwanted", math.log(1 - p_damaged))]
    return chat_body("damaged", logprobs=[token(*top[0], top)])


def proposal(values: dict) -> dict:
    return chat_body(json.dumps({"values": values, "confidence": 0.9}))


def records(workspace: Workspace) -> dict:
    return workspace.connectors.records.all_records("records")


def test_a_confident_measured_answer_runs_through_and_is_logged_as_measured(
        flow_file: Path, workspace: Workspace, fake_ollama: FakeOllama,
        monkeypatch: pytest.MonkeyPatch) -> None:
    use_host(monkeypatch, fake_ollama.host)
    fake_ollama.answer(classified(0.9), proposal({"priority": "high"}))

    run = workspace.engine().start(load_flow(flow_file), {"id": "r-1", "message": "Broken"})

    assert run.status is RunStatus.completed
    sort = workspace.store.steps(run.id)[1]
    assert sort.output["label"] == "damaged" and sort.output["confidence_kind"] == "measured"
    assert sort.output["probabilities"] == pytest.approx({"damaged": 0.9, "unwanted": 0.1})
    assert sort.model_call["provider"] == "ollama"
    assert sort.model_call["prompt"][-1]["content"].startswith("<<<CASE DATA>>>")
    assert records(workspace) == {"r-1": {"priority": "high"}}


def test_an_unsure_model_hands_the_case_to_a_person(
        flow_file: Path, workspace: Workspace, fake_ollama: FakeOllama,
        monkeypatch: pytest.MonkeyPatch) -> None:
    use_host(monkeypatch, fake_ollama.host)
    fake_ollama.answer(classified(0.6))

    run = workspace.engine().start(load_flow(flow_file), {"id": "r-2", "message": "Hmm"})

    assert run.status is RunStatus.blocked
    [task] = workspace.store.tasks(run_id=run.id)
    assert "0.60" in task.reason and "act band" in task.reason


def test_server_down_blocks_the_run_and_it_resumes_once_ollama_is_up(
        flow_file: Path, workspace: Workspace, fake_ollama: FakeOllama, closed_port: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    use_host(monkeypatch, closed_port)
    engine = workspace.engine()

    run = engine.start(load_flow(flow_file), {"id": "r-3", "message": "Broken"})

    assert run.status is RunStatus.blocked and not workspace.store.tasks(run_id=run.id)
    assert run.blocked_reason.startswith("model unavailable: Ollama is not running")

    use_host(monkeypatch, fake_ollama.host)
    fake_ollama.answer(classified(0.95), proposal({"priority": "low"}))
    resumed = workspace.engine().drive(run.id)

    assert resumed.status is RunStatus.completed
    assert records(workspace) == {"r-3": {"priority": "low"}}


def test_a_model_that_is_not_pulled_blocks_with_the_pull_command(
        flow_file: Path, workspace: Workspace, fake_ollama: FakeOllama,
        monkeypatch: pytest.MonkeyPatch) -> None:
    use_host(monkeypatch, fake_ollama.host)
    fake_ollama.answer(Reply(404, {"error": 'model "llama3.2:3b" not found, try pulling it '
                                            "first"}))

    run = workspace.engine().start(load_flow(flow_file), {"id": "r-4", "message": "Broken"})

    assert run.status is RunStatus.blocked
    assert "ollama pull llama3.2:3b" in run.blocked_reason


def test_invalid_json_after_retries_becomes_a_human_task_and_writes_nothing(
        flow_file: Path, workspace: Workspace, fake_ollama: FakeOllama,
        monkeypatch: pytest.MonkeyPatch) -> None:
    use_host(monkeypatch, fake_ollama.host)
    broken = chat_body('{"values": {"priority": "hi')
    fake_ollama.answer(classified(0.95), broken, broken)

    run = workspace.engine().start(load_flow(flow_file), {"id": "r-5", "message": "Broken"})

    assert run.status is RunStatus.blocked
    [task] = workspace.store.tasks(run_id=run.id)
    assert task.node_id == "update" and "not valid JSON" in task.reason
    assert len(fake_ollama.chats) == 3  # classify, then extract once + one retry
    assert records(workspace) == {}
