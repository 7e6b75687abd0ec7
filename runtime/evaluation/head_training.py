"""Fit a small head on a classify node's embeddings, and measure it only on held-out cases.

Three ways to turn a case embedding into option probabilities are compared:

- `examples` — today's method: mean of the two best cosine similarities to each option's
  written examples and description; the labelled cases only fit its temperature;
- `centroid` — one centroid per option, the mean of its labelled cases shrunk toward the
  mean of its written examples (`SHRINK` examples' worth of weight), cosine to it;
- `logistic` — a multinomial logistic regression with an L2 penalty, trained on the
  written examples and the labelled cases together.

Every method's scores go through a softmax whose temperature is fitted on *out-of-fold*
scores of its own training data (an inner k-fold), because a head scored on the cases it
was fitted to is overconfident. The figures a user sees come from an outer stratified
k-fold: each case is predicted by a head that never saw it; written examples are always
training material, never test cases.

Pure numpy; embeddings come from `training_data`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from runtime.evaluation.calibration import LabelledScores, expected_calibration_error
from runtime.evaluation.folds import stratified_folds
from runtime.models.embedding_scoring import TOP_K, softmax_rows

Floats = NDArray[np.float64]
Ints = NDArray[np.int64]

METHODS = ("examples", "centroid", "logistic")
FOLDS = 5
#: Weight of the written examples' mean in a centroid, in labelled cases.
SHRINK = 4.0
#: L2 penalty of the logistic regression (on the mean log-loss); chosen on the
#: support-triage dataset by held-out log-loss from 1e-4…1e-1 (bench/classify_methods.py).
L2 = 1e-3
#: Temperature search range for head scores (logits and cosines alike).
T_RANGE = (0.002, 50.0)


@dataclass
class TrainingSet:
    """Embeddings for one node: the written anchors (always training material) and the
    labelled cases (the only thing figures are measured on)."""

    options: list[str]
    anchors: Floats
    anchor_labels: Ints
    cases: Floats
    labels: Ints

    def __post_init__(self) -> None:
        self.anchors = _unit(self.anchors)
        self.cases = _unit(self.cases)

    def subset(self, index: Ints) -> TrainingSet:
        return TrainingSet(self.options, self.anchors, self.anchor_labels,
                           self.cases[index], self.labels[index])


Scorer = Callable[[Floats], Floats]


def _unit(rows: Floats) -> Floats:
    """Rows scaled to length 1 in float64 (zero rows stay 0); a (0 × d) input stays empty."""
    array = np.asarray(rows, dtype=np.float64)
    if array.ndim == 1:
        array = array[None, :]
    norms = np.linalg.norm(array, axis=1, keepdims=True)
    result: Floats = np.divide(array, norms, out=np.zeros_like(array), where=norms > 0)
    return result


@dataclass
class Fitted:
    """A fitted method: raw scores → probabilities via `temperature`. `weights` is the
    linear form (options × (dims + 1)) for heads that have one (not `examples`)."""

    method: str
    scorer: Scorer
    temperature: float
    weights: Floats | None = None

    def probabilities(self, x: Floats) -> Floats:
        return softmax_rows(self.scorer(x), self.temperature)


# -- the three methods: (training set) → (weights or scorer) ---------------------

def _examples_scorer(data: TrainingSet) -> tuple[Scorer, Floats | None]:
    options = range(len(data.options))
    groups = [data.anchors[data.anchor_labels == j] for j in options]

    def score(x: Floats) -> Floats:
        out = np.full((x.shape[0], len(groups)), -1.0)
        for j, group in enumerate(groups):
            if len(group):
                sims = np.sort(x @ group.T, axis=1)[:, -TOP_K:]
                out[:, j] = sims.mean(axis=1)
        return out
    return score, None


def centroid_weights(data: TrainingSet, shrink: float = SHRINK) -> Floats:
    """Per option: (shrink · mean of examples + Σ its cases) / (shrink + n), unit length."""
    dims = data.cases.shape[1] if data.cases.size else data.anchors.shape[1]
    rows = []
    for j in range(len(data.options)):
        examples = data.anchors[data.anchor_labels == j]
        cases = data.cases[data.labels == j]
        prior = examples.mean(axis=0) if len(examples) else np.zeros(dims)
        weight = shrink if len(examples) else 0.0
        total = weight * prior + cases.sum(axis=0)
        rows.append(total / max(weight + len(cases), 1e-12))
    centroids = _unit(np.array(rows))
    return np.hstack([centroids, np.zeros((len(rows), 1))])


def logistic_weights(data: TrainingSet, l2: float = L2, iterations: int = 600) -> Floats:
    """Multinomial logistic regression on examples + cases by Nesterov-accelerated gradient
    descent. Rows are unit vectors, so the mean log-loss's gradient is 1-Lipschitz (plus the
    penalty) and a fixed step of 1/(1 + l2) is safe; the bias is not penalised."""
    x = np.vstack([data.anchors, data.cases])
    y = np.concatenate([data.anchor_labels, data.labels]).astype(np.int64)
    xb = np.hstack([x, np.ones((len(x), 1))])
    k, n = len(data.options), len(x)
    target = np.zeros((n, k))
    target[np.arange(n), y] = 1.0
    penalty = np.ones((k, xb.shape[1]))
    penalty[:, -1] = 0.0
    step = 1.0 / (1.0 + l2)
    w = np.zeros((k, xb.shape[1]))
    previous = w.copy()
    for t in range(1, iterations + 1):
        look = w + (t - 1) / (t + 2) * (w - previous)
        z = xb @ look.T
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        gradient = (p - target).T @ xb / n + l2 * penalty * look
        previous, w = w, look - step * gradient
    return w


def _linear(weights: Floats) -> Scorer:
    def score(x: Floats) -> Floats:
        result: Floats = x @ weights[:, :-1].T + weights[:, -1]
        return result
    return score


def _raw(method: str, data: TrainingSet, l2: float = L2,
         shrink: float = SHRINK) -> tuple[Scorer, Floats | None]:
    if method == "examples":
        return _examples_scorer(data)
    weights = (centroid_weights(data, shrink) if method == "centroid"
               else logistic_weights(data, l2))
    return _linear(weights), weights


# -- fitting with an honest temperature -----------------------------------------

def fit(method: str, data: TrainingSet, folds: int = FOLDS, *, l2: float = L2,
        shrink: float = SHRINK) -> Fitted:
    """Fit `method` on all of `data`; its temperature comes from out-of-fold scores (for
    `examples` the cases are not training material, so their scores already are)."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}")
    scorer, weights = _raw(method, data, l2, shrink)
    if method == "examples":
        held_out = scorer(data.cases)
    else:
        held_out = _out_of_fold_scores(method, data, folds, l2, shrink)
    temperature = _fit_temperature(data.options, held_out, data.labels)
    return Fitted(method, scorer, temperature, weights)


