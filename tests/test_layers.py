"""nnlib.layers against torch.nn (float64) and central finite differences."""

from __future__ import annotations

import re

import numpy as np
import pytest
from conftest import numerical_grad

from nnlib.layers import (
    ELU,
    GELU,
    Dense,
    Dropout,
    Flatten,
    Layer,
    LeakyReLU,
    Parameter,
    PReLU,
    ReLU,
    Sequential,
    Sigmoid,
    SiLU,
    Softmax,
    Tanh,
    load_model,
)

torch = pytest.importorskip("torch")
F64 = np.float64
ATOL = 1e-10


def away_from_zero(x, gap=1e-2):
    """Move entries near a kink at 0 away from it, so finite differences are valid."""
    return np.where(np.abs(x) < gap, np.sign(x + 1e-300) * gap + x, x)


def t(a, grad=False):
    return torch.tensor(np.asarray(a), dtype=torch.float64, requires_grad=grad)


# Each entry: nnlib layer factory, torch module factory.
ACTIVATIONS = {
    "relu": (ReLU, lambda: torch.nn.ReLU()),
    "sigmoid": (Sigmoid, lambda: torch.nn.Sigmoid()),
    "tanh": (Tanh, lambda: torch.nn.Tanh()),
    "leaky_relu": (lambda: LeakyReLU(0.2), lambda: torch.nn.LeakyReLU(0.2)),
    "leaky_relu_default": (LeakyReLU, lambda: torch.nn.LeakyReLU()),
    "elu": (lambda: ELU(1.3), lambda: torch.nn.ELU(1.3)),
    "gelu": (GELU, lambda: torch.nn.GELU()),
    "gelu_tanh": (lambda: GELU("tanh"), lambda: torch.nn.GELU(approximate="tanh")),
    "silu": (SiLU, lambda: torch.nn.SiLU()),
    "softmax": (Softmax, lambda: torch.nn.Softmax(dim=-1)),
    "softmax_axis0": (lambda: Softmax(axis=0), lambda: torch.nn.Softmax(dim=0)),
}
SHAPES = [(7,), (5, 3), (2, 3, 4)]


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_layer_matches_torch(name, shape):
    make, make_torch = ACTIVATIONS[name]
    rng = np.random.default_rng(len(shape))
    x = away_from_zero(rng.normal(0, 2, shape))
    g = rng.normal(size=shape)
    layer = make()
    y = layer(x)
    dx = layer.backward(g)
    xt = t(x, grad=True)
    yt = make_torch()(xt)
    yt.backward(t(g))
    assert y.dtype == F64 and dx.dtype == F64
    np.testing.assert_allclose(y, yt.detach().numpy(), rtol=0, atol=ATOL)
    np.testing.assert_allclose(dx, xt.grad.numpy(), rtol=0, atol=ATOL)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_layer_matches_finite_differences(name):
    rng = np.random.default_rng(1)
    x = away_from_zero(rng.normal(0, 2, (4, 3)))
    w = rng.normal(size=(4, 3))
    layer = ACTIVATIONS[name][0]()
    layer(x)
    dx = layer.backward(w)
    num = numerical_grad(lambda: float(np.sum(layer.forward(x) * w)), x)
    np.testing.assert_allclose(dx, num, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "softmax", "silu", "elu", "gelu", "relu"])
def test_activation_layers_are_stable_at_1000(name):
    make, make_torch = ACTIVATIONS[name]
    x = np.array([[-1000.0, 0.5, 1000.0], [1000.0, 999.0, -1000.0]])
    g = np.array([[0.3, -1.0, 2.0], [1.0, 0.5, -0.5]])
    layer = make()
    with np.errstate(all="raise"):
        y = layer(x)
        dx = layer.backward(g)
    xt = t(x, grad=True)
    yt = make_torch()(xt)
    yt.backward(t(g))
    assert np.isfinite(y).all() and np.isfinite(dx).all()
    np.testing.assert_allclose(y, yt.detach().numpy(), rtol=0, atol=ATOL)
    np.testing.assert_allclose(dx, xt.grad.numpy(), rtol=0, atol=ATOL)


