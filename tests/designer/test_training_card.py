"""The property panel's training card: people's decisions in observe mode become a trained
head with one click, as one undoable edit of the open flow."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fake_ollama_embed import FakeOllama
from observe_kit import observe_and_decide

from paths import REPO

TICKETS = REPO / "tests" / "runtime" / "embeddings" / "tickets"
DECIDED = [
    *[(f"my account is locked {w}", "login") for w in ("again", "today", "help", "now",
                                                       "since monday", "after update")],
    *[(f"the invoice total is wrong {w}", "refund") for w in ("again", "today", "twice",
                                                              "this month", "please", "now")],
    *[(f"the app crashes {w}", "crash") for w in ("on start", "today", "when saving",
                                                  "every time", "after login", "now")],
]


@pytest.fixture
def decided_flow(httpserver, monkeypatch, tmp_path: Path) -> Path:
    fake = FakeOllama(httpserver)
    monkeypatch.setenv("OLLAMA_HOST", fake.url)
    home = tmp_path / "home"
    monkeypatch.setenv("JUNCTION_HOME", str(home))
    folder = tmp_path / "tickets"
    shutil.copytree(TICKETS, folder)
    flow = folder / "flow.yaml"
    observe_and_decide(flow, home, DECIDED)
    return flow


def test_train_from_decisions_sets_the_head_as_one_undo_step(window, qtbot,
                                                             decided_flow: Path) -> None:
    assert window.files.open_path(decided_flow)
    window.scene.select_only(nodes=["intake"])
    card = window.properties.training
    qtbot.waitUntil(lambda: card.button.isEnabled(), timeout=20000)
    text = card.lines.text()
    assert "Not trained yet" in text and f"People decided {len(DECIDED)}" in text
    card.button.click()
    document = window.session.document
    qtbot.waitUntil(lambda: document.node("intake").head is not None, timeout=60000)
    head = document.node("intake").head
    assert head.endswith(".head.json") and (decided_flow.parent / head).exists()
    assert "Save the flow to keep it" in card.note.text()
    assert decided_flow.read_text().count("head:") == 0, "the file changes only on save"
    window.session.editor.undo_stack.undo()
    assert document.node("intake").head is None


def test_the_card_waits_for_enough_decisions_and_says_why(window, qtbot, httpserver,
                                                          monkeypatch, tmp_path) -> None:
    fake = FakeOllama(httpserver)
    monkeypatch.setenv("OLLAMA_HOST", fake.url)
    monkeypatch.setenv("JUNCTION_HOME", str(tmp_path / "empty-home"))
    folder = tmp_path / "tickets"
    shutil.copytree(TICKETS, folder)
    assert window.files.open_path(folder / "flow.yaml")
    window.scene.select_only(nodes=["intake"])
    card = window.properties.training
    qtbot.waitUntil(lambda: "People decided 0" in card.lines.text(), timeout=20000)
    assert not card.button.isEnabled()
    assert "Training is offered once" in card.note.text()
