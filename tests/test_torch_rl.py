"""nnlib.torch.rl: rollouts on a tiny fake environment, returns, the REINFORCE loss."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

from nnlib.torch.rl import (  # noqa: E402
    Episode,
    discounted_returns,
    draw_cartpole,
    evaluate_policy,
    greedy_policy,
    random_policy,
    reinforce_loss,
    rollout,
    sampling_policy,
    snap_parameters,
)


class WalkEnv:
    """A walk on a line with the Gymnasium interface: action 1 steps right, 0 steps left.

    The episode terminates at position +3 (reward 10) or -3 (reward -1), every other step
    gives reward 0, and it is truncated after ``limit`` steps. The start is 0, or a random
    position in {-1, 0, 1} drawn from the reset seed.
    """

    def __init__(self, limit=20, random_start=False):
        self.limit, self.random_start = limit, random_start
        self.resets = []

    def reset(self, seed=None):
        self.resets.append(seed)
        rng = np.random.default_rng(seed)
        self.pos = int(rng.integers(-1, 2)) if self.random_start else 0
        self.t = 0
        return np.array([self.pos, 1.0], dtype=np.float32), {}

    def step(self, action):
        assert action in (0, 1)
        self.pos += 1 if action == 1 else -1
        self.t += 1
        terminated = abs(self.pos) >= 3
        reward = (10.0 if self.pos > 0 else -1.0) if terminated else 0.0
        truncated = self.t >= self.limit
        return np.array([self.pos, 1.0], dtype=np.float32), reward, terminated, truncated, {}


def always(action):
    return lambda obs: action


def test_rollout_records_every_step():
    env = WalkEnv()
    ep = rollout(env, always(1), seed=5)
    assert isinstance(ep, Episode) and len(ep) == 3 and ep.terminated
    assert env.resets == [5]
    assert ep.observations.dtype == torch.float64 and ep.observations.shape == (3, 2)
    assert ep.observations[:, 0].tolist() == [0.0, 1.0, 2.0]  # seen *before* each action
    assert ep.actions.tolist() == [1, 1, 1] and ep.actions.dtype == torch.int64
    assert ep.rewards.tolist() == [0.0, 0.0, 10.0] and ep.total_reward == 10.0


def test_rollout_truncation_and_max_steps():
    flip = iter([1, 0] * 50)
    ep = rollout(WalkEnv(limit=6), lambda obs: next(flip))
    assert len(ep) == 6 and not ep.terminated and ep.total_reward == 0.0
    ep = rollout(WalkEnv(limit=100), always(1), max_steps=2)
    assert len(ep) == 2 and not ep.terminated


def test_rollout_policy_sees_float64_tensor():
    seen = []

    def policy(obs):
        seen.append(obs)
        return 0

    rollout(WalkEnv(), policy)
    assert all(isinstance(o, torch.Tensor) and o.dtype == torch.float64 for o in seen)


def test_rollout_bad_input():
    with pytest.raises(TypeError, match="reset"):
        rollout(object(), always(0))
    with pytest.raises(TypeError, match="callable"):
        rollout(WalkEnv(), 1)
    with pytest.raises(TypeError, match="seed"):
        rollout(WalkEnv(), always(0), seed=1.5)
    with pytest.raises(ValueError, match="max_steps"):
        rollout(WalkEnv(), always(0), max_steps=0)


def test_discounted_returns_matches_the_sum():
    rng = np.random.default_rng(0)
    r = rng.normal(size=12)
    gamma = 0.9
    expected = [sum(gamma ** (k - t) * r[k] for k in range(t, len(r))) for t in range(len(r))]
    got = discounted_returns(torch.tensor(r), gamma)
    assert got.dtype == torch.float64
    np.testing.assert_allclose(got.numpy(), expected, atol=1e-12)
    np.testing.assert_allclose(discounted_returns(r, 1.0).numpy(), np.cumsum(r[::-1])[::-1])
    np.testing.assert_allclose(discounted_returns(r, 0.0).numpy(), r)


def test_discounted_returns_bad_input():
    with pytest.raises(ValueError, match="1-D"):
        discounted_returns(np.ones((2, 3)), 0.9)
    with pytest.raises(ValueError, match="gamma"):
        discounted_returns([1.0], 1.5)
    with pytest.raises(ValueError, match="gamma"):
        discounted_returns([1.0], True)


def test_reinforce_loss_value_and_gradient():
    torch.manual_seed(0)
    logits = torch.randn(5, 3, dtype=torch.float64, requires_grad=True)
    actions = torch.tensor([0, 2, 1, 1, 0])
    returns = torch.randn(5, dtype=torch.float64, requires_grad=True)
    loss = reinforce_loss(logits, actions, returns)
    expected = nn.functional.cross_entropy(logits, actions, reduction="none")
    expected = (expected * returns.detach()).mean()  # cross-entropy is -log pi(a|s)
    assert abs(loss.item() - expected.item()) < 1e-12
    loss.backward()
    # d/dlogits of -G log softmax = G (softmax - onehot) / T
    probs = torch.softmax(logits.detach(), 1)
    onehot = nn.functional.one_hot(actions, 3).double()
    grad = returns.detach()[:, None] * (probs - onehot) / 5
    torch.testing.assert_close(logits.grad, grad, atol=1e-12, rtol=0)
    assert returns.grad is None  # the returns are constants


def test_reinforce_loss_bad_input():
    logits = torch.zeros(4, 2)
    with pytest.raises(ValueError, match="logits"):
        reinforce_loss(torch.zeros(4), torch.zeros(4, dtype=torch.int64), torch.zeros(4))
    with pytest.raises(ValueError, match=r"\(4,\)"):
        reinforce_loss(logits, torch.zeros(3, dtype=torch.int64), torch.zeros(4))
    with pytest.raises(TypeError, match="integers"):
        reinforce_loss(logits, torch.zeros(4), torch.zeros(4))
    with pytest.raises(TypeError, match="tensors"):
        reinforce_loss(logits, [0, 1, 0, 1], torch.zeros(4))


def test_policies():
    net = nn.Linear(2, 2).double()
    with torch.no_grad():
        net.weight.zero_()
        net.bias.copy_(torch.tensor([0.0, 5.0]))
    obs = torch.tensor([0.0, 1.0], dtype=torch.float64)
    assert greedy_policy(net)(obs) == 1
    g = torch.Generator().manual_seed(0)
    draws = [sampling_policy(net, g)(obs) for _ in range(400)]
    assert 0.97 < np.mean(draws) < 1.0  # P(right) = sigmoid(5) = 0.993
    a = [sampling_policy(net, torch.Generator().manual_seed(3))(obs) for _ in range(1)]
    b = [sampling_policy(net, torch.Generator().manual_seed(3))(obs) for _ in range(1)]
    assert a == b
    uniform = random_policy(2, torch.Generator().manual_seed(0))
    assert 0.4 < np.mean([uniform(obs) for _ in range(400)]) < 0.6
    with pytest.raises(TypeError, match="Module"):
        greedy_policy(lambda x: x)
    with pytest.raises(TypeError, match="Module"):
        sampling_policy("net")
    with pytest.raises(ValueError, match="n_actions"):
        random_policy(0)


def test_seeded_rollouts_repeat():
    env = WalkEnv(limit=30, random_start=True)
    first = rollout(env, random_policy(2, torch.Generator().manual_seed(1)), seed=7)
    again = rollout(env, random_policy(2, torch.Generator().manual_seed(1)), seed=7)
    assert torch.equal(first.actions, again.actions)
    assert torch.equal(first.observations, again.observations)


def test_evaluate_policy():
    env = WalkEnv()
    returns = evaluate_policy(env, always(1), episodes=3, seed=10)
    assert returns.tolist() == [10.0, 10.0, 10.0] and env.resets == [10, 11, 12]
    with pytest.raises(ValueError, match="episodes"):
        evaluate_policy(env, always(1), episodes=0)


def test_draw_cartpole():
    fig, ax = plt.subplots()
    draw_cartpole(ax, 0.5, 0.1)
    assert len(ax.patches) == 1 and len(ax.lines) == 2  # track, pole
    assert len(ax.collections) == 1  # the end stops
    fig, ax = plt.subplots()
    draw_cartpole(ax, 0.5, 0.1, track=None)
    assert len(ax.collections) == 0
    x, y = ax.lines[1].get_data()
    assert np.isclose(x[1] - x[0], np.sin(0.1)) and np.isclose(y[1] - y[0], np.cos(0.1))
    plt.close(fig)


def test_reinforce_learns_the_walk():
    """A few REINFORCE updates teach a linear policy to walk right (towards reward 10)."""
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(0)
    net = nn.Linear(2, 2).double()
    opt = torch.optim.Adam(net.parameters(), lr=0.1)
    env = WalkEnv(limit=20)
    for i in range(30):
        eps = [rollout(env, sampling_policy(net, g), seed=i) for _ in range(4)]
        obs = torch.cat([e.observations for e in eps])
        acts = torch.cat([e.actions for e in eps])
        ret = torch.cat([discounted_returns(e.rewards, 0.95) for e in eps])
        loss = reinforce_loss(net(obs), acts, ret - ret.mean())
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert evaluate_policy(env, greedy_policy(net), episodes=2).tolist() == [10.0, 10.0]


def test_snap_parameters():
    net = nn.Linear(3, 2).double()
    with torch.no_grad():
        net.weight.fill_(0.123456789)
        net.bias.copy_(torch.tensor([1.0 + 3e-13, -2e-7]))
    snap_parameters(net)
    assert net.weight[0, 0].item() == 0.123457 and net.bias.tolist() == [1.0, -0.0]
    twin = nn.Linear(3, 2).double()
    twin.load_state_dict(net.state_dict())
    with torch.no_grad():
        twin.weight.add_(1e-15)  # a last-bit difference, as another CPU's kernels give
    snap_parameters(twin)
    assert torch.equal(twin.weight, net.weight)
    with pytest.raises(TypeError, match="Module"):
        snap_parameters([torch.zeros(2)])
