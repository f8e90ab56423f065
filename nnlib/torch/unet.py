"""A tiny U-Net: an encoder, a decoder, and the skip connections that join them.

Taught in: Chapter 5, Architectures (U-Net).

Segmentation needs two things at once: *what* is in the image (which takes a wide view,
so the encoder pools the image down to coarse feature maps) and *where* exactly its edges
are (which the pooling throws away). A U-Net (Ronneberger et al., 2015) gets both by
sending each encoder level's feature maps straight across to the decoder level of the same
resolution, where they are concatenated with the upsampled coarse features::

    input ─ enc1 ───────────────────────── concat ─ dec1 ─ 1x1 conv ─ logits
              └ pool ─ enc2 ──── concat ─ dec2 ┘ up
                         └ pool ─ bottom ┘ up

:class:`TinyUNet` has two such levels (the image is pooled twice, to a quarter of its
width) and a switch, ``skip=False``, that removes the two skip connections and leaves a
plain encoder-decoder, so that a notebook can measure what they add.
"""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["TinyUNet", "conv_block"]


def conv_block(in_channels: int, out_channels: int) -> nn.Sequential:
    """Two 3x3 convolutions with ReLU, padded so that height and width are kept.

    Taught in: Chapter 5, Architectures (U-Net).

    Parameters
    ----------
    in_channels, out_channels : int

    Returns
    -------
    torch.nn.Sequential
        ``Conv2d(in, out, 3, padding=1), ReLU, Conv2d(out, out, 3, padding=1), ReLU``.
    """
    for name, value in (("in_channels", in_channels), ("out_channels", out_channels)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"conv_block: {name} must be a positive integer; got {value!r}")
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, 3, padding=1),
        nn.ReLU(),
        nn.Conv2d(out_channels, out_channels, 3, padding=1),
        nn.ReLU(),
    )


class TinyUNet(nn.Module):
    """A two-level U-Net for small images: per-pixel logits of the same height and width.

    Taught in: Chapter 5, Architectures (U-Net).

    Encoder: ``enc1`` (``width`` channels, full resolution), max-pool, ``enc2``
    (``2*width``, half resolution), max-pool, ``bottom`` (``4*width``, quarter resolution).
    Decoder: a transposed convolution doubles the resolution, the encoder's feature maps of
    that resolution are concatenated on the channel axis (the skip connection), and a
    :func:`conv_block` mixes the two; twice. A 1x1 convolution gives ``out_channels``
    logits per pixel (apply a sigmoid for probabilities; train with
    ``nn.BCEWithLogitsLoss``).

    Parameters
    ----------
    in_channels : int, default 1
        Channels of the input images.
    out_channels : int, default 1
        Logits per pixel (1 for a binary mask).
    width : int, default 8
        Channels of the first level; each level down doubles it.
    skip : bool, default True
        With ``False`` the decoder gets only the upsampled coarse features: a plain
        encoder-decoder with the same layers (its decoder blocks take fewer input channels).

    Examples
    --------
    >>> net = TinyUNet(width=4)
    >>> net(torch.zeros(2, 1, 16, 16)).shape
    torch.Size([2, 1, 16, 16])
    """

    def __init__(
        self, in_channels: int = 1, out_channels: int = 1, width: int = 8, skip: bool = True
    ):
        super().__init__()
        for name, value in (
            ("in_channels", in_channels),
            ("out_channels", out_channels),
            ("width", width),
        ):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"TinyUNet: {name} must be a positive integer; got {value!r}")
        self.in_channels, self.skip = in_channels, bool(skip)
        w = width
        self.enc1 = conv_block(in_channels, w)
        self.enc2 = conv_block(w, 2 * w)
        self.bottom = conv_block(2 * w, 4 * w)
        self.pool = nn.MaxPool2d(2)
        self.up2 = nn.ConvTranspose2d(4 * w, 2 * w, kernel_size=2, stride=2)
        self.dec2 = conv_block(4 * w if skip else 2 * w, 2 * w)
        self.up1 = nn.ConvTranspose2d(2 * w, w, kernel_size=2, stride=2)
        self.dec1 = conv_block(2 * w if skip else w, w)
        self.head = nn.Conv2d(w, out_channels, kernel_size=1)

    def _check(self, x) -> None:
        if not isinstance(x, torch.Tensor):
            raise TypeError(f"TinyUNet: the input must be a torch.Tensor; got {type(x).__name__}")
        if x.ndim != 4:
            hint = " (add a batch axis: x.unsqueeze(0))" if x.ndim == 3 else ""
            raise ValueError(
                "TinyUNet: the input must have shape (batch, channels, height, width); "
                f"got shape {tuple(x.shape)}{hint}"
            )
        if x.shape[1] != self.in_channels:
            raise ValueError(
                f"TinyUNet: expected {self.in_channels} input channel(s); got {x.shape[1]} "
                f"(input shape {tuple(x.shape)})"
            )
        if x.shape[2] % 4 or x.shape[3] % 4:
            raise ValueError(
                "TinyUNet: height and width must be multiples of 4 (the image is pooled "
                f"twice); got {x.shape[2]}x{x.shape[3]}"
            )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Per-pixel logits, shape ``(batch, out_channels, height, width)``."""
        self._check(x)
        e1 = self.enc1(x)  # full resolution
        e2 = self.enc2(self.pool(e1))  # 1/2
        b = self.bottom(self.pool(e2))  # 1/4: the widest view, the least detail
        u2 = self.up2(b)
        d2 = self.dec2(torch.cat([u2, e2], dim=1) if self.skip else u2)
        u1 = self.up1(d2)
        d1 = self.dec1(torch.cat([u1, e1], dim=1) if self.skip else u1)
        return self.head(d1)
