"""Attention from its equations: scaled dot-product attention, masks, multi-head attention and
sinusoidal positional encodings.

Taught in: Chapter 5, Architectures (attention; the Transformer).

Attention lets every position of a sequence look at every other position and take a weighted
average of what it finds there. With queries :math:`Q` (one row per position that asks),
keys :math:`K` and values :math:`V` (one row per position that can be looked at)::

    weights = softmax(Q K^T / sqrt(d))      # each row sums to 1
    output  = weights V

where :math:`d` is the width of a query. A boolean *mask* removes pairs before the softmax
(padding that is not really there; the future, for a model that must not peek). Multi-head
attention runs several such attentions side by side on learned projections of the input and
concatenates them; positional encodings add a position-dependent vector to each input, since
attention by itself does not know the order of its inputs.

Masks here follow ``torch.nn.functional.scaled_dot_product_attention``: ``True`` means *may
attend*. (``torch.nn.MultiheadAttention``'s ``attn_mask`` uses the opposite convention:
``True`` there means *blocked*.)
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

__all__ = [
    "MultiHeadAttention",
    "PositionalEncoding",
    "attention_heatmap",
    "causal_mask",
    "padding_mask",
    "scaled_dot_product_attention",
    "sinusoidal_positional_encoding",
]


def _check_mask(mask, scores_shape: tuple[int, ...], where: str, heads: bool = False) -> None:
    """Raise unless ``mask`` is boolean and broadcasts to ``scores_shape``. With ``heads``
    (multi-head attention), a 3-D mask is (batch, Lq, Lk), shared by the heads."""
    if not isinstance(mask, torch.Tensor) or mask.dtype != torch.bool:
        got = mask.dtype if isinstance(mask, torch.Tensor) else type(mask).__name__
        raise TypeError(
            f"{where}: mask must be a boolean tensor (True = may attend); got {got}. "
            "Build one with causal_mask(...) or padding_mask(...), or compare: mask = x != 0"
        )
    lq, lk = scores_shape[-2:]
    shape = tuple(mask.shape)
    ok = mask.ndim >= 2 and mask.ndim <= len(scores_shape)
    ok = ok and shape[-2] in (1, lq) and shape[-1] in (1, lk)
    if ok:
        full = shape[:1] + (1,) + shape[1:] if heads and mask.ndim == 3 else shape
        try:
            ok = torch.broadcast_shapes(full, scores_shape) == torch.Size(scores_shape)
        except RuntimeError:
            ok = False
    if not ok:
        raise ValueError(
            f"{where}: a mask of shape {shape} does not fit attention scores of shape "
            f"{tuple(scores_shape)} (..., queries, keys); it must end in ({lq}, {lk}) "
            "or in axes of size 1 that broadcast to it"
        )


def scaled_dot_product_attention(query, key, value, mask=None):
    """Attention: ``softmax(Q K^T / sqrt(d)) V``, with the weights.

    Taught in: Chapter 5, Architectures (attention).

    Parameters
    ----------
    query : torch.Tensor, shape (..., Lq, d)
        One query vector per position that asks.
    key : torch.Tensor, shape (..., Lk, d)
        One key vector per position that can be attended to.
    value : torch.Tensor, shape (..., Lk, dv)
        What each of those positions hands over.
    mask : torch.Tensor of bool, optional
        Broadcastable to ``(..., Lq, Lk)``; ``True`` where a query may attend to a key
        (the convention of ``torch.nn.functional.scaled_dot_product_attention``). A query
        whose keys are all masked gets NaN, as in torch's reference implementation.

    Returns
    -------
    output : torch.Tensor, shape (..., Lq, dv)
        For each query, the weighted average of the values.
    weights : torch.Tensor, shape (..., Lq, Lk)
        The attention weights; each row sums to 1.

    Examples
    --------
    >>> q = k = v = torch.eye(3)[None]          # a batch of one sequence of 3 positions
    >>> out, w = scaled_dot_product_attention(q, k, v)
    >>> w.shape, bool(torch.allclose(w.sum(-1), torch.ones(1, 3)))
    (torch.Size([1, 3, 3]), True)
    """
    for name, t in (("query", query), ("key", key), ("value", value)):
        if not isinstance(t, torch.Tensor):
            raise TypeError(
                f"scaled_dot_product_attention: {name} must be a torch.Tensor; "
                f"got {type(t).__name__}"
            )
        if t.ndim < 2:
            raise ValueError(
                f"scaled_dot_product_attention: {name} must have shape (..., length, width); "
                f"got shape {tuple(t.shape)}"
            )
    if query.shape[-1] != key.shape[-1]:
        raise ValueError(
            "scaled_dot_product_attention: queries and keys must have the same width to be "
            f"compared; got {query.shape[-1]} and {key.shape[-1]}"
        )
    if key.shape[-2] != value.shape[-2]:
        raise ValueError(
            "scaled_dot_product_attention: key and value need one row per position each; "
            f"got {key.shape[-2]} keys and {value.shape[-2]} values"
        )
    scores = query @ key.transpose(-2, -1) / math.sqrt(query.shape[-1])
    if mask is not None:
        _check_mask(mask, tuple(scores.shape), "scaled_dot_product_attention")
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    return weights @ value, weights


def causal_mask(length: int, device=None) -> torch.Tensor:
    """The mask that lets position ``i`` attend to positions ``0..i`` only (no peeking ahead).

    Taught in: Chapter 5, Architectures (attention).

    Returns
    -------
    torch.Tensor of bool, shape (length, length)
        Lower-triangular ``True``.

    Examples
    --------
    >>> causal_mask(3).int()
    tensor([[1, 0, 0],
            [1, 1, 0],
            [1, 1, 1]], dtype=torch.int32)
    """
    if isinstance(length, bool) or not isinstance(length, int) or length < 1:
        raise ValueError(f"causal_mask: length must be a positive integer; got {length!r}")
    return torch.ones(length, length, dtype=torch.bool, device=device).tril()


def padding_mask(lengths, length: int) -> torch.Tensor:
    """The mask that hides the padding at the end of shorter sequences in a batch.

    Taught in: Chapter 5, Architectures (attention).

    Parameters
    ----------
    lengths : sequence of int or 1-D tensor
        The true length of each sequence of the batch.
    length : int
        The padded length (the sequences' second axis).

    Returns
    -------
    torch.Tensor of bool, shape (batch, 1, length)
        ``True`` for real keys; it broadcasts over the queries of attention scores of shape
        ``(batch, queries, length)`` (and over the heads in :class:`MultiHeadAttention`).

    Examples
    --------
    >>> padding_mask([2, 3], 3).int()
    tensor([[[1, 1, 0]],
    <BLANKLINE>
            [[1, 1, 1]]], dtype=torch.int32)
    """
    lengths = torch.as_tensor(lengths)
    if lengths.ndim != 1 or lengths.is_floating_point():
        raise ValueError(
            f"padding_mask: lengths must be a list of integers, one per sequence; got {lengths}"
        )
    if (lengths < 1).any() or (lengths > length).any():
        raise ValueError(
            f"padding_mask: every length must be between 1 and {length}; got {lengths.tolist()}"
        )
    return (torch.arange(length, device=lengths.device) < lengths[:, None])[:, None, :]


class MultiHeadAttention(nn.Module):
    """Multi-head attention: ``num_heads`` attentions side by side on learned projections.

    Taught in: Chapter 5, Architectures (attention; the Transformer).

    The inputs are projected to queries, keys and values (``d_model`` wide each), split into
    ``num_heads`` heads of width ``d_model // num_heads``, attended head by head with
    :func:`scaled_dot_product_attention`, concatenated and projected back. The same
    computation as ``torch.nn.MultiheadAttention(d_model, num_heads, batch_first=True)``,
    whose packed ``in_proj_weight`` holds this module's three projection matrices one under
    the other.

    Parameters
    ----------
    d_model : int
        The width of the inputs and outputs.
    num_heads : int
        The number of heads; must divide ``d_model``.
    bias : bool, default True
        Whether the four projections have biases.

    Attributes
    ----------
    q_proj, k_proj, v_proj, out_proj : torch.nn.Linear
        The query, key, value and output projections (``d_model -> d_model``).
    """

    def __init__(self, d_model: int, num_heads: int, bias: bool = True):
        super().__init__()
        for name, n in (("d_model", d_model), ("num_heads", num_heads)):
            if isinstance(n, bool) or not isinstance(n, int) or n < 1:
                raise ValueError(
                    f"MultiHeadAttention: {name} must be a positive integer; got {n!r}"
                )
        if d_model % num_heads:
            raise ValueError(
                f"MultiHeadAttention: num_heads={num_heads} does not divide d_model={d_model}; "
                "each head gets d_model // num_heads features, so choose a divisor "
                f"(for example {[h for h in range(1, d_model + 1) if d_model % h == 0][:6]})"
            )
        self.d_model, self.num_heads = d_model, num_heads
        self.head_dim = d_model // num_heads
        self.q_proj = nn.Linear(d_model, d_model, bias=bias)
        self.k_proj = nn.Linear(d_model, d_model, bias=bias)
        self.v_proj = nn.Linear(d_model, d_model, bias=bias)
        self.out_proj = nn.Linear(d_model, d_model, bias=bias)

    def _check_input(self, x, name: str) -> None:
        if not isinstance(x, torch.Tensor):
            raise TypeError(f"MultiHeadAttention: {name} must be a torch.Tensor; got {type(x)}")
        if x.ndim != 3:
            extra = (
                f"; for a single sequence add the batch axis: {name}.unsqueeze(0)"
                if x.ndim == 2
                else ""
            )
            raise ValueError(
                f"MultiHeadAttention: {name} must have shape (batch, length, d_model); "
                f"got shape {tuple(x.shape)}{extra}"
            )
        if x.shape[-1] != self.d_model:
            raise ValueError(
                f"MultiHeadAttention: {name} has width {x.shape[-1]}; this module was built "
                f"for d_model={self.d_model}"
            )

    def _split_heads(self, x: torch.Tensor) -> torch.Tensor:
        batch, length, _ = x.shape  # (B, L, d_model) -> (B, heads, L, head_dim)
        return x.view(batch, length, self.num_heads, self.head_dim).transpose(1, 2)

    def forward(self, query, key=None, value=None, mask=None):
        """Attend from ``query`` to ``key``/``value`` (to ``query`` itself by default).

        Parameters
        ----------
        query : torch.Tensor, shape (batch, Lq, d_model)
        key, value : torch.Tensor, shape (batch, Lk, d_model), optional
            Default to ``query`` (self-attention). Give them for cross-attention.
        mask : torch.Tensor of bool, optional
            ``True`` where a query may attend to a key; shape ``(Lq, Lk)``,
            ``(batch, Lq, Lk)`` or ``(batch, num_heads, Lq, Lk)``, or with axes of size 1
            that broadcast (``padding_mask`` gives ``(batch, 1, Lk)``).

        Returns
        -------
        output : torch.Tensor, shape (batch, Lq, d_model)
        weights : torch.Tensor, shape (batch, num_heads, Lq, Lk)
            Each head's attention weights.
        """
        key = query if key is None else key
        value = key if value is None else value
        for name, x in (("query", query), ("key", key), ("value", value)):
            self._check_input(x, name)
        if not (query.shape[0] == key.shape[0] == value.shape[0]):
            raise ValueError(
                "MultiHeadAttention: query, key and value must have the same batch size; got "
                f"{query.shape[0]}, {key.shape[0]} and {value.shape[0]}"
            )
        if key.shape[1] != value.shape[1]:
            raise ValueError(
                "MultiHeadAttention: key and value must have the same length; got "
                f"{key.shape[1]} and {value.shape[1]}"
            )
        if mask is not None:
            scores_shape = (query.shape[0], self.num_heads, query.shape[1], key.shape[1])
            _check_mask(mask, scores_shape, "MultiHeadAttention", heads=True)
            if mask.ndim == 3:  # (batch, Lq, Lk): the same mask for every head
                mask = mask[:, None]
        q = self._split_heads(self.q_proj(query))
        k = self._split_heads(self.k_proj(key))
        v = self._split_heads(self.v_proj(value))
        heads, weights = scaled_dot_product_attention(q, k, v, mask)
        batch, _, length, _ = heads.shape  # concatenate the heads again
        joined = heads.transpose(1, 2).reshape(batch, length, self.d_model)
        return self.out_proj(joined), weights

    @torch.no_grad()
    def load_from_torch(self, mha: nn.MultiheadAttention) -> MultiHeadAttention:
        """Copy the weights of a ``torch.nn.MultiheadAttention`` of the same size into this
        module (returns ``self``), so both compute the same function."""
        if not isinstance(mha, nn.MultiheadAttention):
            raise TypeError(f"load_from_torch: expected nn.MultiheadAttention; got {type(mha)}")
        if (mha.embed_dim, mha.num_heads) != (self.d_model, self.num_heads):
            raise ValueError(
                f"load_from_torch: sizes differ: torch's ({mha.embed_dim}, {mha.num_heads} "
                f"heads), this ({self.d_model}, {self.num_heads} heads)"
            )
        if mha.in_proj_weight is None:
            raise ValueError("load_from_torch: torch's module has separate key/value widths")
        projections = (self.q_proj, self.k_proj, self.v_proj)
        for proj, w in zip(projections, mha.in_proj_weight.chunk(3), strict=True):
            proj.weight.copy_(w)
        if mha.in_proj_bias is not None:
            for proj, b in zip(projections, mha.in_proj_bias.chunk(3), strict=True):
                proj.bias.copy_(b)
        self.out_proj.weight.copy_(mha.out_proj.weight)
        if mha.out_proj.bias is not None:
            self.out_proj.bias.copy_(mha.out_proj.bias)
        return self


def sinusoidal_positional_encoding(
    length: int, d_model: int, base: float = 10000.0, dtype=None
) -> torch.Tensor:
    """The sinusoidal positional encodings of Vaswani et al. (2017).

    Taught in: Chapter 5, Architectures (attention).

    Position ``p`` gets the vector with entries
    ``PE[p, 2i] = sin(p / base**(2i / d_model))`` and
    ``PE[p, 2i + 1] = cos(p / base**(2i / d_model))``: pairs of a sine and a cosine whose
    wavelengths grow geometrically from ``2 pi`` to about ``2 pi * base``.

    Parameters
    ----------
    length : int
        The number of positions (0 to ``length - 1``).
    d_model : int
        The width of each encoding (odd widths drop the last cosine).
    base : float, default 10000
        Sets the longest wavelength.
    dtype : torch.dtype, optional
        Defaults to torch's default dtype.

    Returns
    -------
    torch.Tensor, shape (length, d_model)
    """
    for name, n in (("length", length), ("d_model", d_model)):
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise ValueError(
                f"sinusoidal_positional_encoding: {name} must be a positive integer; got {n!r}"
            )
    dtype = dtype or torch.get_default_dtype()
    position = torch.arange(length, dtype=dtype)[:, None]  # (length, 1)
    two_i = torch.arange(0, d_model, 2, dtype=dtype)  # 0, 2, 4, ...
    angle = position / base ** (two_i / d_model)  # (length, ceil(d_model / 2))
    pe = torch.zeros(length, 2 * angle.shape[1], dtype=dtype)
    pe[:, 0::2] = torch.sin(angle)
    pe[:, 1::2] = torch.cos(angle)
    return pe[:, :d_model]


class PositionalEncoding(nn.Module):
    """Adds sinusoidal positional encodings to a batch of sequences of vectors.

    Taught in: Chapter 5, Architectures (attention; the Transformer).

    Parameters
    ----------
    d_model : int
        The width of the vectors.
    max_len : int, default 512
        The longest sequence it accepts.
    """

    def __init__(self, d_model: int, max_len: int = 512):
        super().__init__()
        self.register_buffer(
            "pe", sinusoidal_positional_encoding(max_len, d_model), persistent=False
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``x + PE[:length]`` for ``x`` of shape (batch, length, d_model)."""
        if x.ndim != 3 or x.shape[-1] != self.pe.shape[1]:
            raise ValueError(
                "PositionalEncoding: expected shape (batch, length, "
                f"{self.pe.shape[1]}); got {tuple(x.shape)}"
            )
        if x.shape[1] > self.pe.shape[0]:
            raise ValueError(
                f"PositionalEncoding: sequences of length {x.shape[1]} are longer than "
                f"max_len={self.pe.shape[0]}"
            )
        return x + self.pe[: x.shape[1]].to(x.dtype)


def attention_heatmap(
    weights,
    ax=None,
    queries=None,
    keys=None,
    title: str = "Attention weights",
    colorbar: bool = True,
    label: str = "weight",
):
    """Draw one matrix of attention weights: a row per query, a column per key.

    Taught in: Chapter 5, Architectures (attention; the Transformer).

    Parameters
    ----------
    weights : tensor or array_like, shape (Lq, Lk)
        Weights in [0, 1] (each row sums to 1); drawn from white (0) to dark (1).
    ax : matplotlib Axes, optional
    queries, keys : sequence of str or int, optional
        Tick labels for the rows and the columns (positions 0, 1, ... by default).
    title : str
    colorbar : bool, default True
    label : str, default "weight"
        The colour bar's label.

    Returns
    -------
    matplotlib Axes
    """
    import matplotlib.pyplot as plt

    from nnlib.plot import _finish, _new_axes, style

    if isinstance(weights, torch.Tensor):
        weights = weights.detach().cpu().double().numpy()
    w = np.asarray(weights, dtype=float)
    if w.ndim != 2:
        raise ValueError(
            f"attention_heatmap: weights must be one (queries, keys) matrix; got shape {w.shape}"
            " (pick one sequence and one head: weights[0, 0])"
        )
    with style():
        ax = _new_axes(ax)
        image = ax.imshow(w, cmap="Blues", vmin=0, vmax=1, aspect="auto")
        if colorbar:
            plt.colorbar(image, ax=ax, label=label)
        ax.set_xticks(range(w.shape[1]), list(keys) if keys is not None else range(w.shape[1]))
        ax.set_yticks(
            range(w.shape[0]), list(queries) if queries is not None else range(w.shape[0])
        )
        return _finish(ax, title, "key position", "query position", grid=False)
