"""nnlib.torch.federated: splits are partitions, averaging is weighted, FedAvg rounds."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from nnlib.torch.federated import (
    average_states,
    client_update,
    fedavg,
    fedavg_round,
    label_counts,
    split_by_label,
    split_dirichlet,
    split_iid,
)
from nnlib.torch.train import fit

LABELS = np.repeat(np.arange(10), 20)[np.random.default_rng(0).permutation(200)]


def assert_partition(parts, n):
    everything = np.concatenate(parts)
    assert np.array_equal(np.sort(everything), np.arange(n))


def small_net(seed=0):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(4, 5), nn.Tanh(), nn.Linear(5, 3)).double()


def test_split_iid_is_a_balanced_shuffled_partition():
    parts = split_iid(103, 4, rng=0)
    assert_partition(parts, 103)
    assert sorted(len(p) for p in parts) == [25, 26, 26, 26]
    assert not np.array_equal(parts[0], np.arange(len(parts[0])))
    assert all(np.array_equal(a, b) for a, b in zip(parts, split_iid(103, 4, rng=0), strict=True))


def test_split_by_label_gives_few_classes():
    parts = split_by_label(LABELS, 10, classes_per_client=2, rng=0)
    assert_partition(parts, 200)
    counts = label_counts(LABELS, parts)
    assert counts.shape == (10, 10)
    assert np.all((counts > 0).sum(axis=1) <= 2)  # shards of 10 never straddle a class here
    assert np.array_equal(counts.sum(axis=0), np.full(10, 20))


def test_split_dirichlet_skew_depends_on_alpha():
    skewed = label_counts(LABELS, split_dirichlet(LABELS, 5, alpha=0.05, rng=0))
    even = label_counts(LABELS, split_dirichlet(LABELS, 5, alpha=1000.0, rng=0))
    assert_partition(split_dirichlet(LABELS, 5, alpha=0.5, rng=1), 200)
    assert np.array_equal(skewed.sum(axis=0), np.full(10, 20))
    assert (skewed > 0).sum() < (even > 0).sum()
    assert np.all(np.abs(even - 4) <= 2)


def test_split_errors():
    with pytest.raises(ValueError, match="n_clients"):
        split_iid(10, 0)
    with pytest.raises(ValueError, match="cannot split"):
        split_iid(3, 4)
    with pytest.raises(ValueError, match="labels"):
        split_by_label(np.zeros((4, 2), dtype=int), 2)
    with pytest.raises(ValueError, match="labels"):
        split_dirichlet(np.array([0.5, 1.5]), 2, 1.0)
    with pytest.raises(ValueError, match="alpha"):
        split_dirichlet(LABELS, 2, 0.0)
    with pytest.raises(ValueError, match="classes_per_client"):
        split_by_label(LABELS, 2, classes_per_client=0)


def test_average_of_identical_models_is_the_model():
    state = small_net().state_dict()
    avg = average_states([state, state, state], weights=[1, 2, 7])
    for key in state:
        torch.testing.assert_close(avg[key], state[key], rtol=0, atol=1e-15)


def test_average_is_weighted_by_client_size():
    a, b = small_net(0).state_dict(), small_net(1).state_dict()
    avg = average_states([a, b], weights=[10, 30])
    for key in a:
        torch.testing.assert_close(avg[key], 0.25 * a[key] + 0.75 * b[key], rtol=0, atol=1e-15)
    plain = average_states([a, b])
    torch.testing.assert_close(plain["0.bias"], (a["0.bias"] + b["0.bias"]) / 2)


def test_average_keeps_integer_buffers():
    net = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2)).double()
    state = net.state_dict()
    avg = average_states([state, state], [1, 1])
    assert avg["1.num_batches_tracked"].dtype == torch.int64
    net.load_state_dict(avg)


def test_average_errors():
    a = small_net().state_dict()
    with pytest.raises(ValueError, match="at least one"):
        average_states([])
    with pytest.raises(ValueError, match="weights of shape"):
        average_states([a, a], [1, 2, 3])
    with pytest.raises(ValueError, match="non-negative"):
        average_states([a, a], [1, -1])
    with pytest.raises(ValueError, match="keys"):
        average_states([a, {"x": torch.zeros(1)}])
    other = nn.Sequential(nn.Linear(4, 6), nn.Tanh(), nn.Linear(6, 3)).double().state_dict()
    with pytest.raises(ValueError, match="shape"):
        average_states([a, other])


def data(n=60, seed=0):
    gen = torch.Generator().manual_seed(seed)
    X = torch.randn(n, 4, generator=gen, dtype=torch.float64)
    return X, (X[:, 0] + X[:, 1] > 0).long() + (X[:, 2] > 1).long()


def test_client_update_leaves_the_global_model_alone():
    net = small_net()
    before = {k: v.clone() for k, v in net.state_dict().items()}
    X, y = data()
    state = client_update(net, X, y, epochs=2, lr=0.5)
    assert all(torch.equal(before[k], net.state_dict()[k]) for k in before)
    assert not torch.equal(state["0.weight"], before["0.weight"])


def test_fedsgd_is_one_full_batch_gradient_step():
    # One local step on each client's whole data, averaged by size = one step on all data.
    X, y = data(60)
    sizes = [10, 20, 30]
    edges = np.cumsum([0, *sizes])
    clients = [(X[a:b], y[a:b]) for a, b in zip(edges[:-1], edges[1:], strict=True)]
    fed, central = small_net(), small_net()
    fedavg_round(fed, clients, epochs=1, lr=0.3, batch_size=60)
    opt = torch.optim.SGD(central.parameters(), lr=0.3)
    fit(central, nn.CrossEntropyLoss(), opt, X, y, epochs=1, batch_size=60)
    for key, value in central.state_dict().items():
        torch.testing.assert_close(fed.state_dict()[key], value, rtol=0, atol=1e-12)


def test_one_client_is_plain_training():
    X, y = data(40)
    fed, local = small_net(), small_net()
    fedavg_round(fed, [(X, y)], epochs=3, lr=0.2, batch_size=8, rng=5)
    # fedavg_round draws the client choice first, then the seeds: reproduce that order
    gen = np.random.default_rng(5)
    gen.choice(1, size=1, replace=False)
    seed = int(gen.integers(0, 2**31 - 1, size=1)[0])
    state = client_update(local, X, y, epochs=3, lr=0.2, batch_size=8, rng=seed)
    for key, value in state.items():
        torch.testing.assert_close(fed.state_dict()[key], value, rtol=0, atol=1e-15)


def test_fedavg_learns_and_fraction_selects_clients():
    X, y = data(120)
    parts = split_iid(120, 4, rng=0)
    clients = [(X[p], y[p]) for p in parts]
    acc = fedavg(small_net(), clients, rounds=8, validation=(X, y), lr=0.5, rng=0)
    assert len(acc) == 8 and acc[-1] > acc[0] and acc[-1] > 0.7
    again = fedavg(small_net(), clients, rounds=8, validation=(X, y), lr=0.5, rng=0)
    assert acc == again
    partial = fedavg(small_net(), clients, rounds=2, validation=(X, y), fraction=0.25)
    assert len(partial) == 2
    with pytest.raises(ValueError, match="fraction"):
        fedavg_round(small_net(), clients, fraction=0.0)
    with pytest.raises(ValueError, match="rounds"):
        fedavg(small_net(), clients, rounds=0, validation=(X, y))
