"""Counting the compute of a model: multiply-adds of a forward pass, and training FLOPs.

Taught in: Chapter 7, Frontiers (ethics: what a model costs to run and to train).

Almost all the arithmetic of a neural network is in its matrix products, and a matrix
product is made of **multiply-adds** (MACs): one multiplication and one addition each. A
``Linear(n_in, n_out)`` layer does ``n_in * n_out`` of them per input vector; a convolution
does ``(in_channels / groups) * kernel_size`` of them for every value of its output. One
MAC is two floating-point operations (FLOPs). Published figures mix the two conventions
(He et al. call ResNet-50's 3.8 billion multiply-adds "FLOPs"), so always say which.

:func:`count_macs` runs the model once on an example input and adds up, with forward hooks,
the multiply-adds of every ``Linear``, ``Conv1d/2d/3d``, ``RNN``, ``LSTM`` and ``GRU``
call. Everything else (activations, normalisation, pooling, additions, and matrix products
written as functions, such as attention's ``softmax(Q K^T) V``) is not counted: for most
networks it is a small share, but say so when it is not. The input may live on torch's
``"meta"`` device, where shapes are computed and no arithmetic is done, so counting a
model of ImageNet size costs nothing.

:func:`training_flops` turns a forward count into the usual estimate of training compute:
the backward pass costs about twice the forward pass, so a training step costs about
3 forward passes, i.e. ``6 * MACs`` FLOPs per example seen (the "6 N D" rule of Kaplan et
al., 2020, with ``N`` parameters, each used once per example by a dense network).
"""

from __future__ import annotations

import math
import numbers
from typing import NamedTuple

import torch
from torch import nn

__all__ = ["LayerCount", "count_macs", "macs_by_layer", "training_flops"]

_RECURRENT_GATES = {nn.RNN: 1, nn.GRU: 3, nn.LSTM: 4}


class LayerCount(NamedTuple):
    """One counted call of a layer: its name in the model, its type, its multiply-adds."""

    name: str
    kind: str
    macs: int


def _conv_macs(module: nn.modules.conv._ConvNd, output: torch.Tensor) -> int:
    per_output = (module.in_channels // module.groups) * math.prod(module.kernel_size)
    return output.numel() * per_output


def _linear_macs(module: nn.Linear, output: torch.Tensor) -> int:
    return output.numel() * module.in_features


def _recurrent_macs(module: nn.RNNBase, output) -> int:
    out = output[0]
    if isinstance(out, nn.utils.rnn.PackedSequence):
        steps = out.data.shape[0]
    elif out.dim() == 2:  # unbatched: (time, features)
        steps = out.shape[0]
    else:
        steps = out.shape[0] * out.shape[1]  # batch * time, either layout
    gates = _RECURRENT_GATES[type(module)]
    directions = 2 if module.bidirectional else 1
    h = module.hidden_size
    total = 0
    for layer in range(module.num_layers):
        n_in = module.input_size if layer == 0 else h * directions
        total += directions * gates * h * (n_in + h)
    return steps * total


def _macs_of(module: nn.Module, output) -> int | None:
    if isinstance(module, nn.modules.conv._ConvNd) and not isinstance(
        module, nn.modules.conv._ConvTransposeNd
    ):
        return _conv_macs(module, output)
    if isinstance(module, nn.Linear):
        return _linear_macs(module, output)
    if type(module) in _RECURRENT_GATES:
        return _recurrent_macs(module, output)
    return None


def macs_by_layer(model: nn.Module, *inputs) -> list[LayerCount]:
    """Run ``model(*inputs)`` once and list the multiply-adds of every counted layer call.

    Taught in: Chapter 7, Frontiers (ethics: the cost of a model).

    Counted: ``nn.Linear``, ``nn.Conv1d``, ``nn.Conv2d``, ``nn.Conv3d`` (with strides,
    padding, dilation and groups, from the shape of their output), ``nn.RNN``, ``nn.LSTM``
    and ``nn.GRU`` (the products of the gates, per time step, layer and direction; the
    element-wise gate arithmetic is not counted). A layer called twice is listed twice.

    Parameters
    ----------
    model : torch.nn.Module
    *inputs : torch.Tensor
        The example input(s), with their batch axis: the counts are for the whole batch, so
        pass a batch of one for a per-example count. Tensors on the ``"meta"`` device work
        (with a model on that device too), and cost no arithmetic.

    Returns
    -------
    list of LayerCount
        ``(name, kind, macs)`` in the order the layers were called.

    Raises
    ------
    TypeError
        If ``model`` is not an ``nn.Module`` or an input is not a tensor.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"count_macs: model must be a torch.nn.Module; got {type(model).__name__}")
    if not inputs or not all(isinstance(x, torch.Tensor) for x in inputs):
        kinds = ", ".join(type(x).__name__ for x in inputs) or "nothing"
        raise TypeError(f"count_macs: pass the example input(s) as tensors; got {kinds}")
    for module in model.modules():
        if getattr(module, "proj_size", 0):
            raise ValueError("count_macs: an LSTM with proj_size is not supported")
    counts: list[LayerCount] = []
    handles = []

    def hook_for(name):
        def hook(module, args, output):
            macs = _macs_of(module, output)
            if macs is not None:
                counts.append(LayerCount(name, type(module).__name__, int(macs)))

        return hook

    try:
        for name, module in model.named_modules():
            handles.append(module.register_forward_hook(hook_for(name or type(model).__name__)))
        with torch.no_grad():
            model(*inputs)
    finally:
        for handle in handles:
            handle.remove()
    return counts


def count_macs(model: nn.Module, *inputs) -> int:
    """The multiply-adds of one forward pass of ``model`` on ``inputs`` (see macs_by_layer).

    Taught in: Chapter 7, Frontiers (ethics: the cost of a model).

    Parameters
    ----------
    model : torch.nn.Module
    *inputs : torch.Tensor
        Example input(s) with a batch axis (a batch of one gives the per-example count).

    Returns
    -------
    int
        The total; FLOPs are about twice this.

    Examples
    --------
    >>> count_macs(nn.Linear(3, 4), torch.zeros(1, 3))
    12
    >>> conv = nn.Conv2d(1, 8, 3, padding=1)  # 8 x 8 outputs of 8 channels, 9 MACs each
    >>> count_macs(conv, torch.zeros(1, 1, 8, 8))
    4608
    """
    return sum(c.macs for c in macs_by_layer(model, *inputs))


def training_flops(macs_per_example: float, examples_seen: float) -> float:
    """The usual estimate of training compute: ``6 * macs_per_example * examples_seen``.

    Taught in: Chapter 7, Frontiers (ethics: the cost of a model).

    A forward pass costs ``2 * MACs`` FLOPs, the backward pass about twice as much again
    (gradients with respect to the inputs and to the weights), so one training example costs
    about ``6 * MACs`` FLOPs. ``examples_seen`` is the number of training examples times the
    number of epochs (for a language model, the number of training tokens). The optimizer's
    update and data loading are not included.

    Parameters
    ----------
    macs_per_example : float
        Forward multiply-adds for one example (:func:`count_macs` on a batch of one).
    examples_seen : float
        Examples processed during training, all epochs together.

    Returns
    -------
    float
    """
    for value, name in ((macs_per_example, "macs_per_example"), (examples_seen, "examples_seen")):
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or value < 0:
            raise ValueError(f"training_flops: {name} must be a non-negative number; got {value!r}")
    return 6.0 * macs_per_example * examples_seen
