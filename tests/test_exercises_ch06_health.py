"""Checkers of Chapter 6, tabular data and health: typical wrong answers get their hint."""

from __future__ import annotations

import numpy as np
from exercise_helpers import assert_hint, rejected


def strict_auc(scores, labels):
    pos, neg = scores[labels == 1], scores[labels == 0]
    return np.mean(pos[:, None] > neg[None, :])


def test_auc_ignores_ties():
    assert_hint(rejected("ch06.auc_by_ranking", strict_auc), "Ties count as half")


def test_auc_reversed():
    def reversed_auc(scores, labels):
        pos, neg = scores[labels == 1], scores[labels == 0]
        return np.mean(pos[:, None] < neg[None, :])

    assert_hint(rejected("ch06.auc_by_ranking", reversed_auc), "Compare every positive")


def test_brier_sum():
    assert_hint(rejected("ch06.brier", lambda p, y: np.sum((p - y) ** 2)), "Average")


def test_brier_absolute():
    assert_hint(rejected("ch06.brier", lambda p, y: np.mean(np.abs(p - y))), "Square")


def test_precision_recall_swapped():
    def swapped(s, y, t):
        f = s >= t
        tp = np.sum(f & (y == 1))
        return tp / y.sum(), (tp / f.sum() if f.any() else 1.0)

    assert_hint(rejected("ch06.precision_recall_at", swapped), "(precision, recall)")


def test_precision_recall_strict_threshold():
    def strict(s, y, t):
        f = s > t
        tp = np.sum(f & (y == 1))
        return (tp / f.sum() if f.any() else 1.0), tp / y.sum()

    assert_hint(rejected("ch06.precision_recall_at", strict), ">=, not >")


def test_precision_recall_nothing_flagged():
    def nan_when_empty(s, y, t):
        f = s >= t
        tp = np.sum(f & (y == 1))
        with np.errstate(invalid="ignore"):
            return tp / f.sum(), tp / y.sum()

    assert_hint(rejected("ch06.precision_recall_at", nan_when_empty), "precision of 1.0")
