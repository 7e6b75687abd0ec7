"""The inbox: open tasks across runs, their packets, deciding from the app (issue 10)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from designer_testkit import REPO

from runtime.api import Workspace, load_flow

MODEL = "scripted:scripted.yaml"
TRIAGE = REPO / "templates" / "support-triage"


def _case(case_id: str) -> dict:
    for line in (TRIAGE / "cases.jsonl").read_text().splitlines():
        if line.strip() and json.loads(line)["id"] == case_id:
            return json.loads(line)
    raise KeyError(case_id)


@pytest.fixture
def home() -> Path:
    return Path(os.environ["JUNCTION_HOME"])  # each test's own, from tests/conftest.py


@pytest.fixture
def workspace(home):
    ws = Workspace.open(home)
    yield ws
    ws.close()


def start(workspace: Workspace, case_id: str, autonomy: str = "operate"):
    return workspace.engine().start(load_flow(TRIAGE / "flow.yaml"), _case(case_id),
                                    autonomy=autonomy, model=MODEL)


@pytest.fixture
def inbox(qtbot, home):
    from designer.inbox.view import InboxView
    from designer.inbox.workspace_link import WorkspaceLink

    link = WorkspaceLink(home)
    view = InboxView(link, "dana")
    qtbot.addWidget(view)
    view.resize(1280, 760)
    view.show()
    yield view
    qtbot.waitUntil(lambda: not view.busy(), timeout=20000)
    link.close()


def _task_ids(view) -> list[str]:
    return [line.task.id for line in view.tasks.lines]


def cli(home: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "JUNCTION_HOME": str(home), "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "runtime.cli.main", *args], env=env,
                          capture_output=True, text=True, timeout=120, check=False)


def test_a_blocked_run_is_approved_from_the_inbox_and_completes(inbox, workspace, qtbot):
    run = start(workspace, "T-001")  # a refund: waits at "Approve the refund"
    assert run.status.value == "blocked"
    inbox.refresh()
    task = workspace.store.tasks(run_id=run.id)[0]
    assert _task_ids(inbox) == [task.id]
    packet = inbox.packet
    assert packet.findChild(object, "packetTitle").text() == "Approve the refund"
    assert "kettle" in packet.findChild(object, "packetCase").text()
    assert "refund_amount = 49.9" in packet.findChild(object, "packetDone").text()
    assert inbox.form.editors["refund_amount"].text() == "49.9"  # prefilled from the record
    decided = []
    inbox.decided.connect(decided.append)
    with qtbot.waitSignal(inbox.decided, timeout=20000):
        inbox.form.approve_button.click()
    assert decided == [run.id]
    finished = workspace.store.run(run.id)
    assert finished.status.value == "completed"
    settled = workspace.store.task(task.id)
    assert settled.decided_by == "dana" and settled.decision["action"] == "approve"
    assert _task_ids(inbox) == []
    assert "completed" in inbox.banner.text()


def test_an_invalid_edit_is_refused_at_the_field_and_nothing_is_decided(inbox, workspace,
                                                                        qtbot):
    run = start(workspace, "T-001")
    inbox.refresh()
    editor = inbox.form.editors["refund_amount"]
    editor.editor.setText("2500")  # the node allows 0 to 2000
    inbox.form.approve_button.click()
    assert editor.error.isVisible() and "2000" in editor.error.text()
    assert not inbox.busy()
    assert workspace.store.tasks(run_id=run.id)[0].status == "open"
    assert workspace.store.run(run.id).status.value == "blocked"
    editor.editor.setText("not a number")
    inbox.form.approve_button.click()
    assert "number" in editor.error.text()
    editor.editor.setText("30")
    with qtbot.waitSignal(inbox.decided, timeout=20000):
        inbox.form.approve_button.click()
    assert not editor.error.isVisible() or editor.error.text() == ""
    run = workspace.store.run(run.id)
    assert run.status.value == "completed" and run.context["record"]["refund_amount"] == 30


def test_a_task_decided_by_the_cli_meanwhile_shows_a_conflict_and_changes_nothing(
        inbox, workspace, home, qtbot):
    run = start(workspace, "T-001")
    inbox.refresh()
    task = workspace.store.tasks(run_id=run.id)[0]
    assert _task_ids(inbox) == [task.id]
    done = cli(home, "decide", task.id, "--reject", "--by", "alex")
    assert done.returncode == 0, done.stderr
    after_cli = workspace.store.run(run.id)
    assert after_cli.outcome == "rejected"
    audit_rows = len(workspace.store.audit_rows())
    inbox.form.approve_button.click()  # the inbox still shows the task as open
    text = inbox.banner.text()
    assert "Already decided" in text and "alex" in text and "rejected" in text
    assert inbox.banner.property("kind") == "conflict"
    assert workspace.store.task(task.id).decision["action"] == "reject"
    assert workspace.store.run(run.id) == after_cli
    assert len(workspace.store.audit_rows()) == audit_rows
    assert _task_ids(inbox) == []  # and the list caught up


def test_a_second_click_while_deciding_changes_nothing(inbox, workspace, qtbot):
    run = start(workspace, "T-001")
    inbox.refresh()
    with qtbot.waitSignal(inbox.decided, timeout=20000):
        inbox.submit(_approve())
        inbox.submit(_reject())  # a second click before the first is recorded
        assert "already being recorded" in inbox.banner.text()
    assert workspace.store.run(run.id).status.value == "completed"
    assert workspace.store.tasks(status=None, run_id=run.id)[0].decision["action"] == "approve"


def _approve():
    from designer.inbox.decide_form import Submission

    return Submission("approve")


def _reject():
    from designer.inbox.decide_form import Submission

    return Submission("reject")


def test_choosing_a_branch_of_a_classification(inbox, workspace, qtbot):
    run = start(workspace, "T-001", autonomy="observe")  # waits at the first AI step
    inbox.refresh()
    packet = inbox.packet
    assert "refund" in packet.findChild(object, "packetProposal").text()
    assert "93%" in packet.findChild(object, "packetConfidence").text()
    assert packet.findChild(object, "packetProbabilities") is not None
    assert inbox.form.choice.isVisibleTo(inbox) and not inbox.form.editors
    inbox.form.choice.setCurrentText("billing")
    with qtbot.waitSignal(inbox.decided, timeout=20000):
        inbox.form.choose_button.click()
    step = next(s for s in workspace.store.steps(run.id) if s.node_id == "intake")
    assert step.output["label"] == "billing" and step.output["ai_label"] == "refund"


def test_filters_narrow_the_list_by_flow_step_and_assignee(inbox, workspace):
    refund = start(workspace, "T-001")                   # waits at refund_review
    observed = start(workspace, "T-002", autonomy="observe")  # waits at intake
    inbox.refresh()
    assert len(inbox.tasks.lines) == 2
    box = inbox.tasks.node_box
    box.setCurrentIndex(box.findData("intake"))
    inbox.refresh()
    assert [line.task.run_id for line in inbox.tasks.lines] == [observed.id]
    box.setCurrentIndex(0)
    assignee = inbox.tasks.assignee_box
    assignee.setCurrentIndex(assignee.findData("refunds team"))
    inbox.refresh()
    assert [line.task.run_id for line in inbox.tasks.lines] == [refund.id]
    assert "2 open tasks, 1 shown" in inbox.summary.text()


def test_model_text_is_shown_as_plain_text(inbox, workspace):
    case = {**_case("T-001"), "id": "T-HTML", "message": "<b>bold</b> <a href='x'>link</a>"}
    workspace.engine().start(load_flow(TRIAGE / "flow.yaml"), case, autonomy="observe",
                             model=MODEL)
    inbox.refresh()
    from PySide6.QtCore import Qt

    label = inbox.packet.findChild(object, "packetCase")
    assert label.textFormat() == Qt.TextFormat.PlainText and "<b>bold</b>" in label.text()


def test_the_badge_counts_open_tasks_and_sees_the_cli_create_one(qtbot, home, workspace):
    from designer.inbox.badge import TaskBadge

    badge = TaskBadge(lambda: workspace.store.run_counts().open_tasks, interval_ms=100)
    qtbot.addWidget(badge)
    badge.refresh()
    assert badge.text() == "Inbox: no open tasks"
    start(workspace, "T-001")
    start(workspace, "T-004", autonomy="observe")
    qtbot.waitUntil(lambda: badge.text() == "Inbox: 2 open tasks", timeout=5000)
    case = json.dumps(_case("T-003"))
    made = cli(home, "run", str(TRIAGE / "flow.yaml"), "--case", case, "--autonomy",
               "observe", "--model", MODEL)
    assert made.returncode == 0, made.stderr
    qtbot.waitUntil(lambda: badge.text() == "Inbox: 3 open tasks", timeout=5000)
    badge.timer.stop()


@pytest.fixture
def window_workspace(window):
    """The workspace the window's settings name (its inbox and badge read that one)."""
    ws = Workspace.open(window.workspace_link.home)
    yield ws
    ws.close()


