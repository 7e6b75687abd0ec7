"""`runtime.api` imports each public name when it is first used, so a program that needs
the flow schema does not wait for the engine, the stores, networkx, httpx and keyring."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import runtime.api as api

REPO = Path(__file__).parents[3]


def _type_checking_imports() -> dict[str, tuple[str, str | None]]:
    tree = ast.parse((REPO / "runtime" / "api.py").read_text(encoding="utf-8"))
    block = next(node for node in tree.body if isinstance(node, ast.If)
                 and getattr(node.test, "id", None) == "TYPE_CHECKING")
    found: dict[str, tuple[str, str | None]] = {}
    for node in block.body:
        assert isinstance(node, ast.ImportFrom) and node.module
        for alias in node.names:
            name = alias.asname or alias.name
            if node.module == "runtime":
                found[name] = (f"runtime.{alias.name}", None)
            else:
                found[name] = (node.module, alias.name)
    return found


def test_the_lazy_table_names_what_the_type_checker_sees():
    assert _type_checking_imports() == api._LAZY


def test_every_public_name_is_the_runtime_object_itself():
    import importlib

    for name in api.__all__:
        value = getattr(api, name)
        if name in api._LAZY:
            module, attribute = api._LAZY[name]
            expected = importlib.import_module(module)
            if attribute is not None:
                expected = getattr(expected, attribute)
            assert value is expected, name
    assert "Flow" in dir(api)


def test_an_unknown_name_is_an_attribute_error_naming_it():
    try:
        api.no_such_thing  # noqa: B018
    except AttributeError as exc:
        assert "no_such_thing" in str(exc)
    else:
        raise AssertionError("expected an AttributeError")


def _modules_after(code: str) -> set[str]:
    probe = code + "\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", probe], cwd=REPO, check=True,
                            capture_output=True, text=True,
                            env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})
    return set(json.loads(result.stdout.strip().splitlines()[-1]))


def test_importing_the_api_or_the_schema_loads_no_engine_and_no_heavy_libraries():
    heavy = {"networkx", "httpx", "keyring", "runtime.engine.runner", "runtime.store.sqlite",
             "runtime.evaluation.desk"}
    assert not heavy & _modules_after("import runtime.api")
    loaded = _modules_after("from runtime.api import Flow, load_flow")
    assert "runtime.flow.schema" in loaded
    assert not heavy & loaded
