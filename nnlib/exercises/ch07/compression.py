"""Chapter 7, compression: the soft distillation loss, int8 quantisation of a weight matrix
and the masks of global magnitude pruning."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn
from torch.nn.utils import prune

from nnlib.exercises import Fail, exercise, expect_close, solution, tensor_floats

__all__: list[str] = []


def _logit_cases():
    g = torch.Generator().manual_seed(7)
    yield (
        torch.randn(5, 4, generator=g, dtype=torch.float64) * 3,
        torch.randn(5, 4, generator=g, dtype=torch.float64) * 3,
        4.0,
    )
    yield (
        torch.randn(3, 10, generator=g, dtype=torch.float64),
        torch.randn(3, 10, generator=g, dtype=torch.float64) * 5,
        2.0,
    )
    yield (
        torch.randn(2, 3, generator=g, dtype=torch.float64) * 2,
        torch.randn(2, 3, generator=g, dtype=torch.float64),
        1.0,
    )


def _kl(p_logits, q_logits, T, reduce="batch"):
    """T**2 KL(softmax(p/T) || softmax(q/T)) with the given reduction (numpy, float64)."""

    def log_softmax(z):
        z = z / T
        z = z - z.max(axis=1, keepdims=True)
        return z - np.log(np.exp(z).sum(axis=1, keepdims=True))

    lp, lq = log_softmax(p_logits), log_softmax(q_logits)
    terms = np.exp(lp) * (lp - lq)
    per_row = terms.sum(axis=1)
    if reduce == "batch":
        return per_row.mean()
    return terms.mean()


@exercise("ch07.soft_distillation", success="Your soft distillation loss matches nnlib's.")
def _(soft_distillation):
    for student, teacher, T in _logit_cases():
        what = f"soft_distillation(student, teacher, T={T}) on a batch of {student.shape[0]}"
        s, t = student.numpy(), teacher.numpy()
        got = soft_distillation(student.clone(), teacher.clone(), T)
        got = tensor_floats(got, what)
        if got.ndim != 0 and got.size != 1:
            raise Fail(
                f"{what} returned an array of shape {got.shape}.",
                "Return one number: sum over the classes, then average over the batch.",
            )
        got = got.reshape(())
        right = T**2 * _kl(t, s, T)
        mistakes = [
            (_kl(t, s, T), "Multiply by T**2: it keeps the gradients the same size for any T."),
            (
                T**2 * _kl(s, t, T),
                "KL is not symmetric: it is KL(teacher || student), the "
                "teacher's probabilities weight the log ratio.",
            ),
            (
                T**2 * _kl(t, s, T, reduce="all"),
                "Average over the batch only: sum over the "
                "classes first (reduction='batchmean', not 'mean').",
            ),
            (
                _kl(t, s, 1.0),
                "Divide both sets of logits by T before the softmax, and multiply by T**2.",
            ),
            (T * _kl(t, s, T), "The factor is T**2, not T."),
        ]
        if T != 1.0:
            mistakes.append(
                (T**2 * _kl(t, s, 1.0), "Divide both sets of logits by T before the softmax.")
            )
        expect_close(
            got,
            right,
            what,
            "Compute log p = log_softmax(teacher / T) and log q = log_softmax(student / T) "
            "along dim=1; the loss is T**2 * mean over rows of sum(p * (log p - log q)).",
            atol=1e-9,
            rtol=1e-9,
            mistakes=mistakes,
            fmt=lambda v: f"{float(v):.6g}",
        )
    student, teacher, T = next(_logit_cases())
    student = student.clone().requires_grad_(True)
    loss = soft_distillation(student, teacher.clone(), T)
    if not isinstance(loss, torch.Tensor) or loss.grad_fn is None:
        raise Fail(
            "soft_distillation returned a value that torch cannot differentiate.",
            "Compute with torch functions on the tensors (not numpy, not .item()), so that "
            "the student can be trained with the loss.",
        )


@solution("ch07.soft_distillation")
def soft_distillation(student_logits, teacher_logits, T):
    log_q = torch.log_softmax(student_logits / T, dim=1)
    log_p = torch.log_softmax(teacher_logits / T, dim=1)
    kl = (log_p.exp() * (log_p - log_q)).sum(dim=1)
    return T**2 * kl.mean()


def _weight_cases():
    g = torch.Generator().manual_seed(3)
    yield torch.randn(4, 6, generator=g)
    w = torch.randn(3, 5, generator=g) * torch.tensor([[0.01], [1.0], [30.0]])
    yield w  # rows of very different sizes: one scale per row matters
    yield torch.tensor([[0.5, -1.0, 0.26], [-2.0, 0.01, 1.99]])


@exercise("ch07.quantize_rows", success="Your int8 quantisation matches nnlib's quantize_int8.")
def _(quantize_rows):
    for W in _weight_cases():
        what = f"quantize_rows(W) for W of shape {tuple(W.shape)}"
        got = quantize_rows(W.clone())
        if not isinstance(got, tuple | list) or len(got) != 2:
            raise Fail(f"{what} returned {type(got).__name__}.", "Return the pair (q, s).")
        q, s = got
        s = tensor_floats(s, what + "[1]")
        if s.shape != (W.shape[0],):
            raise Fail(
                f"the scales have shape {s.shape}; expected ({W.shape[0]},).",
                "One scale per row: the maximum of |W| along dim=1, divided by 127.",
            )
        s_right = W.abs().amax(dim=1).double().numpy() / 127
        expect_close(
            s,
            s_right,
            what + ": the scales",
            "s[i] = max_j |W[i, j]| / 127: take absolute values before the maximum.",
            atol=1e-7,
            rtol=1e-5,
            mistakes=[
                (
                    np.full_like(s_right, W.abs().max().item() / 127),
                    "One scale per row (max along dim=1), not one for the whole matrix.",
                ),
                (
                    W.abs().amax(dim=0).double().numpy()[: len(s_right)] / 127,
                    "Rows are dim=1: the maximum runs along each row.",
                ),
                (s_right * 127 / 128, "Divide by 127 (the largest int8 used), not 128."),
                (s_right * 127 / 255, "Divide by 127: the values are symmetric in [-127, 127]."),
            ],
        )
        if not isinstance(q, torch.Tensor) or q.dtype != torch.int8:
            raise Fail(
                f"{what}: q has type {getattr(q, 'dtype', type(q).__name__)}.",
                "Convert with .to(torch.int8) after rounding.",
            )
        ratio = W / (W.abs().amax(dim=1) / 127)[:, None]  # in W's own dtype, as the reader
        expect_close(
            q.double().numpy(),
            torch.round(ratio).numpy(),
            what + ": the integers",
            "q = round(W / s[:, None]): divide each row by its own scale, then round.",
            atol=0,
            mistakes=[
                (
                    torch.trunc(ratio).numpy(),
                    "Round to the nearest integer (torch.round) "
                    "before converting: .to(torch.int8) alone truncates towards zero.",
                ),
            ],
        )


@solution("ch07.quantize_rows")
def quantize_rows(W):
    s = W.abs().amax(dim=1) / 127
    q = torch.round(W / s[:, None]).to(torch.int8)
    return q, s


def _prune_cases():
    g = torch.Generator().manual_seed(11)
    big = torch.randn(4, 5, generator=g) * 3
    small = torch.randn(6, 2, generator=g) * 0.3
    yield [big, small], 0.5
    yield [torch.randn(3, 3, generator=g), torch.randn(8, generator=g)], 0.7
    yield [torch.randn(2, 4, generator=g)], 0.25


def _torch_masks(weights, amount):
    holders = [nn.Module() for _ in weights]
    for h, w in zip(holders, weights, strict=True):
        h.weight = nn.Parameter(w.clone())
    prune.global_unstructured(
        [(h, "weight") for h in holders], pruning_method=prune.L1Unstructured, amount=amount
    )
    return [h.weight_mask.bool() for h in holders]


def _per_layer_masks(weights, amount):
    masks = []
    for w in weights:
        k = round(amount * w.numel())
        mask = torch.ones(w.numel(), dtype=torch.bool)
        mask[w.abs().flatten().argsort()[:k]] = False
        masks.append(mask.reshape(w.shape))
    return masks


@exercise("ch07.global_prune_masks", success="Your masks agree with torch's global pruning.")
def _(global_prune_masks):
    for weights, amount in _prune_cases():
        shapes = [tuple(w.shape) for w in weights]
        what = f"global_prune_masks(weights of shapes {shapes}, {amount})"
        got = global_prune_masks([w.clone() for w in weights], amount)
        if got is None:
            raise Fail(f"{what} returned None.", "Did you forget a `return` statement?")
        if len(got) != len(weights):
            raise Fail(f"{what} returned {len(got)} masks.", "Return one mask per tensor.")
        got = [torch.as_tensor(m) for m in got]
        if [tuple(m.shape) for m in got] != shapes:
            raise Fail(
                f"{what} returned masks of shapes {[tuple(m.shape) for m in got]}.",
                "Each mask has the shape of its weight tensor: reshape the flat mask back.",
            )
        got = [m.bool() for m in got]
        right = _torch_masks(weights, amount)
        if all(torch.equal(a, b) for a, b in zip(got, right, strict=True)):
            continue
        n_zero, n_right = sum(int((~m).sum()) for m in got), sum(int((~m).sum()) for m in right)
        if all(torch.equal(a, ~b) for a, b in zip(got, right, strict=True)):
            hint = "The mask is True for the weights that are *kept* (the large ones)."
        elif all(
            torch.equal(a, b) for a, b in zip(got, _per_layer_masks(weights, amount), strict=True)
        ):
            hint = (
                "Rank all the weights together (concatenate the flattened tensors), "
                "not each layer on its own."
            )
        elif n_zero != n_right:
            hint = f"Prune exactly round(amount * n) = {n_right} weights; you pruned {n_zero}."
        else:
            hint = (
                "Rank by magnitude, |w|: a large negative weight matters as much as a "
                "large positive one."
            )
        raise Fail(f"{what} gave masks that differ from torch's.", hint)


@solution("ch07.global_prune_masks")
def global_prune_masks(weights, amount):
    flat = torch.cat([w.abs().flatten() for w in weights])
    smallest = flat.argsort()[: round(amount * flat.numel())]
    keep = torch.ones(flat.numel(), dtype=torch.bool)
    keep[smallest] = False
    sizes = [w.numel() for w in weights]
    return [m.reshape(w.shape) for m, w in zip(keep.split(sizes), weights, strict=True)]
