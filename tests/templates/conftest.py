"""Fixtures for the template tests: a fresh workspace per test, MiniLM once per session."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(scope="session")
def minilm() -> Any:
    """The bundled all-MiniLM-L6-v2, loaded once for every accuracy test."""
    from runtime.models.embedding_backends import SentenceTransformerEmbedder

    embedder = SentenceTransformerEmbedder.bundled()
    embedder.load()
    return embedder
