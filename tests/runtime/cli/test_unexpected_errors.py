"""The CLI's promise for a bug: one line on stderr, exit code 70, the traceback kept.

A user who hits a bug sees one line that says where the details went (a log file in the
workspace folder); `junction --debug` shows the traceback instead. User errors keep their
own exit codes and never reach the log.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from runtime.api import Workspace
from runtime.cli.crash_log import LOG_NAME
from runtime.cli.main import EXIT_BUG, main


def _break_workspace(monkeypatch: pytest.MonkeyPatch, message: str) -> None:
    def broken(cls: type, home: str | None = None) -> Workspace:
        raise RuntimeError(message)
    monkeypatch.setattr(Workspace, "open", classmethod(broken))


def test_a_bug_prints_one_line_exits_70_and_logs_the_traceback(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        tmp_path: Path) -> None:
    _break_workspace(monkeypatch, "the disk\nis on fire")
    code = main(["runs", "--home", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == EXIT_BUG == 70
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("internal error: RuntimeError: the disk")
    log = tmp_path / LOG_NAME
    assert str(log) in err
    text = log.read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in text and "is on fire" in text
    assert "junction runs --home" in text


def test_a_second_bug_is_appended_not_overwritten(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        tmp_path: Path) -> None:
    _break_workspace(monkeypatch, "bug number one")
    main(["runs", "--home", str(tmp_path)])
    _break_workspace(monkeypatch, "bug number two")
    main(["tasks", "--home", str(tmp_path)])
    capsys.readouterr()
    text = (tmp_path / LOG_NAME).read_text(encoding="utf-8")
    assert text.index("RuntimeError: bug number one") < text.index("RuntimeError: bug number two")


def test_debug_shows_the_traceback_instead(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        tmp_path: Path) -> None:
    _break_workspace(monkeypatch, "boom")
    code = main(["--debug", "runs", "--home", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 70
    assert "Traceback (most recent call last)" in err and "RuntimeError: boom" in err
    assert not (tmp_path / LOG_NAME).exists()


def test_an_unwritable_log_still_gives_one_line_and_70(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        tmp_path: Path) -> None:
    home = tmp_path / "a-file-not-a-folder"
    home.write_text("x", encoding="utf-8")
    _break_workspace(monkeypatch, "boom")
    code = main(["runs", "--home", str(home)])
    err = capsys.readouterr().err
    assert code == 70 and err.count("\n") == 1
    assert "could not be saved" in err


def test_a_user_error_keeps_its_code_and_writes_no_log(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code = main(["show", "no-such-run", "--home", str(tmp_path)])
    assert code == 3
    assert "not found" in capsys.readouterr().err
    assert not (tmp_path / LOG_NAME).exists()
