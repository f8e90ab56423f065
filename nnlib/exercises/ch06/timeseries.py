"""Chapter 6, time-series forecasting: the seasonal-naive forecast, MAE and RMSE, and cutting
a series into input windows and next-step targets."""

from __future__ import annotations

import numpy as np

from nnlib.exercises import Fail, as_floats, exercise, expect_close, solution

__all__: list[str] = []


@exercise("ch06.seasonal_naive", success="Your forecasts repeat the last season, step by step.")
def _(seasonal_naive):
    history = np.array([3.0, 5.0, 4.0, 6.0, 8.0, 7.0, 9.0])
    for period, steps in ((3, 3), (3, 7), (1, 4), (7, 2)):
        what = f"seasonal_naive(history, period={period}, steps={steps})"
        n = len(history)
        expected = history[n - period + np.arange(steps) % period]
        got = seasonal_naive(history.copy(), period, steps)
        mistakes = [
            (
                np.full(steps, history[-1]),
                "That is the last-value forecast: go back a whole "
                "season, to history[len(history) - period + k] for step k.",
            ),
            (
                history[n - period - 1 + np.arange(steps) % period],
                "Off by one: step 0 (the first day after the history) copies "
                "history[len(history) - period], exactly one season earlier.",
            ),
        ]
        if steps > period:
            short = history[-period:][: min(steps, period)]
            got_arr = as_floats(got, what, "Return an array of `steps` forecasts.")
            if got_arr.shape == short.shape:
                raise Fail(
                    f"{what} returned {got_arr.shape[0]} values; expected {steps}.",
                    "When steps > period, the last season repeats: use k % period.",
                )
        expect_close(
            got,
            expected,
            what,
            "Forecast k (k = 0, 1, ...) copies history[len(history) - period + k % period].",
            atol=1e-12,
            mistakes=mistakes,
        )


@solution("ch06.seasonal_naive")
def seasonal_naive(history, period, steps):
    k = np.arange(steps)
    return history[len(history) - period + k % period]


@exercise("ch06.forecast_errors", success="MAE and RMSE are right.")
def _(forecast_errors):
    cases = (
        (np.array([10.0, 12.0, 9.0, 11.0]), np.array([11.0, 12.0, 7.0, 11.5])),
        (np.array([0.0, 0.0, 0.0]), np.array([3.0, -3.0, 0.0])),
    )
    for y_true, y_pred in cases:
        what = f"forecast_errors({y_true.tolist()}, {y_pred.tolist()})"
        err = y_pred - y_true
        mae, rmse = np.mean(np.abs(err)), np.sqrt(np.mean(err**2))
        got = forecast_errors(y_true.copy(), y_pred.copy())
        if got is None:
            raise Fail(f"{what} returned None.", "Did you forget a `return` statement?")
        got = as_floats(got, what, "Return a pair (mae, rmse).")
        if got.shape != (2,):
            raise Fail(f"{what} returned {got}.", "Return a pair (mae, rmse).")
        expect_close(
            got,
            [mae, rmse],
            what,
            "MAE = mean of |y_pred - y_true|; RMSE = square root of the mean of the squares.",
            atol=1e-12,
            mistakes=[
                ([rmse, mae], "The pair is (mae, rmse), in that order."),
                (
                    [np.mean(err), rmse],
                    "Take the absolute value of each error before "
                    "averaging: positive and negative errors must not cancel.",
                ),
                ([mae, np.mean(err**2)], "RMSE is the *root* of the mean squared error."),
                (
                    [mae, np.mean(np.abs(err))],
                    "RMSE squares the errors, averages, then takes "
                    "the square root; it is not the MAE again.",
                ),
            ],
        )


@solution("ch06.forecast_errors")
def forecast_errors(y_true, y_pred):
    err = y_pred - y_true
    return np.mean(np.abs(err)), np.sqrt(np.mean(err**2))


@exercise("ch06.make_windows", success="Your windows match nnlib.data.sequence_windows.")
def _(make_windows):
    from nnlib.data import sequence_windows

    series = np.arange(10.0) ** 2
    for window in (3, 1, 9):
        what = f"make_windows(series, window={window})"
        X_ref, y_ref = sequence_windows(series, window)
        got = make_windows(series.copy(), window)
        if got is None:
            raise Fail(f"{what} returned None.", "Did you forget a `return` statement?")
        if not isinstance(got, tuple) or len(got) != 2:
            raise Fail(f"{what} returned {type(got).__name__}.", "Return a pair (X, y).")
        X, y = (as_floats(a, what, "X and y are arrays of numbers.") for a in got)
        n = len(series)
        if X.shape == (n - window + 1, window):
            raise Fail(
                f"X has {X.shape[0]} rows; expected {n - window}.",
                "The last window has no next value to predict: stop at n - window pairs.",
            )
        if X.shape == (window, n - window):
            raise Fail(f"X has shape {X.shape}.", "One row per window: X.T is what you want.")
        expect_close(X, X_ref, f"X of {what}", "Row i is series[i : i + window].", 1e-12)
        m = len(X_ref)
        expect_close(
            y,
            y_ref,
            f"y of {what}",
            "y[i] is the value right after window i: series[i + window].",
            atol=1e-12,
            mistakes=[
                (
                    series[window - 1 : window - 1 + m],
                    "y[i] = series[i + window - 1] is the "
                    "last value *inside* the window; the target is the one after it.",
                ),
            ],
        )


@solution("ch06.make_windows")
def make_windows(series, window):
    n = len(series) - window
    X = np.stack([series[i : i + window] for i in range(n)])
    y = series[window:]
    return X, y
