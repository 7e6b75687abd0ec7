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
from runtime.models import answers
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
            delay = answer.get("delay_ms")
            if isinstance(delay, int | float) and not isinstance(delay, bool) and delay > 0:
                time.sleep(min(float(delay), 60_000.0) / 1000)
            if answer.get("error") == "unavailable":
                raise ModelUnavailable("scripted model marked unavailable for this case")
            if answer.get("error") == "invalid":
                raise OutputInvalid("scripted model returned an invalid answer")
        return answer

    def _call(self, request: Any, raw: Any) -> CallInfo:
        text = raw if isinstance(raw, str) else json.dumps(raw, sort_keys=True, default=str)
        return CallInfo(provider="scripted", model=self.source or self.ref,
                        prompt=request.messages, raw=text, confidence_kind="scripted")

    def choose(self, request: ChooseRequest) -> ChooseResult:
        """Checked exactly as a real model's answer is (`answers`): probabilities are
        numbers in [0, 1] adding up to at most 1 (what is missing counts as the model
        saying something else), a label is an option, a confidence is a number in [0, 1]."""
        answer = self._answer(request.node_id, request.case_id)
        names = [o.name for o in request.options]
        call = self._call(request, answer)
        if not isinstance(answer, dict):
            answer = {"label": answer}
        try:
            if "probabilities" in answer:
                probs, mass = answers.option_probabilities(answer["probabilities"], names)
                return answers.choice(probs, call, option_mass=mass)
            label = answer.get("label")
            probs = answers.label_confidence(label, answer.get("confidence", 1.0), names)
            return answers.choice(probs, call, label=str(label))
        except OutputInvalid as exc:
            raise OutputInvalid(f"scripted model: {exc}", call=call) from None

    def extract(self, request: ExtractRequest) -> ExtractResult:
        """Confidences are checked as every provider's are (numbers in [0, 1]). The values
        themselves are left for the guardrails to judge, `raw` ones included: `raw` is
        parsed leniently (NaN, Infinity and 1e400 get through), so a scripted hostile
        model can hand the guardrails values a real provider's parser would already have
        refused — a harsher test of them, never a milder one."""
        answer = self._answer(request.node_id, request.case_id)
        call = self._call(request, answer)
        if not isinstance(answer, dict):
            raise OutputInvalid("scripted model: an extract answer must be a mapping",
                                call=call)
        try:
            if "raw" in answer:
                values, given = _raw_proposal(str(answer["raw"]))
                given = answer.get("confidence", given)
                confidence = (None if given is None
                              else answers.probability(given, "the confidence"))
            else:
                values = answer.get("values") or {}
                if not isinstance(values, dict):
                    raise OutputInvalid("extracted values must be a mapping")
                given = answer.get("confidence")
                confidence = (None if given is None
                              else answers.probability(given, "the confidence"))
            per_field = answer.get("field_confidence") or {}
            if not isinstance(per_field, dict):
                raise OutputInvalid("field_confidence must map fields to numbers")
            field_confidence = {str(k): answers.probability(v, f"the confidence of '{k}'")
                                for k, v in per_field.items()}
        except OutputInvalid as exc:
            raise OutputInvalid(f"scripted model: {exc}", call=call) from None
        return ExtractResult(values=values, confidence=confidence,
                             field_confidence=field_confidence, call=call)

    def draft(self, request: DraftRequest) -> DraftResult:
        answer = self._answer(request.node_id, request.case_id)
        text = answer.get("text", "") if isinstance(answer, dict) else str(answer)
        return DraftResult(text=str(text), call=self._call(request, answer))


def _raw_proposal(raw: str) -> tuple[dict[str, Any], Any]:
    """(values, confidence as written) from a raw JSON reply; a reply that is not JSON or
    whose `values` are not an object is invalid output."""
    try:
        parsed = json.loads(raw)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise OutputInvalid(f"the reply is not valid JSON ({exc})") from None
    body = parsed if isinstance(parsed, dict) else {}
    values = body.get("values", body)
    if not isinstance(values, dict):
        raise OutputInvalid("extracted values must be a mapping")
    return values, body.get("confidence")
