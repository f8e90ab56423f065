"""Checkers of Chapter 5, notebook 06 (autoencoders): typical wrong answers get their hint."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from exercise_helpers import assert_hint, assert_stub_not_yet, forgot_return, rejected  # noqa: E402

IDS = ["ch05.reparameterize", "ch05.vae_kl"]


# Each reference solution passing its checker: tests/test_exercise_solutions.py.
@pytest.mark.parametrize("exercise_id", IDS)
def test_stub_is_not_yet(exercise_id):
    assert_stub_not_yet(exercise_id)


@pytest.mark.parametrize("exercise_id", IDS)
def test_forgotten_return_is_explained(exercise_id):
    assert_hint(rejected(exercise_id, forgot_return), "return")


WRONG = [
    ("ch05.reparameterize", lambda m, lv, e: m + torch.exp(lv) * e, "standard deviation"),
    ("ch05.reparameterize", lambda m, lv, e: m + lv * e, "undo the log"),
    ("ch05.reparameterize", lambda m, lv, e: torch.exp(0.5 * lv) * e, "by the mean"),
    ("ch05.reparameterize", lambda m, lv, e: m + e, "Scale the noise"),
    (
        "ch05.reparameterize",
        lambda m, lv, e: (m + torch.exp(0.5 * lv) * e).detach(),
        "carry no gradient",
    ),
    (
        "ch05.reparameterize",
        lambda m, lv, e: m.detach().numpy() + (0.5 * lv).exp().detach().numpy() * e.numpy(),
        "no .detach()",
    ),
    ("ch05.vae_kl", lambda m, lv: (m**2 + lv.exp() - lv - 1).sum(1), "factor 1/2"),
    ("ch05.vae_kl", lambda m, lv: -0.5 * (m**2 + lv.exp() - lv - 1).sum(1), "never negative"),
    ("ch05.vae_kl", lambda m, lv: 0.5 * (m**2 + lv.exp() - lv).sum(1), "Subtract 1"),
    ("ch05.vae_kl", lambda m, lv: 0.5 * (m**2 + lv.exp() - lv - 1).mean(1), "don't average"),
    ("ch05.vae_kl", lambda m, lv: 0.5 * (m**2 + lv.exp() - lv - 1).sum(), "one number per row"),
]


@pytest.mark.parametrize(("exercise_id", "answer", "fragment"), WRONG)
def test_typical_mistakes_get_their_hint(exercise_id, answer, fragment):
    assert_hint(rejected(exercise_id, answer), fragment)
