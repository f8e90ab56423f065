"""Chapter 6, object localisation: box encodings, the IoU of two boxes, the smooth L1 loss."""

from __future__ import annotations

import numpy as np
import torch

from nnlib.exercises import Fail, as_floats, exercise, expect_close, solution

__all__: list[str] = []


def _returned(got, what, hint, shape):
    if got is None:
        raise Fail(f"{what} returned None.", "Did you forget a `return` statement?")
    got = as_floats(got, what, hint)
    if got.shape != shape:
        raise Fail(f"{what} returned an array of shape {got.shape}; expected {shape}.", hint)
    return got


@exercise("ch06.centre_to_corners", success="Your boxes match nnlib's centre_to_corners.")
def _(centre_to_corners):
    from nnlib.segmentation import centre_to_corners as reference

    boxes = np.array([[0.5, 0.5, 0.2, 0.4], [0.3, 0.7, 0.1, 0.3], [0.25, 0.2, 0.5, 0.4]])
    want = reference(boxes)
    c, s = boxes[:, :2], boxes[:, 2:]
    what = f"centre_to_corners({boxes.tolist()})"
    got = _returned(
        centre_to_corners(boxes.copy()), what, "Return an array of shape (n, 4).", (3, 4)
    )
    expect_close(
        got,
        want,
        what,
        "The corners are (cx - w/2, cy - h/2, cx + w/2, cy + h/2).",
        atol=1e-12,
        mistakes=[
            (np.hstack([c - s, c + s]), "Go half the width and half the height from the centre."),
            (np.hstack([c - s / 2, s]), "The last two numbers are the bottom-right corner."),
            (want[:, [0, 2, 1, 3]], "The order is (x0, y0, x1, y1): top-left corner first."),
        ],
    )


@solution("ch06.centre_to_corners")
def centre_to_corners(boxes):
    centre, half = boxes[:, :2], boxes[:, 2:] / 2
    return np.hstack([centre - half, centre + half])


def _box_cases():
    a = np.array(
        [
            [0, 0, 2, 2],
            [0, 0, 2, 2],
            [0, 0, 1, 1],
            [0.1, 0.2, 0.5, 0.6],
            [0, 0, 4, 4],
            [0, 0, 1, 1],
        ],
        dtype=float,
    )
    b = np.array(
        [
            [1, 1, 3, 3],
            [0, 0, 2, 2],
            [2, 2, 3, 3],
            [0.3, 0.1, 0.7, 0.4],
            [1, 1, 2, 2],
            [0, 2, 1, 3],
        ],
        dtype=float,
    )
    return a, b


@exercise("ch06.box_iou", success="Your IoU matches nnlib's box_iou on every pair.")
def _(box_iou):
    from nnlib.segmentation import box_iou as reference

    a, b = _box_cases()
    want = reference(a, b)
    what = "box_iou(a, b) on six pairs (overlapping, equal, apart, nested)"
    got = _returned(box_iou(a.copy(), b.copy()), what, "Return one IoU per pair: shape (n,).", (6,))
    raw_w = np.minimum(a[:, 2], b[:, 2]) - np.maximum(a[:, 0], b[:, 0])
    raw_h = np.minimum(a[:, 3], b[:, 3]) - np.maximum(a[:, 1], b[:, 1])
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    inter = np.clip(raw_w, 0, None) * np.clip(raw_h, 0, None)
    unclipped = raw_w * raw_h
    expect_close(
        got,
        want,
        what,
        "Intersection: from the larger top-left corner to the smaller bottom-right corner; "
        "union: area(a) + area(b) - intersection.",
        atol=1e-9,
        mistakes=[
            (
                unclipped / (area_a + area_b - unclipped),
                "Boxes that do not overlap: clip the intersection's width and height at 0 "
                "(two negative sides multiply to a positive area).",
            ),
            (inter / (area_a + area_b), "The union counts the overlap once: subtract it."),
            (inter / area_a, "Divide by the union of the two boxes, not by one box's area."),
        ],
    )


@solution("ch06.box_iou")
def box_iou(a, b):
    top_left = np.maximum(a[:, :2], b[:, :2])
    bottom_right = np.minimum(a[:, 2:], b[:, 2:])
    w, h = np.clip(bottom_right - top_left, 0, None).T
    intersection = w * h
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    return intersection / (area_a + area_b - intersection)


@exercise("ch06.smooth_l1", success="Your loss matches torch's smooth_l1_loss.")
def _(smooth_l1):
    import torch.nn.functional as F

    pred = torch.tensor([[0.5, 0.2, 0.31, 0.9], [0.1, 0.45, 0.2, 0.0]], dtype=torch.float64)
    target = torch.tensor([[0.52, 0.6, 0.3, 0.5], [0.1, 0.4, 0.25, 0.05]], dtype=torch.float64)
    for beta in (0.05, 1.0):
        what = f"smooth_l1(pred, target, beta={beta})"
        got = smooth_l1(pred.clone(), target.clone(), beta)
        if got is None:
            raise Fail(f"{what} returned None.", "Did you forget a `return` statement?")
        got = as_floats(got.detach() if torch.is_tensor(got) else got, what, "Return a number.")
        if got.size != 1:
            raise Fail(
                f"{what} returned {got.size} numbers.", "Average over all the numbers: .mean()."
            )
        d = (pred - target).abs()
        want = F.smooth_l1_loss(pred, target, beta=beta).item()
        expect_close(
            got.reshape(()),
            want,
            what,
            "Per number: 0.5 * d**2 / beta where |d| < beta, else |d| - 0.5 * beta; then the mean.",
            atol=1e-12,
            mistakes=[
                (
                    torch.where(d < beta, d**2 / beta, d - 0.5 * beta).mean().item(),
                    "The quadratic part is 0.5 * d**2 / beta (the half makes the two parts meet).",
                ),
                (
                    torch.where(d < beta, 0.5 * d**2 / beta, d - 0.5).mean().item(),
                    "The linear part is |d| - 0.5 * beta: it starts where the parabola ends.",
                ),
                (
                    torch.where(d < beta, 0.5 * d**2 / beta, d - 0.5 * beta).sum().item(),
                    "Average over all the numbers instead of summing.",
                ),
                (
                    torch.where(d < beta, 0.5 * d**2, d - 0.5 * beta).mean().item(),
                    "Divide the quadratic part by beta: 0.5 * d**2 / beta.",
                ),
            ],
        )


@solution("ch06.smooth_l1")
def smooth_l1(pred, target, beta):
    d = (pred - target).abs()
    return torch.where(d < beta, 0.5 * d**2 / beta, d - 0.5 * beta).mean()
