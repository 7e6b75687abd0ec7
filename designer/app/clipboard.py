"""Copy and paste through the system clipboard, so steps travel between two designer
windows (or processes). The fragment goes under a custom MIME type and also as plain text,
which reads like part of a flow file if pasted into an editor."""

from __future__ import annotations

import atexit

from PySide6.QtCore import QMimeData
from PySide6.QtGui import QGuiApplication

from designer.document.editor import FlowEditor
from designer.document.errors import DocumentError
from designer.document.fragment import MIME_TYPE, Fragment, copy_fragment, paste_fragment
from designer.document.model import FlowDocument


def copy(document: FlowDocument, node_ids: set[str]) -> bool:
    if not node_ids:
        return False
    fragment = copy_fragment(document, node_ids)
    text = fragment.to_text()
    _last_copied[:] = [(text, fragment)]
    data = QMimeData()
    data.setData(MIME_TYPE, text.encode("utf-8"))
    data.setText(text)
    QGuiApplication.clipboard().setMimeData(data)
    _clear_at_exit()
    return True


_exit_hook_installed = False
# What this process last put on the clipboard, with its text: pasting it back (the usual
# case) skips reading the YAML again (a third of pasting 2,000 steps). Fragments are
# immutable, so sharing one between pastes is safe.
_last_copied: list[tuple[str, Fragment]] = []


def _clear_at_exit() -> None:
    """Empty our clipboard data before Python shuts down.

    Measured here (PySide6 6.11, offscreen and xcb): a QMimeData left on the clipboard
    when the interpreter exits is freed twice and the process dies with SIGSEGV after
    everything else has finished. Clearing it first (on quit, or at exit for a process
    that never quits its event loop, like a test run) avoids that.
    """
    global _exit_hook_installed
    if _exit_hook_installed:
        return
    _exit_hook_installed = True
    app = QGuiApplication.instance()
    if app is not None:
        app.aboutToQuit.connect(_clear)
    atexit.register(_clear)


def _clear() -> None:
    app = QGuiApplication.instance()
    if app is not None:
        QGuiApplication.clipboard().clear()


def copied_steps() -> Fragment | None:
    """The steps on the clipboard (ours, or a flow fragment pasted as text), or None."""
    data = QGuiApplication.clipboard().mimeData()
    if data is None:
        return None
    if data.hasFormat(MIME_TYPE):
        text = bytes(data.data(MIME_TYPE).data()).decode("utf-8")
    elif data.hasText():
        text = data.text()
    else:
        return None
    if _last_copied and _last_copied[0][0] == text:
        return _last_copied[0][1]  # copied in this process: no need to read it back
    try:
        return Fragment.from_text(text)
    except DocumentError:
        return None


def has_steps() -> bool:
    """Whether Paste would add anything: menus grey it out otherwise."""
    return copied_steps() is not None


def paste(editor: FlowEditor, at: tuple[float, float] | None = None) -> list[str]:
    """Paste copied steps as one undo step, at `at` if given (the pointer); [] when the
    clipboard holds none."""
    fragment = copied_steps()
    return paste_fragment(editor, fragment, at=at) if fragment is not None else []
