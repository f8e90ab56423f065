"""nnlib.optim: 25-step trajectories equal torch.optim's (float64, 1e-10), and bad input."""

from __future__ import annotations

import numpy as np
import pytest

from nnlib.layers import Dense, Parameter, Sequential
from nnlib.optim import SGD, AdaGrad, Adam, AdamW, Optimizer, RMSprop

torch = pytest.importorskip("torch")


def gradients(a, b):
    """The gradient of a fixed loss of two parameters: a Rosenbrock-like ravine in ``a``
    (shape (3, 2)) coupled to a quadratic in ``b`` (shape (2,))."""
    x, y = a[:, 0], a[:, 1]
    ga = np.zeros_like(a)
    ga[:, 0] = -2 * (1 - x) - 40 * x * (y - x**2) + 0.5 * b[0]
    ga[:, 1] = 20 * (y - x**2) + 0.5 * b[1]
    gb = np.array([3.0, 0.2]) * b + 0.5 * a.sum(axis=0)
    return ga, gb


START_A = np.array([[-1.2, 1.0], [0.5, -0.3], [1.5, 2.0]])
START_B = np.array([2.0, -1.0])

CONFIGS = [
    ("sgd", SGD, torch.optim.SGD, dict(lr=0.002)),
    ("sgd_wd", SGD, torch.optim.SGD, dict(lr=0.002, weight_decay=0.1)),
    ("sgd_momentum", SGD, torch.optim.SGD, dict(lr=0.002, momentum=0.9)),
    ("sgd_dampening", SGD, torch.optim.SGD, dict(lr=0.002, momentum=0.8, dampening=0.3)),
    ("sgd_nesterov", SGD, torch.optim.SGD, dict(lr=0.002, momentum=0.9, nesterov=True)),
    (
        "sgd_all",
        SGD,
        torch.optim.SGD,
        dict(lr=0.002, momentum=0.7, nesterov=True, weight_decay=0.05),
    ),
    ("adagrad", AdaGrad, torch.optim.Adagrad, dict(lr=0.1)),
    ("adagrad_decay", AdaGrad, torch.optim.Adagrad, dict(lr=0.1, lr_decay=0.05)),
    (
        "adagrad_all",
        AdaGrad,
        torch.optim.Adagrad,
        dict(lr=0.1, lr_decay=0.01, weight_decay=0.1, initial_accumulator_value=0.5, eps=1e-6),
    ),
    ("rmsprop", RMSprop, torch.optim.RMSprop, dict(lr=0.01)),
    ("rmsprop_alpha_eps", RMSprop, torch.optim.RMSprop, dict(lr=0.01, alpha=0.9, eps=1e-4)),
    ("rmsprop_centered", RMSprop, torch.optim.RMSprop, dict(lr=0.01, centered=True)),
    ("rmsprop_momentum", RMSprop, torch.optim.RMSprop, dict(lr=0.005, momentum=0.9)),
    (
        "rmsprop_all",
        RMSprop,
        torch.optim.RMSprop,
        dict(lr=0.005, momentum=0.5, centered=True, weight_decay=0.1),
    ),
    ("adam", Adam, torch.optim.Adam, dict(lr=0.05)),
    ("adam_betas", Adam, torch.optim.Adam, dict(lr=0.05, betas=(0.5, 0.9), eps=1e-3)),
    ("adam_wd", Adam, torch.optim.Adam, dict(lr=0.05, weight_decay=0.1)),
    ("adam_amsgrad", Adam, torch.optim.Adam, dict(lr=0.05, amsgrad=True)),
    ("adam_all", Adam, torch.optim.Adam, dict(lr=0.05, weight_decay=0.1, amsgrad=True)),
    ("adamw", AdamW, torch.optim.AdamW, dict(lr=0.05)),
    ("adamw_amsgrad", AdamW, torch.optim.AdamW, dict(lr=0.05, weight_decay=0.2, amsgrad=True)),
]


