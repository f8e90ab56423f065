"""The torch half of nnlib: everything that needs PyTorch, for Chapters 5-7.

``import nnlib`` never imports torch; ``import nnlib.torch`` does not either, until one of
its submodules is used (each loads on first access, like the modules of ``nnlib``)::

    from nnlib.torch.setup import reproducible
    from nnlib.torch.train import fit

Modules (and the chapter that teaches each):

- ``setup``: seeds and threads for reproducible torch runs (every torch chapter).
- ``train``: the one training loop of the torch chapters, with the same names and
  ``History`` as the numpy loop of Chapter 4.
- The from-scratch building blocks of Chapter 5, Architectures, each tested against its
  ``torch.nn`` twin (or an independent computation): ``recurrent`` (RNN, LSTM and GRU
  cells), ``norm`` (batch and layer normalisation), ``residual`` (skip connections),
  ``autoencoder`` (autoencoders and the VAE), ``gan`` (generative adversarial networks),
  ``attention`` (scaled dot-product and multi-head attention, positional encodings),
  ``transformer`` (a small encoder), ``unet`` (segmentation) and ``graph`` (graph
  convolutions).
- ``models``: small reference models several notebooks share (the digits CNN of
  Chapter 5, reused in Chapter 7) and the digits as image tensors.
- Chapter 6, Applications: ``factorization`` (matrix factorisation for recommendations),
  ``serve`` (saving without pickle, loading in a fresh process, a predictor that checks its
  input), ``vision`` (image folders and torchvision-style augmentation) and ``rl`` (rollouts,
  discounted returns and the REINFORCE loss, for any Gymnasium-style environment).
- Chapter 7, Frontiers: ``transfer`` (class subsets, few-shot draws, freezing),
  ``contrastive`` (SimCLR views and the NT-Xent loss), ``adversarial`` (FGSM, PGD,
  adversarial training batches), ``attribution`` (saliency, gradient x input, integrated
  gradients, occlusion), ``compression`` (sizes, sparsity, int8 layers, distillation),
  ``federated`` (client splits and FedAvg), ``distributed`` and ``ddp_demo`` (launching
  gloo process groups; data-parallel training checked against one process) and ``flops``
  (multiply-adds counted with hooks).
"""

from __future__ import annotations

import importlib
import pkgutil


def _submodules() -> frozenset[str]:
    return frozenset(info.name for info in pkgutil.iter_modules(__path__) if info.name[0] != "_")


def __getattr__(name: str):
    if name in _submodules():
        module = importlib.import_module(f"{__name__}.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'nnlib.torch' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | _submodules())
