"""Message passing on graphs: the graph convolution (GCN) layer of Kipf and Welling, by hand.

Taught in: Chapter 5, Architectures (graph neural networks).

A graph with ``n`` nodes is given by its adjacency matrix ``A`` (``A[i, j] > 0`` when nodes
``i`` and ``j`` are joined) and a feature matrix ``X`` with one row per node. A graph
convolution lets every node average its neighbours' features (and its own), with weights
that keep the scale the same for nodes of any degree, and then applies a learned linear
map (Kipf and Welling, 2017)::

    H' = act( Â H W ),   Â = D^(-1/2) (A + I) D^(-1/2),   D = diag of the row sums of A + I

:func:`normalized_adjacency` builds ``Â``; :class:`GCNLayer` is one step ``Â H W + b``;
:class:`GCN` stacks two of them for node classification on one fixed graph, and with
``use_graph=False`` becomes the same network with ``Â`` replaced by the identity: a plain
MLP on the node features, the baseline that ignores the edges. PyTorch has no GCN layer,
so the tests check these against a numpy implementation, a per-node loop and values worked
out by hand.
"""

from __future__ import annotations

import math

import torch
from torch import nn

__all__ = ["GCN", "GCNLayer", "normalized_adjacency"]


def _check_adjacency(adjacency, where: str) -> torch.Tensor:
    if not isinstance(adjacency, torch.Tensor):
        raise TypeError(
            f"{where}: the adjacency must be a torch.Tensor (torch.as_tensor(A)); "
            f"got {type(adjacency).__name__}"
        )
    if adjacency.ndim != 2 or adjacency.shape[0] != adjacency.shape[1]:
        raise ValueError(
            f"{where}: the adjacency must be a square (n, n) matrix; got shape "
            f"{tuple(adjacency.shape)}"
        )
    if adjacency.shape[0] == 0:
        raise ValueError(f"{where}: the graph has no nodes")
    if not adjacency.is_floating_point():
        adjacency = adjacency.to(torch.get_default_dtype())
    if not torch.isfinite(adjacency).all():
        raise ValueError(f"{where}: the adjacency contains NaN or infinity")
    if (adjacency < 0).any():
        raise ValueError(
            f"{where}: edge weights must be >= 0 (a negative weight can make a degree zero "
            "or negative, and its square root undefined)"
        )
    return adjacency


def normalized_adjacency(adjacency: torch.Tensor, self_loops: bool = True) -> torch.Tensor:
    """The symmetrically normalised adjacency ``D^(-1/2) (A + I) D^(-1/2)``.

    Taught in: Chapter 5, Architectures (graph neural networks).

    Adding the identity gives every node a self-loop, so that a node keeps its own features
    when it averages its neighbours'. Dividing entry ``(i, j)`` by ``sqrt(d_i d_j)``, where
    ``d`` are the row sums (degrees, self-loop included), keeps repeated propagation from
    blowing up features of high-degree nodes. A node without any edge (possible only with
    ``self_loops=False``) gets a zero row.

    Parameters
    ----------
    adjacency : torch.Tensor of shape (n, n)
        Non-negative edge weights; symmetric for an undirected graph.
    self_loops : bool, default True
        Add ``I`` before normalising (the GCN's "renormalisation trick").

    Returns
    -------
    torch.Tensor of shape (n, n)
        In the adjacency's floating dtype.

    Examples
    --------
    >>> a = torch.tensor([[0.0, 1.0], [1.0, 0.0]])
    >>> normalized_adjacency(a)
    tensor([[0.5000, 0.5000],
            [0.5000, 0.5000]])
    """
    a = _check_adjacency(adjacency, "normalized_adjacency")
    if self_loops:
        a = a + torch.eye(len(a), dtype=a.dtype, device=a.device)
    degree = a.sum(dim=1)
    inv_sqrt = torch.where(degree > 0, degree.clamp(min=1e-300).rsqrt(), torch.zeros_like(degree))
    return inv_sqrt[:, None] * a * inv_sqrt[None, :]


