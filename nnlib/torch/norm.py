"""Batch normalisation and layer normalisation, written from their equations.

Taught in: Chapter 5, Architectures (residual networks and normalisation).

Both layers do the same three things to their input :math:`x`: subtract a mean
:math:`\\mu`, divide by a standard deviation :math:`\\sqrt{\\sigma^2 + \\epsilon}`, then scale and
shift with learned parameters :math:`\\gamma` (``weight``) and :math:`\\beta` (``bias``):

.. math::

    y = \\gamma \\, \\frac{x - \\mu}{\\sqrt{\\sigma^2 + \\epsilon}} + \\beta .

They differ only in *which numbers* the mean and variance are taken over:

- :class:`BatchNorm1d` / :class:`BatchNorm2d`: over the batch (and the positions or pixels),
  separately for each feature or channel. During training the statistics of the current
  batch are used, and running averages of them are kept; in evaluation mode
  (``model.eval()``) the running averages are used instead, so one sample's output no
  longer depends on the others in its batch.
- :class:`LayerNorm`: over the features of each sample, separately for each sample; the same
  in training and evaluation.

Names, defaults and state (``weight``, ``bias``, ``running_mean``, ``running_var``,
``num_batches_tracked``) are those of ``torch.nn``, so a state dict moves between the two;
the tests check values, gradients and running statistics against torch to 1e-10 in float64.
"""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["BatchNorm1d", "BatchNorm2d", "LayerNorm"]


class _BatchNorm(nn.Module):
    """Batch normalisation over every axis except axis 1 (the features or channels)."""

    #: the input ranks this layer accepts, and how to name them in an error
    ranks: tuple[int, ...] = ()
    layout = ""

    def __init__(
        self, num_features: int, eps: float = 1e-5, momentum: float = 0.1, affine: bool = True
    ):
        super().__init__()
        name = type(self).__name__
        if isinstance(num_features, bool) or not isinstance(num_features, int) or num_features < 1:
            raise ValueError(
                f"{name}: num_features must be a positive integer; got {num_features!r}"
            )
        if not 0.0 <= momentum <= 1.0:
            raise ValueError(f"{name}: momentum must be in [0, 1]; got {momentum!r}")
        self.num_features, self.eps = num_features, eps
        self.momentum, self.affine = momentum, affine
        if affine:
            self.weight = nn.Parameter(torch.ones(num_features))
            self.bias = nn.Parameter(torch.zeros(num_features))
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        self.register_buffer("running_mean", torch.zeros(num_features))
        self.register_buffer("running_var", torch.ones(num_features))
        self.register_buffer("num_batches_tracked", torch.tensor(0, dtype=torch.long))

    def extra_repr(self) -> str:
        return f"{self.num_features}, eps={self.eps}, momentum={self.momentum}"

    def _check(self, x) -> None:
        name = type(self).__name__
        if not isinstance(x, torch.Tensor):
            raise TypeError(f"{name}: x must be a torch.Tensor; got {type(x).__name__}")
        if x.ndim not in self.ranks:
            raise ValueError(f"{name}: x must have shape {self.layout}; got {tuple(x.shape)}")
        if x.shape[1] != self.num_features:
            raise ValueError(
                f"{name}: x has {x.shape[1]} features/channels on axis 1; the layer was "
                f"built for num_features={self.num_features}"
            )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self._check(x)
        axes = [0, *range(2, x.ndim)]  # every axis but the features
        shape = [1, -1] + [1] * (x.ndim - 2)  # to broadcast a per-feature vector over x
        if self.training:
            n = x.numel() // x.shape[1]  # numbers per feature in this batch
            if n < 2:
                raise ValueError(
                    f"{type(self).__name__}: training needs more than one value per feature "
                    f"to estimate a variance; got input of shape {tuple(x.shape)}"
                )
            mean = x.mean(dim=axes)
            var = x.var(dim=axes, unbiased=False)  # the batch's own (biased) variance
            with torch.no_grad():  # running averages, of the unbiased variance as torch keeps
                m = self.momentum
                self.running_mean.mul_(1 - m).add_(m * mean)
                self.running_var.mul_(1 - m).add_(m * var * n / (n - 1))
                self.num_batches_tracked += 1
        else:
            mean, var = self.running_mean, self.running_var
        x_hat = (x - mean.view(shape)) / torch.sqrt(var.view(shape) + self.eps)
        if self.affine:
            return self.weight.view(shape) * x_hat + self.bias.view(shape)
        return x_hat


