"""Generated shapes and masks, and the IoU score (nnlib.segmentation)."""

from __future__ import annotations

import numpy as np
import pytest

from nnlib.segmentation import SHAPE_KINDS, iou, make_shapes


def test_shapes_masks_and_dtypes():
    X, Y = make_shapes(12, size=24, rng=3)
    assert X.shape == Y.shape == (12, 1, 24, 24)
    assert X.dtype == Y.dtype == np.float32
    assert set(np.unique(Y)) <= {0.0, 1.0}
    assert (Y.reshape(12, -1).sum(axis=1) > 0).all(), "every image holds a shape"


def test_same_seed_same_images():
    a = make_shapes(5, rng=7)
    b = make_shapes(5, rng=7)
    c = make_shapes(5, rng=8)
    assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
    assert not np.array_equal(a[0], c[0])


def test_without_noise_or_stripes_the_mask_is_the_bright_pixels():
    X, Y = make_shapes(6, noise=0.0, stripes=0.0, rng=0)
    assert np.array_equal(X == 1.0, Y == 1.0)


@pytest.mark.parametrize("kind", SHAPE_KINDS)
def test_each_kind_has_its_typical_size(kind):
    _, Y = make_shapes(40, size=32, kinds=(kind,), shapes_per_image=(1, 1), rng=1)
    area = Y.reshape(40, -1).sum(axis=1)
    low, high = {"disc": (25, 170), "square": (25, 130), "bar": (10, 60)}[kind]
    assert low <= area.mean() <= high, area.mean()


def test_bars_are_thin():
    """A bar loses most of its pixels to a 2x2 erosion: no 2x2 block lies inside it."""
    _, Y = make_shapes(30, kinds="bar", shapes_per_image=(1, 1), rng=2)
    m = Y[:, 0].astype(bool)
    blocks = m[:, :-1, :-1] & m[:, 1:, :-1] & m[:, :-1, 1:] & m[:, 1:, 1:]
    assert blocks.sum() < 0.5 * m.sum()


def test_iou_values():
    assert iou([1, 1, 0, 0], [0, 1, 1, 0]) == pytest.approx(1 / 3, abs=1e-12)
    assert iou(np.ones((2, 3)), np.ones((2, 3))) == 1.0
    assert iou([0, 0], [0, 0]) == 1.0
    assert iou([1, 0], [0, 1]) == 0.0
    assert iou(np.array([True, False]), np.array([1.0, 0.0])) == 1.0
    rng = np.random.default_rng(0)
    p, t = rng.random((50, 50)) > 0.5, rng.random((50, 50)) > 0.3
    assert iou(p, t) == pytest.approx((p & t).sum() / (p | t).sum(), abs=1e-12)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n": 0}, "n must be a positive integer"),
        ({"n": 2, "size": 8}, "size must be an integer of at least 16"),
        ({"n": 2, "kinds": ("triangle",)}, "kinds must name some of"),
        ({"n": 2, "kinds": ()}, "kinds must name some of"),
        ({"n": 2, "shapes_per_image": (2, 1)}, "shapes_per_image"),
        ({"n": 2, "noise": -1.0}, "noise and stripes must be >= 0"),
    ],
)
def test_make_shapes_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_shapes(**kwargs)


def test_iou_bad_input():
    with pytest.raises(ValueError, match="same shape"):
        iou([1, 0], [1, 0, 0])
    with pytest.raises(ValueError, match="threshold probabilities first"):
        iou([0.2, 0.9], [0, 1])
