"""Checkers of Chapter 2's exercises: solutions pass, stubs and typical slips get hints."""

from __future__ import annotations

import math

import numpy as np
import pytest
from exercise_helpers import assert_stub_not_yet, case_ids, rejected

from nnlib.exercises import evaluate, registered


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=float)))


IDS = [
    "ch02.count_params",
    "ch02.decision_intercepts",
    "ch02.dense_forward",
    "ch02.dense_params",
    "ch02.firing_rate",
    "ch02.forward_2layer",
    "ch02.neuron_output",
    "ch02.time_to_spike",
]

# (exercise, wrong answer, a phrase its hint must contain)
WRONG = [
    ("ch02.firing_rate", lambda s, dt: int(np.sum(s)), "duration in seconds"),
    ("ch02.firing_rate", lambda s, dt: np.sum(s) / len(s), "number of steps times dt"),
    ("ch02.firing_rate", lambda s, dt: None, "return"),
    ("ch02.time_to_spike", lambda i, tau, th: tau * np.log(1 - th / i), "-tau * ln"),
    ("ch02.time_to_spike", lambda i, tau, th: tau * th / i, "never leaks"),
    ("ch02.time_to_spike", lambda i, tau, th: -tau * math.log(1 - th / i), "return np.inf"),
    ("ch02.time_to_spike", lambda i, tau, th: -tau * np.log(1 - th / i), "return np.inf"),
    ("ch02.neuron_output", lambda x, w, b: float(np.dot(w, x) + b), "sigmoid"),
    ("ch02.neuron_output", lambda x, w, b: float(sigmoid(np.dot(w, x))), "Add b"),
    ("ch02.neuron_output", lambda x, w, b: float(np.tanh(np.dot(w, x) + b)), "logistic"),
    ("ch02.neuron_output", lambda x, w, b: sigmoid(w * x + b), "Sum the products"),
    ("ch02.decision_intercepts", lambda w1, w2, b: (b / w1, b / w2), "x1 = -b / w1"),
    ("ch02.decision_intercepts", lambda w1, w2, b: (-b / w2, -b / w1), "depends on w1"),
    ("ch02.decision_intercepts", lambda w1, w2, b: (-w1 / b, -w2 / b), "Solve w1 * x1"),
    ("ch02.decision_intercepts", lambda w1, w2, b: -b / w1, "pair"),
    ("ch02.dense_forward", lambda X, W, b: X @ W, "Add b"),
    ("ch02.dense_forward", lambda X, W, b: W @ X + b, "X @ W + b"),
    (
        "ch02.dense_forward",
        lambda X, W, b: (X @ W.T + b) if W.shape[0] == W.shape[1] else (X @ W + b),
        "X @ W + b",
    ),
    ("ch02.forward_2layer", lambda X, W1, b1, W2, b2: (X @ W1 + b1) @ W2 + b2, "h = sigmoid"),
    (
        "ch02.forward_2layer",
        lambda X, W1, b1, W2, b2: sigmoid(sigmoid(X @ W1 + b1) @ W2 + b2),
        "output layer is linear",
    ),
    (
        "ch02.forward_2layer",
        lambda X, W1, b1, W2, b2: np.maximum(X @ W1 + b1, 0) @ W2 + b2,
        "uses the sigmoid",
    ),
    ("ch02.forward_2layer", lambda X, W1, b1, W2, b2: X @ W2, "input @ W + b"),
    ("ch02.dense_params", lambda i, o: i * o, "also has a bias"),
    ("ch02.dense_params", lambda i, o: i * o + i, "n_out of them"),
    ("ch02.dense_params", lambda i, o: (i + 1) * (o + 1), "add n_out biases"),
    (
        "ch02.count_params",
        lambda s: sum(i * o for i, o in zip(s[:-1], s[1:], strict=True)),
        "one bias",
    ),
    (
        "ch02.count_params",
        lambda s: sum(i * o for i, o in zip(s[:-1], s[1:], strict=True)) + sum(s),
        "input layer only holds the data",
    ),
    ("ch02.count_params", lambda s: s[0] * s[1] + s[1], "every pair"),
]


def test_every_chapter_2_exercise_is_registered():
    # Each reference solution passing its checker: tests/test_exercise_solutions.py.
    assert registered("ch02") == IDS


@pytest.mark.parametrize("exercise_id", IDS)
def test_stub_is_not_yet(exercise_id):
    assert_stub_not_yet(exercise_id)


@pytest.mark.parametrize(
    ("exercise_id", "wrong", "phrase"),
    WRONG,
    ids=case_ids(WRONG),
)
def test_typical_wrong_answer_gets_targeted_hint(exercise_id, wrong, phrase):
    verdict = rejected(exercise_id, wrong)
    assert phrase in (verdict.hint or ""), str(verdict)


def test_solutions_with_other_return_types_pass():
    # Lists, numpy scalars and arrays are all fine where a number or a pair is expected.
    assert evaluate("ch02.decision_intercepts", lambda w1, w2, b: np.array([-b / w1, -b / w2]))
    assert evaluate("ch02.neuron_output", lambda x, w, b: sigmoid(w @ x + b))
    assert evaluate(
        "ch02.count_params",
        lambda s: np.int64(sum(s[i] * s[i + 1] + s[i + 1] for i in range(len(s) - 1))),
    )


def test_reader_mutating_inputs_does_not_break_the_check():
    def mutating(X, W, b):
        out = X @ W + b
        X[:] = 0
        return out

    assert evaluate("ch02.dense_forward", mutating)
