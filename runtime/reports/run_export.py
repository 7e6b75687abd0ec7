"""A run exported as one JSON document or one self-contained HTML page.

The HTML page is for sending a run to someone who has no Junction: it opens offline in
any browser, loads nothing from outside (inline CSS, no scripts, no images) and escapes
every piece of text that came from a case, a flow or a model, so a hostile case can never
run code in the reader's browser.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from html import escape
from typing import Any

from runtime.reports.step_facts import StepFacts, step_facts, visible_controls
from runtime.store.base import RunStore
from runtime.store.rows import RunRow, StepRow, TaskRow

EXPORT_FORMAT = "junction-run/1"


@dataclass(frozen=True)
class RunReport:
    """Everything the store recorded about one run."""

    run: RunRow
    steps: list[StepRow]
    tasks: list[TaskRow]
    audit: list[dict[str, Any]]

    def facts(self) -> list[StepFacts]:
        return [step_facts(s, tasks=self.tasks, audit=self.audit) for s in self.steps]


def load_report(store: RunStore, run_id: str) -> RunReport:
    """The run (id or unique prefix) with its steps, tasks and audit rows."""
    run = store.find_run(run_id)
    return RunReport(run, store.steps(run.id), store.tasks(status=None, run_id=run.id),
                     store.audit_rows(run_id=run.id))


def report_json(report: RunReport) -> dict[str, Any]:
    return {"format": EXPORT_FORMAT, **report.run.to_json(),
            "model_override": report.run.model_override,
            "steps": [s.to_json() for s in report.steps],
            "tasks": [t.to_json() for t in report.tasks],
            "audit": report.audit}


def export_json(report: RunReport) -> str:
    return json.dumps(report_json(report), indent=2, ensure_ascii=False, default=str)


# -- HTML -------------------------------------------------------------------------------

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;color:#101828;margin:24px;
max-width:1100px}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 8px}
h3{font-size:14px;margin:14px 0 4px;color:#475467}
table{border-collapse:collapse;margin:4px 0}td,th{border:1px solid #EAECF0;padding:3px 8px;
text-align:left;vertical-align:top}th{background:#F9FAFB}
pre{white-space:pre-wrap;word-break:break-word;background:#F9FAFB;border:1px solid #EAECF0;
padding:8px;margin:4px 0}
.step{border:1px solid #D0D5DD;border-radius:6px;padding:8px 14px;margin:12px 0}
.hit{color:#B42318;font-weight:bold}.muted{color:#667085}
.bar{display:inline-block;height:12px;background:#1570EF;vertical-align:middle}
"""


def _t(value: Any) -> str:
    """Any value as escaped text (quotes included)."""
    if value is None:
        return '<span class="muted">not recorded</span>'
    if not isinstance(value, str):
        value = json.dumps(value, ensure_ascii=False, default=str)
    return escape(visible_controls(value), quote=True)


def _pre(value: Any) -> str:
    if value is None:
        return '<p class="muted">not recorded</p>'
    if not isinstance(value, str):
        value = json.dumps(value, indent=2, ensure_ascii=False, default=str)
    return f"<pre>{escape(visible_controls(value), quote=True)}</pre>"


def _rows(pairs: list[tuple[str, Any]]) -> str:
    return "<table>" + "".join(f"<tr><th>{escape(k)}</th><td>{_t(v)}</td></tr>"
                               for k, v in pairs) + "</table>"


