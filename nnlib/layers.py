"""Layers of a numpy neural network with an explicit forward and backward pass.

Each layer computes its output in :meth:`Layer.forward` and, given the gradient of the loss
with respect to that output, returns the gradient with respect to its input in
:meth:`Layer.backward`, adding the gradients of its own parameters into their ``.grad``
(``+=``, so gradients accumulate across calls until zeroed, as in PyTorch)::

    model = Sequential(Dense(784, 256, rng=0), ReLU(), Dense(256, 10, rng=1))
    logits = model(X)                      # forward
    loss = loss_fn(logits, y)              # a float
    model.backward(loss_fn.backward())     # backward: fills every Parameter's .grad
    opt.step()                             # update
    opt.zero_grad()

The mathematics of the activation layers comes from :mod:`nnlib.activations`; the layers
only add the bookkeeping (remembering the input, the chain rule).

Two conventions to know when coming from PyTorch: :class:`Dense` stores its weights as
``W`` of shape ``(n_in, n_out)`` and computes ``x @ W + b``, the *transpose* of
``torch.nn.Linear.weight`` (shape ``(n_out, n_in)``, ``x @ weight.T + bias``); and a layer
built with ``rng=None`` (the default) draws unseeded, different weights on every run: pass
an int for reproducible ones. A trained :class:`Sequential` is saved with
:meth:`Sequential.save` (a plain ``.npz`` file, no pickle) and rebuilt from that file alone
with :func:`load_model`.

Taught in: Chapter 4, Learning (``Dense`` also in Chapter 2, Neurons and networks).
"""

from __future__ import annotations

import ast
import numbers
import warnings
import zipfile
from pathlib import Path

import numpy as np

from . import activations as _act
from . import init as _init
from ._validate import (
    as_float_array,
    as_rng,
    check_finite,
    check_in_range,
    check_not_empty,
    describe,
)

__all__ = [
    "Dense",
    "Dropout",
    "ELU",
    "Flatten",
    "GELU",
    "Layer",
    "LeakyReLU",
    "PReLU",
    "Parameter",
    "ReLU",
    "SiLU",
    "Sequential",
    "Sigmoid",
    "Softmax",
    "Tanh",
    "load_model",
]


class Parameter:
    """A learnable array and the gradient of the loss with respect to it.

    Parameters
    ----------
    data : array_like
        The initial value (converted to a float array; float arrays are used as they are).
    name : str, optional
        A short name such as ``"weight"`` or ``"bias"`` (used by ``repr`` and ``save``).

    Attributes
    ----------
    data : numpy.ndarray
        The value. Optimizers update it in place.
    grad : numpy.ndarray
        Same shape and dtype as ``data``; starts at zero. ``backward`` adds into it.

    Notes
    -----
    As PyTorch's ``zero_grad(set_to_none=True)``, :meth:`zero_grad` drops the gradient
    array; reading ``grad`` then gives zeros (made on demand), and the first
    :meth:`accumulate_grad` after it stores its array as the gradient instead of adding it
    to zeros. A training step therefore neither fills nor re-reads a zero array.

    Taught in: Chapter 4, Learning.
    """

    def __init__(self, data, name: str | None = None):
        self.data = as_float_array(data, "Parameter data")
        self._grad = None
        self.name = name

    @property
    def grad(self) -> np.ndarray:
        """dLoss/ddata, an array shaped like ``data`` (zeros until a backward adds to it)."""
        if self._grad is None:
            self._grad = np.zeros_like(self.data)
        return self._grad

    @grad.setter
    def grad(self, value) -> None:
        self._grad = None if value is None else as_float_array(value, "Parameter grad")

    def accumulate_grad(self, g: np.ndarray) -> None:
        """Add ``g`` into the gradient (``grad += g``), as every layer's backward does.

        ``g`` must be a new array that the caller does not use afterwards: right after
        :meth:`zero_grad` it becomes the gradient itself, without a copy.
        """
        if self._grad is None:
            self._grad = g
        else:
            self._grad += g

    @property
    def shape(self) -> tuple:
        """The shape of ``data``."""
        return self.data.shape

    @property
    def size(self) -> int:
        """The number of scalars in ``data``."""
        return self.data.size

    def zero_grad(self) -> None:
        """Set ``grad`` to zero (by dropping the array: see the Notes above)."""
        self._grad = None

    def __repr__(self) -> str:
        name = f"{self.name}, " if self.name else ""
        return f"Parameter({name}shape={self.data.shape}, dtype={self.data.dtype})"


