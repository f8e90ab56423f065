"""Throughput of the scalar autograd engine (``nnlib.autograd.Value``).

The work: the squared-error loss of a small ``Value`` MLP (4-16-16-1, tanh) summed over a
batch of samples, sized so that the graph has about 10,000 nodes; then ``loss.backward()``.
Building the graph is the forward pass. Each run rebuilds the graph from scratch; the
median over the runs is reported as nodes per second (forward plus backward), with the
backward pass alone in parentheses.

Prints one summary line; asserts nothing (timings belong in a benchmark, not in a test).

    .venv/bin/python bench/bench_autograd.py [--runs N] [--nodes N]
"""

from __future__ import annotations

import argparse
import statistics
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="timed runs (default 7)")
    parser.add_argument("--nodes", type=int, default=10_000, help="graph size (about)")
    args = parser.parse_args()

    import numpy as np

    from nnlib.autograd import MLP, Value, topological_order

    net = MLP(4, [16, 16, 1], activation="tanh", rng=0)
    rng = np.random.default_rng(0)

    def loss_of(xs, ys):
        return sum(((net(x) - y) ** 2 for x, y in zip(xs, ys, strict=True)), Value(0.0))

    probe = loss_of([[0.0] * 4], [0.0])
    per_sample = len(topological_order(probe)) - len(net.parameters())
    n_samples = max(1, round((args.nodes - len(net.parameters())) / per_sample))
    xs = rng.normal(size=(n_samples, 4)).tolist()
    ys = rng.normal(size=n_samples).tolist()
    n_nodes = len(topological_order(loss_of(xs, ys)))

    fwd, bwd = [], []
    for _ in range(args.runs + 1):  # the first run warms up
        net.zero_grad()
        t0 = time.perf_counter()
        loss = loss_of(xs, ys)
        t1 = time.perf_counter()
        loss.backward()
        t2 = time.perf_counter()
        fwd.append(t1 - t0)
        bwd.append(t2 - t1)
    total = statistics.median(f + b for f, b in zip(fwd[1:], bwd[1:], strict=True))
    back = statistics.median(bwd[1:])
    print(
        f"autograd: Value MLP 4-16-16-1, {n_samples} samples, {n_nodes:,} nodes: "
        f"forward+backward {total * 1e3:.1f} ms = {n_nodes / total:,.0f} nodes/s "
        f"(backward alone {n_nodes / back:,.0f} nodes/s; median of {args.runs} runs)"
    )


if __name__ == "__main__":
    main()
