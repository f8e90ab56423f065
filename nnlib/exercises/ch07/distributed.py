"""Chapter 7, distributed data-parallel training: the averaged gradient of simulated workers
equals the big-batch gradient, and the shards of ``DistributedSampler``."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn
from torch.utils.data import DistributedSampler

from nnlib.exercises import Fail, exercise, solution, tensor_floats

__all__: list[str] = []


def _model(seed):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(5, 4), nn.Tanh(), nn.Linear(4, 3)).double()


def _full_batch_grads(model, loss_fn, X, y):
    model.zero_grad()
    loss_fn(model(X), y).backward()
    grads = [p.grad.detach().clone() for p in model.parameters()]
    model.zero_grad()
    return grads


def _accumulated_grads(model, loss_fn, X, y, world_size):
    """The average when the gradients are never zeroed between shards (a typical slip)."""
    model.zero_grad()
    totals = []
    for X_shard, y_shard in zip(X.chunk(world_size), y.chunk(world_size), strict=True):
        loss_fn(model(X_shard), y_shard).backward()
        totals.append([p.grad.detach().clone() for p in model.parameters()])
    model.zero_grad()
    return [sum(g) / world_size for g in zip(*totals, strict=True)]


@exercise(
    "ch07.data_parallel_gradient",
    success="Averaging the workers' gradients gives exactly the big-batch gradient.",
)
def _(data_parallel_gradient):
    loss_fn = nn.CrossEntropyLoss()
    for seed, n, world_size in ((0, 12, 2), (1, 12, 3), (2, 16, 4)):
        g = torch.Generator().manual_seed(seed)
        X = torch.randn(n, 5, generator=g, dtype=torch.float64)
        y = torch.randint(0, 3, (n,), generator=g)
        model = _model(seed)
        right = _full_batch_grads(model, loss_fn, X, y)
        accumulated = _accumulated_grads(model, loss_fn, X, y, world_size)
        what = f"data_parallel_gradient(model, loss_fn, X, y, world_size={world_size})"
        got = data_parallel_gradient(model, loss_fn, X.clone(), y.clone(), world_size)
        if got is None:
            raise Fail(f"{what} returned None.", "Did you forget a `return` statement?")
        got = list(got)
        if len(got) != len(right):
            raise Fail(
                f"{what} returned {len(got)} tensors; the model has {len(right)} parameters.",
                "Return one averaged gradient per parameter, in model.parameters() order.",
            )
        got = [tensor_floats(t, what) for t in got]
        for i, (a, b) in enumerate(zip(got, right, strict=True)):
            b = b.numpy()
            if a.shape != b.shape:
                raise Fail(
                    f"gradient {i} has shape {a.shape}; the parameter has shape {b.shape}.",
                    "Average over the workers, not over the entries of a gradient.",
                )
            if np.allclose(a, b, atol=1e-10):
                continue
            if np.allclose(a, world_size * b, atol=1e-10):
                hint = (
                    "Your gradient is world_size times too large: divide the sum by the "
                    "number of workers (all-reduce sums; the big-batch loss is a mean), and "
                    "zero p.grad before each shard."
                )
            elif np.allclose(a, accumulated[i].numpy(), atol=1e-10):
                hint = (
                    "backward() adds to p.grad: call model.zero_grad() before each shard, "
                    "or each worker's gradient includes the previous workers'."
                )
            else:
                hint = (
                    "Split X and y into world_size equal consecutive shards; for each, zero "
                    "the gradients, compute loss_fn(model(X_shard), y_shard).backward(), and "
                    "keep a clone of every p.grad; then average over the shards."
                )
            raise Fail(f"{what}: gradient {i} differs from the big-batch gradient.", hint)


@solution("ch07.data_parallel_gradient")
def data_parallel_gradient(model, loss_fn, X, y, world_size):
    per_worker = []
    for X_shard, y_shard in zip(X.chunk(world_size), y.chunk(world_size), strict=True):
        model.zero_grad()
        loss_fn(model(X_shard), y_shard).backward()
        per_worker.append([p.grad.clone() for p in model.parameters()])
    return [sum(grads) / world_size for grads in zip(*per_worker, strict=True)]


def _sampler_indices(n, rank, world_size):
    return list(DistributedSampler(range(n), num_replicas=world_size, rank=rank, shuffle=False))


@exercise("ch07.shard_indices", success="Your shards match torch's DistributedSampler.")
def _(shard_indices):
    for n, world_size in ((10, 2), (10, 3), (7, 4), (12, 4), (3, 2)):
        for rank in range(world_size):
            what = f"shard_indices({n}, rank={rank}, world_size={world_size})"
            got = shard_indices(n, rank, world_size)
            if got is None:
                raise Fail(f"{what} returned None.", "Did you forget a `return` statement?")
            try:
                got = [int(i) for i in got]
            except (TypeError, ValueError):
                raise Fail(f"{what} returned {got!r}.", "Return a list of ints.") from None
            right = _sampler_indices(n, rank, world_size)
            if got == right:
                continue
            per_rank = -(-n // world_size)
            contiguous = list(range(rank * per_rank, min(n, (rank + 1) * per_rank)))
            unpadded = list(range(rank, n, world_size))
            if got == unpadded:
                hint = (
                    f"Every rank must get the same number of indices, ceil(n / world_size) = "
                    f"{per_rank}, or the all-reduce of the last step waits forever: pad the "
                    "list by repeating indices from its start (0, 1, ...)."
                )
            elif got[: len(contiguous)] == contiguous:
                hint = (
                    "DistributedSampler deals the indices out like cards: rank r takes "
                    "r, r + world_size, r + 2 * world_size, ... (a stride, not a block)."
                )
            elif len(got) != len(right):
                hint = f"Each rank gets ceil(n / world_size) = {per_rank} indices."
            else:
                hint = (
                    "Pad the list 0, 1, ..., n - 1 to world_size * ceil(n / world_size) by "
                    "repeating its start, then take every world_size-th entry from rank."
                )
            raise Fail(f"{what} returned {got}; expected {right}.", hint)


@solution("ch07.shard_indices")
def shard_indices(n, rank, world_size):
    per_rank = -(-n // world_size)  # ceil(n / world_size)
    padded = list(range(n))
    padded += padded[: per_rank * world_size - n]
    return padded[rank::world_size]
