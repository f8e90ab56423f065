"""Checkers of Chapter 7, ethics: typical wrong answers get their hint."""

from __future__ import annotations

import numpy as np
from exercise_helpers import assert_hint, forgot_return, rejected, solution_and_stub_tests

from nnlib.exercises import reference_solution

IDS = (
    "ch07.demographic_parity_gap",
    "ch07.equalized_odds_gap",
    "ch07.membership_advantage",
    "ch07.conv2d_macs",
)
test_solution_passes, test_stub_is_not_yet = solution_and_stub_tests(
    {i: reference_solution(i) for i in IDS}
)


def _selection(y_pred, group):
    return np.array([y_pred[group == g].mean() for g in np.unique(group)])


def test_parity_ratio():
    def ratio(y_pred, group):
        r = _selection(y_pred, group)
        return r.min() / r.max()

    assert_hint(rejected("ch07.demographic_parity_gap", ratio), "ratio")


def test_parity_first_minus_last():
    def first_last(y_pred, group):
        r = _selection(y_pred, group)
        return abs(r[0] - r[-1])

    assert_hint(rejected("ch07.demographic_parity_gap", first_last), "more than two groups")


def test_parity_forgot_return():
    assert_hint(rejected("ch07.demographic_parity_gap", forgot_return), "return")


def _tpr_fpr(y_true, y_pred, group):
    tpr = [y_pred[(group == g) & (y_true == 1)].mean() for g in np.unique(group)]
    fpr = [y_pred[(group == g) & (y_true == 0)].mean() for g in np.unique(group)]
    return max(tpr) - min(tpr), max(fpr) - min(fpr)


def test_odds_only_tpr():
    assert_hint(
        rejected("ch07.equalized_odds_gap", lambda t, p, g: _tpr_fpr(t, p, g)[0]),
        "equal opportunity",
    )


def test_odds_average():
    assert_hint(
        rejected("ch07.equalized_odds_gap", lambda t, p, g: sum(_tpr_fpr(t, p, g)) / 2),
        "not their average",
    )


def test_odds_parity_instead():
    def parity(t, p, g):
        r = _selection(p, g)
        return r.max() - r.min()

    assert_hint(rejected("ch07.equalized_odds_gap", parity), "demographic-parity gap")


def test_advantage_reversed():
    def reversed_(m, n, t):
        return np.mean(m >= t) - np.mean(n >= t)

    assert_hint(rejected("ch07.membership_advantage", reversed_), "Low loss means")


def test_advantage_strict():
    def strict(m, n, t):
        return np.mean(m < t) - np.mean(n < t)

    assert_hint(rejected("ch07.membership_advantage", strict), "<=, not <")


def test_advantage_accuracy():
    def accuracy(m, n, t):
        return (np.sum(m <= t) + np.sum(n > t)) / (len(m) + len(n))

    assert_hint(rejected("ch07.membership_advantage", accuracy), "accuracy")


def test_macs_flops():
    def flops(c_in, c_out, k, h, w):
        return 2 * h * w * c_out * c_in * k * k

    assert_hint(rejected("ch07.conv2d_macs", flops), "FLOPs")


def test_macs_no_input_channels():
    assert_hint(
        rejected("ch07.conv2d_macs", lambda c_in, c_out, k, h, w: h * w * c_out * k * k),
        "in_channels",
    )


def test_macs_kernel_side_not_area():
    assert_hint(
        rejected("ch07.conv2d_macs", lambda c_in, c_out, k, h, w: h * w * c_out * c_in * k),
        "k * k",
    )
