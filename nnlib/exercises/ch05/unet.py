"""Chapter 5, U-Net: intersection over union, and the centre crop of the original U-Net."""

from __future__ import annotations

import numpy as np

from nnlib.exercises import Fail, as_floats, exercise, expect_close, solution

__all__: list[str] = []


def _masks():
    rng = np.random.default_rng(510)
    cases = [
        (np.array([1, 1, 1, 0, 0, 0, 0, 0, 0, 0]), np.array([0, 1, 1, 1, 1, 1, 0, 0, 0, 0])),
        (rng.random((2, 1, 6, 6)) > 0.5, rng.random((2, 1, 6, 6)) > 0.6),
        (rng.random((3, 8)) > 0.8, rng.random((3, 8)) > 0.2),
    ]
    return [(p.astype(int), t.astype(int)) for p, t in cases]


@exercise("ch05.iou", success="Your IoU matches nnlib.segmentation.iou.")
def _(iou):
    from nnlib.segmentation import iou as reference

    for pred, target in _masks():
        what = f"iou(pred {pred.shape}, target {target.shape})"
        got = as_floats(iou(pred.copy(), target.copy()), what)
        p, t = pred.astype(bool), target.astype(bool)
        expect_close(
            got,
            reference(pred, target),
            what,
            "Count the pixels that are 1 in both masks, and divide by the pixels that are 1 "
            "in either.",
            atol=1e-9,
            mistakes=[
                (np.mean(p == t), "That is pixel accuracy: IoU ignores pixels both call 0."),
                ((p & t).sum() / t.sum(), "Divide by the union, not by the target's area."),
                ((p & t).sum() / p.sum(), "Divide by the union, not by the prediction's area."),
                (
                    2 * (p & t).sum() / (p.sum() + t.sum()),
                    "That is the Dice coefficient, 2|P∩T| / (|P| + |T|): close, but not IoU.",
                ),
                ((p & t).sum() / (p.sum() + t.sum()), "|P| + |T| counts the overlap twice."),
            ],
        )
    empty = np.zeros((4, 4), dtype=int)
    what = "iou(empty mask, empty mask)"
    try:
        got = as_floats(iou(empty, empty.copy()), what)
    except ZeroDivisionError:
        got = None
    if got is None or not np.isfinite(got) or got != 1.0:
        raise Fail(
            f"{what} gave {got}; expected 1.0.",
            "Two empty masks agree perfectly, but the union is 0: handle that case first.",
        )


@solution("ch05.iou")
def iou_mine(pred, target):
    pred, target = np.asarray(pred, dtype=bool), np.asarray(target, dtype=bool)
    union = np.logical_or(pred, target).sum()
    if union == 0:
        return 1.0
    return np.logical_and(pred, target).sum() / union


@exercise("ch05.center_crop", success="Cropped from the centre, as the original U-Net does.")
def _(center_crop):
    rng = np.random.default_rng(511)
    for shape, size in (((1, 2, 8, 8), (4, 4)), ((2, 1, 9, 7), (5, 3)), ((1, 1, 6, 6), (6, 6))):
        x = rng.normal(size=shape)
        h, w = size
        what = f"center_crop(x {shape}, {h}, {w})"
        got = as_floats(center_crop(x.copy(), h, w), what)
        top, left = (shape[2] - h) // 2, (shape[3] - w) // 2
        expected = x[..., top : top + h, left : left + w]
        if got.shape != expected.shape:
            raise Fail(
                f"{what} has shape {got.shape}; expected {expected.shape}.",
                "Keep the batch and channel axes: slice only the last two, x[..., a:b, c:d].",
            )
        expect_close(
            got,
            expected,
            what,
            "Start at row (H - h) // 2 and column (W - w) // 2.",
            atol=0,
            mistakes=[
                (x[..., :h, :w], "You cropped the top-left corner: start at (H - h) // 2."),
                (
                    x[..., shape[2] - h :, shape[3] - w :],
                    "You cropped the bottom-right corner: start at (H - h) // 2.",
                ),
            ],
        )


@solution("ch05.center_crop")
def center_crop(x, height, width):
    top = (x.shape[-2] - height) // 2
    left = (x.shape[-1] - width) // 2
    return x[..., top : top + height, left : left + width]
