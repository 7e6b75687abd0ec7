"""The webhook connector against a loopback server: keys, tokens, refusals, unknown
outcomes, and crashes at the worst moments (a real `junction` process killed with
SIGKILL by the engine's fault hook, then `junction resume`)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import keyring
import keyring.backends.fail
import pytest
from memory_keyring import MemoryKeyring
from pytest_httpserver import HTTPServer
from webhook_sink import PATH, Sink, webhook_flow

from paths import REPO
from runtime.api import HumanDecision, RunStatus, Workspace, load_flow

CASE = {"id": "w-1", "message": "please approve"}


def write_flow(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "webhook.yaml"
    path.write_text(text)
    return path


def sink_flow(tmp_path: Path, server: HTTPServer, sink: Sink, **options: object) -> Path:
    sink.install(server)
    return write_flow(tmp_path, webhook_flow(server.url_for(PATH),
                                             deduplicates=sink.deduplicates, **options))


def test_posts_the_change_set_with_its_key_and_token(
        tmp_path: Path, httpserver: HTTPServer, workspace: Workspace,
        memory_keyring: MemoryKeyring) -> None:
    memory_keyring.set_password("junction", "records-token", "s3cret")
    sink = Sink()
    flow = sink_flow(tmp_path, httpserver, sink, token_key="records-token")
    run = workspace.engine().start(load_flow(flow), CASE)
    assert run.status is RunStatus.completed
    [post] = sink.posts
    assert post["key"] == f"{run.id}:approve:1" and post["auth"] == "Bearer s3cret"
    assert post["body"] == {"idempotency_key": post["key"], "case_id": "w-1",
                            "changes": {"status": "approved", "note": "sent by junction"}}
    [row] = [r for r in workspace.store.audit_rows() if r["kind"] == "record.change"]
    assert row["actor"].startswith("connector:webhook:") and row["data"]["http_status"] == 200
    assert "s3cret" not in str(workspace.store.audit_rows())
    assert "s3cret" not in (tmp_path / "webhook.yaml").read_text()


def test_without_a_keyring_it_says_so_and_sends_nothing(
        tmp_path: Path, httpserver: HTTPServer, workspace: Workspace) -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    try:
        sink = Sink()
        flow = sink_flow(tmp_path, httpserver, sink, token_key="records-token")
        run = workspace.engine().start(load_flow(flow), CASE)
    finally:
        keyring.set_keyring(previous)
    assert run.status is RunStatus.blocked and sink.posts == []
    assert "no keyring is available on this machine" in (run.blocked_reason or "")
    assert "never keeps secrets in plain text" in (run.blocked_reason or "")
    assert "keyring set junction records-token" in (run.blocked_reason or "")

    store = MemoryKeyring()
    store.set_password("junction", "records-token", "later")
    keyring.set_keyring(store)
    try:
        [resumed] = workspace.engine().resume_interrupted()
    finally:
        keyring.set_keyring(previous)
    assert resumed.status is RunStatus.completed and sink.keys() == [f"{run.id}:approve:1"]


def test_a_token_never_travels_over_plain_http_to_another_host(
        tmp_path: Path, workspace: Workspace, memory_keyring: MemoryKeyring) -> None:
    memory_keyring.set_password("junction", "t", "s3cret")
    flow = write_flow(tmp_path, webhook_flow("http://records.example.invalid/hook",
                                             deduplicates=True, token_key="t"))
    run = workspace.engine().start(load_flow(flow), CASE)
    assert run.status is RunStatus.blocked
    assert "refusing to send the webhook token over plain http" in (run.blocked_reason or "")


def test_a_refusal_writes_nothing_and_resume_sends_the_same_key(
        tmp_path: Path, httpserver: HTTPServer, workspace: Workspace) -> None:
    sink = Sink(deduplicates=False, fail_next=[422])
    flow = sink_flow(tmp_path, httpserver, sink)
    run = workspace.engine().start(load_flow(flow), CASE)
    assert run.status is RunStatus.blocked and "HTTP 422" in (run.blocked_reason or "")
    [entry] = workspace.connectors.ledger.entries()
    assert entry.status == "absent"
    [resumed] = workspace.engine().resume_interrupted()
    assert resumed.status is RunStatus.completed
    assert sink.keys() == [entry.key, entry.key] and len(sink.effects) == 1


@pytest.mark.parametrize("choice,posts", [("applied", 1), ("resend", 2)])
def test_an_unknown_outcome_waits_for_a_person(
        choice: str, posts: int, tmp_path: Path, httpserver: HTTPServer,
        workspace: Workspace) -> None:
    sink = Sink(deduplicates=False, fail_next=[503])
    flow = sink_flow(tmp_path, httpserver, sink)
    run = workspace.engine().start(load_flow(flow), CASE)
    assert run.status is RunStatus.blocked
    assert (run.blocked_reason or "").startswith("record change outcome unknown")
    assert workspace.engine().resume_interrupted() == []  # never resent blindly
    [task] = workspace.store.tasks(run_id=run.id)
    assert task.packet["kind"] == "outcome_unknown" and task.packet["options"] == [
        "applied", "resend"]
    assert task.packet["connector"]["idempotency_key"] == f"{run.id}:approve:1"
    _, _, after = workspace.engine(decided_by="ops").decide(
        task.id, HumanDecision(action="choose", choice=choice))
    assert after.status is RunStatus.completed
    assert len(sink.posts) == posts and len(set(sink.keys())) == 1
    [entry] = workspace.connectors.ledger.entries()
    assert entry.status == "applied"


@pytest.mark.parametrize("choice,posts", [("applied", 1), ("resend", 2)])
def test_an_answer_survives_a_crash_before_the_run_goes_on(
        choice: str, posts: int, tmp_path: Path, httpserver: HTTPServer, home: Path) -> None:
    sink = Sink(deduplicates=False, fail_next=[503])
    flow = sink_flow(tmp_path, httpserver, sink)
    first = Workspace.open(home)
    run = first.engine().start(load_flow(flow), CASE)
    [task] = first.store.tasks(run_id=run.id)
    # The decision is committed, then the process dies before the run is continued.
    first.engine().desk.decide(task.id, HumanDecision(action="choose", choice=choice), "ops")
    assert first.connectors.ledger.entries()[0].status == "pending"
    first.close()
    again = Workspace.open(home)
    [resumed] = again.engine().resume_interrupted()
    assert resumed.status is RunStatus.completed
    assert len(sink.posts) == posts and len(set(sink.keys())) == 1
    [entry] = again.connectors.ledger.entries()
    assert entry.status == "applied" and entry.sends == posts
    again.close()


def test_a_redirect_is_not_followed_and_not_taken_for_success(
        tmp_path: Path, httpserver: HTTPServer, workspace: Workspace,
        memory_keyring: MemoryKeyring) -> None:
    memory_keyring.set_password("junction", "t", "s3cret")
    sink = Sink(deduplicates=False, fail_next=[302])
    flow = sink_flow(tmp_path, httpserver, sink, token_key="t")
    run = workspace.engine().start(load_flow(flow), CASE)
    assert (run.blocked_reason or "").startswith("record change outcome unknown")
    assert "redirect" in (run.blocked_reason or "") and sink.logins == 0


def test_connection_refused_means_nothing_was_sent(tmp_path: Path,
                                                  workspace: Workspace) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    flow = write_flow(tmp_path, webhook_flow(f"http://127.0.0.1:{port}{PATH}",
                                             deduplicates=False))
    run = workspace.engine().start(load_flow(flow), CASE)
    assert run.status is RunStatus.blocked
    assert (run.blocked_reason or "").startswith("connector unavailable: cannot reach")
    server = HTTPServer(host="127.0.0.1", port=port)
    sink = Sink(deduplicates=False)
    sink.install(server)
    server.start()
    try:
        [resumed] = workspace.engine().resume_interrupted()
    finally:
        server.stop()
    assert resumed.status is RunStatus.completed and len(sink.effects) == 1


# -- crashes in a real process ---------------------------------------------------------


def junction(home: Path, *args: str, fault: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "JUNCTION_HOME": str(home)}
    env.pop("JUNCTION_FAULT", None)
    if fault:
        env["JUNCTION_FAULT"] = fault
    return subprocess.run([sys.executable, "-m", "runtime.cli.main", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)


def crash_then_resume(tmp_path: Path, flow: Path, fault: str) -> Workspace:
    home = tmp_path / "home"
    crashed = junction(home, "run", str(flow), "--case", '{"id": "w-1", "message": "x"}',
                       fault=fault)
    assert crashed.returncode == -9, crashed.stderr
    resumed = junction(home, "resume", "--json")
    assert resumed.returncode == 0, resumed.stderr
    return Workspace.open(home)


@pytest.mark.parametrize("fault", ["effect:1", "sent:1"])
def test_crash_after_the_effect_then_resume_gives_one_effect(
        fault: str, tmp_path: Path, httpserver: HTTPServer) -> None:
    sink = Sink(deduplicates=True)
    workspace = crash_then_resume(tmp_path, sink_flow(tmp_path, httpserver, sink), fault)
    [run] = workspace.store.runs()
    assert run.status is RunStatus.completed
    assert len(sink.effects) == 1
    assert 1 <= len(sink.posts) <= 2 and set(sink.keys()) == {f"{run.id}:approve:1"}
    # killed after the ledger said "applied": nothing is sent again; killed between the
    # POST and the ledger: the same key goes again and the server deduplicates it.
    assert len(sink.posts) == (1 if fault == "effect:1" else 2)
    assert workspace.store.verify_audit().ok
    workspace.close()


def test_crash_after_sending_to_a_server_that_cannot_deduplicate_asks_a_person(
        tmp_path: Path, httpserver: HTTPServer) -> None:
    sink = Sink(deduplicates=False)
    workspace = crash_then_resume(tmp_path, sink_flow(tmp_path, httpserver, sink), "sent:1")
    [run] = workspace.store.runs()
    assert run.status is RunStatus.blocked and len(sink.posts) == 1
    assert (run.blocked_reason or "").startswith("record change outcome unknown")
    [task] = workspace.store.tasks(run_id=run.id)
    decided = junction(workspace.home, "decide", task.id, "--choose", "applied")
    assert decided.returncode == 0, decided.stderr
    assert workspace.store.run(run.id).status is RunStatus.completed
    assert len(sink.posts) == 1 and len(sink.effects) == 1
    workspace.close()


def test_crash_after_sending_is_reconciled_by_asking_the_server(
        tmp_path: Path, httpserver: HTTPServer) -> None:
    sink = Sink(deduplicates=False)
    flow = sink_flow(tmp_path, httpserver, sink,
                     reconcile=httpserver.url_for(f"{PATH}/status"))
    workspace = crash_then_resume(tmp_path, flow, "sent:1")
    [run] = workspace.store.runs()
    assert run.status is RunStatus.completed
    assert len(sink.posts) == 1 and len(sink.effects) == 1
    [entry] = workspace.connectors.ledger.entries()
    assert entry.detail == "reconciled: the change was found"
    workspace.close()
