"""A helper shared by the Chapter 7 checkers whose answers are batches shaped like the input."""

from __future__ import annotations

from nnlib.exercises import Fail, tensor_floats


def like_input(got, what: str, shape, hint: str):
    """The reader's tensor as floats, or :class:`Fail` unless it has the input's ``shape``."""
    got = tensor_floats(got, what)
    if got.shape != tuple(shape):
        raise Fail(
            f"{what} returned shape {got.shape}; expected {tuple(shape)}, the shape of x.", hint
        )
    return got
