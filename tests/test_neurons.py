"""Tests of nnlib.neurons: threshold units, Hebbian learning, the perceptron."""

from __future__ import annotations

import numpy as np
import pytest

from nnlib.data import logic_gate, xor
from nnlib.neurons import (
    AND,
    NOT,
    OR,
    HebbianMemory,
    McCullochPittsUnit,
    Perceptron,
    ThresholdNetwork,
    and_unit,
    binary_inputs,
    corrupt,
    find_threshold_units,
    hebbian_update,
    mistake_bound,
    not_unit,
    oja_update,
    or_unit,
    train_hebbian,
    xor_network,
)

# --- McCulloch-Pitts units ---------------------------------------------------------------------


@pytest.mark.parametrize(("unit", "gate"), [(AND, "and"), (OR, "or")])
def test_and_or_truth_tables(unit, gate):
    X, y = logic_gate(gate)
    np.testing.assert_array_equal(unit(X), y)
    assert [unit(x) for x in X] == y.tolist()


def test_not_truth_table():
    assert NOT([0]) == 1 and NOT([1]) == 0
    np.testing.assert_array_equal(NOT([[0], [1]]), [1, 0])


def test_single_input_returns_a_python_int_and_batch_an_int_array():
    assert type(AND([1, 1])) is int
    out = AND(np.array([[1, 1], [0, 1]]))
    assert out.dtype == np.int64 and out.shape == (2,)


def test_boolean_inputs_are_accepted():
    assert AND(np.array([True, True])) == 1


def test_threshold_is_inclusive():
    unit = McCullochPittsUnit([1, 1], threshold=1)
    assert unit([1, 0]) == 1


def test_net_input():
    unit = McCullochPittsUnit([2, -1, 0.5], threshold=1)
    assert unit.net_input([1, 1, 1]) == pytest.approx(1.5)
    np.testing.assert_allclose(unit.net_input([[1, 0, 0], [0, 1, 1]]), [2.0, -0.5])


def test_absolute_inhibition_vetoes_firing():
    unit = McCullochPittsUnit([1, 1, 1], threshold=1, inhibitory=[2])
    assert unit([1, 1, 0]) == 1
    assert unit([1, 1, 1]) == 0
    assert unit.inhibitory == (2,)
    # NOT in the 1943 style: fire unless the inhibitory input is on
    not43 = McCullochPittsUnit([0], threshold=0, inhibitory=[0])
    assert [not43([0]), not43([1])] == [1, 0]


def test_weights_are_read_only_and_copied():
    w = np.array([1.0, 1.0])
    unit = McCullochPittsUnit(w, 2)
    w[0] = 5
    assert unit.weights[0] == 1
    with pytest.raises(ValueError):
        unit.weights[0] = 3


def test_repr_has_no_address():
    text = repr(McCullochPittsUnit([1, -1], 0.5, inhibitory=[1]))
    assert text == "McCullochPittsUnit(weights=[1, -1], threshold=0.5, inhibitory=[1])"


def test_factories():
    X3 = binary_inputs(3)
    np.testing.assert_array_equal(and_unit(3)(X3), X3.all(axis=1).astype(int))
    np.testing.assert_array_equal(or_unit(3)(X3), X3.any(axis=1).astype(int))
    assert not_unit().n_inputs == 1


def test_unit_rejects_empty_weights():
    with pytest.raises(ValueError, match="weights is empty"):
        McCullochPittsUnit([], 1)


def test_unit_rejects_2d_weights():
    with pytest.raises(ValueError, match="weights must be 1-D"):
        McCullochPittsUnit([[1, 1]], 1)


def test_unit_rejects_nan_weights():
    with pytest.raises(ValueError, match="weights must be finite"):
        McCullochPittsUnit([1, np.nan], 1)


def test_unit_rejects_non_numeric_weights():
    with pytest.raises(TypeError, match="weights must hold real numbers"):
        McCullochPittsUnit(["a", "b"], 1)


def test_unit_rejects_bad_threshold():
    with pytest.raises(TypeError, match="threshold must be a real number"):
        McCullochPittsUnit([1, 1], "2")
    with pytest.raises(ValueError, match="threshold must be finite"):
        McCullochPittsUnit([1, 1], np.inf)