class Layer:
    """Base class of every layer: ``forward``, ``backward``, ``parameters``, train/eval.

    A subclass implements ``forward(x)`` (remembering what ``backward`` needs) and
    ``backward(grad_out)``, which returns the gradient with respect to the input and adds
    the gradients of the layer's parameters into their ``.grad``. Calling a layer,
    ``layer(x)``, is ``layer.forward(x)``.

    Attributes
    ----------
    training : bool
        True in training mode (the default), False after :meth:`eval`. Only some layers
        (``Dropout``) behave differently.

    Taught in: Chapter 4, Learning.
    """

    training = True

    def __call__(self, x):
        return self.forward(x)

    def forward(self, x):
        """Compute the output for input ``x`` (a batch) and remember what backward needs."""
        raise NotImplementedError(f"{type(self).__name__} must implement forward(x)")

    def backward(self, grad_out):
        """Given dLoss/doutput, accumulate parameter gradients and return dLoss/dinput."""
        raise NotImplementedError(f"{type(self).__name__} must implement backward(grad_out)")

    def parameters(self) -> list[Parameter]:
        """The layer's learnable :class:`Parameter` objects (empty for most layers)."""
        return []

    def zero_grad(self) -> None:
        """Set the gradient of every parameter to zero."""
        for p in self.parameters():
            p.zero_grad()

    def train(self, mode: bool = True):
        """Switch to training mode (or to evaluation mode with ``mode=False``); returns self."""
        self.training = bool(mode)
        return self

    def eval(self):
        """Switch to evaluation mode (``Dropout`` becomes the identity); returns self."""
        return self.train(False)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


def _check_input(x, where: str) -> np.ndarray:
    """Validate a batch given to a public forward: numeric, not empty, finite."""
    x = as_float_array(x, f"the input of {where}")
    if x.ndim == 0:
        raise ValueError(f"{where} expects a batch (an array); got a scalar")
    check_not_empty(x, f"the input of {where}")
    return check_finite(x, f"the input of {where}")


class _Builtin(Layer):
    """A layer whose ``forward`` validates its input, then calls ``_forward``.

    ``Sequential`` validates the model's input once and calls ``_forward`` directly, so a
    divergent training run produces NaN losses (as in PyTorch) instead of an error in a
    middle layer.
    """

    _x = None

    def forward(self, x):
        """Validate ``x`` (numeric, not empty, finite), then compute the layer's output."""
        return self._forward(_check_input(x, repr(self)))

    def _forward(self, x):
        raise NotImplementedError

    def _saved_input(self, grad_out) -> tuple[np.ndarray, np.ndarray]:
        """The input saved by forward and ``grad_out`` checked against the output shape."""
        if self._x is None:
            raise RuntimeError(f"{self!r}: call forward before backward")
        g = grad_out
        if not (isinstance(g, np.ndarray) and g.dtype.kind == "f"):
            g = as_float_array(g, f"the gradient given to {self!r}.backward")
        if g.shape != self._out_shape:
            hint = (
                " (pass the gradient loss_fn.backward(), not the loss value)" if g.ndim == 0 else ""
            )
            raise ValueError(
                f"{self!r}.backward expects a gradient of the output's shape "
                f"{self._out_shape}; got {g.shape}{hint}"
            )
        return self._x, g


