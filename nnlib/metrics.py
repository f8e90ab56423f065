"""Metrics: how often, and in which way, a classifier is wrong; how far a regression is off.

Taught in: Chapter 4, Learning (monitoring training, precision and recall).

The regression metrics, :func:`mean_squared_error`, :func:`mean_absolute_error` and
:func:`r2_score`, take real-valued targets and predictions of the same shape and follow
scikit-learn's definitions. Every classification function takes the true labels ``y_true``
(integers ``0 .. K-1``) and the predictions ``y_pred``, which may be

- labels, shape ``(n,)``;
- scores with one column per class (probabilities *or* logits), shape ``(n, K)`` with
  ``K >= 2``: the predicted label is the column with the largest score (``argmax``), which is
  the same for probabilities and for the logits they came from;
- one score per sample for a binary problem, shape ``(n, 1)``: the label is 1 where the
  score is above ``threshold`` (0.5 for probabilities; pass ``threshold=0`` for logits).

Everything is computed from the confusion matrix, the table that counts, for every pair of
classes ``(i, j)``, how many samples of true class ``i`` were predicted as class ``j``.
Scores must be finite: a NaN score (from a model whose weights diverged) is an error, not a
wrong answer to be counted. The class of interest of a binary score is ``positive``
(scikit-learn's ``pos_label`` is accepted as an alias).
"""

from __future__ import annotations

import warnings
from typing import NamedTuple

import numpy as np

from nnlib._validate import (
    as_float_array,
    check_finite,
    check_labels,
    check_not_empty,
    check_same_length,
)
from nnlib.data import _check_count

__all__ = [
    "PRF",
    "accuracy",
    "confusion_matrix",
    "f1_score",
    "mean_absolute_error",
    "mean_squared_error",
    "precision",
    "precision_recall_f1",
    "predicted_labels",
    "r2_score",
    "recall",
]

_AVERAGES = ("binary", "macro", "micro", None)


def predicted_labels(y_pred, threshold: float = 0.5) -> np.ndarray:
    """Turn predictions (labels, class scores or one binary score) into integer labels.

    Taught in: Chapter 4, Learning.

    Parameters
    ----------
    y_pred : array_like of shape (n,), (n, 1) or (n, K)
        Labels (an integer dtype), one score per sample, or one score per class.
    threshold : float, default 0.5
        For one score per sample: predict 1 where ``score > threshold``. Use 0.5 for
        probabilities and 0 for logits (scores outside ``[0, 1]`` with the default 0.5 are
        almost surely logits: that warns).

    Returns
    -------
    ndarray of shape (n,), int64
    """
    pred = np.asarray(y_pred)
    if pred.ndim == 2:
        scores = check_finite(as_float_array(pred, "y_pred"), "y_pred (scores)")
        if scores.shape[1] == 1:
            outside = (scores < 0) | (scores > 1)
            if threshold == 0.5 and outside.any():
                warnings.warn(
                    f"y_pred holds one score per sample, {int(outside.sum())} of them outside "
                    "[0, 1], so they look like logits, but threshold=0.5 is the threshold for "
                    "probabilities; for logits pass threshold=0",
                    UserWarning,
                    stacklevel=3,
                )
            return (scores[:, 0] > threshold).astype(np.int64)
        return scores.argmax(axis=1).astype(np.int64)
    if pred.ndim != 1:
        raise ValueError(
            "y_pred must be labels of shape (n,), or scores of shape (n, 1) or (n, K); "
            f"got shape {pred.shape}"
        )
    if pred.dtype.kind == "f" and pred.size:
        check_finite(pred, "y_pred")
        if np.array_equal(pred, np.rint(pred)):
            raise TypeError(
                f"y_pred must hold integer class labels (or scores of shape (n, 1) or (n, K)); "
                f"got dtype {pred.dtype} (use y_pred.astype(int) if the values are labels)"
            )
        raise ValueError(
            "y_pred of shape (n,) must hold class labels; got non-integer values such as "
            f"{pred[pred != np.rint(pred)][0]:g}. For one score per sample pass shape (n, 1) "
            "(y_pred[:, None]) with a threshold; for a regression use mean_squared_error or "
            "r2_score"
        )
    return check_labels(pred, name="y_pred").astype(np.int64)


