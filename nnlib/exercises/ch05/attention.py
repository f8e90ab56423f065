"""Chapter 5, attention: scaled dot-product attention with a mask, and the sinusoidal
positional encoding, each checked against nnlib.torch.attention (itself tested against
torch)."""

from __future__ import annotations

import math

import numpy as np
import torch

from nnlib.exercises import Fail, exercise, expect_close, solution, tensor_floats

__all__: list[str] = []


_numbers = tensor_floats  # the reader's tensor or array, as floats


def _attention_cases():
    from nnlib.torch.attention import causal_mask, padding_mask

    g = torch.Generator().manual_seed(508)
    f64 = torch.float64

    def r(*shape):
        return 2 * torch.randn(*shape, generator=g, dtype=f64)

    return [
        ("no mask", r(1, 3, 4), r(1, 5, 4), r(1, 5, 2), None),
        ("causal mask", r(2, 4, 8), r(2, 4, 8), r(2, 4, 3), causal_mask(4)),
        ("padding mask", r(2, 3, 2), r(2, 5, 2), r(2, 5, 4), padding_mask([5, 2], 5)),
    ]


@exercise("ch05.attention", success="Your attention matches nnlib's (and torch's) on every case.")
def _(attention):
    for name, q, k, v, mask in _attention_cases():
        what = f"attention(...) with {name}"
        got = attention(q.clone(), k.clone(), v.clone(), mask)
        if not isinstance(got, (tuple, list)) or len(got) != 2:
            if got is None:
                raise Fail(f"{what} returned None.", "Did you forget a `return` statement?")
            raise Fail(
                f"{what} returned a {type(got).__name__}, not a pair.",
                "Return two things: `return weights @ v, weights`.",
            )
        out, weights = (_numbers(x, what) for x in got)
        if np.isnan(weights).any():
            raise Fail(
                f"Some rows of the weights of {what} are NaN.",
                "A row is NaN when every key of that query is hidden (softmax of all -inf). "
                "Is your mask inverted? True means 'may attend': hide the scores where the "
                "mask is False.",
            )
        d = q.shape[-1]
        scores = q @ k.transpose(-2, -1)
        allowed = torch.ones_like(scores, dtype=torch.bool) if mask is None else mask
        allowed = allowed.expand_as(scores)

        def soft(s, dim=-1, keep=allowed):
            return torch.softmax(s.masked_fill(~keep, -math.inf), dim=dim).numpy()

        right = soft(scores / math.sqrt(d))
        mistakes = [
            (soft(scores), "Divide the scores by sqrt(d), the width of a query, before softmax."),
            (soft(scores / d), "Divide by the square root of d, not by d itself."),
            (
                soft(scores / math.sqrt(d), dim=-2),
                "Take the softmax over the keys (the last axis, dim=-1): each query's row of "
                "weights must sum to 1.",
            ),
            (
                torch.softmax(scores / math.sqrt(d), -1).numpy() * allowed.numpy(),
                "Mask the scores *before* the softmax (set them to -inf), so that the remaining "
                "weights still sum to 1; zeroing weights afterwards breaks that.",
            ),
        ]
        if mask is not None:
            mistakes.append(
                (
                    soft(scores / math.sqrt(d), keep=~allowed),
                    "The mask is inverted: True means 'may attend'. Hide the positions where "
                    "the mask is False (scores.masked_fill(~mask, -inf)).",
                )
            )
        expect_close(
            weights,
            right,
            f"the weights of {what}",
            "weights = softmax(q @ k.T / sqrt(d)) over the last axis, with masked scores "
            "set to -inf first.",
            atol=1e-9,
            mistakes=mistakes,
        )
        expect_close(
            out,
            (torch.from_numpy(right) @ v).numpy(),
            f"the output of {what}",
            "The output is the weights times the values: weights @ v.",
            atol=1e-9,
        )


@solution("ch05.attention")
def attention(q, k, v, mask=None):
    d = q.shape[-1]
    scores = q @ k.transpose(-2, -1) / math.sqrt(d)
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    return weights @ v, weights


@exercise(
    "ch05.positional_encoding",
    success="Your encodings match nnlib.torch.attention.sinusoidal_positional_encoding.",
)
def _(positional_encoding):
    from nnlib.torch.attention import sinusoidal_positional_encoding

    for length, d_model in ((6, 4), (10, 16), (3, 8)):
        what = f"positional_encoding({length}, {d_model})"
        got = _numbers(positional_encoding(length, d_model), what)
        right = sinusoidal_positional_encoding(length, d_model, dtype=torch.float64).numpy()
        p = np.arange(length)[:, None]
        i = np.arange(d_model // 2)[None, :]
        swapped = np.empty_like(right)
        swapped[:, 0::2], swapped[:, 1::2] = right[:, 1::2], right[:, 0::2]
        angle_i = p / 10000 ** (i / d_model)  # the pair index i where 2i belongs
        no_two = np.empty_like(right)
        no_two[:, 0::2], no_two[:, 1::2] = np.sin(angle_i), np.cos(angle_i)
        halves = np.concatenate([right[:, 0::2], right[:, 1::2]], axis=1)
        expect_close(
            got,
            right,
            what,
            "PE[p, 2i] = sin(p / 10000**(2i / d_model)) and PE[p, 2i + 1] = cos(the same "
            "angle), for positions p = 0 .. length - 1.",
            atol=1e-9,
            mistakes=[
                (swapped, "Sine and cosine are swapped: even columns get the sine."),
                (
                    no_two,
                    "The exponent is 2i / d_model, where 2i is the even column index (0, 2, "
                    "4, ...), not the pair number i.",
                ),
                (
                    halves,
                    "Interleave the columns (sin, cos, sin, cos, ...) rather than putting all "
                    "sines first: use pe[:, 0::2] and pe[:, 1::2].",
                ),
            ],
        )


@solution("ch05.positional_encoding")
def positional_encoding(length, d_model):
    position = torch.arange(length, dtype=torch.float64)[:, None]
    two_i = torch.arange(0, d_model, 2, dtype=torch.float64)
    angle = position / 10000 ** (two_i / d_model)
    pe = torch.zeros(length, d_model, dtype=torch.float64)
    pe[:, 0::2] = torch.sin(angle)
    pe[:, 1::2] = torch.cos(angle)
    return pe
