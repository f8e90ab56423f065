"""The GCN layer (nnlib.torch.graph): torch has no GCN layer, so it is checked against values
worked out by hand, an independent numpy implementation and a per-node message loop (float64).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from nnlib.torch.graph import GCN, GCNLayer, normalized_adjacency  # noqa: E402

PATH3 = torch.tensor([[0.0, 1, 0], [1, 0, 1], [0, 1, 0]], dtype=torch.float64)


def normalized_numpy(A, self_loops=True):
    """D^-1/2 (A + I) D^-1/2 written entry by entry in numpy."""
    A = np.asarray(A, dtype=float) + (np.eye(len(A)) if self_loops else 0)
    d = A.sum(axis=1)
    out = np.zeros_like(A)
    for i in range(len(A)):
        for j in range(len(A)):
            if A[i, j]:
                out[i, j] = A[i, j] / math.sqrt(d[i] * d[j])
    return out


def random_graph(n, p, seed):
    rng = np.random.default_rng(seed)
    upper = np.triu(rng.random((n, n)) < p, 1)
    weights = rng.uniform(0.5, 2.0, (n, n))
    A = (upper | upper.T) * (weights + weights.T) / 2
    return torch.as_tensor(A)


def test_normalized_adjacency_by_hand_on_a_path():
    # degrees with self-loops: 2, 3, 2
    s6 = 1 / math.sqrt(6)
    expected = torch.tensor([[1 / 2, s6, 0], [s6, 1 / 3, s6], [0, s6, 1 / 2]], dtype=torch.float64)
    assert torch.allclose(normalized_adjacency(PATH3), expected, atol=1e-12, rtol=0)


@pytest.mark.parametrize("self_loops", [True, False])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_normalized_adjacency_matches_numpy(seed, self_loops):
    A = random_graph(9, 0.35, seed)
    got = normalized_adjacency(A, self_loops=self_loops).numpy()
    assert np.allclose(got, normalized_numpy(A.numpy(), self_loops), atol=1e-10, rtol=0)
    assert np.allclose(got, got.T, atol=1e-15)


def test_isolated_node_without_self_loops_gets_a_zero_row():
    A = torch.zeros(3, 3, dtype=torch.float64)
    A[0, 1] = A[1, 0] = 1
    out = normalized_adjacency(A, self_loops=False)
    assert torch.equal(out[2], torch.zeros(3, dtype=torch.float64))
    assert torch.isfinite(out).all()


def test_largest_eigenvalue_is_one():
    """With self-loops the spectrum of Â lies in (-1, 1]: repeated propagation cannot blow up."""
    A = random_graph(12, 0.3, 5)
    eig = torch.linalg.eigvalsh(normalized_adjacency(A))
    assert eig.max() == pytest.approx(1.0, abs=1e-10)
    assert eig.min() > -1


def test_layer_by_hand_on_a_path():
    layer = GCNLayer(1, 1).double()
    with torch.no_grad():
        layer.weight.fill_(2.0)
        layer.bias.fill_(0.5)
    x = torch.tensor([[1.0], [0.0], [3.0]], dtype=torch.float64)
    s6 = 1 / math.sqrt(6)
    # node 1 averages: (1 * s6 + 0 * 1/3 + 3 * s6) * 2 + 0.5
    expected = torch.tensor(
        [[0.5 * 2 + 0.5], [4 * s6 * 2 + 0.5], [1.5 * 2 + 0.5]], dtype=torch.float64
    )
    got = layer(x, normalized_adjacency(PATH3))
    assert torch.allclose(got, expected, atol=1e-12, rtol=0)


def message_loop(x, A, weight, bias):
    """The same layer as messages: node i sums w_ij / sqrt(d_i d_j) * (x_j W) over j in N(i)+i."""
    n = len(A)
    A = A + torch.eye(n, dtype=A.dtype)
    deg = A.sum(1)
    rows = []
    for i in range(n):
        msg = torch.zeros(weight.shape[1], dtype=x.dtype)
        for j in range(n):
            if A[i, j] > 0:
                msg = msg + A[i, j] / torch.sqrt(deg[i] * deg[j]) * (x[j] @ weight)
        rows.append(msg + bias)
    return torch.stack(rows)


def test_layer_matches_a_message_loop_values_and_gradients():
    torch.manual_seed(0)
    A = random_graph(7, 0.4, 3)
    layer = GCNLayer(4, 3).double()
    with torch.no_grad():
        layer.bias.normal_()
    x = torch.randn(7, 4, dtype=torch.float64, requires_grad=True)
    out = layer(x, normalized_adjacency(A))
    ref = message_loop(x, A, layer.weight, layer.bias)
    assert torch.allclose(out, ref, atol=1e-10, rtol=0)
    g = torch.randn_like(out)
    params = [x, layer.weight, layer.bias]
    for a, b in zip(
        torch.autograd.grad(out, params, g), torch.autograd.grad(ref, params, g), strict=True
    ):
        assert torch.allclose(a, b, atol=1e-10, rtol=0)


def test_layer_matches_numpy_and_finite_differences():
    torch.manual_seed(1)
    A = random_graph(6, 0.5, 4)
    layer = GCNLayer(3, 2).double()
    x = torch.randn(6, 3, dtype=torch.float64, requires_grad=True)
    ref = normalized_numpy(A.numpy()) @ x.detach().numpy() @ layer.weight.detach().numpy()
    assert np.allclose(layer(x, normalized_adjacency(A)).detach().numpy(), ref, atol=1e-10)
    a_hat = normalized_adjacency(A)
    assert torch.autograd.gradcheck(lambda t: layer(t, a_hat), (x,))


def test_glorot_initialisation_bound():
    torch.manual_seed(0)
    layer = GCNLayer(30, 10)
    assert layer.weight.abs().max() <= math.sqrt(6 / 40)
    assert layer.weight.abs().max() > 0.8 * math.sqrt(6 / 40)
    assert GCNLayer(3, 2, bias=False).bias is None


def test_gcn_without_graph_is_an_mlp_on_the_features():
    torch.manual_seed(0)
    A, X = random_graph(5, 0.5, 0), torch.randn(5, 3, dtype=torch.float64)
    mlp = GCN(A, X, hidden=4, n_classes=2, use_graph=False)
    assert torch.equal(mlp.a_hat, torch.eye(5, dtype=torch.float64))
    l1, l2 = mlp.layer1, mlp.layer2
    expected = torch.relu(X @ l1.weight + l1.bias) @ l2.weight + l2.bias
    assert torch.allclose(mlp(), expected, atol=1e-12)
    gcn = GCN(A, X, hidden=4, n_classes=2)
    a = normalized_adjacency(A)
    expected = a @ torch.relu(a @ X @ gcn.layer1.weight + gcn.layer1.bias) @ gcn.layer2.weight
    assert torch.allclose(gcn(), expected + gcn.layer2.bias, atol=1e-12)
    assert gcn().dtype == torch.float64
    # fit hands node indices over as floats: they select the same rows
    assert torch.equal(gcn(torch.tensor([4.0, 0.0])), gcn()[[4, 0]])


def test_gcn_trains_with_the_course_loop():
    from nnlib.torch.train import fit, predict

    A = torch.zeros(6, 6, dtype=torch.float64)
    for i, j in [(0, 1), (1, 2), (0, 2), (3, 4), (4, 5), (3, 5), (2, 3)]:
        A[i, j] = A[j, i] = 1
    y = torch.tensor([0, 0, 0, 1, 1, 1])
    torch.manual_seed(0)
    model = GCN(A, torch.eye(6, dtype=torch.float64), hidden=8, n_classes=2)
    opt = torch.optim.Adam(model.parameters(), lr=0.05)
    fit(model, nn.CrossEntropyLoss(), opt, torch.tensor([0, 5]), y[[0, 5]], epochs=60)
    assert torch.equal(predict(model, torch.arange(6)).argmax(1), y)


def test_bad_input():
    with pytest.raises(ValueError, match="square"):
        normalized_adjacency(torch.zeros(3, 4))
    with pytest.raises(ValueError, match="square"):
        normalized_adjacency(torch.zeros(3))
    with pytest.raises(TypeError, match="torch.Tensor"):
        normalized_adjacency(np.eye(3))
    with pytest.raises(ValueError, match=">= 0"):
        normalized_adjacency(torch.tensor([[0.0, -1.0], [-1.0, 0.0]]))
    with pytest.raises(ValueError, match="NaN"):
        normalized_adjacency(torch.tensor([[0.0, float("nan")], [1.0, 0.0]]))
    with pytest.raises(ValueError, match="no nodes"):
        normalized_adjacency(torch.zeros(0, 0))
    layer = GCNLayer(2, 3)
    a_hat = normalized_adjacency(PATH3.float())
    with pytest.raises(ValueError, match="3 nodes but the features have 4 rows"):
        layer(torch.zeros(4, 2), a_hat)
    with pytest.raises(ValueError, match="expected 2 features per node; got 5"):
        layer(torch.zeros(3, 5), a_hat)
    with pytest.raises(ValueError, match="2-D tensor"):
        layer(torch.zeros(1, 3, 2), a_hat)
    with pytest.raises(ValueError, match="square"):
        layer(torch.zeros(3, 2), torch.zeros(3, 2))
    with pytest.raises(ValueError, match="positive integer"):
        GCNLayer(0, 2)
    with pytest.raises(ValueError, match="one row of features per node"):
        GCN(PATH3, torch.zeros(4, 2), hidden=2, n_classes=2)
    model = GCN(PATH3, torch.eye(3, dtype=torch.float64), hidden=2, n_classes=2)
    with pytest.raises(ValueError, match="whole numbers from 0 to 2"):
        model(torch.tensor([3]))
    with pytest.raises(ValueError, match="whole numbers"):
        model(torch.tensor([0.5]))
    with pytest.raises(ValueError, match="1-D"):
        model(torch.zeros(2, 2))
