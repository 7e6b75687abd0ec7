"""`junction --config FILE` is global: every command reads that file, and which value wins
is still flag > environment > file > default (the file chosen by --config > JUNCTION_CONFIG)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from runtime import settings
from runtime.cli.main import main

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture
def flow(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "templates" / "support-triage", tmp_path / "support-triage")
    return tmp_path / "support-triage" / "flow.yaml"


@pytest.fixture
def no_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in settings.ENVIRONMENT.values():
        monkeypatch.delenv(variable, raising=False)


def _config(path: Path, home: Path) -> Path:
    path.write_text(f'[workspace]\nhome = "{home.as_posix()}"\n', encoding="utf-8")
    return path


def _first_case(flow: Path) -> str:
    return (flow.parent / "cases.jsonl").read_text(encoding="utf-8").splitlines()[0]


def _runs_in(home: Path, capsys: pytest.CaptureFixture[str]) -> int:
    """How many runs the workspace in `home` holds (asked through the CLI itself)."""
    capsys.readouterr()
    assert main(["runs", "--home", str(home), "--json"]) == 0
    return len(json.loads(capsys.readouterr().out))


def test_run_uses_the_workspace_of_the_config_file_given_before_the_command(
        tmp_path: Path, flow: Path, no_variables: None,
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    chosen, ignored = tmp_path / "chosen", tmp_path / "ignored"
    config = _config(tmp_path / "team.toml", chosen)
    monkeypatch.setenv("JUNCTION_CONFIG", str(_config(tmp_path / "env.toml", ignored)))
    assert main(["--config", str(config), "run", str(flow), "--case", _first_case(flow),
                 "--model", "scripted:scripted.yaml"]) == 0
    assert _runs_in(chosen, capsys) == 1
    assert not ignored.exists()


def test_batch_precedence_flag_then_environment_then_file_then_default(
        tmp_path: Path, flow: Path, no_variables: None,
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from_file, from_env, from_flag = (tmp_path / n for n in ("file", "env", "flag"))
    config = _config(tmp_path / "settings.toml", from_file)
    cases = flow.parent / "two.jsonl"
    cases.write_text("\n".join((flow.parent / "cases.jsonl").read_text().splitlines()[:2]))
    batch = ["batch", str(flow), "--cases", str(cases), "--model", "scripted:scripted.yaml"]

    assert main(["--config", str(config), *batch]) == 0  # file
    assert _runs_in(from_file, capsys) == 2

    monkeypatch.setenv("JUNCTION_HOME", str(from_env))  # environment beats the file
    assert main(["--config", str(config), *batch]) == 0
    assert _runs_in(from_env, capsys) == 2

    assert main(["--config", str(config), *batch, "--home", str(from_flag)]) == 0  # flag
    assert _runs_in(from_flag, capsys) == 2
    assert _runs_in(from_file, capsys) == 2  # nothing else went to the file's workspace


def test_without_any_config_the_default_workspace_is_used(
        tmp_path: Path, no_variables: None, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("JUNCTION_CONFIG", str(tmp_path / "missing.toml"))
    capsys.readouterr()
    assert main(["settings", "show", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)["settings"]["workspace.home"]
    assert shown == {"value": "", "source": "default"}


def test_settings_and_doctor_see_the_global_flag_and_their_own(
        tmp_path: Path, no_variables: None, capsys: pytest.CaptureFixture[str]) -> None:
    first, second = tmp_path / "first.toml", tmp_path / "second.toml"
    assert main(["--config", str(first), "settings", "set", "person.name", "Ana"]) == 0
    assert main(["settings", "set", "--config", str(second), "person.name", "Bo"]) == 0
    capsys.readouterr()
    assert main(["--config", str(first), "settings", "path"]) == 0
    assert capsys.readouterr().out.strip() == str(first)
    assert main(["--config", str(first), "settings", "show", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)["settings"]["person.name"]
    assert shown == {"value": "Ana", "source": "settings file"}
    assert 'name = "Bo"' in second.read_text() and "Bo" not in first.read_text()


def test_a_broken_file_named_by_the_flag_is_reported_by_any_command(
        tmp_path: Path, flow: Path, no_variables: None,
        capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("[workspace]\nhome = \n")
    code = main(["--config", str(broken), "run", str(flow), "--case", _first_case(flow),
                 "--model", "scripted:scripted.yaml"])
    err = capsys.readouterr().err
    assert code == 2 and f"{broken}: line 2" in err and "Traceback" not in err


@pytest.mark.parametrize("spelling", ["separate", "joined"])
def test_the_bundle_executable_takes_config_before_anything(
        tmp_path: Path, spelling: str, capsys: pytest.CaptureFixture[str]) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("bundle_entry", REPO / "packaging" / "entry.py")
    assert spec and spec.loader
    entry = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(entry)
    config = tmp_path / "portable.toml"
    given = ["--config", str(config)] if spelling == "separate" else [f"--config={config}"]
    capsys.readouterr()
    assert entry.main([*given, "settings", "path"]) == 0
    assert capsys.readouterr().out.strip() == str(config)
