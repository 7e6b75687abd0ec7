"""A run exported as HTML or JSON: complete, and safe to open whatever a case contained."""

from __future__ import annotations

import json
import re
import string
from pathlib import Path

from hostile_run import HOSTILE_CASE, HOSTILE_REPLY, RTL, make_hostile_run
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runtime.api import export_html, export_json, load_report
from runtime.store.rows import NewStep
from runtime.store.sqlite import SqliteRunStore


def test_the_json_export_holds_the_run_its_steps_and_its_audit_rows(tmp_path: Path) -> None:
    store = SqliteRunStore(tmp_path / "junction.db")
    run = make_hostile_run(store)
    data = json.loads(export_json(load_report(store, run.id)))
    assert data["id"] == run.id and data["case_id"] == HOSTILE_CASE
    assert data["steps"][0]["model_call"]["raw"] == HOSTILE_REPLY
    assert data["steps"][0]["output"]["probabilities"] == {"<b>x</b>": 0.7, "y": 0.3}
    assert [a["seq"] for a in data["audit"]] == [a["seq"] for a in store.audit_rows(
        run_id=run.id)]
    store.close()


def test_hostile_text_is_escaped_and_the_page_loads_nothing_from_outside(
        tmp_path: Path) -> None:
    store = SqliteRunStore(tmp_path / "junction.db")
    page = export_html(load_report(store, make_hostile_run(store).id))
    assert "<script" not in page.lower()
    assert "<img" not in page and "<b>" not in page and "<h1>Classify" not in page
    assert "&lt;script&gt;alert(&quot;case&quot;)&lt;/script&gt;" in page
    assert "&lt;b&gt;bold&lt;/b&gt;" in page
    assert RTL not in page and "[U+202E]gnp.exe" in page
    assert not re.search(r"""<[^>]*\s(src|href)\s*=""", page)  # no tag fetches anything
    assert "default-src 'none'" in page
    store.close()


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(alphabet=string.printable + "<>&\"'\u202e\u2066\u200f", max_size=40))
def test_no_case_or_model_text_becomes_markup(tmp_path: Path, text: str) -> None:
    store = SqliteRunStore(tmp_path / f"h{abs(hash(text))}.db")
    run, _ = store.create_run(flow_text="x", flow_sha="s", flow_name=text, flow_path=None,
                              case_id=text or "empty", context={})
    store.record_step(NewStep(run_id=run.id, node_id="n", kind="ai/assist", visit=1,
                              status="done", model_call={"raw": text, "prompt": [
                                  {"role": "user", "content": text}]},
                              output={"draft": text}, started_at="t"))
    page = export_html(load_report(store, run.id))
    body = page.split("<body>", 1)[1]
    tags = set(re.findall(r"<\s*([a-zA-Z0-9]+)", body))
    assert tags <= {"h1", "h2", "h3", "table", "tr", "th", "td", "span", "div", "p", "pre"}
    assert not any(ch in page for ch in "\u202e\u2066\u200f")
    store.close()
