"""Loss functions with their gradients, and L1/L2 penalties.

A loss is an object: calling it, ``loss = loss_fn(pred, target)``, returns the loss as a
Python float and remembers what it needs; ``loss_fn.backward()`` then returns dLoss/dpred,
an array shaped like ``pred``, to hand to the model's ``backward``. The values and
gradients are those of the ``torch.nn`` loss of the same name (``reduction="mean"``
averages over every element, or over the samples for ``CrossEntropyLoss``; ``"sum"`` adds).

Taught in: Chapter 4, Learning.
"""

from __future__ import annotations

import numpy as np

from . import activations as _act
from ._validate import (
    as_float_array,
    check_finite,
    check_labels,
    check_not_empty,
    check_positive,
    check_same_length,
    describe,
)

__all__ = [
    "BCELoss",
    "BCEWithLogitsLoss",
    "CrossEntropyLoss",
    "HingeLoss",
    "Loss",
    "MSELoss",
    "l1_penalty",
    "l2_penalty",
]


class Loss:
    """Base class: ``loss_fn(pred, target) -> float``, then ``loss_fn.backward()``.

    Parameters
    ----------
    reduction : {"mean", "sum"}
        Average the per-element losses (default) or add them up.

    Taught in: Chapter 4, Learning.
    """

    def __init__(self, reduction: str = "mean"):
        if reduction not in ("mean", "sum"):
            raise ValueError(f"reduction must be 'mean' or 'sum'; got {reduction!r}")
        self.reduction = reduction
        self._saved = None

    def __call__(self, pred, target) -> float:
        return self.forward(pred, target)

    def forward(self, pred, target) -> float:
        """The loss of predictions ``pred`` against ``target``, as a float."""
        raise NotImplementedError

    def backward(self) -> np.ndarray:
        """dLoss/dpred for the last call, an array of ``pred``'s shape and dtype."""
        if self._saved is None:
            raise RuntimeError(
                f"{type(self).__name__}.backward() needs a forward pass first: "
                "call loss = loss_fn(pred, target), then loss_fn.backward()"
            )
        return self._grad(*self._saved)

    def _grad(self, *saved):
        raise NotImplementedError

    def _scale(self, n: int) -> float:
        return 1.0 / n if self.reduction == "mean" else 1.0

    def _pred(self, pred) -> np.ndarray:
        name = type(self).__name__
        p = as_float_array(pred, f"{name}: pred")
        return check_not_empty(p, f"{name}: pred")

    def _target(self, pred: np.ndarray, target) -> np.ndarray:
        """Float targets of ``pred``'s shape; (n,) vs (n, 1) is reshaped, not broadcast."""
        name = type(self).__name__
        t = as_float_array(target, f"{name}: target", dtype=pred.dtype)
        if t.shape != pred.shape:
            if t.size == pred.size and _squeezed(t.shape) == _squeezed(pred.shape):
                t = t.reshape(pred.shape)
            else:
                hint = ""
                if pred.ndim == 2 and pred.shape[1] > 1 and t.shape == pred.shape[:1]:
                    hint = (
                        f" (one label per sample for {pred.shape[1]} output columns: for class "
                        "labels use CrossEntropyLoss, or one_hot(y) as the target)"
                    )
                raise ValueError(
                    f"{name}: pred and target must have the same shape; got pred {pred.shape} "
                    f"and target {t.shape}{hint}"
                )
        return check_finite(t, f"{name}: target")

    def __repr__(self) -> str:
        extra = "" if self.reduction == "mean" else f"reduction={self.reduction!r}"
        return f"{type(self).__name__}({extra})"


