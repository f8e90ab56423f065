"""Input checks shared by nnlib's public entry points.

Every public function of nnlib validates what it receives and, when something is wrong,
raises a ``ValueError`` or ``TypeError`` that says what was expected and what came, at the
entry point, instead of letting numpy fail with a broadcasting error deep inside.

The helpers here are small and stable; any nnlib module may import them::

    from nnlib._validate import as_float_array, check_finite

Taught in: not taught (internal helpers used by every chapter's code).
"""

from __future__ import annotations

import numbers

import numpy as np

__all__ = [
    "as_float_array",
    "as_rng",
    "check_finite",
    "check_in_range",
    "check_labels",
    "check_not_empty",
    "check_positive",
    "check_same_length",
    "check_shape",
    "describe",
]


def describe(x) -> str:
    """Describe a value for an error message: shape and dtype for arrays, type otherwise.

    Parameters
    ----------
    x : object
        Anything a user passed.

    Returns
    -------
    str
        For example ``"an array of shape (32, 100) and dtype float64"`` or ``"a str"``.
    """
    if isinstance(x, np.ndarray):
        return f"an array of shape {x.shape} and dtype {x.dtype}"
    return f"a {type(x).__name__}"


def as_float_array(x, name: str = "x", ndim=None, dtype=None) -> np.ndarray:
    """Convert ``x`` to a floating-point numpy array, rejecting what cannot be data.

    Float arrays keep their dtype (no copy). Integer and boolean data are converted to
    float64 (or to ``dtype``). Strings, objects and complex numbers raise ``TypeError``.

    Parameters
    ----------
    x : array_like
        The data.
    name : str
        How the error message calls it (``"X"``, ``"pred"``, ...).
    ndim : int or tuple of int, optional
        The allowed numbers of dimensions.
    dtype : numpy dtype, optional
        Convert to this floating dtype (copying only if needed).

    Returns
    -------
    numpy.ndarray

    Raises
    ------
    TypeError
        Not numeric, or complex.
    ValueError
        The wrong number of dimensions.
    """
    if isinstance(x, np.ndarray) and x.dtype.kind == "f" and dtype is None:
        arr = x
    else:
        try:
            arr = np.asarray(x)
        except (ValueError, TypeError) as err:  # ragged nested lists
            raise TypeError(
                f"{name} must be a numeric array (a list of numbers or a numpy array); "
                f"got {describe(x)} that numpy cannot convert ({err})"
            ) from None
        if arr.dtype.kind not in "fiub":
            raise TypeError(
                f"{name} must hold real numbers (float, int or bool); got dtype {arr.dtype}"
            )
        if dtype is not None:
            arr = arr.astype(dtype, copy=False)
        elif arr.dtype.kind != "f":
            arr = arr.astype(np.float64)
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            want = " or ".join(f"{d}-D" for d in allowed)
            raise ValueError(f"{name} must be {want}; got shape {arr.shape} ({arr.ndim}-D)")
    return arr


def check_finite(x: np.ndarray, name: str = "x") -> np.ndarray:
    """Raise ``ValueError`` if the float array ``x`` holds NaN or infinity.

    The check costs one fast pass (the dot product ``x . x``, which is NaN or infinite
    whenever an element is); only if it is not finite (or overflowed) does it look element
    by element to write the message.

    Returns
    -------
    numpy.ndarray
        ``x`` itself, so calls can be chained.
    """
    if x.dtype.kind == "f" and x.size and not np.isfinite(np.vdot(x, x)):
        bad = ~np.isfinite(x)
        n_bad = int(bad.sum())
        if n_bad:  # otherwise x . x merely overflowed: the values are finite
            n_nan = int(np.isnan(x).sum())
            first = tuple(int(i) for i in np.argwhere(bad)[0])
            kinds = "NaN" if n_nan == n_bad else ("infinity" if n_nan == 0 else "NaN/infinity")
            raise ValueError(
                f"{name} must be finite; got {n_bad} {kinds} value(s) in an array of shape "
                f"{x.shape} (first at index {first})"
            )
    return x


