"""Adversarial examples: the fast gradient sign method, projected gradient descent, and
mini-batches of adversarial examples for adversarial training.

Taught in: Chapter 7, Frontiers (``03_adversarial``).

An attack gets a classifier ``model`` (images in, logits out), a batch of images ``x`` with
pixels in ``[0, 1]`` and their true labels ``y``, and a budget ``eps``. It returns images
``x_adv`` that stay within ``eps`` of ``x`` in every pixel (the L-infinity ball,
``|x_adv - x| <= eps``) and inside the valid pixel range, chosen to *increase* the model's
loss on the true labels.

- :func:`fgsm`: one step of size ``eps`` along the sign of the input gradient (Goodfellow
  et al., 2015).
- :func:`pgd`: several smaller signed steps, each followed by a projection back onto the
  ``eps``-ball and the pixel range (Madry et al., 2018). One step of size ``eps`` from
  ``x`` is exactly :func:`fgsm`.
- :func:`adversarial_batches`: a ``DataLoader`` whose mini-batches are attacked against the
  model's *current* weights as they are drawn, so that :func:`nnlib.torch.train.fit` does
  adversarial training without a second training loop.

The attacks use the model in whatever mode it is in (call ``model.eval()`` first to attack
a trained model), compute input gradients with :func:`torch.autograd.grad` (the parameters'
``.grad`` are left untouched), and return detached tensors.

Examples
--------
>>> from nnlib.torch.models import digits_cnn
>>> model = digits_cnn().eval()
>>> x, y = torch.rand(4, 1, 8, 8), torch.tensor([0, 1, 2, 3])
>>> x_adv = pgd(model, x, y, eps=0.1, steps=5)
>>> bool((x_adv - x).abs().max() <= 0.1 + 1e-6)
True
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

__all__ = ["adversarial_batches", "fgsm", "input_gradient", "pgd"]


def _check_number(value, name: str, where: str, positive: bool) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{where}: {name} must be a number, got {value!r}")
    if value < 0 or (positive and value == 0) or value != value:
        kind = "positive" if positive else "non-negative"
        raise ValueError(f"{where}: {name} must be {kind}, got {value!r}")
    return float(value)


def _check_inputs(model, x, y, bounds, where: str) -> None:
    if not isinstance(model, nn.Module):
        raise TypeError(f"{where}: model must be a torch.nn.Module, got {type(model).__name__}")
    if not torch.is_tensor(x) or not x.is_floating_point():
        raise TypeError(f"{where}: x must be a floating-point tensor (a batch of inputs)")
    if x.ndim < 2:
        raise ValueError(
            f"{where}: x must be a batch with the samples along the first axis, "
            f"got shape {tuple(x.shape)}"
        )
    if not torch.is_tensor(y) or y.dtype != torch.int64 or y.shape != x.shape[:1]:
        raise ValueError(
            f"{where}: y must be an int64 tensor of {len(x)} labels, one per input; "
            f"got {type(y).__name__} {getattr(y, 'dtype', '')} {tuple(getattr(y, 'shape', ()))}"
        )
    if bounds is not None:
        low, high = bounds
        if not low < high:
            raise ValueError(f"{where}: bounds must be (low, high) with low < high, got {bounds}")
        if x.min() < low or x.max() > high:
            raise ValueError(
                f"{where}: x has values outside bounds {tuple(bounds)} "
                f"(from {float(x.min()):.3g} to {float(x.max()):.3g})"
            )


def input_gradient(model: nn.Module, x: torch.Tensor, y: torch.Tensor, loss_fn=None):
    """The gradient of the loss with respect to the inputs, and the loss.

    Taught in: Chapter 7, Frontiers (``03_adversarial``).

    Parameters
    ----------
    model : torch.nn.Module
        Maps ``x`` to logits.
    x : torch.Tensor
        A batch of inputs.
    y : torch.Tensor
        Their int64 labels.
    loss_fn : callable, optional
        ``loss_fn(model(x), y)``; by default the cross-entropy *summed* over the batch, so
        that each input's gradient is that of its own loss (not divided by the batch size).

    Returns
    -------
    (torch.Tensor, float)
        The gradient, shaped like ``x`` and detached, and the loss's value.
    """
    x = x.detach().clone().requires_grad_(True)
    out = model(x)
    if loss_fn is None:
        loss = nn.functional.cross_entropy(out, y, reduction="sum")
    else:
        loss = loss_fn(out, y)
    (grad,) = torch.autograd.grad(loss, x)
    return grad, float(loss.detach())


def _project(x_adv, x, eps, bounds):
    x_adv = torch.maximum(torch.minimum(x_adv, x + eps), x - eps)
    return x_adv if bounds is None else x_adv.clamp(*bounds)


def fgsm(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    eps: float,
    loss_fn: Callable | None = None,
    bounds: tuple[float, float] | None = (0.0, 1.0),
) -> torch.Tensor:
    """The fast gradient sign method: one step of size ``eps`` that increases the loss.

    Taught in: Chapter 7, Frontiers (``03_adversarial``).

    ``x_adv = clip(x + eps * sign(grad_x loss(model(x), y)), *bounds)``. The sign makes every
    pixel move by the whole budget, the largest change allowed in the L-infinity ball, in the
    direction that raises the loss to first order.

    Parameters
    ----------
    model : torch.nn.Module
        The classifier under attack (used in its current mode).
    x : torch.Tensor
        Inputs, shape ``(n, ...)``, with values inside ``bounds``.
    y : torch.Tensor
        True int64 labels, shape ``(n,)``.
    eps : float
        The budget: no input value moves by more than ``eps``.
    loss_fn : callable, optional
        The loss to increase, as in :func:`input_gradient` (default: cross-entropy).
    bounds : (float, float) or None, default (0.0, 1.0)
        The valid range of the inputs (pixels); ``None`` for no clipping.

    Returns
    -------
    torch.Tensor
        The adversarial inputs, detached, shaped like ``x``.
    """
    _check_inputs(model, x, y, bounds, "fgsm")
    eps = _check_number(eps, "eps", "fgsm", positive=False)
    grad, _ = input_gradient(model, x, y, loss_fn)
    x_adv = x.detach() + eps * grad.sign()
    return x_adv if bounds is None else x_adv.clamp(*bounds)


def pgd(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    eps: float,
    step: float | None = None,
    steps: int = 10,
    random_start: bool = False,
    loss_fn: Callable | None = None,
    bounds: tuple[float, float] | None = (0.0, 1.0),
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Projected gradient descent (on the negative loss) in the L-infinity ball.

    Taught in: Chapter 7, Frontiers (``03_adversarial``).

    Start at ``x`` (or, with ``random_start``, at a uniformly random point of the ball), then
    ``steps`` times: move by ``step`` along the sign of the input gradient, and project back
    onto the ball (clip to ``[x - eps, x + eps]``) and the pixel range (clip to ``bounds``).
    With ``steps=1``, ``step=eps`` and no random start it is exactly :func:`fgsm`.

    Parameters
    ----------
    model, x, y, eps, loss_fn, bounds
        As in :func:`fgsm`.
    step : float, optional
        The size of one step; by default ``2.5 * eps / steps`` (Madry et al.), so the
        steps together can cross the ball and back.
    steps : int, default 10
        Number of gradient steps.
    random_start : bool, default False
        Start from a random point of the ball instead of ``x``.
    generator : torch.Generator, optional
        The random generator for the random start (seeded: the same attack every run).

    Returns
    -------
    torch.Tensor
        The adversarial inputs, detached, shaped like ``x``.
    """
    _check_inputs(model, x, y, bounds, "pgd")
    eps = _check_number(eps, "eps", "pgd", positive=False)
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ValueError(f"pgd: steps must be a positive int, got {steps!r}")
    step = 2.5 * eps / steps if step is None else _check_number(step, "step", "pgd", True)
    x = x.detach()
    x_adv = x.clone()
    if random_start:
        noise = torch.rand(x.shape, generator=generator, dtype=x.dtype, device=x.device)
        x_adv = _project(x + (2 * noise - 1) * eps, x, eps, bounds)
    for _ in range(steps):
        grad, _ = input_gradient(model, x_adv, y, loss_fn)
        x_adv = _project(x_adv + step * grad.sign(), x, eps, bounds)
    return x_adv


