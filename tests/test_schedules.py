"""nnlib.schedules: the same learning rates as torch.optim.lr_scheduler over 30 epochs."""

from __future__ import annotations

import numpy as np
import pytest

from nnlib.layers import Parameter
from nnlib.optim import SGD, Adam
from nnlib.schedules import CosineAnnealingLR, ExponentialLR, StepLR

torch = pytest.importorskip("torch")
sched = torch.optim.lr_scheduler

CASES = [
    ("step", StepLR, sched.StepLR, dict(step_size=7, gamma=0.5)),
    ("step_default_gamma", StepLR, sched.StepLR, dict(step_size=3)),
    ("step_1", StepLR, sched.StepLR, dict(step_size=1, gamma=0.9)),
    ("exponential", ExponentialLR, sched.ExponentialLR, dict(gamma=0.9)),
    ("cosine", CosineAnnealingLR, sched.CosineAnnealingLR, dict(T_max=10)),
    ("cosine_eta_min", CosineAnnealingLR, sched.CosineAnnealingLR, dict(T_max=12, eta_min=0.01)),
    ("cosine_long", CosineAnnealingLR, sched.CosineAnnealingLR, dict(T_max=30, eta_min=1e-3)),
]


def lrs_nnlib(cls, kwargs, epochs=30, lr=0.1):
    opt = SGD([Parameter(np.zeros(2))], lr=lr)
    s = cls(opt, **kwargs)
    out = [s.get_last_lr()[0]]
    for _ in range(epochs):
        opt.step()
        s.step()
        out.append(s.get_last_lr()[0])
        assert opt.lr == out[-1]
    return out


def lrs_torch(cls, kwargs, epochs=30, lr=0.1):
    p = torch.zeros(2, requires_grad=True)
    p.grad = torch.zeros(2)
    opt = torch.optim.SGD([p], lr=lr)
    s = cls(opt, **kwargs)
    out = [s.get_last_lr()[0]]
    for _ in range(epochs):
        opt.step()
        s.step()
        out.append(s.get_last_lr()[0])
    return out


@pytest.mark.parametrize("name,ours,theirs,kwargs", CASES, ids=[c[0] for c in CASES])
def test_schedule_matches_torch_over_30_epochs(name, ours, theirs, kwargs):
    ours_lrs = lrs_nnlib(ours, kwargs)
    np.testing.assert_allclose(ours_lrs, lrs_torch(theirs, kwargs), rtol=1e-10, atol=1e-15)
    assert len(set(ours_lrs)) > 1


def test_schedule_drives_the_optimizer_and_counts_epochs():
    opt = Adam([Parameter(np.zeros(1))], lr=1.0)
    s = StepLR(opt, step_size=2, gamma=0.1)
    assert s.base_lr == 1.0 and s.last_epoch == 0
    for _ in range(4):
        s.step()
    assert s.last_epoch == 4 and opt.lr == pytest.approx(0.01)
    assert repr(s) == "StepLR(base_lr=1, last_epoch=4)"


def test_cosine_reaches_eta_min_at_t_max():
    opt = SGD([Parameter(np.zeros(1))], lr=0.5)
    s = CosineAnnealingLR(opt, T_max=4, eta_min=0.1)
    for _ in range(4):
        s.step()
    assert s.get_last_lr() == [pytest.approx(0.1)]


@pytest.mark.parametrize(
    "make,error,msg",
    [
        (lambda o: StepLR(o, step_size=0), ValueError, r"StepLR: step_size must be a positive"),
        (lambda o: StepLR(o, step_size=2.5), ValueError, r"step_size must be a positive int"),
        (lambda o: StepLR(o, 2, gamma=-0.5), ValueError, r"StepLR: gamma must be >= 0"),
        (lambda o: ExponentialLR(o, gamma="x"), TypeError, r"gamma must be a real number"),
        (lambda o: CosineAnnealingLR(o, T_max=0), ValueError, r"T_max must be a positive int"),
        (lambda o: CosineAnnealingLR(o, 5, eta_min=-1), ValueError, r"eta_min must be >= 0"),
        (
            lambda o: StepLR("opt", 2),
            TypeError,
            r"StepLR needs an nnlib.optim optimizer; got a str",
        ),
    ],
)
def test_bad_arguments(make, error, msg):
    opt = SGD([Parameter(np.zeros(1))], lr=0.1)
    with pytest.raises(error, match=msg):
        make(opt)


@pytest.mark.parametrize(
    "make",
    [lambda o: StepLR(o, step_size=2, gamma=2.0), lambda o: ExponentialLR(o, gamma=1.05)],
    ids=["StepLR", "ExponentialLR"],
)
def test_a_growing_decay_factor_warns(make):
    opt = SGD([Parameter([1.0])], lr=0.1)
    with pytest.warns(UserWarning, match=r"gamma=.* > 1 makes the learning rate grow"):
        make(opt)


def test_cosine_eta_min_above_the_learning_rate_is_refused():
    opt = SGD([Parameter([1.0])], lr=0.1)
    with pytest.raises(ValueError, match=r"eta_min \(0.5\) is the lowest learning rate and must"):
        CosineAnnealingLR(opt, T_max=10, eta_min=0.5)
