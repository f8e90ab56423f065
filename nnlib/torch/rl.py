"""Reinforcement learning by policy gradient: episodes, returns and the REINFORCE loss.

Taught in: Chapter 6, Applications (reinforcement learning).

An agent acts in an *environment*: it sees an observation :math:`s_t`, picks an action
:math:`a_t` from its *policy* :math:`\\pi(a \\mid s)`, and receives a reward :math:`r_t` and the
next observation, until the episode ends. This module holds the pieces that do not depend on
which environment or which network is used:

- :func:`rollout` plays one episode of any environment with the Gymnasium interface
  (``reset(seed=...)`` and ``step(action)``; the environment is passed in, so ``nnlib``
  never imports Gymnasium) and returns an :class:`Episode`;
- :func:`sampling_policy`, :func:`greedy_policy` and :func:`random_policy` turn a network
  (or nothing) into a policy, a function from an observation to an action; sampling draws
  from a seeded ``torch.Generator``;
- :func:`discounted_returns` computes the reward-to-go
  :math:`G_t = r_t + \\gamma r_{t+1} + \\gamma^2 r_{t+2} + \\dots`;
- :func:`reinforce_loss` is the REINFORCE surrogate loss :math:`-\\frac{1}{T}\\sum_t G_t
  \\log \\pi(a_t \\mid s_t)`, whose gradient is the policy-gradient estimate (Williams, 1992);
- :func:`snap_parameters` rounds a network's weights after each update, so that a seeded
  run gives the same agent on every CPU;
- :func:`evaluate_policy` measures a policy's returns over seeded episodes;
- :func:`draw_cartpole` draws a cart-pole state with matplotlib patches (no display server
  or pygame needed).

The training loop itself is short and is the lesson of the notebook, so it lives there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

__all__ = [
    "Episode",
    "discounted_returns",
    "draw_cartpole",
    "evaluate_policy",
    "greedy_policy",
    "random_policy",
    "reinforce_loss",
    "rollout",
    "sampling_policy",
    "snap_parameters",
]


@dataclass(frozen=True)
class Episode:
    """One played episode, one row per step (see :func:`rollout`).

    Taught in: Chapter 6, Applications (reinforcement learning).

    Attributes
    ----------
    observations : torch.Tensor
        ``(T, obs_dim)`` float64: the observation the policy saw before each action.
    actions : torch.Tensor
        ``(T,)`` int64: the actions taken.
    rewards : torch.Tensor
        ``(T,)`` float64: the reward received after each action.
    terminated : bool
        True if the episode ended in a terminal state (the pole fell), False if it was cut
        off by a time limit or by ``max_steps``.
    """

    observations: torch.Tensor
    actions: torch.Tensor
    rewards: torch.Tensor
    terminated: bool

    @property
    def total_reward(self) -> float:
        """The undiscounted return: the sum of the rewards."""
        return float(self.rewards.sum())

    def __len__(self) -> int:
        """The number of steps."""
        return int(self.actions.shape[0])


def _check_seed(seed, name: str = "seed") -> None:
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))):
        raise TypeError(f"{name} must be an integer or None; got {type(seed).__name__}")


def rollout(env, policy: Callable, seed: int | None = None, max_steps: int | None = None):
    """Play one episode of ``env`` with ``policy`` and record what happened.

    Taught in: Chapter 6, Applications (reinforcement learning).

    Parameters
    ----------
    env : object with the Gymnasium interface
        ``env.reset(seed=seed)`` returns ``(observation, info)`` and ``env.step(action)``
        returns ``(observation, reward, terminated, truncated, info)``, as in
        ``gymnasium.make("CartPole-v1")``.
    policy : callable
        ``policy(observation) -> action``, where ``observation`` is a 1-D float64 tensor and
        ``action`` an integer.
    seed : int or None
        Passed to ``env.reset``: the same seed gives the same start state.
    max_steps : int or None
        Stop after this many steps even if the environment has not ended the episode.

    Returns
    -------
    Episode

    Examples
    --------
    >>> import gymnasium as gym  # doctest: +SKIP
    >>> episode = rollout(gym.make("CartPole-v1"), random_policy(2), seed=0)  # doctest: +SKIP
    >>> episode.total_reward  # doctest: +SKIP
    """
    if not (hasattr(env, "reset") and hasattr(env, "step")):
        raise TypeError(
            f"rollout: env must have reset() and step() (the Gymnasium interface); "
            f"got {type(env).__name__}"
        )
    if not callable(policy):
        raise TypeError(f"rollout: policy must be callable; got {type(policy).__name__}")
    _check_seed(seed)
    if max_steps is not None and (
        isinstance(max_steps, bool) or not isinstance(max_steps, int) or max_steps < 1
    ):
        raise ValueError(f"rollout: max_steps must be a positive integer; got {max_steps!r}")
    observation, _ = env.reset(seed=seed)
    observations, actions, rewards = [], [], []
    terminated = False
    while max_steps is None or len(actions) < max_steps:
        obs = torch.as_tensor(np.asarray(observation, dtype=np.float64))
        action = policy(obs)
        observation, reward, terminated, truncated, _ = env.step(action)
        observations.append(obs)
        actions.append(int(action))
        rewards.append(float(reward))
        if terminated or truncated:
            break
    if not actions:
        raise ValueError("rollout: the episode has no steps")
    return Episode(
        torch.stack(observations),
        torch.tensor(actions, dtype=torch.int64),
        torch.tensor(rewards, dtype=torch.float64),
        bool(terminated),
    )


def sampling_policy(net: torch.nn.Module, generator: torch.Generator | None = None):
    """The stochastic policy of a network that outputs one logit per action.

    Taught in: Chapter 6, Applications (reinforcement learning).

    The action is drawn from :math:`\\pi(a \\mid s) = \\mathrm{softmax}(\\text{net}(s))_a` by
    inverse-CDF sampling: one uniform number :math:`u` from ``generator`` (``torch.rand``),
    and the first action whose cumulative probability exceeds :math:`u`. A seeded generator
    replays the same actions on every CPU. (``torch.multinomial`` is not used: its CPU
    kernel draws its random numbers differently depending on the CPU's vector instructions.)
    Use a float64 network: float32 rounding that differs between CPUs could move a
    cumulative probability across :math:`u`, flip an action and change the rest of the
    episode.

    Parameters
    ----------
    net : torch.nn.Module
        Maps a ``(obs_dim,)`` observation to ``(n_actions,)`` logits.
    generator : torch.Generator, optional
        The source of randomness for the draws.

    Returns
    -------
    callable
        ``policy(observation) -> int``, run under ``torch.no_grad()``.
    """
    if not isinstance(net, torch.nn.Module):
        raise TypeError(f"sampling_policy: net must be a torch.nn.Module; got {type(net).__name__}")

    def policy(observation: torch.Tensor) -> int:
        with torch.no_grad():
            cumulative = torch.cumsum(torch.softmax(net(observation), dim=-1), dim=-1)
        u = torch.rand((), generator=generator, dtype=cumulative.dtype)
        return min(int((cumulative <= u).sum()), cumulative.shape[-1] - 1)

    return policy


def greedy_policy(net: torch.nn.Module):
    """The deterministic policy that always takes the action with the highest logit.

    Taught in: Chapter 6, Applications (reinforcement learning).

    Parameters
    ----------
    net : torch.nn.Module
        Maps a ``(obs_dim,)`` observation to ``(n_actions,)`` logits.

    Returns
    -------
    callable
        ``policy(observation) -> int``.
    """
    if not isinstance(net, torch.nn.Module):
        raise TypeError(f"greedy_policy: net must be a torch.nn.Module; got {type(net).__name__}")

    def policy(observation: torch.Tensor) -> int:
        with torch.no_grad():
            return int(torch.argmax(net(observation)))

    return policy


def random_policy(n_actions: int, generator: torch.Generator | None = None):
    """The policy that picks each of ``n_actions`` actions with equal probability.

    Taught in: Chapter 6, Applications (reinforcement learning).

    Parameters
    ----------
    n_actions : int
        The number of discrete actions (2 for CartPole).
    generator : torch.Generator, optional
        The source of randomness.

    Returns
    -------
    callable
        ``policy(observation) -> int``; the observation is ignored.
    """
    if isinstance(n_actions, bool) or not isinstance(n_actions, int) or n_actions < 1:
        raise ValueError(f"random_policy: n_actions must be a positive integer; got {n_actions!r}")

    def policy(observation) -> int:
        return int(torch.randint(n_actions, (1,), generator=generator))

    return policy


def discounted_returns(rewards, gamma: float) -> torch.Tensor:
    """The reward-to-go of every step: :math:`G_t = \\sum_{k \\ge t} \\gamma^{k-t} r_k`.

    Taught in: Chapter 6, Applications (reinforcement learning).

    Computed backwards in one pass, :math:`G_t = r_t + \\gamma G_{t+1}` with
    :math:`G_T = 0` after the last step.

    Parameters
    ----------
    rewards : 1-D tensor or array_like
        The rewards of one episode, in order.
    gamma : float
        The discount factor, in [0, 1].

    Returns
    -------
    torch.Tensor
        float64, the same length as ``rewards``.

    Examples
    --------
    >>> discounted_returns([1.0, 1.0, 1.0], 0.5)
    tensor([1.7500, 1.5000, 1.0000], dtype=torch.float64)
    """
    r = torch.as_tensor(rewards, dtype=torch.float64)
    if r.ndim != 1:
        raise ValueError(
            f"discounted_returns: rewards must be 1-D (one episode); got shape {tuple(r.shape)}"
        )
    if isinstance(gamma, bool) or not isinstance(gamma, (int, float)) or not 0 <= gamma <= 1:
        raise ValueError(f"discounted_returns: gamma must be a number in [0, 1]; got {gamma!r}")
    returns = torch.empty_like(r)
    running = 0.0
    for t in range(len(r) - 1, -1, -1):
        running = r[t] + gamma * running
        returns[t] = running
    return returns


def reinforce_loss(logits: torch.Tensor, actions: torch.Tensor, returns: torch.Tensor):
    """The REINFORCE loss :math:`-\\frac{1}{T}\\sum_t G_t \\log \\pi(a_t \\mid s_t)`.

    Taught in: Chapter 6, Applications (reinforcement learning).

    Its gradient with respect to the network's parameters is the policy-gradient estimate
    of Williams (1992): minimising it raises the log-probability of each action taken in
    proportion to the return that followed it. ``returns`` is treated as a constant (it is
    detached), so a baseline may be subtracted from it beforehand.

    Parameters
    ----------
    logits : torch.Tensor
        ``(T, n_actions)``: the network's outputs for the observations of the batch.
    actions : torch.Tensor
        ``(T,)`` integers: the actions that were taken.
    returns : torch.Tensor
        ``(T,)``: the (discounted, possibly normalised) return that followed each action.

    Returns
    -------
    torch.Tensor
        A scalar.
    """
    if not all(isinstance(t, torch.Tensor) for t in (logits, actions, returns)):
        raise TypeError("reinforce_loss: logits, actions and returns must be torch tensors")
    if logits.ndim != 2:
        raise ValueError(
            f"reinforce_loss: logits must be (T, n_actions); got shape {tuple(logits.shape)}"
        )
    n = logits.shape[0]
    if tuple(actions.shape) != (n,) or tuple(returns.shape) != (n,):
        raise ValueError(
            f"reinforce_loss: actions and returns must be ({n},) to match logits; got "
            f"{tuple(actions.shape)} and {tuple(returns.shape)}"
        )
    if actions.dtype not in (torch.int64, torch.int32):
        raise TypeError(f"reinforce_loss: actions must be integers; got {actions.dtype}")
    log_probs = torch.log_softmax(logits, dim=1)
    taken = log_probs.gather(1, actions.long().unsqueeze(1)).squeeze(1)
    return -(taken * returns.detach().to(logits.dtype)).mean()


def snap_parameters(net: torch.nn.Module, decimals: int = 6) -> None:
    """Round every parameter of ``net`` in place to ``decimals`` decimal places.

    Taught in: Chapter 6, Applications (reinforcement learning).

    Reinforcement learning amplifies tiny differences: float64 sums done in another order
    by another CPU's vector kernels change the weights in their last bits, one action
    somewhere flips, and from then on the agent sees different episodes and learns a
    different policy. Rounding the weights after every update to a grid much finer than an
    update step (``10**-6`` against Adam steps of about the learning rate) erases those
    last-bit differences, so a seeded run replays the same on every machine; it does not
    change what is learned.

    Parameters
    ----------
    net : torch.nn.Module
    decimals : int, default 6
    """
    if not isinstance(net, torch.nn.Module):
        raise TypeError(f"snap_parameters: net must be a torch.nn.Module; got {type(net).__name__}")
    with torch.no_grad():
        for p in net.parameters():
            p.copy_(torch.round(p, decimals=decimals))


def evaluate_policy(env, policy: Callable, episodes: int = 10, seed: int = 0) -> np.ndarray:
    """The total reward of ``policy`` on ``episodes`` episodes seeded ``seed, seed + 1, ...``.

    Taught in: Chapter 6, Applications (reinforcement learning).

    Parameters
    ----------
    env : object with the Gymnasium interface
    policy : callable
        ``policy(observation) -> action``.
    episodes : int
        How many episodes to play.
    seed : int
        The reset seed of the first episode.

    Returns
    -------
    numpy.ndarray
        The undiscounted return of each episode.
    """
    if isinstance(episodes, bool) or not isinstance(episodes, int) or episodes < 1:
        raise ValueError(f"evaluate_policy: episodes must be a positive integer; got {episodes!r}")
    _check_seed(seed)
    return np.array([rollout(env, policy, seed=seed + i).total_reward for i in range(episodes)])


def draw_cartpole(
    ax,
    x: float,
    theta: float,
    pole_length: float = 1.0,
    color: str = "C0",
    track: float | None = 2.4,
):
    """Draw a cart-pole state on ``ax``: the track, the cart and the pole.

    Taught in: Chapter 6, Applications (reinforcement learning).

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    x : float
        The cart's position (CartPole's observation 0; the episode ends at ±2.4).
    theta : float
        The pole's angle from upright in radians, positive to the right (observation 2;
        the episode ends at ±0.21, i.e. 12 degrees).
    pole_length : float
        The drawn pole's length (CartPole's pole is 1.0 long: its half-length is 0.5).
    color : str
        The cart's colour.
    track : float or None
        Draw end stops at ``-track`` and ``+track`` (CartPole's episode ends when the cart's
        centre passes 2.4); ``None`` for none.
    """
    from matplotlib.patches import Rectangle

    width, height = 0.5, 0.3
    ax.axhline(0, color="0.6", lw=1, zorder=0)
    if track is not None:
        ax.vlines([-track, track], 0, 0.5, color="k", lw=1.5, zorder=1)
    ax.add_patch(Rectangle((x - width / 2, 0), width, height, color=color, zorder=2))
    top = (x + pole_length * np.sin(theta), height + pole_length * np.cos(theta))
    ax.plot([x, top[0]], [height, top[1]], color="C1", lw=4, solid_capstyle="round", zorder=3)
