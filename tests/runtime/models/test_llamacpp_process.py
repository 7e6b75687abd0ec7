"""A llama.cpp model that crashes takes down its own child process, never the run's.

The child really dies here: `JUNCTION_LLAMACPP_FAULT` makes it send itself the signal when
a request arrives (no llama.cpp or model needed for that), exactly what a segfault in
native code looks like from the parent.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from model_support import choose_request

from runtime.api import RunStatus, Workspace, load_flow
from runtime.models import llamacpp_process, registry
from runtime.models.base import ModelUnavailable
from runtime.models.llamacpp_process import FAULT_ENV, IsolatedLlamaCpp, crash_reason

FLOW = """\
format_version: 1
name: Local model
autonomy: operate
default_model: llamacpp:model.gguf
case_fields:
- {name: message, required: true}
nodes:
- {id: start, kind: start}
- id: sort
  kind: ai
  role: classify
  method: llm
  options:
  - {name: damaged, description: item arrived broken}
  - {name: unwanted, description: customer changed their mind}
- {id: done, kind: end, outcome: resolved}
edges:
- {from: start, to: sort}
- {from: sort, to: done}
"""


@pytest.fixture
def model_file(tmp_path: Path) -> Path:
    path = tmp_path / "model.gguf"
    path.write_bytes(b"GGUF not really a model")
    return path


@pytest.fixture(autouse=True)
def fresh_processes() -> Iterator[None]:
    registry.clear_cache()
    yield
    llamacpp_process.stop_all()
    registry.clear_cache()


@pytest.mark.parametrize("fault", ["SIGSEGV", "SIGKILL"])
def test_a_child_that_dies_raises_model_unavailable_with_the_signal(
        fault: str, model_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(FAULT_ENV, fault)
    provider = IsolatedLlamaCpp("llamacpp:model.gguf", lambda: model_file)

    number = int(getattr(signal, fault))
    with pytest.raises(ModelUnavailable,
                       match=rf"the local model process crashed \(signal {number}, {fault}\)"):
        provider.choose(choose_request())
    assert os.getpid() > 0  # still here to say so


def test_after_a_crash_the_next_request_starts_a_new_model_process(
        model_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(FAULT_ENV, "SIGSEGV")
    provider = IsolatedLlamaCpp("llamacpp:model.gguf", lambda: model_file)
    with pytest.raises(ModelUnavailable, match="crashed"):
        provider.choose(choose_request())

    monkeypatch.delenv(FAULT_ENV)
    with pytest.raises(ModelUnavailable) as second:
        provider.choose(choose_request())

    # The new child answered: the file is not a model (or llama.cpp is absent), said plainly.
    assert "crashed" not in str(second.value)
    assert "could not load" in str(second.value) or "not installed" in str(second.value)
    assert provider.process().starts == 2


def test_a_crash_blocks_the_run_with_the_reason_and_resume_runs_it_again(
        tmp_path: Path, model_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    flow_file = tmp_path / "flow.yaml"
    flow_file.write_text(FLOW)
    monkeypatch.setenv(FAULT_ENV, "SIGSEGV")
    workspace = Workspace.open(tmp_path / "home")
    try:
        run = workspace.engine().start(load_flow(flow_file), {"id": "c-1", "message": "x"})

        assert run.status is RunStatus.blocked
        assert "the local model process crashed (signal 11, SIGSEGV)" in (run.blocked_reason
                                                                          or "")
        assert not workspace.store.tasks(run_id=run.id)

        again = workspace.engine().drive(run.id)  # what `junction resume` does
        assert again.status is RunStatus.blocked
        assert "crashed (signal 11" in (again.blocked_reason or "")
    finally:
        workspace.close()


def test_the_registry_isolates_llamacpp_models_unless_told_not_to(
        tmp_path: Path, model_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    isolated: Any = registry.resolve("llamacpp:model.gguf", tmp_path)
    assert isinstance(isolated, IsolatedLlamaCpp)

    registry.clear_cache()
    monkeypatch.setenv("JUNCTION_LLAMACPP_ISOLATE", "0")
    in_process: Any = registry.resolve("llamacpp:model.gguf", tmp_path)
    assert not isinstance(in_process, IsolatedLlamaCpp)


@pytest.mark.parametrize(("code", "reason"), [
    (-11, "crashed (signal 11, SIGSEGV)"), (-9, "crashed (signal 9, SIGKILL)"),
    (3, "exited unexpectedly (exit code 3)"), (None, "stopped answering")])
def test_crash_reasons_read_plainly(code: int | None, reason: str) -> None:
    assert reason in crash_reason(code)
