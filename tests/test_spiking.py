"""nnlib.spiking: integrate-and-fire layers, weight normalisation, converted networks."""

from __future__ import annotations

import numpy as np
import pytest

from nnlib.neuron_model import simulate_lif
from nnlib.spiking import SpikingRun, if_step, normalise_weights, relu_activations, run_spiking


def test_if_step_subtract_and_zero():
    v, s = if_step(np.array([0.5, 0.9, -0.2]), np.array([0.2, 0.3, 0.1]))
    np.testing.assert_allclose(v, [0.7, 0.2, -0.1])
    assert s.tolist() == [0.0, 1.0, 0.0]
    v, s = if_step(np.array([0.9]), 0.3, reset="zero")
    assert v.tolist() == [0.0] and s.tolist() == [1.0]
    v, s = if_step(np.array([1.0]), 0.0, leak=0.5)
    assert v.tolist() == [0.5] and s.tolist() == [0.0]
    v, s = if_step(np.array([1.0]), 0.0, threshold=1.0)  # at the threshold: fires
    assert s.tolist() == [1.0] and v.tolist() == [0.0]


def test_if_step_does_not_modify_its_input():
    v0 = np.array([0.9, 0.1])
    if_step(v0, 0.5)
    assert v0.tolist() == [0.9, 0.1]


def test_if_step_errors():
    with pytest.raises(ValueError, match="reset"):
        if_step(np.zeros(2), 1.0, reset="hard")
    with pytest.raises(ValueError, match="leak"):
        if_step(np.zeros(2), 1.0, leak=1.0)
    with pytest.raises(ValueError, match="threshold"):
        if_step(np.zeros(2), 1.0, threshold=0)


def test_a_leaky_layer_is_the_neuron_of_chapter_2():
    """With leak = dt/tau, input scaled by dt/tau and reset to 0, one neuron of a layer
    spikes exactly when ``simulate_lif`` does (refractory period 0)."""
    dt, tau = 1e-3, 0.02
    drive = np.concatenate([np.full(300, 1.5), np.full(200, 0.8), np.full(300, 3.0)])
    trace = simulate_lif(drive, dt=dt, tau=tau, refractory=0.0)
    v, spikes = np.zeros(1), []
    for d in drive:
        v, s = if_step(v, dt / tau * d, leak=dt / tau, reset="zero")
        spikes.append(bool(s[0]))
    assert trace.spikes.sum() > 20
    np.testing.assert_array_equal(np.array(spikes), trace.spikes)


@pytest.mark.parametrize("rate", [0.0, 0.13, 0.5, 0.77, 1.0])
def test_integrate_and_fire_rate_is_a_relu(rate):
    steps = 1000
    v, count = np.zeros(1), 0
    for _ in range(steps):
        v, s = if_step(v, rate)
        count += s[0]
    assert abs(count - rate * steps) <= 1  # subtraction reset loses nothing
    v, count = np.zeros(1), 0
    for _ in range(steps):
        v, s = if_step(v, -rate)
        count += s[0]
    assert count == 0  # negative input: silent, like relu


def network(seed=0):
    rng = np.random.default_rng(seed)
    weights = [rng.normal(0, 0.5, (6, 8)), rng.normal(0, 0.5, (8, 3))]
    X = rng.uniform(0, 1, (40, 6))
    return weights, X


def test_relu_activations():
    weights, X = network()
    a1, a2 = relu_activations(weights, X)
    np.testing.assert_allclose(a1, np.maximum(X @ weights[0], 0))
    np.testing.assert_allclose(a2, np.maximum(a1 @ weights[1], 0))


def test_normalise_weights_scales_but_keeps_decisions():
    weights, X = network()
    scaled = normalise_weights(weights, X, percentile=100)
    before, after = relu_activations(weights, X), relu_activations(scaled, X)
    for a in after:
        assert np.isclose(a.max(), 1.0)
    np.testing.assert_array_equal(before[-1].argmax(1), after[-1].argmax(1))
    ratio = after[-1][before[-1] > 0] / before[-1][before[-1] > 0]
    np.testing.assert_allclose(ratio, ratio[0])  # one positive factor per layer


def test_normalise_weights_errors():
    weights, X = network()
    with pytest.raises(ValueError, match="percentile"):
        normalise_weights(weights, X, percentile=0)
    with pytest.raises(TypeError, match="percentile"):
        normalise_weights(weights, X, percentile="99")
    with pytest.raises(ValueError, match="silent"):
        normalise_weights([-np.ones((6, 2))], X)


def test_spike_counts_approach_the_relu_activations():
    weights, X = network(1)
    scaled = normalise_weights(weights, X, percentile=100)
    steps = 2000
    run = run_spiking(scaled, X, steps)
    assert isinstance(run, SpikingRun) and run.output_counts.shape == (steps, 40, 3)
    assert [c.shape for c in run.spike_counts] == [(40, 6), (40, 8), (40, 3)]
    np.testing.assert_allclose(run.spike_counts[0] / steps, X, atol=1 / steps)
    for counts, a in zip(run.spike_counts[1:], relu_activations(scaled, X), strict=True):
        assert np.abs(counts / steps - a).max() < 0.02
    np.testing.assert_array_equal(run.output_counts[-1], run.spike_counts[-1])
    assert np.all(np.diff(run.output_counts, axis=0) >= 0)  # counts only grow


def test_predictions_and_raster():
    weights, X = network(2)
    run = run_spiking(normalise_weights(weights, X), X, 50, record=3)
    np.testing.assert_array_equal(run.predictions(50), run.output_counts[49].argmax(1))
    assert [r.shape for r in run.raster] == [(50, 6), (50, 8), (50, 3)]
    assert run.raster[0].dtype == bool
    np.testing.assert_array_equal(run.raster[1].sum(0), run.spike_counts[1][3])
    with pytest.raises(ValueError, match="steps"):
        run.predictions(51)
    with pytest.raises(TypeError, match="steps"):
        run.predictions(2.0)


def test_run_is_deterministic():
    weights, X = network(3)
    a = run_spiking(weights, X, 20)
    b = run_spiking(weights, X, 20)
    np.testing.assert_array_equal(a.output_counts, b.output_counts)


def test_run_spiking_errors():
    weights, X = network()
    with pytest.raises(ValueError, match="features"):
        run_spiking(weights, X[:, :5], 10)
    with pytest.raises(ValueError, match="consecutive"):
        run_spiking([weights[0], weights[0]], X, 10)
    with pytest.raises(TypeError, match="list"):
        run_spiking(weights[0], X, 10)
    with pytest.raises(ValueError, match="steps"):
        run_spiking(weights, X, 0)
    with pytest.raises(ValueError, match="record"):
        run_spiking(weights, X, 5, record=40)
    with pytest.raises(ValueError, match="finite|NaN"):
        run_spiking(weights, np.full((2, 6), np.nan), 5)


def test_synaptic_events():
    from nnlib.spiking import synaptic_events

    weights, X = network(4)
    run = run_spiking(normalise_weights(weights, X), X, 30)
    events = synaptic_events(run.spike_counts, weights)
    expected = run.spike_counts[0].sum(1) * 8 + run.spike_counts[1].sum(1) * 3
    np.testing.assert_allclose(events, expected)
    assert events.shape == (40,)
    with pytest.raises(ValueError, match="list of 3"):
        synaptic_events(run.spike_counts[:2], weights)
    with pytest.raises(ValueError, match="rows"):
        synaptic_events([run.spike_counts[1], run.spike_counts[1], run.spike_counts[2]], weights)
