"""Suite-wide settings: no test reaches the network or the user's real workspace."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.backends.fail
import pytest
from memory_keyring import MemoryKeyring

from paths import TEMPLATES
from runtime.api import Workspace
from runtime.models import registry

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A test's own workspace folder (created by whatever opens it)."""
    return tmp_path / "home"


@pytest.fixture
def workspace(home: Path) -> Iterator[Workspace]:
    """A workspace in `home`, with no model provider left over from another test."""
    registry.clear_cache()
    ws = Workspace.open(home)
    yield ws
    ws.close()
    registry.clear_cache()


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory: pytest.TempPathFactory,
                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test gets its own JUNCTION_HOME and settings file (never the user's real ones)."""
    monkeypatch.setenv("JUNCTION_HOME", str(tmp_path_factory.mktemp("home")))
    monkeypatch.setenv("JUNCTION_CONFIG", str(tmp_path_factory.mktemp("config") / "settings.toml"))
    monkeypatch.delenv("JUNCTION_FAULT", raising=False)


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    """The OS keyring replaced, for one test, by a dictionary in this process."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def no_keyring() -> Iterator[None]:
    """The keyring a headless Linux box has: none (every call fails)."""
    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    yield
    keyring.set_keyring(previous)


@pytest.fixture
def support_triage() -> Path:
    return TEMPLATES / "support-triage"
