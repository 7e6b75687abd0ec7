"""Whatever a dataset file holds, reading it either gives checked cases or one clear
error naming the file and line of every problem — never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paths import TEMPLATES
from runtime.api import compile_plan, load_flow
from runtime.errors import InputError
from runtime.evaluation.dataset_run import read_labelled

PLAN = compile_plan(load_flow(TEMPLATES / "support-triage" / "flow.yaml"))
values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
                      lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=6)
lines = st.one_of(
    st.text(max_size=40).filter(lambda t: "\n" not in t and "\r" not in t),
    values.map(json.dumps),
    st.fixed_dictionaries({"id": st.text(max_size=5) | st.integers(),
                           "message": st.text(max_size=20) | st.integers()},
                          optional={"expected": values | st.dictionaries(
                              st.sampled_from(["intake", "nowhere"]),
                              st.sampled_from(["refund", "spam", "nonsense"])),
                                    "expected_outcome": values,
                                    "expected_record": values}).map(json.dumps))


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(lines, max_size=6))
def test_any_dataset_is_read_or_refused_line_by_line(tmp_path: Path, rows: list[str]) -> None:
    path = tmp_path / "data.jsonl"
    path.write_text("\n".join(rows), encoding="utf-8")
    try:
        cases = read_labelled(path, PLAN)
    except InputError as exc:
        for problem in str(exc).splitlines():
            assert problem.startswith(f"{path}"), problem
        return
    assert cases and all(c.expected or c.expected_outcome or c.expected_record
                         for c in cases)
