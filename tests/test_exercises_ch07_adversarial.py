"""Checkers of Chapter 7, adversarial examples: typical wrong answers get their hint."""

from __future__ import annotations

import pytest
from exercise_helpers import assert_hint, forgot_return, rejected, solution_and_stub_tests

torch = pytest.importorskip("torch")

from torch import nn  # noqa: E402

from nnlib.exercises import reference_solution  # noqa: E402

IDS = ("ch07.fgsm", "ch07.project_linf", "ch07.pgd")
test_solution_passes, test_stub_is_not_yet = solution_and_stub_tests(
    {i: reference_solution(i) for i in IDS}
)


def grad_of(model, x, y):
    x = x.clone().requires_grad_(True)
    return torch.autograd.grad(nn.functional.cross_entropy(model(x), y), x)[0]


def test_fgsm_without_sign():
    def answer(model, x, y, eps):
        return (x + eps * grad_of(model, x, y)).clamp(0, 1)

    assert_hint(rejected("ch07.fgsm", answer), "*sign*")


def test_fgsm_going_down_the_loss():
    def answer(model, x, y, eps):
        return (x - eps * grad_of(model, x, y).sign()).clamp(0, 1)

    assert_hint(rejected("ch07.fgsm", answer), "*up* the loss")


def test_fgsm_without_clipping():
    def answer(model, x, y, eps):
        return x + eps * grad_of(model, x, y).sign()

    assert_hint(rejected("ch07.fgsm", answer), "[0, 1]")


def test_fgsm_returning_the_perturbation_only():
    def answer(model, x, y, eps):
        return eps * grad_of(model, x, y).sign()

    assert_hint(rejected("ch07.fgsm", answer), "x_adv = x + eps")


def test_fgsm_returning_one_image():
    def answer(model, x, y, eps):
        return (x + eps * grad_of(model, x, y).sign()).clamp(0, 1)[0]

    assert_hint(rejected("ch07.fgsm", answer), "shape")


def test_fgsm_forgot_return():
    assert_hint(rejected("ch07.fgsm", forgot_return), "return")


def test_projection_box_only():
    assert_hint(rejected("ch07.project_linf", lambda a, x, e: a.clamp(0, 1)), "ball too")


def test_projection_ball_only():
    def answer(a, x, e):
        return torch.maximum(torch.minimum(a, x + e), x - e)

    assert_hint(rejected("ch07.project_linf", answer), "pixel range")


def test_projection_ball_around_zero():
    assert_hint(
        rejected("ch07.project_linf", lambda a, x, e: a.clamp(-e, e).clamp(0, 1)),
        "centred on the original image",
    )


def pgd_answer(project=True, use_step=True, loop=True):
    def answer(model, x, y, eps, step, steps):
        x_adv = x.clone()
        for _ in range(steps if loop else 1):
            x_adv = x_adv + (step if use_step else eps) * grad_of(model, x_adv, y).sign()
            if project:
                x_adv = torch.maximum(torch.minimum(x_adv, x + eps), x - eps)
            x_adv = x_adv.clamp(0, 1)
        return x_adv

    return answer


def test_pgd_without_projection():
    assert_hint(rejected("ch07.pgd", pgd_answer(project=False)), "Project after every step")


def test_pgd_steps_of_eps():
    assert_hint(rejected("ch07.pgd", pgd_answer(use_step=False)), "not by the whole budget")


def test_pgd_one_step():
    assert_hint(rejected("ch07.pgd", pgd_answer(loop=False)), "Take `steps` steps")
