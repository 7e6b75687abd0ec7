"""The run state machine: only legal moves happen, terminal states never change."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runtime.api import RunStatus, SqliteRunStore
from runtime.errors import IllegalTransition
from runtime.store.states import TERMINAL, TRANSITIONS, check_move

LEGAL = {
    ("queued", "running"), ("queued", "cancelled"),
    ("running", "blocked"), ("running", "completed"), ("running", "failed"),
    ("running", "cancelled"), ("blocked", "running"), ("blocked", "cancelled"),
}


def test_transition_table_is_exactly_the_documented_one() -> None:
    table = {(a.value, b.value) for a, targets in TRANSITIONS.items() for b in targets}
    assert table == LEGAL


@given(st.lists(st.sampled_from(list(RunStatus)), max_size=30))
def test_random_move_sequences_only_follow_legal_edges(moves: list[RunStatus]) -> None:
    state = RunStatus.queued
    for target in moves:
        if (state.value, target.value) in LEGAL:
            state = check_move(state, target)
        else:
            with pytest.raises(IllegalTransition):
                check_move(state, target)
    if state in TERMINAL:
        for target in RunStatus:
            with pytest.raises(IllegalTransition, match="cannot change"):
                check_move(state, target)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.sampled_from(list(RunStatus)), min_size=1, max_size=12))
def test_store_enforces_the_state_machine(tmp_path_factory: pytest.TempPathFactory,
                                          moves: list[RunStatus]) -> None:
    store = SqliteRunStore(Path(tmp_path_factory.mktemp("states")) / "j.db")
    run, _ = store.create_run(flow_text="x", flow_sha="s", flow_name="f", flow_path=None,
                              case_id="c", context={})
    expected = RunStatus.queued
    for target in moves:
        if (expected.value, target.value) in LEGAL:
            store.move(run.id, target)
            expected = target
        else:
            with pytest.raises(IllegalTransition):
                store.move(run.id, target)
        assert store.run(run.id).status is expected
    store.close()
