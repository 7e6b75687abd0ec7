"""Secrets (webhook tokens) come from the OS keyring, never from flow files or the database.

On a machine without a keyring backend (a headless Linux box) we say so plainly and stop:
Junction never falls back to storing or reading a secret in plain text. A person who wants
a file-based keyring can install and select one themselves; Junction will not do it.
"""

from __future__ import annotations

import keyring
from keyring.errors import KeyringError, NoKeyringError

from runtime.connectors.base import ConnectorUnavailable

SERVICE = "junction"


def token(name: str) -> str:
    """The secret stored as `name` under the `junction` service, or ConnectorUnavailable
    with the command that stores it."""
    try:
        value = keyring.get_password(SERVICE, name)
    except NoKeyringError:
        raise ConnectorUnavailable(
            f"no keyring is available on this machine, so the webhook token '{name}' cannot "
            "be read. Junction never keeps secrets in plain text: set up the OS keyring "
            "(Secret Service or KWallet on Linux, Keychain on macOS, Credential Manager on "
            f"Windows), then store the token with `keyring set {SERVICE} {name}`") from None
    except KeyringError as exc:
        raise ConnectorUnavailable(f"the keyring could not give the webhook token '{name}': "
                                   f"{exc}") from None
    if not value:
        raise ConnectorUnavailable(f"no webhook token '{name}' in the keyring; store it with "
                                   f"`keyring set {SERVICE} {name}`")
    return value
