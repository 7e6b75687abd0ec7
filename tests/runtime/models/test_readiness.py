""""Can this flow run here?": what a run needs that validation cannot see — a model for
every AI step, scripted answers that exist, installed embedding models, pulled Ollama
models (asked of a loopback fake of Ollama's /api/tags)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from model_support import llama_details

from runtime.api import LoadedFlow, load_flow
from runtime.models import readiness
from runtime.models.readiness import check_readiness, ollama_pulled

TEMPLATE = Path(__file__).parents[3] / "templates" / "support-triage"
AI_STEPS = {"intake", "draft_reply", "update_ticket"}


@pytest.fixture
def triage(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> LoadedFlow:
    folder = tmp_path / "triage"
    shutil.copytree(TEMPLATE, folder)
    monkeypatch.setitem(readiness._CACHE, "bundled-embedding", True)  # not this machine's
    monkeypatch.setattr(readiness.settings, "role_default", lambda node: "")
    return load_flow(folder / "flow.yaml")


def with_flow(loaded: LoadedFlow, **changes) -> LoadedFlow:
    return LoadedFlow(loaded.flow.model_copy(update=changes), loaded.text, loaded.path)


def with_node(loaded: LoadedFlow, node_id: str, **changes) -> LoadedFlow:
    nodes = [n.model_copy(update=changes) if n.id == node_id else n for n in loaded.flow.nodes]
    return with_flow(loaded, nodes=nodes)


def test_the_template_as_shipped_is_ready(triage):
    assert [p.message for p in check_readiness(triage)] == []


def test_no_model_anywhere_is_reported_on_every_generative_step(triage):
    (triage.base_dir / "scripted.yaml").unlink()
    problems = check_readiness(with_flow(triage, default_model=None))
    assert {p.node for p in problems} == {"draft_reply", "update_ticket"}  # intake embeds
    assert all(p.message.startswith("has no model: choose a model for") for p in problems)


def test_no_model_named_is_fine_when_the_scripted_fallback_answers_the_step(triage):
    assert check_readiness(with_flow(triage, default_model=None)) == []


def test_a_missing_scripted_file_is_named(triage):
    problems = check_readiness(with_flow(triage, default_model="scripted:demo.yaml"))
    assert {p.node for p in problems} == {"draft_reply", "update_ticket"}
    assert "the scripted answers file demo.yaml does not exist" in problems[0].message


def test_a_scripted_file_without_an_answer_for_a_step_names_the_step(triage):
    (triage.base_dir / "scripted.yaml").write_text(
        "nodes:\n  draft_reply: {text: hello}\n", encoding="utf-8")
    problems = check_readiness(triage)
    assert [p.node for p in problems] == ["update_ticket"]
    assert "has no answer for" in problems[0].message
    assert "nodes: update_ticket:" in problems[0].message


def test_an_embedding_model_that_is_not_installed(triage, monkeypatch):
    monkeypatch.setitem(readiness._CACHE, "bundled-embedding", False)
    problems = check_readiness(triage)
    assert [p.node for p in problems] == ["intake"]
    assert problems[0].message.startswith("the bundled embedding model is not installed")


def test_ollama_models_are_checked_against_what_the_server_has_pulled(triage, fake_ollama):
    fake_ollama.models = {"llama3.2:latest": {"details": llama_details()},
                          "nomic-embed-text:latest": {"details": llama_details("nomic-bert")}}
    pulled = ollama_pulled(fake_ollama.host)
    assert pulled.reachable and pulled.has("llama3.2") and not pulled.has("qwen3")
    flow = with_flow(triage, default_model="ollama:llama3.2",
                     embedding_model="ollama:nomic-embed-text")
    assert check_readiness(flow, pulled) == []
    flow = with_node(flow, "update_ticket", model="ollama:qwen3")
    problems = check_readiness(flow, pulled)
    assert [p.node for p in problems] == ["update_ticket"]
    assert "the Ollama model 'qwen3' is not pulled: run `ollama pull qwen3`" in problems[0].message


def test_an_ollama_server_that_is_down_is_one_warning_not_a_flood(triage, closed_port):
    pulled = ollama_pulled(closed_port, timeout=0.5)
    assert not pulled.reachable
    problems = check_readiness(with_flow(triage, default_model="ollama:llama3.2"), pulled)
    assert [p.severity for p in problems] == ["warning"]
    assert closed_port in problems[0].message
