"""Checkers for the exercises of Chapter 3, Activation functions.

One pair of exercises per notebook:

- ``01_why_nonlinearity``: ``ch03.collapse_linear``, ``ch03.relu_bump``
- ``02_gallery``: ``ch03.sigmoid_grad``, ``ch03.leaky_relu``
- ``03_vanishing_dying``: ``ch03.count_dead``, ``ch03.he_std``
- ``04_softmax_choosing``: ``ch03.stable_softmax``, ``ch03.log_softmax``

The reference answers come from :mod:`nnlib.activations`, so the checkers and the library
agree by construction. Taught in: Chapter 3, Activation functions.
"""

from __future__ import annotations

import warnings

import numpy as np

from nnlib import activations as act
from nnlib.activations import relu
from nnlib.exercises import Fail, as_floats, exercise, expect_close, solution

__all__: list[str] = []


def _call(fn, *args, **kwargs):
    """Run the reader's function with numpy's overflow warnings silenced.

    A naive formula that overflows should earn a hint about stability, not a page of
    ``RuntimeWarning`` lines under the check.
    """
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return fn(*args, **kwargs)


# --- 01_why_nonlinearity ---------------------------------------------------------------------


@exercise(
    "ch03.collapse_linear",
    success="Two linear layers are one: W = W1 @ W2 and b = b1 @ W2 + b2.",
)
def _(collapse):
    rng = np.random.default_rng(3)
    # Square matrices first (so a wrong order gives wrong numbers, not a shape error), then
    # rectangular ones (so the shapes have to line up the right way).
    for n_in, n_mid, n_out in [(3, 3, 3), (4, 5, 2)]:
        W1, b1 = rng.normal(size=(n_in, n_mid)), rng.normal(size=n_mid)
        W2, b2 = rng.normal(size=(n_mid, n_out)), rng.normal(size=n_out)
        got = _call(collapse, W1, b1, W2, b2)
        what = f"collapse(W1, b1, W2, b2) with W1 of shape {W1.shape} and W2 of shape {W2.shape}"
        if not isinstance(got, (tuple, list)) or len(got) != 2:
            raise Fail(
                f"{what} returned {type(got).__name__}; expected a pair (W, b).",
                "End the function with `return W, b`.",
            )
        W, b = (as_floats(v, what) for v in got)
        if W.shape == (n_mid, n_mid) and np.allclose(W, W2 @ W1):
            raise Fail(
                f"{what}: W is W2 @ W1.",
                "With rows as examples, y = x @ W1 @ W2: the first layer's matrix comes first.",
            )
        expect_close(
            W,
            W1 @ W2,
            f"W from {what}",
            "Substitute h = x @ W1 + b1 into y = h @ W2 + b2 and multiply out.",
        )
        if b.shape == (n_out,) and np.allclose(b, b2):
            raise Fail(
                f"b from {what} equals b2 alone.",
                "The first bias b1 also passes through the second layer: it reaches the "
                "output as b1 @ W2.",
            )
        if b.shape == b1.shape and np.allclose(b, b1 + b2):
            raise Fail(
                f"b from {what} is b1 + b2.",
                "b1 is added before W2 is applied, so it reaches the output multiplied by W2.",
            )
        expect_close(
            b,
            b1 @ W2 + b2,
            f"b from {what}",
            "Expand (x @ W1 + b1) @ W2 + b2: the part that does not depend on x is the bias.",
        )


def _bump_reference(x):
    return np.clip(1.0 - np.abs(x), 0.0, None)


