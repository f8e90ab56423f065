"""Transfer learning: reuse a network trained on one task as the start of another.

Taught in: Chapter 7, Frontiers (``01_transfer``).

A network trained on a *source* task (here: digits 0-4) has learnt features (edges, strokes,
loops) that may help on a *target* task (digits 5-9) for which there are only a few labels.
Three small pieces set such an experiment up:

- :func:`select_classes`: keep the samples of some classes and renumber their labels
  ``0 .. k-1``, to carve a source and a target task out of one labelled data set;
- :func:`few_shot`: draw ``n`` labelled examples per class, the way a new task with few labels
  looks;
- :func:`transfer_model`: a copy of a trained network with a new, freshly initialised head for
  the new classes, and its features frozen (``requires_grad=False``) or left trainable;
  :func:`freeze` is the freezing step on its own.

Examples
--------
>>> import torch
>>> from nnlib.torch.models import digits_cnn
>>> source = digits_cnn(n_classes=5)
>>> target = transfer_model(source, n_classes=5, freeze_features=True)
>>> [p.requires_grad for p in target.parameters()]
[False, False, False, False, True, True]
"""

from __future__ import annotations

import copy

import numpy as np
import torch
from torch import nn

__all__ = ["few_shot", "freeze", "select_classes", "transfer_model"]


def _labels_array(y, where: str) -> np.ndarray:
    arr = y.detach().cpu().numpy() if isinstance(y, torch.Tensor) else np.asarray(y)
    if arr.ndim != 1:
        raise ValueError(f"{where}: labels must be one-dimensional; got shape {arr.shape}")
    if arr.size and not np.issubdtype(arr.dtype, np.integer):
        raise TypeError(f"{where}: labels must be integers; got dtype {arr.dtype}")
    return arr


def _take(X, index: np.ndarray):
    if isinstance(X, torch.Tensor):
        return X[torch.as_tensor(index, dtype=torch.int64, device=X.device)]
    return np.asarray(X)[index]


def _relabel(y, y_new: np.ndarray):
    if isinstance(y, torch.Tensor):
        return torch.as_tensor(y_new, dtype=y.dtype, device=y.device)
    return y_new


def select_classes(X, y, classes):
    """The samples of the given classes, with labels renumbered ``0 .. len(classes) - 1``.

    Taught in: Chapter 7, Frontiers (transfer learning).

    Parameters
    ----------
    X : torch.Tensor or array_like
        Inputs, one sample per row (any shape after the first axis).
    y : torch.Tensor or array_like of int
        Labels, shape ``(n,)``.
    classes : sequence of int
        The classes to keep, in the order of their new labels: ``classes=[5, 6]`` maps label
        5 to 0 and 6 to 1.

    Returns
    -------
    X_sub, y_sub
        Of the same types as ``X`` and ``y``; the samples keep their order.

    Examples
    --------
    >>> X, y = torch.arange(6.0), torch.tensor([0, 1, 2, 0, 1, 2])
    >>> select_classes(X, y, [2, 0])
    (tensor([0., 2., 3., 5.]), tensor([1, 0, 1, 0]))
    """
    labels = _labels_array(y, "select_classes")
    if len(X) != len(labels):
        raise ValueError(f"select_classes: X has {len(X)} samples but y has {len(labels)} labels")
    classes = [int(c) for c in classes]
    if not classes or len(set(classes)) != len(classes):
        raise ValueError(f"select_classes: classes must be distinct and non-empty; got {classes}")
    missing = [c for c in classes if not np.any(labels == c)]
    if missing:
        raise ValueError(f"select_classes: no samples of class(es) {missing}")
    new_label = {c: i for i, c in enumerate(classes)}
    keep = np.flatnonzero(np.isin(labels, classes))
    y_new = np.array([new_label[int(c)] for c in labels[keep]], dtype=labels.dtype)
    return _take(X, keep), _relabel(y, y_new)