@pytest.mark.parametrize(
    "num_parameters,shape", [(1, (6,)), (1, (5, 3)), (3, (5, 3)), (3, (2, 3, 4))]
)
def test_prelu_matches_torch(num_parameters, shape):
    rng = np.random.default_rng(2)
    x = away_from_zero(rng.normal(0, 2, shape))
    g = rng.normal(size=shape)
    layer = PReLU(num_parameters, init=0.3, dtype=F64)
    layer.a.data[:] = rng.uniform(0.05, 0.5, num_parameters)
    y = layer(x)
    dx = layer.backward(g)
    ref = torch.nn.PReLU(num_parameters).double()
    with torch.no_grad():
        ref.weight.copy_(t(layer.a.data))
    xt = t(x, grad=True)
    yt = ref(xt)
    yt.backward(t(g))
    np.testing.assert_allclose(y, yt.detach().numpy(), rtol=0, atol=ATOL)
    np.testing.assert_allclose(dx, xt.grad.numpy(), rtol=0, atol=ATOL)
    np.testing.assert_allclose(layer.a.grad, ref.weight.grad.numpy(), rtol=0, atol=ATOL)


def test_prelu_defaults_and_finite_differences():
    layer = PReLU(2, dtype=F64)
    assert layer.a.data.tolist() == [0.25, 0.25]
    assert layer.parameters() == [layer.a] and repr(layer) == "PReLU(num_parameters=2)"
    rng = np.random.default_rng(3)
    x = away_from_zero(rng.normal(size=(4, 2)))
    w = rng.normal(size=(4, 2))
    layer(x)
    layer.backward(w)

    def loss():
        return float(np.sum(layer.forward(x) * w))

    np.testing.assert_allclose(layer.a.grad, numerical_grad(loss, layer.a.data), rtol=1e-6)


def test_prelu_rejects_wrong_channel_count():
    with pytest.raises(ValueError, match=r"PReLU\(num_parameters=3\) expects input of shape"):
        PReLU(3)(np.ones((2, 4)))


# --------------------------------------------------------------------------- Dense


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("x_shape", [(6, 4), (1, 4), (4,), (2, 3, 4)], ids=str)
def test_dense_matches_torch_linear(x_shape, bias):
    rng = np.random.default_rng(4)
    layer = Dense(4, 3, rng=0, dtype=F64, bias=bias)
    if bias:
        layer.b.data[:] = rng.normal(size=3)
    x = rng.normal(size=x_shape)
    y = layer(x)
    g = rng.normal(size=y.shape)
    dx = layer.backward(g)
    ref = torch.nn.Linear(4, 3, bias=bias).double()
    with torch.no_grad():
        ref.weight.copy_(t(layer.W.data.T))
        if bias:
            ref.bias.copy_(t(layer.b.data))
    xt = t(x, grad=True)
    yt = ref(xt)
    yt.backward(t(g))
    assert y.shape == x_shape[:-1] + (3,)
    np.testing.assert_allclose(y, yt.detach().numpy(), rtol=0, atol=ATOL)
    np.testing.assert_allclose(dx, xt.grad.numpy(), rtol=0, atol=ATOL)
    np.testing.assert_allclose(layer.W.grad, ref.weight.grad.numpy().T, rtol=0, atol=ATOL)
    if bias:
        np.testing.assert_allclose(layer.b.grad, ref.bias.grad.numpy(), rtol=0, atol=ATOL)
    else:
        assert layer.b is None and layer.parameters() == [layer.W]


