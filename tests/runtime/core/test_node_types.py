"""Node kinds are data: one spec per kind, and everything else derived from the list.

A kind registered from a test module (tests/tag_kind.py) loads, validates, reports a
wrong value at its field, follows a rename, and runs in the engine — with no change to
the loader, the validator, the catalogue or the executor table.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from tag_kind import TAG_FLOW, tag_kind_registered

from runtime.api import (
    ActionNode,
    FlowError,
    RunStatus,
    Workspace,
    field_catalog,
    node_type_of,
    node_types,
    parse_flow,
    renamed_ref,
    rewrite_references,
    validate_flow,
)
from runtime.engine.steps import EXECUTORS
from runtime.flow.schema import Flow

# The smallest valid body of each built-in kind (beyond id and kind).
MINIMAL: dict[str, dict[str, Any]] = {
    "start": {}, "end": {"outcome": "done"}, "decision": {}, "human": {}, "action": {},
    "ai.classify": {"options": [{"name": "a"}, {"name": "b"}]}, "ai.assist": {},
    "ai.enforce": {}, "tag": {"value": "vip"},
}


def _node(key: str, **extra: Any) -> dict[str, Any]:
    kind, _, role = key.partition(".")
    return {"id": "step", "kind": kind, **({"role": role} if role else {}),
            **MINIMAL[key], **extra}


def _problems(text: str) -> list[Any]:
    with pytest.raises(FlowError) as caught:
        parse_flow(text, filename="flow.yaml")
    return caught.value.problems


def test_every_node_type_has_an_executor_and_a_key_that_reads_kind_or_role() -> None:
    keys = [spec.key for spec in node_types()]
    assert keys == ["start", "ai.classify", "ai.assist", "ai.enforce", "decision", "human",
                    "action", "end"]
    assert set(EXECUTORS) == set(keys)
    for spec in node_types():
        assert spec.key == (f"ai.{spec.role}" if spec.role else spec.kind)


def test_every_kind_round_trips_through_the_flow_union() -> None:
    flow = Flow.model_validate({"name": "all", "nodes": [
        _node(spec.key, id=f"n{i}") for i, spec in enumerate(node_types())]})
    assert [node_type_of(n).key for n in flow.nodes] == [s.key for s in node_types()]


@settings(max_examples=60, deadline=None)
@given(key=st.sampled_from(sorted(set(MINIMAL) - {"tag"})),
       junk=st.one_of(st.integers(), st.booleans(), st.lists(st.integers(), max_size=2),
                      st.dictionaries(st.text(max_size=3), st.integers(), max_size=2)))
def test_a_wrong_value_is_reported_at_its_field_whatever_the_kind(key: str, junk: Any) -> None:
    text = yaml.safe_dump({"name": "x", "nodes": [_node(key, title=junk)]})
    problems = _problems(text)
    assert [p.path for p in problems] == ["nodes.0.title"]
    assert problems[0].message.startswith("'title': ")
    assert problems[0].node == "step" and (problems[0].line or 0) >= 3


def test_a_registered_kind_loads_validates_and_is_reported_at_its_fields() -> None:
    with tag_kind_registered():
        loaded = parse_flow(TAG_FLOW, filename="flow.yaml")
        assert validate_flow(loaded) == []
        catalog = field_catalog(loaded.flow)
        assert catalog["mark.value"].values == ("vip",)
        bad = TAG_FLOW.replace("value: vip, reason_from", "value: [vip], reason_from")
        problems = _problems(bad)
        assert [(p.path, p.line, p.node) for p in problems] == [("nodes.1.value", 8, "mark")]
        wrong_ref = parse_flow(TAG_FLOW.replace("reason_from: case.tier",
                                                "reason_from: case.nope"))
        assert [p.message for p in validate_flow(wrong_ref)] == [
            "takes its reason from 'case.nope', which is not a known field"]
    problems = _problems(TAG_FLOW)
    assert problems[0].message.startswith("unknown node kind 'tag'; a node's kind must be "
                                          "one of: start, ai, decision, human, action, end")


def test_a_registered_kind_runs_in_the_engine(tmp_path: Path) -> None:
    with tag_kind_registered():
        workspace = Workspace.open(tmp_path / "home")
        try:
            run = workspace.engine().start(parse_flow(TAG_FLOW),
                                           {"id": "c-1", "message": "hi", "tier": "pro"})
            assert run.status is RunStatus.completed and run.outcome == "vip"
            steps = workspace.store.steps(run.id)
            assert [s.node_id for s in steps] == ["start", "mark", "route", "vip_done"]
            assert steps[1].kind == "tag"
            assert steps[1].output == {"value": "vip", "reason": "pro"}
        finally:
            workspace.close()


def test_references_follow_a_rename_in_the_fields_each_kind_declares() -> None:
    action = ActionNode(id="pay", copy_from={"refund": "sort.amount", "note": "case.message"})
    moved = rewrite_references(action, lambda ref: renamed_ref(ref, {"sort": "triage"}))
    assert moved.copy_from == {"refund": "triage.amount", "note": "case.message"}
    assert rewrite_references(action, lambda ref: ref) is action
    with tag_kind_registered():
        tag = parse_flow(TAG_FLOW.replace("case.tier", "sort.label")).flow.node("mark")
        assert rewrite_references(tag, lambda r: renamed_ref(r, {"sort": "s2"})).reason_from \
            == "s2.label"
