"""Checkers of Chapter 6, from notebook to use: typical wrong answers get their hint."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from exercise_helpers import assert_hint, assert_passes, rejected

from nnlib.exercises import reference_solution


def _validator(*, shape=True, channels=True, dtype=True, nan=True, low=True, strict=False):
    def validate_batch(x):
        if x.ndim != 4 or len(x) == 0:
            raise ValueError("axes")
        if channels and x.shape[1] != 1:
            raise ValueError("channels")
        if shape and x.shape[2:] != (8, 8):
            raise ValueError("size")
        if dtype and not np.issubdtype(x.dtype, np.floating):
            raise TypeError("dtype")
        if nan and np.isnan(x).any():
            raise ValueError("nan")
        if strict and (x.min() <= 0 or x.max() >= 1):
            raise ValueError("range")
        if (low and x.min() < 0) or x.max() > 1:
            raise ValueError("range")
        return x

    return validate_batch


def test_full_validator_passes():
    assert_passes("ch06.validate_batch", _validator())


@pytest.mark.parametrize(
    "flag, fragment",
    [
        ("shape", "each image must be 8x8"),
        ("channels", "axis 1"),
        ("dtype", "TypeError"),
        ("nan", "NaN fails every comparison"),
        ("low", "the minimum too"),
    ],
)
def test_validator_missing_a_check(flag, fragment):
    assert_hint(rejected("ch06.validate_batch", _validator(**{flag: False})), fragment)


def test_validator_rejects_the_edges():
    assert_hint(rejected("ch06.validate_batch", _validator(strict=True)), "not <= and >=")


def test_validator_wrong_error_type():
    def value_error_for_dtype(x):
        if not np.issubdtype(x.dtype, np.floating):
            raise ValueError("dtype")
        return _validator()(x)

    verdict = rejected("ch06.validate_batch", value_error_for_dtype)
    assert_hint(verdict, "wrong dtype is a TypeError")


def test_validator_forgot_return():
    def no_return(x):
        _validator()(x)

    assert_hint(rejected("ch06.validate_batch", no_return), "Return the batch")


def _outputs(a, b, x, eval_mode=True):
    if eval_mode:
        a.eval(), b.eval()
    with torch.no_grad():
        return a(x), b(x)


def test_agree_without_eval():
    def no_eval(a, b, x, atol):
        out_a, out_b = _outputs(a, b, x, eval_mode=False)
        return bool((out_a - out_b).abs().max() <= atol)

    assert_hint(rejected("ch06.models_agree", no_eval), "model.eval()")


def test_agree_on_argmax_only():
    def argmax_only(a, b, x, atol):
        out_a, out_b = _outputs(a, b, x)
        return bool(torch.equal(out_a.argmax(1), out_b.argmax(1)))

    assert_hint(rejected("ch06.models_agree", argmax_only), "not only the predicted classes")


def test_agree_exactly():
    def exact(a, b, x, atol):
        return torch.equal(*_outputs(a, b, x))

    assert_hint(rejected("ch06.models_agree", exact), "Use the tolerance")


def test_agree_without_abs():
    def signed(a, b, x, atol):
        out_a, out_b = _outputs(a, b, x)
        return bool((out_a - out_b).max() <= atol)

    assert_hint(rejected("ch06.models_agree", signed), "absolute value")


def test_agree_by_the_mean():
    def by_mean(a, b, x, atol):
        out_a, out_b = _outputs(a, b, x)
        return bool((out_a - out_b).abs().mean() <= atol)

    assert_hint(rejected("ch06.models_agree", by_mean), "not its mean")


def test_agree_returns_a_tensor_per_output():
    def elementwise(a, b, x, atol):
        out_a, out_b = _outputs(a, b, x)
        return (out_a - out_b).abs() <= atol

    assert_hint(rejected("ch06.models_agree", elementwise), "one True or False")


def test_solutions_pass():
    assert_passes("ch06.validate_batch", reference_solution("ch06.validate_batch"))
    assert_passes("ch06.models_agree", reference_solution("ch06.models_agree"))
