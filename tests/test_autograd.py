"""Tests of nnlib.autograd: every operation against torch.autograd (float64), PyTorch's
accumulation semantics, deep graphs, bad input, drawing, and the Value-based MLP."""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from nnlib.autograd import MLP, Layer, Neuron, Value, draw_graph, topological_order  # noqa: E402
from nnlib.gradcheck import numerical_gradient  # noqa: E402


def _tensor(x):
    return torch.tensor(x, dtype=torch.float64, requires_grad=True)


def _leaves(*xs):
    return [Value(x) for x in xs], [_tensor(float(x)) for x in xs]


def _compare(expr, *xs, tol=1e-12):
    """Run ``expr`` on Values and on torch float64 tensors; compare output and gradients."""
    vs, ts = _leaves(*xs)
    out_v, out_t = expr(*vs), expr(*ts)
    out_v.backward()
    out_t.backward()
    assert out_v.data == pytest.approx(out_t.item(), rel=tol, abs=tol)
    for v, t in zip(vs, ts, strict=True):
        want = 0.0 if t.grad is None else t.grad.item()
        assert v.grad == pytest.approx(want, rel=tol, abs=tol)
    return vs, out_v


BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "chain": lambda a, b: (a * b + b) / (a - b) * a,
}
UNARY = {
    "radd": lambda a: 2 + a,
    "add_const": lambda a: a + 2.5,
    "rsub": lambda a: 2 - a,
    "sub_const": lambda a: a - 2,
    "rmul": lambda a: 3 * a,
    "mul_const": lambda a: a * -0.5,
    "rdiv": lambda a: 2 / a,
    "div_const": lambda a: a / 4,
    "neg": lambda a: -a,
    "pos": lambda a: +a * 1,
    "square": lambda a: a**2,
    "cube": lambda a: a**3,
    "pow_neg_frac": lambda a: a**-1.5,
    "pow_half": lambda a: a**0.5,
    "pow_int_neg": lambda a: a ** (-2),
    "pow_zero": lambda a: a**0 + a,
    "relu": lambda a: a.relu(),
    "tanh": lambda a: a.tanh(),
    "sigmoid": lambda a: a.sigmoid(),
    "exp": lambda a: a.exp(),
    "log": lambda a: a.log(),
    "self_mul": lambda a: a * a,
    "self_add": lambda a: a + a,
    "reuse": lambda a: (a + a) * a - a / (a + 1),
}


@pytest.mark.parametrize("name", list(BINARY))
@pytest.mark.parametrize("xs", [(1.7, -0.6), (0.3, 2.5), (-2.0, -4.0)])
def test_binary_ops_match_torch(name, xs):
    _compare(BINARY[name], *xs)


POSITIVE_ONLY = {"pow_neg_frac", "pow_half", "log"}
UNARY_CASES = [
    (name, x) for name in UNARY for x in (0.7, 2.3, -1.4) if x > 0 or name not in POSITIVE_ONLY
]


@pytest.mark.parametrize("name, x", UNARY_CASES)
def test_unary_ops_match_torch(name, x):
    _compare(UNARY[name], x)


def test_relu_kink_and_extremes_match_torch():
    _compare(lambda a: a.relu(), 0.0)  # derivative 0 at the kink, as in torch
    _compare(lambda a: a.sigmoid() + a.tanh(), -1000.0)
    _compare(lambda a: a.sigmoid() * a.tanh(), 1000.0)
    _compare(lambda a: a**0.5, 0.0)  # infinite derivative, as in torch
    v = Value(800.0).exp()
    assert v.data == math.inf


def test_in_place_ops_make_new_nodes():
    a = Value(2.0)
    b = Value(3.0)
    original = a
    a += b  # rebinds a to a new node; the leaf is untouched
    assert a is not original and original.data == 2.0 and a.data == 5.0
    a *= 2
    a -= 1
    a /= b
    a **= 2
    a.backward()
    ta, tb = _tensor(2.0), _tensor(3.0)
    tt = ta + tb
    tt = tt * 2
    tt = tt - 1
    tt = tt / tb
    tt = tt**2
    tt.backward()
    assert a.data == pytest.approx(tt.item())
    assert original.grad == pytest.approx(ta.grad.item())
    assert b.grad == pytest.approx(tb.grad.item())


def _micrograd_style(a, b):
    """An expression that mixes reflected, in-place and unary forms."""
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    g = g + (1 - a).tanh() * (2 / (1 + b.sigmoid())) + (a * 0.1).exp() + (b * b + 1).log()
    return g


