"""Data-parallel training, checked: DDP on several processes equals one process on the
concatenated batches.

Taught in: Chapter 7, Frontiers (distributed data-parallel training).

Every worker here has the signature ``worker(rank, world_size, ...)`` that
:func:`nnlib.torch.distributed.launch` expects, and runs inside a process group that is
already set up. The task is the course's digits (64 pixels, 10 classes) with a small
multilayer perceptron in float64, trained with plain SGD for a few steps:

- :func:`all_reduce_demo`: each rank holds a number; after ``all_reduce`` every rank holds
  the sum.
- :func:`train_ddp`: the model wrapped in ``DistributedDataParallel``; at each step every
  rank takes its own slice of the global batch, and DDP averages the gradients across ranks
  during ``backward``.
- :func:`train_allreduce`: the same, with the averaging written out: one ``all_reduce`` per
  parameter gradient, then division by the number of ranks.
- :func:`train_single`: one process, the whole global batch at each step: the reference.

Run it as a script under ``torchrun`` (one process per rank; ``torchrun`` sets ``RANK``,
``WORLD_SIZE``, ``MASTER_ADDR`` and ``MASTER_PORT``)::

    torchrun --nproc-per-node=2 -m nnlib.torch.ddp_demo

Rank 0 then trains the single-process reference too and says whether the parameters agree.
"""

from __future__ import annotations

import argparse
import os

import numpy as np
import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel

__all__ = [
    "all_reduce_demo",
    "digits_data",
    "digits_model",
    "global_batches",
    "max_difference",
    "main",
    "train_allreduce",
    "train_ddp",
    "train_single",
]


def digits_model(seed: int = 0) -> nn.Sequential:
    """The model every rank starts from: 64-32-10 with a ReLU, float64, seeded."""
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10)).double()


def digits_data(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The 1,797 digits, shuffled (seeded): pixels ``(1797, 64)`` in ``[0, 1]``, labels."""
    from nnlib.data import load_digits

    X, y = load_digits()
    order = np.random.default_rng(seed).permutation(len(y))
    return X[order].astype(np.float64), y[order].astype(np.int64)


def global_batches(X, y, steps: int, batch_size: int):
    """``steps`` global batches ``(X, y)``, taken in order (wrapping around), as tensors.

    Every process gets the same data and computes the same list, so the ranks need not send
    data to each other: each takes its own slice of each global batch.
    """
    X = torch.as_tensor(X, dtype=torch.float64)
    y = torch.as_tensor(y, dtype=torch.int64)
    batches = []
    for step in range(steps):
        idx = torch.arange(step * batch_size, (step + 1) * batch_size) % len(y)
        batches.append((X[idx], y[idx]))
    return batches


def _shard(batch, rank: int, world_size: int):
    """Rank ``rank``'s contiguous slice of a global batch (equal sizes on every rank)."""
    X, y = batch
    if len(y) % world_size:
        raise ValueError(f"a global batch of {len(y)} does not split into {world_size} ranks")
    n = len(y) // world_size
    return X[rank * n : (rank + 1) * n], y[rank * n : (rank + 1) * n]


def all_reduce_demo(rank: int, world_size: int) -> dict:
    """Each rank holds ``rank + 1``; ``all_reduce`` leaves the sum on every rank."""
    value = torch.tensor([float(rank + 1)])
    before = value.item()
    dist.all_reduce(value, op=dist.ReduceOp.SUM)
    return {"rank": rank, "before": before, "after": value.item()}


def _result(model, losses) -> dict:
    return {
        "params": [p.detach().clone() for p in model.parameters()],
        "losses": torch.tensor(losses, dtype=torch.float64),
    }


def train_ddp(rank, world_size, X, y, steps: int = 20, batch_size: int = 64, lr: float = 0.5):
    """SGD with the model wrapped in ``DistributedDataParallel``; each rank sees its shard.

    Returns the rank's final parameters and its local losses (on its own shard).
    """
    model = digits_model()
    ddp = DistributedDataParallel(model)  # broadcasts rank 0's weights, then averages grads
    opt = torch.optim.SGD(ddp.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    losses = []
    for batch in global_batches(X, y, steps, batch_size):
        X_rank, y_rank = _shard(batch, rank, world_size)
        loss = loss_fn(ddp(X_rank), y_rank)
        opt.zero_grad()
        loss.backward()  # DDP all-reduces the gradients here, bucket by bucket
        opt.step()
        losses.append(loss.item())
    return _result(model, losses)


def train_allreduce(rank, world_size, X, y, steps=20, batch_size=64, lr=0.5):
    """The same training as :func:`train_ddp`, with the gradient averaging written out."""
    model = digits_model()  # same seed on every rank: the same starting weights
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    losses = []
    for batch in global_batches(X, y, steps, batch_size):
        X_rank, y_rank = _shard(batch, rank, world_size)
        loss = loss_fn(model(X_rank), y_rank)
        opt.zero_grad()
        loss.backward()
        for p in model.parameters():
            dist.all_reduce(p.grad, op=dist.ReduceOp.SUM)  # sum over the ranks...
            p.grad /= world_size  # ...divided by their number: the mean gradient
        opt.step()
        losses.append(loss.item())
    return _result(model, losses)


def train_single(X, y, steps: int = 20, batch_size: int = 64, lr: float = 0.5) -> dict:
    """The reference: one process, the whole global batch at every step."""
    model = digits_model()
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    losses = []
    for X_batch, y_batch in global_batches(X, y, steps, batch_size):
        loss = loss_fn(model(X_batch), y_batch)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return _result(model, losses)


def max_difference(a: dict, b: dict) -> float:
    """The largest absolute difference between the parameters of two results."""
    return max((p - q).abs().max().item() for p, q in zip(a["params"], b["params"], strict=True))


def main(argv=None) -> None:
    """Entry point for ``torchrun --nproc-per-node=N -m nnlib.torch.ddp_demo``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=0.5)
    opts = parser.parse_args(argv)
    torch.set_num_threads(1)
    dist.init_process_group("gloo")  # reads RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT
    try:
        rank, world_size = dist.get_rank(), dist.get_world_size()
        X, y = digits_data()
        result = train_ddp(rank, world_size, X, y, opts.steps, opts.batch_size, opts.lr)
        if rank == 0:
            reference = train_single(X, y, opts.steps, opts.batch_size, opts.lr)
            same = max_difference(result, reference) < 1e-12
            print(
                f"rank 0 of {world_size} (node rank {os.environ.get('GROUP_RANK', '0')}): "
                f"{opts.steps} DDP steps; parameters equal to one process on the "
                f"concatenated batches to 1e-12: {'yes' if same else 'NO'}"
            )
    finally:
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
