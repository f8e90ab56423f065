"""Checkers for the exercises of Chapter 1, History.

- Notebook 01 (the timeline): ``ch01.decade_counts``, ``ch01.longest_gap``.
- Notebook 02 (McCulloch-Pitts units): ``ch01.and_gate``, ``ch01.nand_unit``,
  ``ch01.xor_gate``.
- Notebook 03 (Hebb and the perceptron): ``ch01.hebb_update``, ``ch01.perceptron_predict``,
  ``ch01.perceptron_step``, ``ch01.perceptron_train``.

Each checker runs the reader's function on a few cases and, when an answer is wrong,
recognises the usual slips (a threshold one off, a transposed outer product, a forgotten
bias) to give a targeted hint.

Taught in: Chapter 1, History.
"""

from __future__ import annotations

import ast
import inspect
import numbers
import textwrap
import warnings

import numpy as np

from nnlib.exercises import Fail, exercise, expect_close, format_value, solution
from nnlib.neurons import AND, OR, McCullochPittsUnit

__all__: list[str] = []

_INPUTS = ((0, 0), (0, 1), (1, 0), (1, 1))


def _call(fn, *args):
    """Call the reader's function on fresh copies, with numpy warnings silenced."""
    fresh = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return fn(*fresh)


def _same(got, candidate) -> bool:
    try:
        got = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return False
    candidate = np.asarray(candidate, dtype=float)
    return got.shape == candidate.shape and bool(np.allclose(got, candidate, atol=1e-9, rtol=0))


# --- Notebook 01: the timeline ----------------------------------------------------------------

_YEARS = [1943, 1949, 1958, 1969, 1986, 1989, 1997, 2006, 2012, 2014, 2015, 2017]


