"""The training loop of the torch chapters: the same names as Chapter 4's, for ``torch.nn``.

Taught in: Chapter 5, Architectures (from nnlib to PyTorch); used by every torch notebook.

Chapter 4 trained numpy networks with :func:`nnlib.train.fit`. This module is its twin for
PyTorch models, with the same arguments, the same :class:`~nnlib.train.History` and the same
habits (evaluation mode after training, a warning when training diverges). One step of
training is the same five lines as before, with autograd doing the backward pass::

    optimizer.zero_grad()            # forget the previous step's gradients
    out = model(X_batch)             # forward pass (autograd records the graph)
    loss = loss_fn(out, y_batch)     # a scalar tensor
    loss.backward()                  # every parameter's .grad
    optimizer.step()                 # move the weights downhill

Around it :func:`fit` adds shuffling, validation after each epoch, early stopping that
restores the best weights, gradient clipping, a learning-rate scheduler and an optional
progress bar. :func:`predict` and :func:`evaluate` run a model in evaluation mode without
building a graph.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterator

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset

from nnlib.train import History, _diverged

# History is nnlib.train.History (documented there), imported here for convenience.
__all__ = ["count_parameters", "evaluate", "fit", "predict"]

#: Loss classes (and functional names) whose outputs are class scores: "auto" records accuracy.
_CLASSIFICATION = {
    "CrossEntropyLoss": "multi",
    "NLLLoss": "multi",
    "cross_entropy": "multi",
    "nll_loss": "multi",
    "BCEWithLogitsLoss": "logits",
    "binary_cross_entropy_with_logits": "logits",
    "BCELoss": "probabilities",
    "binary_cross_entropy": "probabilities",
}


def count_parameters(model: nn.Module, trainable_only: bool = False) -> int:
    """The number of scalar parameters of a model.

    Taught in: Chapter 5, Architectures.

    Parameters
    ----------
    model : torch.nn.Module
    trainable_only : bool, default False
        Count only parameters with ``requires_grad`` (for example after freezing layers).
    """
    _check_module(model, "count_parameters")
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)


# ---------------------------------------------------------------------------------------------
# Checking what the caller gave
# ---------------------------------------------------------------------------------------------


def _check_module(model, where: str) -> None:
    if not isinstance(model, nn.Module):
        raise TypeError(f"{where}: model must be a torch.nn.Module; got {type(model).__name__}")


def _param_dtype_device(model: nn.Module) -> tuple[torch.dtype, torch.device]:
    for p in model.parameters():
        if p.is_floating_point():
            return p.dtype, p.device
    return torch.get_default_dtype(), torch.device("cpu")


def _embeds(model: nn.Module) -> bool:
    """Does the model look its inputs up in an embedding table? Then integer inputs are ids
    and stay integers; otherwise they are numbers (pixels, counts) and become floats."""
    return any(isinstance(m, (nn.Embedding, nn.EmbeddingBag)) for m in model.modules())


def _as_tensor(data, where: str, dtype: torch.dtype, device, is_target: bool) -> torch.Tensor:
    """``data`` as a tensor: floats in the model's dtype, integer labels as int64."""
    if isinstance(data, torch.Tensor):
        t = data
    else:
        try:
            t = torch.as_tensor(np.asarray(data))
        except (TypeError, ValueError) as exc:
            raise TypeError(
                f"{where} must be a tensor or an array of numbers; got {type(data).__name__}"
            ) from exc
    if t.dtype == torch.bool:
        t = t.to(dtype)
    if t.is_floating_point():
        t = t.to(dtype)
        if not torch.isfinite(t).all():
            raise ValueError(f"{where} contains NaN or infinity; clean or impute the data first")
    elif not is_target:
        t = t.to(dtype)  # integer pixels and the like: the model computes in floats
    else:
        t = t.long()  # class labels, or token ids for a model that embeds them
    if t.ndim == 0:
        raise ValueError(f"{where} must be a batch of samples (first axis); got a scalar")
    if len(t) == 0:
        raise ValueError(f"{where} is empty: there is nothing to train or evaluate on")
    return t.to(device)


