"""Checkers of Chapter 5, from nnlib to PyTorch: the solutions pass, the stub gets "Not yet",
and typical wrong answers (a missing zero_grad, a missing step, an untransposed weight) get
their targeted hint."""

from __future__ import annotations

import pytest
from exercise_helpers import assert_hint, assert_stub_not_yet, case_ids, rejected

torch = pytest.importorskip("torch")

IDS = ["ch05.train_step", "ch05.copy_dense"]


@pytest.mark.parametrize("exercise_id", IDS)
def test_stub_is_not_yet(exercise_id):
    assert_stub_not_yet(exercise_id)


def no_zero_grad(model, loss_fn, optimizer, xb, yb):
    loss = loss_fn(model(xb), yb)
    loss.backward()
    optimizer.step()
    return loss.item()


def no_step(model, loss_fn, optimizer, xb, yb):
    optimizer.zero_grad()
    loss = loss_fn(model(xb), yb)
    loss.backward()
    return loss.item()


def zero_grad_too_late(model, loss_fn, optimizer, xb, yb):
    loss = loss_fn(model(xb), yb)
    loss.backward()
    optimizer.zero_grad()
    optimizer.step()
    return loss.item()


def returns_tensor(model, loss_fn, optimizer, xb, yb):
    optimizer.zero_grad()
    loss = loss_fn(model(xb), yb)
    loss.backward()
    optimizer.step()
    return loss


def returns_loss_after_step(model, loss_fn, optimizer, xb, yb):
    optimizer.zero_grad()
    loss = loss_fn(model(xb), yb)
    loss.backward()
    optimizer.step()
    with torch.no_grad():
        return loss_fn(model(xb), yb).item()


def copy_without_no_grad(dense, linear):
    linear.weight.copy_(torch.from_numpy(dense.W.data.T))
    linear.bias.copy_(torch.from_numpy(dense.b.data))


def copy_untransposed(dense, linear):
    with torch.no_grad():
        linear.weight.copy_(torch.from_numpy(dense.W.data))
        linear.bias.copy_(torch.from_numpy(dense.b.data))


def copy_weight_only(dense, linear):
    with torch.no_grad():
        linear.weight.copy_(torch.from_numpy(dense.W.data.T))


def shared_memory(dense, linear):
    linear.weight = torch.nn.Parameter(torch.from_numpy(dense.W.data.T))
    linear.bias = torch.nn.Parameter(torch.from_numpy(dense.b.data.copy()))


WRONG = [
    ("ch05.train_step", no_zero_grad, "zero_grad() at the start"),
    ("ch05.train_step", no_step, "optimizer.step()"),
    ("ch05.train_step", zero_grad_too_late, "not between backward"),
    ("ch05.train_step", returns_tensor, "loss.item()"),
    ("ch05.train_step", returns_loss_after_step, "before the step"),
    ("ch05.train_step", lambda *a: None, "Return"),
    ("ch05.copy_dense", copy_without_no_grad, "torch.no_grad()"),
    ("ch05.copy_dense", copy_untransposed, "transpose"),
    ("ch05.copy_dense", copy_weight_only, "bias"),
    ("ch05.copy_dense", shared_memory, "shares memory"),
]


@pytest.mark.parametrize(("exercise_id", "answer", "fragment"), WRONG, ids=case_ids(WRONG))
def test_typical_mistakes_get_their_hint(exercise_id, answer, fragment):
    assert_hint(rejected(exercise_id, answer), fragment)