@exercise("ch01.decade_counts", success="Every decade counted, from the 1940s to the 2010s.")
def _(decade_counts):
    cases = [_YEARS, [1999, 2000, 2001, 1990, 1955]]
    for years in cases:
        what = f"decade_counts({years})"
        got = _call(decade_counts, list(years))
        expected: dict[int, int] = {}
        for y in years:
            expected[y // 10 * 10] = expected.get(y // 10 * 10, 0) + 1
        if got is None:
            raise Fail(f"{what} returned None.", "Did you forget a `return` statement?")
        if not isinstance(got, dict):
            raise Fail(
                f"{what} returned a {type(got).__name__}, not a dict.",
                "Build a dict such as {1940: 2, 1950: 1, ...}: decade -> number of years.",
            )
        got = {k: v for k, v in got.items()}
        if got == expected:
            continue
        if set(got) == {d // 10 for d in expected}:
            raise Fail(
                f"{what} has keys such as {min(got)}; expected decades such as {min(expected)}.",
                "year // 10 is the number of the decade; multiply back by 10 (1949 // 10 * 10 "
                "== 1940).",
            )
        by_round: dict[int, int] = {}
        for y in years:
            by_round[round(y, -1)] = by_round.get(round(y, -1), 0) + 1
        if got == by_round:
            raise Fail(
                f"{what} put 1949 in the decade {round(1949, -1)}.",
                "round() goes to the nearest ten; a decade starts at year // 10 * 10.",
            )
        if {k: v for k, v in got.items() if v} == expected:
            raise Fail(
                f"{what} lists decades with no year in them.",
                "Only the decades that contain at least one year should appear.",
            )
        raise Fail(
            f"{what} returned {got}; expected {expected}.",
            "For each year add one to the count of the decade year // 10 * 10.",
        )


@exercise("ch01.longest_gap", success="The longest quiet stretch between two milestones.")
def _(longest_gap):
    cases = [
        (_YEARS, (1969, 1986)),
        ([2017, 1943, 1958, 1949], (1958, 2017)),
        ([1990, 1980, 2000, 1950], (1950, 1980)),
    ]
    for years, expected in cases:
        what = f"longest_gap({years})"
        got = _call(longest_gap, list(years))
        if got is None:
            raise Fail(f"{what} returned None.", "Did you forget a `return` statement?")
        if isinstance(got, numbers.Real):
            raise Fail(
                f"{what} returned the number {got}.",
                "Return the pair of years (start, end) around the gap, not its length.",
            )
        try:
            pair = tuple(int(v) for v in got)
        except (TypeError, ValueError):
            raise Fail(
                f"{what} returned {got!r}.", "Return a tuple of two years (start, end)."
            ) from None
        if pair == expected:
            continue
        if pair == expected[::-1]:
            raise Fail(f"{what} returned {pair}.", "Put the earlier year first: (start, end).")
        raise Fail(
            f"{what} returned {pair}; expected {expected}.",
            "Sort the years first: neighbours in the list are only neighbours in time "
            "once the list is sorted. Then compare each year with the next one."
            if list(years) != sorted(years)
            else "Compare each year with the next one and keep the pair with the largest "
            "difference.",
        )


# --- Notebook 02: McCulloch-Pitts units --------------------------------------------------------


def _gate_outputs(fn, name: str) -> tuple[int, ...]:
    outs = []
    for a, b in _INPUTS:
        what = f"{name}({a}, {b})"
        got = _call(fn, a, b)
        if got is None:
            raise Fail(f"{what} returned None.", "Did you forget a `return` statement?")
        try:
            value = float(np.asarray(got, dtype=float).reshape(()))
        except (TypeError, ValueError):
            raise Fail(
                f"{what} returned {got!r}.", "Return the unit's output, the number 0 or 1."
            ) from None
        if value not in (0.0, 1.0):
            raise Fail(
                f"{what} returned {got!r}.",
                "Return 0 or 1, whether the unit fires, not the weighted sum: "
                "1 if w1*a + w2*b >= threshold else 0.",
            )
        outs.append(int(value))
    return tuple(outs)


def _uses(fn, *node_types) -> bool:
    """Whether the source of ``fn`` (a def or a lambda) contains one of ``node_types``.

    Best effort: when the source cannot be read or parsed (a builtin, a function typed into
    a console), the answer is False and the checker judges by the outputs alone.
    """
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
    except (OSError, TypeError, SyntaxError, IndentationError):
        return False
    name = getattr(fn, "__name__", "")
    bodies = [
        node
        for node in ast.walk(tree)
        if (isinstance(node, ast.FunctionDef) and node.name == name)
        or (name == "<lambda>" and isinstance(node, ast.Lambda))
    ]
    return any(isinstance(n, node_types) for body in bodies for n in ast.walk(body))


def _table(outs) -> str:
    return ", ".join(f"{a}{b}->{o}" for (a, b), o in zip(_INPUTS, outs, strict=True))


@exercise("ch01.and_gate", success="AND as a threshold unit: it fires only when both inputs do.")
def _(and_gate):
    outs = _gate_outputs(and_gate, "and_gate")
    if outs == (0, 0, 0, 1):
        if _uses(and_gate, ast.And, ast.BitAnd):
            raise Fail(
                "and_gate gives the right outputs, but with Python's `and` (or `&`).",
                "Compute it as a threshold unit, without `and`: "
                "1 if w1*a + w2*b >= threshold else 0.",
            )
        return
    message = f"and_gate gave {_table(outs)}; expected 00->0, 01->0, 10->0, 11->1."
    if outs[0] == 1:
        hint = "It fires with no input at all: the threshold must be above 0."
    elif outs[3] == 0:
        hint = (
            "It stays silent on (1, 1): the threshold is higher than the two weights together. "
            "With weights 1 and 1, the sum is at most 2."
        )
    else:
        hint = (
            "It fires when only one input is on: the threshold is too low. With weights 1 and "
            "1, one active input gives a sum of 1 and both give 2."
        )
    raise Fail(message, hint)


@exercise("ch01.nand_unit", success="NAND: with it alone you could build any logic circuit.")
def _(nand_unit):
    from nnlib.neurons import McCullochPittsUnit

    unit = _call(nand_unit)
    if unit is None:
        raise Fail("nand_unit() returned None.", "Did you forget a `return` statement?")
    if not isinstance(unit, McCullochPittsUnit):
        raise Fail(
            f"nand_unit() returned a {type(unit).__name__}.",
            "Return a unit: McCullochPittsUnit(weights=[w1, w2], threshold=t).",
        )
    if unit.n_inputs != 2:
        raise Fail(
            f"nand_unit() returned a unit with {unit.n_inputs} input(s).",
            "NAND has two inputs: give two weights.",
        )
    outs = tuple(unit(list(x)) for x in _INPUTS)
    if outs == (1, 1, 1, 0):
        return
    message = f"the unit gave {_table(outs)}; expected 00->1, 01->1, 10->1, 11->0."
    if outs == (0, 0, 0, 1):
        hint = (
            "That is AND. NAND is its opposite: use negative weights, so that every active "
            "input pulls the sum down, and a threshold the sum drops below only when both "
            "inputs are on."
        )
    elif outs[0] == 0:
        hint = "With both inputs off the sum is 0, and the unit must fire: make the threshold <= 0."
    elif outs[3] == 1:
        hint = (
            "It fires on (1, 1). The sum w1 + w2 must fall below the threshold: use negative "
            "weights, such as -1 and -1."
        )
    else:
        hint = (
            "A single active input must still let the unit fire: the threshold must be at most "
            "w1 and at most w2, but above w1 + w2."
        )
    raise Fail(message, hint)


@exercise("ch01.xor_gate", success="XOR from threshold units: two layers did what one cannot.")
def _(xor_gate):
    outs = _gate_outputs(xor_gate, "xor_gate")
    if outs == (0, 1, 1, 0):
        if _uses(xor_gate, ast.BitXor, ast.NotEq):
            raise Fail(
                "xor_gate gives the right outputs, but with Python's `^` or `!=`.",
                "Build it from threshold units: h1 = OR(a, b) and h2 = NAND(a, b) "
                "in the hidden layer, then AND(h1, h2).",
            )
        return
    message = f"xor_gate gave {_table(outs)}; expected 00->0, 01->1, 10->1, 11->0."
    if outs == (0, 1, 1, 1):
        hint = (
            "That is OR: (1, 1) must give 0. Combine OR with a unit that is silent only when "
            "both inputs are on (NAND), and AND their two outputs."
        )
    elif outs == (1, 0, 0, 1):
        hint = "That is XNOR, the exact opposite: negate your output unit."
    elif outs == (0, 0, 0, 1):
        hint = "That is AND. XOR fires when exactly one input is on."
    else:
        hint = (
            "Build it in two layers: hidden units h1 = OR(a, b) and h2 = NAND(a, b), then the "
            "output AND(h1, h2)."
        )
    raise Fail(message, hint)


# --- Notebook 03: Hebb and the perceptron -----------------------------------------------------


@exercise("ch01.hebb_update", success="Hebb's rule: units that fire together wire together.")
def _(hebb_update):
    rng = np.random.default_rng(1)
    cases = [
        (rng.normal(size=(2, 3)), np.array([1.0, 0.0, -1.0]), np.array([0.5, 2.0]), 0.1),
        (np.zeros((3, 2)), np.array([1.0, 2.0]), np.array([1.0, -1.0, 0.5]), 0.5),
    ]
    for W, x, y, lr in cases:
        what = (
            f"hebb_update(W of shape {W.shape}, x={format_value(x)}, y={format_value(y)}, lr={lr})"
        )
        W_given = W.copy()
        got = hebb_update(W_given, x.copy(), y.copy(), lr)
        if got is None:
            raise Fail(f"{what} returned None.", "Did you forget a `return` statement?")
        expected = W + lr * np.outer(y, x)
        if not np.array_equal(W_given, W):
            raise Fail(
                f"{what} changed W in place.",
                "Return a new array (W + ...) instead of updating W with +=, so that the "
                "caller's weights stay as they were.",
            )
        if np.shape(got) == np.outer(x, y).shape and np.outer(x, y).shape != W.shape:
            raise Fail(
                f"{what} has shape {np.shape(got)}; W has shape {W.shape}.",
                "Rows of W belong to the outputs: the change is lr * np.outer(y, x), "
                "with delta W[i, j] = lr * y[i] * x[j].",
            )
        if _same(got, lr * np.outer(y, x)) and np.any(W):
            raise Fail(
                f"{what} returned only the change.",
                "Return the new weights, W plus the change lr * np.outer(y, x).",
            )
        if _same(got, W + np.outer(y, x)):
            raise Fail(
                f"{what} ignores the learning rate.",
                "Multiply the change by lr: W + lr * np.outer(y, x).",
            )
        expect_close(
            got,
            expected,
            what,
            "Each weight grows by lr times the product of the activities it connects: "
            "W + lr * np.outer(y, x).",
        )


_PREDICT_CASES = [
    (np.array([1.0, -2.0]), 0.5, np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 0.5], [0.0, 1.0]])),
    (np.array([2.0, 1.0]), -2.0, np.array([[1.0, 0.0], [0.0, 0.0], [3.0, -4.0], [1.0, 1.0]])),
]


