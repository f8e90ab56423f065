"""Activation functions, their derivatives, and the data behind the comparison table.

Every function takes an array_like of real numbers and works elementwise (``softmax`` and
``log_softmax`` work along an axis). The rules they all follow:

- **Same numbers as PyTorch.** Each function agrees with its ``torch.nn.functional``
  counterpart in float64 (the tests check it to ``1e-10`` on random and extreme inputs).
- **Stable.** No overflow and no warning for inputs as large as ``|x| = 1e4`` (or larger):
  ``sigmoid(-1000)`` is ``0.0``, ``softmax([1000, 0])`` is ``[1, 0]``. Results that are
  smaller than the smallest float64 underflow silently to zero, as in PyTorch.
- **dtype.** float32 in, float32 out; float64 in, float64 out. Integers and booleans are
  converted to float64. Strings, objects and complex numbers raise ``TypeError``.
- **NaN propagates.** A NaN input gives a NaN output (in the function and in its
  derivative) instead of an error, so a diverging training run shows up in the loss.
  Infinite inputs follow float arithmetic, with PyTorch's results: ``relu(inf)`` is
  ``inf``, ``sigmoid(-inf)`` is ``0``, and ``silu(-inf)`` is ``-inf * 0 = nan`` (with
  numpy's "invalid value" warning).
- **Derivatives take the pre-activation.** ``relu_grad(x)`` is :math:`f'(x)`, evaluated at the
  same ``x`` that went into ``relu(x)``, not at its output. At a kink (``x = 0`` for ReLU) the
  value is the one PyTorch's autograd uses.

``ACTIVATIONS`` maps each name to an :class:`Activation` record (formula, range, strengths,
weaknesses, typical use); :func:`comparison_table` and :func:`comparison_table_html` render
the comparison table of Chapter 3 from it, so the book's table and the code cannot disagree.

Taught in: Chapter 3, Activation functions.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from nnlib._tables import CELL_STYLE, bullets, grid_table_html, select
from nnlib._validate import as_float_array, describe

__all__ = [
    "ACTIVATIONS",
    "Activation",
    "comparison_table",
    "comparison_table_html",
    "comparison_table_markdown",
    "elu",
    "elu_grad",
    "erf",
    "erfc",
    "gelu",
    "gelu_grad",
    "gelu_tanh",
    "gelu_tanh_grad",
    "leaky_relu",
    "leaky_relu_grad",
    "log_softmax",
    "log_softmax_vjp",
    "prelu",
    "prelu_grad",
    "prelu_grad_a",
    "relu",
    "relu_grad",
    "sigmoid",
    "sigmoid_grad",
    "silu",
    "silu_grad",
    "softmax",
    "softmax_jacobian",
    "softmax_vjp",
    "swish",
    "swish_grad",
    "tanh",
    "tanh_grad",
]


# ----------------------------------------------------------------------------------------
# Input handling
# ----------------------------------------------------------------------------------------


def _float(x, name: str = "x") -> np.ndarray:
    """``x`` as a float array: float32/float64 kept, int/bool -> float64, others rejected."""
    return as_float_array(x, name=name)


def _out(arr: np.ndarray):
    """Return a numpy scalar for 0-d results (like a ufunc does), the array otherwise."""
    return arr[()] if arr.ndim == 0 else arr


def _real(value, name: str) -> float:
    """A finite real number parameter such as ``alpha`` or ``negative_slope``."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a real number; got {describe(value)}")
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite; got {value}")
    return float(value)


