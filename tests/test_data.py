"""Tests of nnlib.data: generators, loaders, splits, encoding, scaling, mini-batches."""

from __future__ import annotations

import numpy as np
import pytest

from nnlib import data

GENERATORS = {
    "moons": lambda **kw: data.moons(n=201, **kw),
    "circles": lambda **kw: data.circles(n=201, **kw),
    "spirals": lambda **kw: data.spirals(n=301, n_classes=3, **kw),
    "blobs": lambda **kw: data.blobs(n=200, centers=4, **kw),
}


# ----- logic gates ---------------------------------------------------------------------------

TRUTH = {
    "and": [0, 0, 0, 1],
    "or": [0, 1, 1, 1],
    "nand": [1, 1, 1, 0],
    "nor": [1, 0, 0, 0],
    "xor": [0, 1, 1, 0],
    "xnor": [1, 0, 0, 1],
}


@pytest.mark.parametrize("name", sorted(TRUTH))
def test_logic_gate_truth_tables(name):
    X, y = data.logic_gate(name)
    assert X.shape == (4, 2) and X.dtype == np.float64
    assert y.shape == (4,) and y.dtype == np.int64
    assert X.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]]
    assert y.tolist() == TRUTH[name]
    a, b = X[:, 0].astype(bool), X[:, 1].astype(bool)
    expected = {
        "and": a & b,
        "or": a | b,
        "nand": ~(a & b),
        "nor": ~(a | b),
        "xor": a ^ b,
        "xnor": ~(a ^ b),
    }[name]
    assert np.array_equal(y, expected.astype(np.int64))


def test_logic_gate_is_case_insensitive_and_returns_copies():
    X1, y1 = data.logic_gate("AND")
    X1[0, 0] = 99
    y1[0] = 99
    X2, y2 = data.logic_gate("and")
    assert X2[0, 0] == 0 and y2[0] == 0


def test_xor_shortcut():
    X, y = data.xor()
    assert y.tolist() == [0, 1, 1, 0]
    assert np.array_equal(X, data.logic_gate("xor")[0])


def test_logic_gate_unknown_name_lists_valid_names():
    with pytest.raises(ValueError, match="unknown gate 'nxor'.*'and', 'or', 'nand'"):
        data.logic_gate("nxor")


def test_logic_gate_rejects_non_string():
    with pytest.raises(TypeError, match="name must be a string, got int"):
        data.logic_gate(1)


