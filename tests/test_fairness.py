"""nnlib.fairness: group rates and gaps against hand counts; thresholds; bad input."""

from __future__ import annotations

import numpy as np
import pytest

from nnlib.fairness import (
    demographic_parity_gap,
    equal_opportunity_gap,
    equalized_odds_gap,
    group_rates,
    group_thresholds,
)

# Group "a": 4 people, 2 positives; group "b": 4 people, 2 positives.
Y_TRUE = np.array([1, 1, 0, 0, 1, 1, 0, 0])
Y_PRED = np.array([1, 1, 1, 0, 1, 0, 0, 0])
GROUP = np.array(["a"] * 4 + ["b"] * 4)


def test_group_rates_by_hand():
    rates = group_rates(Y_TRUE, Y_PRED, GROUP)
    assert list(rates) == ["a", "b"]
    assert rates["a"] == {"n": 4, "selection_rate": 0.75, "tpr": 1.0, "fpr": 0.5, "accuracy": 0.75}
    assert rates["b"] == {"n": 4, "selection_rate": 0.25, "tpr": 0.5, "fpr": 0.0, "accuracy": 0.75}


def test_gaps_by_hand():
    assert demographic_parity_gap(Y_PRED, GROUP) == pytest.approx(0.5)
    assert equal_opportunity_gap(Y_TRUE, Y_PRED, GROUP) == pytest.approx(0.5)
    assert equalized_odds_gap(Y_TRUE, Y_PRED, GROUP) == pytest.approx(0.5)


def test_equalized_odds_takes_the_larger_gap():
    y_pred = np.array([1, 1, 1, 1, 1, 1, 0, 0])  # same TPR, FPR 1 against 0
    assert equal_opportunity_gap(Y_TRUE, y_pred, GROUP) == 0.0
    assert equalized_odds_gap(Y_TRUE, y_pred, GROUP) == 1.0


def test_three_groups_largest_difference():
    y_pred = np.array([1, 1, 0, 0, 0, 0])
    group = np.array([0, 0, 1, 1, 2, 2])
    assert demographic_parity_gap(y_pred, group) == 1.0


def test_random_data_matches_direct_computation():
    rng = np.random.default_rng(0)
    y_true, y_pred = rng.integers(0, 2, 500), rng.integers(0, 2, 500)
    group = rng.integers(0, 3, 500)
    tpr = [y_pred[(group == g) & (y_true == 1)].mean() for g in range(3)]
    fpr = [y_pred[(group == g) & (y_true == 0)].mean() for g in range(3)]
    sel = [y_pred[group == g].mean() for g in range(3)]
    assert demographic_parity_gap(y_pred, group) == pytest.approx(max(sel) - min(sel))
    expected = max(max(tpr) - min(tpr), max(fpr) - min(fpr))
    assert equalized_odds_gap(y_true, y_pred, group) == pytest.approx(expected)


def test_booleans_accepted_and_one_group_has_no_gap():
    assert demographic_parity_gap(np.array([True, False]), np.array([0, 0])) == 0.0


def test_group_thresholds_selection_rate():
    scores = np.array([0.9, 0.8, 0.7, 0.6, 0.4, 0.3, 0.2, 0.1])
    group = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    t = group_thresholds(scores, group, 0.5)
    assert t == {0: 0.8, 1: 0.3}
    selected = scores >= np.array([t[g] for g in group])
    assert demographic_parity_gap(selected, group) == 0.0


def test_group_thresholds_true_positive_rate():
    scores = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2])
    y_true = np.array([1, 0, 1, 0, 1, 1, 0, 1])
    group = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    t = group_thresholds(scores, group, 1.0, y_true=y_true)
    assert t == {0: 0.7, 1: 0.2}
    t_half = group_thresholds(scores, group, 0.5, y_true=y_true)
    assert t_half == {0: 0.9, 1: 0.4}  # 2 of group 1's 3 positives: at least half


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: group_rates([0, 2], [0, 1], [0, 0]), "only 0 and 1"),
        (lambda: group_rates([0, 1], [0, 1, 1], [0, 0]), "y_true has 2"),
        (lambda: group_rates([0, 1], [0, 1], [0, 0, 1]), "one entry per person"),
        (lambda: group_rates([1, 1], [0, 1], [0, 0]), "no negative cases"),
        (lambda: equalized_odds_gap([0, 0], [0, 1], [0, 0]), "equalized_odds_gap.*no positive"),
        (lambda: demographic_parity_gap([], []), "empty"),
        (lambda: demographic_parity_gap([[0, 1]], [0]), "1-D"),
        (lambda: group_thresholds([0.5, np.nan], [0, 1], 0.5), "finite"),
        (lambda: group_thresholds([0.5, 0.4], [0, 1], 0.0), r"\(0, 1\]"),
        (lambda: group_thresholds([0.5, 0.4], [0, 1], 1.0, y_true=[1, 0]), "group 1 has no"),
    ],
)
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()
