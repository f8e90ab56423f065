"""Checkers of Chapter 6, language: typical wrong answers get their hint."""

from __future__ import annotations

import numpy as np
from exercise_helpers import assert_hint, forgot_return, rejected, solution_and_stub_tests

from nnlib.exercises import reference_solution

IDS = ("ch06.bag_of_bigrams", "ch06.softmax_with_temperature", "ch06.trigram_perplexity")
test_solution_passes, test_stub_is_not_yet = solution_and_stub_tests(
    {i: reference_solution(i) for i in IDS}
)


# --- bag of bigrams --------------------------------------------------------------------------


def bigrams(ids, v, index):
    bag = np.zeros(v * v)
    for a, b in zip(ids[:-1], ids[1:], strict=True):
        bag[index(a, b, v)] += 1
    return bag


def test_bigrams_reversed_index():
    answer = lambda ids, v: bigrams(ids, v, lambda a, b, n: b * n + a)  # noqa: E731
    assert_hint(rejected("ch06.bag_of_bigrams", answer), "a * vocab_size + b")


def test_bigrams_presence_instead_of_counts():
    answer = lambda ids, v: np.minimum(bigrams(ids, v, lambda a, b, n: a * n + b), 1)  # noqa: E731
    assert_hint(rejected("ch06.bag_of_bigrams", answer), "seen twice counts 2")


def test_bigrams_wrap_around():
    def rolled(ids, v):
        bag = np.zeros(v * v)
        np.add.at(bag, ids * v + np.roll(ids, -1), 1)
        return bag

    assert_hint(rejected("ch06.bag_of_bigrams", rolled), "np.roll")


def test_bigrams_word_counts():
    answer = lambda ids, v: np.bincount(ids, minlength=v).astype(float)  # noqa: E731
    assert_hint(rejected("ch06.bag_of_bigrams", answer), "vocab_size ** 2")


def test_bigrams_forgot_return():
    assert_hint(rejected("ch06.bag_of_bigrams", forgot_return), "return")


# --- softmax with a temperature --------------------------------------------------------------


def stable_softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def test_softmax_multiplies_by_temperature():
    answer = lambda z, t: stable_softmax(z * t)  # noqa: E731
    assert_hint(rejected("ch06.softmax_with_temperature", answer), "Divide")


def test_softmax_ignores_temperature():
    answer = lambda z, t: stable_softmax(z)  # noqa: E731
    assert_hint(rejected("ch06.softmax_with_temperature", answer), "Use the temperature")


def test_softmax_not_normalised():
    answer = lambda z, t: np.exp((z - z.max(axis=-1, keepdims=True)) / t)  # noqa: E731
    assert_hint(rejected("ch06.softmax_with_temperature", answer), "Normalise")


def test_softmax_overflows():
    def naive(z, t):
        e = np.exp(z / t)
        return e / e.sum(axis=-1, keepdims=True)

    assert_hint(rejected("ch06.softmax_with_temperature", naive), "subtract the largest")


def test_softmax_wrong_axis():
    def columns(z, t):
        e = np.exp((z - z.max(axis=0, keepdims=True)) / t)
        return e / e.sum(axis=0, keepdims=True)

    assert_hint(rejected("ch06.softmax_with_temperature", columns), "last axis")


# --- trigram perplexity ----------------------------------------------------------------------

solution = reference_solution("ch06.trigram_perplexity")


def test_trigram_cross_entropy_instead_of_perplexity():
    answer = lambda *args: np.log(solution(*args))  # noqa: E731
    assert_hint(rejected("ch06.trigram_perplexity", answer), "cross-entropy")


def test_trigram_with_one_character_of_context():
    def bigram(train, test, v, alpha=1.0):
        counts = np.zeros((v, v))
        np.add.at(counts, (train[:-1], train[1:]), 1)
        probs = (counts + alpha) / (counts.sum(axis=1, keepdims=True) + alpha * v)
        return np.exp(-np.mean(np.log(probs[test[1:-1], test[2:]])))

    assert_hint(rejected("ch06.trigram_perplexity", bigram), "*two* previous")


def test_trigram_unnormalised_smoothing():
    def unnormalised(train, test, v, alpha=1.0):
        counts = np.zeros((v, v, v))
        np.add.at(counts, (train[:-2], train[1:-1], train[2:]), 1)
        probs = (counts + alpha) / (counts.sum(axis=2, keepdims=True) + alpha)
        return np.exp(-np.mean(np.log(probs[test[:-2], test[1:-1], test[2:]])))

    assert_hint(rejected("ch06.trigram_perplexity", unnormalised), "alpha * vocab_size")


def test_trigram_pair_counts_from_every_pair():
    def pair_counts(train, test, v, alpha=1.0):
        counts = np.zeros((v, v, v))
        np.add.at(counts, (train[:-2], train[1:-1], train[2:]), 1)
        pairs = np.zeros((v, v))
        np.add.at(pairs, (train[:-1], train[1:]), 1)
        probs = (counts + alpha) / (pairs[..., None] + alpha * v)
        return np.exp(-np.mean(np.log(probs[test[:-2], test[1:-1], test[2:]])))

    assert_hint(rejected("ch06.trigram_perplexity", pair_counts), "*followed*")


def test_trigram_no_smoothing():
    def unsmoothed(train, test, v, alpha=1.0):
        counts = np.zeros((v, v, v))
        np.add.at(counts, (train[:-2], train[1:-1], train[2:]), 1)
        probs = counts / counts.sum(axis=2, keepdims=True)
        return np.exp(-np.mean(np.log(probs[test[:-2], test[1:-1], test[2:]])))

    assert_hint(rejected("ch06.trigram_perplexity", unsmoothed), "alpha")
