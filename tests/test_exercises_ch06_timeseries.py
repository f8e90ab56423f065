"""Checkers of Chapter 6, time-series forecasting: typical wrong answers get their hint."""

from __future__ import annotations

import numpy as np
from exercise_helpers import assert_hint, forgot_return, rejected, solution_and_stub_tests

from nnlib.exercises import reference_solution

IDS = ("ch06.seasonal_naive", "ch06.forecast_errors", "ch06.make_windows")
test_solution_passes, test_stub_is_not_yet = solution_and_stub_tests(
    {i: reference_solution(i) for i in IDS}
)


def test_seasonal_naive_last_value():
    def last_value(history, period, steps):
        return np.full(steps, history[-1])

    assert_hint(rejected("ch06.seasonal_naive", last_value), "last-value forecast")


def test_seasonal_naive_off_by_one():
    def off_by_one(history, period, steps):
        return history[len(history) - period - 1 + np.arange(steps) % period]

    assert_hint(rejected("ch06.seasonal_naive", off_by_one), "Off by one")


def test_seasonal_naive_no_wrap():
    def no_wrap(history, period, steps):
        return history[-period:][:steps]

    assert_hint(rejected("ch06.seasonal_naive", no_wrap), "k % period")


def test_forecast_errors_swapped():
    def swapped(t, p):
        e = p - t
        return np.sqrt(np.mean(e**2)), np.mean(np.abs(e))

    assert_hint(rejected("ch06.forecast_errors", swapped), "(mae, rmse)")


def test_forecast_errors_no_abs():
    def no_abs(t, p):
        e = p - t
        return np.mean(e), np.sqrt(np.mean(e**2))

    assert_hint(rejected("ch06.forecast_errors", no_abs), "absolute value")


def test_forecast_errors_no_root():
    def no_root(t, p):
        e = p - t
        return np.mean(np.abs(e)), np.mean(e**2)

    assert_hint(rejected("ch06.forecast_errors", no_root), "*root*")


def test_forecast_errors_forgot_return():
    assert_hint(rejected("ch06.forecast_errors", forgot_return), "return")


def test_windows_target_inside_window():
    def inside(series, window):
        n = len(series) - window
        X = np.stack([series[i : i + window] for i in range(n)])
        return X, series[window - 1 : window - 1 + n]

    assert_hint(rejected("ch06.make_windows", inside), "*inside* the window")


def test_windows_one_too_many():
    def too_many(series, window):
        n = len(series) - window + 1
        X = np.stack([series[i : i + window] for i in range(n)])
        return X, series[window - 1 :]

    assert_hint(rejected("ch06.make_windows", too_many), "no next value")


def test_windows_transposed():
    def transposed(series, window):
        n = len(series) - window
        X = np.stack([series[i : i + window] for i in range(n)])
        return X.T, series[window:]

    assert_hint(rejected("ch06.make_windows", transposed), "X.T")


def test_windows_not_a_pair():
    assert_hint(rejected("ch06.make_windows", lambda s, w: [1, 2, 3]), "(X, y)")
