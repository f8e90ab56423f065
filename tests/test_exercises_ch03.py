"""Tests of Chapter 3's exercise checkers: solutions pass, stubs and typical slips do not."""

from __future__ import annotations

import numpy as np
import pytest
from exercise_helpers import case_ids, forgot_return, rejected, solution_and_stub_tests

from nnlib.exercises import evaluate, registered


def relu(x):
    return np.maximum(0.0, x)


def sig(x):
    return 1.0 / (1.0 + np.exp(-x))


# --- solutions -----------------------------------------------------------------------------------


def collapse(W1, b1, W2, b2):
    return W1 @ W2, b1 @ W2 + b2


def bump(x):
    return relu(x + 1) - 2 * relu(x) + relu(x - 1)


def sigmoid_grad(x):
    s = 1.0 / (1.0 + np.exp(-np.clip(x, -500, 500)))
    return s * (1 - s)


def leaky_relu(x, negative_slope=0.01):
    return np.where(x > 0, x, negative_slope * x)


def count_dead(H):
    return int(np.all(H == 0, axis=0).sum())


def he_std(n_in, n_out):
    return np.sqrt(2.0 / n_in)


def softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def log_softmax(z):
    shifted = z - z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


SOLUTIONS = {
    "ch03.collapse_linear": collapse,
    "ch03.relu_bump": bump,
    "ch03.sigmoid_grad": sigmoid_grad,
    "ch03.leaky_relu": leaky_relu,
    "ch03.count_dead": count_dead,
    "ch03.he_std": he_std,
    "ch03.stable_softmax": softmax,
    "ch03.log_softmax": log_softmax,
}


def test_every_exercise_is_registered():
    assert registered("ch03") == sorted(SOLUTIONS)


test_solution_passes, test_stub_is_not_yet = solution_and_stub_tests(SOLUTIONS)


@pytest.mark.parametrize("exercise_id", sorted(SOLUTIONS))
def test_forgotten_return(exercise_id):
    assert rejected(exercise_id, forgot_return).hint


WRONG = [
    # collapse_linear
    ("ch03.collapse_linear", lambda W1, b1, W2, b2: (W2 @ W1, b1 @ W2 + b2), "first layer"),
    ("ch03.collapse_linear", lambda W1, b1, W2, b2: (W1 @ W2, b1 + b2), "multiplied by W2"),
    ("ch03.collapse_linear", lambda W1, b1, W2, b2: (W1 @ W2, b2), "b1 also passes"),
    ("ch03.collapse_linear", lambda W1, b1, W2, b2: W1 @ W2, "return W, b"),
    # relu_bump
    ("ch03.relu_bump", lambda x: relu(x + 1) - 2 * relu(x), "third hinge"),
    ("ch03.relu_bump", lambda x: relu(x + 1) - relu(x) + relu(x - 1), "change the slope by -2"),
    ("ch03.relu_bump", lambda x: max(0.0, 1.0), "np.maximum"),
    ("ch03.relu_bump", lambda x: relu(-x - 1) + 1 - relu(-x - 1), "far left"),
    # sigmoid_grad
    ("ch03.sigmoid_grad", lambda x: x * (1 - x), "apply the sigmoid first"),
    ("ch03.sigmoid_grad", sig, "the slope"),
    ("ch03.sigmoid_grad", lambda x: -sig(x) * (1 - sig(x)), "only ever goes up"),
    ("ch03.sigmoid_grad", lambda x: np.exp(-x) / (1 + np.exp(-x)) ** 2, "overflows"),
    # leaky_relu
    ("ch03.leaky_relu", lambda x, negative_slope=0.01: relu(x), "negative_slope * x"),
    (
        "ch03.leaky_relu",
        lambda x, negative_slope=0.01: np.where(x > 0, negative_slope * x, x),
        "Positive inputs pass unchanged",
    ),
    (
        "ch03.leaky_relu",
        lambda x, negative_slope=0.01: np.where(x > 0, x, 0.01 * x),
        "negative_slope argument",
    ),
    # count_dead
    ("ch03.count_dead", lambda H: int((H == 0).sum()), "count the columns"),
    ("ch03.count_dead", lambda H: int(np.any(H == 0, axis=0).sum()), "np.all, not np.any"),
    ("ch03.count_dead", lambda H: int(np.all(H == 0, axis=1).sum()), "axis=0"),
    ("ch03.count_dead", lambda H: np.all(H == 0, axis=0), "one number"),
    # he_std
    ("ch03.he_std", lambda n_in, n_out: np.sqrt(1 / n_in), "factor 2"),
    ("ch03.he_std", lambda n_in, n_out: 2 / n_in, "square root"),
    ("ch03.he_std", lambda n_in, n_out: np.sqrt(2 / (n_in + n_out)), "only the fan-in"),
    # stable_softmax
    (
        "ch03.stable_softmax",
        lambda z: np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True),
        "Subtract the row's maximum",
    ),
    (
        "ch03.stable_softmax",
        lambda z: np.exp(z - z.max()) / np.exp(z - z.max()).sum(axis=-1, keepdims=True),
        "*own* maximum",
    ),
    ("ch03.stable_softmax", lambda z: softmax(z.T).T, "last axis"),
    # log_softmax
    ("ch03.log_softmax", lambda z: np.log(softmax(z)), "np.log(softmax(z))"),
    (
        "ch03.log_softmax",
        lambda z: z - np.log(np.exp(z).sum(axis=-1, keepdims=True)),
        "Subtract each row's maximum",
    ),
    ("ch03.log_softmax", lambda z: z - z.max(axis=-1, keepdims=True), "log of the sum"),
]


@pytest.mark.parametrize("exercise_id, answer, hint_part", WRONG, ids=case_ids(WRONG))
def test_typical_wrong_answer_gets_the_targeted_hint(exercise_id, answer, hint_part):
    verdict = rejected(exercise_id, answer)
    assert hint_part in (verdict.hint or "") + verdict.message, str(verdict)


def test_wrong_answers_print_no_warnings(recwarn, capsys):
    evaluate("ch03.stable_softmax", lambda z: np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True))
    evaluate("ch03.sigmoid_grad", lambda x: np.exp(-x) / (1 + np.exp(-x)) ** 2)
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]
    assert capsys.readouterr().err == ""
