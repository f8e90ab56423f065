"""Tests of nnlib.gradcheck: finite differences, relative error, and the checks of
functions, layers and models (a right gradient passes, a wrong one is caught)."""

from __future__ import annotations

import numpy as np
import pytest

from nnlib.gradcheck import (
    GradcheckReport,
    check_gradient,
    check_layer,
    check_model,
    numerical_gradient,
    relative_error,
)
from nnlib.layers import GELU, Dense, Dropout, Parameter, PReLU, Sequential, Softmax, Tanh
from nnlib.losses import CrossEntropyLoss, MSELoss


def test_numerical_gradient_of_known_functions():
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    np.testing.assert_allclose(numerical_gradient(lambda v: np.sum(v**2), x), 2 * x, atol=1e-8)
    np.testing.assert_allclose(numerical_gradient(lambda v: np.sin(v).sum(), x), np.cos(x), 1e-8)
    assert numerical_gradient(lambda v: float(v) ** 3, 2.0) == pytest.approx(12.0, rel=1e-8)
    assert numerical_gradient(lambda v: np.sum(v), [1, 2, 3]).dtype == np.float64


def test_numerical_gradient_leaves_x_alone():
    x = np.array([1.0, 2.0, 3.0])
    seen = []
    numerical_gradient(lambda v: seen.append(v is x) or float(v @ v), x)
    np.testing.assert_array_equal(x, [1.0, 2.0, 3.0])
    assert not any(seen)


def test_numerical_gradient_bad_input():
    with pytest.raises(TypeError, match="f must be a function of an array; got a list"):
        numerical_gradient([1.0], [1.0])
    with pytest.raises(ValueError, match="eps must be a positive finite number"):
        numerical_gradient(np.sum, [1.0], eps=0.0)
    with pytest.raises(TypeError, match="eps must be a positive float; got a str"):
        numerical_gradient(np.sum, [1.0], eps="1e-6")
    with pytest.raises(ValueError, match=r"f must return a scalar .* shape \(2,\)"):
        numerical_gradient(lambda v: v * 2, [1.0, 2.0])
    with pytest.raises(TypeError, match="f must return a number; got a str"):
        numerical_gradient(lambda v: "loss", [1.0])
    with pytest.raises(ValueError, match="x must be finite"):
        numerical_gradient(np.sum, [1.0, np.nan])
    with pytest.raises(TypeError, match="must hold real numbers"):
        numerical_gradient(np.sum, ["a"])


def test_relative_error():
    a = np.array([1.0, -2.0, 3.0])
    assert relative_error(a, a) == 0.0
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert relative_error(a, -a) == 1.0
    assert relative_error(a, a + 1e-9) == pytest.approx(relative_error(1e6 * a, 1e6 * (a + 1e-9)))
    assert relative_error(np.array([1e-300]), np.array([2e-300])) == pytest.approx(1 / 3)
    assert relative_error([1.0, np.nan], [1.0, 1.0]) == np.inf
    with pytest.raises(ValueError, match=r"same shape; got \(3,\) and \(2,\)"):
        relative_error(a, a[:2])


def test_check_gradient_accepts_right_and_catches_wrong():
    x = np.array([0.3, -1.2, 2.0])
    good = check_gradient(lambda v: np.sum(np.tanh(v)), lambda v: 1 - np.tanh(v) ** 2, x)
    assert good.passed and good.max_relative_error < 1e-8
    bad = check_gradient(lambda v: np.sum(np.tanh(v)), lambda v: 1 - np.tanh(v), x)
    assert not bad.passed and bad.max_relative_error > 0.1
    assert bad.failures == [bad["x"]]
    text = str(bad)
    assert text.startswith("check_gradient: FAILED") and "WRONG" in text and "0x" not in text
    # a gradient that is zero everywhere is judged by the absolute tolerance
    flat = check_gradient(lambda v: 1.0 + 0 * np.sum(v), lambda v: np.zeros_like(v), x)
    assert flat.passed and flat.max_relative_error == 0.0


