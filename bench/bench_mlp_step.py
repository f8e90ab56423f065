"""One MLP training step: nnlib against PyTorch (CPU) and against the bare matrix products.

The step: a 784-256-128-10 ReLU network, float32, a batch of 256, cross-entropy on logits,
plain SGD, i.e. ``forward, loss, backward, step, zero_grad``. PyTorch runs the same model
with the same number of threads (``torch.set_num_threads`` set to the number of BLAS
threads numpy uses, limited with threadpoolctl). The three timings are interleaved (one
step of each in turn) and the medians compared.

The floor, "bare matmuls", is the eight matrix products a step cannot avoid: 3 in the
forward pass, and 5 in the backward pass (a weight gradient for each layer, an input
gradient for the two upper layers; the first layer's input is data and needs none).

Prints ratios; asserts nothing (timings belong in a benchmark, not in a unit test).

    .venv/bin/python bench/bench_mlp_step.py [--threads N] [--steps N]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

SIZES = (784, 256, 128, 10)
BATCH = 256


def nnlib_step_fn(X, y):
    from nnlib.layers import Dense, ReLU, Sequential
    from nnlib.losses import CrossEntropyLoss
    from nnlib.optim import SGD

    model = Sequential(Dense(784, 256, rng=0), ReLU(), Dense(256, 128, rng=1), ReLU(),
                       Dense(128, 10, rng=2))  # fmt: skip
    loss_fn = CrossEntropyLoss()
    opt = SGD(model.parameters(), lr=0.01)

    def step():
        logits = model(X)
        loss = loss_fn(logits, y)
        model.backward(loss_fn.backward(), input_grad=False)
        opt.step()
        opt.zero_grad()
        return loss

    return step


def torch_step_fn(X, y):
    import torch

    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 128), torch.nn.ReLU(),
        torch.nn.Linear(128, 10),
    )  # fmt: skip
    loss_fn = torch.nn.CrossEntropyLoss()
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)

    def step():
        loss = loss_fn(model(Xt), yt)
        loss.backward()
        opt.step()
        opt.zero_grad()
        return loss.item()

    return step


def matmul_step_fn(X, y):
    rng = np.random.default_rng(0)
    shapes = zip(SIZES, SIZES[1:], strict=False)
    W = [rng.standard_normal(shape, dtype=np.float32) for shape in shapes]
    h1 = rng.standard_normal((BATCH, 256), dtype=np.float32)
    h2 = rng.standard_normal((BATCH, 128), dtype=np.float32)
    g3 = rng.standard_normal((BATCH, 10), dtype=np.float32)
    g2 = rng.standard_normal((BATCH, 128), dtype=np.float32)
    g1 = rng.standard_normal((BATCH, 256), dtype=np.float32)

    def step():
        X @ W[0], h1 @ W[1], h2 @ W[2]  # forward
        h2.T @ g3, g3 @ W[2].T, h1.T @ g2, g2 @ W[1].T, X.T @ g1  # backward

    return step


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1, help="BLAS/torch threads (default 1)")
    parser.add_argument("--steps", type=int, default=300, help="timed steps of each (300)")
    args = parser.parse_args()

    import torch

    try:
        from threadpoolctl import threadpool_limits

        limiter = threadpool_limits(limits=args.threads, user_api="blas")
        how = "threadpoolctl"
    except ImportError:  # then set OPENBLAS_NUM_THREADS/OMP_NUM_THREADS before starting
        limiter, how = None, "environment (threadpoolctl not installed)"
    torch.set_num_threads(args.threads)

    rng = np.random.default_rng(0)
    X = rng.standard_normal((BATCH, 784), dtype=np.float32)
    y = rng.integers(0, 10, BATCH)
    steps = {
        "nnlib": nnlib_step_fn(X, y),
        "torch": torch_step_fn(X, y),
        "bare matmuls": matmul_step_fn(X, y),
    }
    times = {name: [] for name in steps}
    for _ in range(20):  # warm-up
        for fn in steps.values():
            fn()
    for _ in range(args.steps):
        for name, fn in steps.items():
            t0 = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t0)
    med = {name: float(np.median(ts)) for name, ts in times.items()}

    print(f"MLP step 784-256-128-10, float32, batch {BATCH}, SGD, cross-entropy")
    print(f"threads: {args.threads} (numpy BLAS via {how}; torch.set_num_threads)")
    for name, m in med.items():
        print(f"  {name:<13} median {m * 1e3:7.3f} ms over {args.steps} interleaved steps")
    print(f"nnlib / torch        = {med['nnlib'] / med['torch']:.2f}x   (goal <= 1.0)")
    print(f"nnlib / bare matmuls = {med['nnlib'] / med['bare matmuls']:.2f}x   (goal <= 1.6)")
    best = {name: min(ts) for name, ts in times.items()}
    print(
        f"(fastest steps, less sensitive to a busy machine: nnlib / torch = "
        f"{best['nnlib'] / best['torch']:.2f}x, nnlib / bare = "
        f"{best['nnlib'] / best['bare matmuls']:.2f}x)"
    )
    if limiter is not None:
        limiter.restore_original_limits()


if __name__ == "__main__":
    main()
