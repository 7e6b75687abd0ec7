"""Tests that need an optional extra skip, naming the command that installs it.

`.ci/run` installs every extra, so in CI nothing is skipped; on a machine without an
extra, the skip reason says exactly what to install instead of failing on an import.
"""

from __future__ import annotations

import pytest


def needs(extra: str, *modules: str) -> None:
    """Skip the calling test module (or fixture) unless `modules` import."""
    for module in modules:
        pytest.importorskip(module, reason=f"needs the '{extra}' extra: "
                                           f"pip install -e '.[{extra}]'")
