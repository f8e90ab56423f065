"""Gradient checking: compare a backward pass with central finite differences.

A hand-written backward pass is easy to get subtly wrong, and a wrong gradient does not
crash: training just goes worse. The cure is to estimate every derivative numerically,

.. math::

    \\frac{\\partial f}{\\partial x_i} \\approx \\frac{f(x + \\varepsilon e_i) - f(x -
    \\varepsilon e_i)}{2\\varepsilon},

(an error of order :math:`\\varepsilon^2`, against :math:`\\varepsilon` for the one-sided
difference), and compare with the analytic gradient by their relative error
:math:`\\lVert a - n\\rVert / (\\lVert a\\rVert + \\lVert n\\rVert)`. In float64 with
:math:`\\varepsilon = 10^{-6}` a correct gradient gives about ``1e-10``; a wrong one gives
something near ``1``.

- :func:`numerical_gradient`, :func:`relative_error`: the two ingredients;
- :func:`check_gradient`: a function and its claimed gradient;
- :func:`check_layer`: a layer's input and parameter gradients (``nnlib.layers`` API);
- :func:`check_model`: a whole model with its loss.

Each ``check_*`` returns a :class:`GradcheckReport` (``.passed``, ``.max_relative_error``,
one line per checked array) that prints as a small table. Layers and models are checked on
a float64 copy, so the originals are never modified and float32 layers can be checked.

Taught in: Chapter 4, Learning.
"""

from __future__ import annotations

import copy
import html
import math
import numbers
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from nnlib._validate import as_float_array, as_rng, describe

__all__ = [
    "GradcheckEntry",
    "GradcheckReport",
    "check_gradient",
    "check_layer",
    "check_model",
    "numerical_gradient",
    "relative_error",
]

_RTOL = 1e-6
_ATOL = 1e-8


# ----------------------------------------------------------------------------------------
# The two ingredients
# ----------------------------------------------------------------------------------------


def _check_eps(eps) -> float:
    if isinstance(eps, bool) or not isinstance(eps, numbers.Real):
        raise TypeError(f"eps must be a positive float; got {describe(eps)}")
    if not (math.isfinite(eps) and eps > 0):
        raise ValueError(f"eps must be a positive finite number (1e-6 is typical); got {eps}")
    return float(eps)


def _scalar(value, what: str) -> float:
    """The float a loss-like function returned; a clear error for arrays and non-numbers."""
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{what} must return a number; got {describe(value)}") from None
    if arr.size != 1:
        raise ValueError(
            f"{what} must return a scalar (for example a loss); got an array of shape "
            f"{arr.shape} (sum it, or project it with a random vector)"
        )
    return float(arr.reshape(()))


def _perturb_gradient(evaluate: Callable[[], float], arr: np.ndarray, eps: float) -> np.ndarray:
    """Central differences of ``evaluate()`` with respect to every element of ``arr``,
    which is modified in place and restored after each step."""
    grad = np.zeros(arr.shape, dtype=np.float64)
    flat = arr.reshape(-1)  # a view: writing to it changes arr
    gflat = grad.reshape(-1)
    for i in range(flat.size):
        orig = flat[i]
        flat[i] = orig + eps
        f_plus = evaluate()
        flat[i] = orig - eps
        f_minus = evaluate()
        flat[i] = orig
        gflat[i] = (f_plus - f_minus) / (2.0 * eps)
    return grad


def numerical_gradient(f, x, eps=1e-6) -> np.ndarray:
    """Estimate the gradient of a scalar function by central finite differences.

    Parameters
    ----------
    f : callable
        ``f(x)`` returns a number for an array ``x`` of the shape of ``x`` below.
    x : array_like
        The point (any shape, converted to a float64 copy; the original is untouched).
    eps : float, default 1e-6
        The step. Too large: the :math:`\\varepsilon^2` truncation error shows; too small:
        rounding in ``f`` (about ``1e-16 |f| / eps``) does. 1e-6 balances them in float64.

    Returns
    -------
    numpy.ndarray
        float64, shape of ``x``: entry ``i`` is ``(f(x + eps e_i) - f(x - eps e_i)) / (2
        eps)``. Costs ``2 * x.size`` calls of ``f``.

    Examples
    --------
    >>> g = numerical_gradient(lambda v: (v ** 2).sum(), [1.0, -2.0])
    >>> np.round(g, 6).tolist()
    [2.0, -4.0]

    Taught in: Chapter 4, Learning.
    """
    if not callable(f):
        raise TypeError(f"f must be a function of an array; got {describe(f)}")
    eps = _check_eps(eps)
    xp = np.array(as_float_array(x, name="x"), dtype=np.float64)  # a private copy
    if not np.isfinite(xp).all():
        raise ValueError("x must be finite to take finite differences; it holds NaN or inf")
    return _perturb_gradient(lambda: _scalar(f(xp), "f"), xp, eps)


