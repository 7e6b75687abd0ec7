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
SAMPLES = 14  # points of a curve checked against cards
MAX_LANES = 8  # lanes tried, nearest first, before settling for the curve
FEW = 12  # up to this many moved connections, also re-route the ones the cards now cover


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
    orthogonal detour along the nearest free lane above or below the cards that block
    it (the curve when none of the first few lanes is free)."""
    source, target = obstacles.at(start), obstacles.at(end)
    own = source + target
    plain = curve(start, end)
    forward = end.x() - start.x() >= 2 * LEAD
    blockers = _blockers(plain, obstacles, own if forward else [])
    if not blockers:
        return plain  # most connections: nothing in the way of the curve
    # turn only once clear of the step's own card (its rectangle is wider than its ports)
    x1 = max([start.x() + LEAD, *(r.right() + 1 for r in source)])
    x2 = min([end.x() - LEAD, *(r.left() - 1 for r in target)])
    lanes: set[float] = {start.y(), end.y()} if forward else set()
    for rect in blockers + ([] if forward else own):
        lanes.update((rect.top() - 1, rect.bottom() + 1))
    tried: set[float] = set()
    middle = (start.y() + end.y()) / 2
    for _ in range(MAX_LANES):
        fresh = lanes - tried
        if not fresh:
            break
        lane = min(fresh, key=lambda y: (abs(y - start.y()) + abs(y - end.y()),
                                         abs(y - middle)))
        tried.add(lane)
        points = [start, QPointF(x1, start.y()), QPointF(x1, lane), QPointF(x2, lane),
                  QPointF(x2, end.y()), end]
        hit = _first_hit(points, obstacles, own)
        if hit is None:
            return rounded(points)
        lanes.update((hit.top() - 1, hit.bottom() + 1))  # try round that card too
    return plain


def _blockers(path: QPainterPath, obstacles: Obstacles, exempt: list[QRectF]) -> list[QRectF]:
    """The cards the curve passes through, `exempt` aside (sampled points, each one grid
    look-up: no scan of every card near a long connection). The samples next to the
    ports are skipped: they sit on the steps' own cards."""
    found: list[QRectF] = []
    for step in range(2, SAMPLES - 1):
        for rect in obstacles.at(path.pointAtPercent(step / SAMPLES)):
            if rect not in exempt and rect not in found:
                found.append(rect)
    return found


def _first_hit(points: list[QPointF], obstacles: Obstacles,
               own: list[QRectF]) -> QRectF | None:
    """The first card a leg of the polyline crosses (the first and last legs may touch
    their own step), or None when it is clear."""
    last = len(points) - 2
    for index, (a, b) in enumerate(pairwise(points)):
        segment = QRectF(a, b).normalized().adjusted(-0.5, -0.5, 0.5, 0.5)
        for rect in obstacles.near(segment):
            if (index == 0 or index == last) and rect in own:
                continue
            return rect
    return None


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
        self._recheck = False  # an edit happened: see whether detours are still needed
        self.timer = QTimer(singleShot=True, interval=0)
        self.timer.timeout.connect(self.flush)

    def request(self, item: Routable) -> None:
        self.pending[id(item)] = item
        self.timer.start()

    def recheck(self) -> None:
        """After an edit: the detours may no longer be needed (a card moved away)."""
        if len(self.detoured):
            self._recheck = True
            self.timer.start()

    def flush(self) -> None:
        scene = self.scene()
        items, self.pending = list(self.pending.values()), {}
        recheck, self._recheck = self._recheck, False
        if scene is None or not (items or recheck):
            return
        if not isValid(scene):  # the window closed before the turn came
            return
        cards: list[QGraphicsItem] = list(getattr(scene, "item_for_node", {}).values())
        obstacles = Obstacles(card.sceneBoundingRect() for card in cards if isValid(card))
        if len(items) <= FEW:
            items += self._crossing_moved_cards(scene, items, obstacles)
        if recheck:  # a card may have moved out of a detoured connection's way
            items += [i for i in self.detoured if i not in items]
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
        connection), for a drag's few cards. A plain loop over the connections' rectangles:
        asking the scene's index would rebuild it after every command."""
        cards: list[QRectF] = []
        for item in items:
            for point in item.ends or ():
                cards.extend(c for c in obstacles.at(point) if c not in cards)
        if not cards:
            return []
        moved = QRectF()
        for card in cards:
            moved = moved.united(card)
        found: list[Routable] = []
        for other in getattr(scene, "item_for_edge", {}).values():
            if other in items or not isValid(other):
                continue
            box = other.sceneBoundingRect()
            if (box.intersects(moved) and any(box.intersects(card) for card in cards)
                    and _passes_through(other, cards)):
                found.append(other)
        return found


def _passes_through(item: Routable, cards: list[QRectF]) -> bool:
    """Whether the connection's drawn path (a long one's box covers much more) meets one
    of `cards`."""
    path = getattr(item, "path", None)
    if not isinstance(path, QPainterPath):
        return True
    return any(card.contains(path.pointAtPercent(step / SAMPLES))
               for step in range(1, SAMPLES) for card in cards)


_routers: weakref.WeakKeyDictionary[QGraphicsScene, Router] = weakref.WeakKeyDictionary()


def router_for(scene: QGraphicsScene,
               curve: Callable[[QPointF, QPointF], QPainterPath]) -> Router:
    """The one router of `scene` (made on first use)."""
    router = _routers.get(scene)
    if router is None:
        router = _routers[scene] = Router(scene, curve)
    return router
