"""The settings file's `models.embedding` is used by `method: embeddings` classify nodes that
name no embedding model; a model the node or the flow names still wins."""

from __future__ import annotations

from pathlib import Path

import pytest
from fake_ollama_embed import FakeOllama

from runtime import settings
from runtime.api import Workspace, load_flow, validate_flow

FLOW_MODEL = "embedding_model: ollama:fake-embed\n"


def _set_default(model: str) -> None:
    settings.save(settings.with_value(settings.Settings(), "models.embedding", model))


def _run(flow: Path, message: str) -> tuple[str, str, dict]:
    ws = Workspace.open()
    try:
        run = ws.engine().start(load_flow(flow), {"id": "c-1", "message": message})
        intake = next(s for s in ws.store.steps(run.id) if s.node_id == "intake")
    finally:
        ws.close()
    return run.status.value, run.outcome or run.error or "", intake.output


def test_a_node_naming_no_embedding_model_uses_the_settings_default(
        tickets_dir: Path, fake_ollama: FakeOllama) -> None:
    flow = tickets_dir / "flow.yaml"
    flow.write_text(flow.read_text().replace(FLOW_MODEL, ""))
    assert validate_flow(load_flow(flow))  # no model anywhere: a problem, as before
    _set_default("ollama:fake-embed")
    assert validate_flow(load_flow(flow)) == []
    status, outcome, intake = _run(flow, "refund my money please")
    assert (status, outcome, intake["label"]) == ("completed", "refund", "refund")
    assert "refund my money please" in fake_ollama.texts


def test_the_flows_own_embedding_model_still_wins(tickets_dir: Path,
                                                  fake_ollama: FakeOllama) -> None:
    _set_default("ollama:not-pulled")  # the fake server answers 404 for this one
    status, outcome, _ = _run(tickets_dir / "flow.yaml", "the app crashes on start")
    assert (status, outcome) == ("completed", "crash")


def test_the_nodes_own_embedding_model_wins_over_the_flow_and_the_settings(
        tickets_dir: Path, fake_ollama: FakeOllama) -> None:
    flow = tickets_dir / "flow.yaml"
    text = flow.read_text().replace(FLOW_MODEL, "embedding_model: ollama:not-pulled\n")
    flow.write_text(text.replace("  method: embeddings\n",
                                 "  method: embeddings\n  embedding_model: ollama:fake-embed\n"))
    _set_default("ollama:not-pulled-either")
    status, outcome, _ = _run(flow, "forgot my password")
    assert (status, outcome) == ("completed", "login")


@pytest.mark.parametrize("method", ["auto", "llm"])
def test_other_methods_do_not_switch_to_embeddings_because_of_the_setting(
        tickets_dir: Path, fake_ollama: FakeOllama, method: str) -> None:
    flow = tickets_dir / "flow.yaml"
    flow.write_text(flow.read_text().replace(FLOW_MODEL, "")
                    .replace("  method: embeddings\n", f"  method: {method}\n"))
    (tickets_dir / "scripted.yaml").write_text(
        "cases:\n  c-1:\n    intake: {label: login, confidence: 0.9}\n")
    _set_default("ollama:fake-embed")
    status, outcome, intake = _run(flow, "refund my money please")
    assert (status, outcome, intake["confidence_kind"]) == ("completed", "login", "scripted")
    assert fake_ollama.texts == []
