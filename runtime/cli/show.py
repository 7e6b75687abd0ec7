"""The human-readable step log of `junction show`."""

from __future__ import annotations

from typing import Any

from runtime.cli.output import out, short_time
from runtime.store.runs import RunRow, StepRow, TaskRow


def print_run(run: RunRow, steps: list[StepRow], tasks: list[TaskRow], *,
              prompts: bool = False) -> None:
    out.print(f"[bold]Run {run.id}[/bold]  case {run.case_id}  flow '{run.flow_name}' "
              f"({run.flow_sha[:10]})", highlight=False)
    status = run.status.value + (f", outcome {run.outcome}" if run.outcome else "")
    out.print(f"status: {status}   started {short_time(run.started_at)}   "
              f"finished {short_time(run.finished_at) or '-'}", highlight=False)
    for reason in (run.blocked_reason, run.error):
        if reason:
            out.print(f"[yellow]{reason}[/yellow]", highlight=False)
    out.print()
    for step in steps:
        _print_step(step, prompts)
    for task in tasks:
        _print_task(task)


def _print_step(step: StepRow, prompts: bool) -> None:
    head = f"{step.seq:>3}. {step.node_id} [{step.kind}]"
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
    if details.get("similarities"):  # embeddings method: what the probabilities came from
        sims = sorted(details["similarities"].items(), key=lambda kv: -kv[1])
        lines.append(f"similarity (temperature {details.get('temperature')}): "
                     + ", ".join(f"{k} {v:.3f}" for k, v in sims))
    if "proposal" in output:
        lines.append(f"AI proposed: {_kv(output['proposal'] or {})} "
                     f"(confidence {output.get('confidence')})")
    if "draft" in output:
        lines.append(f"draft: {_clip(str(output['draft']), 160)}")
    if step.changes:
        lines.append("record changes: " + _kv(step.changes))
    for verdict in step.verdicts or []:
        field = f" {verdict['field']}" if verdict.get("field") else ""
        lines.append(f"guardrail {verdict['rule']}{field}: {verdict['outcome']} — "
                     f"{verdict['reason']}")
    call = step.model_call or {}
    if call:
        lines.append(f"model: {call.get('provider')} {call.get('model')}  "
                     f"{call.get('latency_ms', 0):.0f} ms  tokens {call.get('tokens_in', 0)}"
                     f"/{call.get('tokens_out', 0)}  attempts {call.get('attempts', 1)}")
    if step.error:
        lines.append(f"error: {step.error}")
    return lines


def _print_task(task: TaskRow) -> None:
    out.print(f"\n[bold]Task {task.id}[/bold] at {task.node_id}: {task.status}", highlight=False)
    out.print(f"      why: {task.reason}", highlight=False, markup=False)
    if task.decision:
        out.print(f"      decided by {task.decided_by}: {_kv(task.decision)}",
                  highlight=False, markup=False)


def _kv(data: dict[str, Any]) -> str:
    return ", ".join(f"{k}={_clip(str(v), 60)}" for k, v in data.items()
                     if v not in (None, "", [], {}))


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"