def test_dense_gradients_match_finite_differences():
    rng = np.random.default_rng(5)
    layer = Dense(3, 2, init="xavier", rng=1, dtype=F64)
    layer.b.data[:] = [0.1, -0.2]
    x = rng.normal(size=(5, 3))
    w = rng.normal(size=(5, 2))

    def loss():
        return float(np.sum(np.tanh(layer.forward(x)) * w))

    layer(x)
    dx = layer.backward(w * (1 - np.tanh(layer(x)) ** 2))
    np.testing.assert_allclose(dx, numerical_grad(loss, x), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(layer.W.grad, numerical_grad(loss, layer.W.data), rtol=1e-6)
    np.testing.assert_allclose(layer.b.grad, numerical_grad(loss, layer.b.data), rtol=1e-6)


def test_dense_gradients_accumulate_until_zeroed():
    rng = np.random.default_rng(6)
    layer = Dense(3, 2, rng=0, dtype=F64)
    x, g = rng.normal(size=(4, 3)), rng.normal(size=(4, 2))
    layer(x)
    layer.backward(g)
    once = layer.W.grad.copy(), layer.b.grad.copy()
    layer.backward(g)
    np.testing.assert_allclose(layer.W.grad, 2 * once[0])
    np.testing.assert_allclose(layer.b.grad, 2 * once[1])
    layer.zero_grad()
    assert not layer.W.grad.any() and not layer.b.grad.any()


def test_dense_input_grad_false_skips_the_product():
    layer = Dense(3, 2, rng=0, dtype=F64)
    layer(np.ones((4, 3)))
    assert layer.backward(np.ones((4, 2)), input_grad=False) is None
    assert layer.W.grad.any()


def test_dense_float32_end_to_end():
    layer = Dense(5, 4, rng=0)
    assert layer.W.data.dtype == np.float32 and layer.b.data.dtype == np.float32
    y = layer(np.ones((3, 5)))  # float64 input is converted
    assert y.dtype == np.float32
    assert layer.backward(np.ones((3, 4))).dtype == np.float32
    assert layer.W.grad.dtype == np.float32
    assert Dense(2, 2, dtype="float64", rng=0)(np.ones((1, 2), np.float32)).dtype == F64


@pytest.mark.parametrize("init", ["he", "xavier", "normal", "zeros"])
def test_dense_init_names_are_seeded(init):
    a = Dense(50, 40, init=init, rng=3, dtype=F64).W.data
    b = Dense(50, 40, init=init, rng=np.random.default_rng(3), dtype=F64).W.data
    np.testing.assert_array_equal(a, b)
    assert a.shape == (50, 40)
    expected_std = {"he": np.sqrt(2 / 50), "xavier": np.sqrt(2 / 90), "normal": 0.01, "zeros": 0}
    assert a.std() == pytest.approx(expected_std[init], rel=0.1, abs=1e-12)


def test_dense_accepts_an_init_function():
    from nnlib.init import he_normal

    layer = Dense(30, 20, init=he_normal, rng=0, dtype=F64)
    np.testing.assert_array_equal(layer.W.data, he_normal(30, 20, np.random.default_rng(0)))
    with pytest.raises(ValueError, match=r"init returned shape \(2, 2\); expected \(3, 2\)"):
        Dense(3, 2, init=lambda i, o, r: np.zeros((2, 2)))


# --------------------------------------------------------------------------- Sequential


def _torch_copy(model):
    """The same MLP in torch, with the same weights (nnlib W is torch weight transposed)."""
    mods = []
    for layer in model.layers:
        if isinstance(layer, Dense):
            lin = torch.nn.Linear(layer.n_in, layer.n_out).double()
            with torch.no_grad():
                lin.weight.copy_(t(layer.W.data.T))
                lin.bias.copy_(t(layer.b.data))
            mods.append(lin)
        else:
            mods.append(
                {Tanh: torch.nn.Tanh, ReLU: torch.nn.ReLU, Sigmoid: torch.nn.Sigmoid}[type(layer)]()
            )
    return torch.nn.Sequential(*mods)


def test_sequential_forward_and_backward_match_torch():
    rng = np.random.default_rng(7)
    model = Sequential(
        Dense(4, 8, rng=0, dtype=F64),
        Tanh(),
        Dense(8, 5, rng=1, dtype=F64),
        ReLU(),
        Dense(5, 3, rng=2, dtype=F64),
        Sigmoid(),
    )
    for layer in model.layers:
        if isinstance(layer, Dense):
            layer.b.data[:] = rng.normal(0, 0.5, layer.n_out)
    ref = _torch_copy(model)
    x = rng.normal(size=(6, 4))
    g = rng.normal(size=(6, 3))
    y = model(x)
    dx = model.backward(g)
    xt = t(x, grad=True)
    yt = ref(xt)
    yt.backward(t(g))
    np.testing.assert_allclose(y, yt.detach().numpy(), rtol=0, atol=ATOL)
    np.testing.assert_allclose(dx, xt.grad.numpy(), rtol=0, atol=ATOL)
    torch_params = [p.grad.numpy() for p in ref.parameters()]
    for p, tp in zip(model.parameters(), torch_params, strict=True):
        np.testing.assert_allclose(p.grad, tp.T, rtol=0, atol=ATOL)


def test_sequential_input_grad_false_gives_the_same_parameter_gradients():
    rng = np.random.default_rng(8)
    x, g = rng.normal(size=(5, 3)), rng.normal(size=(5, 2))
    grads = []
    for input_grad in (True, False):
        model = Sequential(Flatten(), Dense(3, 4, rng=0, dtype=F64), ReLU(), Dense(4, 2, rng=1))
        model(x)
        out = model.backward(g, input_grad=input_grad)
        assert (out is None) == (not input_grad)
        grads.append([p.grad.copy() for p in model.parameters()])
    for a, b in zip(*grads, strict=True):
        np.testing.assert_array_equal(a, b)


def test_the_usage_of_the_brief_works():
    from nnlib.losses import CrossEntropyLoss
    from nnlib.optim import SGD

    rng = np.random.default_rng(9)
    X = rng.normal(size=(64, 784)).astype(np.float32)
    y = rng.integers(0, 10, 64)
    model = Sequential(Dense(784, 256, rng=0), ReLU(), Dense(256, 10, rng=1))
    loss_fn = CrossEntropyLoss()
    opt = SGD(model.parameters(), lr=0.1)
    losses = []
    for _ in range(5):
        logits = model(X)
        losses.append(loss_fn(logits, y))
        model.backward(loss_fn.backward())
        opt.step()
        opt.zero_grad()
    assert isinstance(losses[0], float)
    assert losses[-1] < 0.5 * losses[0]
    assert model.n_params() == 784 * 256 + 256 + 256 * 10 + 10


def test_sequential_bookkeeping():
    model = Sequential([Dense(2, 3, rng=0), Dropout(0.5, rng=0), Dense(3, 1, rng=1)])
    assert len(model) == 3 and model[0] is model.layers[0] and list(model) == model.layers
    assert [n for n, _ in model.named_parameters()] == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert model.eval() is model and not model.training
    assert not any(layer.training for layer in model)
    model.train()
    assert all(layer.training for layer in model)
    text = repr(model)
    assert "0x" not in text
    assert "Dense(2, 3)" in text and "weight (2, 3)" in text and "total: 13" in text


def test_sequential_rejects_classes_and_functions():
    with pytest.raises(TypeError, match=r"did you mean ReLU\(\)\?"):
        Sequential(Dense(2, 2), ReLU)
    with pytest.raises(TypeError, match="Sequential expects Layer objects; got a function at"):
        Sequential(lambda x: x)


def test_custom_layer_subclass_inside_sequential():
    class Double(Layer):
        def forward(self, x):
            return 2 * x

        def backward(self, grad_out):
            return 2 * grad_out

    model = Sequential(Dense(2, 2, rng=0, dtype=F64), Double())
    x = np.ones((3, 2))
    np.testing.assert_allclose(model(x), 2 * model[0](x))
    assert model.backward(np.ones((3, 2))).shape == (3, 2)
    assert repr(Double()) == "Double()"
    with pytest.raises(NotImplementedError, match="Layer must implement forward"):
        Layer()(x)
    with pytest.raises(NotImplementedError, match="Layer must implement backward"):
        Layer().backward(x)


# --------------------------------------------------------------------------- save / load


def test_save_load_round_trip(tmp_path):
    model = Sequential(Dense(3, 4, rng=0), PReLU(), Dense(4, 2, rng=1))
    x = np.random.default_rng(0).normal(size=(5, 3))
    before = model(x)
    model.save(tmp_path / "model.npz")
    other = Sequential(Dense(3, 4, rng=7), PReLU(init=0.1), Dense(4, 2, rng=8))
    ids = [id(p.data) for p in other.parameters()]
    assert other.load(tmp_path / "model.npz") is other
    np.testing.assert_array_equal(other(x), before)
    assert [id(p.data) for p in other.parameters()] == ids  # loaded in place
    with np.load(tmp_path / "model.npz", allow_pickle=False) as f:
        assert all(f[k].dtype != object for k in f.files)


def test_load_without_suffix_and_state_dict(tmp_path):
    model = Sequential(Dense(2, 2, rng=0))
    model.save(tmp_path / "m")  # np.savez adds .npz
    other = Sequential(Dense(2, 2, rng=1)).load(tmp_path / "m")
    np.testing.assert_array_equal(other[0].W.data, model[0].W.data)
    state = model.state_dict()
    state["0.weight"][:] = 0  # a copy: the model is unchanged
    assert model[0].W.data.any()


def test_load_rejects_a_mismatched_file(tmp_path):
    Sequential(Dense(3, 4, rng=0), ReLU(), Dense(4, 2, rng=1)).save(tmp_path / "a.npz")
    model = Sequential(Dense(3, 5, rng=0), ReLU(), Dense(5, 2, rng=1))
    before = model[0].W.data.copy()
    msg = (
        r"cannot load a.npz: the weights do not fit this model: shape mismatch: "
        r"0.weight: model \(3, 5\), file \(3, 4\).*saved from: Dense\(3, 4\), ReLU\(\), Dense"
    )
    with pytest.raises(ValueError, match=msg):
        model.load(tmp_path / "a.npz")
    np.testing.assert_array_equal(model[0].W.data, before)  # nothing changed
    with pytest.raises(ValueError, match=r"missing \['4.bias', '4.weight'\]"):
        Sequential(Dense(3, 4), ReLU(), Dense(4, 2), ReLU(), Dense(2, 2)).load(tmp_path / "a.npz")
    with pytest.raises(ValueError, match=r"unexpected \['2.bias', '2.weight'\]"):
        Sequential(Dense(3, 4)).load(tmp_path / "a.npz")


def small_model(act=ReLU, seed=0):
    return Sequential(Dense(3, 4, rng=seed), act(), Dense(4, 2, rng=seed + 1))


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", r"EOF|empty|No data"),
        (b"not a zip file at all, just text", r"\("),
        (None, r"\("),  # truncated: filled in below
    ],
    ids=["empty", "text", "truncated"],
)
def test_load_of_a_damaged_file_gives_one_clear_error(tmp_path, content, reason):
    path = tmp_path / "bad.npz"
    if content is None:
        small_model().save(path)
        content = path.read_bytes()[:200]
    path.write_bytes(content)
    for load in (small_model().load, load_model):
        with pytest.raises(
            ValueError, match=r"cannot load bad.npz: not an nnlib save file, or dam"
        ):
            load(path)


