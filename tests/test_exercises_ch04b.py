"""Checkers of Chapter 4, notebooks 04-07: each accepts the solution, says "Not yet" to the stub
and gives the targeted hint for typical wrong answers."""

from __future__ import annotations

import numpy as np
import pytest

from nnlib.exercises import evaluate
from nnlib.exercises.ch04 import adam_step, early_stopping, precision_recall


def stub(*args, **kwargs):
    raise NotImplementedError


IDS = [
    "ch04.dense_backward",
    "ch04.hidden_delta",
    "ch04.momentum_step",
    "ch04.adam_step",
    "ch04.rmsprop_step",
    "ch04.standardize",
    "ch04.precision_recall",
    "ch04.l2_penalty",
    "ch04.early_stopping",
]


# Each reference solution passing its checker: tests/test_exercise_solutions.py.
@pytest.mark.parametrize("exercise_id", IDS)
def test_stub_is_not_yet(exercise_id):
    verdict = evaluate(exercise_id, stub)
    assert not verdict.passed
    assert str(verdict).startswith("❌ Not yet.")
    assert "NotImplementedError" in verdict.message


@pytest.mark.parametrize("exercise_id", IDS)
def test_returning_none_is_explained(exercise_id):
    verdict = evaluate(exercise_id, lambda *a, **k: None)
    assert not verdict.passed
    assert "return" in (verdict.message + (verdict.hint or ""))


def hint(exercise_id, answer) -> str:
    verdict = evaluate(exercise_id, answer)
    assert not verdict.passed, f"{exercise_id} accepted a wrong answer"
    return verdict.hint or ""


# --- typical wrong answers get their targeted hint ------------------------------------------

WRONG = [
    # Dense backward
    ("ch04.dense_backward", lambda x, W, g: (g.T @ x, g.sum(0), g @ W.T), "transposed"),
    ("ch04.dense_backward", lambda x, W, g: (x.T @ g / len(x), g.sum(0), g @ W.T), "batch size"),
    ("ch04.dense_backward", lambda x, W, g: (x.T @ g, g.mean(0), g @ W.T), "don't average"),
    ("ch04.dense_backward", lambda x, W, g: (x.T @ g, g.sum(0), g @ W), "Transpose W"),
    ("ch04.dense_backward", lambda x, W, g: (x.T @ g, g.sum(0)), "tuple of 3"),
    # ReLU layer delta
    ("ch04.hidden_delta", lambda d, W, z: d @ W.T, "derivative"),
    ("ch04.hidden_delta", lambda d, W, z: (d @ W.T) * np.maximum(z, 0), "not ReLU(z)"),
    ("ch04.hidden_delta", lambda d, W, z: (d @ W.T) * (z < 0), "active"),
    # momentum
    ("ch04.momentum_step", lambda w, v, g, lr, mu: (w - (mu * v + lr * g), mu * v + lr * g), "raw"),
    ("ch04.momentum_step", lambda w, v, g, lr, mu: (w - lr * v, mu * v + g), "new velocity"),
    ("ch04.momentum_step", lambda w, v, g, lr, mu: (w + lr * (mu * v + g), mu * v + g), "against"),
    (
        "ch04.momentum_step",
        lambda w, v, g, lr, mu: (w - lr * (mu * v + (1 - mu) * g), mu * v + (1 - mu) * g),
        "exponential average",
    ),
    # Adam
    (
        "ch04.adam_step",
        lambda w, m, v, g, t, lr=1e-3: (
            w - lr * (0.9 * m + 0.1 * g) / (np.sqrt(0.999 * v + 0.001 * g**2) + 1e-8),
            0.9 * m + 0.1 * g,
            0.999 * v + 0.001 * g**2,
        ),
        "bias correction",
    ),
    (
        "ch04.adam_step",
        lambda w, m, v, g, t, lr=1e-3: adam_step(w, m, v, g, t - 1, lr),
        "counted from 1",  # t counted from 0: a division by zero (NaN) at t = 1
    ),
    (
        "ch04.adam_step",
        lambda w, m, v, g, t, lr=1e-3: (
            adam_step(w, m, v, g, t, lr)[0],
            adam_step(w, m, v, g, t, lr)[1] / (1 - 0.9**t),
            adam_step(w, m, v, g, t, lr)[2],
        ),
        "raw moment m",
    ),
    (
        "ch04.adam_step",
        lambda w, m, v, g, t, lr=1e-3: (
            w
            - lr
            * ((0.9 * m + 0.1 * g) / (1 - 0.9**t))
            / np.sqrt((0.999 * v + 0.001 * g**2) / (1 - 0.999**t) + 1e-8),
            0.9 * m + 0.1 * g,
            0.999 * v + 0.001 * g**2,
        ),
        "outside the square root",
    ),
    (
        "ch04.adam_step",
        lambda w, m, v, g, t, lr=1e-3: (w, 0.9 * m + 0.1 * g, 0.999 * v + 0.001 * g),
        "squared gradient",
    ),
    # standardisation
    (
        "ch04.standardize",
        lambda a, b: (
            (a - a.mean(0)) / np.where(a.std(0) > 0, a.std(0), 1),
            (b - b.mean(0)) / np.where(b.std(0) > 0, b.std(0), 1),
        ),
        "training",
    ),
    (
        "ch04.standardize",
        lambda a, b: ((a - a.mean(0)) / a.std(0), (b - a.mean(0)) / a.std(0)),
        "constant column",
    ),
    (
        "ch04.standardize",
        lambda a, b: (
            (a - a.mean(0)) / np.where(a.std(0) > 0, a.std(0, ddof=1), 1),
            (b - a.mean(0)) / np.where(a.std(0) > 0, a.std(0, ddof=1), 1),
        ),
        "ddof=0",
    ),
    ("ch04.standardize", lambda a, b: (a - a.mean(0), b - a.mean(0)), "spread 1"),
    # precision and recall
    ("ch04.precision_recall", lambda y, p: precision_recall(y, p)[::-1], "swapped"),
    ("ch04.precision_recall", lambda y, p: (np.mean(y == p), np.mean(y == p)), "accuracy"),
    ("ch04.precision_recall", lambda y, p: precision_recall(1 - y, 1 - p), "class 0"),
    # L2 penalty
    ("ch04.l2_penalty", lambda W, lam: (lam * np.sum(W**2), 2 * lam * W), "1/2"),
    ("ch04.l2_penalty", lambda W, lam: (0.5 * lam * np.sum(W**2), 2 * lam * W), "cancels"),
    ("ch04.l2_penalty", lambda W, lam: (0.5 * lam * np.sum(W**2), lam * np.sign(W)), "L1"),
    # early stopping
    ("ch04.early_stopping", lambda c, p: tuple(x - 1 for x in early_stopping(c, p)), "from 1"),
    (
        "ch04.early_stopping",
        lambda c, p: (int(np.argmin(c)) + 1, len(c)),
        "as soon as patience runs out",
    ),
    (
        "ch04.early_stopping",
        lambda c, p: (early_stopping(c, p)[0], early_stopping(c, p)[1] + 1),
        "not one later",
    ),
]


