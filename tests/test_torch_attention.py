"""Attention from its equations (nnlib.torch.attention) and the Transformer blocks
(nnlib.torch.transformer) against their torch twins: values and gradients, float64, 1e-10."""

from __future__ import annotations

import math

import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402
from torch.nn import functional as F  # noqa: E402

from nnlib.torch.attention import (  # noqa: E402
    MultiHeadAttention,
    PositionalEncoding,
    causal_mask,
    padding_mask,
    scaled_dot_product_attention,
    sinusoidal_positional_encoding,
)
from nnlib.torch.transformer import (  # noqa: E402
    EncoderBlock,
    TransformerEncoder,
    sequence_cross_entropy,
    token_accuracy,
)

F64 = torch.float64
TOL = dict(atol=1e-10, rtol=0)


def rand(*shape, seed=0, grad=True):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(*shape, generator=g, dtype=F64).requires_grad_(grad)


def grads_of(out, *leaves):
    w = torch.randn(out.shape, generator=torch.Generator().manual_seed(9), dtype=F64)
    return torch.autograd.grad((out * w).sum(), leaves)


def assert_close(a, b):
    torch.testing.assert_close(a, b, **TOL)


# ------------------------------------------------------------------ scaled dot-product attention


@pytest.mark.parametrize(
    "mask_kind", [None, "causal", "padding", "random", "broadcast_batch", "cross"]
)
def test_sdpa_matches_torch_values_and_gradients(mask_kind):
    B, H, Lq, Lk, d, dv = 3, 2, 5, 5, 4, 6
    if mask_kind == "cross":
        Lk = 7
    q, k, v = rand(B, H, Lq, d, seed=1), rand(B, H, Lk, d, seed=2), rand(B, H, Lk, dv, seed=3)
    mask = None
    if mask_kind == "causal":
        mask = causal_mask(Lq)
    elif mask_kind == "padding":
        mask = padding_mask([5, 3, 1], Lk)[:, None]  # (B, 1, 1, Lk)
    elif mask_kind == "random":
        mask = torch.rand(B, H, Lq, Lk, generator=torch.Generator().manual_seed(4)) < 0.6
        mask[..., 0] = True  # every query keeps at least one key
    elif mask_kind == "broadcast_batch":
        mask = causal_mask(Lq)[None, None].expand(B, 1, Lq, Lk)
    out, weights = scaled_dot_product_attention(q, k, v, mask)
    ref = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    assert_close(out, ref)
    assert_close(weights.sum(-1), torch.ones(B, H, Lq, dtype=F64))
    if mask is not None:
        assert torch.all(weights.masked_select(~mask.expand_as(weights)) == 0)
    assert_close(grads_of(out, q, k, v), grads_of(ref, q, k, v))


def test_sdpa_scaling_by_sqrt_d():
    q, k, v = rand(1, 2, 8, seed=1), rand(1, 3, 8, seed=2), rand(1, 3, 2, seed=3)
    _, w = scaled_dot_product_attention(q, k, v)
    assert_close(w, torch.softmax(q @ k.transpose(1, 2) / math.sqrt(8), dim=-1))


def test_sdpa_errors():
    q = rand(2, 4, 3)
    with pytest.raises(ValueError, match="does not fit attention scores"):
        scaled_dot_product_attention(q, q, q, torch.ones(4, 5, dtype=torch.bool))
    with pytest.raises(ValueError, match="does not fit attention scores"):
        scaled_dot_product_attention(q, q, q, torch.ones(3, 4, 4, dtype=torch.bool))
    with pytest.raises(ValueError, match="does not fit attention scores"):
        scaled_dot_product_attention(q, q, q, torch.ones(4, dtype=torch.bool))
    with pytest.raises(TypeError, match="boolean tensor"):
        scaled_dot_product_attention(q, q, q, torch.ones(4, 4))
    with pytest.raises(ValueError, match="same width"):
        scaled_dot_product_attention(q, rand(2, 4, 5), q)
    with pytest.raises(ValueError, match="one row per position"):
        scaled_dot_product_attention(q, q, rand(2, 3, 3))
    with pytest.raises(ValueError, match=r"\(\.\.\., length, width\)"):
        scaled_dot_product_attention(rand(3), rand(3), rand(3))
    with pytest.raises(TypeError, match="torch.Tensor"):
        scaled_dot_product_attention([[1.0]], q, q)


def test_masks():
    assert causal_mask(3).tolist() == [[True, False, False], [True, True, False], [True] * 3]
    m = padding_mask([2, 4], 4)
    assert m.shape == (2, 1, 4) and m.tolist() == [[[True, True, False, False]], [[True] * 4]]
    with pytest.raises(ValueError, match="positive integer"):
        causal_mask(0)
    with pytest.raises(ValueError, match="between 1 and 4"):
        padding_mask([2, 5], 4)
    with pytest.raises(ValueError, match="one per sequence"):
        padding_mask([[2]], 4)


