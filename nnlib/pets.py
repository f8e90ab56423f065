"""Generated cartoon cats and dogs, and writing an image set to class folders.

Taught in: Chapter 6, Applications (a CNN with augmentation; the flattened-image classifier).

The classic image-classification examples train on folders of photographs: ``cats/`` and
``dogs/``, or "cat" and "not cat". This course runs offline, so :func:`make_pets` draws its
own: a round head with two eyes and a nose, anywhere in the picture, at any size, slightly
tilted, on a cluttered background. Cats have pointed ears on top of the head, dogs have
floppy ears hanging at its sides; fur colours, sizes, places and backgrounds are drawn from
the same distributions for both classes, so the ears are the only clue.

:func:`save_image_folder` writes images as PNG files into one sub-folder per class, the
layout that ``ImageFolder`` loaders read (:class:`nnlib.torch.vision.ImageFolder`, or
torchvision's), so a reader can swap the generated set for a folder of their own photos.

Numpy only (Pillow for the PNG files).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from nnlib._validate import as_rng

__all__ = ["PET_CLASSES", "make_pets", "save_image_folder"]

#: The classes of :func:`make_pets`, in label order: 0 is a cat, 1 a dog.
PET_CLASSES = ("cat", "dog")

_OVERSAMPLE = 3  # draw on a 3x finer grid, then average: smooth edges


def _triangle(u, v, points) -> np.ndarray:
    """Points (u, v) inside the triangle with the three given corners."""
    (a, b), (c, d), (e, f) = points
    s1 = (u - c) * (b - d) - (a - c) * (v - d)
    s2 = (u - e) * (d - f) - (c - e) * (v - f)
    s3 = (u - a) * (f - b) - (e - a) * (v - b)
    negative = (s1 < 0) | (s2 < 0) | (s3 < 0)
    positive = (s1 > 0) | (s2 > 0) | (s3 > 0)
    return ~(negative & positive)


def _ellipse(u, v, centre, axes, angle) -> np.ndarray:
    """Points (u, v) inside an ellipse with semi-axes ``axes``, turned by ``angle``."""
    du, dv = u - centre[0], v - centre[1]
    c, s = np.cos(angle), np.sin(angle)
    a = (c * du + s * dv) / axes[0]
    b = (-s * du + c * dv) / axes[1]
    return a**2 + b**2 <= 1


def _draw_pet(size: int, is_dog: bool, gen: np.random.Generator, spread: float) -> np.ndarray:
    """One RGB image, ``(size, size, 3)`` floats in [0, 1]."""
    fine = size * _OVERSAMPLE
    yy, xx = (np.mgrid[0:fine, 0:fine] + 0.5) / fine  # unit square, y grows downwards

    # Paint layer by layer into a map of colour indices (0 = the background gradient),
    # then look the colours up once.
    layer = np.zeros((fine, fine), dtype=np.uint8)
    colours = []

    def paint(mask, colour):
        colours.append(colour)
        layer[mask] = len(colours)

    # background: a smooth colour gradient and a few blobs of other colours (clutter)
    top, bottom = gen.uniform(0.1, 0.9, 3), gen.uniform(0.1, 0.9, 3)
    for _ in range(int(gen.integers(1, 4))):
        centre, axes = gen.uniform(0, 1, 2), gen.uniform(0.05, 0.2, 2)
        paint(_ellipse(xx, yy, centre, axes, gen.uniform(0, np.pi)), gen.uniform(0.1, 0.9, 3))

    # the head: radius r, centre anywhere it fits (spread 0 = the middle), tilted
    r = gen.uniform(0.15, 0.22)
    margin = 1.45 * r
    cx, cy = 0.5 + spread * gen.uniform(-1, 1, 2) * (0.5 - margin)
    tilt = gen.uniform(-0.35, 0.35)
    c, s = np.cos(tilt), np.sin(tilt)
    u = (c * (xx - cx) - s * (yy - cy)) / r  # head frame: unit radius, v points up
    v = -(s * (xx - cx) + c * (yy - cy)) / r

    fur = gen.uniform(0.25, 0.95) * np.array([1.0, gen.uniform(0.5, 0.9), gen.uniform(0.2, 0.7)])
    ears = np.zeros((fine, fine), dtype=bool)
    for side in (-1, 1):
        if is_dog:  # floppy: an ellipse hanging down beside the head
            ears |= _ellipse(u, v, (side * 0.95, -0.15), (0.32, 0.75), side * 0.3)
        else:  # pointed: a triangle on top, its tip leaning outwards
            base = [(side * np.sin(a), np.cos(a)) for a in (0.2, 1.05)]
            tip = (side * 1.15, 1.45)
            ears |= _triangle(u, v, [base[0], base[1], tip])
    paint(ears, fur * gen.uniform(0.7, 0.9))
    paint(u**2 + v**2 <= 1, fur)
    dark = np.array([0.08, 0.06, 0.05])
    for ex in (-0.38, 0.38):
        paint((u - ex) ** 2 + (v - 0.2) ** 2 <= 0.14**2, dark)
    paint(u**2 + (v + 0.3) ** 2 <= 0.12**2, dark)

    rows = top + (bottom - top) * ((np.arange(fine) + 0.5) / fine)[:, None]
    palette = np.vstack([np.zeros((1, 3)), colours])
    image = np.where(layer[..., None] > 0, palette[layer], rows[:, None, :])
    image = image.reshape(size, _OVERSAMPLE, size, _OVERSAMPLE, 3).sum(axis=(1, 3))
    image /= _OVERSAMPLE**2
    image += 0.03 * gen.standard_normal(image.shape)
    return np.clip(image, 0, 1)


def make_pets(n: int, size: int = 32, spread: float = 1.0, rng=0):
    """Cartoon cats and dogs: RGB images and their labels (0 cat, 1 dog).

    Taught in: Chapter 6, Applications.

    Each image shows one head: a disc of fur with two eyes and a nose, tilted by up to 20
    degrees, with a radius between 15% and 22% of the image width, on a background of a
    colour gradient and a few blobs. A cat has two pointed ears on top of its head, a dog two
    floppy ears hanging beside it. Everything else (fur colour, size, place, tilt,
    background) is drawn from the same distributions for both classes. Classes alternate
    (cat, dog, cat, ...), so any ``n`` is balanced to within one image.

    Parameters
    ----------
    n : int
        Number of images.
    size : int, default 32
        Height and width in pixels (at least 16).
    spread : float in [0, 1], default 1.0
        How far from the middle the head may sit: 0 puts every head in the centre (like
        portrait photos), 1 anywhere the head and ears fit in the picture.
    rng : int or numpy.random.Generator, default 0
        Seed: the same call gives the same images.

    Returns
    -------
    images : ndarray of shape (n, size, size, 3), float32 in [0, 1]
        Height, width, colour: the layout of image files (``torch`` wants channels first:
        ``images.transpose(0, 3, 1, 2)``).
    labels : ndarray of shape (n,), int64
        0 for a cat, 1 for a dog (``PET_CLASSES[label]`` is the name).

    Examples
    --------
    >>> images, labels = make_pets(4, size=16)
    >>> images.shape, labels.tolist()
    ((4, 16, 16, 3), [0, 1, 0, 1])
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"make_pets: n must be a positive integer; got {n!r}")
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 16:
        raise ValueError(f"make_pets: size must be an integer of at least 16; got {size!r}")
    if isinstance(spread, bool) or not isinstance(spread, (int, float)) or not 0 <= spread <= 1:
        raise ValueError(f"make_pets: spread must be a number in [0, 1]; got {spread!r}")
    gen = as_rng(rng)
    labels = np.arange(n, dtype=np.int64) % 2
    images = np.stack([_draw_pet(int(size), bool(y), gen, float(spread)) for y in labels])
    return images.astype(np.float32), labels


