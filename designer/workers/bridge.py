"""`Worker` and `EventRelay`: run runtime calls off the GUI thread, hear their events on it.

A long call (a run, a batch, an evaluation) must not freeze the window, and the engine
must not import Qt. So the GUI hands the call to a `Worker`, which runs it in a `QThread`:
a generator's yields arrive as `yielded`, its return value as `returned`, an exception
as `errored` (never as a traceback on the console), then `finished`. The engine reports
through observers; an `EventRelay` is one, and re-emits each event as its `relayed` signal.
Qt queues signals that cross threads, so slots always run in the thread their receiver
lives in — for widgets, the GUI thread.
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable
from typing import Any, ClassVar

from PySide6.QtCore import QObject, QThread, Signal

from runtime.api import Event


class EventRelay(QObject):
    """A runtime `Observer` (`on_event`) that re-emits each event as a Qt signal."""

    relayed = Signal(object)  # a runtime.api.Event (not "event": QObject.event is a virtual)

    def on_event(self, event: Event) -> None:
        self.relayed.emit(event)


class _Thread(QThread):
    def __init__(self, work: Callable[[], None]) -> None:
        super().__init__()
        self._work = work

    def run(self) -> None:
        self._work()


class Worker(QObject):
    """One call of `function(*args, **kwargs)` in its own thread; create, connect, start.

    A generator function is iterated: each value it yields is emitted as `yielded`, and
    `quit()` stops it at its next yield (the generator is closed, so its `finally`
    blocks run). A plain function's result is emitted as `returned`. A started worker
    stays referenced until it has finished, so dropping it mid-run cannot destroy a
    running thread.
    """

    _running: ClassVar[set[Worker]] = set()

    started = Signal()
    yielded = Signal(object)
    returned = Signal(object)
    errored = Signal(object)  # the exception
    finished = Signal()

    def __init__(self, function: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        super().__init__()
        self._call = (function, args, kwargs)
        self._quit = threading.Event()
        self._thread = _Thread(self._work)
        self.finished.connect(self._release)

    def start(self) -> None:
        Worker._running.add(self)
        self._thread.start()

    def _release(self) -> None:
        self._thread.wait()  # finished is the thread's last signal: this returns at once
        Worker._running.discard(self)

    def quit(self) -> None:
        """Ask a generator to stop at its next yield."""
        self._quit.set()

    @property
    def quitting(self) -> bool:
        return self._quit.is_set()

    def is_running(self) -> bool:
        return self._thread.isRunning()

    def wait(self, milliseconds: int = -1) -> bool:
        """Block until the thread ends (True) or the time is up (False)."""
        if milliseconds < 0:
            return self._thread.wait()
        return self._thread.wait(milliseconds)

    def _work(self) -> None:
        function, args, kwargs = self._call
        self.started.emit()
        try:
            result = function(*args, **kwargs)
            if inspect.isgenerator(result):
                result = self._iterate(result)
            self.returned.emit(result)
        except Exception as error:  # every failure reaches the GUI as a signal
            self.errored.emit(error)
        finally:
            self.finished.emit()

    def _iterate(self, generator: Any) -> Any:
        try:
            while True:
                value = next(generator)
                if self._quit.is_set():  # asked to stop while it worked: drop the value
                    break
                self.yielded.emit(value)
        except StopIteration as stop:
            return stop.value
        generator.close()
        return None
