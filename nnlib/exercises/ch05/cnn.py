"""Chapter 5, a CNN on digits: counting a convolution's parameters and shifting images."""

from __future__ import annotations

import numpy as np

from nnlib.exercises import Fail, as_floats, exercise, expect_close, solution

__all__: list[str] = []


@exercise("ch05.conv_params", success="That is what torch counts for nn.Conv2d.")
def _(conv_params):
    for c_in, c_out, k in ((1, 8, 3), (8, 16, 3), (3, 4, 5), (16, 2, 1)):
        what = f"conv_params(in_channels={c_in}, out_channels={c_out}, kernel_size={k})"
        got = as_floats(conv_params(c_in, c_out, k), what)
        expected = c_out * (c_in * k * k + 1)
        expect_close(
            got,
            expected,
            what,
            "Each output channel has one kernel of shape (in_channels, k, k) and one bias.",
            atol=0,
            mistakes=[
                (c_out * c_in * k * k, "Add the biases: one per output channel."),
                (
                    c_out * (k * k + 1),
                    "Each kernel spans every input channel: in_channels * k * k.",
                ),
                (c_out * (c_in * k + 1), "A k x k kernel has k * k weights per channel."),
                (c_in * (c_out * k * k + 1), "One bias per output channel, not per input channel."),
            ],
            fmt=lambda v: f"{float(v):g}",
        )


@solution("ch05.conv_params")
def conv_params(in_channels, out_channels, kernel_size):
    weights = out_channels * in_channels * kernel_size * kernel_size
    biases = out_channels
    return weights + biases


def _shift(images, dx, dy):
    out = np.zeros_like(images)
    h, w = images.shape[1:]
    out[:, max(dy, 0) : h + min(dy, 0), max(dx, 0) : w + min(dx, 0)] = images[
        :, max(-dy, 0) : h + min(-dy, 0), max(-dx, 0) : w + min(-dx, 0)
    ]
    return out


@exercise("ch05.shift_images", success="Shifted the right way, with zeros coming in.")
def _(shift_images):
    rng = np.random.default_rng(505)
    images = rng.uniform(0.1, 1.0, size=(3, 6, 7))  # no zeros: a wrap-around shows
    for dx, dy in ((1, 0), (0, 1), (-2, 0), (0, -1), (2, -1), (0, 0)):
        what = f"shift_images(images {images.shape}, dx={dx}, dy={dy})"
        got = as_floats(shift_images(images.copy(), dx, dy), what)
        expected = _shift(images, dx, dy)
        if got.shape != expected.shape:
            raise Fail(
                f"{what} has shape {got.shape}; expected {expected.shape}.",
                "Keep the images' shape: pixels pushed off the edge are dropped and zeros "
                "come in on the other side.",
            )
        expect_close(
            got,
            expected,
            what,
            "Output pixel (r, c) is input pixel (r - dy, c - dx), or 0 when that lies "
            "outside the image.",
            atol=1e-12,
            mistakes=[
                (
                    np.roll(images, (dy, dx), axis=(1, 2)),
                    "np.roll wraps the pixels around to the other side; set the rows and "
                    "columns that came in to zero (a digit does not reappear at the far edge).",
                ),
                (_shift(images, dy, dx), "dx moves columns (axis 2), dy moves rows (axis 1)."),
                (
                    _shift(images, -dx, -dy),
                    "Wrong direction: a positive dx moves the picture right (to larger column "
                    "indices), a positive dy moves it down.",
                ),
            ],
            fmt=lambda v: f"array of shape {np.shape(v)}",
        )


@solution("ch05.shift_images")
def shift_images(images, dx, dy):
    shifted = np.roll(images, (dy, dx), axis=(1, 2))  # rows by dy, columns by dx
    if dy > 0:
        shifted[:, :dy, :] = 0  # rows that wrapped around from the bottom
    elif dy < 0:
        shifted[:, dy:, :] = 0
    if dx > 0:
        shifted[:, :, :dx] = 0
    elif dx < 0:
        shifted[:, :, dx:] = 0
    return shifted
