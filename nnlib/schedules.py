"""Learning-rate schedules: step decay, exponential decay, cosine annealing.

A schedule wraps an optimizer and rewrites its ``lr`` each time ``step()`` is called, once
per epoch after the epoch's optimizer steps, as with ``torch.optim.lr_scheduler``::

    opt = SGD(model.parameters(), lr=0.1)
    sched = StepLR(opt, step_size=10, gamma=0.5)
    for epoch in range(30):
        ...                 # train one epoch: opt.step() per batch
        sched.step()        # then move to the next epoch's learning rate

Epoch ``e`` (counting from 0) uses the learning rate given by the closed forms below, with
``base_lr`` the optimizer's ``lr`` when the schedule was created; the values equal those of
PyTorch's schedulers.

Taught in: Chapter 4, Learning.
"""

from __future__ import annotations

import math
import numbers
import warnings

from ._validate import check_positive, describe
from .optim import Optimizer

__all__ = ["CosineAnnealingLR", "ExponentialLR", "Schedule", "StepLR"]


class Schedule:
    """Base class: ``step()`` advances one epoch and sets ``optimizer.lr``.

    Attributes
    ----------
    optimizer : nnlib.optim.Optimizer
    base_lr : float
        The optimizer's learning rate when the schedule was created.
    last_epoch : int
        The current epoch (0 after creation).

    Taught in: Chapter 4, Learning.
    """

    def __init__(self, optimizer):
        if not isinstance(optimizer, Optimizer):
            raise TypeError(
                f"{type(self).__name__} needs an nnlib.optim optimizer; got {describe(optimizer)}"
            )
        self.optimizer = optimizer
        self.base_lr = optimizer.lr
        self.last_epoch = 0
        optimizer.lr = self.lr_at(0)

    def lr_at(self, epoch: int) -> float:
        """The learning rate of epoch ``epoch`` (closed form)."""
        raise NotImplementedError

    def step(self) -> None:
        """Advance to the next epoch and set the optimizer's learning rate for it."""
        self.last_epoch += 1
        self.optimizer.lr = self.lr_at(self.last_epoch)

    def get_last_lr(self) -> list[float]:
        """The current learning rate, in a list (one entry per parameter group, as in torch)."""
        return [self.optimizer.lr]

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_lr={self.base_lr:g}, last_epoch={self.last_epoch})"


def _warn_if_growing(gamma: float, name: str) -> None:
    """A decay factor above 1 makes the learning rate grow every step: almost surely a typo."""
    if gamma > 1:
        warnings.warn(
            f"{name}: gamma={gamma:g} > 1 makes the learning rate grow, epoch after epoch; "
            "a decay needs 0 < gamma < 1 (e.g. 0.5)",
            UserWarning,
            stacklevel=3,
        )


def _positive_int(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{name} must be a positive int; got {value!r}")
    return int(value)


class StepLR(Schedule):
    """Multiply the learning rate by ``gamma`` every ``step_size`` epochs.

    ``lr(e) = base_lr * gamma ** (e // step_size)``, as ``torch.optim.lr_scheduler.StepLR``.

    Parameters
    ----------
    optimizer : nnlib.optim.Optimizer
    step_size : int
        Epochs between two decays.
    gamma : float
        Decay factor (default 0.1).

    Taught in: Chapter 4, Learning.
    """

    def __init__(self, optimizer, step_size: int, gamma: float = 0.1):
        self.step_size = _positive_int(step_size, "StepLR: step_size")
        self.gamma = check_positive(gamma, "StepLR: gamma", allow_zero=True)
        _warn_if_growing(gamma, "StepLR")
        super().__init__(optimizer)

    def lr_at(self, epoch: int) -> float:
        return self.base_lr * self.gamma ** (epoch // self.step_size)


class ExponentialLR(Schedule):
    """Multiply the learning rate by ``gamma`` every epoch: ``lr(e) = base_lr * gamma ** e``.

    As ``torch.optim.lr_scheduler.ExponentialLR``.

    Parameters
    ----------
    optimizer : nnlib.optim.Optimizer
    gamma : float
        Decay factor per epoch.

    Taught in: Chapter 4, Learning.
    """

    def __init__(self, optimizer, gamma: float):
        self.gamma = check_positive(gamma, "ExponentialLR: gamma", allow_zero=True)
        _warn_if_growing(gamma, "ExponentialLR")
        super().__init__(optimizer)

    def lr_at(self, epoch: int) -> float:
        return self.base_lr * self.gamma**epoch


class CosineAnnealingLR(Schedule):
    """Cosine annealing from ``base_lr`` down to ``eta_min`` over ``T_max`` epochs.

    ``lr(e) = eta_min + (base_lr - eta_min) * (1 + cos(pi * e / T_max)) / 2``. After
    ``T_max`` epochs the curve rises again (period ``2 T_max``), as in
    ``torch.optim.lr_scheduler.CosineAnnealingLR``.

    Parameters
    ----------
    optimizer : nnlib.optim.Optimizer
    T_max : int
        Epochs from the top to the bottom.
    eta_min : float
        The lowest learning rate (default 0).

    Taught in: Chapter 4, Learning.
    """

    def __init__(self, optimizer, T_max: int, eta_min: float = 0.0):
        self.T_max = _positive_int(T_max, "CosineAnnealingLR: T_max")
        self.eta_min = check_positive(eta_min, "CosineAnnealingLR: eta_min", allow_zero=True)
        if isinstance(optimizer, Optimizer) and eta_min > optimizer.lr:
            raise ValueError(
                f"CosineAnnealingLR: eta_min ({eta_min:g}) is the lowest learning rate and must "
                f"not exceed the optimizer's lr ({optimizer.lr:g})"
            )
        super().__init__(optimizer)

    def lr_at(self, epoch: int) -> float:
        cos = math.cos(math.pi * epoch / self.T_max)
        return self.eta_min + (self.base_lr - self.eta_min) * (1 + cos) / 2