def test_unit_rejects_bad_inhibitory():
    with pytest.raises(TypeError, match="inhibitory must be a sequence"):
        McCullochPittsUnit([1, 1], 1, inhibitory=1)
    with pytest.raises(TypeError, match="inhibitory must hold int indices"):
        McCullochPittsUnit([1, 1], 1, inhibitory=[0.5])
    with pytest.raises(ValueError, match="inhibitory index 2 is out of range"):
        McCullochPittsUnit([1, 1], 1, inhibitory=[2])


def test_unit_rejects_non_binary_input():
    with pytest.raises(ValueError, match="must be binary.*got the value 0.5"):
        AND([0.5, 1])


def test_unit_rejects_wrong_input_size():
    with pytest.raises(ValueError, match=r"must have 2 input\(s\) per sample.*got shape \(3,\)"):
        AND([1, 1, 1])


def test_unit_rejects_3d_input():
    with pytest.raises(ValueError, match="x must be 1-D or 2-D"):
        AND(np.zeros((1, 1, 2)))


# --- Networks of units and the XOR search ------------------------------------------------------


def test_xor_network():
    X, y = xor()
    net = xor_network()
    np.testing.assert_array_equal(net(X), y)
    assert [net(x) for x in X] == [0, 1, 1, 0]
    assert repr(net) == "ThresholdNetwork(sizes=[2, 2, 1])"


def test_network_with_several_outputs():
    net = ThresholdNetwork([[AND, OR]])
    np.testing.assert_array_equal(net([1, 0]), [0, 1])
    assert net(binary_inputs(2)).shape == (4, 2)


def test_network_accepts_a_bare_unit_as_a_layer():
    net = ThresholdNetwork([[AND, OR], McCullochPittsUnit([-1, 1], 1)])  # OR and not AND
    np.testing.assert_array_equal(net(binary_inputs(2)), [0, 1, 1, 0])


def test_network_errors():
    with pytest.raises(TypeError, match="layers must be a list"):
        ThresholdNetwork(AND)
    with pytest.raises(ValueError, match="layers is empty"):
        ThresholdNetwork([])
    with pytest.raises(ValueError, match="layer 0 is empty"):
        ThresholdNetwork([[]])
    with pytest.raises(TypeError, match="layer 0 must hold McCullochPittsUnit"):
        ThresholdNetwork([[lambda x: x]])
    with pytest.raises(ValueError, match="units of layer 0 must read the same inputs"):
        ThresholdNetwork([[AND, NOT]])
    with pytest.raises(ValueError, match="layer 1 reads the 2 outputs of layer 0"):
        ThresholdNetwork([[AND, OR], [and_unit(3)]])


def test_binary_inputs():
    X = binary_inputs(2)
    np.testing.assert_array_equal(X, logic_gate("and")[0])
    assert binary_inputs(4).shape == (16, 4)
    with pytest.raises(TypeError, match="n_inputs must be an int"):
        binary_inputs(2.0)
    with pytest.raises(ValueError, match="n_inputs must be at least 1"):
        binary_inputs(0)
    with pytest.raises(ValueError, match="use at most 20"):
        binary_inputs(21)


@pytest.mark.parametrize("gate", ["and", "or", "nand", "nor"])
def test_search_finds_units_for_linearly_separable_gates(gate):
    X, y = logic_gate(gate)
    found = find_threshold_units(X, y)
    assert found
    for w, theta in found[:20]:
        np.testing.assert_array_equal(McCullochPittsUnit(w, theta)(X), y)


@pytest.mark.parametrize("gate", ["xor", "xnor"])
def test_search_finds_no_single_unit_for_xor(gate):
    X, y = logic_gate(gate)
    assert find_threshold_units(X, y, np.linspace(-3, 3, 61)) == []


def test_search_errors():
    X, y = logic_gate("and")
    with pytest.raises(ValueError, match="y must have shape"):
        find_threshold_units(X, y[:3])
    with pytest.raises(ValueError, match="y must hold 0 or 1"):
        find_threshold_units(X, y * 2)
    with pytest.raises(ValueError, match="X must be binary"):
        find_threshold_units(X + 0.5, y)
    with pytest.raises(ValueError, match="X is empty"):
        find_threshold_units(np.zeros((0, 2)), [])
    with pytest.raises(ValueError, match="values is empty"):
        find_threshold_units(X, y, [])
    with pytest.raises(ValueError, match="use a coarser grid"):
        find_threshold_units(X, y, np.linspace(-1, 1, 200))


