"""Shared helpers for the designer tests (a module of its own: every test folder has a
`conftest.py`, so importing from "conftest" would be ambiguous)."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
TEMPLATE_FLOWS = sorted((REPO / "templates").glob("*/flow.yaml"))


class ScriptedPrompter:
    """Answers the window's questions from a script; an unexpected question fails the test."""

    def __init__(self):
        self.answers: dict[str, list] = {}
        self.asked: list[tuple[str, tuple]] = []

    def script(self, question: str, *answers):
        self.answers.setdefault(question, []).extend(answers)
        return self

    def _answer(self, question, *details):
        self.asked.append((question, details))
        queue = self.answers.get(question)
        if not queue:
            raise AssertionError(f"unexpected question: {question} {details}")
        return queue.pop(0)

    def save_changes(self, parent, name):
        return self._answer("save_changes", name)

    def open_path(self, parent, folder):
        return self._answer("open_path", folder)

    def save_path(self, parent, suggested):
        return self._answer("save_path", suggested)

    def error(self, parent, title, text):
        return self._answer("error", title, text)

    def recover(self, parent, names):
        return self._answer("recover", tuple(names))

    def new_flow(self, parent, templates):
        return self._answer("new_flow", tuple(t.name for t in templates))
