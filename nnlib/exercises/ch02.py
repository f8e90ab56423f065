"""Checkers for the exercises of Chapter 2, Neurons and networks.

- Notebook 01 (biological and artificial neurons): ``ch02.firing_rate``,
  ``ch02.time_to_spike``.
- Notebook 02 (the artificial neuron): ``ch02.neuron_output``, ``ch02.decision_intercepts``.
- Notebook 03 (layers and the forward pass): ``ch02.dense_forward``, ``ch02.forward_2layer``.
- Notebook 04 (depth and width): ``ch02.dense_params``, ``ch02.count_params``.

Each checker runs the reader's function on a few cases and, when an answer is wrong,
recognises the usual slips (a forgotten bias, a missing activation, a sign error) to give a
targeted hint.

Taught in: Chapter 2, Neurons and networks.
"""

from __future__ import annotations

import warnings

import numpy as np

from nnlib.exercises import Fail, as_floats, exercise, expect_close, solution

__all__: list[str] = []


def _sigmoid(z):
    from nnlib.activations import sigmoid

    return sigmoid(np.asarray(z, dtype=float))


def _matches(got: np.ndarray, candidate) -> bool:
    candidate = np.asarray(candidate, dtype=float)
    if got.shape != candidate.shape:
        return False
    return bool(np.allclose(got, candidate, atol=1e-6, rtol=0, equal_nan=False))


def _call(fn, *args):
    """Call the reader's function with fresh copies and numpy warnings silenced."""
    fresh = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return fn(*fresh)


# --- Notebook 01: biological and artificial neurons ------------------------------------------


def _spike_train(n_steps: int, n_spikes: int, seed: int) -> np.ndarray:
    spikes = np.zeros(n_steps, dtype=bool)
    spikes[np.random.default_rng(seed).choice(n_steps, n_spikes, replace=False)] = True
    return spikes


@exercise("ch02.firing_rate", success="Spikes per second, whatever the time step.")
def _(firing_rate):
    cases = [(1000, 20, 2e-3), (4000, 30, 0.5e-3), (500, 0, 2e-3), (2000, 7, 1e-4)]
    for seed, (n_steps, n_spikes, dt) in enumerate(cases):
        spikes = _spike_train(n_steps, n_spikes, seed)
        what = f"firing_rate(spikes, dt={dt:g}) with {n_spikes} spikes in {n_steps} steps"
        got = as_floats(_call(firing_rate, spikes, dt), what)
        expected = n_spikes / (n_steps * dt)
        if _matches(got, float(n_spikes)) and n_spikes:
            raise Fail(
                f"{what} returned {float(got):.4g}, the number of spikes.",
                "A rate is spikes per second: divide the count by the duration in seconds.",
            )
        if _matches(got, n_spikes / n_steps) and n_spikes:
            raise Fail(
                f"{what} returned {float(got):.4g}, spikes per time step.",
                "The duration in seconds is the number of steps times dt.",
            )
        expect_close(
            got,
            expected,
            what,
            "Count the spikes (True values) and divide by len(spikes) * dt.",
            atol=1e-6 * max(1.0, expected),
        )