class Dense(_Builtin):
    """Fully connected (affine) layer: ``y = x @ W + b``.

    Each of the ``n_out`` units computes a weighted sum of the ``n_in`` inputs plus a bias.
    For a batch ``x`` of shape ``(batch, n_in)`` the output has shape ``(batch, n_out)``.
    Inputs of shape ``(n_in,)`` or ``(..., n_in)`` work too, as in ``torch.nn.Linear``.

    Parameters
    ----------
    n_in, n_out : int
        Number of inputs and of units.
    init : {"he", "xavier", "normal", "zeros"} or callable
        How to draw ``W``: He uniform (for ReLU, the default), Xavier uniform (for tanh and
        sigmoid), ``"normal"`` (the classic "small random numbers", ``N(0, 0.01**2)``),
        ``"zeros"`` (to show the symmetry problem), or a function ``f(n_in, n_out, rng)``
        returning an ``(n_in, n_out)`` array (e.g. :func:`nnlib.init.he_normal`). ``b``
        starts at zero.
    rng : None, int or numpy.random.Generator
        Randomness for the initialisation. ``None`` (the default) is **unseeded**: every run
        draws different weights. Pass an int for reproducible weights.
    dtype : numpy floating dtype
        float32 (default, fast) or float64 (for gradient checks). Inputs are converted to it.
    bias : bool
        Whether to add ``b``.

    Attributes
    ----------
    W : Parameter
        Weights, shape ``(n_in, n_out)``: the **transpose** of ``torch.nn.Linear.weight``
        (shape ``(n_out, n_in)``), so that a batch of row vectors is multiplied as ``x @ W``.
        To copy weights from torch: ``dense.W.data[...] = linear.weight.detach().numpy().T``.
    b : Parameter or None
        Bias, shape ``(n_out,)``.

    Taught in: Chapter 2, Neurons and networks; Chapter 4, Learning.
    """

    def __init__(
        self, n_in: int, n_out: int, init="he", rng=None, dtype=np.float32, bias: bool = True
    ):
        for name, n in (("n_in", n_in), ("n_out", n_out)):
            if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
                raise ValueError(f"Dense: {name} must be a positive int; got {n!r}")
        self.n_in, self.n_out = int(n_in), int(n_out)
        try:
            self.dtype = np.dtype(dtype)
        except TypeError:
            raise TypeError(f"Dense: dtype must be a numpy float dtype; got {dtype!r}") from None
        if self.dtype.kind != "f":
            raise TypeError(f"Dense: dtype must be a float dtype (float32/float64); got {dtype}")
        inits = {
            "he": _init.he_uniform,
            "xavier": _init.xavier_uniform,
            "normal": lambda i, o, r: 0.01 * as_rng(r).standard_normal((i, o)),
            "zeros": _init.zeros,
        }
        if callable(init):
            fn = init
        elif init in inits:
            fn = inits[init]
        else:
            raise ValueError(
                f"Dense: init must be one of {sorted(inits)} or a function "
                f"f(n_in, n_out, rng); got {init!r}"
            )
        W = np.asarray(fn(self.n_in, self.n_out, as_rng(rng)))
        if W.shape != (self.n_in, self.n_out):
            raise ValueError(
                f"Dense: init returned shape {W.shape}; expected ({self.n_in}, {self.n_out})"
            )
        self.init = init if isinstance(init, str) else getattr(init, "__name__", "custom")
        self.W = Parameter(W.astype(self.dtype), "weight")
        self.b = Parameter(np.zeros(self.n_out, self.dtype), "bias") if bias else None

    def parameters(self) -> list[Parameter]:
        return [self.W] if self.b is None else [self.W, self.b]

    def _forward(self, x):
        if x.shape[-1:] != (self.n_in,):
            hint = ""
            if x.ndim == 1 and self.n_in == 1:
                hint = " (a 1-D array of samples: make it a column with X[:, None])"
            raise ValueError(
                f"{self!r} expects input of shape (batch, {self.n_in}); got {x.shape}{hint}"
            )
        if x.dtype != self.dtype:
            x = x.astype(self.dtype)
        self._x = x
        out = x @ self.W.data
        if self.b is not None:
            out += self.b.data
        self._out_shape = out.shape
        return out

    def backward(self, grad_out, input_grad: bool = True):
        """Accumulate ``W.grad += x.T @ grad_out``, ``b.grad += grad_out.sum(0)``.

        Parameters
        ----------
        grad_out : numpy.ndarray
            dLoss/dy, the shape of the last output.
        input_grad : bool
            Return dLoss/dx ``= grad_out @ W.T`` (default). ``False`` skips that product
            and returns None, for a first layer whose input is data (as PyTorch skips it
            for inputs that do not require grad).

        Returns
        -------
        numpy.ndarray or None
            dLoss/dx, the shape of the last input.
        """
        x, g = self._saved_input(grad_out)
        if g.dtype != self.dtype:
            g = g.astype(self.dtype)
        if x.ndim != 2:
            x, g = x.reshape(-1, self.n_in), g.reshape(-1, self.n_out)
        self.W.accumulate_grad(x.T @ g)
        if self.b is not None:
            self.b.accumulate_grad(g.sum(axis=0))
        if not input_grad:
            return None
        return (g @ self.W.data.T).reshape(self._x.shape)

    def __repr__(self) -> str:
        extra = "" if self.b is not None else ", bias=False"
        extra += "" if self.dtype == np.float32 else f", dtype={self.dtype.name}"
        return f"Dense({self.n_in}, {self.n_out}{extra})"


class _Activation(_Builtin):
    """An element-wise activation: output ``fn(x)``, input gradient ``grad_out * grad(x)``."""

    def _fn(self, x):
        raise NotImplementedError

    def _grad(self, x):
        raise NotImplementedError

    def _forward(self, x):
        self._x = x
        out = self._fn(x)
        self._out_shape = out.shape
        return out

    def backward(self, grad_out):
        """Return ``grad_out * f'(x)`` with ``x`` the input of the last forward."""
        x, g = self._saved_input(grad_out)
        d = self._grad(x)
        if d.dtype == np.result_type(d, g):  # multiply in place: no extra temporary
            d *= g
            return d
        return g * d


