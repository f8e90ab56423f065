"""nnlib.torch.contrastive: NT-Xent against a pair-by-pair computation (float64, 1e-10, values
and gradients), augmentations, the SimCLR wrapper with the course's fit."""

from __future__ import annotations

import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from nnlib.torch.contrastive import NTXentLoss, SimCLR, augment, nt_xent  # noqa: E402

TOL = 1e-10
F64 = torch.float64


def randn(*shape, seed=0):
    return torch.randn(*shape, dtype=F64, generator=torch.Generator().manual_seed(seed))


def nt_xent_by_pairs(z1, z2, tau):
    """The loss from its formula, one view at a time, with plain Python sums (no masking,
    no cross_entropy, no matrix product)."""
    views = [v / torch.sqrt((v * v).sum()) for v in list(z1) + list(z2)]
    n = len(z1)
    total = 0.0
    for i in range(2 * n):
        j = i + n if i < n else i - n
        sims = [(views[i] * views[k]).sum() / tau for k in range(2 * n)]
        denominator = sum(torch.exp(sims[k]) for k in range(2 * n) if k != i)
        total = total - torch.log(torch.exp(sims[j]) / denominator)
    return total / (2 * n)


@pytest.mark.parametrize("n, d, tau", [(2, 3, 0.5), (5, 4, 0.1), (7, 16, 1.0), (4, 2, 2.0)])
def test_nt_xent_matches_pairwise_formula(n, d, tau):
    a1, a2 = randn(n, d, seed=n), 3 * randn(n, d, seed=n + 100)
    z1, z2 = a1.clone().requires_grad_(), a2.clone().requires_grad_()
    w1, w2 = a1.clone().requires_grad_(), a2.clone().requires_grad_()
    ours, ref = nt_xent(z1, z2, tau), nt_xent_by_pairs(w1, w2, tau)
    torch.testing.assert_close(ours, ref, atol=TOL, rtol=0)
    ours.backward()
    ref.backward()
    torch.testing.assert_close(z1.grad, w1.grad, atol=TOL, rtol=0)
    torch.testing.assert_close(z2.grad, w2.grad, atol=TOL, rtol=0)


def test_nt_xent_gradcheck():
    z1, z2 = randn(3, 4, seed=1).requires_grad_(), randn(3, 4, seed=2).requires_grad_()
    assert torch.autograd.gradcheck(lambda a, b: nt_xent(a, b, 0.3), (z1, z2))


def test_nt_xent_known_values():
    # identical orthogonal pairs: each positive has similarity 1, every negative 0
    z = torch.eye(3, dtype=F64)
    tau = 0.5
    expected = -math.log(math.exp(2) / (math.exp(2) + 4))
    assert abs(nt_xent(z, z, tau).item() - expected) < TOL
    # scale invariance: rows are normalised first
    z1, z2 = randn(4, 5, seed=3), randn(4, 5, seed=4)
    torch.testing.assert_close(nt_xent(z1, z2), nt_xent(7 * z1, 0.1 * z2), atol=TOL, rtol=0)
    # swapping the two views, or permuting the pairs together, changes nothing
    torch.testing.assert_close(nt_xent(z1, z2), nt_xent(z2, z1), atol=TOL, rtol=0)
    perm = torch.tensor([2, 0, 3, 1])
    torch.testing.assert_close(nt_xent(z1, z2), nt_xent(z1[perm], z2[perm]), atol=TOL, rtol=0)


def test_nt_xent_lower_when_views_agree():
    z1 = randn(8, 6, seed=5)
    assert nt_xent(z1, z1 + 0.01 * randn(8, 6, seed=6)) < nt_xent(z1, randn(8, 6, seed=7))
    # even identical views leave a positive loss: the negatives stay in the denominator
    assert nt_xent(z1, z1) > 0


def test_nt_xent_errors():
    z = randn(4, 3)
    with pytest.raises(ValueError, match="shape"):
        nt_xent(z, z[:3])
    with pytest.raises(ValueError, match="shape"):
        nt_xent(z[0], z[0])
    with pytest.raises(ValueError, match="at least 2"):
        nt_xent(z[:1], z[:1])
    with pytest.raises(ValueError, match="temperature"):
        nt_xent(z, z, 0.0)
    with pytest.raises(TypeError, match="torch.Tensor"):
        nt_xent(z.numpy(), z)