@exercise("ch02.time_to_spike", success="Stronger input, earlier spike; too weak, never.")
def _(time_to_spike):
    for current, tau, threshold in [(1.5, 0.02, 1.0), (2.0, 0.01, 1.0), (3.0, 0.02, 2.0)]:
        what = f"time_to_spike(I={current}, tau={tau}, threshold={threshold})"
        got = as_floats(_call(time_to_spike, current, tau, threshold), what)
        expected = -tau * np.log(1.0 - threshold / current)
        if _matches(got, -expected):
            raise Fail(
                f"{what} returned {float(got):.4g}, a negative time.",
                "ln(1 - threshold/I) is negative, so t = -tau * ln(1 - threshold/I).",
            )
        if _matches(got, tau * threshold / current):
            raise Fail(
                f"{what} returned {float(got):.4g}, the time without leak.",
                "That is a membrane that never leaks. With the leak, v(t) = I (1 - exp(-t/tau)): "
                "solve v(t) = threshold for t.",
            )
        expect_close(got, expected, what, "Solve I (1 - exp(-t/tau)) = threshold for t.", atol=1e-9)
    for current in (1.0, 0.5, 0.0):
        what = f"time_to_spike(I={current}, tau=0.02, threshold=1.0)"
        hint = (
            "When I <= threshold the potential only approaches I and never reaches the "
            "threshold: return np.inf in that case (check it before taking the logarithm)."
        )
        try:
            got = _call(time_to_spike, current, 0.02, 1.0)
        except (ValueError, ZeroDivisionError, FloatingPointError, OverflowError) as exc:
            raise Fail(f"{what} raised {type(exc).__name__}: {exc}", hint) from None
        got = as_floats(got, what)
        if got.shape != () or not np.isposinf(got):
            raise Fail(f"{what} returned {got}; expected inf (the neuron never fires).", hint)


# --- Notebook 02: the artificial neuron --------------------------------------------------


@exercise("ch02.neuron_output", success="Weighted sum, plus bias, through the sigmoid.")
def _(neuron_output):
    cases = [
        ([1.0, 2.0], [0.5, -0.25], 0.1),
        ([0.0, 0.0], [3.0, -1.0], -2.0),
        ([1.0, -1.0, 2.0], [0.2, 0.4, -0.3], 0.5),
        ([2.0, 1.0], [1.5, 1.0], 0.0),
    ]
    for x, w, b in cases:
        x, w = np.array(x), np.array(w)
        what = f"neuron_output(x={x.tolist()}, w={w.tolist()}, b={b})"
        got = as_floats(_call(neuron_output, x, w, b), what)
        z = float(w @ x + b)
        if got.shape == x.shape and x.size > 1:
            raise Fail(
                f"{what} returned an array of shape {got.shape}; a neuron outputs one number.",
                "Sum the products w_i * x_i (np.dot(w, x) or w @ x) before adding the bias.",
            )
        if not _matches(got, _sigmoid(z)):
            if _matches(got, z) and z != 0:
                raise Fail(
                    f"{what} returned {float(got):.4f}, the weighted sum z.",
                    "Pass z through the sigmoid: a = 1 / (1 + exp(-z)).",
                )
            if _matches(got, _sigmoid(z - b)) and b != 0:
                raise Fail(
                    f"{what} returned {float(got):.4f}: the bias is missing.",
                    "Add b to the weighted sum before the activation.",
                )
            if _matches(got, np.tanh(z)):
                raise Fail(
                    f"{what} returned {float(got):.4f}, tanh(z).",
                    "Use the logistic sigmoid 1 / (1 + exp(-z)), whose outputs lie in (0, 1).",
                )
        expect_close(got, _sigmoid(z), what, "Compute z = w @ x + b, then 1 / (1 + exp(-z)).")


@exercise("ch02.decision_intercepts", success="Both intercepts are right.")
def _(decision_intercepts):
    for w1, w2, b in [(1.0, 2.0, -2.0), (-0.5, 1.5, 3.0), (2.0, -4.0, 1.0)]:
        what = f"decision_intercepts(w1={w1}, w2={w2}, b={b})"
        got = as_floats(_call(decision_intercepts, w1, w2, b), what)
        expected = np.array([-b / w1, -b / w2])
        if got.shape != (2,):
            raise Fail(
                f"{what} returned shape {got.shape}; expected two numbers.",
                "Return a pair (x1_intercept, x2_intercept).",
            )
        if _matches(got, -expected):
            raise Fail(
                f"{what} gave {got.round(4).tolist()}: the signs are flipped.",
                "On the x1 axis, x2 = 0, so w1 * x1 + b = 0 and x1 = -b / w1.",
            )
        if _matches(got, expected[::-1]):
            raise Fail(
                f"{what} gave {got.round(4).tolist()}: the two are swapped.",
                "The x1-intercept is where the line crosses the x1 axis (x2 = 0): it "
                "depends on w1.",
            )
        if _matches(got, [-w1 / b, -w2 / b]):
            raise Fail(
                f"{what} gave {got.round(4).tolist()}: the fraction is upside down.",
                "Solve w1 * x1 + b = 0 for x1.",
            )
        expect_close(got, expected, what, "Set the other input to 0 and solve z = 0.")


