"""The tiny U-Net (nnlib.torch.unet) against a functional re-implementation, float64."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402

from nnlib.torch.unet import TinyUNet, conv_block  # noqa: E402


def block_ref(x, block):
    """The two convolutions of a conv_block, written with torch.nn.functional."""
    c1, c2 = block[0], block[2]
    x = F.relu(F.conv2d(x, c1.weight, c1.bias, padding=1))
    return F.relu(F.conv2d(x, c2.weight, c2.bias, padding=1))


def unet_ref(net, x):
    """The U-Net's forward pass, from its weights, without calling its modules."""
    e1 = block_ref(x, net.enc1)
    e2 = block_ref(F.max_pool2d(e1, 2), net.enc2)
    b = block_ref(F.max_pool2d(e2, 2), net.bottom)
    u2 = F.conv_transpose2d(b, net.up2.weight, net.up2.bias, stride=2)
    d2 = block_ref(torch.cat([u2, e2], 1) if net.skip else u2, net.dec2)
    u1 = F.conv_transpose2d(d2, net.up1.weight, net.up1.bias, stride=2)
    d1 = block_ref(torch.cat([u1, e1], 1) if net.skip else u1, net.dec1)
    return F.conv2d(d1, net.head.weight, net.head.bias)


@pytest.mark.parametrize("skip", [True, False])
def test_forward_and_gradients_match_a_functional_version(skip):
    torch.manual_seed(0)
    net = TinyUNet(in_channels=2, out_channels=3, width=4, skip=skip).double()
    x = torch.randn(2, 2, 16, 12, dtype=torch.float64, requires_grad=True)
    out = net(x)
    ref = unet_ref(net, x)
    assert out.shape == (2, 3, 16, 12)
    assert torch.allclose(out, ref, atol=1e-10, rtol=0)
    g = torch.randn_like(out)
    grads = torch.autograd.grad(out, [x, *net.parameters()], g)
    grads_ref = torch.autograd.grad(ref, [x, *net.parameters()], g)
    for a, b in zip(grads, grads_ref, strict=True):
        assert torch.allclose(a, b, atol=1e-10, rtol=0)


def test_gradients_match_finite_differences():
    torch.manual_seed(1)
    net = TinyUNet(width=2).double()
    x = torch.randn(1, 1, 8, 8, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda t: net(t).sum(), (x,), eps=1e-6, atol=1e-8)


def test_skip_connections_change_only_the_decoder_inputs():
    with_skip, without = TinyUNet(width=8), TinyUNet(width=8, skip=False)
    assert with_skip.dec2[0].in_channels == 32 and without.dec2[0].in_channels == 16
    assert with_skip.dec1[0].in_channels == 16 and without.dec1[0].in_channels == 8
    n = sum(p.numel() for p in with_skip.parameters())
    m = sum(p.numel() for p in without.parameters())
    # the skips add the weights that read the copied channels: 3*3*16*16 + 3*3*8*8
    assert n - m == 9 * 16 * 16 + 9 * 8 * 8


def test_conv_block_keeps_the_size():
    block = conv_block(3, 5)
    assert block(torch.zeros(2, 3, 7, 9)).shape == (2, 5, 7, 9)
    assert isinstance(block[1], nn.ReLU)


@pytest.mark.parametrize(
    ("shape", "match"),
    [
        ((1, 16, 16), "add a batch axis"),
        ((2, 3, 16, 16), "expected 1 input channel"),
        ((2, 1, 18, 16), "multiples of 4"),
        ((16, 16), "batch, channels, height, width"),
    ],
)
def test_bad_input_shapes(shape, match):
    with pytest.raises(ValueError, match=match):
        TinyUNet(width=2)(torch.zeros(shape))


def test_bad_arguments():
    with pytest.raises(TypeError, match="torch.Tensor"):
        TinyUNet()([[0.0]])
    with pytest.raises(ValueError, match="width must be a positive integer"):
        TinyUNet(width=0)
    with pytest.raises(ValueError, match="in_channels"):
        conv_block(0, 3)


def test_learns_a_mask_quickly():
    """A few steps on one batch of discs lower the loss (the notebook trains for real)."""
    from nnlib.segmentation import make_shapes

    torch.manual_seed(0)
    X, Y = (torch.as_tensor(a) for a in make_shapes(16, size=16, kinds=("disc",), rng=0))
    net = TinyUNet(width=4)
    opt = torch.optim.Adam(net.parameters(), lr=1e-2)
    loss_fn = nn.BCEWithLogitsLoss()
    first = loss_fn(net(X), Y).item()
    for _ in range(30):
        opt.zero_grad()
        loss = loss_fn(net(X), Y)
        loss.backward()
        opt.step()
    assert loss.item() < 0.8 * first
