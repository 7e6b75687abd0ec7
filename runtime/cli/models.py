"""`junction models`: which local models Junction can use, and what each can do.

Lists the models installed in Ollama (with JSON-format support, log-probabilities and
context length — the things that decide whether classify confidence is measured or
self-reported) and the bundled llama.cpp model. `junction models token` stores an auth
token for a remote Ollama host in the OS keyring.
"""

from __future__ import annotations

import argparse
import dataclasses
import getpass
import importlib.util
import sys
from typing import Any

from runtime.cli.common import add_json
from runtime.cli.output import err, out, print_json, table
from runtime.errors import InputError
from runtime.models import bundled, credentials
from runtime.models.llamacpp_model import LlamaCppSettings
from runtime.models.ollama_probe import OllamaServer, probe
from runtime.models.ollama_provider import OllamaSettings, normalise_host

PROBE_TIMEOUT = 10.0


def register(sub: argparse._SubParsersAction) -> None:
    cmd = sub.add_parser("models", help="list local models and what they support")
    add_json(cmd)
    cmd.add_argument("--host", help="Ollama server (default: $OLLAMA_HOST or "
                                    "http://127.0.0.1:11434)")
    cmd.set_defaults(handler=list_models)
    actions = cmd.add_subparsers(dest="models_action", metavar="ACTION")
    token = actions.add_parser("token", help="store the auth token of a remote Ollama host "
                                             "in the OS keyring (read from stdin or a prompt)")
    token.add_argument("--host", help="the host the token is for (default: as above)")
    token.add_argument("--delete", action="store_true", help="forget the stored token")
    token.set_defaults(handler=set_token)


def _settings(host: str | None) -> OllamaSettings:
    base = OllamaSettings.from_env()
    return dataclasses.replace(base, host=normalise_host(host) if host else base.host,
                               timeout=min(base.timeout, PROBE_TIMEOUT), retries=0)


def list_models(args: argparse.Namespace) -> int:
    server = probe(_settings(args.host))
    generative = [m for m in server.models if "completion" in m.capabilities or not m.embeddings]
    rows = [*(_ollama_row(m) for m in generative), _bundled_row()]
    embedding = _embedding_rows(server)
    if args.json:
        summary = {k: v for k, v in server.to_json().items() if k != "models"}
        print_json({"ollama": summary, "models": rows, "embedding_models": embedding})
        return 0
    _print_server(server)
    table(None, ["model", "JSON format", "log-probs", "context", "embeddings", "details"],
          [[r["ref"], _yes(r["json_format"]), _yes(r["logprobs"]), r["context_length"] or "?",
            _yes(r["embeddings"]), r["details"]] for r in rows])
    bundled_path = rows[-1]["path"]
    if bundled_path:
        out.print(f"bundled model file: {bundled_path}")
    out.print("log-probs yes: classify confidence is measured; no: self-reported.")
    table("Embedding models (classify nodes with method: embeddings; set embedding_model)",
          ["model", "available", "details"],
          [[r["ref"], _yes(r["available"]), r["detail"]] for r in embedding])
    return 0


def _embedding_rows(server: OllamaServer) -> list[dict[str, Any]]:
    """The bundled MiniLM and the embedding models pulled into Ollama (from this probe)."""
    from runtime.models.embeddings import list_embedding_models  # numpy only when listing

    pulled = [(m.name, " ".join(p for p in (m.family, m.parameters) if p))
              for m in server.models if m.embeddings]
    return list_embedding_models(server.host, pulled=pulled)


def _print_server(server: OllamaServer) -> None:
    if not server.running:
        err.print(f"[yellow]{server.error}[/yellow]")
    else:
        token = ", token from the keyring" if server.token == "keyring" else ""
        out.print(f"Ollama {server.version} at {server.host}{token}: "
                  f"{len(server.models)} model(s)")
    if server.token == "no keyring backend":
        err.print("[yellow]note:[/yellow] no OS keyring here: an auth token for a remote "
                  "host cannot be stored (`junction models token` explains)")


def _ollama_row(model: Any) -> dict[str, Any]:
    detail = " ".join(p for p in (model.family, model.parameters, model.quantization) if p)
    return {"ref": model.ref, "provider": "ollama", "installed": True,
            "json_format": model.json_format, "logprobs": model.logprobs,
            "context_length": model.context_length, "embeddings": model.embeddings,
            "details": detail, "capabilities": model.capabilities}


def _bundled_row() -> dict[str, Any]:
    info = bundled.info()
    runtime = importlib.util.find_spec("llama_cpp") is not None
    installed = info.installed and runtime
    if not installed:
        missing = "the model package" if runtime else "llama-cpp-python"
        state = f"{missing} not installed ({bundled.INSTALL_HINT})"
    elif info.assembled:
        state = "Gemma 3 270M (ready)"
    else:
        state = "Gemma 3 270M (unpacked on first use)"
    return {"ref": "llamacpp:bundled", "provider": "llamacpp", "installed": installed,
            "json_format": installed, "logprobs": installed,
            "context_length": LlamaCppSettings.from_env().n_ctx if installed else None,
            "embeddings": False, "details": state,
            "path": str(info.path) if info.assembled else None}


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def set_token(args: argparse.Namespace) -> int:
    host = _settings(args.host).host
    try:
        if args.delete:
            found = credentials.delete(host)
            out.print(f"token for {host} {'forgotten' if found else 'was not stored'}")
            return 0
        token = _read_token(host)
        credentials.store(host, token)
    except credentials.KeyringUnavailable as exc:
        raise InputError(str(exc)) from None
    out.print(f"token for {host} stored in the OS keyring")
    return 0


def _read_token(host: str) -> str:
    interactive = sys.stdin.isatty()
    token = (getpass.getpass(f"token for {host}: ") if interactive
             else sys.stdin.readline()).strip()
    if not token:
        raise InputError("no token given")
    return token
