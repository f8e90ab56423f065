"""Federated learning by federated averaging (FedAvg), simulated on one machine.

Taught in: Chapter 7, Frontiers (federated learning).

In federated learning the data stay where they were collected (phones, hospitals) and only
model weights travel. Each **round** of FedAvg (McMahan et al., 2017):

1. the server sends the current global weights to the clients taking part;
2. each client trains a copy on its own data for a few local epochs (:func:`client_update`);
3. the server replaces the global weights by the average of the clients' weights, each
   weighted by the client's number of examples (:func:`average_states`).

:func:`fedavg_round` runs one round and :func:`fedavg` runs several, measuring the global
model after each. The splits simulate how the data are spread over the clients:
:func:`split_iid` (every client a random sample of everything), :func:`split_by_label` (each
client holds only a few classes, the "pathological" non-IID split of McMahan et al.) and
:func:`split_dirichlet` (label proportions drawn from a Dirichlet distribution, a milder,
tunable skew). :func:`label_counts` tabulates the classes each client holds.

Examples
--------
>>> from torch import nn
>>> parts = split_iid(100, n_clients=4, rng=0)
>>> [len(p) for p in parts]
[25, 25, 25, 25]
>>> a, b = nn.Linear(2, 1), nn.Linear(2, 1)
>>> avg = average_states([a.state_dict(), b.state_dict()], weights=[1, 3])
>>> torch.allclose(avg["bias"], (a.bias + 3 * b.bias).detach() / 4)
True
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence

import numpy as np
import torch
from torch import nn

__all__ = [
    "average_states",
    "client_update",
    "fedavg",
    "fedavg_round",
    "label_counts",
    "split_by_label",
    "split_dirichlet",
    "split_iid",
]


def _check_clients(n: int, n_clients: int) -> None:
    if isinstance(n_clients, bool) or not isinstance(n_clients, int) or n_clients < 1:
        raise ValueError(f"n_clients must be a positive int, got {n_clients!r}")
    if n_clients > n:
        raise ValueError(f"cannot split {n} examples over {n_clients} clients")


def _labels(labels) -> np.ndarray:
    y = labels.numpy() if isinstance(labels, torch.Tensor) else np.asarray(labels)
    if y.ndim != 1 or not np.issubdtype(y.dtype, np.integer):
        raise ValueError(
            f"labels must be a 1-d array of ints, got dtype {y.dtype}, shape {y.shape}"
        )
    return y


def split_iid(n: int, n_clients: int, rng=0) -> list[np.ndarray]:
    """Shuffle the indices ``0 .. n-1`` and deal them out to ``n_clients`` equal parts.

    Taught in: Chapter 7, Frontiers (federated learning).

    Parameters
    ----------
    n : int
        Number of examples.
    n_clients : int
        Number of parts; their sizes differ by at most one.
    rng : int or numpy.random.Generator, default 0

    Returns
    -------
    list of numpy.ndarray
        One array of indices per client; together they hold every index exactly once.
    """
    _check_clients(n, n_clients)
    order = np.random.default_rng(rng).permutation(n)
    return [np.sort(part) for part in np.array_split(order, n_clients)]


def split_by_label(labels, n_clients: int, classes_per_client: int = 2, rng=0) -> list[np.ndarray]:
    """The "shards" split: each client gets a few label-sorted shards, so only a few classes.

    Taught in: Chapter 7, Frontiers (federated learning).

    The indices are sorted by label (ties in random order) and cut into
    ``n_clients * classes_per_client`` equal shards; each client gets ``classes_per_client``
    shards drawn at random, as in McMahan et al. (2017). A client therefore holds at most
    ``classes_per_client`` classes (a shard that straddles a class boundary adds one more).

    Parameters
    ----------
    labels : array_like of int, shape (n,)
    n_clients : int
    classes_per_client : int, default 2
        Shards per client.
    rng : int or numpy.random.Generator, default 0

    Returns
    -------
    list of numpy.ndarray
        One sorted array of indices per client, a partition of ``range(n)``.
    """
    y = _labels(labels)
    if isinstance(classes_per_client, bool) or not isinstance(classes_per_client, int):
        raise ValueError(f"classes_per_client must be a positive int, got {classes_per_client!r}")
    if classes_per_client < 1:
        raise ValueError(f"classes_per_client must be a positive int, got {classes_per_client!r}")
    _check_clients(len(y), n_clients * classes_per_client)
    gen = np.random.default_rng(rng)
    order = np.lexsort((gen.random(len(y)), y))  # by label, ties shuffled
    shards = np.array_split(order, n_clients * classes_per_client)
    deal = gen.permutation(len(shards)).reshape(n_clients, classes_per_client)
    return [np.sort(np.concatenate([shards[s] for s in row])) for row in deal]


def split_dirichlet(labels, n_clients: int, alpha: float, rng=0) -> list[np.ndarray]:
    """Label skew: each class is shared out over the clients in Dirichlet proportions.

    Taught in: Chapter 7, Frontiers (federated learning).

    For every class, proportions ``p ~ Dirichlet(alpha, ..., alpha)`` over the clients are
    drawn and the class's (shuffled) examples are cut in those proportions. A small
    ``alpha`` (0.1) gives each client a few dominant classes and unequal sizes; a large one
    (100) approaches the IID split.

    Parameters
    ----------
    labels : array_like of int, shape (n,)
    n_clients : int
    alpha : float
        Concentration, > 0.
    rng : int or numpy.random.Generator, default 0

    Returns
    -------
    list of numpy.ndarray
        One sorted array of indices per client, a partition of ``range(n)`` (a client may
        get few examples, or none, when ``alpha`` is small).
    """
    y = _labels(labels)
    _check_clients(len(y), n_clients)
    if not np.isfinite(alpha) or alpha <= 0:
        raise ValueError(f"alpha must be a positive number, got {alpha!r}")
    gen = np.random.default_rng(rng)
    parts: list[list[np.ndarray]] = [[] for _ in range(n_clients)]
    for c in np.unique(y):
        idx = gen.permutation(np.flatnonzero(y == c))
        cuts = (np.cumsum(gen.dirichlet(np.full(n_clients, alpha)))[:-1] * len(idx)).astype(int)
        for k, piece in enumerate(np.split(idx, cuts)):
            parts[k].append(piece)
    return [np.sort(np.concatenate(p)) for p in parts]


def label_counts(labels, parts: Sequence[np.ndarray], n_classes: int | None = None) -> np.ndarray:
    """How many examples of each class every client holds.

    Taught in: Chapter 7, Frontiers (federated learning).

    Returns
    -------
    numpy.ndarray of int, shape (n_clients, n_classes)
    """
    y = _labels(labels)
    n_classes = int(y.max()) + 1 if n_classes is None else n_classes
    return np.stack([np.bincount(y[np.asarray(p, dtype=int)], minlength=n_classes) for p in parts])


def average_states(states: Sequence[dict], weights: Sequence[float] | None = None) -> dict:
    """The weighted average of several ``state_dict``\\ s of the same architecture.

    Taught in: Chapter 7, Frontiers (federated learning): the server step of FedAvg.

    Parameters
    ----------
    states : sequence of dict
        ``model.state_dict()`` of each client, all with the same keys and shapes.
    weights : sequence of float, optional
        One non-negative weight per state, usually the client's number of examples; they
        are normalised to sum to 1. Equal weights by default.

    Returns
    -------
    dict
        For every key, ``sum_k w_k * state_k[key] / sum_k w_k``. Floating-point tensors are
        averaged in their own dtype; integer buffers (such as batch norm's
        ``num_batches_tracked``) are taken from the first state.
    """
    if len(states) == 0:
        raise ValueError("average_states needs at least one state")
    weights = np.ones(len(states)) if weights is None else np.asarray(weights, dtype=float)
    if weights.shape != (len(states),):
        raise ValueError(f"got {len(states)} states but weights of shape {weights.shape}")
    if np.any(weights < 0) or not np.all(np.isfinite(weights)) or weights.sum() <= 0:
        raise ValueError(f"weights must be non-negative with a positive sum, got {weights}")
    keys = list(states[0])
    for i, state in enumerate(states[1:], start=1):
        if list(state) != keys:
            raise ValueError(f"state {i} has keys {list(state)}, state 0 has {keys}")
        for key in keys:
            if state[key].shape != states[0][key].shape:
                raise ValueError(
                    f"{key!r} has shape {tuple(state[key].shape)} in state {i} "
                    f"and {tuple(states[0][key].shape)} in state 0"
                )
    weights = weights / weights.sum()
    average = {}
    for key in keys:
        first = states[0][key]
        if not torch.is_floating_point(first):
            average[key] = first.clone()
            continue
        total = torch.zeros_like(first)
        for w, state in zip(weights, states, strict=True):
            total += float(w) * state[key]
        average[key] = total
    return average


def client_update(
    model: nn.Module,
    X,
    y,
    epochs: int = 1,
    lr: float = 0.1,
    batch_size: int = 16,
    loss_fn: Callable | None = None,
    rng: int = 0,
) -> dict:
    """A client's part of a round: train a copy of the global model on local data.

    Taught in: Chapter 7, Frontiers (federated learning).

    The copy is trained with plain SGD through :func:`nnlib.torch.train.fit`; ``model``
    itself is left unchanged.

    Returns
    -------
    dict
        The trained copy's ``state_dict``.
    """
    from nnlib.torch.train import fit

    local = copy.deepcopy(model)
    optimizer = torch.optim.SGD(local.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss() if loss_fn is None else loss_fn
    fit(local, loss_fn, optimizer, X, y, epochs=epochs, batch_size=batch_size, rng=rng)
    return local.state_dict()


def fedavg_round(
    model: nn.Module,
    clients: Sequence[tuple],
    epochs: int = 1,
    lr: float = 0.1,
    batch_size: int = 16,
    fraction: float = 1.0,
    loss_fn: Callable | None = None,
    rng=0,
) -> nn.Module:
    """One round of FedAvg: local training on (a fraction of) the clients, then averaging.

    Taught in: Chapter 7, Frontiers (federated learning).

    Parameters
    ----------
    model : torch.nn.Module
        The global model; its weights are replaced by the average (in place).
    clients : sequence of (X, y)
        Each client's local data.
    epochs, lr, batch_size
        Local training (:func:`client_update`).
    fraction : float, default 1.0
        Share of the clients chosen at random to take part (at least one).
    loss_fn : callable, optional
        Default ``CrossEntropyLoss()``.
    rng : int or numpy.random.Generator, default 0
        Chooses the clients and seeds their shuffles.

    Returns
    -------
    torch.nn.Module
        ``model``, now holding the weighted average of the clients' weights.
    """
    if len(clients) == 0:
        raise ValueError("fedavg_round needs at least one client")
    if not 0 < fraction <= 1:
        raise ValueError(f"fraction must be in (0, 1], got {fraction!r}")
    gen = np.random.default_rng(rng)
    n_chosen = max(1, round(fraction * len(clients)))
    chosen = np.sort(gen.choice(len(clients), size=n_chosen, replace=False))
    seeds = gen.integers(0, 2**31 - 1, size=len(clients))
    states, sizes = [], []
    for k in chosen:
        X, y = clients[k]
        if len(y) == 0:
            continue  # nothing to train on: this client sends nothing
        states.append(client_update(model, X, y, epochs, lr, batch_size, loss_fn, int(seeds[k])))
        sizes.append(len(y))
    if states:
        model.load_state_dict(average_states(states, sizes))
    return model


def fedavg(
    model: nn.Module,
    clients: Sequence[tuple],
    rounds: int,
    validation: tuple,
    epochs: int = 1,
    lr: float = 0.1,
    batch_size: int = 16,
    fraction: float = 1.0,
    loss_fn: Callable | None = None,
    rng: int = 0,
) -> list[float]:
    """Run ``rounds`` rounds of :func:`fedavg_round` and measure the global model after each.

    Taught in: Chapter 7, Frontiers (federated learning).

    Parameters
    ----------
    validation : (X, y)
        Data the global model's accuracy is measured on after every round.
    rng : int, default 0
        Round ``r`` uses the seed ``(rng, r)``.

    Returns
    -------
    list of float
        Accuracy of the global model on ``validation`` after each round.
    """
    from nnlib.torch.train import predict

    if isinstance(rounds, bool) or not isinstance(rounds, int) or rounds < 1:
        raise ValueError(f"rounds must be a positive int, got {rounds!r}")
    X_val, y_val = validation
    y_val = torch.as_tensor(y_val)
    accuracies = []
    for r in range(rounds):
        round_rng = np.random.default_rng([rng, r])
        fedavg_round(model, clients, epochs, lr, batch_size, fraction, loss_fn, round_rng)
        predicted = predict(model, X_val).argmax(dim=1)
        accuracies.append(float((predicted == y_val).double().mean()))
    return accuracies
