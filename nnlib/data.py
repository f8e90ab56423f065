"""Small datasets, splits and preprocessing for every chapter.

Used throughout; introduced in Chapter 1, History (truth tables) and Chapter 2, Neurons and
networks (two moons, circles, spirals).

Every generator takes ``rng``, an integer seed or a :class:`numpy.random.Generator`, so the
same call gives the same data, and returns ``X`` as float64 and ``y`` as int64.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

import numpy as np

from nnlib._validate import (
    as_float_array,
    as_rng,
    check_finite,
    check_labels,
    check_not_empty,
    check_positive,
    check_same_length,
)

__all__ = [
    "LOGIC_GATES",
    "Split",
    "Standardizer",
    "batches",
    "blobs",
    "circles",
    "load_breast_cancer",
    "load_digits",
    "load_iris",
    "logic_gate",
    "moons",
    "one_hot",
    "sequence_windows",
    "sine_wave",
    "spirals",
    "train_val_test_split",
    "xor",
]

#: The four inputs of a two-input truth table, in the order (0,0), (0,1), (1,0), (1,1).
_TRUTH_INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)

#: Output column of each two-input gate, one entry per row of the truth table.
LOGIC_GATES: dict[str, tuple[int, int, int, int]] = {
    "and": (0, 0, 0, 1),
    "or": (0, 1, 1, 1),
    "nand": (1, 1, 1, 0),
    "nor": (1, 0, 0, 0),
    "xor": (0, 1, 1, 0),
    "xnor": (1, 0, 0, 1),
}


def logic_gate(name: str) -> tuple[np.ndarray, np.ndarray]:
    """Truth table of a two-input logic gate.

    Used throughout; introduced in Chapter 1, History.

    Parameters
    ----------
    name : str
        One of ``"and"``, ``"or"``, ``"nand"``, ``"nor"``, ``"xor"``, ``"xnor"``
        (case-insensitive).

    Returns
    -------
    X : ndarray of shape (4, 2), float64
        The inputs (0,0), (0,1), (1,0), (1,1).
    y : ndarray of shape (4,), int64
        The gate's output for each row.

    Examples
    --------
    >>> X, y = logic_gate("and")
    >>> y.tolist()
    [0, 0, 0, 1]
    """
    if not isinstance(name, str):
        raise TypeError(f"logic_gate: name must be a string, got {type(name).__name__}")
    key = name.strip().lower()
    if key not in LOGIC_GATES:
        valid = ", ".join(repr(k) for k in LOGIC_GATES)
        raise ValueError(f"logic_gate: unknown gate {name!r}; valid names are {valid}")
    return _TRUTH_INPUTS.copy(), np.array(LOGIC_GATES[key], dtype=np.int64)


def xor() -> tuple[np.ndarray, np.ndarray]:
    """The XOR truth table, the problem a single perceptron cannot solve.

    Used throughout; introduced in Chapter 1, History.

    Returns
    -------
    X : ndarray of shape (4, 2), float64
    y : ndarray of shape (4,), int64
        ``[0, 1, 1, 0]``.

    See Also
    --------
    logic_gate : the other two-input gates.
    """
    return logic_gate("xor")


# ---------------------------------------------------------------------------------------------
# Input checks shared by this module's public functions
# ---------------------------------------------------------------------------------------------


def _check_count(value, name: str, minimum: int = 1) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return int(value)


def _check_X_y(X, y, where: str) -> tuple[np.ndarray, np.ndarray]:
    X = np.asarray(X)
    y = np.asarray(y)
    if X.ndim == 0 or y.ndim == 0:
        raise ValueError(
            f"{where}: X and y must be arrays with one row per sample, "
            f"got shapes {X.shape} and {y.shape}"
        )
    check_same_length(X, y, f"{where}: X", "y")
    check_not_empty(y, f"{where}: y")
    return X, y


def _shuffled(X: np.ndarray, y: np.ndarray, gen: np.random.Generator):
    order = gen.permutation(len(y))
    return X[order], y[order]


def _two_classes(a: np.ndarray, b: np.ndarray, noise: float, gen: np.random.Generator):
    """Points ``a`` (class 0) and ``b`` (class 1), Gaussian noise added, rows shuffled."""
    X = np.vstack([a, b]) + noise * gen.standard_normal((len(a) + len(b), 2))
    y = np.concatenate([np.zeros(len(a), np.int64), np.ones(len(b), np.int64)])
    return _shuffled(X, y, gen)


# ---------------------------------------------------------------------------------------------
# Two-dimensional classification problems
# ---------------------------------------------------------------------------------------------


def moons(
    n: int = 200, noise: float = 0.1, rng: int | np.random.Generator | None = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles: the smallest problem a straight line cannot separate.

    Used throughout; introduced in Chapter 2, Neurons and networks.

    The upper moon is the half circle :math:`(\\cos t, \\sin t)` for :math:`t \\in [0, \\pi]`
    (class 0); the lower moon is the same half circle turned upside down and shifted to
    :math:`(1 - \\cos t, 0.5 - \\sin t)` (class 1), so each moon's tip sits inside the other's
    curve. Gaussian noise of standard deviation ``noise`` is added to both coordinates.

    Parameters
    ----------
    n : int, default 200
        Number of points; class 0 gets ``n // 2`` of them, class 1 the rest.
    noise : float, default 0.1
        Standard deviation of the Gaussian noise added to every coordinate.
    rng : int, numpy.random.Generator or None, default 0
        Seed or generator: the same seed gives the same data.

    Returns
    -------
    X : ndarray of shape (n, 2), float64
    y : ndarray of shape (n,), int64
        Rows come shuffled.
    """
    n = _check_count(n, "moons: n", minimum=2)
    noise = float(check_positive(noise, "moons: noise", allow_zero=True))
    gen = as_rng(rng)
    n_upper = n // 2
    n_lower = n - n_upper
    t_upper = np.linspace(0.0, np.pi, n_upper)
    t_lower = np.linspace(0.0, np.pi, n_lower)
    upper = np.column_stack([np.cos(t_upper), np.sin(t_upper)])
    lower = np.column_stack([1.0 - np.cos(t_lower), 0.5 - np.sin(t_lower)])
    return _two_classes(upper, lower, noise, gen)


