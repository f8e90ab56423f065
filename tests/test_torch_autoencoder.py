"""Autoencoders, the denoising layer, the VAE and its ELBO (nnlib.torch.autoencoder)."""

from __future__ import annotations

import math

import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402
from torch.distributions import Normal, kl_divergence  # noqa: E402

from nnlib.torch.autoencoder import (  # noqa: E402
    VAE,
    Autoencoder,
    Corrupt,
    ELBOLoss,
    kl_to_standard_normal,
    mlp,
    reparameterize,
)
from nnlib.torch.setup import reproducible  # noqa: E402
from nnlib.torch.train import fit, predict  # noqa: E402

F64 = torch.float64


def mean_and_log_var(n=7, d=3, seed=0):
    g = torch.Generator().manual_seed(seed)
    mean = torch.randn(n, d, generator=g, dtype=F64).requires_grad_()
    log_var = torch.randn(n, d, generator=g, dtype=F64).requires_grad_()
    return mean, log_var


def test_kl_matches_torch_distributions_in_value_and_gradient():
    mean, log_var = mean_and_log_var()
    ours = kl_to_standard_normal(mean, log_var)
    q = Normal(mean, torch.exp(0.5 * log_var))
    theirs = kl_divergence(q, Normal(torch.zeros_like(mean), torch.ones_like(mean))).sum(1)
    assert ours.shape == (7,)
    torch.testing.assert_close(ours, theirs, atol=1e-10, rtol=0)
    w = torch.linspace(-1, 1, 7, dtype=F64)
    g_ours = torch.autograd.grad((ours * w).sum(), (mean, log_var))
    g_theirs = torch.autograd.grad((theirs * w).sum(), (mean, log_var))
    for a, b in zip(g_ours, g_theirs, strict=True):
        torch.testing.assert_close(a, b, atol=1e-10, rtol=0)


def test_kl_is_zero_only_at_the_prior():
    zeros = torch.zeros(2, 4, dtype=F64)
    assert torch.equal(kl_to_standard_normal(zeros, zeros), torch.zeros(2, dtype=F64))
    mean, log_var = mean_and_log_var()
    assert (kl_to_standard_normal(mean, log_var) > 0).all()


def test_kl_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match="shape"):
        kl_to_standard_normal(torch.zeros(3, 2), torch.zeros(3, 3))
    with pytest.raises(ValueError, match=r"\(n, d\)"):
        kl_to_standard_normal(torch.zeros(3), torch.zeros(3))


def test_reparameterized_samples_have_the_right_mean_and_variance():
    mean = torch.tensor([[1.5, -2.0, 0.0]], dtype=F64).expand(200_000, 3)
    log_var = torch.log(torch.tensor([[0.25, 4.0, 1.0]], dtype=F64)).expand(200_000, 3)
    z = reparameterize(mean, log_var, torch.Generator().manual_seed(0))
    torch.testing.assert_close(z.mean(0), mean[0], atol=0.02, rtol=0)
    torch.testing.assert_close(z.var(0), log_var[0].exp(), atol=0, rtol=0.02)


def test_reparameterized_gradients_flow_to_mean_and_log_variance():
    mean, log_var = mean_and_log_var()
    z = reparameterize(mean, log_var, torch.Generator().manual_seed(3))
    eps = torch.randn(mean.shape, generator=torch.Generator().manual_seed(3), dtype=F64)
    g_mean, g_log_var = torch.autograd.grad(z.sum(), (mean, log_var))
    torch.testing.assert_close(g_mean, torch.ones_like(mean), atol=1e-12, rtol=0)
    expected = 0.5 * torch.exp(0.5 * log_var.detach()) * eps
    torch.testing.assert_close(g_log_var, expected, atol=1e-12, rtol=0)


def test_reparameterize_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match="same shape"):
        reparameterize(torch.zeros(2, 3), torch.zeros(2, 2))


def test_mlp_builds_linear_layers_with_activations_between():
    net = mlp([4, 8, 2])
    assert [type(m) for m in net] == [nn.Linear, nn.ReLU, nn.Linear]
    with pytest.raises(ValueError, match="at least"):
        mlp([4])
    with pytest.raises(ValueError, match="positive integer"):
        mlp([4, 0, 2])


def test_autoencoder_shapes_and_bottleneck():
    reproducible(0)
    ae = Autoencoder(64, 2, hidden=(32, 8), output=nn.Sigmoid())
    x = torch.rand(5, 64)
    assert ae.encode(x).shape == (5, 2)
    out = ae(x)
    assert out.shape == (5, 64) and (out > 0).all() and (out < 1).all()
    torch.testing.assert_close(out, ae.decode(ae.encode(x)))
    assert ae.encoder[-1].out_features == 2 and ae.decoder[0].in_features == 2


@pytest.mark.parametrize("bad", [torch.zeros(64), torch.zeros(3, 63), torch.zeros(2, 8, 8)])
def test_autoencoder_rejects_bad_batches(bad):
    ae = Autoencoder(64, 2)
    with pytest.raises(ValueError, match=r"shape \(n, 64\)"):
        ae(bad)


