"""A batch is tied to the flow text it ran (issue 12 §6): re-running the same command after
the flow changed starts a new batch; a named batch of another version is refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from runtime.cli.main import main


def batch(capsys: pytest.CaptureFixture[str], flow: Path, cases: Path, home: Path,
          *extra: str) -> tuple[int, dict | str]:
    code = main(["batch", str(flow), "--cases", str(cases), "--home", str(home), "--json",
                 *extra])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, json.loads(captured.out) if code == 0 else captured.err


@pytest.fixture
def cases(tmp_path: Path) -> Path:
    path = tmp_path / "cases.jsonl"
    path.write_text('{"id": "broken-1", "message": "broken", "amount": 5}\n'
                    '{"id": "broken-2", "message": "cracked", "amount": 7}\n')
    return path


def change_the_flow(flow: Path) -> None:
    flow.write_text(flow.read_text().replace("bands: {act: 0.8, suggest: 0.5}",
                                             "bands: {act: 0.99, suggest: 0.5}"))


def test_the_same_command_after_the_flow_changed_starts_a_new_batch(
        returns_dir: Path, cases: Path, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    flow, home = returns_dir / "flow.yaml", tmp_path / "home"
    code, first = batch(capsys, flow, cases, home)
    assert code == 0 and first["counts"] == {"completed": 2}
    code, again = batch(capsys, flow, cases, home)
    assert again["batch_id"] == first["batch_id"] and again["already_done"] == 2

    change_the_flow(flow)
    code, changed = batch(capsys, flow, cases, home)
    assert code == 0 and changed["batch_id"] != first["batch_id"]
    assert changed["already_done"] == 0, "the new flow ran every case"
    old_ids = {r["id"] for r in first["runs"]}
    assert not old_ids & {r["id"] for r in changed["runs"]}
    assert {r["flow_sha"] for r in changed["runs"]} != {r["flow_sha"] for r in first["runs"]}
    assert changed["counts"] == {"blocked": 2}, "0.95 and 0.97 are below the new act band"


def test_a_named_batch_that_ran_another_version_of_the_flow_is_refused(
        returns_dir: Path, cases: Path, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    flow, home = returns_dir / "flow.yaml", tmp_path / "home"
    assert batch(capsys, flow, cases, home, "--batch", "monday")[0] == 0
    change_the_flow(flow)
    code, err = batch(capsys, flow, cases, home, "--batch", "monday")
    assert code == 2 and "batch 'monday' ran another version of this flow" in str(err)
    assert "--batch" in str(err)
