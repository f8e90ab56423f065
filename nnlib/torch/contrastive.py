"""Contrastive self-supervised learning (SimCLR): augmented views and the NT-Xent loss.

Taught in: Chapter 7, Frontiers (``02_self_supervised``).

SimCLR learns features from unlabelled images. Each image in a batch is augmented twice
(two random *views*); a network maps every view to a vector; and the loss asks each view to
be more similar to the other view of its own image (its *positive*) than to the views of
every other image in the batch (the *negatives*). With ``2N`` views of ``N`` images,
normalised outputs :math:`z_i`, the cosine similarity :math:`s_{ij} = z_i^\\top z_j` and a
temperature :math:`\\tau`, the NT-Xent loss (normalised temperature-scaled cross-entropy) of
a positive pair :math:`(i, j)` is

.. math::

    \\ell_{i,j} = -\\log \\frac{\\exp(s_{ij} / \\tau)}{\\sum_{k \\ne i} \\exp(s_{ik} / \\tau)},

and the loss is the mean of :math:`\\ell` over all ``2N`` views, each with its own positive.
It is a cross-entropy over ``2N - 1`` candidates, the InfoNCE loss of contrastive predictive
coding.

- :func:`augment`: random crops (zoom), shifts and noise for small image batches, written
  with tensor operations (``affine_grid`` and ``grid_sample``), since torchvision is not
  used in this course;
- :func:`nt_xent`: the loss, from the formula above;
- :class:`SimCLR`: encoder + projection head that returns the projections of two views of
  a batch, so that the course's ``fit`` trains it with :class:`NTXentLoss`.

References: Chen et al. (2020), "A Simple Framework for Contrastive Learning of Visual
Representations"; van den Oord et al. (2018), "Representation Learning with Contrastive
Predictive Coding".
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

__all__ = ["NTXentLoss", "SimCLR", "augment", "nt_xent"]


def _check_images(x, where: str) -> None:
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{where}: expected a torch.Tensor of images; got {type(x).__name__}")
    if x.ndim != 4:
        raise ValueError(
            f"{where}: expected images of shape (batch, channels, height, width); "
            f"got shape {tuple(x.shape)}"
        )
    if not x.is_floating_point():
        raise TypeError(f"{where}: expected floating-point images; got {x.dtype}")


def augment(
    x: torch.Tensor,
    min_scale: float = 0.7,
    max_shift: float = 1.0,
    noise: float = 0.1,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """A random view of every image in a batch: a crop zoomed back to full size, a shift and
    added noise, drawn independently per image.

    Taught in: Chapter 7, Frontiers (self-supervised learning).

    The crop keeps a square of side ``scale * size`` (``scale`` uniform in
    ``[min_scale, 1]``) and stretches it to the full image (bilinear interpolation); the
    shift moves the result by up to ``max_shift`` pixels in each direction (uniform, so
    fractions of a pixel too), filling with zeros; the noise is Gaussian with standard
    deviation ``noise``. Both the crop and the shift are one affine resampling
    (``torch.nn.functional.affine_grid`` and ``grid_sample``).

    Parameters
    ----------
    x : torch.Tensor
        Images, shape ``(N, C, H, W)``, floating point.
    min_scale : float, default 0.7
        The smallest crop, as a fraction of the side (1 means no zoom).
    max_shift : float, default 1.0
        The largest shift, in pixels.
    noise : float, default 0.1
        Standard deviation of the added Gaussian noise.
    generator : torch.Generator, optional
        The random numbers' source (torch's global one by default).

    Returns
    -------
    torch.Tensor
        Same shape and dtype as ``x``.
    """
    _check_images(x, "augment")
    if not 0.0 < min_scale <= 1.0:
        raise ValueError(f"augment: min_scale must be in (0, 1]; got {min_scale!r}")
    if max_shift < 0 or noise < 0:
        raise ValueError(f"augment: max_shift and noise must be >= 0; got {max_shift}, {noise}")
    n, _, h, w = x.shape

    def uniform(low, high, size):
        r = torch.rand(size, generator=generator, dtype=x.dtype)
        return low + (high - low) * r

    scale = uniform(min_scale, 1.0, (n,))
    # A crop of side `scale` (in grid units) can sit anywhere inside the image, and the
    # shift is added on top; grid coordinates run from -1 to 1, so a pixel is 2 / size wide.
    room = 1.0 - scale
    tx = room * uniform(-1.0, 1.0, (n,)) + uniform(-max_shift, max_shift, (n,)) * 2 / w
    ty = room * uniform(-1.0, 1.0, (n,)) + uniform(-max_shift, max_shift, (n,)) * 2 / h
    theta = torch.zeros(n, 2, 3, dtype=x.dtype)
    theta[:, 0, 0], theta[:, 1, 1] = scale, scale
    theta[:, 0, 2], theta[:, 1, 2] = tx, ty
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    view = F.grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
    return view + noise * torch.randn(x.shape, generator=generator, dtype=x.dtype)


def nt_xent(z1: torch.Tensor, z2: torch.Tensor, temperature: float = 0.5) -> torch.Tensor:
    """The NT-Xent (normalised temperature-scaled cross-entropy) loss of SimCLR.

    Taught in: Chapter 7, Frontiers (self-supervised learning).

    Row ``i`` of ``z1`` and row ``i`` of ``z2`` are the two views of image ``i`` (a positive
    pair); every other row of either is a negative. The rows are normalised to unit length,
    all pairwise cosine similarities are divided by ``temperature``, each row's similarity
    with itself is left out, and the loss is the cross-entropy of picking the positive
    among the ``2N - 1`` others, averaged over all ``2N`` rows.

    Parameters
    ----------
    z1, z2 : torch.Tensor
        Projections of the two views, shape ``(N, d)`` each, ``N >= 2``.
    temperature : float, default 0.5
        :math:`\\tau > 0`; smaller values sharpen the softmax and weigh the hardest
        negatives more.

    Returns
    -------
    torch.Tensor
        A scalar.
    """
    for name, z in (("z1", z1), ("z2", z2)):
        if not isinstance(z, torch.Tensor):
            raise TypeError(f"nt_xent: {name} must be a torch.Tensor; got {type(z).__name__}")
    if z1.ndim != 2 or z1.shape != z2.shape:
        raise ValueError(
            "nt_xent: z1 and z2 must both have shape (N, d); "
            f"got {tuple(z1.shape)} and {tuple(z2.shape)}"
        )
    if z1.shape[0] < 2:
        raise ValueError(f"nt_xent: need at least 2 pairs for negatives; got {z1.shape[0]}")
    if not temperature > 0:
        raise ValueError(f"nt_xent: temperature must be positive; got {temperature!r}")
    n = z1.shape[0]
    z = F.normalize(torch.cat([z1, z2]), dim=1)  # (2N, d), unit rows
    logits = z @ z.T / temperature  # cosine similarities over the temperature
    self_pair = torch.eye(2 * n, dtype=torch.bool, device=z.device)
    logits = logits.masked_fill(self_pair, float("-inf"))  # k != i in the denominator
    positive = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)]).to(z.device)
    return F.cross_entropy(logits, positive)


class NTXentLoss(nn.Module):
    """:func:`nt_xent` as a loss module for :func:`nnlib.torch.train.fit`.

    Taught in: Chapter 7, Frontiers (self-supervised learning).

    Called as ``loss(out, target)`` with ``out`` of shape ``(2N, d)`` (the first half the
    projections of the first views, the second half of the second views, as
    :class:`SimCLR` returns them); ``target`` is ignored (there are no labels).
    """

    def __init__(self, temperature: float = 0.5):
        super().__init__()
        self.temperature = temperature

    def forward(self, out: torch.Tensor, target=None) -> torch.Tensor:
        if out.ndim != 2 or out.shape[0] % 2:
            raise ValueError(
                f"NTXentLoss: expected an even number of rows (two views); got {tuple(out.shape)}"
            )
        z1, z2 = out.chunk(2)
        return nt_xent(z1, z2, self.temperature)


class SimCLR(nn.Module):
    """An encoder and a projection head, trained contrastively on two views of each image.

    Taught in: Chapter 7, Frontiers (self-supervised learning).

    In training mode, ``forward(x)`` draws two views of the batch with ``augment`` and
    returns their projections stacked, shape ``(2N, d)``, ready for :class:`NTXentLoss`. In
    evaluation mode it returns the projections of the unaugmented images. The features to
    reuse afterwards are ``encoder(x)``, before the projection head.

    Parameters
    ----------
    encoder : torch.nn.Module
        Images to feature vectors (for the digits, ``digits_cnn()[:7]``).
    projector : torch.nn.Module
        Feature vectors to the space where the loss is computed (a small MLP).
    augment : callable, default :func:`augment`
        ``augment(x)`` returns a random view of a batch.
    """

    def __init__(self, encoder: nn.Module, projector: nn.Module, augment=augment):
        super().__init__()
        self.encoder, self.projector, self.augment = encoder, projector, augment

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        _check_images(x, "SimCLR")
        if self.training:
            x = torch.cat([self.augment(x), self.augment(x)])
        return self.projector(self.encoder(x))
