"""Generated images for segmentation, with their masks, and the IoU score.

Taught in: Chapter 5, Architectures (U-Net).

Segmentation asks, for every pixel of an image, which object it belongs to. Here the
question is binary (shape or background), and the data are drawn, not downloaded:
:func:`make_shapes` paints discs, squares and thin bars onto striped, noisy backgrounds and
returns the exact masks it painted. :func:`iou` scores a predicted mask against the true one
by intersection over union, the usual measure for segmentation.

Chapter 6 (object localisation) reuses the painter: :func:`make_objects` draws one shape per
image and returns its class and bounding box; :func:`box_iou` is the IoU of two boxes and
:func:`centre_to_corners` converts between the two usual box encodings.

Numpy only: the images come as ``(n, 1, size, size)`` float32 arrays, ready for
``torch.as_tensor`` and a convolutional network.
"""

from __future__ import annotations

import numpy as np

from nnlib._validate import as_rng

__all__ = [
    "OBJECT_KINDS",
    "SHAPE_KINDS",
    "box_iou",
    "centre_to_corners",
    "iou",
    "make_objects",
    "make_shapes",
]

#: The shapes :func:`make_shapes` can paint: filled discs, filled squares and thin bars.
SHAPE_KINDS = ("disc", "square", "bar")

#: The classes of :func:`make_objects`: filled discs, filled squares and filled triangles.
OBJECT_KINDS = ("disc", "square", "triangle")


def _paint(kind: str, size: int, gen: np.random.Generator) -> np.ndarray:
    """One shape of ``kind`` at a random place, as a boolean ``(size, size)`` mask."""
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float64) + 0.5
    if kind == "triangle":  # pointing up, base as wide as it is tall
        side = gen.uniform(0.25, 0.45) * size
        y0, x0 = gen.uniform(0, size - side, 2)
        depth = (yy - y0) / side  # 0 at the apex, 1 at the base
        return (depth >= 0) & (depth <= 1) & (np.abs(xx - x0 - side / 2) <= depth * side / 2)
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


def make_objects(
    n: int,
    size: int = 32,
    kinds=OBJECT_KINDS,
    noise: float = 0.3,
    stripes: float = 0.5,
    rng=0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Images of one shape each, with its class and its bounding box.

    Taught in: Chapter 6, Applications (object localisation).

    The background is that of :func:`make_shapes` (stripes of random direction plus noise);
    on it, one shape of a random kind from ``kinds`` at a random place and size, painted at
    brightness 1 before the noise is added.

    Parameters
    ----------
    n : int
        Number of images.
    size : int, default 32
        Height and width in pixels (at least 16).
    kinds : sequence of str, default ``OBJECT_KINDS``
        The classes, in label order: any of ``"disc"``, ``"square"``, ``"triangle"``,
        ``"bar"``.
    noise, stripes : float
        Standard deviation of the pixel noise and amplitude of the background stripes.
    rng : int or numpy.random.Generator, default 0
        Seed: the same call gives the same images.

    Returns
    -------
    images : ndarray of shape (n, 1, size, size), float32
    labels : ndarray of shape (n,), int64
        Index of the shape's kind in ``kinds``.
    boxes : ndarray of shape (n, 4), float64
        The tightest box around the painted pixels as corners ``(x0, y0, x1, y1)``, in
        units of the image width: pixel column ``j`` spans ``[j / size, (j + 1) / size]``,
        so a box covering the whole image is ``(0, 0, 1, 1)``.

    Examples
    --------
    >>> images, labels, boxes = make_objects(3, size=16, noise=0.0, stripes=0.0)
    >>> images.shape, labels.shape, boxes.shape
    ((3, 1, 16, 16), (3,), (3, 4))
    >>> bool((boxes[:, 2:] > boxes[:, :2]).all() and (0 <= boxes).all() and (boxes <= 1).all())
    True
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"make_objects: n must be a positive integer; got {n!r}")
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 16:
        raise ValueError(f"make_objects: size must be an integer of at least 16; got {size!r}")
    if isinstance(kinds, str):
        kinds = (kinds,)
    kinds = tuple(kinds)
    known = SHAPE_KINDS + ("triangle",)
    if not kinds or any(k not in known for k in kinds):
        raise ValueError(f"make_objects: kinds must name some of {', '.join(known)}; got {kinds!r}")
    if noise < 0 or stripes < 0:
        raise ValueError(
            f"make_objects: noise and stripes must be >= 0; got {noise!r} and {stripes!r}"
        )
    gen = as_rng(rng)
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float64)
    images = np.empty((n, 1, size, size), dtype=np.float32)
    labels = np.empty(n, dtype=np.int64)
    boxes = np.empty((n, 4), dtype=np.float64)
    for i in range(n):
        angle, wavelength, phase = gen.uniform(0, np.pi), gen.uniform(4, 10), gen.uniform(0, 6.3)
        along = yy * np.sin(angle) + xx * np.cos(angle)
        image = stripes * np.sin(2 * np.pi * along / wavelength + phase)
        labels[i] = gen.integers(len(kinds))
        mask = _paint(kinds[labels[i]], size, gen)
        rows, cols = np.nonzero(mask)
        boxes[i] = (cols.min(), rows.min(), cols.max() + 1, rows.max() + 1)
        image[mask] = 1.0
        images[i, 0] = image + noise * gen.standard_normal((size, size))
    return images, labels, boxes / size


