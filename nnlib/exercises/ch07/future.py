"""Chapter 7, the future: a step of integrate-and-fire neurons, and counting synaptic events."""

from __future__ import annotations

import numpy as np

from nnlib.exercises import Fail, as_floats, exercise, expect_close, solution
from nnlib.spiking import if_step as _if_step
from nnlib.spiking import synaptic_events as _synaptic_events

__all__: list[str] = []


def _step_cases():
    yield np.array([0.5, 0.9, -0.2, 0.0]), np.array([0.2, 0.3, 0.1, 1.0]), 1.0
    yield np.array([[0.1, 1.4], [0.7, 0.3]]), np.array([[0.6, 0.8], [0.3, 0.1]]), 1.0
    yield np.array([0.4, 1.0, 2.9]), np.array([0.3, 0.5, 0.2]), 1.5


@exercise("ch07.if_step", success="Your neurons integrate, fire and reset like nnlib's.")
def _(if_step):
    for v, current, threshold in _step_cases():
        what = f"if_step({v.tolist()}, {current.tolist()}, {threshold})"
        got = if_step(v.copy(), current.copy(), threshold)
        if not isinstance(got, tuple) or len(got) != 2:
            raise Fail(f"{what} returned {got!r}.", "Return a pair (v, spikes).")
        v_new, spikes = got
        ref_v, ref_s = _if_step(v, current, threshold)
        total = v + current
        expect_close(
            as_floats(spikes, what, "spikes: 1.0 where a neuron fired, else 0.0."),
            ref_s,
            f"the spikes of {what}",
            "A neuron fires when its potential, after adding the current, reaches the threshold.",
            atol=1e-12,
            mistakes=[
                (
                    (total > threshold).astype(float),
                    "A potential exactly at the threshold fires too (>=, not >).",
                ),
                (
                    (v >= threshold).astype(float),
                    "Add the current first, then compare the new potential with the threshold.",
                ),
            ],
        )
        expect_close(
            v_new,
            ref_v,
            f"the potentials of {what}",
            "v = v + current; where a neuron fires, subtract the threshold from its v.",
            atol=1e-12,
            mistakes=[
                (
                    total * (1 - ref_s),
                    "Reset by *subtracting* the threshold, not to 0: the "
                    "overshoot carries over, so no input is lost and the rate is exact.",
                ),
                (total, "After a spike the potential must be reset (subtract the threshold)."),
                (total - ref_s, "Subtract the threshold, which is not always 1."),
            ],
        )


@solution("ch07.if_step")
def if_step(v, current, threshold):
    v = v + current
    spikes = (v >= threshold).astype(float)
    return v - threshold * spikes, spikes


def _event_case():
    rng = np.random.default_rng(5)
    weights = [rng.normal(size=(4, 6)), rng.normal(size=(6, 3))]
    counts = [rng.integers(0, 9, size=(2, n)).astype(float) for n in (4, 6, 3)]
    return counts, weights


@exercise("ch07.synaptic_events", success="You count the synaptic events as nnlib does.")
def _(synaptic_events):
    counts, weights = _event_case()
    what = "synaptic_events(spike_counts, weights)"
    got = synaptic_events([c.copy() for c in counts], [W.copy() for W in weights])
    if np.ndim(as_floats(got, what)) != 1:
        raise Fail(
            f"{what} returned {got!r}.",
            "Return one count per example (sum over the neurons, axis=1), not one total.",
        )
    fan_in = sum(c.sum(axis=1) * W.shape[0] for c, W in zip(counts[:-1], weights, strict=True))
    no_input = counts[1].sum(axis=1) * weights[1].shape[1]
    expect_close(
        got,
        _synaptic_events(counts, weights),
        what,
        "Each spike of layer l reaches every neuron of layer l + 1: add up "
        "spike_counts[l].sum(axis=1) * weights[l].shape[1] over the layers that have weights.",
        atol=1e-9,
        mistakes=[
            (
                fan_in,
                "A spike travels *out* to the next layer: multiply by the number of "
                "columns of weights[l] (its fan-out), not rows.",
            ),
            (no_input, "The input layer spikes too (spike_counts[0]): count its events."),
        ],
    )


@solution("ch07.synaptic_events")
def synaptic_events(spike_counts, weights):
    events = 0
    for counts, W in zip(spike_counts[:-1], weights, strict=True):
        events = events + counts.sum(axis=1) * W.shape[1]
    return events
