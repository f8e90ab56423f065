"""Interactive widgets for the notebooks, one module per widget.

Each widget works with ipywidgets 7.7 (what Colab ships) and 8.x. Every module also offers
a static figure of a few representative settings for readers of the HTML book, where no
Python runs. The modules load on first use, so ``import nnlib.widgets`` imports neither
ipywidgets nor matplotlib.
"""

from __future__ import annotations

import importlib

__all__ = ["activation", "descent", "neuron"]


def __getattr__(name: str):
    if name in __all__:
        module = importlib.import_module(f"{__name__}.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'nnlib.widgets' has no attribute {name!r}")
