"""Embeddings of option examples, kept in the workspace so they are computed once.

A classify node with 200 example sentences would otherwise embed all of them on every run
(seconds per run on a CPU). Vectors are keyed by the embedding model's identity and the
SHA-256 of the text, so editing one example re-embeds only that example, and a different
model never sees another model's vectors. The file is a cache: losing it costs time,
never correctness, so a cache that cannot be written (read-only folder, locked file) is
logged and skipped instead of failing the run.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import threading
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from runtime.models.embedding_scoring import Matrix
from runtime.workspace import home_dir

log = logging.getLogger(__name__)

CACHE_NAME = "embedding-cache.db"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS vectors (
    model TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    dim INTEGER NOT NULL,
    vector BLOB NOT NULL,
    PRIMARY KEY (model, sha256)
)
"""


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class EmbeddingCache:
    """One SQLite file of vectors; safe to share between threads (one lock per file)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._broken = False

    def get_many(self, model: str, texts: Iterable[str]) -> dict[str, Matrix]:
        """The cached vectors among `texts` (missing ones are simply absent)."""
        wanted = {text_key(t): t for t in texts}
        if not wanted:
            return {}
        found: dict[str, Matrix] = {}
        with self._lock:
            conn = self._connect()
            if conn is None:
                return {}
            try:
                keys = list(wanted)
                for start in range(0, len(keys), 500):
                    chunk = keys[start:start + 500]
                    marks = ",".join("?" * len(chunk))
                    rows = conn.execute(
                        f"SELECT sha256, dim, vector FROM vectors WHERE model=? "
                        f"AND sha256 IN ({marks})", [model, *chunk]).fetchall()
                    for sha, dim, blob in rows:
                        vector = np.frombuffer(blob, dtype=np.float32)
                        if vector.shape == (dim,):
                            found[wanted[sha]] = vector
            except sqlite3.Error as exc:
                self._give_up(exc)
        return found

    def put_many(self, model: str, vectors: dict[str, Matrix]) -> None:
        if not vectors:
            return
        rows = [(model, text_key(text), int(v.shape[-1]),
                 np.asarray(v, dtype=np.float32).reshape(-1).tobytes())
                for text, v in vectors.items()]
        with self._lock:
            conn = self._connect()
            if conn is None:
                return
            try:
                with conn:
                    conn.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?, ?)", rows)
            except sqlite3.Error as exc:
                self._give_up(exc)

    def count(self, model: str | None = None) -> int:
        with self._lock:
            conn = self._connect()
            if conn is None:
                return 0
            sql, args = "SELECT COUNT(*) FROM vectors", []
            if model is not None:
                sql, args = sql + " WHERE model=?", [model]
            return int(conn.execute(sql, args).fetchone()[0])

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def _connect(self) -> sqlite3.Connection | None:
        if self._broken:
            return None
        if self._conn is None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                conn = sqlite3.connect(self.path, timeout=5.0, check_same_thread=False)
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=NORMAL")
                conn.execute(_SCHEMA)
                self._conn = conn
            except (OSError, sqlite3.Error) as exc:
                self._give_up(exc)
                return None
        return self._conn

    def _give_up(self, exc: Exception) -> None:
        log.warning("embedding cache %s unusable, embedding without it: %s", self.path, exc)
        self._broken = True


_CACHES: dict[Path, EmbeddingCache] = {}
_CACHES_LOCK = threading.Lock()


def workspace_cache(home: Path | None = None) -> EmbeddingCache:
    """The cache of the current workspace (`JUNCTION_HOME` or the user data folder).

    Resolved on every call, so a process that switches workspace (tests, the designer
    opening another workspace) uses that workspace's cache.
    """
    path = (home or home_dir()) / CACHE_NAME
    with _CACHES_LOCK:
        cache = _CACHES.get(path)
        if cache is None:
            cache = _CACHES[path] = EmbeddingCache(path)
        return cache


def close_all() -> None:
    with _CACHES_LOCK:
        for cache in _CACHES.values():
            cache.close()
        _CACHES.clear()
