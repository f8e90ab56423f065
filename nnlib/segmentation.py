"""Generated images for segmentation, with their masks, and the IoU score.

Taught in: Chapter 5, Architectures (U-Net).

Segmentation asks, for every pixel of an image, which object it belongs to. Here the
question is binary (shape or background), and the data are drawn, not downloaded:
:func:`make_shapes` paints discs, squares and thin bars onto striped, noisy backgrounds and
returns the exact masks it painted. :func:`iou` scores a predicted mask against the true one
by intersection over union, the usual measure for segmentation.

Numpy only: the images come as ``(n, 1, size, size)`` float32 arrays, ready for
``torch.as_tensor`` and a convolutional network.
"""

from __future__ import annotations

import numpy as np

from nnlib._validate import as_rng

__all__ = ["SHAPE_KINDS", "iou", "make_shapes"]

#: The shapes :func:`make_shapes` can paint: filled discs, filled squares and thin bars.
SHAPE_KINDS = ("disc", "square", "bar")


def _paint(kind: str, size: int, gen: np.random.Generator) -> np.ndarray:
    """One shape of ``kind`` at a random place, as a boolean ``(size, size)`` mask."""
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float64) + 0.5
    if kind == "disc":
        r = gen.uniform(0.1, 0.22) * size
        cy, cx = gen.uniform(r, size - r, 2)
        return (yy - cy) ** 2 + (xx - cx) ** 2 <= r**2
    if kind == "square":
        side = int(gen.integers(round(0.15 * size), round(0.35 * size) + 1))
        y0, x0 = gen.integers(0, size - side + 1, 2)
        mask = np.zeros((size, size), dtype=bool)
        mask[y0 : y0 + side, x0 : x0 + side] = True
        return mask
    # a bar: the points within half a width of a segment, at any angle
    length = gen.uniform(0.4, 0.7) * size
    width = gen.uniform(1.0, 2.0)
    angle = gen.uniform(0, np.pi)
    dy, dx = np.sin(angle), np.cos(angle)
    half = length / 2
    cy = gen.uniform(half * abs(dy) + 1, size - half * abs(dy) - 1)
    cx = gen.uniform(half * abs(dx) + 1, size - half * abs(dx) - 1)
    along = (yy - cy) * dy + (xx - cx) * dx
    across = -(yy - cy) * dx + (xx - cx) * dy
    return (np.abs(along) <= half) & (np.abs(across) <= width / 2)


def make_shapes(
    n: int,
    size: int = 32,
    kinds=SHAPE_KINDS,
    shapes_per_image: tuple[int, int] = (1, 3),
    noise: float = 0.3,
    stripes: float = 0.5,
    rng=0,
) -> tuple[np.ndarray, np.ndarray]:
    """Images of shapes on striped, noisy backgrounds, and their masks.

    Taught in: Chapter 5, Architectures (U-Net).

    Each image gets a background of parallel stripes (a sine wave of random direction,
    wavelength and phase, amplitude ``stripes``) and then 1 to 3 shapes (the range
    ``shapes_per_image``) of the given kinds, painted at brightness 1. Gaussian noise of
    standard deviation ``noise`` covers everything. A bright stripe plus noise can be as
    bright as a shape, so a pixel's own value does not decide its class: the network must
    look at its neighbourhood.

    Parameters
    ----------
    n : int
        Number of images.
    size : int, default 32
        Height and width in pixels (at least 16).
    kinds : sequence of str, default ``SHAPE_KINDS``
        Which shapes to draw from: ``"disc"``, ``"square"``, ``"bar"`` (a line 1 to 2 pixels
        wide at any angle, the hard case: its detail is finer than any coarse feature map).
    shapes_per_image : (int, int), default (1, 3)
        The smallest and largest number of shapes in one image.
    noise, stripes : float
        Standard deviation of the pixel noise and amplitude of the background stripes.
    rng : int or numpy.random.Generator, default 0
        Seed: the same call gives the same images.

    Returns
    -------
    images : ndarray of shape (n, 1, size, size), float32
    masks : ndarray of shape (n, 1, size, size), float32
        1 where a shape was painted, 0 elsewhere.

    Examples
    --------
    >>> images, masks = make_shapes(4, size=16, kinds=("disc",))
    >>> images.shape, masks.shape, sorted(set(masks.ravel().tolist()))
    ((4, 1, 16, 16), (4, 1, 16, 16), [0.0, 1.0])
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"make_shapes: n must be a positive integer; got {n!r}")
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 16:
        raise ValueError(f"make_shapes: size must be an integer of at least 16; got {size!r}")
    if isinstance(kinds, str):
        kinds = (kinds,)
    kinds = tuple(kinds)
    unknown = [k for k in kinds if k not in SHAPE_KINDS]
    if not kinds or unknown:
        raise ValueError(
            f"make_shapes: kinds must name some of {', '.join(SHAPE_KINDS)}; got {kinds!r}"
        )
    lo, hi = shapes_per_image
    if not (1 <= lo <= hi):
        raise ValueError(
            f"make_shapes: shapes_per_image must be (low, high) with 1 <= low <= high; "
            f"got {shapes_per_image!r}"
        )
    if noise < 0 or stripes < 0:
        raise ValueError(
            f"make_shapes: noise and stripes must be >= 0; got {noise!r} and {stripes!r}"
        )
    gen = as_rng(rng)
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float64)
    images = np.empty((n, 1, size, size), dtype=np.float32)
    masks = np.zeros((n, 1, size, size), dtype=np.float32)
    for i in range(n):
        angle, wavelength, phase = gen.uniform(0, np.pi), gen.uniform(4, 10), gen.uniform(0, 6.3)
        along = yy * np.sin(angle) + xx * np.cos(angle)
        image = stripes * np.sin(2 * np.pi * along / wavelength + phase)
        mask = np.zeros((size, size), dtype=bool)
        for _ in range(int(gen.integers(lo, hi + 1))):
            mask |= _paint(kinds[int(gen.integers(len(kinds)))], size, gen)
        image[mask] = 1.0
        images[i, 0] = image + noise * gen.standard_normal((size, size))
        masks[i, 0] = mask
    return images, masks


def iou(pred, target) -> float:
    """Intersection over union of two binary masks (pixels counted over all images).

    Taught in: Chapter 5, Architectures (U-Net).

    ``|pred AND target| / |pred OR target|``: 1 for a perfect mask, 0 when the two do not
    overlap. Unlike pixel accuracy it ignores the (usually many) background pixels that
    both call background, so a network that predicts "background" everywhere scores 0, not
    the background's share of the image. Two empty masks count as a perfect match (1.0).

    Parameters
    ----------
    pred, target : array_like of bool or 0/1 numbers, the same shape
        Predicted and true masks (threshold probabilities first, e.g. ``probs > 0.5``).

    Returns
    -------
    float

    Examples
    --------
    >>> iou([1, 1, 0, 0], [0, 1, 1, 0])
    0.3333333333333333
    """
    p, t = np.asarray(pred), np.asarray(target)
    if p.shape != t.shape:
        raise ValueError(
            f"iou: pred and target must have the same shape; got {p.shape} and {t.shape}"
        )
    for name, a in (("pred", p), ("target", t)):
        if a.dtype != bool and not np.isin(a, (0, 1)).all():
            raise ValueError(
                f"iou: {name} must hold 0/1 or booleans (threshold probabilities first, "
                "e.g. probs > 0.5)"
            )
    p, t = p.astype(bool), t.astype(bool)
    union = np.logical_or(p, t).sum()
    if union == 0:
        return 1.0
    return float(np.logical_and(p, t).sum() / union)
