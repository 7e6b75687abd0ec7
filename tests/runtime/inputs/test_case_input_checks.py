"""Case files, `--case` and `decide --set` are checked before anything is created (issue 12
§4): every bad line with its number, one clear message, exit 2, no run made."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from runtime.cli.main import main
from runtime.jsonl import MAX_TEXT_CHARS

GOOD = b'{"id": "ok-1", "message": "fine", "amount": 3}'


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err + captured.out
    return code, captured.out, captured.err


def run_count(home: Path) -> int:
    db = home / "junction.db"
    if not db.exists():
        return 0
    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM runs").fetchone()[0])


def test_every_bad_line_of_a_cases_file_is_reported_with_its_number_and_nothing_runs(
        returns_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = [
        GOOD,                                                           # 1
        b'{"id": "bytes", "message": "caf\xe9"}',                       # 2 not UTF-8
        b"[" * 50_000 + b"]" * 50_000,                                  # 3 very deep
        b'{"id": "n", "message": "x", "amount": ' + b"9" * 5000 + b"}",  # 4 huge number
        b'{"id": "nan", "message": "x", "amount": NaN}',                # 5
        b'{"id": "inf", "message": "x", "amount": Infinity}',           # 6
        b'{"id": "exp", "message": "x", "amount": 1e999}',              # 7
        b'{"id": "big", "message": "' + b"x" * (MAX_TEXT_CHARS + 1) + b'"}',  # 8 size cap
        b'{"id": "typed", "message": "x", "amount": "ten"}',            # 9 flow check
        b'{"message": "no id"}',                                        # 10
        GOOD.replace(b"ok-1", b"ok-2"),                                 # 11
    ]
    cases = tmp_path / "cases.jsonl"
    cases.write_bytes(b"\n".join(lines) + b"\n")
    home = tmp_path / "home"
    code, _, err = run_cli(capsys, "batch", str(returns_dir / "flow.yaml"), "--cases",
                           str(cases), "--home", str(home))
    assert code == 2
    reported = [int(line.split(":")[1]) for line in err.removeprefix("error: ").splitlines()]
    assert reported == [2, 3, 4, 5, 6, 7, 8, 9, 10], err
    assert f"{cases}:9: case typed: field 'amount' must be number" in err
    assert "100,000" in err and "NaN" in err and "Infinity" in err
    assert run_count(home) == 0, "no run is created while any line is bad"


def test_a_folder_given_as_the_cases_file_is_a_clear_error(
        returns_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "batch", str(returns_dir / "flow.yaml"), "--cases",
                           str(tmp_path), "--home", str(tmp_path / "home"))
    assert code == 2 and err.strip() == f"error: {tmp_path}: is a folder, not a cases file"


@pytest.mark.parametrize(("case", "expected"), [
    ('{"id": "a", "message": "x", "amount": NaN}', "NaN"),
    ('{"id": "a", "message": "x", "amount": ' + "1" * 5000 + "}", "5,000 digits"),
    ("[" * 10_000, "nested more than"),
    ('{"id": "a", "message": "' + "y" * (MAX_TEXT_CHARS + 5) + '"}', "characters long"),
    ('{"message": "x"}', "no 'id'"),
], ids=["nan", "digits", "deep", "long", "no-id"])
def test_an_inline_case_is_checked_like_a_case_file_line(
        returns_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str,
        expected: str) -> None:
    home = tmp_path / "home"
    code, _, err = run_cli(capsys, "run", str(returns_dir / "flow.yaml"), "--case", case,
                           "--home", str(home))
    assert code == 2 and err.startswith("error: --case:") and expected in err
    assert run_count(home) == 0


def test_a_case_file_that_is_a_folder_or_not_utf8_is_named(
        returns_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    latin = tmp_path / "case.json"
    latin.write_bytes(b'{"id": "a", "message": "caf\xe9"}')
    for given, expected in ((tmp_path, "is a folder"), (latin, "not UTF-8")):
        code, _, err = run_cli(capsys, "run", str(returns_dir / "flow.yaml"), "--case",
                               str(given), "--home", str(tmp_path / "home"))
        assert code == 2 and f"{given}: {expected}" in err


@pytest.fixture
def review_task(returns_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
                ) -> tuple[Path, str]:
    """A run of the returns flow waiting at its human review step (two decisions)."""
    home = tmp_path / "home"
    code, out, _ = run_cli(capsys, "run", str(returns_dir / "flow.yaml"), "--case",
                           '{"id": "u-1", "message": "changed my mind", "amount": 5}',
                           "--home", str(home), "--json")
    assert code == 0
    [task] = json.loads(out)["tasks"]
    return home, task["id"]


def test_a_bare_set_on_a_human_task_is_a_clear_usage_error_and_changes_nothing(
        review_task: tuple[Path, str], capsys: pytest.CaptureFixture[str]) -> None:
    home, task_id = review_task
    code, _, err = run_cli(capsys, "decide", task_id, "--set", "refund=3", "--home", str(home))
    assert code == 2 and "None" not in err
    assert "does not say what is decided at 'review'" in err and "--approve" in err
    code, out, _ = run_cli(capsys, "tasks", "--home", str(home), "--json")
    assert [t["id"] for t in json.loads(out)] == [task_id], "the task is still open"


@pytest.mark.parametrize(("assignment", "expected"), [
    ("refund=" + "9" * 5000, "--set refund: a number with 5,000 digits"),
    ("refund=1e999", "--set refund: the number 1e999 is too large"),
    ("refund=NaN", "--set refund: NaN"),
], ids=["digits", "overflow", "nan"])
def test_a_huge_or_non_finite_number_in_set_is_a_clear_error(
        review_task: tuple[Path, str], capsys: pytest.CaptureFixture[str], assignment: str,
        expected: str) -> None:
    home, task_id = review_task
    code, _, err = run_cli(capsys, "decide", task_id, "--approve", "--set", assignment,
                           "--home", str(home))
    assert code == 2 and expected in err


def test_a_set_with_a_decision_still_works(
        review_task: tuple[Path, str], capsys: pytest.CaptureFixture[str]) -> None:
    home, task_id = review_task
    code, out, _ = run_cli(capsys, "decide", task_id, "--approve", "--set", "refund=3",
                           "--home", str(home), "--json")
    assert code == 0 and json.loads(out)["run"]["status"] == "completed"