def _keep_nan(out: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Put NaN back where ``x`` is NaN (piecewise formulas built on ``x > 0`` lose it)."""
    nan = np.isnan(x)
    if nan.any():
        out[nan] = np.nan
    return out


# A context for every computation: results below the smallest float are correctly zero,
# so underflow is never an error, even when the caller runs under np.errstate(all="raise").
def _quiet():
    return np.errstate(under="ignore")


# ----------------------------------------------------------------------------------------
# The error function (numpy has none; scipy is not a dependency)
# ----------------------------------------------------------------------------------------

_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_INV_SQRT_PI = 1.0 / math.sqrt(math.pi)
# Maclaurin coefficients of erf(x) * sqrt(pi) / (2 x) as a polynomial in x**2:
# sum_k (-1)**k x**(2k) / (k! (2k + 1)); 18 terms give full float64 precision for |x| < 1.
_ERF_TAYLOR = tuple((-1) ** k / (math.factorial(k) * (2 * k + 1)) for k in range(18))
# Beyond |x| = 26.5, erfc(x) < 1e-306 and the formulas below would underflow: it is 0.
_ERFC_ZERO_BEYOND = 26.5


def _erf_small(a: np.ndarray) -> np.ndarray:
    """erf(a) for |a| < 1: Horner's rule on the Maclaurin series (alternating, 18 terms)."""
    a2 = a * a
    p = np.full_like(a, _ERF_TAYLOR[-1])
    for c in _ERF_TAYLOR[-2::-1]:
        p *= a2
        p += c
    p *= a
    p *= _TWO_OVER_SQRT_PI
    return p


def _erf_mid(a: np.ndarray) -> np.ndarray:
    """erf(a) for 1 <= a < 2.5: the series exp(-a^2) sum (2a^2)^k a / (2k+1)!!.

    All its terms are positive, so nothing cancels; 42 terms reach full precision here.
    """
    a2 = a * a
    two_a2 = 2.0 * a2
    term = a.copy()
    total = a.copy()
    for k in range(1, 42):
        term *= two_a2
        term *= 1.0 / (2 * k + 1)
        total += term
    total *= np.exp(-a2)
    total *= _TWO_OVER_SQRT_PI
    return total


def _erfc_large(a: np.ndarray) -> np.ndarray:
    """erfc(a) for 2.5 <= a <= 26.5: Laplace's continued fraction, evaluated bottom-up.

    erfc(a) = exp(-a^2) / sqrt(pi) / (a + (1/2) / (a + 1 / (a + (3/2) / (a + ...)))).
    40 levels reach full precision for a >= 2.5.
    """
    t = a.copy()
    for k in range(40, 0, -1):
        t = a + (0.5 * k) / t
    return _INV_SQRT_PI * np.exp(-a * a) / t


def _erf_erfc(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(erf(|x|), erfc(|x|))`` in float64.

    erf has a relative error below 1e-15; erfc an absolute error below 1e-16 and a
    relative error below 1e-11 (it is ``1 - erf`` for ``|x| < 2.5``, where erfc > 4e-4).
    """
    a = np.abs(x.astype(np.float64, copy=False))
    erf_a = np.empty_like(a)
    erfc_a = np.empty_like(a)
    small = a < 1.0
    mid = (a >= 1.0) & (a < 2.5)
    large = (a >= 2.5) & (a <= _ERFC_ZERO_BEYOND)
    huge = a > _ERFC_ZERO_BEYOND  # also +inf; NaN falls in no group
    with _quiet():
        if small.any():
            erf_a[small] = _erf_small(a[small])
            erfc_a[small] = 1.0 - erf_a[small]
        if mid.any():
            erf_a[mid] = _erf_mid(a[mid])
            erfc_a[mid] = 1.0 - erf_a[mid]
        if large.any():
            erfc_a[large] = _erfc_large(a[large])
            erf_a[large] = 1.0 - erfc_a[large]
    erf_a[huge] = 1.0
    erfc_a[huge] = 0.0
    nan = np.isnan(a)
    erf_a[nan] = np.nan
    erfc_a[nan] = np.nan
    return erf_a, erfc_a


def erf(x):
    """The error function :math:`\\operatorname{erf}(x) = \\frac{2}{\\sqrt\\pi}\\int_0^x
    e^{-t^2}\\,dt`, elementwise, without scipy.

    Computed in float64 by a Maclaurin series (``|x| < 1``), a series of positive terms
    (``1 <= |x| < 2.5``) and Laplace's continued fraction for ``erfc`` beyond; the relative
    error is below ``1e-15`` everywhere (the tests compare with ``math.erf``).

    Parameters
    ----------
    x : array_like
        Real numbers.

    Returns
    -------
    numpy.ndarray or numpy scalar
        ``erf(x)``, with the dtype of ``x`` (float32 stays float32).

    Taught in: Chapter 3, Activation functions (it defines GELU).
    """
    x = _float(x)
    erf_a, _ = _erf_erfc(x)
    return _out(np.copysign(erf_a, x).astype(x.dtype, copy=False))


def erfc(x):
    """The complementary error function ``1 - erf(x)``, accurate also where it is tiny.

    ``erfc(10)`` is about ``2.1e-45``, which ``1 - erf(10)`` would round to zero. The
    relative error is below ``1e-11`` (below ``1e-14`` for ``x >= 2.5``); beyond
    ``x = 26.5``, where erfc is below ``1e-306``, the result is ``0``.

    Parameters
    ----------
    x : array_like
        Real numbers.

    Returns
    -------
    numpy.ndarray or numpy scalar
        ``erfc(x)``, with the dtype of ``x``.

    Taught in: Chapter 3, Activation functions (it defines GELU).
    """
    x = _float(x)
    _, erfc_a = _erf_erfc(x)
    out = np.where(x < 0, 2.0 - erfc_a, erfc_a)
    return _out(out.astype(x.dtype, copy=False))


# ----------------------------------------------------------------------------------------
# Sigmoid and tanh
# ----------------------------------------------------------------------------------------


def _sigmoid_pair(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(sigmoid(x), sigmoid(-x))``, both computed without overflow.

    With ``e = exp(-|x|)`` (always in (0, 1]): for ``x >= 0`` sigmoid is ``1 / (1 + e)`` and
    its mirror ``e / (1 + e)``; for ``x < 0`` the two swap.
    """
    with _quiet():
        e = np.exp(-np.abs(x))
        big = 1.0 / (1.0 + e)
        small = e * big
    pos = x >= 0
    return np.where(pos, big, small), np.where(pos, small, big)


def sigmoid(x):
    """The logistic sigmoid :math:`\\sigma(x) = 1 / (1 + e^{-x})`.

    Computed from ``exp(-|x|)``, which never overflows: ``sigmoid(-1000)`` is ``0.0`` and
    ``sigmoid(1000)`` is ``1.0``, without a warning. In float64 ``sigmoid(x)`` rounds to
    exactly ``1.0`` from about ``x = 37``, so the output lies in ``[0, 1]``.

    Parameters
    ----------
    x : array_like
        Pre-activations.

    Returns
    -------
    numpy.ndarray or numpy scalar
        Values in ``[0, 1]`` (in ``(0, 1)`` mathematically), same shape and float dtype.

    Examples
    --------
    >>> float(sigmoid(0.0))
    0.5

    Taught in: Chapter 3, Activation functions.
    """
    x = _float(x)
    return _out(_sigmoid_pair(x)[0])


def sigmoid_grad(x):
    """Derivative of :func:`sigmoid`: :math:`\\sigma'(x) = \\sigma(x)\\,\\sigma(-x)`.

    That is :math:`\\sigma(x)(1 - \\sigma(x))`, written with :math:`\\sigma(-x)` so that the
    tiny values for large ``|x|`` are not lost to rounding. Its maximum is ``0.25`` at 0:
    the root of the vanishing-gradient problem.

    Parameters
    ----------
    x : array_like
        Pre-activations (the input of ``sigmoid``, not its output).

    Returns
    -------
    numpy.ndarray or numpy scalar

    Taught in: Chapter 3, Activation functions.
    """
    x = _float(x)
    s, s_neg = _sigmoid_pair(x)
    with _quiet():
        # The true maximum is 0.25 (at 0); rounding could exceed it by one ulp near 0.
        return _out(np.minimum(s * s_neg, 0.25))


def tanh(x):
    """The hyperbolic tangent :math:`\\tanh(x) = (e^x - e^{-x}) / (e^x + e^{-x})`.

    Zero-centred, with range ``[-1, 1]``; equal to :math:`2\\sigma(2x) - 1`.

    Parameters
    ----------
    x : array_like
        Pre-activations.

    Returns
    -------
    numpy.ndarray or numpy scalar

    Taught in: Chapter 3, Activation functions.
    """
    x = _float(x)
    return _out(np.tanh(x))


def tanh_grad(x):
    """Derivative of :func:`tanh`: :math:`1 - \\tanh^2(x) = 4e / (1 + e)^2` with
    :math:`e = e^{-2|x|}`.

    The second form keeps full relative precision where the derivative is tiny. The
    maximum is ``1`` at 0.

    Parameters
    ----------
    x : array_like
        Pre-activations.

    Returns
    -------
    numpy.ndarray or numpy scalar

    Taught in: Chapter 3, Activation functions.
    """
    x = _float(x)
    with _quiet():
        e = np.exp(-2.0 * np.abs(x))
        return _out(np.minimum(4.0 * e / ((1.0 + e) * (1.0 + e)), 1.0))  # at most 1, exactly


# ----------------------------------------------------------------------------------------
# The ReLU family
# ----------------------------------------------------------------------------------------


def relu(x):
    """The rectified linear unit :math:`\\max(0, x)`.

    Parameters
    ----------
    x : array_like
        Pre-activations.

    Returns
    -------
    numpy.ndarray or numpy scalar
        ``x`` where positive, ``0`` elsewhere (NaN stays NaN).

    Taught in: Chapter 3, Activation functions.
    """
    x = _float(x)
    return _out(np.maximum(x, 0))


def relu_grad(x):
    """Derivative of :func:`relu`: ``1`` for ``x > 0``, ``0`` for ``x <= 0``.

    At the kink ``x = 0`` the derivative is taken to be ``0``, as in PyTorch.

    Parameters
    ----------
    x : array_like
        Pre-activations.

    Returns
    -------
    numpy.ndarray or numpy scalar

    Taught in: Chapter 3, Activation functions.
    """
    x = _float(x)
    return _out(_keep_nan((x > 0).astype(x.dtype), x))


def leaky_relu(x, negative_slope=0.01):
    """Leaky ReLU: ``x`` for ``x > 0``, ``negative_slope * x`` otherwise.

    Parameters
    ----------
    x : array_like
        Pre-activations.
    negative_slope : float, default 0.01
        The slope for negative inputs (PyTorch's default).

    Returns
    -------
    numpy.ndarray or numpy scalar

    Taught in: Chapter 3, Activation functions.
    """
    x = _float(x)
    slope = _real(negative_slope, "negative_slope")
    with _quiet():
        return _out(np.where(x > 0, x, x * slope))


def leaky_relu_grad(x, negative_slope=0.01):
    """Derivative of :func:`leaky_relu`: ``1`` for ``x > 0``, ``negative_slope`` otherwise.

    Parameters
    ----------
    x : array_like
        Pre-activations.
    negative_slope : float, default 0.01

    Returns
    -------
    numpy.ndarray or numpy scalar

    Taught in: Chapter 3, Activation functions.
    """
    x = _float(x)
    slope = _real(negative_slope, "negative_slope")
    out = np.where(x > 0, 1.0, slope).astype(x.dtype, copy=False)
    return _out(_keep_nan(out, x))


def _prelu_slope(x: np.ndarray, a) -> np.ndarray:
    slope = as_float_array(a, name="a")
    try:
        np.broadcast_shapes(slope.shape, x.shape)
    except ValueError:
        raise ValueError(
            f"prelu's slope a (shape {slope.shape}) must broadcast against x (shape "
            f"{x.shape}): a scalar, or one slope per feature on the last axis"
        ) from None
    if not np.isfinite(slope).all():
        raise ValueError("prelu's slope a must be finite; got NaN or infinity")
    return slope.astype(x.dtype, copy=False)


def prelu(x, a=0.25):
    """Parametric ReLU: ``x`` for ``x > 0``, ``a * x`` otherwise, with ``a`` learned.

    Parameters
    ----------
    x : array_like
        Pre-activations.
    a : float or array_like, default 0.25
        The negative slope: a scalar or an array that broadcasts against ``x`` (for a batch
        of shape ``(n, features)``, one slope per feature has shape ``(features,)``).
        0.25 is PyTorch's initial value.

    Returns
    -------
    numpy.ndarray or numpy scalar

    Taught in: Chapter 3, Activation functions.
    """
    x = _float(x)
    slope = _prelu_slope(x, a)
    with _quiet():
        return _out(np.where(x > 0, x, slope * x))


def prelu_grad(x, a=0.25):
    """Derivative of :func:`prelu` with respect to ``x``: ``1`` for ``x > 0``, ``a`` otherwise.

    Parameters
    ----------
    x : array_like
        Pre-activations.
    a : float or array_like, default 0.25
        The negative slope, as in :func:`prelu`.

    Returns
    -------
    numpy.ndarray or numpy scalar
        The shape of ``x`` broadcast against ``a``.

    Taught in: Chapter 3, Activation functions.
    """
    x = _float(x)
    slope = _prelu_slope(x, a)
    out = np.where(x > 0, np.ones((), x.dtype), slope).astype(x.dtype, copy=False)
    return _out(_keep_nan(out, np.broadcast_to(x, out.shape)))


def prelu_grad_a(x, a=0.25):
    """Derivative of :func:`prelu` with respect to its slope ``a``, elementwise.

    It is ``0`` for ``x > 0`` and ``x`` otherwise. To get the gradient of a loss with
    respect to a per-feature slope, multiply by the upstream gradient and sum over the
    axes along which ``a`` was broadcast.

    Parameters
    ----------
    x : array_like
        Pre-activations.
    a : float or array_like, default 0.25
        The negative slope (only its shape matters here).

    Returns
    -------
    numpy.ndarray or numpy scalar
        The shape of ``x`` broadcast against ``a``.

    Taught in: Chapter 3, Activation functions.
    """
    x = _float(x)
    slope = _prelu_slope(x, a)
    shape = np.broadcast_shapes(x.shape, slope.shape)
    return _out(np.broadcast_to(np.where(x > 0, np.zeros((), x.dtype), x), shape).copy())


def elu(x, alpha=1.0):
    """Exponential linear unit: ``x`` for ``x > 0``, ``alpha * (exp(x) - 1)`` otherwise.

    Smooth for ``alpha = 1``, saturating at ``-alpha`` for very negative inputs.

    Parameters
    ----------
    x : array_like
        Pre-activations.
    alpha : float, default 1.0

    Returns
    -------
    numpy.ndarray or numpy scalar
        Values in ``(-alpha, inf)``.

    Taught in: Chapter 3, Activation functions.
    """
    x = _float(x)
    alpha = _real(alpha, "alpha")
    with _quiet():
        neg = alpha * np.expm1(np.minimum(x, 0))  # the min keeps expm1 from overflowing
        return _out(np.where(x > 0, x, neg))


def elu_grad(x, alpha=1.0):
    """Derivative of :func:`elu`: ``1`` for ``x > 0``, ``alpha * exp(x)`` otherwise.

    Parameters
    ----------
    x : array_like
        Pre-activations.
    alpha : float, default 1.0

    Returns
    -------
    numpy.ndarray or numpy scalar

    Taught in: Chapter 3, Activation functions.
    """
    x = _float(x)
    alpha = _real(alpha, "alpha")
    with _quiet():
        neg = alpha * np.exp(np.minimum(x, 0))
        return _out(np.where(x > 0, np.ones((), x.dtype), neg))


# ----------------------------------------------------------------------------------------
# Smooth ReLU-like functions: SiLU (swish) and GELU
# ----------------------------------------------------------------------------------------


def silu(x):
    """SiLU, also called swish: :math:`x\\,\\sigma(x)`.

    Parameters
    ----------
    x : array_like
        Pre-activations.

    Returns
    -------
    numpy.ndarray or numpy scalar
        Values in about ``[-0.278, inf)`` (the minimum is at ``x = -1.278``).

    Taught in: Chapter 3, Activation functions.
    """
    x = _float(x)
    with _quiet():
        return _out(x * _sigmoid_pair(x)[0])


def silu_grad(x):
    """Derivative of :func:`silu`: :math:`\\sigma(x)\\,(1 + x\\,\\sigma(-x))`.

    Parameters
    ----------
    x : array_like
        Pre-activations.

    Returns
    -------
    numpy.ndarray or numpy scalar

    Taught in: Chapter 3, Activation functions.
    """
    x = _float(x)
    s, s_neg = _sigmoid_pair(x)
    with _quiet():
        return _out(s * (1.0 + x * s_neg))


swish = silu
swish_grad = silu_grad

_INV_SQRT2 = 1.0 / math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


def _normal_cdf(x: np.ndarray) -> np.ndarray:
    """:math:`\\Phi(x) = \\operatorname{erfc}(-x/\\sqrt2)/2`, precise also in the far left tail."""
    _, erfc_a = _erf_erfc(x * _INV_SQRT2)
    return 0.5 * np.where(x > 0, 2.0 - erfc_a, erfc_a)


def gelu(x):
    """GELU, the exact form: :math:`x\\,\\Phi(x)` with :math:`\\Phi` the standard normal CDF.

    :math:`\\Phi(x) = \\tfrac12\\,(1 + \\operatorname{erf}(x/\\sqrt2))`, computed with this
    module's :func:`erf` (no scipy). Matches ``torch.nn.functional.gelu(x)`` (whose default
    is this exact form). For the cheaper tanh approximation see :func:`gelu_tanh`.

    Parameters
    ----------
    x : array_like
        Pre-activations.

    Returns
    -------
    numpy.ndarray or numpy scalar
        Values in about ``[-0.170, inf)`` (the minimum is at ``x = -0.752``).

    Taught in: Chapter 3, Activation functions.
    """
    x = _float(x)
    with _quiet():
        return _out((x * _normal_cdf(x)).astype(x.dtype, copy=False))


def gelu_grad(x):
    """Derivative of :func:`gelu`: :math:`\\Phi(x) + x\\,\\varphi(x)`, with
    :math:`\\varphi(x) = e^{-x^2/2}/\\sqrt{2\\pi}` the standard normal density.

    Parameters
    ----------
    x : array_like
        Pre-activations.

    Returns
    -------
    numpy.ndarray or numpy scalar

    Taught in: Chapter 3, Activation functions.
    """
    x = _float(x)
    x64 = x.astype(np.float64, copy=False)
    with _quiet():
        xc = np.clip(x64, -40.0, 40.0)  # beyond |x| = 40 the density term is exactly 0
        density = np.where(np.abs(x64) < 40.0, xc * _INV_SQRT_2PI * np.exp(-0.5 * xc * xc), 0.0)
        return _out((_normal_cdf(x64) + density).astype(x.dtype, copy=False))


_GELU_C = math.sqrt(2.0 / math.pi)
_GELU_K = 0.044715


def gelu_tanh(x):
    """GELU, tanh approximation: :math:`\\tfrac12 x\\,(1 + \\tanh(\\sqrt{2/\\pi}\\,(x +
    0.044715\\,x^3)))`.

    The approximation used by the original BERT and GPT-2 code; it differs from the exact
    :func:`gelu` by less than ``5e-4``. Matches
    ``torch.nn.functional.gelu(x, approximate="tanh")``.

    Parameters
    ----------
    x : array_like
        Pre-activations.

    Returns
    -------
    numpy.ndarray or numpy scalar

    Taught in: Chapter 3, Activation functions.
    """
    x = _float(x)
    with _quiet():
        # The tanh saturates long before |x| = 100; clipping there keeps x**3 from overflowing.
        xc = np.clip(x, -100.0, 100.0)
        t = np.tanh(_GELU_C * (xc + _GELU_K * xc * xc * xc))
        return _out(0.5 * x * (1.0 + t))


def gelu_tanh_grad(x):
    """Derivative of :func:`gelu_tanh`.

    With :math:`u = \\sqrt{2/\\pi}\\,(x + 0.044715\\,x^3)` and :math:`t = \\tanh u`:
    :math:`\\tfrac12 (1 + t) + \\tfrac12 x\\,(1 - t^2)\\,\\sqrt{2/\\pi}\\,(1 + 3 \\cdot
    0.044715\\,x^2)`.

    Parameters
    ----------
    x : array_like
        Pre-activations.

    Returns
    -------
    numpy.ndarray or numpy scalar

    Taught in: Chapter 3, Activation functions.
    """
    x = _float(x)
    with _quiet():
        xc = np.clip(x, -100.0, 100.0)  # 1 - t**2 is exactly 0 beyond, so this is exact
        u = _GELU_C * (xc + _GELU_K * xc * xc * xc)
        t = np.tanh(u)
        e = np.exp(-2.0 * np.abs(u))
        sech2 = 4.0 * e / ((1.0 + e) * (1.0 + e))  # 1 - t**2 without cancellation
        return _out(0.5 * (1.0 + t) + 0.5 * xc * sech2 * _GELU_C * (1.0 + 3.0 * _GELU_K * xc * xc))


# ----------------------------------------------------------------------------------------
# Softmax and log-softmax
# ----------------------------------------------------------------------------------------


def _axis(x: np.ndarray, axis, fname: str) -> int:
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise TypeError(f"{fname}: axis must be an int; got {describe(axis)}")
    if x.ndim == 0:
        raise ValueError(
            f"{fname} needs an array with at least one axis (a vector of scores); got a scalar"
        )
    if not -x.ndim <= axis < x.ndim:
        raise ValueError(
            f"{fname}: axis {axis} is out of range for an array of shape {x.shape} ({x.ndim}-D)"
        )
    return int(axis)


def softmax(x, axis=-1):
    """Softmax along ``axis``: :math:`\\mathrm{softmax}(x)_i = e^{x_i} / \\sum_j e^{x_j}`.

    Stable: the largest score is subtracted first (the result does not change, since
    softmax ignores a common shift), so no exponential overflows; ``softmax([1000, 0])`` is
    ``[1, 0]``. A row containing NaN (or ``+inf``) gives NaN, as in PyTorch.

    Parameters
    ----------
    x : array_like
        Scores (logits), at least 1-D.
    axis : int, default -1
        The axis that sums to one (the classes).

    Returns
    -------
    numpy.ndarray
        Probabilities: non-negative, summing to 1 along ``axis``.

    Notes
    -----
    The derivative is a Jacobian matrix, not an elementwise function; see
    :func:`softmax_jacobian` and :func:`softmax_vjp`.

    Taught in: Chapter 3, Activation functions.
    """
    x = _float(x)
    axis = _axis(x, axis, "softmax")
    with _quiet():
        z = x - np.max(x, axis=axis, keepdims=True)
        e = np.exp(z)
        return e / np.sum(e, axis=axis, keepdims=True)


def log_softmax(x, axis=-1):
    """Log of :func:`softmax`, computed directly: :math:`x_i - \\max x - \\log\\sum_j
    e^{x_j - \\max x}`.

    Precise where ``log(softmax(x))`` would give ``-inf``: ``log_softmax([1000, 0])`` is
    ``[0, -1000]``.

    Parameters
    ----------
    x : array_like
        Scores (logits), at least 1-D.
    axis : int, default -1

    Returns
    -------
    numpy.ndarray
        Log-probabilities (all ``<= 0``).

    Taught in: Chapter 3, Activation functions.
    """
    x = _float(x)
    axis = _axis(x, axis, "log_softmax")
    with _quiet():
        z = x - np.max(x, axis=axis, keepdims=True)
        return z - np.log(np.sum(np.exp(z), axis=axis, keepdims=True))


def softmax_jacobian(x):
    """The Jacobian of :func:`softmax` of a vector: :math:`J_{ij} = s_i(\\delta_{ij} - s_j)`.

    Parameters
    ----------
    x : array_like
        A 1-D vector of scores, length ``k``.

    Returns
    -------
    numpy.ndarray
        Shape ``(k, k)``: ``J[i, j]`` is the derivative of ``softmax(x)[i]`` by ``x[j]``.

    Taught in: Chapter 3, Activation functions.
    """
    x = as_float_array(x, name="x", ndim=1)
    s = softmax(x)
    return np.diag(s) - np.outer(s, s)


def _vjp_args(x, grad_out, axis, fname):
    x = _float(x)
    g = _float(grad_out, name="grad_out")
    if g.shape != x.shape:
        raise ValueError(f"{fname}: grad_out must have the shape of x {x.shape}; got {g.shape}")
    return x, g, _axis(x, axis, fname)


def softmax_vjp(x, grad_out, axis=-1):
    """Backpropagate through :func:`softmax` without forming the Jacobian.

    Given the scores ``x`` and the gradient ``grad_out`` of a loss with respect to
    ``s = softmax(x)``, return the gradient with respect to ``x``:
    :math:`s \\odot (g - \\langle g, s\\rangle)` along ``axis``.

    Parameters
    ----------
    x : array_like
        Scores, as given to :func:`softmax`.
    grad_out : array_like
        dLoss/ds, same shape as ``x``.
    axis : int, default -1

    Returns
    -------
    numpy.ndarray
        dLoss/dx, same shape as ``x``.

    Taught in: Chapter 3, Activation functions.
    """
    x, g, axis = _vjp_args(x, grad_out, axis, "softmax_vjp")
    s = softmax(x, axis=axis)
    with _quiet():
        return s * (g - np.sum(g * s, axis=axis, keepdims=True))


def log_softmax_vjp(x, grad_out, axis=-1):
    """Backpropagate through :func:`log_softmax`: :math:`g - \\mathrm{softmax}(x)
    \\sum g` along ``axis``.

    Parameters
    ----------
    x : array_like
        Scores, as given to :func:`log_softmax`.
    grad_out : array_like
        dLoss/d(log_softmax(x)), same shape as ``x``.
    axis : int, default -1

    Returns
    -------
    numpy.ndarray
        dLoss/dx, same shape as ``x``.

    Taught in: Chapter 3, Activation functions.
    """
    x, g, axis = _vjp_args(x, grad_out, axis, "log_softmax_vjp")
    s = softmax(x, axis=axis)
    with _quiet():
        return g - s * np.sum(g, axis=axis, keepdims=True)


# ----------------------------------------------------------------------------------------
# The data behind the comparison table
# ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Activation:
    """One row of the comparison table of Chapter 3, with the functions themselves.

    Attributes
    ----------
    name : str
        The key in :data:`ACTIVATIONS` and the function's name in this module (``"relu"``).
    label : str
        How the book prints it (``"ReLU"``).
    fn : callable
        The function, callable as ``fn(x)`` (parameters at their defaults).
    grad : callable or None
        Its derivative ``grad(x)`` at the pre-activation; ``None`` for softmax, whose
        derivative is a Jacobian (see ``notes``).
    formula : str
        LaTeX, without dollar signs.
    derivative : str
        LaTeX of the derivative, without dollar signs.
    output_range : str
        The set of values it can output, as text (``"[0, ∞)"``).
    strengths, weaknesses : tuple of str
        Short phrases.
    typical_use : str
        Where it is used today.
    notes : str
        Anything a reader of the table should know (parameters, conventions).

    Taught in: Chapter 3, Activation functions.
    """

    name: str
    label: str
    fn: Callable
    grad: Callable | None
    formula: str
    derivative: str
    output_range: str
    strengths: tuple[str, ...]
    weaknesses: tuple[str, ...]
    typical_use: str
    notes: str = ""

    def __repr__(self) -> str:
        return f"Activation({self.name!r}, range {self.output_range})"


ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        Activation(
            name="sigmoid",
            label="Sigmoid",
            fn=sigmoid,
            grad=sigmoid_grad,
            formula=r"\sigma(x) = \frac{1}{1 + e^{-x}}",
            derivative=r"\sigma(x)\,(1 - \sigma(x))",
            output_range="(0, 1)",
            strengths=("output reads as a probability", "smooth, with a simple derivative"),
            weaknesses=(
                "saturates: the derivative is at most 0.25 and vanishes for large |x|",
                "not zero-centred",
            ),
            typical_use="output unit for binary classification; gates in LSTMs and GRUs",
        ),
        Activation(
            name="tanh",
            label="Tanh",
            fn=tanh,
            grad=tanh_grad,
            formula=r"\tanh(x) = \frac{e^{x} - e^{-x}}{e^{x} + e^{-x}}",
            derivative=r"1 - \tanh^2(x)",
            output_range="(-1, 1)",
            strengths=("zero-centred", "stronger gradient than sigmoid (up to 1)"),
            weaknesses=("saturates for large |x|: gradients vanish in deep stacks",),
            typical_use="hidden state of recurrent networks; small shallow networks",
        ),
        Activation(
            name="relu",
            label="ReLU",
            fn=relu,
            grad=relu_grad,
            formula=r"\max(0, x)",
            derivative=r"1 \text{ if } x > 0 \text{ else } 0",
            output_range="[0, ∞)",
            strengths=(
                "no saturation for x > 0: gradients pass unchanged",
                "very cheap; sparse activations",
            ),
            weaknesses=(
                "units can die: a unit that is negative on every input never learns again",
                "not zero-centred; kink at 0",
            ),
            typical_use="default for hidden layers of feed-forward and convolutional networks",
        ),
        Activation(
            name="leaky_relu",
            label="Leaky ReLU",
            fn=leaky_relu,
            grad=leaky_relu_grad,
            formula=r"\max(0, x) + \alpha \min(0, x)",
            derivative=r"1 \text{ if } x > 0 \text{ else } \alpha",
            output_range="(-∞, ∞)",
            strengths=("keeps a small gradient for x < 0, so units cannot die", "cheap"),
            weaknesses=("the slope α is one more hyperparameter",),
            typical_use="hidden layers where ReLU units die; GAN discriminators",
            notes="α = negative_slope, 0.01 by default (as in PyTorch)",
        ),
        Activation(
            name="prelu",
            label="PReLU",
            fn=prelu,
            grad=prelu_grad,
            formula=r"\max(0, x) + a \min(0, x)",
            derivative=r"1 \text{ if } x > 0 \text{ else } a",
            output_range="(-∞, ∞)",
            strengths=("the negative slope a is learned from data",),
            weaknesses=("extra parameters that can overfit on small data",),
            typical_use="deep image classifiers (it was introduced for ImageNet models)",
            notes="a is learned (one per channel or one in all); 0.25 initially, as in PyTorch",
        ),
        Activation(
            name="elu",
            label="ELU",
            fn=elu,
            grad=elu_grad,
            formula=r"x \text{ if } x > 0 \text{ else } \alpha\,(e^{x} - 1)",
            derivative=r"1 \text{ if } x > 0 \text{ else } \alpha e^{x}",
            output_range="(-α, ∞)",
            strengths=(
                "continuously differentiable (C¹) for α = 1; negative outputs push mean "
                "activations towards zero",
                "no dead units",
            ),
            weaknesses=("an exponential per negative input: slower than ReLU",),
            typical_use="hidden layers of deep feed-forward networks",
            notes="α = alpha, 1 by default",
        ),
        Activation(
            name="softmax",
            label="Softmax",
            fn=softmax,
            grad=None,
            formula=r"\mathrm{softmax}(x)_i = \frac{e^{x_i}}{\sum_j e^{x_j}}",
            derivative=r"\frac{\partial s_i}{\partial x_j} = s_i\,(\delta_{ij} - s_j)",
            output_range="(0, 1), summing to 1",
            strengths=(
                "turns scores into a probability distribution over classes",
                "pairs with cross-entropy into a simple gradient (p - y)",
            ),
            weaknesses=(
                "overflows unless the largest score is subtracted first",
                "acts on a whole vector, not on each unit",
            ),
            typical_use="output layer for multi-class classification; attention weights",
            notes=(
                "not elementwise: its derivative is a Jacobian matrix, so grad is None; "
                "use softmax_jacobian or softmax_vjp"
            ),
        ),
        Activation(
            name="silu",
            label="SiLU (swish)",
            fn=silu,
            grad=silu_grad,
            formula=r"x\,\sigma(x)",
            derivative=r"\sigma(x)\,\bigl(1 + x\,(1 - \sigma(x))\bigr)",
            output_range="[-0.278, ∞)",
            strengths=("smooth and non-monotonic; often trains better than ReLU in deep nets",),
            weaknesses=("a sigmoid per unit: costlier than ReLU",),
            typical_use="hidden layers of modern convolutional networks (EfficientNet, YOLO)",
            notes="swish with β = 1 is SiLU",
        ),
        Activation(
            name="gelu",
            label="GELU",
            fn=gelu,
            grad=gelu_grad,
            formula=r"x\,\Phi(x) = \tfrac{x}{2}\bigl(1 + \operatorname{erf}(x/\sqrt{2})\bigr)",
            derivative=r"\Phi(x) + x\,\varphi(x)",
            output_range="[-0.170, ∞)",
            strengths=("smooth; weighs each input by how likely it is to be positive",),
            weaknesses=("needs erf (or the tanh approximation): costlier than ReLU",),
            typical_use="Transformers (BERT, GPT) and vision transformers",
            notes="Φ and φ: standard normal CDF and density; gelu_tanh is the approximation",
        ),
    )
}
"""Every activation of Chapter 3's gallery by name, in the order the chapter presents them.

Taught in: Chapter 3, Activation functions.
"""