def _labels_pair(y_true, y_pred, threshold: float) -> tuple[np.ndarray, np.ndarray]:
    true = check_labels(y_true, name="y_true")
    if true.ndim != 1:
        raise ValueError(f"y_true must be a 1-D array of labels; got shape {true.shape}")
    pred = predicted_labels(y_pred, threshold)
    check_same_length(true, pred, "y_true", "y_pred")
    check_not_empty(true, "y_true")
    for name, labels in (("y_true", true), ("y_pred", pred)):
        if labels.min() < 0:
            raise ValueError(f"{name} must hold labels >= 0; got label {labels.min()}")
    return true.astype(np.int64), pred


def accuracy(y_true, y_pred, threshold: float = 0.5) -> float:
    """Fraction of samples whose predicted label equals the true label.

    Taught in: Chapter 4, Learning.

    Parameters
    ----------
    y_true : array_like of shape (n,)
        True integer labels.
    y_pred : array_like of shape (n,), (n, 1) or (n, K)
        Predicted labels, or scores (argmaxed when there is one column per class,
        thresholded when there is a single column); see the module docstring.
    threshold : float, default 0.5
        Threshold for a single score column.

    Returns
    -------
    float
        In ``[0, 1]``.

    Examples
    --------
    >>> accuracy([0, 1, 1], [[0.9, 0.1], [0.2, 0.8], [0.7, 0.3]])
    0.6666666666666666
    """
    true, pred = _labels_pair(y_true, y_pred, threshold)
    return float(np.mean(true == pred))


def confusion_matrix(y_true, y_pred, n_classes: int | None = None, threshold: float = 0.5):
    """Count how often each true class is predicted as each class.

    Taught in: Chapter 4, Learning.

    Entry ``C[i, j]`` is the number of samples of true class ``i`` predicted as class ``j``
    (rows: truth, columns: prediction, as in scikit-learn). The diagonal holds the correct
    predictions; everything off the diagonal is a mistake of a particular kind.

    Parameters
    ----------
    y_true : array_like of shape (n,)
    y_pred : array_like of shape (n,), (n, 1) or (n, K)
        Labels or scores; see the module docstring.
    n_classes : int, optional
        Size of the matrix; defaults to one more than the largest label seen.
    threshold : float, default 0.5
        Threshold for a single score column.

    Returns
    -------
    ndarray of shape (n_classes, n_classes), int64
    """
    true, pred = _labels_pair(y_true, y_pred, threshold)
    largest = int(max(true.max(), pred.max()))
    if n_classes is None:
        n_classes = largest + 1
    elif _check_count(n_classes, "n_classes", minimum=1) <= largest:
        raise ValueError(
            f"labels must be in 0..{n_classes - 1} for n_classes={n_classes}; got label {largest}"
        )
    # Each (true, pred) pair gets a unique cell number true * K + pred; count the cells.
    cells = np.bincount(true * n_classes + pred, minlength=n_classes * n_classes)
    return cells.reshape(n_classes, n_classes).astype(np.int64)


