"""Helpers for model-provider tests (fixtures live in conftest.py).

`fake_ollama` is a pytest-httpserver on 127.0.0.1 that answers with the shapes a real
Ollama server sends (`/api/chat` with `logprobs`/`top_logprobs`, `/api/tags`, `/api/show`,
`/api/version`, JSON error bodies); the real `ollama` client talks to it. `memory_keyring`
swaps in an in-memory keyring backend, `no_keyring` the backend a headless Linux box has.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from memory_keyring import MemoryKeyring  # noqa: F401  (re-exported for the tests here)
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from runtime.models.base import ChooseRequest, Message, OptionSpec
from runtime.models.ollama_provider import OllamaProvider, OllamaSettings

MODEL = "llama3.2:3b"


def token(text: str, logprob: float, top: list[tuple[str, float]] | None = None) -> dict:
    """One entry of Ollama's `logprobs` list (token, logprob, bytes, top_logprobs)."""
    entry: dict[str, Any] = {"token": text, "logprob": logprob, "bytes": list(text.encode())}
    if top is not None:
        entry["top_logprobs"] = [{"token": t, "logprob": lp, "bytes": list(t.encode())}
                                 for t, lp in top]
    return entry


def chat_body(content: str, *, logprobs: list[dict] | None = None, done_reason: str = "stop",
              prompt_tokens: int = 120, model: str = MODEL) -> dict[str, Any]:
    """A complete non-streaming `/api/chat` answer, as Ollama 0.12.11+ sends it."""
    body: dict[str, Any] = {
        "model": model, "created_at": "2025-11-21T10:00:00.000000Z",
        "message": {"role": "assistant", "content": content},
        "done": True, "done_reason": done_reason,
        "total_duration": 412_000_000, "load_duration": 20_000_000,
        "prompt_eval_count": prompt_tokens, "prompt_eval_duration": 300_000_000,
        "eval_count": len(logprobs) if logprobs else max(1, len(content) // 4),
        "eval_duration": 90_000_000,
    }
    if logprobs is not None:
        body["logprobs"] = logprobs
    return body


@dataclass
class Reply:
    status: int = 200
    body: dict[str, Any] = field(default_factory=dict)
    delay: float = 0.0
    garbled: str | None = None  # sent as the body instead of `body` (a broken answer)


class FakeOllama:
    """Scripted `/api/chat` answers (in order; the last one repeats) plus the listing
    endpoints; every chat request body is kept in `chats`, headers in `headers`."""

    def __init__(self, server: HTTPServer) -> None:
        self.server = server
        self.chats: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.replies: list[Reply] = []
        self.version = "0.12.11"
        self.models: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()
        server.expect_request("/api/chat", method="POST").respond_with_handler(self._chat)
        server.expect_request("/api/version", method="GET").respond_with_handler(
            lambda r: _json({"version": self.version}))
        server.expect_request("/api/tags", method="GET").respond_with_handler(self._tags)
        server.expect_request("/api/show", method="POST").respond_with_handler(self._show)

    @property
    def host(self) -> str:
        return self.server.url_for("/").rstrip("/")

    def settings(self, **overrides: Any) -> OllamaSettings:
        values = {"host": self.host, "timeout": 2.0, "retries": 2, "backoff": 0.01}
        return OllamaSettings(**{**values, **overrides})

    def provider(self, model: str = MODEL, **settings: Any) -> OllamaProvider:
        return OllamaProvider(f"ollama:{model}", model, self.settings(**settings))

    def answer(self, *replies: Reply | dict[str, Any]) -> None:
        self.replies = [r if isinstance(r, Reply) else Reply(body=r) for r in replies]

    def _chat(self, request: Request) -> Response:
        with self._lock:
            self.chats.append(json.loads(request.data))
            self.headers.append({k.lower(): v for k, v in request.headers.items()})
            reply = self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]
        if reply.delay:
            time.sleep(reply.delay)
        if reply.garbled is not None:
            return Response(reply.garbled, status=reply.status,
                            content_type="application/json")
        return _json(reply.body, reply.status)

    def _tags(self, request: Request) -> Response:
        models = [{"name": name, "model": name, "modified_at": "2025-11-20T09:00:00Z",
                   "size": info.get("size", 2_019_393_189), "digest": "a80c4f17acd5" * 5,
                   "details": info["details"]} for name, info in self.models.items()]
        return _json({"models": models})

    def _show(self, request: Request) -> Response:
        name = json.loads(request.data).get("model")
        if name not in self.models:
            return _json({"error": f"model '{name}' not found"}, 404)
        info = self.models[name]
        return _json({"modelfile": "# Modelfile", "parameters": "stop \"<|eot_id|>\"",
                      "template": "{{ .Prompt }}", "details": info["details"],
                      "model_info": info.get("model_info", {}),
                      "capabilities": info.get("capabilities"),
                      "modified_at": "2025-11-20T09:00:00Z"})


def _json(body: dict[str, Any], status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json")


def llama_details(family: str = "llama", size: str = "3.2B") -> dict[str, Any]:
    return {"parent_model": "", "format": "gguf", "family": family, "families": [family],
            "parameter_size": size, "quantization_level": "Q4_K_M"}


OPTIONS = [OptionSpec(name="refund", description="wants money back"),
           OptionSpec(name="billing", description="invoices and payments"),
           OptionSpec(name="technical", description="something is broken")]


def choose_request(text: str = "I want my money back", options: list[OptionSpec] = OPTIONS
                   ) -> ChooseRequest:
    return ChooseRequest(node_id="intake", case_id="c-1", text=text, options=options,
                         messages=[Message(role="system", content="Sort the case."),
                                   Message(role="user", content=text)])
