"""Shared test fixtures and paths."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

try:
    from hypothesis import settings

    # Derandomized (the same examples every run) and no per-example deadline: CI runs on a
    # shared 2-core machine where timings vary, and a property test must not flake.
    settings.register_profile("nnbook", derandomize=True, deadline=None, max_examples=60)
    settings.load_profile("nnbook")
except ImportError:  # hypothesis is in requirements.txt; tolerate its absence elsewhere
    pass


def numerical_grad(f, x, eps=1e-6):
    """Central differences of the scalar function ``f()`` with respect to the array ``x``.

    ``f`` takes no argument: it reads ``x`` (an input, or a parameter's ``.data``) in place.
    The differences themselves are :func:`nnlib.gradcheck.numerical_gradient`'s.
    """
    from nnlib.gradcheck import numerical_gradient

    def f_at(values):
        original = x.copy()
        x[...] = values
        try:
            return f()
        finally:
            x[...] = original

    return numerical_gradient(f_at, x, eps)


@pytest.fixture
def close_figures():
    """Close every matplotlib figure after the test, so figures do not pile up in pyplot.

    Use it in a module with ``pytestmark = pytest.mark.usefixtures("close_figures")``.
    """
    yield
    import matplotlib.pyplot as plt

    plt.close("all")
