"""Optimizers: SGD (with momentum and Nesterov), AdaGrad, RMSprop, Adam and AdamW.

An optimizer holds a list of :class:`nnlib.layers.Parameter` objects and, on ``step()``,
updates each ``p.data`` in place from ``p.grad``; ``zero_grad()`` resets the gradients.
The update rules, including where weight decay, bias correction and ``eps`` enter, are
exactly those of ``torch.optim`` (the tests follow both for 25 steps and compare to 1e-10).
``lr`` is a plain attribute: change it between steps, or let a schedule from
:mod:`nnlib.schedules` change it.

In the formulas, ``g`` is the gradient (plus ``weight_decay * p`` when weight decay is on)
and every operation is elementwise.

Taught in: Chapter 4, Learning.
"""

from __future__ import annotations

import math

import numpy as np

from ._validate import check_in_range, check_positive, describe

__all__ = ["SGD", "AdaGrad", "Adam", "AdamW", "Optimizer", "RMSprop"]


class Optimizer:
    """Base class: holds the parameters and the learning rate; ``step`` and ``zero_grad``.

    Parameters
    ----------
    params : iterable of Parameter
        Usually ``model.parameters()``.
    lr : float
        Learning rate, ``>= 0``.

    Attributes
    ----------
    params : list of Parameter
    lr : float
        Writable; schedules change it.
    state : list of dict
        Per-parameter buffers (momentum, running averages), created on the first step.
    step_count : int
        Number of calls to ``step()``.

    Taught in: Chapter 4, Learning.
    """

    def __init__(self, params, lr: float):
        from .layers import Parameter

        name = type(self).__name__
        if isinstance(params, Parameter):
            params = [params]
        if callable(params) and getattr(params, "__name__", "") == "parameters":
            raise TypeError(
                f"{name}: params must be the list of parameters; got the method "
                "model.parameters itself (call it: model.parameters())"
            )
        if hasattr(params, "parameters") and callable(params.parameters):
            raise TypeError(
                f"{name}: params must be the model's parameters, not the model; got "
                f"{describe(params)} (pass model.parameters())"
            )
        if isinstance(params, np.ndarray) or not hasattr(params, "__iter__"):
            raise TypeError(
                f"{name}: params must be an iterable of Parameter objects "
                f"(e.g. model.parameters()); got {describe(params)}"
            )
        self.params = list(params)
        if not self.params:
            raise ValueError(f"{type(self).__name__}: got an empty list of parameters")
        for i, p in enumerate(self.params):
            if not isinstance(p, Parameter):
                hint = ""
                if type(p).__name__ == "Value":
                    hint = (
                        " (the scalar engine's Values are updated by hand: "
                        "for p in model.parameters(): p.data -= lr * p.grad)"
                    )
                raise TypeError(
                    f"{type(self).__name__}: params must be nnlib.layers.Parameter objects "
                    f"(e.g. model.parameters()); got {describe(p)} at position {i}{hint}"
                )
        if len({id(p) for p in self.params}) != len(self.params):
            raise ValueError(f"{type(self).__name__}: a parameter appears more than once")
        self.lr = lr
        self.state = [{} for _ in self.params]
        self.step_count = 0

    @property
    def lr(self) -> float:
        """The learning rate (``>= 0``)."""
        return self._lr

    @lr.setter
    def lr(self, value) -> None:
        self._lr = float(check_positive(value, f"{type(self).__name__}: lr", allow_zero=True))

    def zero_grad(self) -> None:
        """Set every parameter's gradient to zero (in place)."""
        for p in self.params:
            p.zero_grad()

    def step(self) -> None:
        """Update every parameter once from its current gradient."""
        self.step_count += 1
        for p, state in zip(self.params, self.state, strict=True):
            if p.grad.shape != p.data.shape:
                raise ValueError(
                    f"{type(self).__name__}: {p!r} has a gradient of shape {p.grad.shape}"
                )
            self._update(p.data, p.grad, state)

    def _update(self, w: np.ndarray, g: np.ndarray, state: dict) -> None:
        raise NotImplementedError

    def _decayed(self, w, g, weight_decay):
        """``g + weight_decay * w`` (a new array), or ``g`` itself without decay."""
        return g + weight_decay * w if weight_decay else g

    def __repr__(self) -> str:
        return f"{type(self).__name__}(lr={self.lr:g}, {len(self.params)} parameters)"


