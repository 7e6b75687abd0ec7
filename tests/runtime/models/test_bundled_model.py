"""The bundled model file: joined from its chunk packages once, checked, shared."""

from __future__ import annotations

import hashlib
import re
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from model_support import choose_request

from runtime.errors import InputError
from runtime.models import bundled, llamacpp_model, registry
from runtime.models.base import ModelUnavailable
from runtime.models.llamacpp_model import LlamaCppSettings, SharedModel


@pytest.fixture
def chunks(tmp_path: Path) -> tuple[list[Path], str]:
    parts = []
    for index, body in enumerate([b"GGUF" + b"a" * 1000, b"b" * 777, b"c" * 5]):
        part = tmp_path / "parts" / f"model.gguf.part{index:02d}"
        part.parent.mkdir(exist_ok=True)
        part.write_bytes(body)
        parts.append(part)
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in parts)).hexdigest()
    return parts, digest


def test_chunks_are_joined_once_and_verified(chunks: tuple[list[Path], str],
                                             tmp_path: Path) -> None:
    parts, digest = chunks
    target = tmp_path / "cache" / "model.gguf"

    assert bundled.ensure_assembled(parts, digest, target) == target
    assert hashlib.sha256(target.read_bytes()).hexdigest() == digest
    first_write = target.stat().st_mtime_ns

    parts[0].unlink()  # a second call must not need the parts any more
    assert bundled.ensure_assembled(parts, digest, target) == target
    assert target.stat().st_mtime_ns == first_write
    assert sorted(p.name for p in target.parent.iterdir()) == sorted(
        ["model.gguf", "model.gguf.verified.json"])


def test_a_damaged_package_is_refused_and_leaves_no_file(chunks: tuple[list[Path], str],
                                                         tmp_path: Path) -> None:
    parts, _ = chunks
    target = tmp_path / "cache" / "model.gguf"

    with pytest.raises(ModelUnavailable, match="does not match its published sha256"):
        bundled.ensure_assembled(parts, "0" * 64, target)

    assert list(target.parent.iterdir()) == []


def test_a_corrupted_cached_file_is_rebuilt(chunks: tuple[list[Path], str],
                                            tmp_path: Path) -> None:
    parts, digest = chunks
    target = tmp_path / "cache" / "model.gguf"
    bundled.ensure_assembled(parts, digest, target)
    target.write_bytes(b"truncated")

    bundled.ensure_assembled(parts, digest, target)

    assert hashlib.sha256(target.read_bytes()).hexdigest() == digest


def test_missing_parts_say_how_to_reinstall(chunks: tuple[list[Path], str],
                                            tmp_path: Path) -> None:
    parts, digest = chunks
    parts[1].unlink()
    with pytest.raises(ModelUnavailable, match=r"parts are missing .*junction\[llamacpp\]"):
        bundled.ensure_assembled(parts, digest, tmp_path / "cache" / "model.gguf")


def test_concurrent_runs_load_a_model_file_only_once(tmp_path: Path) -> None:
    loads: list[Path] = []

    def slow_loader(path: Path, settings: LlamaCppSettings) -> Any:
        time.sleep(0.2)
        loads.append(path)
        return object()

    model_file = tmp_path / "m.gguf"
    model_file.write_bytes(b"GGUF")
    got: list[Any] = []

    def use() -> None:
        shared = llamacpp_model.shared_model(tmp_path / "." / "m.gguf", loader=slow_loader)
        with shared.lock:
            got.append(shared.llm())

    threads = [threading.Thread(target=use) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(loads) == 1 and len(got) == 8 and all(g is got[0] for g in got)


def test_a_missing_model_file_blocks_the_run_instead_of_failing_it(tmp_path: Path) -> None:
    registry.clear_cache()
    provider: Any = registry.resolve("llamacpp:models/none.gguf", tmp_path)

    with pytest.raises(ModelUnavailable, match=re.escape(f"model file not found: {tmp_path}")):
        provider.choose(choose_request())
    with pytest.raises(InputError, match=r"llamacpp:bundled or llamacpp:PATH\.gguf"):
        registry.resolve("llamacpp:", tmp_path)
    registry.clear_cache()


def test_a_file_that_is_not_a_model_is_reported_as_unloadable(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.gguf"
    bogus.write_bytes(b"not a model at all")
    shared = SharedModel(bogus, LlamaCppSettings(n_ctx=256), llamacpp_model.load_llama)

    with pytest.raises(ModelUnavailable, match="could not load"):
        shared.llm()


def test_without_the_llamacpp_extra_the_run_is_told_what_to_install(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    model_file = tmp_path / "m.gguf"
    model_file.write_bytes(b"GGUF")
    monkeypatch.setitem(sys.modules, "llama_cpp", None)
    shared = SharedModel(model_file, LlamaCppSettings(), llamacpp_model.load_llama)

    with pytest.raises(ModelUnavailable, match=r"pip install 'junction\[llamacpp\]'"):
        shared.llm()
