"""The training loop: mini-batches, epochs, validation, early stopping, clipping.

Taught in: Chapter 4, Learning.

One step of training is always the same five lines, which :func:`fit` repeats for every
mini-batch of every epoch::

    optimizer.zero_grad()                    # forget the previous step's gradients
    out = model(X_batch)                     # forward pass
    loss = loss_fn(out, y_batch)             # how wrong, as one number
    model.backward(loss_fn.backward())       # backward pass: every Parameter's .grad
    optimizer.step()                         # move the weights downhill

Around it :func:`fit` adds what practice needs: shuffling, a validation set watched after
each epoch, early stopping that restores the best weights, gradient clipping, a
learning-rate schedule and an optional progress bar. :func:`predict` and :func:`evaluate`
run a model in evaluation mode (dropout off); :func:`fit` leaves the model in evaluation
mode when it returns, ready to be used (call ``model.train()`` before training it by hand).

The names and defaults are those of ``nnlib.torch.train.fit``, the loop of the torch
chapters: ``metric="auto"`` records the accuracy for a classification loss and nothing for a
regression loss, and a run that diverges stops with a ``RuntimeWarning``.
"""

from __future__ import annotations

import inspect
import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from nnlib import metrics as _metrics
from nnlib._validate import (
    as_float_array,
    as_rng,
    check_finite,
    check_not_empty,
    check_positive,
    check_same_length,
    describe,
)
from nnlib.data import _check_count, batches

__all__ = ["History", "clip_grad_norm", "evaluate", "fit", "predict", "predict_proba"]


# ---------------------------------------------------------------------------------------------
# Gradient clipping
# ---------------------------------------------------------------------------------------------


def clip_grad_norm(params, max_norm: float) -> float:
    """Rescale gradients in place so that their global L2 norm is at most ``max_norm``.

    Taught in: Chapter 4, Learning (exploding gradients and clipping).

    All gradients are treated as one long vector :math:`g`. If its norm
    :math:`\\lVert g \\rVert` exceeds ``max_norm``, every gradient is multiplied by
    :math:`\\text{max\\_norm} / (\\lVert g \\rVert + 10^{-6})`, which keeps the direction of
    the step and caps its length. This is the rule of
    ``torch.nn.utils.clip_grad_norm_``, and like it the function returns the norm measured
    *before* clipping (worth logging: a spike means an exploding gradient).

    Parameters
    ----------
    params : iterable of Parameter, or a model with ``parameters()``
        Objects with a ``.grad`` array.
    max_norm : float
        The largest allowed global norm, > 0.

    Returns
    -------
    float
        The global norm of the gradients before clipping.
    """
    check_positive(max_norm, "clip_grad_norm: max_norm")
    if hasattr(params, "parameters"):
        params = params.parameters()
    elif callable(params):
        raise TypeError(
            "clip_grad_norm: params must be the parameters (or the model); got a function or "
            "method: call it, e.g. model.parameters()"
        )
    grads = [p.grad for p in params if getattr(p, "grad", None) is not None]
    total = math.sqrt(sum(float(np.vdot(g, g)) for g in grads))
    coef = max_norm / (total + 1e-6)
    if coef < 1.0:
        for g in grads:
            g *= coef
    return total


# ---------------------------------------------------------------------------------------------
# Inference
# ---------------------------------------------------------------------------------------------


def predict(model, X, batch_size: int | None = None) -> np.ndarray:
    """Run a model on ``X`` in evaluation mode and return its outputs.

    Taught in: Chapter 4, Learning.

    The model is switched to evaluation mode (``model.eval()``: dropout off) for the call
    and put back in the mode it was in afterwards.

    Parameters
    ----------
    model : nnlib model
        Anything with ``__call__``, ``train()`` and ``eval()`` (a ``Sequential``).
    X : array_like, first axis = samples
        A batch, shape ``(n, n_features)``. A single sample of shape ``(n_features,)`` is
        accepted too and gives a single output of shape ``(n_outputs,)`` (no batch axis),
        as ``torch.nn.Linear`` does; ``X[None]`` keeps the batch axis.
    batch_size : int, optional
        Run the data through in chunks of this many samples (saves memory on big inputs);
        all at once by default.

    Returns
    -------
    ndarray
        The raw outputs (logits for a classifier trained with ``CrossEntropyLoss``: use
        ``.argmax(axis=1)`` for labels, or :func:`predict_proba` for probabilities).
    """
    _check_model(model, "predict")
    X = as_float_array(X, "predict: X")
    if X.ndim == 0:
        raise ValueError("predict: X must be a batch of samples; got a scalar")
    check_not_empty(X, "predict: X")
    check_finite(X, "predict: X")
    was_training = getattr(model, "training", True)
    model.eval()
    try:
        if batch_size is None or X.ndim == 1:  # one sample: nothing to chunk
            return np.asarray(model(X))
        batch_size = _check_count(batch_size, "predict: batch_size")
        return np.concatenate(
            [np.asarray(model(X[i : i + batch_size])) for i in range(0, len(X), batch_size)]
        )
    finally:
        model.train(was_training)


