"""Chapter 7, federated learning: the server's weighted average of client models, and an
IID split of the data over clients."""

from __future__ import annotations

import numpy as np

from nnlib.exercises import Fail, exercise, expect_close, solution, tensor_floats

__all__: list[str] = []


def _client_states():
    import torch

    gen = torch.Generator().manual_seed(7)
    shapes = {"0.weight": (3, 2), "0.bias": (3,), "2.weight": (1, 3)}
    states = [
        {k: torch.randn(s, generator=gen, dtype=torch.float64) for k, s in shapes.items()}
        for _ in range(3)
    ]
    return states, [10, 30, 60]


@exercise("ch07.weighted_average", success="That is the FedAvg server step.")
def _(weighted_average):
    states, sizes = _client_states()
    copies = [{k: v.clone() for k, v in s.items()} for s in states]
    what = "weighted_average(states, sizes=[10, 30, 60])"
    got = weighted_average(copies, list(sizes))
    if got is None:
        raise Fail(f"{what} returned None.", "Did you forget a `return` statement?")
    if not isinstance(got, dict):
        raise Fail(
            f"{what} returned a {type(got).__name__}.",
            "Return a dict with the same keys as each client's state dict.",
        )
    for before, after in zip(states, copies, strict=True):
        if any(not np.array_equal(before[k].numpy(), after[k].numpy()) for k in before):
            raise Fail(
                f"{what} changed the clients' states.",
                "Build new tensors (for example start from torch.zeros_like) instead of "
                "adding into a client's tensor in place with +=.",
            )
    if set(got) != set(states[0]):
        raise Fail(
            f"{what} has keys {sorted(got)}; expected {sorted(states[0])}.",
            "Average every entry of the state dict: loop over states[0].keys().",
        )
    n = np.array(sizes, dtype=float)
    for key in states[0]:
        values = np.stack([s[key].numpy() for s in states])
        right = np.tensordot(n / n.sum(), values, axes=1)
        expect_close(
            tensor_floats(got[key], f"{what}[{key!r}]"),
            right,
            f"{what}[{key!r}]",
            "Each client's tensor is multiplied by n_k / n (its share of all the examples), "
            "and the products are added up.",
            atol=1e-10,
            mistakes=[
                (
                    values.mean(axis=0),
                    "Weight each client by its number of examples: the "
                    "plain mean lets a client with 10 examples count as much as one with 60.",
                ),
                (
                    np.tensordot(n, values, axes=1),
                    "Divide by the total number of examples, so that the weights n_k / n sum to 1.",
                ),
                (
                    np.tensordot((1 / n) / (1 / n).sum(), values, axes=1),
                    "Bigger clients get *bigger* weights: n_k / n, not 1 / n_k.",
                ),
            ],
        )
    same = weighted_average([states[0], states[0]], [1, 5])
    for key in states[0]:
        expect_close(
            tensor_floats(same[key], "weighted_average of two identical states"),
            states[0][key].numpy(),
            f"weighted_average([s, s], [1, 5])[{key!r}]",
            "Averaging identical models must give the same model back: the weights must sum to 1.",
            atol=1e-10,
        )


@solution("ch07.weighted_average")
def weighted_average(states, sizes):
    total = sum(sizes)
    average = {}
    for key in states[0]:
        average[key] = sum(n / total * state[key] for state, n in zip(states, sizes, strict=True))
    return average


def _as_parts(got, what):
    if got is None:
        raise Fail(f"{what} returned None.", "Did you forget a `return` statement?")
    try:
        parts = [np.asarray(p) for p in got]
    except TypeError:
        raise Fail(
            f"{what} returned {type(got).__name__}.",
            "Return a list with one array of indices per client.",
        ) from None
    for p in parts:
        if p.ndim != 1 or (p.size and not np.issubdtype(p.dtype, np.integer)):
            raise Fail(
                f"{what} returned a part of dtype {p.dtype} and shape {p.shape}.",
                "Each part is a 1-d array of integer indices.",
            )
    return parts


@exercise("ch07.split_iid", success="Every index once, equal sizes, shuffled, reproducible.")
def _(split_iid):
    n, k = 103, 4
    what = f"split_iid({n}, n_clients={k}, rng=0)"
    parts = _as_parts(split_iid(n, k, 0), what)
    if len(parts) != k:
        raise Fail(f"{what} returned {len(parts)} parts.", "Return one part per client.")
    everything = np.concatenate(parts)
    counts = np.bincount(everything, minlength=n) if everything.size else np.zeros(n)
    if len(counts) > n or everything.min(initial=0) < 0:
        raise Fail(f"{what} holds indices outside 0..{n - 1}.", "Split range(n), i.e. 0..n-1.")
    if np.any(counts > 1):
        raise Fail(
            f"{what} gives index {int(np.argmax(counts > 1))} to more than one client.",
            "Shuffle the indices once, then cut that one permutation into pieces; drawing "
            "each client's sample separately repeats indices.",
        )
    if np.any(counts == 0):
        raise Fail(
            f"{what} leaves {int(np.sum(counts == 0))} indices to no client.",
            "Every example must go to some client: np.array_split keeps the remainder, "
            "while n // n_clients pieces drop it.",
        )
    sizes = sorted(len(p) for p in parts)
    if sizes[-1] - sizes[0] > 1:
        raise Fail(
            f"{what} gives parts of sizes {sizes}.",
            "Make the sizes differ by at most one: np.array_split does that.",
        )
    if all(
        np.array_equal(np.sort(p), np.sort(q))
        for p, q in zip(parts, np.array_split(np.arange(n), k), strict=True)
    ):
        raise Fail(
            f"{what} gives client 0 the indices 0..{sizes[0] - 1}, client 1 the next ones, "
            "and so on.",
            "Shuffle first (rng.permutation(n)): if the data are stored sorted by label, "
            "contiguous slices give each client only one or two classes.",
        )
    again = _as_parts(split_iid(n, k, 0), what)
    other = _as_parts(split_iid(n, k, 1), f"split_iid({n}, n_clients={k}, rng=1)")
    if not all(np.array_equal(np.sort(p), np.sort(q)) for p, q in zip(parts, again, strict=True)):
        raise Fail(
            f"Two calls of {what} gave different splits.",
            "Make the split reproducible: draw from np.random.default_rng(rng), not from an "
            "unseeded generator.",
        )
    if all(np.array_equal(np.sort(p), np.sort(q)) for p, q in zip(parts, other, strict=True)):
        raise Fail(
            "rng=0 and rng=1 gave the same split.",
            "Use the rng argument: np.random.default_rng(rng).permutation(n).",
        )


@solution("ch07.split_iid")
def split_iid(n, n_clients, rng):
    order = np.random.default_rng(rng).permutation(n)
    return np.array_split(order, n_clients)
