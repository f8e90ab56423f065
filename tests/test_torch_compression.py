"""nnlib.torch.compression: sizes, sparsity, int8 quantisation and the distillation loss."""

from __future__ import annotations

import warnings

import pytest
import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils import prune

from nnlib.torch.compression import (
    Int8Linear,
    csr_bytes,
    distillation_loss,
    latency,
    quantize_dynamic_int8,
    quantize_int8,
    sparsity,
    state_dict_bytes,
    torch_quantize_dynamic,
)


def small_mlp(dtype=torch.float32):
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 4)).to(dtype)


def test_state_dict_bytes_counts_element_sizes():
    assert state_dict_bytes(small_mlp()) == (8 * 16 + 16 + 16 * 4 + 4) * 4
    assert state_dict_bytes(small_mlp(torch.float64)) == (8 * 16 + 16 + 16 * 4 + 4) * 8


def test_csr_bytes_dense_and_sparse():
    model = small_mlp()
    with torch.no_grad():
        model[0].weight.zero_()
        model[0].weight[0, :3] = 1.0
    expected_first = 3 * (4 + 4) + (16 + 1) * 4  # values, column indices, row offsets
    dense_rest = (16 + 16 * 4 + 4) * 4
    nnz2 = int(torch.count_nonzero(model[2].weight))
    assert csr_bytes(model) == expected_first + dense_rest - 16 * 4 * 4 + nnz2 * 8 + 5 * 4
    assert csr_bytes(model, index_bytes=8) > csr_bytes(model)
    with pytest.raises(ValueError, match="index_bytes"):
        csr_bytes(model, index_bytes=0)


def test_sparsity_follows_torch_prune():
    model = small_mlp()
    assert sparsity(model) == 0.0
    layers = [(model[0], "weight"), (model[2], "weight")]
    prune.global_unstructured(layers, pruning_method=prune.L1Unstructured, amount=0.75)
    assert sparsity(model) == pytest.approx(0.75, abs=1 / 192)
    for m, name in layers:
        prune.remove(m, name)
    assert sparsity(model) == pytest.approx(0.75, abs=1 / 192)
    with pytest.raises(ValueError, match="no Linear"):
        sparsity(nn.ReLU())
    with pytest.raises(TypeError):
        sparsity("model")


def test_quantize_int8_error_within_half_a_step():
    torch.manual_seed(1)
    w = torch.randn(6, 10) * torch.linspace(0.01, 10, 6)[:, None]
    w[2] = 0.0
    q, scale = quantize_int8(w)
    assert q.dtype == torch.int8 and scale.shape == (6,)
    assert q.abs().max() == 127
    assert torch.all((q.float() * scale[:, None] - w).abs() <= scale[:, None] / 2 + 1e-6)
    assert scale[2] == 1.0 and torch.all(q[2] == 0)
    with pytest.raises(ValueError, match="matrix"):
        quantize_int8(torch.ones(3))
    with pytest.raises(TypeError):
        quantize_int8(torch.ones(2, 2, dtype=torch.int64))


def test_int8_linear_is_the_dequantised_product():
    torch.manual_seed(2)
    linear = nn.Linear(20, 7)
    layer = Int8Linear.from_float(linear)
    x = torch.randn(5, 20)
    x[3] = 0.0  # a zero row must not divide by zero
    xs = x.abs().amax(1, keepdim=True) / 127
    xs[3] = 1.0
    xq = torch.round(x / xs)
    w_deq = layer.weight_int8.double().T * layer.weight_scale.double()[:, None]
    expected = (xq.double() * xs.double()) @ w_deq.T + linear.bias.double()
    assert torch.allclose(layer(x).double(), expected, rtol=1e-5, atol=1e-5)
    assert torch.allclose(layer(x), linear(x), atol=0.1)
    with pytest.raises(ValueError, match="expected input"):
        layer(torch.randn(5, 3))
    with pytest.raises(TypeError):
        Int8Linear.from_float(nn.ReLU())


def test_int8_fallback_matmul_is_exact(monkeypatch):
    from nnlib.torch import compression

    a = torch.randint(-127, 128, (9, 300), dtype=torch.int8)
    b = torch.randint(-127, 128, (300, 5), dtype=torch.int8)
    exact = a.long() @ b.long()
    assert torch.equal(compression._int8_matmul(a, b).long(), exact)
    monkeypatch.delattr(torch, "_int_mm")
    assert torch.equal(compression._int8_matmul(a, b).long(), exact)
    b = torch.randint(-127, 128, (1100, 3), dtype=torch.int8)
    a = torch.randint(-127, 128, (4, 1100), dtype=torch.int8)
    exact = a.long() @ b.long()
    assert torch.equal(compression._int8_matmul(a, b).long(), exact)


