"""The checkers of Chapter 1: solutions pass, stubs get "Not yet", typical slips get their hint."""

from __future__ import annotations

import numpy as np
import pytest
from exercise_helpers import assert_hint, assert_stub_not_yet, forgot_return

from nnlib.exercises import evaluate, registered
from nnlib.neurons import AND, OR, McCullochPittsUnit


def test_all_chapter_1_exercises_are_registered():
    assert registered("ch01") == [
        "ch01.and_gate",
        "ch01.decade_counts",
        "ch01.hebb_update",
        "ch01.longest_gap",
        "ch01.nand_unit",
        "ch01.perceptron_predict",
        "ch01.perceptron_step",
        "ch01.perceptron_train",
        "ch01.xor_gate",
    ]


@pytest.mark.parametrize("exercise_id", registered("ch01"))
def test_stub_gets_not_yet(exercise_id):
    assert_stub_not_yet(exercise_id)


@pytest.mark.parametrize("exercise_id", registered("ch01"))
def test_forgotten_return_is_named(exercise_id):
    assert_hint(evaluate(exercise_id, forgot_return), "None", "return")


# --- decade_counts -----------------------------------------------------------------------------


def decade_counts(years):
    counts = {}
    for y in years:
        counts[y // 10 * 10] = counts.get(y // 10 * 10, 0) + 1
    return counts


def test_decade_counts_solution():
    assert evaluate("ch01.decade_counts", decade_counts).passed


def test_decade_counts_counter_is_fine():
    from collections import Counter

    assert evaluate("ch01.decade_counts", lambda ys: Counter(y // 10 * 10 for y in ys)).passed


def test_decade_counts_without_times_ten():
    def wrong(years):
        return {d // 10: n for d, n in decade_counts(years).items()}

    assert_hint(evaluate("ch01.decade_counts", wrong), "multiply back by 10")


def test_decade_counts_with_round():
    def wrong(years):
        out = {}
        for y in years:
            out[round(y, -1)] = out.get(round(y, -1), 0) + 1
        return out

    assert_hint(evaluate("ch01.decade_counts", wrong), "round() goes to the nearest ten")


def test_decade_counts_with_empty_decades():
    def wrong(years):
        out = {d: 0 for d in range(1940, 2030, 10)}
        out.update(decade_counts(years))
        return out

    assert_hint(evaluate("ch01.decade_counts", wrong), "at least one year")


def test_decade_counts_list_instead_of_dict():
    assert_hint(evaluate("ch01.decade_counts", lambda ys: list(ys)), "not a dict")


# --- longest_gap -------------------------------------------------------------------------------


def longest_gap(years):
    ys = sorted(years)
    return max(zip(ys, ys[1:], strict=False), key=lambda pair: pair[1] - pair[0])


def test_longest_gap_solution():
    assert evaluate("ch01.longest_gap", longest_gap).passed


def test_longest_gap_without_sorting():
    def wrong(years):
        return max(zip(years, years[1:], strict=False), key=lambda p: p[1] - p[0])

    assert_hint(evaluate("ch01.longest_gap", wrong), "Sort the years first")


def test_longest_gap_returns_the_length():
    def wrong(years):
        a, b = longest_gap(years)
        return b - a

    assert_hint(evaluate("ch01.longest_gap", wrong), "not its length")


def test_longest_gap_reversed_pair():
    assert_hint(
        evaluate("ch01.longest_gap", lambda ys: longest_gap(ys)[::-1]), "earlier year first"
    )


def test_longest_gap_not_a_pair():
    assert_hint(evaluate("ch01.longest_gap", lambda ys: "1969-1986"), "tuple of two years")


# --- and_gate ----------------------------------------------------------------------------------


def test_and_gate_solution_and_variants():
    assert evaluate("ch01.and_gate", lambda a, b: 1 if a + b >= 2 else 0).passed
    assert evaluate("ch01.and_gate", lambda a, b: a + b >= 2).passed  # a bool is fine
    assert evaluate("ch01.and_gate", lambda a, b: AND([a, b])).passed


def test_and_gate_with_the_and_keyword_is_refused():
    def and_gate(a, b):
        return 1 if a and b else 0

    assert_hint(evaluate("ch01.and_gate", and_gate), "`and`", "threshold unit")
    assert_hint(evaluate("ch01.and_gate", lambda a, b: a & b), "`and`")


def test_and_gate_source_check_looks_only_at_the_function():
    def and_gate(a, b):
        return int(a + b >= 2)

    uses_and_outside = True and and_gate  # an `and` on this line, outside the function
    assert evaluate("ch01.and_gate", uses_and_outside).passed
    assert evaluate("ch01.and_gate", eval("lambda a, b: int(a + b >= 2)")).passed  # no source


def test_and_gate_threshold_too_low():
    assert_hint(evaluate("ch01.and_gate", lambda a, b: int(a + b >= 1)), "threshold is too low")


def test_and_gate_threshold_too_high():
    assert_hint(evaluate("ch01.and_gate", lambda a, b: int(a + b >= 3)), "stays silent on (1, 1)")


def test_and_gate_fires_without_input():
    assert_hint(evaluate("ch01.and_gate", lambda a, b: int(a + b >= 0)), "above 0")


def test_and_gate_returns_the_sum():
    assert_hint(evaluate("ch01.and_gate", lambda a, b: a + b), "not the weighted sum")


def test_and_gate_returns_text():
    assert_hint(evaluate("ch01.and_gate", lambda a, b: "on"), "the number 0 or 1")


# --- nand_unit ---------------------------------------------------------------------------------


def test_nand_unit_solution():
    assert evaluate("ch01.nand_unit", lambda: McCullochPittsUnit([-1, -1], -1.5)).passed
    assert evaluate("ch01.nand_unit", lambda: McCullochPittsUnit([-1, -1], -1)).passed


def test_nand_unit_that_is_and():
    assert_hint(evaluate("ch01.nand_unit", lambda: McCullochPittsUnit([1, 1], 2)), "That is AND")


def test_nand_unit_silent_without_input():
    unit = McCullochPittsUnit([-1, -1], 0.5)
    assert_hint(evaluate("ch01.nand_unit", lambda: unit), "threshold <= 0")


def test_nand_unit_fires_on_both():
    unit = McCullochPittsUnit([-1, -1], -2)
    assert_hint(evaluate("ch01.nand_unit", lambda: unit), "It fires on (1, 1)")


def test_nand_unit_threshold_too_high_for_one_input():
    unit = McCullochPittsUnit([-1, -1], -0.5)
    assert_hint(evaluate("ch01.nand_unit", lambda: unit), "single active input")


def test_nand_unit_not_a_unit():
    assert_hint(evaluate("ch01.nand_unit", lambda: ([-1, -1], -1.5)), "Return a unit")


def test_nand_unit_wrong_size():
    unit = McCullochPittsUnit([-1, -1, -1], -2.5)
    assert_hint(evaluate("ch01.nand_unit", lambda: unit), "give two weights")


# --- xor_gate ----------------------------------------------------------------------------------


def test_xor_gate_solution():
    def xor_gate(a, b):
        nand = McCullochPittsUnit([-1, -1], -1.5)
        return AND([OR([a, b]), nand([a, b])])

    assert evaluate("ch01.xor_gate", xor_gate).passed


def test_xor_gate_with_python_operators_is_refused():
    assert_hint(evaluate("ch01.xor_gate", lambda a, b: a ^ b), "`^`", "NAND")
    assert_hint(evaluate("ch01.xor_gate", lambda a, b: int(a != b)), "threshold units")


def test_xor_gate_that_is_or():
    assert_hint(evaluate("ch01.xor_gate", lambda a, b: OR([a, b])), "That is OR", "NAND")


def test_xor_gate_that_is_xnor():
    assert_hint(evaluate("ch01.xor_gate", lambda a, b: int(a == b)), "XNOR")


def test_xor_gate_that_is_and():
    assert_hint(evaluate("ch01.xor_gate", lambda a, b: AND([a, b])), "That is AND")


def test_xor_gate_other_wrong_answer():
    assert_hint(evaluate("ch01.xor_gate", lambda a, b: 0), "two layers")


# --- hebb_update -------------------------------------------------------------------------------


def test_hebb_update_solution():
    assert evaluate("ch01.hebb_update", lambda W, x, y, lr: W + lr * np.outer(y, x)).passed


def test_hebb_update_transposed():
    verdict = evaluate("ch01.hebb_update", lambda W, x, y, lr: W.T + lr * np.outer(x, y))
    assert_hint(verdict, "np.outer(y, x)", "Rows of W belong to the outputs")


def test_hebb_update_forgets_lr():
    assert_hint(evaluate("ch01.hebb_update", lambda W, x, y, lr: W + np.outer(y, x)), "lr")


def test_hebb_update_returns_only_the_change():
    verdict = evaluate("ch01.hebb_update", lambda W, x, y, lr: lr * np.outer(y, x))
    assert_hint(verdict, "only the change")


def test_hebb_update_in_place():
    def wrong(W, x, y, lr):
        W += lr * np.outer(y, x)
        return W

    assert_hint(evaluate("ch01.hebb_update", wrong), "in place")


def test_hebb_update_other_wrong_value():
    verdict = evaluate("ch01.hebb_update", lambda W, x, y, lr: W - lr * np.outer(y, x))
    assert_hint(verdict, "expected", "product of the activities")


# --- perceptron_predict ------------------------------------------------------------------------


def test_perceptron_predict_solution():
    ok = evaluate("ch01.perceptron_predict", lambda w, b, X: (X @ w + b >= 0).astype(int))
    assert ok.passed
    assert evaluate("ch01.perceptron_predict", lambda w, b, X: X @ w + b >= 0).passed


def test_perceptron_predict_strict_inequality():
    verdict = evaluate("ch01.perceptron_predict", lambda w, b, X: (X @ w + b > 0).astype(int))
    assert_hint(verdict, "use >= 0")


def test_perceptron_predict_plus_minus_one():
    verdict = evaluate("ch01.perceptron_predict", lambda w, b, X: np.where(X @ w + b >= 0, 1, -1))
    assert_hint(verdict, "not -1 and +1")


def test_perceptron_predict_forgets_bias():
    verdict = evaluate("ch01.perceptron_predict", lambda w, b, X: (X @ w >= 0).astype(int))
    assert_hint(verdict, "Add the bias")


def test_perceptron_predict_returns_scores():
    verdict = evaluate("ch01.perceptron_predict", lambda w, b, X: X @ w + b)
    assert_hint(verdict, "Threshold the score")


def test_perceptron_predict_wrong_shape():
    verdict = evaluate("ch01.perceptron_predict", lambda w, b, X: 1)
    assert_hint(verdict, "shape")


# --- perceptron_step ---------------------------------------------------------------------------


def perceptron_step(w, b, x, y, lr):
    y_hat = 1 if x @ w + b >= 0 else 0
    return w + lr * (y - y_hat) * x, b + lr * (y - y_hat)


def test_perceptron_step_solution():
    assert evaluate("ch01.perceptron_step", perceptron_step).passed


def test_perceptron_step_reversed_sign():
    def wrong(w, b, x, y, lr):
        y_hat = 1 if x @ w + b >= 0 else 0
        return w + lr * (y_hat - y) * x, b + lr * (y_hat - y)

    assert_hint(evaluate("ch01.perceptron_step", wrong), "sign is reversed")


def test_perceptron_step_forgets_bias():
    def wrong(w, b, x, y, lr):
        return perceptron_step(w, b, x, y, lr)[0], b

    assert_hint(evaluate("ch01.perceptron_step", wrong), "The bias learns too")


def test_perceptron_step_updates_when_right():
    def wrong(w, b, x, y, lr):
        s = 1 if y == 1 else -1
        return w + lr * s * x, b + lr * s

    assert_hint(evaluate("ch01.perceptron_step", wrong), "already right", "nothing may change")


def test_perceptron_step_forgets_lr():
    def wrong(w, b, x, y, lr):
        y_hat = 1 if x @ w + b >= 0 else 0
        return w + (y - y_hat) * x, b + (y - y_hat)

    assert_hint(evaluate("ch01.perceptron_step", wrong), "learning rate")


def test_perceptron_step_in_place():
    def wrong(w, b, x, y, lr):
        y_hat = 1 if x @ w + b >= 0 else 0
        w += lr * (y - y_hat) * x
        return w, b + lr * (y - y_hat)

    assert_hint(evaluate("ch01.perceptron_step", wrong), "in place")


def test_perceptron_step_not_a_pair():
    assert_hint(evaluate("ch01.perceptron_step", lambda w, b, x, y, lr: w), "Return a pair")


# --- perceptron_train -------------------------------------------------------------------------


def train_with(**slip):
    from nnlib.exercises.ch01 import _train_variant

    return lambda X, y, lr, max_epochs: _train_variant(X, y, lr, max_epochs, **slip)


def test_perceptron_train_reference_passes_and_matches_nnlib():
    from nnlib.exercises.ch01 import perceptron_train
    from nnlib.neurons import Perceptron

    assert evaluate("ch01.perceptron_train", perceptron_train).passed
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    w, b, errors = perceptron_train(X, np.array([0, 1, 1, 1]), 1.0, 20)
    ref = Perceptron().fit(X, [0, 1, 1, 1], max_epochs=20)
    assert np.allclose(w, ref.coef_) and b == ref.intercept_
    assert errors == ref.errors_per_epoch_


@pytest.mark.parametrize(
    ("slip", "phrase"),
    [
        ({"stop": False}, "first epoch with no mistakes"),
        ({"strict": True}, ">= 0"),
        ({"batch": True}, "right after each mistake"),
        ({"bias": False}, "Update the bias too"),
    ],
)
def test_perceptron_train_typical_slips(slip, phrase):
    assert_hint(evaluate("ch01.perceptron_train", train_with(**slip)), phrase)


def test_perceptron_train_miscounted_errors():
    def wrong(X, y, lr, max_epochs):
        w, b, errors = train_with()(X, y, lr, max_epochs)
        return w, b, [sum(errors)]

    assert_hint(evaluate("ch01.perceptron_train", wrong), "once per epoch")


def test_perceptron_train_plus_minus_one_labels():
    def wrong(X, y, lr, max_epochs):  # always adds (2y - 1) x: not the perceptron rule
        w, b = np.zeros(X.shape[1]), 0.0
        for x, t in zip(X, y, strict=True):
            w, b = w + lr * (2 * t - 1) * x, b + lr * (2 * t - 1)
        return w, b, [len(y)]

    assert_hint(evaluate("ch01.perceptron_train", wrong), "Start from w = 0")


def test_perceptron_train_not_a_triple():
    assert_hint(evaluate("ch01.perceptron_train", lambda X, y, lr, m: np.zeros(2)), "triple")
