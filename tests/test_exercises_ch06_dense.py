"""Checkers of Chapter 6, the dense digit classifier: typical wrong answers get their hint."""

from __future__ import annotations

import numpy as np
from exercise_helpers import assert_hint, rejected


def test_prepare_unscaled():
    assert_hint(rejected("ch06.prepare", lambda im, m: im.reshape(len(im), -1)), "Divide by")


def test_prepare_column_order():
    def by_columns(im, m):
        return np.transpose(im, (0, 2, 1)).reshape(len(im), -1) / m

    assert_hint(rejected("ch06.prepare", by_columns), "row by row")


def test_prepare_wrong_shape():
    assert_hint(rejected("ch06.prepare", lambda im, m: im / m), "merge the other two")


def test_prepare_divides_by_the_observed_maximum():
    def by_max(im, m):
        return im.reshape(len(im), -1) / (im.max() + 1)

    assert_hint(rejected("ch06.prepare", by_max), "not by the largest pixel seen")


def test_most_confused_on_the_diagonal():
    def diagonal(cm):
        i = int(np.argmax(np.diag(cm)))
        return i, i

    assert_hint(rejected("ch06.most_confused", diagonal), "diagonal counts correct answers")


def test_most_confused_swapped():
    def swapped(cm):
        cm = np.asarray(cm)
        r, c = np.unravel_index((cm - np.diag(np.diag(cm))).argmax(), cm.shape)
        return c, r

    assert_hint(rejected("ch06.most_confused", swapped), "Rows are the true class")


def test_most_confused_not_a_pair():
    assert_hint(rejected("ch06.most_confused", lambda cm: 3), "Return a pair")


def test_cross_entropy_overflows_without_the_max_trick():
    def naive(z, t):
        p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
        return -np.mean(np.sum(t * np.log(p), axis=1))

    with np.errstate(all="ignore"):
        assert_hint(
            rejected("ch06.categorical_cross_entropy", naive), "subtract each row's maximum"
        )


def test_cross_entropy_sum_instead_of_mean():
    def summed(z, t):
        z = z - z.max(axis=1, keepdims=True)
        return -np.sum(t * (z - np.log(np.exp(z).sum(axis=1, keepdims=True))))

    assert_hint(rejected("ch06.categorical_cross_entropy", summed), "mean over the batch")
