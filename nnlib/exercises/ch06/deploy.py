"""Chapter 6, from notebook to use: an input validator that refuses bad batches, and a check
that two models (say, a model and its exported copy) agree."""

from __future__ import annotations

import numpy as np

from nnlib.exercises import Fail, exercise, solution

__all__: list[str] = []


def _good_batches():
    rng = np.random.default_rng(0)
    yield "a batch of 5 images in [0, 1]", rng.uniform(size=(5, 1, 8, 8))
    yield "a batch of 1 image", rng.uniform(size=(1, 1, 8, 8))
    edges = np.zeros((2, 1, 8, 8))
    edges[1] = 1.0
    yield "a batch whose pixels are exactly 0 and exactly 1", edges
    yield "a float32 batch", rng.uniform(size=(3, 1, 8, 8)).astype(np.float32)


def _bad_batches():
    rng = np.random.default_rng(1)
    good = rng.uniform(size=(4, 1, 8, 8))
    yield (
        "a batch of 28x28 images",
        rng.uniform(size=(4, 1, 28, 28)),
        ValueError,
        "Check the last two axes: each image must be 8x8.",
    )
    yield (
        "a batch of colour images (n, 3, 8, 8)",
        rng.uniform(size=(4, 3, 8, 8)),
        ValueError,
        "Check the channel axis (axis 1): it must have size 1.",
    )
    yield (
        "one image (8, 8) without the batch and channel axes",
        good[0, 0],
        ValueError,
        "Check the number of axes: x.ndim must be 4.",
    )
    yield (
        "integer pixels 0-16 (dtype int64)",
        rng.integers(0, 17, size=(4, 1, 8, 8)),
        TypeError,
        "Check the dtype: np.issubdtype(x.dtype, np.floating) must hold, else raise TypeError.",
    )
    yield (
        "unscaled pixels from 0 to 16",
        good * 16,
        ValueError,
        "Check the range: every pixel must lie in [0, 1].",
    )
    yield (
        "pixels slightly below 0",
        good - 0.01,
        ValueError,
        "Check the range: every pixel must lie in [0, 1] (the minimum too).",
    )
    nan = good.copy()
    nan[2, 0, 3, 3] = np.nan
    yield (
        "a batch with one NaN pixel",
        nan,
        ValueError,
        "NaN fails every comparison, so `x.min() < 0` and `x.max() > 1` are both False when "
        "x holds a NaN: test np.isnan(x).any() (or np.isfinite) separately.",
    )
    inf = good.copy()
    inf[1, 0, 0, 0] = np.inf
    yield (
        "a batch with an infinite pixel",
        inf,
        ValueError,
        "Check the range (or np.isfinite): inf is above 1.",
    )


@exercise("ch06.validate_batch", success="Your validator accepts good batches and stops bad ones.")
def _(validate_batch):
    for what, x in _good_batches():
        try:
            got = validate_batch(x.copy())
        except (TypeError, ValueError) as exc:
            raise Fail(
                f"validate_batch raised {type(exc).__name__} on {what}: {exc}",
                "A good batch must pass: allow any batch size n >= 1, float32 as well as "
                "float64, and pixels equal to 0 or 1 (use < and >, not <= and >=).",
            ) from None
        if got is None:
            raise Fail(
                f"validate_batch returned None on {what}.",
                "Return the batch when every check passes.",
            )
        if not np.array_equal(np.asarray(got), x):
            raise Fail(f"validate_batch changed {what}.", "Return the batch unchanged.")
    for what, x, error, hint in _bad_batches():
        try:
            validate_batch(x.copy())
        except error:
            continue
        except (TypeError, ValueError) as exc:
            raise Fail(
                f"validate_batch raised {type(exc).__name__} on {what}; expected {error.__name__}.",
                "A wrong dtype is a TypeError; a wrong shape or value is a ValueError.",
            ) from None
        raise Fail(f"validate_batch let {what} through.", hint)


@solution("ch06.validate_batch")
def validate_batch(x):
    if x.ndim != 4 or x.shape[1:] != (1, 8, 8) or len(x) == 0:
        raise ValueError(f"expected a batch of shape (n, 1, 8, 8); got {x.shape}")
    if not np.issubdtype(x.dtype, np.floating):
        raise TypeError(f"expected floating-point pixels; got {x.dtype}")
    if np.isnan(x).any():
        raise ValueError("the batch contains NaN pixels")
    if x.min() < 0 or x.max() > 1:
        raise ValueError(f"pixels must lie in [0, 1]; got {x.min():g} to {x.max():g}")
    return x