def save_image_folder(root, images, labels, classes=PET_CLASSES) -> Path:
    """Write images as PNG files into one folder per class: ``root/<class>/<number>.png``.

    Taught in: Chapter 6, Applications.

    The layout of ``ImageFolder`` loaders (:class:`nnlib.torch.vision.ImageFolder`,
    ``torchvision.datasets.ImageFolder``): the name of the sub-folder is the class. Pixel
    values are rounded to 8 bits, as in any PNG photo.

    Parameters
    ----------
    root : str or path
        The folder to write into (created if missing). Existing files with the same names
        are overwritten.
    images : array_like of shape (n, height, width, 3) or (n, height, width)
        RGB or grey images with values in [0, 1].
    labels : array_like of int, shape (n,)
        Class indices into ``classes``.
    classes : sequence of str, default ``PET_CLASSES``
        The folder name of each class; every class gets a folder, even an empty one.

    Returns
    -------
    pathlib.Path
        ``root``.

    Examples
    --------
    >>> import tempfile
    >>> images, labels = make_pets(4, size=16)
    >>> root = save_image_folder(tempfile.mkdtemp(), images, labels)
    >>> sorted(p.name for p in (root / "cat").iterdir())
    ['0000.png', '0002.png']
    """
    from PIL import Image

    images = np.asarray(images)
    labels = np.asarray(labels)
    if images.ndim not in (3, 4) or (images.ndim == 4 and images.shape[-1] != 3):
        raise ValueError(
            "save_image_folder: images must have shape (n, height, width, 3) or "
            f"(n, height, width); got {images.shape}"
        )
    if not np.issubdtype(images.dtype, np.floating) or not np.isfinite(images).all():
        raise ValueError("save_image_folder: images must be finite floats in [0, 1]")
    if images.min() < 0 or images.max() > 1:
        raise ValueError(
            f"save_image_folder: pixel values must lie in [0, 1]; got {images.min():.3g} "
            f"to {images.max():.3g}"
        )
    classes = [str(c) for c in classes]
    if not classes or len(set(classes)) != len(classes):
        raise ValueError(f"save_image_folder: classes must be distinct names; got {classes}")
    if labels.shape != (len(images),) or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(
            f"save_image_folder: labels must be {len(images)} integers, one per image; "
            f"got shape {labels.shape} and dtype {labels.dtype}"
        )
    if len(labels) and (labels.min() < 0 or labels.max() >= len(classes)):
        raise ValueError(
            f"save_image_folder: labels must lie in 0..{len(classes) - 1} (one per class)"
        )
    root = Path(root)
    for name in classes:
        (root / name).mkdir(parents=True, exist_ok=True)
    digits = max(4, len(str(len(images) - 1)))
    pixels = np.round(images * 255).astype(np.uint8)
    for i, (picture, label) in enumerate(zip(pixels, labels, strict=True)):
        Image.fromarray(picture).save(root / classes[label] / f"{i:0{digits}d}.png")
    return root
