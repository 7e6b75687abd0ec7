"""The "Replay at another stage / with another model" dialog: what to change, nothing more."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from designer import theme
from designer.guards import guard_wheel
from designer.panels import model_catalog

if TYPE_CHECKING:
    from runtime.api import ModelChoices

SAME = "Keep each run's stage"


class ReplayDialog(QDialog):
    def __init__(self, source_label: str, parent: QWidget | None = None,
                 choices: ModelChoices | None = None) -> None:
        """`choices`: the models really on this machine (default: the last look-up any
        window made); never a made-up list."""
        super().__init__(parent)
        self.setObjectName("replayDialog")
        self.setWindowTitle("Replay at another stage or with another model")
        column = QVBoxLayout(self)
        intro = QLabel("The same cases run again as a new batch with the same case ids, "
                       "then the two are compared side by side.")
        intro.setWordWrap(True)
        column.addWidget(intro)
        what = QLabel(source_label)
        what.setStyleSheet(f"color: {theme.INK_SOFT};")
        what.setWordWrap(True)
        column.addWidget(what)
        column.addWidget(QLabel("Autonomy stage"))
        self.stages = QButtonGroup(self)
        from runtime.api import AUTONOMY_STAGES  # from the engine: loaded when asked

        for stage in (None, *AUTONOMY_STAGES):
            meaning = theme.AUTONOMY[stage][2] if stage else ""
            button = QRadioButton(f"{stage.capitalize()} — {meaning}" if stage else SAME)
            button.setObjectName(f"replay_{stage or 'same'}")
            button.setProperty("stage", stage)
            self.stages.addButton(button)
            column.addWidget(button)
        self.stages.buttons()[0].setChecked(True)
        column.addWidget(QLabel("Model (leave empty to keep each run's model)"))
        self.model = QComboBox()
        self.model.setObjectName("replayModel")
        self.model.setEditable(True)
        model_catalog.fill(self.model, choices or model_catalog.latest())
        self.model.insertItem(0, "")  # empty: keep each run's model
        self.model.setCurrentIndex(0)
        guard_wheel(self.model)
        column.addWidget(self.model)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        if ok is not None:
            ok.setText("Replay and compare")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        column.addWidget(buttons)

    def choose(self, stage: str | None, model: str = "") -> None:
        for button in self.stages.buttons():
            if button.property("stage") == stage:
                button.setChecked(True)
        self.model.setCurrentText(model)

    def stage(self) -> str | None:
        checked = self.stages.checkedButton()
        value = checked.property("stage") if checked is not None else None
        return str(value) if value else None

    def model_ref(self) -> str | None:
        return self.model.currentText().strip() or None
