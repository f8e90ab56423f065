"""Checkers of Chapter 5, notebook 07 (GANs): the discriminator's loss and the maximum mean
discrepancy."""

from __future__ import annotations

import numpy as np
import torch
from torch.nn.functional import logsigmoid

from nnlib.exercises import Fail, exercise, expect_close, solution

__all__: list[str] = []


def _logit_cases():
    g = torch.Generator().manual_seed(7)
    cases = [
        (torch.tensor([[2.0], [0.5], [-1.0]]), torch.tensor([[-3.0], [0.0], [1.5], [-0.5]])),
        (torch.tensor([[30.0], [-30.0]]), torch.tensor([[-30.0], [40.0]])),  # confident D
    ]
    cases.append((torch.randn(6, 1, generator=g), torch.randn(6, 1, generator=g)))
    return [(r.double(), f.double()) for r, f in cases]


def _plain(got):
    return got.detach().numpy() if isinstance(got, torch.Tensor) else got


@exercise("ch05.discriminator_loss", success="Your discriminator's loss matches on every case.")
def _(discriminator_loss):
    for k, (real, fake) in enumerate(_logit_cases()):
        hint = (
            "The loss is BCE(D(real), 1) + BCE(D(fake), 0), each a mean over its batch; "
            "the inputs are logits, so use binary_cross_entropy_with_logits (or logsigmoid)."
        )
        if k == 1:
            hint += (
                " With confident logits such as 40, sigmoid rounds to exactly 1 and log(1 - 1)"
                " breaks: the with-logits form computes the same loss without rounding."
            )
        on_real, on_fake = -logsigmoid(real).mean(), -logsigmoid(-fake).mean()
        what = f"discriminator_loss(real_logits, fake_logits) on {len(real)} and {len(fake)} logits"
        got = discriminator_loss(real.clone(), fake.clone())
        if isinstance(got, torch.Tensor) and got.numel() == 1:
            got = got.reshape(())
        expect_close(
            _plain(got),
            float(on_real + on_fake),
            what,
            hint,
            atol=1e-8,
            mistakes=[
                (
                    float(-logsigmoid(-real).mean() - logsigmoid(fake).mean()),
                    "The labels are swapped: real samples are labelled 1, fakes 0.",
                ),
                (float(on_real), "Add the term for the fakes: D must also reject them."),
                (float(on_fake), "Add the term for the real data: D must also accept it."),
                (
                    float(-logsigmoid(real).sum() - logsigmoid(-fake).sum()),
                    "Average each term over its batch instead of adding up the samples.",
                ),
                (
                    float(-logsigmoid(torch.cat([real, -fake])).mean()),
                    "Average each batch on its own and add the two means (the batches may "
                    "differ in size).",
                ),
            ],
        )
    real, fake = _logit_cases()[0]
    real.requires_grad_()
    got = discriminator_loss(real, fake)
    if not isinstance(got, torch.Tensor) or got.grad_fn is None:
        raise Fail(
            "The value is right but carries no gradient, so D could not learn from it.",
            "Stay with torch operations on the logits (no .item(), .detach() or numpy).",
        )


@solution("ch05.discriminator_loss")
def discriminator_loss(real_logits, fake_logits):
    bce = torch.nn.functional.binary_cross_entropy_with_logits
    on_real = bce(real_logits, torch.ones_like(real_logits))  # real -> 1
    on_fake = bce(fake_logits, torch.zeros_like(fake_logits))  # fake -> 0
    return on_real + on_fake


def _kernel_mean(a, b, h, power=2, scale=2.0, diagonal=True):
    d = np.sqrt(((a[:, None, :] - b[None, :, :]) ** 2).sum(-1))
    k = np.exp(-(d**power) / (scale * h**2))
    if not diagonal:
        return (k.sum() - np.trace(k)) / (len(a) * (len(a) - 1))
    return k.mean()


def _mmd_cases():
    gen = np.random.default_rng(3)
    return [
        (gen.normal(size=(5, 2)), gen.normal(size=(7, 2)) + 1.0, 0.5),
        (gen.normal(size=(6, 2)), gen.normal(size=(6, 2)), 1.0),
        (gen.uniform(size=(4, 3)), gen.uniform(size=(3, 3)), 0.3),
    ]


@exercise("ch05.mmd", success="Your MMD matches on every case.")
def _(mmd):
    for x, y, h in _mmd_cases():
        kxx, kyy, kxy = (_kernel_mean(p, q, h) for p, q in ((x, x), (y, y), (x, y)))
        what = f"mmd(x, y, bandwidth={h}) with x of shape {x.shape} and y of shape {y.shape}"
        got = mmd(x.copy(), y.copy(), h)
        expect_close(
            _plain(got),
            kxx + kyy - 2 * kxy,
            what,
            "MMD^2 = mean k(x, x') + mean k(y, y') - 2 mean k(x, y), means over all pairs "
            "(the diagonal included), with k(a, b) = exp(-|a - b|^2 / (2 h^2)).",
            atol=1e-9,
            mistakes=[
                (kxx + kyy - kxy, "The cross term counts twice: subtract 2 * mean k(x, y)."),
                (
                    sum(
                        _kernel_mean(p, q, h, scale=1.0) * c
                        for p, q, c in ((x, x, 1), (y, y, 1), (x, y, -2))
                    ),
                    "The Gaussian kernel divides the squared distance by 2 h^2, not h^2.",
                ),
                (
                    sum(
                        _kernel_mean(p, q, h, power=1) * c
                        for p, q, c in ((x, x, 1), (y, y, 1), (x, y, -2))
                    ),
                    "Square the distance inside the exponential: |a - b|^2.",
                ),
                (
                    _kernel_mean(x, x, h, diagonal=False)
                    + _kernel_mean(y, y, h, diagonal=False)
                    - 2 * kxy,
                    "That is the unbiased estimate (without the diagonal); here average over "
                    "all pairs, i and j equal included.",
                ),
                (
                    np.sqrt(max(kxx + kyy - 2 * kxy, 0.0)),
                    "Return the squared MMD, without the square root.",
                ),
            ],
        )


@solution("ch05.mmd")
def mmd(x, y, bandwidth):
    def mean_kernel(a, b):  # mean of k(a_i, b_j) over all pairs i, j
        sq_dist = ((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=-1)
        return np.exp(-sq_dist / (2 * bandwidth**2)).mean()

    return mean_kernel(x, x) + mean_kernel(y, y) - 2 * mean_kernel(x, y)