class SGD(Optimizer):
    """Stochastic gradient descent, with optional momentum, dampening, Nesterov, weight decay.

    As ``torch.optim.SGD``: with ``g = grad + weight_decay * p``,

    - no momentum: ``p -= lr * g``;
    - momentum ``mu``: ``v = g`` on the first step, then ``v = mu * v + (1 - dampening) * g``;
      ``p -= lr * v``, or with Nesterov ``p -= lr * (g + mu * v)``.

    Parameters
    ----------
    params : iterable of Parameter
    lr : float
        Learning rate.
    momentum : float
        ``mu`` in ``[0, 1)`` (typical: 0.9). ``torch.optim.SGD`` accepts any ``mu >= 0``,
        but with ``mu >= 1`` the velocity never forgets a gradient and training blows up,
        so nnlib refuses it.
    dampening : float
        Scales the new gradient in the velocity, in ``[0, 1]`` (0 by default).
    nesterov : bool
        Nesterov momentum (needs ``momentum > 0`` and ``dampening == 0``).
    weight_decay : float
        L2 penalty coefficient.

    Taught in: Chapter 4, Learning.
    """

    def __init__(
        self,
        params,
        lr: float,
        momentum: float = 0.0,
        dampening: float = 0.0,
        nesterov: bool = False,
        weight_decay: float = 0.0,
    ):
        super().__init__(params, lr)
        self.momentum = check_in_range(momentum, "SGD: momentum", 0, 1, high_open=True)
        self.dampening = check_in_range(dampening, "SGD: dampening", 0, 1)
        self.weight_decay = check_positive(weight_decay, "SGD: weight_decay", allow_zero=True)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("SGD: Nesterov momentum requires momentum > 0 and dampening = 0")
        self.nesterov = bool(nesterov)

    def _update(self, w, g, state):
        d = self._decayed(w, g, self.weight_decay)
        if self.momentum:
            v = state.get("momentum_buffer")
            if v is None:
                v = state["momentum_buffer"] = d.copy()
            else:
                v *= self.momentum
                v += (1 - self.dampening) * d
            d = d + self.momentum * v if self.nesterov else v
        if d is g:  # plain SGD: one fused in-place update, no temporary the size of w
            w -= self.lr * g
        else:
            w -= self.lr * d


class AdaGrad(Optimizer):
    """AdaGrad: each parameter's step is divided by the root of its summed squared gradients.

    As ``torch.optim.Adagrad``: ``G += g**2``;
    ``p -= lr / (1 + (t - 1) * lr_decay) * g / (sqrt(G) + eps)`` at step ``t``.
    Rarely updated parameters keep larger steps; every step size only shrinks.

    Parameters
    ----------
    params : iterable of Parameter
    lr : float
        Learning rate (default 0.01).
    lr_decay : float
        Decay of the learning rate with the step count.
    weight_decay : float
        L2 penalty coefficient.
    initial_accumulator_value : float
        Starting value of ``G``.
    eps : float
        Added to the denominator (default 1e-10).

    Taught in: Chapter 4, Learning.
    """

    def __init__(
        self,
        params,
        lr: float = 0.01,
        lr_decay: float = 0.0,
        weight_decay: float = 0.0,
        initial_accumulator_value: float = 0.0,
        eps: float = 1e-10,
    ):
        super().__init__(params, lr)
        self.lr_decay = check_positive(lr_decay, "AdaGrad: lr_decay", allow_zero=True)
        self.weight_decay = check_positive(weight_decay, "AdaGrad: weight_decay", allow_zero=True)
        self.initial_accumulator_value = check_positive(
            initial_accumulator_value, "AdaGrad: initial_accumulator_value", allow_zero=True
        )
        self.eps = check_positive(eps, "AdaGrad: eps", allow_zero=True)

    def _update(self, w, g, state):
        if not state:
            state["step"] = 0
            state["sum"] = np.full_like(w, self.initial_accumulator_value)
        state["step"] += 1
        d = self._decayed(w, g, self.weight_decay)
        clr = self.lr / (1 + (state["step"] - 1) * self.lr_decay)
        acc = state["sum"]
        acc += d * d
        w -= clr * d / (np.sqrt(acc) + self.eps)


