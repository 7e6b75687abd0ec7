"""Option examples are embedded once per workspace, not once per run."""

from __future__ import annotations

from pathlib import Path

from fake_ollama_embed import FakeOllama

from runtime.api import Workspace, load_flow
from runtime.models import embedding_cache, registry

ANCHORS = 9  # 6 examples + 3 descriptions in tickets/flow.yaml


def run_cases(tickets_dir: Path, home: Path, *messages: str) -> list[dict]:
    """Run each message as a case; returns the intake step's model_call of each run."""
    ws = Workspace.open(home)
    calls = []
    try:
        loaded = load_flow(tickets_dir / "flow.yaml")
        for index, message in enumerate(messages):
            run = ws.engine().start(loaded, {"id": f"{home.name}-{index}", "message": message})
            step = next(s for s in ws.store.steps(run.id) if s.node_id == "intake")
            calls.append(step.model_call)
    finally:
        ws.close()
    return calls


def new_process() -> None:
    """What a second `junction batch` starts with: no provider, no open cache file."""
    registry.clear_cache()
    embedding_cache.close_all()


def test_a_second_run_embeds_only_the_case_text(fake_ollama: FakeOllama, tickets_dir: Path,
                                                 tmp_path: Path) -> None:
    first, second = run_cases(tickets_dir, tmp_path / "home", "refund please", "app crash")
    assert first["details"]["examples_embedded"] == ANCHORS
    assert second["details"]["examples_embedded"] == 0
    assert fake_ollama.texts[ANCHORS:] == ["refund please", "app crash"]


def test_the_cache_outlives_the_process_in_the_workspace(fake_ollama: FakeOllama,
                                                          tickets_dir: Path,
                                                          tmp_path: Path, monkeypatch) -> None:
    home = tmp_path / "home"
    monkeypatch.setenv("JUNCTION_HOME", str(home))
    run_cases(tickets_dir, home, "refund please")
    assert (home / embedding_cache.CACHE_NAME).exists()
    new_process()
    fake_ollama.inputs.clear()
    [call] = run_cases(tickets_dir, home, "forgot my password")
    assert call["details"]["examples_embedded"] == 0
    assert call["details"]["examples_cached"] == ANCHORS
    assert fake_ollama.texts == ["forgot my password"]


def test_editing_one_example_re_embeds_only_that_example(fake_ollama: FakeOllama,
                                                          tickets_dir: Path, tmp_path: Path,
                                                          monkeypatch) -> None:
    home = tmp_path / "home"
    monkeypatch.setenv("JUNCTION_HOME", str(home))
    run_cases(tickets_dir, home, "refund please")
    flow = tickets_dir / "flow.yaml"
    flow.write_text(flow.read_text().replace("forgot my password", "I forgot my password"))
    new_process()
    fake_ollama.inputs.clear()
    [call] = run_cases(tickets_dir, home, "app crash")
    assert call["details"]["examples_embedded"] == 1
    assert fake_ollama.texts == ["I forgot my password", "app crash"]


def test_another_model_never_reuses_these_vectors(fake_ollama: FakeOllama, tickets_dir: Path,
                                                  tmp_path: Path, monkeypatch) -> None:
    home = tmp_path / "home"
    monkeypatch.setenv("JUNCTION_HOME", str(home))
    run_cases(tickets_dir, home, "refund please")
    cache = embedding_cache.workspace_cache(home)
    assert cache.count("ollama:fake-embed") == ANCHORS
    assert cache.get_many("ollama:other-model", ["forgot my password"]) == {}


def test_an_unwritable_workspace_still_classifies(fake_ollama: FakeOllama, tickets_dir: Path,
                                                  tmp_path: Path, monkeypatch) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the workspace folder should be")
    monkeypatch.setenv("JUNCTION_HOME", str(blocker))
    [call] = run_cases(tickets_dir, tmp_path / "home", "refund please")
    assert call["details"]["similarities"]["refund"] > 0