def predict_proba(model, X, batch_size: int | None = None) -> np.ndarray:
    """Class probabilities of a classifier that outputs logits, as scikit-learn's
    ``predict_proba``: shape ``(n, n_classes)``, rows summing to 1.

    Taught in: Chapter 4, Learning.

    With ``K >= 2`` output columns (a model trained with ``CrossEntropyLoss``) this is the
    softmax of the logits. With one output column (a model trained with
    ``BCEWithLogitsLoss``) the column is the logit of class 1, and the result has the two
    columns ``1 - p`` and ``p`` with ``p = sigmoid(logit)``, as in scikit-learn. For a model
    that already ends in ``Sigmoid`` or ``Softmax`` (trained with ``BCELoss``), use
    :func:`predict`: its outputs are probabilities already.

    Parameters
    ----------
    model : nnlib model
    X : array_like of shape (n, n_features)
    batch_size : int, optional
        Passed to :func:`predict`.

    Returns
    -------
    ndarray of shape (n, n_classes)
    """
    from nnlib.activations import sigmoid, softmax

    out = predict(model, X, batch_size)
    if out.ndim != 2:
        raise ValueError(
            f"predict_proba: the model must output logits of shape (n, n_classes) or (n, 1); "
            f"got outputs of shape {out.shape} (pass X as a batch, e.g. X[None] for one sample)"
        )
    _check_outputs(out, "predict_proba")
    if out.shape[1] == 1:
        p = sigmoid(out[:, 0])
        return np.stack([1 - p, p], axis=1)
    return softmax(out, axis=1)


def _check_model(model, where: str) -> None:
    """A model must be an object with forward/backward, not a class or a Value-based MLP."""
    if isinstance(model, type):
        raise TypeError(
            f"{where}: model must be a model object; got the class {model.__name__} "
            f"(did you mean {model.__name__}(...)?)"
        )
    needed = ("parameters", "train", "eval") if where == "fit" else ("train", "eval")
    missing = [m for m in (*needed, "__call__") if not callable(getattr(model, m, None))]
    if where == "fit" and not callable(getattr(model, "backward", None)):
        missing.append("backward")
    if missing:
        hint = ""
        if type(model).__module__ == "nnlib.autograd":
            hint = " (the scalar autograd engine's MLP trains with its own loop: see Chapter 4)"
        raise TypeError(
            f"{where}: model must be an nnlib model such as nnlib.layers.Sequential, with "
            f"{', '.join(missing)}; got {describe(model)}{hint}"
        )


def _check_outputs(out: np.ndarray, where: str) -> None:
    """Outputs full of NaN mean broken weights: no score can be measured on them."""
    if out.dtype.kind == "f" and not np.isfinite(out).all():
        n_bad = int((~np.isfinite(out)).sum())
        raise ValueError(
            f"{where}: the model's outputs are not finite ({n_bad} NaN or infinite values of "
            f"{out.size}): its weights hold NaN or infinity, for example after training "
            "diverged; no loss or score can be measured (re-initialise the model and train "
            "with a smaller learning rate)"
        )


_CLASSIFICATION_LOSSES = (
    "CrossEntropyLoss",
    "NLLLoss",
    "BCEWithLogitsLoss",
    "BCELoss",
    "HingeLoss",
)

#: The metrics that ``fit`` and ``evaluate`` know by name.
_NAMED_METRICS = ("accuracy", "mse", "mae", "r2")


