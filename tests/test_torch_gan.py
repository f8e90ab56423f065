"""GANs (nnlib.torch.gan): the data, the two losses, one step, the loop and the measures."""

from __future__ import annotations

import copy

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402
from torch.nn.functional import binary_cross_entropy_with_logits as bce  # noqa: E402

from nnlib.torch.gan import (  # noqa: E402
    discriminator,
    discriminator_loss,
    gan_step,
    generator,
    generator_loss,
    mmd,
    mode_coverage,
    ring_centers,
    ring_of_gaussians,
    sample,
    train_gan,
)
from nnlib.torch.setup import reproducible  # noqa: E402

F64 = torch.float64


def pair(seed=0):
    reproducible(seed)
    G, D = generator(2, (8,)).double(), discriminator(2, (8,)).double()
    opt_g = torch.optim.SGD(G.parameters(), lr=0.1)
    opt_d = torch.optim.SGD(D.parameters(), lr=0.1)
    return G, D, opt_g, opt_d


def params(model):
    return [p.detach().clone() for p in model.parameters()]


def same(a, b):
    return all(torch.equal(x, y) for x, y in zip(a, b, strict=True))


def test_ring_of_gaussians_lies_on_its_modes():
    x = ring_of_gaussians(4000, modes=8, radius=2.0, std=0.05, rng=0)
    assert x.shape == (4000, 2) and x.dtype == torch.float32
    radii = x.double().norm(dim=1)
    assert abs(float(radii.mean()) - 2.0) < 0.01
    cov = mode_coverage(x, ring_centers(8, 2.0), 0.05)
    assert cov.modes == 8 and cov.quality > 0.98
    assert np.all(np.abs(cov.shares - 1 / 8) < 0.03)
    assert torch.equal(x, ring_of_gaussians(4000, rng=0))
    with pytest.raises(ValueError, match="std must be positive"):
        ring_of_gaussians(10, std=0)
    with pytest.raises(ValueError, match="positive integer"):
        ring_of_gaussians(0)


def test_ring_centers_are_evenly_spaced():
    c = ring_centers(4, 3.0)
    np.testing.assert_allclose(c, [[3, 0], [0, 3], [-3, 0], [0, -3]], atol=1e-12)


def test_losses_match_their_formulas():
    real = torch.tensor([[2.0], [-1.0], [0.3]], dtype=F64)
    fake = torch.tensor([[-0.5], [1.5]], dtype=F64)
    s = torch.sigmoid
    expected = -torch.log(s(real)).mean() - torch.log(1 - s(fake)).mean()
    torch.testing.assert_close(discriminator_loss(real, fake), expected, atol=1e-12, rtol=0)
    torch.testing.assert_close(generator_loss(fake), -torch.log(s(fake)).mean())
    torch.testing.assert_close(generator_loss(fake, saturating=True), torch.log(1 - s(fake)).mean())


def test_non_saturating_loss_keeps_its_gradient_when_d_rejects_the_fakes():
    logits = torch.tensor([-8.0], dtype=F64, requires_grad=True)  # D is sure: fake
    (g_sat,) = torch.autograd.grad(generator_loss(logits, saturating=True), logits)
    (g_non,) = torch.autograd.grad(generator_loss(logits), logits)
    assert abs(float(g_sat)) < 1e-3 < 0.99 < abs(float(g_non))


def test_gan_step_is_one_d_step_then_one_g_step():
    G, D, opt_g, opt_d = pair()
    G2, D2 = copy.deepcopy(G), copy.deepcopy(D)
    real = torch.randn(6, 2, dtype=F64)
    d_loss, g_loss = gan_step(G, D, opt_g, opt_d, real, torch.Generator().manual_seed(1))

    # the same step written out, with the same noise
    gen = torch.Generator().manual_seed(1)
    z1, z2 = (
        torch.randn(6, 2, generator=gen, dtype=F64),
        torch.randn(6, 2, generator=gen, dtype=F64),
    )
    fake = G2(z1).detach()
    loss_d = bce(D2(real), torch.ones(6, 1, dtype=F64)) + bce(
        D2(fake), torch.zeros(6, 1, dtype=F64)
    )
    d_grads = torch.autograd.grad(loss_d, list(D2.parameters()))
    with torch.no_grad():
        for p, g in zip(D2.parameters(), d_grads, strict=True):
            p -= 0.1 * g
    loss_g = bce(D2(G2(z2)), torch.ones(6, 1, dtype=F64))
    g_grads = torch.autograd.grad(loss_g, list(G2.parameters()))
    with torch.no_grad():
        for p, g in zip(G2.parameters(), g_grads, strict=True):
            p -= 0.1 * g
    assert d_loss == pytest.approx(loss_d.item(), abs=1e-12)
    assert g_loss == pytest.approx(loss_g.item(), abs=1e-12)
    # the gradients left behind are each network's own loss's: nothing leaked across
    for p, g in zip([*D.parameters(), *G.parameters()], d_grads + g_grads, strict=True):
        torch.testing.assert_close(p.grad, g, atol=1e-12, rtol=0)
    for a, b in zip(params(G) + params(D), params(G2) + params(D2), strict=True):
        torch.testing.assert_close(a, b, atol=1e-12, rtol=0)


def test_each_half_of_the_step_changes_only_its_own_network():
    G, D, _, _ = pair()
    frozen_g = torch.optim.SGD(G.parameters(), lr=0.0)  # G may not move: only D's step acts
    before_g, before_d = params(G), params(D)
    gan_step(G, D, frozen_g, torch.optim.SGD(D.parameters(), lr=0.1), torch.randn(5, 2, dtype=F64))
    assert same(params(G), before_g) and not same(params(D), before_d)

    G, D, _, _ = pair()
    before_g, before_d = params(G), params(D)
    opt_g = torch.optim.SGD(G.parameters(), lr=0.1)
    gan_step(G, D, opt_g, torch.optim.SGD(D.parameters(), lr=0.0), torch.randn(5, 2, dtype=F64))
    assert same(params(D), before_d) and not same(params(G), before_g)
    assert all(p.requires_grad for p in D.parameters()), "D is unfrozen after G's step"


