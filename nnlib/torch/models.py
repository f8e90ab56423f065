"""Small reference models that several torch notebooks share, so each is defined once.

Taught in: Chapter 5, Architectures (the digits CNN of ``03_cnn_digits``); reused in
Chapter 7, Frontiers (transfer learning, adversarial examples, explainability, compression,
federated and distributed training).

- :func:`digits_cnn`: two convolution blocks and a linear head for 8x8 one-channel images.
- :func:`digits_tensors`: scikit-learn's digits as ``(N, 1, 8, 8)`` float tensors in
  ``[0, 1]`` and int64 labels, split into train, validation and test sets.

Examples
--------
>>> model = digits_cnn()
>>> tuple(model(torch.zeros(2, 1, 8, 8)).shape)
(2, 10)
"""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import nn

__all__ = ["DigitsSplit", "digits_cnn", "digits_tensors"]


def digits_cnn(
    n_classes: int = 10, width: int = 16, dtype=torch.float32, seed: int | None = None
) -> nn.Sequential:
    """A small CNN for 8x8 grey images: conv-ReLU-pool twice, then a linear classifier.

    Taught in: Chapter 5, Architectures (``03_cnn_digits``); reused in Chapter 7.

    Parameters
    ----------
    n_classes : int, default 10
        Outputs (logits) of the last layer.
    width : int, default 16
        Channels of the first convolution; the second has ``2 * width``.
    dtype : torch.dtype, default torch.float32
        Parameter type (``torch.float64`` for results that must not depend on the CPU).
    seed : int, optional
        Draw the initial weights from a generator seeded with ``seed``, leaving torch's
        global random state untouched (for fixed test models); by default they come from
        the global state, like any ``torch.nn`` layer.

    Returns
    -------
    torch.nn.Sequential
        Layers ``Conv2d(1, w, 3, padding=1), ReLU, MaxPool2d(2), Conv2d(w, 2w, 3, padding=1),
        ReLU, MaxPool2d(2), Flatten, Linear(2w * 2 * 2, n_classes)``. The first six layers
        are the features (``model[:7]`` ends with the flattened feature vector) and the last
        one is the head, so ``model[-1]`` can be replaced for a new task.
    """
    for name, value in (("n_classes", n_classes), ("width", width)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"digits_cnn: {name} must be a positive int, got {value!r}")
    if seed is not None:
        with torch.random.fork_rng():
            torch.manual_seed(seed)
            return digits_cnn(n_classes, width, dtype)
    return nn.Sequential(
        nn.Conv2d(1, width, kernel_size=3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(width, 2 * width, kernel_size=3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(2 * width * 2 * 2, n_classes),
    ).to(dtype)


class DigitsSplit(NamedTuple):
    """The result of :func:`digits_tensors`; unpacks as six tensors."""

    X_train: torch.Tensor
    y_train: torch.Tensor
    X_val: torch.Tensor
    y_val: torch.Tensor
    X_test: torch.Tensor
    y_test: torch.Tensor


def digits_tensors(
    val: float = 0.15, test: float = 0.15, rng: int = 0, dtype=torch.float32
) -> DigitsSplit:
    """scikit-learn's 1,797 digits as image tensors, split (stratified) three ways.

    Taught in: Chapter 5, Architectures; reused in Chapter 7, Frontiers. Nothing is
    downloaded: the images ship with scikit-learn.

    Parameters
    ----------
    val, test : float, default 0.15
        Fractions of the images in the validation and test sets.
    rng : int, default 0
        Seed of the shuffle, so every notebook that asks gets the same split.
    dtype : torch.dtype, default torch.float32
        Type of the image tensors.

    Returns
    -------
    DigitsSplit
        ``X_*`` of shape ``(n, 1, 8, 8)`` with pixels in ``[0, 1]``, ``y_*`` int64 labels.
    """
    from nnlib.data import load_digits, train_val_test_split

    X, y = load_digits(flatten=False)
    parts = train_val_test_split(X[:, None], y, val=val, test=test, rng=rng)
    tensors = []
    for i, part in enumerate(parts):
        tensors.append(torch.as_tensor(part, dtype=dtype if i % 2 == 0 else torch.int64))
    return DigitsSplit(*tensors)