def centre_to_corners(boxes) -> np.ndarray:
    """Boxes as ``(cx, cy, w, h)`` (centre, width, height) to corners ``(x0, y0, x1, y1)``.

    Taught in: Chapter 6, Applications (object localisation).

    Parameters
    ----------
    boxes : array_like of shape (..., 4)

    Returns
    -------
    ndarray of shape (..., 4), float64

    Examples
    --------
    >>> centre_to_corners([0.5, 0.5, 0.2, 0.4]).tolist()
    [0.4, 0.3, 0.6, 0.7]
    """
    b = _as_boxes(boxes, "centre_to_corners")
    centre, half = b[..., :2], b[..., 2:] / 2
    return np.concatenate([centre - half, centre + half], axis=-1)


def box_iou(a, b) -> np.ndarray:
    """Intersection over union of boxes given by their corners, pair by pair.

    Taught in: Chapter 6, Applications (object localisation).

    For boxes ``(x0, y0, x1, y1)`` the intersection is the box from the larger of the two
    top-left corners to the smaller of the two bottom-right ones, with its width and height
    clipped at 0 (boxes that do not overlap have no intersection); the union is the sum of
    the two areas minus the intersection. A box with ``x1 < x0`` (or ``y1 < y0``) has area 0.
    Two boxes of area 0 score 0.

    Parameters
    ----------
    a, b : array_like of shape (..., 4)
        Corner boxes; the leading axes broadcast against each other.

    Returns
    -------
    ndarray of shape (...,), float64, in [0, 1]

    Examples
    --------
    >>> box_iou([0, 0, 2, 2], [1, 1, 3, 3]).round(4).item()  # 1 / (4 + 4 - 1)
    0.1429
    """
    a, b = _as_boxes(a, "box_iou"), _as_boxes(b, "box_iou")
    wh = np.clip(np.minimum(a[..., 2:], b[..., 2:]) - np.maximum(a[..., :2], b[..., :2]), 0, None)
    inter = wh[..., 0] * wh[..., 1]

    def area(x):
        return np.clip(x[..., 2] - x[..., 0], 0, None) * np.clip(x[..., 3] - x[..., 1], 0, None)

    union = area(a) + area(b) - inter
    return np.where(union > 0, inter / np.where(union > 0, union, 1.0), 0.0)


def _as_boxes(boxes, where: str) -> np.ndarray:
    b = np.asarray(boxes, dtype=np.float64)
    if b.ndim == 0 or b.shape[-1] != 4:
        raise ValueError(f"{where}: boxes must have 4 numbers on their last axis; got {b.shape}")
    return b