def _agree_cases():
    """(description, model_a, model_b, inputs, atol, expected answer, hint if wrong)."""
    import torch
    from torch import nn

    torch.manual_seed(0)
    x = torch.rand(16, 6, dtype=torch.float64)
    base = nn.Sequential(nn.Linear(6, 8), nn.ReLU(), nn.Linear(8, 3)).double()

    def copy_of(model):
        twin = nn.Sequential(nn.Linear(6, 8), nn.ReLU(), nn.Linear(8, 3)).double()
        twin.load_state_dict(model.state_dict())
        return twin

    twin = copy_of(base)
    nudged = copy_of(base)
    with torch.no_grad():
        nudged[2].bias -= 1e-3  # every logit moves by 1e-3: the argmax never changes
    lower = copy_of(base)
    with torch.no_grad():
        lower[2].bias -= 0.1  # every output 0.1 lower: a - b is positive everywhere
    higher = copy_of(base)
    with torch.no_grad():
        higher[2].bias += 0.1  # every output 0.1 higher: a - b = -0.1 everywhere
    one_off = copy_of(base)
    with torch.no_grad():
        one_off[2].bias[1] += 0.05  # one output column of three moves by 0.05
    drop_a = nn.Sequential(nn.Linear(6, 32), nn.ReLU(), nn.Dropout(0.5), nn.Linear(32, 3))
    drop_a = drop_a.double().train()
    drop_b = nn.Sequential(nn.Linear(6, 32), nn.ReLU(), nn.Dropout(0.5), nn.Linear(32, 3))
    drop_b = drop_b.double().train()
    drop_b.load_state_dict(drop_a.state_dict())
    return [
        ("a model and its copy", base, twin, x, 1e-9, True, None),
        (
            "a model and a copy with dropout, both left in training mode",
            drop_a,
            drop_b,
            x,
            1e-9,
            True,
            "Put both models in evaluation mode (model.eval()) before comparing: in training "
            "mode dropout makes every call random.",
        ),
        (
            "a copy whose outputs are all 0.001 lower, with atol=1e-6",
            base,
            nudged,
            x,
            1e-6,
            False,
            "Compare the outputs, not only the predicted classes: here every argmax agrees "
            "but every output is off by 1e-3.",
        ),
        (
            "the same pair with atol=1e-2",
            base,
            nudged,
            x,
            1e-2,
            True,
            "Use the tolerance: outputs agree when the largest |a - b| is at most atol "
            "(exact equality is too strict for an exported or reloaded model).",
        ),
        (
            "a copy whose outputs are all 0.1 higher, with atol=1e-6",
            base,
            higher,
            x,
            1e-6,
            False,
            "Take the absolute value of the difference: a - b is negative here.",
        ),
        (
            "a copy whose outputs are all 0.1 lower, with atol=1e-6",
            base,
            lower,
            x,
            1e-6,
            False,
            "Compare the largest |a - b| with atol.",
        ),
        (
            "a copy that differs by 0.05 in one output column only, with atol=0.02",
            base,
            one_off,
            x,
            0.02,
            False,
            "One output that differs is enough: use the maximum of |a - b|, not its mean.",
        ),
    ]


@exercise("ch06.models_agree", success="Your comparison says agree exactly when the models do.")
def _(models_agree):
    for what, a, b, x, atol, expected, hint in _agree_cases():
        got = models_agree(a, b, x.clone(), atol)
        if got is None:
            raise Fail(f"models_agree returned None on {what}.", "Return True or False.")
        try:
            verdict = bool(got)
        except (TypeError, RuntimeError, ValueError):
            raise Fail(
                f"models_agree returned {got!r} on {what}.",
                "Return one True or False for the whole batch (bool(...) of a scalar).",
            ) from None
        if verdict != expected:
            raise Fail(
                f"models_agree returned {verdict} on {what}; expected {expected}.",
                hint or "Compare the outputs of both models on the inputs, within atol.",
            )


@solution("ch06.models_agree")
def models_agree(model_a, model_b, inputs, atol):
    import torch

    with torch.no_grad():
        out_a = model_a.eval()(inputs)
        out_b = model_b.eval()(inputs)
    return bool((out_a - out_b).abs().max() <= atol)
