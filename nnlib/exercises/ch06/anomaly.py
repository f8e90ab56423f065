"""Chapter 6, anomalies and recommendation: a reconstruction-error score, a dot-product rating
prediction, and the RMSE over the observed entries of a ratings matrix."""

from __future__ import annotations

import numpy as np

from nnlib.exercises import Fail, exercise, expect_close, solution

__all__: list[str] = []


@exercise("ch06.reconstruction_error", success="One anomaly score per sample, as in the notebook.")
def _(reconstruction_error):
    rng = np.random.default_rng(0)
    for n, d in ((5, 4), (3, 7), (1, 2)):
        X = np.round(rng.uniform(size=(n, d)), 2)
        X_hat = np.round(X + rng.normal(0, 0.3, size=(n, d)), 2)
        what = f"reconstruction_error(X, X_hat) with X of shape {(n, d)}"
        sq = (X - X_hat) ** 2
        expect_close(
            reconstruction_error(X.copy(), X_hat.copy()),
            sq.mean(axis=1),
            what,
            "One number per sample (row): the mean over its features of (x - x_hat) squared.",
            atol=1e-12,
            mistakes=[
                (sq.sum(axis=1), "Average over the features (axis=1) instead of summing."),
                (
                    np.abs(X - X_hat).mean(axis=1),
                    "Square the differences; |x - x_hat| is "
                    "another score (less sensitive to a few very wrong pixels).",
                ),
                (np.sqrt(sq.mean(axis=1)), "No square root: the mean squared error."),
            ],
        )
    X = np.zeros((4, 3))
    got = np.asarray(reconstruction_error(X, X.copy()), dtype=float)
    if got.shape == () or got.ndim != 1:
        raise Fail(
            f"reconstruction_error(X, X) of 4 samples returned shape {got.shape}.",
            "Reduce over the features only (axis=1), so that each sample keeps its own score.",
        )


@solution("ch06.reconstruction_error")
def reconstruction_error(X, X_hat):
    return np.mean((X - X_hat) ** 2, axis=1)


def _mf_case(rng, n_users, n_items, dim, n):
    P = np.round(rng.normal(size=(n_users, dim)), 2)
    Q = np.round(rng.normal(size=(n_items, dim)), 2)
    b_user = np.round(rng.normal(0, 0.5, n_users), 2)
    b_item = np.round(rng.normal(0, 0.5, n_items), 2)
    users = rng.integers(0, n_users, n)
    items = rng.integers(0, n_items, n)
    return P, Q, b_user, b_item, 3.5, users, items


@exercise("ch06.predict_ratings", success="Your predictions match the model's formula.")
def _(predict_ratings):
    rng = np.random.default_rng(1)
    for n_users, n_items, dim, n in ((6, 4, 3, 5), (3, 8, 2, 7)):
        P, Q, b_user, b_item, mean, users, items = _mf_case(rng, n_users, n_items, dim, n)
        what = f"predict_ratings(...) for {n} (user, item) pairs"
        dot = np.sum(P[users] * Q[items], axis=1)
        got = predict_ratings(
            P.copy(), Q.copy(), b_user.copy(), b_item.copy(), mean, users.copy(), items.copy()
        )
        if got is not None and np.shape(got) == (n_users, n_items):
            raise Fail(
                f"{what} returned a matrix of shape {np.shape(got)}.",
                "Predict only the requested pairs: P[users] and Q[items] are the vectors of "
                "each pair; multiply them element-wise and sum over the factors (axis=1).",
            )
        expect_close(
            got,
            mean + b_user[users] + b_item[items] + dot,
            what,
            "mean + user_bias[users] + item_bias[items] + the dot product of P[users] and "
            "Q[items], row by row.",
            atol=1e-9,
            mistakes=[
                (dot, "Add the global mean and the two biases to the dot product."),
                (b_user[users] + b_item[items] + dot, "Add the global mean too."),
                (mean + dot, "Add the user's and the item's bias too."),
            ],
        )


@solution("ch06.predict_ratings")
def predict_ratings(P, Q, user_bias, item_bias, mean, users, items):
    dot = np.sum(P[users] * Q[items], axis=1)
    return mean + user_bias[users] + item_bias[items] + dot


@exercise("ch06.masked_rmse", success="The RMSE over the observed ratings only.")
def _(masked_rmse):
    rng = np.random.default_rng(2)
    for shape, density in (((4, 5), 0.4), ((6, 3), 0.6)):
        R = np.round(rng.uniform(1, 5, size=shape), 1)
        R_hat = np.round(R + rng.normal(0, 0.7, size=shape), 1)
        mask = rng.uniform(size=shape) < density
        mask[0, 0] = True
        R_filled = np.where(mask, R, 0.0)  # unobserved cells hold 0, as in a sparse matrix
        what = f"masked_rmse(R, R_hat, mask) with {mask.sum()} of {mask.size} cells observed"
        sq = (R_filled - R_hat) ** 2
        expect_close(
            masked_rmse(R_filled.copy(), R_hat.copy(), mask.copy()),
            np.sqrt(sq[mask].mean()),
            what,
            "Keep only the observed cells (R[mask]), then the square root of the mean squared "
            "difference.",
            atol=1e-9,
            mistakes=[
                (
                    np.sqrt(sq.mean()),
                    "Only the observed cells count: the zeros in R are "
                    "missing ratings, not ratings of 0. Index with the mask.",
                ),
                (sq[mask].mean(), "Take the square root of the mean squared error."),
                (
                    np.sqrt(sq[mask].sum() / mask.size),
                    "Divide by the number of observed cells "
                    "(mask.sum()), not by the size of the matrix.",
                ),
            ],
        )


@solution("ch06.masked_rmse")
def masked_rmse(R, R_hat, mask):
    return np.sqrt(np.mean((R[mask] - R_hat[mask]) ** 2))
