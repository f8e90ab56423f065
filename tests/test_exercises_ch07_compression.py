"""Checkers of Chapter 7, compression: typical wrong answers get their hint."""

from __future__ import annotations

import torch
from exercise_helpers import assert_hint, forgot_return, rejected


def _kl(p_logits, q_logits, T):
    log_p, log_q = torch.log_softmax(p_logits / T, 1), torch.log_softmax(q_logits / T, 1)
    return (log_p.exp() * (log_p - log_q)).sum(1)


def test_soft_distillation_without_t_squared():
    assert_hint(rejected("ch07.soft_distillation", lambda s, t, T: _kl(t, s, T).mean()), "T**2")


def test_soft_distillation_reversed_kl():
    assert_hint(
        rejected("ch07.soft_distillation", lambda s, t, T: T**2 * _kl(s, t, T).mean()),
        "not symmetric",
    )


def test_soft_distillation_mean_over_everything():
    def mean_all(s, t, T):
        log_p, log_q = torch.log_softmax(t / T, 1), torch.log_softmax(s / T, 1)
        return T**2 * (log_p.exp() * (log_p - log_q)).mean()

    assert_hint(rejected("ch07.soft_distillation", mean_all), "batchmean")


def test_soft_distillation_no_temperature():
    assert_hint(
        rejected("ch07.soft_distillation", lambda s, t, T: T**2 * _kl(t, s, 1.0).mean()),
        "Divide both sets of logits by T",
    )


def test_soft_distillation_per_row():
    assert_hint(
        rejected("ch07.soft_distillation", lambda s, t, T: T**2 * _kl(t, s, T)), "one number"
    )


def test_soft_distillation_not_differentiable():
    def with_item(s, t, T):
        return torch.tensor((T**2 * _kl(t, s, T).mean()).item(), dtype=torch.float64)

    assert_hint(rejected("ch07.soft_distillation", with_item), "differentiate")


def test_soft_distillation_forgot_return():
    assert_hint(rejected("ch07.soft_distillation", forgot_return), "return")


def test_quantize_one_scale_for_all():
    def one_scale(W):
        s = W.abs().max() / 127
        return torch.round(W / s).to(torch.int8), s.expand(W.shape[0]).clone()

    assert_hint(rejected("ch07.quantize_rows", one_scale), "One scale per row")


def test_quantize_divide_by_128():
    def by_128(W):
        s = W.abs().amax(dim=1) / 128
        return torch.round(W / s[:, None]).to(torch.int8), s

    assert_hint(rejected("ch07.quantize_rows", by_128), "127")


def test_quantize_truncates():
    def truncates(W):
        s = W.abs().amax(dim=1) / 127
        return (W / s[:, None]).to(torch.int8), s

    assert_hint(rejected("ch07.quantize_rows", truncates), "torch.round")


def test_quantize_no_abs():
    def no_abs(W):
        s = W.amax(dim=1) / 127
        return torch.round(W / s[:, None]).clamp(-127, 127).to(torch.int8), s

    assert_hint(rejected("ch07.quantize_rows", no_abs), "absolute values")


def test_quantize_float_dtype():
    def float_q(W):
        s = W.abs().amax(dim=1) / 127
        return torch.round(W / s[:, None]), s

    assert_hint(rejected("ch07.quantize_rows", float_q), "torch.int8")


def _per_layer(weights, amount):
    masks = []
    for w in weights:
        keep = torch.ones(w.numel(), dtype=torch.bool)
        keep[w.abs().flatten().argsort()[: round(amount * w.numel())]] = False
        masks.append(keep.reshape(w.shape))
    return masks


def _global(weights, amount, key=torch.abs, invert=False):
    flat = torch.cat([key(w).flatten() for w in weights])
    keep = torch.ones(flat.numel(), dtype=torch.bool)
    keep[flat.argsort()[: round(amount * flat.numel())]] = False
    if invert:
        keep = ~keep
    return [
        m.reshape(w.shape)
        for m, w in zip(keep.split([w.numel() for w in weights]), weights, strict=True)
    ]


def test_prune_per_layer():
    assert_hint(rejected("ch07.global_prune_masks", _per_layer), "Rank all the weights together")


def test_prune_inverted_mask():
    wrong = lambda ws, a: _global(ws, a, invert=True)  # noqa: E731
    assert_hint(rejected("ch07.global_prune_masks", wrong), "kept")


def test_prune_signed_values():
    wrong = lambda ws, a: _global(ws, a, key=lambda w: w)  # noqa: E731
    assert_hint(rejected("ch07.global_prune_masks", wrong), "|w|")


def test_prune_flat_masks():
    def flat(ws, a):
        return [m.flatten() for m in _global(ws, a)]

    assert_hint(rejected("ch07.global_prune_masks", flat), "reshape")
