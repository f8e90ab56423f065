"""Weight initialisation: Xavier (Glorot) and He (Kaiming), uniform and normal.

A weight matrix here has shape ``(n_in, n_out)`` (``y = x @ W + b``), so ``fan_in = n_in``
and ``fan_out = n_out``. The formulas and gains are those of ``torch.nn.init`` (whose
``nn.Linear`` stores the transpose, ``(n_out, n_in)``, with the same fans):

======================  ==============================================================
``xavier_uniform``      ``U(-a, a)``, ``a = gain * sqrt(6 / (fan_in + fan_out))``
``xavier_normal``       ``N(0, std**2)``, ``std = gain * sqrt(2 / (fan_in + fan_out))``
``he_uniform``          ``U(-a, a)``, ``a = gain * sqrt(3 / fan)``, ``gain = sqrt(2 / (1 + s**2))``
``he_normal``           ``N(0, std**2)``, ``std = gain / sqrt(fan)``
======================  ==============================================================

where ``fan`` is ``fan_in`` (the default ``mode``, which keeps the variance of the forward
signal) or ``fan_out`` (which keeps the variance of the backward gradient) and ``s`` is the
negative slope of a leaky ReLU (0 for ReLU, so ``gain = sqrt(2)``).

Taught in: Chapter 4, Learning.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from ._validate import as_rng, check_positive

__all__ = ["he_normal", "he_uniform", "xavier_normal", "xavier_uniform", "zeros"]


def _fans(n_in, n_out) -> tuple[int, int]:
    for name, n in (("n_in", n_in), ("n_out", n_out)):
        if isinstance(n, bool) or not isinstance(n, numbers.Integral):
            raise TypeError(f"{name} must be a positive int; got {type(n).__name__} {n!r}")
        if n < 1:
            raise ValueError(f"{name} must be a positive int; got {n}")
    return int(n_in), int(n_out)


def _he_scale(n_in, n_out, mode, negative_slope) -> float:
    fan_in, fan_out = _fans(n_in, n_out)
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"mode must be 'fan_in' or 'fan_out'; got {mode!r}")
    check_positive(negative_slope, "negative_slope", allow_zero=True)
    gain = math.sqrt(2.0 / (1.0 + negative_slope**2))
    return gain / math.sqrt(fan_in if mode == "fan_in" else fan_out)


def xavier_uniform(n_in: int, n_out: int, rng=None, gain: float = 1.0) -> np.ndarray:
    """Glorot/Xavier uniform initialisation, as ``torch.nn.init.xavier_uniform_``.

    Draws from ``U(-a, a)`` with ``a = gain * sqrt(6 / (n_in + n_out))``, so the weights have
    variance ``gain**2 * 2 / (n_in + n_out)``: the compromise between keeping the variance of
    activations (forward) and of gradients (backward) constant, derived for tanh/sigmoid.

    Parameters
    ----------
    n_in, n_out : int
        Inputs and outputs of the layer; the result has shape ``(n_in, n_out)``.
    rng : None, int or numpy.random.Generator
        Source of randomness (an int seed makes the result reproducible).
    gain : float
        Scale factor (``torch.nn.init.calculate_gain``: 1 for linear/sigmoid, 5/3 for tanh).

    Returns
    -------
    numpy.ndarray
        float64 array of shape ``(n_in, n_out)``.

    Taught in: Chapter 4, Learning.
    """
    fan_in, fan_out = _fans(n_in, n_out)
    check_positive(gain, "gain")
    a = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return as_rng(rng).uniform(-a, a, size=(fan_in, fan_out))


def xavier_normal(n_in: int, n_out: int, rng=None, gain: float = 1.0) -> np.ndarray:
    """Glorot/Xavier normal initialisation, as ``torch.nn.init.xavier_normal_``.

    Draws from ``N(0, std**2)`` with ``std = gain * sqrt(2 / (n_in + n_out))``.
    Parameters and return value as in :func:`xavier_uniform`.

    Taught in: Chapter 4, Learning.
    """
    fan_in, fan_out = _fans(n_in, n_out)
    check_positive(gain, "gain")
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    return as_rng(rng).normal(0.0, std, size=(fan_in, fan_out))


def he_uniform(
    n_in: int, n_out: int, rng=None, mode: str = "fan_in", negative_slope: float = 0.0
) -> np.ndarray:
    """He/Kaiming uniform initialisation for ReLU networks, as ``kaiming_uniform_``.

    Draws from ``U(-a, a)`` with ``a = sqrt(2 / (1 + negative_slope**2)) * sqrt(3 / fan)``,
    i.e. variance ``2 / fan`` for ReLU: a ReLU zeroes half of its inputs, and the factor 2
    makes up for it so that activations keep their scale through many layers.

    Parameters
    ----------
    n_in, n_out : int
        Inputs and outputs of the layer; the result has shape ``(n_in, n_out)``.
    rng : None, int or numpy.random.Generator
        Source of randomness.
    mode : {"fan_in", "fan_out"}
        ``fan = n_in`` (default, torch's default too) or ``fan = n_out``.
    negative_slope : float
        The slope of a following leaky ReLU (0 for ReLU), as torch's ``a``.

    Returns
    -------
    numpy.ndarray
        float64 array of shape ``(n_in, n_out)``.

    Taught in: Chapter 4, Learning.
    """
    a = math.sqrt(3.0) * _he_scale(n_in, n_out, mode, negative_slope)
    return as_rng(rng).uniform(-a, a, size=(n_in, n_out))


def he_normal(
    n_in: int, n_out: int, rng=None, mode: str = "fan_in", negative_slope: float = 0.0
) -> np.ndarray:
    """He/Kaiming normal initialisation, as ``torch.nn.init.kaiming_normal_``.

    Draws from ``N(0, std**2)`` with ``std = sqrt(2 / (1 + negative_slope**2)) / sqrt(fan)``.
    Parameters and return value as in :func:`he_uniform`.

    Taught in: Chapter 4, Learning.
    """
    std = _he_scale(n_in, n_out, mode, negative_slope)
    return as_rng(rng).normal(0.0, std, size=(n_in, n_out))


def zeros(n_in: int, n_out: int | None = None, rng=None) -> np.ndarray:
    """All-zero weights (``rng`` is ignored; it is accepted so every initialiser has one call).

    With ``n_out=None`` the result is a vector of shape ``(n_in,)`` (a bias). Zero weights
    are right for biases and wrong for weights: every unit of a layer then computes the same
    thing and receives the same gradient, so the units never become different (the
    symmetry problem).

    Taught in: Chapter 4, Learning.
    """
    if n_out is None:
        return np.zeros(_fans(n_in, 1)[0])
    return np.zeros(_fans(n_in, n_out))
