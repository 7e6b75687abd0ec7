"""Who decides: recorded on every decision made from the app."""

from __future__ import annotations

import getpass

from runtime.api import JunctionError, settings


def login_name() -> str:
    try:
        return getpass.getuser() or "designer"
    except (KeyError, OSError):  # no passwd entry for this uid (containers)
        return "designer"


def decider_name() -> str:
    """The person's name as every `junction` command reads it (`JUNCTION_USER`, else the
    settings file's `person.name`), else the operating-system user name; never empty.
    Read at each decision, so a name changed in the settings applies at once."""
    try:
        return settings.person_name(fallback=login_name())
    except (JunctionError, OSError):  # an unreadable settings file must not block deciding
        return login_name()