def _out_of_fold_scores(method: str, data: TrainingSet, folds: int, l2: float,
                        shrink: float) -> Floats:
    scores = np.zeros((len(data.labels), len(data.options)))
    for train, test in stratified_folds(data.labels, folds):
        scorer, _ = _raw(method, data.subset(train), l2, shrink)
        scores[test] = scorer(data.cases[test])
    return scores


def _fit_temperature(options: list[str], scores: Floats, labels: Ints) -> float:
    from runtime.evaluation.calibration import fit_temperature

    if len(labels) == 0:
        return 1.0
    return fit_temperature(LabelledScores(options, scores, labels), *T_RANGE)


# -- held-out figures --------------------------------------------------------------

@dataclass
class BandFigure:
    threshold: float
    coverage: float
    precision: float | None


@dataclass
class Figures:
    """What a user is shown about a method: every number from cases it was not fitted to."""

    method: str
    cases: int
    folds: int
    accuracy: float
    log_loss: float
    ece: float
    per_option: dict[str, dict[str, Any]]
    confusion: list[list[int]]
    bands: dict[str, BandFigure] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def cross_validate(method: str, data: TrainingSet, bands: dict[str, float],
                   folds: int = FOLDS, *, l2: float = L2, shrink: float = SHRINK) -> Figures:
    """Stratified k-fold: every case predicted by a head (and temperature) fitted without it."""
    split = stratified_folds(data.labels, folds)
    probs = np.zeros((len(data.labels), len(data.options)))
    for train, test in split:
        fitted = fit(method, data.subset(train), folds, l2=l2, shrink=shrink)
        probs[test] = fitted.probabilities(data.cases[test])
    return figures(method, data.options, probs, data.labels, bands, folds=len(split))


def figures(method: str, options: list[str], probs: Floats, labels: Ints,
            bands: dict[str, float], folds: int = 0) -> Figures:
    """Accuracy, log-loss, ECE, per-option precision/recall, confusion (rows: right option,
    columns: predicted) and, per band, the share of cases at or above it and how many of
    those are right."""
    labels = np.asarray(labels, dtype=np.int64)
    predicted = probs.argmax(axis=1)
    correct = predicted == labels
    k = len(options)
    confusion = np.zeros((k, k), dtype=np.int64)
    np.add.at(confusion, (labels, predicted), 1)
    per_option = {}
    for j, name in enumerate(options):
        said, truly = int(confusion[:, j].sum()), int(confusion[j].sum())
        hit = int(confusion[j, j])
        per_option[name] = {"precision": _ratio(hit, said), "recall": _ratio(hit, truly),
                            "cases": truly}
    confidence = probs.max(axis=1)
    band_figures = {}
    for name, threshold in bands.items():
        covered = confidence >= threshold
        band_figures[name] = BandFigure(
            threshold, round(float(covered.mean()), 4) if len(labels) else 0.0,
            _ratio(int(correct[covered].sum()), int(covered.sum())))
    picked = probs[np.arange(len(labels)), labels]
    return Figures(
        method=method, cases=len(labels), folds=folds,
        accuracy=round(float(correct.mean()), 4) if len(labels) else 0.0,
        log_loss=round(float(-np.log(np.clip(picked, 1e-12, 1.0)).mean()), 4)
        if len(labels) else math.nan,
        ece=round(expected_calibration_error(probs, labels), 4) if len(labels) else 0.0,
        per_option=per_option, confusion=confusion.tolist(), bands=band_figures)


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def best_method(results: dict[str, Figures]) -> str:
    """The method with the highest held-out accuracy; a tie goes to the lower held-out
    log-loss (the proper score: right *and* honestly sure), then to the simpler method."""
    return min(results, key=lambda m: (-results[m].accuracy, results[m].log_loss,
                                       METHODS.index(m)))
