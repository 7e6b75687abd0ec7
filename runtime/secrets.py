"""Tokens as the settings dialog and `junction doctor` see them: in the OS keyring only.

Two kinds: a remote model host's token (`runtime.models.credentials`, one per host URL) and
webhook tokens (read by `runtime.connectors.secrets`, one per name). Both live under the
keyring service `junction`. They are shown masked and can be removed. With no keyring
backend nothing is stored: there is no plain-text fallback (DESIGN.md §5).
"""

from __future__ import annotations

from dataclasses import dataclass

import keyring
import keyring.errors

from runtime.models import credentials

SERVICE = credentials.SERVICE
NO_BACKEND = credentials.NO_BACKEND
KeyringUnavailable = credentials.KeyringUnavailable

# Backends that keep secrets readable on disk (keyrings.alt); Junction never picks them,
# and doctor says so when someone else did.
PLAINTEXT_BACKENDS = ("keyrings.alt",)


@dataclass(frozen=True)
class Backend:
    available: bool
    name: str
    plaintext: bool = False
    message: str = ""


def backend() -> Backend:
    """Which keyring this machine offers, said plainly."""
    chosen = keyring.get_keyring()
    name = f"{type(chosen).__module__}.{type(chosen).__name__}"
    if name.startswith("keyring.backends.fail") or (
            name.startswith("keyring.backends.chainer") and not getattr(chosen, "backends", [])):
        return Backend(False, name, message=NO_BACKEND)
    if name.startswith(PLAINTEXT_BACKENDS):
        return Backend(True, name, True, "this keyring keeps secrets in a plain-text file on "
                       "disk; choose an OS keyring instead")
    return Backend(True, name)


def mask(token: str | None) -> str:
    """`••••••••9f2c`: enough to recognise a token, never enough to use it."""
    if not token:
        return ""
    tail = token[-4:] if len(token) >= 12 else ""
    return "••••••••" + tail


def webhook_user(name: str) -> str:
    return name


def get_webhook_token(name: str) -> str | None:
    try:
        return keyring.get_password(SERVICE, webhook_user(name)) or None
    except keyring.errors.KeyringError:
        return None


def set_webhook_token(name: str, token: str) -> None:
    credentials.store_secret(webhook_user(name), token)


def delete_webhook_token(name: str) -> bool:
    return credentials.delete_secret(webhook_user(name))


def get_host_token(host: str) -> str | None:
    return credentials.lookup(host).token


set_host_token = credentials.store
delete_host_token = credentials.delete
