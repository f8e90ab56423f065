"""Tests of nnlib.activations: values and derivatives against PyTorch (float64) and finite
differences, stability at extreme inputs, properties (hypothesis), dtypes, bad input, and
the comparison-table data."""

from __future__ import annotations

import html.parser
import math
import warnings
import zlib

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import nnlib.activations as A
from nnlib.gradcheck import numerical_gradient

ATOL = 1e-10


def _t(x):
    return torch.tensor(np.asarray(x, dtype=np.float64), requires_grad=True)


# name -> (nnlib function, nnlib derivative, torch function), parameters at their defaults
# and at a non-default value
ELEMENTWISE = {
    "sigmoid": (A.sigmoid, A.sigmoid_grad, torch.sigmoid),
    "tanh": (A.tanh, A.tanh_grad, torch.tanh),
    "relu": (A.relu, A.relu_grad, F.relu),
    "leaky_relu": (A.leaky_relu, A.leaky_relu_grad, F.leaky_relu),
    "leaky_relu_0.2": (
        lambda x: A.leaky_relu(x, 0.2),
        lambda x: A.leaky_relu_grad(x, negative_slope=0.2),
        lambda t: F.leaky_relu(t, 0.2),
    ),
    "prelu": (
        A.prelu,
        A.prelu_grad,
        lambda t: F.prelu(t, torch.tensor([0.25], dtype=torch.float64)),
    ),
    "elu": (A.elu, A.elu_grad, F.elu),
    "elu_0.5": (
        lambda x: A.elu(x, alpha=0.5),
        lambda x: A.elu_grad(x, 0.5),
        lambda t: F.elu(t, alpha=0.5),
    ),
    "silu": (A.silu, A.silu_grad, F.silu),
    "swish": (A.swish, A.swish_grad, F.silu),
    "gelu": (A.gelu, A.gelu_grad, F.gelu),
    "gelu_tanh": (A.gelu_tanh, A.gelu_tanh_grad, lambda t: F.gelu(t, approximate="tanh")),
}
SHAPES = [(1,), (17,), (4, 5), (2, 3, 6)]
KINKED = {"relu", "leaky_relu", "leaky_relu_0.2", "prelu", "elu", "elu_0.5"}


def _torch_value_and_grad(tfn, x):
    t = _t(x)
    y = tfn(t)
    (g,) = torch.autograd.grad(y.sum(), t)
    return y.detach().numpy(), g.numpy()


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("name", list(ELEMENTWISE))
def test_matches_torch(name, shape):
    fn, grad, tfn = ELEMENTWISE[name]
    rng = np.random.default_rng([zlib.crc32(name.encode()), *shape])  # stable across runs
    x = rng.normal(0.0, 3.0, size=shape)
    x.flat[0] = 0.0  # the kink, where the convention must match torch's
    want_y, want_g = _torch_value_and_grad(tfn, x)
    np.testing.assert_allclose(fn(x), want_y, rtol=0, atol=ATOL)
    np.testing.assert_allclose(grad(x), want_g, rtol=0, atol=ATOL)
    assert fn(x).shape == shape and grad(x).shape == shape


@pytest.mark.parametrize("name", list(ELEMENTWISE))
def test_derivative_matches_finite_differences(name):
    fn, grad, _ = ELEMENTWISE[name]
    rng = np.random.default_rng(1)
    x = rng.uniform(-6, 6, size=40)
    if name in KINKED:
        x = x[np.abs(x) > 1e-3]  # keep finite differences off the kink
    num = numerical_gradient(lambda v: float(np.sum(fn(v))), x)
    np.testing.assert_allclose(grad(x), num, rtol=1e-6, atol=1e-8)


EXTREMES = np.array([-1e4, -1000.0, -745.0, -40.0, -37.0, 0.0, 37.0, 40.0, 745.0, 1000.0, 1e4])