def _resolve_metric(metric, loss_fn, where: str):
    """``"auto"`` becomes ``"accuracy"`` for a classification loss and ``None`` otherwise."""
    if isinstance(metric, str):
        if metric == "auto":
            return "accuracy" if type(loss_fn).__name__ in _CLASSIFICATION_LOSSES else None
        if metric in _NAMED_METRICS:
            return metric
    elif metric is None or callable(metric):
        return metric
    raise ValueError(
        f"{where}: metric must be 'auto', {', '.join(map(repr, _NAMED_METRICS))}, "
        f"a callable metric(y, outputs) or None; got {metric!r}"
    )


def _metric_threshold(loss_fn) -> float:
    """Where a single output column splits class 0 from 1: 0 for logits, 0.5 for probabilities."""
    return 0.0 if type(loss_fn).__name__ in ("BCEWithLogitsLoss", "HingeLoss") else 0.5


def _as_label_targets(y) -> np.ndarray:
    """Integer labels from targets given as labels, a (n, 1) column, floats or one-hot rows."""
    t = np.asarray(y)
    if t.ndim == 2:
        t = t[:, 0] if t.shape[1] == 1 else t.argmax(axis=1)
    if t.dtype.kind == "f":
        t = np.rint(t)
    if t.dtype.kind == "b":
        return t.astype(np.int64)
    return np.where(t < 0, 0, t).astype(np.int64)  # -1/+1 hinge labels count as 0/1


def _check_accuracy_targets(y, where: str) -> None:
    """Accuracy compares class labels: float targets that are not whole numbers are a
    regression, where accuracy would silently round them."""
    t = np.asarray(y)
    if t.dtype.kind == "f" and t.size and not np.array_equal(t, np.rint(t)):
        raise ValueError(
            f"{where}: metric='accuracy' needs class labels, but y holds non-integer values "
            f"such as {t[t != np.rint(t)].flat[0]:g} (a regression?); use metric='auto', "
            "'mse', 'mae', 'r2' or None"
        )


def _score(metric, y, out, threshold: float) -> float:
    if not np.isfinite(out).all():  # a diverging step: no score, as the loss is NaN too
        return math.nan
    if metric == "accuracy":
        return _metrics.accuracy(_as_label_targets(y), out, threshold=threshold)
    if metric in ("mse", "mae", "r2"):
        fn = {
            "mse": _metrics.mean_squared_error,
            "mae": _metrics.mean_absolute_error,
            "r2": _metrics.r2_score,
        }[metric]
        t = np.asarray(y, dtype=np.float64)
        o = np.asarray(out, dtype=np.float64)
        if t.size == o.size and t.shape != o.shape:
            t = t.reshape(o.shape)
        return fn(t, o)
    return float(metric(y, out))


def evaluate(
    model, loss_fn, X, y, metric: str | Callable | None = "auto", batch_size=None
) -> dict[str, float]:
    """Loss (and metric) of a model on a dataset, in evaluation mode.

    Taught in: Chapter 4, Learning.

    Parameters
    ----------
    model : nnlib model
    loss_fn : nnlib loss
        Called once on all the outputs, so the loss is the mean over the whole set.
    X, y : array_like
        Inputs and targets.
    metric : "auto", "accuracy", "mse", "mae", "r2", callable or None, default "auto"
        ``"auto"`` measures the accuracy for a classification loss (``CrossEntropyLoss``,
        ``BCEWithLogitsLoss``, ``BCELoss``, ``HingeLoss``) and nothing else for a regression
        loss. A callable is called as ``metric(y, outputs)`` and should return a float.
    batch_size : int, optional
        Passed to :func:`predict`.

    Returns
    -------
    dict
        ``{"loss": ..., "accuracy": ...}`` (the metric under its name, if any).

    Raises
    ------
    ValueError
        The model's outputs are not finite (its weights are broken): no score is given.
    """
    _check_loss(loss_fn, "evaluate")
    metric = _resolve_metric(metric, loss_fn, "evaluate")
    X_arr, y_arr = np.asarray(X), np.asarray(y)
    if X_arr.ndim == 0 or y_arr.ndim == 0:
        raise ValueError(
            f"evaluate: X and y must be arrays of samples; got shapes {X_arr.shape}, {y_arr.shape}"
        )
    check_same_length(X_arr, y_arr, "evaluate: X", "y")
    if metric == "accuracy":
        _check_accuracy_targets(y_arr, "evaluate")
    out = predict(model, X, batch_size)
    _check_outputs(out, "evaluate")
    return _evaluate_outputs(out, y, loss_fn, metric)


