"""`FlowView`: zoom, pan, fit, centre on a step, and the little notes that explain a
refused edit where the pointer is (a status bar message alone is easy to miss)."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import QKeyEvent, QMouseEvent, QPainter, QWheelEvent
from PySide6.QtWidgets import QFrame, QGraphicsView, QLabel, QWidget

from designer import theme
from designer.canvas.scene import FlowScene

MIN_ZOOM, MAX_ZOOM = 0.1, 3.0
READABLE_ZOOM = 0.7
ZOOM_STEP = 1.2


class FlowView(QGraphicsView):
    def __init__(self, scene: FlowScene, parent: QWidget | None = None) -> None:
        super().__init__(scene, parent)
        self.setObjectName("canvas")
        self.setRenderHints(QPainter.RenderHint.Antialiasing
                            | QPainter.RenderHint.TextAntialiasing)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setDragMode(QGraphicsView.DragMode.NoDrag)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setAcceptDrops(True)
        self._panning: QPointF | None = None
        self._space_held = False
        self._note = QLabel(self.viewport())
        self._note.setObjectName("refusalNote")
        self._note.setWordWrap(True)
        self._note.setStyleSheet(
            f"background: {theme.INK}; color: {theme.SURFACE}; border-radius: 8px;"
            " padding: 8px 10px;")
        self._note.hide()
        self._note_timer = QTimer(self, singleShot=True, interval=4500)
        self._note_timer.timeout.connect(self._note.hide)

    def flow_scene(self) -> FlowScene:
        scene = self.scene()
        assert isinstance(scene, FlowScene)
        return scene

    # -- zoom -----------------------------------------------------------------------

    def zoom(self) -> float:
        return self.transform().m11()

    def set_zoom(self, factor: float) -> None:
        factor = max(MIN_ZOOM, min(MAX_ZOOM, factor))
        self.scale(factor / self.zoom(), factor / self.zoom())

    def zoom_in(self) -> None:
        self.set_zoom(self.zoom() * ZOOM_STEP)

    def zoom_out(self) -> None:
        self.set_zoom(self.zoom() / ZOOM_STEP)

    def zoom_reset(self) -> None:
        self.set_zoom(1.0)

    def fit(self) -> None:
        """Show every step; never magnify a small flow beyond 100 %."""
        scene = self.flow_scene()
        items = list(scene.item_for_node.values())
        if not items:
            self.set_zoom(1.0)
            self.centerOn(0, 0)
            return
        bounds = QRectF()
        for item in items:
            bounds = bounds.united(item.sceneBoundingRect())
        bounds.adjust(-40, -50, 40, 50)
        self.fitInView(bounds, Qt.AspectRatioMode.KeepAspectRatio)
        if self.zoom() > 1.0:
            self.set_zoom(1.0)
        self.set_zoom(self.zoom())  # clamp to MIN_ZOOM
        self.centerOn(bounds.center())

    def fit_readable(self) -> None:
        """Fit, but never below a zoom where the words are still readable: a large flow
        then opens at its start, ready to scroll, rather than as a picture of boxes."""
        self.fit()
        if self.zoom() >= READABLE_ZOOM:
            return
        self.set_zoom(READABLE_ZOOM)
        items = list(self.flow_scene().item_for_node.values())
        left = min(items, key=lambda item: item.pos().x())
        bounds = QRectF()
        for item in items:
            bounds = bounds.united(item.sceneBoundingRect())
        visible = self.mapToScene(self.viewport().rect()).boundingRect()
        self.centerOn(left.sceneBoundingRect().left() - 40 + visible.width() / 2,
                      bounds.center().y())

    def centre_on_node(self, node_id: str) -> None:
        item = self.flow_scene().item_for_node.get(node_id)
        if item is not None:
            self.centerOn(item)

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            steps = event.angleDelta().y() / 120
            self.set_zoom(self.zoom() * (ZOOM_STEP ** steps))
            event.accept()
            return
        super().wheelEvent(event)

    # -- pan: drag with the middle button, or hold Space and drag -------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space_held = True
            self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)
            event.accept()
            return
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space_held = False
            if self._panning is None:
                self.viewport().unsetCursor()
            event.accept()
            return
        super().keyReleaseEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.MiddleButton or (
                self._space_held and event.button() == Qt.MouseButton.LeftButton):
            self._panning = event.position()
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._panning is not None:
            delta = event.position() - self._panning
            self._panning = event.position()
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - int(delta.x()))
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() - int(delta.y()))
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._panning is not None:
            self._panning = None
            if self._space_held:
                self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)
            else:
                self.viewport().unsetCursor()
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def drawForeground(self, painter: QPainter, rect: QRectF) -> None:
        """An empty canvas says how to begin instead of showing nothing."""
        if self.flow_scene().item_for_node:
            return
        painter.save()
        painter.resetTransform()
        area = QRectF(self.viewport().rect())
        painter.setPen(theme.color(theme.INK_SOFT))
        painter.setFont(theme.font(11, bold=True))
        painter.drawText(area.adjusted(0, -30, 0, -30), Qt.AlignmentFlag.AlignCenter,
                         "This flow has no steps yet")
        painter.setFont(theme.font(9))
        painter.setPen(theme.color(theme.INK_FAINT))
        painter.drawText(area.adjusted(0, 10, 0, 10), Qt.AlignmentFlag.AlignCenter,
                         "Drag a Start from the palette on the left, then the steps that "
                         "follow it.")
        painter.restore()

    # -- refusals ---------------------------------------------------------------------

    def show_refusal(self, reason: str, scene_pos: QPointF) -> None:
        self._note.setText(reason)
        natural = self._note.fontMetrics().horizontalAdvance(reason) + 24
        self._note.setFixedWidth(min(340, natural))
        self._note.adjustSize()
        at = self.mapFromScene(scene_pos) + QPointF(14, 14).toPoint()
        at.setX(min(at.x(), self.viewport().width() - self._note.width() - 8))
        at.setY(min(at.y(), self.viewport().height() - self._note.height() - 8))
        self._note.move(at)
        self._note.show()
        self._note.raise_()
        self._note_timer.start()

    def refusal_text(self) -> str:
        return self._note.text() if self._note.isVisible() else ""