# --- Hebbian learning ---------------------------------------------------------------------------


def test_hebbian_update_matrix():
    W = np.zeros((2, 3))
    new = hebbian_update(W, [1.0, 0.0, -1.0], [2.0, 1.0], lr=0.5)
    np.testing.assert_allclose(new, [[1.0, 0.0, -1.0], [0.5, 0.0, -0.5]])
    assert not W.any()  # not modified


def test_hebbian_update_single_unit():
    new = hebbian_update([0.0, 1.0], [1.0, 1.0], 2.0, lr=0.1)
    np.testing.assert_allclose(new, [0.2, 1.2])


def test_hebbian_update_errors():
    with pytest.raises(ValueError, match="W has 3 input column"):
        hebbian_update(np.zeros((2, 3)), [1.0, 1.0], [1.0, 1.0])
    with pytest.raises(ValueError, match="y must have one value per output unit"):
        hebbian_update(np.zeros((2, 3)), [1.0, 1.0, 1.0], [1.0])
    with pytest.raises(ValueError, match="lr must be > 0"):
        hebbian_update(np.zeros(2), [1.0, 1.0], 1.0, lr=0)
    with pytest.raises(ValueError, match="x must be finite"):
        hebbian_update(np.zeros(2), [1.0, np.nan], 1.0)


def test_oja_update_single_unit_formula():
    w, x, lr = np.array([0.6, 0.8]), np.array([1.0, 2.0]), 0.1
    y = w @ x
    np.testing.assert_allclose(oja_update(w, x, lr), w + lr * y * (x - y * w))


def test_oja_update_matrix_reduces_to_single_unit():
    w, x = np.array([0.3, -0.2, 0.5]), np.array([1.0, 0.5, -1.0])
    np.testing.assert_allclose(oja_update(w[None, :], x, 0.05)[0], oja_update(w, x, 0.05))


def test_oja_update_errors():
    with pytest.raises(ValueError, match="oja_update: W has 2 input column"):
        oja_update(np.zeros(2), [1.0, 1.0, 1.0])
    with pytest.raises(TypeError, match="lr must be a real number"):
        oja_update(np.zeros(2), [1.0, 1.0], lr="fast")


def _correlated_cloud(n=200, seed=0):
    C = np.array([[2.0, 1.5], [1.5, 2.0]])
    return np.random.default_rng(seed).multivariate_normal([0.0, 0.0], C, size=n)


def test_plain_hebb_weights_grow_without_bound():
    run = train_hebbian(_correlated_cloud(), rule="hebb", lr=0.005, epochs=5, rng=0)
    assert run.norms.shape == (1 + 5 * 200,)
    assert run.norms[-1] > 1000 * run.norms[0]
    assert np.all(np.diff(run.norms[-200:]) > -1e-9 * run.norms[-200:-1])  # never shrinks much


def test_oja_weights_stay_bounded_and_find_the_first_principal_component():
    X = _correlated_cloud()
    run = train_hebbian(X, rule="oja", lr=0.005, epochs=5, rng=0)
    assert run.norms.max() < 1.2
    assert abs(run.norms[-1] - 1.0) < 0.05
    pc1 = np.linalg.eigh(np.cov(X.T))[1][:, -1]
    assert abs(run.weights @ pc1) / np.linalg.norm(run.weights) > 0.99


def test_train_hebbian_is_reproducible_and_takes_w0():
    X = _correlated_cloud(20)
    a = train_hebbian(X, rule="oja", rng=3)
    b = train_hebbian(X, rule="oja", rng=3)
    np.testing.assert_array_equal(a.weights, b.weights)
    c = train_hebbian(X, rule="hebb", w0=[1.0, 0.0], epochs=1)
    assert c.norms[0] == 1.0 and c.rule == "hebb"


def test_train_hebbian_errors():
    X = _correlated_cloud(10)
    with pytest.raises(ValueError, match="rule must be 'hebb' or 'oja'"):
        train_hebbian(X, rule="sanger")
    with pytest.raises(ValueError, match="X is empty"):
        train_hebbian(np.zeros((0, 2)))
    with pytest.raises(ValueError, match="X must be 2-D"):
        train_hebbian(np.zeros(4))
    with pytest.raises(ValueError, match="X must be finite"):
        train_hebbian(np.array([[1.0, np.inf]]))
    with pytest.raises(ValueError, match="epochs must be at least 1"):
        train_hebbian(X, epochs=0)
    with pytest.raises(ValueError, match=r"w0 must have shape \(2,\)"):
        train_hebbian(X, w0=[1.0, 0.0, 0.0])
    with pytest.raises(TypeError, match="rng must be None, an int seed"):
        train_hebbian(X, rng="seed")


