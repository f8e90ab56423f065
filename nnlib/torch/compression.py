"""Smaller and faster networks: measure a model, quantise it to int8, distil it.

Taught in: Chapter 7, Frontiers (compression).

- :func:`state_dict_bytes`, :func:`csr_bytes` and :func:`sparsity`: how big a model is, how
  big it would be with its zero weights left out, and what share of its weights are zero
  (after magnitude pruning with ``torch.nn.utils.prune``).
- :func:`quantize_int8`, :class:`Int8Linear` and :func:`quantize_dynamic_int8`: dynamic int8
  quantisation written out. The weights are stored as int8 with one float scale per output
  unit; each input row is quantised when it arrives (hence *dynamic*), the product is taken
  in integers and rescaled to floats. torch 2.13's own ``torch.ao.quantization`` is
  deprecated in favour of the separate ``torchao`` package, so the course writes the few
  lines itself; the tests compare them with torch's version.
- :func:`torch_quantize_dynamic`: torch's own (deprecated, fast) version of the same, with
  exactly its deprecation warnings silenced.
- :func:`distillation_loss`: the loss of knowledge distillation (Hinton et al., 2015), a
  temperature-softened KL divergence to the teacher's outputs, optionally mixed with the
  cross-entropy on the labels.
- :func:`latency`: the best of several timings of a forward pass (for asserted ratios;
  never print it in a notebook).

Examples
--------
>>> model = torch.nn.Sequential(torch.nn.Linear(64, 32), torch.nn.ReLU(), torch.nn.Linear(32, 10))
>>> state_dict_bytes(model)
9640
>>> state_dict_bytes(quantize_dynamic_int8(model))
2704
"""

from __future__ import annotations

import copy
import time

import torch
import torch.nn.functional as F
from torch import nn

__all__ = [
    "Int8Linear",
    "csr_bytes",
    "distillation_loss",
    "latency",
    "quantize_dynamic_int8",
    "quantize_int8",
    "sparsity",
    "state_dict_bytes",
    "torch_quantize_dynamic",
]


def _check_module(model, name: str) -> None:
    if not isinstance(model, nn.Module):
        raise TypeError(f"{name}: expected a torch.nn.Module, got {type(model).__name__}")


def state_dict_bytes(model: nn.Module) -> int:
    """Bytes of the tensors in ``model.state_dict()``: what saving the weights stores.

    Taught in: Chapter 7, Frontiers (compression).

    A float32 weight takes 4 bytes, a float64 one 8 and an int8 one 1; the file that
    ``torch.save`` writes adds a small header. The ``(weight, bias)`` pairs of torch's
    quantised layers (:func:`torch_quantize_dynamic`) are counted too. Pruning masks
    (``weight_mask``) count too, so call ``torch.nn.utils.prune.remove`` before measuring a
    pruned model.

    Parameters
    ----------
    model : torch.nn.Module

    Returns
    -------
    int
    """
    _check_module(model, "state_dict_bytes")
    return sum(_tensor_bytes(v) for v in model.state_dict().values())


def _tensor_bytes(value) -> int:
    """Bytes of a tensor, or of the tensors in a tuple or list (torch's packed int8 layers
    store ``(weight, bias)`` tuples); anything else (a dtype, a number) counts 0."""
    if isinstance(value, torch.Tensor):
        return value.numel() * value.element_size()
    if isinstance(value, tuple | list):
        return sum(_tensor_bytes(v) for v in value)
    return 0