def test_load_of_a_foreign_npz_or_npy_file(tmp_path):
    np.savez(tmp_path / "other.npz", a=np.zeros(3))
    with pytest.raises(ValueError, match=r"not an nnlib save file.*no _architecture entry"):
        small_model().load(tmp_path / "other.npz")
    np.save(tmp_path / "one.npy", np.zeros(3))
    with pytest.raises(ValueError, match=r"not an nnlib save file.*a single array"):
        load_model(tmp_path / "one.npy")


def test_load_never_suggests_allow_pickle(tmp_path):
    np.savez(tmp_path / "obj.npz", _architecture=np.array(["Dense(3, 4)"]), w=np.array([{}]))
    with pytest.raises(ValueError) as info:
        small_model().load(tmp_path / "obj.npz")
    assert "allow_pickle" not in str(info.value)
    assert "holds Python objects, which nnlib never saves" in str(info.value)


def test_load_of_a_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"cannot load .*nothing.npz: no such file"):
        small_model().load(tmp_path / "nothing.npz")
    with pytest.raises(TypeError, match=r"path must be a str or a pathlib.Path; got a int"):
        load_model(3)


def test_load_refuses_another_architecture_with_the_same_shapes(tmp_path):
    small_model(act=Tanh).save(tmp_path / "tanh.npz")
    model = small_model(act=ReLU, seed=5)
    before = model[0].W.data.copy()
    msg = r"saved from a different architecture, Dense\(3, 4\), Tanh\(\), Dense\(4, 2\); this"
    with pytest.raises(ValueError, match=msg):
        model.load(tmp_path / "tanh.npz")
    np.testing.assert_array_equal(model[0].W.data, before)


