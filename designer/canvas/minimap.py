"""The minimap: the whole flow in a corner of the canvas, with the part on screen framed.

Click or drag in it to move the canvas there. It is for flows bigger than the screen, so
it hides itself while the whole flow is in view or the flow is small. It draws plain
rectangles from the steps' positions into a cached picture, rebuilt a moment after the
document changes — never by painting the scene a second time, which at 2,000 steps would
cost as much as the canvas itself; scrolling and zooming only move the frame.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, QSize, Qt, QTimer, SignalInstance
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPen, QPixmap
from PySide6.QtWidgets import QGraphicsView, QWidget

from designer import theme

SIZE = QSize(180, 112)
MARGIN = 14  # from the canvas's corner, clear of its scroll bars
MIN_STEPS = 20  # fewer steps than this: a flow small enough to see at a glance with Fit
REBUILD_MS = 150
PAD = 40.0  # scene units around the flow


class Minimap(QWidget):
    """An overview over `view`; `changes` are the document signals that move steps."""

    def __init__(self, view: QGraphicsView, *changes: SignalInstance) -> None:
        super().__init__(view)
        self.setObjectName("minimap")
        self.view = view
        self.setFixedSize(SIZE)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip("Overview: click or drag to move the canvas there")
        self.bounds = QRectF()  # the flow's extent in scene coordinates
        self.picture = QPixmap()
        self.step_count = 0
        self.timer = QTimer(self, singleShot=True, interval=REBUILD_MS)
        self.timer.timeout.connect(self.rebuild)
        for changed in changes:
            changed.connect(self.timer.start)
        for bar in (view.horizontalScrollBar(), view.verticalScrollBar()):
            bar.valueChanged.connect(self._view_moved)
            bar.rangeChanged.connect(self._view_moved)
        view.installEventFilter(self)
        self.hide()

    # -- what it shows --------------------------------------------------------------------

    def _step_rects(self) -> list[QRectF]:
        scene = self.view.scene()
        items = getattr(scene, "item_for_node", {})
        return [item.sceneBoundingRect() for item in items.values()]

    def rebuild(self) -> None:
        """Redraw the picture of the steps (after edits; not on scroll or zoom)."""
        rects = self._step_rects()
        self.step_count = len(rects)
        bounds = QRectF()
        for rect in rects:
            bounds = bounds.united(rect)
        self.bounds = bounds.adjusted(-PAD, -PAD, PAD, PAD)
        picture = QPixmap(self.size() * self.devicePixelRatioF())
        picture.setDevicePixelRatio(self.devicePixelRatioF())
        picture.fill(QColor(255, 255, 255, 250))
        painter = QPainter(picture)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("#98A2B3"))
        for rect in rects:
            mapped = self._to_map(rect)
            painter.drawRect(mapped.adjusted(0, 0, max(0.0, 2 - mapped.width()),
                                             max(0.0, 2 - mapped.height())))
        painter.end()
        self.picture = picture
        self._view_moved()

    def _scale(self) -> float:
        if self.bounds.isEmpty():
            return 1.0
        return min(self.width() / self.bounds.width(), self.height() / self.bounds.height())

    def _offset(self) -> QPointF:
        """Where the scaled flow starts inside the widget (centred)."""
        scale = self._scale()
        return QPointF((self.width() - self.bounds.width() * scale) / 2,
                       (self.height() - self.bounds.height() * scale) / 2)

    def _to_map(self, rect: QRectF) -> QRectF:
        scale, offset = self._scale(), self._offset()
        return QRectF(offset.x() + (rect.left() - self.bounds.left()) * scale,
                      offset.y() + (rect.top() - self.bounds.top()) * scale,
                      rect.width() * scale, rect.height() * scale)

    def to_scene(self, point: QPointF) -> QPointF:
        """The scene point under a point of the minimap."""
        scale, offset = self._scale(), self._offset()
        return QPointF(self.bounds.left() + (point.x() - offset.x()) / scale,
                       self.bounds.top() + (point.y() - offset.y()) / scale)

    def visible_area(self) -> QRectF:
        return self.view.mapToScene(self.view.viewport().rect()).boundingRect()

    def wanted(self) -> bool:
        """Shown only for a flow with enough steps that part of it is off screen."""
        if self.step_count < MIN_STEPS or self.bounds.isEmpty():
            return False
        flow = self.bounds.adjusted(PAD, PAD, -PAD, -PAD)
        return not self.visible_area().contains(flow)

    def _view_moved(self, *_: object) -> None:
        self.setVisible(self.wanted())
        self._place()
        self.update()

    def _place(self) -> None:
        viewport = self.view.viewport().geometry()
        self.move(viewport.right() - self.width() - MARGIN,
                  viewport.bottom() - self.height() - MARGIN)
        self.raise_()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.view and event.type() in (QEvent.Type.Resize, QEvent.Type.Show):
            self._view_moved()
        return False

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.drawPixmap(0, 0, self.picture)
        painter.setPen(QPen(QColor(theme.LINE), 1))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(self.rect().adjusted(0, 0, -1, -1))
        frame = self._to_map(self.visible_area()).intersected(QRectF(self.rect()))
        painter.setPen(QPen(QColor(theme.SELECTION), 1.5))
        painter.setBrush(QColor(21, 112, 239, 28))
        painter.drawRect(frame)

    # -- moving the canvas ----------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._go(event.position())
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if event.buttons() & Qt.MouseButton.LeftButton:
            self._go(event.position())
        event.accept()

    def _go(self, point: QPointF) -> None:
        self.view.centerOn(self.to_scene(point))