def run_nnlib(cls, kwargs, steps=25, new_lr=None):
    a, b = Parameter(START_A.copy()), Parameter(START_B.copy())
    opt = cls([a, b], **kwargs)
    for i in range(steps):
        if new_lr is not None and i == steps // 2:
            opt.lr = new_lr
        ga, gb = gradients(a.data, b.data)
        a.grad += ga
        b.grad += gb
        opt.step()
        opt.zero_grad()
    return a.data, b.data


def run_torch(cls, kwargs, steps=25, new_lr=None):
    a = torch.tensor(START_A.copy(), requires_grad=True)
    b = torch.tensor(START_B.copy(), requires_grad=True)
    opt = cls([a, b], **kwargs)
    for i in range(steps):
        if new_lr is not None and i == steps // 2:
            opt.param_groups[0]["lr"] = new_lr
        ga, gb = gradients(a.detach().numpy(), b.detach().numpy())
        a.grad, b.grad = torch.tensor(ga), torch.tensor(gb)
        opt.step()
        opt.zero_grad()
    return a.detach().numpy(), b.detach().numpy()


@pytest.mark.parametrize("name,ours,theirs,kwargs", CONFIGS, ids=[c[0] for c in CONFIGS])
def test_trajectory_matches_torch(name, ours, theirs, kwargs):
    a, b = run_nnlib(ours, kwargs)
    ta, tb = run_torch(theirs, kwargs)
    assert not np.allclose(a, START_A)  # it moved
    np.testing.assert_allclose(a, ta, rtol=0, atol=1e-10)
    np.testing.assert_allclose(b, tb, rtol=0, atol=1e-10)


@pytest.mark.parametrize("name,ours,theirs,kwargs", CONFIGS[::4], ids=[c[0] for c in CONFIGS[::4]])
def test_changing_lr_mid_run_matches_torch(name, ours, theirs, kwargs):
    a, b = run_nnlib(ours, kwargs, new_lr=kwargs["lr"] / 3)
    ta, tb = run_torch(theirs, kwargs, new_lr=kwargs["lr"] / 3)
    np.testing.assert_allclose(a, ta, rtol=0, atol=1e-10)
    np.testing.assert_allclose(b, tb, rtol=0, atol=1e-10)


def test_float32_parameters_stay_float32_and_in_place():
    layer = Dense(4, 3, rng=0)
    for cls in (SGD, AdaGrad, RMSprop, Adam, AdamW):
        opt = cls(layer.parameters(), lr=0.01)
        ref = layer.W.data
        layer.W.grad += 1
        layer.b.grad += 1
        opt.step()
        assert layer.W.data is ref and layer.W.data.dtype == np.float32
        assert layer.b.data.dtype == np.float32
        opt.zero_grad()
        assert not layer.W.grad.any()
        assert opt.step_count == 1


def test_sgd_descends_a_quadratic():
    p = Parameter([3.0, -2.0])
    opt = SGD([p], lr=0.1)
    for _ in range(100):
        p.grad[:] = 2 * p.data
        opt.step()
    assert np.abs(p.data).max() < 1e-8