def _step_html(f: StepFacts) -> str:
    s = f.step
    parts = [f'<div class="step"><h2>{s.seq}. {_t(s.node_id)} '
             f'<span class="muted">[{_t(s.kind)}] — {_t(s.status)}</span></h2>']
    parts.append(_rows([("attempt", s.attempt), ("visit", s.visit),
                        ("autonomy", s.autonomy), ("started", s.started_at),
                        ("finished", s.finished_at), ("duration (ms)", s.duration_ms),
                        ("next step", s.next_node), ("error", s.error)]))
    parts += ["<h3>Inputs</h3>", _pre(s.inputs)]
    if f.prompt is not None:
        parts.append("<h3>Prompt sent</h3>")
        parts += [f"<p class=\"muted\">{_t(m.get('role'))}</p>{_pre(m.get('content'))}"
                  for m in f.prompt]
    if s.model_call:
        parts += ["<h3>Raw model reply</h3>", _pre(f.raw_reply),
                  _rows([("model", f"{f.provider} {f.model}"), ("attempts", f.attempts),
                         ("tokens in / out", f"{f.tokens_in} / {f.tokens_out}"),
                         ("model time (ms)", f.latency_ms)])]
    parts += ["<h3>Parsed result</h3>", _pre(f.parsed)]
    if f.probabilities:
        parts.append(f"<h3>Probabilities ({_t(f.confidence_kind)})</h3><table>")
        for label, p in sorted(f.probabilities.items(), key=lambda kv: -kv[1]):
            parts.append(f'<tr><td>{_t(label)}</td><td><span class="bar" '
                         f'style="width:{max(1, round(p * 300))}px"></span> {p:.1%}</td></tr>')
        parts.append("</table>")
    if f.confidence is not None:
        parts.append(f"<p>Confidence {f.confidence:.2f} ({_t(f.confidence_kind)})</p>")
    if f.verdicts:
        parts.append("<h3>Guardrail verdicts</h3><table><tr><th>rule</th><th>field</th>"
                     "<th>outcome</th><th>reason</th></tr>")
        for v in f.verdicts:
            mark = ' class="hit"' if v.hit else ""
            parts.append(f"<tr{mark}><td>{_t(v.rule)}</td><td>{_t(v.field or '')}</td>"
                         f"<td>{_t(v.outcome)}</td><td>{_t(v.reason)}</td></tr>")
        parts.append("</table>")
    if f.changes:
        parts.append("<h3>Record changes</h3><table><tr><th>field</th><th>before</th>"
                     "<th>after</th></tr>")
        for c in f.changes:
            before = _t(c.before) if c.before_known and c.before is not None else (
                "(empty)" if c.before_known else _t(None))
            parts.append(f"<tr><td>{_t(c.field)}</td><td>{before}</td><td>{_t(c.after)}</td></tr>")
        parts.append("</table>")
    if f.human is not None:
        parts += ["<h3>Human decision</h3>",
                  _rows([("task", f.human.status), ("decided by", f.human.decided_by),
                         ("at", f.human.decided_at), ("decision", f.human.decision or None)])]
    parts.append("</div>")
    return "".join(parts)


def export_html(report: RunReport) -> str:
    run = report.run
    head = _rows([("case", run.case_id), ("flow", f"{run.flow_name} ({run.flow_sha[:10]})"),
                  ("status", run.status.value), ("outcome", run.outcome),
                  ("autonomy override", run.autonomy), ("model override", run.model_override),
                  ("started", run.started_at), ("finished", run.finished_at),
                  ("blocked because", run.blocked_reason), ("error", run.error)])
    audit = "".join(f"<tr><td>{_t(a.get('seq'))}</td><td>{_t(a.get('at'))}</td>"
                    f"<td>{_t(a.get('actor'))}</td><td>{_t(a.get('kind'))}</td>"
                    f"<td>{_t(a.get('node_id') or '')}</td><td>{_t(a.get('after'))}</td></tr>"
                    for a in report.audit)
    return ("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
            "style-src 'unsafe-inline'\">"
            f"<title>Run {_t(run.id)} — {_t(run.case_id)}</title><style>{_CSS}</style>"
            f"</head><body><h1>Run {_t(run.id)}</h1>{head}"
            + "".join(_step_html(f) for f in report.facts())
            + "<h2>Audit trail</h2><table><tr><th>#</th><th>at</th><th>who</th><th>what</th>"
            f"<th>step</th><th>after</th></tr>{audit}</table>"
            f"<p class=\"muted\">Exported by Junction ({EXPORT_FORMAT}).</p></body></html>\n")
