"""Tests for the learning-rate widget of Chapter 4 and its static figures."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from nnlib.surfaces import bowl, descend, ravine, saddle, two_minima  # noqa: E402
from nnlib.widgets import descent  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def assert_labelled(ax):
    assert ax.get_title(), "every panel has a title"
    assert ax.get_xlabel(), "every panel labels its x axis"


def test_learning_rate_figure_has_titles_and_labels():
    fig = descent.learning_rate_figure("ravine", lrs=(0.05, 0.45, 0.52), steps=30)
    axes = fig.axes
    assert len(axes) >= 4  # three maps (plus colour-free contour axes) and the loss panel
    loss_ax = axes[0]
    assert "loss per step" in loss_ax.get_title()
    assert loss_ax.get_ylabel() and loss_ax.get_yscale() == "log"
    assert len(loss_ax.get_lines()) == 3
    maps = [ax for ax in axes if ax.get_title().startswith("lr = ")]
    assert len(maps) == 3
    for ax in maps:
        assert_labelled(ax)
    titles = [ax.get_title() for ax in maps]
    assert "diverging" in titles[-1]


def test_descent_figure_draws_one_run():
    fig = descent.descent_figure("bowl", lr=0.1, steps=50)
    ax_map, ax_loss = fig.axes[:2]
    assert_labelled(ax_map)
    assert_labelled(ax_loss)
    # distance 3.2 shrinks by 0.8 a step: below 1e-3 after ceil(log(3200) / log(1.25)) = 37
    assert ax_map.get_title() == "bowl: converged in 37 steps"
    assert ax_loss.get_ylabel()


def test_describe_run_covers_every_ending():
    steps = 200
    assert descent.describe_run(bowl, descend(bowl, (2, 2), 0.1, steps), steps).startswith(
        "converged in"
    )
    assert descent.describe_run(bowl, descend(bowl, (2, 2), 1.5, steps), steps).startswith(
        "diverged after"
    )
    assert descent.describe_run(ravine, descend(ravine, (2, 2), 0.52, 20), 20).startswith(
        "diverging"
    )
    stuck = descend(saddle, (1.0, 0.0), 0.1, steps)
    assert descent.describe_run(saddle, stuck, steps) == "stuck at the saddle point"
    slow = descend(two_minima, (1.5, 1.0), 0.001, 10)
    assert descent.describe_run(two_minima, slow, 10).startswith("not there yet")


def test_widget_builds_and_updates_on_every_control():
    w = descent.learning_rate_widget("ravine", lr=0.1, steps=30)
    assert w.widget.children[-1] is w.output
    assert len(w.path) == 31
    assert w.status.startswith("not there yet")

    w.lr.value = 0.6  # too large for the ravine: the callback re-runs descent
    assert w.status.startswith("diverg")

    w.surface.value = "bowl"  # resets the start sliders to the bowl's range and start
    assert (w.x0.min, w.x0.max) == bowl.xlim
    assert (w.x0.value, w.y0.value) == pytest.approx(bowl.start)

    w.lr.value = 0.1
    w.steps.value = 120
    assert w.status.startswith("converged")
    assert len(w.path) == 121

    w.surface.value = "two_minima"
    w.lr.value = 0.05
    w.x0.value = -0.5
    np.testing.assert_allclose(w.path[-1], two_minima.minima[0], atol=1e-3)
    w.x0.value = 0.5
    np.testing.assert_allclose(w.path[-1], two_minima.minima[1], atol=1e-3)


def test_widget_uses_only_ipywidgets_7_controls():
    import ipywidgets

    w = descent.LearningRateWidget()
    seen = {type(c).__name__ for c in (w.surface, w.lr, w.steps, w.x0, w.y0, w.output)}
    assert seen <= {"Dropdown", "FloatLogSlider", "IntSlider", "FloatSlider", "Output"}
    assert isinstance(w.widget, ipywidgets.VBox)


@pytest.mark.parametrize(
    ("kwargs", "exc", "words"),
    [
        ({"surface": "volcano"}, ValueError, "no surface called"),
        ({"lr": 0.0}, ValueError, "positive finite"),
        ({"lr": "big"}, TypeError, "lr must be a number"),
        ({"steps": 0}, ValueError, "positive integer"),
        ({"start": (1.0,)}, ValueError, "finite point"),
    ],
)
def test_bad_input_is_explained(kwargs, exc, words):
    with pytest.raises(exc, match=words):
        descent.descent_figure(**kwargs)


def test_learning_rate_figure_rejects_too_many_panels():
    with pytest.raises(ValueError, match="1 to 6"):
        descent.learning_rate_figure(lrs=[0.1] * 7)
    with pytest.raises(ValueError, match=r"shape \(k, 2\)"):
        descent.describe_run(bowl, np.zeros(3), 2)


def test_learning_rate_figure_puts_two_maps_a_row_for_four_rates():
    fig = descent.learning_rate_figure("ravine", lrs=(0.05, 0.3, 0.45, 0.52), steps=10)
    maps = [ax for ax in fig.axes if ax.get_title().startswith("lr = ")]
    assert len(maps) == 4
    assert len({round(ax.get_position().x0, 3) for ax in maps}) == 2  # two columns
    assert fig.get_size_inches()[0] <= 8, "narrow enough to read at a book's width"
