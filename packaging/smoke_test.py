"""Build the bundle, then start it offscreen with `--self-test` and a few `junction` commands.

    python packaging/smoke_test.py            # build (minutes) and test
    python packaging/smoke_test.py --no-build # test an existing packaging/dist/Junction
    python packaging/smoke_test.py --dist /tmp/bundle --work /tmp/bundle-work --full
                                              # build outside the checkout; --full also
                                              # loads the bundled models from the bundle

Outside the default test suite: a build takes minutes. Prints the bundle's size and the
self-test's start-to-exit time; exits non-zero on the first thing that does not work.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
NAME = "Junction.exe" if os.name == "nt" else "Junction"
BUNDLED_MODELS = ("bundled model (llama.cpp)", "bundled embedding model")


def build(dist: Path, work: Path) -> float:
    started = time.perf_counter()
    # --clean: with an unchanged module list PyInstaller keeps the previous PYZ, code and
    # all (seen here: a bundle mixing old and new modules failed to import)
    subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--distpath",
                    str(dist), "--workpath", str(work), str(HERE / "junction.spec")],
                   check=True, cwd=ROOT)
    return time.perf_counter() - started


def size_of(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def check(executable: Path, args: list[str], env: dict[str, str],
          expect: int = 0) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run([str(executable), *args], capture_output=True, text=True,
                          env=env, timeout=600, check=False)
    took = time.perf_counter() - started
    if done.returncode != expect:
        sys.exit(f"`Junction {' '.join(args)}` exited {done.returncode} (expected {expect}):\n"
                 f"{done.stdout}\n{done.stderr}")
    return took, done.stdout.strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--no-build", action="store_true")
    parser.add_argument("--dist", type=Path, default=HERE / "dist",
                        help="where the bundle folder goes (default: packaging/dist)")
    parser.add_argument("--work", type=Path, default=HERE / "build" / "pyinstaller",
                        help="PyInstaller's work folder (default: packaging/build/…)")
    parser.add_argument("--full", action="store_true",
                        help="also run `doctor --full` from the bundle: the bundled models "
                             "that were included must load and answer")
    options = parser.parse_args()
    bundle = options.dist / "Junction"
    executable = bundle / NAME
    if not options.no_build:
        print(f"built in {build(options.dist, options.work):.0f} s")
    if not executable.exists():
        sys.exit(f"{executable} does not exist; build it first")
    with tempfile.TemporaryDirectory() as scratch:
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen",
               "JUNCTION_HOME": str(Path(scratch) / "home"),
               "JUNCTION_CONFIG": str(Path(scratch) / "settings.toml")}
        took, said = check(executable, ["--self-test"], env)
        print(f"self-test: {said}\nstart to exit: {took:.1f} s")
        flow = ROOT / "templates" / "support-triage" / "flow.yaml"
        took, _ = check(executable, ["validate", str(flow)], env)
        print(f"`junction validate` from the bundle: ok ({took:.1f} s)")
        took, said = check(executable, ["doctor", "--json"], env)
        print(f"`junction doctor` from the bundle: healthy ({took:.1f} s)")
        if options.full:
            took, said = check(executable, ["doctor", "--full", "--json"], env)
            checks = {c["name"]: c for c in json.loads(said)["checks"]}
            for name in BUNDLED_MODELS:
                found = checks.get(name, {})
                print(f"  {name}: {found.get('status')} — {found.get('detail')}")
            print(f"`junction doctor --full` from the bundle: healthy ({took:.1f} s)")
    print(f"bundle: {bundle} — {size_of(bundle) / 1024 ** 2:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
