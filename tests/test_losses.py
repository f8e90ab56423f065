"""nnlib.losses against torch.nn (float64) and central finite differences."""

from __future__ import annotations

import re
import zlib

import numpy as np
import pytest
from conftest import numerical_grad

from nnlib.layers import Dense, Parameter, Sequential
from nnlib.losses import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    HingeLoss,
    MSELoss,
    l1_penalty,
    l2_penalty,
)

torch = pytest.importorskip("torch")
ATOL = 1e-10


def t(a, grad=False):
    return torch.tensor(np.asarray(a), dtype=torch.float64, requires_grad=grad)


def torch_loss_and_grad(fn, pred, target):
    pt = t(pred, grad=True)
    loss = fn(pt, target)
    loss.backward()
    return loss.item(), pt.grad.numpy()


def make_case(name, shape, rng):
    """(pred, target, torch target) for a loss on a batch of the given shape."""
    if name == "mse":
        return rng.normal(size=shape), rng.normal(size=shape), None
    if name == "bce":
        p = rng.uniform(0.02, 0.98, shape)
        y = rng.integers(0, 2, shape).astype(float)
        y.flat[0] = 0.3  # soft targets are allowed
        return p, y, None
    if name == "bce_logits":
        return rng.normal(0, 3, shape), rng.integers(0, 2, shape).astype(float), None
    if name == "ce":
        n, c = shape
        y = rng.integers(0, c, n)
        return rng.normal(0, 3, shape), y, torch.tensor(y)
    if name == "hinge":
        f = rng.normal(0, 2, shape)
        f[np.abs(1 - np.abs(f)) < 1e-3] += 0.01  # away from the kink at margin 1
        return f, rng.choice([-1.0, 1.0], shape), None
    raise AssertionError(name)


LOSSES = {
    "mse": (MSELoss, lambda red: torch.nn.MSELoss(reduction=red)),
    "bce": (BCELoss, lambda red: torch.nn.BCELoss(reduction=red)),
    "bce_logits": (BCEWithLogitsLoss, lambda red: torch.nn.BCEWithLogitsLoss(reduction=red)),
    "ce": (CrossEntropyLoss, lambda red: torch.nn.CrossEntropyLoss(reduction=red)),
    "hinge": (
        HingeLoss,
        lambda red: lambda f, y: getattr(torch.relu(1 - y * f), red)(),
    ),
}
SHAPES = {
    "mse": [(5,), (6, 1), (4, 3)],
    "bce": [(5,), (6, 1), (4, 3)],
    "bce_logits": [(5,), (6, 1), (4, 3)],
    "ce": [(5, 3), (8, 10), (1, 2)],
    "hinge": [(7,), (6, 1)],
}
CASES = [(name, shape) for name in sorted(LOSSES) for shape in SHAPES[name]]


@pytest.mark.parametrize("reduction", ["mean", "sum"])
@pytest.mark.parametrize("name,shape", CASES, ids=[f"{n}-{s}" for n, s in CASES])
def test_loss_matches_torch(name, shape, reduction):
    rng = np.random.default_rng(zlib.crc32(f"{name}{shape}".encode()))
    pred, target, torch_target = make_case(name, shape, rng)
    ours, ref = LOSSES[name]
    loss_fn = ours(reduction=reduction)
    value = loss_fn(pred, target)
    grad = loss_fn.backward()
    tt = t(target) if torch_target is None else torch_target
    ref_value, ref_grad = torch_loss_and_grad(ref(reduction), pred, tt)
    assert isinstance(value, float)
    assert value == pytest.approx(ref_value, rel=1e-12, abs=ATOL)
    assert grad.shape == pred.shape and grad.dtype == np.float64
    np.testing.assert_allclose(grad, ref_grad, rtol=0, atol=ATOL)


@pytest.mark.parametrize("name,shape", CASES, ids=[f"{n}-{s}" for n, s in CASES])
def test_loss_gradient_matches_finite_differences(name, shape):
    rng = np.random.default_rng(11)
    pred, target, _ = make_case(name, shape, rng)
    loss_fn = LOSSES[name][0]()
    loss_fn(pred, target)
    grad = loss_fn.backward()
    num = numerical_grad(lambda: loss_fn(pred, target), pred)
    np.testing.assert_allclose(grad, num, rtol=1e-6, atol=1e-8)


