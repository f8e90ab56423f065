"""Checkers of Chapter 7, explainability: integrated gradients with a Riemann sum, and
occlusion one pixel at a time."""

from __future__ import annotations

import torch

from nnlib.exercises import exercise, expect_close, solution
from nnlib.exercises.ch07._shapes import like_input

__all__: list[str] = []


def _case():
    """A float64 digits CNN with fixed random weights and four images with pixels in [0, 1]."""
    from nnlib.torch.models import digits_cnn

    model = digits_cnn(width=4, dtype=torch.float64, seed=0).eval()
    g = torch.Generator().manual_seed(3)
    x = torch.rand(4, 1, 8, 8, generator=g, dtype=torch.float64)
    x[x < 0.3] = 0.0
    return model, x


def _logit_gradient(model, z, target):
    z = z.detach().clone().requires_grad_(True)
    return torch.autograd.grad(model(z)[:, target].sum(), z)[0]


def _reader_result(got, what, shape):
    return like_input(
        got, what, shape, "Return one attribution per input value: a tensor shaped like x."
    )


@exercise(
    "ch07.integrated_gradients",
    success="Your integrated gradients match nnlib's (right Riemann sum) on every image.",
)
def _(ig_riemann):
    from nnlib.torch.attribution import integrated_gradients as reference

    model, x = _case()
    target, steps = 2, 8
    what = f"ig_riemann(model, x, target={target}, steps={steps})"
    got = _reader_result(ig_riemann(model, x.clone(), target, steps), what, x.shape)

    def path_mean(alphas, of=None):
        of = of or (lambda z: _logit_gradient(model, z, target))
        return sum(of(a * x) for a in alphas) / len(alphas)

    right = [k / steps for k in range(1, steps + 1)]
    left = [k / steps for k in range(steps)]

    def prob_gradient(z):
        z = z.detach().clone().requires_grad_(True)
        p = torch.softmax(model(z), dim=1)[:, target].sum()
        return torch.autograd.grad(p, z)[0]

    expect_close(
        got,
        reference(model, x, target, steps=steps, method="riemann_right").numpy(),
        what,
        "IG = (x - 0) * (1/steps) * sum over k = 1..steps of the gradient of the target "
        "logit at (k/steps) * x.",
        atol=1e-9,
        mistakes=[
            (
                path_mean(right).numpy(),
                "Multiply the averaged gradient by (x - baseline), here by x itself.",
            ),
            (
                (x * path_mean(right) * steps).numpy(),
                "Average the gradients (divide the sum by steps), don't just add them.",
            ),
            (
                (x * path_mean(left)).numpy(),
                "Use alpha = k/steps for k = 1, ..., steps (the right Riemann sum, which "
                "ends at x itself); k = 0 .. steps-1 is the left sum.",
            ),
            (
                (x * _logit_gradient(model, x, target)).numpy(),
                "That is gradient x input: average the gradients at points along the path "
                "from the baseline (k/steps) * x, not only at x.",
            ),
            (
                (x * path_mean(right, prob_gradient)).numpy(),
                "Take the gradient of the target's logit (model(z)[:, target]), not of its "
                "softmax probability.",
            ),
        ],
    )


@solution("ch07.integrated_gradients")
def ig_riemann(model, x, target, steps):
    total = torch.zeros_like(x)
    for k in range(1, steps + 1):
        z = (k / steps * x).requires_grad_(True)
        logit = model(z)[:, target].sum()
        total += torch.autograd.grad(logit, z)[0]
    return x * total / steps


@exercise("ch07.occlusion", success="Your occlusion map matches nnlib's (1-pixel patches).")
def _(occlusion_map):
    from nnlib.torch.attribution import occlusion as reference

    model, x = _case()
    target = 5
    what = f"occlusion_map(model, x, target={target})"
    got = _reader_result(occlusion_map(model, x.clone(), target), what, x.shape)
    want = reference(model, x, target, window=1)
    with torch.no_grad():
        f_x = model(x)[:, target]
        occluded_logits = (f_x.reshape(-1, 1, 1, 1) - want).numpy()
    expect_close(
        got,
        want.numpy(),
        what,
        "For each pixel (i, j): set x[:, :, i, j] = 0 in a copy, and store "
        "f(x) - f(copy) for the target's logit at (i, j).",
        atol=1e-9,
        mistakes=[
            (
                -want.numpy(),
                "The sign: store f(x) - f(occluded), positive where the pixel helped.",
            ),
            (
                occluded_logits,
                "Store the *drop* f(x) - f(occluded), not the occluded logit itself.",
            ),
        ],
    )


@solution("ch07.occlusion")
def occlusion_map(model, x, target):
    attribution = torch.zeros_like(x)
    with torch.no_grad():
        f_x = model(x)[:, target]
        for i in range(x.shape[2]):
            for j in range(x.shape[3]):
                occluded = x.clone()
                occluded[:, :, i, j] = 0.0
                drop = f_x - model(occluded)[:, target]
                attribution[:, :, i, j] = drop[:, None]
    return attribution