class _TensorBatches:
    """Mini-batches of ``(X, y)`` tensors, shuffled by a seeded generator (no DataLoader
    overhead: one index per batch, not one per sample)."""

    def __init__(self, X, y, batch_size: int, shuffle: bool, generator: torch.Generator | None):
        self.X, self.y = X, y
        self.batch_size, self.shuffle, self.generator = batch_size, shuffle, generator

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        n = len(self.X)
        if self.shuffle:
            order = torch.randperm(n, generator=self.generator)
            for i in range(0, n, self.batch_size):
                idx = order[i : i + self.batch_size]
                yield self.X[idx], self.y[idx]
        else:
            for i in range(0, n, self.batch_size):
                yield self.X[i : i + self.batch_size], self.y[i : i + self.batch_size]


def _batches(X, y, model, batch_size: int, shuffle: bool, generator, where: str):
    """An iterable of ``(inputs, targets)`` batches from tensors, a Dataset or a DataLoader."""
    if isinstance(X, _TensorBatches):  # already batched (fit's validation data)
        return X
    if isinstance(X, DataLoader):
        if y is not None:
            raise TypeError(f"{where}: give y=None with a DataLoader (it yields the targets)")
        return X
    if isinstance(X, Dataset):
        if y is not None:
            raise TypeError(f"{where}: give y=None with a Dataset (it yields the targets)")
        if len(X) == 0:  # type: ignore[arg-type]
            raise ValueError(f"{where}: the Dataset is empty")
        return DataLoader(
            X, batch_size=batch_size, shuffle=shuffle, generator=generator, num_workers=0
        )
    if y is None:
        raise TypeError(
            f"{where}: targets y are missing; pass X and y, or a Dataset/DataLoader as X"
        )
    dtype, device = _param_dtype_device(model)
    X_t = _as_tensor(X, f"{where}: X", dtype, device, is_target=_embeds(model))
    y_t = _as_tensor(y, f"{where}: y", dtype, device, is_target=True)
    if len(X_t) != len(y_t):
        raise ValueError(
            f"{where}: X and y must have the same number of samples; got {len(X_t)} and {len(y_t)}"
        )
    return _TensorBatches(X_t, y_t, batch_size, shuffle, generator)


