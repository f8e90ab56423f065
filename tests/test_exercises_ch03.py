"""Tests of Chapter 3's exercise checkers: solutions pass, stubs and typical slips do not."""

from __future__ import annotations

import numpy as np
import pytest
from exercise_helpers import assert_stub_not_yet, case_ids, forgot_return, rejected

from nnlib.exercises import evaluate, registered
from nnlib.exercises.ch03 import softmax


def relu(x):
    return np.maximum(0.0, x)


def sig(x):
    return 1.0 / (1.0 + np.exp(-x))


IDS = [
    "ch03.collapse_linear",
    "ch03.count_dead",
    "ch03.he_std",
    "ch03.leaky_relu",
    "ch03.log_softmax",
    "ch03.relu_bump",
    "ch03.sigmoid_grad",
    "ch03.stable_softmax",
]


def test_every_exercise_is_registered():
    # Each reference solution passing its checker: tests/test_exercise_solutions.py.
    assert registered("ch03") == IDS


@pytest.mark.parametrize("exercise_id", IDS)
def test_stub_is_not_yet(exercise_id):
    assert_stub_not_yet(exercise_id)


@pytest.mark.parametrize("exercise_id", IDS)
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