def _check_probability_targets(t: np.ndarray, name: str) -> None:
    """Binary cross-entropy needs targets in [0, 1]: -1/+1 or 0/2 labels train to nonsense."""
    bad = (t < 0) | (t > 1)
    if bad.any():
        values = np.unique(t)
        shown = ", ".join(f"{v:g}" for v in values[:6]) + (", ..." if len(values) > 6 else "")
        hint = ""
        if set(values.tolist()) <= {-1.0, 1.0}:
            hint = " For -1/+1 labels use (y + 1) / 2, or HingeLoss, which takes -1/+1."
        elif np.array_equal(values, np.rint(values)):
            hint = " For class labels 0..K-1 with K > 2 use CrossEntropyLoss on K output columns."
        raise ValueError(
            f"{name}: target must hold values in [0, 1] (0/1 labels or probabilities); "
            f"got {shown}.{hint}"
        )


#: PyTorch's floor for p (1 - p) in the BCE gradient: 1e-12 rounded to float32.
_BCE_EPS = float(np.float32(1e-12))


def _squeezed(shape) -> tuple:
    return tuple(s for s in shape if s != 1)


class MSELoss(Loss):
    """Mean squared error, ``mean((pred - target)**2)``; gradient ``2 (pred - target) / n``.

    For regression. It punishes large errors quadratically, so outliers dominate.
    A target of shape ``(n,)`` against predictions of shape ``(n, 1)`` is reshaped (not
    broadcast to ``(n, n)`` as in PyTorch).

    Taught in: Chapter 4, Learning.
    """

    def forward(self, pred, target) -> float:
        p = self._pred(pred)
        diff = p - self._target(p, target)
        self._saved = (diff,)
        return float(np.vdot(diff, diff)) * self._scale(diff.size)

    def _grad(self, diff):
        return diff * (2.0 * self._scale(diff.size))


class BCELoss(Loss):
    """Binary cross-entropy on probabilities, ``-mean(t log p + (1 - t) log(1 - p))``.

    ``pred`` holds probabilities in ``[0, 1]`` (the output of a sigmoid) and ``target``
    values in ``[0, 1]`` (usually 0 or 1). As in PyTorch each log is clamped at -100, so a
    confident wrong answer costs at most 100 instead of infinity, and the gradient is
    ``(p - t) / max(p (1 - p), 1e-12) / n``. Prefer :class:`BCEWithLogitsLoss`, which is
    stable for any logit.

    Taught in: Chapter 4, Learning.
    """

    def forward(self, pred, target) -> float:
        p = self._pred(pred)
        t = self._target(p, target)
        if not ((p >= 0) & (p <= 1)).all():
            bad = p[~((p >= 0) & (p <= 1))][0]
            raise ValueError(
                f"BCELoss: pred must hold probabilities in [0, 1] (apply a sigmoid, or use "
                f"BCEWithLogitsLoss on logits); got {bad}"
            )
        _check_probability_targets(t, "BCELoss")
        with np.errstate(divide="ignore"):
            log_p = np.maximum(np.log(p), -100)
            log_q = np.maximum(np.log1p(-p), -100)
        self._saved = (p, t)
        return -float(np.sum(t * log_p + (1 - t) * log_q)) * self._scale(p.size)

    def _grad(self, p, t):
        denom = np.maximum((1 - p) * p, _BCE_EPS)
        return (p - t) / denom * self._scale(p.size)


class BCEWithLogitsLoss(Loss):
    """Binary cross-entropy on logits: a sigmoid fused with :class:`BCELoss`, stably.

    With logit ``x`` and target ``t`` in ``[0, 1]`` (anything else is refused: -1/+1
    labels would train to a negative, meaningless loss), the loss per element is
    ``max(x, 0) - x t + log(1 + exp(-|x|))`` (never overflows, exact for ``|x| = 1000``)
    and its gradient is ``sigmoid(x) - t``, divided by ``n`` for the mean.

    Taught in: Chapter 4, Learning.
    """

    def forward(self, pred, target) -> float:
        x = self._pred(pred)
        t = self._target(x, target)
        _check_probability_targets(t, "BCEWithLogitsLoss")
        self._saved = (x, t)
        per = np.maximum(x, 0) - x * t + np.log1p(np.exp(-np.abs(x)))
        return float(np.sum(per)) * self._scale(x.size)

    def _grad(self, x, t):
        g = _act.sigmoid(x) - t
        g *= self._scale(x.size)
        return g


