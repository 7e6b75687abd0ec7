"""Problems in the designer's words, not the file's.

The runtime words its problems for `junction validate` and the YAML file ("add an edge
with 'else: true'", `intake.label`); an analyst sees steps with titles, options and
"Otherwise" branches. This module rewrites a message for the problems panel: known file
phrases become the UI's, step ids become their titles, `case.x` and `record.x` become
case and record fields. An unknown message passes through unchanged, so nothing is lost.
"""

from __future__ import annotations

import re
from collections.abc import Callable

UNREACHABLE = "cannot be reached from the start node"

PHRASES: list[tuple[str, str]] = [
    ("decision has no 'else' branch: add an edge with 'else: true'",
     "has no Otherwise branch: add an Otherwise branch so every case has somewhere to go"),
    ("decision has more than one 'else' branch",
     "has more than one Otherwise branch: keep one"),
    (UNREACHABLE, "cannot be reached from Start: connect a step to it, or delete it"),
    ("has neither 'when' nor 'else'", "has no condition: give it one, or make it the "
     "Otherwise branch"),
    ("decisions use 'when', not 'on'", "needs a condition"),
    ("the start node must not have incoming edges", "nothing may lead back into Start"),
    ("an end node must not have outgoing edges", "an End step cannot lead anywhere"),
    ("no path from here leads to an end node", "no path from here reaches an End step"),
    ("the flow has no end node; add at least one node of kind 'end'",
     "the flow has no End step: add one from the palette"),
    ("the flow has no start node; add exactly one node of kind 'start'",
     "the flow has no Start step: add one from the palette"),
]

_REF = re.compile(r"'?\b([a-z][a-z0-9_]*)\.([a-z][a-z0-9_]*)\b'?")
_EDGE_TO = re.compile(r"\b(branch|edge) to '([a-z][a-z0-9_]*)'")
OUTPUT_WORDS = {"label": "answer", "decision": "decision", "confidence": "confidence"}


def in_ui_words(message: str, title_of: Callable[[str], str | None]) -> str:
    """`message` rewritten for people; `title_of(node_id)` gives a step's title or None."""
    for file_words, ui_words in PHRASES:
        message = message.replace(file_words, ui_words)

    def reference(match: re.Match[str]) -> str:
        head, tail = match.group(1), match.group(2)
        if head == "case":
            return f"case field “{tail}”"
        if head == "record":
            return f"record field “{tail}”"
        title = title_of(head)
        if title is None:
            return match.group(0)
        return f"the {OUTPUT_WORDS.get(tail, tail.replace('_', ' '))} of “{title}”"

    message = _REF.sub(reference, message)

    def branch(match: re.Match[str]) -> str:
        title = title_of(match.group(2))
        return f"the branch to “{title}”" if title else match.group(0)

    return _EDGE_TO.sub(branch, message)
