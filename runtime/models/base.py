"""The provider interface every model backend implements.

AI nodes ask exactly three kinds of question: **choose** one of N options (classify),
**extract** structured fields (enforce) and **draft** text (assist). Every answer records
what was sent, what came back and how much it cost, and says whether its confidence was
*measured* (token log-probabilities, similarities) or merely *self-reported* by the model.
"""

from __future__ import annotations

from typing import Any, Literal, Protocol, runtime_checkable

from pydantic import BaseModel, Field

ConfidenceKind = Literal["measured", "self_reported", "scripted", "none"]


class ModelError(Exception):
    """A model call failed in a way the engine may retry or turn into a human task.

    `call`, when a provider sets it, records the attempts that led to the failure (prompt,
    last raw reply, attempts), so the audit trail can show what the model actually said.
    """

    def __init__(self, message: str = "", *, call: CallInfo | None = None) -> None:
        super().__init__(message)
        self.call = call


class ModelUnavailable(ModelError):
    """The model or its server cannot be reached now; the run blocks and resumes later."""


class OutputInvalid(ModelError):
    """The model answered, but not in the required shape (retryable, error fed back)."""


class Message(BaseModel):
    role: Literal["system", "user", "assistant"]
    content: str


class OptionSpec(BaseModel):
    name: str
    description: str = ""
    examples: list[str] = Field(default_factory=list)


class Request(BaseModel):
    """What every call carries; `node_id` and `case_id` let scripted models look up answers."""

    node_id: str
    case_id: str
    messages: list[Message]
    text: str = ""
    workspace: str | None = None  # the workspace folder, for providers that keep caches


class ChooseRequest(Request):
    options: list[OptionSpec]
    method: Literal["auto", "llm", "embeddings"] = "auto"
    temperature: float | None = None


class ExtractRequest(Request):
    json_schema: dict[str, Any]
    fields: list[str]
    retries: int = 2


class DraftRequest(Request):
    max_words: int = 200


class CallInfo(BaseModel):
    """The record of one model call, stored with the step and shown in `junction show`."""

    provider: str
    model: str
    prompt: list[Message] = Field(default_factory=list)
    raw: str = ""
    tokens_in: int = 0
    tokens_out: int = 0
    latency_ms: float = 0.0
    attempts: int = 1
    confidence_kind: ConfidenceKind = "none"
    details: dict[str, Any] = Field(default_factory=dict)


class ChooseResult(BaseModel):
    """`probabilities` is the distribution over the options (which one the model leaned
    to); `option_mass`, when the provider knows it, is the share of the model's answer that
    went to any option at all. The confidence the bands judge is the label's share of the
    whole answer, so 1% on an option never becomes 100% (see `answers`)."""

    label: str
    probabilities: dict[str, float]
    call: CallInfo
    option_mass: float | None = None
    note: str = ""  # why the confidence is lower than the probability shown, if it is

    @property
    def confidence(self) -> float:
        shown = self.probabilities.get(self.label, 0.0)
        return shown if self.option_mass is None else shown * self.option_mass


class ExtractResult(BaseModel):
    """`values` is exactly what the model proposed, before any guardrail.

    Guardrails decide what survives; providers must not filter here, so every attempt to
    overreach is visible and logged as a guardrail hit.
    """

    values: dict[str, Any]
    confidence: float | None = None
    field_confidence: dict[str, float] = Field(default_factory=dict)
    call: CallInfo


class DraftResult(BaseModel):
    text: str
    call: CallInfo


@runtime_checkable
class ModelProvider(Protocol):
    """A backend. `ref` is the string the flow used, e.g. `ollama:llama3.2:3b`."""

    ref: str

    def choose(self, request: ChooseRequest) -> ChooseResult: ...

    def extract(self, request: ExtractRequest) -> ExtractResult: ...

    def draft(self, request: DraftRequest) -> DraftResult: ...


def normalise(scores: dict[str, float]) -> dict[str, float]:
    """Scale non-negative scores to sum to 1; all-zero becomes uniform."""
    cleaned = {k: max(0.0, float(v)) if v == v else 0.0 for k, v in scores.items()}
    total = sum(cleaned.values())
    if total <= 0:
        return {k: 1.0 / len(cleaned) for k in cleaned} if cleaned else {}
    return {k: v / total for k, v in cleaned.items()}
