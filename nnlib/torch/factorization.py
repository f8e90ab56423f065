"""Matrix factorisation for recommendation: a user embedding, an item embedding, a dot product.

Taught in: Chapter 6, Applications (anomalies and recommendation).

A :class:`MatrixFactorization` predicts the rating of item :math:`i` by user :math:`u` as

.. math::

    \\hat r_{ui} = \\mu + b_u + c_i + p_u \\cdot q_i,

where :math:`p_u` and :math:`q_i` are learned vectors of ``dim`` numbers (rows of two
``nn.Embedding`` tables), :math:`b_u` and :math:`c_i` learned biases, and :math:`\\mu` a fixed
global mean. Its input is a batch of ``(user, item)`` index pairs, so it trains with the
course loop on the observed ratings only::

    pairs = torch.tensor(np.column_stack([users, items]))
    fit(model, nn.MSELoss(), optimizer, TensorDataset(pairs, ratings), epochs=...)

(:func:`~nnlib.torch.train.fit` also takes the index pairs and ratings as two arrays: for a
model with an embedding table it keeps integer inputs as indices.)
"""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["MatrixFactorization"]


class MatrixFactorization(nn.Module):
    """Biased matrix factorisation: :math:`\\mu + b_u + c_i + p_u \\cdot q_i`.

    Taught in: Chapter 6, Applications (anomalies and recommendation).

    Parameters
    ----------
    n_users, n_items : int
        The sizes of the two embedding tables.
    dim : int
        The length of each user and item vector (the number of latent factors).
    mean : float, default 0.0
        The global mean :math:`\\mu` (a buffer, not trained): pass the mean training rating.
    init_std : float, default 0.1
        The standard deviation of the initial user and item vectors (biases start at 0).

    Examples
    --------
    >>> mf = MatrixFactorization(5, 4, dim=2, mean=3.0)
    >>> mf(torch.tensor([[0, 1], [4, 3]])).shape
    torch.Size([2])
    """

    def __init__(self, n_users, n_items, dim, mean=0.0, init_std=0.1):
        super().__init__()
        for name, value in (("n_users", n_users), ("n_items", n_items), ("dim", dim)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(
                    f"MatrixFactorization: {name} must be a positive integer; got {value!r}"
                )
        self.n_users, self.n_items, self.dim = n_users, n_items, dim
        self.user = nn.Embedding(n_users, dim)
        self.item = nn.Embedding(n_items, dim)
        self.user_bias = nn.Embedding(n_users, 1)
        self.item_bias = nn.Embedding(n_items, 1)
        for table in (self.user, self.item):
            nn.init.normal_(table.weight, std=init_std)
        for table in (self.user_bias, self.item_bias):
            nn.init.zeros_(table.weight)
        self.register_buffer("mean", torch.tensor(float(mean)))

    def forward(self, pairs: torch.Tensor) -> torch.Tensor:
        """Predicted ratings, shape ``(n,)``, for a ``(n, 2)`` integer tensor of
        ``(user, item)`` index pairs."""
        if not isinstance(pairs, torch.Tensor):
            raise TypeError(f"MatrixFactorization: expected a tensor; got {type(pairs).__name__}")
        if pairs.is_floating_point() or pairs.dtype == torch.bool:
            raise TypeError(
                f"MatrixFactorization: (user, item) pairs must be integer indices; got "
                f"{pairs.dtype} (pass them in a TensorDataset so they stay integers)"
            )
        if pairs.ndim != 2 or pairs.shape[1] != 2:
            raise ValueError(
                f"MatrixFactorization: expected pairs of shape (n, 2); got {tuple(pairs.shape)}"
            )
        u, i = pairs[:, 0], pairs[:, 1]
        for name, idx, size in (("user", u, self.n_users), ("item", i, self.n_items)):
            if len(idx) and (idx.min() < 0 or idx.max() >= size):
                raise ValueError(f"MatrixFactorization: {name} indices must lie in [0, {size})")
        dot = (self.user(u) * self.item(i)).sum(dim=1)
        return self.mean + self.user_bias(u).squeeze(1) + self.item_bias(i).squeeze(1) + dot

    def extra_repr(self) -> str:
        return f"n_users={self.n_users}, n_items={self.n_items}, dim={self.dim}"