def csr_bytes(model: nn.Module, index_bytes: int = 4) -> int:
    """Bytes of the state dict if every weight matrix were stored sparse, in CSR form.

    Taught in: Chapter 7, Frontiers (compression).

    Compressed sparse row (CSR) keeps, for a ``(rows, cols)`` matrix with ``nnz`` non-zero
    entries, the ``nnz`` values, their ``nnz`` column indices and ``rows + 1`` row offsets.
    Every other tensor (biases, 1-D or higher-dimensional weights) is counted dense. With
    4-byte indices and float32 values, a matrix must be more than half zeros before CSR
    is smaller than the dense matrix.

    Parameters
    ----------
    model : torch.nn.Module
    index_bytes : int, default 4
        Bytes per index (4 for int32, 8 for int64, which ``torch.sparse_csr`` uses).

    Returns
    -------
    int
    """
    _check_module(model, "csr_bytes")
    if isinstance(index_bytes, bool) or not isinstance(index_bytes, int) or index_bytes < 1:
        raise ValueError(f"csr_bytes: index_bytes must be a positive int, got {index_bytes!r}")
    total = 0
    for t in model.state_dict().values():
        if t.ndim == 2 and t.is_floating_point():
            nnz = int(torch.count_nonzero(t))
            total += nnz * (t.element_size() + index_bytes) + (t.shape[0] + 1) * index_bytes
        else:
            total += t.numel() * t.element_size()
    return total


def _weights(model: nn.Module) -> list[torch.Tensor]:
    layers = (nn.Linear, nn.Conv1d, nn.Conv2d, nn.Conv3d)
    return [m.weight for m in model.modules() if isinstance(m, layers)]


def sparsity(model: nn.Module) -> float:
    """The share of zero entries among the weights of the model's linear and conv layers.

    Taught in: Chapter 7, Frontiers (compression). Biases are not counted: pruning leaves
    them alone. After ``torch.nn.utils.prune``, ``module.weight`` is the masked weight, so
    this works before and after ``prune.remove``.

    Parameters
    ----------
    model : torch.nn.Module
        Must contain at least one ``Linear`` or ``Conv`` layer.

    Returns
    -------
    float
        In ``[0, 1]``.
    """
    _check_module(model, "sparsity")
    weights = _weights(model)
    if not weights:
        raise ValueError("sparsity: the model has no Linear or Conv layer")
    zeros = sum(int((w == 0).sum()) for w in weights)
    return zeros / sum(w.numel() for w in weights)


