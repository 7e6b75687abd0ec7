"""Copy and paste through the system clipboard, so steps travel between two designer
windows (or processes). The fragment goes under a custom MIME type and also as plain text,
which reads like part of a flow file if pasted into an editor."""

from __future__ import annotations

from PySide6.QtCore import QMimeData
from PySide6.QtGui import QGuiApplication

from designer.document.editor import FlowEditor
from designer.document.errors import DocumentError
from designer.document.fragment import MIME_TYPE, Fragment, copy_fragment, paste_fragment
from designer.document.model import FlowDocument


def copy(document: FlowDocument, node_ids: set[str]) -> bool:
    if not node_ids:
        return False
    text = copy_fragment(document, node_ids).to_text()
    data = QMimeData()
    data.setData(MIME_TYPE, text.encode("utf-8"))
    data.setText(text)
    QGuiApplication.clipboard().setMimeData(data)
    return True


def paste(editor: FlowEditor) -> list[str]:
    """Paste copied steps as one undo step; [] when the clipboard holds none."""
    data = QGuiApplication.clipboard().mimeData()
    if data is None:
        return []
    if data.hasFormat(MIME_TYPE):
        text = bytes(data.data(MIME_TYPE).data()).decode("utf-8")
    elif data.hasText():
        text = data.text()
    else:
        return []
    try:
        fragment = Fragment.from_text(text)
    except DocumentError:
        return []
    return paste_fragment(editor, fragment)