def test_loss_through_a_model_matches_torch():
    rng = np.random.default_rng(12)
    model = Sequential(Dense(4, 3, rng=0, dtype=np.float64))
    X, y = rng.normal(size=(10, 4)), rng.integers(0, 3, 10)
    loss_fn = CrossEntropyLoss()
    loss = loss_fn(model(X), y)
    model.backward(loss_fn.backward())
    W = t(model[0].W.data, grad=True)
    ref = torch.nn.functional.cross_entropy(t(X) @ W, torch.tensor(y))
    ref.backward()
    assert loss == pytest.approx(ref.item(), rel=1e-12)
    np.testing.assert_allclose(model[0].W.grad, W.grad.numpy(), rtol=0, atol=ATOL)


# --------------------------------------------------------------------------- stability


def test_cross_entropy_is_stable_for_logits_of_1000():
    z = np.array([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 999.0], [1000.0, 1000.0, -1000.0]])
    y = np.array([1, 2, 0])
    loss_fn = CrossEntropyLoss()
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        value = loss_fn(z, y)
        grad = loss_fn.backward()
    ref_value, ref_grad = torch_loss_and_grad(torch.nn.CrossEntropyLoss(), z, torch.tensor(y))
    assert np.isfinite(value) and np.isfinite(grad).all()
    assert value == pytest.approx(ref_value, rel=1e-12)
    np.testing.assert_allclose(grad, ref_grad, rtol=0, atol=ATOL)


def test_bce_with_logits_is_stable_for_logits_of_1000():
    x = np.array([1000.0, -1000.0, 1000.0, -1000.0, 0.0])
    y = np.array([0.0, 1.0, 1.0, 0.0, 1.0])
    loss_fn = BCEWithLogitsLoss()
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        value = loss_fn(x, y)
        grad = loss_fn.backward()
    ref_value, ref_grad = torch_loss_and_grad(torch.nn.BCEWithLogitsLoss(), x, t(y))
    assert value == pytest.approx(ref_value, rel=1e-12)
    np.testing.assert_allclose(grad, ref_grad, rtol=0, atol=ATOL)


def test_bce_clamps_its_logs_like_torch():
    p = np.array([0.0, 1.0, 0.0, 1.0, 1e-60])
    y = np.array([1.0, 0.0, 0.0, 1.0, 1.0])
    loss_fn = BCELoss(reduction="sum")
    value = loss_fn(p, y)
    grad = loss_fn.backward()
    ref_value, ref_grad = torch_loss_and_grad(torch.nn.BCELoss(reduction="sum"), p, t(y))
    assert value == pytest.approx(200.0 + 100.0)  # two certain mistakes cost 100 each
    assert value == pytest.approx(ref_value, rel=1e-12)
    np.testing.assert_allclose(grad, ref_grad, rtol=1e-12)


def test_float32_predictions_give_float32_gradients():
    rng = np.random.default_rng(13)
    z = rng.normal(size=(4, 3)).astype(np.float32)
    loss_fn = CrossEntropyLoss()
    loss_fn(z, np.array([0, 1, 2, 0]))
    assert loss_fn.backward().dtype == np.float32
    mse = MSELoss()
    mse(z, np.zeros((4, 3)))
    assert mse.backward().dtype == np.float32


def test_column_and_flat_targets_are_reshaped_not_broadcast():
    pred = np.array([[1.0], [2.0], [3.0]])
    loss_fn = MSELoss()
    assert loss_fn(pred, np.array([1.0, 2.0, 5.0])) == pytest.approx(4 / 3)
    assert loss_fn.backward().shape == (3, 1)


def test_hinge_accepts_zero_one_labels():
    f = np.array([2.0, -0.5, 0.3, -3.0])
    a, b = HingeLoss(), HingeLoss()
    assert a(f, np.array([1, 0, 0, 0])) == b(f, np.array([1, -1, -1, -1]))
    np.testing.assert_array_equal(a.backward(), b.backward())
    assert HingeLoss()(np.array([2.0, -2.0]), np.array([1, -1])) == 0.0
    assert HingeLoss(margin=3.0)(np.array([2.0]), np.array([1])) == pytest.approx(1.0)


