"""What an Ollama server offers: its version, its models and what each model can do.

Used by `junction models`. Capabilities come from `/api/show` (`capabilities`,
`model_info`) and the server version from `/api/version`:

- JSON format (`format` with a JSON schema): servers from 0.5.0 on, completion models;
- log-probabilities (`logprobs`/`top_logprobs` on `/api/chat`): servers from 0.12.11 on,
  completion models — else classify confidence is self-reported;
- context length: the model's trained context (`<arch>.context_length`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import httpx
import ollama

from runtime.models import credentials
from runtime.models.ollama_provider import OllamaSettings, make_client

JSON_FORMAT_SINCE = (0, 5, 0)
LOGPROBS_SINCE = (0, 12, 11)


@dataclass
class OllamaModel:
    ref: str
    name: str
    json_format: bool
    logprobs: bool
    context_length: int | None
    embeddings: bool
    capabilities: list[str] = field(default_factory=list)
    family: str = ""
    parameters: str = ""
    quantization: str = ""
    size: int = 0


@dataclass
class OllamaServer:
    host: str
    running: bool
    version: str = ""
    error: str = ""
    token: str = "none"  # where the auth token comes from
    token_problem: str = ""
    models: list[OllamaModel] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def probe(settings: OllamaSettings | None = None) -> OllamaServer:
    """Ask the server; never raises for a server that is down or misbehaving."""
    settings = settings or OllamaSettings.from_env()
    token = credentials.lookup(settings.host)
    server = OllamaServer(host=settings.host, running=False, token=token.source,
                          token_problem=token.problem)
    client = make_client(settings)
    try:
        server.version = _version(client)
        server.running = True
        listed = client.list().models
        server.models = [_describe(client, m, server.version) for m in listed if m.model]
    except ConnectionError:
        server.error = (f"Ollama is not running at {settings.host}; start it with "
                        "`ollama serve` (or set OLLAMA_HOST to where it runs)")
    except ollama.ResponseError as exc:
        server.error = f"Ollama at {settings.host} answered HTTP {exc.status_code}: {exc.error}"
    except httpx.HTTPError as exc:
        server.error = f"Ollama at {settings.host} could not be asked: {exc}"
    return server


def _version(client: ollama.Client) -> str:
    """`/api/version` (the client has no public method for it)."""
    response = client._request_raw("GET", "/api/version")
    return str(response.json().get("version", ""))


def _describe(client: ollama.Client, listed: Any, version: str) -> OllamaModel:
    name = str(listed.model)
    details = listed.details
    try:
        shown = client.show(name)
        capabilities = list(shown.capabilities or [])
        info = dict(shown.modelinfo or {})
    except ollama.ResponseError:
        capabilities, info = [], {}
    family = getattr(details, "family", None) or ""
    embeddings = "embedding" in capabilities or (not capabilities and "bert" in family)
    completion = "completion" in capabilities or (not capabilities and not embeddings)
    server = version_tuple(version)
    return OllamaModel(
        ref=f"ollama:{name}", name=name,
        json_format=completion and server >= JSON_FORMAT_SINCE,
        logprobs=completion and server >= LOGPROBS_SINCE,
        context_length=_context_length(info), embeddings=embeddings,
        capabilities=capabilities, family=family,
        parameters=getattr(details, "parameter_size", None) or "",
        quantization=getattr(details, "quantization_level", None) or "",
        size=int(listed.size or 0))


def _context_length(info: dict[str, Any]) -> int | None:
    for key, value in info.items():
        if key.endswith(".context_length") and isinstance(value, int):
            return value
    return None


def version_tuple(version: str) -> tuple[int, ...]:
    """"0.12.11" → (0, 12, 11); pre-release tags and junk count as what they start with."""
    parts = []
    for piece in version.split("-")[0].split("."):
        digits = "".join(c for c in piece if c.isdigit())
        if not digits:
            break
        parts.append(int(digits))
    return tuple(parts) or (0,)
