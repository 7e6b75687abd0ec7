"""Connections that go around cards instead of under them.

A connection is first drawn as the plain S-curve (cheap, at once); a moment later — after
the edit or the drag step that moved it, once per batch — it is checked against the cards
in its way and, when one is hit, redrawn as an orthogonal path with rounded corners along
a free lane above or below them. Nothing here runs while painting: a route is computed
once per move and kept in the item. The cards are looked up through a coarse grid built
once per batch, so re-routing after Tidy at 2,000 steps costs a few passes over lists,
not a scene query per connection.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable
from itertools import pairwise
from typing import Protocol

from PySide6.QtCore import QLineF, QPointF, QRectF, QTimer
from PySide6.QtGui import QPainterPath
from PySide6.QtWidgets import QGraphicsItem, QGraphicsScene
from shiboken6 import isValid

CELL = 240.0  # grid cell of the card look-up, in scene units
CLEARANCE = 16.0  # distance kept from a card's edge
LEAD = 22.0  # straight run out of a port before the first turn
CORNER = 10.0  # radius of the rounded corners
SAMPLES = 24  # points of a curve checked against cards
REACH = 900.0  # how far above or below a lane may go to get round the cards
FEW = 40  # up to this many moved connections, also re-route the ones the cards now cover


class Routable(Protocol):
    """What the router needs of an edge item: its ends and a way to take a new path."""

    ends: tuple[QPointF, QPointF] | None

    def scene(self) -> QGraphicsScene: ...
    def take_route(self, path: QPainterPath) -> None: ...


class Obstacles:
    """Card rectangles (inflated by the clearance) in a coarse grid for quick look-ups."""

    def __init__(self, rects: Iterable[QRectF]) -> None:
        self.rects = [r.adjusted(-CLEARANCE, -CLEARANCE, CLEARANCE, CLEARANCE) for r in rects]
        self.grid: dict[tuple[int, int], list[int]] = {}
        for index, rect in enumerate(self.rects):
            for cell in _cells(rect):
                self.grid.setdefault(cell, []).append(index)

    def near(self, area: QRectF) -> list[QRectF]:
        """The cards whose (inflated) rectangle meets `area`."""
        found: set[int] = set()
        for cell in _cells(area):
            found.update(self.grid.get(cell, ()))
        return [self.rects[i] for i in sorted(found) if self.rects[i].intersects(area)]

    def at(self, point: QPointF) -> list[QRectF]:
        cell = (int(point.x() // CELL), int(point.y() // CELL))
        return [self.rects[i] for i in self.grid.get(cell, ()) if self.rects[i].contains(point)]


def _cells(rect: QRectF) -> Iterable[tuple[int, int]]:
    for x in range(int(rect.left() // CELL), int(rect.right() // CELL) + 1):
        for y in range(int(rect.top() // CELL), int(rect.bottom() // CELL) + 1):
            yield (x, y)


def route(start: QPointF, end: QPointF, obstacles: Obstacles,
          curve: Callable[[QPointF, QPointF], QPainterPath]) -> QPainterPath:
    """The connection's path: `curve(start, end)` when no card is in its way, else an
    orthogonal detour along the nearest free lane (the curve when none is free)."""
    source, target = obstacles.at(start), obstacles.at(end)
    own = source + target
    plain = curve(start, end)
    forward = end.x() - start.x() >= 2 * LEAD
    if forward and not _curve_blocked(plain, obstacles, own):
        return plain
    # turn only once clear of the step's own card (its rectangle is wider than its ports)
    x1 = max([start.x() + LEAD, *(r.right() + 1 for r in source)])
    x2 = min([end.x() - LEAD, *(r.left() - 1 for r in target)])
    span = QRectF(QPointF(min(x1, x2), min(start.y(), end.y()) - REACH),
                  QPointF(max(x1, x2), max(start.y(), end.y()) + REACH))
    nearby = obstacles.near(span)
    lanes = {start.y(), end.y()} if forward else set()
    for rect in nearby:
        lanes.update((rect.top() - 1, rect.bottom() + 1))
    middle = (start.y() + end.y()) / 2
    for lane in sorted(lanes, key=lambda y: (abs(y - start.y()) + abs(y - end.y()),
                                             abs(y - middle))):
        points = [start, QPointF(x1, start.y()), QPointF(x1, lane), QPointF(x2, lane),
                  QPointF(x2, end.y()), end]
        if _polyline_clear(points, obstacles, own):
            return rounded(points)
    return plain


def _curve_blocked(path: QPainterPath, obstacles: Obstacles, own: list[QRectF]) -> bool:
    for step in range(1, SAMPLES):
        point = path.pointAtPercent(step / SAMPLES)
        if any(rect not in own for rect in obstacles.at(point)):
            return True
    return False


def _polyline_clear(points: list[QPointF], obstacles: Obstacles, own: list[QRectF]) -> bool:
    """No segment crosses a card (the first and last may touch their own step)."""
    last = len(points) - 2
    for index, (a, b) in enumerate(pairwise(points)):
        segment = QRectF(a, b).normalized().adjusted(-0.5, -0.5, 0.5, 0.5)
        for rect in obstacles.near(segment):
            if (index == 0 or index == last) and rect in own:
                continue
            return False
    return True


def rounded(points: list[QPointF]) -> QPainterPath:
    """A polyline with rounded corners (zero-length legs dropped)."""
    kept = [points[0]]
    for point in points[1:]:
        if QLineF(kept[-1], point).length() > 0.5:
            kept.append(point)
    path = QPainterPath(kept[0])
    for before, corner, after in zip(kept, kept[1:], kept[2:], strict=False):
        into, out = QLineF(corner, before), QLineF(corner, after)
        radius = min(CORNER, into.length() / 2, out.length() / 2)
        path.lineTo(into.pointAt(radius / into.length()))
        path.quadTo(corner, out.pointAt(radius / out.length()))
    path.lineTo(kept[-1])
    return path


class Router:
    """The edges of one scene waiting to be routed; routes them all once control returns
    to the event loop (after the whole command or drag step that moved them)."""

    def __init__(self, scene: QGraphicsScene,
                 curve: Callable[[QPointF, QPointF], QPainterPath]) -> None:
        self.scene = weakref.ref(scene)
        self.curve = curve
        self.pending: dict[int, Routable] = {}
        self.detoured: weakref.WeakSet[Routable] = weakref.WeakSet()  # now off the curve
        self.timer = QTimer(singleShot=True, interval=0)
        self.timer.timeout.connect(self.flush)

    def request(self, item: Routable) -> None:
        self.pending[id(item)] = item
        self.timer.start()

    def recheck(self) -> None:
        """After an edit: the detours may no longer be needed (a card moved away)."""
        if len(self.detoured):
            self.timer.start()

    def flush(self) -> None:
        scene = self.scene()
        items, self.pending = list(self.pending.values()), {}
        if scene is None or not (items or len(self.detoured)):
            return
        if not isValid(scene):  # the window closed before the turn came
            return
        cards: list[QGraphicsItem] = list(getattr(scene, "item_for_node", {}).values())
        obstacles = Obstacles(card.sceneBoundingRect() for card in cards if isValid(card))
        if len(items) <= FEW:
            items += self._crossing_moved_cards(scene, items, obstacles)
        items += [i for i in self.detoured if i not in items]  # a card may have moved away
        for item in items:
            if isValid(item) and item.ends is not None and item.scene() is scene:
                path = route(*item.ends, obstacles, self.curve)
                item.take_route(path)
                if path != self.curve(*item.ends):
                    self.detoured.add(item)
                else:
                    self.detoured.discard(item)

    def _crossing_moved_cards(self, scene: QGraphicsScene, items: list[Routable],
                              obstacles: Obstacles) -> list[Routable]:
        """Other connections under the cards that just moved (a card dropped onto a
        connection): asked of the scene's index for a drag's few cards, not after Tidy."""
        found: list[Routable] = []
        for item in items:
            for point in item.ends or ():
                for card in obstacles.at(point):
                    for other in scene.items(card):
                        if (hasattr(other, "take_route") and other not in items
                                and other not in found):
                            found.append(other)  # type: ignore[arg-type]
        return found


_routers: weakref.WeakKeyDictionary[QGraphicsScene, Router] = weakref.WeakKeyDictionary()


def router_for(scene: QGraphicsScene,
               curve: Callable[[QPointF, QPointF], QPainterPath]) -> Router:
    """The one router of `scene` (made on first use)."""
    router = _routers.get(scene)
    if router is None:
        router = _routers[scene] = Router(scene, curve)
    return router