@exercise("ch01.perceptron_predict", success="Your perceptron predicts like nnlib's.")
def _(perceptron_predict):
    for w, b, X in _PREDICT_CASES:
        what = f"perceptron_predict(w={format_value(w)}, b={b:g}, X of shape {X.shape})"
        got = _call(perceptron_predict, w, b, X)
        score = X @ w + b
        expected = (score >= 0).astype(int)
        bias_hint = "Add the bias: the score is X @ w + b."
        mistakes = [
            (np.where(score >= 0, 1, -1), "The labels in this chapter are 0 and 1, not -1 and +1."),
            (score, "Threshold the score: 1 where X @ w + b >= 0, else 0."),
            (
                (score > 0).astype(int),
                "A point exactly on the line (X @ w + b == 0) belongs to class 1 here: "
                "use >= 0, not > 0.",
            ),
            ((X @ w >= 0).astype(int), bias_hint),
            ((X @ w > 0).astype(int), bias_hint),
        ]
        hint = "Compute X @ w + b and return 1 where it is >= 0."
        expect_close(got, expected, what, hint, mistakes=mistakes, fmt=format_value)


_STEP_CASES = [
    # w, b, x, y, lr: a mistake on a positive, a mistake on a negative, a correct example
    (np.array([0.0, 0.0]), -1.0, np.array([1.0, 2.0]), 1, 1.0),
    (np.array([1.0, 1.0]), 0.0, np.array([2.0, -1.0]), 0, 0.5),
    (np.array([1.0, -1.0]), 0.5, np.array([1.0, 0.0]), 1, 1.0),
    (np.array([0.5, 0.5]), -2.0, np.array([1.0, 1.0]), 0, 0.1),
]


