"""Chapter 5, a small Transformer: multi-head attention from weight matrices, and the wiring of
a pre-norm encoder block, each checked against nnlib.torch (itself tested against torch)."""

from __future__ import annotations

import math

import torch

from nnlib.exercises import Fail, exercise, expect_close, solution
from nnlib.exercises.ch05.attention import _numbers

__all__: list[str] = []


def _multi_head_case(seed, batch, length, d_model):
    g = torch.Generator().manual_seed(seed)

    def r(*shape):
        return torch.randn(*shape, generator=g, dtype=torch.float64)

    scale = 1 / math.sqrt(d_model)
    x = r(batch, length, d_model)
    return x, *(scale * r(d_model, d_model) for _ in range(4))


def _mha_reference(x, W_q, W_k, W_v, W_o, num_heads, variant="right"):
    """Multi-head attention, right or with one typical mistake."""
    B, L, d = x.shape
    h = d // num_heads

    def split(t):
        if variant == "no_transpose":  # reshapes straight to (B, heads, L, h)
            return t.reshape(B, num_heads, L, h)
        return t.reshape(B, L, num_heads, h).transpose(1, 2)

    q, k, v = split(x @ W_q), split(x @ W_k), split(x @ W_v)
    width = d if variant == "sqrt_d_model" else h
    weights = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(width), dim=-1)
    heads = weights @ v  # (B, heads, L, h)
    if variant in ("no_transpose", "merge_no_transpose"):
        joined = heads.reshape(B, L, d)
    else:
        joined = heads.transpose(1, 2).reshape(B, L, d)
    return joined if variant == "no_output" else joined @ W_o


@exercise(
    "ch05.multi_head",
    success="Your multi-head attention matches nnlib.torch.attention.MultiHeadAttention.",
)
def _(multi_head_attention):
    from nnlib.torch.attention import MultiHeadAttention

    for seed, (batch, length, d_model, num_heads) in enumerate(
        [(1, 4, 4, 2), (2, 5, 12, 3), (2, 3, 8, 4)]
    ):
        x, W_q, W_k, W_v, W_o = _multi_head_case(509 + seed, batch, length, d_model)
        what = f"multi_head_attention(x {tuple(x.shape)}, ..., num_heads={num_heads})"
        got = _numbers(multi_head_attention(x.clone(), W_q, W_k, W_v, W_o, num_heads), what)
        mha = MultiHeadAttention(d_model, num_heads, bias=False).double()
        with torch.no_grad():  # nn.Linear computes x @ weight.T
            for proj, W in zip(
                (mha.q_proj, mha.k_proj, mha.v_proj, mha.out_proj),
                (W_q, W_k, W_v, W_o),
                strict=True,
            ):
                proj.weight.copy_(W.T)
            right = mha(x)[0].numpy()
        wrong = {
            v: _mha_reference(x, W_q, W_k, W_v, W_o, num_heads, v).numpy()
            for v in ("no_transpose", "merge_no_transpose", "sqrt_d_model", "no_output")
        }
        expect_close(
            got,
            right,
            what,
            "Project (x @ W_q, ...), split the last axis into heads, attend in each head, "
            "join the heads and project with W_o.",
            atol=1e-9,
            mistakes=[
                (
                    wrong["no_transpose"],
                    "Splitting heads: reshape to (batch, length, heads, head_dim) first, then "
                    "swap axes 1 and 2. A direct reshape to (batch, heads, length, head_dim) "
                    "mixes positions into the heads.",
                ),
                (
                    wrong["merge_no_transpose"],
                    "Joining heads: swap the heads axis back next to head_dim "
                    "(.transpose(1, 2)) before reshaping to (batch, length, d_model).",
                ),
                (
                    wrong["sqrt_d_model"],
                    "Scale by the square root of a head's width (d_model // num_heads), "
                    "not of d_model: the dot products are over head_dim numbers.",
                ),
                (wrong["no_output"], "Finish with the output projection: joined @ W_o."),
            ],
        )


@solution("ch05.multi_head")
def multi_head_attention(x, W_q, W_k, W_v, W_o, num_heads):
    batch, length, d_model = x.shape
    head_dim = d_model // num_heads

    def split(t):  # (batch, length, d_model) -> (batch, heads, length, head_dim)
        return t.reshape(batch, length, num_heads, head_dim).transpose(1, 2)

    q, k, v = split(x @ W_q), split(x @ W_k), split(x @ W_v)
    weights = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(head_dim), dim=-1)
    heads = weights @ v
    joined = heads.transpose(1, 2).reshape(batch, length, d_model)
    return joined @ W_o


def _block_parts(seed):
    from nnlib.torch.transformer import EncoderBlock

    torch.manual_seed(seed)
    block = EncoderBlock(6, 2, 12).double()
    with torch.no_grad():  # LayerNorm weights off their defaults, so each norm matters
        for norm in (block.norm1, block.norm2):
            norm.weight.uniform_(0.5, 2.0)
            norm.bias.normal_()

    def attention(h):
        return block.attention(h)[0]

    return block, attention, block.feed_forward, block.norm1, block.norm2


@exercise("ch05.encoder_block", success="Your block matches nnlib.torch.transformer.EncoderBlock.")
def _(encoder_block):
    for seed in (510, 511):
        block, attention, ff, norm1, norm2 = _block_parts(seed)
        x = torch.randn(2, 5, 6, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
        what = "encoder_block(x, attention, feed_forward, norm1, norm2)"
        with torch.no_grad():
            got = encoder_block(x.clone(), attention, ff, norm1, norm2)
            got = _numbers(got, what)
            right = block(x)[0].numpy()
            post = norm1(x + attention(x))
            post = norm2(post + ff(post)).numpy()
            no_res = ff(norm2(attention(norm1(x)))).numpy()
            h = norm1(x)
            normed_res = h + attention(h)
            normed_res = (normed_res + ff(norm2(normed_res))).numpy()
            one_norm = x + attention(norm1(x))
            one_norm = (one_norm + ff(norm1(one_norm))).numpy()
            parallel = (x + attention(norm1(x)) + ff(norm2(x))).numpy()
        if got.shape != right.shape:
            raise Fail(
                f"{what} has shape {got.shape}; expected {right.shape}.",
                "Each step adds to x, so the shape never changes.",
            )
        expect_close(
            got,
            right,
            what,
            "Two residual steps: x = x + attention(norm1(x)), then x + feed_forward(norm2(x)).",
            atol=1e-9,
            mistakes=[
                (
                    post,
                    "That is the original post-norm block (normalise after adding). Here the "
                    "norm comes first, inside each branch: x + attention(norm1(x)).",
                ),
                (no_res, "Keep the residual connections: add each branch's output to x."),
                (
                    normed_res,
                    "Add the branch to the un-normalised x: x + attention(norm1(x)), not "
                    "norm1(x) + attention(norm1(x)).",
                ),
                (one_norm, "Use norm2, not norm1, before the feed-forward network."),
                (
                    parallel,
                    "The feed-forward step reads the output of the attention step, not the "
                    "block's input: update x in between.",
                ),
            ],
        )


@solution("ch05.encoder_block")
def encoder_block(x, attention, feed_forward, norm1, norm2):
    x = x + attention(norm1(x))
    x = x + feed_forward(norm2(x))
    return x