def test_autoencoder_rejects_bad_sizes_and_non_tensors():
    with pytest.raises(ValueError, match="code_size"):
        Autoencoder(64, 0)
    with pytest.raises(TypeError, match="tensor"):
        Autoencoder(4, 2).encode([[0.0] * 4])
    with pytest.raises(ValueError, match=r"shape \(n, 2\)"):
        Autoencoder(4, 2).decode(torch.zeros(3, 4))


def test_autoencoder_trains_with_fit_on_its_own_input():
    reproducible(0)
    X = torch.rand(64, 2) @ torch.randn(2, 6)  # data on a plane: a 2-D code suffices
    ae = Autoencoder(6, 2, hidden=(16,))
    h = fit(ae, nn.MSELoss(), torch.optim.Adam(ae.parameters(), lr=0.01), X, X, epochs=60)
    assert h["loss"][-1] < 0.1 * h["loss"][0]
    assert set(h.history) == {"loss", "lr"}


def test_corrupt_is_noise_in_training_and_identity_in_evaluation():
    torch.manual_seed(0)
    x = torch.ones(20_000, 5, dtype=F64)
    gauss, mask = Corrupt("gaussian", 0.3), Corrupt("mask", 0.25)
    noisy = gauss(x)
    assert abs(float((noisy - x).std()) - 0.3) < 0.01
    assert abs(float((mask(x) == 0).to(F64).mean()) - 0.25) < 0.01
    assert set(mask(x).unique().tolist()) == {0.0, 1.0}  # blanked, never rescaled
    gauss.eval(), mask.eval()
    assert torch.equal(gauss(x), x) and torch.equal(mask(x), x)
    assert "gaussian" in repr(gauss)


@pytest.mark.parametrize(
    ("kind", "level", "match"),
    [("salt", 0.1, "kind"), ("gaussian", 0.0, "positive"), ("mask", 1.0, r"in \(0, 1\)")],
)
def test_corrupt_rejects_bad_settings(kind, level, match):
    with pytest.raises(ValueError, match=match):
        Corrupt(kind, level)


def test_vae_packs_reconstruction_mean_and_log_variance():
    reproducible(0)
    vae = VAE(10, 3, hidden=(16,)).double()
    x = torch.rand(4, 10, dtype=F64)
    out = vae(x)
    assert out.shape == (4, 16)
    decoded, mean, log_var = vae.split(out)
    m, lv = vae.encode(x)
    torch.testing.assert_close(mean, m)
    torch.testing.assert_close(log_var, lv)
    assert not torch.allclose(decoded, vae.decode(m))  # training mode: z is sampled
    vae.eval()
    torch.testing.assert_close(vae.split(vae(x))[0], vae.decode(m))  # eval: z is the mean
    with pytest.raises(ValueError, match=r"shape \(n, 16\)"):
        vae.split(out[:, :10])


def test_elbo_loss_is_reconstruction_plus_kl():
    reproducible(1)
    vae = VAE(6, 2, hidden=(8,)).double()
    x = torch.rand(5, 6, dtype=F64)
    out = vae(x)
    decoded, mean, log_var = vae.split(out)
    bce = nn.functional.binary_cross_entropy_with_logits(decoded, x, reduction="sum") / 5
    kl = kl_to_standard_normal(mean, log_var).mean()
    loss = ELBOLoss(vae)
    recon, kl_term = loss.terms(out, x)
    torch.testing.assert_close(recon, bce, atol=1e-12, rtol=0)
    torch.testing.assert_close(kl_term, kl, atol=1e-12, rtol=0)
    torch.testing.assert_close(loss(out, x), bce + kl, atol=1e-12, rtol=0)
    torch.testing.assert_close(ELBOLoss(vae, beta=0.5)(out, x), bce + 0.5 * kl)
    gauss = ELBOLoss(vae, likelihood="gaussian")(out, x)
    torch.testing.assert_close(gauss, 0.5 * ((decoded - x) ** 2).sum() / 5 + kl)
    assert list(loss.parameters()) == []  # the VAE's weights are not the loss's


def test_elbo_loss_rejects_bad_arguments():
    vae = VAE(6, 2)
    with pytest.raises(TypeError, match="VAE"):
        ELBOLoss(nn.Linear(2, 2))
    with pytest.raises(ValueError, match="likelihood"):
        ELBOLoss(vae, likelihood="poisson")
    with pytest.raises(ValueError, match="beta"):
        ELBOLoss(vae, beta=-1)
    out = vae(torch.rand(3, 6))
    with pytest.raises(ValueError, match="target must be the input"):
        ELBOLoss(vae)(out, torch.rand(3, 5))


def test_vae_trains_with_fit_and_samples_from_the_prior():
    reproducible(0)
    X = (torch.rand(128, 8) > 0.5).double()
    vae = VAE(8, 2, hidden=(16,)).double()
    loss = ELBOLoss(vae)
    h = fit(vae, loss, torch.optim.Adam(vae.parameters(), lr=0.01), X, X, epochs=30)
    assert h["loss"][-1] < h["loss"][0]
    assert math.isfinite(h["loss"][-1])
    s = vae.sample(5, torch.Generator().manual_seed(0))
    assert s.shape == (5, 8) and ((s >= 0) & (s <= 1)).all()
    assert predict(vae, X).shape == (128, 12)
    with pytest.raises(ValueError, match="n must be"):
        vae.sample(0)
