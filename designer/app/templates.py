"""Ready-made flows: finding them, drawing a small preview, and copying one to start from.

A template is a folder with a `flow.yaml` and the files it refers to (scripted answers,
knowledge, sample cases). Starting from one writes its flow where the person chose and
copies those files next to it, so relative references keep working and the template
itself is never edited.
"""

from __future__ import annotations

import filecmp
import shutil
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QPainter, QPixmap

from designer import theme
from runtime.api import Flow, FlowError, load_flow


@dataclass(frozen=True)
class TemplateInfo:
    folder: Path
    flow_path: Path
    name: str
    description: str
    steps: int
    flow: Flow


def find_templates(folder: Path) -> list[TemplateInfo]:
    """Every loadable `<folder>/*/flow.yaml`, by name. Broken templates are skipped."""
    found = []
    for flow_path in sorted(folder.glob("*/flow.yaml")) if folder.is_dir() else ():
        try:
            flow = load_flow(flow_path).flow
        except FlowError:
            continue
        found.append(TemplateInfo(flow_path.parent, flow_path, flow.name, flow.description,
                                  len(flow.nodes), flow))
    return sorted(found, key=lambda t: t.name.casefold())


def preview(flow: Flow, width: int, height: int) -> QPixmap:
    """The flow drawn small: the real canvas at thumbnail scale."""
    from designer.app.session import with_tidy_layout
    from designer.canvas.scene import FlowScene
    from designer.document.model import FlowDocument

    ratio = 2  # drawn at double density so it stays crisp on high-DPI screens
    pixmap = QPixmap(width * ratio, height * ratio)
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(theme.color(theme.CANVAS))
    document = FlowDocument(with_tidy_layout(flow))
    scene = FlowScene(document)
    bounds = QRectF()
    for item in scene.item_for_node.values():
        bounds = bounds.united(item.sceneBoundingRect())
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    if not bounds.isEmpty():
        source = bounds.adjusted(-20, -20, 20, 20)
        scale = min((width - 20) / source.width(), (height - 20) / source.height(), 0.6)
        size_w, size_h = source.width() * scale, source.height() * scale
        target = QRectF((width - size_w) / 2, (height - size_h) / 2, size_w, size_h)
        scene.render(painter, target, source, Qt.AspectRatioMode.KeepAspectRatio)
    painter.end()
    scene.clear()
    for obj in (scene, document):
        obj.deleteLater()
    return pixmap


class TemplateCopyError(Exception):
    """A file next to the chosen destination would be overwritten with different content."""


def copy_template(template: TemplateInfo, destination: Path) -> Path:
    """Write the template's flow to `destination` and its other files next to it."""
    target_dir = destination.parent
    target_dir.mkdir(parents=True, exist_ok=True)
    if destination.exists():
        raise TemplateCopyError(f"{destination} already exists; choose another name")
    companions = [p for p in template.folder.rglob("*")
                  if p.is_file() and p != template.flow_path]
    for source in companions:
        target = target_dir / source.relative_to(template.folder)
        if target.exists() and not filecmp.cmp(source, target, shallow=False):
            raise TemplateCopyError(
                f"{target} already exists and differs from the template's file; choose an "
                "empty folder")
    for source in companions:
        target = target_dir / source.relative_to(template.folder)
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists():
            shutil.copy2(source, target)
    shutil.copy2(template.flow_path, destination)
    return destination
