"""Who decides: recorded on every decision made from the app."""

from __future__ import annotations

import getpass
from typing import Any


def decider_name(settings: Any = None) -> str:
    """The person's name from the settings when the app has one (`user_name`), else the
    operating-system user name; never empty."""
    configured = str(getattr(settings, "user_name", "") or "").strip()
    if configured:
        return configured
    try:
        return getpass.getuser() or "designer"
    except (KeyError, OSError):  # no passwd entry for this uid (containers)
        return "designer"
