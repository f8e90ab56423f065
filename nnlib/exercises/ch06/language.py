"""Chapter 6, language: a bag of bigrams, softmax with a temperature, trigram perplexity."""

from __future__ import annotations

import numpy as np

from nnlib.exercises import Fail, as_floats, exercise, expect_close, solution

__all__: list[str] = []


def _bigram_bag(ids, vocab_size, index=lambda a, b, v: a * v + b):
    bag = np.zeros(vocab_size * vocab_size)
    for a, b in zip(ids[:-1], ids[1:], strict=True):
        bag[index(a, b, vocab_size)] += 1
    return bag


@exercise("ch06.bag_of_bigrams", success="Your bag of bigrams counts every adjacent pair.")
def _(bag_of_bigrams):
    cases = [
        (np.array([1, 2, 3]), 4),
        (np.array([2, 0, 2, 0, 2]), 3),  # the pair (2, 0) twice, (0, 2) twice
        (np.array([4, 1, 3, 0, 2]), 5),  # "good , not bad" as ids
        (np.array([2, 1, 3, 0, 4]), 5),  # "bad , not good": the same words, other pairs
        (np.array([3]), 4),  # one token: no pair at all
    ]
    for ids, v in cases:
        what = f"bag_of_bigrams({ids.tolist()}, vocab_size={v})"
        got = bag_of_bigrams(ids.copy(), v)
        got = as_floats(got, what, "Return a numpy array of counts.")
        if got.shape == (v,):
            raise Fail(
                f"{what} has shape {got.shape}: one entry per word.",
                "A bag of bigrams has one entry per *pair* of ids: vocab_size ** 2 entries.",
            )
        if got.shape != (v * v,):
            raise Fail(
                f"{what} has shape {got.shape}; expected ({v * v},).",
                "Return a flat vector of vocab_size ** 2 counts (np.zeros(vocab_size ** 2)).",
            )
        expected = _bigram_bag(ids, v)
        rolled = _bigram_bag(np.append(ids, ids[0]), v)
        expect_close(
            got,
            expected,
            what,
            "Count each pair of neighbours (ids[i], ids[i + 1]) at index "
            "ids[i] * vocab_size + ids[i + 1].",
            atol=1e-12,
            mistakes=[
                (
                    _bigram_bag(ids, v, index=lambda a, b, n: b * n + a),
                    "The pair (a, b), a first, goes to index a * vocab_size + b.",
                ),
                (np.minimum(expected, 1), "Count the pairs: a pair seen twice counts 2."),
                (
                    rolled,
                    "Only neighbours inside the sentence: there is no pair from the last id "
                    "back to the first (np.roll wraps around).",
                ),
            ],
        )


@solution("ch06.bag_of_bigrams")
def bag_of_bigrams(ids, vocab_size):
    bag = np.zeros(vocab_size**2)
    np.add.at(bag, ids[:-1] * vocab_size + ids[1:], 1)  # += 1 at each pair's index
    return bag


def _softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


@exercise(
    "ch06.softmax_with_temperature",
    success="Your probabilities match softmax(logits / temperature), even for huge logits.",
)
def _(softmax_with_temperature):
    cases = [
        (np.array([2.0, 1.0, 0.0]), 1.0),
        (np.array([2.0, 1.0, 0.0]), 0.5),
        (np.array([2.0, 1.0, 0.0, -1.0]), 2.0),
        (np.array([[1.0, 3.0, 0.5], [0.0, 0.0, 2.0]]), 0.8),  # a batch: rows are separate
        (np.array([1000.0, 999.0, 990.0]), 0.5),  # logits this big overflow np.exp
    ]
    for logits, t in cases:
        what = f"softmax_with_temperature({logits.tolist()}, {t})"
        with np.errstate(over="ignore", invalid="ignore"):
            got = softmax_with_temperature(logits.copy(), t)
        got = as_floats(got, what, "Return a numpy array of probabilities.")
        if got.shape == logits.shape and not np.all(np.isfinite(got)):
            raise Fail(
                f"{what} contains NaN or infinity.",
                "np.exp(1000 / t) overflows: subtract the largest logit (of each row) "
                "before exponentiating; the softmax does not change.",
            )
        column = _softmax(logits.T / t).T if logits.ndim == 2 else None
        mistakes = [
            (_softmax(logits * t), "Divide the logits by the temperature (do not multiply)."),
            (_softmax(logits), "Use the temperature: softmax(logits / temperature)."),
            (
                np.exp((logits - logits.max(axis=-1, keepdims=True)) / t),
                "Normalise: divide by the sum so that the probabilities add up to 1.",
            ),
        ]
        if column is not None:
            mistakes.append((column, "Each row is one distribution: work along the last axis."))
        expect_close(
            got,
            _softmax(logits / t),
            what,
            "Divide the logits by the temperature, then take the softmax along the last axis.",
            atol=1e-9,
            mistakes=mistakes,
        )


