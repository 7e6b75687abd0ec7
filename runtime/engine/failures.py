"""How the engine names what went wrong in a step it did not expect to fail: a model's
answer that stayed invalid after its retries, a surprise exception, the store's own
driver failing (which is not the run's fault)."""

from __future__ import annotations

import sqlite3

from runtime.engine.steps import Handoff, StepOutcome
from runtime.flow.schema import AnyNode
from runtime.guardrails.policy import Verdict
from runtime.models.base import OutputInvalid


def from_the_store(exc: BaseException) -> bool:
    """Whether an exception is the database driver's (the store failing, not the run)."""
    return isinstance(exc, sqlite3.Error) or type(exc).__module__.split(".")[0] == "psycopg"


def describe(exc: BaseException) -> str:
    """One line naming an unexpected exception: its type and first line of message."""
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0]}" if lines else type(exc).__name__


def invalid_output_handoff(node: AnyNode, exc: Exception) -> StepOutcome:
    """A person decides a step whose model answer stayed invalid after its retries."""
    options = [o.name for o in getattr(node, "options", [])]
    allowed = ["choose"] if options else ["edit", "reject"]
    editable = sorted(f for f, p in node.guardrails.fields.items()
                      if p.value != "deny") if hasattr(node, "guardrails") else []
    call = exc.call if isinstance(exc, OutputInvalid) else None
    return StepOutcome(
        output={"error": str(exc)},
        # every attempt (the prompt holds each earlier reply and the feedback sent back)
        # goes on the step, so the audit trail's model.call row shows what the model said
        model_call=call.model_dump(mode="json") if call is not None else None,
        verdicts=[Verdict("output_format", "hold", None,
                          f"model output invalid after retries: {exc}")],
        decision={"action": "model_output_invalid"},
        handoff=Handoff(reason=f"model output invalid after retries: {exc}", allowed=allowed,
                        options=options, editable=editable))
