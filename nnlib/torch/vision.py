"""Image folders and augmentation transforms, with torchvision's names.

Taught in: Chapter 6, Applications (a CNN with augmentation; the flattened-image classifier).

The usual way to feed photos to a PyTorch model is torchvision's ``ImageFolder`` (one
sub-folder per class) with a pipeline of ``transforms``. torchvision is not part of this
course's environment (its CPU build for the pinned torch is not on the package index), so
this module provides the few pieces the course needs, with the same names and the same
behaviour, written on top of plain torch:

- :class:`ImageFolder`: a ``Dataset`` of ``(image, class_index)`` pairs read from
  ``root/<class>/<file>`` with Pillow;
- deterministic transforms :class:`Compose`, :class:`Resize`, :class:`Grayscale`;
- random augmentations :class:`RandomHorizontalFlip`, :class:`RandomAffine` (rotation,
  shift, zoom) and :class:`RandomResizedCrop`, each drawing its random numbers from a
  ``torch.Generator`` you may pass, so that a run can be repeated exactly;
- :func:`hflip` and :func:`affine`, the functions behind them.

One difference from torchvision: images are float tensors from the start (``C x H x W``,
values in [0, 1], what ``transforms.ToTensor()`` gives), and every transform takes and
returns such tensors (or batches ``N x C x H x W``, all transformed alike). With
torchvision installed, ``from torchvision import datasets, transforms`` and
``transforms.Compose([..., transforms.ToTensor()])`` do the same.
"""

from __future__ import annotations

import functools
import math
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import torch
import torch.nn.functional as F
from torch.utils.data import Dataset

__all__ = [
    "IMG_EXTENSIONS",
    "Compose",
    "Grayscale",
    "ImageFolder",
    "RandomAffine",
    "RandomHorizontalFlip",
    "RandomResizedCrop",
    "Resize",
    "affine",
    "hflip",
    "read_image",
]

#: File endings :class:`ImageFolder` reads (case does not matter); other files are skipped.
IMG_EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp", ".gif", ".tif", ".tiff", ".webp")


def read_image(path) -> torch.Tensor:
    """Read an image file as an RGB float tensor of shape ``(3, H, W)`` with values in [0, 1].

    Taught in: Chapter 6, Applications.

    Grey, palette and transparent images are converted to RGB (as torchvision's loader
    does), so every image of a folder has three channels.

    Raises
    ------
    FileNotFoundError
        If there is no such file.
    ValueError
        If the file is not an image Pillow can read (the message names the file).
    """
    from PIL import Image, UnidentifiedImageError

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"read_image: no such file: {path}")
    try:
        with Image.open(path) as picture:
            rgb = picture.convert("RGB")
    except (UnidentifiedImageError, OSError) as error:
        raise ValueError(f"read_image: cannot read {path} as an image ({error})") from error
    pixels = torch.frombuffer(bytearray(rgb.tobytes()), dtype=torch.uint8)
    return pixels.view(rgb.height, rgb.width, 3).permute(2, 0, 1).float().div(255)


