"""Tests of the neuron playground (nnlib.widgets.neuron) and the neuron model (Chapter 2)."""

from __future__ import annotations

import ipywidgets as widgets
import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from nnlib.neuron_model import (  # noqa: E402
    draw_artificial_neuron,
    draw_biological_neuron,
    simulate_lif,
)
from nnlib.widgets import neuron  # noqa: E402

pytestmark = pytest.mark.usefixtures("close_figures")


# --- decision_line -------------------------------------------------------------------------


def test_decision_line_geometry():
    line = neuron.decision_line(3.0, 4.0, -10.0)
    np.testing.assert_allclose(line.normal, [0.6, 0.8])
    assert line.offset == pytest.approx(2.0)
    np.testing.assert_allclose(line.point, [1.2, 1.6])
    assert 3.0 * line.point[0] + 4.0 * line.point[1] - 10.0 == pytest.approx(0.0)


@pytest.mark.parametrize("scale", [0.1, 2.0, 7.5])
def test_decision_line_unchanged_by_positive_scaling(scale):
    a = neuron.decision_line(1.0, -2.0, 0.5)
    b = neuron.decision_line(scale * 1.0, scale * -2.0, scale * 0.5)
    np.testing.assert_allclose(a.point, b.point)
    np.testing.assert_allclose(a.normal, b.normal)


def test_decision_line_negative_scaling_flips_normal():
    a = neuron.decision_line(1.0, 2.0, 1.0)
    b = neuron.decision_line(-1.0, -2.0, -1.0)
    np.testing.assert_allclose(a.point, b.point)
    np.testing.assert_allclose(a.normal, -b.normal)


def test_decision_line_bad_input():
    with pytest.raises(ValueError, match="nonzero weight"):
        neuron.decision_line(0.0, 0.0, 1.0)
    with pytest.raises(ValueError, match="finite"):
        neuron.decision_line(np.nan, 1.0, 0.0)
    with pytest.raises(TypeError, match="real number"):
        neuron.decision_line("1", 1.0, 0.0)


# --- draw_neuron / static_grid ---------------------------------------------------------------


@pytest.mark.parametrize("activation", neuron.ACTIVATION_CHOICES)
def test_draw_neuron_each_activation(activation):
    fig, ax = plt.subplots()
    filled = neuron.draw_neuron(ax, 1.0, -1.0, 0.5, activation, resolution=20)
    assert filled is not None
    assert activation in ax.get_title()
    assert ax.get_xlabel() and ax.get_ylabel()
    assert ax.get_xlim() == (-3.0, 3.0)


def test_draw_neuron_zero_weights_says_no_line():
    fig, ax = plt.subplots()
    neuron.draw_neuron(ax, 0.0, 0.0, 1.0, "sigmoid", resolution=20)
    assert any("no decision line" in t.get_text() for t in ax.texts)


def test_draw_neuron_bad_input():
    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match="activation must be one of"):
        neuron.draw_neuron(ax, 1.0, 1.0, 0.0, "softplus")
    with pytest.raises(TypeError, match="activation must be a string"):
        neuron.draw_neuron(ax, 1.0, 1.0, 0.0, None)
    with pytest.raises(ValueError, match="resolution"):
        neuron.draw_neuron(ax, 1.0, 1.0, 0.0, resolution=3)
    with pytest.raises(ValueError, match="lim must be > 0"):
        neuron.draw_neuron(ax, 1.0, 1.0, 0.0, lim=0)
    with pytest.raises(ValueError, match="w2 must be finite"):
        neuron.draw_neuron(ax, 1.0, np.inf, 0.0)


def test_static_grid_titled_and_labelled():
    settings = [(1, 0, 0), {"w1": 1, "w2": 1, "b": -1}, (2, -1, 0.5, "tanh"), (0, 0, 1)]
    fig = neuron.static_grid(settings, ncols=2)
    panels = [ax for ax in fig.axes if ax.get_label() != "<colorbar>"]
    assert len(panels) == 4
    for ax in panels:
        assert ax.get_title()
        assert ax.get_xlabel() == "input $x_1$"
        assert ax.get_ylabel() == "input $x_2$"
    assert fig.get_suptitle()
    assert "tanh" in panels[2].get_title()


