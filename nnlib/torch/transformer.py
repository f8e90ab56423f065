"""A small Transformer encoder from readable parts: feed-forward, pre-norm encoder block,
token classifier.

Taught in: Chapter 5, Architectures (a small Transformer).

One encoder block (the *pre-norm* arrangement, which trains more easily than the original
post-norm one) is two residual steps::

    x = x + MultiHeadAttention(LayerNorm(x))   # every position looks at every other
    x = x + FeedForward(LayerNorm(x))          # every position thinks on its own

:class:`TransformerEncoder` embeds tokens, adds positional encodings (or not, for the
ablation), stacks blocks and classifies every position. The block computes the same function
as ``torch.nn.TransformerEncoderLayer(..., batch_first=True, norm_first=True)`` with ReLU and
no dropout. :func:`sequence_cross_entropy` and :func:`token_accuracy` are the loss and the
metric for per-position targets, in the shapes :func:`nnlib.torch.train.fit` passes them.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from nnlib.torch.attention import MultiHeadAttention, PositionalEncoding

__all__ = [
    "EncoderBlock",
    "FeedForward",
    "TransformerEncoder",
    "sequence_cross_entropy",
    "token_accuracy",
]


class FeedForward(nn.Module):
    """The position-wise feed-forward network: ``Linear -> ReLU -> Linear``.

    Taught in: Chapter 5, Architectures (a small Transformer).

    The same small MLP is applied to every position separately.

    Parameters
    ----------
    d_model : int
        Input and output width.
    d_ff : int
        Hidden width (the original Transformer uses ``4 * d_model``).
    dropout : float, default 0.0
        Dropout after the ReLU.
    """

    def __init__(self, d_model: int, d_ff: int, dropout: float = 0.0):
        super().__init__()
        self.linear1 = nn.Linear(d_model, d_ff)
        self.linear2 = nn.Linear(d_ff, d_model)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``linear2(dropout(relu(linear1(x))))``, position by position."""
        return self.linear2(self.dropout(torch.relu(self.linear1(x))))


class EncoderBlock(nn.Module):
    """A pre-norm Transformer encoder block: attention and feed-forward, each as a residual.

    Taught in: Chapter 5, Architectures (a small Transformer).

    Parameters
    ----------
    d_model : int
        The width of every position's vector.
    num_heads : int
        Attention heads (must divide ``d_model``).
    d_ff : int
        Hidden width of the feed-forward network.
    dropout : float, default 0.0
        Dropout on each residual branch.
    """

    def __init__(self, d_model: int, num_heads: int, d_ff: int, dropout: float = 0.0):
        super().__init__()
        self.norm1 = nn.LayerNorm(d_model)
        self.attention = MultiHeadAttention(d_model, num_heads)
        self.norm2 = nn.LayerNorm(d_model)
        self.feed_forward = FeedForward(d_model, d_ff)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, mask=None):
        """Returns ``(x, weights)``: the new vectors (batch, length, d_model) and the
        attention weights (batch, heads, length, length). ``mask`` as in
        :class:`~nnlib.torch.attention.MultiHeadAttention` (``True`` = may attend)."""
        attended, weights = self.attention(self.norm1(x), mask=mask)
        x = x + self.dropout(attended)
        x = x + self.dropout(self.feed_forward(self.norm2(x)))
        return x, weights

    @torch.no_grad()
    def load_from_torch(self, layer: nn.TransformerEncoderLayer) -> EncoderBlock:
        """Copy the weights of a ``torch.nn.TransformerEncoderLayer`` of the same size
        (returns ``self``)."""
        if not isinstance(layer, nn.TransformerEncoderLayer):
            raise TypeError(f"load_from_torch: expected nn.TransformerEncoderLayer; got {layer}")
        self.attention.load_from_torch(layer.self_attn)
        for mine, theirs in (
            (self.norm1, layer.norm1),
            (self.norm2, layer.norm2),
            (self.feed_forward.linear1, layer.linear1),
            (self.feed_forward.linear2, layer.linear2),
        ):
            mine.load_state_dict(theirs.state_dict())
        return self


class TransformerEncoder(nn.Module):
    """Token embedding + positional encoding + encoder blocks + a classifier per position.

    Taught in: Chapter 5, Architectures (a small Transformer).

    Parameters
    ----------
    vocab_size : int
        Input tokens are integers ``0 .. vocab_size - 1``.
    num_classes : int
        Outputs per position (for example the vocabulary again, to predict a token).
    d_model : int, default 64
        The width of every position's vector.
    num_heads : int, default 4
    num_layers : int, default 2
    d_ff : int, optional
        Feed-forward hidden width; ``4 * d_model`` by default.
    max_len : int, default 128
        The longest input sequence.
    positional : bool, default True
        Add sinusoidal positional encodings; ``False`` leaves the model blind to order.
    dropout : float, default 0.0
    """

    def __init__(
        self,
        vocab_size: int,
        num_classes: int,
        d_model: int = 64,
        num_heads: int = 4,
        num_layers: int = 2,
        d_ff: int | None = None,
        max_len: int = 128,
        positional: bool = True,
        dropout: float = 0.0,
    ):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, d_model)
        self.positional = PositionalEncoding(d_model, max_len) if positional else None
        self.blocks = nn.ModuleList(
            EncoderBlock(d_model, num_heads, d_ff or 4 * d_model, dropout)
            for _ in range(num_layers)
        )
        self.norm = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, num_classes)

    def forward(self, tokens: torch.Tensor, mask=None, return_attention: bool = False):
        """Scores of shape (batch, length, num_classes) for integer ``tokens`` of shape
        (batch, length); with ``return_attention``, also the list of every block's
        attention weights (batch, heads, length, length)."""
        if not isinstance(tokens, torch.Tensor) or tokens.is_floating_point():
            raise TypeError(
                "TransformerEncoder: tokens must be an integer tensor (batch, length); got "
                f"{getattr(tokens, 'dtype', type(tokens).__name__)}"
            )
        if tokens.ndim != 2:
            extra = "; add the batch axis with tokens.unsqueeze(0)" if tokens.ndim == 1 else ""
            raise ValueError(
                "TransformerEncoder: tokens must have shape (batch, length); got shape "
                f"{tuple(tokens.shape)}{extra}"
            )
        x = self.embedding(tokens)
        if self.positional is not None:
            x = self.positional(x)
        maps = []
        for block in self.blocks:
            x, weights = block(x, mask)
            maps.append(weights)
        scores = self.head(self.norm(x))
        return (scores, maps) if return_attention else scores


def sequence_cross_entropy(scores: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Cross-entropy averaged over every position of every sequence.

    Taught in: Chapter 5, Architectures (a small Transformer).

    Parameters
    ----------
    scores : torch.Tensor, shape (batch, length, classes)
    targets : torch.Tensor of int, shape (batch, length)
    """
    if scores.ndim != 3 or targets.shape != scores.shape[:2]:
        raise ValueError(
            "sequence_cross_entropy: expected scores (batch, length, classes) and targets "
            f"(batch, length); got {tuple(scores.shape)} and {tuple(targets.shape)}"
        )
    return F.cross_entropy(scores.reshape(-1, scores.shape[-1]), targets.reshape(-1))


def token_accuracy(targets: torch.Tensor, scores: torch.Tensor) -> float:
    """The fraction of positions whose highest score is the target (a metric for ``fit``).

    Taught in: Chapter 5, Architectures (a small Transformer).
    """
    return float((scores.argmax(dim=-1) == targets).double().mean())