class CrossEntropyLoss(Loss):
    """Softmax cross-entropy on logits and integer class labels, as ``torch.nn.CrossEntropyLoss``.

    For logits ``z`` of shape ``(n, C)`` and labels ``y`` in ``0 .. C-1``, the loss is
    ``-mean_i log softmax(z_i)[y_i]``, computed with a fused, max-shifted log-softmax
    (:func:`nnlib.activations.log_softmax`), so logits of magnitude 1000 are fine. The
    gradient is ``(softmax(z) - one_hot(y)) / n``. Give it the raw scores of the last
    ``Dense`` layer, not softmax probabilities. Unlike PyTorch, a single column of logits
    (``n_classes = 1``, a loss that is always 0) is refused: use two columns, or
    :class:`BCEWithLogitsLoss` for one.

    Taught in: Chapter 4, Learning.
    """

    def forward(self, pred, target) -> float:
        z = self._pred(pred)
        if z.ndim != 2:
            raise ValueError(
                f"CrossEntropyLoss: pred must be logits of shape (batch, n_classes); "
                f"got shape {z.shape}"
            )
        if z.shape[1] == 1:
            raise ValueError(
                "CrossEntropyLoss: pred has a single column (shape "
                f"{z.shape}); it needs one logit per class, shape (batch, n_classes) with "
                "n_classes >= 2. For two classes use Dense(..., 2), or keep one column and "
                "use BCEWithLogitsLoss"
            )
        y = check_labels(target, z.shape[1], "CrossEntropyLoss: target")
        if y.ndim != 1:
            raise ValueError(
                f"CrossEntropyLoss: target must be a 1-D array of class labels; got shape {y.shape}"
            )
        check_same_length(z, y, "CrossEntropyLoss: pred", "target")
        logp = _act.log_softmax(z, axis=1)
        self._saved = (logp, y)
        rows = np.arange(len(y))
        return -float(np.sum(logp[rows, y])) * self._scale(len(y))

    def _grad(self, logp, y):
        g = np.exp(logp)
        g[np.arange(len(y)), y] -= 1
        g *= self._scale(len(y))
        return g


class HingeLoss(Loss):
    """Binary hinge loss, ``mean(max(0, margin - y f))``, the loss of support vector machines.

    ``pred`` holds one score ``f`` per sample (shape ``(n,)`` or ``(n, 1)``); a positive
    score means class +1. Labels ``y`` are -1/+1; 0/1 labels are accepted and 0 read as -1.
    A sample classified right with a margin of at least ``margin`` costs nothing; inside the
    margin or wrong, the cost grows linearly. The gradient is ``-y / n`` where the margin
    is violated (``margin - y f > 0``), else 0.

    Parameters
    ----------
    margin : float
        The required margin (1 by default).
    reduction : {"mean", "sum"}

    Taught in: Chapter 4, Learning.
    """

    def __init__(self, margin: float = 1.0, reduction: str = "mean"):
        super().__init__(reduction)
        self.margin = check_positive(margin, "HingeLoss: margin", allow_zero=True)

    def forward(self, pred, target) -> float:
        f = self._pred(pred)
        if not (f.ndim == 1 or (f.ndim == 2 and f.shape[1] == 1)):
            raise ValueError(
                f"HingeLoss: pred must hold one score per sample, shape (n,) or (n, 1); "
                f"got {f.shape}"
            )
        raw = np.asarray(target)
        if raw.dtype.kind not in "iufb":
            raise TypeError(f"HingeLoss: target must hold labels -1/+1 or 0/1; got {describe(raw)}")
        y = self._target(f, raw)
        values = set(np.unique(y).tolist())
        if values <= {0.0, 1.0}:
            y = 2 * y - 1
        elif not values <= {-1.0, 1.0}:
            raise ValueError(
                f"HingeLoss: target must hold labels -1/+1 (or 0/1); got values {sorted(values)}"
            )
        margins = self.margin - y * f
        self._saved = (margins, y)
        return float(np.sum(np.maximum(margins, 0))) * self._scale(f.size)

    def _grad(self, margins, y):
        return np.where(margins > 0, -y, 0).astype(y.dtype) * self._scale(y.size)

    def __repr__(self) -> str:
        extra = [] if self.margin == 1 else [f"margin={self.margin}"]
        extra += [] if self.reduction == "mean" else [f"reduction={self.reduction!r}"]
        return f"HingeLoss({', '.join(extra)})"