def _check_count(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer; got {value!r}")
    return int(value)


def _check_optimizer(model: nn.Module, optimizer, scheduler) -> None:
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise TypeError(
            "fit: optimizer must be a torch.optim optimizer, such as "
            f"torch.optim.Adam(model.parameters()); got {type(optimizer).__name__}"
        )
    own = {id(p) for p in model.parameters()}
    given = [p for group in optimizer.param_groups for p in group["params"]]
    if not any(id(p) in own for p in given):
        raise ValueError(
            "fit: the optimizer holds none of this model's parameters, so training would "
            "change nothing; build it with optimizer(model.parameters(), ...) after creating "
            "the model"
        )
    if scheduler is not None and getattr(scheduler, "optimizer", optimizer) is not optimizer:
        raise ValueError(
            "fit: the scheduler is attached to another optimizer, so it would never change "
            "this one's learning rate; build it on the optimizer you pass to fit"
        )


# ---------------------------------------------------------------------------------------------
# Metrics
# ---------------------------------------------------------------------------------------------


def _loss_kind(loss_fn) -> str | None:
    name = type(loss_fn).__name__ if isinstance(loss_fn, nn.Module) else ""
    name = name or getattr(loss_fn, "__name__", "")
    return _CLASSIFICATION.get(name)


def _metric_name(metric) -> str:
    if metric == "accuracy":
        return "accuracy"
    if callable(metric):
        return getattr(metric, "__name__", "metric")
    raise ValueError(f"metric must be 'auto', 'accuracy', a callable or None; got {metric!r}")


def _resolve_metric(metric, loss_fn):
    if isinstance(metric, str) and metric == "auto":
        return "accuracy" if _loss_kind(loss_fn) else None
    if metric is not None:
        _metric_name(metric)
    return metric


def _labels_of(y: torch.Tensor) -> torch.Tensor:
    if y.ndim == 2:
        y = y[:, 0] if y.shape[1] == 1 else y.argmax(dim=1)
    if y.is_floating_point():
        y = y.round()
    return y.long()


def _correct(out: torch.Tensor, y: torch.Tensor, loss_kind: str | None) -> torch.Tensor:
    """The number of correct predictions in a batch (a 0-d tensor: summed without a
    conversion to a Python number on every step)."""
    if out.ndim >= 2 and out.shape[1] > 1:
        pred = out.argmax(dim=1)
    else:
        threshold = 0.5 if loss_kind == "probabilities" else 0.0
        pred = (out.reshape(len(out)) > threshold).long()
    labels = _labels_of(y)
    if pred.shape != labels.shape:
        raise ValueError(
            f"accuracy: predictions of shape {tuple(pred.shape)} cannot be compared with "
            f"targets of shape {tuple(labels.shape)}"
        )
    return (pred == labels).sum()


def _batch_score(metric, out, y, loss_kind):
    """The metric summed over the batch (accuracy) or times the batch size (callables)."""
    if metric == "accuracy":
        return _correct(out, y, loss_kind)
    return float(metric(y, out)) * len(y)


# ---------------------------------------------------------------------------------------------
# Prediction and evaluation
# ---------------------------------------------------------------------------------------------


def predict(model: nn.Module, X, batch_size: int | None = None) -> torch.Tensor:
    """Run a model on ``X`` in evaluation mode, without a graph, and return its outputs.

    Taught in: Chapter 5, Architectures.

    The model is put in evaluation mode (``model.eval()``: dropout off, batch norm using
    its running statistics) for the call and back in the mode it was in afterwards.

    Parameters
    ----------
    model : torch.nn.Module
    X : tensor or array_like, first axis = samples; or a Dataset or DataLoader of
        ``(input, target)`` pairs (the targets are ignored)
    batch_size : int, optional
        Run the data through in chunks of this many samples; all at once by default
        (256 at a time for a Dataset).

    Returns
    -------
    torch.Tensor
        The raw outputs (logits for a classifier: ``.argmax(dim=1)`` gives labels).
    """
    _check_module(model, "predict")
    if batch_size is not None:
        batch_size = _check_count(batch_size, "predict: batch_size")
    if isinstance(X, (Dataset, DataLoader)):
        chunks = _batches(X, None, model, batch_size or 256, False, None, "predict")
        inputs = (batch[0] for batch in chunks)
    else:
        dtype, device = _param_dtype_device(model)
        X_t = _as_tensor(X, "predict: X", dtype, device, is_target=_embeds(model))
        step = batch_size or len(X_t)
        inputs = (X_t[i : i + step] for i in range(0, len(X_t), step))
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            return torch.cat([model(x) for x in inputs])
    finally:
        model.train(was_training)


def evaluate(
    model: nn.Module, loss_fn, X, y=None, metric="auto", batch_size: int = 256
) -> dict[str, float]:
    """Loss (and metric) of a model on a dataset, in evaluation mode, without a graph.

    Taught in: Chapter 5, Architectures.

    Parameters
    ----------
    model : torch.nn.Module
    loss_fn : callable
        ``loss_fn(outputs, targets)`` returns the mean loss of a batch as a scalar tensor.
    X, y : tensors or array_like
        Inputs and targets; or a Dataset or DataLoader as ``X`` with ``y=None``.
    metric : "auto", "accuracy", callable or None, default "auto"
        ``"auto"`` measures accuracy for classification losses (``CrossEntropyLoss``,
        ``NLLLoss``, ``BCEWithLogitsLoss``, ``BCELoss``) and nothing otherwise. A callable
        gets ``(y_batch, outputs)`` and returns a float (averaged over batches).
    batch_size : int, default 256
        Samples per forward pass.

    Returns
    -------
    dict
        ``{"loss": ..., "accuracy": ...}`` (the metric under its name, if any).
    """
    _check_module(model, "evaluate")
    batch_size = _check_count(batch_size, "evaluate: batch_size")
    metric = _resolve_metric(metric, loss_fn)
    data = _batches(X, y, model, batch_size, False, None, "evaluate")
    kind = _loss_kind(loss_fn)
    was_training = model.training
    model.eval()
    loss_sum, score_sum, seen = 0.0, 0.0, 0
    try:
        with torch.no_grad():
            for xb, yb in data:
                out = model(xb)
                loss_sum += float(loss_fn(out, yb)) * len(yb)
                if metric is not None:
                    score_sum += _batch_score(metric, out, yb, kind)
                seen += len(yb)
    finally:
        model.train(was_training)
    result = {"loss": loss_sum / seen}
    if metric is not None:
        result[_metric_name(metric)] = float(score_sum) / seen
    return result


# ---------------------------------------------------------------------------------------------
# The training loop
# ---------------------------------------------------------------------------------------------


def _progress_bar(epochs: int, enabled: bool):
    if not enabled:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:  # tqdm is optional: train without a bar
        return None
    return tqdm(total=epochs, desc="training", unit="epoch", leave=True)


def fit(
    model: nn.Module,
    loss_fn: Callable,
    optimizer: torch.optim.Optimizer,
    X,
    y=None,
    epochs: int = 10,
    batch_size: int = 32,
    validation=None,
    metric="auto",
    patience: int | None = None,
    restore_best: bool = True,
    clip_norm: float | None = None,
    scheduler=None,
    rng: int | torch.Generator | None = 0,
    progress: bool = False,
) -> History:
    """Train a torch model with mini-batches and return its :class:`~nnlib.train.History`.

    Taught in: Chapter 5, Architectures; used by every torch notebook.

    The twin of Chapter 4's :func:`nnlib.train.fit`, with the same arguments. Each epoch
    visits the training data once in a new random order; each mini-batch is one step (zero
    the gradients, forward, loss, backward, optional clipping, optimizer step). After each
    epoch the model is measured on the validation set in evaluation mode. Training loss and
    accuracy are averages over the epoch's mini-batches, measured while the weights were
    still changing (as Keras reports them); validation numbers use the weights at the end
    of the epoch. When it returns, the model is in evaluation mode.

    Parameters
    ----------
    model : torch.nn.Module
    loss_fn : callable
        ``loss_fn(model(X_batch), y_batch)`` returns a scalar tensor, such as
        ``torch.nn.CrossEntropyLoss()``.
    optimizer : torch.optim.Optimizer
        Built on ``model.parameters()``.
    X, y : tensors or array_like
        Training inputs and targets (integer labels for classification). Float arrays are
        converted to the model's dtype, and so are integer inputs, unless the model has an
        ``nn.Embedding`` (then they are token ids and become int64). Or pass a ``Dataset``
        or ``DataLoader`` of ``(input, target)`` pairs as ``X`` and leave ``y=None`` (a
        Dataset is batched and shuffled here; a DataLoader is used as it is).
    epochs : int, default 10
        The most epochs to run.
    batch_size : int, default 32
        Samples per step (ignored for a DataLoader).
    validation : (X_val, y_val), Dataset or DataLoader, optional
        Data measured after every epoch (never trained on).
    metric : "auto", "accuracy", callable or None, default "auto"
        ``"auto"`` records accuracy for classification losses (``CrossEntropyLoss``,
        ``NLLLoss``, ``BCEWithLogitsLoss``, ``BCELoss``) and nothing for the others (MSE,
        for example). A callable gets ``(y_batch, outputs)`` and returns a float.
    patience : int, optional
        Early stopping: stop after this many epochs without a new lowest validation loss
        (training loss without validation data). Off by default.
    restore_best : bool, default True
        With early stopping on, put back the weights of the best epoch at the end.
    clip_norm : float, optional
        Clip the global gradient norm to this value before each step
        (``torch.nn.utils.clip_grad_norm_``).
    scheduler : torch.optim.lr_scheduler.LRScheduler, optional
        Its ``step()`` is called once at the end of every epoch.
    rng : int, torch.Generator or None, default 0
        Seed or generator for the shuffling: the same seed gives the same order. (The
        initial weights and dropout use torch's global generator: seed it with
        :func:`nnlib.torch.setup.reproducible` before building the model.)
    progress : bool, default False
        Show a ``tqdm`` progress bar over the epochs (if tqdm is installed).

    Returns
    -------
    History
        ``history["loss"]``, ``["accuracy"]``, ``["val_loss"]``, ``["val_accuracy"]``,
        ``["lr"]`` per epoch, as present; ``best_epoch``, ``stopped_early``, ``diverged``,
        ``restored``; ``plot()`` draws the learning curves.

    Warns
    -----
    RuntimeWarning
        When training diverges: the loss becomes NaN or infinite, or grows past 1000 and a
        million times the first epoch's (training stops there, as in Chapter 4's loop).

    Examples
    --------
    >>> import torch
    >>> from torch import nn
    >>> from nnlib.torch.setup import reproducible
    >>> _ = reproducible(0)
    >>> X = torch.tensor([[0.0, 0], [0, 1], [1, 0], [1, 1]])
    >>> y = torch.tensor([0, 1, 1, 0])
    >>> model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 2))
    >>> opt = torch.optim.Adam(model.parameters(), lr=0.05)
    >>> h = fit(model, nn.CrossEntropyLoss(), opt, X, y, epochs=200, batch_size=4)
    >>> h.history["accuracy"][-1]
    1.0
    """
    _check_module(model, "fit")
    if not callable(loss_fn):
        raise TypeError(
            f"fit: loss_fn must be callable, such as nn.CrossEntropyLoss(); got {loss_fn!r}"
        )
    _check_optimizer(model, optimizer, scheduler)
    epochs = _check_count(epochs, "fit: epochs")
    batch_size = _check_count(batch_size, "fit: batch_size")
    if patience is not None:
        patience = _check_count(patience, "fit: patience")
    if clip_norm is not None and not (isinstance(clip_norm, (int, float)) and clip_norm > 0):
        raise ValueError(f"fit: clip_norm must be a positive number; got {clip_norm!r}")
    if isinstance(rng, torch.Generator):
        generator = rng
    elif rng is None:
        generator = None
    elif isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
        generator = torch.Generator().manual_seed(int(rng))
    else:
        raise TypeError(f"fit: rng must be an int seed, a torch.Generator or None; got {rng!r}")
    metric = _resolve_metric(metric, loss_fn)
    metric_name = _metric_name(metric) if metric is not None else None
    kind = _loss_kind(loss_fn)

    train_data = _batches(X, y, model, batch_size, True, generator, "fit")
    if validation is None:
        val_data = None
    elif isinstance(validation, (Dataset, DataLoader)):
        val_data = _batches(validation, None, model, 256, False, None, "fit: validation")
    elif isinstance(validation, (tuple, list)) and len(validation) == 2:
        val_data = _batches(*validation, model, 256, False, None, "fit: validation")
    else:
        raise TypeError(
            "fit: validation must be a pair (X_val, y_val), a Dataset, a DataLoader or None"
        )
    params = [p for p in model.parameters() if p.requires_grad]

    record: dict[str, list[float]] = {"loss": []}
    if metric_name:
        record[metric_name] = []
    if val_data is not None:
        record["val_loss"] = []
        if metric_name:
            record[f"val_{metric_name}"] = []
    record["lr"] = []
    history = History(record)
    monitor = "val_loss" if val_data is not None else "loss"
    best_value, best_state, waited = math.inf, None, 0
    keep_best = patience is not None and restore_best
    bar = _progress_bar(epochs, progress)

    try:
        for epoch in range(1, epochs + 1):
            record["lr"].append(float(optimizer.param_groups[0]["lr"]))
            model.train()
            loss_sum, score_sum, seen = 0.0, 0.0, 0
            for xb, yb in train_data:
                optimizer.zero_grad()
                out = model(xb)
                loss = loss_fn(out, yb)
                loss.backward()
                if clip_norm is not None:
                    nn.utils.clip_grad_norm_(params, clip_norm)
                optimizer.step()
                n = len(yb)
                loss_sum += loss.item() * n
                if metric_name:
                    with torch.no_grad():
                        score_sum += _batch_score(metric, out.detach(), yb, kind)
                seen += n
            record["loss"].append(loss_sum / seen)
            if metric_name:
                record[metric_name].append(float(score_sum) / seen)
            if _diverged(record["loss"]):  # NaN/inf, or a million-fold growth (as in Chapter 4)
                history.diverged = True
            if val_data is not None and not history.diverged:
                val = evaluate(model, loss_fn, val_data, metric=metric)
                record["val_loss"].append(val["loss"])
                if metric_name:
                    record[f"val_{metric_name}"].append(val[metric_name])
            if scheduler is not None:
                scheduler.step()
            if bar is not None:
                bar.update(1)
                bar.set_postfix({k: f"{v[-1]:.4f}" for k, v in record.items() if v and k != "lr"})
            if history.diverged:
                warnings.warn(
                    f"fit: the training loss became {record['loss'][-1]} in epoch {epoch}, so "
                    "training stopped; lower the learning rate or clip the gradients "
                    "(clip_norm=...)",
                    RuntimeWarning,
                    stacklevel=2,
                )
                break
            current = record[monitor][-1]
            if current < best_value:
                best_value, history.best_epoch, waited = current, epoch, 0
                if keep_best:
                    best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
            else:
                waited += 1
                if patience is not None and waited >= patience:
                    history.stopped_early = True
                    break
    finally:
        if bar is not None:
            bar.close()
        model.eval()

    if keep_best and best_state is not None and history.best_epoch != history.epochs:
        model.load_state_dict(best_state)
        history.restored = True
    return history
