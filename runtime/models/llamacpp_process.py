"""llama.cpp in a child process, so that a crash in native code blocks a run instead of
killing the program that runs it.

llama.cpp is C++ loaded into Python: a bad build, a CPU feature the machine advertises but
cannot use (AMX in a virtual machine), a damaged model file can end in SIGSEGV. In-process
that takes the whole `junction` command (or the designer) down between a step's start and
its record, and the run stays `running` with nothing to say why. Here the model lives in a
child process started with `spawn` (no forked threads or locks), one per model file, shared
by every provider that names that file. The parent sends one request at a time — the
operation and the request as JSON — and the child answers with the result or the model
error it raised. When the child dies, the parent raises `ModelUnavailable` with a plain
reason ("the local model process crashed (signal 11, SIGSEGV) …"); the engine blocks the
run with it, and the next request (`junction resume`) starts a new child.

The child keeps the model loaded between requests, so a node's cached instructions (the
prompt prefix anchored at the start of the cache, see `llamacpp_model.eval_anchored`) are
reused exactly as they are in-process, and results stay deterministic.

`JUNCTION_LLAMACPP_FAULT=SIGSEGV|SIGKILL|SIGABRT` makes the child send itself that signal
when a request arrives: the crash drill the tests run, with a process that really dies.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from runtime.models.base import (
    CallInfo,
    ChooseRequest,
    ChooseResult,
    DraftRequest,
    DraftResult,
    ExtractRequest,
    ExtractResult,
    ModelError,
    ModelUnavailable,
    OutputInvalid,
)

FAULT_ENV = "JUNCTION_LLAMACPP_FAULT"
_POLL_SECONDS = 0.2
_ERRORS: dict[str, type[ModelError]] = {
    "ModelUnavailable": ModelUnavailable, "OutputInvalid": OutputInvalid,
    "ModelError": ModelError,
}


class ModelProcess:
    """One child process serving one model file; `ask` is safe to call from any thread."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._process: Any = None
        self._conn: Connection | None = None
        self.starts = 0

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def ask(self, op: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Send one request and wait for its answer; a dead child → `ModelUnavailable`."""
        with self._lock:
            conn = self._ensure_started()
            try:
                conn.send((op, payload))
                while not conn.poll(_POLL_SECONDS):
                    if not self._process.is_alive():
                        break
                reply = conn.recv()
            except (EOFError, OSError):
                raise self._died() from None
        status, body = reply
        if status == "ok":
            return dict(body)
        error = _ERRORS.get(str(body.get("type")), ModelError)
        call = CallInfo.model_validate(body["call"]) if body.get("call") else None
        raise error(str(body.get("message", "")), call=call)

    def stop(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
            if self._process is not None:
                self._process.join(timeout=2)
                if self._process.is_alive():
                    self._process.kill()
                    self._process.join(timeout=2)
            self._process = self._conn = None

    def _ensure_started(self) -> Connection:
        if self._process is not None and self._process.is_alive() and self._conn is not None:
            return self._conn
        context = multiprocessing.get_context("spawn")
        parent_end, child_end = context.Pipe()
        process = context.Process(target=serve, args=(child_end, str(self.path)),
                                  name=f"junction-llamacpp-{self.path.name}", daemon=True)
        process.start()
        child_end.close()  # so the parent sees EOF the moment the child dies
        self._process, self._conn = process, parent_end
        self.starts += 1
        return parent_end

    def _died(self) -> ModelUnavailable:
        process, self._process = self._process, None
        if self._conn is not None:
            self._conn.close()
        self._conn = None
        process.join(timeout=5)
        return ModelUnavailable(f"{crash_reason(process.exitcode)} while serving "
                                f"{self.path.name}; the run is blocked and `junction resume` "
                                "retries it with a new model process (a model that crashes "
                                "every time needs another llama-cpp-python build: see the "
                                "README's 'The bundled model')")


def crash_reason(exitcode: int | None) -> str:
    """How a child's end reads to a person: the signal by name, or the exit code."""
    if exitcode is not None and exitcode < 0:
        number = -exitcode
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = "unknown signal"
        return f"the local model process crashed (signal {number}, {name})"
    if exitcode is None:
        return "the local model process stopped answering"
    return f"the local model process exited unexpectedly (exit code {exitcode})"


_PROCESSES: dict[str, ModelProcess] = {}
_PROCESSES_LOCK = threading.Lock()


def process_for(path: Path) -> ModelProcess:
    """The shared child for a model file (resolved, so two spellings share one)."""
    key = str(path.resolve())
    with _PROCESSES_LOCK:
        found = _PROCESSES.get(key)
        if found is None:
            found = _PROCESSES[key] = ModelProcess(path.resolve())
        return found


def stop_all() -> None:
    """Stop every child (tests; the children are daemons and die with the parent anyway)."""
    with _PROCESSES_LOCK:
        processes = list(_PROCESSES.values())
        _PROCESSES.clear()
    for process in processes:
        process.stop()


class IsolatedLlamaCpp:
    """The `llamacpp:` provider as the engine sees it: every call runs in the model file's
    child process (`LlamaCppProvider` there does the work)."""

    provider = "llamacpp"

    def __init__(self, ref: str, locate: Callable[[], Path], *, calibrate: bool = True) -> None:
        self.ref = ref
        self.calibrate = calibrate
        self._locate = locate
        self._process: ModelProcess | None = None
        self._lock = threading.Lock()

    def process(self) -> ModelProcess:
        """The child serving this provider's file (located, and assembled, on first use)."""
        with self._lock:
            if self._process is None:
                self._process = process_for(self._locate())
            return self._process

    def _ask(self, op: str, request: Any) -> dict[str, Any]:
        return self.process().ask(op, {"ref": self.ref, "calibrate": self.calibrate,
                                       "request": request.model_dump(mode="json")})

    def choose(self, request: ChooseRequest) -> ChooseResult:
        return ChooseResult.model_validate(self._ask("choose", request))

    def extract(self, request: ExtractRequest) -> ExtractResult:
        return ExtractResult.model_validate(self._ask("extract", request))

    def draft(self, request: DraftRequest) -> DraftResult:
        return DraftResult.model_validate(self._ask("draft", request))

    def stats(self) -> dict[str, Any]:
        """How many times the child loaded the model, and its pid (tests, diagnostics)."""
        return self.process().ask("stats", {"ref": self.ref, "calibrate": self.calibrate})


# -- the child -------------------------------------------------------------------------

_REQUESTS: dict[str, type[Any]] = {"choose": ChooseRequest, "extract": ExtractRequest,
                                   "draft": DraftRequest}


def serve(conn: Connection, path: str) -> None:
    """The child's loop: answer requests until the parent goes away."""
    from runtime.models.llamacpp_provider import LlamaCppProvider

    model_path = Path(path)
    providers: dict[tuple[str, bool], LlamaCppProvider] = {}
    while True:
        try:
            op, payload = conn.recv()
        except (EOFError, OSError):
            return
        _maybe_fault()
        key = (str(payload["ref"]), bool(payload["calibrate"]))
        provider = providers.get(key)
        if provider is None:
            provider = providers[key] = LlamaCppProvider(key[0], lambda: model_path,
                                                         calibrate=key[1])
        conn.send(_handle(provider, op, payload))


def _handle(provider: Any, op: str, payload: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    try:
        if op == "stats":
            shared = provider.shared()
            return "ok", {"loads": shared.loads, "pid": os.getpid()}
        request = _REQUESTS[op].model_validate(payload["request"])
        result = getattr(provider, op)(request)
        return "ok", result.model_dump(mode="json")
    except ModelError as exc:
        return "error", {"type": type(exc).__name__ if type(exc).__name__ in _ERRORS
                         else "ModelError", "message": str(exc),
                         "call": exc.call.model_dump(mode="json") if exc.call else None}
    except Exception as exc:  # a bug or a library error: the run blocks with the reason
        return "error", {"type": "ModelUnavailable",
                         "message": f"the local model process failed: "
                                    f"{type(exc).__name__}: {exc}"}


def _maybe_fault() -> None:
    name = os.environ.get(FAULT_ENV, "").strip().upper()
    if name in ("SIGSEGV", "SIGKILL", "SIGABRT"):
        os.kill(os.getpid(), getattr(signal, name))
