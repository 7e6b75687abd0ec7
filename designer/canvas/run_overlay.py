"""The run overlay: a run drawn on the canvas — where it is, the path it took, where it
stopped and why — live while it goes, and step by step when it is replayed.

It is view state only. `RunTrace` turns the engine's events into a list of visited steps
(pure Python); `RunOverlay` draws one frame of it with marker items parented to the
scene's node and edge items, so the markers follow a step that is dragged, and vanish with
it. Nothing here touches the document: no undo entry, no change to the file.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from PySide6.QtCore import QObject, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPainterPathStroker, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from designer import theme
from designer.canvas.edge_item import EdgeItem
from designer.canvas.node_item import NodeItem
from designer.canvas.scene import FlowScene
from runtime.api import (
    Event,
    RunBlocked,
    RunFinished,
    StepFinished,
    StepStarted,
    TaskDecided,
)

# state → (colour, the word shown before the note)
STATES = {
    "current": (theme.SELECTION, "Running"),
    "done": (theme.SUCCESS, ""),
    "blocked": ("#DC6803", "Waiting for a person"),
    "failed": (theme.DANGER, "Failed"),
    "ended": (theme.SUCCESS, "Finished"),
    "cancelled": (theme.INK_SOFT, "Cancelled"),
}
NOTE_FONT = (9.5, False)
NOTE_WIDTH = 230.0
NUMBER_FONT = (8.0, True)


@dataclass(frozen=True)
class TraceStep:
    node_id: str
    state: str  # a key of STATES
    note: str = ""
    next_node: str | None = None


class RunTrace:
    """The steps a run visited, in order, built from its events (one run at a time)."""

    def __init__(self) -> None:
        self.steps: list[TraceStep] = []
        self.finished = False

    def apply(self, event: Event) -> bool:
        """Fold one engine event in; True when the trace changed."""
        if isinstance(event, StepStarted):
            self.steps.append(TraceStep(event.node_id, "current"))
        elif isinstance(event, StepFinished):
            index = self._last(event.node_id)
            if index is None:
                self.steps.append(TraceStep(event.node_id, "done", event.summary,
                                            event.next_node))
            else:
                self.steps[index] = replace(self.steps[index], state="done",
                                            note=event.summary, next_node=event.next_node)
        elif isinstance(event, RunBlocked):
            self._settle(event.node_id, "blocked", event.reason)
        elif isinstance(event, TaskDecided):
            self._settle(event.node_id, "done", _decision_text(event.decision))
        elif isinstance(event, RunFinished):
            self._finish(event)
        else:
            return False
        return True

    def _last(self, node_id: str) -> int | None:
        for index in range(len(self.steps) - 1, -1, -1):
            if self.steps[index].node_id == node_id:
                return index
        return None

    def _settle(self, node_id: str, state: str, note: str) -> None:
        index = self._last(node_id)
        if index is None:
            self.steps.append(TraceStep(node_id, state, note))
        else:
            self.steps[index] = replace(self.steps[index], state=state, note=note)

    def _finish(self, event: RunFinished) -> None:
        self.finished = True
        last = self.steps[-1] if self.steps else None
        if event.status == "completed":
            if last is not None and last.next_node:  # end steps emit no StepStarted
                self.steps.append(TraceStep(last.next_node, "ended", event.outcome or ""))
        elif last is not None:
            state = "failed" if event.status == "failed" else "cancelled"
            self.steps[-1] = replace(last, state=state, note=event.error or last.note)


def _decision_text(decision: dict[str, object]) -> str:
    by = decision.get("by")
    what = ", ".join(f"{k}={v}" for k, v in decision.items() if k != "by" and v not in (None, ""))
    return f"{what} (by {by})" if by else what


@dataclass(frozen=True)
class Frame:
    """What the canvas shows: each visited step's state, its order number, the edges taken
    and the step in focus (the latest one)."""

    states: dict[str, TraceStep]
    numbers: dict[str, int]
    taken: set[tuple[str, str]]
    focus: str | None


def frame_of(trace: RunTrace, upto: int | None = None) -> Frame:
    """The frame after the first `upto + 1` steps (all of them when None). In a replay the
    step in focus shows as current unless it ended the run."""
    steps = trace.steps if upto is None else trace.steps[:upto + 1]
    states: dict[str, TraceStep] = {}
    numbers: dict[str, int] = {}
    taken: set[tuple[str, str]] = set()
    for index, step in enumerate(steps):
        states[step.node_id] = step
        numbers[step.node_id] = index + 1
        if index + 1 < len(steps):
            taken.add((step.node_id, steps[index + 1].node_id))
    focus = steps[-1].node_id if steps else None
    if upto is not None and upto < len(trace.steps) - 1 and focus is not None:
        states[focus] = replace(states[focus], state="current")
    return Frame(states, numbers, taken, focus)


class RunOverlay(QObject):
    """Draws frames of a `RunTrace` over a `FlowScene`; re-draws after the scene rebuilds."""

    focused = Signal(str)  # the step in focus changed (the view may bring it into sight)

    def __init__(self, scene: FlowScene, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.scene = scene
        self.trace = RunTrace()
        self.position: int | None = None  # None: follow the run live
        self._marks: list[QGraphicsItem] = []
        self._focus: str | None = None
        scene.document.reset.connect(self.redraw)
        scene.document.changed.connect(self.redraw)

    @property
    def step_count(self) -> int:
        return len(self.trace.steps)

    def start(self) -> None:
        """A new run: forget the previous one."""
        self.trace = RunTrace()
        self.position = None
        self.redraw()

    def apply(self, event: Event) -> None:
        if self.trace.apply(event) and self.position is None:
            self.redraw()

    def show_step(self, index: int | None) -> None:
        """Replay: show the run as it was after step `index` (None: all of it)."""
        if index is not None:
            index = max(0, min(index, self.step_count - 1))
        self.position = index
        self.redraw()

    def clear(self) -> None:
        self.trace = RunTrace()
        self.position = None
        self.redraw()

    def frame(self) -> Frame:
        return frame_of(self.trace, self.position)

    def redraw(self) -> None:
        for item in self._marks:
            if item.scene() is not None:
                self.scene.removeItem(item)
        self._marks = []
        frame = self.frame()
        if frame.focus is not None and frame.focus != self._focus:
            self.focused.emit(frame.focus)
        self._focus = frame.focus
        for node_id, step in frame.states.items():
            node_item = self.scene.item_for_node.get(node_id)
            if node_item is not None:
                self._marks.append(NodeMark(node_item, step, frame.numbers[node_id],
                                            focused=node_id == frame.focus))
        for key, edge in self.scene.document.edges():
            edge_item = self.scene.item_for_edge.get(key)
            if edge_item is not None and (edge.source, edge.target) in frame.taken:
                self._marks.append(EdgeMark(edge_item))

    def marked_nodes(self) -> dict[str, str]:
        """node id → the state drawn on it (for tests and screen readers)."""
        return {m.step.node_id: m.step.state for m in self._marks if isinstance(m, NodeMark)}

    def marked_edges(self) -> set[int]:
        return {m.edge_key for m in self._marks if isinstance(m, EdgeMark)}


class NodeMark(QGraphicsItem):
    """A coloured ring around a visited step, its order number, and a note under it
    (the reason it waits or failed) drawn as plain text."""

    def __init__(self, node: NodeItem, step: TraceStep, number: int, focused: bool) -> None:
        super().__init__(node)
        self.step, self.number, self.focused = step, number, focused
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setAcceptHoverEvents(False)
        w, h = node.size
        self.ring = QRectF(-w / 2 - 6, -h / 2 - 6, w + 12, h + 12)
        self.note = self._note_text()
        self.note_rect = QRectF()
        if self.note:
            metrics = QFontMetricsF(theme.font(*NOTE_FONT))
            bound = metrics.boundingRect(QRectF(0, 0, NOTE_WIDTH - 12, 400),
                                         int(Qt.TextFlag.TextWordWrap), self.note)
            height = min(bound.height(), metrics.lineSpacing() * 4) + 8
            self.note_rect = QRectF(-NOTE_WIDTH / 2, self.ring.bottom() + 4, NOTE_WIDTH, height)
        self.setZValue(-1 if not self.note else 5)

    def _note_text(self) -> str:
        if self.step.state in ("done",) or not (self.step.note or STATES[self.step.state][1]):
            return ""
        if self.step.state == "current":
            return ""  # the ring says it; a note would cover the next step
        word = STATES[self.step.state][1]
        return f"{word}: {self.step.note}" if self.step.note else word

    def boundingRect(self) -> QRectF:
        return self.ring.adjusted(-14, -14, 4, 4).united(self.note_rect.adjusted(-2, -2, 2, 2))

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        color = theme.color(STATES[self.step.state][0])
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(color, 4.0 if self.focused else 2.6,
                            Qt.PenStyle.SolidLine))
        painter.drawRoundedRect(self.ring, 14, 14)
        badge = QRectF(self.ring.left() - 10, self.ring.top() - 10, 22, 22)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(color)
        painter.drawEllipse(badge)
        painter.setPen(QColor("white"))
        painter.setFont(theme.font(*NUMBER_FONT))
        painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, str(self.number))
        if self.note:
            painter.setPen(QPen(color, 1.2))
            painter.setBrush(theme.tint("#FFFFFF", 245))
            painter.drawRoundedRect(self.note_rect, 6, 6)
            painter.setPen(theme.color(theme.INK))
            painter.setFont(theme.font(*NOTE_FONT))
            painter.drawText(self.note_rect.adjusted(6, 4, -6, -4),
                             int(Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignHCenter),
                             self.note)  # drawText never interprets HTML: plain text


class EdgeMark(QGraphicsItem):
    """A broad band behind a connection the run followed."""

    def __init__(self, edge: EdgeItem) -> None:
        super().__init__(edge)
        self.edge_key = edge.key
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemStacksBehindParent)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)

    def path_changed(self) -> None:
        """The connection was re-routed (a step moved): our bounds follow its path."""
        self.prepareGeometryChange()

    def _edge(self) -> EdgeItem:
        parent = self.parentItem()
        assert isinstance(parent, EdgeItem)
        return parent

    def boundingRect(self) -> QRectF:
        return self._edge().path.boundingRect().adjusted(-8, -8, 8, 8)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        stroker = QPainterPathStroker()
        stroker.setWidth(9)
        stroker.setCapStyle(Qt.PenCapStyle.RoundCap)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(theme.tint(theme.SELECTION, 90))
        painter.drawPath(stroker.createStroke(self._edge().path))