def test_reprs():
    assert repr(MSELoss()) == "MSELoss()"
    assert repr(CrossEntropyLoss(reduction="sum")) == "CrossEntropyLoss(reduction='sum')"
    assert repr(HingeLoss(margin=2.0)) == "HingeLoss(margin=2.0)"


# --------------------------------------------------------------------------- penalties


def test_l2_penalty_value_and_gradient():
    w = Parameter([[1.0, -2.0], [0.5, 0.0]])
    b = Parameter([3.0])
    value = l2_penalty([w, b], 0.1)
    assert value == pytest.approx(0.05 * (1 + 4 + 0.25 + 9))
    np.testing.assert_allclose(w.grad, 0.1 * w.data)
    np.testing.assert_allclose(b.grad, [0.3])
    assert l2_penalty(w, 0.1, grad=False) == pytest.approx(0.05 * 5.25)
    np.testing.assert_allclose(w.grad, 0.1 * w.data)  # unchanged by grad=False


def test_l2_penalty_equals_weight_decay():
    from nnlib.optim import SGD

    rng = np.random.default_rng(14)
    start = rng.normal(size=(3, 2))
    a, b = Parameter(start.copy()), Parameter(start.copy())
    opt_a = SGD([a], lr=0.1, momentum=0.9, weight_decay=0.01)
    opt_b = SGD([b], lr=0.1, momentum=0.9)
    for _ in range(10):
        for p in (a, b):
            p.grad[...] = np.sin(p.data)  # some data gradient
        l2_penalty([b], 0.01)
        opt_a.step()
        opt_b.step()
        opt_a.zero_grad()
        opt_b.zero_grad()
    np.testing.assert_allclose(a.data, b.data, rtol=1e-13)


def test_l1_penalty_value_and_gradient_match_torch():
    data = np.array([[1.0, -2.0, 0.0], [0.5, -0.1, 3.0]])
    w = Parameter(data.copy())
    value = l1_penalty([w], 0.3)
    wt = t(data, grad=True)
    ref = 0.3 * wt.abs().sum()
    ref.backward()
    assert value == pytest.approx(ref.item(), rel=1e-12)
    np.testing.assert_allclose(w.grad, wt.grad.numpy(), rtol=0, atol=ATOL)


def test_penalties_reject_bad_input():
    with pytest.raises(TypeError, match=r"l2_penalty: params must be nnlib.layers.Parameter"):
        l2_penalty([np.ones(3)], 0.1)
    with pytest.raises(TypeError, match=r"l1_penalty: params must be Parameters; got a float"):
        l1_penalty(1.0, 0.1)
    with pytest.raises(ValueError, match=r"l1_penalty: strength must be >= 0; got -1"):
        l1_penalty([Parameter([1.0])], -1)


# --------------------------------------------------------------------------- bad input


def test_backward_before_forward():
    msg = r"CrossEntropyLoss.backward\(\) needs a forward pass first: call loss = loss_fn"
    with pytest.raises(RuntimeError, match=msg):
        CrossEntropyLoss().backward()


def test_cross_entropy_needs_integer_labels():
    z = np.zeros((3, 4))
    msg = r"target must hold integer class labels; got dtype float64"
    with pytest.raises(TypeError, match=msg):
        CrossEntropyLoss()(z, np.array([0.0, 1.0, 2.0]))
    with pytest.raises(TypeError, match=re.escape("(one-hot rows? use y.argmax(axis=1))")):
        CrossEntropyLoss()(z, np.eye(4)[[0, 1, 2]])


def test_cross_entropy_label_range_shape_and_length():
    z = np.zeros((3, 4))
    with pytest.raises(ValueError, match=r"labels in 0..3 \(4 classes\); got label 4"):
        CrossEntropyLoss()(z, np.array([0, 4, 1]))
    with pytest.raises(ValueError, match=r"got label -1"):
        CrossEntropyLoss()(z, np.array([0, -1, 1]))
    msg = r"pred must be logits of shape \(batch, n_classes\); got shape \(4,\)"
    with pytest.raises(ValueError, match=msg):
        CrossEntropyLoss()(np.zeros(4), np.array([1]))
    msg = r"CrossEntropyLoss: pred and target must have the same number of samples; got 3 and 2"
    with pytest.raises(ValueError, match=msg):
        CrossEntropyLoss()(z, np.array([0, 1]))