def _perceptron_step(w, b, x, y, lr):
    y_hat = 1 if x @ w + b >= 0 else 0
    return w + lr * (y - y_hat) * x, b + lr * (y - y_hat)


@exercise("ch01.perceptron_step", success="One step of Rosenblatt's rule, mistakes only.")
def _(perceptron_step):
    for w, b, x, y, lr in _STEP_CASES:
        what = (
            f"perceptron_step(w={format_value(w)}, b={b:g}, x={format_value(x)}, y={y}, lr={lr:g})"
        )
        w_given = w.copy()
        got = perceptron_step(w_given, b, x.copy(), y, lr)
        if got is None:
            raise Fail(f"{what} returned None.", "Did you forget a `return` statement?")
        if not np.array_equal(w_given, w):
            raise Fail(
                f"{what} changed w in place.",
                "Return new weights (w + ...) instead of updating w with +=.",
            )
        if not isinstance(got, (tuple, list)) or len(got) != 2:
            raise Fail(f"{what} returned {got!r}.", "Return a pair: (new_w, new_b).")
        w_new, b_new = got
        exp_w, exp_b = _perceptron_step(w, b, x, y, lr)
        if _same(w_new, exp_w) and _same(b_new, exp_b):
            continue
        y_hat = 1 if x @ w + b >= 0 else 0
        message = (
            f"{what} returned w={format_value(np.asarray(w_new, dtype=float))}, "
            f"b={format_value(np.asarray(b_new, dtype=float))}; expected w={format_value(exp_w)}, "
            f"b={format_value(exp_b)}."
        )
        if y_hat == y:
            raise Fail(
                message,
                f"The prediction here is already right (w.x + b gives class {y_hat}), so "
                "nothing may change: the update is lr * (y - y_hat) * x, which is 0.",
            )
        if _same(w_new, w - lr * (y - y_hat) * x):
            raise Fail(
                message,
                "The sign is reversed: move towards the right answer with "
                "w + lr * (y - y_hat) * x.",
            )
        if _same(w_new, exp_w) and _same(b_new, b):
            raise Fail(message, "The bias learns too: b + lr * (y - y_hat).")
        if _same(w_new, w + (y - y_hat) * x) and lr != 1:
            raise Fail(message, "Multiply the change by the learning rate lr.")
        raise Fail(
            message,
            "Predict y_hat = 1 if w.x + b >= 0 else 0; then w + lr * (y - y_hat) * x and "
            "b + lr * (y - y_hat).",
        )