class ReLU(_Activation):
    """Rectified linear unit, ``max(0, x)`` (:func:`nnlib.activations.relu`).

    Taught in: Chapter 3, Activation functions; Chapter 4, Learning (its backward pass).
    """

    def _fn(self, x):
        return _act.relu(x)

    def _grad(self, x):
        return _act.relu_grad(x)


class Sigmoid(_Activation):
    """Logistic sigmoid, ``1 / (1 + exp(-x))`` (:func:`nnlib.activations.sigmoid`).

    Taught in: Chapter 3, Activation functions; Chapter 4, Learning (its backward pass).
    """

    def _fn(self, x):
        return _act.sigmoid(x)

    def _grad(self, x):
        return _act.sigmoid_grad(x)


class Tanh(_Activation):
    """Hyperbolic tangent (:func:`nnlib.activations.tanh`).

    Taught in: Chapter 3, Activation functions; Chapter 4, Learning (its backward pass).
    """

    def _fn(self, x):
        return _act.tanh(x)

    def _grad(self, x):
        return _act.tanh_grad(x)


class LeakyReLU(_Activation):
    """Leaky ReLU, ``x`` for ``x > 0`` else ``negative_slope * x``.

    Parameters
    ----------
    negative_slope : float
        The slope for negative inputs (PyTorch's default, 0.01).

    Taught in: Chapter 3, Activation functions; Chapter 4, Learning (its backward pass).
    """

    def __init__(self, negative_slope: float = 0.01):
        check_in_range(negative_slope, "LeakyReLU: negative_slope", -1e300, 1e300)
        self.negative_slope = negative_slope

    def _fn(self, x):
        return _act.leaky_relu(x, self.negative_slope)

    def _grad(self, x):
        return _act.leaky_relu_grad(x, self.negative_slope)

    def __repr__(self) -> str:
        return f"LeakyReLU(negative_slope={self.negative_slope})"


class ELU(_Activation):
    """Exponential linear unit, ``x`` for ``x > 0`` else ``alpha * (exp(x) - 1)``.

    Parameters
    ----------
    alpha : float
        The value ELU tends to for very negative inputs is ``-alpha``.

    Taught in: Chapter 3, Activation functions; Chapter 4, Learning (its backward pass).
    """

    def __init__(self, alpha: float = 1.0):
        check_in_range(alpha, "ELU: alpha", -1e300, 1e300)
        self.alpha = alpha

    def _fn(self, x):
        return _act.elu(x, self.alpha)

    def _grad(self, x):
        return _act.elu_grad(x, self.alpha)

    def __repr__(self) -> str:
        return f"ELU(alpha={self.alpha})"


class GELU(_Activation):
    """Gaussian error linear unit, ``x * Phi(x)`` (:func:`nnlib.activations.gelu`).

    Parameters
    ----------
    approximate : {"none", "tanh"}
        The exact form with ``erf`` (default) or the tanh approximation, as ``torch.nn.GELU``.

    Taught in: Chapter 3, Activation functions; Chapter 4, Learning (its backward pass).
    """

    def __init__(self, approximate: str = "none"):
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU: approximate must be 'none' or 'tanh'; got {approximate!r}")
        self.approximate = approximate

    def _fn(self, x):
        return _act.gelu(x) if self.approximate == "none" else _act.gelu_tanh(x)

    def _grad(self, x):
        return _act.gelu_grad(x) if self.approximate == "none" else _act.gelu_tanh_grad(x)

    def __repr__(self) -> str:
        return "GELU()" if self.approximate == "none" else "GELU(approximate='tanh')"


class SiLU(_Activation):
    """Sigmoid linear unit (swish), ``x * sigmoid(x)`` (:func:`nnlib.activations.silu`).

    Taught in: Chapter 3, Activation functions; Chapter 4, Learning (its backward pass).
    """

    def _fn(self, x):
        return _act.silu(x)

    def _grad(self, x):
        return _act.silu_grad(x)