def test_memory_recalls_stored_patterns_from_noisy_cues():
    rng = np.random.default_rng(0)
    patterns = rng.choice([-1.0, 1.0], size=(3, 64))
    memory = HebbianMemory(64).store(patterns)
    assert memory.n_stored == 3
    assert np.all(np.diag(memory.W) == 0)
    np.testing.assert_allclose(memory.W, memory.W.T)
    for k, p in enumerate(patterns):
        cue = corrupt(p, 10, rng=k)
        assert np.sum(cue != p) == 10
        np.testing.assert_array_equal(memory.recall(cue), p)


def test_memory_weights_grow_with_repeated_storage():
    p = np.array([1.0, -1.0, 1.0, 1.0])
    memory = HebbianMemory(4)
    norms = []
    for _ in range(5):
        memory.store(p)
        norms.append(np.linalg.norm(memory.W))
    np.testing.assert_allclose(norms, norms[0] * np.arange(1, 6))
    assert repr(memory) == "HebbianMemory(n_units=4, n_stored=5)"


def test_memory_errors():
    with pytest.raises(ValueError, match="n_units must be at least 2"):
        HebbianMemory(1)
    memory = HebbianMemory(4)
    with pytest.raises(ValueError, match="patterns must hold only -1 and \\+1"):
        memory.store([1, 0, 1, 0])
    with pytest.raises(ValueError, match="patterns must have 4 values per pattern"):
        memory.store([1, -1, 1])
    with pytest.raises(ValueError, match=r"cue must be one pattern of shape \(4,\)"):
        memory.recall(np.ones((2, 4)))
    with pytest.raises(TypeError, match="max_steps must be an int"):
        memory.recall(np.ones(4), max_steps=2.5)


def test_corrupt_errors_and_purity():
    p = np.ones(5)
    out = corrupt(p, 2, rng=1)
    assert p.sum() == 5 and out.sum() == 1
    with pytest.raises(ValueError, match="n_flips=6 is more than the 5 entries"):
        corrupt(p, 6)
    with pytest.raises(ValueError, match="n_flips must be at least 0"):
        corrupt(p, -1)
    with pytest.raises(ValueError, match="pattern must be 1-D"):
        corrupt(np.ones((2, 2)), 1)


# --- The perceptron -----------------------------------------------------------------------------


def _separable(n=60, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, size=(4 * n, 2))
    score = X @ np.array([1.0, -2.0]) + 0.3
    keep = np.abs(score) > 0.2
    return X[keep][:n], (score[keep][:n] > 0).astype(np.int64)


def test_perceptron_converges_on_separable_data():
    X, y = _separable()
    p = Perceptron().fit(X, y, max_epochs=1000)
    assert p.converged_
    assert p.score(X, y) == 1.0
    assert 0 < p.n_updates_ <= mistake_bound(X, y, [1.0, -2.0], 0.3)
    assert p.errors_per_epoch_[-1] == 0
    assert p.epochs_ == len(p.errors_per_epoch_)
    assert sum(p.errors_per_epoch_) == p.n_updates_


def test_perceptron_history_records_every_update():
    X, y = logic_gate("and")
    p = Perceptron().fit(X, y)
    assert len(p.history_) == p.n_updates_ + 1
    w0, b0 = p.history_[0]
    assert not w0.any() and b0 == 0.0
    w_last, b_last = p.history_[-1]
    np.testing.assert_array_equal(w_last, p.coef_)
    assert b_last == p.intercept_


def test_perceptron_never_converges_on_xor():
    X, y = xor()
    p = Perceptron().fit(X, y, max_epochs=500)
    assert not p.converged_
    assert p.epochs_ == 500
    assert min(p.errors_per_epoch_) > 0
    assert p.score(X, y) < 1.0
    for w, b in p.history_:  # no weight vector it ever visits classifies XOR
        assert np.mean((X @ w + b >= 0).astype(int) == y) <= 0.75