_COLUMNS = (
    ("name", "Activation"),
    ("formula", "Formula"),
    ("range", "Range"),
    ("strengths", "Strengths"),
    ("weaknesses", "Weaknesses"),
    ("typical_use", "Typical use"),
)


def _records(names) -> list[Activation]:
    return select(ACTIVATIONS, names, "activation")


def comparison_table(names=None) -> list[dict]:
    """The comparison table of Chapter 3 as a list of dicts, one per activation.

    Parameters
    ----------
    names : iterable of str, optional
        Keys of :data:`ACTIVATIONS` to include, in order; all of them by default.

    Returns
    -------
    list of dict
        Keys ``"name"`` (display label), ``"formula"`` (LaTeX, no dollars), ``"range"``,
        ``"strengths"`` and ``"weaknesses"`` (phrases joined by ``"; "``) and
        ``"typical_use"``. ``pandas.DataFrame(comparison_table())`` gives a table.

    Taught in: Chapter 3, Activation functions.
    """
    rows = []
    for a in _records(names):
        rows.append(
            {
                "name": a.label,
                "formula": a.formula,
                "range": a.output_range,
                "strengths": "; ".join(a.strengths),
                "weaknesses": "; ".join(a.weaknesses),
                "typical_use": a.typical_use,
            }
        )
    return rows


