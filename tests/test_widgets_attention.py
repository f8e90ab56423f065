"""Tests for the attention explorer of Chapter 5 and its static figure."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from nnlib.widgets import attention  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_weights_are_a_softmax_of_scaled_dot_products():
    query, w, out = attention.attention_weights(45.0, 2.0)
    assert np.allclose(query, np.sqrt(2) * np.array([1.0, 1.0]))
    scores = attention.KEYS @ query / np.sqrt(2)
    assert np.allclose(w, np.exp(scores) / np.exp(scores).sum())
    assert out == pytest.approx(w @ attention.VALUES)


def test_length_sharpens_and_angle_selects():
    short = attention.attention_weights(45.0, 0.1)[1]
    long = attention.attention_weights(45.0, 20.0)[1]
    assert short.max() < 0.25 and long.max() > 0.95  # near-uniform average vs. a lookup
    assert np.argmax(long) == 1  # key 1 points at about 53 degrees
    assert np.argmax(attention.attention_weights(180.0, 20.0)[1]) == 3
    assert np.allclose(attention.attention_weights(10.0, 0.0)[1], 0.2)  # zero query: uniform


def test_figures_have_titles_and_labels():
    fig = attention.attention_settings_figure()
    assert len(fig.axes) == 8
    for ax in fig.axes:
        assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    fig = attention.attention_figure(90.0, 3.0)
    assert "output =" in fig.axes[1].get_title()


def test_explorer_updates_on_every_control():
    w = attention.attention_explorer(angle=45.0, length=12.0)
    assert w.widget.children[-1] is w.output
    assert np.argmax(w.weights) == 1
    w.angle.value = 180.0
    assert np.argmax(w.weights) == 3
    w.length.value = 0.1
    assert w.weights.max() < 0.25


def test_explorer_uses_only_ipywidgets_7_controls():
    import ipywidgets

    w = attention.AttentionExplorer()
    seen = {type(c).__name__ for c in (w.angle, w.length, w.output)}
    assert seen <= {"FloatSlider", "FloatLogSlider", "Output"}
    assert isinstance(w.widget, ipywidgets.VBox)


@pytest.mark.parametrize(
    ("args", "exc", "words"),
    [
        ((10.0, -1.0), ValueError, "zero or positive"),
        (("up", 1.0), TypeError, "angle must be a number"),
        ((float("nan"), 1.0), ValueError, "finite"),
    ],
)
def test_bad_input_is_explained(args, exc, words):
    with pytest.raises(exc, match=words):
        attention.attention_weights(*args)


def test_settings_figure_rejects_too_many_panels():
    with pytest.raises(ValueError, match="1 to 4"):
        attention.attention_settings_figure([(0.0, 1.0)] * 5)