def test_shape_mismatch_is_reported():
    msg = r"MSELoss: pred and target must have the same shape; got pred \(4, 2\) and target \(4,\)"
    with pytest.raises(ValueError, match=msg):
        MSELoss()(np.zeros((4, 2)), np.zeros(4))


def test_empty_batch_nan_target_and_strings():
    with pytest.raises(ValueError, match=r"MSELoss: pred is empty \(shape \(0,\)\)"):
        MSELoss()(np.zeros(0), np.zeros(0))
    with pytest.raises(ValueError, match=r"BCEWithLogitsLoss: target must be finite; got 1 NaN"):
        BCEWithLogitsLoss()(np.zeros(3), np.array([0.0, np.nan, 1.0]))
    with pytest.raises(TypeError, match=r"MSELoss: pred must hold real numbers"):
        MSELoss()(np.array(["a", "b"]), np.zeros(2))


def test_bce_rejects_values_outside_zero_one():
    with pytest.raises(ValueError, match=r"pred must hold probabilities in \[0, 1\].*got 1.5"):
        BCELoss()(np.array([0.5, 1.5]), np.array([0.0, 1.0]))
    msg = r"BCELoss: target must hold values in \[0, 1\] \(0/1 labels or probabilities\); got 0, 2"
    with pytest.raises(ValueError, match=msg):
        BCELoss()(np.array([0.5, 0.5]), np.array([0.0, 2.0]))


@pytest.mark.parametrize("loss", [BCELoss(), BCEWithLogitsLoss()])
def test_bce_refuses_minus_one_plus_one_labels_with_a_hint(loss):
    name = type(loss).__name__
    pred = np.array([0.2, 0.7, 0.4])
    msg = rf"{name}: target must hold values in \[0, 1\].*got -1, 1\. For -1/\+1 labels use "
    msg += r"\(y \+ 1\) / 2, or HingeLoss"
    with pytest.raises(ValueError, match=msg):
        loss(pred, np.array([-1.0, 1.0, 1.0]))
    with pytest.raises(
        ValueError, match=r"got 0, 2\. For class labels 0\.\.K-1 with K > 2 use Cross"
    ):
        loss(pred, np.array([0, 2, 0]))
    loss(pred, np.array([0.0, 0.25, 1.0]))  # soft targets in [0, 1] are fine


def test_bce_with_logits_used_to_train_to_a_negative_loss():
    """Why: with a target of -1 the loss per element decreases without bound."""
    x = np.array([50.0])
    t = -1.0
    per = np.maximum(x, 0) - x * t + np.log1p(np.exp(-np.abs(x)))
    assert per[0] > 0  # positive logit: big loss ... but
    x = np.array([-50.0])
    per = np.maximum(x, 0) - x * t + np.log1p(np.exp(-np.abs(x)))
    assert per[0] < 0  # a negative "loss": training pushes the logit to -inf


def test_cross_entropy_single_column_gets_a_hint():
    msg = r"CrossEntropyLoss: pred has a single column .* use BCEWithLogitsLoss"
    with pytest.raises(ValueError, match=msg):
        CrossEntropyLoss()(np.zeros((4, 1)), np.array([0, 1, 1, 0]))


def test_hinge_rejects_bad_labels_and_shapes():
    msg = r"labels -1/\+1 \(or 0/1\); got values \[-1.0, 0.0, 1.0\]"
    with pytest.raises(ValueError, match=msg):
        HingeLoss()(np.zeros(3), np.array([-1, 0, 1]))
    with pytest.raises(ValueError, match=r"one score per sample, shape \(n,\) or \(n, 1\)"):
        HingeLoss()(np.zeros((3, 2)), np.ones((3, 2)))
    with pytest.raises(TypeError, match=r"HingeLoss: target must hold labels"):
        HingeLoss()(np.zeros(2), np.array(["a", "b"]))


def test_bad_reduction():
    with pytest.raises(ValueError, match=r"reduction must be 'mean' or 'sum'; got 'none'"):
        MSELoss(reduction="none")
