"""Attribution maps: which input values a classifier's output depends on.

Taught in: Chapter 7, Frontiers (``04_explainability``).

Each function explains one output of ``model``, the logit of class ``target``, for a batch
of inputs ``x``, and returns a map shaped like ``x``: one number per input value (per
pixel), large where the value matters.

- :func:`saliency`: the gradient of the logit with respect to the input, in absolute value
  (Simonyan et al., 2014).
- :func:`gradient_x_input`: the gradient times the input.
- :func:`integrated_gradients`: the gradient averaged along the straight path from a
  baseline to the input, times the difference (Sundararajan et al., 2017). Its values add
  up to ``f(x) - f(baseline)`` as the number of steps grows (completeness).
- :func:`occlusion`: how much the logit drops when a small patch of the input is replaced
  by a baseline value (Zeiler and Fergus, 2014).

They are written to be read, and give the same numbers as Captum's ``Saliency``,
``InputXGradient``, ``IntegratedGradients`` and ``Occlusion`` (the tests compare them; nnlib
itself does not import Captum). The model is used in whatever mode it is in (call
``model.eval()`` first); gradients are taken with :func:`torch.autograd.grad`, so the
parameters' ``.grad`` are left untouched; every map is returned detached.

Examples
--------
>>> from nnlib.torch.models import digits_cnn
>>> model = digits_cnn(dtype=torch.float64).eval()
>>> x = torch.rand(2, 1, 8, 8, dtype=torch.float64)
>>> ig = integrated_gradients(model, x, target=3, steps=200)
>>> logit = lambda z: model(z)[:, 3]
>>> gap = logit(x) - logit(torch.zeros_like(x))
>>> bool(torch.allclose(ig.sum(dim=(1, 2, 3)), gap, atol=0.05))
True
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

__all__ = [
    "gradient_x_input",
    "integrated_gradients",
    "integration_points",
    "occlusion",
    "saliency",
    "target_logit",
]

METHODS = ("riemann_left", "riemann_right", "riemann_middle", "gausslegendre")


def _check(model, x, target, where: str) -> torch.Tensor:
    """Validate the common arguments; return the targets as an int64 tensor, one per input."""
    if not isinstance(model, nn.Module):
        raise TypeError(f"{where}: model must be a torch.nn.Module, got {type(model).__name__}")
    if not torch.is_tensor(x) or not x.is_floating_point():
        raise TypeError(f"{where}: x must be a floating-point tensor (a batch of inputs)")
    if x.ndim < 2 or len(x) == 0:
        raise ValueError(
            f"{where}: x must be a non-empty batch with the samples along the first axis, "
            f"got shape {tuple(x.shape)}"
        )
    if isinstance(target, bool):
        raise TypeError(f"{where}: target must be an int or an int64 tensor, got a bool")
    if isinstance(target, (int, np.integer)):
        target = torch.full((len(x),), int(target), dtype=torch.int64)
    if not torch.is_tensor(target) or target.dtype != torch.int64 or target.shape != (len(x),):
        raise ValueError(
            f"{where}: target must be a class index or an int64 tensor of {len(x)} class "
            f"indices, one per input"
        )
    return target


def target_logit(model: nn.Module, x: torch.Tensor, target) -> torch.Tensor:
    """The output ``f(x)`` that the maps explain: the logit of class ``target`` per input.

    Taught in: Chapter 7, Frontiers (``04_explainability``).

    Parameters
    ----------
    model : torch.nn.Module
        Maps a batch ``(n, ...)`` to logits ``(n, classes)``.
    x : torch.Tensor
        A batch of inputs.
    target : int or torch.Tensor
        The class to explain: one index for all inputs, or an int64 tensor of ``n``.

    Returns
    -------
    torch.Tensor
        Shape ``(n,)``: ``model(x)[i, target[i]]`` (attached to the graph, so it can be
        differentiated).
    """
    target = _check(model, x, target, "target_logit")
    out = model(x)
    if out.ndim != 2 or not (0 <= int(target.min()) and int(target.max()) < out.shape[1]):
        raise ValueError(
            f"target_logit: the model gave outputs of shape {tuple(out.shape)}; targets must "
            f"index its second axis"
        )
    return out.gather(1, target[:, None])[:, 0]


def _gradient(model, x, target):
    x = x.detach().clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(target_logit(model, x, target).sum(), x)
    return grad


def saliency(model: nn.Module, x: torch.Tensor, target) -> torch.Tensor:
    """The saliency map: ``|d f(x) / d x|``, the absolute gradient of the target logit.

    Taught in: Chapter 7, Frontiers (``04_explainability``); Simonyan, Vedaldi and
    Zisserman (2014). Captum's ``Saliency(model).attribute(x, target=target)`` (its default
    ``abs=True``) gives the same map.

    Parameters
    ----------
    model, x, target
        As in :func:`target_logit`.

    Returns
    -------
    torch.Tensor
        Shaped like ``x``, non-negative, detached.
    """
    _check(model, x, target, "saliency")
    return _gradient(model, x, target).abs()


def gradient_x_input(model: nn.Module, x: torch.Tensor, target) -> torch.Tensor:
    """Gradient times input: ``x * d f(x) / d x``, with its sign.

    Taught in: Chapter 7, Frontiers (``04_explainability``). Captum's ``InputXGradient``
    gives the same map. For a linear ``f(x) = w.x`` the values add up to ``f(x)`` (each is
    one term of the dot product); for a network they are a first-order approximation.

    Parameters
    ----------
    model, x, target
        As in :func:`target_logit`.

    Returns
    -------
    torch.Tensor
        Shaped like ``x``, detached.
    """
    _check(model, x, target, "gradient_x_input")
    return x.detach() * _gradient(model, x, target)


def integration_points(steps: int, method: str = "riemann_middle"):
    """Points ``alpha`` in ``[0, 1]`` and weights of a rule for integrating over ``[0, 1]``.

    Taught in: Chapter 7, Frontiers (``04_explainability``).

    Parameters
    ----------
    steps : int
        Number of points (at least 1).
    method : str, default "riemann_middle"
        ``"riemann_left"`` (``alpha = k / m`` for ``k = 0 .. m-1``), ``"riemann_right"``
        (``k = 1 .. m``, the sum in Sundararajan et al.), ``"riemann_middle"``
        (``(k + 1/2) / m``), each with weights ``1 / m``; or ``"gausslegendre"`` (the
        Gauss-Legendre nodes and weights, Captum's default).

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        The points and the weights (which add up to 1).
    """
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
        raise ValueError(f"integration_points: steps must be a positive int, got {steps!r}")
    if method not in METHODS:
        raise ValueError(f"integration_points: method must be one of {METHODS}, got {method!r}")
    k = np.arange(steps, dtype=np.float64)
    if method == "gausslegendre":
        nodes, weights = np.polynomial.legendre.leggauss(steps)
        return (nodes + 1) / 2, weights / 2
    offset = {"riemann_left": 0.0, "riemann_right": 1.0, "riemann_middle": 0.5}[method]
    return (k + offset) / steps, np.full(steps, 1.0 / steps)


def integrated_gradients(
    model: nn.Module,
    x: torch.Tensor,
    target,
    baseline: torch.Tensor | float = 0.0,
    steps: int = 50,
    method: str = "riemann_middle",
) -> torch.Tensor:
    """Integrated gradients: ``(x - x0) * mean of the gradients on the path from x0 to x``.

    Taught in: Chapter 7, Frontiers (``04_explainability``); Sundararajan, Taly and Yan
    (2017). For input value ``i``,

    ``IG_i = (x_i - x0_i) * integral over alpha in [0, 1] of df/dx_i (x0 + alpha (x - x0))``,

    approximated by a weighted sum over ``steps`` points (:func:`integration_points`). By
    the fundamental theorem of calculus for path integrals the exact values add up to
    ``f(x) - f(x0)`` (completeness); the sum's error shrinks as ``steps`` grows. Captum's
    ``IntegratedGradients(model).attribute(x, baselines=x0, target=target,
    n_steps=steps, method=method)`` computes the same (up to its float32 points).

    Parameters
    ----------
    model, x, target
        As in :func:`target_logit`.
    baseline : torch.Tensor or float, default 0.0
        The reference input ``x0`` (for digits, a blank image): a number, or a tensor
        shaped like ``x`` or like one input.
    steps : int, default 50
        Number of points on the path.
    method : str, default "riemann_middle"
        The integration rule, see :func:`integration_points`.

    Returns
    -------
    torch.Tensor
        Shaped like ``x``, detached.
    """
    target = _check(model, x, target, "integrated_gradients")
    alphas, weights = integration_points(steps, method)
    x = x.detach()
    x0 = torch.as_tensor(baseline, dtype=x.dtype, device=x.device).expand_as(x)
    total = torch.zeros_like(x)
    for alpha, weight in zip(alphas, weights, strict=True):
        total += weight * _gradient(model, x0 + float(alpha) * (x - x0), target)
    return (x - x0) * total


def occlusion(
    model: nn.Module,
    x: torch.Tensor,
    target,
    window: int = 2,
    stride: int = 1,
    baseline: float = 0.0,
) -> torch.Tensor:
    """Occlusion: how much the target logit drops when a square patch is blanked out.

    Taught in: Chapter 7, Frontiers (``04_explainability``); Zeiler and Fergus (2014).

    A ``window`` x ``window`` patch slides over the last two axes (all channels at once)
    with step ``stride``; at each position the patch is set to ``baseline`` and the drop
    ``f(x) - f(x occluded)`` is added to every value under the patch. Each value's total is
    divided by the number of patches that covered it. Like Captum's ``Occlusion`` with
    ``sliding_window_shapes=(channels, window, window)``, ``strides=(channels, stride,
    stride)`` and ``baselines=baseline``, the last patch in a row may hang over the edge.
    No gradients are used: only forward passes, ``ceil((h - window) / stride) + 1`` per
    row of patches.

    Parameters
    ----------
    model, x, target
        As in :func:`target_logit`; ``x`` has shape ``(n, channels, height, width)``.
    window : int, default 2
        Side of the square patch.
    stride : int, default 1
        Step between patch positions.
    baseline : float, default 0.0
        The value a blanked-out input gets (0 is blank paper for the digits).

    Returns
    -------
    torch.Tensor
        Shaped like ``x``, detached. Positive where blanking the input lowers the logit.
    """
    target = _check(model, x, target, "occlusion")
    if x.ndim != 4:
        raise ValueError(
            f"occlusion: x must have shape (n, channels, height, width), got {tuple(x.shape)}"
        )
    height, width = x.shape[-2:]
    for name, value in (("window", window), ("stride", stride)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"occlusion: {name} must be a positive int, got {value!r}")
    if window > min(height, width):
        raise ValueError(f"occlusion: window {window} is larger than the image {height}x{width}")
    x = x.detach()
    total, covered = torch.zeros_like(x), torch.zeros_like(x)
    with torch.no_grad():
        reference = target_logit(model, x, target)
        for i in range(0, stride * math.ceil((height - window) / stride) + 1, stride):
            for j in range(0, stride * math.ceil((width - window) / stride) + 1, stride):
                patch = (Ellipsis, slice(i, i + window), slice(j, j + window))
                occluded = x.clone()
                occluded[patch] = baseline
                drop = reference - target_logit(model, occluded, target)
                total[patch] += drop.reshape(-1, *[1] * (x.ndim - 1))
                covered[patch] += 1
    return total / covered
