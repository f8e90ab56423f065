"""Objects with boxes, box encodings and the box IoU (nnlib.segmentation, Chapter 6)."""

from __future__ import annotations

import numpy as np
import pytest

from nnlib.segmentation import OBJECT_KINDS, box_iou, centre_to_corners, iou, make_objects


def test_objects_shapes_labels_boxes():
    X, y, b = make_objects(30, size=24, rng=2)
    assert X.shape == (30, 1, 24, 24) and X.dtype == np.float32
    assert y.shape == (30,) and set(y) <= set(range(len(OBJECT_KINDS)))
    assert b.shape == (30, 4) and (b[:, 2:] > b[:, :2]).all() and (0 <= b).all() and (b <= 1).all()


def test_box_is_tight_around_the_bright_pixels():
    X, y, b = make_objects(10, size=20, noise=0.0, stripes=0.0, rng=1)
    for image, box in zip(X[:, 0], b, strict=True):
        rows, cols = np.nonzero(image == 1.0)
        assert np.allclose(box * 20, [cols.min(), rows.min(), cols.max() + 1, rows.max() + 1])


def test_same_seed_same_objects():
    a, b = make_objects(4, rng=5), make_objects(4, rng=5)
    assert all(np.array_equal(x, z) for x, z in zip(a, b, strict=True))


def test_every_kind_appears():
    _, y, _ = make_objects(60, rng=0)
    assert np.bincount(y, minlength=3).min() > 10


def test_box_iou_values():
    assert box_iou([0, 0, 2, 2], [0, 0, 2, 2]) == 1.0
    assert box_iou([0, 0, 1, 1], [2, 2, 3, 3]) == 0.0
    assert box_iou([0, 0, 1, 1], [1, 0, 2, 1]) == 0.0  # touching edges
    assert np.isclose(box_iou([0, 0, 2, 2], [1, 1, 3, 3]), 1 / 7)
    assert np.isclose(box_iou([0, 0, 4, 4], [1, 1, 2, 2]), 1 / 16)
    assert box_iou([0, 0, 0, 0], [0, 0, 0, 0]) == 0.0
    assert box_iou(np.zeros((5, 4)) + [0, 0, 1, 1], [0, 0, 1, 1]).shape == (5,)


def test_box_iou_equals_mask_iou_on_pixel_boxes():
    def mask(box):
        m = np.zeros((10, 10), dtype=bool)
        m[box[1] : box[3], box[0] : box[2]] = True
        return m

    a, b = [1, 2, 6, 7], [3, 1, 9, 5]
    assert np.isclose(box_iou(a, b), iou(mask(a), mask(b)))


def test_centre_to_corners():
    assert np.allclose(centre_to_corners([[0.5, 0.5, 0.2, 0.4]]), [[0.4, 0.3, 0.6, 0.7]])


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"n": 0}, "n must"),
        ({"size": 8}, "size must"),
        ({"kinds": ("star",)}, "kinds must"),
        ({"noise": -1.0}, "noise"),
    ],
)
def test_make_objects_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_objects(**{"n": 3, **kwargs})


def test_boxes_bad_shape():
    with pytest.raises(ValueError, match="4 numbers"):
        box_iou([0, 0, 1], [0, 0, 1, 1])
    with pytest.raises(ValueError, match="4 numbers"):
        centre_to_corners(np.zeros((3, 5)))
