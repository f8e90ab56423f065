"""Chapter 5, convolution by hand: a convolution, max pooling and the output-size formula."""

from __future__ import annotations

import numpy as np

from nnlib.exercises import Fail, as_floats, exercise, expect_close, solution

__all__: list[str] = []


def _reference_conv(image, kernel):
    from nnlib.conv import conv2d as _conv2d

    return _conv2d(image[None, None], kernel[None, None])[0, 0]


@exercise("ch05.conv2d", success="Your convolution matches nnlib.conv.conv2d (and torch's).")
def _(conv2d):
    rng = np.random.default_rng(502)
    cases = [
        (np.arange(20.0).reshape(4, 5), np.array([[1.0, 0.0], [0.0, -1.0]])),
        (rng.normal(size=(6, 7)), rng.normal(size=(3, 2))),
        (rng.normal(size=(5, 5)), rng.normal(size=(3, 3))),
    ]
    for image, kernel in cases:
        what = f"conv2d(image {image.shape}, kernel {kernel.shape})"
        got = as_floats(conv2d(image.copy(), kernel.copy()), what)
        expected = _reference_conv(image, kernel)
        kh, kw = kernel.shape
        if got.shape != expected.shape:
            hint = (
                "Without padding, a kh x kw kernel fits at H - kh + 1 rows and W - kw + 1 "
                "columns: the output is smaller than the image."
            )
            if got.shape == (expected.shape[0] - 1, expected.shape[1] - 1):
                hint = "Off by one: the last position starts at row H - kh, so range(H - kh + 1)."
            elif got.shape == image.shape:
                hint = "No padding here: the output has H - kh + 1 rows, not H."
            raise Fail(f"{what} has shape {got.shape}; expected {expected.shape}.", hint)
        expect_close(
            got,
            expected,
            what,
            "out[i, j] is the sum of image[i:i + kh, j:j + kw] * kernel (element by element).",
            atol=1e-9,
            mistakes=[
                (
                    _reference_conv(image, kernel[::-1, ::-1]),
                    "You flipped the kernel: that is the convolution of mathematics. Deep "
                    "learning's 'convolution' is cross-correlation: no flip.",
                ),
                (
                    np.zeros_like(expected),
                    "All zeros: did you fill the output array inside the loops?",
                ),
            ],
        )


@solution("ch05.conv2d")
def conv2d(image, kernel):
    kh, kw = kernel.shape
    out = np.zeros((image.shape[0] - kh + 1, image.shape[1] - kw + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = np.sum(image[i : i + kh, j : j + kw] * kernel)
    return out


@exercise("ch05.maxpool", success="Your max pooling matches nnlib.conv.max_pool2d.")
def _(maxpool):
    from nnlib.conv import avg_pool2d, max_pool2d

    rng = np.random.default_rng(503)
    for shape, size in (((4, 4), 2), ((6, 9), 3), ((5, 7), 2)):
        image = rng.normal(size=shape)
        what = f"maxpool(image {shape}, size={size})"
        got = as_floats(maxpool(image.copy(), size), what)
        expected = max_pool2d(image[None, None], size)[0, 0]
        if got.shape != expected.shape:
            overlapping = (shape[0] - size + 1, shape[1] - size + 1)
            hint = (
                "The windows do not overlap: they move by `size` (the stride equals the "
                "size), so there are H // size rows of them (a partial window at the edge "
                "is dropped)."
            )
            if got.shape == overlapping:
                hint = "Your windows overlap (stride 1): move by `size` each time."
            raise Fail(f"{what} has shape {got.shape}; expected {expected.shape}.", hint)
        expect_close(
            got,
            expected,
            what,
            "Each output is the largest value of one size x size block.",
            atol=1e-12,
            mistakes=[
                (avg_pool2d(image[None, None], size)[0, 0], "That is average pooling: take max."),
                (-max_pool2d(-image[None, None], size)[0, 0], "That is the minimum: take max."),
            ],
        )


@solution("ch05.maxpool")
def maxpool(image, size):
    rows, cols = image.shape[0] // size, image.shape[1] // size
    out = np.zeros((rows, cols))
    for i in range(rows):
        for j in range(cols):
            out[i, j] = image[i * size : (i + 1) * size, j * size : (j + 1) * size].max()
    return out


@exercise("ch05.output_size", success="That is the formula every CNN library uses.")
def _(output_size):
    cases = [(8, 3, 1, 0), (28, 5, 1, 2), (8, 3, 1, 1), (8, 2, 2, 0), (9, 2, 2, 0), (7, 3, 2, 1)]
    cases += [(8, 3, 2, 0), (10, 4, 3, 0)]
    for n, k, s, p in cases:
        what = f"output_size(n={n}, k={k}, stride={s}, padding={p})"
        got = output_size(n, k, s, p)
        value = as_floats(got, what)
        expected = (n + 2 * p - k) // s + 1
        if value.ndim != 0:
            raise Fail(f"{what} returned an array; expected one integer.")
        if float(value) != int(value):
            raise Fail(
                f"{what} returned {float(value):g}, not a whole number.",
                "A window either fits or it does not: round down with // (floor division).",
            )
        expect_close(
            value,
            expected,
            what,
            "Count the positions: the padded length is n + 2p, the first window starts at "
            "0, the last at most at n + 2p - k, moving by the stride.",
            atol=0,
            mistakes=[
                ((n + 2 * p - k) // s, "You forgot the + 1: the window at position 0 counts."),
                ((n + p - k) // s + 1, "Padding is added on both sides: n + 2 * padding."),
                ((n - k) // s + 1, "Padding is added on both sides: n + 2 * padding."),
                (-(-(n + 2 * p - k) // s) + 1, "Round down (//), not up."),
            ],
            fmt=lambda v: f"{float(v):g}",
        )


@solution("ch05.output_size")
def output_size(n, k, stride=1, padding=0):
    return (n + 2 * padding - k) // stride + 1
