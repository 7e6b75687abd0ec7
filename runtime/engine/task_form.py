"""What a form needs to edit a human task's values, and the checks it runs before deciding.

The inbox's edit form shows one editor per field the task lets a person set and marks each
field that breaks a type check or limit — the very checks `junction decide --set` runs
(`human_decision.edit_problems`), here reporting every problem at once instead of the
first, so nothing is decided until the whole form is right.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from runtime.engine.human_decision import edit_problems, editable_fields, parse_value
from runtime.engine.plan_cache import PlanCache
from runtime.errors import InputError
from runtime.flow.schema import FieldType, RecordField
from runtime.store.base import RunStore


@dataclass(frozen=True)
class EditableField:
    """One value a person may set on a task: its record field (type, enum values), the
    limit it must keep (as the flow states it) and the value proposed so far (the AI's
    proposal, else the record's current value)."""

    spec: RecordField
    limit: dict[str, Any] | None
    proposed: Any


@dataclass(frozen=True)
class TaskForm:
    task_id: str
    fields: list[EditableField]

    def field(self, name: str) -> EditableField | None:
        return next((f for f in self.fields if f.spec.name == name), None)


class TaskForms:
    """Forms and checks for tasks of one store (plans cached per flow text)."""

    def __init__(self, store: RunStore) -> None:
        self.store = store
        self.plans = PlanCache(store)

    def form(self, task_id: str) -> TaskForm:
        task = self.store.task(task_id)
        run = self.store.run(task.run_id)
        plan = self.plans.for_run(run)
        names, limits = editable_fields(plan, task.node_id, task.packet)
        proposal = task.packet.get("proposal") or {}
        record = run.context.get("record") or {}
        fields = []
        for name in names:
            spec = plan.flow.record_field(name)
            if spec is None:
                continue
            limit = limits.get(name)
            shown = (limit.model_dump(exclude_none=True) if isinstance(limit, BaseModel)
                     else limit)
            fields.append(EditableField(spec, shown, proposal.get(name, record.get(name))))
        return TaskForm(task.id, fields)

    def problems(self, task_id: str, texts: dict[str, str]) -> tuple[dict[str, Any],
                                                                    dict[str, str]]:
        """The typed values of a form's texts (parsed like `--set FIELD=VALUE`) and every
        problem with them, by field. A blank text means "keep the proposed value" and is
        left out of the values."""
        task = self.store.task(task_id)
        plan = self.plans.for_run(self.store.run(task.run_id))
        names, limits = editable_fields(plan, task.node_id, task.packet)
        values: dict[str, Any] = {}
        refused: dict[str, str] = {}
        for name, text in texts.items():
            if text.strip() == "":
                continue
            spec = plan.flow.record_field(name)
            textual = spec is not None and spec.type in (FieldType.string, FieldType.enum)
            try:
                values[name] = text if textual else parse_value(text.strip())
            except InputError as exc:  # JSON that parses but is refused (NaN, too large)
                refused[name] = str(exc)
        return values, {**edit_problems(plan, values, names, limits), **refused}
