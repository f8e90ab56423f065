"""Measure how gradients flow back through a deep stack, and find dead units.

Two diagnostics of Chapter 3, on a :class:`nnlib.layers.Sequential` model:

- :func:`gradient_flow` runs one forward and one backward pass on a batch and records, for
  every ``Dense`` layer from the input to the output, the norm of the gradient of the loss
  with respect to its weights and with respect to its output (the "error signal" ``delta``
  that backpropagation hands to the layer). In a deep sigmoid stack these norms shrink
  layer after layer on the way back: the vanishing gradient.
- :func:`dead_units` and :func:`count_dead_units` find hidden units whose activation is
  exactly zero on every example of a batch: a ReLU unit in that state passes no signal
  forward and no gradient back, so gradient descent can never revive it (dying ReLU).

:func:`deep_stack` builds the test subject (``depth`` hidden ``Dense`` + activation blocks)
and :func:`plot_gradient_norms` draws norms per layer on a log scale.

Taught in: Chapter 3, Activation functions.

Examples
--------
>>> import numpy as np
>>> from nnlib.gradient_flow import deep_stack, layer_gradient_norms
>>> from nnlib.losses import MSELoss
>>> rng = np.random.default_rng(0)
>>> X, y = rng.normal(size=(64, 8)), rng.normal(size=(64, 1))
>>> model = deep_stack(8, width=16, depth=10, n_out=1, activation="sigmoid", rng=0)
>>> norms = layer_gradient_norms(model, X, y, MSELoss())
>>> bool(norms[0] < norms[-1] / 100)  # the first layer learns far more slowly
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnlib._validate import as_float_array, check_finite, check_not_empty, describe

__all__ = [
    "ACTIVATION_LAYERS",
    "GradientFlow",
    "count_dead_units",
    "dead_units",
    "deep_stack",
    "gradient_flow",
    "layer_gradient_norms",
    "plot_gradient_norms",
]

#: Activation names accepted by :func:`deep_stack`, and the :mod:`nnlib.layers` class of each.
ACTIVATION_LAYERS: dict[str, str] = {
    "sigmoid": "Sigmoid",
    "tanh": "Tanh",
    "relu": "ReLU",
    "leaky_relu": "LeakyReLU",
    "elu": "ELU",
    "gelu": "GELU",
    "silu": "SiLU",
}


@dataclass(frozen=True)
class GradientFlow:
    """What one forward and backward pass measured, one entry per ``Dense`` layer.

    Entries run from the layer nearest the input (index 0) to the output layer.
    Taught in: Chapter 3, Activation functions.

    Attributes
    ----------
    loss : float
        The loss on the batch.
    weight_norms : ndarray of shape (n_dense,)
        Frobenius norm of dLoss/dW for each ``Dense`` layer's weight matrix ``W``.
    delta_norms : ndarray of shape (n_dense,)
        Frobenius norm of dLoss/dz, where ``z = x @ W + b`` is the layer's output, over the
        whole batch: the error signal backpropagation delivers to that layer.
    """

    loss: float
    weight_norms: np.ndarray
    delta_norms: np.ndarray

    @property
    def ratio(self) -> float:
        """``weight_norms[0] / weight_norms[-1]``: first layer's gradient over the last's."""
        return float(self.weight_norms[0] / self.weight_norms[-1])

    def __str__(self) -> str:
        rows = [f"loss {self.loss:.4g}", "layer  |dL/dW|      |dL/dz|"]
        for i, (w, d) in enumerate(zip(self.weight_norms, self.delta_norms, strict=True)):
            rows.append(f"{i:>5}  {w:<11.3e}  {d:.3e}")
        return "\n".join(rows)


def _layers_of(model) -> list:
    layers = getattr(model, "layers", None)
    if layers is None or not hasattr(model, "parameters"):
        raise TypeError(
            "model must be an nnlib.layers.Sequential (something with .layers and "
            f".parameters()); got {describe(model)}"
        )
    layers = list(layers)
    if not layers:
        raise ValueError("model has no layers")
    return layers


def _check_X(X, layers) -> np.ndarray:
    X = as_float_array(X, "X", ndim=2)
    check_not_empty(X, "X")
    check_finite(X, "X")
    first = next((layer for layer in layers if _is_dense(layer)), None)
    if first is not None and X.shape[1] != first.W.data.shape[0]:
        raise ValueError(
            f"X must have {first.W.data.shape[0]} columns (the first Dense layer's n_in); "
            f"got shape {X.shape}"
        )
    return X


def _is_dense(layer) -> bool:
    from nnlib.layers import Dense

    return isinstance(layer, Dense)


def _activation_classes() -> tuple[type, ...]:
    from nnlib import layers as nl

    names = [*ACTIVATION_LAYERS.values(), "PReLU"]
    return tuple(getattr(nl, n) for n in names if hasattr(nl, n))


def gradient_flow(model, X, y, loss_fn) -> GradientFlow:
    """Run one forward and backward pass and measure the gradient at every ``Dense`` layer.

    The parameters' ``.grad`` are reset to zero first, so the result does not depend on what
    earlier passes accumulated; after the call they hold this batch's gradients (no update is
    made). Taught in: Chapter 3, Activation functions.

    Parameters
    ----------
    model : nnlib.layers.Sequential
        The network; it must contain at least one ``Dense`` layer.
    X : array_like of shape (n_samples, n_in)
        A batch of inputs.
    y : array_like
        The targets, in the form ``loss_fn`` expects.
    loss_fn : loss object
        An :mod:`nnlib.losses` loss: ``loss_fn(pred, y)`` returns the loss and
        ``loss_fn.backward()`` its gradient with respect to ``pred``.

    Returns
    -------
    GradientFlow
        The loss and the per-layer norms, input side first.
    """
    layers = _layers_of(model)
    if not any(_is_dense(layer) for layer in layers):
        raise ValueError("model has no Dense layer: there are no weights to measure")
    if not (callable(loss_fn) and hasattr(loss_fn, "backward")):
        raise TypeError(
            "loss_fn must be an nnlib.losses loss (callable, with .backward()); "
            f"got {describe(loss_fn)}"
        )
    X = _check_X(X, layers)
    if len(y) != len(X):
        raise ValueError(f"X and y must have the same number of samples; got {len(X)} and {len(y)}")
    for p in model.parameters():
        p.zero_grad()
    out = X
    for layer in layers:
        out = layer(out)
    loss = float(loss_fn(out, y))
    grad = loss_fn.backward()
    weight_norms, delta_norms = [], []
    for layer in reversed(layers):
        if _is_dense(layer):
            delta_norms.append(float(np.linalg.norm(grad)))
        grad = layer.backward(grad)
        if _is_dense(layer):
            weight_norms.append(float(np.linalg.norm(layer.W.grad)))
    return GradientFlow(loss, np.array(weight_norms[::-1]), np.array(delta_norms[::-1]))


def layer_gradient_norms(model, X, y, loss_fn) -> np.ndarray:
    """Norm of dLoss/dW for every ``Dense`` layer, from the input side to the output.

    A shortcut for ``gradient_flow(model, X, y, loss_fn).weight_norms``.
    Taught in: Chapter 3, Activation functions.

    Parameters
    ----------
    model : nnlib.layers.Sequential
    X : array_like of shape (n_samples, n_in)
    y : array_like
    loss_fn : loss object

    Returns
    -------
    ndarray of shape (n_dense,)
    """
    return gradient_flow(model, X, y, loss_fn).weight_norms


def dead_units(model, X) -> list[np.ndarray]:
    """Which hidden units are dead on a batch: one boolean mask per activation layer.

    A unit counts as dead when its activation's output is exactly zero for every row of
    ``X``. For ReLU that means its input was never positive, so its gradient is zero on every
    example and no update can bring it back. Leaky ReLU, ELU, GELU and the sigmoid-family
    output exactly zero only at isolated points, so their units (practically) never count.
    The model is run as it is (call ``model.eval()`` first if it has dropout).
    Taught in: Chapter 3, Activation functions.

    Parameters
    ----------
    model : nnlib.layers.Sequential
    X : array_like of shape (n_samples, n_in)
        The batch (use a representative one: a unit dead on a few rows may live on others).

    Returns
    -------
    list of ndarray of bool
        ``masks[k][j]`` is True when unit ``j`` of the ``k``-th activation layer is dead.
    """
    layers = _layers_of(model)
    X = _check_X(X, layers)
    kinds = _activation_classes()
    masks = []
    out = X
    for layer in layers:
        out = layer(out)
        if isinstance(layer, kinds):
            masks.append(np.all(out.reshape(len(out), -1) == 0, axis=0))
    return masks


def count_dead_units(model, X, per_layer: bool = False):
    """Count the hidden units that are dead on a batch (see :func:`dead_units`).

    Taught in: Chapter 3, Activation functions.

    Parameters
    ----------
    model : nnlib.layers.Sequential
    X : array_like of shape (n_samples, n_in)
    per_layer : bool
        Return one count per activation layer instead of the total.

    Returns
    -------
    int or list of int
    """
    counts = [int(mask.sum()) for mask in dead_units(model, X)]
    return counts if per_layer else int(sum(counts))


def deep_stack(
    n_in: int,
    width: int,
    depth: int,
    n_out: int = 1,
    activation: str = "relu",
    init: str = "he",
    rng=0,
    **activation_kwargs,
):
    """A deep fully connected network: ``depth`` blocks of ``Dense`` + activation, then a
    ``Dense`` output layer with no activation.

    Taught in: Chapter 3, Activation functions.

    Parameters
    ----------
    n_in, width, depth, n_out : int
        Input size, hidden width, number of hidden blocks (>= 1) and output size.
    activation : str
        A key of :data:`ACTIVATION_LAYERS` (``"sigmoid"``, ``"tanh"``, ``"relu"``, ...).
    init : str
        Weight initialisation of every ``Dense`` layer (``"he"``, ``"xavier"``, ``"normal"``).
    rng : int or numpy.random.Generator
        Seed or generator for the weights.
    **activation_kwargs
        Passed to the activation layer (for example ``negative_slope=0.1``).

    Returns
    -------
    nnlib.layers.Sequential
        ``2 * depth + 1`` layers.
    """
    from nnlib import layers as nl
    from nnlib._validate import as_rng

    for name, n in (("n_in", n_in), ("width", width), ("depth", depth), ("n_out", n_out)):
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise ValueError(f"{name} must be a positive int; got {n!r}")
    if activation not in ACTIVATION_LAYERS:
        known = ", ".join(repr(k) for k in ACTIVATION_LAYERS)
        raise ValueError(f"unknown activation {activation!r}; expected one of {known}")
    act = getattr(nl, ACTIVATION_LAYERS[activation])
    gen = as_rng(rng)
    blocks = []
    sizes = [n_in] + [width] * depth
    for a, b in zip(sizes[:-1], sizes[1:], strict=True):
        blocks += [nl.Dense(a, b, init=init, rng=gen, dtype=np.float64), act(**activation_kwargs)]
    blocks.append(nl.Dense(width, n_out, init=init, rng=gen, dtype=np.float64))
    return nl.Sequential(*blocks)


def plot_gradient_norms(norms: dict, ax=None, title: str = "Gradient norm per layer"):
    """Plot per-layer gradient norms of one or more models on a log scale.

    Taught in: Chapter 3, Activation functions.

    Parameters
    ----------
    norms : dict of str to array_like
        Label -> norms, input side first (as :func:`layer_gradient_norms` returns them).
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when ``None``.
    title : str
        The axes' title.

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt

    from nnlib.plot import PALETTE, style

    if not isinstance(norms, dict) or not norms:
        raise TypeError(f"norms must be a non-empty dict of label -> norms; got {describe(norms)}")
    if ax is None:
        with style():
            _, ax = plt.subplots(figsize=(6.5, 3.8))
    for i, (label, values) in enumerate(norms.items()):
        values = check_finite(as_float_array(values, f"norms[{label!r}]", ndim=1))
        if np.any(values <= 0):
            raise ValueError(f"norms[{label!r}] must be positive to plot on a log scale")
        layer = np.arange(1, len(values) + 1)
        ax.semilogy(layer, values, marker="o", color=PALETTE[i % len(PALETTE)], label=label)
    ax.set_xlabel("layer (1 = nearest the input)")
    ax.set_ylabel("‖dLoss/dW‖ (log scale)")
    ax.set_title(title)
    ax.legend(frameon=False)
    return ax
