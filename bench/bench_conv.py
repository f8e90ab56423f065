"""Convolution forward + backward: nnlib.conv (numpy, im2col) against PyTorch (CPU).

The work: a digits-sized batch, 256 grey 8x8 images, through one convolution layer with
8 kernels of 3x3 (padding 1, so 8x8 feature maps), float32: the forward pass, then the
backward pass for the kernels, the bias and the input. nnlib runs ``Conv2d.forward`` and
``Conv2d.backward`` (im2col and one matrix product forward; two products and col2im
backward); torch runs ``F.conv2d`` and ``autograd.grad``. Both use one thread. The timings
are interleaved (one step of each in turn) and the medians compared.

Prints a ratio; asserts nothing (timings belong in a benchmark, not in a unit test).

    .venv/bin/python bench/bench_conv.py [--steps N] [--batch N]
"""

from __future__ import annotations

import argparse
import time

import numpy as np


def nnlib_step_fn(x, g):
    from nnlib.conv import Conv2d

    layer = Conv2d(1, 8, 3, padding=1, rng=0)

    def step():
        layer(x)
        dx = layer.backward(g)
        layer.zero_grad()
        return dx

    return step


def torch_step_fn(x, g):
    import torch
    import torch.nn.functional as F

    torch.manual_seed(0)
    w = torch.randn(8, 1, 3, 3, requires_grad=True)
    b = torch.zeros(8, requires_grad=True)
    xt = torch.from_numpy(x).requires_grad_(True)
    gt = torch.from_numpy(g)

    def step():
        out = F.conv2d(xt, w, b, padding=1)
        return torch.autograd.grad(out, (xt, w, b), gt)

    return step


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=300, help="timed steps of each (300)")
    parser.add_argument("--batch", type=int, default=256, help="images per batch (256)")
    args = parser.parse_args()

    import torch

    try:
        from threadpoolctl import threadpool_limits

        limiter = threadpool_limits(limits=1, user_api="blas")
    except ImportError:  # then set OPENBLAS_NUM_THREADS=1 before starting
        limiter = None
    torch.set_num_threads(1)

    rng = np.random.default_rng(0)
    x = rng.standard_normal((args.batch, 1, 8, 8), dtype=np.float32)
    g = rng.standard_normal((args.batch, 8, 8, 8), dtype=np.float32)
    steps = {"nnlib": nnlib_step_fn(x, g), "torch": torch_step_fn(x, g)}
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
    best = {name: min(ts) for name, ts in times.items()}

    print(
        f"conv2d forward + backward: {args.batch}x1x8x8 images, 8 kernels 3x3, padding 1, float32"
    )
    print("threads: 1 (numpy BLAS and torch)")
    for name, m in med.items():
        print(f"  {name:<6} median {m * 1e3:7.3f} ms over {args.steps} interleaved steps")
    print(f"nnlib / torch = {med['nnlib'] / med['torch']:.2f}x   (goal <= 3.0)")
    print(
        f"(fastest steps, less sensitive to a busy machine: {best['nnlib'] / best['torch']:.2f}x)"
    )
    if limiter is not None:
        limiter.restore_original_limits()


if __name__ == "__main__":
    main()