class RMSprop(Optimizer):
    """RMSprop: divide the step by a running root-mean-square of recent gradients.

    As ``torch.optim.RMSprop``: ``s = alpha * s + (1 - alpha) * g**2``; the denominator is
    ``sqrt(s) + eps``, or with ``centered`` ``sqrt(s - m**2) + eps`` where
    ``m = alpha * m + (1 - alpha) * g``; then ``p -= lr * g / denom``, or with momentum
    ``b = momentum * b + g / denom`` and ``p -= lr * b``.

    Parameters
    ----------
    params : iterable of Parameter
    lr : float
        Learning rate (default 0.01).
    alpha : float
        Smoothing constant of the running average (default 0.99).
    eps : float
        Added to the denominator (default 1e-8).
    weight_decay : float
        L2 penalty coefficient.
    momentum : float
        Momentum factor in ``[0, 1)`` (0: none).
    centered : bool
        Normalise by the estimated variance instead of the raw second moment.

    Taught in: Chapter 4, Learning.
    """

    def __init__(
        self,
        params,
        lr: float = 0.01,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
    ):
        super().__init__(params, lr)
        self.alpha = check_in_range(alpha, "RMSprop: alpha", 0.0, 1.0)
        self.eps = check_positive(eps, "RMSprop: eps", allow_zero=True)
        self.weight_decay = check_positive(weight_decay, "RMSprop: weight_decay", allow_zero=True)
        self.momentum = check_in_range(momentum, "RMSprop: momentum", 0, 1, high_open=True)
        self.centered = bool(centered)

    def _update(self, w, g, state):
        if not state:
            state["square_avg"] = np.zeros_like(w)
            if self.centered:
                state["grad_avg"] = np.zeros_like(w)
            if self.momentum:
                state["momentum_buffer"] = np.zeros_like(w)
        d = self._decayed(w, g, self.weight_decay)
        s = state["square_avg"]
        s *= self.alpha
        s += (1 - self.alpha) * d * d
        if self.centered:
            m = state["grad_avg"]
            m += (1 - self.alpha) * (d - m)  # torch's lerp: m + (1 - alpha) (g - m)
            denom = np.sqrt(s - m * m)
        else:
            denom = np.sqrt(s)
        denom += self.eps
        if self.momentum:
            b = state["momentum_buffer"]
            b *= self.momentum
            b += d / denom
            w -= self.lr * b
        else:
            w -= self.lr * d / denom


class Adam(Optimizer):
    """Adam: momentum on the gradient and RMSprop-style scaling, with bias correction.

    As ``torch.optim.Adam`` at step ``t`` (from 1), with ``g = grad + weight_decay * p``::

        m = beta1 * m + (1 - beta1) * g             # first moment
        v = beta2 * v + (1 - beta2) * g**2          # second moment
        (amsgrad: v_max = max(v_max, v), and v_max replaces v below)
        p -= lr / (1 - beta1**t) * m / (sqrt(v) / sqrt(1 - beta2**t) + eps)

    The bias corrections undo the pull of ``m`` and ``v`` towards their zero start during
    the first steps.

    Parameters
    ----------
    params : iterable of Parameter
    lr : float
        Learning rate (default 1e-3).
    betas : tuple of float
        ``(beta1, beta2)``, each in ``[0, 1)`` (default ``(0.9, 0.999)``).
    eps : float
        Added to the denominator (default 1e-8).
    weight_decay : float
        L2 penalty added to the gradient (for decoupled decay use :class:`AdamW`).
    amsgrad : bool
        Use the running maximum of ``v`` (the AMSGrad variant).

    Taught in: Chapter 4, Learning.
    """

    _decoupled = False

    def __init__(
        self,
        params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
    ):
        super().__init__(params, lr)
        name = type(self).__name__
        try:
            beta1, beta2 = betas
        except (TypeError, ValueError):
            raise TypeError(f"{name}: betas must be a pair (beta1, beta2); got {betas!r}") from None
        check_in_range(beta1, f"{name}: betas[0]", 0.0, 1.0, high_open=True)
        check_in_range(beta2, f"{name}: betas[1]", 0.0, 1.0, high_open=True)
        self.betas = (float(beta1), float(beta2))
        self.eps = check_positive(eps, f"{name}: eps", allow_zero=True)
        self.weight_decay = check_positive(weight_decay, f"{name}: weight_decay", allow_zero=True)
        self.amsgrad = bool(amsgrad)

    def _update(self, w, g, state):
        beta1, beta2 = self.betas
        if not state:
            state["step"] = 0
            state["exp_avg"] = np.zeros_like(w)
            state["exp_avg_sq"] = np.zeros_like(w)
            if self.amsgrad:
                state["max_exp_avg_sq"] = np.zeros_like(w)
        state["step"] += 1
        t = state["step"]
        if self._decoupled:
            w *= 1 - self.lr * self.weight_decay
            d = g
        else:
            d = self._decayed(w, g, self.weight_decay)
        m, v = state["exp_avg"], state["exp_avg_sq"]
        m += (1 - beta1) * (d - m)  # torch's lerp
        v *= beta2
        v += (1 - beta2) * d * d
        if self.amsgrad:
            np.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])
            v = state["max_exp_avg_sq"]
        step_size = self.lr / (1 - beta1**t)
        denom = np.sqrt(v)
        denom /= math.sqrt(1 - beta2**t)
        denom += self.eps
        w -= step_size * m / denom


class AdamW(Adam):
    """Adam with decoupled weight decay, as ``torch.optim.AdamW``.

    Instead of adding ``weight_decay * p`` to the gradient (which Adam's scaling then
    distorts), each step first shrinks the weights, ``p *= 1 - lr * weight_decay``, then
    takes the Adam step on the plain gradient. Parameters as :class:`Adam`, but
    ``weight_decay`` defaults to 0.01.

    Taught in: Chapter 4, Learning.
    """

    _decoupled = True

    def __init__(
        self,
        params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.01,
        amsgrad: bool = False,
    ):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad)