def circles(
    n: int = 200,
    noise: float = 0.05,
    factor: float = 0.5,
    rng: int | np.random.Generator | None = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """A small circle inside a larger one: separable, but only by a curved boundary.

    Used throughout; introduced in Chapter 2, Neurons and networks.

    Parameters
    ----------
    n : int, default 200
        Number of points; the outer circle (class 0) gets ``n // 2``, the inner circle
        (class 1) the rest.
    noise : float, default 0.05
        Standard deviation of the Gaussian noise added to every coordinate.
    factor : float, default 0.5
        Radius of the inner circle relative to the outer one (radius 1), in ``(0, 1)``.
    rng : int, numpy.random.Generator or None, default 0
        Seed or generator: the same seed gives the same data.

    Returns
    -------
    X : ndarray of shape (n, 2), float64
    y : ndarray of shape (n,), int64
        Rows come shuffled.
    """
    n = _check_count(n, "circles: n", minimum=2)
    noise = float(check_positive(noise, "circles: noise", allow_zero=True))
    factor = float(check_positive(factor, "circles: factor", allow_zero=True))
    if not 0.0 < factor < 1.0:
        raise ValueError(f"circles: factor must be between 0 and 1 (exclusive), got {factor}")
    gen = as_rng(rng)
    n_outer = n // 2
    n_inner = n - n_outer
    # endpoint=False: the angle 2*pi is the angle 0, so it would give a duplicate point.
    t_outer = np.linspace(0.0, 2.0 * np.pi, n_outer, endpoint=False)
    t_inner = np.linspace(0.0, 2.0 * np.pi, n_inner, endpoint=False)
    outer = np.column_stack([np.cos(t_outer), np.sin(t_outer)])
    inner = factor * np.column_stack([np.cos(t_inner), np.sin(t_inner)])
    return _two_classes(outer, inner, noise, gen)


def spirals(
    n: int = 300,
    n_classes: int = 2,
    noise: float = 0.1,
    turns: float = 1.25,
    rng: int | np.random.Generator | None = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Interleaved spiral arms, one per class: hard for shallow networks.

    Used throughout; introduced in Chapter 2, Neurons and networks.

    Arm :math:`k` is the curve :math:`r(\\cos\\theta, \\sin\\theta)` with radius
    :math:`r = t` and angle :math:`\\theta = 2\\pi k / K + 2\\pi \\cdot \\text{turns} \\cdot t`
    for :math:`t` from 0.05 to 1, where :math:`K` is the number of classes. Gaussian noise of
    standard deviation ``noise`` is added to every coordinate.

    Parameters
    ----------
    n : int, default 300
        Total number of points, shared as evenly as possible between the arms.
    n_classes : int, default 2
        Number of arms (classes), at least 2.
    noise : float, default 0.1
        Standard deviation of the Gaussian noise added to every coordinate.
    turns : float, default 1.25
        How many full turns each arm makes.
    rng : int, numpy.random.Generator or None, default 0
        Seed or generator: the same seed gives the same data.

    Returns
    -------
    X : ndarray of shape (n, 2), float64
    y : ndarray of shape (n,), int64
        Labels ``0 .. n_classes - 1``; rows come shuffled.
    """
    n_classes = _check_count(n_classes, "spirals: n_classes", minimum=2)
    n = _check_count(n, "spirals: n", minimum=n_classes)
    noise = float(check_positive(noise, "spirals: noise", allow_zero=True))
    turns = float(check_positive(turns, "spirals: turns", allow_zero=True))
    gen = as_rng(rng)
    sizes = _even_sizes(n, n_classes)
    points, labels = [], []
    for k, size in enumerate(sizes):
        t = np.linspace(0.05, 1.0, size)
        theta = 2.0 * np.pi * k / n_classes + 2.0 * np.pi * turns * t
        points.append(t[:, None] * np.column_stack([np.cos(theta), np.sin(theta)]))
        labels.append(np.full(size, k, dtype=np.int64))
    X = np.vstack(points) + noise * gen.standard_normal((n, 2))
    return _shuffled(X, np.concatenate(labels), gen)


def blobs(
    n: int = 200,
    centers: int | np.ndarray = 3,
    std: float = 1.0,
    n_features: int = 2,
    box: tuple[float, float] = (-6.0, 6.0),
    rng: int | np.random.Generator | None = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian clouds around a few centres: the easy, (nearly) linearly separable case.

    Used throughout; introduced in Chapter 2, Neurons and networks.

    Parameters
    ----------
    n : int, default 200
        Total number of points, shared as evenly as possible between the blobs.
    centers : int or array_like of shape (k, d), default 3
        Either the number of blobs, whose centres are then drawn uniformly inside ``box``,
        or the centres themselves.
    std : float, default 1.0
        Standard deviation of each blob along every axis.
    n_features : int, default 2
        Dimension of the points when ``centers`` is a number (ignored otherwise).
    box : (float, float), default (-6, 6)
        Range of every coordinate of randomly drawn centres.
    rng : int, numpy.random.Generator or None, default 0
        Seed or generator: the same seed gives the same data.

    Returns
    -------
    X : ndarray of shape (n, d), float64
    y : ndarray of shape (n,), int64
        Label ``k`` for the points drawn around centre ``k``; rows come shuffled.
    """
    std = float(check_positive(std, "blobs: std", allow_zero=True))
    gen = as_rng(rng)
    if isinstance(centers, (int, np.integer)) and not isinstance(centers, bool):
        k = _check_count(centers, "blobs: centers", minimum=1)
        d = _check_count(n_features, "blobs: n_features", minimum=1)
        low, high = box
        if not low < high:
            raise ValueError(f"blobs: box must be (low, high) with low < high, got {box}")
        centres = gen.uniform(low, high, size=(k, d))
    else:
        centres = np.asarray(centers, dtype=np.float64)
        if centres.ndim != 2 or len(centres) == 0:
            raise ValueError(
                "blobs: centers must be a number of blobs or an array of shape "
                f"(n_centers, n_features), got shape {centres.shape}"
            )
        check_finite(centres, "blobs: centers")
        k = len(centres)
    n = _check_count(n, "blobs: n", minimum=k)
    sizes = _even_sizes(n, k)
    y = np.repeat(np.arange(k, dtype=np.int64), sizes)
    X = centres[y] + std * gen.standard_normal((n, centres.shape[1]))
    return _shuffled(X, y, gen)


def _even_sizes(n: int, k: int) -> list[int]:
    """Split n into k parts that differ by at most one (the first ones get the extra)."""
    return [n // k + (1 if i < n % k else 0) for i in range(k)]


# ---------------------------------------------------------------------------------------------
# Sequences
# ---------------------------------------------------------------------------------------------


def sine_wave(
    n_steps: int = 200,
    period: float = 50.0,
    amplitude: float = 1.0,
    phase: float = 0.0,
    noise: float = 0.0,
    rng: int | np.random.Generator | None = 0,
) -> np.ndarray:
    """A sampled sine wave, optionally noisy: the simplest series to forecast.

    Used throughout; introduced in Chapter 5, Architectures (recurrent networks).

    The value at step :math:`t = 0, 1, \\ldots` is
    :math:`a \\sin(2\\pi t / P + \\varphi) + \\varepsilon_t` with amplitude :math:`a`,
    period :math:`P`, phase :math:`\\varphi` and Gaussian noise :math:`\\varepsilon_t`.

    Parameters
    ----------
    n_steps : int, default 200
        Length of the series.
    period : float, default 50
        Number of steps in one full cycle.
    amplitude : float, default 1
    phase : float, default 0
        Phase shift in radians.
    noise : float, default 0
        Standard deviation of the Gaussian noise added to each step.
    rng : int, numpy.random.Generator or None, default 0
        Seed or generator, only used when ``noise > 0``.

    Returns
    -------
    ndarray of shape (n_steps,), float64

    See Also
    --------
    sequence_windows : cut a series into (window, next value) training pairs.
    """
    n_steps = _check_count(n_steps, "sine_wave: n_steps", minimum=1)
    noise = float(check_positive(noise, "sine_wave: noise", allow_zero=True))
    if not np.isfinite(period) or period <= 0:
        raise ValueError(f"sine_wave: period must be a positive number of steps, got {period}")
    t = np.arange(n_steps, dtype=np.float64)
    series = amplitude * np.sin(2.0 * np.pi * t / period + phase)
    if noise > 0:
        series = series + noise * as_rng(rng).standard_normal(n_steps)
    return series


def sequence_windows(series, window: int, horizon: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Cut a series into sliding windows and the value that follows each one.

    Used throughout; introduced in Chapter 5, Architectures (recurrent networks).

    Pair :math:`i` has input ``series[i : i + window]`` and target
    ``series[i + window + horizon - 1]``: with ``horizon=1`` the next step.

    Parameters
    ----------
    series : array_like of shape (n_steps,) or (n_steps, n_features)
        The series, oldest value first.
    window : int
        Number of past steps in each input.
    horizon : int, default 1
        How many steps ahead the target lies.

    Returns
    -------
    X : ndarray of shape (m, window) or (m, window, n_features), float64
        ``m = n_steps - window - horizon + 1`` windows, in time order (not shuffled: keep
        the split chronological for forecasting).
    y : ndarray of shape (m,) or (m, n_features), float64
        The targets (a regression target, hence float).
    """
    values = np.asarray(series, dtype=np.float64)
    if values.ndim not in (1, 2):
        raise ValueError(
            "sequence_windows: series must have shape (n_steps,) or (n_steps, n_features), "
            f"got shape {values.shape}"
        )
    check_finite(values, "sequence_windows: series")
    window = _check_count(window, "sequence_windows: window", minimum=1)
    horizon = _check_count(horizon, "sequence_windows: horizon", minimum=1)
    m = len(values) - window - horizon + 1
    if m < 1:
        raise ValueError(
            f"sequence_windows: a series of {len(values)} steps is too short for "
            f"window={window} and horizon={horizon}; it needs at least {window + horizon} steps"
        )
    starts = np.arange(m)
    X = values[starts[:, None] + np.arange(window)]
    y = values[starts + window + horizon - 1]
    return X, y


# ---------------------------------------------------------------------------------------------
# Offline datasets shipped inside scikit-learn (never downloaded)
# ---------------------------------------------------------------------------------------------


def _sklearn_datasets():
    try:
        from sklearn import datasets
    except ImportError as err:  # pragma: no cover - exercised only without scikit-learn
        raise ImportError(
            "this dataset ships with scikit-learn, which is not installed: "
            "run `pip install scikit-learn` (or `pip install nnlib[data]`)"
        ) from err
    return datasets


def load_digits(flatten: bool = True, scale: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """The 1,797 handwritten digits (8x8 grey images) shipped with scikit-learn.

    Used throughout; introduced in Chapter 4, Learning. Needs scikit-learn, reads only files
    installed with it (nothing is downloaded).

    Parameters
    ----------
    flatten : bool, default True
        Return each image as a row of 64 pixels; ``False`` keeps the 8x8 shape.
    scale : bool, default True
        Divide the pixel values (integers 0 to 16) by 16, so they lie in ``[0, 1]``.

    Returns
    -------
    X : ndarray of shape (1797, 64) or (1797, 8, 8), float64
    y : ndarray of shape (1797,), int64
        The digit, 0 to 9.
    """
    bunch = _sklearn_datasets().load_digits()
    X = bunch.images.astype(np.float64)
    if scale:
        X = X / 16.0
    if flatten:
        X = X.reshape(len(X), -1)
    return X, bunch.target.astype(np.int64)


def load_breast_cancer() -> tuple[np.ndarray, np.ndarray]:
    """The Wisconsin breast-cancer data shipped with scikit-learn (569 tumours, 30 features).

    Used in Chapter 6, Applications (healthcare). Needs scikit-learn; nothing is downloaded.

    Returns
    -------
    X : ndarray of shape (569, 30), float64
        Measurements of cell nuclei (radius, texture, ...; unscaled: use :class:`Standardizer`).
    y : ndarray of shape (569,), int64
        scikit-learn's coding: 0 = malignant (212 tumours), 1 = benign (357). To treat
        "malignant" as the positive class, use ``1 - y``.
    """
    bunch = _sklearn_datasets().load_breast_cancer()
    return bunch.data.astype(np.float64), bunch.target.astype(np.int64)


def load_iris() -> tuple[np.ndarray, np.ndarray]:
    """Fisher's iris flowers shipped with scikit-learn (150 flowers, 4 features, 3 species).

    Used throughout; introduced in Chapter 4, Learning. Needs scikit-learn; nothing is
    downloaded.

    Returns
    -------
    X : ndarray of shape (150, 4), float64
        Sepal length, sepal width, petal length, petal width, in centimetres.
    y : ndarray of shape (150,), int64
        0 = setosa, 1 = versicolor, 2 = virginica (50 of each).
    """
    bunch = _sklearn_datasets().load_iris()
    return bunch.data.astype(np.float64), bunch.target.astype(np.int64)


# ---------------------------------------------------------------------------------------------
# Splits, encoding, scaling, mini-batches
# ---------------------------------------------------------------------------------------------


class Split(NamedTuple):
    """The result of :func:`train_val_test_split`; unpacks as six arrays.

    Used throughout; introduced in Chapter 4, Learning.
    """

    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray


def train_val_test_split(
    X,
    y,
    val: float = 0.15,
    test: float = 0.15,
    rng: int | np.random.Generator | None = 0,
    stratify: bool = True,
    shuffle: bool = True,
    *,
    val_size: float | None = None,
    test_size: float | None = None,
) -> Split:
    """Split a dataset three ways: train to fit, validation to choose, test to report.

    Used throughout; introduced in Chapter 4, Learning.

    With ``stratify`` each class is split separately, so every part keeps the class
    proportions of the whole (up to rounding, done per class).

    Parameters
    ----------
    X : array_like, first axis = samples
    y : array_like of shape (n_samples,) or (n_samples, ...)
    val, test : float, default 0.15
        Fractions of the samples for validation and test; each in ``[0, 1)`` and together
        below 1. The training set gets the rest.
    rng : int, numpy.random.Generator or None, default 0
        Seed or generator for the shuffle: the same seed gives the same order.
    stratify : bool, default True
        Keep class proportions. Applies to integer class labels when ``shuffle`` is on;
        float targets (regression) are split without stratification.
    shuffle : bool, default True
        ``False`` keeps the original order: train first, then validation, then test
        (the right split for time series).
    val_size, test_size : float, optional
        scikit-learn-style names for ``val`` and ``test`` (as in its
        ``train_test_split(test_size=...)``); give one name or the other.

    Returns
    -------
    Split
        Named tuple ``(X_train, y_train, X_val, y_val, X_test, y_test)``; the three parts are
        disjoint and together hold every sample once.
    """
    X, y = _check_X_y(X, y, "train_val_test_split")
    for alias, name, given in (("val_size", "val", val_size), ("test_size", "test", test_size)):
        if given is None:
            continue
        if (val if name == "val" else test) != 0.15:
            raise TypeError(f"train_val_test_split: give {name} or {alias}, not both")
        if name == "val":
            val = given
        else:
            test = given
    for name, frac in (("val", val), ("test", test)):
        if isinstance(frac, bool) or not isinstance(frac, (int, float, np.floating)):
            raise TypeError(f"train_val_test_split: {name} must be a fraction, got {frac!r}")
        if not 0.0 <= frac < 1.0:
            raise ValueError(f"train_val_test_split: {name} must be in [0, 1), got {frac}")
    if val + test >= 1.0:
        raise ValueError(
            f"train_val_test_split: val + test must be below 1 to leave training data, "
            f"got {val} + {test} = {val + test}"
        )
    n = len(y)
    if not shuffle:
        n_test = int(round(n * test))
        n_val = int(round(n * val))
        idx = np.arange(n)
        parts = (idx[: n - n_val - n_test], idx[n - n_val - n_test : n - n_test], idx[n - n_test :])
    else:
        gen = as_rng(rng)
        if stratify and y.ndim == 1 and np.issubdtype(y.dtype, np.integer):
            groups = [np.flatnonzero(y == label) for label in np.unique(y)]
        else:
            groups = [np.arange(n)]
        train_idx, val_idx, test_idx = [], [], []
        for group in groups:
            group = gen.permutation(group)
            n_test = int(round(len(group) * test))
            n_val = int(round(len(group) * val))
            test_idx.append(group[:n_test])
            val_idx.append(group[n_test : n_test + n_val])
            train_idx.append(group[n_test + n_val :])
        # Shuffle within each part too, so the classes are interleaved rather than in blocks.
        parts = tuple(gen.permutation(np.concatenate(p)) for p in (train_idx, val_idx, test_idx))
    if len(parts[0]) == 0:
        raise ValueError(
            f"train_val_test_split: {n} samples leave no training data with "
            f"val={val} and test={test}"
        )
    train, valid, tst = parts
    return Split(X[train], y[train], X[valid], y[valid], X[tst], y[tst])


def one_hot(y, n_classes: int | None = None) -> np.ndarray:
    """Encode integer class labels as one-hot rows.

    Used throughout; introduced in Chapter 4, Learning.

    Label :math:`k` becomes the row with a 1 in column :math:`k` and 0 elsewhere;
    ``one_hot(y).argmax(axis=1)`` gives ``y`` back.

    Parameters
    ----------
    y : array_like of shape (n,)
        Integer labels in ``0 .. n_classes - 1`` (an integer dtype: convert float labels
        with ``y.astype(int)``).
    n_classes : int, optional
        Number of columns; defaults to ``max(y) + 1``.

    Returns
    -------
    ndarray of shape (n, n_classes), float64
    """
    labels = check_labels(y, name="one_hot: y")
    if labels.ndim != 1:
        raise ValueError(f"one_hot: y must be a 1-D array of labels, got shape {labels.shape}")
    if labels.size and labels.min() < 0:
        raise ValueError(f"one_hot: labels must be >= 0, got label {labels.min()}")
    if n_classes is None:
        n_classes = int(labels.max()) + 1 if labels.size else 0
    else:
        n_classes = _check_count(n_classes, "one_hot: n_classes", minimum=1)
        check_labels(labels, n_classes, name="one_hot: y")
    labels = labels.astype(np.int64)
    encoded = np.zeros((len(labels), n_classes), dtype=np.float64)
    encoded[np.arange(len(labels)), labels] = 1.0
    return encoded


class Standardizer:
    """Rescale every feature to mean 0 and standard deviation 1.

    Used throughout; introduced in Chapter 4, Learning (feature scaling).

    :meth:`fit` learns each column's mean :math:`\\mu` and standard deviation :math:`\\sigma`
    (population formula, as scikit-learn's ``StandardScaler``) on the *training* data;
    :meth:`transform` maps :math:`x \\mapsto (x - \\mu) / \\sigma`. A constant column has
    :math:`\\sigma = 0`; its scale is set to 1 so it becomes all zeros instead of NaN.

    Attributes
    ----------
    mean_ : ndarray
        Per-feature mean (shape ``X.shape[1:]``), set by :meth:`fit`.
    scale_ : ndarray
        Per-feature standard deviation, with zeros replaced by 1.

    Examples
    --------
    >>> s = Standardizer().fit([[1.0, 5.0], [3.0, 5.0]])
    >>> s.transform([[2.0, 5.0]]).tolist()
    [[0.0, 0.0]]
    """

    def __init__(self) -> None:
        self.mean_: np.ndarray | None = None
        self.scale_: np.ndarray | None = None

    def _as_input(self, X, where: str) -> np.ndarray:
        X = as_float_array(X, f"Standardizer.{where}: X", dtype=np.float64)
        if X.ndim == 0:
            raise ValueError(f"Standardizer.{where}: X must be an array of samples, got a scalar")
        check_finite(X, f"Standardizer.{where}: X")
        if self.mean_ is not None and where != "fit" and X.shape[1:] != self.mean_.shape:
            raise ValueError(
                f"Standardizer.{where}: fitted on samples of shape {self.mean_.shape}, "
                f"got samples of shape {X.shape[1:]}"
            )
        return X

    def fit(self, X) -> Standardizer:
        """Learn the mean and standard deviation of each feature (axis 0 = samples)."""
        X = self._as_input(X, "fit")
        if len(X) == 0:
            raise ValueError("Standardizer.fit: X is empty; need at least one sample")
        self.mean_ = X.mean(axis=0)
        std = X.std(axis=0)
        self.scale_ = np.where(std > 0, std, 1.0)
        return self

    def _check_fitted(self, where: str) -> None:
        if self.mean_ is None:
            raise RuntimeError(f"Standardizer.{where}: call fit(X_train) first")

    def transform(self, X) -> np.ndarray:
        """Return ``(X - mean_) / scale_``."""
        self._check_fitted("transform")
        return (self._as_input(X, "transform") - self.mean_) / self.scale_

    def fit_transform(self, X) -> np.ndarray:
        """:meth:`fit` on ``X``, then return ``transform(X)``."""
        return self.fit(X).transform(X)

    def inverse_transform(self, Z) -> np.ndarray:
        """Undo :meth:`transform`: return ``Z * scale_ + mean_``."""
        self._check_fitted("inverse_transform")
        return self._as_input(Z, "inverse_transform") * self.scale_ + self.mean_


def batches(
    X,
    y,
    batch_size: int = 32,
    shuffle: bool = True,
    rng: int | np.random.Generator | None = 0,
    drop_last: bool = False,
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield mini-batches ``(X_batch, y_batch)`` covering the data once (one epoch).

    Used throughout; introduced in Chapter 4, Learning (mini-batch gradient descent).

    Parameters
    ----------
    X : array_like, first axis = samples
    y : array_like with the same number of samples
    batch_size : int, default 32
        Samples per batch; the last batch is smaller when ``batch_size`` does not divide
        the number of samples (unless ``drop_last``).
    shuffle : bool, default True
        Visit the samples in a random order (a new order for each call when ``rng`` is a
        generator; the same order for the same integer seed).
    rng : int, numpy.random.Generator or None, default 0
        Seed or generator for the shuffle: the same seed gives the same order.
    drop_last : bool, default False
        Skip a final batch smaller than ``batch_size``.

    Yields
    ------
    X_batch, y_batch : ndarray
    """
    X, y = _check_X_y(X, y, "batches")
    batch_size = _check_count(batch_size, "batches: batch_size", minimum=1)
    n = len(y)
    order = as_rng(rng).permutation(n) if shuffle else np.arange(n)
    stop = n - n % batch_size if drop_last else n
    for start in range(0, stop, batch_size):
        idx = order[start : start + batch_size]
        yield X[idx], y[idx]
