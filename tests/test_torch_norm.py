"""nnlib.torch.norm: BatchNorm1d/2d and LayerNorm against torch.nn (float64, 1e-10)."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from nnlib.torch.norm import BatchNorm1d, BatchNorm2d, LayerNorm  # noqa: E402

TOL = 1e-10
F64 = torch.float64


def randn(*shape, seed=0):
    return torch.randn(*shape, dtype=F64, generator=torch.Generator().manual_seed(seed))


def randomise_affine(ours, ref, seed=5):
    """Give both layers the same non-trivial scale and shift."""
    with torch.no_grad():
        ours.weight.copy_(1 + 0.5 * randn(*ours.weight.shape, seed=seed))
        ours.bias.copy_(randn(*ours.bias.shape, seed=seed + 1))
        ref.weight.copy_(ours.weight)
        ref.bias.copy_(ours.bias)


def compare(ours, ref, x):
    """Forward and backward through both; values and every gradient agree."""
    x1, x2 = x.clone().requires_grad_(), x.clone().requires_grad_()
    y1, y2 = ours(x1), ref(x2)
    torch.testing.assert_close(y1, y2, atol=TOL, rtol=0)
    w = randn(*y1.shape, seed=9)
    (y1 * w).sum().backward()
    (y2 * w).sum().backward()
    torch.testing.assert_close(x1.grad, x2.grad, atol=TOL, rtol=0)
    for p, q in zip(ours.parameters(), ref.parameters(), strict=True):
        torch.testing.assert_close(p.grad, q.grad, atol=TOL, rtol=0)


BATCH_CASES = [
    (BatchNorm1d, nn.BatchNorm1d, (8, 4)),
    (BatchNorm1d, nn.BatchNorm1d, (6, 4, 5)),
    (BatchNorm2d, nn.BatchNorm2d, (5, 3, 4, 4)),
]
IDS = ["1d-features", "1d-sequence", "2d-images"]


@pytest.mark.parametrize(("ours_cls", "torch_cls", "shape"), BATCH_CASES, ids=IDS)
def test_batchnorm_train_then_eval_matches_torch(ours_cls, torch_cls, shape):
    c = shape[1]
    ours, ref = ours_cls(c).double(), torch_cls(c).double()
    randomise_affine(ours, ref)
    for step in range(3):  # three training batches: values, gradients and running stats
        x = 2 + 3 * randn(*shape, seed=step)
        ours.zero_grad()
        ref.zero_grad()
        compare(ours, ref, x)
        torch.testing.assert_close(ours.running_mean, ref.running_mean, atol=TOL, rtol=0)
        torch.testing.assert_close(ours.running_var, ref.running_var, atol=TOL, rtol=0)
        assert int(ours.num_batches_tracked) == int(ref.num_batches_tracked) == step + 1
    ours.eval()
    ref.eval()
    ours.zero_grad()
    ref.zero_grad()
    compare(ours, ref, randn(*shape, seed=7))  # evaluation mode: the running statistics


def test_batchnorm_state_dict_moves_to_torch():
    ours = BatchNorm1d(3).double()
    ours(randn(10, 3))
    ref = nn.BatchNorm1d(3).double()
    ref.load_state_dict(ours.state_dict())
    ours.eval()
    ref.eval()
    x = randn(4, 3, seed=1)
    torch.testing.assert_close(ours(x), ref(x), atol=TOL, rtol=0)


def test_batchnorm_without_affine_and_other_momentum():
    ours = BatchNorm1d(4, affine=False, momentum=0.3, eps=1e-3).double()
    ref = nn.BatchNorm1d(4, affine=False, momentum=0.3, eps=1e-3).double()
    x = randn(7, 4)
    torch.testing.assert_close(ours(x), ref(x), atol=TOL, rtol=0)
    torch.testing.assert_close(ours.running_var, ref.running_var, atol=TOL, rtol=0)


def test_batchnorm_training_output_has_zero_mean_unit_variance():
    x = 5 + 2 * randn(64, 3)
    y = BatchNorm1d(3).double()(x)
    torch.testing.assert_close(y.mean(0), torch.zeros(3, dtype=F64), atol=1e-12, rtol=0)
    torch.testing.assert_close(
        y.var(0, unbiased=False), torch.ones(3, dtype=F64), atol=1e-4, rtol=0
    )


@pytest.mark.parametrize(("shape", "normalized"), [((6, 5), 5), ((3, 4, 5), (4, 5))])
@pytest.mark.parametrize("mode", ["train", "eval"])
def test_layernorm_matches_torch(shape, normalized, mode):
    ours, ref = LayerNorm(normalized).double(), nn.LayerNorm(normalized).double()
    randomise_affine(ours, ref)
    ours.train(mode == "train")
    ref.train(mode == "train")
    compare(ours, ref, 1 + 4 * randn(*shape))


def test_layernorm_without_affine_and_batch_of_one():
    ours = LayerNorm(4, elementwise_affine=False).double()
    ref = nn.LayerNorm(4, elementwise_affine=False).double()
    x = randn(1, 4)
    torch.testing.assert_close(ours(x), ref(x), atol=TOL, rtol=0)


# --- bad input ---------------------------------------------------------------------------


def test_batchnorm_bad_inputs():
    with pytest.raises(ValueError, match="3 features/channels on axis 1"):
        BatchNorm1d(4)(torch.randn(5, 3))
    with pytest.raises(ValueError, match=r"\(batch, features\)"):
        BatchNorm1d(4)(torch.randn(4))
    with pytest.raises(ValueError, match=r"\(batch, channels, height, width\)"):
        BatchNorm2d(3)(torch.randn(2, 3, 5))
    with pytest.raises(ValueError, match="more than one value per feature"):
        BatchNorm1d(3)(torch.randn(1, 3))
    with pytest.raises(TypeError, match="torch.Tensor"):
        BatchNorm1d(3)([[1.0, 2.0, 3.0]])
    with pytest.raises(ValueError, match="num_features must be a positive integer"):
        BatchNorm2d(0)
    with pytest.raises(ValueError, match="momentum"):
        BatchNorm1d(3, momentum=2.0)


def test_batchnorm_eval_accepts_a_single_sample():
    bn = BatchNorm1d(3).eval()
    assert bn(torch.randn(1, 3)).shape == (1, 3)


def test_layernorm_bad_inputs():
    with pytest.raises(ValueError, match=r"last axes of x must have shape \(5,\)"):
        LayerNorm(5)(torch.randn(3, 4))
    with pytest.raises(ValueError, match=r"\(4, 5\)"):
        LayerNorm((4, 5))(torch.randn(5))
    with pytest.raises(ValueError, match="normalized_shape"):
        LayerNorm(0)
    with pytest.raises(TypeError, match="torch.Tensor"):
        LayerNorm(2)([1.0, 2.0])