@pytest.mark.parametrize("name", list(ELEMENTWISE))
def test_extreme_inputs_are_finite_silent_and_equal_to_torch(name):
    fn, grad, tfn = ELEMENTWISE[name]
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        y, g = fn(EXTREMES), grad(EXTREMES)
    assert np.isfinite(y).all() and np.isfinite(g).all()
    want_y, want_g = _torch_value_and_grad(tfn, EXTREMES)
    np.testing.assert_allclose(y, want_y, rtol=1e-15, atol=ATOL)
    np.testing.assert_allclose(g, want_g, rtol=1e-15, atol=ATOL)


def test_extreme_softmax_and_log_softmax():
    x = np.array([[1000.0, 0.0, -1000.0], [1e4, 1e4, -1e4], [-1e4, -1e4 + 1, -1e4 + 2]])
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        s, ls = A.softmax(x), A.log_softmax(x)
    assert np.isfinite(s).all() and np.isfinite(ls).all()
    np.testing.assert_allclose(s, F.softmax(torch.tensor(x), -1).numpy(), atol=ATOL, rtol=0)
    np.testing.assert_allclose(ls, F.log_softmax(torch.tensor(x), -1).numpy(), atol=1e-9)
    np.testing.assert_array_equal(A.softmax([1000.0, 0.0]), [1.0, 0.0])
    np.testing.assert_array_equal(A.log_softmax([1000.0, 0.0]), [0.0, -1000.0])


def test_specific_values():
    assert A.sigmoid(0.0) == 0.5
    assert A.sigmoid(-1000.0) == 0.0 and A.sigmoid(1000.0) == 1.0
    assert A.sigmoid_grad(0.0) == 0.25 and A.tanh_grad(0.0) == 1.0
    assert A.relu_grad(0.0) == 0.0 and A.leaky_relu_grad(0.0) == 0.01
    assert A.elu(-1e4) == -1.0
    assert A.gelu(0.0) == 0.0 and A.gelu_grad(0.0) == 0.5
    # the tiny tail values are kept, not rounded to zero
    assert A.sigmoid_grad(40.0) == pytest.approx(math.exp(-40.0), rel=1e-12)
    assert A.tanh_grad(20.0) == pytest.approx(4 * math.exp(-40.0), rel=1e-12)
    assert abs(A.gelu(1.0) - A.gelu_tanh(1.0)) < 5e-4
    tiny = np.linspace(-1e-6, 1e-6, 20001)  # rounding must not push the maxima past 1/4 and 1
    assert A.sigmoid_grad(tiny).max() == 0.25 and A.tanh_grad(tiny).max() == 1.0


@pytest.mark.parametrize("axis", [0, 1, -1, 2, -3])
def test_softmax_and_log_softmax_match_torch(axis):
    rng = np.random.default_rng(axis + 5)
    x = rng.normal(0, 4, size=(3, 4, 5))
    t = _t(x)
    for fn, tfn, vjp in (
        (A.softmax, F.softmax, A.softmax_vjp),
        (A.log_softmax, F.log_softmax, A.log_softmax_vjp),
    ):
        y = tfn(t, dim=axis)
        np.testing.assert_allclose(fn(x, axis=axis), y.detach().numpy(), atol=ATOL, rtol=0)
        g_out = rng.normal(size=x.shape)
        (g,) = torch.autograd.grad(y, t, torch.tensor(g_out))
        np.testing.assert_allclose(vjp(x, g_out, axis=axis), g.numpy(), atol=ATOL, rtol=0)


def test_softmax_jacobian_matches_torch_and_finite_differences():
    x = np.array([0.3, -1.2, 2.0, 0.0])
    jac = torch.autograd.functional.jacobian(lambda t: F.softmax(t, -1), torch.tensor(x))
    np.testing.assert_allclose(A.softmax_jacobian(x), jac.numpy(), atol=ATOL, rtol=0)
    for i in range(4):
        num = numerical_gradient(lambda v, i=i: A.softmax(v)[i], x)
        np.testing.assert_allclose(A.softmax_jacobian(x)[i], num, atol=1e-8)