# ------------------------------------------------------------------------ multi-head attention


def torch_mha(d_model=8, heads=2, bias=True, seed=0):
    torch.manual_seed(seed)
    ref = nn.MultiheadAttention(d_model, heads, bias=bias, batch_first=True).double()
    if bias:  # torch starts its biases at zero: make them count
        with torch.no_grad():
            ref.in_proj_bias.normal_()
            ref.out_proj.bias.normal_()
    mine = MultiHeadAttention(d_model, heads, bias=bias).double().load_from_torch(ref)
    return mine, ref


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("kind", ["self", "causal", "padding", "cross", "per_batch"])
def test_mha_matches_torch_values_and_gradients(kind, bias):
    mine, ref = torch_mha(bias=bias)
    B, L = 3, 5
    x = rand(B, L, 8, seed=1)
    kv = rand(B, 7, 8, seed=2) if kind == "cross" else x
    mask = None
    if kind == "causal":
        mask = causal_mask(L)
    elif kind == "padding":
        mask = padding_mask([5, 2, 4], L)
    elif kind == "per_batch":
        mask = torch.rand(B, L, L, generator=torch.Generator().manual_seed(3)) < 0.5
        mask[..., 0] = True
    out, w = mine(x, kv, kv, mask=mask)
    torch_kw = {}
    if kind == "causal":
        torch_kw["attn_mask"] = ~mask  # torch's MultiheadAttention: True = blocked
    elif kind == "padding":
        torch_kw["key_padding_mask"] = ~mask[:, 0]
    elif kind == "per_batch":  # torch wants (batch * heads, Lq, Lk)
        torch_kw["attn_mask"] = (~mask).repeat_interleave(2, dim=0)
    ref_out, ref_w = ref(x, kv, kv, average_attn_weights=False, **torch_kw)
    assert out.shape == (B, L, 8) and w.shape == (B, 2, L, kv.shape[1])
    assert_close(out, ref_out)
    assert_close(w, ref_w)
    inputs = [x, kv] if kind == "cross" else [x]
    names, ref_names = dict(mine.named_parameters()), dict(ref.named_parameters())
    grads = grads_of(out, *inputs, *names.values())
    ref_grads = grads_of(ref_out, *inputs, *ref_names.values())
    n = len(inputs)
    assert_close(grads[:n], ref_grads[:n])
    # parameter gradients: torch packs the q, k, v projections into one matrix
    mine_grads = dict(zip(names, grads[n:], strict=True))
    ref_grads = dict(zip(ref_names, ref_grads[n:], strict=True))
    packed = torch.cat([mine_grads[f"{p}_proj.weight"] for p in "qkv"])
    assert_close(packed, ref_grads["in_proj_weight"])
    assert_close(mine_grads["out_proj.weight"], ref_grads["out_proj.weight"])
    if bias:
        packed = torch.cat([mine_grads[f"{p}_proj.bias"] for p in "qkv"])
        assert_close(packed, ref_grads["in_proj_bias"])
        assert_close(mine_grads["out_proj.bias"], ref_grads["out_proj.bias"])


def test_mha_errors():
    with pytest.raises(ValueError, match="does not divide d_model=10"):
        MultiHeadAttention(10, 3)
    with pytest.raises(ValueError, match="positive integer"):
        MultiHeadAttention(8, 0)
    mha = MultiHeadAttention(8, 2)
    x = torch.randn(2, 5, 8)
    with pytest.raises(ValueError, match=r"add the batch axis: query.unsqueeze\(0\)"):
        mha(torch.randn(5, 8))
    with pytest.raises(ValueError, match="built for d_model=8"):
        mha(torch.randn(2, 5, 6))
    with pytest.raises(ValueError, match="does not fit attention scores"):
        mha(x, mask=torch.ones(5, 4, dtype=torch.bool))
    with pytest.raises(ValueError, match="does not fit attention scores"):
        mha(x, mask=torch.ones(3, 5, 5, dtype=torch.bool))  # batch of 2, not 3
    with pytest.raises(TypeError, match="boolean tensor"):
        mha(x, mask=torch.ones(5, 5))
    with pytest.raises(ValueError, match="same batch size"):
        mha(x, torch.randn(3, 5, 8))
    with pytest.raises(ValueError, match="same length"):
        mha(x, torch.randn(2, 5, 8), torch.randn(2, 4, 8))
    with pytest.raises(ValueError, match="sizes differ"):
        mha.load_from_torch(nn.MultiheadAttention(8, 4))


# ------------------------------------------------------------------------ positional encodings