def test_generator_and_single_parameter_are_accepted():
    layer = Dense(2, 2, rng=0)
    assert len(Adam(iter(layer.parameters())).params) == 2
    assert len(SGD(layer.W, lr=0.1).params) == 1
    assert repr(SGD(layer.parameters(), lr=0.1)) == "SGD(lr=0.1, 2 parameters)"


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "make,error,msg",
    [
        (lambda ps: SGD(ps, lr=-0.1), ValueError, r"SGD: lr must be >= 0; got -0.1"),
        (lambda ps: SGD(ps, lr="0.1"), TypeError, r"SGD: lr must be a real number; got a str"),
        (lambda ps: Adam(ps, lr=float("nan")), ValueError, r"Adam: lr must be finite; got nan"),
        (lambda ps: SGD(ps, lr=0.1, momentum=-1), ValueError, r"SGD: momentum must be in \[0, 1\)"),
        (
            lambda ps: SGD(ps, lr=0.1, momentum=1.5),
            ValueError,
            r"momentum must be in \[0, 1\); got 1.5",
        ),
        (
            lambda ps: SGD(ps, lr=0.1, momentum=1),
            ValueError,
            r"momentum must be in \[0, 1\); got 1",
        ),
        (lambda ps: SGD(ps, lr=0.1, dampening=2), ValueError, r"dampening must be in \[0, 1\]"),
        (
            lambda ps: RMSprop(ps, momentum=1.2),
            ValueError,
            r"RMSprop: momentum must be in \[0, 1\)",
        ),
        (
            lambda ps: SGD(ps, lr=0.1, nesterov=True),
            ValueError,
            r"SGD: Nesterov momentum requires momentum > 0 and dampening = 0",
        ),
        (
            lambda ps: Adam(ps, betas=(0.9, 1.0)),
            ValueError,
            r"Adam: betas\[1\] must be in \[0.0, 1.0\); got 1.0",
        ),
        (lambda ps: Adam(ps, betas=0.9), TypeError, r"Adam: betas must be a pair"),
        (lambda ps: Adam(ps, eps=-1e-8), ValueError, r"Adam: eps must be >= 0"),
        (lambda ps: RMSprop(ps, alpha=1.5), ValueError, r"RMSprop: alpha must be in \[0.0, 1.0\]"),
        (lambda ps: AdaGrad(ps, lr_decay=-1), ValueError, r"AdaGrad: lr_decay must be >= 0"),
        (lambda ps: SGD([], lr=0.1), ValueError, r"SGD: got an empty list of parameters"),
        (
            lambda ps: SGD([ps[0].data], lr=0.1),
            TypeError,
            r"params must be nnlib.layers.Parameter objects .*got an array of shape \(2, 2\)",
        ),
        (lambda ps: SGD(ps[0].data, lr=0.1), TypeError, r"params must be an iterable of Param"),
        (lambda ps: SGD(ps + ps[:1], lr=0.1), ValueError, r"a parameter appears more than once"),
    ],
)
def test_bad_arguments(make, error, msg):
    params = Dense(2, 2, rng=0).parameters()
    with pytest.raises(error, match=msg):
        make(params)


def test_lr_assignment_is_validated():
    opt = SGD(Dense(2, 2).parameters(), lr=0.1)
    opt.lr = 0.05
    assert opt.lr == 0.05
    with pytest.raises(ValueError, match=r"SGD: lr must be >= 0; got -1"):
        opt.lr = -1


def test_gradient_of_the_wrong_shape_is_reported():
    p = Parameter(np.zeros(3))
    opt = SGD([p], lr=0.1)
    p.grad = np.zeros(4)
    with pytest.raises(ValueError, match=r"has a gradient of shape \(4,\)"):
        opt.step()


def test_base_class_needs_an_update_rule():
    opt = Optimizer([Parameter([1.0])], lr=0.1)
    with pytest.raises(NotImplementedError):
        opt.step()


def test_model_or_method_instead_of_parameters_gets_a_hint():
    model = Sequential(Dense(2, 2, rng=0))
    with pytest.raises(TypeError, match=r"got the method model.parameters itself \(call it"):
        SGD(model.parameters, lr=0.1)
    with pytest.raises(TypeError, match=r"not the model; got a Sequential \(pass model.param"):
        Adam(model, lr=0.1)


def test_momentum_above_one_used_to_blow_up():
    """Why 1.5 is refused: the velocity grows without bound (torch accepts it)."""
    p = Parameter(np.array([1.0]))
    opt = SGD([p], lr=0.1, momentum=0.99)  # the largest sensible values still converge
    for _ in range(2000):
        p.grad = 2 * p.data  # loss w**2
        opt.step()
    assert abs(p.data[0]) < 1e-3