def test_check_gradient_bad_input():
    with pytest.raises(ValueError, match=r"analytic gradient of x has shape \(2,\); expected"):
        check_gradient(np.sum, lambda v: np.ones(2), [1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match="grad_f must be a function"):
        check_gradient(np.sum, None, [1.0])
    with pytest.raises(ValueError, match="rtol must be a number >= 0"):
        check_gradient(np.sum, np.ones_like, [1.0], rtol=-1)


class FakeDense:
    """A minimal layer written against the contract (not nnlib.layers), with a switch for a
    typical bug: forgetting to transpose in the input gradient."""

    def __init__(self, n_in, n_out, bug=None):
        rng = np.random.default_rng(0)
        self.W = Parameter(rng.normal(size=(n_in, n_out)), name="weight")
        self.b = Parameter(rng.normal(size=n_out), name="bias")
        self.bug = bug

    def forward(self, x):
        self.x = x
        return np.tanh(x @ self.W.data + self.b.data)

    def backward(self, grad_out):
        y = np.tanh(self.x @ self.W.data + self.b.data)
        g = grad_out * (1 - y**2) if self.bug != "activation" else grad_out
        self.W.grad += self.x.T @ g
        self.b.grad += g.sum(axis=0) if self.bug != "bias" else g.mean(axis=0)
        return g @ self.W.data.T

    def parameters(self):
        return [self.W, self.b]


def test_check_layer_with_a_fake_layer():
    x = np.random.default_rng(1).normal(size=(4, 3))
    report = check_layer(FakeDense(3, 2), x)
    assert report.passed and [e.name for e in report.entries] == ["input", "weight", "bias"]
    bias_bug = check_layer(FakeDense(3, 2, bug="bias"), x)
    assert not bias_bug.passed and [e.name for e in bias_bug.failures] == ["bias"]
    act_bug = check_layer(FakeDense(3, 2, bug="activation"), x)
    assert not act_bug.passed and {e.name for e in act_bug.failures} == {"input", "weight", "bias"}
    assert "check_layer(FakeDense): FAILED" in str(act_bug) and "0x" not in repr(act_bug)


def test_check_layer_with_nnlib_layers():
    x = np.random.default_rng(2).normal(size=(5, 3))
    layer = Dense(3, 4, rng=0)  # float32 by default: checked on a float64 copy
    W_before = layer.W.data.copy()
    report = check_layer(layer, x)
    assert report.passed, str(report)
    assert report.max_relative_error < 1e-7
    assert layer.W.data.dtype == np.float32 and np.array_equal(layer.W.data, W_before)
    assert not layer.W.grad.any()  # the original was not touched
    for other in (Tanh(), GELU(), PReLU(3), Softmax()):
        assert check_layer(other, x).passed


def test_check_layer_catches_a_buggy_nnlib_layer():
    class LeakyBias(Dense):
        def backward(self, grad_out):
            grad_in = super().backward(grad_out)
            self.b.grad *= 0.5
            return grad_in

    report = check_layer(LeakyBias(3, 2, rng=0), np.ones((2, 3)))
    assert not report.passed and [e.name for e in report.failures] == ["bias"]


def test_check_layer_refuses_random_layers_and_missing_gradients():
    x = np.ones((3, 4))
    with pytest.raises(ValueError, match="different outputs for the same input .* .eval()"):
        check_layer(Dropout(0.5, rng=0), x)
    assert check_layer(Dropout(0.5, rng=0).eval(), x).passed

    class NoInputGrad(FakeDense):
        def backward(self, grad_out):
            super().backward(grad_out)

    with pytest.raises(TypeError, match="backward returned None; it must return dLoss/dinput"):
        check_layer(NoInputGrad(4, 2), x)
    with pytest.raises(TypeError, match="expected a layer or model"):
        check_layer(object(), x)

    class Float32Inside(FakeDense):
        def forward(self, x):
            return super().forward(x).astype(np.float32)

    with pytest.raises(ValueError, match="returned dtype float32 on a float64 copy"):
        check_layer(Float32Inside(4, 2), x)


def test_check_model():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(6, 3))
    y = np.array([0, 1, 2, 1, 0, 2])
    model = Sequential(Dense(3, 5, rng=0), Tanh(), Dense(5, 3, rng=1))
    report = check_model(model, CrossEntropyLoss(), X, y)
    assert report.passed, str(report)
    names = [e.name for e in report.entries]
    assert names == ["input", "0.weight", "0.bias", "2.weight", "2.bias"]
    assert not model.layers[0].W.grad.any()
    reg = check_model(Sequential(Dense(3, 1, rng=0)), MSELoss(), X, rng.normal(size=(6, 1)))
    assert reg.passed
    with pytest.raises(TypeError, match="loss_fn must be a loss object"):
        check_model(model, lambda p, t: 0.0, X, y)


def test_report_rendering():
    report = check_layer(FakeDense(2, 2, bug="bias"), np.ones((2, 2)))
    assert isinstance(report, GradcheckReport)
    text = str(report)
    lines = text.splitlines()
    assert lines[0].startswith("check_layer(FakeDense): FAILED (max relative error")
    assert lines[1].split() == ["array", "shape", "rel.", "error", "max", "abs", "error"]
    assert any(line.lstrip().startswith("bias[") and "analytic" in line for line in lines)
    page = report._repr_html_()
    assert page.count("<tr>") == 4 and "FAILED" in page and "0x" not in page
    assert repr(report).startswith("GradcheckReport('check_layer(FakeDense)', passed=False")
    with pytest.raises(KeyError, match="no entry 'gamma'; entries: input, weight, bias"):
        report["gamma"]
    assert GradcheckReport("empty").passed and GradcheckReport("empty").max_relative_error == 0
