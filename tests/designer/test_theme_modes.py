"""Light, dark and "follow the system": applied at start-up, live from Settings, readable."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QLabel

from designer import appearance, theme
from designer.preferences.settings_dialog import SettingsDialog
from runtime import settings


@pytest.fixture(autouse=True)
def _no_theme_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JUNCTION_THEME", raising=False)


def _window_lightness() -> float:
    return QApplication.palette().color(QPalette.ColorRole.Window).lightnessF()


def _contrast(a: QColor, b: QColor) -> float:
    """WCAG contrast ratio of two colours (1 … 21)."""
    def luminance(c: QColor) -> float:
        def channel(v: float) -> float:
            return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4
        return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) \
            + 0.0722 * channel(c.blueF())
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_saved_dark_theme_is_applied_at_start_up(qapp) -> None:
    settings.save(settings.with_value(settings.Settings(), "appearance.theme", "dark"))
    appearance.start(qapp)  # the launch frame: no settings file read yet
    assert not theme.is_dark()
    appearance.apply_saved(qapp)  # open_designer, once the runtime is loading
    assert theme.is_dark()
    assert _window_lightness() < 0.3


def test_the_environment_variable_wins_over_the_file(qapp, monkeypatch) -> None:
    settings.save(settings.with_value(settings.Settings(), "appearance.theme", "dark"))
    monkeypatch.setenv("JUNCTION_THEME", "light")
    appearance.apply_saved(qapp)
    assert not theme.is_dark() and _window_lightness() > 0.9
    monkeypatch.setenv("JUNCTION_THEME", "dark")
    appearance.start(qapp)  # the variable is known before anything is imported
    assert theme.is_dark()


def test_follow_the_system_reads_the_platform_scheme(qapp, monkeypatch) -> None:
    monkeypatch.setattr(appearance, "system_is_dark", lambda: True)
    assert appearance.apply("system", qapp) is True
    monkeypatch.setattr(appearance, "system_is_dark", lambda: False)
    assert appearance.apply("system", qapp) is False


def test_widgets_already_on_screen_switch_and_switch_back_exactly(qtbot) -> None:
    label = QLabel("a card")
    qtbot.addWidget(label)
    written = "background: #FFFFFF; color: #101828; border: 1px solid rgba(16, 24, 40, 30);"
    label.setStyleSheet(written)
    label.show()
    appearance.apply("dark")
    dark_sheet = label.styleSheet()
    assert "#FFFFFF" not in dark_sheet.upper() and "#101828" not in dark_sheet
    background = QColor(dark_sheet.split("background: ")[1][:7])
    assert background.lightnessF() < 0.2
    appearance.apply("light")
    assert label.styleSheet() == written


def test_a_widget_made_while_dark_is_dark_too(qtbot) -> None:
    appearance.apply("dark")
    label = QLabel("new")
    qtbot.addWidget(label)
    label.setStyleSheet("background: white; color: #475467;")
    label.show()
    qtbot.waitUntil(lambda: "white" not in label.styleSheet())
    assert QColor(label.styleSheet().split("color: ")[1][:7]).lightnessF() > 0.5


def test_text_stays_readable_on_every_surface_in_both_themes(qapp) -> None:
    for mode in ("light", "dark"):
        appearance.apply(mode, qapp)
        for ink in (theme.INK, theme.INK_SOFT, theme.SELECTION, theme.DANGER):
            for surface in (theme.SURFACE, theme.CANVAS, theme.CARD_BACKGROUND):
                ratio = _contrast(theme.color(ink), theme.color(surface))
                assert ratio >= 3.0, f"{mode}: {ink} on {surface} has contrast {ratio:.1f}"


@given(st.integers(0, 255), st.integers(0, 255), st.integers(0, 255))
def test_dark_ink_becomes_light_and_light_fills_become_dark(red, green, blue) -> None:
    source = QColor(red, green, blue)
    mirrored = theme.mirror(source)
    if source.lightnessF() > 0.6:
        assert mirrored.lightnessF() < 0.45
    if source.lightnessF() < 0.4:
        assert mirrored.lightnessF() > 0.55
    assert abs(mirrored.alpha() - source.alpha()) <= 1


def test_choosing_dark_in_settings_shows_it_at_once_and_cancel_puts_it_back(qtbot) -> None:
    dialog = SettingsDialog()
    qtbot.addWidget(dialog)
    dialog.theme.setCurrentIndex(dialog.theme.findData("dark"))
    assert theme.is_dark() and _window_lightness() < 0.3
    dialog.reject()
    assert not theme.is_dark() and _window_lightness() > 0.9


def test_saving_dark_keeps_it_and_the_file_says_so(qtbot) -> None:
    dialog = SettingsDialog()
    qtbot.addWidget(dialog)
    dialog.theme.setCurrentIndex(dialog.theme.findData("dark"))
    assert dialog.save()
    assert settings.load().appearance.theme == "dark"
    assert theme.is_dark()


def test_junction_config_before_designer_is_the_file_the_designer_reads(
        qtbot, qapp, tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    from designer.inbox.identity import decider_name
    from runtime.cli.main import main

    monkeypatch.delenv("JUNCTION_USER", raising=False)
    team = tmp_path / "team.toml"
    team.write_text('[person]\nname = "Ana Lima"\n\n[appearance]\ntheme = "dark"\n')
    seen: dict[str, object] = {}

    def open_designer(flow):  # what run_app does first, without entering the event loop
        appearance.apply_saved(qapp)
        dialog = SettingsDialog()
        qtbot.addWidget(dialog)
        seen.update(path=dialog.path, name=dialog.name.text(), decider=decider_name(),
                    dark=theme.is_dark())
        return 0

    monkeypatch.setattr("designer.app.application.run_app", open_designer)
    assert main(["--config", str(team), "designer"]) == 0
    assert seen == {"path": team, "name": "Ana Lima", "decider": "Ana Lima", "dark": True}
    monkeypatch.setenv("JUNCTION_USER", "Bo")  # the environment still wins over the file
    assert decider_name() == "Bo"