@pytest.mark.parametrize("xs", [(-4.0, 2.0), (1.5, -0.5), (0.25, 3.0)])
def test_micrograd_style_expression_matches_torch(xs):
    _compare(_micrograd_style, *xs, tol=1e-10)


def test_random_dags_with_shared_nodes_match_torch():
    rng = np.random.default_rng(7)
    for _ in range(5):
        xs = rng.uniform(0.5, 1.5, 4)
        vs, ts = _leaves(*xs)
        nodes_v, nodes_t = list(vs), list(ts)
        for _ in range(60):
            i, j = rng.integers(len(nodes_v), size=2)
            op = rng.integers(4)
            for nodes in (nodes_v, nodes_t):
                a, b = nodes[i], nodes[j]
                if op == 0:
                    nodes.append(a * b * 0.5)
                elif op == 1:
                    nodes.append(a + b)
                elif op == 2:
                    nodes.append((a - b).tanh())
                else:
                    nodes.append((a * 0.3).sigmoid() * b)
        out_v = sum(nodes_v[-10:], Value(0.0))
        out_t = sum(nodes_t[-10:])
        out_v.backward()
        out_t.backward()
        assert out_v.data == pytest.approx(out_t.item(), rel=1e-12)
        for v, t in zip(vs, ts, strict=True):
            want = 0.0 if t.grad is None else t.grad.item()
            assert v.grad == pytest.approx(want, rel=1e-10, abs=1e-12)


def test_repeated_backward_leaves_accumulate_inner_nodes_recomputed():
    a = Value(2.0)
    b = Value(-1.5)
    c = a * b + a
    d = c * c
    ta = _tensor(2.0)
    tb = _tensor(-1.5)
    tc = ta * tb + ta
    tc.retain_grad()
    td = tc * tc
    for call in range(1, 4):
        d.backward()
        td.backward(retain_graph=True)
        # leaves: accumulated, as torch does
        assert a.grad == pytest.approx(ta.grad.item()) and b.grad == pytest.approx(tb.grad.item())
        assert a.grad == pytest.approx(call * 2 * c.data * (b.data + 1))
        # inner node: the gradient of this call only (torch would add up retained grads)
        (dc,) = torch.autograd.grad(td, tc, retain_graph=True)
        assert c.grad == pytest.approx(dc.item()) and d.grad == 1.0
    # a second root over the same inner node: its grad is recomputed, not added
    e = c * 3
    e.backward()
    assert c.grad == 3.0
    assert a.grad == pytest.approx(ta.grad.item() + 3 * (b.data + 1))


def test_backward_of_a_leaf_accumulates_like_torch():
    x = Value(3.0)
    x.backward()
    x.backward()
    assert x.grad == 2.0


def test_backward_with_a_seed_gradient():
    a = Value(1.5)
    y = a.tanh()
    y.backward(2.0)
    assert a.grad == pytest.approx(2.0 * (1 - math.tanh(1.5) ** 2))


def test_zero_grad():
    a, b = Value(1.0), Value(2.0)
    c = (a * b).tanh()
    c.backward()
    assert a.grad != 0
    c.zero_grad()
    assert a.grad == b.grad == c.grad == 0.0


def test_long_chain_without_recursion_error():
    x = Value(0.5)
    y = x
    for _ in range(100_000):
        y = y * 1.00001
    order = topological_order(y)
    assert len(order) == 100_001 and order[0] is x and order[-1] is y
    y.backward()
    assert x.grad == pytest.approx(1.00001**100_000, rel=1e-9)


def test_topological_order_puts_inputs_first():
    a, b = Value(1.0), Value(2.0)
    c = a * b
    d = c + a
    e = d * c
    order = topological_order(e)
    pos = {id(n): i for i, n in enumerate(order)}
    assert len(order) == 5
    for n in order:
        assert all(pos[id(ch)] < pos[id(n)] for ch in n.children)


def test_values_agree_with_finite_differences():
    def f(v):
        a, b = Value(v[0]), Value(v[1])
        return _micrograd_style(a, b).data

    a, b = Value(0.8), Value(1.3)
    _micrograd_style(a, b).backward()
    num = numerical_gradient(f, [0.8, 1.3])
    np.testing.assert_allclose([a.grad, b.grad], num, rtol=1e-6)


