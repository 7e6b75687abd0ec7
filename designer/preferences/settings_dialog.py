"""Edit ▸ Settings: the settings file as a form, and the tokens kept in the OS keyring.

The form edits the same file `junction` reads (`runtime.settings`). A file that does not
parse is shown as the error it is and Save is disabled: the dialog never writes over text
it could not read. Tokens are shown masked and can be set or removed; with no keyring the
dialog says so and offers no plain-text fallback.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from designer.guards import guard_wheel
from runtime.api import InputError, secrets, settings

THEMES = [("Follow the system", "system"), ("Light", "light"), ("Dark", "dark")]
MODEL_HINTS = ["", "ollama:llama3.2:3b", "llamacpp:bundled", "scripted:scripted.yaml"]
EMBEDDING_HINTS = ["", "sentence-transformers:all-minilm-l6-v2", "ollama:all-minilm"]


class TokenRow(QWidget):
    """One secret: its masked value, Set… and Remove."""

    changed = Signal()

    def __init__(self, label: str, kind: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = kind  # "host" (per Ollama URL) or "webhook" (per name)
        self.key = ""
        self.label = label
        self.shown = QLabel()
        self.shown.setObjectName(f"token_{kind}")
        self.set_button = QPushButton("Set…")
        self.remove_button = QPushButton("Remove")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.shown, 1)
        row.addWidget(self.set_button)
        row.addWidget(self.remove_button)
        self.set_button.clicked.connect(self._ask)
        self.remove_button.clicked.connect(self.remove)

    def show_key(self, key: str, available: bool) -> None:
        self.key = key
        token = self._read() if available and key else None
        self.shown.setText(secrets.mask(token) if token else "(none stored)")
        self.set_button.setEnabled(available and bool(key))
        self.remove_button.setEnabled(available and token is not None)

    def _read(self) -> str | None:
        if self.kind == "host":
            return secrets.get_host_token(self.key)
        return secrets.get_webhook_token(self.key)

    def _ask(self) -> None:
        token, ok = QInputDialog.getText(self, self.label, f"Token for {self.key}:",
                                         QLineEdit.EchoMode.Password)
        if ok and token:
            self.store(token)

    def store(self, token: str) -> None:
        if self.kind == "host":
            secrets.set_host_token(self.key, token)
        else:
            secrets.set_webhook_token(self.key, token)
        self.changed.emit()

    def remove(self) -> None:
        if self.kind == "host":
            secrets.delete_host_token(self.key)
        else:
            secrets.delete_webhook_token(self.key)
        self.changed.emit()


class SettingsDialog(QDialog):
    def __init__(self, path: Path | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        self.setWindowTitle("Settings")
        self.setMinimumWidth(980)
        self.path = path or settings.config_path()
        self.problem = QLabel()
        self.problem.setObjectName("settingsProblem")
        self.problem.setWordWrap(True)
        self.problem.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.problem.setStyleSheet("color: #B42318; background: #FEF3F2; padding: 8px;")
        self.problem.hide()
        try:
            self.loaded: settings.Settings | None = settings.load(self.path)
        except settings.SettingsError as exc:
            self.loaded = None
            self.problem.setText("This settings file cannot be read, so it is left exactly as "
                                 f"it is (nothing will be saved over it):\n\n{exc}\n\nFix the "
                                 "lines named above in a text editor, then open Settings again.")
            self.problem.show()
        current = self.loaded or settings.Settings()

        self.host = QLineEdit(current.ollama.host)
        self.host.setPlaceholderText(settings.DEFAULTS_SHOWN["ollama.host"])
        self.role_models = {role: self._model_box(getattr(current.models, role), MODEL_HINTS)
                            for role in settings.ROLES}
        self.embedding = self._model_box(current.models.embedding, EMBEDDING_HINTS)
        self.home = QLineEdit(current.workspace.home)
        self.home.setPlaceholderText(settings.DEFAULTS_SHOWN["workspace.home"])
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        home_row = QWidget()
        home_layout = QHBoxLayout(home_row)
        home_layout.setContentsMargins(0, 0, 0, 0)
        home_layout.addWidget(self.home, 1)
        home_layout.addWidget(browse)
        self.store = QLineEdit(current.workspace.store)
        self.store.setObjectName("storeLocation")
        self.store.setPlaceholderText(settings.DEFAULTS_SHOWN["workspace.store"])
        self.store.setToolTip("Where runs, tasks and the audit trail are kept: a SQLite file, "
                              "or a team's postgresql://user@host/db shared with others")
        self.name = QLineEdit(current.person.name)
        self.name.setPlaceholderText("shown on your decisions and in the audit trail")
        self.theme = QComboBox()
        guard_wheel(self.theme)
        for label, value in THEMES:
            self.theme.addItem(label, value)
        self.theme.setCurrentIndex([v for _, v in THEMES].index(current.appearance.theme))
        self.webhook_timeout = QDoubleSpinBox()
        guard_wheel(self.webhook_timeout)
        self.webhook_timeout.setRange(0.5, 600)
        self.webhook_timeout.setSuffix(" s")
        self.webhook_timeout.setValue(current.connectors.webhook_timeout)
        self.records_table = QLineEdit(current.connectors.records_table)
        self.records_table.setPlaceholderText("the flow's own table")

        general = QFormLayout()
        general.addRow("Your name", self.name)
        general.addRow("Workspace folder", home_row)
        general.addRow("Run store", self.store)
        general.addRow("Theme", self.theme)
        models = QFormLayout()
        models.addRow("Ollama server", self.host)
        for role, box in self.role_models.items():
            models.addRow(f"Default {role} model", box)
        models.addRow("Embedding model", self.embedding)
        connectors = QFormLayout()
        connectors.addRow("Webhook timeout", self.webhook_timeout)
        connectors.addRow("Records table", self.records_table)

        layout = QVBoxLayout(self)
        layout.addWidget(self.problem)
        columns = QHBoxLayout()  # two columns: the whole form fits a 1280×800 screen
        left, right = QVBoxLayout(), QVBoxLayout()
        left.addWidget(_group("You and your workspace", general))
        left.addWidget(_group("Models", models))
        left.addStretch(1)
        right.addWidget(_group("Connector defaults", connectors))
        right.addWidget(self._secrets_group())
        right.addStretch(1)
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)
        layout.addLayout(columns)
        note = QLabel(f"Saved in {self.path}. Command-line flags and environment variables "
                      "(OLLAMA_HOST, JUNCTION_HOME, JUNCTION_STORE, JUNCTION_USER) still win over "
                      "these.")
        note.setWordWrap(True)
        note.setStyleSheet("color: #475467;")
        layout.addWidget(note)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setEnabled(self.loaded is not None)
        layout.addWidget(self.buttons)
        self.host.textChanged.connect(self._refresh_tokens)
        self._refresh_tokens()

    def _model_box(self, value: str, hints: list[str]) -> QComboBox:
        box = QComboBox()
        box.setEditable(True)
        box.addItems(hints)
        box.setCurrentText(value)
        box.lineEdit().setPlaceholderText("the flow decides")
        guard_wheel(box)
        return box

    def _secrets_group(self) -> QGroupBox:
        self.backend = secrets.backend()
        form = QFormLayout()
        self.keyring_note = QLabel()
        self.keyring_note.setObjectName("keyringNote")
        self.keyring_note.setWordWrap(True)
        if not self.backend.available:
            self.keyring_note.setText(
                "No OS keyring is available on this machine, so tokens cannot be stored. "
                "Junction will not keep them in a plain-text file. Install and unlock a "
                "keyring (GNOME Keyring, KWallet, macOS Keychain, Windows Credential "
                "Manager), then open Settings again.")
            self.keyring_note.setStyleSheet("color: #B54708; background: #FFFAEB; padding: 8px;")
        else:
            self.keyring_note.setText(f"Tokens are kept in the OS keyring ({self.backend.name}), "
                                      "never in the settings file.")
            self.keyring_note.setStyleSheet("color: #475467;")
        self.host_token = TokenRow("Model host token", "host")
        form.addRow("Model host token", self.host_token)
        self.webhook_name = QLineEdit()
        self.webhook_name.setPlaceholderText("token name used by a webhook connector")
        self.webhook_name.setEnabled(self.backend.available)
        self.webhook_token = TokenRow("Webhook token", "webhook")
        form.addRow("Webhook token name", self.webhook_name)
        form.addRow("Webhook token", self.webhook_token)
        self.host_token.changed.connect(self._refresh_tokens)
        self.webhook_token.changed.connect(self._refresh_tokens)
        self.webhook_name.textChanged.connect(self._refresh_tokens)
        box = QGroupBox("Tokens")
        column = QVBoxLayout(box)
        column.addWidget(self.keyring_note)
        column.addLayout(form)
        return box

    def _refresh_tokens(self) -> None:
        host = self.host.text().strip() or settings.DEFAULTS_SHOWN["ollama.host"]
        self.host_token.show_key(host.rstrip("/"), self.backend.available)
        self.webhook_token.show_key(self.webhook_name.text().strip(), self.backend.available)

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Workspace folder", self.home.text())
        if folder:
            self.home.setText(folder)

    def edited(self) -> settings.Settings:
        """The form's values as settings (the first-run flag and the rest kept as loaded)."""
        base = self.loaded or settings.Settings()
        values = {
            "ollama.host": self.host.text().strip(),
            **{f"models.{role}": box.currentText().strip()
               for role, box in self.role_models.items()},
            "models.embedding": self.embedding.currentText().strip(),
            "workspace.home": self.home.text().strip(),
            "workspace.store": self.store.text().strip(),
            "person.name": self.name.text().strip(),
            "appearance.theme": self.theme.currentData(),
            "connectors.webhook_timeout": self.webhook_timeout.value(),
            "connectors.records_table": self.records_table.text().strip(),
        }
        for key, value in values.items():
            base = settings.with_value(base, key, value)
        return base

    def save(self) -> bool:
        """Write the file; any problem is shown in the dialog, which stays open."""
        try:
            settings.save(self.edited(), self.path)
        except InputError as exc:
            self.problem.setText(str(exc))
            self.problem.show()
            return False
        self.accept()
        return True


def _group(title: str, layout: QFormLayout) -> QGroupBox:
    box = QGroupBox(title)
    box.setLayout(layout)
    return box
