"""Chapter 6, images: a flip and a shift for augmentation; logistic regression on flat pixels."""

from __future__ import annotations

import torch

from nnlib.exercises import Fail, exercise, expect_close, solution, tensor_floats

__all__: list[str] = []


def _image_result(got, what: str, shape) -> object:
    got = tensor_floats(got, what)
    if got.shape != tuple(shape):
        raise Fail(
            f"{what} returned shape {got.shape}; expected {tuple(shape)}, the input's shape.",
            "Return an image of the same shape (C, H, W) as the input.",
        )
    return got


@exercise("ch06.augment_flip", success="Your flip mirrors every image exactly.")
def _(flip_horizontal):
    from nnlib.torch.vision import hflip

    gen = torch.Generator().manual_seed(0)
    for shape in ((3, 4, 5), (1, 3, 3)):
        image = torch.rand(*shape, generator=gen, dtype=torch.float64)
        what = f"flip_horizontal(image of shape {shape})"
        got = _image_result(flip_horizontal(image.clone()), what, shape)
        expect_close(
            got,
            hflip(image),
            what,
            "Column j of the result is column W - 1 - j of the image; rows and channels stay.",
            atol=0,
            mistakes=[
                (image.flip(-2), "That is an upside-down (vertical) flip: reverse the last axis."),
                (image.flip(0), "Axis 0 holds the colour channels: reverse the last axis."),
                (image.flip(-1, -2), "Reverse only the columns (the last axis), not the rows."),
            ],
        )


@solution("ch06.augment_flip")
def flip_horizontal(image):
    return image.flip(-1)


@exercise("ch06.augment_shift", success="Your shift moves the pixels and fills the gap with 0.")
def _(shift):
    from nnlib.torch.vision import affine

    image = torch.rand(2, 5, 6, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    for dx, dy in ((2, 1), (-1, 3), (0, -2), (0, 0)):
        what = f"shift(image, dx={dx}, dy={dy})"
        got = _image_result(shift(image.clone(), dx, dy), what, image.shape)
        expect_close(
            got,
            affine(image, 0.0, (dx, dy), 1.0),
            what,
            "Pixel (row, column) of the result is pixel (row - dy, column - dx) of the image, "
            "and 0 where that falls outside.",
            atol=0,
            mistakes=[
                (
                    torch.roll(image, (dy, dx), dims=(-2, -1)),
                    "torch.roll wraps the pixels around the edge: the ones that leave on one "
                    "side must not come back on the other. Fill the gap with zeros.",
                ),
                (
                    affine(image, 0.0, (-dx, -dy), 1.0),
                    "The content moves the wrong way: a positive dx moves it to the right, a "
                    "positive dy down.",
                ),
                (
                    affine(image, 0.0, (dy, dx), 1.0),
                    "dx moves along the columns (the last axis), dy along the rows.",
                ),
            ],
        )


@solution("ch06.augment_shift")
def shift(image, dx, dy):
    out = torch.zeros_like(image)
    h, w = image.shape[-2:]
    rows_in, rows_out = slice(max(0, -dy), min(h, h - dy)), slice(max(0, dy), min(h, h + dy))
    cols_in, cols_out = slice(max(0, -dx), min(w, w - dx)), slice(max(0, dx), min(w, w + dx))
    out[..., rows_out, cols_out] = image[..., rows_in, cols_in]
    return out


def _logistic_case():
    gen = torch.Generator().manual_seed(2)
    X = torch.rand(6, 4, generator=gen, dtype=torch.float64)
    w = torch.randn(4, generator=gen, dtype=torch.float64)
    return X, w, -0.7


@exercise("ch06.flatten_logistic", success="Your probabilities match torch's sigmoid(X @ w + b).")
def _(predict_proba):
    X, w, b = _logistic_case()
    what = "predict_proba(X, w, b) with X of shape (6, 4)"
    got = predict_proba(X.clone(), w.clone(), b)
    got = tensor_floats(got, what)
    if got.shape != (6,):
        raise Fail(
            f"{what} returned shape {got.shape}; expected (6,), one probability per row.",
            "X @ w gives one number per row of X.",
        )
    z = X @ w + b
    expect_close(
        got,
        torch.sigmoid(z),
        what,
        "The probability is sigmoid(z) = 1 / (1 + exp(-z)) with z = X @ w + b.",
        atol=1e-12,
        mistakes=[
            (z, "Those are the scores z; squash them with the sigmoid to get probabilities."),
            (torch.sigmoid(X @ w), "Add the bias b to X @ w before the sigmoid."),
            (torch.sigmoid(-z), "sigmoid(z) = 1 / (1 + exp(-z)): mind the minus sign."),
        ],
    )


@solution("ch06.flatten_logistic")
def predict_proba(X, w, b):
    return torch.sigmoid(X @ w + b)


@exercise("ch06.flatten_bce", success="Your loss matches torch's binary_cross_entropy.")
def _(binary_cross_entropy):
    import torch.nn.functional as F

    p = torch.tensor([0.9, 0.2, 0.6, 0.05, 0.7], dtype=torch.float64)
    y = torch.tensor([1.0, 0.0, 0.0, 0.0, 1.0], dtype=torch.float64)
    what = "binary_cross_entropy(p, y) on 5 predictions"
    got = tensor_floats(binary_cross_entropy(p.clone(), y.clone()), what)
    if got.size != 1:
        raise Fail(f"{what} returned {got.size} numbers.", "Average the 5 losses: .mean().")
    each = -(y * p.log() + (1 - y) * (1 - p).log())
    expect_close(
        got.reshape(()),
        F.binary_cross_entropy(p, y),
        what,
        "Per example: -(y log p + (1 - y) log(1 - p)); then the mean.",
        atol=1e-12,
        mistakes=[
            (each.sum(), "Average the losses instead of summing them."),
            (-each.mean(), "The loss is minus the log-probability: it is never negative."),
            (
                -(y * p.log()).mean(),
                "The examples with y = 0 count too: add (1 - y) log(1 - p).",
            ),
        ],
    )


@solution("ch06.flatten_bce")
def binary_cross_entropy(p, y):
    return -(y * p.log() + (1 - y) * (1 - p).log()).mean()