class PReLU(_Builtin):
    """Parametric ReLU: a leaky ReLU whose negative slope ``a`` is learned.

    Parameters
    ----------
    num_parameters : int
        1 (one slope shared by every unit, the default) or the number of channels
        (``x.shape[1]``), one slope each, as ``torch.nn.PReLU``.
    init : float
        Initial slope (PyTorch's default, 0.25).

    Attributes
    ----------
    a : Parameter
        The slopes, shape ``(num_parameters,)``.

    Taught in: Chapter 3, Activation functions; Chapter 4, Learning.
    """

    def __init__(self, num_parameters: int = 1, init: float = 0.25, dtype=np.float32):
        if isinstance(num_parameters, bool) or not isinstance(num_parameters, numbers.Integral):
            raise TypeError(f"PReLU: num_parameters must be an int; got {num_parameters!r}")
        if num_parameters < 1:
            raise ValueError(f"PReLU: num_parameters must be >= 1; got {num_parameters}")
        check_in_range(init, "PReLU: init", -1e300, 1e300)
        self.a = Parameter(np.full(int(num_parameters), init, dtype=np.dtype(dtype)), "weight")

    def parameters(self) -> list[Parameter]:
        return [self.a]

    def _slope(self, x):
        """The slopes shaped to broadcast against ``x`` (channel axis 1)."""
        n = self.a.data.size
        if n == 1:
            return self.a.data
        if x.ndim < 2 or x.shape[1] != n:
            raise ValueError(f"{self!r} expects input of shape (batch, {n}, ...); got {x.shape}")
        return self.a.data.reshape((1, n) + (1,) * (x.ndim - 2))

    def _forward(self, x):
        self._x = x
        out = _act.prelu(x, self._slope(x))
        self._out_shape = out.shape
        return out

    def backward(self, grad_out):
        """Accumulate ``a.grad += sum(grad_out * dprelu/da)``; return ``grad_out * f'(x)``."""
        x, g = self._saved_input(grad_out)
        slope = self._slope(x)
        ga = g * _act.prelu_grad_a(x, slope)
        axes = tuple(i for i in range(x.ndim) if not (slope.size > 1 and i == 1))
        self.a.accumulate_grad(ga.sum(axis=axes).reshape(self.a.shape))
        return g * _act.prelu_grad(x, slope)

    def __repr__(self) -> str:
        n = self.a.data.size
        return "PReLU()" if n == 1 else f"PReLU(num_parameters={n})"


class Softmax(_Builtin):
    """Softmax along ``axis``: positive outputs that sum to 1 (:func:`nnlib.activations.softmax`).

    For classification, feed the logits (not the softmax) to
    :class:`nnlib.losses.CrossEntropyLoss`, which fuses the two stably; use this layer to
    read probabilities.

    Parameters
    ----------
    axis : int
        The axis that sums to 1 (default: the last).

    Taught in: Chapter 3, Activation functions; Chapter 4, Learning.
    """

    def __init__(self, axis: int = -1):
        self.axis = axis

    def _forward(self, x):
        out = _act.softmax(x, axis=self.axis)
        self._x, self._out_shape = x, out.shape
        return out

    def backward(self, grad_out):
        """Jacobian-vector product ``y * (grad_out - sum(grad_out * y, axis))``, ``y`` the output.

        Computed by :func:`nnlib.activations.softmax_vjp`, without forming the Jacobian.
        """
        x, g = self._saved_input(grad_out)
        return _act.softmax_vjp(x, g, axis=self.axis)

    def __repr__(self) -> str:
        return "Softmax()" if self.axis == -1 else f"Softmax(axis={self.axis})"


class Dropout(_Builtin):
    """Inverted dropout: in training, zero each input with probability ``p`` and scale the
    survivors by ``1 / (1 - p)``; in evaluation mode, the identity.

    The scaling keeps the expected value of every unit unchanged, so nothing needs to change
    at test time. ``backward`` lets the gradient through the same surviving units, scaled
    the same way.

    Parameters
    ----------
    p : float
        Probability of dropping a unit, in ``[0, 1]``.
    rng : None, int or numpy.random.Generator
        Randomness for the masks. ``None`` (the default) is unseeded; pass an int for
        reproducible runs.

    Taught in: Chapter 4, Learning.
    """

    def __init__(self, p: float = 0.5, rng=None):
        self.p = check_in_range(p, "Dropout: p", 0.0, 1.0)
        self.rng = as_rng(rng)
        self._mask = None

    def _forward(self, x):
        self._x, self._out_shape = x, x.shape
        if not self.training or self.p == 0:
            self._mask = None
            return x.copy()
        keep = self.rng.random(x.shape, dtype=np.float32) >= self.p
        scale = 0.0 if self.p == 1 else 1.0 / (1.0 - self.p)
        self._mask = keep.astype(x.dtype)
        self._mask *= scale
        return x * self._mask

    def backward(self, grad_out):
        """Return ``grad_out`` times the mask of the last forward (the identity in eval)."""
        _, g = self._saved_input(grad_out)
        return g.copy() if self._mask is None else g * self._mask

    def __repr__(self) -> str:
        return f"Dropout(p={self.p})"


class Flatten(_Builtin):
    """Flatten every sample into a vector: ``(batch, d1, d2, ...)`` to ``(batch, d1*d2*...)``.

    Taught in: Chapter 4, Learning.
    """

    def _forward(self, x):
        self._x = x
        out = x.reshape(len(x), -1) if x.ndim > 1 else x.reshape(-1, 1)
        self._out_shape = out.shape
        return out

    def backward(self, grad_out):
        """Reshape the gradient back to the input's shape."""
        x, g = self._saved_input(grad_out)
        return g.reshape(x.shape)


