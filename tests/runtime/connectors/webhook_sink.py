"""A loopback system of record for the webhook tests (served by pytest-httpserver).

It keeps what a real server would: every POST it saw, and the effects it applied — once per
Idempotency-Key when it deduplicates, once per request when it does not. A test can make
it answer with an error for the next N requests.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

PATH = "/records"


@dataclass
class Sink:
    deduplicates: bool = True
    posts: list[dict[str, Any]] = field(default_factory=list)
    effects: list[dict[str, Any]] = field(default_factory=list)
    fail_next: list[int] = field(default_factory=list)
    logins: int = 0

    def install(self, server: HTTPServer) -> None:
        server.expect_request(PATH, method="POST").respond_with_handler(self.post)
        server.expect_request(f"{PATH}/status", method="GET").respond_with_handler(self.status)
        server.expect_request("/login").respond_with_handler(self.login)

    def post(self, request: Request) -> Response:
        body = json.loads(request.get_data(as_text=True))
        self.posts.append({"key": request.headers.get("Idempotency-Key"), "body": body,
                           "auth": request.headers.get("Authorization")})
        if self.fail_next:
            code = self.fail_next.pop(0)
            headers = {"Location": "/login"} if 300 <= code < 400 else {}
            return Response("try later", status=code, headers=headers)
        key = request.headers.get("Idempotency-Key")
        if not (self.deduplicates and any(e["key"] == key for e in self.effects)):
            self.effects.append({"key": key, "changes": body["changes"]})
        return Response(json.dumps({"ok": True}), status=200,
                        content_type="application/json")

    def login(self, request: Request) -> Response:
        self.logins += 1
        return Response("please log in", status=200)

    def status(self, request: Request) -> Response:
        key = request.args.get("idempotency_key")
        found = any(e["key"] == key for e in self.effects)
        return Response("applied" if found else "unknown key", status=200 if found else 404)

    def keys(self) -> list[str | None]:
        return [p["key"] for p in self.posts]


def webhook_flow(url: str, *, deduplicates: bool, reconcile: str | None = None,
                 token_key: str | None = None) -> str:
    """A one-action flow whose record lives behind the webhook at `url`."""
    lines = ["connector:", "  kind: webhook", f"  url: '{url}'",
             f"  deduplicates: {'true' if deduplicates else 'false'}"]
    if reconcile:
        lines.append(f"  reconcile_url: '{reconcile}'")
    if token_key:
        lines.append(f"  token_key: {token_key}")
    return f"""format_version: 1
name: Webhook approval
autonomy: operate
{chr(10).join(lines)}
case_fields: [{{name: message}}]
record_fields:
- {{name: status, type: enum, values: [open, approved]}}
- {{name: note}}
nodes:
- {{id: start, kind: start}}
- id: approve
  kind: action
  set: {{status: approved, note: sent by junction}}
- {{id: done, kind: end, outcome: approved}}
edges:
- {{from: start, to: approve}}
- {{from: approve, to: done}}
"""
