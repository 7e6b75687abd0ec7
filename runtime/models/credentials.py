"""Auth tokens for a remote model host, kept in the OS keyring and nowhere else.

A token is stored per host URL (service `junction`, user `ollama:<host>`), so a laptop can
talk to two servers with two tokens. Tokens are never read from flow files, the database
or a settings file. On a machine with no keyring backend (a headless Linux box) reading
simply finds no token — that is reported — and storing one fails with a message saying
why; nothing falls back to a plain-text file behind the user's back (DESIGN.md, Secrets).
"""

from __future__ import annotations

from dataclasses import dataclass

import keyring
import keyring.errors

SERVICE = "junction"
NO_BACKEND = ("no OS keyring is available on this machine, so a token cannot be stored "
              "safely; Junction will not keep it in a plain-text file. Install and unlock "
              "a keyring (GNOME Keyring, KWallet, macOS Keychain, Windows Credential "
              "Manager), or knowingly configure a keyring backend of your choice")


class KeyringUnavailable(Exception):
    """There is no usable keyring backend."""


@dataclass(frozen=True)
class TokenLookup:
    token: str | None
    source: str  # "keyring" | "none" | "no keyring backend"
    problem: str = ""


def _user(host: str) -> str:
    return f"ollama:{host.rstrip('/')}"


def lookup(host: str) -> TokenLookup:
    """The token for `host`, and where it came from (for `junction models`)."""
    try:
        token = keyring.get_password(SERVICE, _user(host))
    except keyring.errors.NoKeyringError:
        return TokenLookup(None, "no keyring backend", NO_BACKEND)
    except keyring.errors.KeyringError as exc:
        return TokenLookup(None, "no keyring backend", f"the keyring could not be read: {exc}")
    return TokenLookup(token or None, "keyring" if token else "none")


def store(host: str, token: str) -> None:
    store_secret(_user(host), token)


def delete(host: str) -> bool:
    """Forget the token for `host`; False when there was none."""
    return delete_secret(_user(host))


def store_secret(user: str, token: str) -> None:
    """Keep `token` under `user` in the OS keyring; never anywhere else."""
    try:
        keyring.set_password(SERVICE, user, token)
    except keyring.errors.NoKeyringError:
        raise KeyringUnavailable(NO_BACKEND) from None
    except keyring.errors.KeyringError as exc:
        raise KeyringUnavailable(f"the keyring refused to store the token: {exc}") from None


def delete_secret(user: str) -> bool:
    """Forget the token kept under `user`; False when there was none."""
    try:
        keyring.delete_password(SERVICE, user)
    except keyring.errors.PasswordDeleteError:
        return False
    except keyring.errors.NoKeyringError:
        raise KeyringUnavailable(NO_BACKEND) from None
    return True
