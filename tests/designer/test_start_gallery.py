"""The start page's template cards reflow to the window's width: at 1280×800 no card is
cut off at the window's edge, and a wider window shows more cards per row."""

from __future__ import annotations

from PySide6.QtCore import QPoint


def _cards_cut_off(window) -> list[str]:
    page = window.start_page
    width = page.viewport().width()
    cut = []
    for card in window.start_page.gallery.cards:
        right = card.mapTo(page.viewport(), QPoint(card.width(), 0)).x()
        if right > width:  # rows below the fold scroll into view; a cut-off column never does
            cut.append(f"card at x={right}")
    return cut


def test_no_template_card_is_cut_off_at_1280_and_wider_windows_use_more_columns(window, qtbot):
    assert window.on_start_page()
    window.resize(1280, 800)
    qtbot.waitUntil(lambda: window.start_page.gallery.columns() == 2)
    qtbot.wait(50)
    assert _cards_cut_off(window) == []
    assert window.start_page.horizontalScrollBar().maximum() == 0
    window.resize(1700, 900)
    qtbot.waitUntil(lambda: window.start_page.gallery.columns() == 3)
    window.resize(800, 700)
    qtbot.waitUntil(lambda: window.start_page.gallery.columns() == 1)
    qtbot.wait(50)
    assert _cards_cut_off(window) == []
