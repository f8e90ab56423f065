"""nnlib.search: the search space, mutation, tournaments, random search and evolution."""

from __future__ import annotations

import numpy as np
import pytest

from nnlib.search import (
    SearchSpace,
    Trial,
    best_so_far,
    best_trial,
    evolution,
    random_search,
    tournament,
)

SPACE = SearchSpace(
    {"depth": (1, 2, 3), "width": (8, 32, 128), "activation": ("relu", "tanh"), "bias": (True,)}
)


def score(config):
    """A made-up landscape: deeper, wider and tanh are better; the best scores 1.0."""
    return (
        config["depth"] / 3 * 0.5
        + np.log2(config["width"] / 8) / 4 * 0.4
        + (0.1 if config["activation"] == "tanh" else 0.0)
    )


def test_space_size_and_iteration():
    configs = list(SPACE)
    assert SPACE.size == len(configs) == 18
    assert len({SPACE.key(c) for c in configs}) == 18
    assert all(SPACE.from_key(SPACE.key(c)) == c for c in configs)
    assert SPACE.names == ("depth", "width", "activation", "bias")


def test_sample_is_seeded_and_valid():
    a = [SPACE.sample(np.random.default_rng(3)) for _ in range(2)]
    assert a[0] == a[1]
    gen = np.random.default_rng(0)
    seen = {SPACE.key(SPACE.sample(gen)) for _ in range(400)}
    assert len(seen) == 18  # uniform draws cover the small space


def test_mutate_changes_exactly_one_choice():
    gen = np.random.default_rng(0)
    parent = {"depth": 2, "width": 32, "activation": "relu", "bias": True}
    changed = set()
    for _ in range(200):
        child = SPACE.mutate(parent, gen)
        diff = [k for k in parent if child[k] != parent[k]]
        assert len(diff) == 1 and diff[0] != "bias"
        SPACE.validate(child)
        changed.add(diff[0])
    assert parent == {"depth": 2, "width": 32, "activation": "relu", "bias": True}
    assert changed == {"depth", "width", "activation"}


def test_tournament_properties():
    scores = [0.3, 0.9, 0.1, 0.5]
    gen = np.random.default_rng(0)
    assert all(tournament(scores, 4, gen) == 1 for _ in range(20))
    wins = {tournament(scores, 2, gen) for _ in range(200)}
    assert 2 not in wins and wins == {0, 1, 3}
    assert {tournament(scores, 1, gen) for _ in range(200)} == {0, 1, 2, 3}


def test_random_search_spends_the_budget():
    calls = []
    trials = random_search(lambda c: calls.append(c) or score(c), SPACE, budget=7, rng=1)
    assert len(trials) == len(calls) == 7
    assert all(isinstance(t, Trial) for t in trials)
    assert trials == random_search(score, SPACE, budget=7, rng=1)


def test_evolution_spends_the_budget_and_improves():
    calls = []
    trials = evolution(lambda c: calls.append(c) or score(c), SPACE, 12, population=4, rng=0)
    assert len(trials) == len(calls) == 12
    assert trials == evolution(score, SPACE, 12, population=4, rng=0)
    # every child differs from some earlier trial in exactly one choice
    for i, child in enumerate(trials[4:], start=4):
        assert any(
            sum(child.config[k] != t.config[k] for k in SPACE.names) == 1 for t in trials[:i]
        )


def test_evolution_concentrates_on_good_regions():
    best = max(score(c) for c in SPACE)
    evo = [
        np.mean([t.score for t in evolution(score, SPACE, 30, 6, 3, rng=s)[6:]]) for s in range(20)
    ]
    rand = [np.mean([t.score for t in random_search(score, SPACE, 30, rng=s)]) for s in range(20)]
    assert np.mean(evo) > np.mean(rand) + 0.1
    assert np.mean([best_so_far(evolution(score, SPACE, 30, rng=s))[-1] for s in range(20)]) > (
        best - 0.05
    )


def test_best_so_far_and_best_trial():
    trials = [Trial({"a": i}, s) for i, s in enumerate([0.2, 0.5, 0.4, 0.5, 0.9])]
    np.testing.assert_array_equal(best_so_far(trials), [0.2, 0.5, 0.5, 0.5, 0.9])
    assert best_trial(trials[:4]).config == {"a": 1}  # the earliest of a tie


def test_errors():
    with pytest.raises(ValueError, match="non-empty mapping"):
        SearchSpace({})
    with pytest.raises(ValueError, match="non-empty sequence"):
        SearchSpace({"depth": ()})
    with pytest.raises(ValueError, match="non-empty sequence"):
        SearchSpace({"activation": "relu"})
    with pytest.raises(ValueError, match="repeated"):
        SearchSpace({"depth": (1, 1)})
    with pytest.raises(ValueError, match="keys"):
        SPACE.mutate({"depth": 1}, np.random.default_rng(0))
    with pytest.raises(ValueError, match="not one of"):
        SPACE.key({"depth": 5, "width": 8, "activation": "relu", "bias": True})
    with pytest.raises(ValueError, match="a key needs"):
        SPACE.from_key((1, 8))
    with pytest.raises(ValueError, match="nothing to mutate"):
        SearchSpace({"a": (1,)}).mutate({"a": 1}, np.random.default_rng(0))
    with pytest.raises(ValueError, match="budget"):
        random_search(score, SPACE, 0)
    with pytest.raises(ValueError, match="population"):
        evolution(score, SPACE, 5, population=6)
    with pytest.raises(ValueError, match="sample_size"):
        evolution(score, SPACE, 10, population=4, sample_size=5)
    with pytest.raises(ValueError, match="sample_size"):
        tournament([0.1, 0.2], 3, np.random.default_rng(0))
    with pytest.raises(ValueError, match="finite"):
        random_search(lambda c: float("nan"), SPACE, 2)
    with pytest.raises(ValueError, match="at least one"):
        best_so_far([])
    with pytest.raises(ValueError, match="at least one"):
        best_trial([])