def test_prelu_per_feature_slope_and_its_gradient():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(6, 4))
    a = np.array([0.1, 0.25, -0.3, 2.0])
    t, ta = _t(x), torch.tensor(a, requires_grad=True)
    y = F.prelu(t, ta)
    g_out = rng.normal(size=x.shape)
    gx, ga = torch.autograd.grad(y, (t, ta), torch.tensor(g_out))
    np.testing.assert_allclose(A.prelu(x, a), y.detach().numpy(), atol=ATOL)
    np.testing.assert_allclose(g_out * A.prelu_grad(x, a), gx.numpy(), atol=ATOL)
    np.testing.assert_allclose((g_out * A.prelu_grad_a(x, a)).sum(0), ga.numpy(), atol=ATOL)


def test_erf_and_erfc_against_math():
    x = np.concatenate([np.linspace(-7, 7, 4001), [0.999999, 1.0, 2.4999999, 2.5, 26.4, 30]])
    want = np.array([math.erf(v) for v in x])
    got = A.erf(x)
    np.testing.assert_allclose(got, want, rtol=2e-15, atol=1e-300)
    xc = np.linspace(-5, 26, 3101)
    wantc = np.array([math.erfc(v) for v in xc])
    np.testing.assert_allclose(A.erfc(xc), wantc, rtol=1e-11, atol=0)
    tail = xc >= 2.5
    np.testing.assert_allclose(A.erfc(xc[tail]), wantc[tail], rtol=1e-13, atol=0)
    assert A.erf(np.inf) == 1.0 and A.erf(-np.inf) == -1.0 and A.erfc(np.inf) == 0.0
    assert A.erfc(1e6) == 0.0 and A.erfc(-1e6) == 2.0


# -- dtypes, input kinds, NaN --------------------------------------------------------------

ALL_FUNCS = [
    A.sigmoid,
    A.sigmoid_grad,
    A.tanh,
    A.tanh_grad,
    A.relu,
    A.relu_grad,
    A.leaky_relu,
    A.leaky_relu_grad,
    A.prelu,
    A.prelu_grad,
    A.elu,
    A.elu_grad,
    A.silu,
    A.silu_grad,
    A.gelu,
    A.gelu_grad,
    A.gelu_tanh,
    A.gelu_tanh_grad,
    A.softmax,
    A.log_softmax,
    A.erf,
    A.erfc,
]
IDS = [f.__name__ for f in ALL_FUNCS]


@pytest.mark.parametrize("fn", ALL_FUNCS, ids=IDS)
def test_dtype_is_preserved_and_lists_are_accepted(fn):
    x32 = np.array([-2.0, -0.5, 0.0, 0.5, 3.0], dtype=np.float32)
    assert fn(x32).dtype == np.float32
    assert fn(x32.astype(np.float64)).dtype == np.float64
    assert fn([-2, 0, 3]).dtype == np.float64  # ints become float64
    np.testing.assert_allclose(fn(x32), fn(x32.astype(np.float64)), rtol=2e-6, atol=2e-7)


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "elu", "silu", "gelu"])
def test_float32_matches_torch_float32(name):
    fn, grad, tfn = ELEMENTWISE[name]
    x = np.random.default_rng(0).normal(0, 5, 50).astype(np.float32)
    t = torch.tensor(x, dtype=torch.float32)
    np.testing.assert_allclose(fn(x), tfn(t).numpy(), rtol=1e-6, atol=1e-6)


def test_scalars_give_numpy_scalars():
    assert isinstance(A.relu(2.0), np.floating) and A.relu(2.0) == 2.0
    assert isinstance(A.sigmoid_grad(np.float32(1.0)), np.float32)
    assert A.relu(True) == 1.0  # booleans are numbers