def _train_cases():
    """Data sets for ``ch01.perceptron_train``: separable ones, and XOR, which never converges."""
    rng = np.random.default_rng(7)
    P = rng.uniform(-2, 2, size=(40, 2))
    separable = (P, (P @ np.array([1.0, -2.0]) + 0.3 > 0).astype(int))
    xor_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    and_y = np.array([0, 0, 0, 1])
    return [
        (separable[0], separable[1], 1.0, 100),
        (xor_X, and_y, 0.5, 50),
        (xor_X, np.array([0, 1, 1, 0]), 1.0, 6),  # XOR: all 6 epochs, never converges
    ]


def _train_variant(X, y, lr, max_epochs, *, strict=False, batch=False, stop=True, bias=True):
    """Rosenblatt's rule and its typical slips, for recognising a wrong answer."""
    w, b, errors = np.zeros(X.shape[1]), 0.0, []
    for _ in range(max_epochs):
        w0, b0, count = w.copy(), b, 0
        for x, t in zip(X, y, strict=True):
            score = x @ (w0 if batch else w) + (b0 if batch else b)
            y_hat = int(score > 0) if strict else int(score >= 0)
            if y_hat != t:
                w = w + lr * (t - y_hat) * x
                b = b + (lr * (t - y_hat) if bias else 0.0)
                count += 1
        errors.append(count)
        if stop and count == 0:
            break
    return w, b, errors