def quantize_int8(weight: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Symmetric int8 quantisation of a matrix, one scale per row.

    Taught in: Chapter 7, Frontiers (compression).

    Row ``i`` gets the scale ``s_i = max_j |w_ij| / 127`` and the integers
    ``q_ij = round(w_ij / s_i)``, which lie in ``[-127, 127]``; ``q * s[:, None]`` is the
    dequantised matrix, within ``s_i / 2`` of the original. A row of zeros gets the scale 1.

    Parameters
    ----------
    weight : torch.Tensor
        A floating-point matrix ``(rows, cols)``.

    Returns
    -------
    (torch.Tensor, torch.Tensor)
        The int8 matrix and the float32 scales ``(rows,)``.
    """
    if not isinstance(weight, torch.Tensor) or not weight.is_floating_point():
        raise TypeError("quantize_int8: expected a floating-point torch.Tensor")
    if weight.ndim != 2:
        raise ValueError(f"quantize_int8: expected a matrix, got shape {tuple(weight.shape)}")
    w = weight.detach().float()
    scale = w.abs().amax(dim=1) / 127
    scale = torch.where(scale > 0, scale, torch.ones_like(scale))
    q = torch.round(w / scale[:, None]).clamp(-127, 127).to(torch.int8)
    return q, scale


def _int8_matmul(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """``a @ b`` for int8 matrices, as exact int32 sums.

    torch's int8 product ``torch._int_mm`` is fast on CPUs with AVX-512 and far slower than
    a float product elsewhere, so it is used only there. Otherwise, for fewer than 1,040
    terms, the sums are taken in float32: products of int8 values summed over so few terms
    stay below 2**24, so float32 holds every partial sum exactly and gives the same
    integers whatever the summation order.
    """
    if hasattr(torch, "_int_mm") and torch.backends.cpu.get_cpu_capability() == "AVX512":
        return torch._int_mm(a, b)
    if a.shape[1] < 1040:
        return (a.float() @ b.float()).to(torch.int32)
    return (a.long() @ b.long()).to(torch.int32)


class Int8Linear(nn.Module):
    """A linear layer with int8 weights and dynamically quantised int8 inputs.

    Taught in: Chapter 7, Frontiers (compression).

    The weight is stored as int8 with one float32 scale per output unit
    (:func:`quantize_int8`). In the forward pass each input row ``x`` is quantised with its
    own scale ``max |x| / 127``, computed from the data as it arrives; the int8 product is
    accumulated exactly in int32 and multiplied by both scales, and the float bias is added.
    The result is float32, whatever the input's float type.

    Build one from a trained layer with :meth:`from_float`.
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        # (in, out) layout: the right-hand operand of the int8 product, contiguous.
        self.register_buffer(
            "weight_int8", torch.zeros(in_features, out_features, dtype=torch.int8)
        )
        self.register_buffer("weight_scale", torch.ones(out_features))
        self.register_buffer("bias", torch.zeros(out_features) if bias else None)

    @classmethod
    def from_float(cls, linear: nn.Linear) -> Int8Linear:
        """The quantised copy of a trained ``nn.Linear``."""
        if not isinstance(linear, nn.Linear):
            raise TypeError(
                f"Int8Linear.from_float: expected nn.Linear, got {type(linear).__name__}"
            )
        layer = cls(linear.in_features, linear.out_features, bias=linear.bias is not None)
        q, scale = quantize_int8(linear.weight)
        layer.weight_int8 = q.T.contiguous()
        layer.weight_scale = scale
        if linear.bias is not None:
            layer.bias = linear.bias.detach().float().clone()
        return layer

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.ndim != 2 or x.shape[1] != self.in_features:
            raise ValueError(
                f"Int8Linear: expected input (batch, {self.in_features}), got {tuple(x.shape)}"
            )
        x = x.float()
        x_scale = x.abs().amax(dim=1, keepdim=True) / 127
        x_scale = torch.where(x_scale > 0, x_scale, torch.ones_like(x_scale))
        xq = torch.round(x / x_scale).clamp(-127, 127).to(torch.int8)
        out = _int8_matmul(xq, self.weight_int8).float() * x_scale * self.weight_scale
        return out if self.bias is None else out + self.bias

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, dtype=int8"


def quantize_dynamic_int8(model: nn.Module) -> nn.Module:
    """A copy of ``model`` with every ``nn.Linear`` replaced by an :class:`Int8Linear`.

    Taught in: Chapter 7, Frontiers (compression). The original is left unchanged; other
    layers (activations, convolutions) are copied as they are, and the copy is in eval mode.

    Parameters
    ----------
    model : torch.nn.Module

    Returns
    -------
    torch.nn.Module
    """
    _check_module(model, "quantize_dynamic_int8")
    if isinstance(model, nn.Linear):
        return Int8Linear.from_float(model).eval()
    copied = copy.deepcopy(model)
    for child in list(copied.modules()):
        for attr, sub in list(child.named_children()):
            if isinstance(sub, nn.Linear):
                setattr(child, attr, Int8Linear.from_float(sub))
    return copied.eval()


#: The deprecation messages of ``torch.ao.quantization`` in torch 2.13 (its eager-mode API is
#: moving to the separate ``torchao`` package), silenced by :func:`torch_quantize_dynamic`.
_TORCH_AO_DEPRECATIONS = (
    (DeprecationWarning, r"torch\.ao\.quantization is deprecated"),
    (UserWarning, r"torch\.quantize_per_tensor, torch\.quantize_per_channel and other quantized"),
)


def torch_quantize_dynamic(model: nn.Module) -> nn.Module:
    """torch's own dynamic int8 quantisation of the ``nn.Linear`` layers of ``model``.

    Taught in: Chapter 7, Frontiers (compression).

    ``torch.ao.quantization.quantize_dynamic`` runs the int8 products in fused fbgemm or
    qnnpack kernels, which are fast on every common CPU. In torch 2.13 the module is
    deprecated: its replacement lives in the separate ``torchao`` package, which the course
    does not install. It still works, so this function calls it with exactly its two
    deprecation warnings silenced (nothing else), and returns a quantised copy in eval mode;
    ``model`` is left unchanged.
    """
    import warnings

    _check_module(model, "torch_quantize_dynamic")
    with warnings.catch_warnings():
        for category, message in _TORCH_AO_DEPRECATIONS:
            warnings.filterwarnings("ignore", message=message, category=category)
        from torch.ao.quantization import quantize_dynamic

        return quantize_dynamic(copy.deepcopy(model).eval(), {nn.Linear}, dtype=torch.qint8)


def distillation_loss(
    student_logits: torch.Tensor,
    teacher_logits: torch.Tensor,
    labels: torch.Tensor | None = None,
    temperature: float = 4.0,
    alpha: float = 0.9,
) -> torch.Tensor:
    """The knowledge-distillation loss of Hinton, Vinyals and Dean (2015).

    Taught in: Chapter 7, Frontiers (compression).

    With ``p_T = softmax(teacher_logits / T)`` and ``q_T = softmax(student_logits / T)``,
    the soft part is ``T**2 * KL(p_T || q_T)``, averaged over the batch; the factor ``T**2``
    keeps its gradients the same size whatever the temperature. With ``labels``, the loss is
    ``alpha * soft + (1 - alpha) * cross_entropy(student_logits, labels)``; without them it
    is the soft part alone (then the data need no labels at all).

    Parameters
    ----------
    student_logits, teacher_logits : torch.Tensor
        Shape ``(batch, classes)``. The teacher's are treated as constants (detached).
    labels : torch.Tensor, optional
        Class indices ``(batch,)``.
    temperature : float, default 4.0
        ``T > 0``; larger values soften both distributions.
    alpha : float, default 0.9
        Weight of the soft part when ``labels`` are given, in ``[0, 1]``.

    Returns
    -------
    torch.Tensor
        A scalar.
    """
    if student_logits.ndim != 2 or student_logits.shape != teacher_logits.shape:
        raise ValueError(
            "distillation_loss: student and teacher logits must both be (batch, classes); got "
            f"{tuple(student_logits.shape)} and {tuple(teacher_logits.shape)}"
        )
    if not temperature > 0:
        raise ValueError(f"distillation_loss: temperature must be positive, got {temperature!r}")
    if not 0 <= alpha <= 1:
        raise ValueError(f"distillation_loss: alpha must lie in [0, 1], got {alpha!r}")
    log_q = F.log_softmax(student_logits / temperature, dim=1)
    log_p = F.log_softmax(teacher_logits.detach() / temperature, dim=1)
    soft = F.kl_div(log_q, log_p, log_target=True, reduction="batchmean") * temperature**2
    if labels is None:
        return soft
    if labels.shape != student_logits.shape[:1]:
        raise ValueError(
            f"distillation_loss: labels must have shape ({student_logits.shape[0]},), "
            f"got {tuple(labels.shape)}"
        )
    return alpha * soft + (1 - alpha) * F.cross_entropy(student_logits, labels)


@torch.no_grad()
def latency(model: nn.Module, x: torch.Tensor, repeats: int = 20) -> float:
    """Seconds per forward pass of ``model`` on ``x``: the fastest of ``repeats`` runs.

    Taught in: Chapter 7, Frontiers (compression). The minimum is the timing least
    disturbed by other programs on the machine. Timings differ from run to run and machine
    to machine: compare them as ratios, and never store them in a notebook's output.
    """
    _check_module(model, "latency")
    if isinstance(repeats, bool) or not isinstance(repeats, int) or repeats < 1:
        raise ValueError(f"latency: repeats must be a positive int, got {repeats!r}")
    was_training = model.training
    model.eval()
    model(x)  # warm-up: first calls allocate and pick kernels
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        model(x)
        best = min(best, time.perf_counter() - start)
    model.train(was_training)
    return best
