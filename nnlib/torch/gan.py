"""Generative adversarial networks: two networks, two losses, one alternating loop.

Taught in: Chapter 5, Architectures (GANs).

A *generator* :math:`G` turns random noise :math:`z` into samples; a *discriminator*
:math:`D` gives each point a logit, high for "real data", low for "made by G". They are
trained against each other (Goodfellow et al., 2014), one step each in turn:

1. **D's step**: push :math:`D(x)` up on a batch of real data and :math:`D(G(z))` down on a
   batch of fakes (G is not changed: its samples are detached);
2. **G's step**: change G so that D calls its fakes real (D is frozen for this step).

This is why the GAN loop is not :func:`nnlib.torch.train.fit`: ``fit`` minimises *one*
loss of *one* model with *one* optimizer, while a GAN step minimises two different losses
of two models with two optimizers, and each must leave the other model alone.
:func:`gan_step` is one such step and :func:`train_gan` repeats it.

Measures of how well the samples match the data: :func:`mmd` (maximum mean discrepancy,
any data) and :func:`mode_coverage` (for a mixture of Gaussians, such as
:func:`ring_of_gaussians`). Both compute in float64, so they give the same digits on every
CPU.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn
from torch.nn.functional import binary_cross_entropy_with_logits as bce_logits

from nnlib.torch.autoencoder import mlp

__all__ = [
    "Coverage",
    "GANHistory",
    "discriminator",
    "discriminator_loss",
    "gan_step",
    "generator",
    "generator_loss",
    "mmd",
    "mode_coverage",
    "ring_centers",
    "ring_of_gaussians",
    "sample",
    "train_gan",
]


def _positive_int(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer; got {value!r}")
    return int(value)


# ---------------------------------------------------------------------------------------------
# Data: a ring of Gaussians
# ---------------------------------------------------------------------------------------------


def ring_centers(modes: int = 8, radius: float = 2.0) -> np.ndarray:
    """The centres of ``modes`` Gaussians evenly spaced on a circle, shape ``(modes, 2)``.

    Taught in: Chapter 5, Architectures (GANs).
    """
    modes = _positive_int(modes, "ring_centers: modes")
    angles = 2 * np.pi * np.arange(modes) / modes
    return radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)


def ring_of_gaussians(
    n: int, modes: int = 8, radius: float = 2.0, std: float = 0.05, rng: int = 0
) -> torch.Tensor:
    """``n`` points from an equal mixture of Gaussians on a ring: a GAN's standard toy data.

    Taught in: Chapter 5, Architectures (GANs).

    Parameters
    ----------
    n : int
        Number of points.
    modes : int, default 8
        Number of Gaussians (the *modes* of the distribution).
    radius : float, default 2.0
        Radius of the circle the centres lie on.
    std : float, default 0.05
        Standard deviation of each Gaussian (the same in every direction).
    rng : int, default 0
        Seed.

    Returns
    -------
    torch.Tensor of shape (n, 2), float32
    """
    n = _positive_int(n, "ring_of_gaussians: n")
    if not std > 0:
        raise ValueError(f"ring_of_gaussians: std must be positive; got {std!r}")
    gen = np.random.default_rng(rng)
    centers = ring_centers(modes, radius)
    points = centers[gen.integers(0, modes, n)] + std * gen.normal(size=(n, 2))
    return torch.tensor(points, dtype=torch.float32)


# ---------------------------------------------------------------------------------------------
# The two networks
# ---------------------------------------------------------------------------------------------


def generator(noise_size: int = 2, hidden=(128, 128), n_outputs: int = 2) -> nn.Sequential:
    """A generator: an MLP from noise :math:`z \\sim \\mathcal N(0, I)` to a sample.

    Taught in: Chapter 5, Architectures (GANs).

    Parameters
    ----------
    noise_size : int, default 2
        Dimensions of the noise :math:`z`.
    hidden : sequence of int, default (128, 128)
        Hidden widths (ReLU between layers).
    n_outputs : int, default 2
        Dimensions of a sample.
    """
    return mlp([noise_size, *hidden, n_outputs], nn.ReLU)


def discriminator(n_inputs: int = 2, hidden=(128, 128)) -> nn.Sequential:
    """A discriminator: an MLP from a sample to one logit, high for "real".

    Taught in: Chapter 5, Architectures (GANs).

    Parameters
    ----------
    n_inputs : int, default 2
        Dimensions of a sample.
    hidden : sequence of int, default (128, 128)
        Hidden widths (leaky ReLU between layers, so that fakes far from the data still get
        a gradient).
    """
    return mlp([n_inputs, *hidden, 1], lambda: nn.LeakyReLU(0.2))


def _noise_size(G: nn.Module) -> int:
    for m in G.modules():
        if isinstance(m, nn.Linear):
            return m.in_features
    raise TypeError("the generator must contain an nn.Linear layer (its input size is z's size)")


def sample(G: nn.Module, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
    """``n`` samples of generator ``G`` in evaluation mode, without a graph.

    Taught in: Chapter 5, Architectures (GANs).
    """
    n = _positive_int(n, "sample: n")
    p = next(G.parameters())
    z = torch.randn(n, _noise_size(G), generator=generator, dtype=p.dtype)
    was_training = G.training
    G.eval()
    try:
        with torch.no_grad():
            return G(z)
    finally:
        G.train(was_training)


# ---------------------------------------------------------------------------------------------
# The losses and one training step
# ---------------------------------------------------------------------------------------------


def discriminator_loss(real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
    """The discriminator's loss: binary cross-entropy with "real" = 1 and "fake" = 0.

    Taught in: Chapter 5, Architectures (GANs).

    .. math::

        L_D = -\\operatorname{mean}_x \\log \\sigma(D(x))
              - \\operatorname{mean}_z \\log\\big(1 - \\sigma(D(G(z)))\\big)

    Parameters
    ----------
    real_logits, fake_logits : torch.Tensor
        D's logits on a batch of real data and on a batch of fakes.
    """
    real = bce_logits(real_logits, torch.ones_like(real_logits))
    fake = bce_logits(fake_logits, torch.zeros_like(fake_logits))
    return real + fake


def generator_loss(fake_logits: torch.Tensor, saturating: bool = False) -> torch.Tensor:
    """The generator's loss on D's logits for its fakes.

    Taught in: Chapter 5, Architectures (GANs).

    The *non-saturating* loss (the default, used in practice):
    :math:`L_G = -\\operatorname{mean}_z \\log \\sigma(D(G(z)))`, "make D call the fakes
    real". The original minimax game asks G to *minimise*
    :math:`\\operatorname{mean}_z \\log(1 - \\sigma(D(G(z))))` (``saturating=True``), whose
    gradient vanishes exactly when D confidently rejects the fakes, early in training.
    """
    if saturating:
        return -bce_logits(fake_logits, torch.zeros_like(fake_logits))
    return bce_logits(fake_logits, torch.ones_like(fake_logits))


def gan_step(
    G: nn.Module,
    D: nn.Module,
    opt_g: torch.optim.Optimizer,
    opt_d: torch.optim.Optimizer,
    real: torch.Tensor,
    generator: torch.Generator | None = None,
    saturating: bool = False,
) -> tuple[float, float]:
    """One round of GAN training: a step of the discriminator, then one of the generator.

    Taught in: Chapter 5, Architectures (GANs).

    Parameters
    ----------
    G, D : torch.nn.Module
        The generator (noise to samples) and the discriminator (samples to one logit each).
    opt_g, opt_d : torch.optim.Optimizer
        Their optimizers: ``opt_g`` holds G's parameters only, ``opt_d`` D's only.
    real : torch.Tensor of shape (n, features)
        A batch of real data; G makes a batch of fakes of the same size.
    generator : torch.Generator, optional
        The source of the noise (torch's global generator by default).
    saturating : bool, default False
        Use the original minimax loss for G instead of the non-saturating one
        (:func:`generator_loss`).

    Returns
    -------
    (float, float)
        The discriminator's loss and the generator's loss of this step.
    """
    if real.ndim != 2:
        raise ValueError(
            f"gan_step: real must be a batch of shape (n, features); got {tuple(real.shape)}"
        )
    own_g = {id(p) for p in G.parameters()}
    if any(id(p) in own_g for group in opt_d.param_groups for p in group["params"]):
        raise ValueError("gan_step: opt_d holds generator parameters; give it D's only")
    own_d = {id(p) for p in D.parameters()}
    if any(id(p) in own_d for group in opt_g.param_groups for p in group["params"]):
        raise ValueError("gan_step: opt_g holds discriminator parameters; give it G's only")
    z_size, n = _noise_size(G), len(real)

    # 1. The discriminator: real up, fake down. detach() keeps G out of this step's graph.
    fake = G(torch.randn(n, z_size, generator=generator, dtype=real.dtype))
    opt_d.zero_grad()
    d_loss = discriminator_loss(D(real), D(fake.detach()))
    d_loss.backward()
    opt_d.step()

    # 2. The generator: make D call new fakes real. D is frozen: its gradients are not needed.
    D.requires_grad_(False)
    try:
        opt_g.zero_grad()
        fake = G(torch.randn(n, z_size, generator=generator, dtype=real.dtype))
        g_loss = generator_loss(D(fake), saturating=saturating)
        g_loss.backward()
        opt_g.step()
    finally:
        D.requires_grad_(True)
    return d_loss.item(), g_loss.item()


@dataclass
class GANHistory:
    """What happened while training a GAN: both losses at every step, and snapshots.

    Taught in: Chapter 5, Architectures (GANs).

    Attributes
    ----------
    d_loss, g_loss : list of float
        The discriminator's and the generator's loss at each step.
    snapshots : dict of int to torch.Tensor
        Samples of G (the same noise each time) after the steps listed, if requested.
    """

    d_loss: list[float] = field(default_factory=list)
    g_loss: list[float] = field(default_factory=list)
    snapshots: dict[int, torch.Tensor] = field(default_factory=dict)

    @property
    def steps(self) -> int:
        """Number of steps run."""
        return len(self.d_loss)


def train_gan(
    G: nn.Module,
    D: nn.Module,
    opt_g: torch.optim.Optimizer,
    opt_d: torch.optim.Optimizer,
    data: torch.Tensor,
    steps: int = 2000,
    batch_size: int = 128,
    rng: int = 0,
    snapshot_at=(),
    snapshot_size: int = 1000,
    saturating: bool = False,
) -> GANHistory:
    """Train a GAN: ``steps`` rounds of :func:`gan_step` on random batches of ``data``.

    Taught in: Chapter 5, Architectures (GANs).

    Parameters
    ----------
    G, D, opt_g, opt_d
        As for :func:`gan_step`.
    data : torch.Tensor of shape (n, features)
        The real samples; each step draws ``batch_size`` of them at random.
    steps : int, default 2000
        Rounds of training (one D step and one G step each).
    batch_size : int, default 128
    rng : int, default 0
        Seed for the batches and the noise (the weights use torch's global generator:
        seed it with :func:`nnlib.torch.setup.reproducible` before building G and D).
    snapshot_at : iterable of int, default ()
        Steps after which to keep ``snapshot_size`` samples of G, all from the same noise
        (0 means before training).
    snapshot_size : int, default 1000
    saturating : bool, default False
        G's loss; see :func:`generator_loss`.

    Returns
    -------
    GANHistory
    """
    if not isinstance(data, torch.Tensor) or data.ndim != 2:
        raise ValueError("train_gan: data must be a tensor of shape (n, features)")
    steps = _positive_int(steps, "train_gan: steps")
    batch_size = _positive_int(batch_size, "train_gan: batch_size")
    gen = torch.Generator().manual_seed(int(rng))
    fixed_z = torch.randn(snapshot_size, _noise_size(G), generator=gen, dtype=data.dtype)
    wanted = {int(s) for s in snapshot_at}
    history = GANHistory()

    def snapshot(step: int) -> None:
        if step in wanted:
            with torch.no_grad():
                history.snapshots[step] = G(fixed_z).detach().clone()

    G.train()
    D.train()
    snapshot(0)
    for step in range(1, steps + 1):
        idx = torch.randint(0, len(data), (batch_size,), generator=gen)
        d_loss, g_loss = gan_step(G, D, opt_g, opt_d, data[idx], gen, saturating)
        if not (math.isfinite(d_loss) and math.isfinite(g_loss)):
            raise FloatingPointError(f"train_gan: a loss became non-finite at step {step}")
        history.d_loss.append(d_loss)
        history.g_loss.append(g_loss)
        snapshot(step)
    G.eval()
    D.eval()
    return history


# ---------------------------------------------------------------------------------------------
# How close are the samples to the data?
# ---------------------------------------------------------------------------------------------


def _as_points(x, name: str) -> np.ndarray:
    if isinstance(x, torch.Tensor):
        x = x.detach().cpu().numpy()
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim != 2 or len(arr) == 0:
        raise ValueError(f"{name} must be a non-empty array of shape (n, d); got {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinity")
    return arr


def mmd(x, y, bandwidth: float = 0.5) -> float:
    """The squared maximum mean discrepancy between two samples, Gaussian kernel, float64.

    Taught in: Chapter 5, Architectures (GANs).

    With :math:`k(a, b) = \\exp(-\\lVert a - b\\rVert^2 / (2h^2))`,

    .. math::

        \\mathrm{MMD}^2 = \\overline{k(x, x')} + \\overline{k(y, y')} - 2\\,\\overline{k(x, y)},

    the means over all pairs (the biased estimate, with the diagonal). It is zero when
    the two samples are the same and grows as their distributions part; the bandwidth
    :math:`h` sets the distance scale it compares at.

    Parameters
    ----------
    x, y : array_like or torch.Tensor of shapes (n, d) and (m, d)
    bandwidth : float, default 0.5
    """
    a, b = _as_points(x, "mmd: x"), _as_points(y, "mmd: y")
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"mmd: x and y must have the same dimension; got {a.shape} and {b.shape}")
    if not bandwidth > 0:
        raise ValueError(f"mmd: bandwidth must be positive; got {bandwidth!r}")

    def mean_kernel(p, q):
        sq = (p**2).sum(1)[:, None] + (q**2).sum(1)[None, :] - 2 * p @ q.T
        return np.exp(-np.maximum(sq, 0) / (2 * bandwidth**2)).mean()

    return float(mean_kernel(a, a) + mean_kernel(b, b) - 2 * mean_kernel(a, b))


@dataclass(frozen=True)
class Coverage:
    """How a sample covers the modes of a Gaussian mixture (see :func:`mode_coverage`).

    Attributes
    ----------
    modes : int
        Modes that received at least their share ``min_share`` of the samples.
    shares : numpy.ndarray
        The fraction of samples near each mode (within ``radius`` standard deviations).
    quality : float
        The fraction of samples near some mode ("high-quality" samples).
    """

    modes: int
    shares: np.ndarray
    quality: float


def mode_coverage(samples, centers, std: float, radius: float = 3.0, min_share=None) -> Coverage:
    """Count the modes of a Gaussian mixture that a sample covers.

    Taught in: Chapter 5, Architectures (GANs).

    A sample point is *near* a mode if it lies within ``radius`` standard deviations of the
    mode's centre. A mode is *covered* if at least ``min_share`` of the samples are near it
    (by default a quarter of its fair share, ``1 / (4 K)`` for ``K`` modes), so that a few
    stray points do not count as covering a mode.

    Parameters
    ----------
    samples : array_like or torch.Tensor of shape (n, d)
    centers : array_like of shape (K, d)
        The centres of the modes (:func:`ring_centers`).
    std : float
        The standard deviation of each mode.
    radius : float, default 3.0
        In standard deviations.
    min_share : float, optional
        The fraction of samples a mode needs to count as covered.

    Returns
    -------
    Coverage
    """
    pts, ctr = _as_points(samples, "mode_coverage: samples"), _as_points(centers, "centers")
    if pts.shape[1] != ctr.shape[1]:
        raise ValueError(
            f"mode_coverage: samples have {pts.shape[1]} dimensions, centers {ctr.shape[1]}"
        )
    if not std > 0:
        raise ValueError(f"mode_coverage: std must be positive; got {std!r}")
    k = len(ctr)
    min_share = 1 / (4 * k) if min_share is None else float(min_share)
    dist = np.sqrt(((pts[:, None, :] - ctr[None, :, :]) ** 2).sum(-1))  # (n, K)
    nearest = dist.argmin(1)
    near = dist[np.arange(len(pts)), nearest] <= radius * std
    shares = np.bincount(nearest[near], minlength=k) / len(pts)
    return Coverage(int((shares >= min_share).sum()), shares, float(near.mean()))