@exercise(
    "ch03.relu_bump",
    success="Three hinges make a bump: relu(x + 1) - 2 relu(x) + relu(x - 1).",
)
def _(bump):
    x = np.linspace(-3.0, 3.0, 61)
    got = as_floats(_call(bump, x.copy()), "bump(x)")
    if got.shape != x.shape:
        raise Fail(
            f"bump(x) for x of shape {x.shape} returned shape {got.shape}.",
            "Work element by element with numpy (np.maximum(0, x)), not with Python's max.",
        )
    expected = _bump_reference(x)
    left, middle, right = x < -1, np.abs(x) <= 1, x > 1
    if not np.allclose(got[left], 0.0, atol=1e-9):
        raise Fail(
            "bump(x) is not zero for x < -1.",
            "Every hinge should be flat (zero) on the far left: use relu(x - c), which is 0 "
            "for x < c.",
        )
    if not np.allclose(got[middle], expected[middle], atol=1e-9):
        raise Fail(
            "bump(x) does not rise from 0 at x = -1 to 1 at x = 0 and fall back to 0 at x = 1.",
            "The hinge at -1 sets slope +1; the hinge at 0 must change the slope by -2 (to -1).",
        )
    if np.all(got[right] < -1e-9):
        raise Fail(
            "bump(x) goes below zero for x > 1.",
            "Add a third hinge at x = 1 with weight +1 to bend the line back to flat.",
        )
    expect_close(
        got,
        expected,
        "bump(x) on [-3, 3]",
        "To the right of x = 1 the slopes of your hinges must add up to zero.",
        atol=1e-9,
    )


# --- 02_gallery ------------------------------------------------------------------------------


@exercise(
    "ch03.sigmoid_grad",
    success="sigmoid'(x) = sigmoid(x) (1 - sigmoid(x)): at most 0.25, at x = 0.",
)
def _(sigmoid_grad):
    from nnlib.activations import sigmoid
    from nnlib.activations import sigmoid_grad as reference

    x = np.array([-6.0, -2.0, -0.5, 0.0, 0.5, 2.0, 6.0])
    got = as_floats(_call(sigmoid_grad, x.copy()), "sigmoid_grad(x)")
    if got.shape == x.shape:
        if np.allclose(got, x * (1 - x)):
            raise Fail(
                "sigmoid_grad(x) returned x * (1 - x).",
                "The formula s (1 - s) uses s = sigmoid(x), not x itself: apply the sigmoid first.",
            )
        if np.allclose(got, sigmoid(x)):
            raise Fail(
                "sigmoid_grad(x) returned sigmoid(x), the function itself.",
                "The derivative is the slope: sigmoid(x) * (1 - sigmoid(x)).",
            )
        if np.allclose(got, -reference(x)):
            raise Fail("sigmoid_grad(x) has the wrong sign.", "The sigmoid only ever goes up.")
    expect_close(
        got,
        reference(x),
        "sigmoid_grad([-6, -2, -0.5, 0, 0.5, 2, 6])",
        "Differentiate 1 / (1 + exp(-x)) and write the result with s = sigmoid(x).",
    )
    big = np.array([-1000.0, 1000.0])
    got = as_floats(_call(sigmoid_grad, big.copy()), "sigmoid_grad([-1000, 1000])")
    if got.shape == big.shape and not np.all(np.isfinite(got)):
        raise Fail(
            "sigmoid_grad([-1000, 1000]) gave NaN or infinity.",
            "exp(1000) overflows. Compute s = sigmoid(x) first and return s * (1 - s): it "
            "stays between 0 and 0.25.",
        )
    expect_close(got, [0.0, 0.0], "sigmoid_grad([-1000, 1000])", "Far from 0 the slope is 0.")


@exercise(
    "ch03.leaky_relu",
    success="Leaky ReLU keeps a slope for x < 0, so its gradient never dies.",
)
def _(leaky_relu):
    from nnlib.activations import leaky_relu as reference

    x = np.array([-3.0, -1.0, -0.25, 0.0, 0.5, 2.0])
    for slope in (0.01, 0.2):
        what = f"leaky_relu([-3, -1, -0.25, 0, 0.5, 2], negative_slope={slope})"
        got = as_floats(_call(leaky_relu, x.copy(), negative_slope=slope), what)
        if got.shape == x.shape:
            if np.allclose(got, np.maximum(x, 0.0)):
                raise Fail(
                    f"{what} returned 0 for the negative inputs (that is plain ReLU).",
                    "Negative inputs should give negative_slope * x.",
                )
            if np.allclose(got, np.where(x > 0, slope * x, x)):
                raise Fail(
                    f"{what} scaled the positive side.",
                    "Positive inputs pass unchanged; only negative ones are multiplied by "
                    "negative_slope.",
                )
            if slope != 0.01 and np.allclose(got, reference(x, 0.01)):
                raise Fail(
                    f"{what} used the slope 0.01.",
                    "Use the negative_slope argument instead of a fixed number.",
                )
        expect_close(
            got,
            reference(x, slope),
            what,
            "np.where(x > 0, x, negative_slope * x) does it in one line.",
        )


