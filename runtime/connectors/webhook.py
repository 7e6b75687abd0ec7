"""An HTTP webhook as the system of record: each change set is POSTed once.

The request carries the change set as JSON and an `Idempotency-Key` header (the same key
on every resend of the same step), and a bearer token from the OS keyring when the flow
names one. What a failure means decides what happens next:

- connection refused, DNS failure, a 4xx refusal, a missing token: nothing was applied →
  ConnectorUnavailable (the run waits; `junction resume` sends again);
- a timeout, a dropped connection or a 5xx after the request went out: it may have been
  applied → the send stays `pending`; a deduplicating server gets the same key again,
  otherwise `reconcile_url` is asked, otherwise a person decides (OutcomeUnknown).

Webhooks cannot be read, so the record a run sees is the one this connector last wrote.
"""

from __future__ import annotations

import errno
import json
import socket
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from runtime.connectors import secrets
from runtime.connectors.base import ConnectorUnavailable, OutcomeUnknown
from runtime.connectors.ledgered import LANDED, NOT_LANDED, LedgeredConnector
from runtime.connectors.ports import LedgerEntry, SendLedger
from runtime.flow.schema import Connector as ConnectorConfig
from runtime.settings import webhook_timeout

TIMEOUT_S = 10.0
LOOPBACK = ("127.0.0.1", "localhost", "::1")


class WebhookConnector(LedgeredConnector):
    def __init__(self, ledger: SendLedger, config: ConnectorConfig) -> None:
        super().__init__(ledger)
        if not config.url:
            raise ConnectorUnavailable("a webhook connector needs a 'url'")
        self.url = config.url
        self.token_key = config.token_key
        self.deduplicates = config.deduplicates
        self.reconcile_url = config.reconcile_url
        self.name = f"webhook:{self.url}"
        self.timeout = webhook_timeout()  # the settings file's default, 10 s unless set

    def read(self, case_id: str) -> dict[str, Any]:
        return self.ledger.mirror(self.name, case_id)

    def send(self, case_id: str, changes: dict[str, Any], after: dict[str, Any],
             key: str) -> dict[str, Any]:
        body = json.dumps({"idempotency_key": key, "case_id": case_id, "changes": changes},
                          ensure_ascii=False, allow_nan=False).encode("utf-8")
        request = urllib.request.Request(self.url, data=body, method="POST",
                                         headers={**self._headers(),
                                                  "Content-Type": "application/json",
                                                  "Idempotency-Key": key})
        try:
            with _OPENER.open(request, timeout=self.timeout) as response:
                status = int(response.status)
        except urllib.error.HTTPError as exc:
            if 300 <= exc.code < 400:
                raise self._maybe_sent(f"the webhook answered with a redirect (HTTP "
                                       f"{exc.code}), which Junction does not follow"
                                       ) from None
            if 400 <= exc.code < 500 and exc.code not in (408, 429):
                raise ConnectorUnavailable(
                    f"the webhook refused the change with HTTP {exc.code} {exc.reason}"
                ) from None
            raise self._maybe_sent(f"the webhook answered HTTP {exc.code}") from None
        except urllib.error.URLError as exc:
            if _never_sent(exc.reason):
                raise ConnectorUnavailable(f"cannot reach the webhook at {self.url}: "
                                           f"{exc.reason}") from None
            raise self._maybe_sent(f"the connection failed: {exc.reason}") from None
        except (TimeoutError, ConnectionError, OSError) as exc:
            raise self._maybe_sent(f"the connection failed: {exc}") from None
        return {"http_status": status, "url": self.url}

    def reconcile(self, entry: LedgerEntry) -> str:
        """A pending send: resend to a server that deduplicates, else ask it, else give up."""
        if self.deduplicates:
            return NOT_LANDED  # the same key again: the server applies it at most once
        if not self.reconcile_url:
            raise OutcomeUnknown(
                f"change set {entry.key} may or may not have reached {self.url}, and the "
                "webhook neither deduplicates nor has a reconcile_url")
        url = self.reconcile_url.replace("{key}", urllib.parse.quote(entry.key, safe=""))
        if url == self.reconcile_url:
            sep = "&" if "?" in url else "?"
            url += sep + urllib.parse.urlencode({"idempotency_key": entry.key})
        request = urllib.request.Request(url, method="GET", headers=self._headers())
        try:
            with _OPENER.open(request, timeout=self.timeout) as response:
                if int(response.status) == 200:
                    return LANDED
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                return NOT_LANDED
            raise OutcomeUnknown(f"the reconcile check answered HTTP {exc.code}") from None
        except (urllib.error.URLError, OSError) as exc:
            raise OutcomeUnknown(f"the reconcile check failed: {exc}") from None
        raise OutcomeUnknown("the reconcile check gave no clear answer")

    def _maybe_sent(self, why: str) -> Exception:
        """The request may have landed. A deduplicating server can be sent the same key
        later, so the run merely waits; otherwise reconcile, or a person decides."""
        if self.deduplicates:
            return OutcomeUnknownRetryable(why)
        return OutcomeUnknown(f"{why}; the change may or may not have been applied")

    def _headers(self) -> dict[str, str]:
        headers = {"User-Agent": "junction"}
        if self.token_key:
            host = urllib.parse.urlsplit(self.url).hostname or ""
            if urllib.parse.urlsplit(self.url).scheme != "https" and host not in LOOPBACK:
                raise ConnectorUnavailable(
                    f"refusing to send the webhook token over plain http to {host}; "
                    "use an https:// url")
            headers["Authorization"] = f"Bearer {secrets.token(self.token_key)}"
        return headers

    def apply(self, case_id: str, changes: dict[str, Any], key: str) -> Any:
        try:
            return super().apply(case_id, changes, key)
        except OutcomeUnknownRetryable as exc:
            # The ledger keeps the send pending; the next attempt resends the same key.
            raise ConnectorUnavailable(f"{exc}; it will be sent again with the same "
                                       "Idempotency-Key, which the server deduplicates"
                                       ) from None


class OutcomeUnknownRetryable(OutcomeUnknown):
    """Unsure, but the server deduplicates, so sending the same key again is safe."""


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is reported, not followed: following it would turn the POST into a GET
    elsewhere (a login page answering 200 is not an applied change) and could carry the
    token to another host."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirects())


def _never_sent(reason: Any) -> bool:
    """Errors raised before the request left: refused, unknown host, unreachable."""
    if isinstance(reason, ConnectionRefusedError | socket.gaierror):
        return True
    return isinstance(reason, OSError) and reason.errno in (
        errno.ECONNREFUSED, errno.ENETUNREACH, errno.EHOSTUNREACH)
