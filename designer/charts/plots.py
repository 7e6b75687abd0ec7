"""`CurveChart` (points joined by lines, x and y from 0 to 1) and `BarChart` (grouped bars).

Both keep their data as plain lists (`series()` / `bars()`), so tests read what is drawn
without looking at pixels.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QFont, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from designer import theme

PALETTE = ("#1570EF", "#079455", "#DC6803", "#7A5AF8", "#D92D20", "#475467")
TICKS = (0.0, 0.25, 0.5, 0.75, 1.0)


@dataclass(frozen=True)
class Series:
    name: str
    points: Sequence[tuple[float, float]]  # (x, y), both within 0..1
    color: str = PALETTE[0]
    dashed: bool = False
    joined: bool = True  # False: points only (bins that are not a sequence)
    labels: Sequence[str] = ()  # a note beside each point ("12 cases")


class _Chart(QWidget):
    """Title, plot area and the message shown when there is no data."""

    MARGIN = (52, 50, 16, 44)  # left, top, right, bottom

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.empty_text = "No data yet"
        self.setMinimumSize(260, 200)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def sizeHint(self) -> QSize:
        return QSize(420, 280)

    def plot_rect(self) -> QRectF:
        left, top, right, bottom = self.MARGIN
        return QRectF(left, top, max(10, self.width() - left - right),
                      max(10, self.height() - top - bottom))

    def has_data(self) -> bool:
        return False

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), theme.color(theme.SURFACE))
        font = QFont(theme.FONT_FAMILY, 10)
        font.setBold(True)
        p.setFont(font)
        p.setPen(theme.color(theme.INK))
        p.drawText(QRectF(8, 2, self.width() - 16, 20),
                   Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, self.title)
        p.setFont(QFont(theme.FONT_FAMILY, 9))
        if not self.has_data():
            p.setPen(theme.color(theme.INK_SOFT))
            p.drawText(self.plot_rect(), Qt.AlignmentFlag.AlignCenter, self.empty_text)
        else:
            self.draw(p)
        p.end()

    def draw(self, p: QPainter) -> None:  # pragma: no cover - subclasses draw
        raise NotImplementedError

    def _axes(self, p: QPainter, x_label: str, y_label: str,
              x_ticks: Sequence[tuple[float, str]], y_ticks: Sequence[tuple[float, str]]
              ) -> None:
        r = self.plot_rect()
        p.setPen(QPen(theme.color(theme.LINE_SOFT), 1))
        for y, _ in y_ticks:
            at = r.bottom() - y * r.height()
            p.drawLine(QPointF(r.left(), at), QPointF(r.right(), at))
        p.setPen(QPen(theme.color(theme.LINE), 1))
        p.drawLine(r.bottomLeft(), r.bottomRight())
        p.drawLine(r.bottomLeft(), r.topLeft())
        p.setPen(theme.color(theme.INK_SOFT))
        for y, text in y_ticks:
            at = r.bottom() - y * r.height()
            p.drawText(QRectF(0, at - 8, r.left() - 6, 16),
                       Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, text)
        for x, text in x_ticks:
            at = r.left() + x * r.width()
            p.drawText(QRectF(at - 40, r.bottom() + 3, 80, 16),
                       Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, text)
        p.drawText(QRectF(r.left(), r.bottom() + 20, r.width(), 18),
                   Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, x_label)
        p.save()
        p.translate(12, r.center().y())
        p.rotate(-90)
        p.drawText(QRectF(-r.height() / 2, -8, r.height(), 16),
                   Qt.AlignmentFlag.AlignCenter, y_label)
        p.restore()


def _pct(value: float) -> str:
    return f"{value:.0%}"


class CurveChart(_Chart):
    """Lines through points on 0..1 axes; an optional diagonal (perfect calibration) and
    an optional highlighted point (the node's act band)."""

    def __init__(self, title: str, x_label: str, y_label: str, *, diagonal: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self.x_label, self.y_label, self.diagonal = x_label, y_label, diagonal
        self._series: list[Series] = []
        self._highlight: tuple[float, float, str] | None = None

    def set_series(self, series: Sequence[Series],
                   highlight: tuple[float, float, str] | None = None) -> None:
        self._series = [s for s in series if s.points]
        self._highlight = highlight
        self.update()

    def series(self) -> list[Series]:
        return list(self._series)

    def has_data(self) -> bool:
        return bool(self._series)

    def _at(self, x: float, y: float) -> QPointF:
        r = self.plot_rect()
        return QPointF(r.left() + x * r.width(), r.bottom() - y * r.height())

    def draw(self, p: QPainter) -> None:
        ticks = [(t, _pct(t)) for t in TICKS]
        self._axes(p, self.x_label, self.y_label, ticks, ticks)
        if self.diagonal:
            p.setPen(QPen(theme.color(theme.INK_FAINT), 1, Qt.PenStyle.DashLine))
            p.drawLine(self._at(0, 0), self._at(1, 1))
        for s in self._series:
            pen = QPen(theme.color(s.color), 2,
                       Qt.PenStyle.DashLine if s.dashed else Qt.PenStyle.SolidLine)
            p.setPen(pen)
            points = [self._at(x, y) for x, y in s.points]
            if s.joined:
                for a, b in pairwise(points):
                    p.drawLine(a, b)
            p.setBrush(theme.color(s.color))
            for point in points:
                p.drawEllipse(point, 3 if s.joined else 5, 3 if s.joined else 5)
            p.setPen(theme.color(theme.INK_SOFT))
            taken: list[QRectF] = []  # labels already drawn: a label never covers another
            for i, (point, text) in enumerate(zip(points, s.labels, strict=False)):
                # centred on its point (so it is clear whose it is), above it, else below;
                # inside the plot; neighbours alternate; never over another label
                width = p.fontMetrics().horizontalAdvance(text) + 4
                r = self.plot_rect()
                x = min(max(point.x() - width / 2, r.left() + 2), r.right() - width)
                above, below = point.y() - 22, point.y() + 7
                order = (below, above) if i % 2 and below + 16 < r.bottom() else (above, below)
                for y in order:
                    box = QRectF(x, y, width, 16)
                    if not any(box.intersects(other) for other in taken):
                        taken.append(box)
                        p.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
                        break
        if self._highlight is not None:
            x, y, text = self._highlight
            at = self._at(x, y)
            p.setPen(QPen(theme.color(theme.DANGER), 2))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawEllipse(at, 7, 7)
            p.setPen(theme.color(theme.INK))
            right = at.x() < self.plot_rect().center().x()
            dy = 6 if y > 0.85 else -20  # below the point near the top, else above it
            box = QRectF(at.x() + 10, at.y() + dy, 180, 16) if right else QRectF(
                at.x() - 190, at.y() + dy, 180, 16)
            p.drawText(box, (Qt.AlignmentFlag.AlignLeft if right else
                             Qt.AlignmentFlag.AlignRight) | Qt.AlignmentFlag.AlignVCenter, text)
        self._legend(p)

    def _legend(self, p: QPainter) -> None:
        if len(self._series) < 2 and not self.diagonal:
            return
        entries = [(s.name, s.color, s.dashed) for s in self._series]
        if self.diagonal:
            entries.append(("perfect calibration", theme.INK_FAINT, True))
        # under the title, outside the plot, so it never covers a point; from the chart's
        # left edge (not the plot's) and onto a second line rather than cut off
        x, y = 8.0, 24.0
        for name, color, dashed in entries:
            width = p.fontMetrics().horizontalAdvance(name)
            if x > 8 and x + 24 + width > self.width() - 8:
                x, y = 8.0, y + 14
            p.setPen(QPen(theme.color(color), 2,
                          Qt.PenStyle.DashLine if dashed else Qt.PenStyle.SolidLine))
            p.drawLine(QPointF(x, y + 8), QPointF(x + 18, y + 8))
            p.setPen(theme.color(theme.INK_SOFT))
            p.drawText(QRectF(x + 24, y, width + 4, 16), Qt.AlignmentFlag.AlignVCenter, name)
            x += 24 + width + 18


class BarChart(_Chart):
    """Groups of bars (one group per category, one bar per series), values labelled."""

    def __init__(self, title: str, *, percent: bool = True, y_label: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self.percent, self.y_label = percent, y_label
        if y_label:  # room for the turned axis title beside the tick labels
            left, top, right, bottom = self.MARGIN
            self.MARGIN = (left + 12, top, right, bottom)
        self._categories: list[str] = []
        self._series: list[tuple[str, list[float | None]]] = []

    def set_bars(self, categories: Sequence[str],
                 series: Sequence[tuple[str, Sequence[float | None]]]) -> None:
        self._categories = list(categories)
        self._series = [(name, list(values)) for name, values in series]
        self.update()

    def bars(self) -> dict[str, dict[str, float | None]]:
        """{series: {category: value}} as drawn."""
        return {name: dict(zip(self._categories, values, strict=False))
                for name, values in self._series}

    def has_data(self) -> bool:
        return bool(self._categories) and any(
            v is not None for _, values in self._series for v in values)

    def _top(self) -> float:
        if self.percent:
            return 1.0
        values = [v for _, vs in self._series for v in vs if v is not None]
        wanted = max(1.0, max(values or [1.0]) * 1.1) / (len(TICKS) - 1)
        # a round step (1, 2 or 5 times a power of ten) so the ticks read 0, 20, 40…
        scale = 10 ** math.floor(math.log10(wanted))
        step = max(1.0, next(m * scale for m in (1, 2, 5, 10) if m * scale >= wanted))
        return float(step * (len(TICKS) - 1))

    def _label(self, value: float) -> str:
        return _pct(value) if self.percent else f"{value:,.0f}"

    def draw(self, p: QPainter) -> None:
        top = self._top()
        ticks = [(t, self._label(t * top)) for t in TICKS]
        self._axes(p, "", self.y_label, [], ticks)
        r = self.plot_rect()
        groups = len(self._categories)
        width = r.width() / max(1, groups)
        bar = min(42.0, (width * 0.8) / max(1, len(self._series)))
        for g, category in enumerate(self._categories):
            left = r.left() + g * width + (width - bar * len(self._series)) / 2
            for i, (_name, values) in enumerate(self._series):
                value = values[g] if g < len(values) else None
                x = left + i * bar
                if value is None:
                    p.setPen(theme.color(theme.INK_FAINT))
                    p.drawText(QRectF(x, r.bottom() - 18, bar, 16),
                               Qt.AlignmentFlag.AlignCenter, "n/a")
                    continue
                h = (value / top) * r.height()
                p.fillRect(QRectF(x + 2, r.bottom() - h, bar - 4, h),
                           theme.color(PALETTE[i % len(PALETTE)]))
                p.setPen(theme.color(theme.INK))
                p.drawText(QRectF(x - 10, r.bottom() - h - 16, bar + 20, 14),
                           Qt.AlignmentFlag.AlignCenter, self._label(value))
            p.setPen(theme.color(theme.INK_SOFT))
            p.drawText(QRectF(r.left() + g * width, r.bottom() + 3, width, 16),
                       Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, category)
        if any(name for name, _ in self._series):  # even one: it names what the bar counts
            x = r.left() + 8
            for i, (name, _values) in enumerate(self._series):
                p.fillRect(QRectF(x, r.bottom() + 24, 10, 10),
                           theme.color(PALETTE[i % len(PALETTE)]))
                p.setPen(theme.color(theme.INK_SOFT))
                p.drawText(QRectF(x + 14, r.bottom() + 21, 120, 16),
                           Qt.AlignmentFlag.AlignVCenter, name)
                x += 24 + p.fontMetrics().horizontalAdvance(name)