def relative_error(a, b) -> float:
    """The relative error between two gradients: :math:`\\lVert a - b\\rVert /
    (\\lVert a\\rVert + \\lVert b\\rVert)`, with Euclidean norms over all entries.

    It is 0 for equal arrays (also when both are zero), at most 1 otherwise, and does not
    depend on the scale of the gradients. Individual entries that are (near) zero do not
    blow it up, as an entrywise ratio would. NaN or infinity anywhere gives ``inf``.

    Parameters
    ----------
    a, b : array_like
        Same shape.

    Returns
    -------
    float

    Taught in: Chapter 4, Learning.
    """
    a = as_float_array(a, name="a").astype(np.float64, copy=False)
    b = as_float_array(b, name="b").astype(np.float64, copy=False)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape; got {a.shape} and {b.shape}")
    if not (np.isfinite(a).all() and np.isfinite(b).all()):
        return math.inf
    scale = max(float(np.abs(a).max(initial=0.0)), float(np.abs(b).max(initial=0.0)))
    if scale == 0.0:
        return 0.0
    a, b = a / scale, b / scale  # norms of rescaled arrays cannot overflow or underflow
    denom = float(np.linalg.norm(a) + np.linalg.norm(b))
    return float(np.linalg.norm(a - b)) / denom


# ----------------------------------------------------------------------------------------
# Reports
# ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GradcheckEntry:
    """The comparison for one array (the input, or one parameter).

    Attributes
    ----------
    name : str
        ``"x"``, ``"input"``, ``"weight"``, ``"0.bias"``, ...
    shape : tuple of int
    relative_error : float
        :func:`relative_error` of the analytic and numerical gradients.
    max_abs_error : float
        The largest entrywise difference.
    worst_index : tuple of int
        Where that difference is.
    analytic, numerical : float
        The two gradients at ``worst_index``.
    passed : bool
        ``relative_error <= rtol`` or ``max_abs_error <= atol``.

    Taught in: Chapter 4, Learning.
    """

    name: str
    shape: tuple
    relative_error: float
    max_abs_error: float
    worst_index: tuple
    analytic: float
    numerical: float
    passed: bool


def _entry(name: str, analytic, numerical: np.ndarray, rtol: float, atol: float):
    a = np.asarray(analytic, dtype=np.float64)
    if a.shape != numerical.shape:
        raise ValueError(
            f"the analytic gradient of {name} has shape {a.shape}; expected {numerical.shape} "
            "(the shape of what it differentiates)"
        )
    rel = relative_error(a, numerical)
    diff = np.abs(a - numerical)
    if diff.size:
        flat = int(np.nanargmax(diff)) if not np.isnan(diff).all() else 0
        worst = tuple(int(i) for i in np.unravel_index(flat, diff.shape))
        max_abs = float(diff.reshape(-1)[flat])
        a_w, n_w = float(a.reshape(-1)[flat]), float(numerical.reshape(-1)[flat])
    else:
        worst, max_abs, a_w, n_w = (), 0.0, 0.0, 0.0
    if not np.isfinite(diff).all():
        max_abs = math.inf
    passed = bool(rel <= rtol or max_abs <= atol)
    return GradcheckEntry(name, tuple(a.shape), rel, max_abs, worst, a_w, n_w, passed)


