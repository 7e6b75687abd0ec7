"""Tokens in the OS keyring: masked, removable; with no keyring, a plain refusal."""

from __future__ import annotations

import pytest

from runtime import secrets


def test_tokens_are_kept_in_the_keyring_masked_and_removable(memory_keyring) -> None:
    assert secrets.backend().available
    secrets.set_webhook_token("crm", "s3cret-token-9f2c")
    secrets.set_host_token("http://gpu-box:11434", "host-token-abcd1234")
    assert secrets.get_webhook_token("crm") == "s3cret-token-9f2c"
    assert secrets.mask(secrets.get_webhook_token("crm")) == "••••••••9f2c"
    assert "s3cret" not in secrets.mask("s3cret-token-9f2c")
    assert secrets.mask("short") == "••••••••"
    assert secrets.get_host_token("http://gpu-box:11434/") == "host-token-abcd1234"
    assert secrets.delete_webhook_token("crm")
    assert not secrets.delete_webhook_token("crm")
    assert secrets.get_webhook_token("crm") is None
    assert ("junction", "ollama:http://gpu-box:11434") in memory_keyring.secrets


def test_without_a_keyring_nothing_is_stored_and_the_reason_is_plain(no_keyring) -> None:
    found = secrets.backend()
    assert not found.available
    assert "plain-text" in found.message
    with pytest.raises(secrets.KeyringUnavailable, match="no OS keyring"):
        secrets.set_webhook_token("crm", "abc")
    assert secrets.get_webhook_token("crm") is None
