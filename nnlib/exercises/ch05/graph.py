"""Chapter 5, graph neural networks: the normalised adjacency and one GCN step from edges."""

from __future__ import annotations

import numpy as np

from nnlib.exercises import as_floats, exercise, expect_close, solution

__all__: list[str] = []


def _graphs():
    rng = np.random.default_rng(520)
    path = np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]], dtype=float)
    upper = np.triu(rng.random((6, 6)) < 0.5, 1)
    random = (upper | upper.T).astype(float)
    star = np.zeros((5, 5))
    star[0, 1:] = star[1:, 0] = 1
    return [path, random, star]


def _normalize(A, self_loops=True):
    A = A + (np.eye(len(A)) if self_loops else 0)
    d = A.sum(axis=1)
    with np.errstate(divide="ignore"):
        s = np.where(d > 0, 1 / np.sqrt(d), 0.0)
    return s[:, None] * A * s[None, :]


@exercise(
    "ch05.normalized_adjacency", success="Your Â matches nnlib.torch.graph.normalized_adjacency."
)
def _(normalized_adjacency):
    for A in _graphs():
        what = f"normalized_adjacency(A of {len(A)} nodes)"
        got = as_floats(normalized_adjacency(A.copy()), what)
        A_loop = A + np.eye(len(A))
        d = A_loop.sum(axis=1)
        expect_close(
            got,
            _normalize(A),
            what,
            "Add the identity, take the row sums d, then divide entry (i, j) by sqrt(d_i d_j).",
            atol=1e-9,
            mistakes=[
                (_normalize(A, self_loops=False), "Add the self-loops first: A + I."),
                (
                    A_loop / d[:, None],
                    "That is D^-1 (A + I), the row average: use D^-1/2 on both sides.",
                ),
                (A_loop / np.sqrt(d)[:, None], "Divide by sqrt(d_j) too, on the right."),
                (A_loop / np.outer(d, d), "Divide by sqrt(d_i d_j), not d_i d_j."),
                (A_loop, "You forgot to normalise: divide by sqrt(d_i d_j)."),
            ],
        )


@solution("ch05.normalized_adjacency")
def normalized_adjacency_np(A):
    A_loop = A + np.eye(len(A))
    d = A_loop.sum(axis=1)
    d_inv_sqrt = 1 / np.sqrt(d)
    return d_inv_sqrt[:, None] * A_loop * d_inv_sqrt[None, :]


def _edges(A):
    return [(i, j) for i in range(len(A)) for j in range(i + 1, len(A)) if A[i, j]]


@exercise("ch05.gcn_step", success="Your messages add up to relu(Â H W), as GCNLayer computes.")
def _(gcn_step):
    rng = np.random.default_rng(521)
    for A in _graphs():
        n = len(A)
        H, W = rng.normal(size=(n, 3)), rng.normal(size=(3, 2))
        edges = _edges(A)
        what = f"gcn_step({len(edges)} edges, H {H.shape}, W {W.shape})"
        got = as_floats(gcn_step(list(edges), H.copy(), W.copy()), what)
        directed = np.triu(A)
        expect_close(
            got,
            np.maximum(_normalize(A) @ H @ W, 0),
            what,
            "Each node i receives (H[j] @ W) / sqrt(d_i d_j) from every neighbour j and from "
            "itself, with degrees counting the self-loop; then apply ReLU.",
            atol=1e-9,
            mistakes=[
                (_normalize(A) @ H @ W, "Apply the ReLU at the end: np.maximum(out, 0)."),
                (
                    np.maximum(_normalize(A, self_loops=False) @ H @ W, 0),
                    "Every node also sends a message to itself (the self-loop), and its "
                    "degree counts that loop.",
                ),
                (
                    np.maximum((A + np.eye(n)) @ H @ W, 0),
                    "Scale each message by 1 / sqrt(d_i d_j).",
                ),
                (
                    np.maximum(_normalize(directed) @ H @ W, 0),
                    "An edge (i, j) carries messages both ways: j to i and i to j.",
                ),
            ],
        )


@solution("ch05.gcn_step")
def gcn_step(edges, H, W):
    n = len(H)
    pairs = [(i, i) for i in range(n)] + edges + [(j, i) for i, j in edges]
    degree = np.zeros(n)
    for i, _ in pairs:
        degree[i] += 1
    HW = H @ W
    out = np.zeros((n, W.shape[1]))
    for i, j in pairs:  # node i receives a message from node j
        out[i] += HW[j] / np.sqrt(degree[i] * degree[j])
    return np.maximum(out, 0)