class BatchNorm1d(_BatchNorm):
    """Batch normalisation of features ``(batch, features)`` or sequences
    ``(batch, features, length)``.

    Taught in: Chapter 5, Architectures (residual networks and normalisation).

    In training mode each feature is normalised with the mean and (biased) variance of the
    batch, and ``running_mean`` / ``running_var`` move towards them:
    ``running = (1 - momentum) * running + momentum * batch_statistic`` (the variance in
    the unbiased form, ``n / (n - 1)`` times larger). In evaluation mode the running values
    are used. Same numbers as ``torch.nn.BatchNorm1d``.

    Parameters
    ----------
    num_features : int
        Size of axis 1 of the input.
    eps : float, default 1e-5
        Added to the variance before the square root.
    momentum : float, default 0.1
        Weight of the new batch in the running averages.
    affine : bool, default True
        Learn a scale ``weight`` (starts at 1) and a shift ``bias`` (starts at 0).
    """

    ranks = (2, 3)
    layout = "(batch, features) or (batch, features, length)"


class BatchNorm2d(_BatchNorm):
    """Batch normalisation of images ``(batch, channels, height, width)``: one mean and
    variance per channel, over the batch and all pixels.

    Taught in: Chapter 5, Architectures (residual networks and normalisation).

    Same numbers as ``torch.nn.BatchNorm2d``; parameters as :class:`BatchNorm1d`, with
    ``num_features`` the number of channels.
    """

    ranks = (4,)
    layout = "(batch, channels, height, width)"


class LayerNorm(nn.Module):
    """Layer normalisation: each sample normalised over its own last axes.

    Taught in: Chapter 5, Architectures (residual networks and normalisation).

    For ``normalized_shape = (d,)`` and ``x`` of shape ``(..., d)``, each vector ``x[i, :]``
    gets its own mean and (biased) variance over its ``d`` features. No batch statistics,
    no running averages: training and evaluation mode compute the same thing, and a batch of
    one is fine. Same numbers as ``torch.nn.LayerNorm``.

    Parameters
    ----------
    normalized_shape : int or tuple of int
        The trailing shape to normalise over (usually the number of features).
    eps : float, default 1e-5
    elementwise_affine : bool, default True
        Learn a per-element scale ``weight`` and shift ``bias`` of that shape.
    """

    def __init__(self, normalized_shape, eps: float = 1e-5, elementwise_affine: bool = True):
        super().__init__()
        shape = (normalized_shape,) if isinstance(normalized_shape, int) else normalized_shape
        shape = tuple(shape)
        if not shape or any(isinstance(d, bool) or not isinstance(d, int) or d < 1 for d in shape):
            raise ValueError(
                f"LayerNorm: normalized_shape must be a positive int or a tuple of them; "
                f"got {normalized_shape!r}"
            )
        self.normalized_shape, self.eps = shape, eps
        self.elementwise_affine = elementwise_affine
        if elementwise_affine:
            self.weight = nn.Parameter(torch.ones(shape))
            self.bias = nn.Parameter(torch.zeros(shape))
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)

    def extra_repr(self) -> str:
        return f"{self.normalized_shape}, eps={self.eps}"

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not isinstance(x, torch.Tensor):
            raise TypeError(f"LayerNorm: x must be a torch.Tensor; got {type(x).__name__}")
        k = len(self.normalized_shape)
        if tuple(x.shape[x.ndim - k :]) != self.normalized_shape or x.ndim < k:
            raise ValueError(
                f"LayerNorm: the last axes of x must have shape {self.normalized_shape}; "
                f"got x of shape {tuple(x.shape)}"
            )
        axes = tuple(range(x.ndim - k, x.ndim))
        mean = x.mean(dim=axes, keepdim=True)
        var = x.var(dim=axes, unbiased=False, keepdim=True)
        x_hat = (x - mean) / torch.sqrt(var + self.eps)
        if self.elementwise_affine:
            return self.weight * x_hat + self.bias
        return x_hat
