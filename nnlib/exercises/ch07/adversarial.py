"""Checkers of Chapter 7, adversarial examples: FGSM, the projection onto the L-infinity ball,
and PGD."""

from __future__ import annotations

import torch
from torch import nn

from nnlib.exercises import exercise, expect_close, solution
from nnlib.exercises.ch07._shapes import like_input

__all__: list[str] = []


def _case():
    """A float64 linear classifier of 8x8 images and six images with pixels at 0, 1 and
    between (so that clipping to the pixel range matters)."""
    with torch.random.fork_rng():
        torch.manual_seed(0)
        model = nn.Sequential(nn.Flatten(), nn.Linear(64, 10)).double().eval()
    g = torch.Generator().manual_seed(1)
    x = torch.rand(6, 1, 8, 8, generator=g, dtype=torch.float64)
    x[x < 0.25] = 0.0
    x[x > 0.75] = 1.0
    y = torch.tensor([0, 3, 5, 7, 9, 1])
    return model, x, y


def _gradient(model, x, y, reduction="sum"):
    x = x.clone().requires_grad_(True)
    loss = nn.functional.cross_entropy(model(x), y, reduction=reduction)
    return torch.autograd.grad(loss, x)[0]


def _reader_result(got, what, shape):
    return like_input(got, what, shape, "Return the whole batch of attacked images, shaped like x.")


@exercise("ch07.fgsm", success="Your FGSM matches nnlib's on every image and budget.")
def _(fgsm):
    from nnlib.torch.adversarial import fgsm as reference

    model, x, y = _case()
    for eps in (0.1, 0.3):
        what = f"fgsm(model, x, y, eps={eps}) on six images"
        got = _reader_result(fgsm(model, x.clone(), y.clone(), eps), what, x.shape)
        sign = _gradient(model, x, y).sign()
        expect_close(
            got,
            reference(model, x, y, eps).numpy(),
            what,
            "x_adv = x + eps * sign(gradient of the loss with respect to x), then clip to [0, 1].",
            atol=1e-9,
            mistakes=[
                (
                    (x + eps * _gradient(model, x, y)).clamp(0, 1).numpy(),
                    "Step along the *sign* of the gradient: every pixel moves by the whole "
                    "budget eps (torch.sign or .sign()).",
                ),
                (
                    (x + eps * _gradient(model, x, y, "mean")).clamp(0, 1).numpy(),
                    "Step along the *sign* of the gradient: every pixel moves by the whole "
                    "budget eps (torch.sign or .sign()).",
                ),
                (
                    (x - eps * sign).clamp(0, 1).numpy(),
                    "Go *up* the loss (x + ...): the attack wants the loss larger, not smaller.",
                ),
                (
                    (x + eps * sign).numpy(),
                    "Clip the result to the pixel range [0, 1] (torch.clamp): some pixels "
                    "were already 0 or 1.",
                ),
            ],
        )


@solution("ch07.fgsm")
def fgsm_attack(model, x, y, eps):
    x = x.clone().requires_grad_(True)
    loss = nn.functional.cross_entropy(model(x), y)
    (grad,) = torch.autograd.grad(loss, x)
    return (x + eps * grad.sign()).clamp(0, 1).detach()


@exercise("ch07.project_linf", success="Your projection keeps every image in the ball and range.")
def _(project_linf):
    g = torch.Generator().manual_seed(2)
    x = torch.rand(4, 1, 8, 8, generator=g, dtype=torch.float64)
    x[x < 0.2] = 0.0
    x[x > 0.8] = 1.0
    x_adv = x + 0.6 * (2 * torch.rand(x.shape, generator=g, dtype=torch.float64) - 1)
    for eps in (0.1, 0.25):
        what = f"project_linf(x_adv, x, eps={eps})"
        got = _reader_result(project_linf(x_adv.clone(), x.clone(), eps), what, x.shape)
        ball = torch.minimum(torch.maximum(x_adv, x - eps), x + eps)
        expect_close(
            got,
            ball.clamp(0, 1).numpy(),
            what,
            "Clip every pixel to [x - eps, x + eps], then to [0, 1].",
            atol=1e-12,
            mistakes=[
                (
                    x_adv.clamp(0, 1).numpy(),
                    "Clip to the ball too: no pixel may be more than eps away from x.",
                ),
                (ball.numpy(), "Clip to the pixel range [0, 1] too."),
                (
                    x_adv.clamp(-eps, eps).clamp(0, 1).numpy(),
                    "The ball is centred on the original image x: clip to [x - eps, x + eps], "
                    "not to [-eps, eps].",
                ),
                (
                    (x + (x_adv - x).clamp(-eps, eps)).numpy(),
                    "Clip to the pixel range [0, 1] too.",
                ),
            ],
        )


@solution("ch07.project_linf")
def project_linf(x_adv, x, eps):
    x_adv = torch.maximum(torch.minimum(x_adv, x + eps), x - eps)
    return x_adv.clamp(0, 1)


@exercise("ch07.pgd", success="Your PGD attack matches nnlib's pgd step for step.")
def _(pgd):
    from nnlib.torch.adversarial import pgd as reference

    model, x, y = _case()
    eps, step, steps = 0.2, 0.08, 6
    what = f"pgd(model, x, y, eps={eps}, step={step}, steps={steps})"
    got = _reader_result(pgd(model, x.clone(), y.clone(), eps, step, steps), what, x.shape)

    def run(project=True, size=step, n=steps):
        x_adv = x.clone()
        for _ in range(n):
            x_adv = x_adv + size * _gradient(model, x_adv, y).sign()
            if project:
                x_adv = torch.minimum(torch.maximum(x_adv, x - eps), x + eps)
            x_adv = x_adv.clamp(0, 1)
        return x_adv.numpy()

    expect_close(
        got,
        reference(model, x, y, eps, step=step, steps=steps).numpy(),
        what,
        "Start at x; then, `steps` times: x_adv = x_adv + step * sign(gradient at x_adv), "
        "and project x_adv back (the ball around x, then [0, 1]).",
        atol=1e-9,
        mistakes=[
            (
                run(project=False),
                "Project after every step: clip to [x - eps, x + eps] and to [0, 1].",
            ),
            (run(size=eps), "Each step moves by `step`, not by the whole budget eps."),
            (run(n=1), "Take `steps` steps, recomputing the gradient at the current x_adv."),
        ],
    )


@solution("ch07.pgd")
def pgd_attack(model, x, y, eps, step, steps):
    x_adv = x.clone()
    for _ in range(steps):
        x_adv = x_adv.detach().requires_grad_(True)
        loss = nn.functional.cross_entropy(model(x_adv), y)
        (grad,) = torch.autograd.grad(loss, x_adv)
        x_adv = x_adv + step * grad.sign()
        x_adv = torch.maximum(torch.minimum(x_adv, x + eps), x - eps).clamp(0, 1)
    return x_adv.detach()