# ----- 2-D generators ------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_generator_shapes_and_dtypes(name):
    X, y = GENERATORS[name]()
    assert X.dtype == np.float64 and y.dtype == np.int64
    assert X.ndim == 2 and X.shape[1] == 2 and y.shape == (len(X),)
    assert np.all(np.isfinite(X))


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_generator_is_deterministic_by_seed(name):
    X1, y1 = GENERATORS[name](rng=3)
    X2, y2 = GENERATORS[name](rng=3)
    X3, _ = GENERATORS[name](rng=4)
    assert np.array_equal(X1, X2) and np.array_equal(y1, y2)
    assert not np.array_equal(X1, X3)
    X4, y4 = GENERATORS[name](rng=np.random.default_rng(3))
    assert X4.shape == X1.shape


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_generator_classes_are_balanced_and_shuffled(name):
    X, y = GENERATORS[name]()
    counts = np.bincount(y)
    assert counts.max() - counts.min() <= 1
    assert counts.sum() == len(X)
    # shuffled: the first block of rows holds more than one class
    assert len(np.unique(y[: len(y) // 4])) > 1


def test_moons_match_scikit_learn_statistics():
    sklearn = pytest.importorskip("sklearn.datasets")
    X, y = data.moons(n=2000, noise=0.0)
    Xs, ys = sklearn.make_moons(n_samples=2000, noise=0.0, random_state=0)
    for k in (0, 1):
        np.testing.assert_allclose(X[y == k].mean(0), Xs[ys == k].mean(0), atol=1e-9)
        np.testing.assert_allclose(X[y == k].std(0), Xs[ys == k].std(0), atol=1e-9)
    Xn, _ = data.moons(n=2000, noise=0.1)
    Xsn, _ = sklearn.make_moons(n_samples=2000, noise=0.1, random_state=0)
    np.testing.assert_allclose(Xn.std(0), Xsn.std(0), atol=0.03)


def test_circles_radii_and_scikit_learn_statistics():
    sklearn = pytest.importorskip("sklearn.datasets")
    X, y = data.circles(n=400, noise=0.0, factor=0.3)
    r = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_allclose(r[y == 0], 1.0)
    np.testing.assert_allclose(r[y == 1], 0.3)
    Xs, ys = sklearn.make_circles(n_samples=400, noise=0.0, factor=0.3, random_state=0)
    for k in (0, 1):
        np.testing.assert_allclose(X[y == k].std(0), Xs[ys == k].std(0), atol=1e-9)


def test_spirals_labels_and_radius():
    X, y = data.spirals(n=300, n_classes=3, noise=0.0)
    assert set(np.unique(y)) == {0, 1, 2}
    r = np.hypot(X[:, 0], X[:, 1])
    assert r.min() >= 0.05 - 1e-12 and r.max() <= 1.0 + 1e-12


def test_blobs_with_given_centres():
    centres = np.array([[0.0, 0.0, 0.0], [10.0, 10.0, 10.0]])
    X, y = data.blobs(n=1000, centers=centres, std=0.5)
    assert X.shape == (1000, 3)
    for k in (0, 1):
        np.testing.assert_allclose(X[y == k].mean(0), centres[k], atol=0.1)
        np.testing.assert_allclose(X[y == k].std(0), 0.5, atol=0.05)


def test_blobs_random_centres_inside_box():
    X, y = data.blobs(n=300, centers=3, std=0.0, n_features=5, box=(-1, 1))
    assert X.shape == (300, 5)
    assert np.all(np.abs(X) <= 1)
    assert len(np.unique(X, axis=0)) == 3


def test_negative_n_message():
    with pytest.raises(ValueError, match=r"moons: n must be at least 2, got -5"):
        data.moons(n=-5)


def test_non_integer_n_message():
    with pytest.raises(TypeError, match=r"circles: n must be an integer, got float"):
        data.circles(n=10.5)


def test_negative_noise_message():
    with pytest.raises(ValueError, match=r"spirals: noise must be >= 0; got -0.1"):
        data.spirals(noise=-0.1)


def test_circles_factor_message():
    with pytest.raises(ValueError, match=r"factor must be between 0 and 1"):
        data.circles(factor=1.5)


def test_spirals_too_few_points_message():
    with pytest.raises(ValueError, match=r"spirals: n must be at least 4, got 3"):
        data.spirals(n=3, n_classes=4)


def test_blobs_bad_centres_message():
    with pytest.raises(ValueError, match=r"centers must be a number of blobs or an array"):
        data.blobs(centers=np.zeros(3))


def test_blobs_bad_box_message():
    with pytest.raises(ValueError, match=r"box must be \(low, high\) with low < high"):
        data.blobs(box=(1, -1))


def test_bad_rng_message():
    with pytest.raises(TypeError, match=r"rng must be None, an int seed"):
        data.moons(rng="seed")


# ----- sequences -----------------------------------------------------------------------------


def test_sine_wave_values_and_noise():
    s = data.sine_wave(n_steps=100, period=20, amplitude=2.0)
    assert s.shape == (100,) and s.dtype == np.float64
    np.testing.assert_allclose(s[5], 2.0)  # a quarter period
    np.testing.assert_allclose(s[:20], s[20:40], atol=1e-12)
    noisy = data.sine_wave(n_steps=100, period=20, amplitude=2.0, noise=0.1, rng=1)
    assert np.array_equal(noisy, data.sine_wave(100, 20, 2.0, noise=0.1, rng=1))
    assert 0.05 < np.std(noisy - s) < 0.15


def test_sine_wave_bad_period_message():
    with pytest.raises(ValueError, match="period must be a positive number of steps"):
        data.sine_wave(period=0)


def test_sequence_windows_next_value():
    s = np.arange(10.0)
    X, y = data.sequence_windows(s, window=3)
    assert X.shape == (7, 3) and y.shape == (7,)
    assert X[0].tolist() == [0, 1, 2] and y[0] == 3
    assert X[-1].tolist() == [6, 7, 8] and y[-1] == 9
    X2, y2 = data.sequence_windows(s, window=3, horizon=2)
    assert X2.shape == (6, 3) and y2[0] == 4


def test_sequence_windows_multivariate():
    s = np.arange(20.0).reshape(10, 2)
    X, y = data.sequence_windows(s, window=4)
    assert X.shape == (6, 4, 2) and y.shape == (6, 2)
    assert np.array_equal(y[0], s[4])


def test_sequence_windows_too_short_message():
    with pytest.raises(ValueError, match=r"a series of 3 steps is too short.*at least 5 steps"):
        data.sequence_windows(np.arange(3.0), window=4)


def test_sequence_windows_nan_message():
    with pytest.raises(ValueError, match=r"series must be finite"):
        data.sequence_windows([0.0, np.nan, 1.0, 2.0], window=2)


# ----- shipped datasets ----------------------------------------------------------------------


def test_load_digits():
    pytest.importorskip("sklearn")
    X, y = data.load_digits()
    assert X.shape == (1797, 64) and X.dtype == np.float64
    assert y.shape == (1797,) and y.dtype == np.int64
    assert X.min() == 0.0 and X.max() == 1.0
    assert set(np.unique(y)) == set(range(10))
    images, _ = data.load_digits(flatten=False, scale=False)
    assert images.shape == (1797, 8, 8) and images.max() == 16.0
    np.testing.assert_array_equal(images.reshape(1797, -1) / 16.0, X)


def test_load_breast_cancer_and_iris():
    pytest.importorskip("sklearn")
    X, y = data.load_breast_cancer()
    assert X.shape == (569, 30) and y.dtype == np.int64
    assert np.bincount(y).tolist() == [212, 357]
    X, y = data.load_iris()
    assert X.shape == (150, 4) and np.bincount(y).tolist() == [50, 50, 50]


def test_loader_without_scikit_learn_says_how_to_install(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name == "sklearn" or name.startswith("sklearn."):
            raise ImportError("No module named 'sklearn'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    with pytest.raises(ImportError, match=r"pip install scikit-learn.*nnlib\[data\]"):
        data.load_iris()


# ----- splits --------------------------------------------------------------------------------


def test_split_sizes_disjoint_and_complete():
    X = np.arange(1000.0).reshape(500, 2)
    y = np.repeat(np.arange(5), 100)
    split = data.train_val_test_split(X, y, val=0.2, test=0.1, rng=0)
    X_tr, y_tr, X_va, y_va, X_te, y_te = split
    assert (len(X_tr), len(X_va), len(X_te)) == (350, 100, 50)
    ids = [set(part[:, 0].tolist()) for part in (X_tr, X_va, X_te)]
    assert not (ids[0] & ids[1]) and not (ids[0] & ids[2]) and not (ids[1] & ids[2])
    assert set().union(*ids) == set(X[:, 0].tolist())
    for Xp, yp in ((X_tr, y_tr), (X_va, y_va), (X_te, y_te)):
        np.testing.assert_array_equal(yp, Xp[:, 0] // 200)  # rows kept with their labels
    assert split.X_val is X_va or np.array_equal(split.X_val, X_va)


def test_split_is_stratified():
    X, y = data.blobs(n=1000, centers=[[0, 0], [5, 5], [9, 9], [12, 0]], rng=0)
    y = np.where(np.arange(1000) < 100, 0, y)  # unbalanced: class 0 is bigger
    props = np.bincount(y) / len(y)
    split = data.train_val_test_split(X, y, val=0.15, test=0.15, rng=1)
    for part in (split.y_train, split.y_val, split.y_test):
        np.testing.assert_allclose(np.bincount(part, minlength=4) / len(part), props, atol=0.01)


def test_split_is_deterministic_and_seeded():
    X, y = data.moons(n=100)
    a = data.train_val_test_split(X, y, rng=5)
    b = data.train_val_test_split(X, y, rng=5)
    c = data.train_val_test_split(X, y, rng=6)
    assert all(np.array_equal(p, q) for p, q in zip(a, b, strict=True))
    assert not np.array_equal(a.X_train, c.X_train)


def test_split_without_shuffle_keeps_time_order():
    X = np.arange(100.0)[:, None]
    y = np.arange(100.0)
    split = data.train_val_test_split(X, y, val=0.1, test=0.2, shuffle=False)
    assert split.y_train.tolist() == list(range(70))
    assert split.y_val.tolist() == list(range(70, 80))
    assert split.y_test.tolist() == list(range(80, 100))


def test_split_float_targets_are_not_stratified():
    X = np.arange(50.0)[:, None]
    split = data.train_val_test_split(X, X[:, 0] * 0.5, val=0.2, test=0.2)
    assert len(split.y_train) == 30 and len(split.y_test) == 10


def test_split_mismatched_lengths_message():
    with pytest.raises(ValueError, match=r"same number of samples; got 3 and 2"):
        data.train_val_test_split(np.zeros((3, 2)), [0, 1])


def test_split_fractions_message():
    with pytest.raises(ValueError, match=r"val \+ test must be below 1"):
        data.train_val_test_split(np.zeros((10, 2)), np.zeros(10, int), val=0.5, test=0.5)
    with pytest.raises(ValueError, match=r"test must be in \[0, 1\), got 1.5"):
        data.train_val_test_split(np.zeros((10, 2)), np.zeros(10, int), test=1.5)


def test_split_empty_message():
    with pytest.raises(ValueError, match=r"y is empty"):
        data.train_val_test_split(np.zeros((0, 2)), np.zeros(0, int))


# ----- one-hot -------------------------------------------------------------------------------


def test_one_hot_round_trip():
    y = np.array([2, 0, 1, 2, 4])
    Y = data.one_hot(y)
    assert Y.shape == (5, 5) and Y.dtype == np.float64
    assert np.array_equal(Y.sum(axis=1), np.ones(5))
    assert np.array_equal(Y.argmax(axis=1), y)
    assert data.one_hot(y, n_classes=7).shape == (5, 7)


def test_one_hot_label_out_of_range_message():
    with pytest.raises(ValueError, match=r"labels in 0..2 \(3 classes\); got label 3"):
        data.one_hot([0, 3], n_classes=3)


def test_one_hot_negative_label_message():
    with pytest.raises(ValueError, match=r"labels must be >= 0, got label -1"):
        data.one_hot([0, -1])


def test_one_hot_float_labels_message():
    with pytest.raises(TypeError, match=r"integer class labels; got dtype float64"):
        data.one_hot([0.0, 1.0])


def test_one_hot_2d_message():
    with pytest.raises(ValueError, match=r"y must be a 1-D array of labels"):
        data.one_hot(np.zeros((2, 2), int))


# ----- Standardizer --------------------------------------------------------------------------


def test_standardizer_matches_scikit_learn():
    preprocessing = pytest.importorskip("sklearn.preprocessing")
    rng = np.random.default_rng(0)
    X = rng.normal(3.0, [1.0, 5.0, 0.1, 2.0], size=(50, 4))
    X[:, 2] = 7.0  # a constant column
    ours = data.Standardizer()
    theirs = preprocessing.StandardScaler()
    np.testing.assert_allclose(ours.fit_transform(X), theirs.fit_transform(X), atol=1e-12)
    np.testing.assert_allclose(ours.mean_, theirs.mean_)
    np.testing.assert_allclose(ours.scale_, theirs.scale_)
    X_new = rng.normal(size=(5, 4))
    np.testing.assert_allclose(ours.transform(X_new), theirs.transform(X_new), atol=1e-12)


def test_standardizer_zero_variance_and_inverse():
    X = np.array([[1.0, 5.0], [3.0, 5.0], [5.0, 5.0]])
    s = data.Standardizer()
    Z = s.fit_transform(X)
    assert np.all(np.isfinite(Z))
    np.testing.assert_allclose(Z[:, 1], 0.0)
    np.testing.assert_allclose(Z[:, 0].mean(), 0.0, atol=1e-12)
    np.testing.assert_allclose(Z[:, 0].std(), 1.0)
    np.testing.assert_allclose(s.inverse_transform(Z), X)


def test_standardizer_nan_message():
    with pytest.raises(ValueError, match=r"Standardizer.fit: X must be finite; got 1 NaN"):
        data.Standardizer().fit([[np.nan, 1.0], [2.0, 3.0]])


def test_standardizer_not_fitted_message():
    with pytest.raises(RuntimeError, match=r"call fit\(X_train\) first"):
        data.Standardizer().transform([[1.0]])


def test_standardizer_feature_mismatch_message():
    s = data.Standardizer().fit(np.zeros((3, 2)))
    with pytest.raises(ValueError, match=r"fitted on samples of shape \(2,\), got .*\(3,\)"):
        s.transform(np.zeros((3, 3)))


# ----- batches -------------------------------------------------------------------------------


def test_batches_cover_the_data_once():
    X = np.arange(20.0).reshape(10, 2)
    y = np.arange(10)
    chunks = list(data.batches(X, y, batch_size=4, rng=0))
    assert [len(b[1]) for b in chunks] == [4, 4, 2]
    seen = np.concatenate([b[1] for b in chunks])
    assert sorted(seen.tolist()) == list(range(10))
    assert seen.tolist() != list(range(10))  # shuffled
    for Xb, yb in chunks:
        np.testing.assert_array_equal(Xb[:, 0], 2 * yb)


def test_batches_without_shuffle_and_drop_last():
    X, y = np.zeros((10, 1)), np.arange(10)
    chunks = list(data.batches(X, y, batch_size=4, shuffle=False, drop_last=True))
    assert [b[1].tolist() for b in chunks] == [[0, 1, 2, 3], [4, 5, 6, 7]]


def test_batches_seeded():
    X, y = np.zeros((30, 1)), np.arange(30)
    first = [b[1].tolist() for b in data.batches(X, y, 8, rng=3)]
    again = [b[1].tolist() for b in data.batches(X, y, 8, rng=3)]
    assert first == again


def test_batches_bad_batch_size_message():
    with pytest.raises(ValueError, match=r"batch_size must be at least 1, got 0"):
        next(data.batches(np.zeros((3, 1)), np.zeros(3), batch_size=0))


def test_batches_mismatched_lengths_message():
    with pytest.raises(ValueError, match=r"same number of samples; got 3 and 4"):
        next(data.batches(np.zeros((3, 1)), np.zeros(4)))


def test_split_accepts_scikit_learn_style_names():
    X, y = data.moons(n=200, rng=0)
    a = data.train_val_test_split(X, y, val=0.2, test=0.1, rng=0)
    b = data.train_val_test_split(X, y, val_size=0.2, test_size=0.1, rng=0)
    for left, right in zip(a, b, strict=True):
        np.testing.assert_array_equal(left, right)
    with pytest.raises(TypeError, match=r"give test or test_size, not both"):
        data.train_val_test_split(X, y, test=0.2, test_size=0.1)
