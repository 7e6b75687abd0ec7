"""Colours, sizes and the application style sheet in one place.

A small, calm palette (greys for structure; each step kind's accent is in its record in
designer.nodes) so that what stands out on a busy canvas is what matters: the selected
step, problems, and the autonomy stage.

Every colour in the designer is written once, for the light theme. In the dark theme the
same colours are *mirrored* on the way out (`color`, `css`): lightness is flipped, hue
and saturation are kept, so dark ink becomes light ink, white surfaces become near-black,
pale tints become deep ones and mid-tone accents stay as they are. One rule instead of a
second palette means a colour added anywhere is readable in both themes, and painting
code only has to ask `theme.color(...)` instead of `QColor(...)`.
(`designer.appearance` switches the theme and restyles what is already on screen.)
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QWidget

RESOURCES = Path(__file__).resolve().parent / "resources"

FONT_FAMILY = "DejaVu Sans"

INK = "#101828"
INK_SOFT = "#475467"
INK_FAINT = "#98A2B3"
LINE = "#D0D5DD"
LINE_SOFT = "#EAECF0"
SURFACE = "#FFFFFF"
CANVAS = "#F6F7F9"
GRID_DOT = "#D5D9E0"
SELECTION = "#1570EF"
DANGER = "#D92D20"
SUCCESS = "#079455"

AUTONOMY = {
    "observe": ("Observe", "#475467", "AI suggests; a person decides every step"),
    "copilot": ("Co-pilot", "#1570EF", "low-risk allowed changes go through; the rest go "
                "to a person"),
    "operate": ("Operate", "#079455", "everything inside the guardrails goes through"),
}


_DARK = [False]
# Lightness in the dark theme: white → 0.11 (the darkest surface), the darkest ink → ~0.85.
_DARK_FLOOR, _DARK_SPAN = 0.11, 0.83


def is_dark() -> bool:
    return _DARK[0]


def set_dark(dark: bool) -> None:
    """Switch the mirror on or off (`designer.appearance.apply` also restyles the screen)."""
    _DARK[0] = dark
    _mirrored_hex.cache_clear()


def color(value: QColor | str) -> QColor:
    """The colour to paint with in the current theme (use instead of `QColor(...)`)."""
    source = QColor(value)
    if not _DARK[0] or not source.isValid():
        return source
    return mirror(source)


def mirror(source: QColor) -> QColor:
    """The dark-theme counterpart of a light-theme colour: lightness flipped, hue kept."""
    lightness = _DARK_FLOOR + _DARK_SPAN * (1.0 - source.lightnessF())
    return QColor.fromHslF(source.hslHueF(), source.hslSaturationF(), lightness,
                           source.alphaF())


@functools.lru_cache(maxsize=512)
def _mirrored_hex(hex_code: str) -> str:
    return color(hex_code).name()


_HEX = re.compile(r"#[0-9A-Fa-f]{6}\b")
_RGBA = re.compile(r"rgba\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*,")
_WHITE_BACKGROUND = re.compile(r"(background(?:-color)?\s*:\s*)white\b")


def css(text: str) -> str:
    """A style sheet or rich text written for the light theme, in the current theme: every
    #RRGGBB, rgba() and `background: white` is mirrored in the dark theme (text colours
    named `white` stay white: they sit on accent fills, which keep their lightness)."""
    if not _DARK[0] or not text:
        return text
    text = _HEX.sub(lambda m: _mirrored_hex(m.group(0).lower()), text)
    text = _WHITE_BACKGROUND.sub(lambda m: m.group(1) + _mirrored_hex("#ffffff"), text)
    return _RGBA.sub(lambda m: "rgba({}, {}, {},".format(*_rgb(_mirrored_hex(
        "#{:02x}{:02x}{:02x}".format(*(int(g) for g in m.groups()))))), text)


def _rgb(hex_code: str) -> tuple[int, int, int]:
    c = QColor(hex_code)
    return c.red(), c.green(), c.blue()


def tint(value: QColor | str, alpha: int) -> QColor:
    tinted = color(value)
    tinted.setAlpha(alpha)
    return tinted


def css_rgba(value: QColor | str, alpha: int) -> str:
    """A colour with transparency for style sheets (which read #AARRGGBB unreliably);
    written for the light theme like every style sheet (`css` mirrors it)."""
    c = QColor(value)
    return f"rgba({c.red()}, {c.green()}, {c.blue()}, {alpha})"


CARD_BACKGROUND = "#FCFCFD"


def style_as_card(widget: QWidget, object_name: str) -> None:
    """The soft bordered card every repeated group in the property panel sits in (a case
    field, an option, a comparison, a nested setting)."""
    widget.setObjectName(object_name)
    widget.setStyleSheet(f"#{object_name} {{ background: {CARD_BACKGROUND}; border: 1px "
                         f"solid {LINE_SOFT}; border-radius: 8px; }}")


@functools.lru_cache(maxsize=64)
def font(point_size: float, bold: bool = False) -> QFont:
    """A font of the designer's family; cached, and made on first use (not at import)."""
    result = QFont(FONT_FAMILY)
    result.setPointSizeF(point_size)
    result.setBold(bold)
    return result


def style_sheet() -> str:
    """The application style sheet in the current theme (a function: it names files
    inside the package)."""
    return css(_light_style_sheet())


def _light_style_sheet() -> str:
    chevron = (RESOURCES / "chevron-down.svg").as_posix()
    chevron_up = (RESOURCES / "chevron-up.svg").as_posix()
    return STYLE_SHEET + f"""
QComboBox {{ padding-right: 22px; }}
QComboBox::drop-down {{ subcontrol-origin: padding; subcontrol-position: center right;
                        width: 22px; border: none; }}
QComboBox::down-arrow {{ image: url("{chevron}"); width: 10px; height: 10px; }}
QComboBox QAbstractItemView {{ background: {SURFACE}; border: 1px solid {LINE};
    selection-background-color: #EFF8FF; selection-color: {INK}; outline: none; }}
QAbstractSpinBox {{ padding-right: 20px; }}
QAbstractSpinBox::up-button {{ subcontrol-origin: border; subcontrol-position: top right;
                               width: 18px; border: none; }}
QAbstractSpinBox::down-button {{ subcontrol-origin: border; subcontrol-position: bottom right;
                                 width: 18px; border: none; }}
QAbstractSpinBox::up-arrow {{ image: url("{chevron_up}"); width: 9px; height: 9px; }}
QAbstractSpinBox::down-arrow {{ image: url("{chevron}"); width: 9px; height: 9px; }}
"""


STYLE_SHEET = f"""
QMainWindow, QDialog {{ background: {CANVAS}; }}
QScrollBar:vertical {{ background: transparent; width: 10px; margin: 0; }}
QScrollBar:horizontal {{ background: transparent; height: 10px; margin: 0; }}
QScrollBar::handle {{ background: #D0D5DD; border-radius: 4px; min-height: 24px;
                      min-width: 24px; margin: 2px; }}
QScrollBar::handle:hover {{ background: #98A2B3; }}
QScrollBar::add-line, QScrollBar::sub-line {{ width: 0; height: 0; }}
QScrollBar::add-page, QScrollBar::sub-page {{ background: transparent; }}
#propertyBody {{ background: {SURFACE}; }}
QPushButton[small="true"] {{ padding: 2px 0; min-width: 24px; max-width: 26px; }}
QWidget {{ color: {INK}; font-family: "{FONT_FAMILY}"; font-size: 9pt; }}
QToolBar {{ background: {SURFACE}; border: none; border-bottom: 1px solid {LINE};
            spacing: 6px; padding: 4px 8px; }}
QToolBar QToolButton {{ padding: 4px 8px; border-radius: 6px; }}
QToolBar QToolButton:hover {{ background: {LINE_SOFT}; }}
QDockWidget {{ font-weight: bold; titlebar-close-icon: none; }}
QDockWidget::title {{ background: {SURFACE}; padding: 8px 10px;
                      border-bottom: 1px solid {LINE_SOFT}; text-align: left; }}
QStatusBar {{ background: {SURFACE}; border-top: 1px solid {LINE}; color: {INK_SOFT}; }}
QLineEdit, QPlainTextEdit, QTextEdit, QSpinBox, QDoubleSpinBox, QComboBox {{
    background: {SURFACE}; border: 1px solid {LINE}; border-radius: 6px; padding: 3px 6px;
    selection-background-color: {SELECTION}; }}
QLineEdit:focus, QPlainTextEdit:focus, QSpinBox:focus, QDoubleSpinBox:focus,
QComboBox:focus {{ border: 1px solid {SELECTION}; }}
QLineEdit[invalid="true"], QPlainTextEdit[invalid="true"], QComboBox[invalid="true"] {{
    border: 1px solid {DANGER}; background: #FFFBFA; }}
QPushButton {{ background: {SURFACE}; border: 1px solid {LINE}; border-radius: 6px;
               padding: 5px 12px; }}
QPushButton:hover {{ background: {LINE_SOFT}; }}
QPushButton[primary="true"] {{ background: {SELECTION}; color: white; border: none;
                               font-weight: bold; }}
QPushButton[primary="true"]:hover {{ background: #175CD3; }}
QPushButton[flat="true"] {{ border: none; background: transparent; color: {SELECTION}; }}
QLabel[role="caption"] {{ color: {INK_SOFT}; font-size: 8pt; }}
QLabel[role="error"] {{ color: {DANGER}; font-size: 8pt; }}
QLabel[role="section"] {{ color: {INK_SOFT}; font-size: 8pt; font-weight: bold;
                          letter-spacing: 1px; }}
QLabel[role="heading"] {{ font-size: 12pt; font-weight: bold; }}
QTreeWidget, QListWidget, QTableWidget {{ background: {SURFACE}; border: none;
    alternate-background-color: #FAFBFC; }}
QTreeWidget::item, QListWidget::item {{ padding: 3px 2px; }}
QTreeWidget::item:selected, QListWidget::item:selected, QTableWidget::item:selected {{
    background: #EFF8FF; color: {INK}; }}
QHeaderView::section {{ background: {SURFACE}; border: none;
    border-bottom: 1px solid {LINE_SOFT}; padding: 4px 6px; color: {INK_SOFT};
    font-size: 8pt; font-weight: bold; }}
QScrollArea {{ border: none; background: {SURFACE}; }}
QGroupBox {{ border: 1px solid {LINE_SOFT}; border-radius: 8px; margin-top: 14px;
             padding: 10px 8px 8px 8px; font-weight: bold; background: #FCFCFD; }}
QGroupBox::title {{ subcontrol-origin: margin; left: 10px; padding: 0 4px; color: {INK_SOFT}; }}
QSlider::groove:horizontal {{ height: 4px; background: {LINE}; border-radius: 2px; }}
QSlider::handle:horizontal {{ background: {SURFACE}; border: 2px solid {SELECTION};
                              width: 12px; margin: -6px 0; border-radius: 8px; }}
QTabWidget::pane {{ border: none; }}
QTabBar::tab {{ padding: 6px 12px; border: none; color: {INK_SOFT}; }}
QTabBar::tab:selected {{ color: {INK}; border-bottom: 2px solid {SELECTION}; }}
QMenu {{ background: {SURFACE}; border: 1px solid {LINE}; padding: 4px; }}
QMenu::item {{ padding: 5px 24px 5px 12px; border-radius: 4px; }}
QMenu::item:selected {{ background: #EFF8FF; color: {INK}; }}
QMenu::item:disabled {{ color: {INK_FAINT}; }}
QToolTip {{ background: {INK}; color: {SURFACE}; border: none; padding: 6px; }}
"""