class Sequential(Layer):
    """A stack of layers applied in order; backward runs them in reverse.

    Parameters
    ----------
    *layers : Layer
        The layers, input side first (a single list of layers is accepted too).

    Examples
    --------
    >>> model = Sequential(Dense(2, 3, rng=0), Tanh(), Dense(3, 1, rng=1))
    >>> model(np.zeros((4, 2))).shape
    (4, 1)
    >>> model.n_params()
    13

    Taught in: Chapter 4, Learning.
    """

    def __init__(self, *layers):
        if len(layers) == 1 and isinstance(layers[0], (list, tuple)):
            layers = tuple(layers[0])
        for i, layer in enumerate(layers):
            if not isinstance(layer, Layer):
                hint = ""
                if isinstance(layer, type) and issubclass(layer, Layer):
                    hint = f" (a class: did you mean {layer.__name__}()?)"
                raise TypeError(
                    f"Sequential expects Layer objects; got {describe(layer)} at position {i}{hint}"
                )
        self.layers = list(layers)

    def __len__(self) -> int:
        return len(self.layers)

    def __iter__(self):
        return iter(self.layers)

    def __getitem__(self, i):
        return self.layers[i]

    def forward(self, x):
        """Run ``x`` through every layer; the input is validated once, here."""
        x = _check_input(x, "Sequential")
        for layer in self.layers:
            if isinstance(layer, _Builtin) and type(layer).forward is _Builtin.forward:
                x = layer._forward(x)
            else:
                x = layer.forward(x)
        return x

    def backward(self, grad_out, input_grad: bool = True):
        """Back-propagate dLoss/doutput through every layer, last first.

        Parameters
        ----------
        grad_out : numpy.ndarray
            dLoss/doutput, e.g. ``loss_fn.backward()``.
        input_grad : bool
            Return dLoss/dinput (default). ``False`` stops at the first layer with
            parameters and returns None: a training step does not need the gradient with
            respect to the data, and skipping it saves the largest matrix product of the
            backward pass (PyTorch skips it too, for inputs that do not require grad).

        Returns
        -------
        numpy.ndarray or None
        """
        stop = 0
        if not input_grad:
            stop = next((i for i, la in enumerate(self.layers) if la.parameters()), 0)
        g = grad_out
        for i in range(len(self.layers) - 1, stop - 1, -1):
            layer = self.layers[i]
            if i == stop and not input_grad:
                if isinstance(layer, Dense):
                    return layer.backward(g, input_grad=False)
                layer.backward(g)
                return None
            g = layer.backward(g)
        return g

    def parameters(self) -> list[Parameter]:
        """Every layer's parameters, in order."""
        return [p for layer in self.layers for p in layer.parameters()]

    def train(self, mode: bool = True):
        """Put the model and every layer in training mode (or evaluation with False)."""
        self.training = bool(mode)
        for layer in self.layers:
            layer.train(mode)
        return self

    def n_params(self) -> int:
        """The number of learnable scalars."""
        return sum(p.size for p in self.parameters())

    def named_parameters(self) -> list[tuple[str, Parameter]]:
        """``("0.weight", W), ("0.bias", b), ...``: the names used by ``state_dict``."""
        named = []
        for i, layer in enumerate(self.layers):
            for j, p in enumerate(layer.parameters()):
                named.append((f"{i}.{p.name or j}", p))
        return named

    def state_dict(self) -> dict[str, np.ndarray]:
        """A copy of every parameter's value, keyed by :meth:`named_parameters` names."""
        return {name: p.data.copy() for name, p in self.named_parameters()}

    def load_state_dict(self, state) -> None:
        """Copy values from ``state`` into the parameters (in place: optimizers keep working).

        Raises
        ------
        TypeError
            ``state`` is not a mapping, or a value is not numeric.
        ValueError
            Missing or unexpected names, a shape that differs, or a value that is NaN or
            infinite; nothing is changed then.
        """
        state = self._checked_state(state)
        for k, p in self.named_parameters():
            p.data[...] = state[k]

    def _checked_state(self, state) -> dict[str, np.ndarray]:
        """``state`` as float arrays, checked against this model; raises on any mismatch."""
        if not hasattr(state, "keys") or not hasattr(state, "__getitem__"):
            raise TypeError(
                f"load_state_dict expects a dict of arrays (from state_dict()); got "
                f"{describe(state)}"
            )
        named = dict(self.named_parameters())
        missing = sorted(set(named) - set(state))
        unexpected = sorted(k for k in set(state) - set(named) if not k.startswith("_"))
        wrong = [
            f"{k}: model {named[k].shape}, file {tuple(np.shape(state[k]))}"
            for k in named
            if k in state and tuple(np.shape(state[k])) != named[k].shape
        ]
        if missing or unexpected or wrong:
            parts = []
            if missing:
                parts.append(f"missing {missing}")
            if unexpected:
                parts.append(f"unexpected {unexpected}")
            if wrong:
                parts.append("shape mismatch: " + "; ".join(wrong))
            raise ValueError("the weights do not fit this model: " + ", ".join(parts))
        checked = {}
        for k in named:
            checked[k] = check_finite(as_float_array(state[k], f"weight {k}"), f"weight {k}")
        return checked

    def save(self, path) -> None:
        """Save the parameters to an ``.npz`` file (``np.savez``: plain arrays, no pickle).

        The file also records the architecture (``repr`` of each layer) as text, so that
        :meth:`load` can refuse a file made for other layers and :func:`load_model` can
        rebuild the model from the file alone.
        """
        if not isinstance(path, (str, Path)):
            raise TypeError(f"save: path must be a str or a pathlib.Path; got {describe(path)}")
        if Path(path).is_dir():
            raise ValueError(f"save: {path} is a folder; give a file name such as model.npz")
        arch = np.array([repr(layer) for layer in self.layers], dtype=str)
        np.savez(path, _architecture=arch, **self.state_dict())

    def load(self, path) -> Sequential:
        """Load parameters saved by :meth:`save` into this model (same architecture).

        The file is read with ``np.load(..., allow_pickle=False)``. Names and shapes must
        match the model's, and so must the layers recorded in the file: a file saved from
        ``Dense, Tanh, Dense`` is refused by a ``Dense, ReLU, Dense`` model even though the
        weight shapes agree. Layers of the same kind with other settings (a different
        dropout rate or dtype) load with a ``UserWarning``. Returns self.

        Raises
        ------
        FileNotFoundError
            No such file.
        ValueError
            Not an nnlib save file, or damaged (truncated, empty, foreign); or made for
            another architecture; or weights that are not finite. Nothing is changed then.
        """
        path, state, saved = _read_save_file(path)
        try:
            checked = self._checked_state(state)
        except (ValueError, TypeError) as err:
            made = f" (the file was saved from: {', '.join(saved)})"
            raise ValueError(f"cannot load {path.name}: {err}{made}") from None
        mine = [repr(layer) for layer in self.layers]
        if [_kind(r) for r in saved] != [_kind(r) for r in mine]:
            raise ValueError(
                f"cannot load {path.name}: it was saved from a different architecture, "
                f"{', '.join(saved)}; this model is {', '.join(mine)}. Build the model the "
                "file was saved from, or rebuild it with nnlib.layers.load_model(path)"
            )
        if saved != mine:
            diff = [
                f"{a} (file) vs {b} (model)" for a, b in zip(saved, mine, strict=True) if a != b
            ]
            warnings.warn(
                f"loading {path.name}: some layers have other settings than when saved: "
                + "; ".join(diff),
                UserWarning,
                stacklevel=2,
            )
        for k, p in self.named_parameters():
            p.data[...] = checked[k]
        return self

    def __repr__(self) -> str:
        rows = []
        for i, layer in enumerate(self.layers):
            ps = layer.parameters()
            shapes = ", ".join(f"{p.name or 'param'} {p.shape}" for p in ps)
            count = f"{sum(p.size for p in ps):,} params" if ps else ""
            rows.append((f"({i}): {layer!r}", shapes, count))
        w0 = max((len(r[0]) for r in rows), default=0)
        w1 = max((len(r[1]) for r in rows), default=0)
        lines = [f"  {a:<{w0}}  {b:<{w1}}  {c}".rstrip() for a, b, c in rows]
        return "\n".join(
            ["Sequential(", *lines, f")  total: {self.n_params():,} trainable parameters"]
        )