def _evaluate_outputs(out, y, loss_fn, metric) -> dict[str, float]:
    result = {"loss": float(loss_fn(out, y))}
    if metric is not None:
        result[_metric_name(metric)] = _score(metric, y, out, _metric_threshold(loss_fn))
    return result


def _metric_name(metric) -> str:
    if isinstance(metric, str):
        return metric
    return getattr(metric, "__name__", "metric")


def _check_loss(loss_fn, where: str) -> None:
    if isinstance(loss_fn, type):
        raise TypeError(
            f"{where}: loss_fn must be a loss object; got the class {loss_fn.__name__} "
            f"(did you mean {loss_fn.__name__}()?)"
        )
    if not callable(loss_fn) or (
        where == "fit" and not callable(getattr(loss_fn, "backward", None))
    ):
        raise TypeError(
            f"{where}: loss_fn must be an nnlib loss such as nnlib.losses.CrossEntropyLoss() "
            f"(callable, with backward()); got {describe(loss_fn)}"
        )


# ---------------------------------------------------------------------------------------------
# The training loop
# ---------------------------------------------------------------------------------------------


@dataclass
class History:
    """What happened during :func:`fit`: one value per epoch for every quantity.

    Taught in: Chapter 4, Learning (monitoring training).

    Attributes
    ----------
    history : dict of str to list of float
        ``"loss"`` (mean training loss of the epoch), ``"accuracy"`` (training accuracy),
        ``"val_loss"`` and ``"val_accuracy"`` (on the validation set, measured at the end
        of the epoch) and ``"lr"`` (the learning rate used), as present.
    best_epoch : int or None
        The epoch (counting from 1) with the lowest validation loss (training loss without
        a validation set).
    stopped_early : bool
        True if early stopping ended training before ``epochs``.
    diverged : bool
        True if training diverged: the training loss of an epoch became NaN or infinite,
        or grew to more than a million times that of the first epoch (and above 1000).
        Training stops there, with a ``RuntimeWarning``.
    restored : bool
        True if the weights of ``best_epoch`` were put back at the end.
    """

    history: dict[str, list[float]] = field(default_factory=dict)
    best_epoch: int | None = None
    stopped_early: bool = False
    diverged: bool = False
    restored: bool = False

    @property
    def epochs(self) -> int:
        """Number of epochs run."""
        return len(self.history.get("loss", ()))

    def __getitem__(self, key: str) -> list[float]:
        return self.history[key]

    def plot(self, metrics=("loss", "accuracy"), axes=None):
        """Draw the learning curves with :func:`nnlib.plot.learning_curves`.

        Returns
        -------
        list of matplotlib Axes
            One per metric drawn (a metric the history lacks is skipped).
        """
        from nnlib.plot import learning_curves

        return learning_curves(self, metrics=metrics, axes=axes)

    def __repr__(self) -> str:
        last = ", ".join(f"{k}={v[-1]:.4g}" for k, v in self.history.items() if v and k != "lr")
        flags = " (stopped early)" if self.stopped_early else ""
        flags += " (diverged)" if self.diverged else ""
        return f"History({self.epochs} epochs, best epoch {self.best_epoch}{flags}: {last})"


def _backward_fn(model) -> Callable:
    """``model.backward``, skipping the unused input gradient when the model allows it."""
    try:
        accepts = "input_grad" in inspect.signature(model.backward).parameters
    except (TypeError, ValueError):
        accepts = False
    if accepts:
        return lambda g: model.backward(g, input_grad=False)
    return model.backward


def _progress_bar(epochs: int, enabled: bool):
    if not enabled:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:  # tqdm is optional: train without a bar
        return None
    return tqdm(total=epochs, desc="training", unit="epoch", leave=True)


def _current_lr(optimizer) -> float | None:
    lr = getattr(optimizer, "lr", None)
    return float(lr) if isinstance(lr, (int, float, np.floating)) else None


