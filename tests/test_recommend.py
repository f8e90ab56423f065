"""nnlib.recommend (generated ratings, the bias baseline, RMSE) and
nnlib.torch.factorization (matrix factorisation)."""

from __future__ import annotations

import numpy as np
import pytest

from nnlib.recommend import fit_biases, rmse, synthetic_ratings


def test_synthetic_ratings_shapes_and_cells():
    d = synthetic_ratings(n_users=30, n_items=20, rank=4, density=0.25, rng=3)
    assert len(d.ratings) == 150 == len(d.users) == len(d.items)
    assert d.user_factors.shape == (30, 4) and d.item_factors.shape == (20, 4)
    assert d.expected.shape == (30, 20)
    assert len(set(zip(d.users.tolist(), d.items.tolist(), strict=True))) == 150  # distinct
    assert d.users.max() < 30 and d.items.max() < 20 and d.users.dtype == np.int64
    assert set(d.item_groups.tolist()) == {0, 1, 2, 3}


def test_synthetic_ratings_follow_the_model():
    d = synthetic_ratings(n_users=200, n_items=100, density=0.5, noise=0.3, rng=0)
    resid = d.ratings - d.expected[d.users, d.items]
    assert abs(resid.std() - 0.3) < 0.01 and abs(resid.mean()) < 0.01
    exact = synthetic_ratings(n_users=10, n_items=10, noise=0.0, density=1.0, rng=1)
    assert np.allclose(exact.ratings, exact.expected[exact.users, exact.items])
    # items of a group share the direction of their factor vectors
    assert np.mean(np.argmax(d.item_factors, axis=1) == d.item_groups) > 0.9


def test_synthetic_ratings_is_seeded():
    a, b = synthetic_ratings(rng=5), synthetic_ratings(rng=5)
    assert np.array_equal(a.ratings, b.ratings) and np.array_equal(a.users, b.users)
    assert not np.array_equal(a.ratings, synthetic_ratings(rng=6).ratings)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"n_users": 0},
        {"n_items": 2.5},
        {"rank": True},
        {"density": 0},
        {"density": 1.5},
        {"noise": -1},
    ],
)
def test_synthetic_ratings_bad_input(kwargs):
    with pytest.raises(ValueError):
        synthetic_ratings(**kwargs)


def test_fit_biases_recovers_biases_without_penalty():
    rng = np.random.default_rng(0)
    users, items = np.divmod(np.arange(40 * 30), 30)
    bu, bi = rng.normal(size=40), rng.normal(size=30)
    bu -= bu.mean()
    bi -= bi.mean()
    ratings = 3.0 + bu[users] + bi[items]
    mean, b_user, b_item = fit_biases(users, items, ratings, 40, 30, reg=0.0, n_iter=50)
    assert np.allclose(mean + b_user[users] + b_item[items], ratings, atol=1e-8)


def test_fit_biases_shrinks_and_handles_unrated():
    users, items = np.array([0, 0, 1]), np.array([0, 1, 0])
    ratings = np.array([5.0, 5.0, 1.0])
    mean, b_user, b_item = fit_biases(users, items, ratings, 3, 3, reg=100.0)
    assert abs(b_user).max() < 0.1 and b_user[2] == 0 and b_item[2] == 0
    assert mean == pytest.approx(11 / 3)


def test_fit_biases_bad_input():
    with pytest.raises(ValueError, match="same length"):
        fit_biases([0, 1], [0], [1.0, 2.0], 2, 2)
    with pytest.raises(ValueError, match="out of range"):
        fit_biases([0, 2], [0, 0], [1.0, 2.0], 2, 2)
    with pytest.raises(TypeError, match="integer"):
        fit_biases([0.0, 1.0], [0, 0], [1.0, 2.0], 2, 2)
    with pytest.raises(ValueError, match="NaN"):
        fit_biases([0, 1], [0, 0], [1.0, np.nan], 2, 2)
    with pytest.raises(ValueError, match="no ratings"):
        fit_biases([], [], [], 2, 2)
    with pytest.raises(ValueError, match="reg"):
        fit_biases([0], [0], [1.0], 2, 2, reg=-1)


def test_rmse():
    assert rmse([1.0, 2.0], [1.0, 4.0]) == pytest.approx(np.sqrt(2))
    with pytest.raises(ValueError, match="same shape"):
        rmse([1.0], [1.0, 2.0])
    with pytest.raises(ValueError, match="no values"):
        rmse([], [])


def test_matrix_factorization_matches_formula():
    torch = pytest.importorskip("torch")
    from nnlib.torch.factorization import MatrixFactorization

    torch.manual_seed(0)
    mf = MatrixFactorization(5, 4, dim=3, mean=2.5).double()
    with torch.no_grad():
        for table in (mf.user_bias, mf.item_bias):
            table.weight.normal_()
    pairs = torch.tensor([[0, 1], [4, 3], [2, 0], [2, 0]])
    out = mf(pairs)
    P, Q = mf.user.weight, mf.item.weight
    bu, bi = mf.user_bias.weight[:, 0], mf.item_bias.weight[:, 0]
    u, i = pairs[:, 0], pairs[:, 1]
    expected = 2.5 + bu[u] + bi[i] + (P[u] * Q[i]).sum(1)
    assert out.shape == (4,) and out.dtype == torch.float64
    assert torch.allclose(out, expected, atol=1e-12)
    # gradients: d out / d p_u = q_i; pair 2 and 3 are the same, so twice
    P.grad = None
    out.sum().backward()
    assert torch.allclose(P.grad[2], 2 * Q[0].detach(), atol=1e-12)
    assert torch.all(P.grad[3] == 0)


def test_matrix_factorization_bad_input():
    torch = pytest.importorskip("torch")
    from nnlib.torch.factorization import MatrixFactorization

    mf = MatrixFactorization(5, 4, dim=2)
    with pytest.raises(TypeError, match="integer"):
        mf(torch.tensor([[0.0, 1.0]]))
    with pytest.raises(TypeError, match="tensor"):
        mf([[0, 1]])
    with pytest.raises(ValueError, match=r"\(n, 2\)"):
        mf(torch.tensor([0, 1]))
    with pytest.raises(ValueError, match="user indices"):
        mf(torch.tensor([[5, 0]]))
    with pytest.raises(ValueError, match="item indices"):
        mf(torch.tensor([[0, -1]]))
    with pytest.raises(ValueError, match="dim"):
        MatrixFactorization(5, 4, dim=0)