@dataclass
class GradcheckReport:
    """The result of a gradient check: one :class:`GradcheckEntry` per checked array.

    Attributes
    ----------
    title : str
        What was checked (``"check_layer(Dense(3, 2))"``).
    entries : list of GradcheckEntry
    rtol, atol : float
        The tolerances used.

    ``str(report)`` (and the notebook display) is a small table with no memory addresses,
    so it can be printed in a notebook whose output is tested.

    Taught in: Chapter 4, Learning.
    """

    title: str
    entries: list = field(default_factory=list)
    rtol: float = _RTOL
    atol: float = _ATOL

    @property
    def max_relative_error(self) -> float:
        """The largest relative error over all entries (0 if there are none)."""
        return max((e.relative_error for e in self.entries), default=0.0)

    @property
    def passed(self) -> bool:
        """True if every entry passed."""
        return all(e.passed for e in self.entries)

    @property
    def failures(self) -> list:
        """The entries that did not pass."""
        return [e for e in self.entries if not e.passed]

    def __getitem__(self, name: str) -> GradcheckEntry:
        for e in self.entries:
            if e.name == name:
                return e
        raise KeyError(f"no entry {name!r}; entries: {', '.join(e.name for e in self.entries)}")

    def _verdict(self) -> str:
        word = "passed" if self.passed else "FAILED"
        return (
            f"{self.title}: {word} (max relative error {self.max_relative_error:.1e}, "
            f"tolerance {self.rtol:.0e})"
        )

    def _rows(self) -> list[tuple[str, ...]]:
        rows = []
        for e in self.entries:
            rows.append(
                (
                    e.name,
                    str(e.shape),
                    f"{e.relative_error:.1e}",
                    f"{e.max_abs_error:.1e}",
                    "ok" if e.passed else "WRONG",
                )
            )
        return rows

    _HEAD = ("array", "shape", "rel. error", "max abs error", "")

    def __str__(self) -> str:
        rows = [self._HEAD, *self._rows()]
        widths = [max(len(r[i]) for r in rows) for i in range(len(self._HEAD))]
        lines = [self._verdict()]
        for r in rows:
            lines.append("  " + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)))
        for e in self.failures:
            lines.append(
                f"  {e.name}{list(e.worst_index)}: analytic {e.analytic:.6g}, "
                f"numerical {e.numerical:.6g}"
            )
        return "\n".join(line.rstrip() for line in lines)

    def __repr__(self) -> str:
        return (
            f"GradcheckReport({self.title!r}, passed={self.passed}, "
            f"max_relative_error={self.max_relative_error:.1e}, entries={len(self.entries)})"
        )

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{html.escape(h)}</th>" for h in self._HEAD)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>"
            for r in self._rows()
        )
        return (
            f"<p><b>{html.escape(self._verdict())}</b></p>"
            f'<table class="nnlib-gradcheck"><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table>"
        )


# ----------------------------------------------------------------------------------------
# Checks
# ----------------------------------------------------------------------------------------


def _check_tolerances(rtol, atol) -> tuple[float, float]:
    for name, v in (("rtol", rtol), ("atol", atol)):
        if isinstance(v, bool) or not isinstance(v, numbers.Real) or not v >= 0:
            raise ValueError(f"{name} must be a number >= 0; got {v!r}")
    return float(rtol), float(atol)


def check_gradient(f, grad_f, x, eps=1e-6, rtol=_RTOL, atol=_ATOL) -> GradcheckReport:
    """Check a function's claimed gradient against finite differences.

    Parameters
    ----------
    f : callable
        ``f(x)`` returns a number.
    grad_f : callable
        ``grad_f(x)`` returns the gradient, an array of the shape of ``x``.
    x : array_like
        Where to check (float64 copies are passed to ``f`` and ``grad_f``).
    eps : float, default 1e-6
        Finite-difference step.
    rtol, atol : float
        Passed if the relative error is at most ``rtol`` or no entry differs by more than
        ``atol`` (the latter for gradients that are all (near) zero).

    Returns
    -------
    GradcheckReport
        One entry, ``"x"``.

    Examples
    --------
    >>> check_gradient(lambda v: (v ** 3).sum(), lambda v: 3 * v ** 2, [1.0, 2.0]).passed
    True

    Taught in: Chapter 4, Learning.
    """
    if not callable(grad_f):
        raise TypeError(f"grad_f must be a function of an array; got {describe(grad_f)}")
    rtol, atol = _check_tolerances(rtol, atol)
    xp = np.array(as_float_array(x, name="x"), dtype=np.float64)
    numerical = numerical_gradient(f, xp, eps)
    analytic = as_float_array(grad_f(xp.copy()), name="grad_f(x)")
    name = getattr(f, "__name__", "f")
    title = f"check_gradient({name})" if name != "<lambda>" else "check_gradient"
    return GradcheckReport(title, [_entry("x", analytic, numerical, rtol, atol)], rtol, atol)


