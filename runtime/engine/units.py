"""Units of work as the engine sees them: the store commits what happens inside one
together (see RunStore.begin_unit), and observers hear the unit's events only once it is
committed — never about work a crash or a rollback could still undo."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sized
from contextlib import contextmanager

from runtime.engine import events as ev
from runtime.store.base import RunStore


class Units:
    def __init__(self, store: RunStore, deliver: Callable[[ev.Event], None],
                 audience: Sized = ()) -> None:
        """`audience`: who `deliver` tells (a batch from a script has nobody, and then
        the walk need not build the events at all: see `listening`)."""
        self.store = store
        self.deliver = deliver
        self.audience = audience
        self.open = False
        self.queued: list[ev.Event] = []

    @property
    def listening(self) -> bool:
        return bool(self.audience)

    @contextmanager
    def scope(self) -> Iterator[None]:
        """A unit around what follows; nested use joins the unit already open."""
        if self.open:
            yield
            return
        self.begin()
        try:
            yield
        finally:
            self.end()

    def begin(self) -> None:
        self.store.begin_unit()
        self.open = True

    def end(self) -> None:
        self.store.end_unit()
        self.open = False
        queued, self.queued = self.queued, []
        for event in queued:
            self.deliver(event)

    def resume(self) -> None:
        """Open the store's unit again if a durable write or an effect ended it early."""
        if self.open:
            self.store.begin_unit()

    def undo(self) -> None:
        """Nothing of the unit happened: roll it back, and observers hear none of it."""
        self.store.rollback_unit()
        self.queued = []

    def emit(self, event: ev.Event) -> None:
        if self.open:  # observers hear about work once it is committed
            self.queued.append(event)
            return
        self.deliver(event)
