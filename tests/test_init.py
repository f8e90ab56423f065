"""nnlib.init: the formulas of torch.nn.init, checked through the statistics of samples."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nnlib.init import he_normal, he_uniform, xavier_normal, xavier_uniform, zeros

torch = pytest.importorskip("torch")
N_IN, N_OUT = 600, 400


def torch_sample(fn, **kwargs):
    """torch's initialiser applied to an nn.Linear-shaped (n_out, n_in) weight, transposed."""
    torch.manual_seed(0)
    w = torch.empty(N_OUT, N_IN, dtype=torch.float64)
    fn(w, **kwargs)
    return w.numpy().T


CASES = [
    ("xavier_uniform", xavier_uniform, {}, torch.nn.init.xavier_uniform_, {}),
    ("xavier_uniform_gain", xavier_uniform, {"gain": 5 / 3}, torch.nn.init.xavier_uniform_,
     {"gain": 5 / 3}),
    ("xavier_normal", xavier_normal, {}, torch.nn.init.xavier_normal_, {}),
    ("xavier_normal_gain", xavier_normal, {"gain": 2.0}, torch.nn.init.xavier_normal_,
     {"gain": 2.0}),
    ("he_uniform", he_uniform, {}, torch.nn.init.kaiming_uniform_, {"nonlinearity": "relu"}),
    ("he_uniform_fan_out", he_uniform, {"mode": "fan_out"}, torch.nn.init.kaiming_uniform_,
     {"nonlinearity": "relu", "mode": "fan_out"}),
    ("he_uniform_leaky", he_uniform, {"negative_slope": 0.2}, torch.nn.init.kaiming_uniform_,
     {"a": 0.2, "nonlinearity": "leaky_relu"}),
    ("he_normal", he_normal, {}, torch.nn.init.kaiming_normal_, {"nonlinearity": "relu"}),
    ("he_normal_fan_out", he_normal, {"mode": "fan_out"}, torch.nn.init.kaiming_normal_,
     {"nonlinearity": "relu", "mode": "fan_out"}),
]  # fmt: skip

THEORY_STD = {
    "xavier_uniform": math.sqrt(2 / (N_IN + N_OUT)),
    "xavier_uniform_gain": 5 / 3 * math.sqrt(2 / (N_IN + N_OUT)),
    "xavier_normal": math.sqrt(2 / (N_IN + N_OUT)),
    "xavier_normal_gain": 2 * math.sqrt(2 / (N_IN + N_OUT)),
    "he_uniform": math.sqrt(2 / N_IN),
    "he_uniform_fan_out": math.sqrt(2 / N_OUT),
    "he_uniform_leaky": math.sqrt(2 / (1 + 0.04) / N_IN),
    "he_normal": math.sqrt(2 / N_IN),
    "he_normal_fan_out": math.sqrt(2 / N_OUT),
}


@pytest.mark.parametrize("name,ours,kw,theirs,tkw", CASES, ids=[c[0] for c in CASES])
def test_statistics_match_theory_and_torch(name, ours, kw, theirs, tkw):
    w = ours(N_IN, N_OUT, rng=0, **kw)
    ref = torch_sample(theirs, **tkw)
    assert w.shape == (N_IN, N_OUT) and w.dtype == np.float64
    # 240,000 samples: the sample std is within 1% of the true std with overwhelming odds
    assert w.std() == pytest.approx(THEORY_STD[name], rel=0.01)
    assert w.std() == pytest.approx(ref.std(), rel=0.015)
    assert abs(w.mean()) < 0.01 * THEORY_STD[name]
    if "uniform" in name:  # the same bound as torch: the largest |w| is just below it
        bound = math.sqrt(3) * THEORY_STD[name]
        assert np.abs(w).max() <= bound
        assert np.abs(w).max() == pytest.approx(bound, rel=1e-3)
        assert np.abs(ref).max() == pytest.approx(bound, rel=1e-3)
    else:  # normal: about 4.6% of the samples lie beyond 2 std
        assert (np.abs(w) > 2 * THEORY_STD[name]).mean() == pytest.approx(0.0455, abs=0.003)


def test_seeding():
    np.testing.assert_array_equal(he_normal(5, 3, rng=1), he_normal(5, 3, rng=1))
    gen = np.random.default_rng(1)
    np.testing.assert_array_equal(he_normal(5, 3, rng=gen), he_normal(5, 3, rng=1))
    assert not np.array_equal(xavier_uniform(5, 3, rng=1), xavier_uniform(5, 3, rng=2))
    assert xavier_normal(4, 4).shape == (4, 4)  # rng=None: fresh randomness


def test_zeros():
    assert zeros(3, 2).shape == (3, 2) and not zeros(3, 2).any()
    assert zeros(4).shape == (4,)
    assert zeros(2, 2, rng=0).sum() == 0


@pytest.mark.parametrize(
    "call,error,msg",
    [
        (lambda: he_uniform(0, 3), ValueError, r"n_in must be a positive int; got 0"),
        (lambda: xavier_normal(3, 2.0), TypeError, r"n_out must be a positive int; got float"),
        (lambda: he_normal(3, 3, mode="in"), ValueError, r"mode must be 'fan_in' or 'fan_out'"),
        (lambda: he_uniform(3, 3, negative_slope=-1), ValueError, r"negative_slope must be >= 0"),
        (lambda: xavier_uniform(3, 3, gain=0), ValueError, r"gain must be > 0; got 0"),
        (lambda: xavier_uniform(3, 3, rng=1.5), TypeError, r"rng must be None, an int seed"),
    ],
)
def test_bad_arguments(call, error, msg):
    with pytest.raises(error, match=msg):
        call()
