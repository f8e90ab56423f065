"""Chapter 6, reinforcement learning: the reward-to-go and the REINFORCE loss."""

from __future__ import annotations

import numpy as np
import torch

from nnlib.exercises import Fail, exercise, expect_close, solution, tensor_floats
from nnlib.torch.rl import discounted_returns as _discounted_returns
from nnlib.torch.rl import reinforce_loss as _reinforce_loss

__all__: list[str] = []


def _returns_cases():
    yield [1.0, 1.0, 1.0, 1.0], 0.9
    yield [0.0, 0.0, 5.0], 0.5
    yield [2.0, -1.0, 0.5, 3.0, 1.0], 0.8
    yield [4.0], 0.99


@exercise("ch06.discounted_returns", success="Your reward-to-go matches nnlib's.")
def _(discounted_returns):
    for rewards, gamma in _returns_cases():
        r = np.array(rewards)
        what = f"discounted_returns({rewards}, {gamma})"
        got = discounted_returns(torch.tensor(r, dtype=torch.float64), gamma)
        got = tensor_floats(got, what)
        n = len(r)
        undiscounted = np.cumsum(r[::-1])[::-1]
        forward = np.array([sum(gamma**k * r[k] for k in range(t + 1)) for t in range(n)])
        whole = np.full(n, sum(gamma**k * r[k] for k in range(n)))
        one_too_many = np.array(
            [sum(gamma ** (k - t + 1) * r[k] for k in range(t, n)) for t in range(n)]
        )
        expect_close(
            got,
            _discounted_returns(r, gamma).numpy(),
            what,
            "G_t adds the rewards from step t to the end, the reward k steps later weighted "
            "by gamma**k. Go backwards: G = r[t] + gamma * G.",
            atol=1e-9,
            mistakes=[
                (undiscounted, "Multiply the later rewards by gamma, gamma**2, ... (discount)."),
                (
                    forward,
                    "The reward-to-go sums the rewards *after* step t: loop backwards "
                    "from the last step.",
                ),
                (
                    whole,
                    "Each step gets its own return, from that step on, not the whole episode's.",
                ),
                (
                    one_too_many,
                    "The reward of step t itself is not discounted: G_t = r_t + gamma * G_(t+1).",
                ),
            ],
        )


@solution("ch06.discounted_returns")
def discounted_returns(rewards, gamma):
    returns = torch.zeros_like(rewards)
    running = 0.0
    for t in reversed(range(len(rewards))):
        running = rewards[t] + gamma * running
        returns[t] = running
    return returns


def _loss_case(seed):
    g = torch.Generator().manual_seed(seed)
    logits = torch.randn(6, 3, generator=g, dtype=torch.float64)
    actions = torch.randint(3, (6,), generator=g)
    returns = torch.randn(6, generator=g, dtype=torch.float64)
    return logits, actions, returns


@exercise("ch06.reinforce_loss", success="Your loss and its gradient match nnlib's.")
def _(reinforce_loss):
    for seed in (0, 1):
        logits, actions, returns = _loss_case(seed)
        what = "reinforce_loss(logits, actions, returns)"
        leaf = logits.clone().requires_grad_(True)
        got = reinforce_loss(leaf, actions.clone(), returns.clone())
        value = tensor_floats(got, what)
        if value.shape not in ((), (1,)):
            raise Fail(
                f"{what} has shape {value.shape}.", "Return one number: average over the steps."
            )
        if not isinstance(got, torch.Tensor) or got.grad_fn is None:
            raise Fail(
                f"{what} returned a number with no gradient.",
                "Compute it with torch operations on logits (no .item(), no numpy), so that "
                "loss.backward() can reach the network.",
            )
        log_p = torch.log_softmax(logits, 1).gather(1, actions[:, None]).squeeze(1)
        p = torch.softmax(logits, 1).gather(1, actions[:, None]).squeeze(1)
        expect_close(
            value.reshape(()),
            _reinforce_loss(logits, actions, returns).item(),
            what,
            "The loss is minus the mean over the steps of G_t * log pi(a_t | s_t), with "
            "log pi from torch.log_softmax(logits, dim=1) at the action taken.",
            atol=1e-9,
            mistakes=[
                (
                    (log_p * returns).mean(),
                    "Minus sign: we *minimise* the loss, so it is "
                    "-G log pi (gradient ascent on the return).",
                ),
                (-(log_p * returns).sum(), "Average over the steps (mean), not a sum."),
                (
                    -(p * returns).mean(),
                    "Use the log-probability (log_softmax), not the probability.",
                ),
                (
                    -(torch.log_softmax(logits, 1) * returns[:, None]).mean(),
                    "Pick the log-probability of the action that was taken, e.g. "
                    "log_probs.gather(1, actions[:, None]), not every action's.",
                ),
            ],
        )
        got.sum().backward()
        ref = logits.clone().requires_grad_(True)
        _reinforce_loss(ref, actions, returns).backward()
        expect_close(
            leaf.grad.numpy(),
            ref.grad.numpy(),
            f"the gradient of {what}",
            "The returns are constants: the gradient flows through log pi only.",
            atol=1e-9,
        )


@solution("ch06.reinforce_loss")
def reinforce_loss(logits, actions, returns):
    log_probs = torch.log_softmax(logits, dim=1)
    taken = log_probs.gather(1, actions.unsqueeze(1)).squeeze(1)
    return -(taken * returns).mean()