def test_the_window_shows_the_badge_and_switches_to_the_inbox(window, window_workspace,
                                                             qtbot):
    start(window_workspace, "T-001")
    window.task_badge.refresh()
    assert window.task_badge.text() == "Inbox: 1 open task"
    assert window.task_badge.isVisible()
    window.task_badge.click()
    assert window.area.current_key() == "inbox"
    assert window.rail.buttons["inbox"].isChecked()
    assert len(window.inbox.tasks.lines) == 1
    assert window.task_badge.isVisible()  # on every view
    window.rail.buttons["compare"].trigger()
    assert window.area.current_key() == "compare"


def test_the_decider_is_the_settings_name_else_the_login_name(monkeypatch, tmp_path):
    from designer.inbox.identity import decider_name, login_name

    monkeypatch.setenv("JUNCTION_CONFIG", str(tmp_path / "settings.toml"))
    monkeypatch.delenv("JUNCTION_USER", raising=False)
    assert decider_name() == login_name() != ""
    (tmp_path / "settings.toml").write_text('[person]\nname = "Dana Reviewer"\n')
    assert decider_name() == "Dana Reviewer"
    monkeypatch.setenv("JUNCTION_USER", "sam")
    assert decider_name() == "sam"
    (tmp_path / "settings.toml").write_text("[person\nname = ")  # broken: still decides
    monkeypatch.delenv("JUNCTION_USER")
    assert decider_name() == login_name()


def test_the_inbox_on_screen_follows_a_task_the_cli_opens(window, window_workspace, qtbot):
    home = window.workspace_link.home
    window.area.show_view("inbox")
    assert window.inbox.tasks.lines == []
    window.task_badge.timer.setInterval(100)
    case = json.dumps(_case("T-002"))
    made = cli(home, "run", str(TRIAGE / "flow.yaml"), "--case", case, "--autonomy",
               "observe", "--model", MODEL)
    assert made.returncode == 0, made.stderr
    qtbot.waitUntil(lambda: len(window.inbox.tasks.lines) == 1, timeout=5000)
    assert window.task_badge.text() == "Inbox: 1 open task"