class ImageFolder(Dataset):
    """Images in one sub-folder per class, as a ``Dataset`` of ``(image, class_index)``.

    Taught in: Chapter 6, Applications.

    The layout of torchvision's ``datasets.ImageFolder``::

        root/cat/0001.png
        root/cat/whiskers.jpg
        root/dog/0002.png

    The class names are the sub-folder names in sorted order, and a class's index is its
    place in that order (``cat`` 0, ``dog`` 1). Files are listed once, when the dataset is
    made (sorted, so the order is the same on every machine), and read when an item is
    asked for: a folder larger than memory works. Files whose ending is not in
    :data:`IMG_EXTENSIONS` are skipped; hidden folders (starting with ``.``) too.

    Parameters
    ----------
    root : str or path
        The folder that holds the class folders.
    transform : callable, optional
        Applied to each image tensor (``(3, H, W)``, floats in [0, 1]) when it is read: a
        :class:`Compose` of transforms, for example.
    target_transform : callable, optional
        Applied to each class index.

    Attributes
    ----------
    classes : list of str
        The class names, sorted.
    class_to_idx : dict
        ``{class name: index}``.
    samples : list of (str, int)
        ``(file path, class index)`` for every image, sorted by class, then by file name.
    targets : list of int
        The class index of every sample.

    Raises
    ------
    FileNotFoundError
        If ``root`` is missing, has no class folders, or a class folder holds no image.
    ValueError
        When an item is read from a file that is not a readable image.

    Examples
    --------
    >>> import tempfile
    >>> from nnlib.pets import make_pets, save_image_folder
    >>> root = save_image_folder(tempfile.mkdtemp(), *make_pets(6, size=16))
    >>> data = ImageFolder(root)
    >>> data.classes, data.class_to_idx, len(data)
    (['cat', 'dog'], {'cat': 0, 'dog': 1}, 6)
    >>> image, label = data[0]
    >>> tuple(image.shape), image.dtype, label
    ((3, 16, 16), torch.float32, 0)
    """

    def __init__(
        self,
        root,
        transform: Callable | None = None,
        target_transform: Callable | None = None,
    ):
        root = Path(root)
        if not root.is_dir():
            raise FileNotFoundError(f"ImageFolder: no such folder: {root}")
        for name, value in (("transform", transform), ("target_transform", target_transform)):
            if value is not None and not callable(value):
                raise TypeError(f"ImageFolder: {name} must be callable or None; got {value!r}")
        classes = sorted(
            entry.name for entry in os.scandir(root) if entry.is_dir() and entry.name[0] != "."
        )
        if not classes:
            raise FileNotFoundError(
                f"ImageFolder: {root} has no class folders; expected root/<class>/<image>"
            )
        samples = []
        for index, name in enumerate(classes):
            files = sorted(
                path
                for path in (root / name).rglob("*")
                if path.suffix.lower() in IMG_EXTENSIONS and path.is_file()
            )
            if not files:
                raise FileNotFoundError(
                    f"ImageFolder: the class folder {root / name} holds no image file "
                    f"(endings read: {', '.join(IMG_EXTENSIONS)})"
                )
            samples += [(str(path), index) for path in files]
        self.root = str(root)
        self.transform, self.target_transform = transform, target_transform
        self.classes = classes
        self.class_to_idx = {name: i for i, name in enumerate(classes)}
        self.samples = samples
        self.targets = [index for _, index in samples]

    def __len__(self) -> int:
        return len(self.samples)

    def __getitem__(self, index: int):
        path, target = self.samples[index]
        image = read_image(path)
        if self.transform is not None:
            image = self.transform(image)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return image, target

    def __repr__(self) -> str:
        return (
            f"ImageFolder({len(self)} images, classes={self.classes}, transform={self.transform!r})"
        )


# ---------------------------------------------------------------------------------------
# The functions behind the transforms


def _check_image(img, where: str) -> torch.Tensor:
    if not isinstance(img, torch.Tensor):
        raise TypeError(f"{where}: expected an image tensor (C, H, W); got {type(img).__name__}")
    if img.ndim < 3:
        raise ValueError(
            f"{where}: expected an image of shape (C, H, W) or a batch (N, C, H, W); "
            f"got shape {tuple(img.shape)}"
        )
    if not img.is_floating_point():
        raise TypeError(
            f"{where}: expected a float image with values in [0, 1]; got dtype {img.dtype} "
            "(divide integer pixels by 255)"
        )
    return img


def hflip(img: torch.Tensor) -> torch.Tensor:
    """Mirror an image left to right: column ``j`` becomes column ``W - 1 - j``.

    Taught in: Chapter 6, Applications.
    """
    return _check_image(img, "hflip").flip(-1)


