"""The human-readable step log of `junction show`, and the handoff packet of a task.

Every guardrail verdict of every step is shown (hits marked), and every task with its
packet, so a person reading a run sees why the AI was or was not allowed to act. Text that
came from a case or a model is printed without markup interpretation.
"""

from __future__ import annotations

from typing import Any

from rich.markup import escape

from runtime.cli.output import out, short_time
from runtime.store.rows import RunRow, StepRow, TaskRow


def print_run(run: RunRow, steps: list[StepRow], tasks: list[TaskRow], *,
              prompts: bool = False) -> None:
    out.print(f"[bold]Run {run.id}[/bold]  case {escape(run.case_id)}  flow "
              f"'{escape(run.flow_name)}' ({run.flow_sha[:10]})", highlight=False)
    status = run.status.value + (f", outcome {run.outcome}" if run.outcome else "")
    stage = f"   autonomy override: {run.autonomy}" if run.autonomy else ""
    out.print(f"status: {status}   started {short_time(run.started_at)}   "
              f"finished {short_time(run.finished_at) or '-'}{stage}", highlight=False)
    for reason in (run.blocked_reason, run.error):
        if reason:
            out.print(f"[yellow]{escape(reason)}[/yellow]", highlight=False)
    hits = sum(1 for s in steps for v in s.verdicts or [] if _is_hit(v))
    if hits:
        out.print(f"[red]{hits} guardrail hit(s)[/red]", highlight=False)
    out.print()
    for step in steps:
        _print_step(step, prompts)
    for task in tasks:
        out.print()
        print_packet(task)


def _print_step(step: StepRow, prompts: bool) -> None:
    head = escape(f"{step.seq:>3}. {step.node_id} [{step.kind}]")
    extra = f" visit {step.visit}" if step.visit > 1 else ""
    stage = f" · {step.autonomy}" if step.autonomy else ""
    out.print(f"[bold]{head}[/bold]{extra}{stage} — {step.status}", highlight=False)
    for line in _step_lines(step):
        out.print(f"      {line}", highlight=False, markup=False)
    if prompts and step.model_call:
        for message in step.model_call.get("prompt", []):
            out.print(f"      [{message['role']}]", highlight=False, markup=False)
            for text in str(message["content"]).splitlines():
                out.print(f"        {text}", highlight=False, markup=False)


def _step_lines(step: StepRow) -> list[str]:
    lines = []
    decision = step.decision or {}
    if decision:
        lines.append("decision: " + _kv(decision))
    output = step.output or {}
    if "probabilities" in output:
        probs = sorted(output["probabilities"].items(), key=lambda kv: -kv[1])
        kind = output.get("confidence_kind", "")
        lines.append(f"confidence ({kind}): " + ", ".join(f"{k} {v:.2f}" for k, v in probs))
    details = (step.model_call or {}).get("details") or {}
    if details.get("head"):  # a trained head (`junction train`) made this decision
        lines.append(f"trained head {details['head']} ({details.get('head_file', '')}, "
                     f"temperature {details.get('temperature')})")
    if details.get("similarities"):  # embeddings method: what the probabilities came from
        sims = sorted(details["similarities"].items(), key=lambda kv: -kv[1])
        how = ("similarity to the examples (recorded; the head decided)" if details.get("head")
               else f"similarity (temperature {details.get('temperature')})")
        lines.append(f"{how}: " + ", ".join(f"{k} {v:.3f}" for k, v in sims))
    if "proposal" in output:
        lines.append(f"AI proposed: {_kv(output['proposal'] or {})} "
                     f"(confidence {output.get('confidence')})")
    if "draft" in output:
        lines.append(f"draft: {_clip(str(output['draft']), 160)}")
    if step.changes:
        lines.append("record changes: " + _kv(step.changes))
    lines += [verdict_line(v) for v in step.verdicts or []]
    call = step.model_call or {}
    if call:
        lines.append(f"model: {call.get('provider')} {call.get('model')}  "
                     f"{call.get('latency_ms', 0):.0f} ms  tokens {call.get('tokens_in', 0)}"
                     f"/{call.get('tokens_out', 0)}  attempts {call.get('attempts', 1)}")
    if step.error:
        lines.append(f"error: {step.error}")
    return lines


def verdict_line(verdict: dict[str, Any]) -> str:
    field = f" {_clip(str(verdict['field']), 40)}" if verdict.get("field") else ""
    mark = "  ← guardrail hit" if _is_hit(verdict) else ""
    return (f"guardrail {verdict['rule']}{field}: {verdict['outcome']} — "
            f"{_clip(str(verdict.get('reason', '')), 160)}{mark}")


def _is_hit(verdict: dict[str, Any]) -> bool:
    return verdict.get("outcome") in ("drop", "block")


def print_packet(task: TaskRow) -> None:
    """A task and its handoff packet, in the order a person reads it."""
    p = task.packet
    title = (p.get("node") or {}).get("title", task.node_id)
    out.print(f"[bold]Task {task.id}[/bold] — {escape(str(title))} ({task.status})",
              highlight=False)
    for line in packet_lines(task):
        out.print("  " + line, highlight=False, markup=False)


def packet_lines(task: TaskRow) -> list[str]:
    p = task.packet
    lines = [f"case: {p.get('case_summary', '')}", f"why: {task.reason}"]
    if p.get("autonomy"):
        lines.append(f"autonomy: {p['autonomy']}")
    ai = p.get("ai") or {}
    if ai:
        probs = ai.get("probabilities") or {}
        shown = ", ".join(f"{k} {v:.2f}" for k, v in sorted(probs.items(), key=lambda i: -i[1]))
        what = f"label={ai.get('label')}" if ai.get("label") else "proposed"
        lines.append(f"AI ({ai.get('confidence_kind')}, {ai.get('model')}): {what} "
                     f"confidence={ai.get('confidence')} {shown}".rstrip())
        if ai.get("proposal"):
            lines.append("AI's raw proposal: " + _kv(ai["proposal"]))
    if p.get("proposal"):
        lines.append("proposal (prefilled): " + _kv(p["proposal"]))
    lines += [verdict_line(v) for v in p.get("guardrails", [])]
    lines.append("so far: " + (" → ".join(h["node"] for h in p.get("history", [])) or "-"))
    for action in p.get("actions_taken", []):
        lines.append(f"already done at {action['node']}: {_kv(action['changes'])}")
    if p.get("connector"):
        lines.append(f"connector: {p['connector']['name']}  idempotency key "
                     f"{p['connector']['idempotency_key']}")
    for tip in p.get("suggested_next_steps", []):
        lines.append(f"next: {tip}")
    if p.get("due_at"):
        branch = (p.get("on_timeout") or {}).get("branch", "timeout")
        lines.append(f"due: {short_time(p['due_at'])} (then the run follows '{branch}'; "
                     "a timeout approves nothing)")
    lines.append(f"decisions: {', '.join(task.allowed)}"
                 + (f"; options: {', '.join(p['options'])}" if p.get("options") else "")
                 + (f"; editable: {', '.join(p['editable'])}" if p.get("editable") else ""))
    if task.decision:
        lines.append(f"decided by {task.decided_by} at {short_time(task.decided_at)}: "
                     f"{_kv(task.decision)}")
    return lines


def _kv(data: dict[str, Any]) -> str:
    return ", ".join(f"{_clip(str(k), 40)}={_clip(str(v), 60)}" for k, v in data.items()
                     if v not in (None, "", [], {}))


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"