def _safe_divide(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """num / den, with 0 where den == 0 (scikit-learn's zero_division=0 convention)."""
    out = np.zeros(np.shape(num), dtype=np.float64)
    np.divide(num, den, out=out, where=den != 0)
    return out


class PRF(NamedTuple):
    """Precision, recall and F1 together (the result of :func:`precision_recall_f1`).

    Taught in: Chapter 4, Learning.
    """

    precision: float | np.ndarray
    recall: float | np.ndarray
    f1: float | np.ndarray


def precision_recall_f1(
    y_true,
    y_pred,
    average: str | None = "binary",
    positive: int = 1,
    n_classes: int | None = None,
    threshold: float = 0.5,
    *,
    pos_label: int | None = None,
) -> PRF:
    """Precision, recall and F1 score, for one class or averaged over classes.

    Taught in: Chapter 4, Learning.

    For a class :math:`c`, count the true positives :math:`TP` (class :math:`c` predicted as
    :math:`c`), false positives :math:`FP` (another class predicted as :math:`c`) and false
    negatives :math:`FN` (class :math:`c` predicted as something else). Then

    .. math::

        \\text{precision} = \\frac{TP}{TP + FP}, \\qquad
        \\text{recall} = \\frac{TP}{TP + FN}, \\qquad
        F_1 = \\frac{2\\,TP}{2\\,TP + FP + FN},

    :math:`F_1` being the harmonic mean of precision and recall. A ratio whose denominator
    is 0 is reported as 0 (scikit-learn's ``zero_division=0``).

    Parameters
    ----------
    y_true : array_like of shape (n,)
    y_pred : array_like of shape (n,), (n, 1) or (n, K)
        Labels or scores; see the module docstring.
    average : {"binary", "macro", "micro", None}, default "binary"
        ``"binary"``: the scores of class ``positive`` only (the labels must contain at most
        two classes). ``"macro"``: the unweighted mean of the per-class scores over the
        classes that occur in ``y_true`` or ``y_pred``, so rare classes count as much as
        common ones. ``"micro"``: pool the counts of all classes first; with one label per
        sample this equals the accuracy. ``None``: one score per class, as arrays indexed
        by class.
    positive : int, default 1
        The class of interest for ``average="binary"``.
    n_classes : int, optional
        Number of classes (the length of the arrays for ``average=None``).
    threshold : float, default 0.5
        Threshold for a single score column.
    pos_label : int, optional
        scikit-learn's name for ``positive``; give one or the other.

    Returns
    -------
    PRF
        Named tuple ``(precision, recall, f1)`` of floats, or of arrays for ``average=None``.
    """
    if pos_label is not None:
        if positive != 1 and positive != pos_label:
            raise TypeError(
                f"give the positive class once: positive={positive!r} and pos_label={pos_label!r}"
            )
        positive = pos_label
    if average not in _AVERAGES:
        raise ValueError(f"average must be one of {_AVERAGES}; got {average!r}")
    cm = confusion_matrix(y_true, y_pred, n_classes, threshold)
    tp = np.diag(cm).astype(np.float64)
    fp = cm.sum(axis=0) - tp  # predicted as c, but another class
    fn = cm.sum(axis=1) - tp  # of class c, but predicted as another
    if average == "micro":
        tp, fp, fn = tp.sum(), fp.sum(), fn.sum()
    per_precision = _safe_divide(tp, tp + fp)
    per_recall = _safe_divide(tp, tp + fn)
    per_f1 = _safe_divide(2 * tp, 2 * tp + fp + fn)
    if average == "micro":
        return PRF(float(per_precision), float(per_recall), float(per_f1))
    if average is None:
        return PRF(per_precision, per_recall, per_f1)
    if average == "macro":
        seen = (cm.sum(axis=0) + cm.sum(axis=1)) > 0
        return PRF(
            float(per_precision[seen].mean()),
            float(per_recall[seen].mean()),
            float(per_f1[seen].mean()),
        )
    # average == "binary"
    present = np.flatnonzero((cm.sum(axis=0) + cm.sum(axis=1)) > 0)
    if len(present) > 2:
        raise ValueError(
            f"average='binary' needs two classes, but the labels hold {len(present)} "
            f"({present.tolist()}); use average='macro', 'micro' or None"
        )
    _check_count(positive, "positive", minimum=0)
    if not 0 <= positive < len(tp):
        # The positive class never occurs: no true positives, so every score is 0.
        return PRF(0.0, 0.0, 0.0)
    return PRF(float(per_precision[positive]), float(per_recall[positive]), float(per_f1[positive]))


def precision(y_true, y_pred, average: str | None = "binary", positive: int = 1, **kwargs):
    """Of the samples predicted as a class, the fraction that truly belong to it.

    Taught in: Chapter 4, Learning.

    :math:`TP / (TP + FP)`: high precision means few false alarms. Parameters as in
    :func:`precision_recall_f1`.

    Returns
    -------
    float or ndarray
    """
    return precision_recall_f1(y_true, y_pred, average, positive, **kwargs).precision


def recall(y_true, y_pred, average: str | None = "binary", positive: int = 1, **kwargs):
    """Of the samples of a class, the fraction the classifier finds.

    Taught in: Chapter 4, Learning.

    :math:`TP / (TP + FN)`: high recall means few misses (a screening test wants this).
    Parameters as in :func:`precision_recall_f1`.

    Returns
    -------
    float or ndarray
    """
    return precision_recall_f1(y_true, y_pred, average, positive, **kwargs).recall


def f1_score(y_true, y_pred, average: str | None = "binary", positive: int = 1, **kwargs):
    """The harmonic mean of precision and recall: high only when both are.

    Taught in: Chapter 4, Learning.

    :math:`2\\,TP / (2\\,TP + FP + FN)`. Parameters as in :func:`precision_recall_f1`.

    Returns
    -------
    float or ndarray
    """
    return precision_recall_f1(y_true, y_pred, average, positive, **kwargs).f1


# ---------------------------------------------------------------------------------------------
# Regression
# ---------------------------------------------------------------------------------------------


def _regression_pair(y_true, y_pred, where: str) -> tuple[np.ndarray, np.ndarray]:
    """Targets and predictions as float64 arrays of shape (n, n_outputs), checked."""
    arrays = []
    for name, values in (("y_true", y_true), ("y_pred", y_pred)):
        a = as_float_array(values, f"{where}: {name}", dtype=np.float64)
        if a.ndim == 1:
            a = a[:, None]
        if a.ndim != 2:
            raise ValueError(
                f"{where}: {name} must have shape (n,) or (n, n_outputs); got {a.shape}"
            )
        check_not_empty(a, f"{where}: {name}")
        arrays.append(check_finite(a, f"{where}: {name}"))
    true, pred = arrays
    if true.shape != pred.shape:
        raise ValueError(
            f"{where}: y_true and y_pred must have the same shape; got {np.shape(y_true)} and "
            f"{np.shape(y_pred)}"
        )
    return true, pred


def mean_squared_error(y_true, y_pred) -> float:
    """Mean squared error, :math:`\\frac{1}{n}\\sum_i (y_i - \\hat y_i)^2`.

    Taught in: Chapter 4, Learning (regression).

    The average of the squared errors (over every output, for several outputs), as
    ``sklearn.metrics.mean_squared_error``. Large errors weigh quadratically; its square root
    is in the units of the target.

    Parameters
    ----------
    y_true, y_pred : array_like of shape (n,) or (n, n_outputs)
        Real targets and predictions, finite; ``(n,)`` and ``(n, 1)`` mix.

    Returns
    -------
    float
        ``>= 0``; 0 for perfect predictions.

    Examples
    --------
    >>> mean_squared_error([1.0, 2.0, 3.0], [1.0, 2.0, 5.0])
    1.3333333333333333
    """
    true, pred = _regression_pair(y_true, y_pred, "mean_squared_error")
    return float(np.mean((true - pred) ** 2))


def mean_absolute_error(y_true, y_pred) -> float:
    """Mean absolute error, :math:`\\frac{1}{n}\\sum_i |y_i - \\hat y_i|`.

    Taught in: Chapter 4, Learning (regression).

    The average size of the errors, in the units of the target, as
    ``sklearn.metrics.mean_absolute_error``; less swayed by outliers than the squared error.

    Parameters
    ----------
    y_true, y_pred : array_like of shape (n,) or (n, n_outputs)

    Returns
    -------
    float
        ``>= 0``.
    """
    true, pred = _regression_pair(y_true, y_pred, "mean_absolute_error")
    return float(np.mean(np.abs(true - pred)))


def r2_score(y_true, y_pred) -> float:
    """Coefficient of determination :math:`R^2 = 1 - SS_{res} / SS_{tot}`.

    Taught in: Chapter 4, Learning (regression).

    With :math:`SS_{res} = \\sum_i (y_i - \\hat y_i)^2` and
    :math:`SS_{tot} = \\sum_i (y_i - \\bar y)^2`: the fraction of the target's variance that
    the predictions explain. 1 is perfect, 0 is no better than always predicting the mean
    :math:`\\bar y`, and it is negative for worse predictions. As
    ``sklearn.metrics.r2_score``: for several outputs the scores of the columns are averaged,
    and a constant target (:math:`SS_{tot} = 0`) scores 1 if predicted exactly, else 0.

    Parameters
    ----------
    y_true, y_pred : array_like of shape (n,) or (n, n_outputs)
        At least two samples.

    Returns
    -------
    float
        At most 1.

    Examples
    --------
    >>> r2_score([1.0, 2.0, 3.0], [1.0, 2.0, 3.0])
    1.0
    >>> r2_score([1.0, 2.0, 3.0], [2.0, 2.0, 2.0])
    0.0
    """
    true, pred = _regression_pair(y_true, y_pred, "r2_score")
    if len(true) < 2:
        raise ValueError(f"r2_score needs at least two samples; got {len(true)}")
    ss_res = ((true - pred) ** 2).sum(axis=0)
    ss_tot = ((true - true.mean(axis=0)) ** 2).sum(axis=0)
    scores = np.where(ss_res == 0, 1.0, 0.0)  # the constant-target convention
    np.subtract(1.0, ss_res / np.where(ss_tot == 0, 1.0, ss_tot), out=scores, where=ss_tot != 0)
    return float(scores.mean())
