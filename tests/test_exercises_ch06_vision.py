"""Checkers of Chapter 6, images (augmentation, flattened pixels): wrong answers get hints."""

from __future__ import annotations

import torch
from exercise_helpers import assert_hint, rejected


def test_flip_vertical():
    assert_hint(rejected("ch06.augment_flip", lambda x: x.flip(-2)), "upside-down")


def test_flip_channels():
    assert_hint(rejected("ch06.augment_flip", lambda x: x.flip(0)), "colour channels")


def test_flip_both_axes():
    assert_hint(rejected("ch06.augment_flip", lambda x: x.flip(-1, -2)), "not the rows")


def test_flip_drops_channels():
    assert_hint(rejected("ch06.augment_flip", lambda x: x[0].flip(-1)), "same shape")


def test_shift_with_roll():
    def rolled(x, dx, dy):
        return torch.roll(x, (dy, dx), dims=(-2, -1))

    assert_hint(rejected("ch06.augment_shift", rolled), "wraps")


def test_shift_wrong_way():
    from nnlib.exercises import reference_solution

    shift = reference_solution("ch06.augment_shift")
    assert_hint(rejected("ch06.augment_shift", lambda x, dx, dy: shift(x, -dx, -dy)), "wrong way")


def test_shift_axes_swapped():
    from nnlib.exercises import reference_solution

    shift = reference_solution("ch06.augment_shift")
    assert_hint(rejected("ch06.augment_shift", lambda x, dx, dy: shift(x, dy, dx)), "columns")


def test_logistic_without_sigmoid():
    assert_hint(rejected("ch06.flatten_logistic", lambda X, w, b: X @ w + b), "sigmoid")


def test_logistic_without_bias():
    assert_hint(rejected("ch06.flatten_logistic", lambda X, w, b: torch.sigmoid(X @ w)), "bias")


def test_logistic_sign():
    def minus(X, w, b):
        return 1 / (1 + torch.exp(X @ w + b))

    assert_hint(rejected("ch06.flatten_logistic", minus), "minus sign")


def test_logistic_keeps_a_column():
    assert_hint(
        rejected("ch06.flatten_logistic", lambda X, w, b: torch.sigmoid(X @ w[:, None] + b)),
        "one number per row",
    )


def test_bce_sum():
    def summed(p, y):
        return -(y * p.log() + (1 - y) * (1 - p).log()).sum()

    assert_hint(rejected("ch06.flatten_bce", summed), "instead of summing")


def test_bce_sign():
    def negative(p, y):
        return (y * p.log() + (1 - y) * (1 - p).log()).mean()

    assert_hint(rejected("ch06.flatten_bce", negative), "never negative")


def test_bce_positives_only():
    assert_hint(rejected("ch06.flatten_bce", lambda p, y: -(y * p.log()).mean()), "y = 0")


def test_bce_per_example():
    def each(p, y):
        return -(y * p.log() + (1 - y) * (1 - p).log())

    assert_hint(rejected("ch06.flatten_bce", each), "Average the 5")
