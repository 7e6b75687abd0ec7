"""`case_problems`: every case field that does not fit, at once (the run dialog's form
shows each at its field); it agrees with the check a run makes."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from runtime.api import InputError, compile_plan, load_flow
from runtime.engine.runner import check_case

TEMPLATE = Path(__file__).resolve().parents[3] / "templates" / "support-triage" / "flow.yaml"
LOADED = load_flow(TEMPLATE)
PLAN = compile_plan(LOADED)

values = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                   st.text(max_size=12), st.sampled_from(["free", "pro", "enterprise"]))


@given(message=values, tier=values, total=values)
def test_problems_name_exactly_the_fields_a_run_would_refuse(message, tier, total):
    from runtime.api import case_problems

    case = {"id": "C-1", "message": message, "customer_tier": tier, "order_total": total}
    problems = case_problems(LOADED.flow, case)
    try:
        check_case(PLAN, case)
        refused = None
    except InputError as error:
        refused = str(error)
    assert (refused is None) == (problems == {})
    if refused is not None:
        assert any(f"field '{name}'" in refused for name in problems)
    if isinstance(total, int | float) and not isinstance(total, bool):
        assert "order_total" not in problems
