"""Chapter 7, transfer learning: drawing a few-shot training set, and preparing a pretrained
network for a new task (copy, new head, frozen features)."""

from __future__ import annotations

import copy

import numpy as np
import torch
from torch import nn

from nnlib.exercises import Fail, exercise, solution

__all__: list[str] = []


def _labels(n_per_class=(7, 9, 6), seed=0):
    rng = np.random.default_rng(seed)
    y = np.concatenate([np.full(n, c) for c, n in enumerate(n_per_class)])
    return y[rng.permutation(len(y))]


@exercise(
    "ch07.few_shot_indices",
    success="Your draw has the right number of distinct examples of every class.",
)
def _(few_shot_indices):
    y = _labels()
    for per_class in (1, 4, 6):
        what = f"few_shot_indices(y, {per_class}, rng=0)"
        got = few_shot_indices(y.copy(), per_class, rng=0)
        if got is None:
            raise Fail(f"{what} returned None.", "Did you forget a `return` statement?")
        idx = np.asarray(got)
        if idx.ndim != 1 or not np.issubdtype(idx.dtype, np.integer):
            raise Fail(
                f"{what} returned an array of shape {idx.shape} and dtype {idx.dtype}.",
                "Return one flat array of integer positions into y (np.concatenate the "
                "positions you chose for each class).",
            )
        if idx.size and (idx.min() < 0 or idx.max() >= len(y)):
            raise Fail(
                f"{what} returned positions outside 0..{len(y) - 1}.",
                "Return positions into y (np.flatnonzero(y == c) gives those of class c), "
                "not labels or counts.",
            )
        counts = np.bincount(y[idx], minlength=3)
        if len(np.unique(idx)) < len(idx):
            raise Fail(
                f"{what} chose some examples twice.",
                "Draw without replacement: rng.choice(positions, size=per_class, replace=False).",
            )
        if idx.size == per_class:
            raise Fail(
                f"{what} returned {idx.size} positions in all; expected {3 * per_class}.",
                "per_class examples of *every* class: loop over np.unique(y).",
            )
        if counts.tolist() != [per_class] * 3:
            raise Fail(
                f"{what} gives {counts.tolist()} examples of classes 0, 1, 2; expected "
                f"{[per_class] * 3}.",
                "Choose among the positions of each class separately, so every class gets "
                "exactly per_class examples.",
            )
    draws = [np.sort(np.asarray(few_shot_indices(y.copy(), 4, rng=s))) for s in (0, 1, 2)]
    if all(np.array_equal(draws[0], d) for d in draws[1:]):
        raise Fail(
            "Different seeds gave the same examples.",
            "Use the seed: rng = np.random.default_rng(rng), then draw with rng.choice, so "
            "that each seed gives another small training set.",
        )
    again = np.asarray(few_shot_indices(y.copy(), 4, rng=1))
    if not np.array_equal(np.sort(again), draws[1]):
        raise Fail(
            "The same seed gave different examples on two calls.",
            "Draw only from np.random.default_rng(rng), not from an unseeded generator.",
        )


@solution("ch07.few_shot_indices")
def few_shot_indices(y, per_class, rng=0):
    rng = np.random.default_rng(rng)
    chosen = [
        rng.choice(np.flatnonzero(y == c), size=per_class, replace=False) for c in np.unique(y)
    ]
    return np.concatenate(chosen)


def _source_network():
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Linear(6, 5), nn.ReLU(), nn.Linear(5, 4), nn.ReLU(), nn.Linear(4, 3)
    ).double()


@exercise(
    "ch07.prepare_transfer",
    success="A copy with trained, frozen features and a new trainable head: ready to train.",
)
def _(prepare_transfer):
    source = _source_network()
    before = {k: v.clone() for k, v in source.state_dict().items()}
    what = "prepare_transfer(source, n_classes=2)"
    model = prepare_transfer(source, 2)
    if model is None:
        raise Fail(f"{what} returned None.", "Did you forget a `return` statement?")
    if not isinstance(model, nn.Sequential):
        raise Fail(f"{what} returned {type(model).__name__}.", "Return the new nn.Sequential.")
    changed = any(not torch.equal(v, before[k]) for k, v in source.state_dict().items())
    if model is source or changed or not all(p.requires_grad for p in source.parameters()):
        raise Fail(
            f"{what} changed the source network.",
            "Work on a copy (copy.deepcopy(pretrained)): the pretrained network must stay "
            "as it was, to be reused for other tasks.",
        )
    if len(model) != len(source):
        raise Fail(
            f"{what} has {len(model)} layers; the source has {len(source)}.",
            "Replace the last layer (model[-1] = ...) rather than appending one.",
        )
    head = model[-1]
    if not isinstance(head, nn.Linear) or head.out_features != 2 or head.in_features != 4:
        raise Fail(
            f"{what} ends with {head}; expected a Linear layer from 4 features to 2 classes.",
            "The new head takes the old head's in_features and has n_classes outputs: "
            "nn.Linear(old.in_features, n_classes).",
        )
    if head.weight.dtype != torch.float64:
        raise Fail(
            f"The new head's weights are {head.weight.dtype}; the network's are float64.",
            "Give the head the network's dtype: nn.Linear(...).to(old.weight.dtype).",
        )
    for k, v in model[:-1].state_dict().items():
        if not torch.equal(v, before[k]):
            raise Fail(
                f"The features of {what} are not the pretrained ones.",
                "Keep the trained layers: copy the whole network, then swap only the head.",
            )
    if not all(p.requires_grad for p in head.parameters()):
        raise Fail(
            "The new head is frozen, so nothing would train.",
            "Freeze the features (model[:-1]) only, and leave the new head trainable.",
        )
    if any(p.requires_grad for p in model[:-1].parameters()):
        raise Fail(
            "Some feature parameters still have requires_grad=True.",
            "Freeze every parameter of the features: for p in model[:-1].parameters(): "
            "p.requires_grad_(False).",
        )
    model(torch.zeros(3, 6, dtype=torch.float64)).sum().backward()
    if head.weight.grad is None:
        raise Fail("The head got no gradient.", "Leave the head's requires_grad on.")


@solution("ch07.prepare_transfer")
def prepare_transfer(pretrained, n_classes):
    model = copy.deepcopy(pretrained)
    for p in model[:-1].parameters():
        p.requires_grad_(False)
    old = model[-1]
    model[-1] = nn.Linear(old.in_features, n_classes).to(old.weight.dtype)
    return model
