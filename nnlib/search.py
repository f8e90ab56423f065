"""Neural architecture search: a search space, random search and regularised evolution.

Taught in: Chapter 7, Frontiers (neural architecture search).

A **search space** names a few choices (depth, width, activation, learning rate...) and the
values each may take; one **configuration** picks a value for every choice. A search
spends a fixed **budget** of training runs: each run trains the network a configuration
describes and returns a score (validation accuracy, higher is better). Two strategies:

- :func:`random_search` draws every configuration independently and uniformly (Bergstra and
  Bengio, 2012);
- :func:`evolution` is regularised ("aging") evolution (Real et al., 2019): a population of
  trained configurations; each step picks a few members at random (a **tournament**,
  :func:`tournament`), copies the best of them with one random change
  (:meth:`SearchSpace.mutate`), trains the child, adds it and retires the oldest member.

Both take the training run as a callable ``evaluate(config) -> score``, so the same code
searches with real training or with a table of stored results. Nothing here imports torch.

Examples
--------
>>> space = SearchSpace({"depth": (1, 2, 3), "activation": ("relu", "tanh")})
>>> space.size
6
>>> trials = random_search(lambda c: c["depth"], space, budget=5, rng=0)
>>> len(trials), float(best_so_far(trials)[-1])
(5, 3.0)
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import NamedTuple

import numpy as np

__all__ = [
    "SearchSpace",
    "Trial",
    "best_so_far",
    "best_trial",
    "evolution",
    "random_search",
    "tournament",
]


class Trial(NamedTuple):
    """One training run of a search: the configuration and its score."""

    config: dict
    score: float


class SearchSpace:
    """A product of named choices, each a tuple of allowed values.

    Taught in: Chapter 7, Frontiers (neural architecture search).

    Parameters
    ----------
    choices : mapping of str to sequence
        For each name, the values it may take (at least one each).

    Attributes
    ----------
    names : tuple of str
        The choice names, in order.
    size : int
        The number of configurations in the space.
    """

    def __init__(self, choices: Mapping[str, Sequence]):
        if not isinstance(choices, Mapping) or not choices:
            raise ValueError("SearchSpace needs a non-empty mapping of names to values")
        self.choices = {}
        for name, values in choices.items():
            if isinstance(values, str) or not isinstance(values, Sequence) or len(values) == 0:
                raise ValueError(f"choice {name!r} needs a non-empty sequence, got {values!r}")
            if len(set(map(repr, values))) != len(values):
                raise ValueError(f"choice {name!r} has repeated values: {values!r}")
            self.choices[name] = tuple(values)
        self.names = tuple(self.choices)
        self.size = int(np.prod([len(v) for v in self.choices.values()]))

    def __repr__(self) -> str:
        return f"SearchSpace({self.choices!r})"

    def __iter__(self) -> Iterator[dict]:
        """Every configuration, in a fixed order."""
        for values in itertools.product(*self.choices.values()):
            yield dict(zip(self.names, values, strict=True))

    def validate(self, config: Mapping) -> None:
        """Raise ``ValueError`` unless ``config`` picks an allowed value for every name."""
        if not isinstance(config, Mapping) or set(config) != set(self.names):
            got = sorted(config) if isinstance(config, Mapping) else type(config).__name__
            raise ValueError(f"a configuration needs the keys {list(self.names)}, got {got}")
        for name in self.names:
            if config[name] not in self.choices[name]:
                raise ValueError(
                    f"{name}={config[name]!r} is not one of {list(self.choices[name])}"
                )

    def key(self, config: Mapping) -> tuple:
        """A hashable key for ``config`` (its values in the order of :attr:`names`)."""
        self.validate(config)
        return tuple(config[name] for name in self.names)

    def from_key(self, key: Sequence) -> dict:
        """The configuration whose :meth:`key` is ``key``."""
        if len(key) != len(self.names):
            raise ValueError(f"a key needs {len(self.names)} values, got {len(key)}")
        config = dict(zip(self.names, key, strict=True))
        self.validate(config)
        return config

    def sample(self, rng) -> dict:
        """A configuration with every value drawn uniformly at random.

        Parameters
        ----------
        rng : numpy.random.Generator
        """
        return {name: values[rng.integers(len(values))] for name, values in self.choices.items()}

    def mutate(self, config: Mapping, rng) -> dict:
        """A copy of ``config`` with exactly one choice changed to another allowed value.

        The choice is drawn uniformly among those with more than one value, and its new
        value uniformly among the other values. ``config`` itself is not modified.

        Parameters
        ----------
        config : mapping
        rng : numpy.random.Generator
        """
        self.validate(config)
        mutable = [name for name in self.names if len(self.choices[name]) > 1]
        if not mutable:
            raise ValueError("every choice has a single value: nothing to mutate")
        child = dict(config)
        name = mutable[rng.integers(len(mutable))]
        others = [v for v in self.choices[name] if v != config[name]]
        child[name] = others[rng.integers(len(others))]
        return child


def _check_budget(budget: int) -> None:
    if isinstance(budget, bool) or not isinstance(budget, int) or budget < 1:
        raise ValueError(f"budget must be a positive int, got {budget!r}")


def _run(evaluate: Callable, config: dict) -> Trial:
    score = float(evaluate(dict(config)))
    if not np.isfinite(score):
        raise ValueError(f"evaluate({config}) returned {score}, not a finite number")
    return Trial(config, score)


def random_search(evaluate: Callable, space: SearchSpace, budget: int, rng=0) -> list[Trial]:
    """Evaluate ``budget`` configurations drawn independently from ``space``.

    Taught in: Chapter 7, Frontiers (neural architecture search).

    Parameters
    ----------
    evaluate : callable
        ``evaluate(config) -> float``: trains the configuration, returns its score.
    space : SearchSpace
    budget : int
        Number of training runs (a configuration drawn twice is trained twice).
    rng : int or numpy.random.Generator, default 0

    Returns
    -------
    list of Trial
        In the order they were run.
    """
    _check_budget(budget)
    gen = np.random.default_rng(rng)
    return [_run(evaluate, space.sample(gen)) for _ in range(budget)]


def tournament(scores: Sequence[float], sample_size: int, rng) -> int:
    """Tournament selection: the index of the best of ``sample_size`` members drawn at random.

    Taught in: Chapter 7, Frontiers (neural architecture search).

    Members are drawn without replacement; a tie goes to the one drawn first.

    Parameters
    ----------
    scores : sequence of float
        The population's scores (higher is better).
    sample_size : int
        Members in the tournament, between 1 and ``len(scores)``.
    rng : numpy.random.Generator
    """
    if not 1 <= sample_size <= len(scores):
        raise ValueError(f"sample_size must be in [1, {len(scores)}], got {sample_size}")
    drawn = rng.choice(len(scores), size=sample_size, replace=False)
    return int(drawn[np.argmax(np.asarray(scores, dtype=float)[drawn])])


def evolution(
    evaluate: Callable,
    space: SearchSpace,
    budget: int,
    population: int = 8,
    sample_size: int = 3,
    rng=0,
) -> list[Trial]:
    """Regularised (aging) evolution with tournament selection, for ``budget`` runs.

    Taught in: Chapter 7, Frontiers (neural architecture search).

    The first ``population`` runs are random configurations. Each later run picks a parent
    by :func:`tournament` among the current population, trains ``space.mutate(parent)``,
    adds the child and removes the **oldest** member (not the worst: Real et al. found that
    aging keeps the search from clinging to a lucky early score).

    Parameters
    ----------
    evaluate : callable
        ``evaluate(config) -> float``.
    space : SearchSpace
    budget : int
        Total training runs, the initial population included.
    population : int, default 8
        Population size (at most ``budget``).
    sample_size : int, default 3
        Tournament size (at most ``population``).
    rng : int or numpy.random.Generator, default 0

    Returns
    -------
    list of Trial
        In the order they were run.
    """
    _check_budget(budget)
    if isinstance(population, bool) or not isinstance(population, int):
        raise ValueError(f"population must be a positive int, got {population!r}")
    if not 1 <= population <= budget:
        raise ValueError(f"population must be in [1, budget={budget}], got {population}")
    if not 1 <= sample_size <= population:
        raise ValueError(f"sample_size must be in [1, population={population}], got {sample_size}")
    gen = np.random.default_rng(rng)
    trials = [_run(evaluate, space.sample(gen)) for _ in range(population)]
    alive = deque(trials)
    while len(trials) < budget:
        parent = alive[tournament([t.score for t in alive], sample_size, gen)]
        child = _run(evaluate, space.mutate(parent.config, gen))
        trials.append(child)
        alive.append(child)
        alive.popleft()
    return trials


def best_so_far(trials: Sequence[Trial]) -> np.ndarray:
    """The best score among the first ``i + 1`` trials, for every ``i``.

    Taught in: Chapter 7, Frontiers (neural architecture search).
    """
    if len(trials) == 0:
        raise ValueError("best_so_far needs at least one trial")
    return np.maximum.accumulate(np.array([t.score for t in trials], dtype=float))


def best_trial(trials: Sequence[Trial]) -> Trial:
    """The trial with the highest score (the earliest one on a tie).

    Taught in: Chapter 7, Frontiers (neural architecture search).
    """
    if len(trials) == 0:
        raise ValueError("best_trial needs at least one trial")
    return trials[int(np.argmax([t.score for t in trials]))]