def test_static_grid_colorbars():
    fig = neuron.static_grid([(1, 0, 0), (0, 1, 0)], activation="sigmoid")
    assert len(fig.axes) == 3  # two panels and one shared colour bar
    fig = neuron.static_grid([(1, 0, 0), (0, 2, 0)], activation="relu")
    assert len(fig.axes) == 4  # relu's range depends on the weights: one bar per panel
    fig = neuron.static_grid([(1, 0, 0, "tanh"), (0, 1, 0, "step")])
    assert len(fig.axes) == 4


def test_decision_line_no_negative_zero():
    line = neuron.decision_line(1.0, 1.0, 0.0)
    assert f"{line.offset:.3f}" == "0.000"
    assert np.all(np.signbit(line.point) == False)  # noqa: E712


@pytest.mark.parametrize(
    ("settings", "error", "message"),
    [
        ([], ValueError, "settings is empty"),
        ("w1", TypeError, "settings must be a list"),
        ({"w1": 1, "w2": 1, "b": 0}, TypeError, "settings must be a list"),
        ([(1, 2)], ValueError, r"settings\[0\] must be \(w1, w2, b\)"),
        ([{"w1": 1, "w2": 2}], ValueError, "missing \\['b'\\]"),
        ([{"w1": 1, "w2": 2, "b": 0, "bias": 1}], ValueError, "unknown keys"),
        ([(1, 2, 0), 5], TypeError, r"settings\[1\] must be a dict"),
        ([(1, np.nan, 0)], ValueError, "must be finite"),
        ([(1, 2, 0, "cubic")], ValueError, "activation must be one of"),
    ],
)
def test_static_grid_bad_input(settings, error, message):
    with pytest.raises(error, match=message):
        neuron.static_grid(settings)


def test_static_grid_bad_ncols():
    with pytest.raises(ValueError, match="ncols"):
        neuron.static_grid([(1, 0, 0)], ncols=0)


# --- the playground widget ---------------------------------------------------------------------


def test_playground_is_built_from_standard_widgets():
    pg = neuron.neuron_playground()
    assert isinstance(pg.widget, widgets.Box)
    assert all(isinstance(s, widgets.FloatSlider) for s in pg.sliders.values())
    assert isinstance(pg.activation, widgets.Dropdown)
    assert isinstance(pg.output, widgets.Output)
    assert list(pg.activation.options) == list(neuron.ACTIVATION_CHOICES)
    assert pg.n_updates == 1  # drawn once on creation
    assert pg.values == {"w1": 1.0, "w2": -0.5, "b": 0.5, "activation": "sigmoid"}


def test_moving_a_slider_redraws():
    pg = neuron.neuron_playground(w1=1.0, w2=0.0, b=0.0)
    pg.sliders["b"].value = -1.5
    assert pg.n_updates == 2
    assert "$b$=-1.50" in pg._ax.get_title()
    assert "− 1.50" in pg.readout.value
    assert "b/|w| = 1.50" in pg.readout.value  # -b/|w| with |w| = 1
    pg.sliders["w2"].value = 2.0
    assert pg.n_updates == 3
    assert "$w_2$=2.00" in pg._ax.get_title()


def test_changing_activation_redraws():
    pg = neuron.neuron_playground()
    for name in neuron.ACTIVATION_CHOICES[1:]:
        pg.activation.value = name
        assert name in pg._ax.get_title()
        assert f"a = {name}(z)" in pg.readout.value
    assert pg.n_updates == len(neuron.ACTIVATION_CHOICES)


def test_update_callback_directly_and_zero_weights():
    pg = neuron.neuron_playground()
    pg.update({"name": "value", "old": 0.0, "new": 1.0})
    assert pg.n_updates == 2
    pg.sliders["w1"].value = 0.0
    pg.sliders["w2"].value = 0.0
    assert "no decision line" in pg.readout.value
    assert any("no decision line" in t.get_text() for t in pg._ax.texts)


def test_playground_figure_is_not_managed_by_pyplot():
    before = plt.get_fignums()
    neuron.neuron_playground()
    assert plt.get_fignums() == before  # nothing extra shown at the end of a notebook cell


