"""Checkers of Chapter 5, notebook 06 (autoencoders): the reparameterisation trick and the KL
term of the ELBO."""

from __future__ import annotations

import torch
from torch.distributions import Normal, kl_divergence

from nnlib.exercises import Fail, exercise, expect_close, solution

__all__: list[str] = []


def _cases():
    """(mean, log_var, eps) triples in float64, of a few shapes."""
    g = torch.Generator().manual_seed(5)
    cases = []
    for n, d in ((4, 2), (3, 5), (1, 1)):
        mean, log_var, eps = (torch.randn(n, d, generator=g, dtype=torch.float64) for _ in "abc")
        cases.append((mean, log_var, eps))
    return cases


def _plain(got):
    """A tensor as a numpy array for the comparison; anything else unchanged."""
    return got.detach().numpy() if isinstance(got, torch.Tensor) else got


@exercise("ch05.reparameterize", success="Your samples are right, and gradients reach both inputs.")
def _(reparameterize):
    for mean, log_var, eps in _cases():
        std = torch.exp(0.5 * log_var)
        what = f"reparameterize(mean, log_var, eps) on shape {tuple(mean.shape)}"
        m, lv = mean.clone().requires_grad_(), log_var.clone().requires_grad_()
        got = reparameterize(m, lv, eps.clone())
        expect_close(
            _plain(got),
            (mean + std * eps).numpy(),
            what,
            "z = mean + sigma * eps, with sigma = exp(log_var / 2), element by element.",
            atol=1e-10,
            mistakes=[
                (
                    (mean + log_var.exp() * eps).numpy(),
                    "exp(log_var) is the variance; scale eps by the standard deviation, "
                    "exp(log_var / 2).",
                ),
                (
                    (mean + log_var * eps).numpy(),
                    "log_var is the logarithm of the variance: undo the log (torch.exp) and "
                    "take the square root.",
                ),
                ((std * eps).numpy(), "Shift the scaled noise by the mean."),
                ((mean + eps).numpy(), "Scale the noise by the standard deviation sigma."),
            ],
        )
        if not isinstance(got, torch.Tensor) or got.grad_fn is None:
            raise Fail(
                f"{what}: the numbers are right but carry no gradient.",
                "Compute with torch operations on mean and log_var (no .detach(), .item() or "
                "numpy): the trick exists so that backward() reaches them.",
            )
        g_mean, g_log_var = torch.autograd.grad(got.sum(), (m, lv))
        expect_close(
            g_log_var.numpy(),
            (0.5 * std * eps).numpy(),
            f"{what}: the gradient with respect to log_var",
            "d z / d log_var should be sigma * eps / 2.",
            atol=1e-10,
        )


@solution("ch05.reparameterize")
def reparameterize(mean, log_var, eps):
    sigma = torch.exp(0.5 * log_var)  # the standard deviation
    return mean + sigma * eps


@exercise("ch05.vae_kl", success="Your KL term matches torch.distributions on every case.")
def _(vae_kl):
    for mean, log_var, _eps in _cases():
        per_dim = kl_divergence(Normal(mean, torch.exp(0.5 * log_var)), Normal(0.0, 1.0))
        right = per_dim.sum(1)
        what = f"vae_kl(mean, log_var) on shape {tuple(mean.shape)}"
        expect_close(
            _plain(vae_kl(mean.clone(), log_var.clone())),
            right.numpy(),
            what,
            "KL = 0.5 * sum over the code's dimensions of "
            "(mean**2 + exp(log_var) - log_var - 1): one number per row.",
            atol=1e-10,
            mistakes=[
                ((2 * right).numpy(), "You lost the factor 1/2 in front of the sum."),
                ((-right).numpy(), "Wrong sign: a KL divergence is never negative."),
                (
                    (right + 0.5 * mean.shape[1]).numpy(),
                    "Subtract 1 inside the sum, once for every dimension of the code.",
                ),
                (
                    per_dim.mean(1).numpy(),
                    "Sum over the code's dimensions (dim=1); don't average over them.",
                ),
            ],
        )


@solution("ch05.vae_kl")
def vae_kl(mean, log_var):
    per_dim = mean**2 + torch.exp(log_var) - log_var - 1
    return 0.5 * per_dim.sum(dim=1)