def test_load_warns_about_other_layer_settings(tmp_path):
    Sequential(Dense(3, 4, rng=0), Dropout(0.5), Dense(4, 2, rng=1)).save(tmp_path / "d.npz")
    model = Sequential(Dense(3, 4, rng=2), Dropout(0.2), Dense(4, 2, rng=3))
    with pytest.warns(UserWarning, match=r"Dropout\(p=0.5\) \(file\) vs Dropout\(p=0.2\)"):
        model.load(tmp_path / "d.npz")


def test_load_state_dict_refuses_non_finite_weights():
    model = small_model()
    state = model.state_dict()
    state["2.bias"][1] = np.nan
    before = model[0].W.data.copy()
    with pytest.raises(ValueError, match=r"weight 2.bias must be finite; got 1 NaN"):
        model.load_state_dict(state)
    np.testing.assert_array_equal(model[0].W.data, before)  # nothing changed
    with pytest.raises(TypeError, match=r"load_state_dict expects a dict of arrays"):
        model.load_state_dict([1, 2])


def test_load_of_a_file_with_nan_weights(tmp_path):
    model = small_model()
    model[2].b.data[0] = np.inf
    model.save(tmp_path / "inf.npz")
    with pytest.raises(ValueError, match=r"cannot load inf.npz: weight 2.bias must be finite"):
        small_model().load(tmp_path / "inf.npz")


