"""The result of one check and the list of checks, fast or full."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from enum import Enum
from pathlib import Path
from typing import Any


class Status(str, Enum):
    OK = "ok"
    WARN = "warn"   # works, but something a person may want to know or fix
    FAIL = "fail"   # something Junction needs does not work: doctor exits 1
    SKIP = "skip"   # not checked (a slow check in the fast run, an extra not installed)


@dataclass(frozen=True)
class Check:
    name: str
    status: Status
    detail: str
    fix: str = ""

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["status"] = self.status.value
        return data


@dataclass(frozen=True)
class Options:
    home: Path | None = None
    full: bool = False          # also load the bundled models (seconds to a minute)
    timeout: float = 120.0      # per child process


CheckFn = Callable[[Options], list[Check]]


def all_checks() -> list[CheckFn]:
    from runtime.diagnostics import environment, models, store

    return [environment.python, environment.packages, *plugged_in_checks(),
            store.workspace, models.ollama, models.bundled_llm, models.bundled_embeddings,
            environment.keyring_backend, environment.disk_space]


def plugged_in_checks() -> list[CheckFn]:
    """Checks other packages register under the `junction.checks` entry point (the
    designer's Qt check), so the runtime needs to know nothing about them."""
    from importlib.metadata import entry_points

    found: list[CheckFn] = []
    for entry in entry_points(group="junction.checks"):
        try:
            found.append(entry.load())
        except ImportError:  # the package is listed but its extra is not installed
            continue
    return found or [_no_designer]


def _no_designer(options: Options) -> list[Check]:
    return [Check("Qt platform plugin", Status.SKIP, "the designer is not installed",
                  "`pip install 'junction[designer]'`")]


def run_checks(options: Options | None = None,
               on_check: Callable[[Check], None] | None = None) -> list[Check]:
    """Every check in order; a check that raises is reported, never propagated."""
    options = options or Options()
    results: list[Check] = []
    for check in all_checks():
        try:
            found = check(options)
        except Exception as exc:  # a bug in one check must not hide the others
            name = check.__name__.replace("_", " ")
            found = [Check(name, Status.FAIL, f"the check itself failed: {exc!r}",
                           "report this as a bug in Junction")]
        for item in found:
            results.append(item)
            if on_check:
                on_check(item)
    return results


def healthy(checks: list[Check]) -> bool:
    return all(check.status != Status.FAIL for check in checks)
