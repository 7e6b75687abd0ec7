"""`--self-test` (what the bundle's smoke test starts) works from a checkout too."""

from __future__ import annotations

import pytest


def test_the_self_test_opens_validates_and_runs_a_template(qapp, capsys) -> None:
    from designer.selftest import run

    assert run() == 0
    assert "self-test passed" in capsys.readouterr().out


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OLLAMA_HOST", "http://127.0.0.1:9")
