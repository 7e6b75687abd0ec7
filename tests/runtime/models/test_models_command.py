"""`junction models`: what a user learns about the models on this machine."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from model_support import FakeOllama, MemoryKeyring, llama_details

from runtime.cli.main import main
from runtime.models import credentials


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, Any, str]:
    code = main(["models", *args])
    captured = capsys.readouterr()
    data = json.loads(captured.out) if "--json" in args else captured.out
    return code, data, captured.err


def test_lists_ollama_models_with_their_capabilities(
        fake_ollama: FakeOllama, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OLLAMA_HOST", fake_ollama.host)
    fake_ollama.models = {
        "llama3.2:3b": {"details": llama_details(), "capabilities": ["completion", "tools"],
                        "model_info": {"general.architecture": "llama",
                                       "llama.context_length": 131072}},
        "all-minilm:latest": {"details": llama_details("bert", "23M"),
                              "capabilities": ["embedding"],
                              "model_info": {"bert.context_length": 512}},
    }

    code, data, _ = run(capsys, "--json")

    assert code == 0
    assert data["ollama"]["running"] is True and data["ollama"]["version"] == "0.12.11"
    by_ref = {m["ref"]: m for m in data["models"]}
    llama = by_ref["ollama:llama3.2:3b"]
    assert (llama["json_format"], llama["logprobs"], llama["context_length"]) == (
        True, True, 131072)
    assert "llamacpp:bundled" in by_ref
    # an embedding-only model cannot answer generative nodes: it is offered for embeddings
    assert "ollama:all-minilm:latest" not in by_ref
    embedding_refs = [m["ref"] for m in data["embedding_models"]]
    assert "ollama:all-minilm:latest" in embedding_refs


def test_an_older_server_has_no_logprobs_so_confidence_would_be_self_reported(
        fake_ollama: FakeOllama, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OLLAMA_HOST", fake_ollama.host)
    fake_ollama.version = "0.11.4"
    fake_ollama.models = {"qwen2.5:7b": {"details": llama_details("qwen2", "7.6B"),
                                         "capabilities": ["completion"]}}

    code, data, _ = run(capsys, "--json")

    assert code == 0
    qwen = data["models"][0]
    assert (qwen["ref"], qwen["json_format"], qwen["logprobs"]) == ("ollama:qwen2.5:7b",
                                                                     True, False)
    code, text, _ = run(capsys)
    assert "ollama:qwen2.5:7b" in text and "no: self-reported" in text


def test_a_server_that_is_not_running_is_named_and_the_bundled_model_still_listed(
        closed_port: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, data, _ = run(capsys, "--json", "--host", closed_port)
    assert code == 0 and data["ollama"]["running"] is False
    assert "Ollama is not running at" in data["ollama"]["error"]
    assert [m["ref"] for m in data["models"]] == ["llamacpp:bundled"]

    code, text, err = run(capsys, "--host", closed_port)
    assert "ollama serve" in err and "llamacpp:bundled" in text


def test_token_goes_to_the_keyring(memory_keyring: MemoryKeyring,
                                   capsys: pytest.CaptureFixture[str],
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("tok-123\n"))

    code, text, _ = run(capsys, "token", "--host", "https://gpu.example:11434")

    assert code == 0 and "stored in the OS keyring" in text
    assert credentials.lookup("https://gpu.example:11434").token == "tok-123"


def test_without_a_keyring_the_token_is_refused_not_written_to_a_file(
        no_keyring: None, capsys: pytest.CaptureFixture[str], tmp_path: Any,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("tok-123\n"))
    monkeypatch.chdir(tmp_path)

    code, _, err = run(capsys, "token", "--host", "https://gpu.example:11434")

    assert code == 2 and "no OS keyring" in err and "plain-text" in err.replace("\n", " ")
    assert not any("tok-123" in p.read_text(errors="ignore")
                   for p in tmp_path.rglob("*") if p.is_file())
