"""Checkers of Chapter 7, distributed training: typical wrong answers get their hint."""

from __future__ import annotations

from exercise_helpers import assert_hint, forgot_return, rejected


def _per_worker(model, loss_fn, X, y, world_size, clone=True, zero=True):
    grads = []
    for Xs, ys in zip(X.chunk(world_size), y.chunk(world_size), strict=True):
        if zero:
            model.zero_grad()
        loss_fn(model(Xs), ys).backward()
        grads.append([p.grad.clone() if clone else p.grad for p in model.parameters()])
    return grads


def test_gradient_summed_not_averaged():
    def summed(model, loss_fn, X, y, world_size):
        return [sum(g) for g in zip(*_per_worker(model, loss_fn, X, y, world_size), strict=True)]

    assert_hint(rejected("ch07.data_parallel_gradient", summed), "divide the sum")


def test_gradient_not_zeroed_between_shards():
    def accumulated(model, loss_fn, X, y, world_size):
        grads = _per_worker(model, loss_fn, X, y, world_size, zero=False)
        return [sum(g) / world_size for g in zip(*grads, strict=True)]

    assert_hint(rejected("ch07.data_parallel_gradient", accumulated), "zero_grad")


def test_gradient_not_zeroed_nor_cloned():
    def aliased(model, loss_fn, X, y, world_size):
        model.zero_grad()
        grads = _per_worker(model, loss_fn, X, y, world_size, clone=False, zero=False)
        return [sum(g) / world_size for g in zip(*grads, strict=True)]

    assert_hint(rejected("ch07.data_parallel_gradient", aliased), "too large")


def test_gradient_first_worker_only():
    def first(model, loss_fn, X, y, world_size):
        return _per_worker(model, loss_fn, X, y, world_size)[0]

    assert_hint(rejected("ch07.data_parallel_gradient", first), "equal consecutive shards")


def test_gradient_forgot_return():
    assert_hint(rejected("ch07.data_parallel_gradient", forgot_return), "return")


def test_shards_as_blocks():
    def blocks(n, rank, world_size):
        per = -(-n // world_size)
        return list(range(rank * per, min(n, (rank + 1) * per)))

    assert_hint(rejected("ch07.shard_indices", blocks), "like cards")


def test_shards_without_padding():
    assert_hint(rejected("ch07.shard_indices", lambda n, r, k: list(range(r, n, k))), "pad")


def test_shards_dropping_the_tail():
    def dropped(n, rank, world_size):
        return list(range(rank, n - n % world_size, world_size))

    assert_hint(rejected("ch07.shard_indices", dropped), "ceil(n / world_size)")
