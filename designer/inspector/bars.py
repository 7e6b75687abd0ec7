"""`ProbabilityBars`: a classify step's per-option probabilities as a horizontal bar chart.

Painted with QPainter (no chart library): one row per option, most likely first, the
option the step chose drawn in the accent colour, the percentage written at the end of
each bar so the chart reads without a legend.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QFontMetrics, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from designer import theme
from designer.inspector.format import inline

ROW = 22
GAP = 8


class ProbabilityBars(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[tuple[str, float]] = []
        self._chosen: str | None = None
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_probabilities(self, probabilities: dict[str, float] | None,
                          chosen: str | None = None) -> None:
        self._rows = sorted((probabilities or {}).items(), key=lambda kv: -kv[1])
        self._chosen = chosen
        self.setFixedHeight(max(1, len(self._rows)) * ROW + 4)
        self.update()

    def rows(self) -> list[tuple[str, float]]:
        return list(self._rows)

    def sizeHint(self) -> QSize:
        return QSize(360, max(1, len(self._rows)) * ROW + 4)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        metrics = QFontMetrics(self.font())
        labels = [inline(label, 28) for label, _ in self._rows]
        label_w = max((metrics.horizontalAdvance(t) for t in labels), default=0) + GAP
        value_w = metrics.horizontalAdvance("100.0 %") + GAP
        bar_w = max(40.0, self.width() - label_w - value_w - 4)
        for i, ((label, p), text) in enumerate(zip(self._rows, labels, strict=True)):
            top = 2 + i * ROW
            chosen = label == self._chosen
            painter.setPen(theme.color(theme.INK if chosen else theme.INK_SOFT))
            font = painter.font()
            font.setBold(chosen)
            painter.setFont(font)
            painter.drawText(QRectF(0, top, label_w - GAP, ROW),
                             Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, text)
            track = QRectF(label_w, top + 5, bar_w, ROW - 10)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(theme.color(theme.LINE_SOFT))
            painter.drawRoundedRect(track, 3, 3)
            fill = QRectF(track.left(), track.top(), max(2.0, bar_w * min(1.0, max(0.0, p))),
                          track.height())
            painter.setBrush(theme.color(theme.SELECTION if chosen else theme.INK_FAINT))
            painter.drawRoundedRect(fill, 3, 3)
            painter.setPen(theme.color(theme.INK))
            painter.drawText(QRectF(label_w + bar_w + GAP, top, value_w, ROW),
                             Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                             percent(p))
        painter.end()


def percent(p: float) -> str:
    """A probability as a percentage; a tiny one is not rounded to a misleading 0.0 %."""
    if 0 < p < 0.001:
        return "< 0.1 %"
    return f"{p * 100:.1f} %"