def _sublayers(obj, seen: set):
    """``obj`` and every layer-like object reachable through its attributes and lists."""
    if id(obj) in seen:
        return
    seen.add(id(obj))
    yield obj
    for value in getattr(obj, "__dict__", {}).values():
        items = value if isinstance(value, (list, tuple)) else (value,)
        for item in items:
            if hasattr(item, "forward") and hasattr(item, "backward"):
                yield from _sublayers(item, seen)


def _float64_copy(obj):
    """A deep copy of a layer or model that computes in float64: every parameter converted,
    and every ``dtype`` attribute (``Dense`` converts its inputs to it) set to float64."""
    work = copy.deepcopy(obj)
    for layer in _sublayers(work, set()):
        dt = getattr(layer, "dtype", None)
        try:
            is_float = dt is not None and np.dtype(dt).kind == "f"
        except TypeError:
            is_float = False
        if is_float:
            try:
                layer.dtype = np.dtype(np.float64)
            except AttributeError:  # a read-only property: leave it
                pass
    for p in _parameters(work):
        p.data = np.array(p.data, dtype=np.float64)
        p.grad = np.zeros_like(p.data)
    return work


def _parameters(obj) -> list:
    if not callable(getattr(obj, "parameters", None)):
        raise TypeError(
            f"expected a layer or model with forward, backward and parameters(); got "
            f"{describe(obj)}"
        )
    return list(obj.parameters())


def _named_parameters(obj) -> list[tuple[str, object]]:
    named = getattr(obj, "named_parameters", None)
    if callable(named):
        return [(str(n), p) for n, p in named()]
    out, used = [], set()
    for i, p in enumerate(_parameters(obj)):
        name = getattr(p, "name", None) or f"param{i}"
        if name in used:
            name = f"{name}{i}"
        used.add(name)
        out.append((name, p))
    return out


def _describe_obj(obj) -> str:
    text = repr(obj)
    if " at 0x" in text or len(text) > 60:  # a default repr, or a long one
        text = type(obj).__name__
    return text


def _require_float64(out, what: str) -> np.ndarray:
    arr = np.asarray(out)
    if arr.dtype != np.float64:
        raise ValueError(
            f"{what} returned dtype {arr.dtype} on a float64 copy; finite differences need "
            "float64 (does the layer convert its input to a fixed dtype?)"
        )
    return arr


def _require_deterministic(run: Callable[[], np.ndarray], what: str) -> None:
    first, second = run(), run()
    if not np.array_equal(first, second, equal_nan=True):
        raise ValueError(
            f"{what} gives different outputs for the same input (a Dropout layer in training "
            "mode?): call .eval() before checking gradients"
        )


def check_layer(layer, x, eps=1e-6, rtol=_RTOL, atol=_ATOL, rng=0) -> GradcheckReport:
    """Check a layer's backward pass: the input gradient and every parameter gradient.

    The loss is a random projection of the output, :math:`L = \\sum_i y_i R_i` with
    :math:`R` drawn from a standard normal, so that every output element matters with a
    different weight. Its gradient with respect to the output is :math:`R`, which is passed
    to ``backward``. Everything runs on a float64 copy of the layer.

    Parameters
    ----------
    layer : nnlib.layers.Layer
        Anything with ``forward(x)``, ``backward(grad_out) -> grad_in`` and ``parameters()``
        (each with ``.data`` and ``.grad``). Stochastic layers must be in eval mode.
    x : array_like
        An input batch (a few samples are enough: the check costs ``2 * (x.size +
        n_params)`` forward passes).
    eps : float, default 1e-6
    rtol, atol : float
        As in :func:`check_gradient`.
    rng : None, int or numpy.random.Generator, default 0
        For the projection ``R``.

    Returns
    -------
    GradcheckReport
        Entries ``"input"`` and one per parameter (named by ``Parameter.name``).

    Examples
    --------
    >>> from nnlib.layers import Dense
    >>> check_layer(Dense(3, 2, rng=0), np.ones((4, 3))).passed  # doctest: +SKIP
    True

    Taught in: Chapter 4, Learning.
    """
    rtol, atol = _check_tolerances(rtol, atol)
    eps = _check_eps(eps)
    work = _float64_copy(layer)
    xp = np.array(as_float_array(x, name="x"), dtype=np.float64)
    name = _describe_obj(layer)
    out = _require_float64(work.forward(xp.copy()), f"{name}.forward")
    _require_deterministic(lambda: np.array(work.forward(xp.copy())), f"{name}.forward")
    proj = as_rng(rng).standard_normal(out.shape)

    named = _named_parameters(work)
    for _, p in named:
        p.grad = np.zeros_like(p.data)
    work.forward(xp.copy())
    grad_in = work.backward(proj.copy())
    if grad_in is None:
        raise TypeError(f"{name}.backward returned None; it must return dLoss/dinput")

    def loss() -> float:
        return float(np.sum(work.forward(xw) * proj))

    xw = xp.copy()
    entries = [_entry("input", grad_in, _perturb_gradient(loss, xw, eps), rtol, atol)]
    for pname, p in named:
        analytic = np.array(p.grad, dtype=np.float64)
        entries.append(_entry(pname, analytic, _perturb_gradient(loss, p.data, eps), rtol, atol))
    return GradcheckReport(f"check_layer({name})", entries, rtol, atol)