def test_loss_module_splits_halves():
    z1, z2 = randn(4, 3, seed=8), randn(4, 3, seed=9)
    loss = NTXentLoss(0.2)
    torch.testing.assert_close(loss(torch.cat([z1, z2]), None), nt_xent(z1, z2, 0.2))
    with pytest.raises(ValueError, match="even number"):
        loss(randn(5, 3), None)


def test_augment_shapes_and_randomness():
    x = torch.rand(6, 1, 8, 8, dtype=F64, generator=torch.Generator().manual_seed(0))
    a = augment(x, generator=torch.Generator().manual_seed(1))
    b = augment(x, generator=torch.Generator().manual_seed(1))
    c = augment(x, generator=torch.Generator().manual_seed(2))
    assert a.shape == x.shape and a.dtype == F64
    assert torch.equal(a, b) and not torch.equal(a, c)


def test_augment_identity_and_shift():
    x = torch.rand(3, 2, 8, 8, dtype=F64, generator=torch.Generator().manual_seed(0))
    same = augment(x, min_scale=1.0, max_shift=0.0, noise=0.0)
    torch.testing.assert_close(same, x, atol=1e-12, rtol=0)
    # noise only: the difference has about the asked standard deviation
    noisy = augment(x, min_scale=1.0, max_shift=0.0, noise=0.2,
                    generator=torch.Generator().manual_seed(3))  # fmt: skip
    assert abs((noisy - x).std().item() - 0.2) < 0.03
    # a shift moves the image's centre of mass by at most max_shift pixels
    img = torch.zeros(50, 1, 8, 8, dtype=F64)
    img[:, :, 3:5, 3:5] = 1.0
    moved = augment(img, min_scale=1.0, max_shift=1.0, noise=0.0,
                    generator=torch.Generator().manual_seed(4))  # fmt: skip
    cols = torch.arange(8, dtype=F64)
    cx = (moved.sum(dim=2) * cols).sum(dim=(1, 2)) / moved.sum(dim=(1, 2, 3))
    assert (cx - 3.5).abs().max() <= 1.0 + 1e-9 and (cx - 3.5).abs().max() > 0.5


def test_augment_crop_zooms_in():
    img = torch.zeros(20, 1, 8, 8, dtype=F64)
    img[:, :, 2:6, 2:6] = 1.0
    zoomed = augment(img, min_scale=0.5, max_shift=0.0, noise=0.0,
                     generator=torch.Generator().manual_seed(5))  # fmt: skip
    # a crop stretched to full size makes the bright square cover more of the image
    assert (zoomed.sum(dim=(1, 2, 3)) >= img.sum(dim=(1, 2, 3)) - 1e-9).float().mean() > 0.5


def test_augment_errors():
    x = torch.zeros(2, 1, 8, 8)
    with pytest.raises(ValueError, match="shape"):
        augment(torch.zeros(8, 8))
    with pytest.raises(TypeError, match="floating-point"):
        augment(torch.zeros(2, 1, 8, 8, dtype=torch.int64))
    with pytest.raises(TypeError, match="torch.Tensor"):
        augment(np.zeros((2, 1, 8, 8)))
    with pytest.raises(ValueError, match="min_scale"):
        augment(x, min_scale=0.0)
    with pytest.raises(ValueError, match=">= 0"):
        augment(x, noise=-0.1)


def small_simclr():
    torch.manual_seed(0)
    encoder = nn.Sequential(nn.Flatten(), nn.Linear(16, 8), nn.ReLU()).double()
    projector = nn.Linear(8, 4).double()
    return SimCLR(encoder, projector)


def test_simclr_forward_modes():
    model = small_simclr()
    x = torch.rand(5, 1, 4, 4, dtype=F64)
    assert model(x).shape == (10, 4)
    model.eval()
    torch.testing.assert_close(model(x), model.projector(model.encoder(x)))
    with pytest.raises(ValueError, match="shape"):
        model(torch.rand(5, 16, dtype=F64))


def test_simclr_trains_with_fit():
    from nnlib.torch.train import fit

    model = small_simclr()
    x = torch.rand(64, 1, 4, 4, dtype=F64, generator=torch.Generator().manual_seed(0))
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    history = fit(model, NTXentLoss(0.5), opt, x, torch.zeros(64), epochs=15,
                  batch_size=32, metric=None)  # fmt: skip
    assert history.history["loss"][-1] < history.history["loss"][0]
