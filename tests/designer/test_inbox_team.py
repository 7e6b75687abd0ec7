"""The inbox on a team store (issue 17): a decision made in the designer wakes the run on
whichever worker takes it; with no worker running the person is told and chooses.

A real PostgreSQL server (tests/team_server.py) and real `junction worker`s: a process
for the running-worker case, the worker command in this process for the queued one.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from designer_testkit import REPO
from optional_extras import needs

from runtime.api import Workspace, load_flow, settings

needs("team", "psycopg", "procrastinate", "pgserver")

REVIEW = REPO / "tests" / "team" / "review.yaml"  # start → a person approves → pay → end
CASE = {"id": "case-001", "message": "Parcel 1 arrived damaged"}


@pytest.fixture
def team(monkeypatch: pytest.MonkeyPatch) -> str:
    from team_server import new_database

    url = new_database("inbox")
    monkeypatch.setenv("JUNCTION_STORE", url)  # the designer and the CLI both use it
    settings.save(settings.with_value(settings.Settings(), "person.name", "Ana Lima"))
    return url


@pytest.fixture
def waiting(team: str, home: Path):
    """A run of the review flow blocked on its human task, in the team store."""
    workspace = Workspace.open(home)
    run = workspace.engine().start(load_flow(REVIEW), CASE)
    assert run.status.value == "blocked"
    yield workspace, run, workspace.store.tasks(run_id=run.id)[0]
    workspace.close()


@pytest.fixture
def inbox(qtbot, home: Path, team: str):
    from designer.inbox.identity import decider_name
    from designer.inbox.view import InboxView
    from designer.inbox.workspace_link import WorkspaceLink

    link = WorkspaceLink(home)
    view = InboxView(link, decider_name)
    qtbot.addWidget(view)
    view.resize(1280, 760)
    view.show()
    yield view
    qtbot.waitUntil(lambda: not view.busy(), timeout=30000)
    link.close()


def _env(home: Path, team: str) -> dict[str, str]:
    return {**os.environ, "JUNCTION_STORE": team, "JUNCTION_HOME": str(home),
            "PYTHONPATH": str(REPO)}


def _live_workers(team: str) -> int:
    from runtime.team.queue import live_workers

    return live_workers(team) or 0


def _actors(store, run_id: str, kind: str) -> list[str]:
    return [r["actor"] for r in store.audit_rows(run_id=run_id) if r["kind"] == kind]


def test_a_decision_in_the_designer_is_continued_by_a_running_worker(
        qtbot, inbox, waiting, home: Path, team: str) -> None:
    workspace, run, task = waiting
    worker = subprocess.Popen([sys.executable, "-m", "runtime.cli.main", "worker"],
                              env=_env(home, team), stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        qtbot.waitUntil(lambda: _live_workers(team) >= 1, timeout=60000)
        inbox.refresh()
        assert inbox.select_task(task.id)
        with qtbot.waitSignal(inbox.decided, timeout=30000):
            inbox.form.approve_button.click()
        assert "handed to the team's workers (1 running)" in inbox.banner.text()
        assert not inbox.handoff.isVisible()
        qtbot.waitUntil(lambda: workspace.store.run(run.id).status.value == "completed",
                        timeout=60000)
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(30)
    # the person is named on the decision; the worker's process, not the designer's,
    # continued the run and made the record change
    assert _actors(workspace.store, run.id, "decision") == ["person:Ana Lima"]
    worker_actor = f"engine@{socket.gethostname()}:{worker.pid}"
    assert worker_actor in _actors(workspace.store, run.id, "run.status")
    assert workspace.store.run(run.id).outcome == "resolved"
    assert workspace.store.verify_audit().ok


def test_with_no_worker_it_says_so_and_the_run_can_wait_for_one(
        qtbot, inbox, waiting, team: str, capsys: pytest.CaptureFixture[str]) -> None:
    from runtime.cli.main import main

    workspace, run, task = waiting
    inbox.refresh()
    assert inbox.select_task(task.id)
    inbox.form.approve_button.click()
    qtbot.waitUntil(lambda: inbox.handoff.isVisible(), timeout=30000)
    assert "No worker is taking runs" in inbox.handoff.text.text()
    assert "Nothing was decided yet" in inbox.banner.text()
    assert workspace.store.task(task.id).status == "open"  # nothing decided before a choice
    with qtbot.waitSignal(inbox.decided, timeout=30000):
        inbox.handoff.queue.click()
    assert "is on the team queue; it continues when a worker starts" in inbox.banner.text()
    assert workspace.store.run(run.id).status.value == "running"  # woken, not continued
    assert _actors(workspace.store, run.id, "decision") == ["person:Ana Lima"]
    assert main(["worker", "--until-empty"]) == 0  # a worker starts later and takes it
    capsys.readouterr()
    finished = workspace.store.run(run.id)
    assert finished.status.value == "completed" and finished.outcome == "resolved"
    assert workspace.store.verify_audit().ok


def test_with_no_worker_the_run_can_continue_here_or_nothing_be_decided(
        qtbot, inbox, waiting, home: Path) -> None:
    workspace, run, task = waiting
    inbox.refresh()
    assert inbox.select_task(task.id)
    inbox.form.approve_button.click()
    qtbot.waitUntil(lambda: inbox.handoff.isVisible(), timeout=30000)
    audit_rows = len(workspace.store.audit_rows())
    inbox.handoff.cancel.click()
    assert "Nothing was decided" in inbox.banner.text() and not inbox.handoff.isVisible()
    assert workspace.store.task(task.id).status == "open"
    assert len(workspace.store.audit_rows()) == audit_rows
    inbox.form.approve_button.click()
    qtbot.waitUntil(lambda: inbox.handoff.isVisible(), timeout=30000)
    with qtbot.waitSignal(inbox.decided, timeout=30000):
        inbox.handoff.here.click()
    done = workspace.store.run(run.id)
    assert done.status.value == "completed" and "continued and is now completed" in \
        inbox.banner.text()
    assert _actors(workspace.store, run.id, "decision") == ["person:Ana Lima"]
    assert done.context["record"]["status"] == "approved"  # the change was made here