def check_not_empty(x: np.ndarray, name: str = "x") -> np.ndarray:
    """Raise ``ValueError`` if ``x`` has no elements (an empty batch)."""
    if x.size == 0:
        raise ValueError(f"{name} is empty (shape {x.shape}); expected at least one sample")
    return x


def check_shape(x: np.ndarray, expected: tuple, name: str = "x") -> np.ndarray:
    """Raise ``ValueError`` unless ``x.shape`` matches ``expected`` (``None`` = any size)."""
    ok = x.ndim == len(expected) and all(
        e is None or e == s for e, s in zip(expected, x.shape, strict=True)
    )
    if not ok:
        want = "(" + ", ".join("n" if e is None else str(e) for e in expected)
        want += ",)" if len(expected) == 1 else ")"
        raise ValueError(f"{name} must have shape {want}; got {x.shape}")
    return x


def check_same_length(a, b, name_a: str = "X", name_b: str = "y") -> None:
    """Raise ``ValueError`` unless ``a`` and ``b`` have the same number of samples."""
    if len(a) != len(b):
        raise ValueError(
            f"{name_a} and {name_b} must have the same number of samples; got {len(a)} and {len(b)}"
        )


def check_labels(y, n_classes: int | None = None, name: str = "y") -> np.ndarray:
    """Check integer class labels ``0 .. n_classes - 1`` and return them as an int array.

    Parameters
    ----------
    y : array_like
        Class labels, one per sample.
    n_classes : int, optional
        The number of classes; labels must lie in ``[0, n_classes)``.
    name : str
        How the message calls ``y``.

    Raises
    ------
    TypeError
        ``y`` is not of an integer dtype (floats such as ``1.0`` or one-hot rows are
        rejected, with a hint).
    ValueError
        Labels out of range.
    """
    arr = np.asarray(y)
    if arr.dtype.kind not in "iu":
        hint = (
            " (one-hot rows? use y.argmax(axis=1))"
            if arr.ndim == 2
            else " (use y.astype(int) if the values are whole numbers)"
        )
        raise TypeError(f"{name} must hold integer class labels; got dtype {arr.dtype}{hint}")
    if n_classes is not None and arr.size:
        lo, hi = int(arr.min()), int(arr.max())
        if lo < 0 or hi >= n_classes:
            bad = lo if lo < 0 else hi
            raise ValueError(
                f"{name} must hold class labels in 0..{n_classes - 1} ({n_classes} classes); "
                f"got label {bad}"
            )
    return arr


def _check_number(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number; got {describe(value)}")
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite; got {value}")
    return value


def check_positive(value, name: str, allow_zero: bool = False):
    """Raise unless ``value`` is a finite real number ``> 0`` (``>= 0`` with ``allow_zero``)."""
    _check_number(value, name)
    if value < 0 or (value == 0 and not allow_zero):
        want = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be {want}; got {value}")
    return value


def check_in_range(value, name: str, low, high, low_open=False, high_open=False):
    """Raise unless ``low <= value <= high`` (``<`` on the sides marked open)."""
    _check_number(value, name)
    too_low = value <= low if low_open else value < low
    too_high = value >= high if high_open else value > high
    if too_low or too_high:
        left = "(" if low_open else "["
        right = ")" if high_open else "]"
        raise ValueError(f"{name} must be in {left}{low}, {high}{right}; got {value}")
    return value


def as_rng(rng=None, name: str = "rng") -> np.random.Generator:
    """Turn ``None``, an int seed or a ``numpy.random.Generator`` into a Generator.

    ``None`` gives a fresh, unpredictable generator; pass an int for reproducible results.
    """
    if rng is None or isinstance(rng, numbers.Integral) and not isinstance(rng, bool):
        return np.random.default_rng(rng)
    if isinstance(rng, np.random.Generator):
        return rng
    raise TypeError(
        f"{name} must be None, an int seed or a numpy.random.Generator; got {describe(rng)}"
    )
