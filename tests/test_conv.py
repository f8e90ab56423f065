"""nnlib.conv: convolution and pooling in numpy against torch (values and gradients, float64),
the im2col/col2im pair, the layers, and every bad-input error."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from nnlib import conv
from nnlib.layers import Flatten, Sequential

torch = pytest.importorskip("torch")
F = torch.nn.functional

TOL = 1e-10
CONV_CASES = [
    # (N, C, H, W, out_channels, kernel, stride, padding)
    (2, 3, 7, 6, 4, 3, 1, 0),
    (2, 3, 7, 6, 4, 3, 2, 1),
    (1, 1, 5, 5, 2, 2, 1, 1),
    (3, 2, 9, 8, 5, (3, 2), (2, 1), (1, 0)),
    (2, 1, 8, 8, 8, 3, 1, 1),
    (1, 2, 4, 4, 3, 4, 1, 0),  # the kernel covers the whole image
]


def torch_conv(x, w, b, stride, padding, g):
    xt, wt, bt = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    out = F.conv2d(xt, wt, bt, stride=stride, padding=padding)
    out.backward(torch.tensor(g))
    return out.detach().numpy(), xt.grad.numpy(), wt.grad.numpy(), bt.grad.numpy()


@pytest.mark.parametrize("case", CONV_CASES)
def test_conv2d_forward_and_backward_match_torch(case):
    n, c, h, w, f, k, s, p = case
    rng = np.random.default_rng(0)
    kh, kw = k if isinstance(k, tuple) else (k, k)
    x, weight, bias = (
        rng.normal(size=(n, c, h, w)),
        rng.normal(size=(f, c, kh, kw)),
        rng.normal(size=f),
    )
    out = conv.conv2d(x, weight, bias, stride=s, padding=p)
    g = rng.normal(size=out.shape)
    t_out, t_dx, t_dw, t_db = torch_conv(x, weight, bias, s, p, g)
    np.testing.assert_allclose(out, t_out, atol=TOL, rtol=0)
    dx, dw, db = conv.conv2d_backward(g, x, weight, stride=s, padding=p)
    for mine, ref in ((dx, t_dx), (dw, t_dw), (db, t_db)):
        assert mine.shape == ref.shape
        np.testing.assert_allclose(mine, ref, atol=TOL, rtol=0)


POOL_CASES = [(2, None, 0), (3, 2, 1), (3, 1, 1), ((2, 3), (1, 2), (1, 1)), (2, 1, 0)]


@pytest.mark.parametrize("case", POOL_CASES)
@pytest.mark.parametrize(
    ("mine", "mine_backward", "reference"),
    [
        (conv.max_pool2d, conv.max_pool2d_backward, F.max_pool2d),
        (conv.avg_pool2d, conv.avg_pool2d_backward, F.avg_pool2d),
    ],
    ids=["max", "avg"],
)
def test_pooling_matches_torch(case, mine, mine_backward, reference):
    k, s, p = case
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 3, 7, 8))
    xt = torch.tensor(x, requires_grad=True)
    out_t = reference(xt, k, s, p)
    g = rng.normal(size=out_t.shape)
    out_t.backward(torch.tensor(g))
    np.testing.assert_allclose(mine(x, k, s, p), out_t.detach().numpy(), atol=TOL, rtol=0)
    np.testing.assert_allclose(mine_backward(g, x, k, s, p), xt.grad.numpy(), atol=TOL, rtol=0)


def test_max_pool_gives_ties_to_the_first_maximum_as_torch_does():
    x = np.ones((1, 1, 4, 4))
    xt = torch.tensor(x, requires_grad=True)
    F.max_pool2d(xt, 2).sum().backward()
    np.testing.assert_array_equal(
        conv.max_pool2d_backward(np.ones((1, 1, 2, 2)), x, 2), xt.grad.numpy()
    )


def test_im2col_times_kernels_is_the_convolution_and_col2im_is_its_adjoint():
    rng = np.random.default_rng(2)
    x, w = rng.normal(size=(2, 3, 6, 5)), rng.normal(size=(4, 3, 3, 3))
    cols = conv.im2col(x, 3, stride=1, padding=1)
    assert cols.shape == (2 * 6 * 5, 27)
    out = (cols @ w.reshape(4, -1).T).reshape(2, 6, 5, 4).transpose(0, 3, 1, 2)
    np.testing.assert_allclose(out, conv.conv2d(x, w, padding=1), atol=1e-12)
    # <im2col(x), c> == <x, col2im(c)>: col2im is the transpose (adjoint) of im2col
    c = rng.normal(size=cols.shape)
    back = conv.col2im(c, x.shape, 3, stride=1, padding=1)
    assert back.shape == x.shape
    assert np.vdot(cols, c) == pytest.approx(np.vdot(x, back), rel=1e-12)


@pytest.mark.parametrize(
    ("size", "k", "s", "p", "expected"),
    [(8, 3, 1, 0, 6), (8, 3, 1, 1, 8), (8, 2, 2, 0, 4), (7, 3, 2, 1, 4), (28, 5, 1, 0, 24)],
)
def test_conv_output_size(size, k, s, p, expected):
    assert conv.conv_output_size(size, k, s, p) == expected
    x = np.zeros((1, 1, size, size))
    assert conv.conv2d(x, np.zeros((1, 1, k, k)), stride=s, padding=p).shape[-1] == expected


def test_filter_image_keeps_the_size_and_applies_classical_kernels():
    image = np.zeros((6, 6))
    image[:, 3:] = 1.0  # a vertical edge
    assert conv.filter_image(image, conv.KERNELS["identity"]) == pytest.approx(image)
    edges = conv.filter_image(image, conv.KERNELS["sobel x"])
    assert edges.shape == image.shape
    assert np.abs(edges[1:-1, 2:4]).min() > 0 and np.all(edges[1:-1, 0:1] == 0)
    blurred = conv.filter_image(image, conv.KERNELS["box blur"])
    assert blurred[2, 2] == pytest.approx(1 / 3) and blurred[2, 3] == pytest.approx(2 / 3)
    for name, kernel in conv.KERNELS.items():
        assert kernel.shape == (3, 3), name


def test_layers_train_with_sequential_and_match_torch_modules():
    rng = np.random.default_rng(3)
    layer = conv.Conv2d(2, 3, 3, padding=1, rng=0, dtype=np.float64)
    model = Sequential(layer, conv.MaxPool2d(2), conv.AvgPool2d(2, stride=1), Flatten())
    x = rng.normal(size=(4, 2, 6, 6))
    out = model(x)
    tconv = torch.nn.Conv2d(2, 3, 3, padding=1).double()
    with torch.no_grad():
        tconv.weight.copy_(torch.tensor(layer.W.data))
        tconv.bias.copy_(torch.tensor(layer.b.data))
    tmodel = torch.nn.Sequential(
        tconv, torch.nn.MaxPool2d(2), torch.nn.AvgPool2d(2, stride=1), torch.nn.Flatten()
    )
    xt = torch.tensor(x, requires_grad=True)
    out_t = tmodel(xt)
    np.testing.assert_allclose(out, out_t.detach().numpy(), atol=TOL)
    g = rng.normal(size=out.shape)
    dx = model.backward(g)
    out_t.backward(torch.tensor(g))
    np.testing.assert_allclose(dx, xt.grad.numpy(), atol=TOL)
    np.testing.assert_allclose(layer.W.grad, tconv.weight.grad.numpy(), atol=TOL)
    np.testing.assert_allclose(layer.b.grad, tconv.bias.grad.numpy(), atol=TOL)
    assert model.backward(g, input_grad=False) is None
    assert [name for name, _ in model.named_parameters()] == ["0.weight", "0.bias"]
    assert "Conv2d(2, 3, kernel_size=3, padding=1)" in repr(model.layers[0])
    assert repr(model.layers[2]) == "AvgPool2d(2, stride=1)"


def test_conv_layer_keeps_float32_by_default():
    layer = conv.Conv2d(1, 2, 3, rng=0)
    out = layer(np.ones((2, 1, 5, 5)))
    assert out.dtype == np.float32 and out.shape == (2, 2, 3, 3)
    assert layer.backward(np.ones_like(out)).dtype == np.float32


# --- bad input ---------------------------------------------------------------------------------

X = np.zeros((2, 3, 6, 6))
W = np.zeros((4, 3, 3, 3))


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda: conv.conv2d(X[0], W), r"\(N, C, H, W\).*x\[None\]"),
        (lambda: conv.conv2d(X[0, 0], W), r"x\[None, None\]"),
        (lambda: conv.conv2d(np.zeros((2, 3, 6, 6, 1)), W), "5-D"),
        (lambda: conv.conv2d(X, W[:, :2]), "x has 3 channels but the kernels expect 2"),
        (lambda: conv.conv2d(X, W[0]), r"weight must have shape \(out_channels"),
        (lambda: conv.conv2d(X, W, bias=np.zeros(3)), "one per output channel"),
        (lambda: conv.conv2d(X, np.zeros((4, 3, 7, 7))), "larger than the padded input"),
        (lambda: conv.conv2d(X, W, stride=0), "stride must be a positive integer"),
        (lambda: conv.conv2d(X, W, stride=1.5), "stride must be a positive integer"),
        (lambda: conv.conv2d(X, W, padding=-1), "padding must be a non-negative integer"),
        (lambda: conv.conv2d(X, W, padding=True), "padding must be a non-negative integer"),
        (lambda: conv.conv2d(np.zeros((0, 3, 6, 6)), W), "empty"),
        (lambda: conv.conv2d(np.full((1, 3, 6, 6), np.nan), W), "finite"),
        (lambda: conv.conv2d(np.array([["a"]]), W), None),
        (lambda: conv.conv2d_backward(np.zeros((2, 4, 3, 3)), X, W), "output's shape"),
        (lambda: conv.max_pool2d(X[0], 2), "x\\[None\\]"),
        (lambda: conv.max_pool2d(X, 2, padding=2), "at most half the kernel"),
        (lambda: conv.avg_pool2d(X, 7), "larger than the padded input"),
        (lambda: conv.avg_pool2d(X, 0), "kernel_size must be a positive integer"),
        (lambda: conv.max_pool2d_backward(np.zeros((2, 3, 2, 2)), X, 2), "output's shape"),
        (lambda: conv.im2col(X, 7), "larger than the padded input"),
        (lambda: conv.col2im(np.zeros((3, 3)), X.shape, 3), "cols must have shape"),
        (lambda: conv.col2im(np.zeros((3, 3)), (6, 6), 3), r"\(N, C, H, W\)"),
        (lambda: conv.conv_output_size(4, 5), "larger than the padded input"),
        (lambda: conv.filter_image(np.zeros((1, 5, 5)), np.zeros((3, 3))), "2-D"),
        (lambda: conv.filter_image(np.zeros((5, 5)), np.zeros(3)), "2-D"),
        (lambda: conv.Conv2d(0, 2, 3), "in_channels must be a positive int"),
        (lambda: conv.Conv2d(1, 2, 3, dtype=np.int64), "float dtype"),
        (lambda: conv.Conv2d(1, 2, 3, rng=0)(X), r"expects input of shape \(N, 1, H, W\)"),
        (lambda: conv.Conv2d(3, 2, 9, rng=0)(X), "larger than the padded input"),
        (lambda: conv.MaxPool2d(2).backward(np.zeros((1, 1))), "call forward before backward"),
    ],
)
def test_bad_input_is_explained(call, words):
    with pytest.raises((ValueError, TypeError, RuntimeError), match=words):
        call()


def test_nnlib_conv_does_not_import_torch():
    code = "import sys, nnlib.conv; assert 'torch' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
