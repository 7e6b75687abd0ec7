"""Pure measures over labelled predictions: accuracy, confusion, precision/recall,
risk–coverage and calibration.

Every function takes plain rows (`Prediction`) and returns plain data, so the same code
serves `junction eval`, `junction whatif` and `junction readiness`, and each figure can
be checked by hand on a few rows. Nothing here reads a store or calls a model.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

# Thresholds of the risk–coverage table: every 0.05 from 0.5 to 1.0 (what a band can be).
RISK_THRESHOLDS = tuple(round(0.5 + 0.05 * i, 2) for i in range(11))
CALIBRATION_BINS = 10


@dataclass(frozen=True)
class Prediction:
    """One AI answer beside the right one: `label` is the AI's top option, `confidence` its
    probability (None when the model gave none), `truth` the expected option."""

    label: str | None
    confidence: float | None
    truth: str

    @property
    def correct(self) -> bool:
        return self.label == self.truth


def ratio(part: int, whole: int) -> float | None:
    """part/whole, or None for an empty whole (shown as "n/a", never as 0%)."""
    return None if whole == 0 else part / whole


def accuracy(rows: Sequence[Prediction]) -> float | None:
    return ratio(sum(r.correct for r in rows), len(rows))


def confusion(rows: Sequence[Prediction], options: Sequence[str]) -> list[list[int]]:
    """matrix[i][j] = cases whose truth is options[i] and whose answer is options[j]; an
    answer outside the options (or none) lands in an extra last column."""
    index = {name: i for i, name in enumerate(options)}
    matrix = [[0] * (len(options) + 1) for _ in options]
    for row in rows:
        if row.truth not in index:
            continue
        column = index.get(row.label or "", len(options))
        matrix[index[row.truth]][column] += 1
    return matrix


@dataclass(frozen=True)
class OptionScore:
    option: str
    support: int  # cases whose truth is this option
    predicted: int  # cases the AI put in this option
    correct: int
    precision: float | None
    recall: float | None


def per_option(rows: Sequence[Prediction], options: Sequence[str]) -> list[OptionScore]:
    scores = []
    for name in options:
        support = sum(r.truth == name for r in rows)
        predicted = sum(r.label == name for r in rows)
        correct = sum(r.label == name and r.truth == name for r in rows)
        scores.append(OptionScore(name, support, predicted, correct,
                                  ratio(correct, predicted), ratio(correct, support)))
    return scores


@dataclass(frozen=True)
class CoveragePoint:
    """At act band `threshold`: `acting` cases would act alone, `right` of them correctly."""

    threshold: float
    acting: int
    right: int
    total: int

    @property
    def coverage(self) -> float | None:
        return ratio(self.acting, self.total)

    @property
    def precision(self) -> float | None:
        return ratio(self.right, self.acting)

    @property
    def wrong(self) -> int:
        return self.acting - self.right


def coverage_at(rows: Sequence[Prediction], threshold: float) -> CoveragePoint:
    acting = [r for r in rows if r.confidence is not None and r.confidence >= threshold]
    return CoveragePoint(threshold, len(acting), sum(r.correct for r in acting), len(rows))


def risk_coverage(rows: Sequence[Prediction],
                  thresholds: Sequence[float] = RISK_THRESHOLDS) -> list[CoveragePoint]:
    return [coverage_at(rows, t) for t in thresholds]


@dataclass(frozen=True)
class Recommendation:
    """The lowest act band whose precision on the evidence meets the target."""

    target: float
    threshold: float | None  # None: no band meets the target
    point: CoveragePoint | None
    cases: int
    warning: str | None


def recommend_band(rows: Sequence[Prediction], target: float,
                   min_cases: int = 30) -> Recommendation:
    """Try each distinct confidence as a band, lowest first; the first whose acting cases
    are right at least `target` of the time wins (a band between two observed confidences
    acts on the same cases as the higher one, so those are the only candidates)."""
    candidates = sorted({r.confidence for r in rows if r.confidence is not None})
    chosen = None
    for threshold in candidates:
        point = coverage_at(rows, threshold)
        if point.precision is not None and point.precision >= target:
            chosen = point
            break
    warning = None
    if len(rows) < min_cases:
        warning = (f"only {len(rows)} labelled cases (fewer than {min_cases}): the band is "
                   "a guess, not evidence")
    elif chosen is not None and chosen.acting < min_cases:
        warning = (f"only {chosen.acting} cases act at this band (fewer than {min_cases}): "
                   "the precision behind it is uncertain")
    return Recommendation(target, None if chosen is None else chosen.threshold, chosen,
                          len(rows), warning)


@dataclass(frozen=True)
class ReliabilityBin:
    low: float
    high: float
    count: int
    mean_confidence: float | None
    accuracy: float | None


@dataclass(frozen=True)
class Calibration:
    ece: float | None  # expected calibration error over the cases that had a confidence
    bins: list[ReliabilityBin]
    cases: int


def calibration(rows: Sequence[Prediction], bins: int = CALIBRATION_BINS) -> Calibration:
    """ECE over equal-width confidence bins: Σ (bin size / n) · |accuracy − mean confidence|.
    A confidence of exactly 1.0 falls in the last bin."""
    scored = [r for r in rows if r.confidence is not None]
    table = []
    ece = 0.0
    for b in range(bins):
        low, high = b / bins, (b + 1) / bins
        members = [r for r in scored if _bin_of(r.confidence, bins) == b]
        if members:
            mean = sum(r.confidence or 0.0 for r in members) / len(members)
            acc = sum(r.correct for r in members) / len(members)
            ece += len(members) / len(scored) * abs(acc - mean)
            table.append(ReliabilityBin(low, high, len(members), mean, acc))
        else:
            table.append(ReliabilityBin(low, high, 0, None, None))
    return Calibration(ece if scored else None, table, len(scored))


def _bin_of(confidence: float | None, bins: int) -> int:
    return min(int((confidence or 0.0) * bins), bins - 1)


def quantile(values: Sequence[float], q: float) -> float | None:
    """The q-quantile by linear interpolation between closest ranks (numpy's default)."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)
