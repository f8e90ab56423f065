"""Tests of the activation explorer widget (nnlib.widgets.activation)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from nnlib import activations as act  # noqa: E402
from nnlib.widgets.activation import (  # noqa: E402
    EXPLORER_ACTIVATIONS,
    ActivationExplorer,
    activation_curves,
    activation_explorer,
    plot_activation,
    static_figure,
)

pytestmark = pytest.mark.usefixtures("close_figures")


def _curves_of(fig):
    ax = fig.axes[0]
    lines = [line for line in ax.get_lines() if line.get_label() in ("f(x)", "f'(x)")]
    return [np.asarray(line.get_ydata()) for line in lines]


def test_builds_and_shows_the_initial_plot():
    explorer = activation_explorer()
    assert isinstance(explorer, ActivationExplorer)
    assert explorer.settings == ("relu", 5.0, None)
    assert explorer.figure is not None
    assert "ReLU" in explorer.figure.axes[0].get_title()
    assert explorer.param_slider.disabled
    assert explorer.ui.children[1] is explorer.output


@pytest.mark.parametrize("name", list(EXPLORER_ACTIVATIONS))
def test_update_callback_runs_for_every_activation(name):
    explorer = activation_explorer("sigmoid" if name != "sigmoid" else "tanh")
    explorer.dropdown.value = name  # fires the observer, which redraws
    assert explorer.settings[0] == name
    ax = explorer.figure.axes[0]
    assert act.ACTIVATIONS[name].label in ax.get_title()
    assert ax.get_xlabel() and ax.get_ylabel()
    y, dy = _curves_of(explorer.figure)
    x = np.linspace(-5, 5, len(y))
    spec = EXPLORER_ACTIVATIONS[name]
    if spec is None:
        assert explorer.param_slider.disabled
        np.testing.assert_allclose(y, act.ACTIVATIONS[name].fn(x))
        np.testing.assert_allclose(dy, act.ACTIVATIONS[name].grad(x))
    else:
        assert not explorer.param_slider.disabled
        assert explorer.param_slider.value == pytest.approx(spec.default)
        assert explorer.param_slider.description == spec.label


def test_sliders_redraw():
    explorer = activation_explorer("leaky_relu")
    explorer.param_slider.value = 0.3
    y, dy = _curves_of(explorer.figure)
    assert y[0] == pytest.approx(-5 * 0.3)
    assert dy[0] == pytest.approx(0.3)
    assert "0.3" in explorer.figure.axes[0].get_title()
    explorer.range_slider.value = 10.0
    assert explorer.figure.axes[0].get_xlim() == (-10.0, 10.0)
    assert explorer.settings == ("leaky_relu", 10.0, 0.3)


def test_switching_function_resets_the_parameter():
    explorer = activation_explorer("elu", param=2.5)
    assert explorer.settings[2] == 2.5
    explorer.dropdown.value = "prelu"
    assert explorer.settings[2] == pytest.approx(0.25)
    assert (explorer.param_slider.min, explorer.param_slider.max) == (0.0, 1.0)
    explorer.dropdown.value = "elu"
    assert explorer.settings[2] == pytest.approx(1.0)
    assert explorer.param_slider.max == 3.0


def test_switching_function_sends_the_slider_in_one_message(monkeypatch):
    """Bounds and value reach the browser together: sent apart, the browser's slider clamps
    its old value to the new bounds and sends it back over the new default (seen live in
    JupyterLab: ELU kept a leaky slope of 0.3 instead of alpha = 1)."""
    explorer = activation_explorer("leaky_relu")
    explorer.param_slider.value = 0.25
    sent = []
    monkeypatch.setattr(
        explorer.param_slider, "send_state", lambda key=None: sent.append(set(key or ()))
    )
    explorer.dropdown.value = "elu"
    assert len(sent) == 1, sent
    assert {"min", "max", "step", "value"} <= sent[0]
    assert explorer.settings[2] == pytest.approx(1.0)


def test_explorer_uses_only_ipywidgets_7_widgets():
    import ipywidgets as widgets

    explorer = activation_explorer()
    kinds = {type(w) for w in (explorer.dropdown, explorer.range_slider, explorer.param_slider)}
    assert kinds <= {widgets.Dropdown, widgets.FloatSlider}
    assert isinstance(explorer.output, widgets.Output)
    assert isinstance(explorer.ui, widgets.VBox)


@pytest.mark.parametrize(
    "name, param, kw",
    [("leaky_relu", 0.2, {"negative_slope": 0.2}), ("elu", 2.0, {"alpha": 2.0})],
)
def test_activation_curves_use_nnlib_activations(name, param, kw):
    x, y, dy = activation_curves(name, -3, 2, param, n=11)
    np.testing.assert_allclose(x, np.linspace(-3, 2, 11))
    np.testing.assert_allclose(y, getattr(act, name)(x, **kw))
    np.testing.assert_allclose(dy, getattr(act, f"{name}_grad")(x, **kw))


def test_prelu_curves():
    x, y, dy = activation_curves("prelu", param=0.5, n=5)
    np.testing.assert_allclose(y, act.prelu(x, 0.5))
    np.testing.assert_allclose(dy, act.prelu_grad(x, 0.5))


def test_static_figure_titles_and_labels():
    fig = static_figure()
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == 6
    assert fig._suptitle is not None and fig._suptitle.get_text()
    for ax in visible:
        assert ax.get_title()
        assert len(ax.get_lines()) >= 2
    # Labels on the outer panels only (left column, bottom row), one legend for the grid.
    assert [bool(ax.get_ylabel()) for ax in visible] == [True, False, False] * 2
    assert [ax.get_xlabel() for ax in visible] == [""] * 3 + ["pre-activation x"] * 3
    assert [ax.get_legend() is not None for ax in visible] == [True] + [False] * 5


def test_static_figure_labels_the_panel_above_a_gap():
    # 8 panels on a 3 x 3 grid: the last column ends in row 2, so its x axis is labelled there.
    fig = static_figure([(name, None) for name in EXPLORER_ACTIVATIONS])
    middle_right = fig.axes[5]
    assert middle_right.get_visible() and not fig.axes[8].get_visible()
    assert middle_right.get_xlabel() == "pre-activation x"
    fig.canvas.draw()
    assert any(t.get_text() for t in middle_right.get_xticklabels())
    assert not any(t.get_text() for t in fig.axes[2].get_xticklabels())


def test_static_figure_custom_settings_hides_spare_axes():
    fig = static_figure([("sigmoid", None), ("elu", 0.5)], x_min=-2, x_max=2)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in visible] == ["Sigmoid", "ELU (alpha = 0.5)"]
    fig = static_figure([(name, None) for name in EXPLORER_ACTIVATIONS])
    assert sum(ax.get_visible() for ax in fig.axes) == len(EXPLORER_ACTIVATIONS)


def test_plot_activation_on_given_axes():
    fig, ax = plt.subplots()
    assert plot_activation("gelu", ax=ax) is ax
    assert ax.get_title() == "GELU"


# --- bad input ----------------------------------------------------------------------------------


def test_unknown_activation():
    with pytest.raises(ValueError, match="unknown activation 'softplus'"):
        activation_explorer("softplus")
    with pytest.raises(ValueError, match="the explorer knows"):
        activation_curves("softmax")
    with pytest.raises(TypeError, match="str"):
        plot_activation(3)


def test_parameter_checks():
    with pytest.raises(ValueError, match="has no parameter"):
        activation_curves("relu", param=0.1)
    with pytest.raises(ValueError, match="slope of leaky_relu"):
        activation_curves("leaky_relu", param=2.0)
    with pytest.raises(TypeError, match="real number"):
        activation_explorer("elu", param="big")


def test_range_checks():
    with pytest.raises(ValueError, match="x_min must be smaller than x_max"):
        activation_curves("relu", 2, 1)
    with pytest.raises(ValueError, match="x_range"):
        activation_explorer(x_range=0.1)
    with pytest.raises(ValueError, match="n must be"):
        activation_curves("relu", n=1)


def test_static_figure_rejects_bad_settings():
    with pytest.raises(ValueError, match="1 to 12"):
        static_figure([])
    with pytest.raises(TypeError, match="pair"):
        static_figure(["relu"])


def test_controls_fit_a_narrow_column():
    explorer = activation_explorer("elu")
    menu, sliders = explorer.ui.children[0].children
    assert menu is explorer.dropdown
    assert list(sliders.children) == [explorer.range_slider, explorer.param_slider]
    assert sliders.layout.flex_flow == "row wrap"  # the sliders wrap instead of shrinking
    for w in (explorer.dropdown, explorer.range_slider, explorer.param_slider):
        assert w.style.description_width == "initial"  # descriptions are not cut off
