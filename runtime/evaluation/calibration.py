"""Temperature scaling for classify nodes that use the embeddings method.

A softmax over cosine similarities is only as honest as its temperature: too low and a
0.05 lead in similarity becomes "99% sure", too high and every answer hovers near 1/N and
nothing clears the act band. Given labelled cases (a dataset, or people's decisions in
observe mode) this fits the temperature that minimises log-loss — the standard, single-
parameter calibration that never changes which option wins, only how sure the node is —
and reports expected calibration error (ECE) before and after, so a designer can see
whether the node's confidence can be trusted to route cases — with the after-figure also
measured by k-fold on cases the temperature was not fitted to, never in-sample alone.

Pure numpy; the data comes from `calibration_data`.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from runtime.models.embedding_scoring import softmax_rows

Floats = NDArray[np.float64]
Ints = NDArray[np.int64]

#: The search range. MiniLM lands near 0.03; models with narrower similarity spreads lower.
T_MIN, T_MAX = 0.002, 2.0
#: For log-probabilities (scores = log p): T = 1 leaves the model's probabilities as they are.
LOGPROB_BOUNDS = (0.05, 20.0)
ECE_BINS = 10
FEW_CASES = 30
HELD_OUT_FOLDS = 5


@dataclass
class LabelledScores:
    """Similarity scores of labelled cases for one node: `scores[i, j]` is case i's score
    for option `options[j]`; `labels[i]` indexes the right option."""

    options: list[str]
    scores: Floats
    labels: Ints
    case_ids: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return int(self.labels.shape[0])


@dataclass
class CalibrationReport:
    node: str
    model: str
    source: str
    cases: int
    accuracy: float
    temperature_before: float
    temperature_after: float
    log_loss_before: float
    log_loss_after: float
    ece_before: float
    ece_after: float
    warnings: list[str] = field(default_factory=list)
    #: ECE of the fitting procedure on cases it was not fitted to (k-fold): the figure to
    #: trust; `ece_after` is measured on the very cases the temperature was fitted to.
    ece_after_held_out: float | None = None
    held_out_folds: int = 0

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def log_loss(data: LabelledScores, temperature: float) -> float:
    """Mean negative log-probability of the right option."""
    probs = softmax_rows(data.scores, temperature)
    picked = probs[np.arange(len(data)), data.labels]
    return float(-np.log(np.clip(picked, 1e-12, 1.0)).mean())


def expected_calibration_error(probs: Floats, labels: Ints, bins: int = ECE_BINS) -> float:
    """How far stated confidence is from the hit rate: cases are binned by the confidence
    of their top option (equal-width bins); ECE is the case-weighted mean |accuracy −
    confidence| over bins. 0 is perfect; 0.04 means "about 4 points off"."""
    confidence = probs.max(axis=1)
    correct = (probs.argmax(axis=1) == labels).astype(np.float64)
    index = np.minimum((confidence * bins).astype(int), bins - 1)
    total = 0.0
    for b in range(bins):
        members = index == b
        if members.any():
            gap = abs(correct[members].mean() - confidence[members].mean())
            total += gap * members.mean()
    return float(total)


def ece_at(data: LabelledScores, temperature: float) -> float:
    return expected_calibration_error(softmax_rows(data.scores, temperature), data.labels)


def accuracy(data: LabelledScores) -> float:
    """Share of cases whose best-scoring option is right (no temperature changes it)."""
    return float((data.scores.argmax(axis=1) == data.labels).mean())


def fit_temperature(data: LabelledScores, lower: float = T_MIN, upper: float = T_MAX,
                    iterations: int = 80) -> float:
    """The temperature with the lowest log-loss, by golden-section search on log T.

    Log-loss is convex in 1/T, hence unimodal in log T, so a bounded 1-D search finds the
    minimum without derivatives or scipy.
    """
    a, b = math.log(lower), math.log(upper)
    ratio = (math.sqrt(5) - 1) / 2
    c, d = b - ratio * (b - a), a + ratio * (b - a)
    fc, fd = log_loss(data, math.exp(c)), log_loss(data, math.exp(d))
    for _ in range(iterations):
        if fc <= fd:
            b, d, fd = d, c, fc
            c = b - ratio * (b - a)
            fc = log_loss(data, math.exp(c))
        else:
            a, c, fc = c, d, fd
            d = a + ratio * (b - a)
            fd = log_loss(data, math.exp(d))
    return math.exp((a + b) / 2)


def held_out_ece(data: LabelledScores, folds: int = HELD_OUT_FOLDS,
                 bounds: tuple[float, float] = (T_MIN, T_MAX)) -> tuple[float, int]:
    """(ECE, folds): every case's probabilities come from a temperature fitted on the
    other folds, so the figure says how well calibration generalises to new cases."""
    from runtime.evaluation.folds import stratified_folds

    split = stratified_folds(data.labels, folds)
    probs = np.zeros_like(data.scores, dtype=np.float64)
    for train, test in split:
        part = LabelledScores(data.options, data.scores[train], data.labels[train])
        probs[test] = softmax_rows(data.scores[test], fit_temperature(part, *bounds))
    return expected_calibration_error(probs, data.labels), len(split)


def calibrate(data: LabelledScores, *, node: str, model: str, source: str,
              current: float, bounds: tuple[float, float] = (T_MIN, T_MAX)
              ) -> CalibrationReport:
    """Fit the temperature for one node and compare it with the `current` one.

    `bounds` is the search range: similarity scores need 0.002–2 (the default); a
    generative model's option log-probabilities need `LOGPROB_BOUNDS`."""
    fitted = round(fit_temperature(data, *bounds), 4)
    held_out = held_out_ece(data, bounds=bounds)
    warnings = []
    if len(data) < FEW_CASES:
        warnings.append(f"only {len(data)} labelled cases: the fitted temperature is rough; "
                        f"{FEW_CASES}+ are better")
    if fitted <= bounds[0] * 1.05 or fitted >= bounds[1] * 0.95:
        warnings.append(f"the fit stopped at the edge of the search range ({fitted}); the "
                        "cases may be too easy (all right by a wide margin) or too mixed")
    if len({int(x) for x in data.labels}) < 2:
        warnings.append("every case has the same label: add cases for the other options")
    return CalibrationReport(
        node=node, model=model, source=source, cases=len(data),
        accuracy=round(accuracy(data), 4),
        temperature_before=current, temperature_after=fitted,
        log_loss_before=round(log_loss(data, current), 4),
        log_loss_after=round(log_loss(data, fitted), 4),
        ece_before=round(ece_at(data, current), 4),
        ece_after=round(ece_at(data, fitted), 4),
        warnings=warnings,
        ece_after_held_out=round(held_out[0], 4), held_out_folds=held_out[1],
    )
