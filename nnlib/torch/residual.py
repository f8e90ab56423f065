"""Residual blocks and deep fully connected networks with or without skip connections.

Taught in: Chapter 5, Architectures (residual networks and normalisation).

A residual block computes :math:`x + F(x)`: the input is passed on unchanged (the *skip
connection*) and the layers inside, :math:`F`, only learn a correction to it (He et al.,
2016). Its derivative is :math:`I + \\partial F / \\partial x`, so the gradient reaching an
early layer always has a direct path back, whatever the layers in between do. A *plain*
block computes just :math:`F(x)`; stacking many of them multiplies many Jacobians together,
and the gradient of the first layers can shrink towards zero.

:func:`deep_mlp` builds both kinds at the same depth and width, so the two differ in the
skip connections alone.
"""

from __future__ import annotations

import torch
from torch import nn

from nnlib.torch.norm import BatchNorm1d, LayerNorm

__all__ = ["ResidualBlock", "deep_mlp"]

_NORMS = {None: None, "batch": BatchNorm1d, "layer": LayerNorm}


class ResidualBlock(nn.Module):
    """``x + F(x)`` with ``F = Linear -> ReLU -> Linear`` (optionally normalised first).

    Taught in: Chapter 5, Architectures (residual networks and normalisation).

    The forward pass, for an input of shape ``(batch, width)``::

        z = norm(x)                      # identity when norm is None
        F = linear2(relu(linear1(z)))
        out = relu(x + F) if skip else relu(F)

    With ``skip=False`` the same layers form a *plain* block, the baseline without the
    shortcut. (Normalising before the layers, "pre-norm", keeps the skip path itself
    untouched.)

    Parameters
    ----------
    width : int
        Features in and out (a skip connection needs equal sizes).
    skip : bool, default True
        Add the input to the block's output.
    norm : {None, "batch", "layer"}, default None
        Normalise the block's input with :class:`~nnlib.torch.norm.BatchNorm1d` or
        :class:`~nnlib.torch.norm.LayerNorm` before the first linear layer.
    """

    def __init__(self, width: int, skip: bool = True, norm: str | None = None):
        super().__init__()
        if isinstance(width, bool) or not isinstance(width, int) or width < 1:
            raise ValueError(f"ResidualBlock: width must be a positive integer; got {width!r}")
        if norm not in _NORMS:
            raise ValueError(f"ResidualBlock: norm must be None, 'batch' or 'layer'; got {norm!r}")
        self.width, self.skip = width, skip
        self.norm = _NORMS[norm](width) if norm else nn.Identity()
        self.linear1 = nn.Linear(width, width)
        self.linear2 = nn.Linear(width, width)

    def extra_repr(self) -> str:
        return f"width={self.width}, skip={self.skip}"

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not isinstance(x, torch.Tensor):
            raise TypeError(f"ResidualBlock: x must be a torch.Tensor; got {type(x).__name__}")
        if x.ndim != 2 or x.shape[1] != self.width:
            raise ValueError(
                f"ResidualBlock: x must have shape (batch, {self.width}); got {tuple(x.shape)}"
            )
        f = self.linear2(torch.relu(self.linear1(self.norm(x))))
        return torch.relu(x + f) if self.skip else torch.relu(f)


def deep_mlp(
    n_in: int, width: int, blocks: int, n_out: int, skip: bool = True, norm: str | None = None
) -> nn.Sequential:
    """A deep fully connected network: ``Linear(n_in, width)``, ``blocks`` blocks, ``Linear``
    to ``n_out``.

    Taught in: Chapter 5, Architectures (residual networks and normalisation).

    Each block holds two linear layers, so the network has ``2 * blocks + 2`` of them. With
    ``skip=True`` the blocks are residual, with ``skip=False`` plain; everything else
    (layers, widths, initialisation given the same seed) is identical.

    Parameters
    ----------
    n_in, width, blocks, n_out : int
        Input features, hidden width, number of blocks, outputs.
    skip : bool, default True
    norm : {None, "batch", "layer"}, default None
        See :class:`ResidualBlock`.

    Returns
    -------
    torch.nn.Sequential
        ``[Linear, ReLU, block_1, ..., block_n, Linear]``.
    """
    for name, value in (("n_in", n_in), ("blocks", blocks), ("n_out", n_out)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"deep_mlp: {name} must be a positive integer; got {value!r}")
    layers = [nn.Linear(n_in, width), nn.ReLU()]
    layers += [ResidualBlock(width, skip=skip, norm=norm) for _ in range(blocks)]
    return nn.Sequential(*layers, nn.Linear(width, n_out))
