"""Build the bundle, then start it offscreen with `--self-test` and a few `junction` commands.

    python packaging/smoke_test.py            # build (minutes) and test
    python packaging/smoke_test.py --no-build # test an existing packaging/dist/Junction

Outside the default test suite: a build takes minutes. Prints the bundle's size and the
self-test's start-to-exit time; exits non-zero on the first thing that does not work.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DIST = HERE / "dist" / "Junction"
EXECUTABLE = DIST / ("Junction.exe" if os.name == "nt" else "Junction")


def build() -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--distpath",
                    str(HERE / "dist"), "--workpath", str(HERE / "build" / "pyinstaller"),
                    str(HERE / "junction.spec")], check=True, cwd=ROOT)
    return time.perf_counter() - started


def size_of(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def check(args: list[str], env: dict[str, str], expect: int = 0) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run([str(EXECUTABLE), *args], capture_output=True, text=True,
                          env=env, timeout=600, check=False)
    took = time.perf_counter() - started
    if done.returncode != expect:
        sys.exit(f"`Junction {' '.join(args)}` exited {done.returncode} (expected {expect}):\n"
                 f"{done.stdout}\n{done.stderr}")
    return took, done.stdout.strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--no-build", action="store_true")
    options = parser.parse_args()
    if not options.no_build:
        print(f"built in {build():.0f} s")
    if not EXECUTABLE.exists():
        sys.exit(f"{EXECUTABLE} does not exist; build it first")
    with tempfile.TemporaryDirectory() as scratch:
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen",
               "JUNCTION_HOME": str(Path(scratch) / "home"),
               "JUNCTION_CONFIG": str(Path(scratch) / "settings.toml")}
        took, said = check(["--self-test"], env)
        print(f"self-test: {said}\nstart to exit: {took:.1f} s")
        flow = ROOT / "templates" / "support-triage" / "flow.yaml"
        took, _ = check(["validate", str(flow)], env)
        print(f"`junction validate` from the bundle: ok ({took:.1f} s)")
        took, said = check(["doctor", "--json"], env)
        print(f"`junction doctor` from the bundle: healthy ({took:.1f} s)")
    print(f"bundle: {DIST} — {size_of(DIST) / 1024 ** 2:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
