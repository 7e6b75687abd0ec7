"""Fixtures for the template tests: a fresh workspace per test, MiniLM once per session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from runtime.api import Workspace
from runtime.models import registry


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def workspace(home: Path) -> Iterator[Workspace]:
    registry.clear_cache()
    ws = Workspace.open(home)
    yield ws
    ws.close()
    registry.clear_cache()


@pytest.fixture(scope="session")
def minilm() -> Any:
    """The bundled all-MiniLM-L6-v2, loaded once for every accuracy test."""
    from runtime.models.embedding_backends import SentenceTransformerEmbedder

    embedder = SentenceTransformerEmbedder.bundled()
    embedder.load()
    return embedder
