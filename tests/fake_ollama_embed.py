"""A loopback stand-in for Ollama's embed API (`/api/embed`, its real response shape).

Its own module, not conftest: `from conftest import …` resolves to whichever test folder's
conftest was imported first, so a test run over several folders broke it."""

from __future__ import annotations

import json
import re
import zlib

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

FAKE_DIMS = 256


def fake_vector(text: str) -> list[float]:
    """A bag-of-words vector: texts sharing words are similar, like a (very) small model."""
    vector = [0.0] * FAKE_DIMS
    for word in re.findall(r"[a-z]+", text.lower()):
        vector[zlib.crc32(word.encode()) % FAKE_DIMS] += 1.0
    return vector


class FakeOllama:
    """Records every text sent to `/api/embed` and answers with Ollama's response shape."""

    def __init__(self, server: HTTPServer, model: str = "fake-embed") -> None:
        self.server = server
        self.model = model
        self.inputs: list[list[str]] = []
        server.expect_request("/api/embed", method="POST").respond_with_handler(self._embed)

    @property
    def url(self) -> str:
        return self.server.url_for("").rstrip("/")

    @property
    def texts(self) -> list[str]:
        return [t for batch in self.inputs for t in batch]

    def _embed(self, request: Request) -> Response:
        body = json.loads(request.data)
        if body.get("model") != self.model:
            return Response(json.dumps({"error": f'model "{body.get("model")}" not found, '
                                                 "try pulling it first"}),
                            status=404, content_type="application/json")
        texts = body["input"] if isinstance(body["input"], list) else [body["input"]]
        self.inputs.append(list(texts))
        reply = {"model": self.model, "embeddings": [fake_vector(t) for t in texts],
                 "total_duration": 14143917, "load_duration": 1019500,
                 "prompt_eval_count": sum(len(t.split()) for t in texts)}
        return Response(json.dumps(reply), content_type="application/json")
