"""Checkers of Chapter 7, federated learning: typical wrong answers get their hint."""

from __future__ import annotations

import numpy as np
from exercise_helpers import (
    assert_hint,
    assert_passes,
    forgot_return,
    rejected,
    solution_and_stub_tests,
)

from nnlib.exercises import reference_solution

SOLUTIONS = {name: reference_solution(name) for name in ("ch07.weighted_average", "ch07.split_iid")}
test_solution_passes, test_stub_is_not_yet = solution_and_stub_tests(SOLUTIONS)


def test_weighted_average_forgot_return():
    assert_hint(rejected("ch07.weighted_average", forgot_return), "return")


def test_weighted_average_plain_mean():
    def plain(states, sizes):
        return {k: sum(s[k] for s in states) / len(states) for k in states[0]}

    assert_hint(rejected("ch07.weighted_average", plain), "number of examples")


def test_weighted_average_not_normalised():
    def unnormalised(states, sizes):
        return {k: sum(n * s[k] for s, n in zip(states, sizes, strict=True)) for k in states[0]}

    assert_hint(rejected("ch07.weighted_average", unnormalised), "Divide by the total")


def test_weighted_average_inverse_weights():
    def inverse(states, sizes):
        w = np.array([1 / n for n in sizes])
        w = w / w.sum()
        return {k: sum(float(a) * s[k] for s, a in zip(states, w, strict=True)) for k in states[0]}

    assert_hint(rejected("ch07.weighted_average", inverse), "not 1 / n_k")


def test_weighted_average_in_place():
    def in_place(states, sizes):
        total = sum(sizes)
        out = states[0]
        for k in out:
            out[k] *= sizes[0] / total
            for s, n in zip(states[1:], sizes[1:], strict=True):
                out[k] += n / total * s[k]
        return out

    assert_hint(rejected("ch07.weighted_average", in_place), "in place")


def test_weighted_average_missing_key():
    def first_key_only(states, sizes):
        key = next(iter(states[0]))
        return {key: sum(n / sum(sizes) * s[key] for s, n in zip(states, sizes, strict=True))}

    assert_hint(rejected("ch07.weighted_average", first_key_only), "every entry")


def test_weighted_average_accepts_numpy_values():
    def as_numpy(states, sizes):
        total = sum(sizes)
        return {
            k: sum(n / total * s[k].numpy() for s, n in zip(states, sizes, strict=True))
            for k in states[0]
        }

    assert_passes("ch07.weighted_average", as_numpy)


def test_split_contiguous():
    assert_hint(
        rejected("ch07.split_iid", lambda n, k, rng: np.array_split(np.arange(n), k)), "Shuffle"
    )


def test_split_drops_remainder():
    def drops(n, k, rng):
        order = np.random.default_rng(rng).permutation(n)
        m = n // k
        return [order[i * m : (i + 1) * m] for i in range(k)]

    assert_hint(rejected("ch07.split_iid", drops), "array_split")


def test_split_independent_draws():
    def overlapping(n, k, rng):
        gen = np.random.default_rng(rng)
        return [gen.choice(n, size=n // k + 1, replace=False) for _ in range(k)]

    assert_hint(rejected("ch07.split_iid", overlapping), "more than one client")


def test_split_unseeded():
    def unseeded(n, k, rng):
        return np.array_split(np.random.default_rng().permutation(n), k)

    assert_hint(rejected("ch07.split_iid", unseeded), "reproducible")


def test_split_ignores_rng():
    def fixed(n, k, rng):
        return np.array_split(np.random.default_rng(42).permutation(n), k)

    assert_hint(rejected("ch07.split_iid", fixed), "rng argument")


def test_split_wrong_count():
    def wrong(n, k, rng):
        return np.array_split(np.random.default_rng(rng).permutation(n), k + 1)

    assert_hint(rejected("ch07.split_iid", wrong), "one part per client")
