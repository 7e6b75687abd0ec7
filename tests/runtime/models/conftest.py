"""Fixtures for model-provider tests (see model_support.py for what they build)."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from model_support import FakeOllama
from pytest_httpserver import HTTPServer

from runtime.models import registry


@pytest.fixture
def fake_ollama(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeOllama]:
    monkeypatch.delenv("OLLAMA_API_KEY", raising=False)
    fake = FakeOllama(httpserver)
    yield fake
    httpserver.clear()


@pytest.fixture
def closed_port() -> str:
    """The URL of a port on 127.0.0.1 where nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def fresh_registry() -> Iterator[None]:
    registry.clear_cache()
    yield
    registry.clear_cache()


