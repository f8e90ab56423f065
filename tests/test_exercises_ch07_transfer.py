"""Checkers of Chapter 7, transfer learning: typical wrong answers get their hint."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from exercise_helpers import assert_hint, rejected, solution_and_stub_tests

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from nnlib.exercises import reference_solution  # noqa: E402

IDS = ["ch07.few_shot_indices", "ch07.prepare_transfer"]
test_solution_passes, test_stub_is_not_yet = solution_and_stub_tests(
    {i: reference_solution(i) for i in IDS}
)


def test_few_shot_with_replacement():
    def with_replacement(y, per_class, rng=0):
        rng = np.random.default_rng(rng)
        return np.concatenate(
            [rng.choice(np.flatnonzero(y == c), size=per_class) for c in np.unique(y)]
        )

    assert_hint(rejected("ch07.few_shot_indices", with_replacement), "replace=False")


def test_few_shot_total_not_per_class():
    def total(y, per_class, rng=0):
        return np.random.default_rng(rng).choice(len(y), size=per_class, replace=False)

    assert_hint(rejected("ch07.few_shot_indices", total), "*every* class")


def test_few_shot_ignores_seed():
    def first_ones(y, per_class, rng=0):
        return np.concatenate([np.flatnonzero(y == c)[:per_class] for c in np.unique(y)])

    assert_hint(rejected("ch07.few_shot_indices", first_ones), "Use the seed")


def test_few_shot_returns_labels():
    def labels(y, per_class, rng=0):
        return np.repeat(np.unique(y), per_class) + 100

    assert_hint(rejected("ch07.few_shot_indices", labels), "positions into y")


def in_place(pretrained, n_classes):
    for p in pretrained[:-1].parameters():
        p.requires_grad_(False)
    old = pretrained[-1]
    pretrained[-1] = nn.Linear(old.in_features, n_classes).to(old.weight.dtype)
    return pretrained


def test_prepare_changes_source():
    assert_hint(rejected("ch07.prepare_transfer", in_place), "copy.deepcopy")


def test_prepare_forgets_to_freeze():
    def unfrozen(pretrained, n_classes):
        model = copy.deepcopy(pretrained)
        old = model[-1]
        model[-1] = nn.Linear(old.in_features, n_classes).to(old.weight.dtype)
        return model

    assert_hint(rejected("ch07.prepare_transfer", unfrozen), "requires_grad_(False)")


def test_prepare_freezes_head_too():
    def all_frozen(pretrained, n_classes):
        model = copy.deepcopy(pretrained)
        old = model[-1]
        model[-1] = nn.Linear(old.in_features, n_classes).to(old.weight.dtype)
        for p in model.parameters():
            p.requires_grad_(False)
        return model

    assert_hint(rejected("ch07.prepare_transfer", all_frozen), "leave the new head trainable")


def test_prepare_appends_head():
    def appended(pretrained, n_classes):
        model = copy.deepcopy(pretrained)
        for p in model.parameters():
            p.requires_grad_(False)
        model.append(nn.Linear(model[-1].out_features, n_classes).double())
        return model

    assert_hint(rejected("ch07.prepare_transfer", appended), "model[-1] = ")


def test_prepare_wrong_dtype():
    def float32_head(pretrained, n_classes):
        model = copy.deepcopy(pretrained)
        for p in model[:-1].parameters():
            p.requires_grad_(False)
        model[-1] = nn.Linear(model[-1].in_features, n_classes)
        return model

    assert_hint(rejected("ch07.prepare_transfer", float32_head), "dtype")


def test_prepare_wrong_size():
    def wrong_out(pretrained, n_classes):
        model = copy.deepcopy(pretrained)
        for p in model[:-1].parameters():
            p.requires_grad_(False)
        model[-1] = nn.Linear(model[-1].in_features, model[-1].out_features).double()
        return model

    assert_hint(rejected("ch07.prepare_transfer", wrong_out), "n_classes outputs")


def test_prepare_reinitialised_features():
    def fresh(pretrained, n_classes):
        torch.manual_seed(1)
        model = copy.deepcopy(pretrained)
        for layer in model:
            if hasattr(layer, "reset_parameters"):
                layer.reset_parameters()
        for p in model[:-1].parameters():
            p.requires_grad_(False)
        model[-1] = nn.Linear(model[-1].in_features, n_classes).double()
        return model

    assert_hint(rejected("ch07.prepare_transfer", fresh), "Keep the trained layers")