class _AttackedBatches:
    """``collate_fn`` that stacks a mini-batch and replaces part of it by attacked inputs."""

    def __init__(self, model, attack, fraction):
        self.model, self.attack, self.fraction = model, attack, fraction

    def __call__(self, items):
        x = torch.stack([item[0] for item in items])
        y = torch.stack([item[1] for item in items])
        n_attacked = round(self.fraction * len(x))
        if n_attacked:
            x = x.clone()
            x[:n_attacked] = self.attack(self.model, x[:n_attacked], y[:n_attacked])
        return x, y


def adversarial_batches(
    model: nn.Module,
    X: torch.Tensor,
    y: torch.Tensor,
    attack: Callable,
    fraction: float = 1.0,
    batch_size: int = 32,
    rng: int = 0,
) -> DataLoader:
    """Shuffled mini-batches in which a share of the inputs is attacked as it is drawn.

    Taught in: Chapter 7, Frontiers (``03_adversarial``).

    Adversarial training (Goodfellow et al., 2015; Madry et al., 2018) minimises the loss
    on attacked inputs, and the attack must target the weights *as they are now*, not as
    they were at the start of the epoch. This loader does it where a loader can: its
    ``collate_fn`` runs ``attack(model, x, y)`` on each new mini-batch just before the
    training step that uses it. Pass it to :func:`nnlib.torch.train.fit` as the data
    (``fit(model, loss, opt, adversarial_batches(model, X, y, attack), epochs=...)``).

    Parameters
    ----------
    model : torch.nn.Module
        The model being trained (the same object the optimizer updates).
    X, y : torch.Tensor
        Training inputs (values inside the attack's bounds) and int64 labels.
    attack : callable
        ``attack(model, x, y) -> x_adv``, such as
        ``functools.partial(pgd, eps=0.1, steps=5)``.
    fraction : float, default 1.0
        The share of each mini-batch that is attacked (the first ones of the shuffled
        batch); the rest stays clean. Goodfellow et al. mixed half and half.
    batch_size : int, default 32
    rng : int, default 0
        Seed of the shuffling.

    Returns
    -------
    torch.utils.data.DataLoader
        Yields ``(x, y)`` pairs; ``num_workers=0``, so the attack runs in this process.
    """
    if not callable(attack):
        raise TypeError(f"adversarial_batches: attack must be callable, got {attack!r}")
    _check_inputs(model, X, y, None, "adversarial_batches")
    fraction = _check_number(fraction, "fraction", "adversarial_batches", positive=False)
    if fraction > 1:
        raise ValueError(f"adversarial_batches: fraction must be at most 1, got {fraction}")
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(
            f"adversarial_batches: batch_size must be a positive int, got {batch_size!r}"
        )
    return DataLoader(
        TensorDataset(X, y),
        batch_size=batch_size,
        shuffle=True,
        generator=torch.Generator().manual_seed(rng),
        collate_fn=_AttackedBatches(model, attack, fraction),
        num_workers=0,
    )
