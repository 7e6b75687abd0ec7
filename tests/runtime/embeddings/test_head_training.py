"""The head fitted by `junction train`: small fixed data, figures checked by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from runtime.evaluation.calibration import LabelledScores, calibrate, held_out_ece
from runtime.evaluation.folds import stratified_folds
from runtime.evaluation.head_training import (
    METHODS,
    TrainingSet,
    best_method,
    centroid_weights,
    cross_validate,
    figures,
    fit,
    logistic_weights,
)
from runtime.models.embedding_scoring import softmax_rows


def unit(degrees: float) -> list[float]:
    return [math.cos(math.radians(degrees)), math.sin(math.radians(degrees))]


def tiny() -> TrainingSet:
    """Two options in the plane: 'a' written at 0°, 'b' at 90°. Two 'a' cases lie near 0°,
    one 'a' case at 80° (a person labelled it 'a', but it reads like 'b'); the 'b' cases
    lie near 90°."""
    anchors = np.array([unit(0), unit(90)])
    cases = np.array([unit(5), unit(10), unit(80), unit(85), unit(88), unit(95)])
    return TrainingSet(["a", "b"], anchors, np.array([0, 1]), cases,
                       np.array([0, 0, 0, 1, 1, 1]))


def test_cross_validated_figures_match_a_hand_computation_on_a_tiny_set() -> None:
    # By hand: whatever the folds, every 'a' centroid sits between 0° and ~30° (the written
    # example weighs 4 cases) and every 'b' centroid near 90°, so the 80° case is predicted
    # 'b' and every other case right: accuracy 5/6, confusion [[2, 1], [0, 3]],
    # precision a 2/2, recall a 2/3, precision b 3/4, recall b 3/3.
    result = cross_validate("centroid", tiny(), {"act": 0.8}, folds=3)
    assert result.cases == 6 and result.folds == 3
    assert result.accuracy == pytest.approx(5 / 6, abs=1e-4)
    assert result.confusion == [[2, 1], [0, 3]]
    assert result.per_option["a"] == {"precision": 1.0, "recall": pytest.approx(0.6667,
                                                                               abs=1e-4),
                                      "cases": 3}
    assert result.per_option["b"] == {"precision": 0.75, "recall": 1.0, "cases": 3}


def test_figures_from_given_probabilities_match_a_hand_computation() -> None:
    probs = np.array([[0.9, 0.1], [0.7, 0.3], [0.6, 0.4], [0.2, 0.8]])
    labels = np.array([0, 1, 0, 1])
    result = figures("x", ["a", "b"], probs, labels, {"act": 0.8, "suggest": 0.6})
    # predictions a, a, a, b: right, wrong, right, right
    assert result.accuracy == 0.75
    assert result.confusion == [[2, 0], [1, 1]]
    assert result.per_option["a"]["precision"] == pytest.approx(2 / 3, abs=1e-4)
    assert result.per_option["b"]["recall"] == 0.5
    # act ≥ 0.8: the 0.9 and 0.8 cases, both right; suggest ≥ 0.6: all but none below 0.6
    assert result.bands["act"].coverage == 0.5 and result.bands["act"].precision == 1.0
    assert result.bands["suggest"].coverage == 1.0
    assert result.bands["suggest"].precision == 0.75
    # ECE, 10 bins: bin 0.9 (conf 0.9, right) .1, bin 0.7 (0.7, wrong) .7,
    # bin 0.6 (0.6, right) .4, bin 0.8 (0.8, right) .2 → mean = (0.1+0.7+0.4+0.2)/4 = 0.35
    assert result.ece == pytest.approx(0.35, abs=1e-4)
    assert result.log_loss == pytest.approx(
        -(math.log(0.9) + math.log(0.3) + math.log(0.6) + math.log(0.8)) / 4, abs=1e-4)


def test_centroids_are_shrunk_toward_the_written_examples() -> None:
    data = TrainingSet(["a", "b"], np.array([unit(0), unit(90)]), np.array([0, 1]),
                       np.array([unit(90)]), np.array([0]))
    weights = centroid_weights(data, shrink=1.0)
    # 'a': (1·(1,0) + 1·(0,1)) / 2, unit length → 45°; 'b' has no cases: its example
    assert weights[0, :2] == pytest.approx(unit(45), abs=1e-6)
    assert weights[1, :2] == pytest.approx(unit(90), abs=1e-6)
    assert (weights[:, 2] == 0).all()


def test_logistic_regression_learns_what_the_examples_did_not_say() -> None:
    # The written examples point the wrong way for the 'a' cases near 60°: only the
    # labelled cases teach the head that this region is 'a'.
    anchors = np.array([unit(0), unit(90)])
    cases = np.array([unit(d) for d in (55, 58, 60, 62, 65, 85, 88, 90, 92, 95)])
    labels = np.array([0] * 5 + [1] * 5)
    data = TrainingSet(["a", "b"], anchors, np.array([0, 1]), cases, labels)
    head = fit("logistic", data)
    probs = head.probabilities(np.array([unit(61)]))
    assert probs[0].argmax() == 0
    examples_only = fit("examples", data).probabilities(np.array([unit(61)]))
    assert examples_only[0].argmax() == 1, "without the cases the 61° case reads as 'b'"
    assert logistic_weights(data).shape == (2, 3)


def test_every_fold_holds_every_option_and_the_split_is_repeatable() -> None:
    labels = np.array([0] * 7 + [1] * 5 + [2] * 9)
    split = stratified_folds(labels, 5)
    assert len(split) == 5
    tested = np.concatenate([test for _, test in split])
    assert sorted(tested.tolist()) == list(range(len(labels)))
    for train, test in split:
        assert set(labels[test].tolist()) == {0, 1, 2}
        assert not set(train.tolist()) & set(test.tolist())
    again = stratified_folds(labels, 5)
    assert all((a[1] == b[1]).all() for a, b in zip(split, again, strict=True))


def test_folds_are_capped_by_the_rarest_option() -> None:
    assert len(stratified_folds(np.array([0, 0, 0, 0, 1, 1]), 5)) == 2


def test_the_best_method_is_the_most_accurate_then_the_better_calibrated() -> None:
    data = tiny()
    results = {m: cross_validate(m, data, {"act": 0.8}, folds=3) for m in METHODS}
    winner = best_method(results)
    assert results[winner].accuracy == max(r.accuracy for r in results.values())
    tied = {m: results["centroid"] for m in ("centroid", "logistic")}
    assert best_method(tied) == "centroid", "a tie goes to the simpler method"


def test_held_out_ece_fits_each_temperature_without_the_cases_it_is_scored_on(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from runtime.evaluation import calibration

    rng = np.random.default_rng(5)
    scores = rng.uniform(0.1, 0.7, size=(40, 3))
    labels = np.array([rng.choice(3, p=p) for p in softmax_rows(scores, 0.05)])
    data = LabelledScores(["a", "b", "c"], scores, labels)
    fitted_on: list[set[tuple[float, ...]]] = []
    real = calibration.fit_temperature

    def recording(part: LabelledScores, *args: float, **kwargs: float) -> float:
        fitted_on.append({tuple(row) for row in part.scores})
        return real(part, *args, **kwargs)

    monkeypatch.setattr(calibration, "fit_temperature", recording)
    ece, folds = held_out_ece(data)
    assert folds == 5 and len(fitted_on) == 5
    rows = [tuple(row) for row in scores]
    # every case is left out of exactly one fit: the one whose temperature scores it
    assert all(sum(row not in seen for seen in fitted_on) == 1 for row in rows)
    report = calibrate(data, node="n", model="m", source="synthetic", current=0.03)
    assert report.ece_after_held_out == pytest.approx(ece, abs=1e-4)
    assert report.held_out_folds == 5
