"""Turn a model reference (`ollama:NAME`, `llamacpp:PATH`, `scripted:FILE`) into a provider.

Providers are created once per process and shared, so a model is loaded only once
however many runs use it. Backends register a factory per prefix; optional ones (llama.cpp,
sentence-transformers) import their heavy libraries only when first asked for.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from pathlib import Path

from runtime.errors import InputError
from runtime.models.base import ModelProvider

Factory = Callable[[str, str, Path], ModelProvider]

_FACTORIES: dict[str, Factory] = {}
_EMBEDDING_FACTORIES: dict[str, Factory] = {}
_CACHE: dict[tuple[str, str, str], ModelProvider] = {}
_LOCK = threading.Lock()

DEFAULT_SCRIPTED_FILE = "scripted.yaml"


def register(prefix: str, factory: Factory) -> None:
    """`factory(ref, rest_after_prefix, base_dir)` builds the provider."""
    _FACTORIES[prefix] = factory


def register_embedding(prefix: str, factory: Factory) -> None:
    """Like `register`, for embedding models: their providers answer `choose` by
    similarity to each option's examples (classify nodes with `method: embeddings`)."""
    _EMBEDDING_FACTORIES[prefix] = factory


def _scripted(ref: str, rest: str, base_dir: Path) -> ModelProvider:
    from runtime.models.scripted import ScriptedProvider

    path = Path(rest or DEFAULT_SCRIPTED_FILE)
    if not path.is_absolute():
        path = base_dir / path
    return ScriptedProvider.from_file(ref, path)


register("scripted", _scripted)


def split_ref(ref: str) -> tuple[str, str]:
    prefix, _, rest = ref.partition(":")
    return prefix.strip(), rest.strip()


def resolve(ref: str, base_dir: Path) -> ModelProvider:
    """The shared provider for `ref`; relative paths are relative to the flow's folder."""
    return _resolve(ref, base_dir, _FACTORIES, "model")


def resolve_embedding(ref: str, base_dir: Path) -> ModelProvider:
    """The shared embedding provider for `ref` (e.g. `ollama:all-minilm`)."""
    return _resolve(ref, base_dir, _EMBEDDING_FACTORIES, "embedding model")


def _resolve(ref: str, base_dir: Path, factories: dict[str, Factory], what: str) -> ModelProvider:
    _load_optional_backends()
    prefix, rest = split_ref(ref)
    factory = factories.get(prefix)
    if factory is None:
        known = ", ".join(sorted(f"{p}:" for p in factories)) or "none installed"
        raise InputError(f"unknown {what} reference '{ref}' (known kinds: {known})")
    key = (what, ref, _resolved(str(base_dir)) if prefix in ("scripted", "llamacpp") else "")
    with _LOCK:
        provider = _CACHE.get(key)
        if provider is None:
            provider = factory(ref, rest, base_dir)
            _CACHE[key] = provider
    return provider


def clear_cache() -> None:
    with _LOCK:
        _CACHE.clear()
    _resolved.cache_clear()


@functools.lru_cache(maxsize=256)
def _resolved(folder: str) -> str:
    """A flow folder resolved once (every model call asks; the answer does not change)."""
    return str(Path(folder).resolve())


_optional_loaded = False


def preload_backends() -> None:
    """Import the model backends now rather than on a run's first model call: importing
    them (ollama's client builds an SSL context) holds the interpreter lock for a few
    hundred milliseconds, which a GUI prefers to pay while a dialog is open."""
    _load_optional_backends()


def _load_optional_backends() -> None:
    """Register backends that live in their own modules (imported lazily, no side effects
    at import time of this module)."""
    global _optional_loaded
    if _optional_loaded:
        return
    _optional_loaded = True
    import importlib

    for module in BACKEND_MODULES:
        try:
            backend = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
            continue
        backend.register_backend()


# Modules that register backends when first needed. Each defines `register_backend()`,
# which calls `register(...)` / `register_embedding(...)`; heavy libraries (llama_cpp,
# sentence_transformers) are imported inside the factories, never at module import.
BACKEND_MODULES = (
    "runtime.models.ollama_provider",
    "runtime.models.llamacpp_provider",
    "runtime.models.embeddings",
)
