"""Tests of nnlib.gradient_flow: gradient norms per layer and dead-unit counts."""

from __future__ import annotations

import numpy as np
import pytest

from nnlib import layers as nl
from nnlib import losses
from nnlib.gradient_flow import (
    ACTIVATION_LAYERS,
    GradientFlow,
    count_dead_units,
    dead_units,
    deep_stack,
    gradient_flow,
    layer_gradient_norms,
    plot_gradient_norms,
)


@pytest.fixture
def batch():
    rng = np.random.default_rng(0)
    return rng.normal(size=(64, 8)), rng.normal(size=(64, 1))


def small_model(act=nl.ReLU, **kw):
    return nl.Sequential(
        nl.Dense(3, 4, rng=0, dtype=np.float64),
        act(**kw),
        nl.Dense(4, 2, rng=1, dtype=np.float64),
    )


def test_weight_norms_match_a_hand_written_backward_pass():
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(5, 3)), rng.normal(size=(5, 2))
    model = small_model()
    flow = gradient_flow(model, X, y, losses.MSELoss())
    d1, d2 = model.layers[0], model.layers[2]
    z1 = X @ d1.W.data + d1.b.data
    h = np.maximum(z1, 0)
    out = h @ d2.W.data + d2.b.data
    g_out = 2 * (out - y) / out.size
    g_z1 = (g_out @ d2.W.data.T) * (z1 > 0)
    assert flow.loss == pytest.approx(np.mean((out - y) ** 2))
    np.testing.assert_allclose(
        flow.weight_norms, [np.linalg.norm(X.T @ g_z1), np.linalg.norm(h.T @ g_out)]
    )
    np.testing.assert_allclose(flow.delta_norms, [np.linalg.norm(g_z1), np.linalg.norm(g_out)])
    assert flow.ratio == pytest.approx(flow.weight_norms[0] / flow.weight_norms[1])


def test_repeated_calls_do_not_accumulate(batch):
    X, y = batch
    model = deep_stack(8, 6, 3, rng=0)
    first = layer_gradient_norms(model, X, y, losses.MSELoss())
    second = layer_gradient_norms(model, X, y, losses.MSELoss())
    np.testing.assert_allclose(first, second)
    assert len(first) == 4


def test_sigmoid_vanishes_and_relu_does_not(batch):
    X, y = batch
    sig = deep_stack(8, 16, 10, activation="sigmoid", init="xavier", rng=0)
    relu = deep_stack(8, 16, 10, activation="relu", init="he", rng=0)
    assert gradient_flow(sig, X, y, losses.MSELoss()).ratio < 1e-4
    assert 0.02 < gradient_flow(relu, X, y, losses.MSELoss()).ratio < 50


def test_gradient_flow_str_lists_every_layer(batch):
    X, y = batch
    flow = gradient_flow(deep_stack(8, 4, 2, rng=0), X, y, losses.MSELoss())
    text = str(flow)
    assert isinstance(flow, GradientFlow)
    assert text.startswith("loss ")
    assert len(text.splitlines()) == 2 + 3


def test_known_dead_units():
    X = np.random.default_rng(2).normal(size=(50, 3))
    model = small_model()
    model.layers[0].b.data[[0, 2]] = -100.0  # never positive on these inputs
    masks = dead_units(model, X)
    assert len(masks) == 1
    np.testing.assert_array_equal(masks[0], [True, False, True, False])
    assert count_dead_units(model, X) == 2
    assert count_dead_units(model, X, per_layer=True) == [2]


def test_leaky_units_never_count_as_dead():
    X = np.random.default_rng(2).normal(size=(50, 3))
    model = small_model(nl.LeakyReLU, negative_slope=0.1)
    model.layers[0].b.data[:] = -100.0
    assert count_dead_units(model, X) == 0