def test_playground_clips_start_values_to_slider_range():
    pg = neuron.neuron_playground(w1=10.0)
    assert pg.sliders["w1"].value == 3.0


def test_playground_bad_input():
    with pytest.raises(ValueError, match="activation must be one of"):
        neuron.neuron_playground(activation="softsign")
    with pytest.raises(TypeError, match="w1 must be a real number"):
        neuron.neuron_playground(w1="big")
    with pytest.raises(ValueError, match="b must be finite"):
        neuron.neuron_playground(b=np.inf)
    with pytest.raises(ValueError, match="lim must be > 0"):
        neuron.neuron_playground(lim=-1)


# --- the neuron model (leaky integrate-and-fire) and schematics ------------------------------


def test_lif_rate_grows_with_input_and_silence_below_threshold():
    rates = [simulate_lif(np.full(1000, i)).spikes.sum() for i in (0.9, 1.2, 1.5, 2.0, 3.0)]
    assert rates[0] == 0
    assert all(a < b for a, b in zip(rates[:-1], rates[1:], strict=True))


def test_lif_first_spike_time_matches_formula():
    tau, current, dt = 0.02, 1.5, 1e-5
    trace = simulate_lif(np.full(10_000, current), dt=dt, tau=tau)
    first = trace.t[np.argmax(trace.spikes)]
    assert first == pytest.approx(-tau * np.log(1 - 1 / current), rel=1e-3)


def test_lif_trace_shapes_and_reset():
    trace = simulate_lif(np.full(300, 2.0), refractory=0.0)
    assert trace.t.shape == trace.v.shape == trace.spikes.shape == (300,)
    assert trace.spikes.dtype == bool
    assert np.all(trace.v[trace.spikes] == 0.0)
    assert trace.v.max() < 1.0


def test_lif_noise_is_seeded():
    a = simulate_lif(np.full(500, 1.1), noise=0.5, rng=1)
    b = simulate_lif(np.full(500, 1.1), noise=0.5, rng=1)
    c = simulate_lif(np.full(500, 1.1), noise=0.5, rng=2)
    np.testing.assert_array_equal(a.v, b.v)
    assert not np.array_equal(a.spikes, c.spikes)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"current": []}, ValueError, "current is empty"),
        ({"current": [1.0, np.nan]}, ValueError, "current must be finite"),
        ({"current": [[1.0]]}, ValueError, "current must be 1-D"),
        ({"current": ["a"]}, TypeError, "current must hold real numbers"),
        ({"current": [1.0], "dt": 0}, ValueError, "dt must be > 0"),
        ({"current": [1.0], "tau": -1}, ValueError, "tau must be > 0"),
        ({"current": [1.0], "reset": 1.0}, ValueError, "reset must be a finite number below"),
        ({"current": [1.0], "noise": -0.1}, ValueError, "noise must be >= 0"),
        ({"current": [1.0], "rng": "seed"}, TypeError, "rng must be"),
    ],
)
def test_lif_bad_input(kwargs, error, message):
    kwargs.setdefault("noise", 0.1)
    with pytest.raises(error, match=message):
        simulate_lif(**kwargs)


def test_schematics_draw():
    fig, (a, b) = plt.subplots(1, 2)
    assert draw_biological_neuron(a) is a
    assert draw_artificial_neuron(b, n_inputs=2) is b
    assert a.get_title() and b.get_title()
    texts = " ".join(t.get_text() for t in a.texts)
    for part in ("dendrites", "soma", "axon", "synapses"):
        assert part in texts
    with pytest.raises(ValueError, match="n_inputs"):
        draw_artificial_neuron(n_inputs=0)
    with pytest.raises(TypeError, match="n_inputs"):
        draw_artificial_neuron(n_inputs=2.0)


def test_colour_map_has_no_fake_boundary():
    # The middle colour of a diverging map is the output on the decision line (z = 0):
    # identity is centred on 0; ReLU, flat at 0 on a half-plane, gets a sequential map.
    from nnlib.widgets import neuron as nw

    assert nw._output_limits("identity", np.array([-1.0, 5.0])) == (-5.0, 5.0)
    assert nw._colormap("relu") != nw._colormap("sigmoid")
    assert nw._output_limits("relu", np.array([0.0, 9.5]))[0] == 0.0
