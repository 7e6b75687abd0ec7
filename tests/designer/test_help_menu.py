"""Help menu: the guide read offline in the app, the shortcuts, About; toolbar icons."""

from __future__ import annotations

from PySide6.QtWidgets import QMenu

from designer.app.help_menu import (
    AboutDialog,
    ReadmeViewer,
    ShortcutsDialog,
    readme_sections,
    shortcut_rows,
)


def _help_texts(window):
    menu = window.menuBar().findChild(QMenu, "menu_help")
    return [a.text().replace("&", "") for a in menu.actions() if not a.isSeparator()]


def test_the_help_menu_links_guide_shortcuts_tour_diagnostics_and_about(window):
    assert _help_texts(window) == ["User Guide…", "Keyboard Shortcuts…", "Getting Started…",
                                   "Diagnostics…", "About Junction"]


def test_readme_sections_split_at_headings_but_not_inside_code_blocks():
    text = "# Junction\nintro\n## Set up\n```\n## not a heading\n```\n## Designer\nmore\n"
    sections = readme_sections(text)
    assert [s.title for s in sections] == ["Overview", "Set up", "Designer"]
    assert "## not a heading" in sections[1].text


def test_the_user_guide_opens_in_the_app_on_the_chosen_section(window, qtbot):
    window.findChild(type(window.actions_["save"]), "action_user_guide").trigger()
    viewer = window.findChild(ReadmeViewer)
    assert viewer.isVisible()
    titles = [viewer.index.item(i).text() for i in range(viewer.index.count())]
    assert "Designer" in titles and "Guardrails and autonomy" in titles
    viewer.index.setCurrentRow(titles.index("Designer"))
    assert viewer.page.toPlainText().startswith("Designer")
    viewer.close()


def test_a_missing_readme_says_so_instead_of_failing(qtbot, tmp_path):
    viewer = ReadmeViewer(readme=tmp_path / "README.md")
    qtbot.addWidget(viewer)
    assert "not part of this installation" in viewer.page.toPlainText()


def test_shortcuts_list_comes_from_the_menus(window, qtbot):
    rows = dict(shortcut_rows(window.menuBar()))
    assert rows["Save"] == "Ctrl+S"
    assert rows["Fit to Window"] == "Ctrl+0"
    assert rows["User Guide"] == "F1"
    dialog = ShortcutsDialog(list(rows.items()))
    qtbot.addWidget(dialog)
    assert dialog.table.rowCount() == len(rows)


def test_about_names_versions_and_licence(qtbot):
    import platform

    from PySide6.QtCore import qVersion

    dialog = AboutDialog()
    qtbot.addWidget(dialog)
    text = dialog.text.text()
    assert f"Python {platform.python_version()}" in text
    assert f"Qt {qVersion()}" in text and "Licence: Apache-2.0" in text


def test_toolbar_buttons_have_icons(window):
    for name in ("save", "undo", "redo", "zoom_in", "zoom_out", "zoom_fit", "tidy"):
        action = window.actions_[name]
        assert not action.icon().isNull(), name
        assert not action.icon().pixmap(16, 16).isNull(), name
