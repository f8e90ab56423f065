"""Tests for the convolution explorer of Chapter 5 and its static figures."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from nnlib.conv import KERNELS, filter_image  # noqa: E402
from nnlib.widgets import conv  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_sample_images_are_grey_and_in_the_unit_range():
    photo = conv.sample_image("photograph")
    assert photo.shape == (142, 213)
    assert 0 <= photo.min() < 0.1 and 0.9 < photo.max() <= 1
    photo[0, 0] = 5.0  # a copy: the cache is untouched
    assert conv.sample_image("photograph")[0, 0] <= 1
    digit = conv.sample_image("digit")
    assert digit.shape == (8, 8) and 0.9 <= digit.max() <= 1.0
    with pytest.raises(ValueError, match="must be one of"):
        conv.sample_image("cat")


def test_kernels_figure_has_a_kernel_and_a_map_per_column():
    fig = conv.kernels_figure(("box blur", "sobel x", np.eye(3)), image="digit")
    kernel_axes, map_axes = fig.axes[:3], fig.axes[3:6]
    assert [ax.get_title() for ax in kernel_axes] == ["box blur", "sobel x", "custom"]
    for ax in fig.axes[:6]:
        assert ax.get_title() and ax.get_xlabel()
    assert all(ax.get_title().startswith("map:") for ax in map_axes)
    assert fig._suptitle.get_text()
    with pytest.raises(ValueError, match="1 to 6"):
        conv.kernels_figure([])


def test_conv_figure_draws_image_kernel_and_map():
    fig = conv.conv_figure("laplacian", "digit")
    titles = [ax.get_title() for ax in fig.axes[:3]]
    assert titles[0] == "Input: the digit" and titles[1] == "Kernel: laplacian"
    fmap = filter_image(conv.sample_image("digit"), KERNELS["laplacian"])
    assert f"{fmap.min():.2f} to {fmap.max():.2f}" in titles[2]
    kernel_texts = [t.get_text() for t in fig.axes[1].texts]
    assert kernel_texts == ["0", "1", "0", "1", "-4", "1", "0", "1", "0"]


def test_explorer_follows_presets_and_edited_cells():
    w = conv.conv_explorer("sobel x", image="digit")
    assert w.widget.children[-1] is w.output
    np.testing.assert_array_equal(w.kernel, KERNELS["sobel x"])
    image = conv.sample_image("digit")
    np.testing.assert_allclose(w.feature_map, filter_image(image, KERNELS["sobel x"]))

    w.preset.value = "box blur"  # fills the nine boxes, one redraw
    np.testing.assert_allclose(w.kernel, KERNELS["box blur"])
    np.testing.assert_allclose(w.feature_map, filter_image(image, KERNELS["box blur"]))

    w.cells[1][1].value = 1.0  # an edit: the list says "custom" and the map follows
    assert w.preset.value == "custom"
    assert w.kernel[1, 1] == 1.0 and w.kernel[0, 0] == pytest.approx(1 / 9)
    np.testing.assert_allclose(w.feature_map, filter_image(image, w.kernel))

    w.preset.value = "identity"
    np.testing.assert_allclose(w.feature_map, image)
    w.image.value = "photograph"
    assert w.feature_map.shape == (142, 213)


def test_explorer_uses_only_ipywidgets_7_controls():
    import ipywidgets

    w = conv.ConvExplorer()
    controls = [w.preset, w.image, w.output, *(c for row in w.cells for c in row)]
    assert {type(c).__name__ for c in controls} <= {"Dropdown", "FloatText", "Output"}
    assert isinstance(w.widget, ipywidgets.VBox)


@pytest.mark.parametrize(
    ("call", "exc", "words"),
    [
        (lambda: conv.conv_figure("vague"), ValueError, "no kernel called"),
        (lambda: conv.conv_figure(np.ones(3)), ValueError, "2-D array"),
        (lambda: conv.conv_figure([[np.nan]]), ValueError, "finite"),
        (lambda: conv.conv_figure("sobel x", np.ones((2, 2, 2))), ValueError, "2-D grey"),
        (lambda: conv.ConvExplorer(image="cat"), ValueError, "must be one of"),
    ],
)
def test_bad_input_is_explained(call, exc, words):
    with pytest.raises(exc, match=words):
        call()
