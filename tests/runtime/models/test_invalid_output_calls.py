"""A model whose output stays invalid after its retries: every call it made is on the step
and in the audit trail (issue 12 §6), so a reviewer sees what the model actually said."""

from __future__ import annotations

from pathlib import Path

import pytest
from model_support import FakeOllama, chat_body
from test_ollama_runs import FLOW, classified, use_host
from test_ollama_runs import workspace as workspace  # the fixture, reused

from runtime.api import RunStatus, Workspace, load_flow


def test_every_attempt_of_an_invalid_answer_is_on_the_step_and_audited(
        tmp_path: Path, workspace: Workspace, fake_ollama: FakeOllama,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JUNCTION_OLLAMA_RETRIES", "0")
    use_host(monkeypatch, fake_ollama.host)
    flow = tmp_path / "flow.yaml"
    flow.write_text(FLOW)
    first, second = '{"values": {"priority": "hi', '{"values": {"priority": "urgent!!'
    fake_ollama.answer(classified(0.95), chat_body(first), chat_body(second))

    run = workspace.engine().start(load_flow(flow), {"id": "r-9", "message": "Broken"})

    assert run.status is RunStatus.blocked
    update = [s for s in workspace.store.steps(run.id) if s.node_id == "update"][-1]
    assert update.model_call is not None, "the failed calls are on the step"
    assert update.model_call["attempts"] == 2 and update.attempt == 2
    assert update.model_call["raw"] == second
    said = [m["content"] for m in update.model_call["prompt"] if m["role"] == "assistant"]
    assert said == [first], "the earlier invalid reply is kept in the conversation"
    calls = [r for r in workspace.store.audit_rows(run_id=run.id)
             if r["kind"] == "model.call" and r["node_id"] == "update"]
    assert len(calls) == 1 and calls[0]["data"]["attempts"] == 2
    assert calls[0]["data"]["raw_sha256"] and calls[0]["data"]["prompt_sha256"]
    assert workspace.store.model_calls(run.id, "update") == 2
