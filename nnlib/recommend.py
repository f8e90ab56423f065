"""Recommendation data with a known answer: ratings generated from hidden taste factors.

Taught in: Chapter 6, Applications (anomalies and recommendation).

A recommender sees a few ratings (user ``u`` gave item ``i`` a rating ``r``) and must guess
the missing ones. :func:`synthetic_ratings` generates such data from the model that matrix
factorisation assumes, so that a notebook can check what a trained model recovered:

.. math::

    r_{ui} = \\mu + b_u + c_i + p_u \\cdot q_i + \\varepsilon_{ui},

with a global mean :math:`\\mu`, a bias per user :math:`b_u` and per item :math:`c_i`, a
taste vector :math:`p_u` per user and a factor vector :math:`q_i` per item (items of the same
*group*, like a film genre, have nearby factors), and Gaussian noise :math:`\\varepsilon`.
Only a fraction of the (user, item) cells is observed.

:func:`fit_biases` fits the strongest simple baseline, :math:`\\mu + b_u + c_i` without the
factors, and :func:`rmse` scores predictions.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

__all__ = ["Ratings", "fit_biases", "rmse", "synthetic_ratings"]


class Ratings(NamedTuple):
    """Observed ratings and the hidden structure they were generated from.

    Taught in: Chapter 6, Applications (anomalies and recommendation).

    Attributes
    ----------
    users, items : ndarray of shape (n,), int64
        The user and the item of each observed rating (each cell at most once).
    ratings : ndarray of shape (n,), float64
        The observed ratings (with noise).
    mean : float
        The global mean :math:`\\mu`.
    user_bias, item_bias : ndarray of shape (n_users,) and (n_items,)
    user_factors, item_factors : ndarray of shape (n_users, rank) and (n_items, rank)
    item_groups : ndarray of shape (n_items,), int64
        The group (genre) of each item, ``0`` to ``rank - 1``.
    noise : float
        The standard deviation of the noise: the RMSE of a perfect model.
    """

    users: np.ndarray
    items: np.ndarray
    ratings: np.ndarray
    mean: float
    user_bias: np.ndarray
    item_bias: np.ndarray
    user_factors: np.ndarray
    item_factors: np.ndarray
    item_groups: np.ndarray
    noise: float

    @property
    def expected(self) -> np.ndarray:
        """The noise-free rating of every (user, item) cell, shape ``(n_users, n_items)``."""
        return (
            self.mean
            + self.user_bias[:, None]
            + self.item_bias[None, :]
            + self.user_factors @ self.item_factors.T
        )


def _positive_int(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer; got {value!r}")
    return int(value)


def synthetic_ratings(
    n_users: int = 300,
    n_items: int = 200,
    rank: int = 3,
    density: float = 0.1,
    noise: float = 0.5,
    rng: int | np.random.Generator | None = 0,
) -> Ratings:
    """Ratings of ``n_items`` items by ``n_users`` users, generated from ``rank`` factors.

    Taught in: Chapter 6, Applications (anomalies and recommendation).

    Each item belongs to one of ``rank`` groups (think genres); its factor vector is its
    group's direction (a coordinate axis, scaled by 1.5) plus a little spread (standard
    deviation 0.3). Users' taste vectors are standard normal, so a user likes some groups
    and dislikes others. Biases have standard deviation 0.4 (users) and 0.5 (items) around
    a mean of 3.5. A random ``density`` fraction of the cells is observed, each with its own
    Gaussian noise of standard deviation ``noise``.

    Parameters
    ----------
    n_users, n_items : int, default 300 and 200
    rank : int, default 3
        The number of hidden factors (and of item groups).
    density : float, default 0.1
        The fraction of cells observed, in ``(0, 1]``.
    noise : float, default 0.5
        The standard deviation of the rating noise (``>= 0``).
    rng : int, numpy.random.Generator or None, default 0

    Returns
    -------
    Ratings

    Examples
    --------
    >>> data = synthetic_ratings(n_users=20, n_items=10, density=0.5, rng=1)
    >>> len(data.ratings), data.user_factors.shape, data.expected.shape
    (100, (20, 3), (20, 10))
    """
    n_users, n_items = _positive_int(n_users, "n_users"), _positive_int(n_items, "n_items")
    rank = _positive_int(rank, "rank")
    if not 0 < float(density) <= 1:
        raise ValueError(f"density must be in (0, 1]; got {density!r}")
    if not float(noise) >= 0:
        raise ValueError(f"noise must be non-negative; got {noise!r}")
    gen = np.random.default_rng(rng)
    groups = np.arange(n_items) % rank
    gen.shuffle(groups)
    item_factors = 1.5 * np.eye(rank)[groups] + 0.3 * gen.standard_normal((n_items, rank))
    user_factors = gen.standard_normal((n_users, rank))
    user_bias = 0.4 * gen.standard_normal(n_users)
    item_bias = 0.5 * gen.standard_normal(n_items)
    n_observed = max(1, round(density * n_users * n_items))
    cells = gen.choice(n_users * n_items, size=n_observed, replace=False)
    users, items = np.divmod(cells, n_items)
    data = Ratings(
        users.astype(np.int64),
        items.astype(np.int64),
        np.empty(n_observed),
        3.5,
        user_bias,
        item_bias,
        user_factors,
        item_factors,
        groups.astype(np.int64),
        float(noise),
    )
    data.ratings[:] = data.expected[users, items] + noise * gen.standard_normal(n_observed)
    return data


def _check_triples(users, items, ratings, where: str):
    users, items = np.asarray(users), np.asarray(items)
    ratings = np.asarray(ratings, dtype=np.float64)
    if users.ndim != 1 or users.shape != items.shape or users.shape != ratings.shape:
        raise ValueError(
            f"{where}: users, items and ratings must be 1-D and of the same length; got "
            f"shapes {users.shape}, {items.shape} and {ratings.shape}"
        )
    if len(users) == 0:
        raise ValueError(f"{where}: there are no ratings")
    for name, a in (("users", users), ("items", items)):
        if not np.issubdtype(a.dtype, np.integer):
            raise TypeError(f"{where}: {name} must be integer indices; got dtype {a.dtype}")
    if not np.all(np.isfinite(ratings)):
        raise ValueError(f"{where}: ratings contain NaN or infinity")
    return users, items, ratings


def fit_biases(users, items, ratings, n_users: int, n_items: int, reg: float = 5.0, n_iter=20):
    """Fit the baseline :math:`\\hat r_{ui} = \\mu + b_u + c_i` by regularised least squares.

    Taught in: Chapter 6, Applications (anomalies and recommendation).

    :math:`\\mu` is the mean rating; the biases minimise
    :math:`\\sum (r_{ui} - \\mu - b_u - c_i)^2 + \\lambda(\\sum b_u^2 + \\sum c_i^2)` by
    alternating exact updates (each user's bias given the items', then each item's given
    the users'). The penalty shrinks the bias of a user or item with few ratings towards 0;
    one never rated keeps a bias of 0.

    Parameters
    ----------
    users, items : array_like of int, shape (n,)
        Indices in ``[0, n_users)`` and ``[0, n_items)``.
    ratings : array_like of float, shape (n,)
    n_users, n_items : int
    reg : float, default 5.0
        The penalty :math:`\\lambda` (``>= 0``).
    n_iter : int, default 20
        Rounds of alternating updates.

    Returns
    -------
    mean : float
    user_bias : ndarray of shape (n_users,)
    item_bias : ndarray of shape (n_items,)
    """
    users, items, ratings = _check_triples(users, items, ratings, "fit_biases")
    n_users, n_items = _positive_int(n_users, "n_users"), _positive_int(n_items, "n_items")
    if users.min() < 0 or users.max() >= n_users or items.min() < 0 or items.max() >= n_items:
        raise ValueError(
            f"fit_biases: indices out of range: users must lie in [0, {n_users}) and items "
            f"in [0, {n_items})"
        )
    if not float(reg) >= 0:
        raise ValueError(f"fit_biases: reg must be non-negative; got {reg!r}")
    mean = float(ratings.mean())
    b_user, b_item = np.zeros(n_users), np.zeros(n_items)
    count_user = np.bincount(users, minlength=n_users) + reg
    count_item = np.bincount(items, minlength=n_items) + reg
    for _ in range(_positive_int(n_iter, "n_iter")):
        resid = ratings - mean - b_item[items]
        b_user = np.bincount(users, resid, minlength=n_users) / np.maximum(count_user, 1e-12)
        resid = ratings - mean - b_user[users]
        b_item = np.bincount(items, resid, minlength=n_items) / np.maximum(count_item, 1e-12)
    return mean, b_user, b_item


def rmse(y_true, y_pred) -> float:
    """The root-mean-square error :math:`\\sqrt{\\tfrac1n \\sum (y - \\hat y)^2}`.

    Taught in: Chapter 6, Applications (anomalies and recommendation).
    """
    y_true = np.asarray(y_true, dtype=np.float64)
    y_pred = np.asarray(y_pred, dtype=np.float64)
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"rmse: y_true and y_pred must have the same shape; got {y_true.shape} and "
            f"{y_pred.shape}"
        )
    if y_true.size == 0:
        raise ValueError("rmse: no values to compare")
    return float(np.sqrt(np.mean((y_true - y_pred) ** 2)))