@pytest.mark.parametrize("fn", ALL_FUNCS, ids=IDS)
def test_nan_propagates(fn):
    x = np.array([-1.0, np.nan, 2.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = fn(x)
    if fn in (A.softmax, A.log_softmax):
        assert np.isnan(y).all()  # one NaN spoils the whole row, as in torch
    else:
        assert np.isnan(y[1]) and np.isfinite(y[[0, 2]]).all()


# -- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize("fn", ALL_FUNCS, ids=IDS)
@pytest.mark.parametrize(
    "bad, match",
    [
        (["a", "b"], "must hold real numbers"),
        (np.array([1 + 2j]), "must hold real numbers"),
        (np.array([object()]), "must hold real numbers"),
        ([[1.0, 2.0], [3.0]], "numeric array"),
    ],
    ids=["str", "complex", "object", "ragged"],
)
def test_non_numeric_input_is_a_type_error(fn, bad, match):
    with pytest.raises(TypeError, match=match):
        fn(bad)


def test_bad_parameters():
    with pytest.raises(TypeError, match="negative_slope must be a real number; got a str"):
        A.leaky_relu([1.0], negative_slope="0.1")
    with pytest.raises(ValueError, match="negative_slope must be finite"):
        A.leaky_relu_grad([1.0], negative_slope=np.nan)
    with pytest.raises(TypeError, match="alpha must be a real number"):
        A.elu([1.0], alpha=[1.0])
    with pytest.raises(ValueError, match="alpha must be finite"):
        A.elu_grad([1.0], alpha=np.inf)
    with pytest.raises(ValueError, match=r"slope a \(shape \(3,\)\) must broadcast"):
        A.prelu(np.ones((2, 4)), np.ones(3))
    with pytest.raises(ValueError, match="slope a must be finite"):
        A.prelu_grad(np.ones(2), np.nan)
    with pytest.raises(TypeError, match="must hold real numbers"):
        A.prelu_grad_a(np.ones(2), "x")


def test_bad_softmax_arguments():
    with pytest.raises(ValueError, match="axis 2 is out of range for an array of shape"):
        A.softmax(np.ones((2, 3)), axis=2)
    with pytest.raises(TypeError, match="axis must be an int; got a float"):
        A.log_softmax(np.ones(3), axis=0.0)
    with pytest.raises(ValueError, match="at least one axis"):
        A.softmax(3.0)
    with pytest.raises(ValueError, match="grad_out must have the shape of x"):
        A.softmax_vjp(np.ones((2, 3)), np.ones(3))
    with pytest.raises(ValueError, match="must be 1-D"):
        A.softmax_jacobian(np.ones((2, 2)))


# -- properties ------------------------------------------------------------------------------

finite = st.floats(-1e4, 1e4, allow_nan=False, allow_infinity=False)
moderate = st.floats(-30, 30, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(1, 4), st.integers(1, 6)), elements=finite))
def test_softmax_rows_sum_to_one_and_are_in_range(x):
    s = A.softmax(x, axis=1)
    assert np.all((s >= 0) & (s <= 1))
    np.testing.assert_allclose(s.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    np.testing.assert_allclose(np.exp(A.log_softmax(x, axis=1)), s, atol=1e-12)


@settings(max_examples=60, deadline=None)
@given(
    arrays(np.float64, st.integers(1, 8), elements=st.floats(-100, 100)),
    st.floats(-1e3, 1e3),
)
def test_softmax_is_shift_invariant(x, c):
    np.testing.assert_allclose(A.softmax(x + c), A.softmax(x), rtol=1e-9, atol=1e-13)
    np.testing.assert_allclose(A.log_softmax(x + c), A.log_softmax(x), rtol=1e-9, atol=1e-9)


@settings(max_examples=80, deadline=None)
@given(finite)
def test_sigmoid_range(x):
    s = A.sigmoid(x)
    assert 0.0 <= s <= 1.0  # float64 rounds sigmoid(x) to exactly 1 from x ~ 37
    if abs(x) <= 30:
        assert 0.0 < s < 1.0
    assert -1.0 <= A.tanh(x) <= 1.0
    assert 0.0 <= A.sigmoid_grad(x) <= 0.25 and 0.0 <= A.tanh_grad(x) <= 1.0


MONOTONE = {
    "sigmoid": A.sigmoid,
    "tanh": A.tanh,
    "relu": A.relu,
    "leaky_relu": A.leaky_relu,
    "prelu": A.prelu,
    "elu": A.elu,
    "erf": A.erf,
}


@settings(max_examples=50, deadline=None)
@given(arrays(np.float64, st.integers(2, 30), elements=finite))
def test_monotone_functions_are_non_decreasing(x):
    x = np.sort(x)
    for fn in MONOTONE.values():
        assert np.all(np.diff(fn(x)) >= 0)


SMOOTH = {k: v for k, v in ELEMENTWISE.items() if k not in KINKED}


@settings(max_examples=40, deadline=None)
@given(moderate)
def test_derivatives_match_finite_differences_property(x):
    for fn, grad, _ in SMOOTH.values():
        h = 1e-5
        num = (float(fn(x + h)) - float(fn(x - h))) / (2 * h)
        assert abs(float(grad(x)) - num) <= 1e-7 * max(1.0, abs(num))


@settings(max_examples=40, deadline=None)
@given(moderate.filter(lambda v: abs(v) > 1e-3))
def test_kinked_derivatives_match_finite_differences_property(x):
    for name in KINKED:
        fn, grad, _ = ELEMENTWISE[name]
        h = 1e-6
        num = (float(fn(x + h)) - float(fn(x - h))) / (2 * h)
        assert abs(float(grad(x)) - num) <= 1e-6 * max(1.0, abs(num))


# -- the comparison table --------------------------------------------------------------------

GALLERY = ["sigmoid", "tanh", "relu", "leaky_relu", "prelu", "elu", "softmax", "silu", "gelu"]


def test_activation_records():
    assert list(A.ACTIVATIONS) == GALLERY
    x = np.linspace(-3, 3, 13) + 0.05
    for name, rec in A.ACTIVATIONS.items():
        assert rec.name == name and rec.label and rec.formula and rec.derivative
        assert rec.output_range and rec.strengths and rec.weaknesses and rec.typical_use
        assert rec.fn is getattr(A, name)
        y = rec.fn(x)
        assert y.shape == x.shape and np.isfinite(y).all()
        if rec.grad is None:
            assert name == "softmax" and "Jacobian" in rec.notes
        else:
            num = numerical_gradient(lambda v, f=rec.fn: float(np.sum(f(v))), x)
            np.testing.assert_allclose(rec.grad(x), num, rtol=1e-6, atol=1e-8)
    assert "0x" not in repr(A.ACTIVATIONS["relu"])


def test_comparison_table_rows():
    rows = A.comparison_table()
    assert len(rows) == len(A.ACTIVATIONS)
    assert set(rows[0]) == {"name", "formula", "range", "strengths", "weaknesses", "typical_use"}
    assert [r["name"] for r in A.comparison_table(["relu", "gelu"])] == ["ReLU", "GELU"]
    assert A.comparison_table("tanh")[0]["range"] == "(-1, 1)"
    with pytest.raises(ValueError, match="unknown activation 'relu6'; expected one of sigmoid"):
        A.comparison_table(["relu6"])


class _TableParser(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack, self.rows, self.cells = [], 0, 0

    def handle_starttag(self, tag, attrs):
        if tag != "br":
            self.stack.append(tag)
        self.rows += tag == "tr"
        self.cells += tag == "td"

    def handle_endtag(self, tag):
        assert self.stack.pop() == tag, f"unbalanced </{tag}>"


def test_comparison_table_html_and_markdown():
    text = A.comparison_table_html()
    parser = _TableParser()
    parser.feed(text)
    assert parser.stack == []
    n = len(A.ACTIVATIONS)
    assert parser.rows == n + 1 and parser.cells == 6 * n
    assert text.startswith("<table") and "<th>Typical use</th>" in text
    assert r"\(\max(0, x)\)" in text and "&lt;" not in text.replace("x &lt; 0", "")
    md = A.comparison_table_markdown(["relu", "sigmoid"]).splitlines()
    assert len(md) == 4 and md[0].startswith("| Activation | Formula")
    assert "$\\max(0, x)$" in md[2] and md[1] == "|---|---|---|---|---|---|"
    assert all(line.count("|") - line.count("\\|") == 7 for line in md)