# --- Notebook 03: layers and the forward pass --------------------------------------------


@exercise("ch02.dense_forward", success="One matrix product handles the whole batch.")
def _(dense_forward):
    rng = np.random.default_rng(2)
    for n, n_in, n_out in [(4, 3, 2), (5, 3, 3), (1, 2, 4)]:
        X = rng.normal(size=(n, n_in)).round(2)
        W = rng.normal(size=(n_in, n_out)).round(2)
        b = rng.normal(size=n_out).round(2)
        what = f"dense_forward(X of shape {X.shape}, W of shape {W.shape}, b of shape {b.shape})"
        shape_hint = (
            f"X has one row per sample, shape (n, n_in) = {X.shape}, and W has shape "
            f"(n_in, n_out) = {W.shape}: compute X @ W + b."
        )
        try:
            got = _call(dense_forward, X, W, b)
        except ValueError as exc:
            raise Fail(f"{what} raised ValueError: {exc}", shape_hint) from None
        got = as_floats(got, what)
        expected = X @ W + b
        if _matches(got, X @ W) and np.any(b != 0):
            raise Fail(f"{what}: the bias is missing.", "Add b (it broadcasts over the rows).")
        if n_in == n_out and _matches(got, X @ W.T + b):
            raise Fail(f"{what}: W is used transposed.", shape_hint)
        expect_close(got, expected, what, shape_hint)


@exercise("ch02.forward_2layer", success="Hidden sigmoid layer, then a linear output layer.")
def _(forward):
    rng = np.random.default_rng(3)
    W1, b1 = rng.normal(size=(2, 3)).round(2), rng.normal(size=3).round(2)
    W2, b2 = rng.normal(size=(3, 2)).round(2), rng.normal(size=2).round(2)
    for X in (np.array([[1.0, -1.0]]), rng.normal(size=(5, 2)).round(2)):
        what = f"forward(X of shape {X.shape}, W1, b1, W2, b2)"
        try:
            got = _call(forward, X, W1, b1, W2, b2)
        except ValueError as exc:
            raise Fail(
                f"{what} raised ValueError: {exc}",
                "Each layer computes input @ W + b, with W of shape (n_in, n_out).",
            ) from None
        got = as_floats(got, what)
        hidden = _sigmoid(X @ W1 + b1)
        expected = hidden @ W2 + b2
        if _matches(got, (X @ W1 + b1) @ W2 + b2):
            raise Fail(
                f"{what}: the hidden layer has no activation.",
                "Apply the sigmoid to the hidden layer: h = sigmoid(X @ W1 + b1).",
            )
        if _matches(got, _sigmoid(expected)):
            raise Fail(
                f"{what}: the output went through a sigmoid too.",
                "In this network only the hidden layer has an activation; the output "
                "layer is linear: y = h @ W2 + b2.",
            )
        if _matches(got, np.maximum(X @ W1 + b1, 0) @ W2 + b2):
            raise Fail(
                f"{what}: the hidden layer uses ReLU.",
                "This network's hidden layer uses the sigmoid 1 / (1 + exp(-z)).",
            )
        expect_close(got, expected, what, "h = sigmoid(X @ W1 + b1), then y = h @ W2 + b2.")


# --- Notebook 04: depth and width --------------------------------------------------------


