"""One-click fixes for problems whose remedy is obvious.

A problem row offers a button when its fix needs no decision from the person: a
decision without an Otherwise branch gets one, leading to a new End step beside it (the
analyst can re-route it later). Each fix is one undo step through the editor, so it can
be taken back like any other edit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from designer.document.editor import FlowEditor
from runtime.api import Problem

NO_OTHERWISE = "decision has no 'else' branch"
BESIDE = (260.0, 120.0)  # where a fix puts a new step, from the step it fixes


@dataclass(frozen=True)
class Fix:
    """A remedy: `matches` a problem's file wording; `apply(editor, node_id)`."""

    matches: str
    button: str
    tip: str
    apply: Callable[[FlowEditor, str], None]


def add_otherwise_branch(editor: FlowEditor, decision_id: str) -> None:
    """An Otherwise branch from the decision to a new End step, as one undo step (the
    first connection a decision gets while it lacks one is its Otherwise branch)."""
    node = editor.document.node(decision_id)
    x, y = node.position or (0.0, 0.0)
    stack = editor.undo_stack
    stack.beginMacro(f"Add an Otherwise branch to {node.label()}")
    try:
        end_id = editor.add_node("end", (x + BESIDE[0], y + BESIDE[1]))
        key = editor.connect(decision_id, end_id)
        if not editor.document.edge(key).else_:
            editor.set_edge_properties(key, when=None, else_=True)
    finally:
        stack.endMacro()


FIXES = [
    Fix(NO_OTHERWISE, "Add Otherwise branch",
        "Add an Otherwise branch to a new End step, for cases no other branch takes",
        add_otherwise_branch),
]


def fix_for(problem: Problem) -> Fix | None:
    """The one-click fix of a problem, when there is an obvious one."""
    if not problem.node:
        return None
    return next((f for f in FIXES if f.matches in problem.message), None)