def test_load_model_rebuilds_every_builtin_layer(tmp_path):
    model = Sequential(
        Flatten(),
        Dense(6, 5, rng=0, dtype=np.float64),
        LeakyReLU(0.1),
        Dense(5, 5, rng=1, bias=False),
        PReLU(num_parameters=5, init=0.3),
        ELU(alpha=0.5),
        Dense(5, 4, rng=2),
        GELU(approximate="tanh"),
        SiLU(),
        Sigmoid(),
        Dropout(0.3, rng=0),
        Tanh(),
        Dense(4, 3, rng=3),
        Softmax(axis=1),
    )
    model.save(tmp_path / "all")
    rebuilt = load_model(tmp_path / "all")
    assert [repr(la) for la in rebuilt] == [repr(la) for la in model]
    assert rebuilt.training is False
    x = np.random.default_rng(0).normal(size=(7, 2, 3))
    np.testing.assert_array_equal(rebuilt(x), model.eval()(x))
    assert rebuilt[1].W.data.dtype == np.float64 and rebuilt[3].b is None


def test_load_model_refuses_a_custom_layer(tmp_path):
    class Doubler(Layer):
        def forward(self, x):
            return 2 * x

    Sequential(Dense(2, 2, rng=0), Doubler()).save(tmp_path / "c.npz")
    with pytest.raises(ValueError, match=r"cannot rebuild c.npz: load_model rebuilds nnlib's own"):
        load_model(tmp_path / "c.npz")


def test_dense_docstring_states_the_orientation_against_torch():
    assert "transpose" in Dense.__doc__ and "torch.nn.Linear.weight" in Dense.__doc__
    assert "unseeded" in Dense.__doc__


# --------------------------------------------------------------------------- Dropout, Flatten


def test_dropout_eval_is_identity():
    layer = Dropout(0.5, rng=0).eval()
    x = np.random.default_rng(0).normal(size=(10, 10))
    np.testing.assert_array_equal(layer(x), x)
    np.testing.assert_array_equal(layer.backward(x), x)


def test_dropout_keeps_the_expectation_and_masks_the_backward():
    p = 0.3
    layer = Dropout(p, rng=0)
    x = np.ones((400, 500))
    y = layer(x)
    kept = y != 0
    assert abs(kept.mean() - (1 - p)) < 0.005
    np.testing.assert_allclose(y[kept], 1 / (1 - p))
    assert abs(y.mean() - 1) < 0.01
    g = np.random.default_rng(1).normal(size=x.shape)
    dx = layer.backward(g)
    np.testing.assert_array_equal(dx != 0, kept)
    np.testing.assert_allclose(dx[kept], g[kept] / (1 - p))