@exercise(
    "ch01.perceptron_train",
    success="Your perceptron learns exactly like nnlib.neurons.Perceptron, epoch by epoch.",
)
def _(perceptron_train):
    from nnlib.neurons import Perceptron

    for X, y, lr, max_epochs in _train_cases():
        what = f"perceptron_train(X of shape {X.shape}, y, lr={lr:g}, max_epochs={max_epochs})"
        got = _call(perceptron_train, X, y, lr, max_epochs)
        if got is None:
            raise Fail(f"{what} returned None.", "Did you forget a `return` statement?")
        if not isinstance(got, (tuple, list)) or len(got) != 3:
            raise Fail(
                f"{what} returned {got!r}.",
                "Return the triple (w, b, errors_per_epoch): the final weights, the final "
                "bias and the list of mistake counts, one per epoch.",
            )
        w, b, errors = got
        ref = Perceptron(lr=lr).fit(X, y, max_epochs=max_epochs)
        try:
            errors = [int(e) for e in errors]
        except (TypeError, ValueError):
            raise Fail(
                f"{what} returned errors_per_epoch = {errors!r}.",
                "errors_per_epoch is a list of whole numbers: the mistakes made in each epoch.",
            ) from None
        slips = [
            (
                dict(stop=False),
                "Stop after the first epoch with no mistakes: once every example is right, "
                "nothing will change any more.",
            ),
            (
                dict(strict=True),
                "Predict 1 when w @ x + b >= 0 (a score of exactly 0 counts as class 1): "
                "with weights starting at zero, the very first prediction depends on it.",
            ),
            (
                dict(batch=True),
                "Update right after each mistake, so that the next example already sees the "
                "new weights (you used the weights from the start of the epoch).",
            ),
            (dict(bias=False), "Update the bias too: b <- b + lr * (y - y_hat)."),
        ]
        right = _same(w, ref.coef_) and _same(b, ref.intercept_)
        if right and errors == list(ref.errors_per_epoch_):
            continue
        for kwargs, hint in slips:
            wv, bv, ev = _train_variant(X, y, lr, max_epochs, **kwargs)
            if _same(w, wv) and _same(b, bv) and errors == ev:
                raise Fail(f"{what} does not learn like nnlib's Perceptron.", hint)
        if right:
            raise Fail(
                f"{what} ended with the right weights but errors_per_epoch = {errors}; "
                f"expected {list(ref.errors_per_epoch_)}.",
                "Count the mistakes (the updates) in each epoch, and append the count once "
                "per epoch, after the pass over the data.",
            )
        raise Fail(
            f"{what} ended with w = {format_value(w)}, b = {format_value(b)}; expected "
            f"w = {format_value(ref.coef_)}, b = {ref.intercept_:.4g}.",
            "Start from w = 0 and b = 0; visit the examples in order; predict with "
            "w @ x + b >= 0 and, on a mistake, add lr * (y - y_hat) * x to w and "
            "lr * (y - y_hat) to b.",
        )


# --- Reference solutions (shown, collapsed, under each exercise in the notebooks) -----------


@solution("ch01.decade_counts")
def decade_counts(years):
    counts = {}
    for year in years:
        decade = year // 10 * 10
        counts[decade] = counts.get(decade, 0) + 1
    return counts


@solution("ch01.longest_gap")
def longest_gap(years):
    ys = sorted(years)
    pairs = zip(ys[:-1], ys[1:], strict=True)
    return max(pairs, key=lambda pair: pair[1] - pair[0])


@solution("ch01.and_gate")
def and_gate(a, b):
    w1, w2, threshold = 1, 1, 2
    return 1 if w1 * a + w2 * b >= threshold else 0


@solution("ch01.nand_unit")
def nand_unit():
    return McCullochPittsUnit(weights=[-1, -1], threshold=-1.5)


@solution("ch01.xor_gate")
def xor_gate(a, b):
    nand = McCullochPittsUnit(weights=[-1, -1], threshold=-1.5)
    hidden = [OR([a, b]), nand([a, b])]
    return AND(hidden)


@solution("ch01.hebb_update")
def hebb_update(W, x, y, lr):
    return W + lr * np.outer(y, x)


@solution("ch01.perceptron_predict")
def perceptron_predict(w, b, X):
    return (X @ w + b >= 0).astype(int)


@solution("ch01.perceptron_step")
def perceptron_step(w, b, x, y, lr):
    y_hat = 1 if x @ w + b >= 0 else 0
    return w + lr * (y - y_hat) * x, b + lr * (y - y_hat)


@solution("ch01.perceptron_train")
def perceptron_train(X, y, lr, max_epochs):
    w, b = np.zeros(X.shape[1]), 0.0
    errors_per_epoch = []
    for _ in range(max_epochs):
        errors = 0
        for x, target in zip(X, y, strict=True):
            y_hat = 1 if x @ w + b >= 0 else 0
            if y_hat != target:  # Rosenblatt's rule, on mistakes only
                w = w + lr * (target - y_hat) * x
                b = b + lr * (target - y_hat)
                errors += 1
        errors_per_epoch.append(errors)
        if errors == 0:  # a whole epoch without a mistake: converged
            break
    return w, b, errors_per_epoch