def few_shot(X, y, per_class: int, rng=0):
    """Draw ``per_class`` examples of every class, without replacement.

    Taught in: Chapter 7, Frontiers (transfer learning).

    Parameters
    ----------
    X : torch.Tensor or array_like
        Inputs, one sample per row.
    y : torch.Tensor or array_like of int
        Labels, shape ``(n,)``.
    per_class : int
        Examples to draw from each class present in ``y``.
    rng : int or numpy.random.Generator, default 0
        The seed (or generator) of the draw: different seeds give different small training
        sets, which is how to average over the luck of the draw.

    Returns
    -------
    X_few, y_few
        ``per_class * n_classes`` samples of the same types as ``X`` and ``y``, grouped by
        class in increasing label order.
    """
    labels = _labels_array(y, "few_shot")
    if len(X) != len(labels):
        raise ValueError(f"few_shot: X has {len(X)} samples but y has {len(labels)} labels")
    if isinstance(per_class, bool) or not isinstance(per_class, (int, np.integer)) or per_class < 1:
        raise ValueError(f"few_shot: per_class must be a positive int; got {per_class!r}")
    rng = np.random.default_rng(rng)
    chosen = []
    for c in np.unique(labels):
        members = np.flatnonzero(labels == c)
        if len(members) < per_class:
            raise ValueError(
                f"few_shot: class {c} has only {len(members)} samples; asked for {per_class}"
            )
        chosen.append(rng.choice(members, size=per_class, replace=False))
    index = np.concatenate(chosen)
    return _take(X, index), _take(y, index)


def freeze(module: nn.Module) -> nn.Module:
    """Stop training ``module``'s parameters: ``requires_grad = False`` on every one.

    Taught in: Chapter 7, Frontiers (transfer learning).

    A frozen parameter gets no gradient in ``backward()``, so an optimizer leaves it alone
    (and backpropagation stops early, which saves time). Layers whose behaviour differs
    between training and evaluation (batch normalisation, dropout) also need ``.eval()`` to
    be fully frozen; the digits CNN has none.

    Returns
    -------
    torch.nn.Module
        The same module (changed in place), for chaining.
    """
    if not isinstance(module, nn.Module):
        raise TypeError(f"freeze: expected a torch.nn.Module; got {type(module).__name__}")
    for p in module.parameters():
        p.requires_grad_(False)
    return module


def transfer_model(
    pretrained: nn.Sequential, n_classes: int, freeze_features: bool = True
) -> nn.Sequential:
    """A copy of a trained network with a new head for ``n_classes`` classes.

    Taught in: Chapter 7, Frontiers (transfer learning).

    The last layer of ``pretrained`` must be an ``nn.Linear`` (the head); every layer before
    it is the feature extractor. The copy keeps the features' trained weights and gets a new
    ``nn.Linear(in_features, n_classes)``, initialised at random by torch's default (so seed
    torch first for a repeatable run). ``pretrained`` itself is not changed.

    Parameters
    ----------
    pretrained : torch.nn.Sequential
        The source network, for example :func:`nnlib.torch.models.digits_cnn` after training.
    n_classes : int
        Classes of the target task.
    freeze_features : bool, default True
        ``True``: only the new head trains (the features are a fixed function, "feature
        extraction"). ``False``: every layer trains ("fine-tuning").

    Returns
    -------
    torch.nn.Sequential
    """
    if not isinstance(pretrained, nn.Sequential) or not isinstance(pretrained[-1], nn.Linear):
        raise TypeError(
            "transfer_model: pretrained must be an nn.Sequential whose last layer is an "
            f"nn.Linear head; got {type(pretrained).__name__}"
        )
    if isinstance(n_classes, bool) or not isinstance(n_classes, int) or n_classes < 1:
        raise ValueError(f"transfer_model: n_classes must be a positive int; got {n_classes!r}")
    model = copy.deepcopy(pretrained)
    old = model[-1]
    for p in model.parameters():  # a copy of a frozen network starts trainable again
        p.requires_grad_(True)
    if freeze_features:
        freeze(model[:-1])
    model[-1] = nn.Linear(old.in_features, n_classes).to(old.weight.dtype)
    return model
