"""Checkers of Chapter 5, U-Net, graph networks and choosing an architecture: the solutions
pass, the stub gets "Not yet", and typical wrong answers get their targeted hint."""

from __future__ import annotations

import numpy as np
import pytest
from exercise_helpers import assert_hint, assert_passes, assert_stub_not_yet, rejected

from nnlib.exercises import reference_solution

IDS = [
    "ch05.iou",
    "ch05.center_crop",
    "ch05.normalized_adjacency",
    "ch05.gcn_step",
    "ch05.match_architectures",
    "ch05.receptive_field",
]


@pytest.mark.parametrize("exercise_id", IDS)
def test_solution_passes(exercise_id):
    assert_passes(exercise_id, reference_solution(exercise_id))


@pytest.mark.parametrize("exercise_id", IDS)
def test_stub_is_not_yet(exercise_id):
    assert_stub_not_yet(exercise_id)


@pytest.mark.parametrize("exercise_id", IDS)
def test_returning_none_is_explained(exercise_id):
    assert_hint(rejected(exercise_id, lambda *a, **k: None), "return")


def _b(x):
    return np.asarray(x, dtype=bool)


def no_empty_case(p, t):
    with np.errstate(invalid="ignore"):
        return (_b(p) & _b(t)).sum() / (_b(p) | _b(t)).sum()


@pytest.mark.parametrize(
    ("answer", "fragment"),
    [
        (lambda p, t: np.mean(_b(p) == _b(t)), "pixel accuracy"),
        (lambda p, t: (_b(p) & _b(t)).sum() / _b(t).sum(), "target's area"),
        (lambda p, t: 2 * (_b(p) & _b(t)).sum() / (_b(p).sum() + _b(t).sum()), "Dice"),
        (lambda p, t: (_b(p) & _b(t)).sum() / (_b(p).sum() + _b(t).sum()), "overlap twice"),
        (no_empty_case, "union is 0"),
    ],
)
def test_iou_mistakes(answer, fragment):
    assert_hint(rejected("ch05.iou", answer), fragment)


@pytest.mark.parametrize(
    ("answer", "fragment"),
    [
        (lambda x, h, w: x[..., :h, :w], "top-left"),
        (lambda x, h, w: x[..., x.shape[-2] - h :, x.shape[-1] - w :], "bottom-right"),
        (lambda x, h, w: x[0, 0, :h, :w], "Keep the batch and channel axes"),
    ],
)
def test_center_crop_mistakes(answer, fragment):
    assert_hint(rejected("ch05.center_crop", answer), fragment)


def _with_loops(A):
    return A + np.eye(len(A))


@pytest.mark.parametrize(
    ("answer", "fragment"),
    [
        (
            lambda A: A / np.sqrt(np.outer(A.sum(1), A.sum(1)) + (A.sum(1) == 0)),
            "self-loops",
        ),
        (lambda A: _with_loops(A) / _with_loops(A).sum(1)[:, None], "row average"),
        (lambda A: _with_loops(A) / np.sqrt(_with_loops(A).sum(1))[:, None], "on the right"),
        (
            lambda A: _with_loops(A) / np.outer(_with_loops(A).sum(1), _with_loops(A).sum(1)),
            "not d_i d_j",
        ),
        (_with_loops, "forgot to normalise"),
    ],
)
def test_normalized_adjacency_mistakes(answer, fragment):
    assert_hint(rejected("ch05.normalized_adjacency", answer), fragment)


def _gcn(edges, H, W, loops=True, both=True, scale=True, relu=True):
    n = len(H)
    pairs = ([(i, i) for i in range(n)] if loops else []) + list(edges)
    pairs += [(j, i) for i, j in edges] if both else []
    deg = np.zeros(n)
    for i, _ in pairs:
        deg[i] += 1
    out = np.zeros((n, W.shape[1]))
    for i, j in pairs:
        out[i] += (H @ W)[j] / (np.sqrt(deg[i] * deg[j]) if scale else 1)
    return np.maximum(out, 0) if relu else out


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"relu": False}, "ReLU"),
        ({"loops": False}, "to itself"),
        ({"scale": False}, "1 / sqrt(d_i d_j)"),
    ],
)
def test_gcn_step_mistakes(kwargs, fragment):
    assert_hint(rejected("ch05.gcn_step", lambda e, H, W: _gcn(e, H, W, **kwargs)), fragment)


def test_match_architectures_mistakes():
    good = reference_solution("ch05.match_architectures")()
    assert_hint(rejected("ch05.match_architectures", lambda: {**good, 1: "cnn"}), "per pixel")
    assert_hint(rejected("ch05.match_architectures", lambda: {**good, 2: "lstm"}), "not a key")
    short = {k: v for k, v in good.items() if k != 7}
    assert_hint(rejected("ch05.match_architectures", lambda: short), "problem(s) 7")
    assert_hint(rejected("ch05.match_architectures", lambda: list(good)), "expected a dict")
    assert_passes("ch05.match_architectures", lambda: {**good, 4: "resnet"})


@pytest.mark.parametrize(
    ("answer", "fragment"),
    [
        (lambda layers: 1 + sum(k - 1 for k, _ in layers), "Strides matter"),
        (lambda layers: sum(k for k, _ in layers), "overlap"),
    ],
)
def test_receptive_field_mistakes(answer, fragment):
    assert_hint(rejected("ch05.receptive_field", answer), fragment)
