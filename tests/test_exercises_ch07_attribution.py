"""Checkers of Chapter 7, explainability: typical wrong answers get their hint."""

from __future__ import annotations

import pytest
from exercise_helpers import assert_hint, forgot_return, rejected, solution_and_stub_tests

torch = pytest.importorskip("torch")

from nnlib.exercises import reference_solution  # noqa: E402

IDS = ("ch07.integrated_gradients", "ch07.occlusion")
test_solution_passes, test_stub_is_not_yet = solution_and_stub_tests(
    {i: reference_solution(i) for i in IDS}
)


def logit_grad(model, z, target, prob=False):
    z = z.detach().clone().requires_grad_(True)
    out = model(z)
    if prob:
        out = torch.softmax(out, dim=1)
    return torch.autograd.grad(out[:, target].sum(), z)[0]


def ig_answer(alphas="right", times_input=True, average=True, prob=False):
    def answer(model, x, target, steps):
        ks = range(1, steps + 1) if alphas == "right" else range(steps)
        total = sum(logit_grad(model, k / steps * x, target, prob) for k in ks)
        if average:
            total = total / steps
        return x * total if times_input else total

    return answer


@pytest.mark.parametrize(
    ("answer", "fragment"),
    [
        (ig_answer(times_input=False), "(x - baseline)"),
        (ig_answer(average=False), "divide the sum by steps"),
        (ig_answer(alphas="left"), "right Riemann sum"),
        (ig_answer(prob=True), "softmax probability"),
        (lambda m, x, t, s: x * logit_grad(m, x, t), "gradient x input"),
        (lambda m, x, t, s: (x * logit_grad(m, x, t))[0], "shape"),
        (forgot_return, "return"),
    ],
)
def test_integrated_gradients_mistakes(answer, fragment):
    assert_hint(rejected("ch07.integrated_gradients", answer), fragment)


def occlusion_answer(sign=1.0, drop=True):
    def answer(model, x, target):
        out = torch.zeros_like(x)
        with torch.no_grad():
            f_x = model(x)[:, target]
            for i in range(8):
                for j in range(8):
                    z = x.clone()
                    z[:, :, i, j] = 0.0
                    f_z = model(z)[:, target]
                    out[:, 0, i, j] = sign * (f_x - f_z) if drop else f_z
        return out

    return answer


def test_occlusion_sign():
    assert_hint(rejected("ch07.occlusion", occlusion_answer(sign=-1.0)), "The sign")


def test_occlusion_logit_not_drop():
    assert_hint(rejected("ch07.occlusion", occlusion_answer(drop=False)), "*drop*")


def test_occlusion_forgot_return():
    assert_hint(rejected("ch07.occlusion", forgot_return), "return")