def fit(
    model,
    loss_fn,
    optimizer,
    X,
    y,
    epochs: int = 10,
    batch_size: int = 32,
    validation: tuple | None = None,
    metric: str | Callable | None = "auto",
    patience: int | None = None,
    restore_best: bool = True,
    clip_norm: float | None = None,
    scheduler=None,
    rng: int | np.random.Generator | None = 0,
    progress: bool = False,
) -> History:
    """Train a model with mini-batch gradient descent and return its :class:`History`.

    Taught in: Chapter 4, Learning.

    Each epoch visits the training data once in a new random order, in mini-batches of
    ``batch_size``; each mini-batch is one step (zero the gradients, forward, loss,
    backward, optional clipping, optimizer step). After each epoch the model is measured
    on the validation set in evaluation mode. Training loss and accuracy are the averages
    over the epoch's mini-batches, measured while the weights were still changing (as
    Keras reports them); validation numbers use the weights at the end of the epoch.

    When it returns, the model is in **evaluation mode** (``model.training`` is False:
    dropout off), so ``model(X)`` gives the same answer as :func:`predict`. If training
    diverges (the loss becomes NaN or infinite, or grows a million-fold), the loop stops,
    warns with a ``RuntimeWarning`` and sets ``History.diverged``.

    Parameters
    ----------
    model : nnlib model
        With ``__call__``, ``backward``, ``parameters()``, ``train()`` and ``eval()``
        (a ``Sequential``).
    loss_fn : nnlib loss
        ``loss_fn(out, y_batch)`` returns a float; ``loss_fn.backward()`` dLoss/dout.
    optimizer : nnlib optimizer
        With ``step()`` and ``zero_grad()``, built on ``model.parameters()`` (an optimizer
        built on another model's parameters is refused).
    X, y : array_like
        Training inputs and targets (labels for classification).
    epochs : int, default 10
        The most epochs to run.
    batch_size : int, default 32
        Samples per step; ``len(X)`` gives full-batch gradient descent, 1 stochastic.
    validation : (X_val, y_val), optional
        Data watched after every epoch (never trained on).
    metric : "auto", "accuracy", "mse", "mae", "r2", callable or None, default "auto"
        Also record this metric. ``"auto"`` records the accuracy for a classification
        loss (``CrossEntropyLoss``, ``BCEWithLogitsLoss``, ``BCELoss``, ``HingeLoss``) and
        nothing else for a regression loss such as ``MSELoss`` (pass ``"r2"`` or ``"mae"``
        to watch one). For one output column the accuracy threshold is 0 when ``loss_fn``
        takes logits (``BCEWithLogitsLoss``, ``HingeLoss``) and 0.5 otherwise. A callable
        gets ``(y, outputs)`` and is recorded under its ``__name__``.
    patience : int, optional
        Early stopping: stop after this many epochs without a new lowest validation loss
        (training loss without validation data). Off by default.
    restore_best : bool, default True
        With early stopping on, put back the weights of the best epoch at the end (the
        parameter arrays are copied whenever the monitored loss improves).
    clip_norm : float, optional
        Clip the global gradient norm to this value before each step
        (:func:`clip_grad_norm`).
    scheduler : nnlib schedule, optional
        Its ``step()`` is called once at the end of every epoch. It must be attached to
        ``optimizer``.
    rng : int, numpy.random.Generator or None, default 0
        Seed or generator for the shuffling: the same seed gives the same run.
    progress : bool, default False
        Show a ``tqdm`` progress bar over the epochs (if tqdm is installed). Nothing is
        printed otherwise.

    Returns
    -------
    History

    Examples
    --------
    >>> from nnlib.layers import Sequential, Dense, Tanh
    >>> from nnlib.losses import CrossEntropyLoss
    >>> from nnlib.optim import Adam
    >>> from nnlib.data import xor
    >>> X, y = xor()
    >>> model = Sequential(Dense(2, 8, rng=0), Tanh(), Dense(8, 2, rng=1))
    >>> h = fit(model, CrossEntropyLoss(), Adam(model.parameters(), lr=0.05), X, y,
    ...         epochs=200, batch_size=4)
    >>> h.history["accuracy"][-1]
    1.0
    """
    _check_model(model, "fit")
    _check_loss(loss_fn, "fit")
    X = as_float_array(X, "fit: X")
    y = np.asarray(y)
    if X.ndim == 0 or y.ndim == 0:
        raise ValueError(f"fit: X and y must be arrays of samples; got shapes {X.shape}, {y.shape}")
    check_same_length(X, y, "fit: X", "y")
    check_not_empty(X, "fit: X")
    check_finite(X, "fit: X")
    for name, value in (("epochs", epochs), ("batch_size", batch_size)):
        _check_count(value, f"fit: {name}")
    if patience is not None:
        _check_count(patience, "fit: patience")
    if clip_norm is not None:
        check_positive(clip_norm, "fit: clip_norm")
    metric = _resolve_metric(metric, loss_fn, "fit")
    metric_name = _metric_name(metric) if metric is not None else None
    if metric == "accuracy":
        _check_accuracy_targets(y, "fit")
    if validation is not None:
        if not isinstance(validation, (tuple, list)) or len(validation) != 2:
            raise TypeError(
                f"fit: validation must be a pair (X_val, y_val) or None; got {describe(validation)}"
            )
        X_val = as_float_array(validation[0], "fit: validation X")
        y_val = np.asarray(validation[1])
        if X_val.ndim == 0 or y_val.ndim == 0:
            raise ValueError(
                "fit: validation X and y must be arrays of samples; got shapes "
                f"{X_val.shape}, {y_val.shape}"
            )
        check_same_length(X_val, y_val, "fit: validation X", "validation y")
        check_not_empty(X_val, "fit: validation X")
        check_finite(X_val, "fit: validation X")
        if X_val.shape[1:] != X.shape[1:]:
            raise ValueError(
                f"fit: validation X must have samples shaped like X's, {X.shape[1:]}; "
                f"got {X_val.shape[1:]}"
            )
        if metric == "accuracy":
            _check_accuracy_targets(y_val, "fit (validation)")
    params = list(model.parameters())
    if not params:
        raise ValueError("fit: the model has no parameters to train")
    _check_optimizer(optimizer, params)
    _warn_double_squashing(model, loss_fn)
    if scheduler is not None:
        _check_scheduler(scheduler, optimizer)

    gen = as_rng(rng)
    backward = _backward_fn(model)
    threshold = _metric_threshold(loss_fn)
    record: dict[str, list[float]] = {"loss": []}
    if metric_name:
        record[metric_name] = []
    if validation is not None:
        record["val_loss"] = []
        if metric_name:
            record[f"val_{metric_name}"] = []
    if _current_lr(optimizer) is not None:
        record["lr"] = []
    history = History(record)
    monitor = "val_loss" if validation is not None else "loss"
    best_value, best_state, waited = math.inf, None, 0
    keep_best = patience is not None and restore_best
    bar = _progress_bar(epochs, progress)

    try:
        for epoch in range(1, epochs + 1):
            if "lr" in record:
                record["lr"].append(_current_lr(optimizer))
            model.train()
            loss_sum, score_sum, seen = 0.0, 0.0, 0
            for X_batch, y_batch in batches(X, y, batch_size, shuffle=True, rng=gen):
                optimizer.zero_grad()
                out = model(X_batch)
                loss = float(loss_fn(out, y_batch))
                backward(loss_fn.backward())
                if clip_norm is not None:
                    clip_grad_norm(params, clip_norm)
                optimizer.step()
                loss_sum += loss * len(y_batch)
                if metric_name:
                    score_sum += _score(metric, y_batch, out, threshold) * len(y_batch)
                seen += len(y_batch)
            record["loss"].append(loss_sum / seen)
            if metric_name:
                record[metric_name].append(score_sum / seen)
            if _diverged(record["loss"]):
                history.diverged = True
            if validation is not None and not history.diverged:
                out_val = predict(model, X_val)
                if np.isfinite(out_val).all():
                    val = _evaluate_outputs(out_val, y_val, loss_fn, metric)
                else:  # the weights broke during the last steps of the epoch
                    val = dict.fromkeys(("loss", metric_name), math.nan)
                    history.diverged = True
                record["val_loss"].append(val["loss"])
                if metric_name:
                    record[f"val_{metric_name}"].append(val[metric_name])
            if scheduler is not None:
                scheduler.step()
            if bar is not None:
                bar.update(1)
                bar.set_postfix({k: f"{v[-1]:.4f}" for k, v in record.items() if v and k != "lr"})
            if history.diverged:
                break
            current = record[monitor][-1]
            if current < best_value:
                best_value, history.best_epoch, waited = current, epoch, 0
                if keep_best:
                    best_state = [p.data.copy() for p in params]
            else:
                waited += 1
                if patience is not None and waited >= patience:
                    history.stopped_early = True
                    break
    finally:
        if bar is not None:
            bar.close()
        model.eval()  # ready to use: model(X) now agrees with predict(model, X)

    if keep_best and best_state is not None and history.best_epoch != history.epochs:
        for p, saved in zip(params, best_state, strict=True):
            p.data[...] = saved
        history.restored = True
    if history.diverged:
        last = record["loss"][-1]
        restored = (
            f"; the weights of epoch {history.best_epoch} were restored" if history.restored else ""
        )
        warnings.warn(
            f"fit: training diverged at epoch {history.epochs} (training loss {last:.4g}) and "
            f"stopped{restored}. Try a smaller learning rate, gradient clipping (clip_norm=1.0) "
            "or standardised inputs; history.diverged is True",
            RuntimeWarning,
            stacklevel=2,
        )
    return history


