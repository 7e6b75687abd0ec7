"""`junction doctor`: healthy and broken workspaces, each problem with a fix."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from frozen_workspace import restore_v1

from runtime.cli.main import main
from runtime.store.db import SCHEMA_VERSION


@pytest.fixture(autouse=True)
def _no_ollama(monkeypatch: pytest.MonkeyPatch) -> None:
    """A port nothing listens on: the Ollama check answers at once, without a network."""
    monkeypatch.setenv("OLLAMA_HOST", "http://127.0.0.1:9")


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    restore_v1(home / "junction.db")
    return home


def doctor(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict]:
    code = main(["doctor", "--json", *args])
    return code, json.loads(capsys.readouterr().out)


def by_name(report: dict) -> dict[str, dict]:
    return {check["name"]: check for check in report["checks"]}


def test_a_healthy_workspace_passes_and_every_warning_has_a_fix(
        workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, report = doctor(capsys, "--home", str(workspace))
    checks = by_name(report)
    assert code == 0 and report["healthy"]
    assert checks["audit trail"]["status"] == "ok"
    assert checks["workspace integrity"]["status"] == "ok"
    assert f"schema version {SCHEMA_VERSION}" in checks["workspace schema"]["detail"]
    assert checks["Ollama"]["status"] == "warn"
    assert "ollama serve" in checks["Ollama"]["detail"] + checks["Ollama"]["fix"]
    assert checks["Python"]["status"] == "ok"
    assert "disk space" in checks
    assert all(c["fix"] for c in report["checks"] if c["status"] in ("warn", "fail"))


def test_an_edited_audit_row_fails_with_the_row_and_a_fix(
        workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    conn = sqlite3.connect(workspace / "junction.db")
    conn.execute("DROP TRIGGER audit_log_no_update")  # what someone editing the file does
    conn.execute("UPDATE audit_log SET actor='mallory' WHERE seq=3")
    conn.commit()
    conn.close()
    code, report = doctor(capsys, "--home", str(workspace))
    chain = by_name(report)["audit trail"]
    assert code == 1 and not report["healthy"]
    assert chain["status"] == "fail" and "row 3" in chain["detail"] and chain["fix"]


def test_a_file_that_is_not_a_database_fails_with_a_fix(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "junction.db").write_bytes(b"this is not SQLite" * 100)
    code, report = doctor(capsys, "--home", str(tmp_path))
    workspace = by_name(report)["workspace"]
    assert code == 1
    assert workspace["status"] == "fail" and "backup" in workspace["fix"]


def test_a_broken_settings_file_is_named_with_its_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "settings.toml"
    config.write_text("[workspace]\nhome = 42\n")
    monkeypatch.delenv("JUNCTION_HOME")
    code, report = doctor(capsys, "--config", str(config))
    problem = by_name(report)["settings file"]
    assert code == 1 and f"{config}:2: workspace.home" in problem["detail"]


def test_the_printed_report_explains_each_problem(
        workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["doctor", "--home", str(workspace)]) == 0
    printed = capsys.readouterr().out
    assert "Ollama" in printed and "fix: install Ollama" in printed
    assert printed.rstrip().endswith("healthy")
