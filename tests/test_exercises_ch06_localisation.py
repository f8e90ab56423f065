"""Checkers of Chapter 6, object localisation: typical wrong answers get their hint."""

from __future__ import annotations

import numpy as np
import torch
from exercise_helpers import assert_hint, rejected


def test_corners_full_width():
    def full(b):
        return np.hstack([b[:, :2] - b[:, 2:], b[:, :2] + b[:, 2:]])

    assert_hint(rejected("ch06.centre_to_corners", full), "half the width")


def test_corners_keeps_size():
    def keeps(b):
        return np.hstack([b[:, :2] - b[:, 2:] / 2, b[:, 2:]])

    assert_hint(rejected("ch06.centre_to_corners", keeps), "bottom-right corner")


def test_corners_wrong_order():
    def xxyy(b):
        c, h = b[:, :2], b[:, 2:] / 2
        return np.stack(
            [c[:, 0] - h[:, 0], c[:, 0] + h[:, 0], c[:, 1] - h[:, 1], c[:, 1] + h[:, 1]], 1
        )

    assert_hint(rejected("ch06.centre_to_corners", xxyy), "(x0, y0, x1, y1)")


def _parts(a, b):
    wh = np.minimum(a[:, 2:], b[:, 2:]) - np.maximum(a[:, :2], b[:, :2])
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    return wh, area_a, area_b


def test_iou_without_clipping():
    def unclipped(a, b):
        wh, area_a, area_b = _parts(a, b)
        inter = wh[:, 0] * wh[:, 1]
        return inter / (area_a + area_b - inter)

    assert_hint(rejected("ch06.box_iou", unclipped), "clip")


def test_iou_union_counts_overlap_twice():
    def no_subtract(a, b):
        wh, area_a, area_b = _parts(a, b)
        wh = np.clip(wh, 0, None)
        return wh[:, 0] * wh[:, 1] / (area_a + area_b)

    assert_hint(rejected("ch06.box_iou", no_subtract), "subtract")


def test_iou_divides_by_one_box():
    def one_box(a, b):
        wh, area_a, _ = _parts(a, b)
        wh = np.clip(wh, 0, None)
        return wh[:, 0] * wh[:, 1] / area_a

    assert_hint(rejected("ch06.box_iou", one_box), "union")


def test_smooth_l1_without_half():
    def no_half(p, t, beta):
        d = (p - t).abs()
        return torch.where(d < beta, d**2 / beta, d - 0.5 * beta).mean()

    assert_hint(rejected("ch06.smooth_l1", no_half), "0.5 * d**2 / beta")


def test_smooth_l1_linear_part():
    def wrong_offset(p, t, beta):
        d = (p - t).abs()
        return torch.where(d < beta, 0.5 * d**2 / beta, d - 0.5).mean()

    assert_hint(rejected("ch06.smooth_l1", wrong_offset), "|d| - 0.5 * beta")


def test_smooth_l1_sum():
    def summed(p, t, beta):
        d = (p - t).abs()
        return torch.where(d < beta, 0.5 * d**2 / beta, d - 0.5 * beta).sum()

    assert_hint(rejected("ch06.smooth_l1", summed), "Average")
