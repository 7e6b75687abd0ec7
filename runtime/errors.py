"""Error types that reach a person.

Bad input must produce a message that names the file, the line and the problem; these
classes carry exactly that so the CLI and the designer can print them without tracebacks.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a flow or an input file, located as precisely as possible."""

    message: str
    file: str | None = None
    line: int | None = None
    node: str | None = None
    path: str | None = None
    severity: str = "error"

    def location(self) -> str:
        parts = []
        if self.file:
            parts.append(self.file if self.line is None else f"{self.file}:{self.line}")
        elif self.line is not None:
            parts.append(f"line {self.line}")
        if self.node:
            parts.append(f"node '{self.node}'")
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.location()
        return f"{where}: {self.message}" if where else self.message

    def to_json(self) -> dict[str, object]:
        return {
            "file": self.file,
            "line": self.line,
            "node": self.node,
            "path": self.path,
            "severity": self.severity,
            "message": self.message,
        }


class JunctionError(Exception):
    """Base for errors that are the user's to fix; never shown with a traceback."""


@dataclass
class FlowError(JunctionError):
    """A flow file could not be loaded; carries every problem found."""

    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


class InputError(JunctionError):
    """A case, dataset or command-line argument is wrong."""


class NotFoundError(JunctionError):
    """A run, task or file named by the user does not exist."""


class ConflictError(JunctionError):
    """Two people (or processes) tried to decide the same thing differently."""


class IllegalTransition(JunctionError):
    """A run was asked to move between states that the state machine forbids."""