def _penalty(params, strength, grad, name, value, slope) -> float:
    """``strength * sum(value(w))`` over the parameters; adds ``strength * slope(w)`` into
    each ``.grad`` (``slope=None`` means ``slope(w) = w``)."""
    params = _param_list(params, name)
    check_positive(strength, f"{name}: strength", allow_zero=True)
    total = 0.0
    for p in params:
        total += float(value(p.data))
        if grad:
            p.grad += strength * (p.data if slope is None else slope(p.data))
    return strength * total


def _param_list(params, where: str) -> list:
    from .layers import Parameter

    if isinstance(params, Parameter):
        return [params]
    try:
        params = list(params)
    except TypeError:
        raise TypeError(f"{where}: params must be Parameters; got {describe(params)}") from None
    for p in params:
        if not isinstance(p, Parameter):
            raise TypeError(
                f"{where}: params must be nnlib.layers.Parameter objects (e.g. "
                f"model.parameters()); got {describe(p)}"
            )
    return params


def l1_penalty(params, strength: float, grad: bool = True) -> float:
    """L1 penalty ``strength * sum(|w|)`` over ``params``; adds its gradient into ``.grad``.

    Add the returned value to the data loss for reporting; the gradient
    ``strength * sign(w)`` (0 at ``w = 0``) is added into each ``p.grad`` (``+=``), so call
    it once per step, between ``zero_grad()`` and ``step()``, before or after
    ``model.backward``. It pushes weights to exactly zero (sparse weights). Usually only
    the weights are penalised: ``[p for p in model.parameters() if p.name == "weight"]``.

    Parameters
    ----------
    params : Parameter or iterable of Parameter
    strength : float
        ``lambda >= 0``.
    grad : bool
        Add the gradient into ``.grad`` (default); ``False`` only returns the value.

    Returns
    -------
    float
        The penalty.

    Taught in: Chapter 4, Learning.
    """
    return _penalty(params, strength, grad, "l1_penalty", lambda w: np.abs(w).sum(), np.sign)


def l2_penalty(params, strength: float, grad: bool = True) -> float:
    """L2 penalty ``strength / 2 * sum(w**2)``; adds its gradient ``strength * w`` into ``.grad``.

    With the factor 1/2 the gradient is ``strength * w``: exactly what the optimizers'
    ``weight_decay=strength`` adds (PyTorch's convention), so ``SGD(..., weight_decay=lam)``
    and ``l2_penalty(params, lam)`` give the same steps. The gradient is added into each
    ``p.grad`` (``+=``); call it once per step, between ``zero_grad()`` and ``step()``. It
    shrinks every weight in proportion to its size ("weight decay"). Usually only the
    weights are penalised: ``[p for p in model.parameters() if p.name == "weight"]``.

    Parameters
    ----------
    params : Parameter or iterable of Parameter
    strength : float
        ``lambda >= 0``.
    grad : bool
        Add the gradient into ``.grad`` (default); ``False`` only returns the value.

    Returns
    -------
    float
        The penalty.

    Taught in: Chapter 4, Learning.
    """
    return _penalty(params, strength, grad, "l2_penalty", lambda w: 0.5 * np.vdot(w, w), None)
