"""Checkers of Chapter 6, reinforcement learning: typical wrong answers get their hint."""

from __future__ import annotations

import torch
from exercise_helpers import assert_hint, rejected


def returns_with(step):
    """A reward-to-go written backwards, with ``step(r_t, gamma, running)`` as the update."""

    def answer(rewards, gamma):
        out, running = torch.zeros_like(rewards), 0.0
        for t in reversed(range(len(rewards))):
            running = step(rewards[t], gamma, running)
            out[t] = running
        return out

    return answer


def test_returns_undiscounted():
    wrong = returns_with(lambda r, g, run: r + run)
    assert_hint(rejected("ch06.discounted_returns", wrong), "(discount)")


def test_returns_forward():
    def forward(rewards, gamma):
        out, running = torch.zeros_like(rewards), 0.0
        for t in range(len(rewards)):
            running = running + gamma**t * rewards[t]
            out[t] = running
        return out

    assert_hint(rejected("ch06.discounted_returns", forward), "loop backwards")


def test_returns_whole_episode():
    def whole(rewards, gamma):
        total = sum(gamma**k * rewards[k] for k in range(len(rewards)))
        return torch.full_like(rewards, float(total))

    assert_hint(rejected("ch06.discounted_returns", whole), "its own return")


def test_returns_discounts_the_first_reward():
    wrong = returns_with(lambda r, g, run: g * (r + run))
    assert_hint(rejected("ch06.discounted_returns", wrong), "not discounted")


def test_returns_forgot_return():
    assert_hint(rejected("ch06.discounted_returns", lambda r, g: None), "return")


def taken_log_probs(logits, actions):
    return torch.log_softmax(logits, 1).gather(1, actions[:, None]).squeeze(1)


def test_loss_sign():
    wrong = lambda lg, a, G: (taken_log_probs(lg, a) * G).mean()  # noqa: E731
    assert_hint(rejected("ch06.reinforce_loss", wrong), "Minus sign")


def test_loss_sum():
    wrong = lambda lg, a, G: -(taken_log_probs(lg, a) * G).sum()  # noqa: E731
    assert_hint(rejected("ch06.reinforce_loss", wrong), "mean")


def test_loss_probability():
    def wrong(lg, a, G):
        return -(torch.softmax(lg, 1).gather(1, a[:, None]).squeeze(1) * G).mean()

    assert_hint(rejected("ch06.reinforce_loss", wrong), "log-probability")


def test_loss_every_action():
    wrong = lambda lg, a, G: -(torch.log_softmax(lg, 1) * G[:, None]).mean()  # noqa: E731
    assert_hint(rejected("ch06.reinforce_loss", wrong), "action that was taken")


def test_loss_no_gradient():
    def detached(lg, a, G):
        return torch.tensor(-(taken_log_probs(lg, a) * G).mean().item())

    assert_hint(rejected("ch06.reinforce_loss", detached), "backward")


def test_loss_per_step():
    wrong = lambda lg, a, G: -(taken_log_probs(lg, a) * G)  # noqa: E731
    assert_hint(rejected("ch06.reinforce_loss", wrong), "one number")
