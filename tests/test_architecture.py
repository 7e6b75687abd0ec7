"""The house rule that the runtime stays headless, checked the way CI checks it."""

from __future__ import annotations

import shutil
import subprocess
import sys

from paths import REPO


def test_import_linter_contract_holds() -> None:
    linter = shutil.which("lint-imports")
    assert linter, "import-linter is part of the dev extra"
    result = subprocess.run([linter], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "KEPT" in result.stdout


def test_runtime_and_cli_import_without_qt() -> None:
    code = (
        "import sys, runtime.api, runtime.cli.main\n"
        "runtime.cli.main.build_parser()\n"
        "bad = sorted(m for m in sys.modules if m.startswith(('PySide6', 'designer.app')))\n"
        "print(bad); sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stdout + result.stderr