def test_perceptron_with_shuffling_is_reproducible():
    X, y = _separable(seed=1)
    a = Perceptron(rng=0).fit(X, y, max_epochs=1000)
    b = Perceptron(rng=0).fit(X, y, max_epochs=1000)
    assert a.converged_ and a.n_updates_ == b.n_updates_
    np.testing.assert_array_equal(a.coef_, b.coef_)


def test_learning_rate_only_rescales_from_zero():
    X, y = _separable(seed=2)
    a = Perceptron(lr=1.0).fit(X, y, max_epochs=1000)
    b = Perceptron(lr=0.1).fit(X, y, max_epochs=1000)
    assert a.n_updates_ == b.n_updates_
    np.testing.assert_allclose(b.coef_, 0.1 * a.coef_)


def test_predict_and_decision_function():
    p = Perceptron().fit(*logic_gate("or"))
    X = np.array([[0.0, 0.0], [1.0, 1.0]])
    np.testing.assert_allclose(p.decision_function(X), X @ p.coef_ + p.intercept_)
    assert p.predict(X).dtype == np.int64
    np.testing.assert_array_equal(p.predict(X), [0, 1])
    assert repr(p) == "Perceptron(lr=1, converged_=True)"


def test_perceptron_boundary_point_is_class_one():
    p = Perceptron()
    p.coef_, p.intercept_ = np.array([1.0, 1.0]), -1.0
    np.testing.assert_array_equal(p.predict([[0.5, 0.5], [0.0, 0.0]]), [1, 0])


def test_perceptron_rejects_bad_lr_and_rng():
    with pytest.raises(ValueError, match="lr must be > 0"):
        Perceptron(lr=-1)
    with pytest.raises(TypeError, match="rng must be None, an int seed"):
        Perceptron(rng="zero")


def test_fit_rejects_1d_X():
    with pytest.raises(ValueError, match="X must be 2-D"):
        Perceptron().fit([0.0, 1.0], [0, 1])


def test_fit_rejects_empty_X():
    with pytest.raises(ValueError, match="X is empty"):
        Perceptron().fit(np.zeros((0, 2)), np.zeros(0, dtype=int))


def test_fit_rejects_nan():
    with pytest.raises(ValueError, match="X must be finite"):
        Perceptron().fit([[0.0, np.nan]], [1])


def test_fit_rejects_float_labels():
    with pytest.raises(TypeError, match="y must hold integer labels 0 and 1; got dtype float64"):
        Perceptron().fit([[0.0, 1.0]], [1.0])


def test_fit_rejects_wrong_number_of_labels():
    with pytest.raises(ValueError, match=r"y must have shape \(2,\)"):
        Perceptron().fit([[0.0], [1.0]], [1])


def test_fit_rejects_plus_minus_one_labels_with_a_hint():
    with pytest.raises(ValueError, match=r"labels 0 and 1; got \[-1, 1\] \(for -1/\+1"):
        Perceptron().fit([[0.0], [1.0]], [-1, 1])


def test_fit_rejects_bad_max_epochs():
    with pytest.raises(ValueError, match="max_epochs must be at least 1"):
        Perceptron().fit([[0.0]], [1], max_epochs=0)
    with pytest.raises(TypeError, match="max_epochs must be an int"):
        Perceptron().fit([[0.0]], [1], max_epochs=10.0)


def test_predict_before_fit():
    with pytest.raises(RuntimeError, match="call fit"):
        Perceptron().predict([[0.0, 1.0]])


def test_predict_with_wrong_number_of_features():
    p = Perceptron().fit(*logic_gate("and"))
    with pytest.raises(ValueError, match=r"X has 3 feature\(s\).*fitted on 2"):
        p.predict([[0.0, 1.0, 1.0]])


def test_mistake_bound_value_and_errors():
    X = np.array([[1.0, 0.0], [-1.0, 0.0]])
    y = np.array([1, 0])
    # u = (1, 0, 0): margin 1; R = sqrt(2) with the appended 1
    assert mistake_bound(X, y, [1.0, 0.0], 0.0) == pytest.approx(2.0)
    with pytest.raises(ValueError, match="does not separate the data"):
        mistake_bound(X, y, [-1.0, 0.0], 0.0)
    with pytest.raises(ValueError, match="all zero"):
        mistake_bound(X, y, [0.0, 0.0], 0.0)
    with pytest.raises(ValueError, match=r"w must have shape \(2,\)"):
        mistake_bound(X, y, [1.0], 0.0)
