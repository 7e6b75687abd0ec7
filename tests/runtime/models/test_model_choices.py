"""The model picker's list: what is really on this machine, never a made-up suggestion."""

from __future__ import annotations

from pathlib import Path

from model_support import FakeOllama, llama_details

from runtime.api import model_choices
from runtime.models.ollama_provider import OllamaSettings


def _pulled(fake: FakeOllama) -> None:
    fake.models = {
        "llama3.2:3b": {"details": llama_details(), "capabilities": ["completion", "tools"]},
        "all-minilm:latest": {"details": llama_details("bert", "23M"),
                              "capabilities": ["embedding"]},
    }


def test_pulled_ollama_models_come_with_what_they_can_do(fake_ollama: FakeOllama) -> None:
    _pulled(fake_ollama)
    found = model_choices(None, settings=fake_ollama.settings())
    assert not found.ollama_problem
    llama, = [c for c in found.generative() if c.source == "ollama"]
    assert llama.ref == "ollama:llama3.2:3b"
    assert "completion, tools" in llama.detail and "3.2B" in llama.detail
    assert [c.ref for c in found.embedding() if c.source == "ollama"] == [
        "ollama:all-minilm:latest"]


def test_an_unreachable_server_is_said_not_waited_for(closed_port: str) -> None:
    found = model_choices(None, settings=OllamaSettings(host=closed_port))
    assert "not running" in found.ollama_problem and closed_port in found.ollama_problem
    assert not [c for c in found.choices if c.source == "ollama"]


def test_scripted_files_are_the_answer_files_next_to_the_flow(tmp_path: Path,
                                                              closed_port: str) -> None:
    flow = tmp_path / "flow.yaml"
    flow.write_text("format_version: 1\nname: x\nnodes: []\nedges: []\n")
    (tmp_path / "answers.yaml").write_text("nodes:\n  intake: {label: refund}\n"
                                           "  route: {label: x}\n")
    (tmp_path / "notes.yaml").write_text("- just a list\n")
    (tmp_path / "broken.yaml").write_text("nodes: [unclosed\n")
    found = model_choices(tmp_path, flow, settings=OllamaSettings(host=closed_port))
    scripted = [c for c in found.choices if c.source == "scripted"]
    assert [c.ref for c in scripted] == ["scripted:answers.yaml"]
    assert scripted[0].detail == "Scripted answers · 2 steps"
    # an unsaved flow, or a folder without answer files: no scripted entry at all
    assert not [c for c in model_choices(None, settings=OllamaSettings(host=closed_port))
                .choices if c.source == "scripted"]
