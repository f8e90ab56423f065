"""Checkers of Chapter 5, convolution by hand and the CNN on digits: the solutions pass, the
stub gets "Not yet", and typical wrong answers get their targeted hint."""

from __future__ import annotations

import numpy as np
import pytest
from exercise_helpers import assert_hint, assert_stub_not_yet, case_ids, rejected

from nnlib.exercises import reference_solution

IDS = ["ch05.conv2d", "ch05.maxpool", "ch05.output_size", "ch05.conv_params", "ch05.shift_images"]


@pytest.mark.parametrize("exercise_id", IDS)
def test_stub_is_not_yet(exercise_id):
    assert_stub_not_yet(exercise_id)


@pytest.mark.parametrize("exercise_id", IDS)
def test_returning_none_is_explained(exercise_id):
    assert_hint(rejected(exercise_id, lambda *a, **k: None), "return")


def flipped_conv(image, kernel):
    return reference_solution("ch05.conv2d")(image, kernel[::-1, ::-1])


def same_size_conv(image, kernel):
    out = np.zeros_like(image)
    valid = reference_solution("ch05.conv2d")(image, kernel)
    out[: valid.shape[0], : valid.shape[1]] = valid
    return out


def off_by_one_conv(image, kernel):
    return reference_solution("ch05.conv2d")(image, kernel)[:-1, :-1]


def overlapping_maxpool(image, size):
    rows, cols = image.shape[0] - size + 1, image.shape[1] - size + 1
    return np.array(
        [[image[i : i + size, j : j + size].max() for j in range(cols)] for i in range(rows)]
    )


def avgpool(image, size):
    rows, cols = image.shape[0] // size, image.shape[1] // size
    blocks = image[: rows * size, : cols * size].reshape(rows, size, cols, size)
    return blocks.mean(axis=(1, 3))


def rolled(images, dx, dy):
    return np.roll(images, (dy, dx), axis=(1, 2))


def backwards_shift(images, dx, dy):
    return reference_solution("ch05.shift_images")(images, -dx, -dy)


def swapped_shift(images, dx, dy):
    return reference_solution("ch05.shift_images")(images, dy, dx)


WRONG = [
    ("ch05.conv2d", flipped_conv, "flipped the kernel"),
    ("ch05.conv2d", same_size_conv, "No padding here"),
    ("ch05.conv2d", off_by_one_conv, "Off by one"),
    ("ch05.maxpool", overlapping_maxpool, "overlap"),
    ("ch05.maxpool", avgpool, "average pooling"),
    ("ch05.output_size", lambda n, k, s=1, p=0: (n + 2 * p - k) // s, "+ 1"),
    ("ch05.output_size", lambda n, k, s=1, p=0: (n + p - k) // s + 1, "both sides"),
    ("ch05.output_size", lambda n, k, s=1, p=0: (n + 2 * p - k) / s + 1, "//"),
    ("ch05.conv_params", lambda i, o, k: o * i * k * k, "biases"),
    ("ch05.conv_params", lambda i, o, k: o * (k * k + 1), "every input channel"),
    ("ch05.conv_params", lambda i, o, k: i * (o * k * k + 1), "per output channel"),
    ("ch05.shift_images", rolled, "wraps"),
    ("ch05.shift_images", backwards_shift, "Wrong direction"),
    ("ch05.shift_images", swapped_shift, "dx moves columns"),
]


@pytest.mark.parametrize(("exercise_id", "answer", "fragment"), WRONG, ids=case_ids(WRONG))
def test_typical_mistakes_get_their_hint(exercise_id, answer, fragment):
    assert_hint(rejected(exercise_id, answer), fragment)