class GCNLayer(nn.Module):
    """One graph convolution: ``Â X W + b`` (no activation).

    Taught in: Chapter 5, Architectures (graph neural networks).

    Row ``i`` of the result is a weighted average of the transformed features ``x_j W`` of
    node ``i`` and its neighbours ``j``, with weights ``Â[i, j]``: one round of message
    passing. The bias is added after the averaging, so every node gets the same ``b``.

    Parameters
    ----------
    in_features, out_features : int
        Feature sizes per node, before and after.
    bias : bool, default True

    Attributes
    ----------
    weight : nn.Parameter of shape (in_features, out_features)
        Glorot-uniform initialised, as in Kipf and Welling's code.
    bias : nn.Parameter of shape (out_features,) or None
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True):
        super().__init__()
        for name, value in (("in_features", in_features), ("out_features", out_features)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"GCNLayer: {name} must be a positive integer; got {value!r}")
        self.in_features, self.out_features = in_features, out_features
        self.weight = nn.Parameter(torch.empty(in_features, out_features))
        self.bias = nn.Parameter(torch.zeros(out_features)) if bias else None
        bound = math.sqrt(6.0 / (in_features + out_features))
        nn.init.uniform_(self.weight, -bound, bound)

    def forward(self, x: torch.Tensor, a_hat: torch.Tensor) -> torch.Tensor:
        """Propagate ``x`` (shape ``(n, in_features)``) over ``a_hat`` (shape ``(n, n)``)."""
        if not isinstance(x, torch.Tensor) or x.ndim != 2:
            shape = tuple(x.shape) if isinstance(x, torch.Tensor) else type(x).__name__
            raise ValueError(
                f"GCNLayer: node features must be a 2-D tensor (nodes, features); got {shape}"
            )
        if x.shape[1] != self.in_features:
            raise ValueError(
                f"GCNLayer: expected {self.in_features} features per node; got {x.shape[1]}"
            )
        if (
            not isinstance(a_hat, torch.Tensor)
            or a_hat.ndim != 2
            or a_hat.shape[0] != a_hat.shape[1]
        ):
            shape = tuple(a_hat.shape) if isinstance(a_hat, torch.Tensor) else type(a_hat).__name__
            raise ValueError(f"GCNLayer: the adjacency must be a square (n, n) tensor; got {shape}")
        if a_hat.shape[0] != x.shape[0]:
            raise ValueError(
                f"GCNLayer: the adjacency has {a_hat.shape[0]} nodes but the features have "
                f"{x.shape[0]} rows; give one row of features per node"
            )
        out = a_hat @ (x @ self.weight)
        return out + self.bias if self.bias is not None else out


class GCN(nn.Module):
    """Two graph convolutions for node classification on one fixed graph.

    Taught in: Chapter 5, Architectures (graph neural networks).

    ``logits = Â relu(Â X W1 + b1) W2 + b2``, so each node's class depends on the features
    of the nodes up to two edges away. The graph and the features are stored in the model
    (as buffers): this is the *transductive* setting, where every node is seen during
    training but only a few carry labels. ``model(nodes)`` returns the logits of the given
    nodes, so :func:`nnlib.torch.train.fit` can train it with ``X = labelled node indices``
    and ``y = their labels``.

    Parameters
    ----------
    adjacency : torch.Tensor of shape (n, n)
        The graph (non-negative weights); normalised with :func:`normalized_adjacency`.
    features : torch.Tensor of shape (n, f)
        One row per node; the model computes in their dtype.
    hidden : int
        Features per node after the first layer.
    n_classes : int
    use_graph : bool, default True
        ``False`` replaces ``Â`` by the identity: every node sees only its own features,
        and the model is an ordinary two-layer MLP (the baseline).
    dropout : float, default 0.0
        Dropout on the input features and the hidden layer (during training).
    """

    def __init__(
        self,
        adjacency: torch.Tensor,
        features: torch.Tensor,
        hidden: int,
        n_classes: int,
        use_graph: bool = True,
        dropout: float = 0.0,
    ):
        super().__init__()
        a = _check_adjacency(adjacency, "GCN")
        if not isinstance(features, torch.Tensor) or features.ndim != 2:
            raise ValueError("GCN: features must be a 2-D tensor (nodes, features)")
        if features.shape[0] != a.shape[0]:
            raise ValueError(
                f"GCN: the adjacency has {a.shape[0]} nodes but the features have "
                f"{features.shape[0]} rows; give one row of features per node"
            )
        dtype = features.dtype if features.is_floating_point() else torch.get_default_dtype()
        a_hat = normalized_adjacency(a) if use_graph else torch.eye(len(a))
        self.register_buffer("a_hat", a_hat.to(dtype))
        self.register_buffer("features", features.to(dtype))
        self.use_graph = use_graph
        self.layer1 = GCNLayer(features.shape[1], hidden)
        self.layer2 = GCNLayer(hidden, n_classes)
        self.dropout = nn.Dropout(dropout)
        self.to(dtype)

    def forward(self, nodes: torch.Tensor | None = None) -> torch.Tensor:
        """Logits of ``nodes`` (a 1-D tensor of node indices; all nodes if ``None``)."""
        h = torch.relu(self.layer1(self.dropout(self.features), self.a_hat))
        logits = self.layer2(self.dropout(h), self.a_hat)
        if nodes is None:
            return logits
        nodes = torch.as_tensor(nodes)
        if nodes.ndim != 1:
            raise ValueError(
                f"GCN: nodes must be a 1-D tensor of indices; got {tuple(nodes.shape)}"
            )
        index = nodes.long()
        if (
            not torch.equal(index.to(nodes.dtype), nodes)
            or (index < 0).any()
            or (index >= len(logits)).any()
        ):
            raise ValueError(f"GCN: nodes must be whole numbers from 0 to {len(logits) - 1}")
        return logits[index]