# --- 03_vanishing_dying ----------------------------------------------------------------------


@exercise("ch03.count_dead", success="A dead unit is a column of zeros: zero for every example.")
def _(count_dead):
    H = np.array(
        [
            [0.0, 1.2, 0.0, 0.3, 0.5],
            [0.0, 0.0, 0.0, 2.0, 0.7],
            [0.0, 0.4, 0.0, 1.0, 0.2],
        ]
    )  # 3 examples, 5 units; units 0 and 2 are dead
    got = _call(count_dead, H.copy())
    if got is None:
        raise Fail("count_dead(H) returned None.", "Did you forget a `return` statement?")
    try:
        n = float(np.asarray(got))
    except (TypeError, ValueError):
        raise Fail(
            f"count_dead(H) returned {got!r}; expected one number.",
            "Sum a boolean array with .sum() and return int(...) of it.",
        ) from None
    if n == 7:
        raise Fail(
            "count_dead(H) counted zero entries (7) instead of dead units.",
            "A unit is a column of H; count the columns in which every entry is zero.",
        )
    if n == 3:
        raise Fail(
            "count_dead(H) counted units that are zero on *some* example (3).",
            "A unit is dead only if it is zero on *every* example: use np.all, not np.any.",
        )
    if n == 0:
        raise Fail(
            "count_dead(H) found no dead units, but two columns are all zeros.",
            "Rows are examples, columns are units: reduce over axis=0.",
        )
    if n != 2:
        raise Fail(
            f"count_dead(H) returned {got!r} for a matrix with 2 all-zero columns.",
            "np.all(H == 0, axis=0) marks the dead units.",
        )
    alive = np.abs(np.random.default_rng(0).normal(size=(50, 8))) + 0.1
    alive[:, [1, 6]] = 0.0
    expect_close(_call(count_dead, alive), 2, "count_dead on a 50 x 8 matrix with 2 dead units")


@exercise(
    "ch03.he_std",
    success="He initialisation, std = sqrt(2 / n_in), keeps ReLU signals alive.",
)
def _(he_std):
    cases = [(100, 50), (512, 512), (8, 300)]
    for n_in, n_out in cases:
        what = f"he_std({n_in}, {n_out})"
        got = _call(he_std, n_in, n_out)
        value = float(as_floats(got, what))
        if np.isclose(value, np.sqrt(1 / n_in)):
            raise Fail(
                f"{what} gave sqrt(1 / n_in).",
                "ReLU zeroes about half of its inputs, halving the signal's variance: "
                "compensate with a factor 2.",
            )
        if np.isclose(value, 2 / n_in):
            raise Fail(
                f"{what} gave 2 / n_in, a variance.",
                "The function returns a standard deviation: take the square root.",
            )
        if np.isclose(value, np.sqrt(2 / (n_in + n_out))) and n_in != n_out:
            raise Fail(
                f"{what} gave sqrt(2 / (n_in + n_out)), Glorot's average of fan-in and fan-out.",
                "He et al. keep the forward signal's variance: only the fan-in n_in counts.",
            )
        expect_close(value, np.sqrt(2 / n_in), what, "Var(W) = 2 / n_in.")


# --- 04_softmax_choosing ---------------------------------------------------------------------

_LOGITS = np.array([[1.0, 2.0, 3.0], [1000.0, 1001.0, 999.0], [-1000.0, -1002.0, -1001.0]])