def check_model(model, loss_fn, X, y, eps=1e-6, rtol=_RTOL, atol=_ATOL) -> GradcheckReport:
    """Check the gradients of a whole model and its loss, parameter by parameter.

    Runs ``loss_fn(model.forward(X), y)``, then ``model.backward(loss_fn.backward())``, and
    compares every parameter's ``.grad`` (and the returned input gradient) with finite
    differences of the loss. Works on float64 copies of ``model`` and ``loss_fn``.

    Parameters
    ----------
    model : nnlib.layers.Sequential or layer
        ``forward``, ``backward`` and ``parameters()``; stochastic layers in eval mode.
    loss_fn : loss object
        ``loss_fn(pred, target)`` returns a float and ``loss_fn.backward()`` the gradient
        with respect to ``pred`` (the ``nnlib.losses`` API).
    X : array_like
        A small batch of inputs.
    y : array_like
        Its targets (passed to the loss unchanged: integer labels stay integers).
    eps, rtol, atol : float
        As in :func:`check_gradient`.

    Returns
    -------
    GradcheckReport
        Entries ``"input"`` (when ``backward`` returns it) and one per parameter (named as
        ``model.named_parameters()`` names them, e.g. ``"0.weight"``).

    Taught in: Chapter 4, Learning.
    """
    rtol, atol = _check_tolerances(rtol, atol)
    eps = _check_eps(eps)
    if not (callable(loss_fn) and callable(getattr(loss_fn, "backward", None))):
        raise TypeError(
            "loss_fn must be a loss object: loss_fn(pred, y) returns the loss and "
            f"loss_fn.backward() its gradient (e.g. nnlib.losses.MSELoss()); got "
            f"{describe(loss_fn)}"
        )
    work = _float64_copy(model)
    lfn = copy.deepcopy(loss_fn)
    xp = np.array(as_float_array(X, name="X"), dtype=np.float64)
    name = _describe_obj(model)
    _require_float64(work.forward(xp.copy()), f"{name}.forward")
    _require_deterministic(lambda: np.array(work.forward(xp.copy())), f"{name}.forward")

    named = _named_parameters(work)
    for _, p in named:
        p.grad = np.zeros_like(p.data)
    _scalar(lfn(work.forward(xp.copy()), y), "loss_fn")
    grad_in = work.backward(lfn.backward())

    def loss() -> float:
        return _scalar(lfn(work.forward(xw), y), "loss_fn")

    xw = xp.copy()
    entries = []
    if grad_in is not None:
        entries.append(_entry("input", grad_in, _perturb_gradient(loss, xw, eps), rtol, atol))
    for pname, p in named:
        analytic = np.array(p.grad, dtype=np.float64)
        entries.append(_entry(pname, analytic, _perturb_gradient(loss, p.data, eps), rtol, atol))
    loss_name = _describe_obj(loss_fn)
    return GradcheckReport(f"check_model({name}, {loss_name})", entries, rtol, atol)
