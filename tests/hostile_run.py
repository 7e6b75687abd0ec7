"""A run whose case and model text try to break out of where they are shown.

Written straight into a store with its own write methods (no engine, no model): a case id
with quotes, a right-to-left override and a script tag, a model reply that is HTML.
"""

from __future__ import annotations

from runtime.store.base import RunStore
from runtime.store.rows import NewStep, RunRow

RTL = "\u202e"
HOSTILE_CASE = f'"><script>alert("case")</script>{RTL}gnp.exe'
HOSTILE_REPLY = '<b>bold</b><script>alert("reply")</script><img src="http://x/y.png">'
FLOW_TEXT = "format_version: 1\nname: Hostile\n"


def make_hostile_run(store: RunStore) -> RunRow:
    run, _ = store.create_run(flow_text=FLOW_TEXT, flow_sha="hostile-sha",
                              flow_name="<i>Hostile</i> flow", flow_path=None,
                              case_id=HOSTILE_CASE, context={"case": {"id": HOSTILE_CASE}})
    store.claim(run.id, start_node="sort")
    store.record_step(NewStep(
        run_id=run.id, node_id="sort", kind="ai/classify", visit=1, status="done",
        inputs={"text": f"<script>steal()</script> {RTL}abc"},
        model_call={"provider": "scripted", "model": "<u>m</u>", "attempts": 2,
                    "tokens_in": 12, "tokens_out": 3, "latency_ms": 4.5,
                    "prompt": [{"role": "user", "content": "<h1>Classify</h1>"}],
                    "raw": HOSTILE_REPLY, "confidence_kind": "self-reported"},
        output={"label": "<b>x</b>", "confidence": 0.7, "confidence_kind": "self-reported",
                "probabilities": {"<b>x</b>": 0.7, "y": 0.3}},
        verdicts=[{"rule": "field_matrix", "field": "<script>", "outcome": "drop",
                   "reason": "'<script>' may not be written"}],
        started_at="2026-01-01T00:00:00+00:00", duration_ms=5.0),
        advance={"current_node": None})
    return store.run(run.id)
