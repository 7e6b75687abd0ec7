"""Settings dialog, diagnostics window and first-run screen, as a person would use them."""

from __future__ import annotations

from pathlib import Path

import pytest
from designer_testkit import wheel
from PySide6.QtCore import Qt

from designer import preferences
from designer.preferences.first_run import FirstRunDialog, ModelSituation, should_show
from designer.preferences.settings_dialog import SettingsDialog
from runtime import settings


@pytest.fixture(autouse=True)
def _no_ollama(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing listens on port 9: looking for Ollama answers at once, off the network."""
    monkeypatch.setenv("OLLAMA_HOST", "http://127.0.0.1:9")


@pytest.fixture
def config() -> Path:
    return settings.config_path()  # the suite gives every test its own file


def test_the_dialog_saves_what_was_typed_into_the_shared_file(qtbot, config: Path,
                                                                memory_keyring) -> None:
    dialog = SettingsDialog()
    qtbot.addWidget(dialog)
    dialog.name.setText("Ana Lima")
    dialog.host.setText("http://gpu-box:11434")
    dialog.role_models["assist"].setCurrentText("llamacpp:bundled")
    dialog.theme.setCurrentIndex(2)
    dialog.webhook_timeout.setValue(30)
    assert dialog.save()
    saved = settings.load()
    assert saved.person.name == "Ana Lima"
    assert saved.ollama.host == "http://gpu-box:11434"
    assert saved.models.assist == "llamacpp:bundled"
    assert saved.appearance.theme == "dark"
    assert saved.connectors.webhook_timeout == 30
    again = SettingsDialog()
    qtbot.addWidget(again)
    assert again.name.text() == "Ana Lima" and again.theme.currentData() == "dark"


def test_the_run_store_is_chosen_in_the_dialog_and_a_bad_one_is_refused(
        qtbot, config: Path, memory_keyring) -> None:
    dialog = SettingsDialog()
    qtbot.addWidget(dialog)
    assert dialog.store.text() == "" and "own file" in dialog.store.placeholderText()
    dialog.store.setText("mysql://team@db/junction")
    assert not dialog.save()  # the dialog stays open and says why
    assert "workspace.store" in dialog.problem.text() and "postgresql://" in dialog.problem.text()
    dialog.store.setText("postgresql://team@db.example/junction")
    assert dialog.save()
    assert settings.load().workspace.store == "postgresql://team@db.example/junction"
    again = SettingsDialog()
    qtbot.addWidget(again)
    assert again.store.text() == "postgresql://team@db.example/junction"


def test_an_unreadable_file_is_explained_and_never_overwritten(qtbot, config: Path,
                                                               memory_keyring) -> None:
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('[person]\nname = "Ana"\nage = 3\n')
    dialog = SettingsDialog()
    qtbot.addWidget(dialog)
    assert not dialog.save_button.isEnabled()
    assert f"{config}:3: unknown setting 'person.age'" in dialog.problem.text()
    assert not dialog.save()
    assert config.read_text() == '[person]\nname = "Ana"\nage = 3\n'


def test_a_stray_wheel_over_an_unfocused_combo_changes_nothing(qtbot, memory_keyring) -> None:
    dialog = SettingsDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.name.setFocus()
    before = dialog.theme.currentIndex()
    wheel(dialog.theme)
    wheel(dialog.webhook_timeout)
    assert dialog.theme.currentIndex() == before
    assert dialog.webhook_timeout.value() == 10
    assert dialog.theme.focusPolicy() == Qt.FocusPolicy.StrongFocus


def test_tokens_are_shown_masked_and_can_be_removed(qtbot, memory_keyring) -> None:
    dialog = SettingsDialog()
    qtbot.addWidget(dialog)
    dialog.host.setText("http://gpu-box:11434")
    dialog.host_token.store("host-token-abcd1234")
    assert dialog.host_token.shown.text() == "••••••••1234"
    assert "abcd" not in dialog.host_token.shown.text()
    assert ("junction", "ollama:http://gpu-box:11434") in memory_keyring.secrets
    dialog.webhook_name.setText("crm")
    dialog.webhook_token.store("webhook-secret-77aa")
    assert dialog.webhook_token.shown.text().endswith("77aa")
    assert dialog.webhook_token.remove_button.isEnabled()
    dialog.webhook_token.remove()
    assert dialog.webhook_token.shown.text() == "(none stored)"
    assert ("junction", "crm") not in memory_keyring.secrets
    assert dialog.save()
    assert "host-token" not in settings.config_path().read_text()


def test_without_a_keyring_the_dialog_says_so_and_offers_no_fallback(qtbot, no_keyring) -> None:
    dialog = SettingsDialog()
    qtbot.addWidget(dialog)
    assert "No OS keyring" in dialog.keyring_note.text()
    assert "plain-text" in dialog.keyring_note.text()
    for row in (dialog.host_token, dialog.webhook_token):
        assert not row.set_button.isEnabled() and not row.remove_button.isEnabled()
    assert not dialog.webhook_name.isEnabled()


def test_the_diagnostics_window_lists_every_check(qtbot) -> None:
    window = preferences.DiagnosticsWindow()
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.done_checking, timeout=90_000):
        window.start()
    names = [window.table.item(row, 1).text() for row in range(window.table.rowCount())]
    assert {"Python", "Ollama", "keyring", "disk space"} <= set(names)
    ollama = next(c for c in window.checks if c.name == "Ollama")
    assert ollama.status.value == "warn"
    assert "ollama serve" in window.report_text()
    assert window.summary.text().startswith("Junction can work here")


NO_MODELS = ModelSituation(ollama_running=False, ollama_host="http://127.0.0.1:11434",
                           bundled_installed=True, problem="not running")


def test_first_run_explains_how_to_get_a_model_when_there_is_none(qtbot) -> None:
    dialog = FirstRunDialog()
    qtbot.addWidget(dialog)
    dialog.show_situation(NO_MODELS)
    text = dialog.status.text()
    assert "ollama pull" in text and "ollama.com/download" in text
    assert dialog.use_bundled.isEnabled() and dialog.use_demo.isEnabled()
    assert dialog.use_ollama.isHidden()
    dialog.show_situation(ModelSituation(bundled_installed=False))
    assert not dialog.use_bundled.isEnabled()


def test_choosing_a_model_saves_it_and_the_tour_ends_on_a_first_flow(qtbot) -> None:
    dialog = FirstRunDialog()
    qtbot.addWidget(dialog)
    dialog.show_situation(ModelSituation(ollama_running=True, ollama_host="h",
                                         ollama_models=["ollama:llama3.2:3b"]))
    assert dialog.use_ollama.text() == "Use ollama:llama3.2:3b"
    dialog.use_ollama.click()
    assert settings.load().models.assist == "ollama:llama3.2:3b"
    assert dialog.pages.currentIndex() == 1
    seen = []
    for _ in range(5):
        seen.append(dialog.stop_title.text())
        dialog.next.click()
    assert [s.split(". ")[1] for s in seen] == ["Design", "Run", "Inspect", "Inbox", "Metrics"]
    assert dialog.open_flow.isVisible() or not dialog.isVisible()
    assert dialog.stop_title.text() == "Your first flow"


def test_first_run_is_shown_once_and_again_from_help(window, qtbot) -> None:
    assert should_show()
    shown = preferences.first_run(window)
    assert shown is not None
    shown.use_demo.click()
    assert settings.load().models.assist == ""  # the demo changes no model
    shown.close()
    assert not should_show()
    assert preferences.first_run(window) is None
    help_menu = window.findChild(type(window.menuBar().actions()[0].menu()), "menu_help")
    names = [a.objectName() for a in help_menu.actions()]
    assert "action_getting_started" in names and "action_diagnostics" in names
    again = window.findChild(type(help_menu.actions()[0]), "action_getting_started")
    again.trigger()
    reopened = window.findChildren(FirstRunDialog)
    assert any(d.isVisible() for d in reopened)
    for dialog in reopened:
        dialog.close()


def test_the_suggested_flow_opens_from_the_tour(window, prompter, tmp_path) -> None:
    prompter.script("save_path", tmp_path / "my-triage" / "flow.yaml")
    dialog = preferences.open_first_run(window)
    dialog.use_demo.click()
    for _ in range(5):
        dialog.next.click()
    dialog.open_flow.click()
    assert not window.on_start_page()
    assert window.session.document.flow().name == "Support triage"
    assert (tmp_path / "my-triage" / "flow.yaml").exists()


def test_settings_is_in_the_edit_menu(window) -> None:
    action = window.findChild(type(window.actions_["undo"]), "action_settings")
    assert action is not None
    action.trigger()
    dialogs = window.findChildren(SettingsDialog)
    assert dialogs and dialogs[0].isVisible()
    for dialog in dialogs:
        dialog.close()


def test_tour_stops_show_commands_in_monospace_not_backticks(qtbot) -> None:
    from PySide6.QtGui import QTextDocument

    dialog = FirstRunDialog()
    qtbot.addWidget(dialog)
    dialog.show_stop(1)  # "Run" names `junction batch …`
    shown = QTextDocument()
    shown.setHtml(dialog.stop_text.text())
    assert "junction batch FLOW --cases cases.jsonl" in shown.toPlainText()
    assert "`" not in shown.toPlainText()
    assert "<code>junction batch" in dialog.stop_text.text()


def test_the_first_run_look_works_in_a_fresh_process() -> None:
    """`diagnostics.models` was only there if something else had imported it first: a fresh
    designer's first-run worker failed with AttributeError and never said what it found."""
    import os
    import subprocess
    import sys

    code = ("from designer.preferences.first_run import look_for_models\n"
            "found = look_for_models()\n"
            "print(found.ollama_running, found.ollama_host)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=False,
                          env={**os.environ, "OLLAMA_HOST": "http://127.0.0.1:9",
                               "QT_QPA_PLATFORM": "offscreen",  # this checkout's code:
                               "PYTHONPATH": str(Path(__file__).resolve().parents[2])})
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "http://127.0.0.1:9"]