# ---------------------------------------------------------------------------------------------
# Reading save files
# ---------------------------------------------------------------------------------------------


def _kind(layer_repr: str) -> str:
    """The class name in a layer's repr: ``"Dense"`` for ``"Dense(3, 4)"``."""
    return layer_repr.split("(", 1)[0].strip()


def _read_save_file(path) -> tuple[Path, dict[str, np.ndarray], list[str]]:
    """Open a file written by :meth:`Sequential.save`: (path, arrays, layer reprs).

    Every way a file can fail to be one (missing ``.npz`` suffix aside) becomes one
    ``ValueError``; numpy's own errors, and its advice to pass ``allow_pickle=True``, never
    reach the user.
    """
    if not isinstance(path, (str, Path)):
        raise TypeError(f"path must be a str or a pathlib.Path; got {describe(path)}")
    path = Path(path)
    if not path.exists() and path.with_name(path.name + ".npz").exists():
        path = path.with_name(path.name + ".npz")
    if not path.is_file():
        raise FileNotFoundError(f"cannot load {path}: no such file")
    problem = f"cannot load {path.name}: not an nnlib save file, or damaged"
    try:
        f = np.load(path, allow_pickle=False)
        if not isinstance(f, np.lib.npyio.NpzFile):  # an .npy file: one plain array
            raise ValueError("a single array, not an .npz archive")
        with f:
            state = {k: f[k] for k in f.files}
    except (ValueError, OSError, EOFError, KeyError, zipfile.BadZipFile, RuntimeError) as err:
        reason = str(err).split(";")[0]
        if "pickle" in reason.lower():
            zipped = zipfile.is_zipfile(path)
            reason = (
                "it holds Python objects, which nnlib never saves"
                if zipped
                else "not a numpy .npz archive"
            )
        raise ValueError(f"{problem} ({reason or type(err).__name__})") from None
    arch = state.pop("_architecture", None)
    if arch is None or arch.dtype.kind != "U" or arch.ndim != 1:
        raise ValueError(
            f"{problem} (it has no _architecture entry: was it saved by Sequential.save?)"
        )
    return path, state, [str(a) for a in arch]


