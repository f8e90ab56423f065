"""Checkers of Chapter 5, notebook 07 (GANs): typical wrong answers get their hint."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from exercise_helpers import assert_hint, assert_stub_not_yet, forgot_return, rejected  # noqa: E402
from torch.nn.functional import binary_cross_entropy as bce  # noqa: E402
from torch.nn.functional import binary_cross_entropy_with_logits as bce_logits  # noqa: E402

IDS = ["ch05.discriminator_loss", "ch05.mmd"]


# Each reference solution passing its checker: tests/test_exercise_solutions.py.
@pytest.mark.parametrize("exercise_id", IDS)
def test_stub_is_not_yet(exercise_id):
    assert_stub_not_yet(exercise_id)


@pytest.mark.parametrize("exercise_id", IDS)
def test_forgotten_return_is_explained(exercise_id):
    assert_hint(rejected(exercise_id, forgot_return), "return")


def ones(t):
    return torch.ones_like(t)


def zeros(t):
    return torch.zeros_like(t)


def mean_kernel(a, b, h, scale=2.0, power=2):
    d = np.sqrt(((a[:, None, :] - b[None, :, :]) ** 2).sum(-1))
    return np.exp(-(d**power) / (scale * h**2)).mean()


def mmd_with(**kw):
    def answer(x, y, h):
        k = {
            name: mean_kernel(p, q, h, **kw)
            for name, (p, q) in {"xx": (x, x), "yy": (y, y), "xy": (x, y)}.items()
        }
        return k["xx"] + k["yy"] - 2 * k["xy"]

    return answer


def unbiased(x, y, h):
    def off_diagonal(a):
        k = np.exp(-((a[:, None, :] - a[None, :, :]) ** 2).sum(-1) / (2 * h**2))
        return (k.sum() - np.trace(k)) / (len(a) * (len(a) - 1))

    return off_diagonal(x) + off_diagonal(y) - 2 * mean_kernel(x, y, h)


WRONG = [
    (
        "ch05.discriminator_loss",
        lambda r, f: bce_logits(r, zeros(r)) + bce_logits(f, ones(f)),
        "swapped",
    ),
    ("ch05.discriminator_loss", lambda r, f: bce_logits(r, ones(r)), "term for the fakes"),
    ("ch05.discriminator_loss", lambda r, f: bce_logits(f, zeros(f)), "term for the real"),
    (
        "ch05.discriminator_loss",
        lambda r, f: (
            bce_logits(r, ones(r), reduction="sum") + bce_logits(f, zeros(f), reduction="sum")
        ),
        "Average each term",
    ),
    (
        "ch05.discriminator_loss",
        lambda r, f: bce_logits(torch.cat([r, f]), torch.cat([ones(r), zeros(f)])),
        "Average each batch on its own",
    ),
    (
        "ch05.discriminator_loss",
        lambda r, f: bce(torch.sigmoid(r), ones(r)) + bce(torch.sigmoid(f), zeros(f)),
        "sigmoid rounds",
    ),
    (
        "ch05.discriminator_loss",
        lambda r, f: (bce_logits(r, ones(r)) + bce_logits(f, zeros(f))).item(),
        "no gradient",
    ),
    ("ch05.mmd", lambda x, y, h: mmd_with()(x, y, h) + mean_kernel(x, y, h), "counts twice"),
    ("ch05.mmd", mmd_with(scale=1.0), "2 h^2"),
    ("ch05.mmd", mmd_with(power=1), "Square the distance"),
    ("ch05.mmd", unbiased, "unbiased"),
    ("ch05.mmd", lambda x, y, h: np.sqrt(mmd_with()(x, y, h)), "without the square root"),
]


@pytest.mark.parametrize(("exercise_id", "answer", "fragment"), WRONG)
def test_typical_mistakes_get_their_hint(exercise_id, answer, fragment):
    assert_hint(rejected(exercise_id, answer), fragment)