def test_dropout_edge_probabilities_and_seeding():
    x = np.ones((3, 4), np.float32)
    assert (Dropout(0.0)(x) == x).all()
    assert not Dropout(1.0)(x).any()
    assert Dropout(0.5)(x).dtype == np.float32
    np.testing.assert_array_equal(Dropout(0.5, rng=4)(x), Dropout(0.5, rng=4)(x))
    with pytest.raises(ValueError, match=r"Dropout: p must be in \[0.0, 1.0\]; got 1.5"):
        Dropout(1.5)
    with pytest.raises(TypeError, match="rng must be None, an int seed or a numpy"):
        Dropout(0.5, rng="seed")


def test_flatten():
    layer = Flatten()
    x = np.arange(24.0).reshape(2, 3, 4)
    assert layer(x).shape == (2, 12)
    assert layer.backward(np.ones((2, 12))).shape == (2, 3, 4)


# --------------------------------------------------------------------------- Parameter


def test_parameter():
    p = Parameter([[1, 2], [3, 4]], name="weight")
    assert p.data.dtype == F64 and p.grad.shape == (2, 2) and not p.grad.any()
    assert p.shape == (2, 2) and p.size == 4
    p.grad += 1
    p.zero_grad()
    assert not p.grad.any()
    assert repr(p) == "Parameter(weight, shape=(2, 2), dtype=float64)"


# --------------------------------------------------------------------------- bad input


def test_dense_wrong_width_message():
    msg = "Dense(784, 256) expects input of shape (batch, 784); got (32, 100)"
    with pytest.raises(ValueError, match=re.escape(msg)):
        Dense(784, 256)(np.zeros((32, 100)))
    with pytest.raises(ValueError, match=re.escape(msg)):  # also inside a Sequential
        Sequential(Dense(100, 100), Dense(784, 256))(np.zeros((32, 100)))


@pytest.mark.parametrize("bad,kind", [(np.nan, "NaN"), (np.inf, "infinity")])
def test_nan_and_inf_inputs_are_rejected(bad, kind):
    x = np.zeros((4, 3))
    x[2, 1] = bad
    msg = rf"the input of Dense\(3, 2\) must be finite; got 1 {kind} value\(s\).*index \(2, 1\)"
    with pytest.raises(ValueError, match=msg):
        Dense(3, 2)(x)
    with pytest.raises(ValueError, match=r"the input of Sequential must be finite"):
        Sequential(Dense(3, 2))(x)


def test_empty_batch_and_scalar_are_rejected():
    with pytest.raises(ValueError, match=r"the input of ReLU\(\) is empty \(shape \(0, 3\)\)"):
        ReLU()(np.zeros((0, 3)))
    with pytest.raises(ValueError, match=r"Sequential expects a batch \(an array\); got a scalar"):
        Sequential(ReLU())(3.0)


def test_wrong_dtype_is_rejected():
    with pytest.raises(TypeError, match="must hold real numbers .*; got dtype <U1"):
        Dense(1, 1)(np.array([["a"]]))
    with pytest.raises(TypeError, match="got dtype complex128"):
        Tanh()(np.ones(3, complex))
    with pytest.raises(TypeError, match="Dense: dtype must be a float dtype"):
        Dense(2, 2, dtype=np.int64)


def test_backward_before_forward_and_wrong_gradient_shape():
    with pytest.raises(RuntimeError, match=r"Dense\(2, 3\): call forward before backward"):
        Dense(2, 3).backward(np.ones((1, 3)))
    layer = Sigmoid()
    layer(np.ones((4, 2)))
    msg = r"Sigmoid\(\).backward expects a gradient of the output's shape \(4, 2\); got \(4, 3\)"
    with pytest.raises(ValueError, match=msg):
        layer.backward(np.ones((4, 3)))


@pytest.mark.parametrize(
    "make,msg",
    [
        (lambda: Dense(0, 3), r"Dense: n_in must be a positive int; got 0"),
        (lambda: Dense(3, 2.5), r"Dense: n_out must be a positive int; got 2.5"),
        (lambda: Dense(3, 2, init="glorot"), r"Dense: init must be one of \['he', 'normal'"),
        (lambda: GELU("fast"), r"GELU: approximate must be 'none' or 'tanh'; got 'fast'"),
        (lambda: PReLU(0), r"PReLU: num_parameters must be >= 1; got 0"),
        (lambda: LeakyReLU("x"), r"LeakyReLU: negative_slope must be a real number"),
    ],
)
def test_bad_constructor_arguments(make, msg):
    with pytest.raises((ValueError, TypeError), match=msg):
        make()


