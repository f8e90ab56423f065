"""nnlib.torch.flops: multiply-adds of layers against hand counts; training FLOPs; errors."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from nnlib.torch.flops import count_macs, macs_by_layer, training_flops
from nnlib.torch.models import digits_cnn


def test_linear_by_hand():
    assert count_macs(nn.Linear(3, 4), torch.zeros(2, 3)) == 2 * 3 * 4
    assert count_macs(nn.Linear(3, 4), torch.zeros(2, 5, 3)) == 2 * 5 * 3 * 4  # a sequence


def test_conv2d_by_hand():
    # output 6 x 6 (padding 1), 5 channels, each a sum over 2 channels x 3 x 3
    assert count_macs(nn.Conv2d(2, 5, 3, padding=1), torch.zeros(1, 2, 6, 6)) == 6 * 6 * 5 * 18
    # stride 2, no padding: output 2 x 2
    assert count_macs(nn.Conv2d(2, 5, 3, stride=2), torch.zeros(1, 2, 6, 6)) == 4 * 5 * 18
    # groups: each output channel sees in_channels / groups inputs
    assert count_macs(nn.Conv2d(4, 8, 3, groups=2), torch.zeros(1, 4, 5, 5)) == 9 * 8 * 2 * 9


def test_conv1d_and_conv3d_by_hand():
    assert count_macs(nn.Conv1d(4, 16, 3), torch.zeros(3, 4, 14)) == 3 * 12 * 16 * 4 * 3
    assert count_macs(nn.Conv3d(1, 2, 2), torch.zeros(1, 1, 3, 3, 3)) == 8 * 2 * 8


def test_recurrent_by_hand():
    x = torch.zeros(2, 5, 3)  # batch 2, 5 steps, 3 features
    steps = 10
    assert count_macs(nn.RNN(3, 4, batch_first=True), x) == steps * 4 * (3 + 4)
    assert count_macs(nn.GRU(3, 4, batch_first=True), x) == steps * 3 * 4 * (3 + 4)
    assert count_macs(nn.LSTM(3, 4, batch_first=True), x) == steps * 4 * 4 * (3 + 4)
    two = nn.LSTM(3, 4, num_layers=2, bidirectional=True, batch_first=True)
    assert count_macs(two, x) == steps * 2 * 4 * 4 * ((3 + 4) + (8 + 4))
    assert count_macs(nn.LSTM(3, 4), torch.zeros(5, 3)) == 5 * 4 * 4 * 7  # unbatched


def test_digits_cnn_by_hand():
    conv1 = 8 * 8 * 16 * (1 * 9)
    conv2 = 4 * 4 * 32 * (16 * 9)
    head = 128 * 10
    layers = macs_by_layer(digits_cnn(), torch.zeros(1, 1, 8, 8))
    assert [c.macs for c in layers] == [conv1, conv2, head]
    assert [c.kind for c in layers] == ["Conv2d", "Conv2d", "Linear"]
    assert [c.name for c in layers] == ["0", "3", "7"]


def test_layer_called_twice_counts_twice():
    class Twice(nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = nn.Linear(4, 4)

        def forward(self, x):
            return self.lin(self.lin(x))

    assert count_macs(Twice(), torch.zeros(1, 4)) == 32


def test_dense_network_macs_equal_weights():
    mlp = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
    weights = 64 * 128 + 128 * 10
    assert count_macs(mlp, torch.zeros(1, 64)) == weights


def test_meta_device_gives_the_same_count_and_hooks_are_removed():
    with torch.device("meta"):
        model = nn.Sequential(nn.Conv2d(3, 8, 3), nn.Flatten(), nn.LazyLinear(5))
        x = torch.zeros(1, 3, 10, 10)
    assert count_macs(model, x) == 8 * 8 * 8 * 27 + 8 * 8 * 8 * 5
    assert all(not m._forward_hooks for m in model.modules())


def test_training_flops():
    assert training_flops(10, 100) == 6000.0
    # GPT-3: 175e9 parameters, 300e9 tokens: the paper's 3.14e23 FLOPs
    assert training_flops(175e9, 300e9) == pytest.approx(3.14e23, rel=0.01)


def test_bad_input():
    with pytest.raises(TypeError, match="nn.Module"):
        count_macs(lambda x: x, torch.zeros(1))
    with pytest.raises(TypeError, match="tensors"):
        count_macs(nn.Linear(2, 2), [[0.0, 0.0]])
    with pytest.raises(TypeError, match="nothing"):
        count_macs(nn.Linear(2, 2))
    with pytest.raises(ValueError, match="proj_size"):
        count_macs(nn.LSTM(3, 4, proj_size=2), torch.zeros(5, 3))
    with pytest.raises(ValueError, match="non-negative"):
        training_flops(-1, 10)
