"""Classify through Ollama's `/api/embed`, against a loopback server with the real shapes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fake_ollama_embed import FakeOllama
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from runtime.api import Workspace, load_flow
from runtime.models.embeddings import BUNDLED_REF, list_embedding_models


def run_case(tickets_dir: Path, tmp_path: Path, message: str, case_id: str = "c-1"):
    ws = Workspace.open(tmp_path / "home")
    try:
        run = ws.engine().start(load_flow(tickets_dir / "flow.yaml"),
                                {"id": case_id, "message": message})
        return run, ws.store.steps(run.id)
    finally:
        ws.close()


def intake_step(steps):
    return next(s for s in steps if s.node_id == "intake")


def test_a_case_is_sorted_by_similarity_to_the_option_examples(
        fake_ollama: FakeOllama, tickets_dir: Path, tmp_path: Path) -> None:
    run, steps = run_case(tickets_dir, tmp_path, "please refund my money, the parcel was broken")
    assert run.status.value == "completed" and run.outcome == "refund"
    step = intake_step(steps)
    assert step.output["label"] == "refund"
    assert step.output["confidence_kind"] == "measured"
    assert sum(step.output["probabilities"].values()) == pytest.approx(1.0, abs=1e-5)
    call = step.model_call
    assert call["provider"] == "ollama" and call["model"] == "fake-embed"
    sims = call["details"]["similarities"]
    assert set(sims) == {"refund", "login", "crash"}
    assert sims["refund"] > sims["login"] and sims["refund"] > sims["crash"]
    # one request for the anchors (6 examples + 3 descriptions), one for the case text
    assert [len(batch) for batch in fake_ollama.inputs] == [9, 1]
    assert fake_ollama.inputs[1] == ["please refund my money, the parcel was broken"]


def test_a_model_that_is_not_pulled_blocks_the_run_with_the_pull_command(
        fake_ollama: FakeOllama, tickets_dir: Path, tmp_path: Path) -> None:
    flow = tickets_dir / "flow.yaml"
    flow.write_text(flow.read_text().replace("ollama:fake-embed", "ollama:nomic-embed-text"))
    run, _ = run_case(tickets_dir, tmp_path, "the app crashes")
    assert run.status.value == "blocked"
    assert "ollama pull nomic-embed-text" in (run.blocked_reason or "")


def test_no_ollama_server_blocks_the_run_until_it_can_be_resumed(
        tickets_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OLLAMA_HOST", f"http://127.0.0.1:{refused_port()}")
    run, _ = run_case(tickets_dir, tmp_path, "the app crashes")
    assert run.status.value == "blocked"
    assert "model unavailable" in (run.blocked_reason or "")


def test_a_malformed_reply_goes_to_a_person_not_into_the_run(
        httpserver: HTTPServer, tickets_dir: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    reply = {"model": "fake-embed", "embeddings": [[0.1, 0.2]], "total_duration": 1,
             "load_duration": 1, "prompt_eval_count": 2}
    httpserver.expect_request("/api/embed", method="POST").respond_with_json(reply)
    monkeypatch.setenv("OLLAMA_HOST", httpserver.url_for("").rstrip("/"))
    run, steps = run_case(tickets_dir, tmp_path, "the app crashes")
    assert run.status.value == "blocked"
    assert "returned 1 embeddings for 9 texts" in intake_step(steps).output["error"]


def test_junction_models_lists_pulled_embedding_models_apart(httpserver: HTTPServer) -> None:
    details = {"parent_model": "", "format": "gguf", "family": "bert", "families": ["bert"],
               "parameter_size": "23M", "quantization_level": "F16"}
    tags = {"models": [
        {"name": "all-minilm:latest", "model": "all-minilm:latest",
         "modified_at": "2025-05-01T10:00:00.000000+02:00", "size": 45960996,
         "digest": "1b226e2802db", "details": details},
        {"name": "llama3.2:3b", "model": "llama3.2:3b",
         "modified_at": "2025-05-01T10:00:00.000000+02:00", "size": 2019393189,
         "digest": "a80c4f17acd5",
         "details": {**details, "family": "llama", "families": ["llama"],
                     "parameter_size": "3.2B", "quantization_level": "Q4_K_M"}},
    ]}
    httpserver.expect_request("/api/tags", method="GET").respond_with_json(tags)

    def show(request: Request) -> Response:
        name = json.loads(request.data)["model"]
        caps = ["embedding"] if name.startswith("all-minilm") else ["completion", "tools"]
        return Response(json.dumps({"details": details, "model_info": {},
                                    "capabilities": caps}), content_type="application/json")

    httpserver.expect_request("/api/show", method="POST").respond_with_handler(show)
    listed = list_embedding_models(httpserver.url_for("").rstrip("/"))
    assert [m["ref"] for m in listed] == [BUNDLED_REF, "ollama:all-minilm:latest"]
    assert listed[1]["detail"] == "bert, 23M"


def test_an_unreachable_ollama_still_lists_the_bundled_model() -> None:
    listed = list_embedding_models(f"http://127.0.0.1:{refused_port()}")
    assert [m["ref"] for m in listed] == [BUNDLED_REF]


def refused_port() -> int:
    """A loopback port nobody listens on (bound, then closed)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