#: fit stops when the loss grows past this many times the first epoch's loss (and past
#: _DIVERGED_FLOOR): a finite loss of 1e18 is as diverged as an infinite one.
_DIVERGED_FACTOR = 1e6
_DIVERGED_FLOOR = 1e3


def _diverged(losses: list[float]) -> bool:
    """Has training diverged? NaN or infinite loss, or a million-fold growth above 1000."""
    last = losses[-1]
    if not math.isfinite(last):
        return True
    return last > _DIVERGED_FLOOR and last > _DIVERGED_FACTOR * losses[0]


def _warn_double_squashing(model, loss_fn) -> None:
    """A final Softmax before CrossEntropyLoss (or Sigmoid before BCEWithLogitsLoss) applies
    the squashing twice: legal, but it trains slowly and reports a wrong loss."""
    layers = getattr(model, "layers", None)
    if not layers:
        return
    last, loss = type(layers[-1]).__name__, type(loss_fn).__name__
    fixes = {
        ("Softmax", "CrossEntropyLoss"): "drop the final Softmax() and give the loss the logits",
        ("Sigmoid", "BCEWithLogitsLoss"): "drop the final Sigmoid(), or keep it and use BCELoss",
    }
    if (last, loss) in fixes:
        warnings.warn(
            f"fit: the model ends with {last}() but {loss} applies {last.lower()} itself, so "
            f"it is applied twice (slow training, a wrong loss): {fixes[last, loss]}",
            UserWarning,
            stacklevel=3,
        )


