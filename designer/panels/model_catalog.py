"""What the model pickers offer: the models really on this machine, asked off the GUI
thread.

One `ModelCatalog` per window asks `runtime.api.model_choices` on a background thread
when a flow is opened and when a picker opens (the person may have just pulled a model),
and keeps the last answer. Pickers fill themselves from `choices` and follow
`updated`; until the first answer they offer only what the flow already names, never a
made-up list.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QComboBox, QStyledItemDelegate, QStyleOptionViewItem

from designer import theme

if TYPE_CHECKING:  # the look-up itself brings httpx and ollama: not at launch
    from runtime.api import ModelChoices


class ModelCatalog(QObject):
    updated = Signal(object)  # ModelChoices
    asking = Signal()  # a look-up started: pickers may say "Looking for models…"
    _answer = Signal(object)  # from the look-up thread to this object's (GUI) thread

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.choices: ModelChoices | None = None
        self.lookup: threading.Thread | None = None
        self._again: Path | bool | None = False  # a flow asked for while a look-up ran
        self._answer.connect(self._answered)

    def refresh(self, flow_file: Path | None) -> None:
        """Ask again for `flow_file`'s folder (None: a flow never saved, no scripted files).

        A daemon thread, not a QThread: a look-up still waiting on a slow server when the
        app quits is simply dropped instead of aborting the exit."""
        if self.lookup is not None and self.lookup.is_alive():
            self._again = flow_file
            return
        folder = flow_file.parent if flow_file is not None else None
        self.lookup = threading.Thread(target=self._look, args=(folder, flow_file),
                                       name="model-choices", daemon=True)
        self.asking.emit()
        self.lookup.start()

    def _look(self, folder: Path | None, flow_file: Path | None) -> None:
        from runtime.api import model_choices  # on the look-up thread, not at launch

        choices = model_choices(folder, flow_file)
        with contextlib.suppress(RuntimeError):  # the window closed meanwhile: nobody asks
            self._answer.emit(choices)

    def _answered(self, choices: ModelChoices) -> None:
        global _latest
        self.choices = _latest = choices
        self.updated.emit(choices)
        again, self._again = self._again, False
        if again is not False:
            self.refresh(again if isinstance(again, Path) else None)

    def wait(self, seconds: float = 5.0) -> None:
        """For tests: let the look-up in flight end."""
        if self.lookup is not None:
            self.lookup.join(seconds)


_latest: ModelChoices | None = None  # the last answer any window got: the property forms'


def latest() -> ModelChoices | None:
    return _latest


DETAIL_ROLE = Qt.ItemDataRole.UserRole + 7
POPUP_WIDTH = 560


class ChoiceDelegate(QStyledItemDelegate):
    """A model's reference, and in grey beside it what it is ("Ollama · completion, tools
    · 3.2B"), so the list says what each model can do without a separate window."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        super().paint(painter, option, index)
        detail = index.data(DETAIL_ROLE)
        if detail:
            painter.save()
            painter.setPen(QColor(theme.INK_FAINT))
            painter.drawText(option.rect.adjusted(8, 0, -10, 0), Qt.AlignmentFlag.AlignRight
                             | Qt.AlignmentFlag.AlignVCenter, detail)
            painter.restore()


def fill(combo: QComboBox, choices: ModelChoices | None, embedding: bool = False,
         named: Sequence[str] = ()) -> None:
    """Offer the models that are really there (generative or embedding ones), then what
    the flow already names that was not found, marked so; and say why Ollama is missing
    when it did not answer. The text being edited is kept."""
    text = combo.currentText()
    combo.blockSignals(True)
    combo.clear()
    if choices is None:
        _note(combo, "Looking for models on this machine…")
    else:
        found = choices.embedding() if embedding else choices.generative()
        for choice in found:
            combo.addItem(choice.ref)
            combo.setItemData(combo.count() - 1, choice.detail, DETAIL_ROLE)
            combo.setItemData(combo.count() - 1, choice.detail, Qt.ItemDataRole.ToolTipRole)
        refs = {c.ref for c in found}
        for ref in dict.fromkeys(r for r in named if r and r not in refs):
            combo.addItem(ref)
            combo.setItemData(combo.count() - 1, "named by the flow · not found here",
                              DETAIL_ROLE)
        if choices.ollama_problem:
            host = choices.ollama_host.split("://")[-1]
            _note(combo, f"Ollama is not answering at {host}: start it (ollama serve) "
                         "to list its models", choices.ollama_problem)
        if not found:
            _note(combo, "No models found: pull one with Ollama, or add a scripted "
                         "answers file next to the flow")
    combo.setEditText(text)
    line = combo.lineEdit()
    if line is not None:
        line.setCursorPosition(0)  # the start of a long reference, not its tail
    combo.blockSignals(False)
    view = combo.view()
    view.setMinimumWidth(POPUP_WIDTH)
    if not isinstance(view.itemDelegate(), ChoiceDelegate):
        view.setItemDelegate(ChoiceDelegate(view))


def _note(combo: QComboBox, text: str, tip: str = "") -> None:
    """A line in the list that explains and cannot be chosen."""
    combo.addItem(text)
    combo.setItemData(combo.count() - 1, tip or text, Qt.ItemDataRole.ToolTipRole)
    item = combo.model().item(combo.count() - 1)  # type: ignore[attr-defined]
    item.setFlags(Qt.ItemFlag.NoItemFlags)
    item.setData(QColor(theme.INK_SOFT), Qt.ItemDataRole.ForegroundRole)


def offered(combo: QComboBox) -> list[str]:
    """The model references a person can pick in `combo` (tests, and nothing else)."""
    model = combo.model()
    return [combo.itemText(i) for i in range(combo.count())
            if model.flags(model.index(i, 0)) & Qt.ItemFlag.ItemIsEnabled]
