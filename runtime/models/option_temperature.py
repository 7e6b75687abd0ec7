"""A temperature on a generative classify node's option probabilities.

A generative model's option probabilities (read from token log-probabilities, renormalised
over the options) are measured, but not necessarily calibrated: small models are often
overconfident. `junction calibrate` fits one temperature per node on labelled cases, and
the run applies it here: p_i ∝ exp(log p_i / T) = p_i^(1/T). T > 1 softens, T < 1 sharpens;
the winning option never changes, only how sure the node is, so calibration moves cases
between the act, suggest and fallback bands, never between options. Only *measured*
probabilities are tempered: self-reported or scripted ones are not log-probabilities.
"""

from __future__ import annotations

import math

from runtime.models.base import (
    ChooseRequest,
    ChooseResult,
    DraftRequest,
    DraftResult,
    ExtractRequest,
    ExtractResult,
    ModelProvider,
)


def temper(probabilities: dict[str, float], temperature: float) -> dict[str, float]:
    """p^(1/T), renormalised over the options (an option at 0 stays at 0)."""
    if temperature <= 0:
        raise ValueError("temperature must be positive")
    logs = {k: math.log(v) / temperature for k, v in probabilities.items() if v > 0}
    if not logs:
        return dict(probabilities)
    top = max(logs.values())
    raw = {k: math.exp(logs[k] - top) if k in logs else 0.0 for k in probabilities}
    total = sum(raw.values())
    return {k: v / total for k, v in raw.items()}


class TemperedChooser:
    """A generative model whose measured option probabilities get the node's temperature."""

    def __init__(self, inner: ModelProvider, temperature: float) -> None:
        self.inner = inner
        self.ref = inner.ref
        self.temperature = temperature

    def choose(self, request: ChooseRequest) -> ChooseResult:
        result = self.inner.choose(request)
        if result.call.confidence_kind != "measured":
            return result
        probabilities = temper(result.probabilities, self.temperature)
        call = result.call.model_copy(deep=True)
        call.details["temperature"] = self.temperature
        call.details["untempered_probabilities"] = {
            k: round(v, 6) for k, v in result.probabilities.items()}
        return ChooseResult(label=result.label, probabilities=probabilities, call=call)

    def extract(self, request: ExtractRequest) -> ExtractResult:
        return self.inner.extract(request)

    def draft(self, request: DraftRequest) -> DraftResult:
        return self.inner.draft(request)