def _check_optimizer(optimizer, params: list) -> None:
    """The optimizer must update this model's parameters (not another model's)."""
    if isinstance(optimizer, type):
        raise TypeError(
            f"fit: optimizer must be an optimizer object; got the class {optimizer.__name__} "
            f"(did you mean {optimizer.__name__}(model.parameters(), lr=...)?)"
        )
    for name in ("step", "zero_grad"):
        if not callable(getattr(optimizer, name, None)):
            raise TypeError(
                f"fit: optimizer must have a {name}() method (an nnlib.optim optimizer); "
                f"got {describe(optimizer)}"
            )
    held = getattr(optimizer, "params", None)
    if held is None:
        return
    held_ids = {id(p) for p in held}
    model_ids = {id(p) for p in params}
    if not held_ids & model_ids:
        raise ValueError(
            f"fit: the optimizer updates none of this model's {len(params)} parameters: it was "
            "built on another model's (or on an earlier copy of this one). Build it on this "
            "model: optimizer = Adam(model.parameters(), lr=...)"
        )
    foreign = len(held_ids - model_ids)
    if foreign:
        raise ValueError(
            f"fit: the optimizer holds {foreign} parameter(s) that are not this model's; "
            "build it on model.parameters()"
        )


def _check_scheduler(scheduler, optimizer) -> None:
    if isinstance(scheduler, type) or not callable(getattr(scheduler, "step", None)):
        raise TypeError(
            f"fit: scheduler must be a schedule object with step() (e.g. StepLR(optimizer, "
            f"step_size=10)); got {describe(scheduler)}"
        )
    attached = getattr(scheduler, "optimizer", optimizer)
    if attached is not optimizer:
        raise ValueError(
            "fit: the scheduler is attached to another optimizer, so it would never change "
            "this one's learning rate; build it on the optimizer you pass to fit, e.g. "
            "StepLR(optimizer, step_size=10)"
        )
