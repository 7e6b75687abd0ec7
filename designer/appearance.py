"""Light, dark or "follow the system": applied at start-up and live from Settings.

`start(app)` is the one call the application makes: Fusion style, the palette and the
style sheet for the theme the settings file (or `JUNCTION_THEME`) asks for. `apply(mode)`
switches while windows are open (the settings dialog previews with it):

- the Fusion palette and the application style sheet are rebuilt (`designer.theme`
  writes every colour for the light theme and mirrors it in the dark one);
- widgets that carry their own style sheet are restyled from the light text they were
  given (kept in a property, so switching back and forth never drifts), and an event
  filter does the same for widgets created or restyled later while the theme is dark;
- everything painted by hand asks `theme.color()` at paint time, so a repaint is enough.

"system" reads `QStyleHints.colorScheme()` (Qt 6.5+) and follows it when it changes; a
platform that does not say (offscreen, a bare X server) counts as light.
"""

from __future__ import annotations

import os

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QWidget

from designer import theme

MODES = ("system", "light", "dark")
_SOURCE = "junctionLightStyleSheet"  # the style sheet as the code wrote it (light theme)
_SHOWN = "junctionShownStyleSheet"  # what we set from it, to tell our own change apart


def saved_mode() -> str:
    """The theme asked for: `JUNCTION_THEME`, else the settings file, else "system".
    An unreadable settings file is reported by the settings dialog; here it is "system"."""
    from runtime.api import settings  # pydantic: not before the launch frame has painted

    try:
        mode = str(settings.value("appearance.theme"))
    except settings.SettingsError:
        return "system"
    return mode if mode in MODES else "system"


def system_is_dark() -> bool:
    hints = QGuiApplication.styleHints()
    return hints is not None and hints.colorScheme() == Qt.ColorScheme.Dark


def resolve(mode: str) -> bool:
    """True when `mode` means dark on this machine now."""
    return mode == "dark" or (mode == "system" and system_is_dark())


class _Appearance(QObject):
    """Keeps the chosen mode, follows the system when asked, restyles new widgets."""

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self.app = app
        self.mode = "system"
        self.filtering = False
        self.applying = False  # our own setColorScheme must not re-enter apply
        hints = QGuiApplication.styleHints()
        if hints is not None:
            hints.colorSchemeChanged.connect(self._system_changed)

    def _system_changed(self, _scheme: Qt.ColorScheme) -> None:
        if self.mode == "system" and not self.applying:
            apply(self.mode)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.Polish, QEvent.Type.StyleChange) \
                and isinstance(watched, QWidget):
            restyle(watched)
        return False


def _controller(app: QApplication) -> _Appearance:
    found = app.findChild(_Appearance)
    return found if isinstance(found, _Appearance) else _Appearance(app)


def start(app: QApplication) -> None:
    """Before the launch frame: Fusion and the theme known without reading the settings
    file (`JUNCTION_THEME`, else the system's scheme), so the first paint imports no
    pydantic; `apply_saved` follows once the designer itself is loading."""
    app.setStyle("Fusion")
    variable = os.environ.get("JUNCTION_THEME", "")
    apply(variable if variable in MODES else "system", app)


def apply_saved(app: QApplication | None = None) -> bool:
    """The theme the settings file (or `JUNCTION_THEME`) asks for; True when dark."""
    return apply(saved_mode(), app)


def apply(mode: str, app: QApplication | None = None) -> bool:
    """Switch to `mode` ("system", "light" or "dark") now; returns True when dark."""
    app = app or _application()
    controller = _controller(app)
    controller.mode = mode if mode in MODES else "system"
    controller.applying = True
    try:
        _ask_platform(controller.mode)
    finally:
        controller.applying = False
    dark = resolve(controller.mode)
    theme.set_dark(dark)
    app.setPalette(palette())
    app.setStyleSheet(theme.style_sheet())
    if dark and not controller.filtering:
        app.installEventFilter(controller)
        controller.filtering = True
    elif not dark and controller.filtering:
        app.removeEventFilter(controller)
        controller.filtering = False
    for widget in app.allWidgets():
        restyle(widget)
        widget.update()
    return dark


def _application() -> QApplication:
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        raise RuntimeError("the designer's QApplication does not exist yet")
    return app


def _ask_platform(mode: str) -> None:
    """Tell the platform (window frames, native dialogs) which scheme we show (Qt 6.8+)."""
    hints = QGuiApplication.styleHints()
    if hints is None or not hasattr(hints, "setColorScheme"):
        return
    hints.setColorScheme({"light": Qt.ColorScheme.Light, "dark": Qt.ColorScheme.Dark}.get(
        mode, Qt.ColorScheme.Unknown))  # Unknown: the platform's own choice again


def restyle(widget: QWidget) -> None:
    """Show a widget's own style sheet in the current theme (idempotent)."""
    sheet = widget.styleSheet()
    if not sheet and not widget.property(_SOURCE):
        return
    source = widget.property(_SOURCE) if sheet == widget.property(_SHOWN) else sheet
    shown = theme.css(source)
    widget.setProperty(_SOURCE, source)
    widget.setProperty(_SHOWN, shown)
    if shown != sheet:
        widget.setStyleSheet(shown)


def palette() -> QPalette:
    """The Fusion palette from the designer's colours, in the current theme."""
    roles = {
        QPalette.ColorRole.Window: theme.CANVAS,
        QPalette.ColorRole.WindowText: theme.INK,
        QPalette.ColorRole.Base: theme.SURFACE,
        QPalette.ColorRole.AlternateBase: "#FAFBFC",
        QPalette.ColorRole.Text: theme.INK,
        QPalette.ColorRole.PlaceholderText: theme.INK_FAINT,
        QPalette.ColorRole.Button: theme.SURFACE,
        QPalette.ColorRole.ButtonText: theme.INK,
        QPalette.ColorRole.BrightText: theme.SURFACE,
        QPalette.ColorRole.ToolTipBase: theme.INK,
        QPalette.ColorRole.ToolTipText: theme.SURFACE,
        QPalette.ColorRole.Highlight: theme.SELECTION,
        QPalette.ColorRole.Link: theme.SELECTION,
        QPalette.ColorRole.Light: theme.SURFACE,
        QPalette.ColorRole.Midlight: theme.LINE_SOFT,
        QPalette.ColorRole.Mid: theme.LINE,
        QPalette.ColorRole.Dark: theme.INK_FAINT,
        QPalette.ColorRole.Shadow: theme.INK_SOFT,
    }
    result = QPalette()
    for role, value in roles.items():
        result.setColor(role, theme.color(value))
    result.setColor(QPalette.ColorRole.HighlightedText, QColor("white"))
    faint = theme.color(theme.INK_FAINT)
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.WindowText,
                 QPalette.ColorRole.ButtonText):
        result.setColor(QPalette.ColorGroup.Disabled, role, faint)
    return result
