"""Spiking networks by rate coding: integrate-and-fire layers that run a trained ReLU network.

Taught in: Chapter 7, Frontiers (the future).

A ReLU unit outputs a number; a spiking neuron outputs a train of all-or-nothing events.
The two meet in the **firing rate**: an integrate-and-fire neuron driven by a steady input
:math:`I` fires about :math:`I / \\vartheta` times per step when :math:`I > 0` (threshold
:math:`\\vartheta`) and never when :math:`I \\le 0`, which is a ReLU (capped at one spike per
step). So a trained ReLU network can be *converted* into a spiking one: keep the weights,
replace every unit by a neuron, let the input drive the first layer, and read the class
from the output neuron that spikes most (Cao et al., 2015; Diehl et al., 2015).

Each neuron of a layer follows the update of :func:`nnlib.neuron_model.simulate_lif`, for a
whole layer at once (:func:`if_step`): the membrane potential :math:`v` loses a fraction
``leak`` of itself per step, adds the input current, fires when it reaches the threshold,
and is then reset. With ``leak=0`` the neuron is a perfect integrator (the
"integrate-and-fire" neuron used for conversion); with ``leak = dt / tau`` and the input
scaled by ``dt / tau`` it is exactly the leaky neuron of Chapter 2.

- :func:`relu_activations` runs the ReLU network (bias-free, weights as ``(in, out)``
  matrices) and returns every layer's activations;
- :func:`normalise_weights` rescales the weights layer by layer so that (almost) no
  neuron would need to fire more than once per step (data-based normalisation);
- :func:`run_spiking` simulates the converted network on a batch for a number of steps and
  returns a :class:`SpikingRun` with the output spike counts after every step, the spike
  counts of every layer and the spike raster of one example;
- :func:`synaptic_events` counts the work a spiking network does: one event each time a
  spike reaches a synapse (an addition, where a ReLU network does a multiply-add per
  weight).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from nnlib._validate import as_float_array, check_finite

__all__ = [
    "SpikingRun",
    "if_step",
    "normalise_weights",
    "relu_activations",
    "run_spiking",
    "synaptic_events",
]

_RESETS = ("subtract", "zero")


def _check_weights(weights) -> list[np.ndarray]:
    if not isinstance(weights, (list, tuple)) or not weights:
        raise TypeError("weights must be a non-empty list of (in, out) matrices")
    out = [as_float_array(W, name=f"weights[{i}]", ndim=2) for i, W in enumerate(weights)]
    for i in range(1, len(out)):
        if out[i].shape[0] != out[i - 1].shape[1]:
            raise ValueError(
                f"weights[{i}] has {out[i].shape[0]} rows but weights[{i - 1}] has "
                f"{out[i - 1].shape[1]} columns; consecutive layers must fit"
            )
    for i, W in enumerate(out):
        check_finite(W, f"weights[{i}]")
    return out


def _check_inputs(X, weights: list[np.ndarray]) -> np.ndarray:
    X = as_float_array(X, name="X", ndim=2)
    check_finite(X, "X")
    if X.shape[1] != weights[0].shape[0]:
        raise ValueError(
            f"X has {X.shape[1]} features but weights[0] expects {weights[0].shape[0]}"
        )
    return X


def if_step(v, current, threshold: float = 1.0, leak: float = 0.0, reset: str = "subtract"):
    """One time step of a layer of (leaky) integrate-and-fire neurons.

    Taught in: Chapter 7, Frontiers (the future).

    The potential leaks, integrates the input, and every neuron at or above ``threshold``
    fires and is reset::

        v = (1 - leak) * v + current
        spikes = v >= threshold
        v[spikes] -= threshold        # reset="subtract" (keeps the overshoot)
        v[spikes] = 0                 # reset="zero"

    Parameters
    ----------
    v : numpy.ndarray
        The membrane potentials before the step (any shape).
    current : array_like
        The input current of this step, broadcastable to ``v``.
    threshold : float, default 1.0
    leak : float, default 0.0
        The fraction of the potential lost per step, in [0, 1) (0: no leak).
    reset : {"subtract", "zero"}
        Reset by subtracting the threshold (what conversion needs: no input is lost) or to 0
        (as in :func:`nnlib.neuron_model.simulate_lif`).

    Returns
    -------
    v : numpy.ndarray
        The potentials after the step (a new array).
    spikes : numpy.ndarray of float
        1.0 where a neuron fired, else 0.0.

    Examples
    --------
    >>> v, s = if_step(np.array([0.5, 0.9]), np.array([0.2, 0.3]))
    >>> v.round(2).tolist(), s.tolist()
    ([0.7, 0.2], [0.0, 1.0])
    """
    if reset not in _RESETS:
        raise ValueError(f"reset must be 'subtract' or 'zero'; got {reset!r}")
    if isinstance(leak, bool) or not isinstance(leak, (int, float)) or not 0 <= leak < 1:
        raise ValueError(f"leak must be a number in [0, 1); got {leak!r}")
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or threshold <= 0:
        raise ValueError(f"threshold must be a positive number; got {threshold!r}")
    v = (1.0 - leak) * np.asarray(v, dtype=float) + np.asarray(current, dtype=float)
    spikes = (v >= threshold).astype(float)
    v = v - threshold * spikes if reset == "subtract" else v * (1.0 - spikes)
    return v, spikes


def relu_activations(weights, X) -> list[np.ndarray]:
    """The activations of a bias-free ReLU network, layer by layer.

    Taught in: Chapter 7, Frontiers (the future).

    Parameters
    ----------
    weights : list of numpy.ndarray
        ``(in, out)`` weight matrices (``layer.weight.T`` of a ``torch.nn.Linear``).
    X : array_like, shape (n, in)
        The inputs.

    Returns
    -------
    list of numpy.ndarray
        ``relu(X @ W0)``, ``relu(relu(X @ W0) @ W1)``, ...; the last entry is the ReLU of
        the output scores (a converted network's output neurons cannot fire for a negative
        score either).
    """
    weights = _check_weights(weights)
    a = _check_inputs(X, weights)
    out = []
    for W in weights:
        a = np.maximum(a @ W, 0.0)
        out.append(a)
    return out


def normalise_weights(weights, X, percentile: float = 99.9) -> list[np.ndarray]:
    """Rescale each layer so that its neurons rarely need more than one spike per step.

    Taught in: Chapter 7, Frontiers (the future).

    A spiking neuron fires at most once per step, so an activation above 1 cannot be
    represented by a rate. Data-based normalisation (Diehl et al., 2015; Rueckauer et al.,
    2017) measures each layer's activations on training data, takes a high percentile
    :math:`\\lambda_l` as the layer's "full rate", and divides: layer :math:`l`'s weights
    become :math:`W_l \\lambda_{l-1} / \\lambda_l` (with :math:`\\lambda_0 = 1` for inputs in
    [0, 1]). The ReLU network's decisions do not change, since each layer is only scaled by
    a positive number.

    Parameters
    ----------
    weights : list of numpy.ndarray
        ``(in, out)`` weight matrices of a bias-free ReLU network.
    X : array_like, shape (n, in)
        Training inputs, scaled to [0, 1].
    percentile : float, default 99.9
        Which percentile of a layer's activations counts as its maximum (the very largest
        value is an outlier that would make every other neuron fire too slowly).

    Returns
    -------
    list of numpy.ndarray
        The rescaled weights.
    """
    if isinstance(percentile, bool) or not isinstance(percentile, (int, float)):
        raise TypeError(f"percentile must be a number; got {type(percentile).__name__}")
    if not 0 < percentile <= 100:
        raise ValueError(f"percentile must be in (0, 100]; got {percentile!r}")
    weights = _check_weights(weights)
    previous = 1.0
    scaled = []
    for W, a in zip(weights, relu_activations(weights, X), strict=True):
        lam = float(np.percentile(a, percentile))
        if lam <= 0:
            raise ValueError("a layer is silent on X (its activations are all 0): cannot scale")
        scaled.append(W * previous / lam)
        previous = lam
    return scaled


class SpikingRun(NamedTuple):
    """The result of :func:`run_spiking`.

    Taught in: Chapter 7, Frontiers (the future).

    Attributes
    ----------
    output_counts : numpy.ndarray, shape (steps, n, n_out)
        Spikes of each output neuron counted up to and including each step; the prediction
        after ``t`` steps is ``output_counts[t - 1].argmax(axis=1)``.
    spike_counts : list of numpy.ndarray
        Per layer, starting with the input layer: the total spikes of each neuron over the
        run, shape ``(n, units)``.
    raster : list of numpy.ndarray
        Per layer: the spikes of example ``record`` at every step, shape ``(steps, units)``.
    """

    output_counts: np.ndarray
    spike_counts: list
    raster: list

    def predictions(self, steps: int) -> np.ndarray:
        """The predicted classes after ``steps`` steps (the output neuron with most spikes)."""
        if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)):
            raise TypeError(f"steps must be an integer; got {type(steps).__name__}")
        if not 1 <= steps <= len(self.output_counts):
            raise ValueError(f"steps must be in [1, {len(self.output_counts)}]; got {steps}")
        return self.output_counts[steps - 1].argmax(axis=1)


def run_spiking(
    weights,
    X,
    steps: int,
    threshold: float = 1.0,
    leak: float = 0.0,
    reset: str = "subtract",
    record: int = 0,
) -> SpikingRun:
    """Simulate a converted network of integrate-and-fire neurons for ``steps`` steps.

    Taught in: Chapter 7, Frontiers (the future).

    The inputs are spikes too: each input feature drives an integrate-and-fire neuron with a
    constant current equal to its value (a pixel of 0.5 fires every other step), so every
    layer communicates by events only. At each step every layer receives the spikes of the
    layer below through its weights (:func:`if_step`). Everything is deterministic.

    Parameters
    ----------
    weights : list of numpy.ndarray
        ``(in, out)`` weight matrices, usually from :func:`normalise_weights`.
    X : array_like, shape (n, in)
        Inputs in [0, 1].
    steps : int
        How many time steps to simulate.
    threshold, leak, reset
        As in :func:`if_step`, for every neuron of the network.
    record : int, default 0
        The example whose spike raster is kept.

    Returns
    -------
    SpikingRun
    """
    weights = _check_weights(weights)
    X = _check_inputs(X, weights)
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
        raise ValueError(f"steps must be a positive integer; got {steps!r}")
    if isinstance(record, bool) or not isinstance(record, (int, np.integer)):
        raise TypeError(f"record must be an integer; got {type(record).__name__}")
    if not 0 <= record < len(X):
        raise ValueError(f"record must index one of the {len(X)} examples; got {record}")
    sizes = [X.shape[1]] + [W.shape[1] for W in weights]
    potentials = [np.zeros((len(X), size)) for size in sizes]
    counts = [np.zeros((len(X), size)) for size in sizes]
    raster = [np.zeros((steps, size), dtype=bool) for size in sizes]
    output_counts = np.zeros((steps, len(X), sizes[-1]))
    for t in range(steps):
        current = X  # the input neurons are driven by the input values
        for layer in range(len(sizes)):
            potentials[layer], spikes = if_step(potentials[layer], current, threshold, leak, reset)
            counts[layer] += spikes
            raster[layer][t] = spikes[record] > 0
            if layer < len(weights):
                current = spikes @ weights[layer]  # the next layer's input
        output_counts[t] = counts[-1]
    return SpikingRun(output_counts, counts, raster)


def synaptic_events(spike_counts, weights) -> np.ndarray:
    """How many synaptic events each example caused: spikes times the synapses they reach.

    Taught in: Chapter 7, Frontiers (the future).

    A spike of a neuron in layer :math:`l` reaches the ``weights[l].shape[1]`` neurons of
    the next layer, and each arrival adds one weight to a membrane potential. Spikes of the
    output layer reach nothing. On event-driven hardware this count, not the number of
    weights, is what costs energy.

    Parameters
    ----------
    spike_counts : list of numpy.ndarray
        Per layer, starting with the input layer, the spikes of each neuron of each example,
        shape ``(n, units)`` (:attr:`SpikingRun.spike_counts`).
    weights : list of numpy.ndarray
        The ``(in, out)`` weight matrices, one fewer than the layers of ``spike_counts``.

    Returns
    -------
    numpy.ndarray, shape (n,)
        The number of synaptic events of each example.
    """
    weights = _check_weights(weights)
    if not isinstance(spike_counts, (list, tuple)) or len(spike_counts) != len(weights) + 1:
        raise ValueError(
            f"spike_counts must be a list of {len(weights) + 1} arrays (the input layer and "
            f"one per weight matrix); got {type(spike_counts).__name__}"
            + (f" of {len(spike_counts)}" if isinstance(spike_counts, (list, tuple)) else "")
        )
    counts = [
        as_float_array(c, name=f"spike_counts[{i}]", ndim=2) for i, c in enumerate(spike_counts)
    ]
    for i, W in enumerate(weights):
        if counts[i].shape[1] != W.shape[0]:
            raise ValueError(
                f"spike_counts[{i}] has {counts[i].shape[1]} neurons but weights[{i}] has "
                f"{W.shape[0]} rows"
            )
    return sum(c.sum(axis=1) * W.shape[1] for c, W in zip(counts[:-1], weights, strict=True))
