"""Checkers of Chapter 4, notebooks 01-03: each accepts the solution, says "Not yet" to the stub
and gives the targeted hint for typical wrong answers."""

from __future__ import annotations

import numpy as np
import pytest
from exercise_helpers import assert_stub_not_yet, forgot_return, rejected

from nnlib.exercises import evaluate
from nnlib.exercises.ch04 import grad_neuron

IDS = [
    "ch04.mse",
    "ch04.mse_grad",
    "ch04.bce",
    "ch04.gd_step",
    "ch04.lr_limit",
    "ch04.grad_neuron",
    "ch04.mul_backward",
    "ch04.backward",
]


# Each reference solution passing its checker: tests/test_exercise_solutions.py.
@pytest.mark.parametrize("exercise_id", IDS)
def test_stub_is_not_yet(exercise_id):
    assert_stub_not_yet(exercise_id)


@pytest.mark.parametrize("exercise_id", IDS)
def test_forgotten_return_is_explained(exercise_id):
    verdict = rejected(exercise_id, forgot_return)
    assert "None" in verdict.message or "pair" in verdict.hint


WRONG = [
    ("ch04.mse", lambda p, t: np.sum((p - t) ** 2), "np.mean"),
    ("ch04.mse", lambda p, t: np.sqrt(np.mean((p - t) ** 2)), "RMSE"),
    ("ch04.mse", lambda p, t: np.mean(np.abs(p - t)), "Square the differences"),
    ("ch04.mse", lambda p, t: np.mean(p - t), "cancel"),
    ("ch04.mse", lambda p, t: 0.5 * np.mean((p - t) ** 2), "No factor 1/2"),
    ("ch04.mse", lambda p, t: np.mean((p - t) ** 2, axis=0), "shape"),
    ("ch04.mse_grad", lambda p, t: 2 * (p - t), "Divide by n"),
    ("ch04.mse_grad", lambda p, t: (p - t) / p.size, "factor 2"),
    ("ch04.mse_grad", lambda p, t: 2 * (t - p) / p.size, "Wrong sign"),
    ("ch04.mse_grad", lambda p, t: p - t, "Two factors are missing"),
    ("ch04.mse_grad", lambda p, t: 2 * np.mean(p - t), "shape"),
    ("ch04.bce", lambda p, y: np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)), "minus sign"),
    ("ch04.bce", lambda p, y: -np.sum(y * np.log(p) + (1 - y) * np.log(1 - p)), "np.mean"),
    ("ch04.bce", lambda p, y: -np.mean(y * np.log(p)), "y = 0 must cost"),
    ("ch04.bce", lambda p, y: -np.mean(y * np.log10(p) + (1 - y) * np.log10(1 - p)), "natural"),
    ("ch04.bce", lambda p, y: -np.mean(p * np.log(y) + (1 - p) * np.log(1 - y)), "not of the"),
    ("ch04.gd_step", lambda w, g, lr: w + lr * g, "uphill"),
    ("ch04.gd_step", lambda w, g, lr: w - g, "learning rate"),
    ("ch04.gd_step", lambda w, g, lr: -lr * g, "not only the step"),
    ("ch04.lr_limit", lambda c: 1 / c, "lands exactly on the minimum"),
    ("ch04.lr_limit", lambda c: 2 * c, "shrink as c grows"),
    ("ch04.lr_limit", lambda c: 1 / (2 * c), "Too small"),
    ("ch04.grad_neuron", lambda x, w, b: (x, 1.0), "forgot the outer function"),
    (
        "ch04.grad_neuron",
        lambda x, w, b: (x * (1 - np.tanh(w * x + b)), 1 - np.tanh(w * x + b)),
        "squared",
    ),
    ("ch04.grad_neuron", lambda x, w, b: grad_neuron(x, w, b)[::-1], "swapped"),
    (
        "ch04.grad_neuron",
        lambda x, w, b: (w * grad_neuron(x, w, b)[1], grad_neuron(x, w, b)[1]),
        "not w",
    ),
    ("ch04.grad_neuron", lambda x, w, b: x, "Return a pair"),
    ("ch04.mul_backward", lambda a, b, g: (a * g, b * g), "other input"),
    ("ch04.mul_backward", lambda a, b, g: (g, g), "addition"),
    ("ch04.mul_backward", lambda a, b, g: (b, a), "grad_out"),
    ("ch04.mul_backward", lambda a, b, g: b * g, "Return a pair"),
]


@pytest.mark.parametrize(("exercise_id", "answer", "words"), WRONG)
def test_typical_mistakes_get_the_targeted_hint(exercise_id, answer, words):
    verdict = rejected(exercise_id, answer)
    assert words in verdict.hint or words in verdict.message, str(verdict)


def test_reader_exceptions_become_verdicts():
    verdict = evaluate("ch04.gd_step", lambda w, g, lr: w - lr * g[5])
    assert not verdict.passed
    assert "IndexError" in verdict.message


def test_non_numbers_are_explained():
    verdict = evaluate("ch04.mse", lambda p, t: "zero")
    assert not verdict.passed
    assert "not a number" in verdict.message


def test_bce_with_logs_of_zero_warns_nothing():
    with np.errstate(all="raise"):
        verdict = evaluate("ch04.bce", lambda p, y: -np.mean(np.log(y)))
    assert not verdict.passed
    assert "NaN or infinity" in verdict.message


# --- backward: the reader's reverse-mode sweep ----------------------------------------------


def backward_with(**slip):
    from nnlib.exercises.ch04 import _backward_variant

    return lambda root, inputs: _backward_variant(root, inputs, **slip)


def test_backward_reference_agrees_with_value_backward():
    from nnlib.autograd import Value
    from nnlib.exercises.ch04 import _edges
    from nnlib.exercises.ch04 import backward as reference

    x, y = Value(1.5), Value(-2.0)
    out = (x * y).tanh() * x + y.exp()
    grads = reference(out, _edges(out))
    out.backward()
    assert grads[x] == pytest.approx(x.grad) and grads[y] == pytest.approx(y.grad)
    assert evaluate("ch04.backward", reference).passed


@pytest.mark.parametrize(
    ("slip", "phrase"),
    [
        ({"sort": False}, "reverse topological order"),
        ({"backwards": False}, "from the end"),
        ({"accumulate": False}, "+="),
        ({"chain": False}, "chain rule multiplies"),
        ({"seed": 0.0}, "grad[root] = 1"),
    ],
)
def test_backward_typical_slips(slip, phrase):
    verdict = rejected("ch04.backward", backward_with(**slip))
    assert phrase in verdict.hint, str(verdict)


def test_backward_recursive_sort_is_told_to_use_a_stack():
    def recursive(root, inputs):
        order, seen = [], set()

        def visit(node):
            if node not in seen:
                seen.add(node)
                for inp, _ in inputs.get(node, []):
                    visit(inp)
                order.append(node)

        visit(root)
        grad = {node: 0.0 for node in order}
        grad[root] = 1.0
        for node in reversed(order):
            for inp, local in inputs.get(node, []):
                grad[inp] += local * grad[node]
        return grad

    verdict = rejected("ch04.backward", recursive)
    assert "recursion limit" in verdict.message and "explicit stack" in verdict.hint


def test_backward_leaves_left_out_or_not_a_dict():
    assert "leaves" in rejected("ch04.backward", lambda root, inputs: {root: 1.0}).hint
    assert "dict" in rejected("ch04.backward", lambda root, inputs: [1.0]).hint