@pytest.mark.parametrize(
    ("exercise_id", "answer", "expected"), WRONG, ids=[f"{w[0]}-{w[2]}" for w in WRONG]
)
def test_typical_mistakes_get_their_hint(exercise_id, answer, expected):
    with np.errstate(all="ignore"):
        verdict = evaluate(exercise_id, answer)
    assert not verdict.passed, f"{exercise_id} accepted a wrong answer"
    text = verdict.message + " " + (verdict.hint or "")
    assert expected.lower() in text.lower(), text


def test_ties_are_not_improvements():
    def non_strict(curve, patience):
        best_value, best, waited = np.inf, 0, 0
        for epoch, loss in enumerate(curve, start=1):
            if loss <= best_value:
                best_value, best, waited = loss, epoch, 0
            else:
                waited += 1
                if waited >= patience:
                    return best, epoch
        return best, len(curve)

    assert "strictly lower" in hint("ch04.early_stopping", non_strict)


def test_early_stopping_solution_agrees_with_fit():
    """The checker's convention is fit's: same best epoch and the same number of epochs run."""
    from nnlib.exercises import ch04

    for curve, patience in ch04._CURVES:
        best, stop = early_stopping(curve, patience)
        assert stop <= len(curve) and 1 <= best <= stop


# --- rmsprop_step ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("slip", "phrase"),
    [
        ({"plain_g": True}, "squared"),
        ({"swapped": True}, "keeps the weight alpha"),
        ({"old_s": True}, "Update s first"),
        ({"eps_in": True}, "outside the square root"),
        ({"no_sqrt": True}, "square root of s"),
        ({"uphill": True}, "downhill"),
    ],
)
def test_rmsprop_step_typical_slips(slip, phrase):
    from nnlib.exercises.ch04 import _rmsprop_variant

    def wrong(w, s, g, lr, alpha=0.99, eps=1e-8):
        return _rmsprop_variant(w, s, g, lr, **slip)

    verdict = evaluate("ch04.rmsprop_step", wrong)
    assert not verdict.passed and phrase in verdict.hint, str(verdict)


def test_rmsprop_step_reference_first_step_is_ten_lr():
    from nnlib.exercises.ch04 import rmsprop_step

    w, s = rmsprop_step(np.zeros(2), np.zeros(2), np.array([3.0, -0.2]), lr=0.1)
    assert np.allclose(w, [-1.0, 1.0])  # 10 lr per coordinate: no bias correction
    assert evaluate("ch04.rmsprop_step", rmsprop_step).passed
