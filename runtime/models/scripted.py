"""A model that answers from a file: for tests, repeatable demos and shadow comparisons.

File format (YAML or JSON)::

    nodes:                 # answers for any case, per node id
      intake: {label: other, confidence: 0.55}
      draft_reply: {text: "Thanks for writing to us."}
    cases:                 # answers for one case id, per node id (win over `nodes`)
      T-001:
        intake: {probabilities: {refund: 0.9, billing: 0.07, other: 0.03}}
        update: {values: {status: pending, refund_amount: 40}, confidence: 0.9}
        draft_reply: "A plain string is a draft too."

Choose answers give `label` + `confidence` (the rest shared evenly) or `probabilities`.
Extract answers give `values` (+ `confidence`, `field_confidence`) or `raw`, a string that
is parsed as the model's JSON reply exactly as a real model's would be. Any answer may add
`error: unavailable | invalid` to simulate a failing model. Nothing here is checked
against the flow: a scripted model can be as wrong or hostile as a real one.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from runtime.errors import InputError
from runtime.flow import yamlio
from runtime.models.base import (
    CallInfo,
    ChooseRequest,
    ChooseResult,
    DraftRequest,
    DraftResult,
    ExtractRequest,
    ExtractResult,
    ModelUnavailable,
    OutputInvalid,
    normalise,
)


class ScriptedProvider:
    #: Answers at once from memory: the engine may keep its unit of work open across it.
    instant = True

    def __init__(self, ref: str, answers: dict[str, Any], source: str = "") -> None:
        self.ref = ref
        self.source = source
        self.by_node: dict[str, Any] = answers.get("nodes") or {}
        self.by_case: dict[str, Any] = answers.get("cases") or {}

    @classmethod
    def from_file(cls, ref: str, path: Path) -> ScriptedProvider:
        if not path.exists():
            raise InputError(f"{path}: scripted model file not found (model '{ref}')")
        data = yamlio.parse(yamlio.read_text(path), str(path)).data
        if not isinstance(data, dict) or not set(data) <= {"nodes", "cases"}:
            raise InputError(f"{path}: a scripted model file has 'nodes' and/or 'cases' keys")
        return cls(ref, data, str(path))

    def _answer(self, node_id: str, case_id: str) -> Any:
        case_answers = self.by_case.get(case_id) or {}
        if node_id in case_answers:
            answer = case_answers[node_id]
        elif node_id in self.by_node:
            answer = self.by_node[node_id]
        else:
            raise OutputInvalid(f"scripted model has no answer for node '{node_id}'")
        if isinstance(answer, dict):
            if answer.get("delay_ms"):
                time.sleep(float(answer["delay_ms"]) / 1000)
            if answer.get("error") == "unavailable":
                raise ModelUnavailable("scripted model marked unavailable for this case")
            if answer.get("error") == "invalid":
                raise OutputInvalid("scripted model returned an invalid answer")
        return answer

    def _call(self, request: Any, raw: Any) -> CallInfo:
        text = raw if isinstance(raw, str) else json.dumps(raw, sort_keys=True)
        return CallInfo(provider="scripted", model=self.source or self.ref,
                        prompt=request.messages, raw=text, confidence_kind="scripted")

    def choose(self, request: ChooseRequest) -> ChooseResult:
        answer = self._answer(request.node_id, request.case_id)
        names = [o.name for o in request.options]
        if not isinstance(answer, dict):
            answer = {"label": answer}
        if "probabilities" in answer:
            given = {str(k): float(v) for k, v in answer["probabilities"].items()}
            probs = normalise({n: given.get(n, 0.0) for n in names})
        else:
            label = str(answer.get("label"))
            confidence = float(answer.get("confidence", 1.0))
            rest = (1.0 - confidence) / max(1, len(names) - 1)
            probs = normalise({n: confidence if n == label else rest for n in names})
            if label not in names:
                raise OutputInvalid(f"scripted label '{label}' is not an option")
        label = max(probs, key=lambda n: probs[n])
        return ChooseResult(label=label, probabilities=probs, call=self._call(request, answer))

    def extract(self, request: ExtractRequest) -> ExtractResult:
        answer = self._answer(request.node_id, request.case_id)
        if isinstance(answer, dict) and "raw" in answer:
            try:
                parsed = json.loads(str(answer["raw"]))
            except json.JSONDecodeError as exc:
                raise OutputInvalid(f"model reply is not JSON: {exc}") from None
            body = parsed if isinstance(parsed, dict) else {}
            values = body.get("values", body) if isinstance(body, dict) else {}
            confidence = answer.get("confidence", body.get("confidence"))
        elif isinstance(answer, dict):
            values = answer.get("values") or {}
            confidence = answer.get("confidence")
        else:
            raise OutputInvalid("scripted extract answer must be a mapping")
        if not isinstance(values, dict):
            raise OutputInvalid("extracted values must be a mapping")
        return ExtractResult(
            values=values,
            confidence=None if confidence is None else _as_float(confidence),
            field_confidence={
                str(k): _as_float(v)
                for k, v in (answer.get("field_confidence") or {}).items()
            },
            call=self._call(request, answer),
        )

    def draft(self, request: DraftRequest) -> DraftResult:
        answer = self._answer(request.node_id, request.case_id)
        text = answer.get("text", "") if isinstance(answer, dict) else str(answer)
        return DraftResult(text=str(text), call=self._call(request, answer))


def _as_float(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")
