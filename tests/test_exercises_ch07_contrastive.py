"""Checkers of Chapter 7, self-supervised learning: typical wrong answers get their hint."""

from __future__ import annotations

import pytest
from exercise_helpers import assert_hint, rejected, solution_and_stub_tests

torch = pytest.importorskip("torch")
import torch.nn.functional as F  # noqa: E402

from nnlib.exercises import reference_solution  # noqa: E402

IDS = ["ch07.nt_xent", "ch07.random_shift"]
test_solution_passes, test_stub_is_not_yet = solution_and_stub_tests(
    {i: reference_solution(i) for i in IDS}
)


def make_nt_xent(normalise=True, tau_op="divide", mask=True, reduction="mean"):
    def nt_xent(z1, z2, temperature=0.5):
        n = len(z1)
        z = torch.cat([z1, z2])
        if normalise:
            z = F.normalize(z, dim=1)
        sim = z @ z.T
        if tau_op == "divide":
            sim = sim / temperature
        elif tau_op == "multiply":
            sim = sim * temperature
        if mask:
            sim = sim.masked_fill(torch.eye(2 * n, dtype=torch.bool), float("-inf"))
        positive = torch.cat([torch.arange(n, 2 * n), torch.arange(n)])
        return F.cross_entropy(sim, positive, reduction=reduction)

    return nt_xent


@pytest.mark.parametrize(
    "kwargs, fragment",
    [
        ({"mask": False}, "diagonal"),
        ({"tau_op": "none"}, "Divide the similarities by the temperature"),
        ({"tau_op": "multiply"}, "not multiply"),
        ({"normalise": False}, "F.normalize"),
        ({"reduction": "sum"}, "do not sum"),
    ],
)
def test_nt_xent_mistakes(kwargs, fragment):
    assert_hint(rejected("ch07.nt_xent", make_nt_xent(**kwargs)), fragment)


def test_nt_xent_other_half_only():
    def one_way(z1, z2, temperature=0.5):
        a, b = F.normalize(z1, dim=1), F.normalize(z2, dim=1)
        return F.cross_entropy(a @ b.T / temperature, torch.arange(len(z1)))

    assert_hint(rejected("ch07.nt_xent", one_way), "2N - 1")


def test_nt_xent_per_view_losses():
    def unreduced(z1, z2, temperature=0.5):
        return make_nt_xent(reduction="none")(z1, z2, temperature)

    assert_hint(rejected("ch07.nt_xent", unreduced), "one number")


def shift_with(fn):
    def random_shift(x, max_shift, generator=None):
        n = len(x)
        offsets = torch.randint(-max_shift, max_shift + 1, (n, 2), generator=generator)
        return torch.stack([fn(x[i], int(dy), int(dx)) for i, (dy, dx) in enumerate(offsets)])

    return random_shift


def test_shift_rolls():
    rolled = shift_with(lambda img, dy, dx: torch.roll(img, (dy, dx), dims=(-2, -1)))
    assert_hint(rejected("ch07.random_shift", rolled), "torch.roll wraps around")


def test_shift_same_for_all():
    def same(x, max_shift, generator=None):
        k = max_shift
        return F.pad(x, (k, k, k, k))[:, :, : x.shape[2], : x.shape[3]]

    assert_hint(rejected("ch07.random_shift", same), "separate shift for each image")


def test_shift_exclusive_bound():
    def short(x, max_shift, generator=None):
        n, _, h, w = x.shape
        k = max_shift
        padded = F.pad(x, (k, k, k, k))
        offsets = k + torch.randint(-k, k, (n, 2), generator=generator)  # never +k
        return torch.stack(
            [padded[i, :, dy : dy + h, dx : dx + w] for i, (dy, dx) in enumerate(offsets)]
        )

    assert_hint(rejected("ch07.random_shift", short), "exclusive")


def test_shift_too_far():
    def far(x, max_shift, generator=None):
        return reference_solution("ch07.random_shift")(x, max_shift + 2, generator)

    assert_hint(rejected("ch07.random_shift", far), "inclusive")


def test_shift_adds_noise():
    def noisy(x, max_shift, generator=None):
        out = reference_solution("ch07.random_shift")(x, max_shift, generator)
        return out + 0.01

    assert_hint(rejected("ch07.random_shift", noisy), "no noise")


def test_shift_wrong_shape():
    def cropped(x, max_shift, generator=None):
        return x[:, :, 1:, 1:]

    assert_hint(rejected("ch07.random_shift", cropped), "same shape")