@exercise("ch03.stable_softmax", success="Stable: subtract each row's maximum before exp.")
def _(softmax):
    from nnlib.activations import softmax as reference

    small = _LOGITS[:1]
    got = as_floats(_call(softmax, small.copy()), "softmax([[1, 2, 3]])")
    if got.shape == small.shape and np.allclose(got, reference(small, axis=0)):
        raise Fail(
            "softmax([[1, 2, 3]]) normalised down the columns.",
            "Each row is one example: sum along the last axis (axis=-1, keepdims=True).",
        )
    expect_close(
        got,
        reference(small),
        "softmax([[1, 2, 3]])",
        "exp every logit, then divide by the row's sum (keepdims=True).",
    )
    got = as_floats(_call(softmax, _LOGITS.copy()), "softmax(Z)")
    if got.shape == _LOGITS.shape and np.isnan(got[1]).any():
        raise Fail(
            "softmax of the row [1000, 1001, 999] gave NaN: exp(1000) overflows to inf.",
            "Subtract the row's maximum first; softmax does not change when every logit "
            "moves by the same amount.",
        )
    if got.shape == _LOGITS.shape and np.isnan(got[2]).any():
        raise Fail(
            "softmax of the row [-1000, -1002, -1001] gave NaN.",
            "Subtract each row's *own* maximum (np.max(z, axis=-1, keepdims=True)), not the "
            "maximum of the whole array.",
        )
    expect_close(got, reference(_LOGITS), "softmax(Z) for Z with logits near ±1000")


@exercise("ch03.log_softmax", success="log-softmax = z - max - log(sum(exp(z - max))).")
def _(log_softmax):
    from nnlib.activations import log_softmax as reference

    small = _LOGITS[:1]
    got = as_floats(_call(log_softmax, small.copy()), "log_softmax([[1, 2, 3]])")
    if got.shape == small.shape and np.allclose(got, small - small.max(axis=-1, keepdims=True)):
        raise Fail(
            "log_softmax([[1, 2, 3]]) returned z - max(z): the log of the sum is missing.",
            "log softmax(z)_i = z_i - log(sum_j exp(z_j)); subtracting the max only makes "
            "that sum safe to compute.",
        )
    expect_close(
        got,
        reference(small),
        "log_softmax([[1, 2, 3]])",
        "Subtract log(sum(exp(z))) from every z_i in the row.",
    )
    wide = np.array([[0.0, 1000.0], [0.0, -1000.0]])
    got = as_floats(_call(log_softmax, wide.copy()), "log_softmax([[0, 1000], [0, -1000]])")
    if got.shape == wide.shape and not np.isfinite(got[0, 1]):
        raise Fail(
            f"log_softmax([[0, 1000]]) gave {got[0, 1]} where the answer is 0: exp(1000) "
            "overflowed.",
            "Subtract each row's maximum before exp, and add it back outside the log.",
        )
    if got.shape == wide.shape and np.isneginf(got).any():
        raise Fail(
            "log_softmax([[0, 1000], [0, -1000]]) gave -inf: softmax underflowed to 0 before "
            "the log.",
            "Do not take np.log(softmax(z)); compute z - max - log(sum(exp(z - max))) directly.",
        )
    expect_close(got, reference(wide), "log_softmax([[0, 1000], [0, -1000]])")


# --- Reference solutions (shown, collapsed, under each exercise in the notebooks) -----------


@solution("ch03.collapse_linear")
def collapse(W1, b1, W2, b2):
    return W1 @ W2, b1 @ W2 + b2


@solution("ch03.relu_bump")
def bump(x):
    return relu(x + 1) - 2 * relu(x) + relu(x - 1)


@solution("ch03.sigmoid_grad")
def sigmoid_grad(x):
    s = act.sigmoid(x)  # nnlib's sigmoid is stable for any x
    return s * (1 - s)


@solution("ch03.leaky_relu")
def leaky_relu(x, negative_slope=0.01):
    return np.where(x > 0, x, negative_slope * x)


@solution("ch03.count_dead")
def count_dead(H):
    return int(np.all(H == 0, axis=0).sum())


@solution("ch03.he_std")
def he_std(n_in, n_out):
    return np.sqrt(2.0 / n_in)  # the fan-in only


@solution("ch03.stable_softmax")
def softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


@solution("ch03.log_softmax")
def log_softmax(z):
    shifted = z - z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