def _as_batch(img: torch.Tensor):
    """``(N, C, H, W)`` and a function that gives back the input's own shape."""
    shape = img.shape
    batch = img.reshape(-1, *shape[-3:])
    return batch, lambda out: out.reshape(*shape[:-2], *out.shape[-2:])


def affine(
    img: torch.Tensor,
    angle: float,
    translate: Sequence[float],
    scale: float,
    interpolation: str = "nearest",
    fill: float = 0.0,
) -> torch.Tensor:
    """Rotate, shift and zoom an image about its centre (torchvision's ``F.affine``).

    Taught in: Chapter 6, Applications.

    Every output pixel looks up where it came from in the input: the inverse of "scale by
    ``scale``, rotate by ``angle`` degrees counter-clockwise, then move by ``translate``
    pixels", about the image centre. Places that fall outside the input get ``fill``.

    Parameters
    ----------
    img : tensor of shape (C, H, W) or (..., C, H, W), float
    angle : float
        Rotation in degrees, counter-clockwise as the image is shown (y pointing down).
    translate : (float, float)
        Shift in pixels: right, down.
    scale : float
        Zoom factor (> 1 enlarges the content).
    interpolation : {"nearest", "bilinear"}, default "nearest"
        How a position between pixels is read (torchvision's default is nearest too).
    fill : float, default 0.0
        The value of pixels that come from outside the input.

    Returns
    -------
    tensor of the same shape and dtype as ``img``
    """
    img = _check_image(img, "affine")
    if interpolation not in ("nearest", "bilinear"):
        raise ValueError(
            f"affine: interpolation must be 'nearest' or 'bilinear'; got {interpolation!r}"
        )
    if not scale > 0:
        raise ValueError(f"affine: scale must be positive; got {scale!r}")
    tx, ty = (float(t) for t in translate)
    batch, restore = _as_batch(img)
    h, w = batch.shape[-2:]
    # The forward map in pixel units about the centre: p_out = R S p_in + t. grid_sample
    # wants, for every output pixel, the input position, in units of half the image size
    # (-1 and 1 are the outer edges), so invert it and convert the units.
    a = math.radians(angle)
    cos, sin = math.cos(a) / scale, math.sin(a) / scale
    # inverse rotation (counter-clockwise on screen = clockwise in (x right, y down)),
    # then the units: theta[i][j] = inverse[i][j] * units[j] / units[i]
    inv_tx, inv_ty = -(cos * tx - sin * ty), -(sin * tx + cos * ty)
    theta = torch.tensor(
        [[cos, -sin * h / w, inv_tx * 2 / w], [sin * w / h, cos, inv_ty * 2 / h]],
        dtype=torch.float64,
    )
    grid = (_base_grid(h, w) @ theta.T).to(batch.dtype).expand(len(batch), h, w, 2)
    if fill:
        batch = batch - fill
    out = F.grid_sample(batch, grid, mode=interpolation, padding_mode="zeros", align_corners=False)
    if fill:
        out = out + fill
    return restore(out)


@functools.lru_cache(maxsize=16)
def _base_grid(h: int, w: int) -> torch.Tensor:
    """The pixel centres in grid_sample's units, ``(H, W, 3)`` rows ``(x, y, 1)``: what
    ``F.affine_grid`` computes for every call, made once per size (in float64)."""
    xs = (torch.arange(w, dtype=torch.float64) * 2 + 1) / w - 1
    ys = (torch.arange(h, dtype=torch.float64) * 2 + 1) / h - 1
    y, x = torch.meshgrid(ys, xs, indexing="ij")
    return torch.stack([x, y, torch.ones_like(x)], dim=-1)


