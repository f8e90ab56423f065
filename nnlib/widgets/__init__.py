"""Interactive widgets for the notebooks, one module per widget.

Each widget works with ipywidgets 7.7 (what Colab ships) and 8.x. Every module also offers
a static figure of a few representative settings for readers of the HTML book, where no
Python runs. The modules load on first use, so ``import nnlib.widgets`` imports neither
ipywidgets nor matplotlib.

ipywidgets and IPython are an optional extra of nnlib, needed only to build a live widget
(the static figures work without them): ``pip install "nnlib[widgets]"``.
"""

from __future__ import annotations

import importlib

__all__ = ["activation", "attention", "conv", "descent", "neuron"]


def require_ipywidgets():
    """Import and return ``ipywidgets``, or raise an ImportError that says how to install it.

    Every widget calls this before it builds its controls. ipywidgets (with IPython) is the
    optional extra ``widgets`` of nnlib: Jupyter, Colab and Binder have it already.

    Raises
    ------
    ImportError
        ipywidgets or IPython is not installed.
    """
    try:
        import IPython  # noqa: F401  (display() comes from IPython)
        import ipywidgets
    except ImportError as err:
        raise ImportError(
            f"nnlib.widgets needs ipywidgets and IPython, which are not installed ({err}); "
            'install them with: pip install "nnlib[widgets]" (or pip install ipywidgets)'
        ) from None
    return ipywidgets


def __getattr__(name: str):
    if name in __all__:
        module = importlib.import_module(f"{__name__}.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'nnlib.widgets' has no attribute {name!r}")
