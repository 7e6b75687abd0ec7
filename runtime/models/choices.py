"""Which models this machine can really use, for a model picker.

A fixed list of suggestions offered `scripted:scripted.yaml` where no such file exists and
Ollama models nobody had pulled. This lists what is there: the models pulled into the
Ollama server with what each can do (from `/api/tags` and `/api/show`, asked with a short
timeout; when the server does not answer, the listing says so instead of waiting), the
bundled models when their packages are installed, and the scripted answers files next to
the flow. It does network and disk work: callers with a user interface run it off their
interface thread.
"""

from __future__ import annotations

import dataclasses
import importlib.util
from dataclasses import dataclass
from pathlib import Path

from runtime.models.ollama_probe import OllamaModel, probe
from runtime.models.ollama_provider import OllamaSettings
from runtime.models.readiness import answered_nodes

PICKER_TIMEOUT = 1.5  # seconds per request: a local server answers in milliseconds
MAX_SCRIPTED_BYTES = 2_000_000  # bigger YAML files next to a flow are not answer files


@dataclass(frozen=True)
class ModelChoice:
    ref: str  # what the flow file stores: "ollama:llama3.2:3b", "scripted:answers.yaml"
    source: str  # "ollama" | "bundled" | "scripted"
    detail: str  # what a person reads beside it: capabilities, size, what it answers
    embedding: bool = False  # an embedding model (classify by similarity), not generative


@dataclass(frozen=True)
class ModelChoices:
    choices: tuple[ModelChoice, ...]
    ollama_host: str
    ollama_problem: str = ""  # why Ollama's models are not listed ("" when it answered)

    def generative(self) -> list[ModelChoice]:
        return [c for c in self.choices if not c.embedding]

    def embedding(self) -> list[ModelChoice]:
        return [c for c in self.choices if c.embedding]


def model_choices(flow_folder: Path | None, flow_file: Path | None = None,
                  settings: OllamaSettings | None = None) -> ModelChoices:
    """Everything a flow in `flow_folder` could name; never raises for a server that is
    down or a file that is not an answers file."""
    base = settings or OllamaSettings.from_env()
    server = probe(dataclasses.replace(base, timeout=min(base.timeout, PICKER_TIMEOUT),
                                       retries=0))
    choices = [*(_ollama(m) for m in server.models), *_bundled(),
               *_scripted(flow_folder, flow_file)]
    return ModelChoices(tuple(choices), server.host, "" if server.running else server.error)


def _ollama(model: OllamaModel) -> ModelChoice:
    can = ", ".join(model.capabilities) or ("embedding" if model.embeddings else "completion")
    size = " ".join(p for p in (model.parameters, model.quantization) if p)
    detail = f"Ollama · {can}" + (f" · {size}" if size else "")
    completion = "completion" in model.capabilities
    return ModelChoice(model.ref, "ollama", detail, embedding=model.embeddings and not completion)


def _bundled() -> list[ModelChoice]:
    from runtime.models import bundled
    from runtime.models.embeddings import bundled_entry

    found = []
    if bundled.info().installed and importlib.util.find_spec("llama_cpp") is not None:
        found.append(ModelChoice("llamacpp:bundled", "bundled",
                                 "Bundled Gemma 3 270M · offline, for trying a flow out"))
    entry = bundled_entry()
    if entry["available"]:
        found.append(ModelChoice(str(entry["ref"]), "bundled",
                                 "Bundled MiniLM · offline embeddings for classify",
                                 embedding=True))
    return found


def _scripted(folder: Path | None, flow_file: Path | None) -> list[ModelChoice]:
    """The answers files beside the flow (YAML whose `nodes`/`cases` answer steps)."""
    if folder is None or not folder.is_dir():
        return []
    found = []
    for path in sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")]):
        if flow_file is not None and path.resolve() == flow_file.resolve():
            continue
        try:
            if path.stat().st_size > MAX_SCRIPTED_BYTES:
                continue
        except OSError:
            continue
        answered = answered_nodes(path)
        if answered:
            steps = len(answered)
            found.append(ModelChoice(f"scripted:{path.name}", "scripted",
                                     f"Scripted answers · {steps} step{'s' * (steps != 1)}"))
    return found
