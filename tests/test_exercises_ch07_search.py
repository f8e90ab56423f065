"""Checkers of Chapter 7, architecture search: typical wrong answers get their hint."""

from __future__ import annotations

import numpy as np
from exercise_helpers import assert_hint, forgot_return, rejected, solution_and_stub_tests

from nnlib.exercises import reference_solution

SOLUTIONS = {name: reference_solution(name) for name in ("ch07.mutate", "ch07.tournament")}
test_solution_passes, test_stub_is_not_yet = solution_and_stub_tests(SOLUTIONS)


def test_mutate_forgot_return():
    assert_hint(rejected("ch07.mutate", forgot_return), "return")


def test_mutate_in_place():
    def in_place(config, choices, rng):
        key = list(choices)[rng.integers(len(choices))]
        others = [v for v in choices[key] if v != config[key]]
        config[key] = others[rng.integers(len(others))]
        return config

    assert_hint(rejected("ch07.mutate", in_place), "Copy the parent")


def test_mutate_may_draw_the_same_value():
    def same_allowed(config, choices, rng):
        child = dict(config)
        key = list(choices)[rng.integers(len(choices))]
        child[key] = choices[key][rng.integers(len(choices[key]))]
        return child

    assert_hint(rejected("ch07.mutate", same_allowed), "*other* values")


def test_mutate_changes_everything():
    def resample(config, choices, rng):
        return {k: [v for v in vs if v != config[k]][0] for k, vs in choices.items()}

    assert_hint(rejected("ch07.mutate", resample), "exactly one")


def test_mutate_always_first_key():
    def first_key(config, choices, rng):
        child = dict(config)
        key = next(iter(choices))
        others = [v for v in choices[key] if v != config[key]]
        child[key] = others[rng.integers(len(others))]
        return child

    assert_hint(rejected("ch07.mutate", first_key), "at random")


def test_mutate_always_first_other_value():
    def first_other(config, choices, rng):
        child = dict(config)
        key = list(choices)[rng.integers(len(choices))]
        child[key] = [v for v in choices[key] if v != config[key]][0]
        return child

    assert_hint(rejected("ch07.mutate", first_other), "other allowed values")


def test_mutate_value_out_of_range():
    def doubled(config, choices, rng):
        child = dict(config)
        child["depth"] = config["depth"] * 2
        return child

    assert_hint(rejected("ch07.mutate", doubled), "choices[key]")


def test_tournament_argmin():
    def argmin(scores, k, rng):
        drawn = rng.choice(len(scores), size=k, replace=False)
        return int(drawn[np.argmin(np.asarray(scores)[drawn])])

    assert_hint(rejected("ch07.tournament", argmin), "argmax")


def test_tournament_with_replacement():
    def with_replacement(scores, k, rng):
        drawn = rng.choice(len(scores), size=k, replace=True)
        return int(drawn[np.argmax(np.asarray(scores)[drawn])])

    assert_hint(rejected("ch07.tournament", with_replacement), "without replacement")


def test_tournament_position_in_sample():
    def position(scores, k, rng):
        drawn = rng.choice(len(scores), size=k, replace=False)
        return int(np.argmax(np.asarray(scores)[drawn]))

    assert_hint(rejected("ch07.tournament", position), "index")


def test_tournament_returns_score():
    def score(scores, k, rng):
        drawn = rng.choice(len(scores), size=k, replace=False)
        return float(np.max(np.asarray(scores)[drawn]))

    assert_hint(rejected("ch07.tournament", score), "not its score")


def test_tournament_ignores_the_sample():
    assert_hint(
        rejected("ch07.tournament", lambda scores, k, rng: int(np.argmax(scores))),
        "Draw sample_size members",
    )
