"""Checkers of Chapter 6, anomalies and recommendation: typical wrong answers get their hint."""

from __future__ import annotations

import numpy as np
from exercise_helpers import assert_hint, rejected


def test_reconstruction_error_sum():
    wrong = lambda X, X_hat: np.sum((X - X_hat) ** 2, axis=1)  # noqa: E731
    assert_hint(rejected("ch06.reconstruction_error", wrong), "Average over the features")


def test_reconstruction_error_absolute():
    wrong = lambda X, X_hat: np.mean(np.abs(X - X_hat), axis=1)  # noqa: E731
    assert_hint(rejected("ch06.reconstruction_error", wrong), "Square the differences")


def test_reconstruction_error_one_number():
    wrong = lambda X, X_hat: np.mean((X - X_hat) ** 2)  # noqa: E731
    assert_hint(rejected("ch06.reconstruction_error", wrong), "One number per sample")


def test_reconstruction_error_wrong_axis():
    wrong = lambda X, X_hat: np.mean((X - X_hat) ** 2, axis=0)  # noqa: E731
    assert_hint(rejected("ch06.reconstruction_error", wrong), "shape")


def test_predict_ratings_dot_only():
    def dot_only(P, Q, bu, bi, mean, users, items):
        return np.sum(P[users] * Q[items], axis=1)

    assert_hint(rejected("ch06.predict_ratings", dot_only), "global mean and the two biases")


def test_predict_ratings_no_mean():
    def no_mean(P, Q, bu, bi, mean, users, items):
        return bu[users] + bi[items] + np.sum(P[users] * Q[items], axis=1)

    assert_hint(rejected("ch06.predict_ratings", no_mean), "global mean too")


def test_predict_ratings_full_matrix():
    def full(P, Q, bu, bi, mean, users, items):
        return mean + bu[:, None] + bi[None, :] + P @ Q.T

    assert_hint(rejected("ch06.predict_ratings", full), "only the requested pairs")


def test_predict_ratings_swapped_tables():
    def swapped(P, Q, bu, bi, mean, users, items):
        return mean + bu[items] + bi[users] + np.sum(P[items] * Q[users], axis=1)

    verdict = rejected("ch06.predict_ratings", swapped)
    assert not verdict.passed


def test_masked_rmse_all_cells():
    wrong = lambda R, R_hat, mask: np.sqrt(np.mean((R - R_hat) ** 2))  # noqa: E731
    assert_hint(rejected("ch06.masked_rmse", wrong), "not ratings of 0")


def test_masked_rmse_no_root():
    wrong = lambda R, R_hat, mask: np.mean((R[mask] - R_hat[mask]) ** 2)  # noqa: E731
    assert_hint(rejected("ch06.masked_rmse", wrong), "square root")


def test_masked_rmse_wrong_count():
    def wrong(R, R_hat, mask):
        return np.sqrt(np.sum((R[mask] - R_hat[mask]) ** 2) / mask.size)

    assert_hint(rejected("ch06.masked_rmse", wrong), "mask.sum()")
