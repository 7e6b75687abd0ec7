"""`RunPanel`: the run the canvas shows — its stage in large letters, where it is, how it
ended — and the replay controls (previous, next, a slider) once it has finished."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from designer import theme
from designer.canvas.run_overlay import STATES, RunOverlay
from designer.guards import guard_wheel


class RunPanel(QWidget):
    cleared = Signal()

    def __init__(self, overlay: RunOverlay, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("runPanel")
        self.overlay = overlay
        column = QVBoxLayout(self)
        column.setContentsMargins(8, 6, 8, 6)
        top = QHBoxLayout()
        self.stage = QLabel()
        self.stage.setObjectName("runStage")
        self.stage.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stage.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        top.addWidget(self.stage, 0, Qt.AlignmentFlag.AlignTop)
        self.status = QLabel()
        self.status.setObjectName("runStatus")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
        self.status.setStyleSheet("font-size: 11pt;")
        top.addWidget(self.status, 1)
        self.clear = QPushButton("Clear from canvas")
        self.clear.clicked.connect(self._clear)
        top.addWidget(self.clear, 0, Qt.AlignmentFlag.AlignTop)
        column.addLayout(top)
        replay = QHBoxLayout()
        self.previous = QPushButton("◀ Previous step")
        self.previous.setObjectName("replayPrevious")
        self.next = QPushButton("Next step ▶")
        self.next.setObjectName("replayNext")
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setObjectName("replaySlider")
        guard_wheel(self.slider)  # a wheel scrolled past does not move the replay
        self.slider.setPageStep(1)
        self.where = QLabel()
        self.where.setObjectName("replayWhere")
        self.where.setTextFormat(Qt.TextFormat.PlainText)
        self.where.setWordWrap(True)
        self.where.setStyleSheet(f"color: {theme.INK_SOFT};")
        replay.addWidget(QLabel("Replay:"))
        replay.addWidget(self.previous)
        replay.addWidget(self.slider, 1)
        replay.addWidget(self.next)
        column.addLayout(replay)
        column.addWidget(self.where)
        column.addStretch(1)
        self.previous.clicked.connect(lambda: self.step_to(self.slider.value() - 1))
        self.next.clicked.connect(lambda: self.step_to(self.slider.value() + 1))
        self.slider.valueChanged.connect(self._slid)
        self.set_replay_enabled(False)

    def begin(self, case_id: str, stage: str, model: str | None) -> None:
        text, color, _ = theme.AUTONOMY.get(stage, (stage, theme.INK_SOFT, ""))
        self.stage.setText(text.upper())
        self.stage.setStyleSheet(f"font-size: 17pt; font-weight: bold; color: white;"
                                 f" background: {color}; border-radius: 8px;"
                                 " padding: 4px 16px;")
        self.stage.setToolTip("The autonomy stage this run uses (stored on the run)")
        model_text = f" · model {model}" if model else ""
        self.status.setText(f"Running case {case_id}{model_text}…")
        self.set_replay_enabled(False)
        self.where.setText("")

    def finished(self, text: str) -> None:
        self.status.setText(text)
        count = self.overlay.step_count
        self.set_replay_enabled(count > 0)
        self.slider.blockSignals(True)
        self.slider.setRange(0, max(0, count - 1))
        self.slider.setValue(max(0, count - 1))
        self.slider.blockSignals(False)
        self._describe(count - 1)

    def set_replay_enabled(self, enabled: bool) -> None:
        for widget in (self.previous, self.next, self.slider):
            widget.setEnabled(enabled)

    def step_to(self, index: int) -> None:
        index = max(0, min(index, self.overlay.step_count - 1))
        self.slider.setValue(index)  # → _slid

    def _slid(self, index: int) -> None:
        self.overlay.show_step(index)
        self._describe(index)

    def _describe(self, index: int) -> None:
        steps = self.overlay.trace.steps
        if not 0 <= index < len(steps):
            self.where.setText("")
            return
        step = steps[index]
        word = STATES[step.state][1] or "done"
        note = f" — {step.note}" if step.note else ""
        document = self.overlay.scene.document
        title = (getattr(document.node(step.node_id), "title", "")
                 if step.node_id in document.node_ids() else "") or step.node_id
        self.where.setText(f"Step {index + 1} of {len(steps)}: {title} ({word}){note}")
        self.previous.setEnabled(index > 0)
        self.next.setEnabled(index < len(steps) - 1)

    def _clear(self) -> None:
        self.overlay.clear()
        self.set_replay_enabled(False)
        self.where.setText("")
        self.cleared.emit()