def test_quantize_dynamic_int8_copies_and_replaces():
    model = small_mlp()
    q = quantize_dynamic_int8(model)
    assert isinstance(q[0], Int8Linear) and isinstance(q[2], Int8Linear)
    assert isinstance(model[0], nn.Linear)  # the original is unchanged
    assert state_dict_bytes(q) == (8 * 16 + 16 * 4) + (16 + 4) * 4 * 2
    assert isinstance(quantize_dynamic_int8(nn.Linear(3, 2)), Int8Linear)


def test_agrees_with_torch_dynamic_quantisation_without_warnings():
    torch.manual_seed(3)
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10)).eval()
    x = torch.rand(50, 64)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # torch's deprecation warnings must not leak
        theirs_model = torch_quantize_dynamic(model)
        theirs = theirs_model(x)
    ours = quantize_dynamic_int8(model)(x)
    ref = model(x).detach()
    scale = ref.abs().max()
    assert (ours - ref).abs().max() < 0.02 * scale
    assert (theirs - ref).abs().max() < 0.02 * scale
    assert (ours - theirs).abs().max() < 0.02 * scale
    # int8 weights (one byte each), float32 biases, and a scale and zero point per layer
    assert state_dict_bytes(theirs_model) == 64 * 128 + 128 * 10 + (128 + 10) * 4 + 2 * 12
    assert isinstance(model[0], nn.Linear)  # the original is unchanged
    with pytest.raises(TypeError):
        torch_quantize_dynamic("model")


def test_distillation_loss_formula():
    torch.manual_seed(4)
    s = torch.randn(6, 5, dtype=torch.float64, requires_grad=True)
    t = torch.randn(6, 5, dtype=torch.float64)
    y = torch.randint(0, 5, (6,))
    T = 3.0
    p, q = F.softmax(t / T, 1), F.softmax(s / T, 1)
    soft = T**2 * (p * (p.log() - q.log())).sum(1).mean()
    assert torch.allclose(distillation_loss(s, t, temperature=T), soft, atol=1e-12)
    mixed = 0.7 * soft + 0.3 * F.cross_entropy(s, y)
    assert torch.allclose(distillation_loss(s, t, y, temperature=T, alpha=0.7), mixed, atol=1e-12)
    distillation_loss(s, t, temperature=T).backward()
    assert s.grad is not None and torch.isfinite(s.grad).all()
    assert distillation_loss(t, t).item() == pytest.approx(0.0, abs=1e-12)


def test_distillation_gradient_scale_independent_of_temperature():
    # At high T the soft gradient tends to (z_s - z_t) / (N * C) (centred logits): T**2 does it.
    torch.manual_seed(5)
    s = torch.randn(4, 6, dtype=torch.float64)
    s = (s - s.mean(1, keepdim=True)).requires_grad_(True)
    t = torch.randn(4, 6, dtype=torch.float64)
    t = t - t.mean(1, keepdim=True)
    distillation_loss(s, t, temperature=1e4).backward()
    assert torch.allclose(s.grad, (s - t).detach() / (4 * 6), atol=1e-4)


def test_distillation_loss_bad_input():
    s, t = torch.zeros(3, 4), torch.zeros(3, 4)
    with pytest.raises(ValueError, match="batch, classes"):
        distillation_loss(s, torch.zeros(3, 5))
    with pytest.raises(ValueError, match="temperature"):
        distillation_loss(s, t, temperature=0)
    with pytest.raises(ValueError, match="alpha"):
        distillation_loss(s, t, torch.zeros(3, dtype=torch.long), alpha=1.5)
    with pytest.raises(ValueError, match="labels"):
        distillation_loss(s, t, torch.zeros(2, dtype=torch.long))


def test_latency_is_positive_and_restores_mode():
    model = small_mlp().train()
    assert latency(model, torch.zeros(2, 8), repeats=2) > 0
    assert model.training
    with pytest.raises(ValueError, match="repeats"):
        latency(model, torch.zeros(2, 8), repeats=0)
