"""The course's torch training loop against a bare hand-written loop, on the same work.

The work: scikit-learn's 8x8 digits (1797 images, flattened to 64 features, float32), a
64-32-10 ReLU MLP, cross-entropy, SGD with momentum, batches of 32, 10 epochs, one thread.

- ``bare loop``: the five lines of a training step in a loop over shuffled batches (a
  seeded ``randperm``), summing the loss with ``loss.item()`` as any loop that reports its
  loss does. No validation, no metric.
- ``fit, metric=None``: :func:`nnlib.torch.train.fit` doing the same work.
- ``fit (default)``: ``fit`` with its default ``metric="auto"``, which also counts correct
  predictions on every training batch (an argmax and a comparison per step).

Each run builds the same model from the same seed; runs are interleaved and the medians
compared. Prints ratios; asserts nothing.

    .venv/bin/python bench/bench_torch_fit.py [--repeats N] [--epochs N]
"""

from __future__ import annotations

import argparse
import time

import numpy as np


def make_model():
    import torch
    from torch import nn

    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))


def bare_loop(X, y, epochs, batch_size):
    import torch
    from torch import nn

    model = make_model()
    loss_fn = nn.CrossEntropyLoss()
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    gen = torch.Generator().manual_seed(0)
    losses = []
    model.train()
    for _ in range(epochs):
        order = torch.randperm(len(X), generator=gen)
        total = 0.0
        for i in range(0, len(X), batch_size):
            idx = order[i : i + batch_size]
            xb, yb = X[idx], y[idx]
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            total += loss.item() * len(yb)
        losses.append(total / len(X))
    return losses


def course_fit(X, y, epochs, batch_size, metric):
    import torch
    from torch import nn

    from nnlib.torch.train import fit

    model = make_model()
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    history = fit(
        model, nn.CrossEntropyLoss(), opt, X, y, epochs=epochs, batch_size=batch_size,
        metric=metric, rng=0,
    )  # fmt: skip
    return history.history["loss"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15, help="interleaved runs of each (15)")
    parser.add_argument("--epochs", type=int, default=10, help="epochs per run (10)")
    args = parser.parse_args()

    import torch
    from sklearn.datasets import load_digits

    torch.set_num_threads(1)
    digits = load_digits()
    X = torch.tensor(digits.data / 16.0, dtype=torch.float32)
    y = torch.tensor(digits.target)
    batch = 32
    runs = {
        "bare loop": lambda: bare_loop(X, y, args.epochs, batch),
        "fit, metric=None": lambda: course_fit(X, y, args.epochs, batch, None),
        "fit (default)": lambda: course_fit(X, y, args.epochs, batch, "auto"),
    }
    same = np.allclose(runs["bare loop"](), runs["fit, metric=None"](), rtol=1e-5)
    times = {name: [] for name in runs}
    for _ in range(args.repeats):
        for name, fn in runs.items():
            t0 = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t0)
    med = {name: float(np.median(ts)) for name, ts in times.items()}
    best = {name: min(ts) for name, ts in times.items()}

    steps = args.epochs * -(-len(X) // batch)
    print(
        f"digits 64-32-10 MLP, SGD, batch {batch}, {args.epochs} epochs ({steps} steps), 1 thread"
    )
    print(f"same losses epoch by epoch (bare loop vs fit, metric=None): {same}")
    for name, m in med.items():
        print(f"  {name:<17} median {m * 1e3:8.1f} ms over {args.repeats} interleaved runs")
    for name in ("fit, metric=None", "fit (default)"):
        over, over_best = med[name] / med["bare loop"] - 1, best[name] / best["bare loop"] - 1
        print(f"{name} overhead = {over:+.1%} (fastest runs: {over_best:+.1%})   (goal <= +5%)")


if __name__ == "__main__":
    main()
