"""Tests of nnlib.metrics against scikit-learn, on random labels."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnlib import metrics

skm = pytest.importorskip("sklearn.metrics")


@st.composite
def label_pairs(draw, max_classes=6):
    k = draw(st.integers(2, max_classes))
    n = draw(st.integers(1, 60))
    labels = st.lists(st.integers(0, k - 1), min_size=n, max_size=n)
    y_true = np.array(draw(labels), dtype=np.int64)
    y_pred = np.array(draw(labels), dtype=np.int64)
    return k, y_true, y_pred


@settings(max_examples=60, deadline=None)
@given(label_pairs())
def test_accuracy_and_confusion_matrix_match_sklearn(case):
    k, y_true, y_pred = case
    assert metrics.accuracy(y_true, y_pred) == pytest.approx(skm.accuracy_score(y_true, y_pred))
    ours = metrics.confusion_matrix(y_true, y_pred, n_classes=k)
    theirs = skm.confusion_matrix(y_true, y_pred, labels=np.arange(k))
    np.testing.assert_array_equal(ours, theirs)
    assert ours.dtype == np.int64


@settings(max_examples=60, deadline=None)
@given(label_pairs(), st.sampled_from(["macro", "micro"]))
def test_multiclass_precision_recall_f1_match_sklearn(case, average):
    _, y_true, y_pred = case
    theirs = skm.precision_recall_fscore_support(y_true, y_pred, average=average, zero_division=0)[
        :3
    ]
    ours = metrics.precision_recall_f1(y_true, y_pred, average=average)
    np.testing.assert_allclose(ours, theirs, atol=1e-12)
    assert metrics.precision(y_true, y_pred, average=average) == pytest.approx(theirs[0])
    assert metrics.recall(y_true, y_pred, average=average) == pytest.approx(theirs[1])
    assert metrics.f1_score(y_true, y_pred, average=average) == pytest.approx(theirs[2])


@settings(max_examples=40, deadline=None)
@given(label_pairs())
def test_per_class_scores_match_sklearn(case):
    k, y_true, y_pred = case
    labels = np.arange(k)
    theirs = skm.precision_recall_fscore_support(
        y_true, y_pred, average=None, labels=labels, zero_division=0
    )[:3]
    ours = metrics.precision_recall_f1(y_true, y_pred, average=None, n_classes=k)
    for a, b in zip(ours, theirs, strict=True):
        assert a.shape == (k,)
        np.testing.assert_allclose(a, b, atol=1e-12)


@settings(max_examples=60, deadline=None)
@given(label_pairs(max_classes=2), st.sampled_from([0, 1]))
def test_binary_precision_recall_f1_match_sklearn(case, positive):
    _, y_true, y_pred = case
    for ours_fn, theirs_fn in (
        (metrics.precision, skm.precision_score),
        (metrics.recall, skm.recall_score),
        (metrics.f1_score, skm.f1_score),
    ):
        theirs = theirs_fn(y_true, y_pred, pos_label=positive, labels=[0, 1], zero_division=0)
        assert ours_fn(y_true, y_pred, positive=positive) == pytest.approx(theirs, abs=1e-12)


def test_micro_average_equals_accuracy():
    rng = np.random.default_rng(0)
    y_true, y_pred = rng.integers(0, 5, 100), rng.integers(0, 5, 100)
    acc = metrics.accuracy(y_true, y_pred)
    assert metrics.precision_recall_f1(y_true, y_pred, "micro") == pytest.approx((acc,) * 3)


def test_worked_binary_example():
    y_true = [1, 1, 1, 0, 0, 0, 0, 0]
    y_pred = [1, 1, 0, 1, 0, 0, 0, 0]  # TP=2, FN=1, FP=1
    p, r, f = metrics.precision_recall_f1(y_true, y_pred)
    assert (p, r, f) == pytest.approx((2 / 3, 2 / 3, 2 / 3))
    assert metrics.confusion_matrix(y_true, y_pred).tolist() == [[4, 1], [1, 2]]


def test_accuracy_from_probabilities_logits_and_single_scores():
    y = np.array([0, 1, 2, 1])
    probs = np.array([[0.8, 0.1, 0.1], [0.2, 0.7, 0.1], [0.1, 0.1, 0.8], [0.6, 0.3, 0.1]])
    assert metrics.accuracy(y, probs) == 0.75
    assert metrics.accuracy(y, np.log(probs)) == 0.75  # logits: same argmax
    yb = np.array([0, 1, 1, 0])
    scores = np.array([[0.2], [0.9], [0.4], [0.1]])
    assert metrics.accuracy(yb, scores) == 0.75
    assert metrics.accuracy(yb, scores - 0.5, threshold=0.0) == 0.75


def test_zero_division_gives_zero():
    # class 1 never predicted: precision 0/0 -> 0
    assert metrics.precision([0, 1], [0, 0]) == 0.0
    assert metrics.recall([0, 0], [0, 0]) == 0.0


def test_mismatched_lengths_message():
    with pytest.raises(ValueError, match=r"y_true and y_pred must have the same number"):
        metrics.accuracy([0, 1, 1], [0, 1])


def test_float_labels_message():
    with pytest.raises(TypeError, match=r"y_true must hold integer class labels"):
        metrics.accuracy([0.0, 1.0], [0, 1])


def test_negative_labels_message():
    with pytest.raises(ValueError, match=r"y_pred must hold labels >= 0; got label -1"):
        metrics.accuracy([0, 1], [0, -1])


def test_empty_message():
    with pytest.raises(ValueError, match=r"y_true is empty"):
        metrics.accuracy(np.array([], int), np.array([], int))


def test_binary_average_on_multiclass_message():
    with pytest.raises(ValueError, match=r"average='binary' needs two classes.*'macro'"):
        metrics.precision([0, 1, 2], [0, 1, 2])


def test_bad_average_message():
    with pytest.raises(ValueError, match=r"average must be one of"):
        metrics.f1_score([0, 1], [0, 1], average="weighted")


def test_confusion_matrix_too_small_message():
    with pytest.raises(ValueError, match=r"labels must be in 0..1 for n_classes=2; got label 2"):
        metrics.confusion_matrix([0, 2], [0, 1], n_classes=2)


def test_bad_prediction_shape_message():
    with pytest.raises(ValueError, match=r"y_pred must be labels of shape \(n,\)"):
        metrics.accuracy([0], np.zeros((1, 2, 2)))


# --------------------------------------------------------------------------- regression


@pytest.mark.parametrize("shape", [(30,), (30, 1), (30, 3)])
def test_regression_metrics_match_scikit_learn(shape):
    skm = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(0)
    y = rng.normal(size=shape)
    p = y + 0.3 * rng.normal(size=shape)
    for ours, theirs in (
        (metrics.mean_squared_error, skm.mean_squared_error),
        (metrics.mean_absolute_error, skm.mean_absolute_error),
        (metrics.r2_score, skm.r2_score),
    ):
        assert ours(y, p) == pytest.approx(theirs(y, p), rel=1e-12)


def test_r2_edge_cases_match_scikit_learn():
    skm = pytest.importorskip("sklearn.metrics")
    y = np.array([1.0, 2.0, 3.0, 4.0])
    cases = [
        (y, y),  # perfect: 1
        (y, np.full(4, y.mean())),  # the mean: 0
        (y, -y),  # worse than the mean: negative
        (np.full(4, 2.0), np.full(4, 2.0)),  # constant target, exact: 1
        (np.full(4, 2.0), y),  # constant target, missed: 0
        (np.c_[y, np.full(4, 2.0)], np.c_[y + 0.5, y]),  # one column of each kind
    ]
    for t, p in cases:
        assert metrics.r2_score(t, p) == pytest.approx(skm.r2_score(t, p), abs=1e-12)
    assert metrics.r2_score(y, -y) < 0


def test_regression_column_and_flat_mix():
    y = np.array([1.0, 2.0, 3.0])
    assert metrics.mean_squared_error(y, y[:, None] + 1) == pytest.approx(1.0)


@pytest.mark.parametrize(
    "fn", [metrics.mean_squared_error, metrics.mean_absolute_error, metrics.r2_score]
)
def test_regression_bad_input_messages(fn):
    name = fn.__name__
    with pytest.raises(ValueError, match=rf"{name}: y_pred must be finite; got 1 NaN"):
        fn([1.0, 2.0], [1.0, np.nan])
    with pytest.raises(ValueError, match=rf"{name}: y_true and y_pred must have the same shape"):
        fn([1.0, 2.0, 3.0], [1.0, 2.0])
    with pytest.raises(ValueError, match=rf"{name}: y_true is empty"):
        fn([], [])
    with pytest.raises(TypeError, match=rf"{name}: y_true must hold real numbers"):
        fn(["a", "b"], [1.0, 2.0])


def test_r2_needs_two_samples():
    with pytest.raises(ValueError, match=r"r2_score needs at least two samples; got 1"):
        metrics.r2_score([1.0], [1.0])


# --------------------------------------------------------------------------- no silent NaN


def test_nan_scores_get_no_accuracy():
    scores = np.full((4, 3), np.nan)
    with pytest.raises(ValueError, match=r"y_pred \(scores\) must be finite; got 12 NaN"):
        metrics.accuracy([0, 1, 2, 0], scores)
    with pytest.raises(ValueError, match=r"y_pred \(scores\) must be finite; got 1 infinity"):
        metrics.precision([0, 1], np.array([[0.2], [np.inf]]))


def test_float_scores_of_shape_n_are_not_labels():
    with pytest.raises(ValueError, match=r"pass shape \(n, 1\) \(y_pred\[:, None\]\)"):
        metrics.accuracy([0, 1, 1], [0.2, 0.7, 0.9])
    with pytest.raises(TypeError, match=r"use y_pred.astype\(int\)"):
        metrics.accuracy([0, 1, 1], [0.0, 1.0, 1.0])


def test_pos_label_is_scikit_learns_name_for_positive():
    y, p = [0, 1, 1, 0, 1], [0, 1, 0, 0, 0]
    assert metrics.recall(y, p, pos_label=0) == metrics.recall(y, p, positive=0) == 1.0
    assert metrics.precision_recall_f1(y, p, pos_label=1) == metrics.precision_recall_f1(y, p)
    with pytest.raises(TypeError, match=r"give the positive class once"):
        metrics.f1_score(y, p, positive=0, pos_label=1)


def test_logits_with_the_probability_threshold_warn():
    logits = np.array([[-2.0], [0.3], [1.5]])
    with pytest.warns(UserWarning, match=r"look like logits, but threshold=0.5 .* threshold=0"):
        metrics.accuracy([0, 1, 1], logits)
    assert metrics.accuracy([0, 1, 1], logits, threshold=0) == 1.0
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        metrics.accuracy([0, 1, 1], np.array([[0.1], [0.6], [0.9]]))  # probabilities: quiet
