"""Evaluation measures against figures worked out by hand on six fixed answers."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from runtime.evaluation import measures as m

P = m.Prediction
# truth a, b, c twice each; the AI: right at 0.95, wrong at 0.85, right at 0.75, wrong at
# 0.55, right at 0.65, and no answer at all for the last case.
ROWS = [P("a", 0.95, "a"), P("a", 0.85, "b"), P("b", 0.75, "b"), P("b", 0.55, "a"),
        P("c", 0.65, "c"), P(None, None, "c")]
OPTIONS = ["a", "b", "c"]


def test_accuracy_counts_a_missing_answer_as_wrong() -> None:
    assert m.accuracy(ROWS) == 3 / 6
    assert m.accuracy([]) is None


def test_confusion_puts_missing_answers_in_the_last_column() -> None:
    assert m.confusion(ROWS, OPTIONS) == [[1, 1, 0, 0], [1, 1, 0, 0], [0, 0, 1, 1]]


@pytest.mark.parametrize(("option", "support", "predicted", "correct", "precision", "recall"), [
    ("a", 2, 2, 1, 0.5, 0.5),
    ("b", 2, 2, 1, 0.5, 0.5),
    ("c", 2, 1, 1, 1.0, 0.5),
])
def test_per_option_precision_and_recall(option: str, support: int, predicted: int,
                                         correct: int, precision: float,
                                         recall: float) -> None:
    score = next(s for s in m.per_option(ROWS, OPTIONS) if s.option == option)
    assert (score.support, score.predicted, score.correct) == (support, predicted, correct)
    assert (score.precision, score.recall) == (precision, recall)


@pytest.mark.parametrize(("threshold", "acting", "right"), [
    (0.5, 5, 3), (0.6, 4, 3), (0.7, 3, 2), (0.8, 2, 1), (0.9, 1, 1), (1.0, 0, 0),
])
def test_risk_coverage_counts_cases_acting_alone_and_right(threshold: float, acting: int,
                                                           right: int) -> None:
    point = m.coverage_at(ROWS, threshold)
    assert (point.acting, point.right, point.wrong, point.total) == (
        acting, right, acting - right, 6)
    assert point.coverage == acting / 6
    assert point.precision == (right / acting if acting else None)


@pytest.mark.parametrize(("target", "band", "acting"), [
    (0.6, 0.55, 5), (0.7, 0.65, 4), (0.75, 0.65, 4), (0.8, 0.95, 1), (1.0, 0.95, 1),
])
def test_recommended_band_is_the_lowest_meeting_the_target(target: float, band: float,
                                                           acting: int) -> None:
    advice = m.recommend_band(ROWS, target, min_cases=3)
    assert advice.threshold == band
    assert advice.point is not None and advice.point.acting == acting
    assert advice.cases == 6


def test_recommendation_warns_below_the_minimum_sample_and_admits_no_band() -> None:
    assert "only 6 labelled cases" in (m.recommend_band(ROWS, 0.9).warning or "")
    wrong_only = [P("a", 0.9, "b"), P("b", 0.8, "a")]
    advice = m.recommend_band(wrong_only, 0.5, min_cases=1)
    assert advice.threshold is None and advice.point is None


def test_expected_calibration_error_by_hand() -> None:
    # one case per bin: |1-.95| + |0-.85| + |1-.75| + |0-.55| + |1-.65| = 2.05, over 5
    result = m.calibration(ROWS)
    assert result.ece == pytest.approx(2.05 / 5)
    assert result.cases == 5
    filled = {(b.low, b.count, b.accuracy) for b in result.bins if b.count}
    assert filled == {(0.9, 1, 1.0), (0.8, 1, 0.0), (0.7, 1, 1.0), (0.5, 1, 0.0),
                      (0.6, 1, 1.0)}


def test_a_confidence_of_one_falls_in_the_last_bin() -> None:
    result = m.calibration([P("a", 1.0, "a"), P("a", 1.0, "b")])
    assert result.bins[-1].count == 2
    assert result.ece == pytest.approx(0.5)


@pytest.mark.parametrize(("values", "q", "expected"), [
    ([1.0, 2.0, 3.0, 4.0], 0.5, 2.5), ([1.0, 2.0, 3.0, 4.0], 0.9, 3.7), ([5.0], 0.9, 5.0),
    ([3.0, 1.0, 2.0], 0.5, 2.0), ([], 0.5, None),
])
def test_quantile(values: list[float], q: float, expected: float | None) -> None:
    assert m.quantile(values, q) == (None if expected is None else pytest.approx(expected))


answers = st.lists(st.builds(
    P, st.sampled_from(["a", "b", "c", None]),
    st.one_of(st.none(), st.floats(0.0, 1.0)), st.sampled_from(["a", "b", "c"])),
    max_size=40)


@given(answers)
def test_measures_hold_their_invariants_on_any_answers(rows: list[m.Prediction]) -> None:
    assert sum(map(sum, m.confusion(rows, OPTIONS))) == len(rows)
    curve = m.risk_coverage(rows)
    assert [p.acting for p in curve] == sorted((p.acting for p in curve), reverse=True)
    cal = m.calibration(rows)
    assert cal.ece is None or 0.0 <= cal.ece <= 1.0
    assert sum(b.count for b in cal.bins) == cal.cases
    advice = m.recommend_band(rows, 0.9)
    assert advice.point is None or (advice.point.precision or 0) >= 0.9
