"""Chapter 7, neural architecture search: the mutation and the tournament selection of an
evolutionary search."""

from __future__ import annotations

from collections import Counter

import numpy as np

from nnlib.exercises import Fail, exercise, solution

__all__: list[str] = []

_CHOICES = {
    "depth": (1, 2, 3),
    "width": (8, 32, 128),
    "activation": ("relu", "tanh"),
    "lr": (0.001, 0.01, 0.1),
}


@exercise("ch07.mutate", success="One choice changed, to another allowed value, at random.")
def _(mutate):
    config = {"depth": 2, "width": 32, "activation": "relu", "lr": 0.01}
    changed_keys, new_values = Counter(), Counter()
    for seed in range(200):
        what = f"mutate({config}, choices, rng)"
        original = dict(config)
        child = mutate(config, _CHOICES, np.random.default_rng(seed))
        if config != original:
            config.clear()
            config.update(original)
            raise Fail(
                f"{what} changed the parent configuration itself.",
                "Copy the parent first (child = dict(config)) and change the copy: the parent "
                "stays in the population.",
            )
        if child is None:
            raise Fail(f"{what} returned None.", "Did you forget a `return` statement?")
        if not isinstance(child, dict) or set(child) != set(config):
            raise Fail(
                f"{what} returned {child!r}.",
                "Return a dict with the same keys as the parent.",
            )
        for key, value in child.items():
            if value not in _CHOICES[key]:
                raise Fail(
                    f"{what} set {key}={value!r}, which is not among {list(_CHOICES[key])}.",
                    "Pick the new value from choices[key].",
                )
        diff = [key for key in config if child[key] != config[key]]
        if not diff:
            raise Fail(
                f"{what} returned the parent unchanged (seed {seed}).",
                "Draw the new value among the *other* values of the chosen key, so that "
                "every mutation really changes something.",
            )
        if len(diff) > 1:
            raise Fail(
                f"{what} changed {diff}.",
                "Change exactly one choice: a child should stay close to its parent.",
            )
        changed_keys[diff[0]] += 1
        new_values[diff[0], child[diff[0]]] += 1
    never = [key for key in config if changed_keys[key] == 0]
    if never:
        raise Fail(
            f"In 200 calls, {never} never changed.",
            "Choose the key to change at random (rng.integers(len(keys))), not always the "
            "same one.",
        )
    for key, values in _CHOICES.items():
        for value in values:
            if value != config[key] and new_values[key, value] == 0:
                raise Fail(
                    f"In 200 calls, {key} never became {value!r}.",
                    "Draw the new value at random among all the other allowed values.",
                )


@solution("ch07.mutate")
def mutate(config, choices, rng):
    child = dict(config)
    key = list(choices)[rng.integers(len(choices))]
    others = [v for v in choices[key] if v != config[key]]
    child[key] = others[rng.integers(len(others))]
    return child


@exercise("ch07.tournament", success="That is tournament selection.")
def _(tournament):
    scores = [0.91, 0.35, 0.88, 0.12, 0.95, 0.60, 0.47, 0.73]
    order = np.argsort(scores)  # worst first
    for k in (8, 3, 1):
        what = f"tournament(scores, sample_size={k}, rng)"
        wins = Counter()
        for seed in range(300):
            got = tournament(list(scores), k, np.random.default_rng(seed))
            if got is None:
                raise Fail(f"{what} returned None.", "Did you forget a `return` statement?")
            if isinstance(got, float) and not float(got).is_integer():
                raise Fail(
                    f"{what} returned {got}.",
                    "Return the *index* of the winner in scores, not its score.",
                )
            try:
                index = int(got)
            except (TypeError, ValueError):
                raise Fail(f"{what} returned {got!r}.", "Return an int index.") from None
            if not 0 <= index < len(scores):
                raise Fail(f"{what} returned {index}.", "Return an index into scores.")
            wins[index] += 1
        if k == len(scores) and set(wins) != {int(order[-1])}:
            if set(wins) == {int(order[0])}:
                raise Fail(
                    f"With every member in the tournament, {what} picked the worst one.",
                    "Higher scores are better: take the argmax, not the argmin.",
                )
            raise Fail(
                f"With every member in the tournament, {what} picked {dict(wins)}.",
                "Compare the scores of the members you drew and return the index (into "
                "scores) of the best one; draw the members without replacement.",
            )
        if k < len(scores) and max(wins) < k:
            raise Fail(
                f"{what} only ever returned indices below {k}.",
                "Return the index into scores (drawn[best]), not the position of the "
                "winner inside your sample.",
            )
        losers = [int(i) for i in order[: k - 1]]
        if any(wins[i] for i in losers):
            raise Fail(
                f"{what} let one of the {k - 1} worst members win.",
                "Draw the members without replacement (replace=False): with replacement a "
                "weak member can fill the whole tournament on its own.",
            )
        if k == 1 and len(wins) < len(scores):
            raise Fail(
                f"With one member per tournament, {what} never picked "
                f"{sorted(set(range(len(scores))) - set(wins))}.",
                "Draw sample_size members at random with rng first; only then compare their "
                "scores.",
            )


@solution("ch07.tournament")
def tournament(scores, sample_size, rng):
    drawn = rng.choice(len(scores), size=sample_size, replace=False)
    return int(drawn[np.argmax(np.asarray(scores)[drawn])])