def test_reprs():
    assert repr(Dense(3, 2, bias=False, dtype=F64)) == "Dense(3, 2, bias=False, dtype=float64)"
    assert repr(LeakyReLU(0.1)) == "LeakyReLU(negative_slope=0.1)"
    assert repr(ELU()) == "ELU(alpha=1.0)"
    assert repr(GELU("tanh")) == "GELU(approximate='tanh')"
    assert repr(Softmax()) == "Softmax()" and repr(Softmax(0)) == "Softmax(axis=0)"
    assert repr(Dropout(0.2)) == "Dropout(p=0.2)"


# --------------------------------------------------------------------------- nnlib.gradcheck


@pytest.mark.parametrize(
    "make",
    [
        lambda: Dense(3, 4, rng=0),
        lambda: Dense(3, 4, rng=0, bias=False),
        lambda: PReLU(3),
        lambda: Dropout(0.5, rng=0).eval(),
        Flatten,
        *[ACTIVATIONS[name][0] for name in sorted(ACTIVATIONS)],
    ],
    ids=lambda make: repr(make()),
)
def test_every_layer_passes_nnlib_gradcheck(make):
    gradcheck = pytest.importorskip("nnlib.gradcheck")
    x = away_from_zero(np.random.default_rng(15).normal(size=(4, 3)))
    report = gradcheck.check_layer(make(), x)
    assert report.passed, report


def test_a_model_passes_nnlib_gradcheck():
    gradcheck = pytest.importorskip("nnlib.gradcheck")
    from nnlib.losses import CrossEntropyLoss

    rng = np.random.default_rng(16)
    model = Sequential(Dense(3, 5, rng=0), Tanh(), Dense(5, 4, rng=1), PReLU(), Dense(4, 3, rng=2))
    X, y = rng.normal(size=(6, 3)), rng.integers(0, 3, 6)
    report = gradcheck.check_model(model, CrossEntropyLoss(), X, y)
    assert report.passed, report


# --------------------------------------------------------------------------- nnlib._validate
# The shared helpers behind every message above (other modules import them too).


def test_validate_helpers_messages():
    from nnlib import _validate as v

    assert v.as_float_array([1, 2]).dtype == F64
    x32 = np.ones(3, np.float32)
    assert v.as_float_array(x32) is x32
    with pytest.raises(ValueError, match=r"X must be 2-D; got shape \(3,\) \(1-D\)"):
        v.as_float_array(x32, "X", ndim=2)
    with pytest.raises(ValueError, match=r"X must be 1-D or 2-D; got shape"):
        v.as_float_array(np.ones((1, 1, 1)), "X", ndim=(1, 2))
    with pytest.raises(TypeError, match=r"X must be a numeric array .* numpy cannot convert"):
        v.as_float_array([[1, 2], [3]], "X")
    with pytest.raises(ValueError, match=r"w must have shape \(n, 3\); got \(2, 4\)"):
        v.check_shape(np.ones((2, 4)), (None, 3), "w")
    with pytest.raises(ValueError, match=r"X and y must have the same number of samples; got 3"):
        v.check_same_length(np.ones(3), np.ones(2))
    with pytest.raises(ValueError, match=r"p must be in \(0, 1\]; got 0"):
        v.check_in_range(0, "p", 0, 1, low_open=True)
    with pytest.raises(ValueError, match=r"lr must be > 0; got 0"):
        v.check_positive(0, "lr")
    with pytest.raises(TypeError, match=r"lr must be a real number; got a bool"):
        v.check_positive(True, "lr")
    with pytest.raises(ValueError, match=r"y must hold class labels in 0..1 \(2 classes\)"):
        v.check_labels(np.array([0, 2]), 2)
    big = np.full(4, 1e200)  # x . x overflows, yet every value is finite: no error
    assert v.check_finite(big) is big
    assert v.describe(np.ones((2, 3))) == "an array of shape (2, 3) and dtype float64"
    assert isinstance(v.as_rng(None), np.random.Generator)


def test_save_to_a_folder_is_refused(tmp_path):
    with pytest.raises(ValueError, match=r"is a folder; give a file name such as model.npz"):
        small_model().save(tmp_path)
