"""The model pickers list what is really there: Ollama's pulled models with what they can
do, scripted answer files next to the flow — asked off the GUI thread."""

from __future__ import annotations

import shutil
import socket

import pytest

from designer.panels.model_catalog import DETAIL_ROLE, offered
from designer.panels.properties.factory import ModelRefEditor

DETAILS = {"family": "llama", "families": ["llama"], "parameter_size": "3.2B",
           "quantization_level": "Q4_K_M", "format": "gguf", "parent_model": ""}


@pytest.fixture
def ollama(httpserver, monkeypatch):
    """A local stand-in for an Ollama server with one pulled model."""
    httpserver.expect_request("/api/version").respond_with_json({"version": "0.12.11"})
    httpserver.expect_request("/api/tags").respond_with_json({"models": [
        {"name": "llama3.2:3b", "model": "llama3.2:3b", "size": 2_019_393_189,
         "digest": "a" * 64, "modified_at": "2025-11-20T09:00:00Z", "details": DETAILS}]})
    httpserver.expect_request("/api/show", method="POST").respond_with_json(
        {"details": DETAILS, "model_info": {}, "capabilities": ["completion", "tools"],
         "modelfile": "", "parameters": "", "template": ""})
    monkeypatch.setenv("OLLAMA_HOST", httpserver.url_for("/").rstrip("/"))
    return httpserver


@pytest.fixture
def nowhere(monkeypatch):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("OLLAMA_HOST", f"http://127.0.0.1:{port}")


def _answered(qtbot, box):
    qtbot.waitUntil(lambda: box.catalog.choices is not None, timeout=15000)
    box.catalog.wait()
    qtbot.wait(10)
    return offered(box.combo)


def _open_triage(window, tmp_path, template_flow):
    folder = tmp_path / "triage"
    shutil.copytree(template_flow.parent, folder)
    window.files.open_path(folder / "flow.yaml")
    return folder


def test_the_toolbar_picker_offers_pulled_models_and_the_answer_files_here(
        window, qtbot, tmp_path, template_flow, ollama):
    _open_triage(window, tmp_path, template_flow)
    box = window.model_box
    choices = _answered(qtbot, box)
    assert "ollama:llama3.2:3b" in choices and "scripted:scripted.yaml" in choices
    index = box.combo.findText("ollama:llama3.2:3b")
    assert "completion, tools" in box.combo.itemData(index, DETAIL_ROLE)
    assert "ollama:qwen2.5:7b" not in choices  # nothing made up
    # choosing one sets the flow's default model (one undoable edit)
    box.combo.setCurrentIndex(index)
    box.combo.activated.emit(index)
    assert window.session.document.header.default_model == "ollama:llama3.2:3b"
    # the property form of an AI step offers the same
    window.scene.select_only(nodes=["draft_reply"])
    editors = window.properties.findChildren(ModelRefEditor)
    visible = [e for e in editors if e.isVisibleTo(window.properties) and not e.embedding]
    assert visible and "ollama:llama3.2:3b" in offered(visible[0].combo)


def test_no_scripted_file_is_offered_where_there_is_none(window, qtbot, ollama):
    window.files.start_from(None)
    box = window.model_box
    box.look_again()  # a new, never-saved flow: no folder, so no answer files
    choices = _answered(qtbot, box)
    assert "ollama:llama3.2:3b" in choices
    assert not any(c.startswith("scripted:") for c in choices)


def test_an_ollama_that_does_not_answer_is_said_in_the_list(window, qtbot, tmp_path,
                                                            template_flow, nowhere):
    _open_triage(window, tmp_path, template_flow)
    box = window.model_box
    choices = _answered(qtbot, box)
    assert not any(c.startswith("ollama:") for c in choices)
    notes = [box.combo.itemText(i) for i in range(box.combo.count())
             if box.combo.itemText(i) not in choices]
    assert any("not answering" in n and "ollama serve" in n for n in notes)