def test_dead_units_per_layer_in_a_deep_stack():
    X = np.random.default_rng(3).normal(size=(40, 5))
    model = deep_stack(5, 6, 3, rng=0)
    model.layers[2].b.data[:] = -1e3  # the whole second hidden layer dies
    counts = count_dead_units(model, X, per_layer=True)
    assert counts[1] == 6
    assert len(counts) == 3
    assert isinstance(count_dead_units(model, X), int)


def test_dead_unit_gets_no_gradient():
    X = np.random.default_rng(4).normal(size=(30, 3))
    y = np.zeros((30, 2))
    model = small_model()
    model.layers[0].b.data[1] = -100.0
    gradient_flow(model, X, y, losses.MSELoss())
    assert np.all(model.layers[0].W.grad[:, 1] == 0)
    assert np.any(model.layers[0].W.grad[:, 0] != 0)


@pytest.mark.parametrize("activation", sorted(ACTIVATION_LAYERS))
def test_deep_stack_shapes(activation):
    model = deep_stack(4, 5, 3, n_out=2, activation=activation, rng=0)
    assert len(model.layers) == 7
    assert model(np.ones((6, 4))).shape == (6, 2)
    assert model.layers[0].W.data.dtype == np.float64


def test_deep_stack_passes_activation_kwargs():
    model = deep_stack(2, 3, 1, activation="leaky_relu", negative_slope=0.2, rng=0)
    assert model.layers[1].negative_slope == 0.2


def test_deep_stack_is_reproducible():
    a, b = deep_stack(3, 4, 2, rng=7), deep_stack(3, 4, 2, rng=7)
    np.testing.assert_array_equal(a.layers[0].W.data, b.layers[0].W.data)


def test_plot_gradient_norms_labels_everything():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ax = plot_gradient_norms({"sigmoid": [1e-6, 1e-3, 1.0], "relu": [0.5, 0.7, 1.0]})
    assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    assert ax.get_yscale() == "log"
    assert len(ax.get_lines()) == 2
    plt.close("all")


# --- bad input ----------------------------------------------------------------------------------


def test_rejects_a_non_model(batch):
    X, y = batch
    with pytest.raises(TypeError, match="Sequential"):
        gradient_flow(lambda x: x, X, y, losses.MSELoss())
    with pytest.raises(TypeError, match="Sequential"):
        count_dead_units([nl.ReLU()], X)


def test_rejects_bad_X(batch):
    X, y = batch
    model = deep_stack(8, 4, 2, rng=0)
    with pytest.raises(ValueError, match="8 columns"):
        count_dead_units(model, X[:, :5])
    with pytest.raises(ValueError, match="2-D"):
        count_dead_units(model, X[0])
    with pytest.raises(ValueError, match="empty"):
        count_dead_units(model, X[:0])
    bad = X.copy()
    bad[3, 1] = np.nan
    with pytest.raises(ValueError, match="finite"):
        layer_gradient_norms(model, bad, y, losses.MSELoss())


def test_rejects_mismatched_y_and_bad_loss(batch):
    X, y = batch
    model = deep_stack(8, 4, 2, rng=0)
    with pytest.raises(ValueError, match="same number of samples"):
        gradient_flow(model, X, y[:10], losses.MSELoss())
    with pytest.raises(TypeError, match="loss_fn"):
        gradient_flow(model, X, y, "mse")


def test_rejects_model_without_dense(batch):
    X, y = batch
    with pytest.raises(ValueError, match="no Dense"):
        gradient_flow(nl.Sequential(nl.ReLU()), X, y, losses.MSELoss())


def test_deep_stack_rejects_bad_arguments():
    with pytest.raises(ValueError, match="depth"):
        deep_stack(3, 4, 0)
    with pytest.raises(ValueError, match="width"):
        deep_stack(3, 2.5, 2)
    with pytest.raises(ValueError, match="unknown activation"):
        deep_stack(3, 4, 2, activation="softplus")


def test_plot_gradient_norms_rejects_bad_input():
    with pytest.raises(TypeError, match="dict"):
        plot_gradient_norms([1.0, 2.0])
    with pytest.raises(ValueError, match="positive"):
        plot_gradient_norms({"a": [1.0, 0.0]})
