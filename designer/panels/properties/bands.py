"""Confidence bands as two linked sliders with the numbers shown.

"Act at or above" and "ask a person at or above" can never cross: dragging one past the
other pushes the other along, so the person sees the rule hold instead of getting an
error. A bar underneath shows the three zones (fallback / a person confirms / acts).
A drag is one undo step (the form merges the edits while the slider is held).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import QGridLayout, QLabel, QSlider, QWidget

from designer import theme
from designer.panels.properties.editors import FieldEditor

STEPS = 100


class ZoneBar(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.act, self.suggest = 0.85, 0.6
        self.setFixedHeight(26)

    def set_bands(self, act: float, suggest: float) -> None:
        self.act, self.suggest = act, suggest
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        width = self.width()
        zones = [(0.0, self.suggest, "#FEE4E2", "#B42318", "fallback"),
                 (self.suggest, self.act, "#FEF0C7", "#B54708", "a person"),
                 (self.act, 1.0, "#D1FADF", "#067647", "acts")]
        painter.setFont(theme.font(6.8, bold=True))
        for start, end, fill, ink, text in zones:
            rect = QRectF(start * width, 0, max(0.0, (end - start) * width), 18)
            painter.fillRect(rect, theme.color(fill))
            if rect.width() > 40:
                painter.setPen(theme.color(ink))
                painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
        painter.end()


class BandsEditor(FieldEditor):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(8)
        self.act = self._slider("act")
        self.suggest = self._slider("suggest")
        self.act_value = QLabel()
        self.suggest_value = QLabel()
        for label in (self.act_value, self.suggest_value):
            label.setMinimumWidth(34)
            label.setStyleSheet("font-weight: bold;")
        grid.addWidget(QLabel("Act at or above"), 0, 0)
        grid.addWidget(self.act, 0, 1)
        grid.addWidget(self.act_value, 0, 2)
        grid.addWidget(QLabel("Ask a person at or above"), 1, 0)
        grid.addWidget(self.suggest, 1, 1)
        grid.addWidget(self.suggest_value, 1, 2)
        self.zones = ZoneBar()
        grid.addWidget(self.zones, 2, 0, 1, 3)
        grid.setColumnStretch(1, 1)
        self.layout_.addLayout(grid)
        self._held = False
        self._shown(0.85, 0.6)

    def _slider(self, name: str) -> QSlider:
        slider = QSlider(Qt.Orientation.Horizontal)
        slider.setObjectName(f"{name}Slider")
        slider.setRange(0, STEPS)
        slider.valueChanged.connect(lambda value, n=name: self._moved(n, value))
        slider.sliderPressed.connect(self._press)
        slider.sliderReleased.connect(self._release)
        return slider

    def bands(self) -> tuple[float, float]:
        return self.act.value() / STEPS, self.suggest.value() / STEPS

    def set_value(self, value: Any) -> None:
        if not self._held:
            self._shown(value.act, value.suggest)

    def _shown(self, act: float, suggest: float) -> None:
        for slider, number in ((self.act, act), (self.suggest, suggest)):
            slider.blockSignals(True)
            slider.setValue(round(number * STEPS))
            slider.blockSignals(False)
        self._labels()

    def _labels(self) -> None:
        act, suggest = self.bands()
        self.act_value.setText(f"{act:.2f}")
        self.suggest_value.setText(f"{suggest:.2f}")
        self.zones.set_bands(act, suggest)

    def _moved(self, which: str, value: int) -> None:
        """Keep suggest ≤ act by pushing the other slider along."""
        if which == "act" and self.suggest.value() > value:
            self._set_quietly(self.suggest, value)
        if which == "suggest" and self.act.value() < value:
            self._set_quietly(self.act, value)
        self._labels()
        if not self._held:  # keyboard or click on the groove: commit at once
            self._commit()

    @staticmethod
    def _set_quietly(slider: QSlider, value: int) -> None:
        slider.blockSignals(True)
        slider.setValue(value)
        slider.blockSignals(False)

    def _press(self) -> None:
        self._held = True

    def _release(self) -> None:
        self._held = False
        self._commit()

    def _commit(self) -> None:
        act, suggest = self.bands()
        self.committed.emit({"act": act, "suggest": suggest})