def test_gan_step_rejects_mixed_optimizers_and_bad_batches():
    G, D, opt_g, opt_d = pair()
    both = torch.optim.SGD([*G.parameters(), *D.parameters()], lr=0.1)
    with pytest.raises(ValueError, match="opt_d holds generator parameters"):
        gan_step(G, D, opt_g, both, torch.randn(4, 2, dtype=F64))
    with pytest.raises(ValueError, match="opt_g holds discriminator parameters"):
        gan_step(G, D, both, opt_d, torch.randn(4, 2, dtype=F64))
    with pytest.raises(ValueError, match=r"shape \(n, features\)"):
        gan_step(G, D, opt_g, opt_d, torch.randn(4, dtype=F64))


def test_train_gan_records_losses_and_snapshots_and_is_seeded():
    runs = []
    for _ in range(2):
        G, D, opt_g, opt_d = pair(3)
        data = ring_of_gaussians(200, rng=0).double()
        h = train_gan(
            G,
            D,
            opt_g,
            opt_d,
            data,
            steps=20,
            batch_size=16,
            rng=5,
            snapshot_at=(0, 10, 20),
            snapshot_size=50,
        )
        runs.append(h)
    h = runs[0]
    assert h.steps == 20 and len(h.g_loss) == 20
    assert sorted(h.snapshots) == [0, 10, 20] and h.snapshots[20].shape == (50, 2)
    assert h.d_loss == runs[1].d_loss and torch.equal(h.snapshots[20], runs[1].snapshots[20])
    assert not G.training and not D.training
    with pytest.raises(ValueError, match="data must be a tensor"):
        train_gan(G, D, opt_g, opt_d, data[:, 0], steps=2)
    with pytest.raises(ValueError, match="steps must be a positive integer"):
        train_gan(G, D, opt_g, opt_d, data, steps=0)


def test_sample_uses_evaluation_mode_and_no_graph():
    G = generator(3, (8,))
    G.train()
    x = sample(G, 7, torch.Generator().manual_seed(0))
    assert x.shape == (7, 2) and x.grad_fn is None and G.training
    assert torch.equal(x, sample(G, 7, torch.Generator().manual_seed(0)))


def test_mmd_matches_a_direct_computation():
    gen = np.random.default_rng(0)
    x, y, h = gen.normal(size=(6, 2)), gen.normal(size=(4, 2)) + 0.5, 0.7

    def k(a, b):
        return np.exp(-np.sum((a - b) ** 2) / (2 * h**2))

    def mean_k(p, q):
        return sum(k(a, b) for a in p for b in q) / (len(p) * len(q))

    expected = mean_k(x, x) + mean_k(y, y) - 2 * mean_k(x, y)
    assert mmd(x, y, h) == pytest.approx(expected, abs=1e-12)
    assert mmd(torch.tensor(x), torch.tensor(y), h) == pytest.approx(expected, abs=1e-12)
    assert mmd(x, x, h) == pytest.approx(0.0, abs=1e-12)
    assert mmd(x, y, h) == pytest.approx(mmd(y, x, h), abs=1e-12)


def test_mmd_grows_as_distributions_part():
    gen = np.random.default_rng(1)
    x = gen.normal(size=(300, 2))
    values = [mmd(x, gen.normal(size=(300, 2)) + shift, 1.0) for shift in (0.0, 0.5, 2.0)]
    assert values[0] < values[1] < values[2]


@pytest.mark.parametrize(
    ("x", "y", "kw", "match"),
    [
        (np.zeros((3, 2)), np.zeros((3, 3)), {}, "same dimension"),
        (np.zeros(3), np.zeros((3, 1)), {}, r"shape \(n, d\)"),
        (np.zeros((3, 2)), np.full((3, 2), np.nan), {}, "NaN"),
        (np.zeros((3, 2)), np.zeros((3, 2)), {"bandwidth": 0}, "bandwidth"),
    ],
)
def test_mmd_rejects_bad_input(x, y, kw, match):
    with pytest.raises(ValueError, match=match):
        mmd(x, y, **kw)


def test_mode_coverage_counts_modes_and_ignores_strays():
    centers = ring_centers(8)
    gen = np.random.default_rng(0)
    one_mode = centers[0] + 0.05 * gen.normal(size=(100, 2))
    strays = centers[1:4] + 0.0  # three points, one on each of three other modes
    cov = mode_coverage(np.vstack([one_mode, strays]), centers, std=0.05)
    assert cov.modes == 1  # 1 % of the samples is below a quarter of the fair share (3.1 %)
    assert cov.shares[0] > 0.9 and cov.quality > 0.95
    far = mode_coverage(np.zeros((10, 2)), centers, std=0.05)
    assert far.modes == 0 and far.quality == 0.0
    assert mode_coverage(strays, centers, 0.05, min_share=0.3).modes == 3
    with pytest.raises(ValueError, match="dimensions"):
        mode_coverage(np.zeros((3, 3)), centers, 0.05)
    with pytest.raises(ValueError, match="std must be positive"):
        mode_coverage(one_mode, centers, 0.0)


def test_builders_make_the_right_shapes():
    G, D = generator(4, (16, 16), 3), discriminator(3, (16,))
    assert G(torch.zeros(5, 4)).shape == (5, 3)
    assert D(torch.zeros(5, 3)).shape == (5, 1)
    assert isinstance(D[1], nn.LeakyReLU)
