"""The main window: palette, canvas, property panel, problems, toolbar and menus.

It assembles the parts and connects their signals; the editing itself lives in the
document/editor, the file handling in `FlowSession` and `FileController`, the canvas and
its gestures in `canvas/` (`FlowEditWidget` is the Design view). The central `ViewArea`
shows one view at a time — the start page or Design — with that view's docks and bars.
Each window edits one flow; File ▸ New Window opens another (copy and paste work between
them through the system clipboard).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QCursor
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QMainWindow,
    QMenu,
    QSizePolicy,
    QToolBar,
    QWidget,
)

from designer import preferences, theme
from designer.app import actions, clipboard, context_menu, help_menu, run_actions
from designer.app.autosave import Autosaver
from designer.app.evidence import install_evidence_views
from designer.app.files import FileController
from designer.app.panes import Panes
from designer.app.session import FlowSession
from designer.app.startpage import StartPage
from designer.app.templates import find_templates
from designer.app.toolbar import AutonomySwitch, FindBox, ModelBox, find_node
from designer.app.views import View, ViewArea, ViewRail
from designer.canvas.edge_item import recheck_routes
from designer.canvas.edit_widget import FlowEditWidget
from designer.canvas.minimap import Minimap
from designer.compare.view import CompareView
from designer.document.errors import DocumentError
from designer.document.fragment import duplicate
from designer.document.layout import tidy_positions
from designer.inbox.badge import TaskBadge
from designer.inbox.identity import decider_name
from designer.inbox.view import InboxView
from designer.inbox.workspace_link import WorkspaceLink
from designer.inspector import InspectorView
from designer.panels.palette import PaletteWidget
from designer.panels.problems import ProblemsPanel
from designer.panels.properties.panel import PropertyPanel
from runtime.api import open_run_store

if TYPE_CHECKING:
    from designer.app.application import DesignerApp

PROBLEMS_HEIGHT = 150  # the problems dock, fixed: about four rows under its summary
CANVAS_ACTIONS = ("cut", "copy", "paste", "duplicate", "delete", "select_all")


class MainWindow(QMainWindow):
    recent_menu: QMenu

    def __init__(self, app: DesignerApp, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self.setObjectName("mainWindow")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(1280, 800)
        self.session = FlowSession(self)
        self.autosaver = Autosaver(self.session, app.settings.autosave_folder)
        self.design = FlowEditWidget(self.session.editor)
        self.scene, self.view = self.design.scene, self.design.view
        self.minimap = Minimap(self.view, self.session.document.changed,
                               self.session.document.reset)
        self.session.document.changed.connect(lambda: recheck_routes(self.scene))
        self.templates = find_templates(app.settings.templates_folder)
        self.files = FileController(self.session, app.prompter, app.settings, self.templates,
                                    self)
        self.start_page = StartPage(self.templates, app.settings.recent_files())
        self.area = ViewArea()
        self.setCentralWidget(self.area)
        self.step_palette = PaletteWidget()
        self.properties = PropertyPanel(self.session)
        self.problems = ProblemsPanel(self.session)
        self.docks = [
            self._dock("Steps", self.step_palette, Qt.DockWidgetArea.LeftDockWidgetArea, 224),
            self._dock("Properties", self.properties, Qt.DockWidgetArea.RightDockWidgetArea,
                       372),
            self._dock("Problems", self.problems, Qt.DockWidgetArea.BottomDockWidgetArea, 0),
        ]
        self.actions_ = actions.build(self)
        preferences.install(self)  # Edit ▸ Settings, Help ▸ Diagnostics / Getting Started
        context_menu.install(self)  # right-click on canvas, steps and connections
        help_menu.install(self)  # Help ▸ User Guide, Keyboard Shortcuts, About
        self._toolbar()
        self.panes = Panes(self, self.docks[0], self.docks[1])  # palette rail, drawer
        self._status_bar()
        self.area.add_view(View("start", "Start", self.start_page))
        self.area.add_view(View("design", "Design", self.design,
                                chrome=(*self.docks, self.toolbar, self.counts,
                                        self.zoom_label),
                                on_shown=self._design_shown))
        install_evidence_views(self)  # View ▸ Evaluate, View ▸ Metrics (issue 14)
        self._add_work_views()
        self._more_views()
        self._connect()
        self.runs = run_actions.install(self)  # the Run menu, dialog, overlay and batches
        self.refresh_recent()
        self._update_title()
        self.actions_["snap"].setChecked(self.scene.snap_to_grid)
        self.show_start_page()

    # -- assembly ----------------------------------------------------------------------

    def _dock(self, title: str, widget: QWidget, area: Qt.DockWidgetArea,
              width: int) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock_{title.lower()}")
        dock.setWidget(widget)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                         | QDockWidget.DockWidgetFeature.DockWidgetFloatable)
        self.addDockWidget(area, dock)
        if width:
            self.resizeDocks([dock], [width], Qt.Orientation.Horizontal)
        return dock

    def _toolbar(self) -> None:
        bar = QToolBar("Main")
        bar.setObjectName("mainToolbar")
        bar.setMovable(False)
        actions.fill_toolbar(bar, self.actions_)
        bar.addSeparator()
        self.find_box = FindBox(self.session)
        self.find_box.found.connect(self.focus_node)
        bar.addWidget(self.find_box)
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        bar.addWidget(spacer)
        self.autonomy = AutonomySwitch(self.session)
        bar.addWidget(self.autonomy)
        gap = QWidget()
        gap.setFixedWidth(10)
        bar.addWidget(gap)
        self.model_box = ModelBox(self.session)
        bar.addWidget(self.model_box)
        self.addToolBar(bar)
        self.toolbar = bar

    def _more_views(self) -> None:
        """The views besides Start and Design, and the rail that switches between them."""
        settings = self.app.settings
        self.inspector = InspectorView(lambda: open_run_store(settings.workspace_home))
        self.area.add_view(View("inspector", "Runs", self.inspector))
        views = [k for k in self.area.keys() if k != "start"]  # noqa: SIM118 (a method)
        self.rail = ViewRail(self.area, views,
                             lambda key: self.show_canvas() if key == "design"
                             else self.area.show_view(key))
        self.addToolBar(Qt.ToolBarArea.LeftToolBarArea, self.rail)

    def _status_bar(self) -> None:
        self.counts = QLabel()
        self.zoom_label = QLabel()
        for label in (self.counts, self.zoom_label):
            label.setStyleSheet(f"color: {theme.INK_SOFT}; padding: 0 8px;")
            self.statusBar().addPermanentWidget(label)

    def _connect(self) -> None:
        session, scene = self.session, self.scene
        session.modified_changed.connect(self._update_title)
        session.path_changed.connect(self._update_title)
        session.document.changed.connect(self._update_counts)
        session.document.header_changed.connect(self._update_title)
        stack = session.editor.undo_stack
        stack.canUndoChanged.connect(self.actions_["undo"].setEnabled)
        stack.canRedoChanged.connect(self.actions_["redo"].setEnabled)
        stack.undoTextChanged.connect(lambda text: self._name_undo("undo", "&Undo", text))
        stack.redoTextChanged.connect(lambda text: self._name_undo("redo", "&Redo", text))
        self.actions_["undo"].setEnabled(False)
        self.actions_["redo"].setEnabled(False)
        for name in CANVAS_ACTIONS:
            action = self.actions_[name]
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.view.addAction(action)
        scene.selectionChanged.connect(self._selection_changed)
        self.design.status_message.connect(
            lambda text: self.statusBar().showMessage(text, 6000))
        self.design.edit_refused.connect(
            lambda reason, _: self.statusBar().showMessage(f"Not possible: {reason}", 8000))
        self.problems.problems_changed.connect(scene.set_problems)
        self.problems.node_activated.connect(self.focus_node)
        self.properties.edge_chosen.connect(lambda key: scene.select_only(edges=[key]))
        self.step_palette.add_requested.connect(self.add_step_in_view)
        self.files.opened.connect(self._opened)
        self.files.started.connect(self.show_canvas)
        self.files.saved.connect(self._saved)
        self.start_page.template_chosen.connect(self.files.start_from)
        self.start_page.open_requested.connect(self.files.open_dialog)
        self.start_page.recent_chosen.connect(self.files.open_path)
        self.view.horizontalScrollBar().valueChanged.connect(self._update_zoom)
        self._update_counts()
        self.problems.problems_changed.emit({})
        self.problems.timer.start()  # checked once the window is on screen, not before

    def _name_undo(self, name: str, verb: str, what: str) -> None:
        """The menu says what will be undone; the toolbar button keeps its short name."""
        action = self.actions_[name]
        short = action.iconText()
        action.setText(f"{verb} {what}".strip())
        action.setIconText(short)
        action.setToolTip(f"{verb.replace('&', '')} {what}".strip())

    def _add_work_views(self) -> None:
        """The inbox and the compare view over the workspace store the CLI writes too, and
        the open-task badge in the status bar (the rail of `_more_views` switches to them)."""
        self.workspace_link = WorkspaceLink(self.app.settings.workspace_home)
        self.inbox = InboxView(self.workspace_link, decider_name)
        self.compare = CompareView(self.workspace_link)
        self.task_badge = TaskBadge(lambda: self.workspace_link.workspace.store.run_counts()
                                    .open_tasks)
        self.statusBar().addPermanentWidget(self.task_badge)
        self.task_badge.clicked.connect(lambda: self.area.show_view("inbox"))
        self.inbox.open_count_changed.connect(self.task_badge.show_count)

        def follow_count(_: int) -> None:  # an inbox on screen follows the CLI's tasks
            if self.area.current_key() == "inbox" and not self.inbox.busy():
                self.inbox.refresh()

        self.task_badge.count_changed.connect(follow_count)
        self.compare.replayed.connect(lambda _: self.task_badge.refresh())
        self.area.add_view(View("inbox", "Inbox", self.inbox, on_shown=self.inbox.refresh))
        self.area.add_view(View("compare", "Compare", self.compare,
                                on_shown=self.compare.refresh))
        self.task_badge.refresh()

    # -- pages, title, status ------------------------------------------------------------

    def show_start_page(self) -> None:
        self.area.show_view("start")

    def show_canvas(self) -> None:
        self.area.show_view("design")

    def _design_shown(self) -> None:
        self.panes.design_shown()
        self.view.fit_readable()
        self._update_zoom()
        QTimer.singleShot(0, self._size_problems)  # once the docks have their layout
        self.view.setFocus()

    def on_start_page(self) -> bool:
        return self.area.current_key() == "start"

    def _update_title(self, *_: object) -> None:
        self.setWindowTitle(f"{self.session.display_name}[*] — Junction Designer")
        self.setWindowModified(self.session.is_modified())

    def _size_problems(self, *_: object) -> None:
        """One fixed height, whatever the number of problems: a panel that grew and shrank
        with each edit moved the canvas under the pointer."""
        self.resizeDocks([self.docks[2]], [PROBLEMS_HEIGHT], Qt.Orientation.Vertical)

    def _update_counts(self) -> None:
        doc = self.session.document
        steps, links = len(doc.node_ids()), len(doc.edge_keys())
        self.counts.setText(f"{steps} step{'s' * (steps != 1)} · "
                            f"{links} connection{'s' * (links != 1)}")

    def _update_zoom(self, *_: object) -> None:
        self.zoom_label.setText(f"{round(self.view.zoom() * 100)} %")

    def refresh_recent(self) -> None:
        settings = self.app.settings
        recent = settings.recent_files()
        self.recent_menu.clear()
        self.recent_menu.setToolTipsVisible(True)
        for path in recent:
            action = QAction(settings.recent_title(path), self.recent_menu)
            action.setToolTip(str(path))
            action.triggered.connect(lambda _=False, p=path: self.files.open_path(p))
            self.recent_menu.addAction(action)
        self.recent_menu.setEnabled(bool(recent))
        self.start_page.set_recent(recent, settings.recent_title)

    def remember(self, path: Path) -> None:
        self.app.settings.add_recent(path, self.session.document.header.name)
        self.app.refresh_recent()

    # -- selection ------------------------------------------------------------------------

    def _selection_changed(self) -> None:
        nodes = self.scene.selected_node_ids()
        edges = self.scene.selected_edge_keys()
        if len(nodes) + len(edges) > 1:
            self.properties.show_many(len(nodes) + len(edges))
        elif nodes:
            self.properties.show_node(nodes[0])
        elif edges:
            self.properties.show_edge(edges[0])
        else:
            self.properties.show_flow()

    def focus_node(self, node_id: str) -> None:
        """Select a step and bring it to the middle of the canvas."""
        self.scene.select_only(nodes=[node_id])
        self.view.centre_on_node(node_id)
        self.view.setFocus()

    def show_flow_properties(self) -> None:
        self.scene.clearSelection()
        self.properties.show_flow()

    # -- editing verbs (menus, shortcuts and tests) ----------------------------------------

    def undo(self) -> None:
        self.session.editor.undo_stack.undo()

    def redo(self) -> None:
        self.session.editor.undo_stack.redo()

    def add_step_in_view(self, type_key: str) -> str | None:
        centre = self.scene.snapped(self.view.mapToScene(self.view.viewport().rect().center()))
        if self.on_start_page():
            return None
        taken = {(i.pos().x(), i.pos().y()) for i in self.scene.item_for_node.values()}
        while (centre.x(), centre.y()) in taken:
            centre += QPointF(40, 40)
        try:
            node_id = self.session.editor.add_node(type_key, (centre.x(), centre.y()))
        except DocumentError as refused:
            self.statusBar().showMessage(f"Not possible: {refused}", 8000)
            return None
        self.scene.select_only(nodes=[node_id])
        return node_id

    def copy_selection(self) -> None:
        clipboard.copy(self.session.document, set(self.scene.selected_node_ids()))

    def cut_selection(self) -> None:
        self.copy_selection()
        self.delete_selection()

    def paste(self, at: tuple[float, float] | None = None) -> None:
        """Paste at `at`, else at the pointer when it is over the canvas (not on top of
        the originals), else beside them."""
        if at is None:
            at = self._pointer_on_canvas()
        pasted = clipboard.paste(self.session.editor, at)
        if pasted:
            self.scene.select_only(nodes=pasted)
        else:
            self.statusBar().showMessage("The clipboard holds no copied steps.", 5000)

    def _pointer_on_canvas(self) -> tuple[float, float] | None:
        viewport = self.view.viewport()
        inside = viewport.mapFromGlobal(QCursor.pos())
        if not viewport.isVisible() or not viewport.rect().contains(inside):
            return None
        point = self.scene.snapped(self.view.mapToScene(inside))
        return (point.x(), point.y())

    def add_step_at(self, type_key: str, at: tuple[float, float]) -> str | None:
        """Add a step where the canvas was right-clicked."""
        point = self.scene.snapped(QPointF(*at))
        try:
            node_id = self.session.editor.add_node(type_key, (point.x(), point.y()))
        except DocumentError as refused:
            self.statusBar().showMessage(f"Not possible: {refused}", 8000)
            return None
        self.scene.select_only(nodes=[node_id])
        return node_id

    def duplicate_selection(self) -> None:
        copies = duplicate(self.session.editor, set(self.scene.selected_node_ids()))
        if copies:
            self.scene.select_only(nodes=copies)

    def delete_selection(self) -> None:
        nodes, edges = self.scene.selected_node_ids(), self.scene.selected_edge_keys()
        self.scene.clearSelection()  # one selection change, not one per removed item
        self.session.editor.delete(nodes, edges)

    def select_all(self) -> None:
        self.scene.select_only(nodes=self.session.document.node_ids())

    def focus_find(self) -> None:
        self.find_box.setFocus()
        self.find_box.selectAll()

    def find_step(self, text: str) -> str | None:
        node_id = find_node(self.session, text)
        if node_id:
            self.focus_node(node_id)
        return node_id

    def zoom_in(self) -> None:
        self.view.zoom_in()
        self._update_zoom()

    def zoom_out(self) -> None:
        self.view.zoom_out()
        self._update_zoom()

    def zoom_fit(self) -> None:
        self.view.fit()
        self._update_zoom()

    def zoom_reset(self) -> None:
        self.view.zoom_reset()
        self._update_zoom()

    def toggle_snap(self) -> None:
        self.scene.snap_to_grid = self.actions_["snap"].isChecked()

    def tidy_layout(self) -> None:
        doc = self.session.document
        start = next((n.id for n in doc.nodes() if n.kind == "start"), None)
        places = tidy_positions(doc.node_ids(), [(e.source, e.target) for _, e in doc.edges()],
                                start)
        self.session.editor.move_nodes(places, "Tidy layout")
        self.view.fit()

    def validate_now(self) -> None:
        self.problems.refresh()
        self.docks[2].show()

    # -- files: the controller does the work, the window shows the outcome ----------------

    def _opened(self, path: Path) -> None:
        self.remember(path)
        self.show_canvas()

    def _saved(self, path: Path) -> None:
        self.remember(path)
        self.problems.refresh()
        count = len(self.problems.problems)
        note = f" — {count} problem{'s' * (count != 1)} to fix before it can run" if count else ""
        self.statusBar().showMessage(f"Saved {path}{note}", 8000)

    def open_new_window(self) -> None:
        self.app.new_window().show()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.files.may_close():
            self.autosaver.discard()
            self.task_badge.timer.stop()
            self.workspace_link.close()
            self.app.forget(self)
            event.accept()
        else:
            event.ignore()