def test_positional_encoding_formula():
    pe = sinusoidal_positional_encoding(12, 6, dtype=F64)
    for p in range(12):
        for i in range(3):
            angle = p / 10000 ** (2 * i / 6)
            assert abs(pe[p, 2 * i] - math.sin(angle)) < 1e-12
            assert abs(pe[p, 2 * i + 1] - math.cos(angle)) < 1e-12
    assert sinusoidal_positional_encoding(4, 5).shape == (4, 5)


def test_positional_encoding_shift_is_a_rotation():
    """PE[p + k] is a fixed linear map (a rotation per sine/cosine pair) of PE[p]."""
    d, k = 8, 3
    pe = sinusoidal_positional_encoding(20, d, dtype=F64)
    rot = torch.zeros(d, d, dtype=F64)
    for i in range(d // 2):
        a = k / 10000 ** (2 * i / d)
        c, s = math.cos(a), math.sin(a)
        rot[2 * i : 2 * i + 2, 2 * i : 2 * i + 2] = torch.tensor([[c, -s], [s, c]], dtype=F64)
    assert_close(pe[:-k] @ rot, pe[k:])


def test_positional_encoding_module_and_errors():
    enc = PositionalEncoding(6, max_len=10)
    x = torch.zeros(2, 4, 6)
    torch.testing.assert_close(enc(x)[1], sinusoidal_positional_encoding(4, 6))
    with pytest.raises(ValueError, match="longer than max_len=10"):
        enc(torch.zeros(1, 11, 6))
    with pytest.raises(ValueError, match="expected shape"):
        enc(torch.zeros(4, 6))
    with pytest.raises(ValueError, match="positive integer"):
        sinusoidal_positional_encoding(0, 4)


# ---------------------------------------------------------------------------- transformer


@pytest.mark.parametrize("masked", [False, True])
def test_encoder_block_matches_torch(masked):
    torch.manual_seed(0)
    ref = nn.TransformerEncoderLayer(
        8, 2, 16, dropout=0.0, batch_first=True, norm_first=True
    ).double()
    with torch.no_grad():
        for p in ref.parameters():
            p.normal_(0, 0.5)  # biases and LayerNorm weights off their defaults
    mine = EncoderBlock(8, 2, 16).double().load_from_torch(ref)
    x = rand(3, 5, 8, seed=1)
    mask = causal_mask(5) if masked else None
    out, w = mine(x, mask)
    ref_out = ref(x, src_mask=None if mask is None else ~mask)
    assert w.shape == (3, 2, 5, 5)
    assert_close(out, ref_out)
    mine_grads = grads_of(out, x, *mine.parameters())
    ref_grads = grads_of(ref_out, x, *ref.parameters())
    assert_close(mine_grads[0], ref_grads[0])
    total = lambda gs: sum(float(g.abs().sum()) for g in gs)  # noqa: E731
    assert abs(total(mine_grads[1:]) - total(ref_grads[1:])) < 1e-9


def test_transformer_encoder_shapes_and_order_blindness():
    torch.manual_seed(0)
    tokens = torch.randint(0, 10, (2, 6))
    perm = torch.tensor([3, 0, 5, 1, 4, 2])
    model = TransformerEncoder(10, 7, d_model=16, num_heads=2, num_layers=2, max_len=6)
    scores, maps = model(tokens, return_attention=True)
    assert scores.shape == (2, 6, 7) and len(maps) == 2 and maps[0].shape == (2, 2, 6, 6)
    assert not torch.allclose(model(tokens[:, perm]), scores[:, perm], atol=1e-5)
    blind = TransformerEncoder(10, 7, d_model=16, num_heads=2, positional=False).double()
    torch.testing.assert_close(blind(tokens[:, perm]), blind(tokens)[:, perm], **TOL)
    with pytest.raises(ValueError, match="add the batch axis"):
        model(tokens[0])
    with pytest.raises(TypeError, match="integer tensor"):
        model(tokens.float())


def test_sequence_loss_and_accuracy():
    scores = rand(2, 3, 4, grad=False)
    targets = torch.tensor([[0, 1, 2], [3, 3, 0]])
    expected = F.cross_entropy(scores.permute(0, 2, 1), targets)
    assert_close(sequence_cross_entropy(scores, targets), expected)
    assert token_accuracy(targets, F.one_hot(targets, 4).double()) == 1.0
    with pytest.raises(ValueError, match="expected scores"):
        sequence_cross_entropy(scores[0], targets)


def test_attention_heatmap():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from nnlib.torch.attention import attention_heatmap

    ax = attention_heatmap(torch.eye(3), keys="abc", title="t")
    assert ax.get_title() == "t" and ax.get_xlabel() == "key position"
    with pytest.raises(ValueError, match="pick one sequence and one head"):
        attention_heatmap(torch.ones(2, 3, 3))
    plt.close("all")
