"""nnlib.torch.transfer: class selection, few-shot draws, freezing and new heads."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from nnlib.torch.models import digits_cnn  # noqa: E402
from nnlib.torch.transfer import few_shot, freeze, select_classes, transfer_model  # noqa: E402


def toy(n_per_class=6, n_classes=4):
    y = torch.arange(n_classes).repeat(n_per_class)
    X = torch.arange(len(y) * 2, dtype=torch.float64).reshape(len(y), 2)
    return X, y


def test_select_classes_keeps_order_and_relabels():
    X, y = toy()
    Xs, ys = select_classes(X, y, [3, 1])
    keep = (y == 3) | (y == 1)
    torch.testing.assert_close(Xs, X[keep])
    assert ys.tolist() == [0 if c == 3 else 1 for c in y[keep].tolist()]
    assert ys.dtype == y.dtype


def test_select_classes_numpy():
    X, y = np.arange(10.0), np.array([5, 6, 7, 5, 6, 7, 5, 6, 7, 9])
    Xs, ys = select_classes(X, y, range(5, 8))
    assert isinstance(Xs, np.ndarray) and Xs.tolist() == list(range(9))
    assert ys.tolist() == [0, 1, 2] * 3


@pytest.mark.parametrize(
    "classes, message", [([], "non-empty"), ([1, 1], "distinct"), ([1, 8], "no samples")]
)
def test_select_classes_bad_classes(classes, message):
    X, y = toy()
    with pytest.raises(ValueError, match=message):
        select_classes(X, y, classes)


def test_select_classes_bad_labels():
    X, y = toy()
    with pytest.raises(ValueError, match="samples but y has"):
        select_classes(X[:-1], y, [0])
    with pytest.raises(ValueError, match="one-dimensional"):
        select_classes(X, y[:, None], [0])
    with pytest.raises(TypeError, match="integers"):
        select_classes(X, y.double(), [0])


def test_few_shot_counts_and_membership():
    X, y = toy(n_per_class=10)
    Xf, yf = few_shot(X, y, 3, rng=1)
    assert np.bincount(yf.numpy()).tolist() == [3, 3, 3, 3]
    rows = {tuple(r) for r in X.tolist()}
    assert all(tuple(r) in rows for r in Xf.tolist())
    assert len({tuple(r) for r in Xf.tolist()}) == 12  # no sample drawn twice
    for xi, yi in zip(Xf, yf, strict=True):  # every sample keeps its own label
        i = int(xi[0]) // 2
        assert y[i] == yi


def test_few_shot_seeds():
    X, y = toy(n_per_class=20)
    a, _ = few_shot(X, y, 4, rng=0)
    b, _ = few_shot(X, y, 4, rng=0)
    c, _ = few_shot(X, y, 4, rng=1)
    assert torch.equal(a, b) and not torch.equal(a, c)


def test_few_shot_errors():
    X, y = toy(n_per_class=3)
    with pytest.raises(ValueError, match="only 3 samples"):
        few_shot(X, y, 4)
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="per_class"):
            few_shot(X, y, bad)


def test_freeze_stops_gradients():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    assert freeze(net[0]) is net[0]
    net(torch.randn(5, 3)).sum().backward()
    assert net[0].weight.grad is None and net[0].bias.grad is None
    assert net[2].weight.grad is not None
    with pytest.raises(TypeError, match="torch.nn.Module"):
        freeze(torch.zeros(2))


@pytest.mark.parametrize("frozen", [True, False])
def test_transfer_model(frozen):
    torch.manual_seed(0)
    source = digits_cnn(n_classes=5, dtype=torch.float64)
    before = {k: v.clone() for k, v in source.state_dict().items()}
    target = transfer_model(source, n_classes=3, freeze_features=frozen)
    # the source is untouched and still trainable
    for k, v in source.state_dict().items():
        assert torch.equal(v, before[k])
    assert all(p.requires_grad for p in source.parameters())
    # features copied, new head of the right shape and dtype
    for k, v in target[:-1].state_dict().items():
        assert torch.equal(v, before[k])
    assert target[-1].out_features == 3 and target[-1].weight.dtype == torch.float64
    assert target[-1].in_features == source[-1].in_features
    assert [p.requires_grad for p in target[:-1].parameters()] == [not frozen] * 4
    assert all(p.requires_grad for p in target[-1].parameters())
    assert target(torch.zeros(2, 1, 8, 8, dtype=torch.float64)).shape == (2, 3)


def test_transfer_model_from_frozen_copy_can_fine_tune():
    frozen = transfer_model(digits_cnn(n_classes=5), 5, freeze_features=True)
    again = transfer_model(frozen, 5, freeze_features=False)
    assert all(p.requires_grad for p in again.parameters())


def test_transfer_model_errors():
    with pytest.raises(TypeError, match="nn.Linear head"):
        transfer_model(nn.Sequential(nn.Linear(2, 2), nn.ReLU()), 2)
    with pytest.raises(TypeError, match="nn.Sequential"):
        transfer_model(nn.Linear(2, 2), 2)
    with pytest.raises(ValueError, match="n_classes"):
        transfer_model(digits_cnn(), 0)
