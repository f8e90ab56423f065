"""Checkers for the exercises of Chapter 4, Learning.

Two engineers write this file's two halves: notebooks 01-03 (losses, gradient descent,
automatic differentiation) and notebooks 04-07 (backpropagation in matrix form, optimizers,
training practice).
"""

from __future__ import annotations

import numpy as np

from nnlib.exercises import Fail, exercise, expect_close

__all__: list[str] = []

# --- Notebooks 01-03: losses, gradient descent, autograd ------------------------------------

# --- Notebooks 04-07: backpropagation, optimizers, training practice ------------------------