def test_node_attributes_and_repr():
    a = Value(2, label="a")
    assert isinstance(a.data, float) and a.is_leaf and a.op == "" and a.children == ()
    b = a * 3
    assert b.op == "*3" and not b.is_leaf and b.children == (a,)
    assert (2 - a).op == "2-" and (a / 2).op == "/2" and (a**2).op == "**2" and (-a).op == "neg"
    assert (a * a).children == (a, a) and (a * 3)._op == "*3"  # micrograd's name works too
    assert repr(a) == "Value(data=2, grad=0, label='a')" and "0x" not in repr(b)
    assert f"{b:.2f}" == "6.00" and f"{b}" == repr(b)
    assert Value(np.float32(1.5)).data == 1.5 and Value(np.int64(3)).data == 3.0
    assert not hasattr(a, "__dict__")  # slots: small nodes


# -- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "bad, match",
    [
        ("1.0", "Value holds one real number .* got a str"),
        ([1.0], "got a list"),
        (np.array([1.0, 2.0]), "got an array of shape"),
        (1 + 2j, "got a complex"),
        (None, "got a NoneType"),
        (True, "got a bool .*use a float"),
    ],
)
def test_value_of_non_numbers_is_a_type_error(bad, match):
    with pytest.raises(TypeError, match=match):
        Value(bad)


def test_label_must_be_a_string():
    with pytest.raises(TypeError, match="label must be a str"):
        Value(1.0, label=3)


def test_value_exponent_is_a_type_error():
    a, b = Value(2.0), Value(3.0)
    with pytest.raises(TypeError, match=r"Value \*\* Value is not supported: the exponent"):
        a**b
    with pytest.raises(TypeError, match=r"float \*\* Value is not supported"):
        2.0**a


def test_log_of_non_positive_is_a_value_error():
    with pytest.raises(ValueError, match="log needs a positive number; got 0"):
        Value(0.0).log()
    with pytest.raises(ValueError, match="log needs a positive number; got -1"):
        Value(-1.0).log()


def test_powers_without_a_real_result_are_value_errors():
    with pytest.raises(ValueError, match=r"-8 \*\* 0.5 is a complex number"):
        Value(-8.0) ** 0.5
    with pytest.raises(ValueError, match=r"0 \*\* -1 is infinite"):
        Value(0.0) ** -1


def test_division_by_zero():
    with pytest.raises(ZeroDivisionError, match="division by a Value whose data is 0"):
        Value(1.0) / Value(0.0)
    with pytest.raises(ZeroDivisionError, match="by the number 0"):
        Value(1.0) / 0
    with pytest.raises(ZeroDivisionError, match="division of 2 by a Value whose data is 0"):
        2 / Value(0.0)


def test_unsupported_operands():
    with pytest.raises(TypeError, match="unsupported operand"):
        Value(1.0) + "a"
    with pytest.raises(TypeError, match="gradient must be a real number"):
        Value(1.0).backward("1")
    with pytest.raises(TypeError, match="expected a Value; got a float"):
        topological_order(1.0)


# -- drawing ---------------------------------------------------------------------------------


def test_draw_graph_returns_axes_with_op_labels():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = (a * b + a**2).tanh()
    c.label = "out"
    c.backward()
    ax = draw_graph(c)
    texts = " ".join(t.get_text() for t in ax.texts)
    for piece in ("a", "b", "*", "+", "**2", "out = tanh", "grad", "data"):
        assert piece in texts
    assert ax.get_title() == "Computational graph (6 nodes)"
    plt.close(ax.figure)


def test_draw_graph_on_given_axes_and_an_mlp():
    fig, ax = plt.subplots()
    out = MLP(2, [3, 1], rng=0)([1.0, -1.0])
    out.backward()
    assert draw_graph(out, ax=ax) is ax
    assert sum("relu" in t.get_text() or "tanh" in t.get_text() for t in ax.texts) == 3
    plt.close(fig)
    with pytest.raises(ValueError, match="up to max_nodes=10 nodes; this one has"):
        draw_graph(out, max_nodes=10)


# -- the Value network -----------------------------------------------------------------------


def test_mlp_is_seeded_and_counts_parameters():
    net1, net2 = MLP(3, [4, 4, 1], rng=0), MLP(3, [4, 4, 1], rng=0)
    p1, p2 = net1.parameters(), net2.parameters()
    assert len(p1) == 4 * 4 + 4 * 5 + 5 == 41
    assert [p.data for p in p1] == [p.data for p in p2]
    assert all(abs(p.data) <= 1 / math.sqrt(3) for p in net1.layers[0].parameters())
    assert repr(net1) == "MLP(3 -> 4 -> 4 -> 1)"
    assert repr(Neuron(2, "relu")) == "Neuron(2, activation='relu')"
    assert repr(Layer(2, 3)) == "Layer(2, 3, activation='tanh')"
    assert isinstance(Layer(2, 1, rng=0)([1.0, 2.0]), Value)
    assert len(MLP(2, [3, 2], rng=0)([1.0, 2.0])) == 2


