"""Checkers of Chapter 5, attention and the Transformer: the solutions pass, the stub gets
"Not yet", and typical wrong answers get their targeted hint."""

from __future__ import annotations

import math

import pytest

torch = pytest.importorskip("torch")
from exercise_helpers import assert_hint, assert_passes, assert_stub_not_yet, rejected  # noqa: E402

from nnlib.exercises import reference_solution  # noqa: E402

IDS = ["ch05.attention", "ch05.positional_encoding", "ch05.multi_head", "ch05.encoder_block"]


@pytest.mark.parametrize("exercise_id", IDS)
def test_solution_passes(exercise_id):
    assert_passes(exercise_id, reference_solution(exercise_id))


@pytest.mark.parametrize("exercise_id", IDS)
def test_stub_is_not_yet(exercise_id):
    assert_stub_not_yet(exercise_id)


@pytest.mark.parametrize("exercise_id", IDS)
def test_returning_none_is_explained(exercise_id):
    assert_hint(rejected(exercise_id, lambda *a, **k: None), "return")


# --- attention ---------------------------------------------------------------------------


def attention_with(scale=math.sqrt, dim=-1, invert=False, zero_after=False):
    def attention(q, k, v, mask=None):
        scores = q @ k.transpose(-2, -1) / scale(q.shape[-1])
        if mask is not None and not zero_after:
            scores = scores.masked_fill(mask if invert else ~mask, float("-inf"))
        weights = torch.softmax(scores, dim=dim)
        if mask is not None and zero_after:
            weights = weights * mask
        return weights @ v, weights

    return attention


@pytest.mark.parametrize(
    ("answer", "fragment"),
    [
        (attention_with(scale=lambda d: 1.0), "sqrt(d)"),
        (attention_with(scale=lambda d: d), "not by d itself"),
        (attention_with(dim=-2), "dim=-1"),
        (attention_with(invert=True), "inverted"),
        (attention_with(zero_after=True), "before* the softmax"),
    ],
)
def test_attention_mistakes(answer, fragment):
    assert_hint(rejected("ch05.attention", answer), fragment)


def test_attention_must_return_a_pair():
    def output_only(q, k, v, mask=None):
        return reference_solution("ch05.attention")(q, k, v, mask)[0]

    assert_hint(rejected("ch05.attention", output_only), "Return two things")


# --- positional encoding -------------------------------------------------------------------


def encoding(swap=False, no_two=False, halves=False):
    def positional_encoding(length, d_model):
        p = torch.arange(length, dtype=torch.float64)[:, None]
        i = torch.arange(d_model // 2, dtype=torch.float64)
        angle = p / 10000 ** ((i if no_two else 2 * i) / d_model)
        first, second = (torch.cos, torch.sin) if swap else (torch.sin, torch.cos)
        if halves:
            return torch.cat([first(angle), second(angle)], dim=1)
        pe = torch.zeros(length, d_model, dtype=torch.float64)
        pe[:, 0::2], pe[:, 1::2] = first(angle), second(angle)
        return pe

    return positional_encoding


@pytest.mark.parametrize(
    ("answer", "fragment"),
    [
        (encoding(swap=True), "swapped"),
        (encoding(no_two=True), "not the pair number"),
        (encoding(halves=True), "Interleave"),
    ],
)
def test_positional_encoding_mistakes(answer, fragment):
    assert_hint(rejected("ch05.positional_encoding", answer), fragment)


# --- multi-head attention ------------------------------------------------------------------


def multi_head_with(split_transpose=True, merge_transpose=True, width="head", output=True):
    def multi_head_attention(x, W_q, W_k, W_v, W_o, num_heads):
        B, L, d = x.shape
        h = d // num_heads

        def split(t):
            if split_transpose:
                return t.reshape(B, L, num_heads, h).transpose(1, 2)
            return t.reshape(B, num_heads, L, h)

        q, k, v = split(x @ W_q), split(x @ W_k), split(x @ W_v)
        scale = math.sqrt(h if width == "head" else d)
        heads = torch.softmax(q @ k.transpose(-2, -1) / scale, dim=-1) @ v
        joined = (heads.transpose(1, 2) if merge_transpose else heads).reshape(B, L, d)
        return joined @ W_o if output else joined

    return multi_head_attention


@pytest.mark.parametrize(
    ("answer", "fragment"),
    [
        (multi_head_with(split_transpose=False, merge_transpose=False), "Splitting heads"),
        (multi_head_with(merge_transpose=False), "Joining heads"),
        (multi_head_with(width="model"), "head's width"),
        (multi_head_with(output=False), "output projection"),
    ],
)
def test_multi_head_mistakes(answer, fragment):
    assert_hint(rejected("ch05.multi_head", answer), fragment)


# --- encoder block -------------------------------------------------------------------------


def post_norm(x, attention, feed_forward, norm1, norm2):
    x = norm1(x + attention(x))
    return norm2(x + feed_forward(x))


def no_residual(x, attention, feed_forward, norm1, norm2):
    return feed_forward(norm2(attention(norm1(x))))


def residual_on_normed(x, attention, feed_forward, norm1, norm2):
    h = norm1(x)
    x = h + attention(h)
    return x + feed_forward(norm2(x))


def same_norm(x, attention, feed_forward, norm1, norm2):
    x = x + attention(norm1(x))
    return x + feed_forward(norm1(x))


def parallel(x, attention, feed_forward, norm1, norm2):
    return x + attention(norm1(x)) + feed_forward(norm2(x))


@pytest.mark.parametrize(
    ("answer", "fragment"),
    [
        (post_norm, "post-norm"),
        (no_residual, "residual connections"),
        (residual_on_normed, "un-normalised x"),
        (same_norm, "norm2, not norm1"),
        (parallel, "update x in between"),
    ],
)
def test_encoder_block_mistakes(answer, fragment):
    assert_hint(rejected("ch05.encoder_block", answer), fragment)