@exercise("ch02.dense_params", success="Weights plus one bias per output unit.")
def _(dense_params):
    for n_in, n_out in [(2, 3), (784, 128), (10, 1), (1, 5)]:
        what = f"dense_params({n_in}, {n_out})"
        got = as_floats(_call(dense_params, n_in, n_out), what)
        if _matches(got, n_in * n_out):
            raise Fail(
                f"{what} returned {int(got)}: only the weights.",
                "Each output unit also has a bias.",
            )
        if _matches(got, n_in * n_out + n_in) and n_in != n_out:
            raise Fail(
                f"{what} returned {int(got)}: one bias per input.",
                "Biases belong to the output units: there are n_out of them.",
            )
        if _matches(got, (n_in + 1) * (n_out + 1)):
            raise Fail(
                f"{what} returned {int(got)}, (n_in + 1) * (n_out + 1).",
                "The weight matrix is n_in x n_out; add n_out biases.",
            )
        expect_close(got, n_in * n_out + n_out, what, "n_in * n_out weights plus n_out biases.")


@exercise("ch02.count_params", success="Summed over every pair of adjacent layers.")
def _(count_params):
    for sizes in ([2, 3, 2], [2, 16, 16, 1], [784, 128, 10], [4, 1]):
        what = f"count_params({sizes})"
        got = as_floats(_call(count_params, list(sizes)), what)
        pairs = list(zip(sizes[:-1], sizes[1:], strict=True))
        expected = sum(i * o + o for i, o in pairs)
        if _matches(got, sum(i * o for i, o in pairs)):
            raise Fail(
                f"{what} returned {int(got)}: the biases are missing.",
                "Every unit after the input layer has one bias.",
            )
        if _matches(got, sum(i * o for i, o in pairs) + sum(sizes)):
            raise Fail(
                f"{what} returned {int(got)}: the input layer got biases too.",
                "The input layer only holds the data; biases belong to the layers "
                "that compute (sizes[1:]).",
            )
        if len(pairs) > 1 and _matches(got, pairs[0][0] * pairs[0][1] + pairs[0][1]):
            raise Fail(
                f"{what} returned {int(got)}: only the first layer is counted.",
                "Loop over every pair of adjacent sizes: zip(sizes[:-1], sizes[1:]).",
            )
        expect_close(
            got, expected, what, "Add n_in * n_out + n_out for each pair of adjacent layer sizes."
        )


# --- Reference solutions (shown, collapsed, under each exercise in the notebooks) -----------


@solution("ch02.firing_rate")
def firing_rate(spikes, dt):
    duration = len(spikes) * dt  # seconds
    return np.sum(spikes) / duration


@solution("ch02.time_to_spike")
def time_to_spike(I, tau, threshold):
    if I <= threshold:
        return np.inf  # v only approaches I, so it never reaches the threshold
    return -tau * np.log(1 - threshold / I)


@solution("ch02.neuron_output")
def neuron_output(x, w, b):
    z = np.dot(w, x) + b
    return 1 / (1 + np.exp(-z))


@solution("ch02.decision_intercepts")
def decision_intercepts(w1, w2, b):
    # On the x1 axis x2 = 0, so w1 * x1 + b = 0; likewise on the x2 axis.
    return (-b / w1, -b / w2)


@solution("ch02.dense_forward")
def dense_forward(X, W, b):
    # (m, n_in) @ (n_in, n_out) -> (m, n_out); b is added to every row
    return X @ W + b


@solution("ch02.forward_2layer")
def forward(X, W1, b1, W2, b2):
    H = 1 / (1 + np.exp(-(X @ W1 + b1)))  # hidden layer, sigmoid
    return H @ W2 + b2  # output layer, linear


@solution("ch02.dense_params")
def dense_params(n_in, n_out):
    return n_in * n_out + n_out  # the weight matrix plus one bias per neuron


@solution("ch02.count_params")
def count_params(sizes):
    pairs = zip(sizes[:-1], sizes[1:], strict=True)
    return sum(n_in * n_out + n_out for n_in, n_out in pairs)
    # Three equal hidden layers: count_params([2, 7, 7, 7, 2]) is 21 + 56 + 56 + 16 = 149
    # and count_params([2, 8, 8, 8, 2]) is 186, so width 7 is the widest within 162.
