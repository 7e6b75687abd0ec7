"""Typed errors the document raises instead of trusting its callers.

Every message is written for the person at the keyboard: the canvas shows a refused
connection's `reason` next to the cursor and the property panel shows a `PropertyError`
under the field that caused it.
"""

from __future__ import annotations


class DocumentError(Exception):
    """An edit the document refuses; `str(error)` is a sentence for a person."""


class UnknownNodeError(DocumentError, KeyError):
    def __init__(self, node_id: str) -> None:
        super().__init__(f"there is no step with id '{node_id}'")
        self.node_id = node_id

    def __str__(self) -> str:  # KeyError would add quotes around the message
        return str(self.args[0])


class UnknownEdgeError(DocumentError, KeyError):
    def __str__(self) -> str:
        return str(self.args[0])


class DuplicateNodeIdError(DocumentError):
    def __init__(self, node_id: str) -> None:
        super().__init__(f"another step already has the id '{node_id}'")
        self.node_id = node_id


class NodeInUseError(DocumentError):
    """Removing a node that still has connections would leave dangling edges."""


class ConnectionRefused(DocumentError):
    """A connection the flow cannot have; `reason` says why and what to do instead."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class SelfLoopError(ConnectionRefused):
    pass


class IntoStartError(ConnectionRefused):
    pass


class OutOfEndError(ConnectionRefused):
    pass


class DuplicateEdgeError(ConnectionRefused):
    pass


class BranchingError(ConnectionRefused):
    """Only decisions (and human steps, per decision) may have more than one way out."""


class PropertyError(DocumentError):
    """A property value the flow model rejects; `path` names the field (dotted)."""

    def __init__(self, message: str, path: tuple[str | int, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