def test_mlp_gradients_match_torch():
    net = MLP(3, [5, 4, 2], activation="tanh", rng=1)
    xs = [[0.5, -1.0, 2.0], [1.5, 0.2, -0.7]]
    loss = sum(((o - 0.3) ** 2 for x in xs for o in net(x)), Value(0.0))
    loss.backward()
    params = []
    for layer in net.layers:
        W = _tensor([[w.data for w in n.w] for n in layer.neurons])
        b = _tensor([n.b.data for n in layer.neurons])
        params.append((W, b))
    tloss = 0
    for x in xs:
        h = torch.tensor(x, dtype=torch.float64)
        for i, (W, b) in enumerate(params):
            h = W @ h + b
            h = torch.tanh(h) if i < len(params) - 1 else h
        tloss = tloss + ((h - 0.3) ** 2).sum()
    tloss.backward()
    assert loss.data == pytest.approx(tloss.item(), rel=1e-12)
    for layer, (W, b) in zip(net.layers, params, strict=True):
        got_w = [[w.grad for w in n.w] for n in layer.neurons]
        np.testing.assert_allclose(got_w, W.grad.numpy(), rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose([n.b.grad for n in layer.neurons], b.grad.numpy(), rtol=1e-10)


def test_mlp_learns_and_zero_grad_resets():
    xs = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
    ys = [-1.0, 1.0, 1.0, -1.0]
    net = MLP(2, [6, 1], activation="tanh", rng=3)

    def loss_fn():
        return sum(((net(x) - y) ** 2 for x, y in zip(xs, ys, strict=True)), Value(0.0))

    first = loss_fn().data
    for _ in range(60):
        net.zero_grad()
        loss = loss_fn()
        loss.backward()
        for p in net.parameters():
            p.data -= 0.1 * p.grad
    assert loss_fn().data < 0.5 * first
    net.zero_grad()
    assert all(p.grad == 0.0 for p in net.parameters())


@pytest.mark.parametrize("activation", ["relu", "sigmoid", "linear"])
def test_neuron_activations(activation):
    n = Neuron(2, activation, rng=0)
    out = n([1.0, -2.0])
    z = n.b.data + n.w[0].data - 2 * n.w[1].data
    want = {"relu": max(z, 0.0), "sigmoid": 1 / (1 + math.exp(-z)), "linear": z}[activation]
    assert out.data == pytest.approx(want)


def test_network_bad_input():
    with pytest.raises(ValueError, match="n_in must be a positive int; got 0"):
        Neuron(0)
    with pytest.raises(ValueError, match="activation must be one of 'tanh', 'relu'"):
        Neuron(2, activation="softmax")
    with pytest.raises(ValueError, match="this neuron expects 2 inputs; got 3"):
        Neuron(2, rng=0)([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="sizes must list at least one layer width"):
        MLP(2, [])
    with pytest.raises(ValueError, match="each layer size must be a positive int; got 2.5"):
        MLP(2, [2.5])
    with pytest.raises(TypeError, match="rng must be None, an int seed"):
        MLP(2, [2], rng="seed")


# -- mistakes that would lose the gradient fail loudly --------------------------------------


@pytest.mark.parametrize(
    "convert",
    [float, math.exp, math.tanh, np.float64, lambda v: np.array([v, v], dtype=float)],
    ids=["float", "math.exp", "math.tanh", "np.float64", "np.array"],
)
def test_converting_a_value_to_a_float_is_refused(convert):
    v = Value(0.5)
    with pytest.raises(TypeError, match=r"float\(Value\) would drop the gradient.*use v.data"):
        convert(v)


def test_numpy_functions_on_values_stay_in_the_graph():
    v = Value(0.5)
    out = np.tanh(v) * np.float64(2.0)
    assert isinstance(out, Value)
    out.backward()
    assert v.grad == pytest.approx(2 * (1 - math.tanh(0.5) ** 2))


def test_a_value_of_a_value_gets_a_hint():
    with pytest.raises(TypeError, match=r"it is a Value already: use it as it is"):
        Value(Value(1.0))


def test_optimizers_refuse_values_with_a_hint():
    from nnlib.autograd import MLP
    from nnlib.optim import SGD

    net = MLP(2, [3, 1], rng=0)
    with pytest.raises(TypeError, match=r"got a Value at position 0 .*p.data -= lr \* p.grad"):
        SGD(net.parameters(), lr=0.1)