def _builtin_layers() -> dict[str, type]:
    """The layers load_model can rebuild, by the class name in their repr."""
    return {
        cls.__name__: cls
        for cls in (
            Dense,
            ReLU,
            Sigmoid,
            Tanh,
            LeakyReLU,
            ELU,
            GELU,
            SiLU,
            PReLU,
            Softmax,
            Dropout,
            Flatten,
        )
    }


def _layer_from_repr(text: str, state: dict[str, np.ndarray], index: int) -> Layer:
    """Rebuild one layer from its repr (parsed with ``ast``: literals only, never ``eval``)."""
    known = _builtin_layers()
    try:
        call = ast.parse(text, mode="eval").body
        if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name)):
            raise ValueError
        name = call.func.id
        args = [ast.literal_eval(a) for a in call.args]
        kwargs = {}
        for kw in call.keywords:
            if name == "Dense" and kw.arg == "dtype" and isinstance(kw.value, ast.Name):
                kwargs["dtype"] = np.dtype(kw.value.id)
            else:
                kwargs[kw.arg] = ast.literal_eval(kw.value)
    except (SyntaxError, ValueError, TypeError):
        name, args, kwargs = None, [], {}
    if name not in known:
        raise ValueError(
            f"load_model rebuilds nnlib's own layers ({', '.join(sorted(known))}); layer "
            f"{index} of the file is {text}. Build that model yourself, then call "
            "model.load(path)"
        )
    if name == "PReLU":  # the dtype is that of the saved slopes
        saved = state.get(f"{index}.weight")
        if saved is not None:
            kwargs["dtype"] = saved.dtype
    if name == "Dense":
        kwargs["init"] = "zeros"  # the weights come from the file
    return known[name](*args, **kwargs)


def load_model(path) -> Sequential:
    """Rebuild a :class:`Sequential` saved with :meth:`Sequential.save`, from the file alone.

    Taught in: Chapter 4, Learning (saving a trained model).

    The file records each layer's ``repr`` (``Dense(30, 16)``, ``ReLU()``,
    ``Dropout(p=0.2)``, ...); ``load_model`` builds those layers again and loads the saved
    weights into them. Only nnlib's own layers can be rebuilt this way (a file holding a
    layer of your own is refused with a message: build that model yourself and call
    :meth:`Sequential.load`). The model is returned in evaluation mode, ready to predict;
    a ``Dropout`` layer gets a new, unseeded generator.

    Parameters
    ----------
    path : str or pathlib.Path
        The ``.npz`` file (the suffix may be left out, as for ``np.savez``).

    Returns
    -------
    Sequential

    Raises
    ------
    FileNotFoundError
        No such file.
    ValueError
        Not an nnlib save file, or damaged; an unknown layer; weights that are not finite.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> model = Sequential(Dense(2, 3, rng=0), Tanh(), Dense(3, 1, rng=1))
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "model.npz"
    >>> model.save(path)
    >>> load_model(path)[1]
    Tanh()
    """
    path, state, saved = _read_save_file(path)
    try:
        layers = [_layer_from_repr(text, state, i) for i, text in enumerate(saved)]
    except ValueError as err:
        raise ValueError(f"cannot rebuild {path.name}: {err}") from None
    model = Sequential(*layers)
    try:
        model.load_state_dict(state)
    except (ValueError, TypeError) as err:
        raise ValueError(f"cannot load {path.name}: {err}") from None
    return model.eval()
