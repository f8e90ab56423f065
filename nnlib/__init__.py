"""nnlib: the companion library of the course *Neural Networks, Run and Checked*.

Small modules, one idea each, written to be read beside the chapter that teaches them.
The core is numpy only; nothing here imports torch, and ``import nnlib`` stays cheap
because every submodule is loaded on first use::

    import nnlib
    nnlib.activations.relu([-1.0, 2.0])   # loads nnlib.activations now

Modules (and the chapter that teaches each):

- ``history``, ``neurons``: Chapter 1, History.
- ``neuron_model``: Chapter 2, Neurons and networks.
- ``activations``, ``gradient_flow``: Chapter 3, Activation functions.
- ``autograd``, ``gradcheck``, ``layers``, ``losses``, ``init``, ``optim``, ``schedules``,
  ``train``: Chapter 4, Learning.
- ``surfaces``: Chapter 4 (loss landscapes for gradient descent and optimizers).
- ``conv``: Chapter 5, Architectures (convolution and pooling by hand, in numpy).
- ``segmentation``, ``architectures``: Chapter 5, Architectures (generated shapes and masks
  for the U-Net, IoU; the comparison table of the architectures).
- ``torch``: the subpackage for everything that needs PyTorch (Chapters 5-7); loaded, like
  torch itself, only when used.
- ``mnist``: Chapter 6, Applications (MNIST for readers with a network; never used offline).
- ``recommend``: Chapter 6, Applications (ratings generated from hidden factors, the bias
  baseline, RMSE).
- ``pets``: Chapter 6, Applications (generated cartoon cats and dogs; writing an image set
  to class folders).
- ``text``: Chapter 6, Applications (tokens and vocabularies, padding, next-character
  windows, generated reviews with negation, a public-domain novel shipped in
  ``nnlib/corpora``).
- ``fairness``: Chapter 7, Frontiers (group rates, demographic-parity and equalised-odds
  gaps, per-group thresholds).
- ``search``: Chapter 7, Frontiers (a search space of small networks, random search and
  regularised evolution).
- ``spiking``: Chapter 7, Frontiers (integrate-and-fire layers, a ReLU network run as a
  rate-coded spiking network, synaptic events).
- ``data``, ``metrics``, ``plot``: used throughout.
- ``widgets``, ``exercises``: the interactive parts of every chapter.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

_SUBMODULES = frozenset(
    {
        "activations",
        "architectures",
        "autograd",
        "conv",
        "data",
        "exercises",
        "fairness",
        "gradcheck",
        "gradient_flow",
        "history",
        "init",
        "layers",
        "losses",
        "metrics",
        "mnist",
        "neuron_model",
        "neurons",
        "optim",
        "pets",
        "plot",
        "recommend",
        "schedules",
        "search",
        "segmentation",
        "spiking",
        "surfaces",
        "text",
        "torch",
        "train",
        "widgets",
    }
)

# ``nnlib.torch`` stays out of ``from nnlib import *``: the name would shadow torch itself.
__all__ = ["__version__", *sorted(_SUBMODULES - {"torch"})]


def __getattr__(name: str):
    if name in _SUBMODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'nnlib' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | _SUBMODULES)