@solution("ch06.softmax_with_temperature")
def softmax_with_temperature(logits, temperature):
    z = logits / temperature
    z = z - z.max(axis=-1, keepdims=True)  # the same softmax, and exp cannot overflow
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def _trigram_ppl(train, test, v, alpha, context=2, pair_counts=False, normalise=True):
    shape = (v,) * (context + 1)
    counts = np.zeros(shape)
    grams = [train[i : len(train) - context + i] for i in range(context + 1)]
    np.add.at(counts, tuple(grams), 1)
    totals = counts.sum(axis=-1, keepdims=True)
    if pair_counts:  # N(a, b) from every pair of the text, not only those followed by a c
        pairs = np.zeros((v,) * context)
        starts = [train[i : len(train) - context + 1 + i] for i in range(context)]
        np.add.at(pairs, tuple(starts), 1)
        totals = pairs[..., None]
    probs = (counts + alpha) / (totals + (alpha * v if normalise else alpha))
    grams = [test[i : len(test) - 2 + i] for i in range(3)][-(context + 1) :]
    return float(np.exp(-np.mean(np.log(probs[tuple(grams)]))))


@exercise("ch06.trigram_perplexity", success="Your trigram perplexity is right on every case.")
def _(trigram_perplexity):
    rng = np.random.default_rng(6)
    cases = [
        (np.array([0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1]), np.array([0, 1, 2, 0, 1]), 3, 1.0),
        (rng.integers(0, 4, 200), rng.integers(0, 4, 50), 4, 1.0),
        (rng.integers(0, 5, 300), rng.integers(0, 5, 80), 5, 0.1),
    ]
    for train, test, v, alpha in cases:
        what = f"trigram_perplexity(train_ids, test_ids, vocab_size={v}, alpha={alpha})"
        with np.errstate(divide="ignore", invalid="ignore"):
            got = trigram_perplexity(train.copy(), test.copy(), v, alpha)
        expected = _trigram_ppl(train, test, v, alpha)
        expect_close(
            got,
            expected,
            what,
            "P(c | a, b) = (N(a, b, c) + alpha) / (N(a, b) + alpha * vocab_size) from the "
            "training triples; perplexity = exp(mean of -log P) over test positions 2, 3, ...",
            atol=1e-9,
            rtol=1e-9,
            mistakes=[
                (np.log(expected), "That is the cross-entropy: the perplexity is its exp."),
                (
                    _trigram_ppl(train, test, v, alpha, context=1),
                    "A trigram conditions on the *two* previous ids, (a, b), not one.",
                ),
                (
                    _trigram_ppl(train, test, v, alpha, normalise=False),
                    "Add alpha * vocab_size to the denominator, so that the smoothed "
                    "probabilities of the vocab_size next ids still add up to 1.",
                ),
                (
                    _trigram_ppl(train, test, v, alpha, pair_counts=True),
                    "N(a, b) counts the times (a, b) is *followed* by an id: the sum of "
                    "N(a, b, c) over c (the last pair of the training ids has no c).",
                ),
            ],
        )


@solution("ch06.trigram_perplexity")
def trigram_perplexity(train_ids, test_ids, vocab_size, alpha=1.0):
    counts = np.zeros((vocab_size, vocab_size, vocab_size))
    np.add.at(counts, (train_ids[:-2], train_ids[1:-1], train_ids[2:]), 1)
    probs = (counts + alpha) / (counts.sum(axis=2, keepdims=True) + alpha * vocab_size)
    p = probs[test_ids[:-2], test_ids[1:-1], test_ids[2:]]
    return np.exp(-np.mean(np.log(p)))
