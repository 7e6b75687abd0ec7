"""Checks of the machine: Python, installed packages, keyring, disk. (Whether Qt can open a
window is the designer's own check, registered under the `junction.checks` entry point.)"""

from __future__ import annotations

import shutil
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from runtime import __version__
from runtime.diagnostics.report import Check, Options, Status

# Distribution name → what it is for (shown when it is missing).
PACKAGES = {
    "pydantic": ("required", "pip install -e ."),
    "PyYAML": ("required", "pip install -e ."),
    "ollama": ("required", "pip install -e ."),
    "keyring": ("required", "pip install -e ."),
    "PySide6-Essentials": ("the designer", "pip install 'junction[designer]'"),
    "llama-cpp-python": ("the bundled model", "pip install 'junction[llamacpp]'"),
    "sentence-transformers": ("embedding classification",
                              "pip install torch==2.13.0 'junction[embeddings]'"),
}

MIN_FREE = 200 * 1024 * 1024       # below: runs and model files will fail to write
LOW_FREE = 2 * 1024 * 1024 * 1024  # below: a pulled model may not fit

def _installed(name: str) -> str | None:
    try:
        return version(name)
    except PackageNotFoundError:
        return None


def python(options: Options) -> list[Check]:
    found = ".".join(str(p) for p in sys.version_info[:3])  # pip enforces 3.11+
    return [Check("Python", Status.OK, f"Python {found}, Junction {__version__}"
                  + (" (bundled)" if getattr(sys, "frozen", False) else ""))]


def packages(options: Options) -> list[Check]:
    checks = []
    for name, (needed_for, install) in PACKAGES.items():
        found = _installed(name)
        if found is None:
            status = Status.FAIL if needed_for == "required" else Status.SKIP
            checks.append(Check(f"package {name}", status, f"not installed (needed for "
                                f"{needed_for})", f"`{install}`"))
            continue
        checks.append(_pyside_pin(name, found) or Check(f"package {name}", Status.OK, found))
    return checks


def _pyside_pin(name: str, found: str) -> Check | None:
    """PySide6 6.12.0 corrupts None's reference count on Python 3.11 (DESIGN.md §5)."""
    if name != "PySide6-Essentials" or sys.version_info >= (3, 12):
        return None
    if found.startswith("6.12."):
        return Check(f"package {name}", Status.FAIL,
                     f"{found} crashes on Python 3.11 after a few thousand calls",
                     "`pip install 'PySide6-Essentials<6.12'`")
    return None


def keyring_backend(options: Options) -> list[Check]:
    from runtime import secrets

    found = secrets.backend()
    if not found.available:
        return [Check("keyring", Status.WARN, "no OS keyring: tokens for a remote model host "
                      "or a webhook cannot be stored (Junction never writes them to a file)",
                      "install and unlock a keyring (GNOME Keyring, KWallet, macOS Keychain, "
                      "Windows Credential Manager)")]
    if found.plaintext:
        return [Check("keyring", Status.WARN, f"{found.name}: {found.message}",
                      "`pip uninstall keyrings.alt` and use the OS keyring")]
    return [Check("keyring", Status.OK, found.name)]


def disk_space(options: Options) -> list[Check]:
    from runtime.errors import InputError
    from runtime.workspace import home_dir

    try:
        home = home_dir(options.home)
    except InputError:  # a broken settings file: the workspace check reports it
        home = Path.home()
    probe = _existing_parent(home)
    free = shutil.disk_usage(probe).free
    shown = f"{free / 1024 ** 3:.1f} GB free at {probe}"
    if free < MIN_FREE:
        return [Check("disk space", Status.FAIL, shown,
                      "free some space: runs cannot be recorded on a full disk")]
    if free < LOW_FREE:
        return [Check("disk space", Status.WARN, shown,
                      "a local model needs 1–5 GB; free some space before pulling one")]
    return [Check("disk space", Status.OK, shown)]


def _existing_parent(path: Path) -> Path:
    for candidate in (path, *path.parents):
        if candidate.exists():
            return candidate
    return Path.cwd()