_CAPTION = (
    "Two lines per activation: its name, formula and output range; then its strengths (+), "
    "weaknesses (\u2212) and typical use."
)


def comparison_table_html(names=None) -> str:
    """The comparison table as an HTML ``<table>``, for ``IPython.display.HTML``.

    Compact, so that it fits the book's text column without scrolling: each activation is
    one row shown on two lines (name, formula and range; then strengths, weaknesses and
    typical use), styled inline. Formulas are written as ``\\( ... \\)`` inside
    ``<span class="math">``, which MathJax typesets both in Jupyter and in the built book.
    Text is HTML-escaped.

    Parameters
    ----------
    names : iterable of str, optional
        As in :func:`comparison_table`.

    Returns
    -------
    str

    Taught in: Chapter 3, Activation functions.
    """

    rows = []
    for a in _records(names):
        rows.append(
            (
                f"<b>{html.escape(a.label)}</b>",
                f'<span class="math notranslate nohighlight">\\({html.escape(a.formula)}\\)</span>',
                html.escape(a.output_range),
                bullets("+", a.strengths),
                bullets("\u2212", a.weaknesses),
                html.escape(a.typical_use),
            )
        )
    # A formula too wide for its cell (on a phone) scrolls inside the cell.
    styles = [CELL_STYLE] * len(_COLUMNS)
    styles[1] += ";overflow-x:auto"
    titles = [title for _, title in _COLUMNS]
    return grid_table_html(titles, rows, _CAPTION, "nnlib-activations", styles)


def comparison_table_markdown(names=None) -> str:
    """The comparison table as a Markdown (MyST) table, formulas in ``$...$``.

    For ``IPython.display.Markdown``; a ``|`` inside a cell is escaped.

    Parameters
    ----------
    names : iterable of str, optional
        As in :func:`comparison_table`.

    Returns
    -------
    str

    Taught in: Chapter 3, Activation functions.
    """
    rows = comparison_table(names)
    lines = [
        "| " + " | ".join(title for _, title in _COLUMNS) + " |",
        "|" + "---|" * len(_COLUMNS),
    ]
    for row in rows:
        cells = []
        for key, _ in _COLUMNS:
            text = row[key].replace("|", "\\|")
            cells.append(f"${text}$" if key == "formula" else text)
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
