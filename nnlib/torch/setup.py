"""One call that makes a torch run repeatable: seeds and thread count.

Taught in: Chapter 5, Architectures (from nnlib to PyTorch); used by every torch notebook.

Two runs of the same training code give the same numbers only if every source of
randomness starts from the same seed (torch's generator for initial weights, dropout and
shuffling; numpy's and Python's for anything else) and the arithmetic is done in the same
order. Several threads split a sum differently from one thread, and floating-point addition
is not associative, so the thread count is part of the recipe too.
"""

from __future__ import annotations

import random

import numpy as np
import torch

__all__ = ["reproducible"]


def reproducible(seed: int = 0, threads: int | None = 1) -> torch.Generator:
    """Seed torch, numpy and Python's ``random``, and fix torch's thread count.

    Taught in: Chapter 5, Architectures.

    Parameters
    ----------
    seed : int, default 0
        The seed for ``torch.manual_seed``, ``numpy.random.seed`` (the legacy global
        generator, which some libraries still use) and ``random.seed``.
    threads : int or None, default 1
        Threads for torch's CPU operations (``torch.set_num_threads``). One thread gives the
        same bits on every run; ``None`` leaves the setting alone.

    Returns
    -------
    torch.Generator
        A new generator seeded with ``seed``, for a ``DataLoader`` or ``torch.randn(...,
        generator=g)`` that should not share the global stream.

    Examples
    --------
    >>> g = reproducible(0)
    >>> a = torch.randn(3)
    >>> g = reproducible(0)
    >>> bool(torch.equal(a, torch.randn(3)))
    True
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"reproducible: seed must be a non-negative integer; got {seed!r}")
    if threads is not None:
        if isinstance(threads, bool) or not isinstance(threads, (int, np.integer)) or threads < 1:
            raise ValueError(f"reproducible: threads must be a positive integer; got {threads!r}")
        torch.set_num_threads(int(threads))
    torch.manual_seed(int(seed))
    np.random.seed(int(seed) % 2**32)  # noqa: NPY002 - the legacy global generator, on purpose
    random.seed(int(seed))
    return torch.Generator().manual_seed(int(seed))
