"""The problems panel says "can run" only when a run has what it needs on this machine."""

from __future__ import annotations

import shutil
import socket

import pytest


@pytest.fixture
def folder(tmp_path, template_flow):
    target = tmp_path / "triage"
    shutil.copytree(template_flow.parent, target)
    return target


def _messages(window):
    window.problems.refresh()
    return [(p.node, p.message) for p in window.problems.problems]


def test_a_flow_with_no_model_anywhere_does_not_claim_it_can_run(window, folder, monkeypatch):
    monkeypatch.setattr("runtime.settings.role_default", lambda node: "")
    window.files.open_path(folder / "flow.yaml")
    assert _messages(window) == []
    assert "this flow can run" in window.problems.summary.text()
    (folder / "scripted.yaml").unlink()
    window.session.editor.set_flow_property("default_model", None)
    problems = _messages(window)
    assert {node for node, _ in problems} == {"draft_reply", "update_ticket"}
    assert all(m.startswith("has no model") for _, m in problems)
    assert "can run" not in window.problems.summary.text()
    assert window.problems.row_count() == 2


def test_a_flow_naming_ollama_asks_the_server_off_the_gui_thread(window, folder, monkeypatch,
                                                                 qtbot):
    with socket.socket() as sock:  # a port where nothing listens: Ollama is "down"
        sock.bind(("127.0.0.1", 0))
        host = f"http://127.0.0.1:{sock.getsockname()[1]}"
    monkeypatch.setenv("OLLAMA_HOST", host)
    window.files.open_path(folder / "flow.yaml")
    window.session.editor.set_flow_property("default_model", "ollama:llama3.2")
    window.problems.refresh()
    qtbot.waitUntil(lambda: window.problems.ollama is not None, timeout=5000)
    assert not window.problems.ollama.reachable
    warnings = [p for p in window.problems.problems if p.severity == "warning"]
    assert len(warnings) == 1 and host in warnings[0].message