def _resize(batch: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
    if tuple(batch.shape[-2:]) == tuple(size):
        return batch.clone()
    return F.interpolate(batch, size=size, mode="bilinear", align_corners=False, antialias=True)


# ---------------------------------------------------------------------------------------
# Transforms


def _draw(generator: torch.Generator | None, low: float = 0.0, high: float = 1.0) -> float:
    """One uniform random number in [low, high) from ``generator`` (torch's global one if
    None)."""
    return low + (high - low) * torch.rand(1, generator=generator, dtype=torch.float64).item()


def _check_generator(generator, where: str):
    if generator is not None and not isinstance(generator, torch.Generator):
        raise TypeError(f"{where}: generator must be a torch.Generator or None; got {generator!r}")
    return generator


def _pair(value, name: str, where: str, ordered: bool = True) -> tuple[float, float]:
    try:
        low, high = (float(v) for v in value)
    except (TypeError, ValueError):
        raise TypeError(f"{where}: {name} must be a pair (low, high); got {value!r}") from None
    if ordered and low > high:
        raise ValueError(f"{where}: {name} must have low <= high; got {value!r}")
    return low, high


class Compose:
    """Apply transforms one after the other (torchvision's ``transforms.Compose``).

    Taught in: Chapter 6, Applications.

    Examples
    --------
    >>> augment = Compose([RandomHorizontalFlip(), RandomAffine(degrees=10)])
    >>> augment(torch.rand(3, 8, 8)).shape
    torch.Size([3, 8, 8])
    """

    def __init__(self, transforms: Sequence[Callable]):
        transforms = list(transforms)
        for t in transforms:
            if not callable(t):
                raise TypeError(f"Compose: every transform must be callable; got {t!r}")
        self.transforms = transforms

    def __call__(self, img):
        for t in self.transforms:
            img = t(img)
        return img

    def __repr__(self) -> str:
        inner = "".join(f"\n    {t!r}," for t in self.transforms)
        return f"Compose([{inner}\n])"


class Resize:
    """Resize to ``size`` with antialiased bilinear interpolation (``transforms.Resize``).

    Taught in: Chapter 6, Applications.

    Parameters
    ----------
    size : int or (int, int)
        ``(height, width)``; or one number, the new length of the *shorter* side, the other
        side scaled to keep the aspect ratio (as torchvision does).
    """

    def __init__(self, size):
        if isinstance(size, int) and not isinstance(size, bool):
            size = (size,)
        size = tuple(size)
        if len(size) not in (1, 2) or not all(
            isinstance(s, int) and not isinstance(s, bool) and s > 0 for s in size
        ):
            raise ValueError(f"Resize: size must be a positive int or (height, width); got {size}")
        self.size = size

    def __call__(self, img):
        batch, restore = _as_batch(_check_image(img, "Resize"))
        h, w = batch.shape[-2:]
        if len(self.size) == 2:
            size = self.size
        elif h <= w:
            size = (self.size[0], int(self.size[0] * w / h))
        else:
            size = (int(self.size[0] * h / w), self.size[0])
        return restore(_resize(batch, size))

    def __repr__(self) -> str:
        return f"Resize(size={self.size if len(self.size) == 2 else self.size[0]})"


class Grayscale:
    """RGB to grey with the ITU-R 601 weights 0.299, 0.587, 0.114 (``transforms.Grayscale``).

    Taught in: Chapter 6, Applications.

    Parameters
    ----------
    num_output_channels : {1, 3}, default 1
        1 gives a ``(1, H, W)`` image; 3 repeats the grey channel (for a model that
        expects colour input).
    """

    def __init__(self, num_output_channels: int = 1):
        if num_output_channels not in (1, 3):
            raise ValueError(
                f"Grayscale: num_output_channels must be 1 or 3; got {num_output_channels!r}"
            )
        self.num_output_channels = num_output_channels

    def __call__(self, img):
        img = _check_image(img, "Grayscale")
        if img.shape[-3] != 3:
            raise ValueError(
                f"Grayscale: expected 3 colour channels (RGB); got {img.shape[-3]} in an image "
                f"of shape {tuple(img.shape)}"
            )
        r, g, b = img.unbind(-3)
        grey = (0.299 * r + 0.587 * g + 0.114 * b).unsqueeze(-3)
        return grey.expand(*grey.shape[:-3], self.num_output_channels, *grey.shape[-2:]).clone()

    def __repr__(self) -> str:
        return f"Grayscale(num_output_channels={self.num_output_channels})"


class RandomHorizontalFlip:
    """Mirror the image left to right with probability ``p``
    (``transforms.RandomHorizontalFlip``).

    Taught in: Chapter 6, Applications.

    Parameters
    ----------
    p : float in [0, 1], default 0.5
    generator : torch.Generator, optional
        Where the coin is tossed; torch's global generator if None.
    """

    def __init__(self, p: float = 0.5, generator: torch.Generator | None = None):
        if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0 <= p <= 1:
            raise ValueError(f"RandomHorizontalFlip: p must be a probability in [0, 1]; got {p!r}")
        self.p = float(p)
        self.generator = _check_generator(generator, "RandomHorizontalFlip")

    def __call__(self, img):
        img = _check_image(img, "RandomHorizontalFlip")
        return img.flip(-1) if _draw(self.generator) < self.p else img

    def __repr__(self) -> str:
        return f"RandomHorizontalFlip(p={self.p})"


class RandomAffine:
    """Random rotation, shift and zoom about the centre (``transforms.RandomAffine``).

    Taught in: Chapter 6, Applications.

    Each call draws an angle uniformly from ``[-degrees, degrees]``, a shift from
    ``[-translate[0] * W, translate[0] * W]`` pixels across and ``[-translate[1] * H,
    translate[1] * H]`` down (rounded to whole pixels, as torchvision does), and a zoom
    factor from ``scale``, then calls :func:`affine`.

    Parameters
    ----------
    degrees : float or (float, float)
        The largest rotation either way, or the range ``(low, high)``.
    translate : (float, float), optional
        The largest shift as a fraction of the width and of the height.
    scale : (float, float), optional
        The range of the zoom factor, for example ``(0.9, 1.1)``.
    interpolation : {"nearest", "bilinear"}, default "nearest"
    fill : float, default 0.0
        The value of pixels that come from outside the image.
    generator : torch.Generator, optional
        Where the random numbers come from; torch's global generator if None.
    """

    def __init__(
        self,
        degrees,
        translate=None,
        scale=None,
        interpolation: str = "nearest",
        fill: float = 0.0,
        generator: torch.Generator | None = None,
    ):
        where = "RandomAffine"
        if isinstance(degrees, (int, float)) and not isinstance(degrees, bool):
            if degrees < 0:
                raise ValueError(f"{where}: degrees must be >= 0; got {degrees!r}")
            degrees = (-degrees, degrees)
        self.degrees = _pair(degrees, "degrees", where)
        if translate is not None:
            translate = _pair(translate, "translate", where, ordered=False)
            if not all(0 <= t <= 1 for t in translate):
                raise ValueError(
                    f"{where}: translate fractions must lie in [0, 1]; got {translate}"
                )
        self.translate = translate
        if scale is not None:
            scale = _pair(scale, "scale", where)
            if scale[0] <= 0:
                raise ValueError(f"{where}: scale must be positive; got {scale}")
        self.scale = scale
        if interpolation not in ("nearest", "bilinear"):
            raise ValueError(
                f"{where}: interpolation must be 'nearest' or 'bilinear'; got {interpolation!r}"
            )
        self.interpolation, self.fill = interpolation, float(fill)
        self.generator = _check_generator(generator, where)

    def get_params(self, height: int, width: int):
        """Draw ``(angle, (tx, ty), scale)`` for an image of the given size."""
        angle = _draw(self.generator, *self.degrees)
        tx = ty = 0.0
        if self.translate is not None:
            dx, dy = self.translate[0] * width, self.translate[1] * height
            tx = float(round(_draw(self.generator, -dx, dx)))
            ty = float(round(_draw(self.generator, -dy, dy)))
        zoom = _draw(self.generator, *self.scale) if self.scale is not None else 1.0
        return angle, (tx, ty), zoom

    def __call__(self, img):
        img = _check_image(img, "RandomAffine")
        angle, shift, zoom = self.get_params(*img.shape[-2:])
        return affine(img, angle, shift, zoom, self.interpolation, self.fill)

    def __repr__(self) -> str:
        return (
            f"RandomAffine(degrees={self.degrees}, translate={self.translate}, "
            f"scale={self.scale}, interpolation={self.interpolation!r})"
        )


class RandomResizedCrop:
    """Crop a random part of the image and resize it to ``size``
    (``transforms.RandomResizedCrop``).

    Taught in: Chapter 6, Applications.

    The crop covers a random share of the image's area, drawn from ``scale``, with an
    aspect ratio (width / height) drawn log-uniformly from ``ratio``; torchvision's recipe,
    including its fallback to a central crop after 10 draws that do not fit.

    Parameters
    ----------
    size : int or (int, int)
        Output ``(height, width)``; one number for a square.
    scale : (float, float), default (0.08, 1.0)
        Range of the crop's area as a share of the image's.
    ratio : (float, float), default (3/4, 4/3)
        Range of the crop's aspect ratio.
    generator : torch.Generator, optional
        Where the random numbers come from; torch's global generator if None.
    """

    def __init__(
        self,
        size,
        scale=(0.08, 1.0),
        ratio=(3 / 4, 4 / 3),
        generator: torch.Generator | None = None,
    ):
        where = "RandomResizedCrop"
        if isinstance(size, int) and not isinstance(size, bool):
            size = (size, size)
        size = tuple(size)
        if len(size) != 2 or not all(isinstance(s, int) and s > 0 for s in size):
            raise ValueError(f"{where}: size must be a positive int or (height, width); got {size}")
        self.size = size
        self.scale = _pair(scale, "scale", where)
        if not 0 < self.scale[1] <= 1 or self.scale[0] <= 0:
            raise ValueError(f"{where}: scale must lie in (0, 1]; got {scale}")
        self.ratio = _pair(ratio, "ratio", where)
        if self.ratio[0] <= 0:
            raise ValueError(f"{where}: ratio must be positive; got {ratio}")
        self.generator = _check_generator(generator, where)

    def get_params(self, height: int, width: int) -> tuple[int, int, int, int]:
        """Draw a crop ``(top, left, crop_height, crop_width)`` for an image of this size."""
        area = height * width
        log_ratio = (math.log(self.ratio[0]), math.log(self.ratio[1]))
        for _ in range(10):
            target = area * _draw(self.generator, *self.scale)
            aspect = math.exp(_draw(self.generator, *log_ratio))
            w = int(round(math.sqrt(target * aspect)))
            h = int(round(math.sqrt(target / aspect)))
            if 0 < w <= width and 0 < h <= height:
                top = int(torch.randint(0, height - h + 1, (1,), generator=self.generator))
                left = int(torch.randint(0, width - w + 1, (1,), generator=self.generator))
                return top, left, h, w
        # fallback: the largest central crop with the nearest allowed aspect ratio
        aspect = width / height
        if aspect < self.ratio[0]:
            w, h = width, int(round(width / self.ratio[0]))
        elif aspect > self.ratio[1]:
            h, w = height, int(round(height * self.ratio[1]))
        else:
            w, h = width, height
        return (height - h) // 2, (width - w) // 2, h, w

    def __call__(self, img):
        batch, restore = _as_batch(_check_image(img, "RandomResizedCrop"))
        top, left, h, w = self.get_params(*batch.shape[-2:])
        crop = batch[..., top : top + h, left : left + w]
        return restore(_resize(crop, self.size))

    def __repr__(self) -> str:
        return f"RandomResizedCrop(size={self.size}, scale={self.scale}, ratio={self.ratio})"
